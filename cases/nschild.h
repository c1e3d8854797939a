/* SPDX-License-Identifier: MIT */
/*
 * A look from inside a new namespace: a forked child enters it (unshare(2), or whatever
 * its function does first), writes what it saw into a fixed-size answer, and the case
 * compares that with what the case process itself sees outside (namespaces(7)).
 */
#ifndef ISOCHECK_CASES_NSCHILD_H
#define ISOCHECK_CASES_NSCHILD_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/case.h"

/*
 * Fork a child that runs @fn(@arg, @answer) and sends @answer (@size bytes) back through
 * a pipe; wait for it, SIGKILLing it after @timeout_s seconds. @fn returns 0, or an errno
 * value that the case reports (it fills the answer's own fields for the reason).
 * Returns @fn's result (0 or a positive errno value); ends the case as an error when the
 * child could not be forked, was killed, or sent fewer than @size bytes.
 */
int ns_child_look(struct iso_t *t, const char *what, int (*fn)(void *arg, void *answer), void *arg,
                  void *answer, size_t size, double timeout_s);

/* Write @text to the file @path (a /proc or /sys file). Returns 0 or an errno value. */
int ns_write_file(const char *path, const char *text);

/* Read up to @size - 1 bytes of @path into @buf (NUL-terminated). Returns 0 or an errno value. */
int ns_read_file(const char *path, char *buf, size_t size);

#endif
