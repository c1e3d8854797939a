/* SPDX-License-Identifier: MIT */
/*
 * The requirement lists the non-container cases share, one per group, so a group's cases
 * skip for the same reasons in the same order (the first unmet need is the one reported).
 * The container and sidecar groups have theirs in include/isocheck/fixtures.h.
 */
#ifndef ISOCHECK_CASES_NEEDS_H
#define ISOCHECK_CASES_NEEDS_H

#include "isocheck/case.h"

/* clang-format off */
/* A new PID namespace made by the case itself (clone(2) with CLONE_NEWPID). */
#define NEEDS_PIDNS ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("pid"), ISO_KCONFIG("CONFIG_PID_NS")
/* The same with its own /proc: a mount namespace too (the pidns box). */
#define NEEDS_PIDNS_PROC ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("pid"), ISO_NS("mnt"), \
        ISO_KCONFIG("CONFIG_PID_NS")
/* The lab's commands on a PID namespace: unshare(1), nsenter(1), ps(1). */
#define NEEDS_PIDNS_TOOLS NEEDS_PIDNS_PROC, ISO_TOOL("unshare"), ISO_TOOL("nsenter"), ISO_TOOL("ps")
/* A memory cgroup in whichever hierarchy holds the controller. */
#define NEEDS_MEMCG ISO_ROOT, ISO_CGROUP_CTRL("memory", 0)
/* clang-format on */

#endif
