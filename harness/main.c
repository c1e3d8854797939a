// SPDX-License-Identifier: MIT
/* isocheck: select cases, run them, write the TAP stream and the JUnit report. */
#include <errno.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/cli.h"
#include "isocheck/env.h"
#include "isocheck/report.h"
#include "isocheck/runner.h"

#ifndef ISOCHECK_VERSION
#define ISOCHECK_VERSION "0.1.0"
#endif

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

static int selected(const struct iso_opts *o, const char *name)
{
        int in = o->n_filters == 0;
        for (size_t i = 0; !in && i < o->n_filters; i++)
                in = fnmatch(o->filters[i], name, 0) == 0;
        for (size_t i = 0; in && i < o->n_excludes; i++)
                in = fnmatch(o->excludes[i], name, 0) != 0;
        return in;
}

/* A report file is written under "<path>.tmp.<pid>" and renamed into place at the end. */
struct out_file {
        const char *path;
        char tmp[PATH_MAX];
        FILE *f;
};

static int open_out(struct out_file *o, const char *path)
{
        o->path = path;
        o->f = NULL;
        if (!path)
                return 0;
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", path);
        struct iso_err e = {0};
        char *d = dirname(dir);
        if (iso_mkdir_p(d, &e) < 0) {
                fprintf(stderr, "isocheck: cannot create the report directory: %s\n", e.msg);
                return -1;
        }
        if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%d", path, (int)getpid()) >=
            (int)sizeof(o->tmp)) {
                fprintf(stderr, "isocheck: report path too long: %s\n", path);
                return -1;
        }
        o->f = fopen(o->tmp, "w");
        if (!o->f) {
                fprintf(stderr, "isocheck: cannot write the report %s: %s\n", path,
                        strerror(errno));
                return -1;
        }
        return 0;
}

/* Flush, sync and rename into place; on any failure remove the temporary file. */
static int commit_out(struct out_file *o)
{
        if (!o->f)
                return 0;
        int ok = fflush(o->f) == 0 && !ferror(o->f) && fsync(fileno(o->f)) == 0;
        int saved = errno;
        ok = (fclose(o->f) == 0) && ok;
        o->f = NULL;
        if (ok && rename(o->tmp, o->path) == 0)
                return 0;
        if (ok)
                saved = errno;
        fprintf(stderr, "isocheck: writing the report %s failed: %s\n", o->path,
                strerror(saved ? saved : EIO));
        unlink(o->tmp);
        return -1;
}

static void discard_out(struct out_file *o)
{
        if (!o->f)
                return;
        fclose(o->f);
        o->f = NULL;
        unlink(o->tmp);
}

static void list_cases(const struct iso_opts *o, const struct iso_case *const *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (!selected(o, cases[i]->name))
                        continue;
                printf("%-28s %s\n", cases[i]->name, cases[i]->summary ? cases[i]->summary : "");
                if (o->verbose)
                        printf("%-28s lab: %s\n", "", cases[i]->lab_step ? cases[i]->lab_step : "");
        }
}

static int run(const struct iso_opts *o, const struct iso_case *const *all, size_t n_all)
{
        const struct iso_case **cases = calloc(n_all ? n_all : 1, sizeof(*cases));
        struct iso_result *results = calloc(n_all ? n_all : 1, sizeof(*results));
        if (!cases || !results) {
                fprintf(stderr, "isocheck: out of memory\n");
                free(cases);
                free(results);
                return ISO_EXIT_BROKEN;
        }
        size_t n = 0;
        for (size_t i = 0; i < n_all; i++)
                if (selected(o, all[i]->name))
                        cases[n++] = all[i];
        if (n == 0) {
                fprintf(stderr, "isocheck: no case matches the --filter/--exclude given "
                                "(see --list)\n");
                free(cases);
                free(results);
                return ISO_EXIT_USAGE;
        }

        struct out_file tap_file, junit_file;
        if (open_out(&tap_file, o->tap_path) < 0) {
                free(cases);
                free(results);
                return ISO_EXIT_USAGE;
        }
        if (open_out(&junit_file, o->junit_path) < 0) {
                discard_out(&tap_file);
                free(cases);
                free(results);
                return ISO_EXIT_USAGE;
        }

        struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: wake the wait */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        struct iso_env env;
        iso_env_probe(&env);
        struct iso_runner runner;
        struct iso_err e = {0};
        int rc = ISO_EXIT_OK;
        if (iso_runner_init(&runner, &env, o->timeout_mult, o->artifacts_dir, &stop_requested, &e) <
            0) {
                fprintf(stderr, "isocheck: %s\n", e.msg);
                discard_out(&tap_file);
                discard_out(&junit_file);
                iso_env_free(&env);
                free(cases);
                free(results);
                return ISO_EXIT_BROKEN;
        }

        struct iso_tap taps[2] = {{stdout, o->tap_version, o->verbose},
                                  {tap_file.f, o->tap_version, o->verbose}};
        size_t n_taps = tap_file.f ? 2 : 1;
        for (size_t k = 0; k < n_taps; k++)
                iso_tap_begin(&taps[k], n);
        fflush(stdout);

        time_t wall = time(NULL);
        double start = iso_now();
        for (size_t i = 0; i < n; i++) {
                iso_runner_run(&runner, cases[i], &results[i]);
                for (size_t k = 0; k < n_taps; k++)
                        iso_tap_case(&taps[k], i + 1, &results[i]);
                fflush(stdout);
        }
        iso_runner_fini(&runner);

        char stamp[32];
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
        struct iso_property props[48];
        char prop_buf[8192];
        size_t n_props = iso_env_properties(&env, props + 2, ISO_ARRAY_SIZE(props) - 2, prop_buf,
                                            sizeof(prop_buf));
        props[0] = (struct iso_property){"target", "host"};
        props[1] = (struct iso_property){"isocheck.version", ISOCHECK_VERSION};
        struct iso_run report = {
                .target = "host",
                .hostname = env.hostname,
                .timestamp = stamp,
                .duration_s = iso_now() - start,
                .props = props,
                .n_props = n_props + 2,
                .results = results,
                .n_results = n,
        };
        size_t counts[4];
        iso_run_count(&report, counts);

        if (junit_file.f && iso_junit_write(junit_file.f, &report) < 0) {
                fprintf(stderr, "isocheck: writing the JUnit report %s failed\n", o->junit_path);
                discard_out(&junit_file);
                rc = ISO_EXIT_BROKEN;
        }
        if (commit_out(&junit_file) < 0 || commit_out(&tap_file) < 0)
                rc = ISO_EXIT_BROKEN;

        fprintf(stderr, "isocheck: %zu passed, %zu failed, %zu errors, %zu skipped in %.1f s\n",
                counts[ISO_PASS], counts[ISO_FAIL], counts[ISO_ERROR], counts[ISO_SKIP],
                report.duration_s);
        if (rc == ISO_EXIT_OK) {
                if (stop_requested || counts[ISO_FAIL] || counts[ISO_ERROR])
                        rc = ISO_EXIT_FAIL;
                else if (counts[ISO_PASS] == 0)
                        rc = ISO_EXIT_NOTHING;
        }
        for (size_t i = 0; i < n; i++)
                free(results[i].log);
        iso_env_free(&env);
        free(cases);
        free(results);
        return rc;
}

int main(int argc, char **argv)
{
        struct iso_opts o;
        char err[512];
        if (iso_cli_parse(argc, argv, &o, err, sizeof(err)) < 0) {
                fprintf(stderr, "isocheck: %s\n", err);
                return ISO_EXIT_USAGE;
        }
        const struct iso_case *const *all;
        size_t n_all = iso_registry(&all);
        switch (o.action) {
        case ISO_ACT_HELP:
                fputs(iso_cli_usage, stdout);
                return ISO_EXIT_OK;
        case ISO_ACT_VERSION:
                printf("isocheck %s\n", ISOCHECK_VERSION);
                return ISO_EXIT_OK;
        case ISO_ACT_LIST:
                list_cases(&o, all, n_all);
                return ISO_EXIT_OK;
        case ISO_ACT_ENV: {
                struct iso_env env;
                iso_env_probe(&env);
                iso_env_print(&env, stdout);
                iso_env_free(&env);
                return ISO_EXIT_OK;
        }
        case ISO_ACT_RUN:
                break;
        }
        return run(&o, all, n_all);
}
