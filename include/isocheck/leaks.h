/* SPDX-License-Identifier: MIT */
/* Finding what a case left behind in the runner's mount namespace. */
#ifndef ISOCHECK_LEAKS_H
#define ISOCHECK_LEAKS_H

#include <stddef.h>

#include "isocheck/util.h"

/* The mount IDs (first field of /proc/self/mountinfo, proc(5)) present at one moment. */
struct iso_mounts {
        size_t n;
        int *ids;
};

/* Snapshot /proc/self/mountinfo. Returns 0 or -1 with @e. Free with iso_mounts_free(). */
int iso_mounts_snapshot(struct iso_mounts *m, struct iso_err *e);

/*
 * Find mounts present now and absent from @before; unmount them (MNT_DETACH, newest
 * first) and describe them ("/tmp/x (tmpfs)") in @out (@size bytes). Returns how many
 * were found, or -1 with @e when mountinfo cannot be read.
 */
long iso_mounts_reclaim(const struct iso_mounts *before, char *out, size_t size, struct iso_err *e);

void iso_mounts_free(struct iso_mounts *m);

#endif
