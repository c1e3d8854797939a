/* SPDX-License-Identifier: MIT */
/*
 * Private to the environment probe (harness/env*.c): the parts' shared helpers and the
 * probe steps iso_env_probe() runs. Public API: include/isocheck/env.h.
 */
#ifndef ISOCHECK_ENV_PROBE_H
#define ISOCHECK_ENV_PROBE_H

#include "isocheck/env.h"
#include "isocheck/tool.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"
#define CG_UNIFIED "/sys/fs/cgroup/unified"
#define CAP_SYS_ADMIN_BIT 21 /* linux/capability.h; spelled here to avoid its uapi baggage */
#define TOOL_TIMEOUT_S 2.0

/* ---- small string helpers ---------------------------------------------------------- */

static inline void copy_str(char *dst, size_t size, const char *src)
{
        if (size)
                snprintf(dst, size, "%s", src ? src : "");
}

static inline char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);

        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* Is @word one of the @sep-separated items of @list? */
static inline int has_word(const char *list, const char *word, char sep)
{
        size_t wl = strlen(word);

        if (!wl)
                return 0;
        for (const char *p = list; p && *p;) {
                const char *end = strchr(p, sep);
                size_t len = end ? (size_t)(end - p) : strlen(p);

                if (len == wl && !strncmp(p, word, wl))
                        return 1;
                p = end ? end + 1 : NULL;
        }
        return 0;
}

/* Is @path at or below directory @dir? */
static inline int path_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        if (n == 1 && dir[0] == '/')
                return path[0] == '/';
        return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static inline int exists(const char *dir, const char *name)
{
        char p[PATH_MAX];

        if (iso_pathf(p, sizeof(p), "%s/%s", dir, name) < 0)
                return 0;
        return access(p, F_OK) == 0;
}

/* ---- the parts' entry points (each fills its fields of @env; none fails) ------------ */

/* env_caps.c */
void probe_identity(struct iso_env *env);
void probe_namespaces(struct iso_env *env);
void probe_rlimits(struct iso_env *env);
void probe_kmsg(struct iso_env *env);

/* env_cgroups.c */
void probe_cgroups(struct iso_env *env);
void probe_swap_total(struct iso_env *env);
void probe_swap_accounting(struct iso_env *env);
void probe_overcommit(struct iso_env *env);
/* Is kernel @release ("6.1.0-13-amd64") at least @major.@minor? 0 when unparsable. */
int release_at_least(const char *release, int major, int minor);

/* env_mounts.c */
/* statfs(2)'s f_type of @path, 0 when it cannot be read. */
long fs_magic(const char *path);
/* Sets memory_version and memory_path from the hierarchies found. */
void choose_memory(struct iso_env *env);
/*
 * The root (mountinfo field 4: the directory of the filesystem mounted there) of the
 * visible mount on @mountpoint in /proc/self/mountinfo, into @root. Returns 0, or -1 when
 * nothing is mounted there or mountinfo cannot be read.
 */
int mount_root_of(const char *mountpoint, char *root, size_t size);

/* env_virt.c */
void probe_container(struct iso_env *env);
void probe_virt(struct iso_env *env);

/* env_tools.c */
void probe_tools(struct iso_env *env);
void probe_tool_env(struct iso_env *env);
/* The first executable @name on $PATH into @out: 0, or -1 when none. */
int find_on_path(const char *name, char *out, size_t size);

#endif
