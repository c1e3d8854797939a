/* SPDX-License-Identifier: MIT */
/*
 * cgroupfs operations shared by the runner and the cases, for v1 and v2 hierarchies
 * (Documentation/admin-guide/cgroup-v1/cgroups.rst, cgroup-v2.rst). Paths are absolute
 * cgroupfs directories such as /sys/fs/cgroup/unified/isocheck-<run>/<case>/ctl.
 */
#ifndef ISOCHECK_CGROUP_H
#define ISOCHECK_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/env.h"
#include "isocheck/util.h"

/* Every cgroup isocheck makes starts with this, so a later run can find leftovers. */
#define ISO_CG_PREFIX "isocheck"

/*
 * Choose the hierarchy the runner tracks case processes in: the cgroup2 mount when
 * there is one (it has cgroup.kill from Linux 5.14 and cgroup.events "populated"), else
 * the v1 pids, name=systemd or memory hierarchy. Copies its mount point into @mount
 * (@size bytes) and returns its version (1 or 2), or 0 when there is no cgroupfs.
 */
int iso_cg_track_hierarchy(const struct iso_env *env, char *mount, size_t size);

/*
 * Create cgroup directory @path (mode 0755). EEXIST is an error: isocheck never adopts
 * a cgroup it did not make. Returns 0 or -1 with @e ("mkdir <path>: ...").
 */
int iso_cg_create(const char *path, struct iso_err *e);

/*
 * Move the calling process into @path by writing "0" to its cgroup.procs (both versions
 * read 0 as "the writer"). Returns 0 or -1 with @e.
 */
int iso_cg_enter_self(const char *path, struct iso_err *e);

/*
 * Read the PIDs in @path/cgroup.procs into @pids (room for @max). Returns how many the
 * file lists (may exceed @max: only @max are stored), or -1 with @e.
 */
long iso_cg_pids(const char *path, pid_t *pids, size_t max, struct iso_err *e);

/*
 * Kill every process in @path and its descendants: write 1 to cgroup.kill where the
 * kernel has it (v2, Linux >= 5.14), else SIGKILL each listed PID, repeating until the
 * cgroups are empty. Bounded by @timeout_s seconds. Returns 0 when empty, or -1 with @e
 * listing the PIDs still inside (errno EBUSY).
 */
int iso_cg_kill_all(const char *path, double timeout_s, struct iso_err *e);

/*
 * Remove @path and every cgroup below it, leaf first, after killing their processes;
 * rmdir is retried on EBUSY (an exiting task is still charged) for up to @timeout_s
 * seconds. A path that does not exist is success. Returns 0, or -1 with @e naming the
 * cgroup that could not be removed and the PIDs still in it.
 */
int iso_cg_remove_tree(const char *path, double timeout_s, struct iso_err *e);

/*
 * List the child cgroups (subdirectories) of @path into @names (room for @max, each
 * @name_size bytes). Returns how many there are, or -1 with @e. ENOENT gives 0.
 */
long iso_cg_children(const char *path, char (*names)[256], size_t max, struct iso_err *e);

#endif
