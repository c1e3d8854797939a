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
        unsigned jobs; /* -j: cases at once, 1 to ISO_MAX_JOBS; 0: the CPUs we may use */
        enum iso_progress progress; /* --progress */
};

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
