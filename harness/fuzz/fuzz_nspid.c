// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the NSpid line of /proc/PID/status (ns.c, iso_ns_parse_nspid).
 *
 * The first byte picks how many PIDs the caller has room for (0..8, in an array of
 * exactly that size, so ASan sees a store past it); the rest is the status text. The
 * answer must come from the NSpid line alone: -1 when no line starts with "NSpid:", and
 * otherwise the same count and PIDs as when the text is cut right after that line.
 */
#include "isocheck/ns.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Known bugs in the code under test, reported with a reproducer in harness/fuzz/crashes/:
 * inputs that reach them are steered away unless ISO_FUZZ_STRICT=1 is in the environment,
 * so that the smoke run tests everything else meanwhile. Drop the steering with the fix.
 */
static int strict(void)
{
        static int v = -1;

        if (v < 0) {
                const char *s = getenv("ISO_FUZZ_STRICT");

                v = s && *s && strcmp(s, "0");
        }
        return v;
}

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
        /* crashes/nspid-pid-from-next-line: trailing blanks make strtol read on. */
        if (!strict() && nl && nl > line + 1 && isspace((unsigned char)nl[-1]))
                goto out;
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
