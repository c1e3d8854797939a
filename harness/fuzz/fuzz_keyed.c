// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the flat-keyed file parser (cgroup.c, iso_keyed_value) that reads
 * memory.events, memory.stat, memory.oom_control and pids.events (cgroup-v2.rst,
 * "Interface Files": one "KEY VALUE" per line).
 *
 * The first byte is the key's length, the key follows, the rest is the file. The answer
 * must be decided by the first line that starts with "KEY " alone: the same as for that
 * line cut out as a string of its own, and a value written on it. A value may not come
 * from another line (harness/fuzz/crashes/keyed-value-from-next-line).
 */
#include "isocheck/cgroup.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *key, const char *why, int rc, long long v)
{
        fprintf(stderr, "fuzz_keyed: key \"%s\": %s (returned %d, value %lld)\n", key, why, rc, v);
        abort();
}

/* The first line of @text that starts with "KEY ", as a string of its own, or NULL. */
static char *key_line(const char *text, const char *key)
{
        size_t klen = strlen(key);

        for (const char *l = text; *l;) {
                const char *nl = strchr(l, '\n');
                size_t n = nl ? (size_t)(nl - l) : strlen(l);

                if (n > klen && !strncmp(l, key, klen) && l[klen] == ' ')
                        return strndup(l, n);
                if (!nl)
                        break;
                l = nl + 1;
        }
        return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t klen = size ? data[0] % 48 : 0;
        char *key, *text, *line, digits[32];
        long long got = 0x5A5A, alone = 0x5A5A;
        int rc, rc_alone;

        if (size < 1 + klen)
                return 0;
        key = strndup((const char *)data + 1, klen);
        text = strndup((const char *)data + 1 + klen, size - 1 - klen);
        if (!key || !text)
                abort();
        /* A key holding '\n' spans lines: no caller has one, the contract is per line. */
        if (strchr(key, '\n'))
                goto out;
        rc = iso_keyed_value(text, key, &got);
        line = key_line(text, key);
        if (!line) {
                if (rc != -1)
                        bad(key, "a value without a line holding the key", rc, got);
                goto out;
        }
        rc_alone = iso_keyed_value(line, key, &alone);
        if (rc != rc_alone || (rc == 0 && got != alone))
                bad(key, "the answer differs from that of its line alone", rc, got);
        snprintf(digits, sizeof(digits), "%llu",
                 got < 0 ? 0ULL - (unsigned long long)got : (unsigned long long)got);
        if (rc == 0 && !strstr(line + strlen(key) + 1, digits))
                bad(key, "the value is not written on its line", rc, got);
        free(line);
out:
        free(key);
        free(text);
        return 0;
}
