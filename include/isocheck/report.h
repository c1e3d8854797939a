/* SPDX-License-Identifier: MIT */
/*
 * What a run produced, and the two writers that turn it into reports:
 * TAP (version 14, or 13 for older consumers) and JUnit XML (Jenkins junit-10.xsd).
 * Both writers accept any bytes in any string: control characters, invalid UTF-8,
 * "]]>", "<&\"'", "#", "\\" and newlines, and still produce well-formed documents.
 */
#ifndef ISOCHECK_REPORT_H
#define ISOCHECK_REPORT_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "isocheck/util.h"

#define ISO_MAX_CHECKS 128
#define ISO_MAX_ARTIFACTS 8

enum iso_verdict { ISO_PASS = 0, ISO_FAIL, ISO_SKIP, ISO_ERROR };

/* Lower-case name of a verdict: "pass", "fail", "skip", "error". */
const char *iso_verdict_name(enum iso_verdict v);

/* One check, as recorded by a case body (fixed size: it lives in shared memory). */
struct iso_check_rec {
        int ok;
        int skipped; /* not checkable here: ok is 1 and got holds the reason */
        int line;
        char file[96];
        char what[160];
        char expected[256];
        char got[512];
};

/* One case's outcome. */
struct iso_result {
        const char *name;    /* "pidns.init.pid1" */
        const char *summary; /* one line */
        enum iso_verdict verdict;
        char message[1024]; /* skip reason, error cause, or summary of failed checks */
        char where[128];    /* file:line the message comes from, "" if none */
        double duration_s;
        size_t n_checks;
        struct iso_check_rec checks[ISO_MAX_CHECKS];
        size_t n_artifacts;
        char artifacts[ISO_MAX_ARTIFACTS][256]; /* paths as written */
        char *log;                              /* NUL-terminated, may be NULL */
        /* Where the case is declared, repository-relative ("cases/pidns.c", its ISO_CASE
         * line), for CI front ends (JUnit file/line); NULL and 0 when unknown. */
        const char *file;
        int line;
        char started[32]; /* when the case started, ISO 8601 UTC; "": the run's timestamp */
};

struct iso_property {
        const char *name;
        const char *value;
};

/* A whole run: one target (JUnit <testsuite>). */
struct iso_run {
        const char *target; /* "host", "vm", "container": the testsuite name */
        const char *hostname;
        const char *timestamp; /* ISO 8601, UTC */
        double duration_s;
        const struct iso_property *props;
        size_t n_props;
        const struct iso_result *results;
        size_t n_results;
        /* The harness broke (another report could not be written): the JUnit gets one more
         * <testcase classname="isocheck" name="harness"> holding an <error> with this. */
        const char *harness_error;
};

/* TAP stream. @version: 13 or 14. The plan is written by iso_tap_begin. */
struct iso_tap {
        FILE *out;
        int version;
        int verbose; /* also write the case log as comment lines */
};

/* Write the version line and the plan "1..@n_planned". Returns 0, or -1 on a write error. */
int iso_tap_begin(const struct iso_tap *tap, size_t n_planned);

/*
 * Write test point @number (1-based) for @r: for cases with checks, an indented subtest
 * (TAP 14: "# Subtest: name", 4-space indent, own plan) with one point per check and a
 * YAML block on each failed check; then the case's own point with "# SKIP reason" or a
 * YAML block (message, severity, at, duration_s, artifacts) when it did not pass.
 * Returns 0, or -1 on a write error.
 */
int iso_tap_case(const struct iso_tap *tap, size_t number, const struct iso_result *r);

/* A "Bail out!" line with a reason, for a run that cannot go on. Returns 0 or -1. */
int iso_tap_bail(const struct iso_tap *tap, const char *reason);

/*
 * Write the TAP description of @s to @out: invalid UTF-8 becomes U+FFFD, '#' and '\'
 * are escaped with '\', control characters become "\xNN", so the result stays on one
 * line and cannot be read as a directive. Returns 0 or -1 on a write error.
 */
int iso_tap_put_desc(FILE *out, const char *s);

/*
 * Write @run as one JUnit XML document: <testsuites> holding one <testsuite> named after
 * the target, with <properties>, and one <testcase classname="area.topic" name="behaviour">
 * per result, holding at most one of <failure>, <error>, <skipped> and a <system-out>.
 * Times are seconds with three decimals in the C locale. Returns 0 or -1 on a write error.
 */
int iso_junit_write(FILE *out, const struct iso_run *run);

/*
 * Write @s as XML character data (or attribute text when @attr): & < > " ' escaped,
 * invalid UTF-8 and characters XML 1.0 forbids become U+FFFD, so "]]>" and control
 * characters cannot break the document. Returns 0 or -1 on a write error.
 */
int iso_xml_put(FILE *out, const char *s, int attr);

/*
 * Format @s seconds as "%.3f" in the C locale whatever LC_NUMERIC says (consumers and
 * Jenkins' SUREFIRE_TIME want a '.'), into @buf (@size bytes). Negative values, -0.0 and
 * NaN (a clock gone wrong) give "0.000"; values are capped at 1e12. Returns 0, or -1 when
 * @buf is too small or no C locale can be made.
 */
int iso_format_seconds(char *buf, size_t size, double s);

/* Count results by verdict into @counts[4] indexed by enum iso_verdict. */
void iso_run_count(const struct iso_run *run, size_t counts[4]);

/*
 * The report seam. A report format is one writer (harness/report_<format>.c) holding a
 * `const struct iso_report_writer`, listed once in harness/report_out.c's table; the
 * program asks the seam, never a writer, to plan, open, feed and commit a run's reports.
 *
 * A writer either streams (add: one case at a time as it ends, TAP) or writes a document
 * at the end (end: the whole run, JUnit); a streaming writer may also bail (say the run
 * broke). The seam gives each output its FILE, and commits it atomically: a file is
 * written as "<path>.tmp.<run id>" (O_EXCL|O_NOFOLLOW, registered with the run record by
 * iso_run_note_file so a recovery removes it if the run dies), then fsync(2)ed and
 * rename(2)d into place; a path naming a character device, FIFO or socket (/dev/stdout,
 * a pipe) is written in place.
 */
struct iso_opts;
struct iso_report_writer;

/* One output of a run: a writer and where it writes. */
struct iso_report_out {
        const struct iso_report_writer *writer;
        const struct iso_opts *opts; /* the run's options (TAP version, verbosity) */
        const char *path;            /* NULL: standard output */
        char what[PATH_MAX + 40];    /* "the TAP report PATH", for messages */
        char tmp[PATH_MAX];          /* "<path>.tmp.<run id>" */
        /* The file's directory, opened without following another user's link
         * (iso_open_dir_nofollow), or -1; the file and its temporary name in it. */
        int dir_fd;
        char base[NAME_MAX + 1], tmp_name[NAME_MAX + 1];
        int in_place; /* a stream: written through, never renamed */
        FILE *f;
        int first_errno; /* the first write error while streaming, 0 if none */
};

struct iso_report_writer {
        const char *name;  /* the option naming its file: "tap" for --tap */
        const char *label; /* in messages: "TAP", "JUnit" */
        int to_stdout;     /* also written to standard output */
        /* The file @o asks for, or NULL for none. */
        const char *(*path)(const struct iso_opts *o);
        /* Each returns 0, or -1 with errno on a write error; any may be NULL. */
        int (*begin)(const struct iso_report_out *out, size_t n_planned);
        int (*add)(const struct iso_report_out *out, size_t number, const struct iso_result *r);
        int (*end)(const struct iso_report_out *out, const struct iso_run *run);
        int (*bail)(const struct iso_report_out *out, const char *reason);
};

extern const struct iso_report_writer iso_report_tap, iso_report_junit;

#define ISO_MAX_REPORT_OUTS 8

/* A run's reports; zero it, or fill it with iso_reports_plan. */
struct iso_reports {
        struct iso_report_out outs[ISO_MAX_REPORT_OUTS]; /* streaming writers first */
        size_t n_outs;
        /* What went wrong while committing, one line per problem, for the caller to show
         * (the library prints nothing). */
        char notes[2048];
};

/*
 * Decide the outputs @o asks for, for every registered writer. Nothing is opened. Returns 0,
 * or -1 with @e when two outputs name the same file ("--tap and --junit name the same file
 * PATH").
 */
int iso_reports_plan(struct iso_reports *rs, const struct iso_opts *o, struct iso_err *e);

/*
 * Open every planned output: a temporary file beside a regular file's path (its directory
 * made with iso_mkdir_p), or the stream itself. Refused: a directory, a block device, a
 * link owned by another user that leads to a stream. Returns 0, or -1 with @e naming the
 * path and the cause (with a hint on EACCES/EPERM/EROFS); nothing stays open then.
 */
int iso_reports_open(struct iso_reports *rs, struct iso_err *e);

/* The plan (@n_planned cases) to every writer that streams. Write errors are kept per output. */
void iso_reports_begin(struct iso_reports *rs, size_t n_planned);

/* Case @number (1-based) to every writer that streams. Write errors are kept per output. */
void iso_reports_case(struct iso_reports *rs, size_t number, const struct iso_result *r);

/*
 * End the run: streaming outputs that failed make a harness error, which the documents
 * carry (@run->harness_error is set); then every document is written and committed; if
 * anything failed, every streaming output that still works gets a "Bail out!"-style line
 * naming the first failure; then the streams are committed. Returns 0, or -1 when a report
 * could not be written (the harness broke): @rs->notes says what.
 */
int iso_reports_end(struct iso_reports *rs, struct iso_run *run);

/* Close every output and remove the temporary files, committing nothing. */
void iso_reports_discard(struct iso_reports *rs);

#endif
