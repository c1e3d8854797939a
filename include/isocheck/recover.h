/* SPDX-License-Identifier: MIT */
/*
 * Run ownership and recovery: every run records itself under /run/isocheck/<run id>
 * (its PID and start time, proc(5) /proc/PID/stat field 22), so a later run, or
 * `isocheck --cleanup`, can tell a dead run from a live one and remove what the dead one
 * left: cgroups named isocheck-<run id> in every hierarchy (after killing their members),
 * docker objects labelled isocheck.run=<run id>, container root directories
 * /tmp/isocheck-<run id>-root-*. Resources of a live run are never touched.
 */
#ifndef ISOCHECK_RECOVER_H
#define ISOCHECK_RECOVER_H

#include <stddef.h>

#include "isocheck/env.h"
#include "isocheck/util.h"

#define ISO_RUN_DIR "/run/isocheck"

/* Record the calling process as the owner of @run_id. 0, or -1 with @e (e.g. EACCES). */
int iso_run_record(const char *run_id, struct iso_err *e);

/* Remove the record of @run_id (at the end of the run). */
void iso_run_unrecord(const char *run_id);

/*
 * Is run @run_id still alive? From its record when there is one, else from the PID its id
 * starts with (a live process running an isocheck binary). Returns 1 alive, 0 dead.
 * When in doubt, alive: never clean up after a run that may still be running.
 */
int iso_run_alive(const char *run_id);

/*
 * Find dead runs (records, cgroup directories, docker labels, root directories) other
 * than @own_run_id (may be NULL) and remove what they left. Describes each removal as a
 * line in @out (@size bytes). Returns the number of objects removed, or -1 with @e when
 * something could not be removed (the rest is still attempted).
 */
long iso_recover(const struct iso_env *env, const char *own_run_id, char *out, size_t size,
                 struct iso_err *e);

#endif
