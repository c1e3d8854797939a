/* SPDX-License-Identifier: MIT */
/*
 * cgroupfs operations shared by the runner and the cases, for v1 and v2 hierarchies
 * (Documentation/admin-guide/cgroup-v1/cgroups.rst, cgroup-v2.rst). Paths are absolute
 * cgroupfs directories such as /sys/fs/cgroup/unified/isocheck-<run>/<case>/ctl.
 */
#ifndef ISOCHECK_CGROUP_H
#define ISOCHECK_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "isocheck/env.h"
#include "isocheck/util.h"

/* Every cgroup isocheck makes starts with this, so a later run can find leftovers. */
#define ISO_CG_PREFIX "isocheck"

/*
 * Choose the hierarchy the runner tracks case processes in: the cgroup2 mount when
 * there is one (it has cgroup.kill from Linux 5.14 and cgroup.events "populated"), else
 * the v1 pids, name=systemd or memory hierarchy; read-only mounts are passed over. Copies
 * its mount point into @mount (@size bytes) and returns its version (1 or 2), or 0 when
 * no writable cgroupfs is mounted.
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

/* A cgroup a case made, in one hierarchy. */
struct iso_cg {
        int version;         /* 1 or 2 */
        char path[PATH_MAX]; /* absolute cgroupfs directory */
        char rel[PATH_MAX];  /* below the mount's root, as the OOM killer's oom_memcg= ends:
                                 "/isocheck-<run>/<case>/hog" */
        char view[PATH_MAX]; /* as /proc/PID/cgroup shows it to this process, whose cgroup
                                namespace root may lie elsewhere: "/../isocheck-<run>/..."
                                (iso_cg_view_path) */
};

/*
 * The path /proc/PID/cgroup shows to a reader for the cgroup @rel below a cgroupfs
 * mount whose root, as that reader's /proc/self/mountinfo shows it (field 4), is
 * @mount_root. Both are printed relative to the reader's cgroup namespace root
 * (cgroup_namespaces(7)): "/" + rel when the mount's root is the namespace root, and
 * "/.." + rel for a mount made outside a namespace whose root is one level down (the
 * issue's `unshare --cgroup` run from /t1). Exact unless the namespace root lies below
 * @rel's first component, which never holds for a directory the run made itself.
 * Returns 0, or -1 (ENAMETOOLONG) when it does not fit in @size bytes.
 */
int iso_cg_view_path(const char *mount_root, const char *rel, char *out, size_t size);

/*
 * Find the line of a hierarchy in /proc/PID/cgroup text @text (cgroups(7):
 * "ID:CONTROLLERS:PATH"): the v2 line "0::PATH" when @version is 2, else the v1 line whose
 * comma-separated controllers include @ctrl. Copies PATH into @out (@size bytes).
 * Returns 0, or -1 when no line matches or the first that does has a PATH too long.
 */
int iso_cg_proc_path(const char *text, int version, const char *ctrl, char *out, size_t size);

/*
 * Make cgroup @name below @scope (the case's "isocheck-<run>/<case>", iso_case_scope())
 * in the hierarchy holding controller @ctrl ("memory", "pids"), or in the v2 hierarchy
 * with no controller enabled for it when @ctrl is NULL (cgroup.kill, cgroup.freeze). The scope directories are
 * created when missing. On cgroup v2 the controller is enabled ("+memory") in the
 * cgroup.subtree_control of every level from the root down to @scope, none of which
 * holds processes (the no-internal-process rule, cgroup-v2.rst "Top-down Constraint").
 * Fills @cg. Returns 0, or -1 with @e: ENOENT when no hierarchy has @ctrl, EROFS for a
 * read-only cgroupfs, EEXIST when @name exists, or the errno of mkdir / the write.
 */
int iso_cg_make(const struct iso_env *env, const char *ctrl, const char *scope, const char *name,
                struct iso_cg *cg, struct iso_err *e);

/* Remove @cg (and anything below it) after killing its processes. 0 or -1 with @e. */
int iso_cg_destroy(const struct iso_cg *cg, struct iso_err *e);

/* Build "<cg->path>/<file>" into @out. Returns 0 or -1 (ENAMETOOLONG). */
int iso_cg_file(const struct iso_cg *cg, const char *file, char *out, size_t size);

/* Write @value to interface file @file of @cg. Returns 0 or -1 with @e naming both. */
int iso_cg_write(const struct iso_cg *cg, const char *file, const char *value, struct iso_err *e);

/* Read interface file @file of @cg (heap, NUL-terminated) or NULL with @e. */
char *iso_cg_read(const struct iso_cg *cg, const char *file, struct iso_err *e);

/*
 * Find "KEY VALUE" in flat-keyed text (memory.events, memory.stat, memory.oom_control,
 * pids.events: cgroup-v2.rst "Interface Files" formats). Returns 0 and sets *out, or -1
 * when the key is absent or its value is not an integer.
 */
int iso_keyed_value(const char *text, const char *key, long long *out);

/*
 * Read key @key of flat-keyed file @file of @cg. Returns 0, or -1 with @e: ENOENT for a
 * missing file (an older kernel), ENODATA for a missing key.
 */
int iso_cg_read_key(const struct iso_cg *cg, const char *file, const char *key, long long *out,
                    struct iso_err *e);

/* Read a file of @cg holding one integer, or "max" (v2) which gives -1. 0 or -1 with @e. */
int iso_cg_read_value(const struct iso_cg *cg, const char *file, long long *out, struct iso_err *e);

/*
 * fork(2) a child that joins @cg (v1: its PID to "tasks" as the lab does; v2:
 * "cgroup.procs") before anything else, then returns fn(arg) as its exit status. The
 * parent learns whether the join worked before this returns, so the child never touches
 * memory outside the cgroup. Returns the child's PID, or -1 with @e (the join's errno and
 * file; the child is then reaped).
 */
pid_t iso_cg_spawn(const struct iso_cg *cg, int (*fn)(void *), void *arg, struct iso_err *e);

/* A child fn for iso_cg_spawn: execvp(argv[0], argv) with @arg a NULL-terminated argv. */
int iso_cg_exec(void *argv);

/*
 * Is @pid in @cg right now? Reads /proc/@pid/cgroup (cgroups(7)) and compares the path of
 * @cg's hierarchy with cg->view, both in this process's cgroup-namespace frame. Returns
 * 1 yes, 0 no (with the path found in @seen, @size bytes), -1 when the file cannot be
 * read (@e).
 */
int iso_cg_contains(const struct iso_cg *cg, const char *ctrl, pid_t pid, char *seen, size_t size,
                    struct iso_err *e);

#endif
