/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of `make bench`, kept apart so harness/tests/test_bench.c can test them
 * without root: order statistics of repeated timings, the JSON document (json-c), and the
 * reading of per-case times back from the runner's JUnit report.
 */
#ifndef ISOCHECK_BENCH_STATS_H
#define ISOCHECK_BENCH_STATS_H

#include <stddef.h>
#include <stdio.h>

/* Median, smallest and largest of a set of samples (seconds, KiB, counts...). */
struct iso_stats {
        size_t n;
        double median; /* the middle sample; the mean of the two middle ones for even n */
        double min;
        double max;
};

/*
 * Fill @out from @n samples in @v (left unchanged: a sorted copy is made). NaN samples are
 * ignored (a repetition that could not be measured). Returns 0, or -1 when no sample is
 * left (then @out has n = 0 and NaN figures) or memory runs out.
 */
int iso_stats_of(const double *v, size_t n, struct iso_stats *out);

/*
 * The bench's JSON document, built as a json-c tree (json_object) in the order it is
 * written and serialised by json-c when finished: the calls below name where each value
 * goes, so the report reads top to bottom as its document does. Keys and strings take
 * any bytes: invalid UTF-8 becomes U+FFFD (json-c copies bytes as they are), control
 * characters are escaped by json-c. Non-finite numbers are written as null (JSON has no
 * NaN). After the first error (misnesting, out of memory) every call does nothing.
 */
#define ISO_JSON_MAX_DEPTH 16

struct json_object;

struct iso_json {
        FILE *out;
        int pretty; /* json-c's pretty form: two-space indentation and newlines */
        int error;  /* out of memory, or the nesting is wrong */
        int depth;
        struct json_object *stack[ISO_JSON_MAX_DEPTH]; /* the open objects and arrays */
        struct json_object *root;
};

void iso_json_init(struct iso_json *j, FILE *out, int pretty);

/* Open an object or array; @key names it inside an object, and is NULL elsewhere. */
void iso_json_object(struct iso_json *j, const char *key);
void iso_json_array(struct iso_json *j, const char *key);
/* Close the innermost object or array. */
void iso_json_end(struct iso_json *j);

void iso_json_str(struct iso_json *j, const char *key, const char *s); /* NULL s: null */
void iso_json_num(struct iso_json *j, const char *key, double v);      /* %.9g, or null */
void iso_json_int(struct iso_json *j, const char *key, long long v);
void iso_json_bool(struct iso_json *j, const char *key, int v);
void iso_json_null(struct iso_json *j, const char *key);
/* {"n":..., "median":..., "min":..., "max":...} scaled by @scale (1000: seconds to ms). */
void iso_json_stats(struct iso_json *j, const char *key, const struct iso_stats *s, double scale);

/* Serialise the document to @out with a final newline and free it. Returns 0, or -1 on a
 * write error, an open object or array, or an earlier error. */
int iso_json_finish(struct iso_json *j);

/* One <testcase> of a JUnit report, as isocheck writes it (report_junit.c). */
enum iso_bench_verdict { ISO_BV_PASS = 0, ISO_BV_FAIL, ISO_BV_SKIP, ISO_BV_ERROR };

struct iso_bench_case {
        char name[192]; /* "classname.name", e.g. "cgroup.memory.oom_kill" */
        double time_s;  /* the time attribute: the runner's fork-to-reap clock of the case */
        enum iso_bench_verdict verdict;
};

/*
 * Read every <testcase> of JUnit text @xml into @out (room for @max): its classname and
 * name joined by a dot (XML entities decoded), its time attribute, and its verdict from
 * a <failure>, <error> or <skipped> child. Returns how many testcases the text holds
 * (only @max are stored), or -1 when a testcase lacks a name or a numeric time.
 */
long iso_bench_junit_cases(const char *xml, struct iso_bench_case *out, size_t max);

/* "pass", "fail", "skip", "error". */
const char *iso_bench_verdict_name(enum iso_bench_verdict v);

#endif
