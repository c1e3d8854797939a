// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the /proc/PID/stat parser (proc.c, iso_proc_parse_stat).
 *
 * proc(5): "PID (COMM) STATE PPID ...", COMM up to 16 bytes of anything, parentheses and
 * spaces included, so it ends at the last ')'. On success the parser's answer must be
 * what the line says: the PID and PPID as written (a number pid_t cannot hold is no PID:
 * harness/fuzz/crashes/stat-*-overflow), and COMM, cut to fit and NUL-terminated.
 */
#include "isocheck/proc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why, const char *line)
{
        fprintf(stderr, "fuzz_stat: %s: \"%.100s\"\n", why, line);
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *line = strndup((const char *)data, size);
        struct iso_proc p;
        const char *open, *close;
        long long pid, ppid;
        size_t n;

        if (!line)
                abort();
        memset(&p, 0xA5, sizeof(p));
        if (iso_proc_parse_stat(line, &p) < 0) {
                free(line);
                return 0;
        }
        if (p.pid <= 0 || p.ppid < 0)
                bad("PID or PPID out of range", line);
        if (!memchr(p.comm, '\0', sizeof(p.comm)))
                bad("comm not NUL-terminated", line);
        open = strstr(line, " (");
        close = strrchr(line, ')');
        if (!open || !close || close < open + 2)
                bad("parsed a line without \" (COMM)\"", line);
        n = (size_t)(close - open - 2);
        if (n >= sizeof(p.comm))
                n = sizeof(p.comm) - 1;
        if (strlen(p.comm) > n || memcmp(p.comm, open + 2, strlen(p.comm)))
                bad("comm is not the text between the parentheses", line);
        if (!memchr(open + 2, '\0', n) && strlen(p.comm) != n)
                bad("comm cut short", line);
        errno = 0;
        pid = strtoll(line, NULL, 10);
        if (errno || pid != p.pid)
                bad("PID is not the number written", line);
        errno = 0;
        ppid = strtoll(close + 4, NULL, 10);
        if (errno || ppid != p.ppid)
                bad("PPID is not the number written", line);
        free(line);
        return 0;
}
