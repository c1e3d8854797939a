// SPDX-License-Identifier: MIT
/*
 * Debugging Slim Containers, native runtime: a sidecar that joins only the app's network
 * namespace (setns(2) with CLONE_NEWNET, as docker run --network=container:app does) and
 * captures its traffic with libpcap; the capture is read back with libpcap too.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/capture.h"
#include "isocheck/case.h"
#include "isocheck/fixtures.h"
#include "isocheck/container.h"
#include "isocheck/fault.h"
#include "isocheck/ns.h"
#include "isocheck/tool.h"

#define APP_PORT 8000
#define REQUESTS 5

/*
 * What a case has running, stopped in one place when a step fails: sidecars first (they
 * flush their capture), then apps, the last started first. A failed step of a case with
 * two apps must not leave the other behind.
 */
struct rig {
        struct iso_app *apps[2];
        struct iso_tool_proc *sidecars[2];
        size_t n_apps, n_sidecars;
};

static void rig_stop(struct rig *r)
{
        while (r->n_sidecars) {
                struct iso_tool_proc *sc = r->sidecars[--r->n_sidecars];
                kill(sc->pid, SIGTERM);
                iso_tool_finish(sc, iso_now() + 3.0, NULL);
        }
        while (r->n_apps)
                iso_app_stop(r->apps[--r->n_apps], NULL);
}

/* A capture process in @app's network namespace only, writing @pcap; waits for "ready". */
static void start_sidecar(struct iso_t *t, struct rig *rig, struct iso_app *app, const char *pcap,
                          struct iso_tool_proc *sc)
{
        char path[PATH_MAX];
        struct iso_err e = {0};
        /* Built and installed with isocheck: missing, the installation is broken. */
        if (iso_fixture_path("sidecar", path, sizeof(path), &e) < 0) {
                rig_stop(rig);
                iso_broken(t, "expected the sidecar fixture, but %s", e.msg);
        }
        char *argv[] = {path, "-i",         "any", "-f", "tcp port 8000",
                        "-w", (char *)pcap, "-t",  "15", NULL};
        /* Fault sidecar.setns.noop: setns(2) joins nothing, as a kernel ignoring it would;
         * the sidecar stays in our own network namespace. */
        pid_t into = iso_fault("sidecar.setns.noop") ? getpid() : app->pid;
        /* Fault sidecar.capture.misses: the capture loses every SYN (and SYN-ACK). */
        if (iso_fault("sidecar.capture.misses"))
                argv[4] = "tcp port 8000 and tcp[tcpflags] & tcp-syn == 0";
        if (iso_tool_start_in(into, CLONE_NEWNET, argv, sc, &e) < 0) {
                rig_stop(rig);
                iso_broken(t, "expected to start the sidecar, but %s", e.msg);
        }
        char out[1024];
        iso_tool_read(sc, "ready\n", out, sizeof(out), iso_now() + 5.0);
        if (!strstr(out, "ready\n")) {
                iso_tool_finish(sc, iso_now() + 1.0, NULL);
                rig_stop(rig);
                iso_broken(t, "expected the sidecar to report ready within 5 s; it said: %.400s",
                           out);
        }
        rig->sidecars[rig->n_sidecars++] = sc;
}

/* SIGTERM (the sidecar flushes its pcap), then reap; returns its exit status. */
static int stop_sidecar(struct iso_t *t, struct rig *rig, struct iso_tool_proc *sc)
{
        for (size_t i = 0; i < rig->n_sidecars; i++)
                if (rig->sidecars[i] == sc)
                        rig->sidecars[i] = rig->sidecars[--rig->n_sidecars];
        kill(sc->pid, SIGTERM);
        char out[1024];
        iso_tool_read(sc, NULL, out, sizeof(out), iso_now() + 3.0);
        int status = iso_tool_finish(sc, iso_now() + 3.0, NULL);
        iso_log(t, "sidecar said: %s(wait status 0x%x)", out, status);
        return status;
}

ISO_CASE(sidecar_netns_shared, "sidecar.netns.shared",
         .summary = "a sidecar joined to the app's network namespace shares it, and keeps its "
                    "own PID and mount namespaces",
         .lab_step = "Debugging Slim Containers: docker run --network=container:app tcpdump",
         .needs = {ISO_NEEDS_SIDECAR}, .timeout_s = 20)
{
        char pcap[PATH_MAX];
        iso_fixture_fresh_artifact(t, "netns.pcap", pcap, sizeof(pcap));
        struct iso_app app;
        iso_fixture_app(t, "app", &app);
        struct rig rig = {.apps = {&app}, .n_apps = 1};
        struct iso_tool_proc sc;
        start_sidecar(t, &rig, &app, pcap, &sc);
        iso_check_joined_netns(t, app.pid, sc.pid);
        stop_sidecar(t, &rig, &sc);
        rig_stop(&rig);
}

static int make_requests(struct iso_app *app, char *last, size_t size)
{
        int ok = 0;
        for (int i = 0; i < REQUESTS; i++) { /* bounded: REQUESTS, each 3 s at most */
                int status = 0;
                char body[256];
                struct iso_err e = {0};
                if (iso_http_get(app->app_addr, app->port, "/", &status, body, sizeof(body), &e) ==
                            0 &&
                    status == 200)
                        ok++;
                else
                        iso_strlcpy(last, e.msg[0] ? e.msg : "a non-200 answer", size);
        }
        return ok;
}

ISO_CASE(sidecar_capture_http, "sidecar.capture.http",
         .summary = "a sidecar in the app's network namespace captures every SYN, request and "
                    "200 response of requests made to the app",
         .lab_step = "Debugging Slim Containers: tcpdump -i any port 8000 in the sidecar while "
                     "curling the app",
         .needs = {ISO_NEEDS_SIDECAR}, .timeout_s = 30)
{
        char pcap[PATH_MAX];
        iso_fixture_fresh_artifact(t, "capture.pcap", pcap, sizeof(pcap));
        struct iso_app app;
        iso_fixture_app(t, "app", &app);
        struct rig rig = {.apps = {&app}, .n_apps = 1};
        struct iso_tool_proc sc;
        start_sidecar(t, &rig, &app, pcap, &sc);
        char last[256] = "";
        int ok = make_requests(&app, last, sizeof(last));
        int st = stop_sidecar(t, &rig, &sc);
        rig_stop(&rig);
        iso_check(t, ok == REQUESTS, "every request to the app was answered 200", "5 of 5",
                  "%d of %d (%s)", ok, REQUESTS, last);
        iso_check(t, st == 0, "the sidecar flushed its capture and exited 0", "exit status 0",
                  "wait status 0x%x", st);
        struct iso_capture_summary s;
        iso_fixture_capture(t, pcap, APP_PORT, &s);
        iso_check_eq(t, s.syns, REQUESTS, "SYNs to port 8000 in the capture");
        iso_check_eq(t, s.requests, REQUESTS, "HTTP request lines in the capture");
        iso_check_eq(t, s.responses_200, REQUESTS, "HTTP 200 responses in the capture");

        char *argv[] = {"tcpdump", "-nn", "-r", pcap, NULL};
        char out[8192];
        int timed_out = 0;
        struct iso_err e = {0};
        int rc = iso_tool_run(argv, NULL, out, sizeof(out), 10.0, &timed_out, &e);
        if (rc >= 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 127)
                iso_check_skip(t, "tcpdump -r reads the capture", "tcpdump not installed");
        else
                iso_check(t, rc == 0, "tcpdump -r reads the capture", "exit status 0",
                          "wait status 0x%x: %.300s", rc, out);
}

ISO_CASE(sidecar_capture_isolated, "sidecar.capture.isolated",
         .summary = "a capture in another container's network namespace sees none of the "
                    "app's packets (the control that shows the sharing matters)",
         .lab_step = "Debugging Slim Containers: tcpdump without --network=container:app "
                     "sees nothing",
         .needs = {ISO_NEEDS_SIDECAR}, .timeout_s = 30)
{
        char in_pcap[PATH_MAX], out_pcap[PATH_MAX];
        iso_fixture_fresh_artifact(t, "joined.pcap", in_pcap, sizeof(in_pcap));
        iso_fixture_fresh_artifact(t, "elsewhere.pcap", out_pcap, sizeof(out_pcap));
        struct iso_app app, other;
        iso_fixture_app(t, "app", &app);
        iso_fixture_app_beside(t, "other", &other, &app);
        struct rig rig = {.apps = {&app, &other}, .n_apps = 2};
        struct iso_tool_proc joined, elsewhere;
        start_sidecar(t, &rig, &app, in_pcap, &joined);
        start_sidecar(t, &rig, &other, out_pcap, &elsewhere);
        char last[256] = "";
        int ok = make_requests(&app, last, sizeof(last));
        stop_sidecar(t, &rig, &joined);
        stop_sidecar(t, &rig, &elsewhere);
        rig_stop(&rig);
        iso_check(t, ok == REQUESTS, "every request to the app was answered 200", "5 of 5",
                  "%d of %d (%s)", ok, REQUESTS, last);
        struct iso_capture_summary in, out;
        iso_fixture_capture(t, in_pcap, APP_PORT, &in);
        iso_fixture_capture(t, out_pcap, APP_PORT, &out);
        iso_check_eq(t, in.syns, REQUESTS, "SYNs seen by the sidecar in the app's namespace");
        iso_check_eq(t, out.packets, 0, "packets seen by the capture in the other namespace");
}
