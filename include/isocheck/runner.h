/* SPDX-License-Identifier: MIT */
/*
 * The runner: the case registry, and running one case in a forked child with its own
 * process group, tracking cgroup and timeout, then verifying it left nothing behind.
 */
#ifndef ISOCHECK_RUNNER_H
#define ISOCHECK_RUNNER_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>

#include "isocheck/case.h"
#include "isocheck/env.h"
#include "isocheck/report.h"
#include "isocheck/util.h"

/*
 * Every case linked into the program (the "iso_cases" section), sorted by name.
 * Returns the count and points *@cases at a static array.
 */
size_t iso_registry(const struct iso_case *const **cases);

struct iso_runner {
        const struct iso_env *env;
        double timeout_mult;          /* declared timeouts are multiplied by this */
        char artifacts_dir[PATH_MAX]; /* per-case directories are made below it */
        char run_id[64];              /* unique per run: iso_run_id() */
        int track_version;            /* 0 (no cgroupfs), 1 or 2 */
        char track_mount[256];        /* hierarchy used to track case processes */
        int run_cg_made;              /* isocheck-<run>/ exists in the tracking hierarchy */
        volatile sig_atomic_t *stop;  /* set by SIGINT/SIGTERM: abandon the running case */
        pid_t runner_pid;
        int artifacts_fd;        /* artifacts_dir, opened once (iso_open_own_dir), or -1 */
        char artifacts_off[256]; /* why artifacts are not kept, when artifacts_fd is -1 */
        /* Said by iso_runner_init, changing no verdict (the runner's oom_score_adj could not
         * be lowered): for -v, not for every run's stderr; "" when nothing to say. */
        char note[384];
        /* The runner's oom_score_adj is -1000 (iso_runner_init could lower it): when not, the
         * case processes raise theirs to +1000 instead, so an OOM decided above both (a
         * container's memory limit) still picks a case's hog rather than the runner. */
        int oom_shielded;
};

/* A case log longer than this (bytes) is cut in the reports, and kept whole as an
 * artifact "case.log". */
#define ISO_LOG_CAP (64 * 1024)

/*
 * Prepare a run: make the run id, choose the tracking hierarchy, set the runner's own
 * oom_score_adj to -1000 (proc(5); so an OOM case never picks the runner; ignored when
 * not permitted), open @artifacts_dir (an existing directory owned by the effective uid;
 * otherwise no artifacts are kept, and artifacts_off says why). Each case then gets a
 * directory made fresh (mkdirat, mode 0700) and renamed to <artifacts_dir>/<case> when it
 * ends. Returns 0, or -1 with @e.
 */
int iso_runner_init(struct iso_runner *r, const struct iso_env *env, double timeout_mult,
                    const char *artifacts_dir, volatile sig_atomic_t *stop, struct iso_err *e);

/*
 * Run @c and fill @res (verdict, checks, message, log, duration in seconds, artifacts).
 * Unmet requirements give ISO_SKIP without forking. Never fails: whatever breaks
 * becomes an ISO_ERROR result with the reason. @res->log is heap memory (free it).
 */
void iso_runner_run(struct iso_runner *r, const struct iso_case *c, struct iso_result *res);

/*
 * Cut the case log @log (@len bytes) for a report when it is longer than @cap bytes: its
 * first 3/4 and last 1/4 of @cap around a mark "[… N bytes truncated; the whole log:
 * @whole_at …]". *@out gets a heap copy (free it). Returns 0 (not cut), 1 (cut) or -1
 * when out of memory.
 */
int iso_log_cut(const char *log, size_t len, size_t cap, const char *whole_at, char **out);

/* Remove the run's own cgroup directories (isocheck-<run>) from every hierarchy; close the
 * artifacts directory. */
void iso_runner_fini(struct iso_runner *r);

#endif
