/* SPDX-License-Identifier: MIT */
/*
 * Run ownership and recovery. Every run as root records itself under /run/isocheck/<run id>
 * and holds a POSIX record lock (fcntl(2) F_SETLK, F_WRLCK) on the record's owner file
 * for as long as it lives. The kernel drops the lock when the process dies, and every
 * PID, mount or cgroup namespace sharing /run agrees on it: liveness never depends on a
 * PID read in the viewer's own /proc. The lock is not inherited across fork(2), so case
 * children that outlive a killed runner do not keep the run "alive".
 *
 * A later run, or `isocheck --cleanup`, removes what a dead run left: cgroups named
 * isocheck-<run id> in every hierarchy (after killing their members), docker objects
 * labelled isocheck.run=<run id>, container root directories /tmp/isocheck-<run id>-root-*,
 * the temporary files the run registered. A run whose record it cannot see (a private
 * /run, another host on the same Docker daemon) or whose record isocheck did not make is
 * left alone and named: it may be alive.
 */
#ifndef ISOCHECK_RECOVER_H
#define ISOCHECK_RECOVER_H

#include <stddef.h>

#include "isocheck/env.h"
#include "isocheck/util.h"

#define ISO_RUN_DIR "/run/isocheck"

/*
 * This process's run id, made on the first call and the same afterwards:
 * "<pid>-<16 hex digits>", the PID (as this PID namespace sees it, for people and for
 * `ls /run/isocheck | grep ^PID-`) and 64 random bits from getrandom(2), so ids differ
 * across PID namespaces, containers and hosts sharing a Docker daemon.
 */
const char *iso_run_id(void);

/*
 * Record the calling process as the owner of @run_id and take the lock it is judged alive
 * by. /run/isocheck must be a real directory (not a symlink) owned by the caller and
 * writable by it alone, else it is refused; the record is made under a temporary name
 * (O_EXCL, O_NOFOLLOW, mode 0700) and renamed into place with the lock held, never over
 * an existing entry. One record per process. Returns 0, or -1 with @e (EPERM for a
 * directory owned by someone else, ELOOP/ENOTDIR for a link, EEXIST, EACCES...).
 */
int iso_run_record(const char *run_id, struct iso_err *e);

/*
 * Register @path (made absolute against the working directory) as a temporary file of
 * this process's run, so that recovery removes it if the run dies (only while it is a
 * regular file named "*.tmp.<run id>"). A process without a record registers nothing:
 * returns 0. Returns 0, or -1 with @e.
 */
int iso_run_note_file(const char *path, struct iso_err *e);

/* Remove the record of @run_id when this process holds it, dropping its lock last. */
void iso_run_unrecord(const char *run_id);

enum iso_run_state {
        ISO_RUN_DEAD = 0, /* its record is here and no process holds its lock */
        ISO_RUN_ALIVE,    /* its record's lock is held */
        ISO_RUN_UNSEEN,   /* no record visible here: may be alive behind a private /run */
        ISO_RUN_FOREIGN,  /* not a record isocheck made (a symlink, another owner...) */
};

/*
 * What this view can tell of run @run_id. @why (@size bytes, may be 0) receives a
 * sentence naming the evidence ("no process holds its record's lock", "/run/isocheck/X
 * is a symlink ..."). Only ISO_RUN_DEAD allows removing what the run left.
 */
enum iso_run_state iso_run_state(const char *run_id, char *why, size_t size);

/* 1 unless run @run_id is provably dead (iso_run_state() gives ISO_RUN_DEAD): when in
 * doubt, alive. */
int iso_run_alive(const char *run_id);

/*
 * Find dead runs (records, cgroup directories, docker labels, root directories) other
 * than @own_run_id (may be NULL) and remove what they left. Describes each removal, and
 * each run left alone because it may be alive, as a line in @out (@size bytes). Returns
 * the number of objects removed, or -1 with @e when something could not be removed (the
 * rest is still attempted).
 */
long iso_recover(const struct iso_env *env, const char *own_run_id, char *out, size_t size,
                 struct iso_err *e);

#endif
