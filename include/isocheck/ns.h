/* SPDX-License-Identifier: MIT */
/* Namespaces: creating processes in new ones and observing them from outside. */
#ifndef ISOCHECK_NS_H
#define ISOCHECK_NS_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/util.h"

/*
 * fork(2) into new namespaces: clone(2) with @flags (CLONE_NEWPID, CLONE_NEWNS, ...) and
 * SIGCHLD, without a new stack, so the child continues from the call like after fork().
 * With CLONE_NEWPID the child is PID 1 of the new namespace (pid_namespaces(7)).
 * Returns the child's PID as the caller sees it in the parent, 0 in the child, or -1 with
 * errno (EPERM without CAP_SYS_ADMIN, EINVAL for a namespace the kernel lacks, ENOSPC
 * when a namespace count limit is reached).
 * Test build: fault "pidns.clone.ignored" makes it behave as a kernel that ignores
 * CLONE_NEWPID (the child stays in the caller's PID namespace).
 */
pid_t iso_ns_fork(unsigned long flags);

/*
 * unshare(2) with @flags. Returns 0, or -1 with errno (EPERM without CAP_SYS_ADMIN,
 * EINVAL for a namespace the kernel lacks).
 * Test build: fault "pidns.unshare.ignored" makes unshare(CLONE_NEWPID) succeed without
 * creating a namespace for the caller's children, as a broken kernel would.
 */
int iso_ns_unshare(int flags);

/*
 * Read the NSpid line of /proc/@pid/status (proc(5), Linux >= 4.1): the PID of @pid in
 * each PID namespace it belongs to, outermost first as the reader's /proc sees it.
 * Stores up to @max into @ids and returns how many the line holds (at least 1), or -1
 * with @e (ENOENT if the process is gone; ENODATA if the status has no NSpid line, or
 * one with no PID on it: kernels before 4.1 and some sandboxes. ENODATA is the
 * environment's, not a kernel fault: callers record the check as one that cannot be
 * made here).
 */
long iso_ns_nspid(pid_t pid, pid_t *ids, size_t max, struct iso_err *e);

/*
 * iso_ns_nspid on the text of a status file already read (@status, read from @where,
 * which names it in messages). Same returns and errors, ENOENT aside.
 */
long iso_ns_nspid_text(const char *status, const char *where, pid_t *ids, size_t max,
                       struct iso_err *e);

/*
 * Parse the NSpid line out of /proc/PID/status text, storing up to @max PIDs into @ids.
 * Returns how many PIDs the line holds (0 for a line with none), or -1 when there is no
 * NSpid line. iso_ns_nspid_text adds the error values.
 */
long iso_ns_parse_nspid(const char *status, pid_t *ids, size_t max);

/*
 * setns(2) the caller into the namespaces of @target named by @types (a mask of
 * CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC), opening
 * /proc/@target/ns/<type> for each, as nsenter(1) does. Joining a PID namespace affects
 * only children forked afterwards (pid_namespaces(7)); joining a mount namespace also
 * moves the caller's root and cwd to that namespace's root. With @enter_root, the caller
 * also chroots to /proc/@target/root, as `nsenter --root` does: that directory leads into
 * the target's mount namespace, its /proc included. Returns 0, or -1 with @e
 * (EPERM without CAP_SYS_ADMIN, EINVAL for a multithreaded caller joining a mount
 * namespace, ENOENT when @target is gone).
 * Test build: fault "nsenter.setns.ignored" makes every setns(2) succeed without joining
 * anything, as a broken kernel would.
 */
int iso_ns_join(pid_t target, int types, int enter_root, struct iso_err *e);

/*
 * Is the caller in the initial PID namespace, the one the kernel log's PIDs are numbered
 * in? There PID 2 is kthreadd, child of 0 (kernel/kthread.c); inside a container's PID
 * namespace PID 2, if any, is some other process. Returns 1 or 0.
 */
int iso_ns_in_initial_pidns(void);

/*
 * Identity of a namespace: (st_dev, st_ino) of /proc/@pid/ns/@type, as namespaces(7)
 * defines it. @pid 0 means the caller. Returns 0 or -1 with @e.
 */
int iso_ns_id(pid_t pid, const char *type, dev_t *dev, ino_t *ino, struct iso_err *e);

#endif
