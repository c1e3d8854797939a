// SPDX-License-Identifier: MIT
/*
 * Shared command-line scaffolding (include/isocheck/opt.h). getopt_long(3) does the
 * parsing; what is here is only the checking and the wording both command lines use.
 */
#include "isocheck/opt.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int iso_opt_fail(char *err, size_t size, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(err, size, fmt, ap);
        va_end(ap);
        return -1;
}

void iso_opt_reset(void)
{
        optind = 0;
        opterr = 0;
}

int iso_opt_number(const char *arg, double lo, double hi, double *out)
{
        char *end;

        /* strtod(3) also takes hex ("0x10"), "infinity" and leading blanks: a number
         * on a command line is written in decimal, so anything else is refused. */
        if (!*arg || strspn(arg, "0123456789.eE+-") != strlen(arg))
                return -1;
        errno = 0;
        double v = strtod(arg, &end);

        if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi || (lo == 0 && v <= 0))
                return -1;
        *out = v;
        return 0;
}

int iso_opt_whole(const char *arg, unsigned long lo, unsigned long hi, unsigned int *out)
{
        char *end;

        if (!*arg || *arg == '-' || *arg == '+')
                return -1;
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);

        if (errno || *end || v < lo || v > hi)
                return -1;
        *out = (unsigned int)v;
        return 0;
}

int iso_opt_refused(int ch, char *const argv[], char *err, size_t size)
{
        const char *arg = argv[optind - 1];

        if (ch == ':')
                return iso_opt_fail(err, size, "option %s needs a value", arg);
        /* A long option given a value it does not take ("--list=yes"). */
        if (optopt && !strncmp(arg, "--", 2))
                return iso_opt_fail(err, size, "option %s takes no value (see --help)", arg);
        if (optopt)
                return iso_opt_fail(err, size, "unknown option -%c (see --help)", optopt);
        return iso_opt_fail(err, size, "unknown option %s (see --help)", arg);
}
