/* SPDX-License-Identifier: MIT */
/*
 * Private to `make bench`: the native suite (no container runtime) run one case at a time
 * (-j1) and with parallel jobs, side by side in one bench run (issue 14's -j goals).
 */
#ifndef ISOCHECK_BENCH_JOBS_H
#define ISOCHECK_BENCH_JOBS_H

#include <stdio.h>

#include "stats.h"

struct opts;

#define JOBS_MAX_SETTINGS 3

/* One -j setting's runs. Seconds. */
struct jobs_setting {
        unsigned jobs;
        struct iso_stats wall;  /* the whole process, start to exit */
        struct iso_stats suite; /* the JUnit testsuite time: from the first case to the last */
        struct iso_stats sum;   /* the sum of the case times */
        struct iso_stats own;   /* suite minus sum: the runner's own share (-j1 only) */
        struct iso_stats start; /* wall minus suite: start-up, probes and the reports */
        int failed;             /* a run exited with neither 0 nor 1 */
};

struct jobs_bench {
        unsigned usable;                          /* the CPUs isocheck may run on: its default -j */
        struct jobs_setting s[JOBS_MAX_SETTINGS]; /* -j1, -j2, and the default when other */
        size_t n;
        char why[256]; /* set when nothing was measured */
};

/* Run the native suite o->runs times at each setting, alternating them, after a warm-up. */
void jobs_bench_run(const struct opts *o, struct jobs_bench *jb);
/* The table part, and the "jobs" object of reports/bench.json. */
void jobs_bench_print(const struct jobs_bench *jb, FILE *f);
void jobs_bench_json(struct iso_json *j, const struct jobs_bench *jb);

#endif
