// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the NSpid line of /proc/PID/status (ns.c, iso_ns_parse_nspid).
 *
 * The first byte picks how many PIDs the caller has room for (0..8, in an array of
 * exactly that size, so ASan sees a store past it); the rest is the status text. The
 * answer must come from the NSpid line alone: -1 when no line starts with "NSpid:", and
 * otherwise the same count and PIDs as when the text is cut right after that line
 * (harness/fuzz/crashes/nspid-pid-from-next-line).
 */
#include "isocheck/ns.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why, const char *text)
{
        fprintf(stderr, "fuzz_nspid: %s: \"%.200s\"\n", why, text);
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t max = size ? data[0] % 9 : 0;
        char *text = size ? strndup((const char *)data + 1, size - 1) : strdup("");
        pid_t *ids = malloc(max ? max * sizeof(*ids) : 1);
        pid_t *ids_cut = malloc(max ? max * sizeof(*ids) : 1);
        const char *line, *nl;
        long n, n_cut;
        char *cut;

        if (!text || !ids || !ids_cut)
                abort();
        n = iso_ns_parse_nspid(text, ids, max);
        line = !strncmp(text, "NSpid:", 6) ? text : strstr(text, "\nNSpid:");
        if (!line) {
                if (n != -1)
                        bad("a count without an NSpid line", text);
                goto out;
        }
        if (n < 0)
                bad("an NSpid line not found", text);
        nl = strchr(line + 1, '\n');
        cut = strndup(text, nl ? (size_t)(nl + 1 - text) : strlen(text));
        if (!cut)
                abort();
        n_cut = iso_ns_parse_nspid(cut, ids_cut, max);
        if (n != n_cut ||
            memcmp(ids, ids_cut, (size_t)(n < (long)max ? n : (long)max) * sizeof(*ids)))
                bad("PIDs read from beyond the NSpid line", text);
        free(cut);
out:
        free(text);
        free(ids);
        free(ids_cut);
        return 0;
}
