// SPDX-License-Identifier: MIT
/*
 * Cases that misbehave on purpose, linked only into build/san/isocheck-selftest, so
 * `make test` can show the runner turns each misbehaviour into the right verdict and
 * leaves nothing behind. Never part of the real suite.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/fixtures.h"
#include "isocheck/env.h"
#include "isocheck/tool.h"

ISO_CASE(self_pass, "selftest.verdict.pass", .summary = "two passing checks", .lab_step = "none",
         .timeout_s = 5)
{
        iso_check_eq(t, 1 + 1, 2, "arithmetic");
        iso_check(t, 1, "a true condition", "true", "%s", "true");
        iso_check_skip(t, "a check that cannot be made here", "needs a # unicorn");
        iso_log(t, "a log line");
        iso_artifact(t, "note.txt", "hello\n", 6);
}

ISO_CASE(self_fail, "selftest.verdict.fail", .summary = "one failing check among passing ones",
         .lab_step = "none", .timeout_s = 5)
{
        iso_check_eq(t, 2, 2, "passes");
        iso_check_eq(t, 41, 42, "the answer");
        iso_check_eq(t, 3, 3, "runs after the failure");
}

ISO_CASE(self_skip, "selftest.verdict.skip", .summary = "skips at run time with a reason",
         .lab_step = "none", .timeout_s = 5)
{
        iso_skip(t, "needs a unicorn: none found in /dev/unicorn");
}

ISO_CASE(self_unmet, "selftest.verdict.unmet", .summary = "a requirement that is never met",
         .lab_step = "none", .needs = {ISO_TOOL("isocheck-no-such-tool")}, .timeout_s = 5)
{
        iso_check(t, 0, "never runs", "skipped", "%s", "ran");
}

ISO_CASE(self_broken, "selftest.verdict.broken", .summary = "setup breaks: error, not failure",
         .lab_step = "none", .timeout_s = 5)
{
        iso_check_eq(t, 1, 1, "recorded before breaking");
        iso_broken(t, "expected open(/nonexistent) to work, got ENOENT");
}

ISO_CASE(self_crash, "selftest.verdict.crash", .summary = "killed by a signal after one check",
         .lab_step = "none", .timeout_s = 5)
{
        iso_check_eq(t, 7, 7, "recorded before the crash");
        raise(SIGKILL); /* as the OOM killer would; SIGSEGV is caught by ASan */
}

ISO_CASE(self_timeout, "selftest.verdict.timeout", .summary = "outlives its timeout",
         .lab_step = "none", .timeout_s = 1)
{
        iso_check_eq(t, 1, 1, "recorded before hanging");
        /* What the report must keep of a case that times out: its log, and this step. */
        iso_log(t, "waiting for an answer that never comes");
        if (fork() == 0) /* a grandchild that must die with the case */
                for (;;)
                        pause();
        for (;;)
                pause();
}

ISO_CASE(self_nochecks, "selftest.verdict.nochecks", .summary = "records nothing",
         .lab_step = "none", .timeout_s = 5)
{
        (void)t;
}

ISO_CASE(self_leak_process, "selftest.leak.process", .summary = "leaves a daemon running",
         .lab_step = "none", .needs = {ISO_ROOT}, .timeout_s = 5)
{
        iso_check_eq(t, 1, 1, "passes, but leaks");
        if (fork() == 0) {
                setsid(); /* escapes the process group, not the tracking cgroup */
                for (;;)
                        pause();
        }
}

/* Each case has a mount namespace of its own: a mount it forgets cannot reach the host. */
ISO_CASE(self_contained_mount, "selftest.contained.mount",
         .summary = "a mount a case forgets stays in the case's mount namespace",
         .lab_step = "none", .needs = {ISO_ROOT, ISO_CAP_SYS_ADMIN}, .timeout_s = 5)
{
        /* The mountpoint lives with the artifacts, which the test run removes. */
        char dir[PATH_MAX];
        if (iso_artifact_path(t, "mnt", dir, sizeof(dir)) < 0 || mkdir(dir, 0700) < 0)
                iso_broken(t, "expected to make a mountpoint among the artifacts: %s",
                           strerror(errno));
        iso_log(t, "mountpoint %s", dir);
        iso_check_eq(t, mount("isocheck-selftest", dir, "tmpfs", 0, "size=64k"), 0, "mount");
}

ISO_CASE(self_hostile, "selftest.strings.hostile", .summary = "hostile bytes in every string",
         .lab_step = "none", .timeout_s = 5)
{
        static const char nasty[] = "]]> <&\"' # \\ \x01\x1b[31m \xff\xfe \xc0\xaf \xed\xa0\x80"
                                    " line1\nline2\r # SKIP not ok 1 - fake";
        iso_log(t, "%s", nasty);
        printf("stdout of the case: %s\n", nasty);
        iso_check(t, 0, nasty, nasty, "%s", nasty);
}

/* A log far beyond the reports' cap: cut there with a mark, kept whole as case.log. */
ISO_CASE(self_log_long, "selftest.log.long", .summary = "logs 200 KiB", .lab_step = "none",
         .timeout_s = 10)
{
        for (int i = 0; i < 2000; i++)
                iso_log(t, "log line %04d of 2000 %0*d", i, 80, 0);
        iso_check_eq(t, 1, 1, "logged");
}

/* An artifact named for a tool that never wrote it (a run interrupted first). */
ISO_CASE(self_artifact_unwritten, "selftest.artifact.unwritten",
         .summary = "names an artifact that is never written", .lab_step = "none", .timeout_s = 5)
{
        char path[PATH_MAX];
        iso_check_eq(t, iso_artifact_path(t, "never.pcap", path, sizeof(path)), 0,
                     "artifact path given");
        iso_artifact(t, "written.txt", "yes\n", 4);
}

/* What the case's processes print, far beyond the cap: cut and kept whole the same way. */
ISO_CASE(self_log_output, "selftest.log.output", .summary = "prints 150 KiB", .lab_step = "none",
         .timeout_s = 10)
{
        for (int i = 0; i < 1500; i++)
                printf("output line %04d of 1500 %0*d\n", i, 80, 0);
        fflush(stdout);
        iso_check_eq(t, 1, 1, "printed");
}

/* Hangs in a program it started: the timeout names that program. */
ISO_CASE(self_timeout_tool, "selftest.verdict.timeout.tool",
         .summary = "outlives its timeout waiting for a program", .lab_step = "none",
         .timeout_s = 1)
{
        iso_check_eq(t, 1, 1, "recorded before the program");
        pid_t pid = fork();
        if (pid == 0) {
                execlp("sleep", "sleep", "60", (char *)NULL);
                _exit(127);
        }
        waitpid(pid, NULL, 0);
}

/* Cut short while a tool it reads through tool.c has printed a line: the line is kept
 * (field, issue 11b item 8: a fake stress-ng printing then sleeping lost its output). */
ISO_CASE(self_timeout_toolout, "selftest.verdict.timeout.toolout",
         .summary = "outlives its timeout reading a program that has printed a line",
         .lab_step = "none", .timeout_s = 1)
{
        iso_check_eq(t, 1, 1, "recorded before the program");
        char *const argv[] = {"sh", "-c", "echo 'the tool said: halfway there'; exec sleep 60",
                              NULL};
        char out[256];
        iso_tool_run(argv, NULL, out, sizeof(out), 30.0, NULL, NULL);
}

/* 1 MiB of stack, a 4 KiB frame at a time: passes under the usual 8 MiB RLIMIT_STACK; under
 * `ulimit -s 256` the kernel kills it with SIGSEGV, and the runner's message must name
 * RLIMIT_STACK (issue 11b item 7). The frame is used after the call: no tail call. */
static unsigned deep(unsigned depth)
{
        volatile unsigned char frame[4096];
        frame[depth % sizeof(frame)] = (unsigned char)depth;
        unsigned below = depth ? deep(depth - 1) : 0;
        return below + frame[depth % sizeof(frame)];
}

ISO_CASE(self_stack, "selftest.stack.deep", .summary = "uses 1 MiB of stack", .lab_step = "none",
         .timeout_s = 5)
{
        unsigned sum = deep(256);
        iso_check(t, sum > 0, "1 MiB of stack used", "a sum", "%u", sum);
}

/* A shared fixture that ends the case: the error is reported at this line, not the helper's. */
ISO_CASE(self_where_fixture, "selftest.where.fixture",
         .summary = "a fixture breaks: the error points at the case", .lab_step = "none",
         .timeout_s = 5)
{
        char path[PATH_MAX];
        iso_check_eq(t, 1, 1, "recorded before the fixture breaks");
        iso_fixture_fresh_artifact(t, "not/a/name", path, sizeof(path)); /* EINVAL: a '/' */
}

/*
 * The other cases of the run now running: the directories below isocheck-<run>/ in every
 * hierarchy, but this case's own, named in @names. Returns how many.
 */
static int others_running(struct iso_t *t, char *names, size_t size)
{
        const struct iso_env *env = iso_case_env(t);
        const char *own = iso_current_case(t)->name;
        int n = 0;
        names[0] = '\0';
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%s/isocheck-%s", env->hierarchies[i].mount,
                         iso_case_run_id(t));
                DIR *d = opendir(dir);
                for (struct dirent *de; d && (de = readdir(d));) {
                        if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
                            !strcmp(de->d_name, own))
                                continue;
                        n++;
                        size_t len = strlen(names);
                        snprintf(names + len, size - len, "%s%s", len ? ", " : "", de->d_name);
                }
                if (d)
                        closedir(d);
        }
        return n;
}

/* Exclusive because that is what it checks: under -j the runner starts no case beside it
 * and it starts only once the others ended (field test jobs.sh). */
ISO_CASE(self_exclusive, "selftest.exclusive.alone",
         .summary = "an exclusive case runs with no other case of the run beside it",
         .lab_step = "none", .needs = {ISO_ROOT}, .timeout_s = 5, .exclusive = ISO_ALONE)
{
        char names[1024];
        for (int i = 0; i < 3; i++) {
                int n = others_running(t, names, sizeof(names));
                if (!iso_check_eq(t, n, 0, "no other case of the run is running"))
                        iso_log(t, "running beside it: %s", names);
                usleep(100 * 1000); /* a case started meanwhile shows at the next look */
        }
}
