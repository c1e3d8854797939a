/* SPDX-License-Identifier: MIT */
/*
 * Floors: the cheapest way this machine can do the kernel work a case is built from, timed
 * in the same run as the cases so a ratio compares like with like. Every function times
 * @n repetitions into @t (seconds; NAN for one that could not be measured) after one
 * untimed warm-up, cleans up what it made whatever happens, and returns 0, or -1 with @e.
 * Everything made is named with the isocheck / iso prefix so a killed bench can be found.
 */
#ifndef ISOCHECK_BENCH_FLOORS_H
#define ISOCHECK_BENCH_FLOORS_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/util.h"

/* fork(2) + execve(2) of the static no-op @true_path + waitpid(2). */
int iso_floor_fork_exec(const char *true_path, double *t, size_t n, struct iso_err *e);

/*
 * mkdir(2) + rmdir(2) of an empty cgroup "isocheck-bench-<pid>-<k>" directly below the
 * hierarchy mounted at @mount (the memory hierarchy: what the cgroup cases create in).
 */
int iso_floor_cgroup(const char *mount, double *t, size_t n, struct iso_err *e);

/* clone(2) with @flags (CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWNET...), the child _exits, wait. */
int iso_floor_ns(unsigned long flags, double *t, size_t n, struct iso_err *e);

/*
 * mmap(2) @bytes of anonymous memory and write a byte to each page, as the OOM cases' hog
 * does, then munmap, in a forked process in no cgroup of isocheck's: the page faults
 * alone, timed by that process itself (its fork and exit are not part of the figure).
 */
int iso_floor_fault(long long bytes, double *t, size_t n, struct iso_err *e);

/*
 * Create and delete a veth pair through rtnetlink (isocheck/netlink.h), timed inside a
 * network namespace made for the purpose, so nothing touches the host's interfaces and
 * the kernel removes anything left when that namespace's only process exits.
 */
int iso_floor_veth(double *t, size_t n, struct iso_err *e);

/*
 * Write a waiting child's PID to cgroup.procs of an empty cgroup "isocheck-bench-<pid>-attach"
 * below @mount, @gap_s seconds (untimed) after the previous write. Moving a task takes
 * cgroup_threadgroup_rwsem for writing, whose rcu_sync costs an RCU grace period unless
 * another writer held it moments ago: with a gap of tens of milliseconds this is the cold
 * cost every case pays when it (or the runner for it) joins a cgroup.
 */
int iso_floor_cg_attach(const char *mount, double gap_s, double *t, size_t n, struct iso_err *e);

/*
 * Remove cgroups "isocheck-bench-<pid>-*" of this process below @mount (left by an
 * interrupted floor). Returns how many were removed.
 */
int iso_floor_cgroup_cleanup(const char *mount);

/*
 * Wait for child @pid, giving up after @timeout_s seconds: then it is sent SIGKILL (by PID)
 * and reaped. Returns its wait status, or -1 with @e (ETIMEDOUT when it had to be killed).
 */
int iso_bench_wait(pid_t pid, double timeout_s, struct iso_err *e);

#endif
