// SPDX-License-Identifier: MIT
/*
 * The podman runtime (rootful): the same FROM-scratch contexts as the docker runtime built
 * with `podman build`, run with `podman run`, the sidecar on --network=container:APP, every
 * object labelled isocheck.run=<run id> and isocheck.case=<case> so reclaim and scan find
 * them (podman-build(1), podman-run(1), podman-ps(1) --filter label=).
 *
 * What this host taught (Debian 12, podman 4.3, cgroup v1 with v2 at /sys/fs/cgroup/unified):
 * - podman gives a container RLIMIT_NOFILE and RLIMIT_NPROC at their maximum, which conmon
 *   does not hold; without CAP_SYS_RESOURCE in the bounding set the OCI runtime cannot
 *   raise them ("setrlimit `RLIMIT_NOFILE`: Operation not permitted"). Lowering is always
 *   allowed, and our fixtures are one process with a few descriptors: --ulimit sets both.
 * - crun refuses a hybrid hierarchy whose v2 half has controllers ("cgroups in hybrid mode
 *   not supported"); runc accepts it, so podman is pointed at runc there.
 * - podman drops CAP_NET_RAW by default (docker 20.10 keeps it): the capture sidecar asks
 *   for it, as the lab's tcpdump sidecar is run.
 * - `podman build` keeps one unlabelled image per step unless --layers=false.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/container.h"
#include "isocheck/docker.h"
#include "isocheck/ns.h"
#include "isocheck/runtime.h"
#include "isocheck/tool.h"
#include "runtime_podman.h"

/* A container this case started. Stop reads only this record, found by the handle's
 * address (the case's context owns the handles: runtime_case.c), so what it stops is what
 * this module started, whatever the handle holds by then. */
struct pm_app {
        const void *owner;
        char name[192];
        int live;
        char started[64]; /* podman's StartedAt in ns: a restart changes it */
        ino_t net;
};

/* What a case made (c->priv: iso_rt_end reclaims the case's objects when it is set, then
 * frees it): its images, built once per case, and its apps' start states. */
struct pm_case {
        char app[192], app_shell[192], sidecar[192];
        struct pm_app ctrs[4]; /* two apps and two sidecars at most (runtime.h) */
        unsigned n;
};

/* A new record for @owner named @name. NULL with @e when out of room. */
static struct pm_app *pm_record(struct pm_case *pc, const void *owner, const char *name,
                                struct iso_err *e)
{
        if (pc->n >= ISO_ARRAY_SIZE(pc->ctrs)) {
                iso_errf(e, ENOSPC, "podman runtime: more than %zu containers in one case",
                         ISO_ARRAY_SIZE(pc->ctrs));
                return NULL;
        }
        struct pm_app *pa = &pc->ctrs[pc->n++];
        memset(pa, 0, sizeof(*pa));
        pa->owner = owner;
        pa->live = 1;
        iso_strlcpy(pa->name, name, sizeof(pa->name));
        return pa;
}

/* The live record started for @owner (compared, not dereferenced), or NULL. */
static struct pm_app *pm_find(struct iso_rt_ctx *c, const void *owner)
{
        struct pm_case *pc = c->priv;
        for (unsigned i = 0; pc && i < pc->n; i++)
                if (pc->ctrs[i].owner == owner && pc->ctrs[i].live)
                        return &pc->ctrs[i];
        return NULL;
}

static struct pm_case *pm_case(struct iso_rt_ctx *c, struct iso_err *e)
{
        if (!c->priv && !(c->priv = calloc(1, sizeof(struct pm_case))))
                iso_errf(e, ENOMEM, "podman runtime: %zu bytes of case state",
                         sizeof(struct pm_case));
        return c->priv;
}

static void pm_labels(const struct iso_rt_ctx *c, char run[96], char cs[192])
{
        snprintf(run, 96, PM_LABEL_RUN "=%s", c->run_id);
        snprintf(cs, 192, PM_LABEL_CASE "=%s", c->case_name);
}

int iso_pm_prepare(struct iso_rt_ctx *c, const char *what, const struct iso_rt_app_opts *o,
                   struct iso_err *e)
{
        struct pm_case *pc = pm_case(c, e);
        if (!pc)
                return -1;
        int sidecar = !strcmp(what, "sidecar");
        int shell = !sidecar && o && o->has_shell;
        char *image = sidecar ? pc->sidecar : shell ? pc->app_shell : pc->app;
        if (image[0])
                return 0;
        char ctx_name[32], ctx[PATH_MAX];
        snprintf(ctx_name, sizeof(ctx_name), "%s-image", what);
        if (iso_fixture_path(ctx_name, ctx, sizeof(ctx), e) < 0)
                return -1;
        /* The Dockerfile goes on podman's stdin, as the key saw it; a test build's app
         * image carries a "shell" (the app again, as /bin/bash), a key of its own. */
        char src[PATH_MAX + 16];
        iso_pathf(src, sizeof(src), "%s/Dockerfile", ctx);
        iso_autofree char *base = iso_read_file(src, NULL, e);
        iso_autofree char *dockerfile = NULL;
        if (!base)
                return -1;
        if (asprintf(&dockerfile, "%s%s", base, shell ? "COPY app /bin/bash\n" : "") < 0)
                return iso_errf(e, ENOMEM, "the Dockerfile of the %s image", what);
        /* Built once for every case and run while the context is the same. */
        return iso_pm_cached_image(c, what, ctx, dockerfile, image, 192, e);
}

/* The container's host PID and start time as podman sees them now. */
static int pm_state(const struct pm_who *who, const char *name, pid_t *pid, char *started,
                    size_t size, struct iso_err *e)
{
        char out[512];
        char *args[] = {"inspect", "-f", "{{.State.Pid}} {{.State.StartedAt.UnixNano}}",
                        (char *)name, NULL};
        int st = iso_pm(who, args, out, sizeof(out), 10.0, e);
        int v = -1;
        char when[64] = "";
        if (st != 0 || sscanf(out, "%d %63s", &v, when) != 2 || v < 0)
                return iso_errf(e, EPROTO,
                                "podman inspect %s: expected \"PID STARTED\", got \"%.100s\"", name,
                                out);
        *pid = v;
        iso_strlcpy(started, when, size);
        return 0;
}

/* The limits the container keeps (see the opening comment): lowering needs no capability. */
#define PM_ULIMIT_NOFILE "nofile=1024:1024"
#define PM_ULIMIT_NPROC "nproc=1024:1024"

/*
 * `podman run -d --name NAME` with the case's labels, the limits above, no pull, then
 * @opts (NULL-terminated), the image and @cmd (may be NULL), and a record of the container
 * for @owner. Returns the record, or NULL with @e.
 */
static struct pm_app *pm_run(struct iso_rt_ctx *c, const void *owner, const char *name,
                             char *const opts[], const char *image, char *const cmd[],
                             struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        char run[96], cs[192];
        pm_labels(c, run, cs);
        char *args[40] = {
                "run",         "-d", "--name",   (char *)name,     "--label",  run,
                "--label",     cs,   "--ulimit", PM_ULIMIT_NOFILE, "--ulimit", PM_ULIMIT_NPROC,
                "--pull=never"};
        size_t n = 13;
        for (size_t i = 0; opts[i] && n < ISO_ARRAY_SIZE(args) - 2; i++)
                args[n++] = opts[i];
        args[n++] = (char *)image;
        for (size_t i = 0; cmd && cmd[i] && n < ISO_ARRAY_SIZE(args) - 1; i++)
                args[n++] = cmd[i];
        args[n] = NULL;
        char out[4096];
        /* Seen with two runs' podman at work at once: a --network container:<app> run
         * refused with "does not exist in database" for an app container that exists
         * (podman 4.3's database read under a concurrent writer). Again, at most 3 times
         * 0.5 s apart, after removing whatever of our own name was left. */
        for (int try = 0;; try++) {
                if (iso_pm_must(who, args, out, sizeof(out), 60.0, e) == 0)
                        break;
                if (try == 3 || !strstr(e->msg, "does not exist in database"))
                        return NULL;
                char *rm[] = {"rm", "-f", (char *)name, NULL};
                iso_pm(who, rm, out, sizeof(out), 30.0, NULL);
                usleep(500000);
        }
        return pm_record(c->priv, owner, name, e);
}

int iso_pm_app_start(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o, struct iso_rt_app *app,
                     struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        memset(app, 0, sizeof(*app));
        if (iso_pm_prepare(c, "app", o, e) < 0)
                return -1;
        snprintf(app->name, sizeof(app->name), "isocheck-%s-app%u", c->run_id, c->n++);
        /* Test build: publish a port the app does not serve. */
        char publish[32];
        snprintf(publish, sizeof(publish), "127.0.0.1::%d",
                 o && o->not_serving ? ISO_APP_PORT + 1 : ISO_APP_PORT);
        struct pm_case *pc = c->priv;
        char *image = o && o->has_shell ? pc->app_shell : pc->app;
        char *opts[] = {"--hostname", (char *)(o && o->hostname ? o->hostname : "app"), "-p",
                        publish, NULL};
        struct pm_app *pa = pm_run(c, app, app->name, opts, image, NULL, e);
        if (!pa)
                return -1;
        app->priv = pa;
        char out[4096];
        char spec[32];
        snprintf(spec, sizeof(spec), "%d/tcp", ISO_APP_PORT + (o && o->not_serving));
        char *port[] = {"port", app->name, spec, NULL};
        int st = iso_pm(who, port, out, sizeof(out), 10.0, e);
        out[strcspn(out, "\n")] = '\0';
        char *colon = st == 0 ? strrchr(out, ':') : NULL;
        if (!colon || sscanf(colon + 1, "%d", &app->port) != 1)
                return iso_errf(e, EPROTO, "podman port %s %s: expected HOST:PORT, got \"%.100s\"",
                                app->name, spec, out);
        iso_strlcpy(app->addr, "127.0.0.1", sizeof(app->addr));
        if (pm_state(who, app->name, &app->pid, pa->started, sizeof(pa->started), e) < 0)
                return -1;
        dev_t dev;
        iso_ns_id(app->pid, "net", &dev, &pa->net, NULL);
        /* Until podman's port forwarding and the app both answer (bounded: 300 x 10 ms). */
        iso_rt_await_answer(app, ISO_RT_ANSWER_TRIES);
        return 0;
}

int iso_pm_app_unchanged(struct iso_rt_ctx *c, const struct iso_rt_app *app, struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        const struct pm_app *pa = app->priv;
        pid_t now = 0;
        char started[64] = "";
        struct iso_err se = {0};
        int known = pm_state(who, app->name, &now, started, sizeof(started), &se) == 0;
        dev_t dev;
        ino_t net_now = 0;
        if (known && now > 0)
                iso_ns_id(now, "net", &dev, &net_now, NULL);
        if (known && now == app->pid && pa && !strcmp(started, pa->started) && net_now == pa->net)
                return 0;
        return iso_errf(e, ESTALE,
                        "the app container %s changed (restarted or stopped from outside the "
                        "run), not a kernel verdict: it was PID %d in net:[%lu] started %s; now "
                        "%s%d in net:[%lu]%s%s",
                        app->name, (int)app->pid, pa ? (unsigned long)pa->net : 0UL,
                        pa ? pa->started : "?", known ? "PID " : "unknown: ", known ? (int)now : 0,
                        (unsigned long)net_now, known ? " started " : "", known ? started : se.msg);
}

int iso_pm_sidecar_start(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                         const struct iso_rt_sidecar_opts *o, struct iso_rt_sidecar *sc,
                         struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        memset(sc, 0, sizeof(*sc));
        if (iso_pm_prepare(c, "sidecar", NULL, e) < 0)
                return -1;
        snprintf(sc->name, sizeof(sc->name), "isocheck-%s-sidecar%u", c->run_id, c->n++);
        char network[224], dir[PATH_MAX], vol[PATH_MAX + 8], file[PATH_MAX], secs[16];
        snprintf(network, sizeof(network), "container:%s", app->name);
        /* The capture's directory, absolute (a bind source must be), mounted at /out. */
        char rel[PATH_MAX];
        iso_strlcpy(rel, o->pcap, sizeof(rel));
        char *slash = strrchr(rel, '/');
        if (!slash)
                return iso_errf(e, EINVAL, "sidecar capture %s: expected a path with a directory",
                                o->pcap);
        *slash = '\0';
        if (!realpath(rel, dir))
                return iso_errf(e, errno, "realpath %s", rel);
        snprintf(vol, sizeof(vol), "%s:/out", dir);
        snprintf(file, sizeof(file), "/out/%s", slash + 1);
        snprintf(secs, sizeof(secs), "%u", o->seconds ? o->seconds : 30);
        char *opts[] = {
                "--network", o->joined ? network : "none", "--cap-add", "NET_RAW", "-v", vol, NULL};
        char *cmd[] = {"-i", "any", "-f", (char *)o->filter, "-w", file, "-t", secs, NULL};
        if (!pm_run(c, sc, sc->name, opts, ((struct pm_case *)c->priv)->sidecar, cmd, e))
                return -1;
        char out[4096];
        /* Its "ready" line comes through podman logs (bounded: 500 x 10 ms). */
        char *logs[] = {"logs", sc->name, NULL};
        for (int i = 0; i < 500; i++) {
                iso_pm(who, logs, out, sizeof(out), 10.0, NULL);
                if (strstr(out, "ready\n"))
                        break;
                usleep(10000);
        }
        if (!strstr(out, "ready\n"))
                return iso_errf(e, ETIMEDOUT,
                                "expected the sidecar container %s to report ready within 5 s; "
                                "its log: %.300s",
                                sc->name, out);
        char started[64];
        return pm_state(who, sc->name, &sc->pid, started, sizeof(started), e);
}

/* podman stop sends SIGTERM: the sidecar flushes its pcap and exits. */
int iso_pm_sidecar_stop(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc, char *out, size_t size,
                        struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        if (size)
                out[0] = '\0';
        struct pm_app *rec = pm_find(c, sc);
        if (!rec)
                return 0; /* never started, or stopped already */
        rec->live = 0;
        char buf[1024];
        char *stop[] = {"stop", "-t", "10", rec->name, NULL};
        if (iso_pm_must(who, stop, buf, sizeof(buf), 30.0, e) < 0)
                return -1;
        char *wait[] = {"inspect", "-f", "{{.State.ExitCode}}", rec->name, NULL};
        int code = 0;
        if (iso_pm(who, wait, buf, sizeof(buf), 10.0, NULL) != 0 || sscanf(buf, "%d", &code) != 1)
                code = 0;
        char *logs[] = {"logs", rec->name, NULL};
        iso_pm(who, logs, out, size, 10.0, NULL);
        /* Gone now: podman refuses to remove an app another container joined. */
        char *rm[] = {"rm", "-f", rec->name, NULL};
        if (iso_pm_must(who, rm, buf, sizeof(buf), 30.0, e) < 0)
                return -1;
        return code << 8; /* as a wait status: exited with the container's code */
}

int iso_pm_exec(struct iso_rt_ctx *c, const struct iso_rt_app *app, char *const argv[],
                char *detail, size_t size, struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        char *args[24] = {"exec", (char *)app->name};
        size_t n = 2;
        for (size_t i = 0; argv[i] && n < ISO_ARRAY_SIZE(args) - 1; i++)
                args[n++] = argv[i];
        args[n] = NULL;
        char out[4096];
        struct iso_err pe = {0};
        int st = iso_pm(who, args, out, sizeof(out), 30.0, &pe);
        char tail[600];
        iso_docker_tail(out, 4, tail, sizeof(tail));
        /* 125 is podman's own failure (podman-exec(1) EXIT STATUS); 255 is what podman 4.3
         * answers for a container not running: neither says anything of the image. */
        if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) == 125 || WEXITSTATUS(st) == 255)
                return iso_errf(e, pe.errnum ? pe.errnum : EIO,
                                "expected `podman exec %s %s` to reach the container, got %s "
                                "0x%x%s%s: %s",
                                app->name, argv[0], st < 0 ? "no status" : "wait status", st,
                                pe.msg[0] ? ", " : "", pe.msg, tail);
        snprintf(detail, size, "exit status %d: %s", WEXITSTATUS(st), tail);
        if (WEXITSTATUS(st) == 127)
                return ISO_RT_EXEC_NOT_FOUND;
        if (WEXITSTATUS(st) == 126)
                return ISO_RT_EXEC_FAILED;
        return ISO_RT_EXEC_RAN;
}

int iso_pm_app_stop(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        struct pm_app *rec = pm_find(c, app);
        if (!rec)
                return 0; /* never started, or stopped already */
        rec->live = 0;
        char out[1024];
        char *stop[] = {"stop", "-t", "2", rec->name, NULL};
        if (iso_pm_must(who, stop, out, sizeof(out), 30.0, e) < 0)
                return -1;
        char *code[] = {"inspect", "-f", "{{.State.ExitCode}}", rec->name, NULL};
        int v = 0;
        if (iso_pm(who, code, out, sizeof(out), 10.0, NULL) != 0 || sscanf(out, "%d", &v) != 1)
                v = 0;
        /* --depend: a sidecar still on its network goes with it. */
        char *rm[] = {"rm", "-f", "--depend", rec->name, NULL};
        if (iso_pm_must(who, rm, out, sizeof(out), 30.0, e) < 0)
                return -1;
        return v << 8;
}

long iso_pm_reclaim_as(const struct pm_who *who, const char *run_id, const char *case_name,
                       char *what, size_t size)
{
        char run_filter[160], case_filter[320];
        snprintf(run_filter, sizeof(run_filter), "label=" PM_LABEL_RUN "=%s", run_id);
        snprintf(case_filter, sizeof(case_filter), "label=" PM_LABEL_CASE "=%s",
                 case_name ? case_name : "");
        /* The run's label alone: podman ORs two label filters (run=A or case=X would take
         * another run's objects of the same case, as two runs at once showed). A run's
         * cases follow one another, so at a case's end whatever the run has is the case's. */
        char *ps[] = {"ps", "-aq", "--filter", run_filter, NULL};
        char *images[] = {"images", "-aq", "--filter", run_filter, NULL};
        static char containers[16384], imgs[16384];
        size_t nc = iso_pm_list(who, ps, containers, sizeof(containers));
        /* A case's images are the cache's, without a run label (runtime_podman_cache.c):
         * only a whole run's reclaim (a dead run, an older isocheck's images) lists images. */
        size_t ni = case_name ? 0 : iso_pm_list(who, images, imgs, sizeof(imgs));
        if (size)
                snprintf(what, size, "%zu podman container(s), %zu image(s) labelled %s", nc, ni,
                         case_name ? case_filter + 6 : run_filter + 6);
        /* Containers first (an image in use cannot go), then images. */
        iso_pm_remove(who, "rm", containers);
        iso_pm_remove(who, "rmi", imgs);
        /* Seen under load (another run's podman at work on the same storage): an image
         * still listed after its rmi, its last container's storage not yet released. Again,
         * every 0.5 s, for 15 s at most. */
        for (int i = 0; i < 30 && ni && iso_pm_list(who, images, imgs, sizeof(imgs)); i++) {
                usleep(500000);
                iso_pm_remove(who, "rmi", imgs);
        }
        return (long)(nc + ni);
}

/* Call @found for every distinct run id in @list (one a line). */
static long pm_each_run(char *list, void (*found)(void *arg, const char *run_id), void *arg,
                        char seen[][96], size_t *n_seen, size_t max)
{
        long calls = 0;
        for (char *save = NULL, *id = strtok_r(list, "\n", &save); id;
             id = strtok_r(NULL, "\n", &save)) {
                size_t i = 0;
                while (i < *n_seen && strcmp(seen[i], id))
                        i++;
                if (i < *n_seen || !id[0] || !strcmp(id, "<no value>"))
                        continue;
                if (*n_seen < max)
                        iso_strlcpy(seen[(*n_seen)++], id, 96);
                found(arg, id);
                calls++;
        }
        return calls;
}

long iso_pm_scan_as(const struct pm_who *who, void (*found)(void *arg, const char *run_id),
                    void *arg)
{
        static char list[16384];
        static char seen[128][96];
        size_t n_seen = 0;
        char *ps[] = {"ps",       "-a",
                      "--filter", "label=" PM_LABEL_RUN,
                      "--format", "{{index .Labels \"" PM_LABEL_RUN "\"}}",
                      NULL};
        char *images[] = {"images",   "-a",
                          "--filter", "label=" PM_LABEL_RUN,
                          "--format", "{{index .Labels \"" PM_LABEL_RUN "\"}}",
                          NULL};
        if (iso_pm(who, ps, list, sizeof(list), 20.0, NULL) != 0)
                return -1;
        long calls = pm_each_run(list, found, arg, seen, &n_seen, ISO_ARRAY_SIZE(seen));
        if (iso_pm(who, images, list, sizeof(list), 20.0, NULL) != 0)
                return -1;
        return calls + pm_each_run(list, found, arg, seen, &n_seen, ISO_ARRAY_SIZE(seen));
}

static long pm_reclaim(const char *run_id, const char *case_name, char *what, size_t size)
{
        return iso_pm_reclaim_as(NULL, run_id, case_name, what, size);
}

static long pm_scan(void (*found)(void *arg, const char *run_id), void *arg)
{
        return iso_pm_scan_as(NULL, found, arg);
}

static int pm_probe(struct iso_env *env, char *why, size_t size)
{
        (void)env;
        iso_pm_set_home();
        char out[512];
        char *version[] = {"version", "--format", "{{.Client.Version}}", NULL};
        struct iso_err e = {0};
        int st = iso_pm(NULL, version, out, sizeof(out), 20.0, &e);
        /* 127: the exec failed (tool.h), no podman on PATH; nothing of it can exist. */
        if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127) {
                snprintf(why, size, "podman is not installed (not on PATH)");
                return -1;
        }
        if (geteuid() != 0) {
                snprintf(why, size, "rootful podman needs root (euid %u)", (unsigned)geteuid());
                return 0;
        }
        if (st != 0) {
                char tail[300];
                iso_docker_tail(out, 2, tail, sizeof(tail));
                snprintf(why, size, "`podman version` did not answer (%s%s)",
                         st < 0 ? e.msg : "status ", st < 0 ? "" : tail);
                return 0;
        }
        out[strcspn(out, "\n")] = '\0';
        iso_pm_cache_hold(NULL); /* what --cleanup reads as "a live run uses the images" */
        const char *rt = iso_pm_oci_runtime();
        snprintf(why, size, "podman %s%s%s", out, rt ? ", OCI runtime " : "", rt ? rt : "");
        return 1;
}

static long pm_sweep_cache(char *what, size_t size)
{
        return iso_pm_cache_sweep_as(NULL, what, size);
}

static const struct iso_runtime podman_runtime = {
        .name = "podman",
        .suffix = ".podman",
        /* Rootful: without CAP_SYS_ADMIN podman takes itself for rootless and wants
         * slirp4netns, so a root that dropped it skips here, naming it. */
        .needs = {ISO_ROOT, ISO_CAP_SYS_ADMIN},
        .requirement = "rootful podman",
        /* The sidecar is given CAP_NET_RAW, which podman can grant only from a caller
         * that still holds it (packet(7)). */
        .sidecar_needs = {ISO_CAP("CAP_NET_RAW", 13)},
        .min_timeout_s = 120,
        .root_entries = "dev etc proc run sys",
        .probe = pm_probe,
        .prepare = iso_pm_prepare,
        .app_start = iso_pm_app_start,
        .sidecar_start = iso_pm_sidecar_start,
        .sidecar_stop = iso_pm_sidecar_stop,
        .exec = iso_pm_exec,
        .app_unchanged = iso_pm_app_unchanged,
        .app_stop = iso_pm_app_stop,
        .reclaim = pm_reclaim,
        .scan = pm_scan,
        .sweep_cache = pm_sweep_cache,
};
ISO_RUNTIME(podman_runtime);
