// SPDX-License-Identifier: MIT
/*
 * Debugging Slim Containers, docker runtime: the same behaviours as container.c and
 * sidecar.c, through the Docker CLI exactly as the lab runs it. Images are built
 * FROM scratch from our own binaries (no registry); the app's port is published on
 * 127.0.0.1 with a port docker picks, so two runs never collide on 8000.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/capture.h"
#include "isocheck/case.h"
#include "isocheck/container.h"
#include "isocheck/docker.h"
#include "isocheck/env.h"
#include "isocheck/fault.h"
#include "isocheck/fixtures.h"
#include "isocheck/ns.h"

#define APP_PORT 8000
#define REQUESTS 5
#define APP_BODY "isocheck app: hello from a FROM-scratch container\n"

/* What a case made, named after the run and the case so reclaim finds it. */
struct dk {
        struct iso_t *t;
        char tag[160]; /* image name:tag prefix for this case */
        char label_run[96], label_case[192];
        unsigned n; /* objects made so far, for unique names */
};

static void dk_init(struct iso_t *t, struct dk *d)
{
        memset(d, 0, sizeof(*d));
        d->t = t;
        snprintf(d->tag, sizeof(d->tag), "isocheck-%s", iso_case_run_id(t));
        snprintf(d->label_run, sizeof(d->label_run), ISO_DOCKER_LABEL_RUN "=%s",
                 iso_case_run_id(t));
        snprintf(d->label_case, sizeof(d->label_case), ISO_DOCKER_LABEL_CASE "=%s",
                 iso_current_case(t)->name);
}

/* Remove what the case made now; the runner would otherwise report it as left behind. */
static void dk_cleanup(struct dk *d)
{
        iso_docker_reclaim(iso_case_run_id(d->t), iso_current_case(d->t)->name, NULL, 0);
}

/* `docker ARGS`, expecting success; the case breaks with docker's last words otherwise
 * (its first ones are often a deprecation banner). */
static void dk_must(struct dk *d, char *const args[], char *out, size_t size, double timeout)
{
        struct iso_err e = {0};
        int st = iso_docker(args, out, size, timeout, &e);
        if (st != 0) {
                char tail[600];
                iso_docker_tail(out, 4, tail, sizeof(tail));
                dk_cleanup(d);
                iso_broken(d->t, "expected `docker %s` to succeed, got status 0x%x%s%s: %s",
                           args[0], st, e.msg[0] ? ": " : "", e.msg, tail);
        }
}

/* The whole client output of a build, kept as an artifact: 1 MiB holds any of ours. */
#define BUILD_OUT_SIZE (1024 * 1024)

/* Build image @what ("app" or "sidecar") from its context under build/fixtures, with the
 * builder the environment probe chose; @extra Dockerfile lines (test-build faults). */
static void dk_build(struct dk *d, const char *what, const char *extra, char *image, size_t size)
{
        char ctx_name[32], ctx[PATH_MAX];
        snprintf(ctx_name, sizeof(ctx_name), "%s-image", what);
        struct iso_err e = {0};
        if (iso_fixture_path(ctx_name, ctx, sizeof(ctx), &e) < 0)
                iso_broken(d->t, "expected the %s image context, but %s", what, e.msg);
        snprintf(image, size, "%s-%s:%u", d->tag, what, d->n++);
        struct iso_docker_build_opts o = {.context = ctx,
                                          .tag = image,
                                          .labels = {d->label_run, d->label_case, NULL},
                                          .extra = extra,
                                          .buildkit = iso_case_env(d->t)->docker_buildkit};
        iso_autofree char *out = calloc(1, BUILD_OUT_SIZE);
        if (!out)
                iso_broken(d->t, "expected %d bytes for docker build's output: %s", BUILD_OUT_SIZE,
                           strerror(errno));
        int st = iso_docker_build(&o, out, BUILD_OUT_SIZE, 120.0, &e);
        char log_name[64];
        snprintf(log_name, sizeof(log_name), "docker-build-%s.log", what);
        if (st == 0)
                return;
        size_t len = strlen(out);
        if (len == BUILD_OUT_SIZE - 1) /* iso_tool_run dropped the rest: say so */
                iso_log(d->t, "docker build's output was cut at %d bytes", BUILD_OUT_SIZE);
        int kept = iso_artifact(d->t, log_name, out, len) == 0;
        char tail[700], how[sizeof(e.msg) + 32];
        iso_docker_tail(out, 6, tail, sizeof(tail));
        if (st < 0)
                snprintf(how, sizeof(how), "%s", e.msg);
        else
                snprintf(how, sizeof(how), "wait status 0x%x%s%s", st, e.msg[0] ? ", " : "", e.msg);
        dk_cleanup(d);
        iso_broken(d->t,
                   "expected `docker build` of the %s image (%s builder) to succeed, got %s; "
                   "its last lines: %s%s%s",
                   what, o.buildkit ? "BuildKit" : "legacy", how, tail[0] ? tail : "(none)",
                   kept ? "; whole output in artifact " : "", kept ? log_name : "");
}

struct dk_app {
        char image[192];
        char name[192];
        int host_port;
        pid_t pid;
        ino_t net;        /* its network namespace when it started */
        char started[64]; /* docker's .State.StartedAt then: a restart changes it */
        int answered;     /* it answered GET / within 3 s of starting */
};

/* The app container's PID and start time as docker sees them now. 0 or -1 with @e. */
static int dk_app_state(const char *name, pid_t *pid, char *started, size_t size, struct iso_err *e)
{
        char out[512];
        char *args[] = {"inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", (char *)name, NULL};
        int st = iso_docker(args, out, sizeof(out), 10.0, e);
        int v = -1;
        char when[64] = "";
        if (st != 0 || sscanf(out, "%d %63s", &v, when) != 2 || v < 0)
                return iso_errf(e, EPROTO,
                                "docker inspect %s: expected \"PID STARTED\", got \"%.100s\"", name,
                                out);
        *pid = v;
        iso_strlcpy(started, when, size);
        return 0;
}

/* Start the app; with @must_answer, one that does not answer within 3 s breaks the case,
 * otherwise the case's own checks say it (container.app.serves.docker is about that). */
static void dk_start_app(struct dk *d, struct dk_app *a, int must_answer)
{
        dk_build(d, "app", iso_fault("docker.image.has_shell") ? "COPY app /bin/bash" : NULL,
                 a->image, sizeof(a->image));
        snprintf(a->name, sizeof(a->name), "%s-app%u", d->tag, d->n++);
        char out[4096];
        char *args[] = {"run",        "-d",         "--name",  a->name,
                        "--label",    d->label_run, "--label", d->label_case,
                        "--hostname", "app",        "-p",      "127.0.0.1::8000",
                        a->image,     NULL,         NULL};
        /* An app that does not serve the port docker publishes: it listens on 8001. */
        if (iso_fault("docker.app.not_serving"))
                args[13] = "8001";
        dk_must(d, args, out, sizeof(out), 60.0);
        struct iso_err e = {0};
        if (iso_docker_host_port(a->name, APP_PORT, &a->host_port, &e) < 0 ||
            dk_app_state(a->name, &a->pid, a->started, sizeof(a->started), &e) < 0) {
                dk_cleanup(d);
                iso_broken(d->t, "expected the app container's port and PID, but %s", e.msg);
        }
        dev_t dev;
        a->net = 0;
        iso_ns_id(a->pid, "net", &dev, &a->net, NULL);
        /* Until docker's proxy and the app both answer (bounded: 300 x 10 ms). */
        for (int i = 0; i < 300; i++) {
                int status = 0;
                char body[128];
                if (iso_http_get("127.0.0.1", a->host_port, "/", &status, body, sizeof(body),
                                 NULL) == 0) {
                        a->answered = 1;
                        return;
                }
                usleep(10000);
        }
        iso_log(d->t, "the app container did not answer on 127.0.0.1:%d within 3 s", a->host_port);
        if (must_answer) {
                dk_cleanup(d);
                iso_broken(d->t, "expected the app container to answer on 127.0.0.1:%d within 3 s",
                           a->host_port);
        }
}

/*
 * The app a sidecar joined must still be the one running: `docker restart app` gives it a
 * new PID and a new network namespace while the sidecar stays in the old one, and a check
 * would then blame the kernel for what a user did. Breaks the case naming both namespaces
 * when docker's PID or start time changed, or the PID no longer has the namespace it had.
 */
static void dk_app_unchanged(struct dk *d, struct dk_app *a, const char *sidecar, ino_t sidecar_net)
{
        pid_t now = 0;
        char started[64] = "";
        struct iso_err e = {0};
        int known = dk_app_state(a->name, &now, started, sizeof(started), &e) == 0;
        dev_t dev;
        ino_t net_then = 0, net_now = 0;
        iso_ns_id(a->pid, "net", &dev, &net_then, NULL);
        if (known && now > 0)
                iso_ns_id(now, "net", &dev, &net_now, NULL);
        if (known && now == a->pid && !strcmp(started, a->started) && net_then == a->net)
                return;
        dk_cleanup(d);
        iso_broken(d->t,
                   "the app container %s changed under its sidecar (restarted or stopped from "
                   "outside the run), not a kernel verdict: it was PID %d in net:[%lu] started "
                   "%s when %s joined; now %s%d in net:[%lu]%s%s; the sidecar is in net:[%lu], "
                   "the namespace the app left",
                   a->name, (int)a->pid, (unsigned long)a->net, a->started, sidecar,
                   known ? "PID " : "unknown: ", known ? (int)now : 0, (unsigned long)net_now,
                   known ? " started " : "", known ? started : e.msg, (unsigned long)sidecar_net);
}

static int dk_requests(struct dk_app *a, int *body_ok, char *last, size_t size)
{
        int ok = 0;
        *body_ok = 0;
        for (int i = 0; i < REQUESTS; i++) { /* bounded: REQUESTS, each 3 s at most */
                int status = 0;
                char body[256];
                struct iso_err e = {0};
                if (iso_http_get("127.0.0.1", a->host_port, "/", &status, body, sizeof(body), &e) <
                    0) {
                        iso_strlcpy(last, e.msg, size);
                        continue;
                }
                snprintf(last, size, "status %d, body \"%.200s\"", status, body);
                ok += status == 200;
                *body_ok += !strcmp(body, APP_BODY);
        }
        return ok;
}

ISO_CASE(container_app_serves_docker, "container.app.serves.docker",
         .summary = "the FROM-scratch app image run with docker answers HTTP GET / with 200 "
                    "and its body, every time",
         .lab_step = "Debugging Slim Containers: docker run -d -p 8000:8000 --name app app; "
                     "curl localhost:8000",
         .needs = {ISO_ROOT, ISO_DOCKER}, .timeout_s = 120)
{
        struct dk d;
        dk_init(t, &d);
        struct dk_app a;
        dk_start_app(&d, &a, 0);
        int body_ok = 0;
        char last[512] = "";
        int ok = dk_requests(&a, &body_ok, last, sizeof(last));
        dk_cleanup(&d);
        iso_check(t, ok == REQUESTS, "GET / through the published port answered 200 every time",
                  "5 of 5", "%d of %d%s; last: %s", ok, REQUESTS,
                  a.answered ? "" : " (no answer within 3 s of starting either)", last);
        iso_check(t, body_ok == REQUESTS, "every answer carries the app's body", APP_BODY,
                  "%d of %d; last: %s", body_ok, REQUESTS, last);
}

ISO_CASE(container_app_noshell_docker, "container.app.noshell.docker",
         .summary = "docker exec of bash in the FROM-scratch app fails: the image holds no "
                    "shell",
         .lab_step = "Debugging Slim Containers: docker exec -it app bash",
         .needs = {ISO_ROOT, ISO_DOCKER}, .timeout_s = 120)
{
        struct dk d;
        dk_init(t, &d);
        struct dk_app a;
        dk_start_app(&d, &a, 1);
        char out[4096];
        char *args[] = {"exec", a.name, "bash", NULL};
        struct iso_err e = {0};
        int st = iso_docker(args, out, sizeof(out), 30.0, &e);
        iso_log(t, "docker exec %s bash: status 0x%x: %s", a.name, st, out);
        char root[64], sh[96];
        snprintf(root, sizeof(root), "/proc/%d/root", (int)a.pid);
        snprintf(sh, sizeof(sh), "%s/bin/sh", root);
        int has_sh = access(sh, F_OK) == 0;
        snprintf(sh, sizeof(sh), "%s/bin/bash", root);
        int has_bash = access(sh, F_OK) == 0;
        snprintf(sh, sizeof(sh), "%s/app", root);
        int has_app = access(sh, F_OK) == 0;
        dk_cleanup(&d);
        /* The verdict rests on the status and on the image's files, never on the client's
         * words, which differ between clients ("executable file not found in $PATH",
         * "failed to exec bash: No such file or directory (os error 2)"). 125 is the
         * client's or daemon's own failure (docker-run(1) EXIT STATUS): it says nothing
         * about the image. */
        if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) == 125) {
                char tail[600];
                iso_docker_tail(out, 4, tail, sizeof(tail));
                iso_broken(t,
                           "expected `docker exec %s bash` to reach the container, got %s 0x%x "
                           "(125 is docker's own error)%s%s: %s",
                           a.name, st < 0 ? "no status" : "wait status", st, e.msg[0] ? ", " : "",
                           e.msg, tail);
        }
        iso_check(t, WEXITSTATUS(st) != 0, "docker exec app bash exits non-zero",
                  "a non-zero status (126: cannot invoke, 127: not found)", "exit status %d",
                  WEXITSTATUS(st));
        iso_check(t, !has_sh && !has_bash && has_app,
                  "the container's root holds the app and no shell", "/app, no /bin/sh or bash",
                  "/app %s, /bin/sh %s, /bin/bash %s", has_app ? "present" : "absent",
                  has_sh ? "present" : "absent", has_bash ? "present" : "absent");
}

/* The tcpdump-like sidecar container joined to @app's network namespace. */
struct dk_sidecar {
        char image[192];
        char name[192];
        pid_t pid;
};

static void dk_start_sidecar(struct dk *d, const char *network, const char *out_dir,
                             const char *pcap_name, struct dk_sidecar *s)
{
        if (!s->image[0])
                dk_build(d, "sidecar", NULL, s->image, sizeof(s->image));
        /* Test build: a capture that misses packets (every SYN). */
        const char *filter = iso_fault("docker.sidecar.misses_syn")
                                     ? "tcp port 8000 and tcp[13] & 2 == 0"
                                     : "tcp port 8000";
        snprintf(s->name, sizeof(s->name), "%s-sidecar%u", d->tag, d->n++);
        char vol[PATH_MAX + 8], file[160];
        snprintf(vol, sizeof(vol), "%s:/out", out_dir);
        snprintf(file, sizeof(file), "/out/%s", pcap_name);
        char out[4096];
        char *args[] = {"run",          "-d",
                        "--name",       s->name,
                        "--label",      d->label_run,
                        "--label",      d->label_case,
                        "--network",    (char *)network,
                        "-v",           vol,
                        s->image,       "-i",
                        "any",          "-f",
                        (char *)filter, "-w",
                        file,           "-t",
                        "30",           NULL};
        dk_must(d, args, out, sizeof(out), 60.0);
        /* Its "ready" line comes through docker logs (bounded: 500 x 10 ms). */
        char *logs[] = {"logs", s->name, NULL};
        for (int i = 0; i < 500; i++) {
                iso_docker(logs, out, sizeof(out), 10.0, NULL);
                if (strstr(out, "ready\n"))
                        break;
                usleep(10000);
        }
        if (!strstr(out, "ready\n")) {
                dk_cleanup(d);
                iso_broken(d->t,
                           "expected the sidecar container to report ready within 5 s; "
                           "its log: %.300s",
                           out);
        }
        iso_docker_pid(s->name, &s->pid, NULL);
}

/* docker stop sends SIGTERM: the sidecar flushes its pcap and exits. */
static void dk_stop(struct dk *d, const char *name)
{
        char out[1024];
        char *args[] = {"stop", "-t", "10", (char *)name, NULL};
        iso_docker(args, out, sizeof(out), 30.0, NULL);
        char *logs[] = {"logs", (char *)name, NULL};
        iso_docker(logs, out, sizeof(out), 10.0, NULL);
        iso_log(d->t, "%s said: %s", name, out);
}

/* The absolute directory of artifact @pcap: docker takes only absolute bind sources. */
static void artifact_dir(struct iso_t *t, const char *pcap, char dir[PATH_MAX])
{
        char parent[PATH_MAX];
        iso_strlcpy(parent, pcap, sizeof(parent));
        *strrchr(parent, '/') = '\0';
        if (!realpath(parent, dir))
                iso_broken(t, "realpath %s: %s", parent, strerror(errno));
}

/* The app, and a sidecar on @network ("container:<app>" when NULL) capturing into
 * artifact @pcap_name, whose path goes to @pcap. */
static void dk_app_and_sidecar(struct dk *d, struct dk_app *a, const char *network,
                               const char *pcap_name, struct dk_sidecar *s, char pcap[PATH_MAX])
{
        dk_start_app(d, a, 1);
        char dir[PATH_MAX], net[224];
        iso_fixture_fresh_artifact(d->t, pcap_name, pcap, PATH_MAX);
        artifact_dir(d->t, pcap, dir);
        if (!network) {
                snprintf(net, sizeof(net), "container:%s", a->name);
                network = net;
        }
        memset(s, 0, sizeof(*s));
        dk_start_sidecar(d, network, dir, pcap_name, s);
}

ISO_CASE(sidecar_netns_shared_docker, "sidecar.netns.shared.docker",
         .summary = "a container run with --network=container:app shares the app's network "
                    "namespace and keeps its own PID and mount namespaces",
         .lab_step = "Debugging Slim Containers: docker run --network=container:app tcpdump",
         .needs = {ISO_ROOT, ISO_DOCKER}, .timeout_s = 120)
{
        struct dk d;
        dk_init(t, &d);
        struct dk_app a;
        struct dk_sidecar s;
        char pcap[PATH_MAX];
        /* Test build: a sidecar in another network namespace. */
        dk_app_and_sidecar(&d, &a, iso_fault("docker.sidecar.own_netns") ? "none" : NULL,
                           "netns.pcap", &s, pcap);
        /* Read first, then make sure the app is still the one the sidecar joined. */
        ino_t app_ns[ISO_JOINED_NS], sidecar_ns[ISO_JOINED_NS];
        iso_joined_ns_read(a.pid, app_ns);
        iso_joined_ns_read(s.pid, sidecar_ns);
        dk_app_unchanged(&d, &a, s.name, sidecar_ns[0]);
        iso_check_joined_ns(t, app_ns, sidecar_ns);
        dk_stop(&d, s.name);
        dk_cleanup(&d);
}

ISO_CASE(sidecar_capture_http_docker, "sidecar.capture.http.docker",
         .summary = "the sidecar container on --network=container:app captures every SYN, "
                    "request and 200 response of requests to the app",
         .lab_step = "Debugging Slim Containers: tcpdump in the sidecar while curling the app",
         .needs = {ISO_ROOT, ISO_DOCKER}, .timeout_s = 120)
{
        struct dk d;
        dk_init(t, &d);
        struct dk_app a;
        struct dk_sidecar s;
        char pcap[PATH_MAX];
        dk_app_and_sidecar(&d, &a, NULL, "capture.pcap", &s, pcap);
        int body_ok = 0;
        char last[512] = "";
        int ok = dk_requests(&a, &body_ok, last, sizeof(last));
        dev_t dev;
        ino_t sidecar_net = 0;
        iso_ns_id(s.pid, "net", &dev, &sidecar_net, NULL);
        dk_app_unchanged(&d, &a, s.name, sidecar_net);
        dk_stop(&d, s.name);
        dk_cleanup(&d);
        iso_check(t, ok == REQUESTS, "every request to the app was answered 200", "5 of 5",
                  "%d of %d (%s)", ok, REQUESTS, last);
        struct iso_capture_summary c;
        iso_fixture_capture(t, pcap, APP_PORT, &c);
        iso_check_eq(t, c.syns, REQUESTS, "SYNs to port 8000 in the capture");
        iso_check_eq(t, c.requests, REQUESTS, "HTTP request lines in the capture");
        iso_check_eq(t, c.responses_200, REQUESTS, "HTTP 200 responses in the capture");
}

ISO_CASE(sidecar_capture_isolated_docker, "sidecar.capture.isolated.docker",
         .summary = "the same sidecar on its own network (not container:app) captures none of "
                    "the app's packets",
         .lab_step = "Debugging Slim Containers: tcpdump without --network=container:app",
         .needs = {ISO_ROOT, ISO_DOCKER}, .timeout_s = 120)
{
        struct dk d;
        dk_init(t, &d);
        struct dk_app a;
        struct dk_sidecar s;
        char pcap[PATH_MAX];
        /* Test build: the "isolated" sidecar joins the app after all. */
        dk_app_and_sidecar(&d, &a, iso_fault("docker.sidecar.joined") ? NULL : "none",
                           "elsewhere.pcap", &s, pcap);
        int body_ok = 0;
        char last[512] = "";
        int ok = dk_requests(&a, &body_ok, last, sizeof(last));
        dk_stop(&d, s.name);
        dk_cleanup(&d);
        iso_check(t, ok == REQUESTS, "every request to the app was answered 200", "5 of 5",
                  "%d of %d (%s)", ok, REQUESTS, last);
        struct iso_capture_summary c;
        iso_fixture_capture(t, pcap, APP_PORT, &c);
        iso_check_eq(t, c.packets, 0, "packets seen by the sidecar outside the app's namespace");
}
