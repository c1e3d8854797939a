/* SPDX-License-Identifier: MIT */
/*
 * Private to the report writers (harness/report_*.c): the write helpers they share, each
 * returning 0, or -1 on a write error (errno as the stdio call left it).
 */
#ifndef ISOCHECK_REPORT_IO_H
#define ISOCHECK_REPORT_IO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* fputs(3) @s to @out. */
static inline int put(FILE *out, const char *s)
{
        return fputs(s, out) == EOF ? -1 : 0;
}

/* fprintf(3) to @out. */
static inline int __attribute__((format(printf, 2, 3))) putf(FILE *out, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vfprintf(out, fmt, ap);
        va_end(ap);
        return n < 0 ? -1 : 0;
}

/* Bounded length, 0 for NULL: check records live in shared memory a crashed case may have
 * left unterminated. */
static inline size_t fieldlen(const char *s, size_t size)
{
        return s ? strnlen(s, size) : 0;
}

#endif
