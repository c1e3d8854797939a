// SPDX-License-Identifier: MIT
/* Unit tests of the plan builder (harness/plan.c, harness/plan_files.c) over made-up cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "isocheck/cli.h"
#include "isocheck/plan_build.h"

static const struct iso_case cases_v[] = {
        {.name = "cgroup.memory.oom_kill", .timeout_s = 10},
        {.name = "cgroup.memory.oom_kill.tool"},
        {.name = "pidns.init.pid1"},
        {.name = "pidns.view.isolated"},
        {.name = "sidecar.capture.http.docker"},
        {.name = "selftest.verdict.fail"},
};
static const struct iso_case *all[ISO_ARRAY_SIZE(cases_v)];
#define N_ALL ISO_ARRAY_SIZE(cases_v)

#define ARGV(...) ((char *const[]){"isocheck", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"isocheck", __VA_ARGS__}) / sizeof(char *)))
#define OPTS(o, ...)                                                                  \
        do {                                                                          \
                char cli_err[256];                                                    \
                if (iso_cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), cli_err, \
                                  sizeof(cli_err)) < 0)                               \
                        fail_msg("%s", cli_err);                                      \
        } while (0)

static int setup(void **state)
{
        (void)state;
        for (size_t i = 0; i < N_ALL; i++)
                all[i] = &cases_v[i];
        return 0;
}

/* A temporary file holding @text; its path in @path (PATH_MAX-sized by the caller). */
static void temp_file(char *path, const char *text)
{
        strcpy(path, "/tmp/isocheck-test-plan.XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

/* The names of the plan's current round, space-separated. */
static const char *names_of(const struct iso_plan *p)
{
        static char buf[1024];
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < p->n; i++)
                used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? " " : "",
                                         p->items[i].name ? p->items[i].name : p->items[i].c->name);
        return buf;
}

static int build(struct iso_plan *p, const struct iso_opts *o, struct iso_err *e)
{
        char notes[512];
        return iso_plan_build(p, o, all, N_ALL, notes, sizeof(notes), e);
}

/* pytest's rule: --filter and -k must both match; each is ORed within itself. */
static void filter_and_keyword(void **state)
{
        (void)state;
        struct iso_opts o;
        struct iso_plan p;
        struct iso_err e = {0};
        OPTS(&o, "-f", "cgroup.*", "-f", "pidns.*", "-k", "KILL", "-k", "pid1", "-x", "*.tool");
        assert_int_equal(build(&p, &o, &e), 0);
        assert_string_equal(names_of(&p), "cgroup.memory.oom_kill pidns.init.pid1");
        assert_int_equal(p.rounds, 1);
        iso_plan_free(&p);
}

static void nothing_matches(void **state)
{
        (void)state;
        struct iso_opts o;
        struct iso_plan p;
        struct iso_err e = {0};
        OPTS(&o, "-k", "oomkill");
        assert_int_equal(build(&p, &o, &e), -1);
        assert_non_null(strstr(e.msg, "-k oomkill matches no case (nearest: "
                                      "cgroup.memory.oom_kill, cgroup.memory.oom_kill.tool)"));
        iso_plan_free(&p);
        OPTS(&o, "-f", "pidns.view.isolatde");
        assert_int_equal(build(&p, &o, &e), -1);
        assert_non_null(strstr(e.msg, "(nearest: pidns.view.isolated)"));
        iso_plan_free(&p);
        /* Far from everything: no suggestion rather than a wild one. */
        OPTS(&o, "-f", "zzzzzzzz");
        assert_int_equal(build(&p, &o, &e), -1);
        assert_non_null(strstr(e.msg, "nor is near one"));
        iso_plan_free(&p);
        /* Each matches alone, not together. */
        OPTS(&o, "-f", "pidns.*", "-k", "docker");
        assert_int_equal(build(&p, &o, &e), -1);
        assert_non_null(strstr(e.msg, "together"));
        iso_plan_free(&p);
}

static void timeouts_last_wins(void **state)
{
        (void)state;
        struct iso_opts o;
        struct iso_plan p;
        struct iso_err e = {0};
        OPTS(&o, "-f", "cgroup.*", "--timeout", "cgroup.*=60", "--timeout",
             "cgroup.memory.oom_kill.tool=5");
        assert_int_equal(build(&p, &o, &e), 0);
        assert_int_equal(p.items[0].timeout_s, 60);
        assert_int_equal(p.items[1].timeout_s, 5);
        iso_plan_free(&p);
        OPTS(&o, "--timeout", "pidns.init.pidl=3");
        assert_int_equal(build(&p, &o, &e), -1);
        assert_non_null(strstr(e.msg, "matches no case (nearest: pidns.init.pid1)"));
        iso_plan_free(&p);
}

static void repeat_names_rounds(void **state)
{
        (void)state;
        struct iso_opts o;
        struct iso_plan p;
        struct iso_err e = {0};
        OPTS(&o, "-f", "pidns.*", "--repeat", "3");
        assert_int_equal(build(&p, &o, &e), 0);
        assert_int_equal(p.rounds, 3);
        assert_string_equal(names_of(&p), "pidns.init.pid1#1 pidns.view.isolated#1");
        const char *first = p.items[0].name;
        assert_int_equal(iso_plan_round(&p, 2, &e), 0);
        assert_string_equal(names_of(&p), "pidns.init.pid1#2 pidns.view.isolated#2");
        /* Round 1's names stay valid: the reports of round 1 point at them. */
        assert_string_equal(first, "pidns.init.pid1#1");
        iso_plan_free(&p);
        /* One round keeps the plain names. */
        OPTS(&o, "-f", "pidns.*");
        assert_int_equal(build(&p, &o, &e), 0);
        assert_null(p.items[0].name);
        iso_plan_free(&p);
        /* More results than a run keeps. */
        OPTS(&o, "--repeat", "1000");
        assert_int_equal(build(&p, &o, &e), -1);
        assert_non_null(strstr(e.msg, "6000 results"));
        iso_plan_free(&p);
}

static void shuffle_replays(void **state)
{
        (void)state;
        struct iso_opts o;
        struct iso_plan p;
        struct iso_err e = {0};
        char a[1024], b[1024], c[1024];
        OPTS(&o, "--seed", "1", "--repeat", "2");
        assert_int_equal(build(&p, &o, &e), 0);
        assert_int_equal(iso_plan_round(&p, 2, &e), 0);
        strcpy(a, names_of(&p));
        iso_plan_free(&p);
        assert_int_equal(build(&p, &o, &e), 0);
        assert_int_equal(iso_plan_round(&p, 2, &e), 0);
        strcpy(b, names_of(&p));
        iso_plan_free(&p);
        assert_string_equal(a, b);
        OPTS(&o, "--seed", "2", "--repeat", "2");
        assert_int_equal(build(&p, &o, &e), 0);
        assert_int_equal(iso_plan_round(&p, 2, &e), 0);
        strcpy(c, names_of(&p));
        assert_int_equal(p.seed, 2);
        iso_plan_free(&p);
        assert_string_not_equal(a, c);
}

static void skip_file(void **state)
{
        (void)state;
        char path[64], bad[64], notes[512];
        struct iso_opts o;
        struct iso_plan p;
        struct iso_err e = {0};
        temp_file(path, "# comment\n\n  pidns.*\tno PID namespaces on this # host  \n"
                        "pidns.init.pid1 never used: the first match wins\nnothing.* x\n");
        OPTS(&o, "--skip-file", path);
        assert_int_equal(iso_plan_build(&p, &o, all, N_ALL, notes, sizeof(notes), &e), 0);
        assert_null(p.items[0].skip_reason);
        assert_string_equal(p.items[2].c->name, "pidns.init.pid1");
        assert_string_equal(p.items[2].skip_reason, "no PID namespaces on this # host");
        assert_non_null(strstr(notes, ":5: nothing.* matches no case"));
        iso_plan_free(&p);
        temp_file(bad, "ok.* fine\npidns.*\n");
        OPTS(&o, "--skip-file", bad);
        assert_int_equal(build(&p, &o, &e), -1);
        assert_non_null(strstr(e.msg, ":2: expected GLOB and a reason"));
        iso_plan_free(&p);
        unlink(path);
        unlink(bad);
}

static void case_of(void **state)
{
        (void)state;
        assert_ptr_equal(iso_plan_case_of("pidns.init.pid1", all, N_ALL), all[2]);
        assert_ptr_equal(iso_plan_case_of("pidns.init.pid1#12", all, N_ALL), all[2]);
        assert_ptr_equal(iso_plan_case_of("vm-6.1-v2.cgroup.memory.oom_kill.tool#2", all, N_ALL),
                         all[1]);
        assert_null(iso_plan_case_of("isocheck.harness", all, N_ALL));
        assert_null(iso_plan_case_of("pidns.init.pid1#x", all, N_ALL));
}

static void last_failed_tap(void **state)
{
        (void)state;
        char path[64];
        struct iso_named_line *v;
        size_t total;
        struct iso_err e = {0};
        temp_file(path, "TAP version 14\n1..5\n# Subtest: pidns.init.pid1\n    not ok 1 - x\n"
                        "not ok 1 - pidns.init.pid1\n  ---\n  message: \"x\"\n  ...\n"
                        "ok 2 - pidns.view.isolated\nnot ok 3 - cgroup.memory.oom_kill # TODO\n"
                        "not ok 4 - a\\#b\\\\c # SKIP no\nnot ok 5 - selftest.verdict.fail\\#3\n");
        long n = iso_report_failed(path, &v, &total, &e);
        assert_int_equal(n, 2);
        assert_int_equal(total, 5);
        assert_string_equal(v[0].name, "pidns.init.pid1");
        assert_int_equal(v[0].line, 5);
        assert_string_equal(v[1].name, "selftest.verdict.fail#3");
        iso_named_lines_free(v, (size_t)n);
        unlink(path);
        temp_file(path, "ok 1 - x\n");
        assert_int_equal(iso_report_failed(path, &v, &total, &e), -1);
        assert_non_null(strstr(e.msg, ":1: expected a TAP report"));
        unlink(path);
}

static void last_failed_junit(void **state)
{
        (void)state;
        char path[64];
        struct iso_named_line *v;
        size_t total;
        struct iso_err e = {0};
        temp_file(path, "<?xml version=\"1.0\"?>\n<testsuites>\n<testsuite name=\"host\">\n"
                        "<testcase classname=\"pidns.init\" name=\"pid1\"><error message=\"x\"/>"
                        "</testcase>\n<testcase classname=\"pidns.view\" name=\"isolated\"/>\n"
                        "<testcase classname=\"isocheck\" name=\"isocheck\"><failure/></testcase>\n"
                        "</testsuite>\n</testsuites>\n");
        long n = iso_report_failed(path, &v, &total, &e);
        assert_int_equal(n, 2);
        assert_int_equal(total, 3);
        assert_string_equal(v[0].name, "pidns.init.pid1");
        assert_int_equal(v[0].line, 4);
        assert_string_equal(v[1].name, "isocheck");
        iso_named_lines_free(v, (size_t)n);
        unlink(path);
        temp_file(path, "<?xml version=\"1.0\"?>\n<html/>\n");
        assert_int_equal(iso_report_failed(path, &v, &total, &e), -1);
        assert_non_null(strstr(e.msg, ":2: expected <testsuites> or <testsuite>"));
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(filter_and_keyword),
                cmocka_unit_test(nothing_matches),
                cmocka_unit_test(timeouts_last_wins),
                cmocka_unit_test(repeat_names_rounds),
                cmocka_unit_test(shuffle_replays),
                cmocka_unit_test(skip_file),
                cmocka_unit_test(case_of),
                cmocka_unit_test(last_failed_tap),
                cmocka_unit_test(last_failed_junit),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
