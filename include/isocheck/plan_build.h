/* SPDX-License-Identifier: MIT */
/*
 * Building a run's plan (plan.h) from the command line (cli.h): which registered cases run
 * (--filter globs, -k substrings, --exclude, --last-failed), which the user asked to skip
 * (--skip-file), with which timeout (--timeout), in which order (--shuffle, --seed) and how
 * often (--repeat, --until-fail: rounds, each result named "NAME#ROUND").
 *
 * Semantics, pytest-like: a case runs when (no --filter, or any --filter glob matches its
 * name) AND (no -k, or any -k TEXT is in its name, ignoring case) AND no --exclude glob
 * matches AND (no --last-failed, or the report names it failed or errored). Globs are
 * fnmatch(3) patterns on the whole registered name.
 */
#ifndef ISOCHECK_PLAN_BUILD_H
#define ISOCHECK_PLAN_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "isocheck/case.h"
#include "isocheck/cli.h"
#include "isocheck/plan.h"
#include "isocheck/util.h"

/* The most results a run keeps (rounds x cases): each holds up to ISO_MAX_CHECKS checks
 * (about 130 KiB), and the JUnit report is written from all of them at the end. */
#define ISO_PLAN_MAX_RESULTS 2000

/* iso_plan_build()'s answer when --last-failed names no failure: nothing to run. */
#define ISO_PLAN_NOTHING 1

/* A name read from a file, with the 1-based line it was on. */
struct iso_named_line {
        char *name;
        unsigned line;
};

/* One --skip-file line. */
struct iso_skip_rule {
        char *glob;
        char *reason;
        unsigned line;
};

struct iso_plan {
        struct iso_plan_item *items; /* n items: the current round, in run order */
        size_t n;
        unsigned rounds;    /* rounds to run; with until_fail the most */
        int until_fail;     /* stop after the first round with a failure or error */
        int shuffle;        /* each round in its own random order */
        unsigned long seed; /* what the order came from (--seed, or drawn) */
        /* private */
        uint64_t rng;
        struct iso_plan_item *base; /* the selection in registry order, names unset */
        char **names;               /* the current round's "NAME#ROUND" */
        struct iso_skip_rule *skips;
        size_t n_skips;
};

/*
 * Build @p from @o over the @n_all registered cases @all (iso_registry()). Reads
 * --skip-file and --last-failed. Facts worth telling the user that are no error (a skip
 * glob matching no case, a failed name this build has no case for, the seed drawn) are
 * appended to @notes (@notes_size bytes), one line each. Returns 0 with p->items holding
 * round 1; ISO_PLAN_NOTHING with @e saying why when --last-failed found no failure to
 * rerun; -1 with @e for a usage error (a file unreadable or malformed, "FILE:LINE: expected
 * ..., got ..."; a selection matching nothing, with the nearest case names; a --timeout
 * glob matching no case; more than ISO_PLAN_MAX_RESULTS results). Release with
 * iso_plan_free() whatever it returns.
 */
int iso_plan_build(struct iso_plan *p, const struct iso_opts *o, const struct iso_case *const *all,
                   size_t n_all, char *notes, size_t notes_size, struct iso_err *e);

/*
 * Fill p->items with round @round (1-based, at most p->rounds): names "NAME#ROUND" when more
 * than one round may run, and a fresh order when shuffling (rounds must be asked for in
 * order for an order to replay). Returns 0, or -1 with @e (out of memory).
 */
int iso_plan_round(struct iso_plan *p, unsigned round, struct iso_err *e);

void iso_plan_free(struct iso_plan *p);

/*
 * Whether registered case @c is selected by the --filter, -k and --exclude of @o
 * (--last-failed aside); a glob may name the case's former name (iso_case_selected), and
 * then @said (@size bytes, may be NULL) gets the deprecation note to show. Returns 1 or 0.
 */
int iso_plan_selected(const struct iso_opts *o, const struct iso_case *c, char *said, size_t size);

/*
 * The nearest registered names to @pattern (a glob, its '*', '?' and brackets left out, or
 * a -k TEXT), by Damerau-Levenshtein distance to the closest part of each name, close
 * enough to be a slip (1 + length/5 edits at most): at most 3, ", "-separated, in @out
 * (@size bytes). Returns how many were written (0: nothing near).
 */
size_t iso_plan_nearest(const char *pattern, const struct iso_case *const *all, size_t n_all,
                        char *out, size_t size);

/*
 * The names of the cases that failed or errored in the report at @path: isocheck's TAP
 * (top-level "not ok" points, neither SKIP nor TODO; '\#' and '\\' unescaped) or JUnit
 * (every <testcase> with a <failure> or <error>; the name is classname "." name, joined
 * back as report_junit.c split it, a merged file's configuration prefix kept: see
 * iso_plan_case_of). Fills *@out (free with
 * iso_named_lines_free) and *@total (results read). Returns the count, or -1 with @e
 * naming the file and line of what could not be read or parsed.
 */
long iso_report_failed(const char *path, struct iso_named_line **out, size_t *total,
                       struct iso_err *e);

void iso_named_lines_free(struct iso_named_line *v, size_t n);

/*
 * The registered case a reported name stands for: the name itself, or without a
 * repetition suffix "#N", or without a configuration prefix ("vm-6.1-v2.cgroup.memory.oom_kill"
 * of a merged JUnit: the longest dotted tail that is a case). NULL when none.
 */
const struct iso_case *iso_plan_case_of(const char *reported, const struct iso_case *const *all,
                                        size_t n_all);

/*
 * Read a skip file: lines "GLOB reason...", blank lines and '#' comments ignored, the
 * reason required (a skip always says why). Fills *@out. Returns the count, or -1 with
 * @e ("FILE:LINE: expected GLOB and a reason, got ...", or why the file is unreadable).
 */
long iso_skip_file_read(const char *path, struct iso_skip_rule **out, struct iso_err *e);

void iso_skip_rules_free(struct iso_skip_rule *v, size_t n);

#endif
