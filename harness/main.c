// SPDX-License-Identifier: MIT
/* isocheck: select cases, run them, write the TAP stream and the JUnit report. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/cli.h"
#include "isocheck/docker.h"
#include "isocheck/env.h"
#include "isocheck/install.h"
#include "isocheck/plan.h"
#include "isocheck/recover.h"
#include "isocheck/report.h"
#include "isocheck/runner.h"
#include "isocheck/runtime.h"

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

/*
 * The artifacts directory must take <case name>/<file> below it: check before running.
 * Root refuses one owned by another user (who could plant links in it), one reached
 * through a link another user controls, and one on a pseudo file system. A user who
 * cannot write it (root made it in an earlier run) runs without artifacts: the cases that
 * need root skip anyway, and the reports still come.
 */
static int check_artifacts_dir(const char *dir)
{
        struct iso_err e = {0};
        if (strlen(dir) + 256 >= PATH_MAX) {
                fprintf(stderr, "isocheck: --artifacts path too long (%zu bytes)\n", strlen(dir));
                return -1;
        }
        /* Made and opened without following a link another user controls: root would
         * write, and replace what is there, wherever they point it. */
        int fd = iso_open_dir_nofollow(dir, 1, &e);
        if (fd >= 0) {
                close(fd);
                fd = iso_open_own_dir(dir, &e);
        }
        if (fd >= 0) {
                close(fd);
                return 0;
        }
        /* A link of another user's, or a pseudo file system, is a wrong --artifacts for
         * anyone: refused. A directory this user cannot write is only a missing right. */
        if (geteuid() != 0 && e.errnum != ELOOP && e.errnum != EMEDIUMTYPE) {
                fprintf(stderr,
                        "isocheck: note: no artifacts will be kept: %s (give --artifacts DIR "
                        "to keep them)\n",
                        e.msg);
                return 0;
        }
        fprintf(stderr,
                "isocheck: refusing to write artifacts under %s: %s (give --artifacts DIR, a "
                "directory of root's or a new one)\n",
                dir, e.msg);
        return -1;
}

/* fd 0, 1 or 2 closed by the caller would be taken by the first file we open. */
static void keep_std_fds(void)
{
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0) {
                        int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
                        if (n >= 0 && n != fd) {
                                dup2(n, fd);
                                close(n);
                        }
                }
}

/* stdout is a report too: a write error there must not pass silently. */
static int stdout_ok(void)
{
        errno = 0;
        if (fflush(stdout) == 0 && !ferror(stdout))
                return 1;
        fprintf(stderr, "isocheck: write error on standard output%s%s\n", errno ? ": " : "",
                errno ? strerror(errno) : "");
        return 0;
}

static int list_cases(const struct iso_opts *o, const struct iso_case *const *cases, size_t n)
{
        size_t shown = 0;
        for (size_t i = 0; i < n; i++) {
                if (!selected(o, cases[i]->name))
                        continue;
                shown++;
                printf("%-32s %s\n", cases[i]->name, cases[i]->summary ? cases[i]->summary : "");
                if (o->verbose)
                        printf("%-32s lab: %s\n", "", cases[i]->lab_step ? cases[i]->lab_step : "");
        }
        if (!shown) {
                fprintf(stderr, "isocheck: no case matches the --filter/--exclude given\n");
                return ISO_EXIT_USAGE;
        }
        return stdout_ok() ? ISO_EXIT_OK : ISO_EXIT_BROKEN;
}

/*
 * Take this run's record (recover.h). A /run/isocheck that is a link or belongs to
 * someone else is refused: root would write through it. A /run that cannot take records
 * (read-only, missing) leaves the run unrecorded: others then leave what it makes alone.
 */
static int record_run(void)
{
        struct iso_err e = {0};
        if (iso_run_record(iso_run_id(), &e) == 0)
                return 0;
        if (e.errnum == EPERM || e.errnum == ELOOP || e.errnum == ENOTDIR || e.errnum == EEXIST) {
                fprintf(stderr, "isocheck: %s\n", e.msg);
                return -1;
        }
        fprintf(stderr,
                "isocheck: note: this run keeps no record (%s): other runs will leave what it "
                "makes alone, and so must you after a crash\n",
                e.msg);
        return 0;
}

/*
 * --hold-run COMMAND [ARG...]: hold a run record (and its lock) while COMMAND runs, for
 * targets made by scripts (scripts/container-target.sh): COMMAND finds the run id in
 * ISOCHECK_HELD_RUN_ID and labels what it makes with it, so recoveries leave it alone
 * while it runs. When COMMAND ends, docker objects labelled with the id go, then the
 * record. SIGTERM and SIGHUP are passed on; SIGINT reaches COMMAND from the terminal.
 * Exits with COMMAND's status (128 + N for signal N), 2 when the record is refused.
 */
static pid_t held_child;

static void pass_on(int sig)
{
        if (held_child > 0)
                kill(held_child, sig);
}

static int hold_run(char **cmd)
{
        if (!cmd[0]) {
                fprintf(stderr, "isocheck: --hold-run needs a command to run\n");
                return ISO_EXIT_USAGE;
        }
        /* Without root there is no record: what COMMAND makes is then left alone by
         * every recovery (no record, no proof of death) and reclaimed here at the end. */
        const char *id = iso_run_id();
        if (geteuid() == 0 && record_run() < 0)
                return ISO_EXIT_USAGE;
        setenv("ISOCHECK_HELD_RUN_ID", id, 1);
        struct sigaction sa = {.sa_handler = pass_on};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGINT, SIG_IGN);
        held_child = fork();
        if (held_child == 0) {
                signal(SIGINT, SIG_DFL);
                execvp(cmd[0], cmd);
                fprintf(stderr, "isocheck: --hold-run: exec %s: %s\n", cmd[0], strerror(errno));
                _exit(127);
        }
        int status = 0, rc;
        if (held_child < 0) {
                fprintf(stderr, "isocheck: --hold-run: fork: %s\n", strerror(errno));
                rc = ISO_EXIT_BROKEN;
        } else {
                while (waitpid(held_child, &status, 0) < 0 && errno == EINTR)
                        ;
                rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        /* What the command labelled and did not remove (it was killed, say) goes with the
         * record: nothing else would ever judge it dead. */
        char what[256];
        if (iso_docker_reclaim(id, NULL, what, sizeof(what)) > 0)
                fprintf(stderr, "isocheck: --hold-run: removed %s\n", what);
        iso_run_unrecord(id);
        return rc;
}

/*
 * The report's properties: who ran what where (target, version, run id), what the
 * environment probe found, then the --property NAME=VALUE entries. Returns the count.
 */
static size_t run_properties(const struct iso_opts *o, const struct iso_env *env,
                             const char *run_id, struct iso_property *props, size_t max)
{
        static char prop_buf[8192];
        static char user_props[ISO_MAX_GLOBS][512];
        size_t n = 3;

        props[0] = (struct iso_property){"target", o->target};
        props[1] = (struct iso_property){"isocheck.version", iso_version()};
        /* What this run's cgroups, interfaces and records are named after. */
        props[2] = (struct iso_property){"run.id", run_id};
        n += iso_env_properties(env, props + 3, max - 3, prop_buf, sizeof(prop_buf));
        /* Split in place in a copy. */
        for (size_t i = 0; i < o->n_properties && n < max; i++) {
                iso_strlcpy(user_props[i], o->properties[i], sizeof(user_props[i]));
                char *eq = strchr(user_props[i], '=');
                *eq = '\0';
                props[n++] = (struct iso_property){user_props[i], eq + 1};
        }
        return n;
}

/* What the report seam had to say, one "isocheck: " line each. */
static void print_notes(const char *notes)
{
        for (const char *p = notes; *p;) {
                size_t len = strcspn(p, "\n");
                fprintf(stderr, "isocheck: %.*s\n", (int)len, p);
                p += len + (p[len] == '\n');
        }
}

/* SIGINT, SIGTERM and SIGHUP stop the run (the running case is abandoned, then cleaned up). */
static void catch_stop(void)
{
        struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: wake the wait */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL); /* a dropped ssh session: stop and clean up too */
        signal(SIGPIPE, SIG_IGN);
}

/* Leftovers of runs that died (kill -9, a crash) go before this one (@run_id) starts. */
static void recover_dead(const struct iso_env *env, const char *run_id)
{
        char removed[4096];
        struct iso_err e = {0};

        if (env->euid != 0)
                return;
        if (iso_recover(env, run_id, removed, sizeof(removed), &e) != 0)
                fprintf(stderr, "isocheck: cleaned up after dead runs:\n%s", removed);
}

/* Each result goes to the reports as soon as it and every one before it are in. */
static void report_done(void *arg, size_t i, const struct iso_result *res)
{
        iso_reports_case(arg, i + 1, res);
}

static int run(const struct iso_opts *o, const struct iso_case *const *all, size_t n_all)
{
        struct iso_plan_item *cases = calloc(n_all ? n_all : 1, sizeof(*cases));
        struct iso_result *results = calloc(n_all ? n_all : 1, sizeof(*results));
        static struct iso_reports reports;
        /* 25 KiB: static, like the reports, so a small RLIMIT_STACK leaves the cases room. */
        static struct iso_env env;
        int env_probed = 0;
        struct iso_err e = {0};
        int rc = ISO_EXIT_USAGE;
        size_t n = 0;

        if (!cases || !results) {
                fprintf(stderr, "isocheck: out of memory\n");
                rc = ISO_EXIT_BROKEN;
                goto out;
        }
        for (size_t i = 0; i < n_all; i++)
                if (selected(o, all[i]->name))
                        cases[n++].c = all[i];
        if (n == 0) {
                fprintf(stderr, "isocheck: no case matches the --filter/--exclude given "
                                "(see --list)\n");
                goto out;
        }
        /* The record first: everything the run makes from here on is found by its id.
         * Then the reports: a run that cannot write them says only that. */
        if (iso_reports_plan(&reports, o, &e) < 0) {
                fprintf(stderr, "isocheck: %s\n", e.msg);
                goto out;
        }
        if (geteuid() == 0 && record_run() < 0)
                goto out;
        if (iso_reports_open(&reports, &e) < 0) {
                fprintf(stderr, "isocheck: %s\n", e.msg);
                goto out;
        }
        if (check_artifacts_dir(o->artifacts_dir) < 0) {
                iso_reports_discard(&reports);
                goto out;
        }

        catch_stop();
        iso_env_probe(&env);
        iso_runtimes_probe(&env);
        env_probed = 1;
        struct iso_runner runner;
        if (iso_runner_init(&runner, &env, o->timeout_mult, o->artifacts_dir, &stop_requested, &e) <
            0) {
                fprintf(stderr, "isocheck: %s\n", e.msg);
                iso_reports_discard(&reports);
                rc = ISO_EXIT_BROKEN;
                goto out;
        }

        recover_dead(&env, runner.run_id);
        iso_reports_begin(&reports, n);
        time_t wall = time(NULL);
        double start = iso_now();
        iso_runner_run_plan(&runner, cases, n, 1, results, report_done, &reports);
        iso_runner_fini(&runner);

        char stamp[32];
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
        struct iso_property props[48 + ISO_MAX_GLOBS];
        struct iso_run report = {
                .target = o->target,
                .hostname = env.hostname,
                .timestamp = stamp,
                .duration_s = iso_now() - start,
                .props = props,
                .n_props = run_properties(o, &env, runner.run_id, props, ISO_ARRAY_SIZE(props)),
                .results = results,
                .n_results = n,
        };
        size_t counts[4];
        iso_run_count(&report, counts);

        rc = iso_reports_end(&reports, &report) < 0 ? ISO_EXIT_BROKEN : ISO_EXIT_OK;
        print_notes(reports.notes);
        fprintf(stderr, "isocheck: %zu passed, %zu failed, %zu errors, %zu skipped in %.1f s\n",
                counts[ISO_PASS], counts[ISO_FAIL], counts[ISO_ERROR], counts[ISO_SKIP],
                report.duration_s);
        if (rc == ISO_EXIT_OK) {
                if (stop_requested || counts[ISO_FAIL] || counts[ISO_ERROR])
                        rc = ISO_EXIT_FAIL;
                else if (counts[ISO_PASS] == 0)
                        rc = ISO_EXIT_NOTHING;
        }
out:
        for (size_t i = 0; results && i < n; i++)
                free(results[i].log);
        if (env_probed)
                iso_env_free(&env);
        free(cases);
        free(results);
        return rc;
}

/* --cleanup: what dead runs left, removed and listed. */
static int cleanup(void)
{
        static struct iso_env env; /* off the stack: see run() */
        iso_env_probe(&env);
        iso_runtimes_probe(&env);
        if (env.euid != 0) {
                fprintf(stderr, "isocheck: --cleanup needs root: running as uid %u\n",
                        (unsigned)env.euid);
                iso_env_free(&env);
                return ISO_EXIT_NOTHING;
        }
        static char removed[65536];
        struct iso_err e = {0};
        long n = iso_recover(&env, NULL, removed, sizeof(removed), &e);
        fputs(removed, stdout);
        if (n == 0 && !removed[0])
                printf("nothing to clean up\n");
        if (n < 0)
                fprintf(stderr, "isocheck: --cleanup could not remove everything: %s\n", e.msg);
        iso_env_free(&env);
        if (!stdout_ok())
                return ISO_EXIT_BROKEN;
        return n < 0 ? ISO_EXIT_FAIL : ISO_EXIT_OK;
}

int main(int argc, char **argv)
{
        keep_std_fds();
        /* Past RLIMIT_FSIZE a write fails with EFBIG, reported with a Bail out! naming the
         * limit, instead of SIGXFSZ killing the run silently with its files left. */
        signal(SIGXFSZ, SIG_IGN);
        if (argc > 1 && !strcmp(argv[1], "--hold-run"))
                return hold_run(argv + 2);
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
                return stdout_ok() ? ISO_EXIT_OK : ISO_EXIT_BROKEN;
        case ISO_ACT_VERSION:
                printf("isocheck %s\n", iso_version());
                return stdout_ok() ? ISO_EXIT_OK : ISO_EXIT_BROKEN;
        case ISO_ACT_LIST:
                return list_cases(&o, all, n_all);
        case ISO_ACT_ENV: {
                static struct iso_env env; /* off the stack: see run() */
                iso_env_probe(&env);
                iso_runtimes_probe(&env);
                iso_runtimes_probe(&env);
                iso_env_print(&env, stdout);
                iso_runtimes_print(stdout);
                iso_env_free(&env);
                return stdout_ok() ? ISO_EXIT_OK : ISO_EXIT_BROKEN;
        }
        case ISO_ACT_CLEANUP:
                return cleanup();
        case ISO_ACT_RUN:
                if (iso_cli_check_env(err, sizeof(err)) < 0) {
                        fprintf(stderr, "isocheck: %s\n", err);
                        return ISO_EXIT_USAGE;
                }
                break;
        }
        int rc = run(&o, all, n_all);
        /* Last, after the reports are in place: until then the run is alive. */
        iso_run_unrecord(iso_run_id());
        return rc;
}
