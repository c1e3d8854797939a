// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kernel log parsers (kmsg.c).
 *
 * The bytes are, first, one /dev/kmsg record as read(2) returns it (not NUL-terminated):
 * iso_kmsg_parse must stay inside them, and on success give the record's text, NUL-
 * terminated, as a prefix of what follows the first ';' of the first line. Then they are
 * a drained log (NUL-terminated) for the OOM matcher and the artifact filter:
 *
 *   - iso_kmsg_find_oom with no filter, then again filtered by the victim it found and by
 *     the memcg it found: both must find the same kill (the first kill line matches both);
 *   - iso_kmsg_oom_lines into a buffer of a size taken from the input (exactly that big,
 *     so ASan sees a write past it): whole lines, each holding one of the OOM keys, as
 *     many as fit in order; with room for everything, every such line of the log.
 */
#include "isocheck/kmsg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why)
{
        fprintf(stderr, "fuzz_kmsg: %s\n", why);
        abort();
}

static void check_record(const char *buf, size_t len)
{
        struct iso_kmsg_record rec;
        const char *nl, *semi, *text;
        size_t text_n, got_n;

        if (iso_kmsg_parse(buf, len, &rec) < 0)
                return;
        if (!memchr(rec.text, '\0', sizeof(rec.text)))
                bad("record text not NUL-terminated");
        nl = memchr(buf, '\n', len);
        semi = memchr(buf, ';', nl ? (size_t)(nl - buf) : len);
        if (!semi)
                bad("record parsed without a ';' in its first line");
        text = semi + 1;
        text_n = (size_t)((nl ? nl : buf + len) - text);
        got_n = strlen(rec.text);
        if (got_n > text_n || memcmp(rec.text, text, got_n))
                bad("record text is not the text after ';'");
        if (text_n < sizeof(rec.text) && !memchr(text, '\0', text_n) && got_n != text_n)
                bad("record text cut short though it fits");
}

static int is_oom_key_line(const char *p, size_t n)
{
        static const char *const keys[] = {
                "out of memory",  "oom-kill",           "oom_reaper",
                "Killed process", "invoked oom-killer", "Memory cgroup stats",
                "memory: usage",
        };
        char *line = strndup(p, n);
        int hit = 0;

        if (!line)
                abort();
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !hit; i++)
                hit = strcasestr(line, keys[i]) != NULL;
        free(line);
        return hit;
}

/* The matching lines of @text, in order, the way iso_kmsg_oom_lines should copy them. */
static size_t oom_lines_ref(const char *text, char *out, size_t size)
{
        size_t used = 0, copied = 0;

        out[0] = '\0';
        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);

                if (is_oom_key_line(p, n)) {
                        if (used + n + 2 > size)
                                break;
                        memcpy(out + used, p, n);
                        used += n;
                        out[used++] = '\n';
                        out[used] = '\0';
                        copied++;
                }
                p += n + (nl ? 1 : 0);
        }
        return copied;
}

static void check_oom_lines(const char *text, size_t size)
{
        char *out = malloc(size), *ref = malloc(size);
        size_t n, n_ref;

        if (!out || !ref)
                abort();
        n = iso_kmsg_oom_lines(text, out, size);
        n_ref = oom_lines_ref(text, ref, size);
        if (n != n_ref || strcmp(out, ref))
                bad("iso_kmsg_oom_lines differs from its contract");
        free(out);
        free(ref);
}

static void check_oom(const char *text)
{
        struct iso_oom_report first, again;

        if (!iso_kmsg_find_oom(text, 0, NULL, &first)) {
                if (first.found)
                        bad("find_oom returned 0 with found set");
                return;
        }
        if (!first.found || first.victim <= 0)
                bad("find_oom found a kill without a victim");
        if (!memchr(first.comm, '\0', sizeof(first.comm)) ||
            !memchr(first.memcg, '\0', sizeof(first.memcg)) ||
            !memchr(first.line, '\0', sizeof(first.line)))
                bad("find_oom left a field unterminated");
        if (!strstr(text, first.line))
                bad("the matched line is not in the log");
        if (!iso_kmsg_find_oom(text, first.victim, NULL, &again) || again.victim != first.victim ||
            strcmp(again.line, first.line) || strcmp(again.comm, first.comm))
                bad("the first kill is not found again by its victim");
        /* A path cut to fit, or ending in '/', is not the suffix of the logged one. */
        size_t m = strlen(first.memcg);

        if (m && m < sizeof(first.memcg) - 1 && first.memcg[m - 1] != '/') {
                if (!iso_kmsg_find_oom(text, 0, first.memcg, &again) ||
                    again.victim != first.victim || strcmp(again.line, first.line))
                        bad("the first kill is not found again by its memcg");
                const char *leaf = strrchr(first.memcg, '/');

                if (leaf && leaf[1] &&
                    (!iso_kmsg_find_oom(text, first.victim, leaf + 1, &again) ||
                     strcmp(again.line, first.line)))
                        bad("the first kill is not found again by its memcg's leaf");
        }
        iso_kmsg_find_oom(text, first.victim, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text;

        check_record((const char *)data, size);

        text = malloc(size + 1);
        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';
        check_oom(text);
        check_oom_lines(text, size ? 1 + data[0] * 8u : 1);
        check_oom_lines(text, size + 2);
        free(text);
        return 0;
}
