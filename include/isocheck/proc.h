/* SPDX-License-Identifier: MIT */
/*
 * Process tables as the kernel shows them in a procfs (proc(5): /proc/PID/stat), never
 * parsed from ps(1); and comparing two of them, as nsenter's "same view" claim needs.
 */
#ifndef ISOCHECK_PROC_H
#define ISOCHECK_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/util.h"

struct iso_proc {
        pid_t pid;
        pid_t ppid; /* 0 when the parent is outside this PID namespace */
        char comm[64];
};

/*
 * Parse one /proc/PID/stat line: "PID (COMM) STATE PPID ...". COMM may hold spaces and
 * parentheses, so it ends at the *last* ')'. Returns 0, or -1 when malformed.
 */
int iso_proc_parse_stat(const char *line, struct iso_proc *p);

/*
 * Snapshot the processes listed by the procfs mounted at @proc_root (e.g. "/proc"),
 * sorted by PID, into @out (room for @max). Processes that exit while we read are left
 * out. Returns how many there are (may exceed @max: only @max are stored), or -1 with @e
 * when @proc_root cannot be listed.
 */
long iso_proc_table(const char *proc_root, struct iso_proc *out, size_t max, struct iso_err *e);

/*
 * Compare tables @a and @b (sorted by PID) by (PID, PPID, COMM), leaving out the PIDs in
 * @ignore_a (for @a) and @ignore_b (for @b): the observers that listed them. Returns the
 * number of differing entries (0: same view).
 */
size_t iso_proc_diff(const struct iso_proc *a, size_t na, const pid_t *ignore_a, size_t n_ignore_a,
                     const struct iso_proc *b, size_t nb, const pid_t *ignore_b, size_t n_ignore_b);

/*
 * Render @a and @b side by side into @out (@size bytes), one row per PID present in
 * either, "PID PPID COMM | PID PPID COMM", marking differing rows with '*', under the
 * titles @title_a and @title_b. For failure messages. Returns @out.
 */
char *iso_proc_side_by_side(const struct iso_proc *a, size_t na, const char *title_a,
                            const struct iso_proc *b, size_t nb, const char *title_b, char *out,
                            size_t size);

/* The entry of @pid in @t, or NULL. */
const struct iso_proc *iso_proc_find(const struct iso_proc *t, size_t n, pid_t pid);

/*
 * The evidence of a PID namespace case as CSV text (artifact processes.csv), header
 * "view,pid,ppid,host_pid,cmd": first the rows of @inside (@n_inside processes as listed in
 * the namespace, PIDs as seen there) with view "inside", then view "host" rows: every
 * process of the host's /proc whose /proc/PID/ns/pid inode is @pidns, and @parent (the
 * process that made the namespace, seen from the host; 0: none). host_pid is a process's
 * PID in the host's /proc, found for an inside row through the last field of the NSpid
 * line of /proc/PID/status (proc(5), Linux >= 4.1): equal host_pid, same process. An inside
 * process gone by the time the host is read (a lister) has an empty host_pid. cmd is the
 * comm, with ',' '"' and control characters replaced by '_' (so no field needs quoting).
 * Returns a malloc'd string (*@len bytes), or NULL with @e when /proc cannot be read.
 */
char *iso_proc_evidence_csv(const struct iso_proc *inside, size_t n_inside, ino_t pidns,
                            pid_t parent, size_t *len, struct iso_err *e);

#endif
