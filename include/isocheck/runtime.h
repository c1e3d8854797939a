/* SPDX-License-Identifier: MIT */
/*
 * The runtime seam: what a container runtime does for the container and sidecar cases,
 * as a struct of operations, one backend per file (in the shape of crun's
 * libcrun_cgroup_manager). A backend registers itself with ISO_RUNTIME() in the
 * "iso_runtimes" linker section, as cases do in "iso_cases"; the runner, the recovery
 * and the environment probe loop over the registered runtimes and name none.
 *
 * A behaviour written once with ISO_RUNTIME_CASE() runs as one case per runtime (a
 * variant, as kselftest's FIXTURE_VARIANT_ADD and LTP's .test_variants): the case is
 * named NAME followed by the runtime's suffix ("" for native, ".docker", ...), so
 * `container.app.serves` and `container.app.serves.docker` are the same body.
 *
 * Everything a runtime makes for a case is named after the run id and the case name, so
 * that reclaim (this run, one case) and scan (dead runs) find it.
 */
#ifndef ISOCHECK_RUNTIME_H
#define ISOCHECK_RUNTIME_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "isocheck/case.h"
#include "isocheck/env.h"
#include "isocheck/util.h"

/* The app fixture (fixtures/app/app.c): the port it listens on inside its container, the
 * body it answers GET / with, and how many requests a behaviour makes. */
#define ISO_APP_PORT 8000
#define ISO_APP_BODY "isocheck app: hello from a FROM-scratch container\n"
#define ISO_APP_REQUESTS 5

/* A started app container. */
struct iso_rt_app {
        char name[192]; /* the runtime's name for it (a docker container name, a root) */
        pid_t pid;      /* host PID of its first process, 0 when unknown */
        char addr[64];  /* address at which its port answers from the case ("127.0.0.1") */
        int port;       /* that port (a published one for docker; ISO_APP_PORT natively) */
        int answered;   /* it answered GET / within 3 s of starting */
        void *priv;     /* the backend's state for this app */
};

/* A started sidecar: a capture process whose network namespace is the app's (joined), or
 * its own (not joined), writing a pcap. */
struct iso_rt_sidecar {
        char name[192];
        pid_t pid; /* host PID, 0 when unknown */
        void *priv;
};

/* What a case has made with a runtime: the handle every operation takes. */
struct iso_rt_ctx {
        const struct iso_runtime *rt;
        struct iso_t *t;       /* the running case (for logs and artifacts), or NULL */
        const char *run_id;    /* iso_case_run_id() */
        const char *case_name; /* the variant's dotted name */
        const struct iso_env *env;
        unsigned n; /* objects made so far, for unique names */
        void *priv; /* the backend's state for this case (malloc'd): when set, iso_rt_end
                       reclaims the case's objects, then frees it */
        /* What is running, stopped in one place when a step fails (iso_rt_end): sidecars
         * first (they flush their capture), then apps, the last started first. */
        struct iso_rt_app *apps[2];
        struct iso_rt_sidecar *sidecars[2];
        size_t n_apps, n_sidecars;
        /* The handles themselves (iso_rt_fixture_app/_sidecar hand out pointers into
         * these): owned by the context, so iso_rt_end never reads a behaviour's frame. */
        struct iso_rt_app app_slots[2];
        struct iso_rt_sidecar sidecar_slots[2];
        size_t n_app_slots, n_sidecar_slots;
};

struct iso_rt_app_opts {
        const char *hostname; /* UTS hostname inside ("app") */
        /* The behaviour judges an app that does not answer itself (app->answered);
         * otherwise iso_rt_fixture_app ends the case as an error. */
        int answer_optional;
        /* Fault hooks for test builds (fault.h); 0 in the shipped build. */
        int has_shell;   /* the image or root carries a shell as well */
        int not_serving; /* the app does not serve the port the runtime publishes */
};

struct iso_rt_sidecar_opts {
        const char *pcap;   /* absolute path of the capture file to write (an artifact) */
        const char *filter; /* pcap-filter(7) expression ("tcp port 8000") */
        int joined;         /* 1: in the app's network namespace; 0: in another one */
        unsigned seconds;   /* the capture's own bound (-t) */
};

/* What exec in a container found. */
enum iso_rt_exec {
        ISO_RT_EXEC_RAN = 0,   /* the program ran */
        ISO_RT_EXEC_NOT_FOUND, /* no such program in the container (ENOENT, status 127) */
        ISO_RT_EXEC_FAILED,    /* found but could not be run (EACCES, status 126, ...) */
};

/*
 * A runtime. Every operation returns 0 (or the value said) on success and -1 with @e
 * saying what was expected, what happened and which call failed; none prints or exits.
 * Operations may be NULL where said.
 */
struct iso_runtime {
        const char *name;   /* "native", "docker": for --env, messages and filters */
        const char *suffix; /* appended to a behaviour's name: "" or ".docker" */
        /* Requirements of a variant's case, appended to the behaviour's own (at most
         * ISO_MAX_NEEDS in all): for the app, and for an app with a sidecar. */
        struct iso_need needs[ISO_MAX_NEEDS];
        struct iso_need sidecar_needs[6];
        unsigned min_timeout_s; /* a variant's timeout is at least this (image builds) */
        /* Entries the runtime itself puts in every container's root besides the image's,
         * space-separated (".dockerenv dev etc proc sys"), or "" */
        const char *root_entries;
        /* What its probe looks for, as a skip says it: "needs <requirement>: <why>" ("a
         * Docker daemon"); a runtime with a probe gets ISO_RUNTIME_USABLE(name) in every
         * variant's needs. NULL: its name. */
        const char *requirement;
        /* The backend's own data, read by its operations through c->rt (two variants of
         * one backend sharing operations: which user podman runs as). NULL when unused. */
        const void *priv;
        /* 1: its variants may run at once under isocheck -j, each case's objects having
         * names of their own. 0 (the safe default): one of its variants at a time, as
         * names made per run ("isocheck-<run>-app<n>", counted per case) would collide. */
        unsigned parallel_variants;

        /*
         * Is the runtime usable here? Called once by the environment probe (before cases
         * fork). Returns 1, or 0 with the reason in @why ("no Docker daemon reachable at
         * ..."): installed but not answering, so what dead runs left in it cannot be seen
         * and the recovery keeps their records; or -1 when it is not installed at all
         * (nothing of it can exist); or ISO_RUNTIME_BROKEN when a setting the user made
         * for it is broken (DOCKER_CONTEXT naming no context): as 0 for the recovery, but
         * its cases are errors naming the setting, not skips. Either way @why carries a
         * line for `isocheck --env` (a version). May record what it found in @env.
         */
        int (*probe)(struct iso_env *env, char *why, size_t size);

        /* Prepare image @what ("app", "sidecar") for the case; NULL when nothing is built. */
        int (*prepare)(struct iso_rt_ctx *c, const char *what, const struct iso_rt_app_opts *o,
                       struct iso_err *e);

        /* Start the app fixture and wait (at most 3 s) for its port; app->answered says
         * whether it did. */
        int (*app_start)(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o,
                         struct iso_rt_app *app, struct iso_err *e);

        /* Start a sidecar beside @app (joined to its network namespace or not, per @o) and
         * wait (at most 5 s) until it reports ready. */
        int (*sidecar_start)(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                             const struct iso_rt_sidecar_opts *o, struct iso_rt_sidecar *sc,
                             struct iso_err *e);

        /* Stop the sidecar (SIGTERM: it flushes its capture); returns its wait status, its
         * last words in @out (@size bytes). */
        int (*sidecar_stop)(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc, char *out, size_t size,
                            struct iso_err *e);

        /* Exec @argv inside the app (docker exec). Returns an enum iso_rt_exec, with what
         * happened (errno or exit status) in @detail; -1 with @e when the runtime itself
         * failed (setns, docker's own status 125), which says nothing of the container. */
        int (*exec)(struct iso_rt_ctx *c, const struct iso_rt_app *app, char *const argv[],
                    char *detail, size_t size, struct iso_err *e);

        /* Is @pid, the PID this runtime gave for its container @name, that process as the
         * run's /proc sees it? A daemon's PIDs are from its own PID namespace: under
         * `unshare -p` another process, or none, has that PID here. Returns 1, or 0 with
         * @why (@size bytes) saying what differs. Asked once /proc/@pid exists; NULL when
         * the runtime's PIDs are the run's own (the native runtime's: its children). */
        int (*pid_is)(struct iso_rt_ctx *c, const char *name, pid_t pid, char *why, size_t size);

        /* Is @app still the container that was started (not restarted from outside)?
         * Returns 0, or -1 with @e naming what changed; NULL when it cannot change. */
        int (*app_unchanged)(struct iso_rt_ctx *c, const struct iso_rt_app *app, struct iso_err *e);

        /* Stop the app (SIGTERM, SIGKILL after 2 s) and remove it. Returns its wait status
         * when known (0 otherwise), or -1 with @e. */
        int (*app_stop)(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e);

        /*
         * Remove what run @run_id made (for case @case_name only, when not NULL): the
         * runner calls it after each of the runtime's variants, the recovery for dead
         * runs. Returns how many objects were found (and removed), their names in @what
         * (@size bytes, may be NULL); -1 when the runtime could not be asked. May be NULL.
         */
        long (*reclaim)(const char *run_id, const char *case_name, char *what, size_t size);

        /*
         * Call @found(@arg, run id) for each run id that owns objects of this runtime
         * (labels, root directories), so the recovery can sweep dead runs. Returns the
         * number of calls, or -1 when the runtime could not be asked. May be NULL.
         */
        long (*scan)(void (*found)(void *arg, const char *run_id), void *arg);

        /*
         * How many objects of this runtime exist on the host now, any run's (the leak
         * audit of `make bench` samples it between runs), or -1 when they cannot be
         * counted without a daemon round trip. May be NULL (not counted).
         */
        long (*count)(void);

        /*
         * `isocheck --cleanup`: remove what the runtime keeps across runs (docker's
         * content-keyed images), unless a live run may be using it. Returns how many
         * objects went, with a line in @what (@size bytes): what went or why it was kept.
         * Never called by a run's own recovery. May be NULL.
         */
        long (*sweep_cache)(char *what, size_t size);
};

/* Register @rt_ident (a static const struct iso_runtime) in the "iso_runtimes" section. */
#define ISO_RUNTIME(rt_ident)                                   \
        static const struct iso_runtime *const rt_ident##_entry \
                __attribute__((used, section("iso_runtimes"))) = &rt_ident

/* Every runtime linked into the program, sorted by name. Returns the count and points
 * *@rts at a static array. */
size_t iso_runtimes(const struct iso_runtime *const **rts);

/* The runtime named @name, or NULL. */
const struct iso_runtime *iso_runtime_find(const char *name);

/*
 * Probe every runtime (their probe operations) and keep the answers for
 * iso_runtime_usable(). The programs call it right after iso_env_probe(): the
 * environment layer knows no runtime (docs/architecture.md).
 */
void iso_runtimes_probe(struct iso_env *env);

/* Probe @rt alone (again, if it was), as iso_runtimes_probe() does every runtime: a run
 * probes only the runtimes its selected cases use. An unprobed runtime reads as "not
 * probed", so the recovery keeps dead runs' records for a run that does probe it. */
void iso_runtime_probe(struct iso_env *env, const struct iso_runtime *rt);

/* The answer of @rt's probe: 1 usable, 0 not, with its line in *@why (may be NULL). A
 * runtime without a probe is usable. */
int iso_runtime_usable(const struct iso_runtime *rt, const char **why);

/* A probe's answer: installed, but a setting the user made for it is broken. */
#define ISO_RUNTIME_BROKEN (-2)

/* ISO_RUNTIME_USABLE(@name): 1 when the runtime's probe said usable; 0 with "needs
 * <requirement>: <why>" in @reason (@size bytes) otherwise, or naming an unknown runtime;
 * -1 (the same reason) when the probe said ISO_RUNTIME_BROKEN: an environment error. */
int iso_runtime_need_met(const char *name, char *reason, size_t size);

/* The probe's answer itself: 1, 0, -1 or ISO_RUNTIME_BROKEN (see the probe operation). */
int iso_runtime_state(const struct iso_runtime *rt, const char **why);

/* Print every registered runtime's probe answer to @out, one "runtime <name>" line each in
 * the layout of iso_env_print() (`isocheck --env` prints it right after the environment). */
void iso_runtimes_print(FILE *out);

/* A behaviour written once: the runner makes one case per registered runtime. */
struct iso_rt_behaviour {
        struct iso_case base; /* name without suffix; needs besides the runtime's */
        int sidecar;          /* uses a sidecar: the runtime's sidecar_needs apply */
        void (*run)(struct iso_t *t, struct iso_rt_ctx *c);
};

/*
 * Declare a behaviour, as ISO_CASE declares a case (cases/container.c):
 *
 *   ISO_RUNTIME_CASE(container_app_serves, "container.app.serves", 0,
 *                    .summary = "...", .lab_step = "...", .timeout_s = 20)
 *   {
 *           struct iso_rt_app *app =
 *                   iso_rt_fixture_app(c, &(struct iso_rt_app_opts){.hostname = "app"});
 *           ... iso_http_get(app->addr, app->port, ...); iso_check(t, ...);
 *   }
 *
 * @uses_sidecar: 1 when it starts a sidecar (the runtime's sidecar_needs apply). The body
 * gets the case handle @t and the runtime's context @c (c->rt is the runtime); whatever
 * it left running is stopped, and the case's objects reclaimed, when it returns.
 */
#define ISO_RUNTIME_CASE(ident, dotted_name, uses_sidecar, ...)                                   \
        static void ident##_body(struct iso_t *t, struct iso_rt_ctx *c);                          \
        static const struct iso_rt_behaviour ident##_behaviour = {                                \
                .base = {.name = (dotted_name), .file = __FILE__, .line = __LINE__, __VA_ARGS__}, \
                .sidecar = (uses_sidecar),                                                        \
                .run = ident##_body};                                                             \
        static const struct iso_rt_behaviour *const ident##_entry                                 \
                __attribute__((used, section("iso_rt_cases"))) = &ident##_behaviour;              \
        static void ident##_body(struct iso_t *t, struct iso_rt_ctx *c)

/*
 * Every behaviour x runtime as a case (name + suffix, needs merged, timeout at least the
 * runtime's), allocated once. Returns the count and points *@cases at them. The runner's
 * registry includes them.
 */
size_t iso_runtime_cases(const struct iso_case *const **cases);

/* The runtime of variant case @c, or NULL for an ordinary case. */
const struct iso_runtime *iso_case_runtime(const struct iso_case *c);

/*
 * Case-level helpers for behaviours, in the spirit of fixtures.h: they make what the case
 * stands on or end it. On failure everything the case started is stopped and the case's
 * objects reclaimed before it ends as an error (iso_broken) naming the step.
 */
/* Start the app (at most two per case); returns its handle, owned by @c and valid until
 * the case ends (after iso_rt_end, which stops it if still running). */
struct iso_rt_app *iso_rt_fixture_app(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o);
/* Start a sidecar beside @app (at most two per case); its handle is owned by @c, as above. */
struct iso_rt_sidecar *iso_rt_fixture_sidecar(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                                              const struct iso_rt_sidecar_opts *o);
/* Stop one sidecar (logging what it said); returns its wait status. */
int iso_rt_stop_sidecar(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc);
/* Stop one app; returns its wait status (or -1 with @e). */
int iso_rt_stop_app(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e);
/* Stop everything still running and reclaim the case's objects. */
void iso_rt_end(struct iso_rt_ctx *c);
/*
 * For runtimes' app_start: ask the app for GET / on @app->addr:@app->port until it answers
 * (any HTTP status), every 10 ms, @tries times at most. Sets @app->answered and returns 1
 * when it answered, 0 when it did not (the caller decides what that means).
 */
int iso_rt_await_answer(struct iso_rt_app *app, int tries);

/* How long a runtime waits for its app to answer (tries of 10 ms): 10 s, far above a
 * container's start on an idle machine (well under 1 s), so a loaded one (a CI runner,
 * 40 course VMs on one host) is not taken for a broken runtime. Polled: no time is lost
 * when the app answers sooner. */
#define ISO_RT_ANSWER_TRIES 1000

/* iso_rt_end, then end the case as an error with the printf-formatted message. */
void iso_rt_broken(struct iso_rt_ctx *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3), noreturn));

#endif
