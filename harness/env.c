// SPDX-License-Identifier: MIT
/*
 * The environment probe. Everything here reads; nothing changes the machine. A fact that
 * cannot be read is recorded as unknown rather than failing the probe, because the probe
 * runs before any case and as any user (`isocheck --env` as nobody must still answer).
 */
#include "isocheck/env.h"
#include "isocheck/docker.h"
#include "isocheck/runtime.h"
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

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#define CG_ROOT "/sys/fs/cgroup"
#define CG_UNIFIED "/sys/fs/cgroup/unified"
#define CAP_SYS_ADMIN_BIT 21 /* linux/capability.h; spelled here to avoid its uapi baggage */
#define TOOL_TIMEOUT_S 2.0

/*
 * The suite's own external tools: what the lab steps run. iproute2's ip(8) only learned
 * --version in 2023 (older ones answer 'Option "-version" is unknown'); -V works in all.
 */
static const struct {
        const char *name, *version_arg;
} tool_list[] = {
        {"unshare", "--version"},
        {"nsenter", "--version"},
        {"stress-ng", "--version"},
        {"stress", "--version"},
        {"ip", "-V"},
        {"docker", "--version"},
        {"qemu-system-x86_64", "--version"},
};

_Static_assert(ISO_ARRAY_SIZE(tool_list) <= ISO_MAX_TOOLS, "ISO_MAX_TOOLS too small");

/* ---- small string helpers ---------------------------------------------------------- */

static void copy_str(char *dst, size_t size, const char *src)
{
        if (size)
                snprintf(dst, size, "%s", src ? src : "");
}

static char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);

        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* Is @word one of the @sep-separated items of @list? */
static int has_word(const char *list, const char *word, char sep)
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
static int path_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        if (n == 1 && dir[0] == '/')
                return path[0] == '/';
        return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static int exists(const char *dir, const char *name)
{
        char p[PATH_MAX];

        if (iso_pathf(p, sizeof(p), "%s/%s", dir, name) < 0)
                return 0;
        return access(p, F_OK) == 0;
}

/* ---- cgroup mode ------------------------------------------------------------------- */

const char *iso_cg_mode_name(enum iso_cg_mode m)
{
        switch (m) {
        case ISO_CG_LEGACY:
                return "legacy";
        case ISO_CG_HYBRID:
                return "hybrid";
        case ISO_CG_UNIFIED:
                return "unified";
        case ISO_CG_NONE:
        default:
                return "none";
        }
}

enum iso_cg_mode iso_cg_mode_from_magic(long root_magic, long unified_magic)
{
        if (root_magic == CGROUP2_SUPER_MAGIC)
                return ISO_CG_UNIFIED;
        if (root_magic == TMPFS_MAGIC)
                return unified_magic == CGROUP2_SUPER_MAGIC ? ISO_CG_HYBRID : ISO_CG_LEGACY;
        return ISO_CG_NONE;
}

static long fs_magic(const char *path)
{
        struct statfs sf;

        if (statfs(path, &sf) < 0)
                return 0;
        return (long)sf.f_type;
}

/* ---- mountinfo --------------------------------------------------------------------- */

/* One mountinfo line, split in place; the strings point into a private copy of the text. */
struct mnt_line {
        long id, parent;
        char *root, *mount, *opts, *fstype, *super;
};

/* proc(5): space, tab, newline and backslash in paths appear as \040 \011 \012 \134. */
static void unescape_octal(char *s)
{
        char *w = s;

        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        int v = (r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0');

                        /* A NUL would cut the path short: keep "\000" as written. */
                        if (v) {
                                *w++ = (char)v;
                                r += 4;
                                continue;
                        }
                }
                *w++ = *r++;
        }
        *w = '\0';
}

/*
 * "36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * six fixed fields, any number of optional fields, "-", then type, source, super options.
 */
static int parse_mnt_line(char *line, struct mnt_line *m)
{
        char *tok[64];
        size_t n = 0;
        char *save = NULL;

        for (char *t = strtok_r(line, " ", &save); t && n < ISO_ARRAY_SIZE(tok);
             t = strtok_r(NULL, " ", &save))
                tok[n++] = t;

        size_t sep = 6;

        while (sep < n && strcmp(tok[sep], "-"))
                sep++;
        if (sep + 2 >= n)
                return -1;

        char *end;

        m->id = strtol(tok[0], &end, 10);
        if (*end)
                return -1;
        m->parent = strtol(tok[1], &end, 10);
        if (*end)
                return -1;
        m->root = tok[3];
        m->mount = tok[4];
        m->opts = tok[5];
        m->fstype = tok[sep + 1];
        m->super = sep + 3 < n ? tok[sep + 3] : "";
        unescape_octal(m->root);
        unescape_octal(m->mount);
        return 0;
}

static const struct mnt_line *find_mount(const struct mnt_line *all, size_t n, long id)
{
        for (size_t i = 0; i < n; i++)
                if (all[i].id == id)
                        return &all[i];
        return NULL;
}

/*
 * Is mount @m covered by a later mount, so that its path now shows something else?
 * Mounting over a path makes the new mount a child of whatever was on top there, so walk
 * up @m's parent chain: at each step, a sibling of the chain mounted at or above the
 * chain's path (and after it) covers it, as does a mount stacked directly on @m itself.
 * This keeps a container runtime's tmpfs over /sys/fs/cgroup from leaving the host's
 * hidden cgroup2 mount looking usable.
 */
static int mount_hidden(const struct mnt_line *all, size_t n, const struct mnt_line *m)
{
        for (size_t i = 0; i < n; i++)
                if (&all[i] != m && all[i].parent == m->id && !strcmp(all[i].mount, m->mount))
                        return 1;

        const struct mnt_line *c = m;

        for (size_t depth = 0; depth < n; depth++) {
                const struct mnt_line *a = find_mount(all, n, c->parent);

                if (!a || a == c)
                        break;
                for (size_t i = 0; i < n; i++) {
                        const struct mnt_line *s = &all[i];

                        if (s == c || s->parent != a->id || !path_under(c->mount, s->mount))
                                continue;
                        if (strcmp(c->mount, s->mount) || s > c)
                                return 1;
                }
                c = a;
        }
        return 0;
}

/*
 * v1 super options mix controllers with mount flags. They need no unescaping: controller
 * names are fixed, and cgroup1 accepts only [A-Za-z0-9._-] in a hierarchy name. Keep
 * the controllers and the "name=" of a named hierarchy; drop rw/ro, the cgroup1/cgroup2
 * flags and anything else of the key=value kind (release_agent=, SELinux context=).
 */
static int is_mount_flag(const char *opt, size_t len)
{
        static const char *const flags[] = {
                "rw",
                "ro",
                "none",
                "all",
                "noprefix",
                "clone_children",
                "cpuset_v2_mode",
                "xattr",
                "favordynmods",
                "nsdelegate",
                "memory_recursiveprot",
                "memory_localevents",
                "memory_hugetlb_accounting",
                "pids_localevents",
                "seclabel",
        };

        if (len > 5 && !strncmp(opt, "name=", 5))
                return 0;
        if (memchr(opt, '=', len))
                return 1;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(flags); i++)
                if (strlen(flags[i]) == len && !strncmp(opt, flags[i], len))
                        return 1;
        return 0;
}

static void v1_controllers(const char *super, char *out, size_t size)
{
        size_t used = 0;

        out[0] = '\0';
        for (const char *p = super; *p;) {
                const char *end = strchr(p, ',');
                size_t len = end ? (size_t)(end - p) : strlen(p);

                if (len && !is_mount_flag(p, len) && used + len + 2 <= size) {
                        if (used)
                                out[used++] = ',';
                        memcpy(out + used, p, len);
                        used += len;
                        out[used] = '\0';
                }
                if (!end)
                        break;
                p = end + 1;
        }
}

static void add_hierarchy(struct iso_env *env, const struct mnt_line *m)
{
        if (env->n_hierarchies >= ISO_MAX_HIERARCHIES)
                return;

        struct iso_cg_hierarchy *h = &env->hierarchies[env->n_hierarchies];

        memset(h, 0, sizeof(*h));
        h->version = strcmp(m->fstype, "cgroup2") ? 1 : 2;
        /* A cut-off path would name some other directory: leave such a mount out. */
        if (iso_pathf(h->mount, sizeof(h->mount), "%s", m->mount) < 0 ||
            iso_pathf(h->root, sizeof(h->root), "%s", m->root) < 0)
                return;
        if (h->version == 1)
                v1_controllers(m->super, h->controllers, sizeof(h->controllers));
        /* Read-only either per mount (docker's default) or for the whole superblock. */
        h->readonly = has_word(m->opts, "ro", ',') || has_word(m->super, "ro", ',');
        env->n_hierarchies++;
}

/* The memory controller's home as far as the mounts tell: a v1 hierarchy listing it. */
static void choose_memory(struct iso_env *env)
{
        const struct iso_cg_hierarchy *h = iso_env_hierarchy(env, "memory");

        env->memory_version = 0;
        env->memory_path[0] = '\0';
        if (!h) {
                /* v2 has it when the root's cgroup.controllers lists it (filled by probe). */
                h = iso_env_hierarchy(env, NULL);
                if (!h || !has_word(h->controllers, "memory", ' '))
                        return;
        }
        env->memory_version = h->version;
        copy_str(env->memory_path, sizeof(env->memory_path), h->mount);
}

size_t iso_env_parse_mountinfo(struct iso_env *env, const char *text)
{
        env->n_hierarchies = 0;
        if (!text)
                return 0;

        iso_autofree char *copy = strdup(text);
        iso_autofree struct mnt_line *all = NULL;
        size_t n = 0, cap = 0;

        if (!copy)
                return 0;
        char *save = NULL;

        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                struct mnt_line m;

                if (parse_mnt_line(l, &m) < 0)
                        continue;
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        struct mnt_line *na = realloc(all, ncap * sizeof(*na));

                        if (!na)
                                return 0;
                        all = na;
                        cap = ncap;
                }
                all[n++] = m;
        }
        for (size_t i = 0; i < n; i++) {
                if (strcmp(all[i].fstype, "cgroup") && strcmp(all[i].fstype, "cgroup2"))
                        continue;
                if (!mount_hidden(all, n, &all[i]))
                        add_hierarchy(env, &all[i]);
        }
        choose_memory(env);
        return env->n_hierarchies;
}

const struct iso_cg_hierarchy *iso_env_hierarchy(const struct iso_env *env, const char *ctrl)
{
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                const struct iso_cg_hierarchy *h = &env->hierarchies[i];

                if (!ctrl && h->version == 2)
                        return h;
                if (ctrl && h->version == 1 && has_word(h->controllers, ctrl, ','))
                        return h;
        }
        return NULL;
}

/* ---- simple lookups ---------------------------------------------------------------- */

int iso_env_has_ns(const struct iso_env *env, const char *type)
{
        return type && has_word(env->namespaces, type, ' ');
}

int iso_env_has_cap(const struct iso_env *env, int cap)
{
        return cap >= 0 && cap < 64 && (env->cap_eff >> cap) & 1;
}

const struct iso_tool *iso_env_tool(const struct iso_env *env, const char *name)
{
        for (size_t i = 0; i < env->n_tools; i++)
                if (env->tools[i].name && name && !strcmp(env->tools[i].name, name))
                        return &env->tools[i];
        return NULL;
}

/* ---- probe: identity --------------------------------------------------------------- */

static void probe_identity(struct iso_env *env)
{
        struct utsname u;

        env->euid = geteuid();
        if (uname(&u) == 0)
                copy_str(env->kernel_release, sizeof(env->kernel_release), u.release);
        if (gethostname(env->hostname, sizeof(env->hostname)) < 0)
                env->hostname[0] = '\0';
        env->hostname[sizeof(env->hostname) - 1] = '\0';

        iso_autofree char *status = iso_read_file("/proc/self/status", NULL, NULL);
        const char *p = status ? strstr(status, "\nCapEff:") : NULL;

        if (p)
                env->cap_eff = strtoull(p + strlen("\nCapEff:"), NULL, 16);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void probe_namespaces(struct iso_env *env)
{
        char names[32][NAME_MAX + 1];
        char *sorted[32];
        size_t n = 0;
        DIR *d = opendir("/proc/self/ns");
        struct dirent *de;

        env->namespaces[0] = '\0';
        if (!d)
                return;
        while ((de = readdir(d)) && n < ISO_ARRAY_SIZE(names)) {
                if (de->d_name[0] == '.')
                        continue;
                copy_str(names[n], sizeof(names[n]), de->d_name);
                sorted[n] = names[n];
                n++;
        }
        closedir(d);
        qsort(sorted, n, sizeof(*sorted), cmp_str);

        size_t used = 0;

        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(sorted[i]);

                if (used + len + 2 > sizeof(env->namespaces))
                        break;
                if (used)
                        env->namespaces[used++] = ' ';
                memcpy(env->namespaces + used, sorted[i], len + 1);
                used += len;
        }
}

/* ---- probe: cgroups ---------------------------------------------------------------- */

static void probe_cgroups(struct iso_env *env)
{
        long root = fs_magic(CG_ROOT);

        /* unified/ matters only on a tmpfs root; 0 stands for "does not exist". */
        env->cg_mode = iso_cg_mode_from_magic(root, root == TMPFS_MAGIC ? fs_magic(CG_UNIFIED) : 0);

        iso_autofree char *mi = iso_read_file("/proc/self/mountinfo", NULL, NULL);

        iso_env_parse_mountinfo(env, mi);
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                struct iso_cg_hierarchy *h = &env->hierarchies[i];
                char path[PATH_MAX];

                if (h->version != 2 ||
                    iso_pathf(path, sizeof(path), "%s/cgroup.controllers", h->mount) < 0)
                        continue;

                iso_autofree char *ctl = iso_read_file(path, NULL, NULL);

                if (ctl)
                        copy_str(h->controllers, sizeof(h->controllers), trim(ctl));
        }
        choose_memory(env);
}

/* ---- probe: swap, overcommit ------------------------------------------------------- */

static void probe_swap_total(struct iso_env *env)
{
        iso_autofree char *s = iso_read_file("/proc/swaps", NULL, NULL);

        env->swap_total_kb = -1;
        if (!s)
                return;

        /* Header line, then "Filename Type Size Used Priority" rows; Size in KiB. */
        char *line = strchr(s, '\n');
        long long total = 0;

        while (line && *++line) {
                char *next = strchr(line, '\n');
                unsigned long long size;

                if (next)
                        *next = '\0';
                if (sscanf(line, "%*s %*s %llu", &size) == 1)
                        total += (long long)size;
                line = next;
        }
        env->swap_total_kb = total;
}

/* Is @word one of the kernel's own command-line parameters (before a "--")? */
static int cmdline_has(const char *word)
{
        iso_autofree char *s = iso_read_file("/proc/cmdline", NULL, NULL);
        char *save = NULL;

        if (!s)
                return 0;
        for (char *t = strtok_r(s, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
                if (!strcmp(t, "--"))
                        break;
                if (!strcmp(t, word))
                        return 1;
        }
        return 0;
}

static int release_at_least(const char *release, int major, int minor)
{
        int ma = 0, mi = 0;

        if (sscanf(release, "%d.%d", &ma, &mi) != 2)
                return -1;
        return ma > major || (ma == major && mi >= minor);
}

/*
 * What the kernel configuration implies about memcg swap accounting. Before 5.8 it was
 * CONFIG_MEMCG_SWAP plus CONFIG_MEMCG_SWAP_ENABLED (or swapaccount=1); from 5.8 it is on
 * whenever MEMCG_SWAP (automatic from MEMCG && SWAP) is; 6.1 dropped the symbol, leaving
 * MEMCG && SWAP. swapaccount=0 turns it off in all of them.
 */
static int swap_accounting_from_config(const struct iso_env *env)
{
        const struct iso_kconfig *kc = &env->kconfig;

        if (cmdline_has("swapaccount=0"))
                return 0;
        if (!kc->source[0])
                return -1;
        if (iso_kconfig_get(kc, "CONFIG_MEMCG", NULL, 0) != ISO_KCONFIG_Y ||
            iso_kconfig_get(kc, "CONFIG_SWAP", NULL, 0) != ISO_KCONFIG_Y)
                return 0;

        int modern = release_at_least(env->kernel_release, 5, 8);
        enum iso_kconfig_state sw = iso_kconfig_get(kc, "CONFIG_MEMCG_SWAP", NULL, 0);

        if (modern < 0)
                return -1;
        if (sw == ISO_KCONFIG_MISSING)
                return release_at_least(env->kernel_release, 6, 1) == 1 ? 1 : 0;
        if (modern)
                return 1;
        return iso_kconfig_get(kc, "CONFIG_MEMCG_SWAP_ENABLED", NULL, 0) == ISO_KCONFIG_Y ||
               cmdline_has("swapaccount=1");
}

/*
 * A v2 cgroup with the memory controller enabled shows memory.swap.max exactly when swap
 * accounting is on; the root shows neither, so look at our own cgroup and the root's
 * children. 1 or 0 when some cgroup tells, -1 when none does.
 */
static int v2_swap_files(const struct iso_cg_hierarchy *h)
{
        char dir[PATH_MAX];
        iso_autofree char *self = iso_read_file("/proc/self/cgroup", NULL, NULL);
        const char *p = self ? strstr(self, "0::") : NULL;

        if (p && (p == self || p[-1] == '\n')) {
                char rel[PATH_MAX];

                copy_str(rel, sizeof(rel), p + 3);
                rel[strcspn(rel, "\n")] = '\0';
                /* Without a cgroup namespace the path includes the mount's own root. */
                const char *sub = rel;

                if (strcmp(h->root, "/") && path_under(rel, h->root))
                        sub = rel + strlen(h->root);
                if (strcmp(sub, "/") && *sub &&
                    iso_pathf(dir, sizeof(dir), "%s%s", h->mount, sub) == 0 &&
                    exists(dir, "memory.current"))
                        return exists(dir, "memory.swap.max");
        }

        DIR *d = opendir(h->mount);
        struct dirent *de;
        int found = -1;

        if (!d)
                return -1;
        while (found < 0 && (de = readdir(d))) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                        continue;
                if (iso_pathf(dir, sizeof(dir), "%s/%s", h->mount, de->d_name) == 0 &&
                    exists(dir, "memory.current"))
                        found = exists(dir, "memory.swap.max");
        }
        closedir(d);
        return found;
}

static void probe_swap_accounting(struct iso_env *env)
{
        env->swap_accounting = -1;
        if (env->memory_version == 1) {
                /* The memsw files exist only when v1 swap accounting is on. */
                env->swap_accounting = exists(env->memory_path, "memory.memsw.limit_in_bytes");
                return;
        }
        if (env->memory_version == 2 && !cmdline_has("swapaccount=0")) {
                const struct iso_cg_hierarchy *h = iso_env_hierarchy(env, NULL);

                env->swap_accounting = h ? v2_swap_files(h) : -1;
                if (env->swap_accounting >= 0)
                        return;
        }
        env->swap_accounting = swap_accounting_from_config(env);
}

static void probe_overcommit(struct iso_env *env)
{
        long long v;

        env->overcommit_memory = -1;
        if (iso_read_long("/proc/sys/vm/overcommit_memory", &v, NULL) == 0 && v >= 0 && v <= 2)
                env->overcommit_memory = (int)v;
}

static long long soft_limit(int resource)
{
        struct rlimit rl;
        if (getrlimit(resource, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return -1;
        return rl.rlim_cur > (rlim_t)LLONG_MAX ? LLONG_MAX : (long long)rl.rlim_cur;
}

static void probe_rlimits(struct iso_env *env)
{
        env->rlimit_as = soft_limit(RLIMIT_AS);
        env->rlimit_data = soft_limit(RLIMIT_DATA);
        env->rlimit_nproc = soft_limit(RLIMIT_NPROC);
        env->rlimit_nofile = soft_limit(RLIMIT_NOFILE);
}

void iso_env_format_rlimits(const struct iso_env *env, char *out, size_t size)
{
        const struct {
                const char *name;
                long long v;
        } r[] = {{"AS", env->rlimit_as},
                 {"DATA", env->rlimit_data},
                 {"NPROC", env->rlimit_nproc},
                 {"NOFILE", env->rlimit_nofile}};
        size_t len = 0;
        out[0] = '\0';
        for (size_t i = 0; i < ISO_ARRAY_SIZE(r) && len < size; i++) {
                if (r[i].v < 0)
                        len += (size_t)snprintf(out + len, size - len, "%s%s unlimited",
                                                i ? ", " : "", r[i].name);
                else
                        len += (size_t)snprintf(out + len, size - len, "%s%s %lld", i ? ", " : "",
                                                r[i].name, r[i].v);
        }
}

/* ---- probe: /dev/kmsg -------------------------------------------------------------- */

/*
 * Opening is not enough: with dmesg_restrict the open or the read fails with EPERM. Seek
 * to the end so the read does not consume anything a case wants, then one non-blocking
 * read: EAGAIN (nothing new) or a record both prove read access.
 */
static void probe_kmsg(struct iso_env *env)
{
        char buf[8192];
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

        env->kmsg_readable = 0;
        env->kmsg_error[0] = '\0';
        if (fd < 0) {
                copy_str(env->kmsg_error, sizeof(env->kmsg_error), strerror(errno));
                return;
        }
        lseek(fd, 0, SEEK_END);

        ssize_t r;

        do {
                r = read(fd, buf, sizeof(buf));
        } while (r < 0 && errno == EINTR);
        /* EPIPE: a record was overwritten under us; EINVAL: one too long for buf. Both read. */
        if (r >= 0 || errno == EAGAIN || errno == EPIPE || errno == EINVAL)
                env->kmsg_readable = 1;
        else
                copy_str(env->kmsg_error, sizeof(env->kmsg_error), strerror(errno));
        close(fd);
}

/* ---- probe: container and virtualization ------------------------------------------- */

/* Path fragments that container managers put into cgroup paths and rootfs locations. */
static int looks_containerized(const char *s)
{
        static const char *const hints[] = {
                "/docker",          "/lxc",  "kubepods",        "containerd",
                "libpod",           "crio-", "/machine.slice/", "/var/lib/machines/",
                "/var/lib/docker/",
        };

        for (size_t i = 0; s && i < ISO_ARRAY_SIZE(hints); i++)
                if (strstr(s, hints[i]))
                        return 1;
        return 0;
}

/* The root of the filesystem mounted on "/" (the visible one: the last listed). */
static int root_mount_suggests_container(void)
{
        iso_autofree char *mi = iso_read_file("/proc/self/mountinfo", NULL, NULL);
        char *save = NULL;
        int hit = 0;

        if (!mi)
                return 0;
        for (char *l = strtok_r(mi, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                struct mnt_line m;

                if (parse_mnt_line(l, &m) == 0 && !strcmp(m.mount, "/"))
                        hit = strcmp(m.root, "/") && looks_containerized(m.root);
        }
        return hit;
}

static void probe_container(struct iso_env *env)
{
        env->container[0] = '\0';
        if (access("/.dockerenv", F_OK) == 0) {
                /* Say which evidence: VM images built from a container export keep this file. */
                copy_str(env->container, sizeof(env->container), "docker (/.dockerenv)");
                return;
        }
        if (access("/run/.containerenv", F_OK) == 0) {
                copy_str(env->container, sizeof(env->container), "podman (/run/.containerenv)");
                return;
        }

        /* systemd's convention: the container manager sets container= for PID 1. */
        size_t len = 0;
        iso_autofree char *environ1 = iso_read_file("/proc/1/environ", &len, NULL);

        /* NUL-separated entries; iso_read_file() adds the NUL that ends the last one. */
        for (const char *v = environ1; v && v < environ1 + len; v += strlen(v) + 1) {
                if (!strncmp(v, "container=", 10) && v[10]) {
                        copy_str(env->container, sizeof(env->container), v + 10);
                        return;
                }
        }

        iso_autofree char *cg1 = iso_read_file("/proc/1/cgroup", NULL, NULL);

        if (looks_containerized(cg1) || root_mount_suggests_container())
                copy_str(env->container, sizeof(env->container), "container");
}

static const char *dmi_vendor_name(const char *vendor, const char *product)
{
        static const struct {
                const char *needle, *name;
        } map[] = {
                {"QEMU", "QEMU"},
                {"KVM", "KVM"},
                {"VMware", "VMware"},
                {"VirtualBox", "VirtualBox"},
                {"innotek", "VirtualBox"},
                {"Xen", "Xen"},
                {"Amazon EC2", "Amazon EC2"},
                {"Google Compute Engine", "Google"},
                {"Parallels", "Parallels"},
                {"Bochs", "Bochs"},
                {"BHYVE", "bhyve"},
                {"OpenStack", "OpenStack"},
        };

        for (size_t i = 0; i < ISO_ARRAY_SIZE(map); i++)
                if ((vendor && strstr(vendor, map[i].needle)) ||
                    (product && strstr(product, map[i].needle)))
                        return map[i].name;
        if (vendor && product && strstr(vendor, "Microsoft") && strstr(product, "Virtual Machine"))
                return "Hyper-V";
        return NULL;
}

/* The CPUID hypervisor leaf names the hypervisor even where DMI is absent (Firecracker). */
static const char *cpuid_hypervisor(char *raw, size_t size)
{
#if defined(__x86_64__) || defined(__i386__)
        static const struct {
                const char *sig, *name;
        } map[] = {
                {"KVMKVMKVM", "KVM"},           {"Linux KVM Hv", "KVM"},
                {"TCGTCGTCGTCG", "QEMU"},       {"Microsoft Hv", "Hyper-V"},
                {"VMwareVMware", "VMware"},     {"XenVMMXenVMM", "Xen"},
                {"VBoxVBoxVBox", "VirtualBox"}, {"bhyve bhyve ", "bhyve"},
                {"ACRNACRNACRN", "ACRN"},       {" lrpepyh  vr", "Parallels"},
        };
        unsigned int a, b, c, d;
        char sig[13];

        if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
                return NULL;
        __cpuid(0x40000000, a, b, c, d);
        memcpy(sig, &b, 4);
        memcpy(sig + 4, &c, 4);
        memcpy(sig + 8, &d, 4);
        sig[12] = '\0';
        for (size_t i = 0; i < ISO_ARRAY_SIZE(map); i++)
                if (!strcmp(sig, map[i].sig))
                        return map[i].name;
        for (size_t i = 0; i < 12; i++)
                if (sig[i] && !isprint((unsigned char)sig[i]))
                        return NULL;
        copy_str(raw, size, trim(sig));
        return raw[0] ? raw : NULL;
#else
        (void)raw;
        (void)size;
        return NULL;
#endif
}

static void probe_virt(struct iso_env *env)
{
        iso_autofree char *vendor = iso_read_file("/sys/class/dmi/id/sys_vendor", NULL, NULL);
        iso_autofree char *product = iso_read_file("/sys/class/dmi/id/product_name", NULL, NULL);
        char raw[16];
        const char *name = dmi_vendor_name(vendor, product);

        env->virt[0] = '\0';
        if (!name)
                name = cpuid_hypervisor(raw, sizeof(raw));
        if (name) {
                copy_str(env->virt, sizeof(env->virt), name);
                return;
        }

        /* Other architectures, or a CPUID we do not know: the flag still says "a VM". */
        iso_autofree char *cpuinfo = iso_read_file("/proc/cpuinfo", NULL, NULL);
        char *save = NULL;

        for (char *l = cpuinfo ? strtok_r(cpuinfo, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save)) {
                if (strncmp(l, "flags", 5))
                        continue;

                char *colon = strchr(l, ':');

                if (colon && has_word(trim(colon + 1), "hypervisor", ' '))
                        copy_str(env->virt, sizeof(env->virt), "hypervisor");
                break;
        }
}

/* ---- probe: tools ------------------------------------------------------------------ */

static int is_executable(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * Search $PATH like execvp(3) would, plus /usr/sbin and /sbin: an unprivileged user's
 * PATH often lacks them, yet ip(8) lives there. Empty entries (the current directory)
 * are skipped: a conformance run must not pick up whatever sits in its work tree.
 */
static int find_on_path(const char *name, char *out, size_t size)
{
        const char *env_path = getenv("PATH");
        char dirs[8192];

        out[0] = '\0';
        if (!name || !*name)
                return 0;
        /* A path cut to fit @out would name another file: treat it as not found. */
        if (strchr(name, '/')) {
                if (iso_pathf(out, size, "%s", name) == 0 && is_executable(out))
                        return 1;
                out[0] = '\0';
                return 0;
        }
        copy_str(dirs, sizeof(dirs),
                 env_path && *env_path ? env_path : "/usr/local/bin:/usr/bin:/bin");
        if (!has_word(dirs, "/usr/sbin", ':'))
                strncat(dirs, ":/usr/sbin", sizeof(dirs) - strlen(dirs) - 1);
        if (!has_word(dirs, "/sbin", ':'))
                strncat(dirs, ":/sbin", sizeof(dirs) - strlen(dirs) - 1);

        char *save = NULL;

        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
                if (iso_pathf(out, size, "%s/%s", d, name) == 0 && is_executable(out))
                        return 1;
        out[0] = '\0';
        return 0;
}

/*
 * The version line of @text into @out: the first line with a digit in it (stderr shares
 * the pipe, and a tool may warn before it answers, as docker does about an unreadable
 * config file), else the first non-empty line. Control characters are dropped (ANSI
 * colours, \r), blanks trimmed, and the text cut on a UTF-8 character boundary so the
 * report writers get well-formed text.
 */
static void first_line(const char *text, char *out, size_t size)
{
        char line[512];
        size_t n = 0;
        const char *p = text;

        out[0] = '\0';
        for (const char *l = text; *l;) {
                size_t len = strcspn(l, "\n");

                if (strcspn(l, "0123456789") < len) {
                        p = l;
                        break;
                }
                l += len;
                if (*l)
                        l++;
        }
        while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
                p++;
        for (; *p && *p != '\n' && n < sizeof(line) - 1; p++) {
                if ((unsigned char)*p >= 0x20 && *p != 0x7f)
                        line[n++] = *p;
                else if (*p == '\t')
                        line[n++] = ' ';
        }
        line[n] = '\0';

        char *t = trim(line);
        size_t len = strlen(t);

        if (len >= size) {
                len = size - 1;
                while (len && ((unsigned char)t[len] & 0xc0) == 0x80)
                        len--;
        }
        memcpy(out, t, len);
        out[len] = '\0';
}

/*
 * Run "@path @arg" with stdout and stderr captured, for at most TOOL_TIMEOUT_S. Output of
 * a run that failed or timed out is an error message, not a version: left empty.
 */
static void tool_version(const char *path, const char *arg, char *out, size_t size)
{
        char buf[4096];
        char *argv[] = {(char *)path, (char *)arg, NULL};
        int timed_out = 0;
        int status = iso_tool_run(argv, NULL, buf, sizeof(buf), TOOL_TIMEOUT_S, &timed_out, NULL);

        out[0] = '\0';
        if (status >= 0 && !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0)
                first_line(buf, out, size);
}

static void probe_tools(struct iso_env *env)
{
        env->n_tools = 0;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(tool_list); i++) {
                struct iso_tool *t = &env->tools[env->n_tools++];

                memset(t, 0, sizeof(*t));
                t->name = tool_list[i].name;
                if (find_on_path(t->name, t->path, sizeof(t->path)))
                        tool_version(t->path, tool_list[i].version_arg, t->version,
                                     sizeof(t->version));
        }
}

/* ---- probe ------------------------------------------------------------------------- */

/* Append "NAME=value" of @nv to @buf for the report, never a credential: a variable named
 * like one (GitLab's DOCKER_AUTH_CONFIG holds registry passwords) shows only that it is
 * set, and the password of a URL's user:password@ is masked. */
static void append_tool_var(char *buf, size_t size, const char *nv)
{
        static const char *const secret[] = {"AUTH", "PASS", "TOKEN", "SECRET", "KEY", "CRED"};
        size_t name_len = strcspn(nv, "=");
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)name_len, nv);
        const char *sep = buf[0] ? ", " : "";
        for (size_t i = 0; i < ISO_ARRAY_SIZE(secret); i++)
                if (strstr(name, secret[i])) {
                        iso_appendf(buf, size, "%s%s=(set, not shown)", sep, name);
                        return;
                }
        char value[96];
        iso_docker_url_masked(nv[name_len] ? nv + name_len + 1 : "", value, sizeof(value));
        iso_appendf(buf, size, "%s%s=%.80s", sep, name, value);
}

/* The variables that change a tool's behaviour or words: reported, so that a run under
 * DOCKER_HOST=..., LC_ALL=de_DE.UTF-8 or TMPDIR=/small can be told from a plain one. */
static void probe_tool_env(struct iso_env *env)
{
        extern char **environ;
        static const char *const prefixes[] = {"DOCKER_", "BUILDKIT_", "BUILDX_", "LC_",
                                               "LANG=",   "LANGUAGE=", "TMPDIR="};
        env->tool_env[0] = '\0';
        for (char **v = environ; v && *v; v++)
                for (size_t i = 0; i < ISO_ARRAY_SIZE(prefixes); i++)
                        if (!strncmp(*v, prefixes[i], strlen(prefixes[i]))) {
                                append_tool_var(env->tool_env, sizeof(env->tool_env), *v);
                                break;
                        }
}

void iso_env_probe(struct iso_env *env)
{
        memset(env, 0, sizeof(*env));
        probe_identity(env);
        /* Missing config is normal (no IKCONFIG, no /boot): state UNKNOWN says so. */
        iso_kconfig_load_running(&env->kconfig, NULL);
        probe_cgroups(env);
        probe_namespaces(env);
        probe_swap_total(env);
        probe_swap_accounting(env);
        probe_overcommit(env);
        probe_rlimits(env);
        probe_kmsg(env);
        probe_container(env);
        probe_virt(env);
        probe_tools(env);
        /* Asked once here, so a runtime's cases skip with its own reason. */
        iso_runtimes_probe(env);
        probe_tool_env(env);
}

void iso_env_free(struct iso_env *env)
{
        iso_kconfig_free(&env->kconfig);
}

/* ---- output ------------------------------------------------------------------------ */

static const char *tristate(int v)
{
        return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

static const char *overcommit_name(int v)
{
        switch (v) {
        case 0:
                return "heuristic";
        case 1:
                return "always";
        case 2:
                return "never (strict accounting)";
        default:
                return "unknown";
        }
}

static void describe_mode(const struct iso_env *env, char *out, size_t size)
{
        const struct iso_cg_hierarchy *v2 = iso_env_hierarchy(env, NULL);

        switch (env->cg_mode) {
        case ISO_CG_LEGACY:
                snprintf(out, size, "legacy (v1 hierarchies only)");
                break;
        case ISO_CG_HYBRID:
                snprintf(out, size, "hybrid (v1 hierarchies + cgroup2 at %s)",
                         v2 ? v2->mount : CG_UNIFIED);
                break;
        case ISO_CG_UNIFIED:
                snprintf(out, size, "unified (cgroup2 at %s)", v2 ? v2->mount : CG_ROOT);
                break;
        case ISO_CG_NONE:
        default:
                snprintf(out, size, "none (no cgroup filesystem at %s)", CG_ROOT);
                break;
        }
}

#define LABEL "%-16s "

void iso_env_print(const struct iso_env *env, FILE *out)
{
        static const char *const key_symbols[] = {
                "CONFIG_CGROUPS", "CONFIG_PID_NS",     "CONFIG_NET_NS", "CONFIG_USER_NS",
                "CONFIG_MEMCG",   "CONFIG_MEMCG_SWAP", "CONFIG_SWAP",   "CONFIG_VETH",
        };
        char line[512];

        fprintf(out, LABEL "%s\n", "kernel",
                env->kernel_release[0] ? env->kernel_release : "unknown");
        fprintf(out, LABEL "%s\n", "hostname", env->hostname[0] ? env->hostname : "unknown");
        fprintf(out, LABEL "uid %u%s\n", "user", (unsigned)env->euid, env->euid ? "" : " (root)");
        fprintf(out, LABEL "CapEff=0x%016" PRIx64 ", CAP_SYS_ADMIN %s\n", "capabilities",
                env->cap_eff,
                iso_env_has_cap(env, CAP_SYS_ADMIN_BIT) ? "effective" : "not effective");

        describe_mode(env, line, sizeof(line));
        fprintf(out, LABEL "%s\n", "cgroup mode", line);
        if (env->memory_version)
                fprintf(out, LABEL "cgroup v%d at %s\n", "memory", env->memory_version,
                        env->memory_path);
        else
                fprintf(out, LABEL "no memory controller mounted\n", "memory");
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                const struct iso_cg_hierarchy *h = &env->hierarchies[i];

                fprintf(out, LABEL "v%d %s (%s)%s%s%s\n", i ? "" : "hierarchies", h->version,
                        h->mount, h->controllers[0] ? h->controllers : "no controllers",
                        strcmp(h->root, "/") ? ", root " : "", strcmp(h->root, "/") ? h->root : "",
                        h->readonly ? ", read-only" : "");
        }
        if (!env->n_hierarchies)
                fprintf(out, LABEL "none mounted\n", "hierarchies");
        fprintf(out, LABEL "%s\n", "namespaces", env->namespaces[0] ? env->namespaces : "unknown");

        if (env->kconfig.source[0]) {
                fprintf(out, LABEL "%s (%zu symbols set)\n", "kernel config", env->kconfig.source,
                        env->kconfig.n);
                for (size_t i = 0; i < ISO_ARRAY_SIZE(key_symbols); i++) {
                        char v[64];
                        enum iso_kconfig_state s =
                                iso_kconfig_get(&env->kconfig, key_symbols[i], v, sizeof(v));

                        const char *shown = s == ISO_KCONFIG_VALUE ? v : iso_kconfig_state_name(s);

                        /* Its absence from a 6.1+ config is not a missing feature. */
                        if (s == ISO_KCONFIG_MISSING &&
                            !strcmp(key_symbols[i], "CONFIG_MEMCG_SWAP") &&
                            release_at_least(env->kernel_release, 6, 1) == 1)
                                shown = "gone since 6.1 (MEMCG && SWAP give swap accounting)";
                        fprintf(out, LABEL "  %-20s %s\n", "", key_symbols[i], shown);
                }
        } else {
                fprintf(out, LABEL "none readable (tried /proc/config.gz, /boot/config-%s)\n",
                        "kernel config", env->kernel_release);
        }

        if (env->swap_total_kb < 0)
                fprintf(out, LABEL "unknown (/proc/swaps unreadable)\n", "swap");
        else if (env->swap_total_kb == 0)
                fprintf(out, LABEL "none (0 KiB)\n", "swap");
        else
                fprintf(out, LABEL "%lld KiB\n", "swap", env->swap_total_kb);
        fprintf(out, LABEL "%s\n", "swap accounting", tristate(env->swap_accounting));
        if (env->overcommit_memory < 0)
                fprintf(out, LABEL "unknown\n", "overcommit");
        else
                fprintf(out, LABEL "%d (%s)\n", "overcommit", env->overcommit_memory,
                        overcommit_name(env->overcommit_memory));
        char rlimits[160];
        iso_env_format_rlimits(env, rlimits, sizeof(rlimits));
        fprintf(out, LABEL "%s (soft; AS, DATA in bytes)\n", "rlimits", rlimits);
        if (env->kmsg_readable)
                fprintf(out, LABEL "readable\n", "/dev/kmsg");
        else
                fprintf(out, LABEL "not readable: %s\n", "/dev/kmsg", env->kmsg_error);
        fprintf(out, LABEL "%s\n", "container",
                env->container[0] ? env->container : "none detected");
        fprintf(out, LABEL "%s\n", "virt",
                env->virt[0] ? env->virt : "none detected (bare metal or unknown)");
        fprintf(out, LABEL "%s%s\n", "docker", env->docker_reachable ? "daemon " : "",
                env->docker_info);
        if (env->docker_reachable)
                fprintf(out, LABEL "%s; pinned: %s\n", "docker builder", env->docker_builder,
                        iso_docker_pinned_env());
        /* Every registered runtime's probe answer (runtime.h), none named here. */
        const struct iso_runtime *const *rts;
        for (size_t i = 0, n = iso_runtimes(&rts); i < n; i++) {
                const char *why = "";
                int state = iso_runtime_state(rts[i], &why);
                char label[48];
                snprintf(label, sizeof(label), "runtime %s", rts[i]->name);
                fprintf(out, LABEL "%s%s\n", label,
                        state > 0    ? "usable: "
                        : state == 0 ? "not usable: "
                                     : "not installed: ",
                        why[0] ? why : "-");
        }
        fprintf(out, LABEL "%s\n", "tool variables",
                env->tool_env[0] ? env->tool_env : "none set (DOCKER_*, LANG, LC_*, TMPDIR)");

        for (size_t i = 0; i < env->n_tools; i++) {
                const struct iso_tool *t = &env->tools[i];

                if (!t->path[0])
                        snprintf(line, sizeof(line), "not found");
                else
                        snprintf(line, sizeof(line), "%s (%s)",
                                 t->version[0] ? t->version : "version unknown", t->path);
                fprintf(out, LABEL "%-19s %s\n", i ? "" : "tools", t->name, line);
        }
}

/* Properties whose values must be formatted live in the caller's buffer. */
struct prop_sink {
        struct iso_property *props;
        size_t max, n;
        char *buf;
        size_t left;
};

static const char *stash(struct prop_sink *ps, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static const char *stash(struct prop_sink *ps, const char *fmt, ...)
{
        va_list ap;

        if (!ps->buf || !ps->left)
                return NULL;
        va_start(ap, fmt);
        int n = vsnprintf(ps->buf, ps->left, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= ps->left)
                return NULL;

        const char *s = ps->buf;

        ps->buf += n + 1;
        ps->left -= (size_t)n + 1;
        return s;
}

static void add_prop(struct prop_sink *ps, const char *name, const char *value)
{
        if (!name || !value || ps->n >= ps->max)
                return;
        ps->props[ps->n].name = name;
        ps->props[ps->n].value = value;
        ps->n++;
}

size_t iso_env_properties(const struct iso_env *env, struct iso_property *props, size_t max,
                          char *buf, size_t buf_size)
{
        struct prop_sink ps = {props, max, 0, buf, buf_size};
        const struct iso_cg_hierarchy *v2 = iso_env_hierarchy(env, NULL);

        add_prop(&ps, "kernel.release", env->kernel_release);
        add_prop(&ps, "hostname", env->hostname);
        add_prop(&ps, "cgroup.mode", iso_cg_mode_name(env->cg_mode));
        add_prop(&ps, "cgroup.memory",
                 env->memory_version ? stash(&ps, "v%d %s", env->memory_version, env->memory_path)
                                     : "none");
        add_prop(&ps, "cgroup.v2.controllers", v2 && v2->controllers[0] ? v2->controllers : "none");
        add_prop(&ps, "uid", stash(&ps, "%u", (unsigned)env->euid));
        add_prop(&ps, "capeff", stash(&ps, "0x%016" PRIx64, env->cap_eff));
        add_prop(&ps, "namespaces", env->namespaces);
        add_prop(&ps, "kconfig.source", env->kconfig.source[0] ? env->kconfig.source : "none");
        add_prop(&ps, "swap.total_kb",
                 env->swap_total_kb < 0 ? "unknown" : stash(&ps, "%lld", env->swap_total_kb));
        add_prop(&ps, "swap.accounting", tristate(env->swap_accounting));
        add_prop(&ps, "vm.overcommit_memory",
                 env->overcommit_memory < 0 ? "unknown" : stash(&ps, "%d", env->overcommit_memory));
        char rlimits[160];
        iso_env_format_rlimits(env, rlimits, sizeof(rlimits));
        add_prop(&ps, "rlimits", stash(&ps, "%s", rlimits));
        add_prop(&ps, "kmsg.readable",
                 env->kmsg_readable ? "yes" : stash(&ps, "no: %s", env->kmsg_error));
        add_prop(&ps, "container", env->container[0] ? env->container : "none");
        add_prop(&ps, "virt", env->virt[0] ? env->virt : "none");
        add_prop(&ps, "docker", env->docker_info);
        if (env->docker_reachable)
                add_prop(&ps, "docker.builder", env->docker_builder);
        add_prop(&ps, "tool.variables", env->tool_env[0] ? env->tool_env : "none");
        for (size_t i = 0; i < env->n_tools; i++) {
                const struct iso_tool *t = &env->tools[i];
                const char *v = !t->path[0]     ? "not found"
                                : t->version[0] ? t->version
                                                : "found, version unknown";

                add_prop(&ps, stash(&ps, "tool.%s", t->name), v);
        }
        return ps.n;
}

/* ---- requirements ------------------------------------------------------------------ */

static int unmet(char *reason, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int unmet(char *reason, size_t size, const char *fmt, ...)
{
        va_list ap;

        if (reason && size) {
                va_start(ap, fmt);
                vsnprintf(reason, size, fmt, ap);
                va_end(ap);
        }
        return 0;
}

/* Is @ctrl in the comma list of kernel parameter "@key=" (cgroup_disable=memory,pids)? */
static int cmdline_lists(const char *key, const char *ctrl)
{
        iso_autofree char *s = iso_read_file("/proc/cmdline", NULL, NULL);
        size_t klen = strlen(key);
        char *save = NULL;

        if (!s)
                return 0;
        for (char *t = strtok_r(s, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
                if (!strcmp(t, "--"))
                        break;
                if (strncmp(t, key, klen) || t[klen] != '=')
                        continue;
                if (has_word(t + klen + 1, ctrl, ',') || !strcmp(t + klen + 1, "all"))
                        return 1;
        }
        return 0;
}

/*
 * Why controller @ctrl is not there, when the kernel says so: its command line, or its
 * configuration (6.11 made the v1 memory controller optional, CONFIG_MEMCG_V1, and
 * Debian's 6.12 leaves it out). Appended to an unmet reason; "" when nothing tells.
 */
static void ctrl_absence_cause(const struct iso_env *env, const char *ctrl, int version, char *out,
                               size_t size)
{
        const struct iso_kconfig *kc = &env->kconfig;
        enum iso_kconfig_state v1 = iso_kconfig_get(kc, "CONFIG_MEMCG_V1", NULL, 0);

        out[0] = '\0';
        if (cmdline_lists("cgroup_disable", ctrl))
                snprintf(out, size, "; the kernel command line disables it (cgroup_disable=)");
        else if (version != 2 && env->cg_mode != ISO_CG_UNIFIED &&
                 cmdline_lists("cgroup_no_v1", ctrl))
                snprintf(out, size, "; the kernel command line keeps it off v1 (cgroup_no_v1=)");
        else if (version != 2 && env->cg_mode != ISO_CG_UNIFIED && !strcmp(ctrl, "memory") &&
                 v1 == ISO_KCONFIG_MISSING && release_at_least(env->kernel_release, 6, 11) == 1)
                snprintf(out, size,
                         "; the kernel has no v1 memory controller: CONFIG_MEMCG_V1 is not set "
                         "(kernel config %s)",
                         kc->source);
        else if (!strcmp(ctrl, "memory") &&
                 iso_kconfig_get(kc, "CONFIG_MEMCG", NULL, 0) == ISO_KCONFIG_MISSING)
                snprintf(out, size, "; CONFIG_MEMCG is not set (kernel config %s)", kc->source);
        else if (!strcmp(ctrl, "pids") &&
                 iso_kconfig_get(kc, "CONFIG_CGROUP_PIDS", NULL, 0) == ISO_KCONFIG_MISSING)
                snprintf(out, size, "; CONFIG_CGROUP_PIDS is not set (kernel config %s)",
                         kc->source);
}

static int need_cgroup(const struct iso_env *env, const char *ctrl, int version, char *reason,
                       size_t size)
{
        char cause[256] = "";

        const struct iso_cg_hierarchy *v2 = iso_env_hierarchy(env, NULL);
        const struct iso_cg_hierarchy *v1 = ctrl ? iso_env_hierarchy(env, ctrl) : NULL;
        const char *mode = iso_cg_mode_name(env->cg_mode);
        const struct iso_cg_hierarchy *h = NULL;

        if (!ctrl) {
                /* Any hierarchy of the version asked for (or any at all). */
                for (size_t i = 0; !h && i < env->n_hierarchies; i++)
                        if (!version || env->hierarchies[i].version == version)
                                h = &env->hierarchies[i];
                if (!h && version)
                        return unmet(reason, size, "needs cgroup v%d: not mounted (cgroup mode %s)",
                                     version, mode);
                if (!h)
                        return unmet(reason, size, "needs cgroups: none mounted (cgroup mode %s)",
                                     mode);
        } else {
                int on_v2 = v2 && has_word(v2->controllers, ctrl, ' ');

                if (!on_v2 && !v1)
                        ctrl_absence_cause(env, ctrl, version, cause, sizeof(cause));

                if (version == 1 && !v1 && on_v2)
                        return unmet(reason, size,
                                     "needs the %s controller on cgroup v1: it is on cgroup v2 "
                                     "here (%s)",
                                     ctrl, v2->mount);
                if (version == 2 && !on_v2 && v1)
                        return unmet(reason, size,
                                     "needs the %s controller on cgroup v2: it is on cgroup v1 "
                                     "here (%s)",
                                     ctrl, v1->mount);
                if (version == 2 && !on_v2 && v2)
                        return unmet(reason, size,
                                     "needs the %s controller on cgroup v2: not in "
                                     "%s/cgroup.controllers%s",
                                     ctrl, v2->mount, cause);
                if (version != 2 && v1)
                        h = v1;
                else if (version != 1 && on_v2)
                        h = v2;
                if (!h)
                        return unmet(reason, size,
                                     "needs the %s cgroup controller: not mounted (cgroup mode "
                                     "%s)%s",
                                     ctrl, mode, cause);
        }
        if (h->readonly)
                return unmet(reason, size, "needs a writable cgroupfs: %s is mounted read-only",
                             h->mount);
        return 1;
}

/*
 * A requirement built as a module (=m) is met when the module is loaded, or when the
 * modules tree of the running kernel (modules.dep(5)) lists it, so the kernel can load
 * it on demand. A tree that exists and lacks it (a VM booted with a partial tree) is
 * unmet, naming the module; no tree at all cannot tell, and passes. The module is named
 * after the symbol (CONFIG_VETH: veth), as for every symbol the cases ask for.
 */
static int need_module(const struct iso_env *env, const char *symbol, char *reason, size_t size)
{
        char name[64], path[PATH_MAX], want[80];
        const char *sym = strncmp(symbol, "CONFIG_", 7) ? symbol : symbol + 7;
        size_t n = 0;

        for (; sym[n] && n + 1 < sizeof(name); n++)
                name[n] = (char)(sym[n] >= 'A' && sym[n] <= 'Z' ? sym[n] + 32 : sym[n]);
        name[n] = '\0';
        if (iso_pathf(path, sizeof(path), "/sys/module/%s", name) == 0 && access(path, F_OK) == 0)
                return 1;
        if (iso_pathf(path, sizeof(path), "/lib/modules/%s/modules.dep", env->kernel_release) < 0)
                return 1;
        iso_autofree char *dep = iso_read_file(path, NULL, NULL);

        if (!dep)
                return 1;
        snprintf(want, sizeof(want), "/%s.ko", name);
        for (char *p = dep; (p = strstr(p, want)); p += strlen(want)) {
                char next = p[strlen(want)];

                if (next == ':' || next == '.')
                        return 1;
        }
        /* Module names treat '-' and '_' alike; modules.dep keeps the file's spelling. */
        for (size_t i = 1; i < strlen(want); i++)
                if (want[i] == '_')
                        want[i] = '-';
        if (strstr(dep, want))
                return 1;
        return unmet(reason, size,
                     "needs CONFIG_%s: built as a module (=m in %s), but module %s is not loaded "
                     "(/sys/module/%s) and %s does not list it",
                     sym, env->kconfig.source, name, name, path);
}

int iso_env_need_met(const struct iso_env *env, const struct iso_need *need, char *reason,
                     size_t reason_size)
{
        if (reason && reason_size)
                reason[0] = '\0';

        switch (need->kind) {
        case ISO_NEED_END:
                return 1;
        case ISO_NEED_ROOT:
                if (env->euid != 0)
                        return unmet(reason, reason_size, "needs root: running as uid %u",
                                     (unsigned)env->euid);
                return 1;
        case ISO_NEED_CAP:
                if (!iso_env_has_cap(env, need->num))
                        return unmet(reason, reason_size,
                                     "needs %s: not in the effective capability set "
                                     "(CapEff=0x%016" PRIx64 ")",
                                     need->arg ? need->arg : "a capability", env->cap_eff);
                return 1;
        case ISO_NEED_NS:
                if (!need->arg)
                        return unmet(reason, reason_size,
                                     "invalid requirement: ISO_NS without a type");
                if (!iso_env_has_ns(env, need->arg))
                        return unmet(reason, reason_size,
                                     "needs the %s namespace: /proc/self/ns/%s does not exist",
                                     need->arg, need->arg);
                return 1;
        case ISO_NEED_KCONFIG: {
                if (!need->arg)
                        return unmet(reason, reason_size,
                                     "invalid requirement: ISO_KCONFIG without a symbol");
                /* UNKNOWN passes: without a config, the syscall itself will tell. */
                enum iso_kconfig_state ks = iso_kconfig_get(&env->kconfig, need->arg, NULL, 0);

                if (ks == ISO_KCONFIG_M)
                        return need_module(env, need->arg, reason, reason_size);
                if (ks != ISO_KCONFIG_MISSING)
                        return 1;
                return unmet(reason, reason_size,
                             "needs %s%s: kernel config (%s) says it is not set",
                             strncmp(need->arg, "CONFIG_", 7) ? "CONFIG_" : "", need->arg,
                             env->kconfig.source);
        }
        case ISO_NEED_TOOL: {
                const struct iso_tool *t = need->arg ? iso_env_tool(env, need->arg) : NULL;
                char path[256];

                if (!need->arg)
                        return unmet(reason, reason_size,
                                     "invalid requirement: ISO_TOOL without a program");
                /* A tool outside the probed set is looked up now. */
                if (t ? t->path[0] != '\0' : find_on_path(need->arg, path, sizeof(path)))
                        return 1;
                return unmet(reason, reason_size, "needs %s: not found on PATH", need->arg);
        }
        case ISO_NEED_CGROUP_CTRL:
                return need_cgroup(env, need->arg, need->num, reason, reason_size);
        case ISO_NEED_KMSG:
                if (env->kmsg_readable)
                        return 1;
                return unmet(reason, reason_size, "needs a readable /dev/kmsg: %s",
                             env->kmsg_error[0] ? env->kmsg_error : "not probed");
        case ISO_NEED_DOCKER:
                if (env->docker_reachable)
                        return 1;
                return unmet(reason, reason_size, "needs a Docker daemon: %s",
                             env->docker_info[0] ? env->docker_info : "not probed");
        case ISO_NEED_RUNTIME:
                return iso_runtime_need_met(need->arg, reason, reason_size);
        }
        return unmet(reason, reason_size, "invalid requirement: unknown kind %d", (int)need->kind);
}
