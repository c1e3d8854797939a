/* SPDX-License-Identifier: MIT */
/*
 * Private to the runner (harness/runner*.c): what runner.c hands to its two helpers,
 * runner_files.c (the case's log and artifact directory) and runner_judge.c (the verdict).
 */
#ifndef ISOCHECK_RUNNER_PRIV_H
#define ISOCHECK_RUNNER_PRIV_H

#include <limits.h>

#include "isocheck/runner.h"
#include "shared.h"

/* What the runner made for the case's artifacts and log (see runner_stage_make). */
struct case_files {
        char stage[NAME_MAX + 1]; /* "<case>.tmp.<pid>" under the artifacts directory */
        int stage_fd;             /* -1: no artifacts (off says why) */
        char off[256];
        int log_fd; /* memfd with the whole iso_log text, or -1 */
};

/*
 * Make the case's artifact directory fresh: "<case>.tmp.<pid>[.<salt>]" under the artifacts
 * directory, mkdirat(2) mode 0700, so nothing in it was put there by anyone else (a link
 * planted in an old "<case>" directory is never reached). Fills @cf; 0, or -1 with @e.
 */
int runner_stage_make(const struct iso_runner *r, const char *case_name, struct case_files *cf,
                      struct iso_err *e);

/*
 * After the case: the whole log (shared buffer or memfd @cf->log_fd, then the output of its
 * processes, memfd @out_fd) cut into @res->log, kept whole as "case.log" when cut; the
 * artifacts that exist listed in @res; the directory renamed to <artifacts>/<case>.
 */
void runner_stage_finish(const struct iso_runner *r, const struct iso_case *c,
                         const struct iso_shared *sh, struct case_files *cf, int out_fd,
                         struct iso_result *res);

/*
 * Turn what the case recorded in @sh into @res's checks, verdict and message: @status from
 * waitpid(2), @timed_out / @stopped (the run was interrupted), the timeout shown in seconds,
 * what was @running when it was cut short, and the @leaks the reclaim found ("" if none).
 */
void runner_judge(struct iso_result *res, const struct iso_shared *sh, int status, int timed_out,
                  int stopped, unsigned timeout_s, const char *running, const char *leaks);

/*
 * One case being run (runner.c): what runner_case_start made, runner_case_poll watches and
 * runner_case_finish turns into the result. Several may run at once (runner_plan.c).
 */
struct case_run {
        const struct iso_case *c; /* the registered case: the case process gets it */
        struct iso_case as;       /* the same under this run's name and timeout */
        struct iso_result *res;
        struct case_files cf;
        char ctl[PATH_MAX]; /* its tracking cgroup's leaf, "" when tracked by process group */
        struct iso_shared *sh;
        int out_fd, tools_fd;
        int pidfd; /* pidfd_open(2) of pid, or -1 (Linux < 5.3) */
        pid_t pid;
        double start, deadline; /* iso_now() seconds */
        unsigned shown_timeout;
        int status, timed_out, stopped;
        char running[320]; /* what a case cut short was running */
};

/* See runner.c. start: 1 running, 0 cr->res already final; poll: 1 ended, 0 running. */
int runner_case_start(struct iso_runner *r, struct case_run *cr);
int runner_case_poll(struct iso_runner *r, struct case_run *cr);
void runner_case_finish(struct iso_runner *r, struct case_run *cr);
void runner_case_release(struct iso_runner *r, struct case_run *cr);

/*
 * Sleep until one of the @n running cases may have ended (its pidfd is readable), the
 * nearest deadline comes, a signal arrives, or 200 ms pass (runner_plan.c).
 */
void runner_case_wait(struct case_run *const *crs, size_t n);

#endif
