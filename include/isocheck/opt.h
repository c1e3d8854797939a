/* SPDX-License-Identifier: MIT */
/*
 * The scaffolding the command lines share (isocheck's harness/cli.c, isocheck-vm's
 * harness/vm/opts.c) around getopt_long(3): a reason written into the caller's buffer,
 * getopt's global state reset, numbers checked whole, and one wording for getopt's own
 * refusals. Nothing here prints or exits.
 */
#ifndef ISOCHECK_OPT_H
#define ISOCHECK_OPT_H

#include <stddef.h>

/* Write the printf-style reason into @err (@size bytes). Returns -1, for `return fail(...)`. */
int iso_opt_fail(char *err, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * Reset getopt_long(3)'s globals (optind = 0 reinitialises it in glibc, so a parser can
 * run more than once, as the unit tests do) and silence its own messages (opterr = 0):
 * the caller reports with iso_opt_refused().
 */
void iso_opt_reset(void);

/*
 * Parse @arg as a finite decimal number in [@lo, @hi] (in (0, @hi] when @lo is 0, so
 * "0" is refused for a bound or a multiplier). Returns 0 with *@out set, else -1
 * (nothing after the number allowed, no NaN or infinity, no overflow).
 */
int iso_opt_number(const char *arg, double lo, double hi, double *out);

/*
 * Parse @arg as a whole decimal number in [@lo, @hi], no sign. Returns 0 with *@out set,
 * else -1.
 */
int iso_opt_whole(const char *arg, unsigned long lo, unsigned long hi, unsigned int *out);

/*
 * The reason for what getopt_long(3) itself refused, given its return @ch (':' for a
 * missing value, else '?') and the @argv it parsed (optind and optopt as it left them):
 * "option --x needs a value", "option --list=yes takes no value", "unknown option -q".
 * Each ends "(see --help)" where it helps. Returns -1.
 */
int iso_opt_refused(int ch, char *const argv[], char *err, size_t size);

#endif
