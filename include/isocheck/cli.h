/* SPDX-License-Identifier: MIT */
/* The isocheck command line. */
#ifndef ISOCHECK_CLI_H
#define ISOCHECK_CLI_H

#include <stddef.h>

#define ISO_MAX_GLOBS 32

enum iso_action {
        ISO_ACT_RUN = 0,
        ISO_ACT_LIST,
        ISO_ACT_ENV,
        ISO_ACT_CLEANUP,
        ISO_ACT_HELP,
        ISO_ACT_VERSION,
};

/* --progress: a live status line on stderr (harness/progress.c). */
enum iso_progress {
        ISO_PROGRESS_AUTO = 0, /* a redrawn line when stderr is a terminal, else nothing */
        ISO_PROGRESS_ALWAYS,   /* that line on a terminal, a line per ended case elsewhere */
        ISO_PROGRESS_NEVER,    /* neither, and no slowest-cases list at the end */
};

/* The most -j takes (the runner's own bound, plan.h's ISO_PLAN_MAX_JOBS). */
#define ISO_MAX_JOBS 64

struct iso_opts {
        enum iso_action action;
        const char *filters[ISO_MAX_GLOBS]; /* fnmatch(3) globs; a case runs if any matches */
        size_t n_filters;
        const char *excludes[ISO_MAX_GLOBS]; /* a case matching any is left out */
        size_t n_excludes;
        const char *tap_path;   /* file copy of the TAP stream; NULL with "--tap -" */
        int tap_version;        /* 13 or 14 */
        const char *junit_path; /* JUnit XML report */
        const char *artifacts_dir;
        double timeout_mult; /* > 0 */
        int verbose;
        const char *target; /* JUnit testsuite name: "host" (default), "vm", "container"... */
        const char *properties[ISO_MAX_GLOBS]; /* extra "name=value" JUnit properties */
        size_t n_properties;
        /* Selection and repetition (harness/plan.c builds the plan from these). */
        const char *keywords[ISO_MAX_GLOBS]; /* -k: substrings, any case; ANDed with --filter */
        size_t n_keywords;
        const char *last_failed; /* --last-failed: a TAP or JUnit report to rerun from */
        const char *skip_file;   /* --skip-file: "GLOB reason" lines */
        struct iso_timeout_opt {
                const char *arg; /* "NAME=SECONDS" as given; NAME is arg[0..name_len) */
                size_t name_len;
                unsigned seconds;  /* 1 to ISO_MAX_CASE_TIMEOUT_S */
        } timeouts[ISO_MAX_GLOBS]; /* --timeout: the last match wins */
        size_t n_timeouts;
        unsigned repeat; /* --repeat: rounds; 0 when not given (one round) */
        int until_fail;  /* --until-fail: rounds until one fails, at most repeat */
        int shuffle;     /* --shuffle or --seed */
        int seed_given;
        unsigned long seed;                                        /* --seed: 0 to 2^32-1 */
        enum iso_format { ISO_FMT_TEXT = 0, ISO_FMT_JSON } format; /* --list, --env */
        unsigned jobs; /* -j: cases at once, 1 to ISO_MAX_JOBS; 0: the CPUs we may use */
        enum iso_progress progress; /* --progress */
};

#define ISO_MAX_CASE_TIMEOUT_S 86400 /* --timeout: a day */
#define ISO_MAX_REPEAT 1000          /* --repeat */
#define ISO_UNTIL_FAIL_ROUNDS 100    /* --until-fail without --repeat */

/* Exit statuses (DESIGN.md "Reports"). */
enum {
        ISO_EXIT_OK = 0,       /* every case that ran passed (skips allowed) */
        ISO_EXIT_FAIL = 1,     /* a case failed or hit an error */
        ISO_EXIT_USAGE = 2,    /* bad command line or unusable report path */
        ISO_EXIT_NOTHING = 77, /* no case could run (automake's "skipped") */
        ISO_EXIT_BROKEN = 99,  /* the harness itself broke */
};

/*
 * Parse @argv into @o (defaults first: TAP 14 to reports/isocheck.tap, JUnit to
 * reports/isocheck.junit.xml, artifacts in reports/artifacts, timeout multiplier 1).
 * Returns 0, or -1 with a one-line reason in @err (@err_size bytes) for unknown options,
 * missing or malformed values (a timeout multiplier that is not a finite number in
 * (0, 1000], a TAP version other than 13 or 14, an empty path, too many globs).
 * Does not print and does not exit.
 */
int iso_cli_parse(int argc, char *const argv[], struct iso_opts *o, char *err, size_t err_size);

/*
 * Check the environment variables that set up every case of a run, before any case runs:
 * ISOCHECK_LINK_NET (the native containers' link-local /18, iso_app_addresses()).
 * Returns 0, or -1 with a one-line reason saying what is allowed in @err (@err_size
 * bytes); the caller exits with ISO_EXIT_USAGE. Does not print and does not exit.
 */
int iso_cli_check_env(char *err, size_t err_size);

/* The --help text. */
extern const char iso_cli_usage[];

#endif
