// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the files a plan reads (plan_files.c), which come from anywhere (a CI
 * artifact, a report edited by hand).
 *
 * The bytes are a file, read through a memfd as iso_report_failed() and
 * iso_skip_file_read() read a path:
 *
 *   - as a report to rerun from: either refused (-1, with a message naming the file) or
 *     a count n <= the results read, each of the n names non-empty, on one line (no '\n'),
 *     and its line number within the file's lines;
 *   - as a skip file: refused with a message naming the file, or rules each with a glob
 *     holding no blank and a non-empty reason, both NUL-terminated, on lines in order.
 */
#include "isocheck/plan_build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why)
{
        fprintf(stderr, "fuzz_lastfailed: %s\n", why);
        abort();
}

static unsigned lines_of(const uint8_t *data, size_t size)
{
        unsigned n = 1;
        for (size_t i = 0; i < size; i++)
                n += data[i] == '\n';
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char path[64];
        int fd = memfd_create("fuzz-lastfailed", MFD_CLOEXEC);
        if (fd < 0)
                return 0;
        if (write(fd, data, size) != (ssize_t)size) {
                close(fd);
                return 0;
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        unsigned max_line = lines_of(data, size);

        struct iso_named_line *v = NULL;
        size_t total = 0;
        struct iso_err e = {0};
        long n = iso_report_failed(path, &v, &total, &e);
        if (n < 0) {
                if (!strstr(e.msg, path))
                        bad("a refused report's message does not name the file");
        } else {
                if ((size_t)n > total)
                        bad("more failures than results");
                for (long i = 0; i < n; i++) {
                        if (!v[i].name[0] || strchr(v[i].name, '\n'))
                                bad("a failed name is empty or spans lines");
                        if (v[i].line < 1 || v[i].line > max_line)
                                bad("a failed name's line is outside the file");
                }
                iso_named_lines_free(v, (size_t)n);
        }

        struct iso_skip_rule *r = NULL;
        long k = iso_skip_file_read(path, &r, &e);
        if (k < 0) {
                if (!strstr(e.msg, path))
                        bad("a refused skip file's message does not name the file");
        } else {
                for (long i = 0; i < k; i++) {
                        if (!r[i].glob[0] || strpbrk(r[i].glob, " \t\n") || !r[i].reason[0] ||
                            strchr(r[i].reason, '\n'))
                                bad("a skip rule with an empty or blank-holding field");
                        if (r[i].line > max_line || (i && r[i].line <= r[i - 1].line))
                                bad("skip rules out of line order");
                }
                iso_skip_rules_free(r, (size_t)k);
        }
        close(fd);
        return 0;
}
