/* SPDX-License-Identifier: MIT */
/* The static guest init's own modules (init.c, init_root.c, init_results.c): not linked into the host side. */
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

/* ---- the verdict lines (init_results.c) ---- */

#define ISO_INIT_CASE_LINE 640 /* longest verdict line written, newline included */

/*
 * Follows a TAP stream (isocheck's, as iso_tap_case writes it) fed in chunks of any size,
 * and writes to @out_fd one ISO_VM_MARK_CASE line per case: "pass", "skip: REASON",
 * "fail: MESSAGE", "fail (error): MESSAGE", or for a "Bail out!" a case isocheck.harness
 * "fail (error)". A "not ok" point's line waits for its YAML block (message, severity).
 */
struct iso_init_cases {
        int out_fd;
        char line[4096]; /* the line being assembled */
        size_t len;
        int pending; /* a "not ok" seen, its YAML block not yet ended */
        int error;   /* its severity was "error" */
        char name[256];
        char reason[ISO_INIT_CASE_LINE - 64];
        size_t emitted; /* lines written */
};

/* Start following; lines go to @out_fd. */
void iso_init_cases_start(struct iso_init_cases *t, int out_fd);
/* Feed @n bytes of the stream. */
void iso_init_cases_feed(struct iso_init_cases *t, const char *buf, size_t n);
/* The stream ended: a last line without newline, and a pending "not ok", are written. */
void iso_init_cases_end(struct iso_init_cases *t);

#endif
