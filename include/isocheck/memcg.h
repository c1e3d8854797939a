/* SPDX-License-Identifier: MIT */
/*
 * The memory controller on either cgroup version, behind one interface:
 * v1 memory.limit_in_bytes / memory.memsw.limit_in_bytes / memory.oom_control /
 * memory.failcnt / memory.max_usage_in_bytes (cgroup-v1/memory.rst) and
 * v2 memory.max / memory.swap.max / memory.events / memory.peak (cgroup-v2.rst "Memory").
 */
#ifndef ISOCHECK_MEMCG_H
#define ISOCHECK_MEMCG_H

#include "isocheck/cgroup.h"
#include "isocheck/env.h"

/* Counters; -1 where this kernel or cgroup version has no such file or key. */
struct iso_memcg_counters {
        long long oom;           /* v2 memory.events "oom"; v1 memory.oom_control "under_oom" */
        long long oom_kill;      /* v2 memory.events "oom_kill"; v1 memory.oom_control "oom_kill"
                                (Linux >= 4.13) */
        long long max;           /* v2 memory.events "max": times usage hit the limit */
        long long high;          /* v2 memory.events "high": times usage went over memory.high */
        long long failcnt;       /* v1 memory.failcnt: charges refused at the limit */
        long long memsw_failcnt; /* v1 memory.memsw.failcnt: refused at the memory+swap
                                    limit, which a swap-limited cgroup hits first */
        long long peak;          /* bytes: v2 memory.peak (Linux >= 5.19), v1 max_usage_in_bytes */
        long long usage;         /* bytes: v2 memory.current, v1 memory.usage_in_bytes */
        long long swap;          /* bytes of swap used: v2 memory.swap.current, v1 memsw - usage */
};

/*
 * What swap means for an OOM case here: 0 no swap in use (nothing to do); 1 swap is on
 * and accounted, so iso_memcg_set_limit must forbid it (swap_off = 1); -1 swap is on
 * without swap accounting, so the process could escape the limit into swap: @reason
 * (@size bytes) then says "swap enabled, swap accounting unavailable" with the numbers.
 */
int iso_memcg_swap_policy(const struct iso_env *env, char *reason, size_t size);

/*
 * Set the memory limit of the *empty* cgroup @cg to @bytes (-1: unlimited, "max" on v2).
 * With @swap_off, swap is limited too: v1 memory.memsw.limit_in_bytes = @bytes, written
 * after the memory limit when lowering and before it when raising, since the kernel
 * refuses memsw < limit (EINVAL); v2 memory.swap.max = 0. Returns 0, or -1 with @e naming
 * the file and value; an EBUSY (usage above the new limit) also says the usage.
 */
int iso_memcg_set_limit(const struct iso_cg *cg, long long bytes, int swap_off, struct iso_err *e);

/* Read the limit back: bytes, or -1 for unlimited (v2 "max"; v1 PAGE_COUNTER_MAX pages). */
int iso_memcg_get_limit(const struct iso_cg *cg, long long *bytes, struct iso_err *e);

/* Read every counter this kernel offers. Returns 0, or -1 with @e when none is readable. */
int iso_memcg_counters(const struct iso_cg *cg, struct iso_memcg_counters *c, struct iso_err *e);

/* The value written to a v1 limit reads back as this: the largest page multiple <= it. */
long long iso_memcg_round(long long bytes);

/* v1 reports "unlimited" as a huge page multiple; anything at or above this is unlimited. */
#define ISO_MEMCG_V1_UNLIMITED (1LL << 62)

/*
 * v1: make the OOM killer act in @cg. memory.oom_control's oom_kill_disable is copied
 * from the parent at mkdir (cgroup-v1/memory.rst "OOM Control"), so below a parent that
 * has it (a container started with --oom-kill-disable) a process at the limit is paused,
 * not killed. Writes 0 when it reads 1 and sets *@was_disabled. v2 has no such switch:
 * returns 0 with *@was_disabled 0. Returns 0, or -1 with @e naming the file.
 */
int iso_memcg_allow_oom_kill(const struct iso_cg *cg, int *was_disabled, struct iso_err *e);

/* v1: 1 when @cg's memory.oom_control says oom_kill_disable 1, 0 when not (or v2), -1
 * when it cannot be read. */
int iso_memcg_oom_kill_disabled(const struct iso_cg *cg);

/*
 * Find the ancestor of @cg, up to and including its cgroupfs mount's root (in a
 * container, the container's own cgroup), with the tightest memory limit below @limit
 * bytes (v1: the lower of limit_in_bytes and memsw.limit_in_bytes; v2: memory.max). A
 * charge in @cg then fails there first, and the failcnt (v1) or memory.events max/oom
 * (v2, hierarchical or with memory_localevents) that rise are that ancestor's, not @cg's
 * (cgroup-v1/memory.rst "Hierarchy support", cgroup-v2.rst "memory.events"). Fills
 * @anc (version and path only) and @anc_limit (bytes) and returns 1; 0 when none is
 * tighter; -1 with @e when a limit cannot be read.
 */
int iso_memcg_tighter_ancestor(const struct iso_cg *cg, long long limit, struct iso_cg *anc,
                               long long *anc_limit, struct iso_err *e);

/*
 * v2: find the ancestor of @cg, up to and including its mount's root, with the lowest
 * memory.high below @limit bytes. Above memory.high the kernel reclaims and throttles
 * the allocating process instead of killing it (cgroup-v2.rst "memory.high"), so an OOM
 * case under it would crawl until its timeout. Fills @anc (version and path only) and
 * @anc_high (bytes) and returns 1; 0 when none (always on v1); -1 with @e.
 */
int iso_memcg_high_ancestor(const struct iso_cg *cg, long long limit, struct iso_cg *anc,
                            long long *anc_high, struct iso_err *e);

/*
 * Was the cgroup2 mount at @mount made with memory_localevents (cgroup-v2.rst "Mounting":
 * memory.events then counts this cgroup's own events only)? @mountinfo is the text of
 * /proc/self/mountinfo (proc(5)). Returns 1 yes, 0 no, -1 when @mount is no cgroup2 mount.
 */
int iso_memcg_local_events(const char *mountinfo, const char *mount);

/*
 * Would a resource limit refuse an OOM case's anonymous mapping of @bytes before the
 * memory cgroup could act? mmap(2) fails with ENOMEM past RLIMIT_AS (@as_used bytes of
 * address space already mapped plus @bytes) and, from Linux 4.7, RLIMIT_DATA (@data_used
 * plus @bytes) (getrlimit(2)); soft limits from @env, -1 unlimited. Returns 1 with @reason
 * (@size bytes) naming the limit, its value and the `ulimit` option that sets it, else 0.
 */
int iso_memcg_rlimit_refuses(const struct iso_env *env, long long as_used, long long data_used,
                             long long bytes, char *reason, size_t size);

#endif
