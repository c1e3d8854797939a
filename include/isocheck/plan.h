/* SPDX-License-Identifier: MIT */
/*
 * A run's plan: the cases a run executes, in report order. Each item is a registered case
 * with what this run changes about it: a repetition's own name ("pidns.init.pid1#2"), a
 * --timeout override, or a skip the user asked for (--skip-file) instead of a run. The
 * runner executes a plan; the command line builds it.
 */
#ifndef ISOCHECK_PLAN_H
#define ISOCHECK_PLAN_H

#include <stddef.h>

#include "isocheck/case.h"
#include "isocheck/env.h"
#include "isocheck/report.h"
#include "isocheck/runner.h"

struct iso_plan_item {
        const struct iso_case *c; /* the registered case (never a copy: variants, the
                                   * runtime cases, find themselves from this pointer) */
        const char *name;         /* the reported name; NULL: c->name. It also names the
                                   * artifacts and tracking cgroup, so must be unique in a run */
        unsigned timeout_s;       /* seconds before the timeout multiplier; 0: c's own */
        const char *skip_reason;  /* non-NULL: reported as a skip with this reason, not run */
};

/*
 * Fill @res's file, line (where @c is declared) and started (now, ISO 8601 UTC, whole
 * seconds), the JUnit testcase's file, line and timestamp. Never fails: a clock that cannot
 * be read leaves started "" (the writer then uses the run's timestamp).
 */
void iso_result_locate(struct iso_result *res, const struct iso_case *c);

/* Run one item as iso_runner_run() runs a case, under the item's name and timeout. */
void iso_runner_run_item(struct iso_runner *r, const struct iso_plan_item *item,
                         struct iso_result *res);

/* Called once per item, in plan order, as soon as the results of items 0..i are all in. */
typedef void (*iso_plan_done_fn)(void *arg, size_t i, const struct iso_result *res);

/*
 * Run the @n items of a plan with at most @jobs cases at once (0 and 1: one at a time, in
 * order), filling @results[i] (as iso_runner_run does: free results[i].log). An item with a
 * skip_reason is an ISO_SKIP carrying that reason, without forking. @done (may be NULL)
 * sees every result in plan order, so a TAP stream written from it keeps the list order
 * whatever the completion order. Never fails: what breaks is an ISO_ERROR result.
 */
void iso_runner_run_plan(struct iso_runner *r, const struct iso_plan_item *items, size_t n,
                         unsigned jobs, struct iso_result *results, iso_plan_done_fn done,
                         void *arg);

/*
 * Probe what the items not skipped need and nothing else (harness/runner_probe.c): the
 * runtimes their variants run on or their requirements name (iso_runtime_probe), the
 * versions of the tools they require (iso_env_probe_versions) and of each probed
 * runtime's client. Called after iso_env_probe(), instead of iso_runtimes_probe().
 */
void iso_plan_probe(struct iso_env *env, const struct iso_plan_item *items, size_t n);

/* At most this many cases run at once, whatever -j asks. */
#define ISO_PLAN_MAX_JOBS 64

/* How many running items' names a status carries. */
#define ISO_PLAN_SHOWN 4

/* A run's state at one moment, for a progress display. */
struct iso_plan_status {
        size_t n;                            /* items in the plan */
        size_t done;                         /* items whose result is in */
        size_t counts[4];                    /* those results by enum iso_verdict */
        size_t n_running;                    /* cases running now */
        const char *running[ISO_PLAN_SHOWN]; /* names of up to ISO_PLAN_SHOWN of them */
        double elapsed_s;                    /* seconds since the plan started */
        const struct iso_result *ended;      /* the result that just came in, or NULL (a case
                                         * started, or time passed) */
};

/* Called when an item starts or ends, and every 0.5 s or so while cases run. */
typedef void (*iso_plan_status_fn)(void *arg, const struct iso_plan_status *st);

/*
 * iso_runner_run_plan, telling @status (may be NULL) how the run goes. @jobs above
 * ISO_PLAN_MAX_JOBS counts as ISO_PLAN_MAX_JOBS. Two items of one registered case never
 * run at once (a runtime names its objects after the registered case), and a case with
 * .exclusive runs alone; items otherwise start in plan order as slots free up.
 */
void iso_runner_run_plan_watched(struct iso_runner *r, const struct iso_plan_item *items, size_t n,
                                 unsigned jobs, struct iso_result *results, iso_plan_done_fn done,
                                 void *arg, iso_plan_status_fn status, void *status_arg);

#endif
