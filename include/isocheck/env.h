/* SPDX-License-Identifier: MIT */
/*
 * The environment probe: what this machine is, answered once per run (`isocheck --env`,
 * JUnit <properties>, skip reasons). Sources: /proc/self/status (CapEff), statfs(2) of
 * /sys/fs/cgroup (cgroups(7), cgroup-v2.rst "Mounting"), /proc/self/mountinfo (proc(5)),
 * /proc/self/ns (namespaces(7)), /proc/swaps, /proc/sys/vm/overcommit_memory
 * (proc_sys_vm(5)), /dev/kmsg (dev-kmsg ABI document), the kernel config.
 */
#ifndef ISOCHECK_ENV_H
#define ISOCHECK_ENV_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "isocheck/case.h"
#include "isocheck/kconfig.h"
#include "isocheck/report.h"

enum iso_cg_mode {
        ISO_CG_NONE = 0, /* no cgroup filesystem at /sys/fs/cgroup */
        ISO_CG_LEGACY,   /* v1 hierarchies only */
        ISO_CG_HYBRID,   /* v1 hierarchies plus a cgroup2 mount at /sys/fs/cgroup/unified */
        ISO_CG_UNIFIED,  /* cgroup2 at /sys/fs/cgroup */
};

#define ISO_MAX_HIERARCHIES 24

/* One mounted cgroup hierarchy, from a mountinfo line of type cgroup or cgroup2. */
struct iso_cg_hierarchy {
        int version;           /* 1 or 2 */
        char mount[256];       /* mount point, e.g. /sys/fs/cgroup/memory */
        char root[256];        /* the mount's root within the hierarchy (field 4) */
        char controllers[256]; /* v1: super options ("memory", "cpu,cpuacct", "name=systemd");
                                   v2: the root's cgroup.controllers, space separated */
        int readonly;          /* mounted ro */
};

#define ISO_MAX_TOOLS 12

struct iso_tool {
        const char *name;
        char path[256]; /* "" when not found on PATH */
        char version[96];
        int version_probed; /* `TOOL --version` was asked (iso_env_probe_versions) */
};

struct iso_env {
        uid_t euid;
        uint64_t cap_eff; /* CapEff bitmask */
        char kernel_release[128];
        char kernel_version[128]; /* uname -v: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (...)" */
        char kernel_package[128]; /* the running kernel's package version, "" unknown */
        char hostname[256];

        enum iso_cg_mode cg_mode;
        size_t n_hierarchies;
        struct iso_cg_hierarchy hierarchies[ISO_MAX_HIERARCHIES];
        int memory_version;    /* 0 none, 1 or 2: where the memory controller lives */
        char memory_path[256]; /* its mount point */

        char namespaces[256]; /* space-separated entries of /proc/self/ns */

        struct iso_kconfig kconfig;

        long long swap_total_kb; /* from /proc/swaps, -1 unknown */
        int swap_accounting;     /* 1 yes, 0 no, -1 unknown */
        int overcommit_memory;   /* 0, 1, 2 or -1 unknown */
        int kmsg_readable;       /* 1 yes, 0 no */
        char kmsg_error[128];    /* why not */

        char container[64]; /* "docker (/.dockerenv)", "podman (...)", "lxc", "container" or "" */
        char virt[64];      /* hypervisor vendor ("KVM", "QEMU") or "" for bare metal/unknown */

        int docker_reachable;  /* `docker info` answered */
        int docker_broken;     /* DOCKER_CONTEXT/DOCKER_HOST set, and the client cannot use it */
        char docker_info[256]; /* its server version, or why not */

        int docker_buildkit;      /* the builder isocheck pins: 1 BuildKit, 0 legacy */
        char docker_builder[192]; /* which one and why (iso_docker_pick_builder) */
        /* The variables set that change what a tool does or says (DOCKER_*, BUILDKIT_*,
         * LANG, LANGUAGE, LC_*, TMPDIR), "NAME=value, ..." (values cut at 80 bytes; one
         * named like a credential shown as "(set, not shown)", a URL's password as ***),
         * or "". */
        char tool_env[768];

        size_t n_tools;
        struct iso_tool tools[ISO_MAX_TOOLS];

        /* Soft resource limits the cases depend on (getrlimit(2)), bytes or a count; -1
         * unlimited: address space and data (an OOM case's hog maps 96 MiB), processes
         * and open files (forks of the pids case, the tools' workers), stack (a small one
         * ends a case in SIGSEGV) and file size (a report cut short by EFBIG). */
        long long rlimit_as, rlimit_data, rlimit_nproc, rlimit_nofile, rlimit_stack, rlimit_fsize;
};

/*
 * Fill @env from the running system. Never fails as a whole: what cannot be read is
 * recorded as unknown. Allocates (the kernel config); release with iso_env_free().
 */
void iso_env_probe(struct iso_env *env);
void iso_env_free(struct iso_env *env);

/*
 * The running kernel's package version, from what the distribution leaves: "Debian X" in
 * @uname_v (Debian's kernels say it there), else the second field of @version_signature
 * (/proc/version_signature, Ubuntu's "Ubuntu 5.15.0-91.101-generic 5.15.131"), else the
 * Version of package "linux-image-@release" in @dpkg_status (/var/lib/dpkg/status, its
 * paragraphs as in deb-control(5)), read a line at a time: the database is megabytes, and
 * the runner's memory counts against a memory-limited container's. Any input may be NULL.
 * Writes it to @out (@size bytes) and returns 1, or returns 0 with @out "" when none says.
 */
int iso_env_kernel_package(const char *uname_v, const char *version_signature, FILE *dpkg_status,
                           const char *release, char *out, size_t size);

/* The kernel config symbols the cases depend on, reported as kconfig.CONFIG_X properties. */
extern const char *const iso_env_kconfig_reported[];

/* Human-readable description, one fact per line (`isocheck --env`). */
void iso_env_print(const struct iso_env *env, FILE *out);

/*
 * Fill @props (room for @max) with name/value pairs for the JUnit report; the values
 * point into @env or into @buf (@buf_size bytes). Returns the number written.
 */
size_t iso_env_properties(const struct iso_env *env, struct iso_property *props, size_t max,
                          char *buf, size_t buf_size);

/* "AS unlimited, DATA 92160000, NPROC 63432, NOFILE 1048576": the soft limits in @env. */
void iso_env_format_rlimits(const struct iso_env *env, char *out, size_t size);

/* "none", "legacy", "hybrid", "unified". */
const char *iso_cg_mode_name(enum iso_cg_mode m);

/*
 * Decide the cgroup mode from statfs f_type of /sys/fs/cgroup (@root_magic) and of
 * /sys/fs/cgroup/unified (@unified_magic, 0 if it does not exist): CGROUP2_SUPER_MAGIC
 * at the root is unified; TMPFS_MAGIC at the root is legacy, or hybrid when unified/ is
 * cgroup2. Anything else is none.
 */
enum iso_cg_mode iso_cg_mode_from_magic(long root_magic, long unified_magic);

/*
 * Parse mountinfo text (proc(5) format, with octal escapes like \040 in paths) and
 * collect the cgroup and cgroup2 mounts into @env->hierarchies (v2 controllers are
 * left empty: they come from cgroup.controllers). Returns the number found.
 */
size_t iso_env_parse_mountinfo(struct iso_env *env, const char *text);

/* The hierarchy holding v1 controller @ctrl, or the cgroup2 mount when @ctrl is NULL. */
const struct iso_cg_hierarchy *iso_env_hierarchy(const struct iso_env *env, const char *ctrl);

/* Has the namespace type @type ("pid", "net", ...) in /proc/self/ns. */
int iso_env_has_ns(const struct iso_env *env, const char *type);

/* Capability @cap (linux/capability.h number) in CapEff. */
int iso_env_has_cap(const struct iso_env *env, int cap);

/*
 * Ask `--version` (`-V` of ip) of the tool @name, or of every probed tool when @name is
 * NULL, each at most 2 s, once: iso_env_probe() finds the tools on PATH but runs none of
 * them, so a run pays for the versions of the tools its cases use only (`--env` asks all).
 */
void iso_env_probe_versions(struct iso_env *env, const char *name);

/* The tool entry for @name, or NULL when it was not probed. */
const struct iso_tool *iso_env_tool(const struct iso_env *env, const char *name);

/*
 * Is requirement @need met here? Returns 1 when met; 0 when not, with @reason (size
 * @reason_size) naming it: "needs root: running as uid 1000", "needs CONFIG_PID_NS:
 * kernel config says it is not set", "needs stress-ng: not found on PATH"; -1 when not
 * because of a setting the user made that is broken (DOCKER_CONTEXT naming no context):
 * an environment error, not a skip.
 */
int iso_env_need_met(const struct iso_env *env, const struct iso_need *need, char *reason,
                     size_t reason_size);

#endif
