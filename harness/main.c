// SPDX-License-Identifier: MIT
/* isocheck: select cases, run them, write the TAP stream and the JUnit report. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
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
#include "isocheck/recover.h"
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

/*
 * A report file is written under "<path>.tmp.<run id>" (registered with the run's record,
 * so a recovery removes it if the run is killed) and renamed into place at the end,
 * so a reader never sees half a report. A path that already names something other than
 * a regular file (/dev/stdout, a FIFO, a device) is written in place instead: renaming
 * over it would replace the device node itself.
 */
struct out_file {
        const char *path;
        char tmp[PATH_MAX];
        int in_place;
        FILE *f;
};

static int open_out(struct out_file *o, const char *path)
{
        o->path = path;
        o->f = NULL;
        o->in_place = 0;
        if (!path)
                return 0;
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                fprintf(stderr, "isocheck: the report path %s is a directory\n", path);
                return -1;
        }
        if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%s", path, iso_run_id()) >=
            (int)sizeof(o->tmp)) {
                fprintf(stderr, "isocheck: report path too long: %.80s...\n", path);
                return -1;
        }
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
                /* Written through, so only a stream (a terminal, /dev/stdout, a pipe), and
                 * never through a link another user planted: root would write where they
                 * point it (a block device, another user's FIFO). */
                struct stat lst;
                if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && lst.st_uid != geteuid() &&
                    lst.st_uid != 0) {
                        fprintf(stderr,
                                "isocheck: refusing to write the report through %s: a link "
                                "owned by uid %u\n",
                                path, (unsigned)lst.st_uid);
                        return -1;
                }
                if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) {
                        fprintf(stderr,
                                "isocheck: the report path %s is neither a regular file nor a "
                                "stream (a block device?): refusing to write it\n",
                                path);
                        return -1;
                }
                o->in_place = 1;
                int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
                o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
                if (fd >= 0 && !o->f)
                        close(fd);
        } else {
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%s", path);
                struct iso_err e = {0};
                if (iso_mkdir_p(dirname(dir), &e) < 0) {
                        fprintf(stderr, "isocheck: cannot create the report directory: %s\n",
                                e.msg);
                        return -1;
                }
                /* Exclusive, never through a link: the directory may be another user's.
                 * The name carries our run id, so whatever is already there was planted:
                 * it is removed (a link, never its target) and the file made anew. */
                int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
                int fd = open(o->tmp, flags, 0644);
                if (fd < 0 && errno == EEXIST && unlink(o->tmp) == 0)
                        fd = open(o->tmp, flags, 0644);
                o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
                if (fd >= 0 && !o->f)
                        close(fd);
                if (o->f)
                        iso_run_note_file(o->tmp, NULL);
        }
        if (!o->f) {
                int saved = errno;
                fprintf(stderr, "isocheck: cannot write the report %s: %s%s\n", path,
                        strerror(saved),
                        saved == EACCES || saved == EPERM || saved == EROFS
                                ? " (name a file you can write with --tap FILE and --junit FILE)"
                                : "");
                return -1;
        }
        return 0;
}

/* Flush, sync and rename into place; on any failure remove the temporary file and return -1
 * with errno set. */
static int commit_out(struct out_file *o)
{
        if (!o->f)
                return 0;
        int ok = fflush(o->f) == 0 && !ferror(o->f) && (o->in_place || fsync(fileno(o->f)) == 0);
        int saved = errno;
        ok = (fclose(o->f) == 0) && ok;
        o->f = NULL;
        if (o->in_place && ok)
                return 0;
        if (ok && rename(o->tmp, o->path) == 0)
                return 0;
        if (ok)
                saved = errno;
        fprintf(stderr, "isocheck: writing the report %s failed: %s\n", o->path,
                strerror(saved ? saved : EIO));
        if (!o->in_place)
                unlink(o->tmp);
        errno = saved ? saved : EIO; /* for the caller's Bail out! */
        return -1;
}

static void discard_out(struct out_file *o)
{
        if (!o->f)
                return;
        fclose(o->f);
        o->f = NULL;
        if (!o->in_place)
                unlink(o->tmp);
}

/* Two options naming one file would interleave two documents in it. */
static int same_file(const char *a, const char *b)
{
        if (!a || !b)
                return 0;
        if (!strcmp(a, b))
                return 1;
        struct stat x, y;
        return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
               x.st_ino == y.st_ino && S_ISREG(x.st_mode);
}

/*
 * The artifacts directory must take <case name>/<file> below it: check before running.
 * Root refuses one owned by another user (who could plant links in it). A user who
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
        int fd = -1;
        if (iso_mkdir_p(dir, &e) == 0)
                fd = iso_open_own_dir(dir, &e);
        if (fd >= 0) {
                close(fd);
                return 0;
        }
        if (geteuid() != 0) {
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

/*
 * Flush @f and, when it has failed, describe that in @why (if still empty): "writing @what
 * failed: the error" (@first_errno when non-zero). A NULL @f (no such report) is fine.
 */
static void stream_failed(FILE *f, int first_errno, const char *what, char *why, size_t size)
{
        if (!f)
                return;
        errno = 0;
        if (fflush(f) == 0 && !ferror(f))
                return;
        /* The error of the first failed write: later ones only repeat EIO. */
        int saved = first_errno ? first_errno : errno ? errno : EIO;
        if (!why[0])
                snprintf(why, size, "writing %s failed: %s", what, strerror(saved));
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

        if (same_file(o->tap_path, o->junit_path)) {
                fprintf(stderr, "isocheck: --tap and --junit name the same file %s\n", o->tap_path);
                free(cases);
                free(results);
                return ISO_EXIT_USAGE;
        }
        /* The record first: everything the run makes from here on is found by its id.
         * Then the reports: a run that cannot write them says only that. */
        if (geteuid() == 0 && record_run() < 0) {
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
        if (open_out(&junit_file, o->junit_path) < 0 || check_artifacts_dir(o->artifacts_dir) < 0) {
                discard_out(&tap_file);
                discard_out(&junit_file);
                free(cases);
                free(results);
                return ISO_EXIT_USAGE;
        }

        struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: wake the wait */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL); /* a dropped ssh session: stop and clean up too */
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

        /* Leftovers of runs that died (kill -9, a crash) go before this one starts. */
        if (env.euid == 0) {
                char removed[4096];
                struct iso_err re = {0};
                long n_removed = iso_recover(&env, runner.run_id, removed, sizeof(removed), &re);
                if (n_removed != 0)
                        fprintf(stderr, "isocheck: cleaned up after dead runs:\n%s", removed);
        }

        struct iso_tap taps[2] = {{stdout, o->tap_version, o->verbose},
                                  {tap_file.f, o->tap_version, o->verbose}};
        size_t n_taps = tap_file.f ? 2 : 1;
        int tap_errno[2] = {0, 0}; /* each TAP stream's first write error */
        for (size_t k = 0; k < n_taps; k++)
                if (iso_tap_begin(&taps[k], n) < 0)
                        tap_errno[k] = errno ? errno : EIO;
        fflush(stdout);

        time_t wall = time(NULL);
        double start = iso_now();
        for (size_t i = 0; i < n; i++) {
                iso_runner_run(&runner, cases[i], &results[i]);
                for (size_t k = 0; k < n_taps; k++)
                        if (iso_tap_case(&taps[k], i + 1, &results[i]) < 0 && !tap_errno[k])
                                tap_errno[k] = errno ? errno : EIO;
                fflush(stdout);
        }
        iso_runner_fini(&runner);

        char stamp[32];
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
        struct iso_property props[48 + ISO_MAX_GLOBS];
        char prop_buf[8192];
        size_t n_props = iso_env_properties(&env, props + 3, ISO_ARRAY_SIZE(props) - 3, prop_buf,
                                            sizeof(prop_buf));
        props[0] = (struct iso_property){"target", o->target};
        props[1] = (struct iso_property){"isocheck.version", ISOCHECK_VERSION};
        /* What this run's cgroups, interfaces and records are named after. */
        props[2] = (struct iso_property){"run.id", runner.run_id};
        /* --property NAME=VALUE entries, split in place in a copy. */
        static char user_props[ISO_MAX_GLOBS][512];
        for (size_t i = 0; i < o->n_properties && n_props + 3 < ISO_ARRAY_SIZE(props); i++) {
                iso_strlcpy(user_props[i], o->properties[i], sizeof(user_props[i]));
                char *eq = strchr(user_props[i], '=');
                *eq = '\0';
                props[3 + n_props++] = (struct iso_property){user_props[i], eq + 1};
        }
        struct iso_run report = {
                .target = o->target,
                .hostname = env.hostname,
                .timestamp = stamp,
                .duration_s = iso_now() - start,
                .props = props,
                .n_props = n_props + 3,
                .results = results,
                .n_results = n,
        };
        size_t counts[4];
        iso_run_count(&report, counts);

        /* A report that cannot be written is a broken harness: every report that still
         * can be says so (TAP: "Bail out!", JUnit: an error). The TAP streams are checked
         * first, so that the JUnit can carry their failure. */
        char why[512] = "";
        char tap_what[PATH_MAX + 32];
        snprintf(tap_what, sizeof(tap_what), "the TAP report %s", o->tap_path ? o->tap_path : "");
        stream_failed(stdout, tap_errno[0], "the TAP stream on standard output", why, sizeof(why));
        stream_failed(tap_file.f, tap_errno[1], tap_what, why, sizeof(why));
        report.harness_error = why[0] ? why : NULL;
        if (junit_file.f && iso_junit_write(junit_file.f, &report) < 0) {
                if (!why[0])
                        snprintf(why, sizeof(why), "writing the JUnit report %s failed: %s",
                                 o->junit_path, strerror(errno ? errno : EIO));
                discard_out(&junit_file);
        }
        /* Both, whatever the first gives: no temporary file may stay behind. */
        if (commit_out(&junit_file) < 0 && !why[0])
                snprintf(why, sizeof(why), "writing the JUnit report %s failed: %s", o->junit_path,
                         strerror(errno));
        if (why[0]) {
                fprintf(stderr, "isocheck: %s\n", why);
                for (size_t k = 0; k < n_taps; k++)
                        iso_tap_bail(&taps[k], why);
                rc = ISO_EXIT_BROKEN;
        }
        if (commit_out(&tap_file) < 0 || !stdout_ok())
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

/* --cleanup: what dead runs left, removed and listed. */
static int cleanup(void)
{
        struct iso_env env;
        iso_env_probe(&env);
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
                printf("isocheck %s\n", ISOCHECK_VERSION);
                return stdout_ok() ? ISO_EXIT_OK : ISO_EXIT_BROKEN;
        case ISO_ACT_LIST:
                return list_cases(&o, all, n_all);
        case ISO_ACT_ENV: {
                struct iso_env env;
                iso_env_probe(&env);
                iso_env_print(&env, stdout);
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
