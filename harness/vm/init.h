/* SPDX-License-Identifier: MIT */
/* The static guest init's own modules (init.c, init_root.c): not linked into the host side. */
#ifndef ISOCHECK_VM_INIT_H
#define ISOCHECK_VM_INIT_H

#include <sys/types.h>

#include "isocheck/util.h"

/*
 * Copy the tree under directory fd @sdir into directory fd @ddir (same names, modes,
 * symlinks, device nodes), skipping the entry @skip at the top and anything not on device
 * @dev. Returns 0, or -1 with @e naming the entry and the call that failed.
 */
int iso_init_copy_tree(int sdir, int ddir, const char *skip, dev_t dev, struct iso_err *e);

/* Empty the tree under @dfd (but @skip at the top, and other devices), best effort. */
void iso_init_remove_tree(int dfd, const char *skip, dev_t dev);

/*
 * Mount the scratch disk (ext4) at /var/tmp and switch on the swap disk, when
 * isocheck-vm gave them. Writes what it did, or why not, into @said (@size bytes).
 * Returns 0 when both are there, -1 otherwise (the cases needing them skip).
 */
int iso_init_scratch(char *said, size_t size);

#endif
