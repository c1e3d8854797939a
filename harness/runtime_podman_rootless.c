// SPDX-License-Identifier: MIT
/*
 * Rootless podman: the podman runtime's operations (runtime_podman.c) with podman run as an
 * unprivileged user, so every container lives in that user's user namespace and cgroup
 * (`*.podman-rootless` cases). Only the probe is this file's own: rootless podman needs
 * (podman(1) "Rootless mode", containers' docs/tutorials/rootless_tutorial.md, the kernel's
 * Documentation/admin-guide/cgroup-v2.rst "Delegation"):
 *
 *   - cgroup v2 as the only hierarchy (on v1 or hybrid hosts rootless containers get no
 *     cgroup of their own, so no memory or pids limit a case could rely on);
 *   - an unprivileged user to run as: ISOCHECK_ROOTLESS_USER, else the first login user
 *     (UID 1000..59999) in the password database;
 *   - the memory and pids controllers delegated to that user (its user@UID.service cgroup's
 *     cgroup.controllers, which systemd fills when Delegate= allows it);
 *   - subordinate UID and GID ranges for it (/etc/subuid, /etc/subgid, subuid(5));
 *   - newuidmap and newgidmap (uidmap package) to map them;
 *   - its runtime directory /run/user/UID (XDG_RUNTIME_DIR, systemd-logind or linger);
 *   - setpriv (util-linux), which runs podman as the user.
 *
 * The probe names the first that is missing. None of them missing, `podman info` as the
 * user must say rootless. A missing requirement makes the probe answer "not installed"
 * (-1): no isocheck run could have made a rootless container here, so the recovery has
 * nothing of it to wait for.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "isocheck/tool.h"
#include "runtime_podman.h"

/* Filled by the probe, before cases fork; the operations read it through c->rt->priv. */
static struct pm_who rootless_who;
static int rootless_usable;

/* The unprivileged user to run as: 0 with @w filled, or -1 with the reason in @why. */
static int pick_user(struct pm_who *w, char *why, size_t size)
{
        const char *name = getenv("ISOCHECK_ROOTLESS_USER");
        const struct passwd *pw = NULL;
        if (name && *name) {
                pw = getpwnam(name);
                if (!pw) {
                        snprintf(why, size, "ISOCHECK_ROOTLESS_USER=%s: no such user", name);
                        return -1;
                }
        } else {
                setpwent();
                for (int i = 0; i < 100000 && (pw = getpwent()); i++) /* bounded */
                        if (pw->pw_uid >= 1000 && pw->pw_uid < 60000)
                                break;
                endpwent();
                if (!pw) {
                        snprintf(why, size,
                                 "no unprivileged user to run as (no UID 1000..59999 in the "
                                 "password database; ISOCHECK_ROOTLESS_USER names one)");
                        return -1;
                }
        }
        if (pw->pw_uid == 0) {
                snprintf(why, size, "user %s is root: rootless needs an unprivileged user",
                         pw->pw_name);
                return -1;
        }
        w->uid = pw->pw_uid;
        w->gid = pw->pw_gid;
        iso_strlcpy(w->user, pw->pw_name, sizeof(w->user));
        iso_strlcpy(w->home, pw->pw_dir, sizeof(w->home));
        snprintf(w->runtime_dir, sizeof(w->runtime_dir), "/run/user/%u", (unsigned)w->uid);
        return 0;
}

/* Does /etc/subXid (subuid(5)) give @w a range? 1, or 0 with the reason in @why. */
static int has_range(const char *file, const struct pm_who *w, char *why, size_t size)
{
        struct iso_err e = {0};
        iso_autofree char *text = iso_read_file(file, NULL, &e);
        char uid[16];
        snprintf(uid, sizeof(uid), "%u", (unsigned)w->uid);
        for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save)) {
                char owner[64];
                unsigned long start = 0, count = 0;
                if (sscanf(l, "%63[^:]:%lu:%lu", owner, &start, &count) == 3 && count > 0 &&
                    (!strcmp(owner, w->user) || !strcmp(owner, uid)))
                        return 1;
        }
        snprintf(why, size, "no subordinate range for user %s in %s (%s)", w->user, file,
                 text ? "subuid(5): USER:START:COUNT" : e.msg);
        return 0;
}

/* Is @prog an executable in the usual directories? */
static int installed(const char *prog)
{
        static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};
        for (size_t i = 0; i < ISO_ARRAY_SIZE(dirs); i++) {
                char path[64];
                snprintf(path, sizeof(path), "%s/%s", dirs[i], prog);
                if (access(path, X_OK) == 0)
                        return 1;
        }
        return 0;
}

/* The first requirement missing (the opening comment's order), in @why: 0; or 1. */
static int requirements(struct pm_who *w, char *why, size_t size)
{
        struct statfs fs;
        if (statfs("/sys/fs/cgroup", &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
                snprintf(why, size,
                         "cgroup v2 is not the only hierarchy: /sys/fs/cgroup is %s (rootless "
                         "containers get a cgroup of their own only on a cgroup v2 host)",
                         fs.f_type == TMPFS_MAGIC ? "a tmpfs of cgroup v1 hierarchies"
                                                  : "not cgroup2");
                return 0;
        }
        if (pick_user(w, why, size) < 0)
                return 0;
        char path[PATH_MAX];
        iso_pathf(path, sizeof(path),
                  "/sys/fs/cgroup/user.slice/user-%u.slice/user@%u.service/cgroup.controllers",
                  (unsigned)w->uid, (unsigned)w->uid);
        struct iso_err e = {0};
        iso_autofree char *ctrl = iso_read_file(path, NULL, &e);
        const char *want[] = {"memory", "pids"};
        for (size_t i = 0; i < ISO_ARRAY_SIZE(want); i++) {
                const char *p = ctrl ? strstr(ctrl, want[i]) : NULL;
                size_t n = strlen(want[i]);
                if (!p || (p != ctrl && p[-1] != ' ') || (p[n] && p[n] != ' ' && p[n] != '\n')) {
                        snprintf(why, size,
                                 "the %s controller is not delegated to user %s: %s %s (systemd "
                                 "Delegate= for user@.service)",
                                 want[i], w->user, path, ctrl ? "does not list it" : e.msg);
                        return 0;
                }
        }
        if (!has_range("/etc/subuid", w, why, size) || !has_range("/etc/subgid", w, why, size))
                return 0;
        const char *progs[] = {"newuidmap", "newgidmap", "setpriv"};
        for (size_t i = 0; i < ISO_ARRAY_SIZE(progs); i++)
                if (!installed(progs[i])) {
                        snprintf(why, size, "%s is not installed (%s)", progs[i],
                                 i < 2 ? "package uidmap" : "package util-linux");
                        return 0;
                }
        struct stat st;
        int gone = stat(w->runtime_dir, &st) < 0 ? errno : 0;
        if (gone || st.st_uid != w->uid) {
                snprintf(why, size,
                         "user %s has no runtime directory %s of its own (%s; `loginctl "
                         "enable-linger %s` makes one)",
                         w->user, w->runtime_dir, gone ? strerror(gone) : "owned by another user",
                         w->user);
                return 0;
        }
        return 1;
}

static int rootless_probe(struct iso_env *env, char *why, size_t size)
{
        (void)env;
        iso_pm_set_home();
        rootless_usable = 0;
        if (!installed("podman")) {
                snprintf(why, size, "podman is not installed");
                return -1;
        }
        if (geteuid() != 0) {
                snprintf(why, size, "switching to the rootless user needs root (euid %u)",
                         (unsigned)geteuid());
                return 0;
        }
        if (!requirements(&rootless_who, why, size))
                return -1;
        char out[512];
        char *info[] = {"info", "--format", "{{.Host.Security.Rootless}} {{.Version.Version}}",
                        NULL};
        struct iso_err e = {0};
        int st = iso_pm(&rootless_who, info, out, sizeof(out), 30.0, &e);
        char version[64] = "";
        if (st != 0 || sscanf(out, "true %63s", version) != 1) {
                out[strcspn(out, "\n")] = '\0';
                snprintf(why, size,
                         "expected `podman info` as user %s to say rootless, got %s 0x%x: "
                         "%.200s%s",
                         rootless_who.user, st < 0 ? "no status" : "status", st, out, e.msg);
                return 0;
        }
        snprintf(why, size, "podman %s, rootless as user %s", version, rootless_who.user);
        rootless_usable = 1;
        iso_pm_cache_hold(&rootless_who);
        return 1;
}

/* Only a usable probe found a user to ask; otherwise nothing of this runtime exists. */
static long rootless_reclaim(const char *run_id, const char *case_name, char *what, size_t size)
{
        if (size)
                what[0] = '\0';
        return rootless_usable ? iso_pm_reclaim_as(&rootless_who, run_id, case_name, what, size)
                               : 0;
}

static long rootless_sweep_cache(char *what, size_t size)
{
        if (size)
                what[0] = '\0';
        return rootless_usable ? iso_pm_cache_sweep_as(&rootless_who, what, size) : 0;
}

static long rootless_scan(void (*found)(void *arg, const char *run_id), void *arg)
{
        return rootless_usable ? iso_pm_scan_as(&rootless_who, found, arg) : 0;
}

static const struct iso_runtime podman_rootless_runtime = {
        .name = "podman-rootless",
        .suffix = ".podman-rootless",
        /* Root only to switch to the user (setpriv): podman itself runs unprivileged. */
        .needs = {ISO_ROOT},
        .requirement = "rootless podman",
        .min_timeout_s = 120,
        .root_entries = "dev etc proc run sys",
        .priv = &rootless_who,
        .probe = rootless_probe,
        .prepare = iso_pm_prepare,
        .app_start = iso_pm_app_start,
        .sidecar_start = iso_pm_sidecar_start,
        .sidecar_stop = iso_pm_sidecar_stop,
        .exec = iso_pm_exec,
        .app_unchanged = iso_pm_app_unchanged,
        .app_stop = iso_pm_app_stop,
        .reclaim = rootless_reclaim,
        .scan = rootless_scan,
        .sweep_cache = rootless_sweep_cache,
};
ISO_RUNTIME(podman_rootless_runtime);
