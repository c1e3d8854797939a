/* SPDX-License-Identifier: MIT */
/*
 * `isocheck report`: one matrix over many runs (issue 13). Rows are cases, columns are
 * configurations (one per JUnit <testsuite>), cells are verdicts with their evidence.
 * The model is read from isocheck's JUnit files with libxml2 and written as text,
 * Markdown, JSON (json-c) or HTML (html.c). /work/brief/matrix-json.md and the README's
 * "Reading results" section describe the JSON shape.
 */
#ifndef ISOCHECK_MATRIX_H
#define ISOCHECK_MATRIX_H

#include <stdio.h>

#include "isocheck/util.h"

struct json_object;

/* A cell's verdict; ABSENT: the configuration did not run that case at all. */
enum iso_mverdict { ISO_MV_PASS, ISO_MV_FAIL, ISO_MV_ERROR, ISO_MV_SKIP, ISO_MV_ABSENT };
#define ISO_MV_COUNT 5

/* "pass" "fail" "error" "skip" "absent"; "?" out of range. */
const char *iso_mverdict_name(enum iso_mverdict v);

struct iso_mprop {
        char *name, *value;
};

/* One check of a case, from the "checks:" list of <system-out> and the failure body.
 * NULL strings are unknown (expected/got are written for failed checks only). */
struct iso_mcheck {
        int ok, skipped;
        char *what, *expected, *got, *where;
};

/*
 * A file the case kept. @path is resolved so this process can open it (relative to the
 * current directory, or absolute); @kind is "pcap", "csv", "text" or "other", by the
 * name's extension; @exists says whether @path was found.
 */
struct iso_martifact {
        char *name, *path;
        const char *kind;
        int exists;
};

struct iso_mcell {
        enum iso_mverdict verdict;
        char *message; /* the message attribute of <failure>/<error>/<skipped>, or NULL */
        char *detail;  /* that element's body, or NULL */
        double time_s; /* the testcase's time attribute in seconds; -1 when unknown */
        char *log;     /* <system-out> less its checks/artifacts lists; NULL when absent */
        struct iso_mcheck *checks;
        size_t n_checks;
        struct iso_martifact *artifacts;
        size_t n_artifacts;
        int differs_from_baseline; /* set by iso_matrix_set_baseline */
};

struct iso_mconfig {
        char *label;  /* unique: target, hostname, kernel.release, cgroup.mode, runtime */
        char *source; /* the JUnit file it was read from, as given or found */
        char *suite;  /* the <testsuite> name */
        struct iso_mprop *props; /* <properties> in document order, first of a name kept */
        size_t n_props;
        size_t counts[ISO_MV_COUNT]; /* cells of this column per verdict */
};

struct iso_mcase {
        char *name;      /* classname + "." + name, a configuration prefix removed */
        char *classname; /* as in the file, prefix removed */
        char *testname;
        char *area;              /* the first dotted component of @name */
        char *file;              /* the testcase's file attribute, or NULL */
        long line;               /* its line attribute, or 0 */
        int differs;             /* the verdicts of this row are not all the same */
        struct iso_mcell *cells; /* one per configuration, parallel to iso_matrix.configs */
};

struct iso_matrix {
        struct iso_mconfig *configs;
        size_t n_configs;
        struct iso_mcase *cases; /* differing rows first, then the rest; first-seen order */
        size_t n_cases;
        long baseline; /* 0-based column marked by iso_matrix_set_baseline, or -1 */
};

/*
 * Read @n paths into @m, which the caller zeroed. A path is an isocheck JUnit file (every
 * <testsuite> in it is one configuration) or a report directory: its isocheck.junit.xml,
 * then vm-* / isocheck.junit.xml and container/isocheck.junit.xml below it (sorted).
 * Returns 0, or -1 with @e naming the file and, for XML that does not parse, libxml2's
 * line and message (EBADMSG); @m is then freed. On success the rows are ordered
 * (differing first) and @m->baseline is -1.
 */
int iso_matrix_load(struct iso_matrix *m, char *const paths[], size_t n, struct iso_err *e);

/*
 * Find the column @spec names: a 1-based index ("2") or a label equal to @spec. Returns
 * the 0-based index, or -1 with @e listing the labels (EINVAL).
 */
long iso_matrix_column(const struct iso_matrix *m, const char *spec, struct iso_err *e);

/* Mark every cell whose verdict differs from column @col's (0-based) in the same row
 * (a new skip, an absent case, too). 0, or -1 with @e when @col is out of range. */
int iso_matrix_set_baseline(struct iso_matrix *m, long col, struct iso_err *e);

/* Cells of the whole matrix per verdict, into @counts[ISO_MV_COUNT]. */
void iso_matrix_count(const struct iso_matrix *m, size_t counts[ISO_MV_COUNT]);

/* 1 when any cell is a fail or an error (the command's exit status), else 0. */
int iso_matrix_failed(const struct iso_matrix *m);

void iso_matrix_free(struct iso_matrix *m);

/*
 * The model as a json-c object (version 1 of the shape in the README); artifact paths are
 * made relative to @out_dir (the output file's directory; NULL: the current directory).
 * Returns a new reference, or NULL with @e (ENOMEM).
 */
struct json_object *iso_matrix_to_json(const struct iso_matrix *m, const char *out_dir,
                                       struct iso_err *e);

/* A writer: the matrix to @out, whose file is @out_path (NULL: stdout). 0 or -1 + @e. */
struct iso_matrix_out {
        FILE *f;
        const char *path; /* -o FILE, or NULL for stdout */
        int colour;       /* ANSI colours allowed (text on a TTY, NO_COLOR unset) */
        int details;      /* --details: reasons under the text table */
};

int iso_matrix_json(const struct iso_matrix *m, const struct iso_matrix_out *o, struct iso_err *e);
int iso_matrix_text(const struct iso_matrix *m, const struct iso_matrix_out *o, struct iso_err *e);
int iso_matrix_markdown(const struct iso_matrix *m, const struct iso_matrix_out *o,
                        struct iso_err *e);

/*
 * The HTML page (harness/matrix/html.c, engineer "report-html"): @out_path is the -o FILE
 * (NULL: stdout), for relative artifact links. 0 or -1 + @e. Declared weak: a build
 * without html.c says so at run time instead of failing to link.
 */
int iso_matrix_html(const struct iso_matrix *m, const char *out_path, FILE *out, struct iso_err *e)
        __attribute__((weak));

/* `isocheck report ARGS...` (argv[0] is "report"): the exit status, 0 / 1 / 2. */
int iso_report_main(int argc, char **argv);

/* Helpers shared by the reader and the writers (model.c). */

/* Set each row's @differs and order the rows: differing first, each group keeping its
 * first-seen order (a stable sort). 0, or -1 (ENOMEM). */
int iso_matrix_order(struct iso_matrix *m);

/* The directory part of @path ("." when none), as a new string, or NULL (ENOMEM). */
char *iso_matrix_dirname(const char *path);

/* @path (relative to the cwd, or absolute) made relative to directory @dir (NULL: ".");
 * a new string or NULL (ENOMEM). Absolute paths stay absolute when @dir is relative and
 * the other way round only when no common root exists. */
char *iso_matrix_relpath(const char *path, const char *dir);

/*
 * Write @s to @f for a human reader: at most @max code points (0: no limit; the rest is
 * counted as "… [N more]"), invalid UTF-8 as U+FFFD, and no byte a terminal would act on:
 * C0 controls, DEL and C1 controls (ANSI CSI is U+009B as well as ESC) are written as
 * "\xHH" / "\u{HH}" text. @md: also escape Markdown's and HTML's markup ("|" "*" "_" "`"
 * "[" "]" "<" ">" "&" "\\" "#"), for a table cell or a list item. @nl: a newline is kept
 * (else it is written as "\n"). Returns the number of columns written (code points), or
 * -1 on a write error.
 */
long iso_matrix_put_safe(FILE *f, const char *s, size_t max, int md, int nl);

/* The number of columns iso_matrix_put_safe(s, 0, 0, 0) writes (for alignment). */
size_t iso_matrix_safe_width(const char *s);

#endif
