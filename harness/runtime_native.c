// SPDX-License-Identifier: MIT
/*
 * The native runtime behind the seam: the app in isocheck's own namespaces, cgroup and a
 * root holding only the app (harness/container.c: namespaces(7), pivot_root(2), veth(4));
 * a sidecar is the capture fixture joined to the app's network namespace only (setns(2)
 * with CLONE_NEWNET, as docker run --network=container:app does).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/cgroup.h"
#include "isocheck/container.h"
#include "isocheck/fault.h"
#include "isocheck/ns.h"
#include "isocheck/runtime.h"
#include "isocheck/tool.h"

/* What the native app needs: namespaces, mounts and setns; the veth pair and its addresses
 * are made over rtnetlink, which needs CAP_NET_ADMIN (rtnetlink(7)). */
/* clang-format off */
#define NEEDS_NATIVE_APP ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_CAP("CAP_NET_ADMIN", 12), \
        ISO_NS("pid"), ISO_NS("mnt"), ISO_NS("net"), ISO_NS("uts"), ISO_NS("ipc"), \
        ISO_KCONFIG("CONFIG_VETH")
/* clang-format on */

/* Roots are /tmp/isocheck-<run id>-root-XXXXXX (harness/container.c). */
#define ROOT_PARENT "/tmp"
#define ROOT_MARK "-root-"

/* Fault native.linger: the case holds 10 s with what it just started up and running (not
 * stopped), so a test can kill the runner mid-case (harness/tests/field/runner.sh). */
static void linger(void)
{
        struct timespec ts = {10, 0};
        if (iso_fault("native.linger"))
                nanosleep(&ts, NULL);
}

static int native_app_start(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o,
                            struct iso_rt_app *app, struct iso_err *e)
{
        char path[PATH_MAX];
        /* Built with isocheck and installed beside it: missing, the installation is broken,
         * which a skip would hide (a pipeline would go green having checked nothing). */
        struct iso_err fe = {0};
        if (iso_fixture_path("app", path, sizeof(path), &fe) < 0)
                return iso_errf(e, 0, "expected the app fixture, but %s", fe.msg);
        struct iso_app *a = calloc(1, sizeof(*a));
        if (!a)
                return iso_errf(e, errno, "expected memory for the native app");
        struct iso_app_opts ao = {.app_path = path,
                                  .hostname = o->hostname,
                                  .scope = c->t ? iso_case_scope(c->t) : "",
                                  .env = c->env,
                                  .port = ISO_APP_PORT};
        struct iso_err se = {0};
        if (iso_app_start(a, &ao, &se) < 0) {
                free(a);
                return iso_errf(e, 0, "expected the native app container to start, but %s", se.msg);
        }
        app->priv = a;
        app->pid = a->pid;
        app->port = a->port;
        app->answered = 1; /* iso_app_start waited for its port */
        iso_strlcpy(app->addr, a->app_addr, sizeof(app->addr));
        iso_strlcpy(app->name, a->rootdir, sizeof(app->name));
        if (c->t)
                iso_log(c->t, "app %s: host PID %d, %s:%d via %s/%s (host side %s)", o->hostname,
                        (int)a->pid, a->app_addr, a->port, a->host_if, a->app_if, a->host_addr);
        linger();
        return 0;
}

static int native_app_stop(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e)
{
        (void)c;
        struct iso_app *a = app->priv;
        if (!a)
                return 0;
        int status = iso_app_stop(a, e);
        free(a);
        app->priv = NULL;
        return status;
}

static int native_sidecar_start(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                                const struct iso_rt_sidecar_opts *o, struct iso_rt_sidecar *sc,
                                struct iso_err *e)
{
        (void)c;
        char path[PATH_MAX];
        struct iso_err fe = {0};
        if (iso_fixture_path("sidecar", path, sizeof(path), &fe) < 0)
                return iso_errf(e, 0, "expected the sidecar fixture, but %s", fe.msg);
        char secs[16];
        snprintf(secs, sizeof(secs), "%u", o->seconds);
        char *argv[] = {path, "-i", "any", "-f", (char *)o->filter, "-w", (char *)o->pcap,
                        "-t", secs, NULL};
        /* Fault sidecar.setns.noop: setns(2) joins nothing, as a kernel ignoring it would;
         * the sidecar stays in our own network namespace. */
        pid_t into = iso_fault("sidecar.setns.noop") ? getpid() : app->pid;
        /* Fault sidecar.capture.misses: the capture loses every SYN (and SYN-ACK). */
        if (iso_fault("sidecar.capture.misses"))
                argv[4] = "tcp port 8000 and tcp[tcpflags] & tcp-syn == 0";
        struct iso_tool_proc *tp = calloc(1, sizeof(*tp));
        if (!tp)
                return iso_errf(e, errno, "expected memory for the sidecar");
        struct iso_err se = {0};
        if (iso_tool_start_in(into, CLONE_NEWNET, argv, tp, &se) < 0) {
                free(tp);
                return iso_errf(e, 0, "expected to start the sidecar, but %s", se.msg);
        }
        char out[1024];
        iso_tool_read(tp, "ready\n", out, sizeof(out), iso_now() + 5.0);
        if (!strstr(out, "ready\n")) {
                iso_tool_finish(tp, iso_now() + 1.0, NULL);
                free(tp);
                return iso_errf(e, 0,
                                "expected the sidecar to report ready within 5 s; it said: %.400s",
                                out);
        }
        sc->priv = tp;
        sc->pid = tp->pid;
        snprintf(sc->name, sizeof(sc->name), "sidecar %d", (int)tp->pid);
        linger();
        return 0;
}

static int native_sidecar_stop(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc, char *out,
                               size_t size, struct iso_err *e)
{
        (void)c;
        (void)e;
        struct iso_tool_proc *tp = sc->priv;
        if (!tp)
                return 0;
        kill(tp->pid, SIGTERM);
        iso_tool_read(tp, NULL, out, size, iso_now() + 3.0);
        int status = iso_tool_finish(tp, iso_now() + 3.0, NULL);
        free(tp);
        sc->priv = NULL;
        return status;
}

/* Exec @argv inside the app's namespaces and root, as `docker exec` does: the errno of
 * execvp comes back through a close-on-exec pipe (nothing comes when it ran). */
static int native_exec(struct iso_rt_ctx *c, const struct iso_rt_app *app, char *const argv[],
                       char *detail, size_t size, struct iso_err *e)
{
        (void)c;
        int p[2];
        /* Close-on-exec: a program that does run must not hold the pipe open. */
        if (pipe2(p, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe2");
        fflush(NULL);
        pid_t parent = getpid();
        pid_t child = fork();
        if (child < 0) {
                int saved = errno;
                close(p[0]);
                close(p[1]);
                return iso_errf(e, saved, "fork");
        }
        if (child == 0) {
                close(p[0]);
                /* Dies with the case even when the program run in the app's namespaces
                 * waits for input: the case killed outright does not wait for it. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(0);
                struct iso_err je = {0};
                int err;
                if (iso_ns_join(app->pid,
                                CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS |
                                        CLONE_NEWIPC,
                                0, &je) < 0)
                        err = -(je.errnum ? je.errnum : EIO);
                else {
                        execvp(argv[0], argv);
                        err = errno;
                }
                (void)!write(p[1], &err, sizeof(err));
                _exit(0);
        }
        close(p[1]);
        int err = 0;
        ssize_t got = read(p[0], &err, sizeof(err));
        close(p[0]);
        /* Whatever ran in its place (a shell waiting for input) is not ours to wait for. */
        if (got != (ssize_t)sizeof(err))
                kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        if (got != (ssize_t)sizeof(err)) {
                snprintf(detail, size, "%s ran", argv[0]);
                return ISO_RT_EXEC_RAN;
        }
        if (err < 0)
                return iso_errf(e, -err, "expected to join the app's namespaces, but setns failed");
        snprintf(detail, size, "%s", strerror(err));
        return err == ENOENT ? ISO_RT_EXEC_NOT_FOUND : ISO_RT_EXEC_FAILED;
}

/* Run ids of roots left under /tmp ("isocheck-<id>-root-XXXXXX"). */
static long native_scan(void (*found)(void *arg, const char *run_id), void *arg)
{
        DIR *d = opendir(ROOT_PARENT);
        if (!d)
                return -1;
        const char *prefix = ISO_CG_PREFIX "-";
        long n = 0;
        for (const struct dirent *de; (de = readdir(d));) {
                if (strncmp(de->d_name, prefix, strlen(prefix)))
                        continue;
                char id[64];
                iso_strlcpy(id, de->d_name + strlen(prefix), sizeof(id));
                char *mark = strstr(id, ROOT_MARK);
                if (!mark)
                        continue;
                *mark = '\0';
                found(arg, id);
                n++;
        }
        closedir(d);
        return n;
}

/*
 * Roots of run @run_id: empty mountpoints on the host (their tmpfs lived only in the
 * container's mount namespace), removed with rmdir only. They are not named after a case:
 * for one case (the runner, after each variant) nothing is done, since iso_app_stop
 * removed its own and a case killed mid-way leaves them for the recovery.
 */
static long native_reclaim(const char *run_id, const char *case_name, char *what, size_t size)
{
        if (what && size)
                what[0] = '\0';
        if (case_name)
                return 0;
        DIR *d = opendir(ROOT_PARENT);
        if (!d)
                return -1;
        char prefix[96];
        snprintf(prefix, sizeof(prefix), ISO_CG_PREFIX "-%s" ROOT_MARK, run_id);
        long n = 0;
        for (const struct dirent *de; (de = readdir(d));) {
                char path[PATH_MAX];
                if (strncmp(de->d_name, prefix, strlen(prefix)) ||
                    iso_pathf(path, sizeof(path), ROOT_PARENT "/%s", de->d_name) < 0)
                        continue;
                if (rmdir(path) == 0) {
                        n++;
                        if (what)
                                iso_appendf(what, size, "%s%s", n > 1 ? ", " : "", path);
                }
        }
        closedir(d);
        return n;
}

/* Every root under /tmp, any run's: what `make bench` audits between runs. */
static long native_count(void)
{
        DIR *d = opendir(ROOT_PARENT);
        if (!d)
                return -1;
        long n = 0;
        for (const struct dirent *de; (de = readdir(d));)
                if (!strncmp(de->d_name, ISO_CG_PREFIX, strlen(ISO_CG_PREFIX)) &&
                    strstr(de->d_name, ROOT_MARK))
                        n++;
        closedir(d);
        return n;
}

static const struct iso_runtime native_runtime = {
        .name = "native",
        .suffix = "",
        /* Roots from mkdtemp, veths with random tags, cgroups below the case's scope. */
        .parallel_variants = 1,
        .needs = {NEEDS_NATIVE_APP},
        /* An AF_PACKET socket needs CAP_NET_RAW (packet(7)) in the user namespace that
         * owns the app's network namespace, ours. */
        .sidecar_needs = {ISO_CAP("CAP_NET_RAW", 13)},
        .root_entries = "",
        .app_start = native_app_start,
        .app_stop = native_app_stop,
        .sidecar_start = native_sidecar_start,
        .sidecar_stop = native_sidecar_stop,
        .exec = native_exec,
        .reclaim = native_reclaim,
        .scan = native_scan,
        .count = native_count,
};
ISO_RUNTIME(native_runtime);
