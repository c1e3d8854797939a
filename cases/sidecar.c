// SPDX-License-Identifier: MIT
/*
 * Debugging Slim Containers: a sidecar that joins only the app's network namespace (as
 * docker run --network=container:app does) and captures its traffic with libpcap; the
 * capture is read back with libpcap too. Written once, run on every registered runtime
 * (runtime.h): `sidecar.capture.http`, `sidecar.capture.http.docker`, ...
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/capture.h"
#include "isocheck/case.h"
#include "isocheck/container.h"
#include "isocheck/fixtures.h"
#include "isocheck/ns.h"
#include "isocheck/runtime.h"
#include "isocheck/tool.h"

/* A capture sidecar in @app's network namespace writing @pcap (iso_fixture_fresh_artifact). */
static struct iso_rt_sidecar *start_sidecar(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                                            const char *pcap)
{
        /* The capture's own bound: well past the case's requests, below its timeout. */
        struct iso_rt_sidecar_opts o = {
                .pcap = pcap, .filter = "tcp port 8000", .joined = 1, .seconds = 15};
        return iso_rt_fixture_sidecar(c, app, &o);
}

/* The app (returned), and a sidecar joined to it (in *@sc) capturing into artifact
 * @pcap_name (path in @pcap). */
static struct iso_rt_app *app_with_sidecar(struct iso_rt_ctx *c, const char *pcap_name,
                                           char pcap[PATH_MAX], struct iso_rt_sidecar **sc)
{
        iso_fixture_fresh_artifact(c->t, pcap_name, pcap, PATH_MAX);
        struct iso_rt_app_opts o = {.hostname = "app"};
        struct iso_rt_app *app = iso_rt_fixture_app(c, &o);
        *sc = start_sidecar(c, app, pcap);
        return app;
}

/* The app a sidecar joined must still be the one running (a restart from outside gives it
 * another network namespace): otherwise the case is no kernel verdict. */
static void app_unchanged(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                          const struct iso_rt_sidecar *sc)
{
        struct iso_err e = {0};
        if (!c->rt->app_unchanged || c->rt->app_unchanged(c, app, &e) == 0)
                return;
        dev_t dev;
        ino_t net = 0;
        iso_ns_id(sc->pid, "net", &dev, &net, NULL);
        iso_rt_broken(c, "%s; the sidecar %s is in net:[%lu], the namespace the app left", e.msg,
                      sc->name, (unsigned long)net);
}

ISO_RUNTIME_CASE(sidecar_netns_shared, "sidecar.netns.shared", 1,
                 .doc = "network_namespaces(7), docker-run(1) --network=container:NAME",
                 .summary = "a sidecar joined to the app's network namespace shares it, and "
                            "keeps its own PID and mount namespaces",
                 .lab_step = "Debugging Slim Containers: docker run --network=container:app "
                             "tcpdump",
                 .timeout_s = 20)
{
        char pcap[PATH_MAX];
        struct iso_rt_sidecar *sc;
        struct iso_rt_app *app = app_with_sidecar(c, "netns.pcap", pcap, &sc);
        /* Read first, then make sure the app is still the one the sidecar joined. */
        ino_t app_ns[ISO_JOINED_NS], sidecar_ns[ISO_JOINED_NS];
        iso_joined_ns_read(app->pid, app_ns);
        iso_joined_ns_read(sc->pid, sidecar_ns);
        app_unchanged(c, app, sc);
        iso_check_joined_ns(t, app_ns, sidecar_ns);
        iso_rt_stop_sidecar(c, sc);
}

/* ISO_APP_REQUESTS GETs to @app; returns how many were answered 200. */
static int make_requests(const struct iso_rt_app *app, char *last, size_t size)
{
        int ok = 0;
        for (int i = 0; i < ISO_APP_REQUESTS; i++) { /* bounded: each 3 s at most */
                int status = 0;
                char body[256];
                struct iso_err e = {0};
                if (iso_http_get(app->addr, app->port, "/", &status, body, sizeof(body), &e) == 0 &&
                    status == 200)
                        ok++;
                else
                        iso_strlcpy(last, e.msg[0] ? e.msg : "a non-200 answer", size);
        }
        return ok;
}

ISO_RUNTIME_CASE(sidecar_capture_http, "sidecar.capture.http", 1,
                 .doc = "network_namespaces(7), pcap(3PCAP)",
                 .summary = "a sidecar in the app's network namespace captures every SYN, "
                            "request and 200 response of requests made to the app",
                 .lab_step = "Debugging Slim Containers: tcpdump -i any port 8000 in the sidecar "
                             "while curling the app",
                 .timeout_s = 30)
{
        char pcap[PATH_MAX];
        struct iso_rt_sidecar *sc;
        struct iso_rt_app *app = app_with_sidecar(c, "capture.pcap", pcap, &sc);
        char last[256] = "";
        int ok = make_requests(app, last, sizeof(last));
        app_unchanged(c, app, sc);
        int st = iso_rt_stop_sidecar(c, sc);
        iso_rt_end(c);
        iso_check(t, ok == ISO_APP_REQUESTS, "every request to the app was answered 200", "5 of 5",
                  "%d of %d (%s)", ok, ISO_APP_REQUESTS, last);
        iso_check(t, st == 0, "the sidecar flushed its capture and exited 0", "exit status 0",
                  "wait status 0x%x", st);
        struct iso_capture_summary s;
        iso_fixture_capture(t, pcap, ISO_APP_PORT, &s);
        iso_check_eq(t, s.syns, ISO_APP_REQUESTS,
                     "the capture holds one SYN to port 8000 per request");
        iso_check_eq(t, s.requests, ISO_APP_REQUESTS,
                     "the capture holds one HTTP request line per request");
        iso_check_eq(t, s.responses_200, ISO_APP_REQUESTS,
                     "the capture holds one HTTP 200 response per request");

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

ISO_RUNTIME_CASE(sidecar_capture_isolated, "sidecar.capture.isolated", 1,
                 .doc = "network_namespaces(7), pcap(3PCAP)",
                 .summary = "a capture in another container's network namespace sees none of "
                            "the app's packets (the control that shows the sharing matters)",
                 .lab_step = "Debugging Slim Containers: tcpdump without "
                             "--network=container:app sees nothing",
                 .timeout_s = 30)
{
        char in_pcap[PATH_MAX], out_pcap[PATH_MAX];
        iso_fixture_fresh_artifact(t, "joined.pcap", in_pcap, sizeof(in_pcap));
        iso_fixture_fresh_artifact(t, "elsewhere.pcap", out_pcap, sizeof(out_pcap));
        struct iso_rt_app_opts o = {.hostname = "app"}, o2 = {.hostname = "other"};
        struct iso_rt_app *app = iso_rt_fixture_app(c, &o);
        struct iso_rt_app *other = iso_rt_fixture_app(c, &o2);
        struct iso_rt_sidecar *joined = start_sidecar(c, app, in_pcap);
        struct iso_rt_sidecar *elsewhere = start_sidecar(c, other, out_pcap);
        char last[256] = "";
        int ok = make_requests(app, last, sizeof(last));
        iso_rt_stop_sidecar(c, joined);
        iso_rt_stop_sidecar(c, elsewhere);
        iso_rt_end(c);
        iso_check(t, ok == ISO_APP_REQUESTS, "every request to the app was answered 200", "5 of 5",
                  "%d of %d (%s)", ok, ISO_APP_REQUESTS, last);
        struct iso_capture_summary in, out;
        iso_fixture_capture(t, in_pcap, ISO_APP_PORT, &in);
        iso_fixture_capture(t, out_pcap, ISO_APP_PORT, &out);
        iso_check_eq(t, in.syns, ISO_APP_REQUESTS,
                     "the sidecar in the app's namespace sees one SYN per request");
        iso_check_eq(t, out.packets, 0, "the capture in the other namespace sees no packet");
}
