// SPDX-License-Identifier: MIT
/*
 * The docker runtime behind the seam, through the Docker CLI exactly as the lab runs it
 * (harness/docker.c). Images are built FROM scratch from our own binaries (no registry);
 * the app's port is published on 127.0.0.1 with a port docker picks, so two runs never
 * collide on 8000. Everything carries the labels isocheck.run and isocheck.case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/container.h"
#include "isocheck/docker.h"
#include "isocheck/fault.h"
#include "isocheck/ns.h"
#include "isocheck/runtime.h"
#include "runtime_docker.h"

/* What a case made, named after the run and the case so reclaim finds it. */
struct dk {
        char tag[160]; /* image name:tag prefix for this case */
        char label_run[96], label_case[192];
        char image_app[192], image_sidecar[192];
};

struct dk_app {
        ino_t net;        /* its network namespace when it started */
        char started[64]; /* docker's .State.StartedAt then: a restart changes it */
};

static struct dk *dk_of(struct iso_rt_ctx *c, struct iso_err *e)
{
        if (c->priv)
                return c->priv;
        struct dk *d = calloc(1, sizeof(*d));
        if (!d) {
                iso_errf(e, errno, "expected memory for the docker runtime's state");
                return NULL;
        }
        snprintf(d->tag, sizeof(d->tag), "isocheck-%s", c->run_id);
        snprintf(d->label_run, sizeof(d->label_run), ISO_DOCKER_LABEL_RUN "=%s", c->run_id);
        snprintf(d->label_case, sizeof(d->label_case), ISO_DOCKER_LABEL_CASE "=%s", c->case_name);
        c->priv = d;
        return d;
}

/* `docker ARGS`, expecting success; docker's last words otherwise (its first ones are
 * often a deprecation banner). */
static int dk_must(char *const args[], char *out, size_t size, double timeout, struct iso_err *e)
{
        struct iso_err de = {0};
        int st = iso_docker(args, out, size, timeout, &de);
        if (st == 0)
                return 0;
        char tail[600];
        iso_docker_tail(out, 4, tail, sizeof(tail));
        return iso_errf(e, 0, "expected `docker %s` to succeed, got status 0x%x%s%s: %s", args[0],
                        st, de.msg[0] ? ": " : "", de.msg, tail);
}

static int dk_probe(struct iso_env *env, char *why, size_t size)
{
        /* Asked once here, so docker cases skip with the daemon's own reason. */
        const struct iso_tool *docker = iso_env_tool(env, "docker");
        int answer = 0;
        if (docker && docker->path[0]) {
                answer = iso_docker_reachable(env->docker_info, sizeof(env->docker_info));
                env->docker_reachable = answer > 0;
                env->docker_broken = answer < 0;
        } else
                snprintf(env->docker_info, sizeof(env->docker_info), "docker not on PATH");
        if (env->docker_reachable)
                env->docker_buildkit =
                        iso_docker_builder(env->docker_builder, sizeof(env->docker_builder));
        iso_strlcpy(why, env->docker_info, size);
        if (env->docker_reachable) {
                dk_cache_hold(); /* what --cleanup reads as "a live run uses the images" */
                return 1;
        }
        if (env->docker_broken)
                return ISO_RUNTIME_BROKEN;
        return docker && docker->path[0] ? 0 : -1;
}

static int dk_prepare(struct iso_rt_ctx *c, const char *what, const struct iso_rt_app_opts *o,
                      struct iso_err *e)
{
        struct dk *d = dk_of(c, e);
        if (!d)
                return -1;
        int sidecar = !strcmp(what, "sidecar");
        char *image = sidecar ? d->image_sidecar : d->image_app;
        size_t size = sidecar ? sizeof(d->image_sidecar) : sizeof(d->image_app);
        /* Asked once per case: the second app of a case runs the same image. */
        if (image[0])
                return 0;
        char ctx_name[32], ctx[PATH_MAX];
        snprintf(ctx_name, sizeof(ctx_name), "%s-image", what);
        struct iso_err fe = {0};
        if (iso_fixture_path(ctx_name, ctx, sizeof(ctx), &fe) < 0)
                return iso_errf(e, 0, "expected the %s image context, but %s", what, fe.msg);
        int shell = !sidecar && ((o && o->has_shell) || iso_fault("docker.image.has_shell"));
        /* Built once for every case and every run while the context is the same
         * (runtime_docker.h), not once per case. */
        return dk_cached_image(c, what, ctx, shell ? "COPY app /bin/bash" : NULL, image, size, e);
}

/* The container's PID and start time as docker sees them now. 0 or -1 with @e. */
static int dk_state(const char *name, pid_t *pid, char *started, size_t size, struct iso_err *e)
{
        char out[512];
        char *args[] = {"inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", (char *)name, NULL};
        int st = iso_docker(args, out, sizeof(out), 10.0, e);
        int v = -1;
        char when[64] = "";
        if (st != 0 || sscanf(out, "%d %63s", &v, when) != 2 || v < 0)
                return iso_errf(e, 0, "docker inspect %s: expected \"PID STARTED\", got \"%.100s\"",
                                name, out);
        *pid = v;
        iso_strlcpy(started, when, size);
        return 0;
}

/* Seconds since the epoch of docker's StartedAt ("2026-11-30T13:17:21.123456789Z"), or -1. */
static double rfc3339_time(const char *s)
{
        struct tm tm = {0};
        double frac = 0;
        int n = 0;
        if (sscanf(s, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec, &n) != 6)
                return -1;
        if (s[n] == '.')
                frac = strtod(s + n, NULL);
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        time_t t = timegm(&tm); /* docker reports UTC ("Z") */
        return t == (time_t)-1 ? -1 : (double)t + frac;
}

/* When process @pid of this /proc started, seconds since the epoch (btime + field 22 of
 * /proc/PID/stat in clock ticks), or -1. */
static double proc_start_time(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        char *stat = iso_read_file(path, NULL, NULL);
        char *procstat = iso_read_file("/proc/stat", NULL, NULL);
        double t = -1;
        const char *p = stat ? strrchr(stat, ')') : NULL;
        const char *b = procstat ? strstr(procstat, "\nbtime ") : NULL;
        unsigned long long ticks = 0;
        long hz = sysconf(_SC_CLK_TCK);
        /* After "PID (COMM)": state is field 3, starttime field 22, so 19 fields on. */
        if (p && b && hz > 0 &&
            sscanf(p + 1,
                   " %*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                   "%*s %*s %llu",
                   &ticks) == 1)
                t = (double)strtoull(b + 7, NULL, 10) + (double)ticks / (double)hz;
        free(stat);
        free(procstat);
        return t;
}

/*
 * docker's PIDs are the daemon's (its PID namespace): /proc/@pid here must be the
 * container's process, not another that has the same number in this run's namespace.
 * It is when docker still names that PID and the process started when docker says the
 * container did (within 5 s: btime has whole seconds, and runc starts the process
 * before docker records the time).
 */
static int dk_pid_is(struct iso_rt_ctx *c, const char *name, pid_t pid, char *why, size_t size)
{
        (void)c;
        pid_t now = 0;
        char started[64] = "";
        struct iso_err se = {0};
        if (dk_state(name, &now, started, sizeof(started), &se) < 0) {
                snprintf(why, size, "%s", se.msg);
                return 0;
        }
        double want = rfc3339_time(started), got = proc_start_time(pid);
        /* Only evidence of another process skips: a time that cannot be read does not. */
        if (now == pid && (want <= 0 || got <= 0 || (got > want - 5 && got < want + 5)))
                return 1;
        snprintf(why, size,
                 "docker says %s is PID %d, started %s (%.0f); /proc/%d here is a process "
                 "started at %.0f: another process with that number in this run's PID "
                 "namespace (a run under unshare -p?), not the container's",
                 name, (int)now, started, want, (int)pid, got);
        return 0;
}

static int dk_app_start(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o,
                        struct iso_rt_app *app, struct iso_err *e)
{
        struct dk *d = dk_of(c, e);
        if (!d || (!d->image_app[0] && dk_prepare(c, "app", o, e) < 0))
                return -1;
        struct dk_app *a = calloc(1, sizeof(*a));
        if (!a)
                return iso_errf(e, errno, "expected memory for the app container's state");
        app->priv = a;
        snprintf(app->name, sizeof(app->name), "%s-app%u", d->tag, c->n++);
        char out[4096];
        char *args[] = {"run",        "-d",
                        "--name",     app->name,
                        "--label",    d->label_run,
                        "--label",    d->label_case,
                        "--hostname", (char *)o->hostname,
                        "-p",         "127.0.0.1::8000",
                        d->image_app, NULL,
                        NULL};
        /* An app that does not serve the port docker publishes: it listens on 8001. */
        if (o->not_serving || iso_fault("docker.app.not_serving"))
                args[13] = "8001";
        if (dk_must(args, out, sizeof(out), 60.0, e) < 0)
                return -1;
        /* PID, start time and published port in one client call (each call is a
         * client process and a daemon round trip: tens of ms). */
        char inspect[512];
        char *state[] = {"inspect", "-f",
                         "{{.State.Pid}} {{.State.StartedAt}} "
                         "{{with index .NetworkSettings.Ports \"8000/tcp\"}}"
                         "{{(index . 0).HostPort}}{{end}}",
                         app->name, NULL};
        int st = iso_docker(state, inspect, sizeof(inspect), 10.0, NULL);
        int pid = -1;
        if (st != 0 || sscanf(inspect, "%d %63s %d", &pid, a->started, &app->port) != 3 || pid <= 0)
                return iso_errf(e, 0,
                                "expected the app container's PID, start time and host port "
                                "from docker inspect %s, got status 0x%x: \"%.200s\"",
                                app->name, st, inspect);
        app->pid = pid;
        /* Test build: a PID that names another process here (PID 1), as one from the
         * daemon's PID namespace can under `unshare -p`. */
        if (iso_fault("docker.app.pid_elsewhere"))
                app->pid = 1;
        iso_strlcpy(app->addr, "127.0.0.1", sizeof(app->addr));
        dev_t dev;
        iso_ns_id(app->pid, "net", &dev, &a->net, NULL);
        /* Until docker's proxy and the app both answer (bounded: ISO_RT_ANSWER_TRIES x 10 ms). */
        if (iso_rt_await_answer(app, ISO_RT_ANSWER_TRIES))
                return 0;
        if (c->t)
                iso_log(c->t, "the app container did not answer on 127.0.0.1:%d within %d s",
                        app->port, ISO_RT_ANSWER_TRIES / 100);
        return 0;
}

/*
 * The app a sidecar joined must still be the one running: `docker restart app` gives it a
 * new PID and a new network namespace while the sidecar stays in the old one, and a check
 * would then blame the kernel for what a user did.
 */
static int dk_app_unchanged(struct iso_rt_ctx *c, const struct iso_rt_app *app, struct iso_err *e)
{
        (void)c;
        const struct dk_app *a = app->priv;
        pid_t now = 0;
        char started[64] = "";
        struct iso_err se = {0};
        int known = dk_state(app->name, &now, started, sizeof(started), &se) == 0;
        dev_t dev;
        ino_t net_then = 0, net_now = 0;
        iso_ns_id(app->pid, "net", &dev, &net_then, NULL);
        if (known && now > 0)
                iso_ns_id(now, "net", &dev, &net_now, NULL);
        if (known && now == app->pid && !strcmp(started, a->started) && net_then == a->net)
                return 0;
        return iso_errf(e, 0,
                        "the app container %s changed under its sidecar (restarted or stopped "
                        "from outside the run), not a kernel verdict: it was PID %d in "
                        "net:[%lu] started %s; now %s%d in net:[%lu]%s%s",
                        app->name, (int)app->pid, (unsigned long)a->net, a->started,
                        known ? "PID " : "unknown: ", known ? (int)now : 0, (unsigned long)net_now,
                        known ? " started " : "", known ? started : se.msg);
}

/* docker stop sends SIGTERM; the exit code comes from docker inspect. Our app and sidecar
 * exit at once on SIGTERM: the grace period before SIGKILL is 2 s (runtime.h), not
 * docker's 10, so one that hangs costs the case 2 s. */
static int dk_stop_container(const char *name, char *out, size_t size)
{
        char buf[1024];
        char *args[] = {"stop", "-t", "2", (char *)name, NULL};
        iso_docker(args, buf, sizeof(buf), 30.0, NULL);
        if (out) {
                char *logs[] = {"logs", (char *)name, NULL};
                iso_docker(logs, out, size, 10.0, NULL);
        }
        char *code[] = {"inspect", "-f", "{{.State.ExitCode}}", (char *)name, NULL};
        int v = -1;
        int known = iso_docker(code, buf, sizeof(buf), 10.0, NULL) == 0 &&
                    sscanf(buf, "%d", &v) == 1 && v >= 0 && v <= 255;
        /* Removed here, once its words and status are read: a stopped container is
         * gone with its stop, as the floor (start + reach + remove) counts it, and the
         * case's reclaim then finds nothing to do. */
        char *rm[] = {"rm", (char *)name, NULL};
        iso_docker(rm, buf, sizeof(buf), 30.0, NULL);
        if (!known)
                return -1;
        return (v & 0xff) << 8; /* as a wait status: WIFEXITED, WEXITSTATUS v */
}

static int dk_app_stop(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e)
{
        (void)c;
        if (!app->priv)
                return 0;
        free(app->priv);
        app->priv = NULL;
        int st = dk_stop_container(app->name, NULL, 0);
        if (st < 0)
                return iso_errf(e, 0, "docker inspect %s: no exit code after docker stop",
                                app->name);
        return st;
}

/* The directory of @pcap, absolute: docker takes only absolute bind sources. */
static int pcap_dir(const char *pcap, char dir[PATH_MAX], struct iso_err *e)
{
        char parent[PATH_MAX];
        iso_strlcpy(parent, pcap, sizeof(parent));
        char *slash = strrchr(parent, '/');
        if (!slash)
                return iso_errf(e, EINVAL, "expected a path with a directory, got %s", pcap);
        *slash = '\0';
        if (!realpath(parent, dir))
                return iso_errf(e, errno, "realpath %s", parent);
        return 0;
}

static int dk_sidecar_start(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                            const struct iso_rt_sidecar_opts *o, struct iso_rt_sidecar *sc,
                            struct iso_err *e)
{
        struct dk *d = dk_of(c, e);
        if (!d || (!d->image_sidecar[0] && dk_prepare(c, "sidecar", NULL, e) < 0))
                return -1;
        char dir[PATH_MAX], vol[PATH_MAX + 8], file[160], net[224], secs[16];
        if (pcap_dir(o->pcap, dir, e) < 0)
                return -1;
        snprintf(vol, sizeof(vol), "%s:/out", dir);
        snprintf(file, sizeof(file), "/out/%s", strrchr(o->pcap, '/') + 1);
        snprintf(secs, sizeof(secs), "%u", o->seconds);
        /* Test builds: a sidecar in another network namespace (own_netns); the sidecar
         * that should be elsewhere joins the case's first app after all (joined). */
        const struct iso_rt_app *into = app;
        if (iso_fault("docker.sidecar.joined") && c->n_apps && app != c->apps[0])
                into = c->apps[0];
        snprintf(net, sizeof(net), "container:%s", into->name);
        if (!o->joined || iso_fault("docker.sidecar.own_netns"))
                iso_strlcpy(net, "none", sizeof(net));
        /* Test build: a capture that misses packets (every SYN). */
        const char *filter = iso_fault("docker.sidecar.misses_syn")
                                     ? "tcp port 8000 and tcp[13] & 2 == 0"
                                     : o->filter;
        snprintf(sc->name, sizeof(sc->name), "%s-sidecar%u", d->tag, c->n++);
        char out[4096];
        char *args[] = {"run",
                        "-d",
                        "--name",
                        sc->name,
                        "--label",
                        d->label_run,
                        "--label",
                        d->label_case,
                        "--network",
                        net,
                        "-v",
                        vol,
                        d->image_sidecar,
                        "-i",
                        "any",
                        "-f",
                        (char *)filter,
                        "-w",
                        file,
                        "-t",
                        secs,
                        NULL};
        if (dk_must(args, out, sizeof(out), 60.0, e) < 0)
                return -1;
        /* Its "ready" line comes through docker logs (bounded: 500 x 10 ms). */
        char *logs[] = {"logs", sc->name, NULL};
        for (int i = 0; i < 500; i++) {
                iso_docker(logs, out, sizeof(out), 10.0, NULL);
                if (strstr(out, "ready\n"))
                        break;
                usleep(10000);
        }
        if (!strstr(out, "ready\n"))
                return iso_errf(e, 0,
                                "expected the sidecar container to report ready within 5 s; "
                                "its log: %.300s",
                                out);
        sc->priv = d; /* running: stop it once */
        iso_docker_pid(sc->name, &sc->pid, NULL);
        return 0;
}

static int dk_sidecar_stop(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc, char *out, size_t size,
                           struct iso_err *e)
{
        (void)c;
        if (!sc->priv)
                return 0;
        sc->priv = NULL;
        int st = dk_stop_container(sc->name, out, size);
        if (st < 0)
                return iso_errf(e, 0, "docker inspect %s: no exit code after docker stop",
                                sc->name);
        return st;
}

static int dk_exec(struct iso_rt_ctx *c, const struct iso_rt_app *app, char *const argv[],
                   char *detail, size_t size, struct iso_err *e)
{
        char *args[16] = {"exec", (char *)app->name};
        size_t n = 2;
        for (size_t i = 0; argv[i] && n < ISO_ARRAY_SIZE(args) - 1; i++)
                args[n++] = argv[i];
        args[n] = NULL;
        char out[4096];
        struct iso_err de = {0};
        int st = iso_docker(args, out, sizeof(out), 30.0, &de);
        if (c->t)
                iso_log(c->t, "docker exec %s %s: status 0x%x: %s", app->name, argv[0], st, out);
        /* The verdict rests on the status, never on the client's words, which differ
         * between clients. 125 is the client's or daemon's own failure (docker-run(1) EXIT
         * STATUS): it says nothing about the image. */
        if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) == 125) {
                char tail[600];
                iso_docker_tail(out, 4, tail, sizeof(tail));
                return iso_errf(e, 0,
                                "expected `docker exec %s %s` to reach the container, got %s 0x%x "
                                "(125 is docker's own error)%s%s: %s",
                                app->name, argv[0], st < 0 ? "no status" : "wait status", st,
                                de.msg[0] ? ", " : "", de.msg, tail);
        }
        snprintf(detail, size, "exit status %d", WEXITSTATUS(st));
        if (WEXITSTATUS(st) == 127)
                return ISO_RT_EXEC_NOT_FOUND;
        /* 126: cannot invoke (runc says so for a program missing from $PATH as well) */
        return WEXITSTATUS(st) == 126 ? ISO_RT_EXEC_FAILED : ISO_RT_EXEC_RAN;
}

/* Run ids from docker: containers and images (intermediate ones of an interrupted build
 * included, which have no name) by their isocheck.run label. */
static long dk_scan(void (*found)(void *arg, const char *run_id), void *arg)
{
        static char out[16384];
        char *ps[] = {"ps",       "-a",
                      "--filter", "label=" ISO_DOCKER_LABEL_RUN,
                      "--format", "{{.Label \"" ISO_DOCKER_LABEL_RUN "\"}}",
                      NULL};
        long n = 0;
        if (iso_docker(ps, out, sizeof(out), 20.0, NULL) != 0)
                return -1;
        for (char *save = NULL, *id = strtok_r(out, "\n", &save); id;
             id = strtok_r(NULL, "\n", &save), n++)
                found(arg, id);
        /* `docker images` cannot format a label: list the IDs, then inspect them, at most
         * 64 per call (bounded argv). */
        static char ids[16384];
        char *images[] = {"images", "-aq", "--no-trunc", "--filter", "label=" ISO_DOCKER_LABEL_RUN,
                          NULL};
        if (iso_docker(images, ids, sizeof(ids), 20.0, NULL) != 0)
                return n;
        char *save = NULL, *img = strtok_r(ids, "\n", &save);
        while (img) {
                char *args[72] = {"image", "inspect", "--format",
                                  "{{index .Config.Labels \"" ISO_DOCKER_LABEL_RUN "\"}}"};
                size_t k = 4;
                for (; img && k < ISO_ARRAY_SIZE(args) - 1; img = strtok_r(NULL, "\n", &save))
                        args[k++] = img;
                args[k] = NULL;
                /* An image removed meanwhile fails the call but the others still print. */
                iso_docker(args, out, sizeof(out), 20.0, NULL);
                for (char *s2 = NULL, *id = strtok_r(out, "\n", &s2); id;
                     id = strtok_r(NULL, "\n", &s2))
                        if (strncmp(id, "Error", 5)) {
                                found(arg, id);
                                n++;
                        }
        }
        return n;
}

static const struct iso_runtime docker_runtime = {
        .name = "docker",
        .suffix = ".docker",
        .needs = {ISO_ROOT},
        .requirement = "a Docker daemon",
        .min_timeout_s = 120, /* image builds */
        /* What dockerd and runc put in every container's root (/.dockerenv; the mount
         * points of /dev, /proc, /sys; /etc for hostname, hosts, resolv.conf). */
        .root_entries = ".dockerenv dev etc proc sys",
        .probe = dk_probe,
        .prepare = dk_prepare,
        .app_start = dk_app_start,
        .app_stop = dk_app_stop,
        .sidecar_start = dk_sidecar_start,
        .sidecar_stop = dk_sidecar_stop,
        .exec = dk_exec,
        .app_unchanged = dk_app_unchanged,
        .pid_is = dk_pid_is,
        .reclaim = iso_docker_reclaim,
        .scan = dk_scan,
        .sweep_cache = dk_cache_sweep,
};
ISO_RUNTIME(docker_runtime);
