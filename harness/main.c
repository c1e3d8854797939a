// SPDX-License-Identifier: MIT
/* isocheck: select cases, run them, write the TAP stream and the JUnit report. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include "isocheck/plan_build.h"
#include "isocheck/progress.h"
#include "isocheck/recover.h"
#include "isocheck/report.h"
#include "isocheck/runner.h"
#include "isocheck/runtime.h"
#include "listing.h"
#include "matrix/matrix.h"
#include "matrix/page.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
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

static void print_notes(const char *notes);

/* --list: the plan a run with the same options would run (one round). */
static int list_cases(const struct iso_opts *o, const struct iso_case *const *cases, size_t n)
{
        struct iso_plan plan;
        char notes[2048];
        struct iso_err e = {0};
        int rc = iso_plan_build(&plan, o, cases, n, notes, sizeof(notes), &e);

        print_notes(notes);
        if (rc != 0) {
                fprintf(stderr, "isocheck: %s\n", e.msg);
                iso_plan_free(&plan);
                return rc == ISO_PLAN_NOTHING ? ISO_EXIT_NOTHING : ISO_EXIT_USAGE;
        }
        rc = iso_list_print(stdout, plan.items, plan.n, o->format, o->verbose);
        iso_plan_free(&plan);
        if (rc < 0) {
                fprintf(stderr, "isocheck: --list --format json: out of memory\n");
                return ISO_EXIT_BROKEN;
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
                             const char *run_id, const struct iso_plan *plan,
                             struct iso_property *props, size_t max)
{
        static char prop_buf[8192];
        static char user_props[ISO_MAX_GLOBS][512];
        static char seed[24], repeat[32];
        size_t n = 3;

        props[0] = (struct iso_property){"target", o->target};
        props[1] = (struct iso_property){"isocheck.version", iso_version()};
        /* What this run's cgroups, interfaces and records are named after. */
        props[2] = (struct iso_property){"run.id", run_id};
        n += iso_env_properties(env, props + 3, max - 3, prop_buf, sizeof(prop_buf));
        /* How to replay this run's order and repetitions (--seed, --repeat, --until-fail). */
        if (plan->shuffle && n < max) {
                snprintf(seed, sizeof(seed), "%lu", plan->seed);
                props[n++] = (struct iso_property){"shuffle.seed", seed};
        }
        if ((plan->rounds > 1 || plan->until_fail) && n < max) {
                snprintf(repeat, sizeof(repeat), "%u%s", plan->rounds,
                         plan->until_fail ? " until-fail" : "");
                props[n++] = (struct iso_property){"repeat", repeat};
        }
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

/*
 * The page for people (issue 13): index.html beside the JUnit report just written, read
 * back from it. A page that cannot be written is a note; it never changes the verdict.
 */
static void write_page(const struct iso_opts *o)
{
        char page[PATH_MAX];
        struct iso_err e = {0};
        struct stat st;

        /* Only beside a regular file: a JUnit sent to a pipe or /dev/stdout has no folder. */
        if (!o->junit_path || stat(o->junit_path, &st) < 0 || !S_ISREG(st.st_mode))
                return;
        if (iso_page_index(o->junit_path, page, &e) < 0)
                fprintf(stderr, "isocheck: note: the report page was not written: %s\n", e.msg);
}

/* -j's default: the CPUs this process may run on (a cpuset or taskset narrows them). */
static unsigned default_jobs(void)
{
        cpu_set_t set;
        long n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                              : sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : n > ISO_MAX_JOBS ? ISO_MAX_JOBS : (unsigned)n;
}

/* The live status line; cleared before a TAP line goes out, as stdout may be the same
 * terminal (the status callback draws it again right after). */
static struct iso_progress_out progress;

/* Each result goes to the reports as soon as it and every one before it are in; @arg
 * numbers a round's results after those of the rounds before. */
struct round_ctx {
        struct iso_reports *reports;
        size_t before;
};

static void report_done(void *arg, size_t i, const struct iso_result *res)
{
        struct round_ctx *rc = arg;
        iso_progress_clear(&progress);
        iso_reports_case(rc->reports, rc->before + i + 1, res);
        fflush(stdout);
}

static int round_failed(const struct iso_result *res, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (res[i].verdict == ISO_FAIL || res[i].verdict == ISO_ERROR)
                        return 1;
        return 0;
}

static int run(const struct iso_opts *o, const struct iso_case *const *all, size_t n_all)
{
        struct iso_plan plan;
        char notes[2048];
        struct iso_result *results = NULL;
        static struct iso_reports reports;
        /* 25 KiB: static, like the reports, so a small RLIMIT_STACK leaves the cases room. */
        static struct iso_env env;
        int env_probed = 0;
        struct iso_err e = {0};
        int rc = ISO_EXIT_USAGE;
        size_t n = 0;

        int built = iso_plan_build(&plan, o, all, n_all, notes, sizeof(notes), &e);
        print_notes(notes);
        if (built != 0) {
                /* --last-failed of a report where nothing failed: nothing to run, said so. */
                fprintf(stderr, "isocheck: %s\n", e.msg);
                rc = built == ISO_PLAN_NOTHING ? ISO_EXIT_NOTHING : ISO_EXIT_USAGE;
                goto out;
        }
        if (plan.shuffle)
                fprintf(stderr, "isocheck: shuffled with --seed %lu\n", plan.seed);
        /* calloc: the pages of rounds that never run (--until-fail) are never touched. */
        results = calloc((size_t)plan.rounds * plan.n, sizeof(*results));
        if (!results) {
                fprintf(stderr, "isocheck: out of memory for %u x %zu results\n", plan.rounds,
                        plan.n);
                rc = ISO_EXIT_BROKEN;
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
        iso_plan_probe(&env, plan.items, plan.n); /* only what the selected cases need */
        env_probed = 1;
        struct iso_runner runner;
        if (iso_runner_init(&runner, &env, o->timeout_mult, o->artifacts_dir, &stop_requested, &e) <
            0) {
                fprintf(stderr, "isocheck: %s\n", e.msg);
                iso_reports_discard(&reports);
                rc = ISO_EXIT_BROKEN;
                goto out;
        }

        /* A note that changes no verdict: shown when asked (-v; --env says it too). */
        if (runner.note[0] && o->verbose)
                fprintf(stderr, "isocheck: note: %s\n", runner.note);
        recover_dead(&env, runner.run_id);
        /* --until-fail: the TAP plan comes last (report_tap.c), when the count is known. */
        iso_reports_begin(&reports, plan.until_fail ? 0 : (size_t)plan.rounds * plan.n);
        time_t wall = time(NULL);
        double start = iso_now();
        iso_progress_init(&progress, o->progress, STDERR_FILENO);
        /* Rounds: every case once per round, so repetitions of a case never overlap. A stop
         * (SIGINT) leaves the later rounds' cases reported as interrupted. */
        for (unsigned round = 1; round <= plan.rounds; round++) {
                if (round > 1 && iso_plan_round(&plan, round, &e) < 0) {
                        fprintf(stderr, "isocheck: %s\n", e.msg);
                        break;
                }
                struct round_ctx ctx = {&reports, n};
                iso_runner_run_plan_watched(&runner, plan.items, plan.n,
                                            o->jobs ? o->jobs : default_jobs(), results + n,
                                            report_done, &ctx, iso_progress_status, &progress);
                n += plan.n;
                if (plan.until_fail && round_failed(results + n - plan.n, plan.n)) {
                        if (plan.rounds > 1)
                                fprintf(stderr, "isocheck: --until-fail: round %u failed\n", round);
                        break;
                }
        }
        if (plan.until_fail && !round_failed(results + n - plan.n, plan.n))
                fprintf(stderr, "isocheck: --until-fail: no failure in %u rounds\n", plan.rounds);
        iso_progress_clear(&progress);
        iso_runner_fini(&runner);

        char stamp[32];
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
        struct iso_property props[80 + ISO_MAX_GLOBS];
        struct iso_run report = {
                .target = o->target,
                .hostname = env.hostname,
                .timestamp = stamp,
                .duration_s = iso_now() - start,
                .props = props,
                .n_props =
                        run_properties(o, &env, runner.run_id, &plan, props, ISO_ARRAY_SIZE(props)),
                .results = results,
                .n_results = n,
        };
        size_t counts[4];
        iso_run_count(&report, counts);

        rc = iso_reports_end(&reports, &report) < 0 ? ISO_EXIT_BROKEN : ISO_EXIT_OK;
        print_notes(reports.notes);
        if (rc == ISO_EXIT_OK)
                write_page(o);
        fprintf(stderr, "isocheck: %zu passed, %zu failed, %zu errors, %zu skipped in %.1f s\n",
                counts[ISO_PASS], counts[ISO_FAIL], counts[ISO_ERROR], counts[ISO_SKIP],
                report.duration_s);
        if (o->progress != ISO_PROGRESS_NEVER)
                iso_progress_slowest(results, n, 5, stderr);
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
        iso_plan_free(&plan);
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
        /* `isocheck report ...`: the matrix over many runs, its own options (issue 13). */
        if (argc > 1 && !strcmp(argv[1], "report"))
                return iso_report_main(argc - 1, argv + 1);
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
                iso_env_probe_versions(&env, NULL); /* --env describes everything */
                iso_runtimes_probe(&env);
                int bad = 0;
                if (o.format == ISO_FMT_JSON) {
                        bad = iso_env_print_json(stdout, &env) < 0;
                } else {
                        iso_env_print(&env, stdout);
                        iso_runtimes_print(stdout);
                }
                iso_env_free(&env);
                if (bad)
                        fprintf(stderr, "isocheck: --env --format json: out of memory\n");
                return !bad && stdout_ok() ? ISO_EXIT_OK : ISO_EXIT_BROKEN;
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
