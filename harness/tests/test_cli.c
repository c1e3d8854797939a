// SPDX-License-Identifier: MIT
/* Unit tests of the command line parser (harness/cli.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "isocheck/cli.h"
#include "isocheck/env.h"
#include "isocheck/report.h"

#define ARGV(...) ((char *const[]){"isocheck", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"isocheck", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, err, ...) \
        iso_cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (err), sizeof(err))

static void defaults(void **state)
{
        (void)state;
        struct iso_opts o;
        char err[256] = "";
        char *const argv[] = {"isocheck", NULL};
        assert_int_equal(iso_cli_parse(1, argv, &o, err, sizeof(err)), 0);
        assert_int_equal(o.action, ISO_ACT_RUN);
        assert_string_equal(o.tap_path, "reports/isocheck.tap");
        assert_string_equal(o.junit_path, "reports/isocheck.junit.xml");
        assert_string_equal(o.artifacts_dir, "reports/artifacts");
        assert_int_equal(o.tap_version, 14);
        assert_true(o.timeout_mult == 1.0);
        assert_int_equal(o.n_filters, 0);
        assert_int_equal(o.verbose, 0);
}

static void every_option(void **state)
{
        (void)state;
        struct iso_opts o;
        char err[256] = "";
        assert_int_equal(PARSE(&o, err, "--filter", "pidns.*", "-f", "cgroup.*", "--exclude",
                               "*.tool", "-x", "x", "--tap", "-", "--tap-version", "13", "--junit",
                               "/tmp/j.xml", "--artifacts", "/tmp/a", "--timeout-mult", "2.5", "-v",
                               "--target", "vm-6.1_v2", "--property", "cgroup=v2", "--property",
                               "kernel=6.1.0-x"),
                         0);
        assert_int_equal(o.n_filters, 2);
        assert_string_equal(o.filters[0], "pidns.*");
        assert_string_equal(o.filters[1], "cgroup.*");
        assert_int_equal(o.n_excludes, 2);
        assert_null(o.tap_path);
        assert_int_equal(o.tap_version, 13);
        assert_string_equal(o.junit_path, "/tmp/j.xml");
        assert_string_equal(o.artifacts_dir, "/tmp/a");
        assert_true(o.timeout_mult == 2.5);
        assert_int_equal(o.verbose, 1);
        assert_string_equal(o.target, "vm-6.1_v2");
        assert_int_equal(o.n_properties, 2);
        assert_string_equal(o.properties[1], "kernel=6.1.0-x");
}

static void selection_options(void **state)
{
        (void)state;
        struct iso_opts o;
        char err[256] = "";
        assert_int_equal(PARSE(&o, err, "-k", "oom", "-k", "PID", "--last-failed", "r.xml",
                               "--skip-file", "skips", "--timeout", "cgroup.*=5", "--timeout",
                               "a=b=7", "--repeat", "3", "--until-fail", "--seed", "42"),
                         0);
        assert_int_equal(o.n_keywords, 2);
        assert_string_equal(o.keywords[1], "PID");
        assert_string_equal(o.last_failed, "r.xml");
        assert_string_equal(o.skip_file, "skips");
        assert_int_equal(o.n_timeouts, 2);
        assert_int_equal(o.timeouts[0].name_len, strlen("cgroup.*"));
        assert_int_equal(o.timeouts[0].seconds, 5);
        /* The glob may hold '=': the seconds follow the last one. */
        assert_int_equal(o.timeouts[1].name_len, strlen("a=b"));
        assert_int_equal(o.timeouts[1].seconds, 7);
        assert_int_equal(o.repeat, 3);
        assert_int_equal(o.until_fail, 1);
        assert_int_equal(o.shuffle, 1); /* --seed replays a shuffle */
        assert_int_equal(o.seed_given, 1);
        assert_int_equal(o.seed, 42);
        assert_int_equal(PARSE(&o, err, "--list", "--format", "json", "-k", "x"), 0);
        assert_int_equal(o.format, ISO_FMT_JSON);
        assert_int_equal(PARSE(&o, err, "--env", "--format", "text"), 0);
        assert_int_equal(o.format, ISO_FMT_TEXT);
        /* "--timeout" is an option of its own now, not an abbreviation of --timeout-mult. */
        assert_int_equal(PARSE(&o, err, "--timeout", "2"), -1);
        assert_non_null(strstr(err, "NAME=SECONDS"));
}

static void actions(void **state)
{
        (void)state;
        struct iso_opts o;
        char err[256];
        assert_int_equal(PARSE(&o, err, "--list"), 0);
        assert_int_equal(o.action, ISO_ACT_LIST);
        assert_int_equal(PARSE(&o, err, "--env"), 0);
        assert_int_equal(o.action, ISO_ACT_ENV);
        assert_int_equal(PARSE(&o, err, "-h"), 0);
        assert_int_equal(o.action, ISO_ACT_HELP);
        assert_int_equal(PARSE(&o, err, "--version"), 0);
        assert_int_equal(o.action, ISO_ACT_VERSION);
}

/* Each malformed command line is refused with a one-line reason that names the problem. */
static void refused(void **state)
{
        (void)state;
        static const struct {
                const char *args[4];
                const char *needle;
        } bad[] = {
                {{"--bogus"}, "unknown option --bogus"},
                {{"-q"}, "unknown option -q"},
                {{"--timeout-mult", "-1"}, "--timeout-mult"},
                {{"--timeout-mult", "0"}, "--timeout-mult"},
                {{"--timeout-mult", "abc"}, "\"abc\""},
                {{"--timeout-mult", "1e9"}, "0.01 to 1000"},
                {{"--timeout-mult", "0.001"}, "0.01 to 1000"},
                {{"--list=yes"}, "--list=yes takes no value"},
                {{"--list", "--env"}, "--list and --env cannot be combined"},
                {{"--timeout-mult", "nan"}, "--timeout-mult"},
                {{"--timeout-mult", "inf"}, "--timeout-mult"},
                {{"--timeout-mult", "2x"}, "--timeout-mult"},
                {{"--tap-version", "12"}, "13 or 14"},
                {{"--tap-version", ""}, "13 or 14"},
                {{"--tap", ""}, "--tap"},
                {{"--junit", ""}, "--junit"},
                {{"--artifacts", ""}, "--artifacts"},
                {{"--filter", ""}, "non-empty glob"},
                {{"--filter"}, "needs a value"},
                {{"--junit"}, "needs a value"},
                {{"stray"}, "unexpected argument \"stray\""},
                {{"--target", "a b"}, "--target needs a name"},
                {{"--target", ""}, "--target needs a name"},
                {{"--property", "novalue"}, "NAME=VALUE"},
                {{"--property", "=x"}, "NAME=VALUE"},
                /* Field: a second run.id in the JUnit properties. */
                {{"--property", "run.id=evil"}, "--property run.id: the run writes"},
                /* Further inputs of the kind: an environment property, a tool's, a repeat. */
                {{"--property", "kernel.release=1"}, "--property kernel.release: the run"},
                {{"--property", "tool.stress-ng=0"}, "--property tool.stress-ng"},
                {{"--property", "a=1", "--property", "a=2"}, "--property a is given twice"},
                /* Field: --timeout-mult 0x10 was taken as sixteen. */
                {{"--timeout-mult", "0x10"}, "--timeout-mult"},
                /* Field: --env and --cleanup ran everything, ignoring the glob. */
                {{"--env", "--filter", "x"}, "--env cannot be combined with --filter"},
                {{"--exclude", "x", "--cleanup"}, "--cleanup cannot be combined with --exclude"},
                /* The selection and repetition options (issue 14). */
                {{"--timeout", "pidns.*"}, "--timeout needs NAME=SECONDS"},
                {{"--timeout", "=3"}, "--timeout needs NAME=SECONDS"},
                {{"--timeout", "x=0"}, "whole number from 1 to 86400, not \"0\""},
                {{"--timeout", "x=86401"}, "from 1 to 86400"},
                {{"--timeout", "x=nan"}, "not \"nan\""},
                {{"--timeout", "x=-3"}, "not \"-3\""},
                {{"--repeat", "0"}, "--repeat needs a whole number from 1 to 1000"},
                {{"--repeat", "1001"}, "from 1 to 1000"},
                {{"--repeat", "+2"}, "--repeat"},
                {{"--seed", "4294967296"}, "0 to 4294967295"},
                {{"--seed", "-1"}, "0 to 4294967295"},
                {{"--format", "xml", "--list"}, "text or json, not \"xml\""},
                {{"--format", "json"}, "--format applies to --list and --env"},
                {{"--list", "--shuffle"}, "--list cannot be combined with --shuffle"},
                {{"--list", "--until-fail"}, "--list cannot be combined with --until-fail"},
                {{"--cleanup", "-k", "pid"}, "--cleanup cannot be combined with -k"},
                {{"--env", "--last-failed", "r.xml"},
                 "--env cannot be combined with --last-failed"},
                {{"--env", "--seed", "3"}, "--env cannot be combined with --seed"},
                {{"--skip-file", "a", "--skip-file", "b"}, "--skip-file is given twice"},
                {{"--last-failed", ""}, "--last-failed needs a file name"},
                {{"-k", ""}, "-k needs a non-empty"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *argv[6] = {"isocheck"};
                int argc = 1;
                for (int k = 0; k < 4 && bad[i].args[k]; k++)
                        argv[argc++] = (char *)bad[i].args[k];
                struct iso_opts o;
                char err[256] = "";
                assert_int_equal(iso_cli_parse(argc, argv, &o, err, sizeof(err)), -1);
                if (!strstr(err, bad[i].needle))
                        fail_msg("args %s: message \"%s\" lacks \"%s\"", bad[i].args[0], err,
                                 bad[i].needle);
                assert_null(strchr(err, '\n'));
        }
}

static void too_many_globs(void **state)
{
        (void)state;
        char *argv[2 + 2 * (ISO_MAX_GLOBS + 1)];
        int argc = 0;
        argv[argc++] = "isocheck";
        for (int i = 0; i <= ISO_MAX_GLOBS; i++) {
                argv[argc++] = "-f";
                argv[argc++] = "x*";
        }
        argv[argc] = NULL;
        struct iso_opts o;
        char err[256];
        assert_int_equal(iso_cli_parse(argc, argv, &o, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "too many --filter"));
}

/* Every name the environment writes into the report is refused as a --property: the list in
 * cli.c cannot fall behind env_describe.c unnoticed. */
static void env_names_reserved(void **state)
{
        (void)state;
        static struct iso_env env;
        static struct iso_property props[64];
        static char buf[8192];
        env.docker_reachable = 1; /* docker.builder is written only then */
        env.n_tools = 1;
        env.tools[0].name = "stress-ng";
        size_t n = iso_env_properties(&env, props, 64, buf, sizeof(buf));
        assert_true(n > 10);
        for (size_t i = 0; i < n; i++) {
                char arg[128];
                struct iso_opts o;
                char err[256];
                snprintf(arg, sizeof(arg), "%s=x", props[i].name);
                if (PARSE(&o, err, "--property", arg) != -1)
                        fail_msg("--property %s was accepted: the run writes it too", arg);
        }
}

/* getopt's global state must not leak from one parse into the next. */
static void parse_twice(void **state)
{
        (void)state;
        struct iso_opts o;
        char err[256];
        assert_int_equal(PARSE(&o, err, "--bogus"), -1);
        assert_int_equal(PARSE(&o, err, "-v"), 0);
        assert_int_equal(o.verbose, 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(defaults),    cmocka_unit_test(every_option),
                cmocka_unit_test(actions),     cmocka_unit_test(selection_options),
                cmocka_unit_test(refused),     cmocka_unit_test(too_many_globs),
                cmocka_unit_test(parse_twice), cmocka_unit_test(env_names_reserved),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
