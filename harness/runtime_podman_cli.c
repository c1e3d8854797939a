// SPDX-License-Identifier: MIT
/*
 * The podman client as the podman runtimes use it (runtime_podman.c, rootful, and
 * runtime_podman_rootless.c): `podman ARGS` run to completion, bounded, in the runner's mount
 * namespace, as root or as an unprivileged user; listing and removing objects by id. Cut
 * from runtime_podman.c (one concern: talking to podman), so both variants share it.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/docker.h"
#include "isocheck/ns.h"
#include "isocheck/tool.h"
#include "runtime_podman.h"

/* The OCI runtime podman should use here: NULL for podman's own choice. crun refuses a
 * hybrid hierarchy whose v2 half has controllers available; runc does not. */
const char *iso_pm_oci_runtime(void)
{
        struct iso_err e = {0};
        iso_autofree char *ctrl =
                iso_read_file("/sys/fs/cgroup/unified/cgroup.controllers", NULL, &e);
        if (ctrl && ctrl[strspn(ctrl, " \n")] && access("/usr/sbin/runc", X_OK) == 0)
                return "runc";
        return NULL;
}

/* The runner's PID, recorded by the probe before cases fork. Each case runs in a mount
 * namespace of its own, and podman keeps a container's network namespace as a bind mount
 * under /run/netns: made from a case's namespace, it is invisible to every other podman
 * (whose `ps` then fails: "unknown FS magic on /run/netns/..."). So podman always runs
 * in the runner's mount namespace. */
static pid_t pm_home;

void iso_pm_set_home(void)
{
        pm_home = getpid();
}

/* Is this process in another mount namespace than the runner's? */
static int pm_away(void)
{
        if (pm_home <= 0 || pm_home == getpid())
                return 0;
        dev_t dev_home, dev_self;
        ino_t home = 0, self = 0;
        if (iso_ns_id(pm_home, "mnt", &dev_home, &home, NULL) < 0 ||
            iso_ns_id(getpid(), "mnt", &dev_self, &self, NULL) < 0)
                return 0;
        return home != self || dev_home != dev_self;
}

/* `podman [--runtime R] ARGS` with @input (may be NULL, 4096 bytes at most) on its stdin,
 * in the runner's mount namespace: its wait status, its output in @out. */
int iso_pm_in(const struct pm_who *who, char *const args[], const char *input, char *out,
              size_t size, double timeout_s, struct iso_err *e)
{
        char *argv[64];
        size_t n = 0;
        /* As the user: setpriv(1) switches ids and groups, env(1) gives podman the user's
         * environment only (rootless podman finds its storage and runtime directory through
         * HOME and XDG_RUNTIME_DIR, podman(1) ENVIRONMENT). */
        char reuid[32], regid[32], home[PATH_MAX + 8], xdg[96], user[96];
        if (who) {
                snprintf(reuid, sizeof(reuid), "--reuid=%u", (unsigned)who->uid);
                snprintf(regid, sizeof(regid), "--regid=%u", (unsigned)who->gid);
                snprintf(home, sizeof(home), "HOME=%s", who->home);
                snprintf(xdg, sizeof(xdg), "XDG_RUNTIME_DIR=%s", who->runtime_dir);
                snprintf(user, sizeof(user), "USER=%s", who->user);
                char *pre[] = {"setpriv", reuid,
                               regid,     "--init-groups",
                               "env",     "-i",
                               home,      xdg,
                               user,      "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"};
                for (size_t i = 0; i < ISO_ARRAY_SIZE(pre); i++)
                        argv[n++] = pre[i];
        }
        argv[n++] = "podman";
        /* Rootless podman runs only on a cgroup v2 host, where crun is podman's own choice. */
        const char *rt = who ? NULL : iso_pm_oci_runtime();
        if (rt) {
                argv[n++] = "--runtime";
                argv[n++] = (char *)rt;
        }
        for (size_t i = 0; args[i] && n < ISO_ARRAY_SIZE(argv) - 1; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        if (size)
                out[0] = '\0';
        /* An empty pipe takes 4096 bytes without blocking (pipe(7)). */
        size_t len = input ? strlen(input) : 0;
        if (len > 4096)
                return iso_errf(e, E2BIG, "podman %s: %zu bytes of input, 4096 at most", args[0],
                                len);
        struct iso_tool_proc tp;
        int rc = pm_away() ? iso_tool_start_in(pm_home, CLONE_NEWNS, argv, &tp, e)
                           : iso_tool_start(argv, &tp, e);
        if (rc < 0)
                return -1;
        if (len && write(tp.in_fd, input, len) != (ssize_t)len)
                iso_errf(e, errno, "podman %s: write its input", args[0]);
        close(tp.in_fd);
        tp.in_fd = -1;
        double deadline = iso_now() + timeout_s;
        iso_tool_read(&tp, NULL, out, size, deadline);
        int timed_out = 0;
        int st = iso_tool_finish(&tp, deadline, &timed_out);
        if (st >= 0 && timed_out)
                iso_errf(e, ETIMEDOUT, "podman %s: no answer within %.0f s", args[0], timeout_s);
        return st;
}

int iso_pm(const struct pm_who *who, char *const args[], char *out, size_t size, double timeout_s,
           struct iso_err *e)
{
        return iso_pm_in(who, args, NULL, out, size, timeout_s, e);
}

/* `podman ARGS` expected to succeed: -1 with @e quoting podman's last lines otherwise. */
int iso_pm_must_in(const struct pm_who *who, char *const args[], const char *input, char *out,
                   size_t size, double timeout_s, struct iso_err *e)
{
        struct iso_err pe = {0};
        int st = iso_pm_in(who, args, input, out, size, timeout_s, &pe);
        if (st == 0)
                return 0;
        char tail[600];
        iso_docker_tail(out, 4, tail, sizeof(tail));
        return iso_errf(e, pe.errnum ? pe.errnum : EIO,
                        "expected `podman %s` to succeed, got status 0x%x%s%s: %s", args[0], st,
                        pe.msg[0] ? ": " : "", pe.msg, tail);
}

int iso_pm_must(const struct pm_who *who, char *const args[], char *out, size_t size,
                double timeout_s, struct iso_err *e)
{
        return iso_pm_must_in(who, args, NULL, out, size, timeout_s, e);
}

/* `podman ARGS` listing one id a line: how many, the ids in @ids. */
size_t iso_pm_list(const struct pm_who *who, char *const args[], char *ids, size_t size)
{
        if (iso_pm(who, args, ids, size, 20.0, NULL) != 0) {
                ids[0] = '\0';
                return 0;
        }
        size_t n = 0;
        for (char *l = ids; *l; l++)
                n += *l == '\n';
        return n;
}

/* `podman VERB -f [--depend] ID` for each id (one a line). --depend for containers: an
 * app goes with the sidecar that joined it, whatever order they are listed in. */
void iso_pm_remove(const struct pm_who *who, const char *verb, char *ids)
{
        int rm = !strcmp(verb, "rm");
        for (char *save = NULL, *id = strtok_r(ids, "\n", &save); id;
             id = strtok_r(NULL, "\n", &save)) {
                char out[512];
                char *args[] = {(char *)verb, "-f", rm ? "--depend" : id, rm ? id : NULL, NULL};
                iso_pm(who, args, out, sizeof(out), 30.0, NULL);
        }
}
