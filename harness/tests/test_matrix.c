// SPDX-License-Identifier: MIT
/*
 * `isocheck report`'s model (harness/matrix/): the reader on the fixture reports and on
 * check lines that look like their own delimiters, the row order and baseline, the safe
 * writer that keeps report strings from driving a terminal or a Markdown renderer, and
 * the relative paths the JSON and HTML link artifacts by.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../matrix/matrix.h"
#include "samples.h"

/* A fixture of fixtures/reports/ (beside the samples directory). */
static void report_path(char *buf, size_t size, const char *name)
{
        assert_int_equal(iso_pathf(buf, size, "%s/../reports/%s", samples_dir(), name), 0);
}

static const struct iso_mcase *row(const struct iso_matrix *m, const char *name)
{
        for (size_t i = 0; i < m->n_cases; i++)
                if (!strcmp(m->cases[i].name, name))
                        return &m->cases[i];
        fail_msg("no row %s", name);
        return NULL;
}

static void test_load_failure_and_error(void **state)
{
        (void)state;
        char p[512];
        char *paths[] = {p};
        struct iso_matrix m = {0};
        struct iso_err e = {0};

        report_path(p, sizeof(p), "vm-6.12-v1.junit.xml");
        assert_int_equal(iso_matrix_load(&m, paths, 1, &e), 0);
        assert_int_equal(m.n_configs, 1);
        assert_int_equal(m.n_cases, 4);
        assert_string_equal(m.configs[0].label, "vm isocheck-vm 6.12.9-amd64 legacy");
        const struct iso_mcell *c = &row(&m, "pidns.view.isolated")->cells[0];

        assert_int_equal(c->verdict, ISO_MV_FAIL);
        assert_int_equal(c->n_checks, 2);
        assert_true(c->checks[0].ok);
        assert_null(c->checks[0].expected);
        assert_false(c->checks[1].ok);
        assert_string_equal(c->checks[1].what, "no host PID is listed inside");
        assert_string_equal(c->checks[1].where, "pidns.c:95");
        assert_string_equal(c->checks[1].expected, "only PIDs 1..3 listed inside");
        assert_string_equal(c->checks[1].got, "PIDs 1, 2, 3, 812 listed (812 is the host's sshd)");
        assert_int_equal(row(&m, "nsenter.pidns.same")->cells[0].verdict, ISO_MV_ERROR);
        assert_string_equal(row(&m, "nsenter.pidns.same")->cells[0].message,
                            "timed out after 10 s");
        assert_int_equal(row(&m, "cgroup.memory.oom_kill")->cells[0].verdict, ISO_MV_SKIP);
        assert_true(iso_matrix_failed(&m));
        /* One column: nothing differs. */
        for (size_t i = 0; i < m.n_cases; i++)
                assert_false(m.cases[i].differs);
        iso_matrix_free(&m);
}

static void test_broken_names_file_and_line(void **state)
{
        (void)state;
        char p[512];
        char *paths[] = {p};
        struct iso_matrix m = {0};
        struct iso_err e = {0};

        report_path(p, sizeof(p), "broken.junit.xml");
        assert_int_equal(iso_matrix_load(&m, paths, 1, &e), -1);
        assert_int_equal(e.errnum, EBADMSG);
        assert_non_null(strstr(e.msg, "broken.junit.xml:9: "));
        assert_int_equal(m.n_configs, 0);

        char missing[] = "/nonexistent/isocheck.junit.xml";
        char *paths2[] = {missing};

        assert_int_equal(iso_matrix_load(&m, paths2, 1, &e), -1);
        assert_int_equal(e.errnum, ENOENT);
        assert_non_null(strstr(e.msg, missing));
}

/* The directory fixture: four columns, one differing row first, baseline marks. */
static void test_order_and_baseline(void **state)
{
        (void)state;
        char p[512];
        char *paths[] = {p};
        struct iso_matrix m = {0};
        struct iso_err e = {0};

        report_path(p, sizeof(p), "dir");
        assert_int_equal(iso_matrix_load(&m, paths, 1, &e), 0);
        assert_int_equal(m.n_configs, 4);
        assert_int_equal(m.n_cases, 2);
        assert_string_equal(m.cases[0].name, "pidns.view.isolated"); /* differs: first */
        assert_true(m.cases[0].differs);
        assert_false(m.cases[1].differs);
        assert_string_equal(m.cases[0].area, "pidns");
        assert_int_equal(iso_matrix_column(&m, "4", &e), 3);
        assert_int_equal(iso_matrix_column(&m, "vm isocheck-vm 6.1.0-28-amd64 unified", &e), 3);
        assert_int_equal(iso_matrix_column(&m, "5", &e), -1);
        assert_int_equal(iso_matrix_column(&m, "no such label", &e), -1);
        assert_non_null(strstr(e.msg, "\"host vm 6.18.44-fc-v657 hybrid\""));
        assert_int_equal(iso_matrix_set_baseline(&m, 3, &e), 0);
        for (size_t c = 0; c < 3; c++)
                assert_true(m.cases[0].cells[c].differs_from_baseline);
        assert_false(m.cases[0].cells[3].differs_from_baseline);
        for (size_t c = 0; c < 4; c++)
                assert_false(m.cases[1].cells[c].differs_from_baseline);
        assert_int_equal(iso_matrix_set_baseline(&m, 4, &e), -1);
        assert_false(iso_matrix_failed(&m));
        iso_matrix_free(&m);
}

/* Check lines whose descriptions hold "(", "# SKIP" and "ok 2 - ": each is read as the
 * writer meant it; two listings of one artifact are one; a duplicate testcase is a row. */
static void test_tricky_lines(void **state)
{
        (void)state;
        char dir[] = "/tmp/isocheck-test-matrix.XXXXXX";
        char p[600];
        char *paths[] = {p};
        struct iso_matrix m = {0};
        struct iso_err e = {0};
        FILE *f;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(iso_pathf(p, sizeof(p), "%s/isocheck.junit.xml", dir), 0);
        f = fopen(p, "w");
        assert_non_null(f);
        fputs("<testsuite name=\"host\"><testcase classname=\"a.b\" name=\"c\" time=\"0.5\">"
              "<system-out>a log line\nchecks:\n"
              "ok 1 - a (parenthesis) in the claim (a.c:1)\n"
              "ok 2 - a claim (without location)\n"
              "not ok 3 - the # SKIP in a claim # SKIP the real reason\n"
              "ok 4 - ok 5 - nested (b.c:2)\n"
              "artifacts:\n  reports/artifacts/a.b.c/x.pcap\n"
              "[[ATTACHMENT|reports/artifacts/a.b.c/x.pcap]]\n"
              "</system-out></testcase>"
              "<testcase classname=\"a.b\" name=\"c\"/><testcase classname=\"solo\" name=\"solo\"/>"
              "</testsuite>",
              f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(iso_matrix_load(&m, paths, 1, &e), 0);
        unlink(p);
        rmdir(dir);
        assert_int_equal(m.n_cases, 3);
        const struct iso_mcell *c = &row(&m, "a.b.c")->cells[0];

        assert_string_equal(c->log, "a log line\n");
        assert_true(c->time_s > 0.49 && c->time_s < 0.51);
        assert_int_equal(c->n_checks, 4);
        assert_string_equal(c->checks[0].what, "a (parenthesis) in the claim");
        assert_string_equal(c->checks[0].where, "a.c:1");
        assert_string_equal(c->checks[1].what, "a claim (without location)");
        assert_null(c->checks[1].where);
        assert_true(c->checks[2].skipped);
        assert_string_equal(c->checks[2].what, "the # SKIP in a claim");
        assert_string_equal(c->checks[2].got, "the real reason");
        assert_string_equal(c->checks[3].what, "ok 5 - nested");
        assert_int_equal(c->n_artifacts, 1);
        assert_string_equal(c->artifacts[0].kind, "pcap");
        assert_false(c->artifacts[0].exists);
        assert_int_equal(row(&m, "a.b.c (2)")->cells[0].verdict, ISO_MV_PASS);
        assert_string_equal(row(&m, "solo")->area, "solo");
        iso_matrix_free(&m);
}

static char *safe(const char *s, size_t max, int md)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        assert_true(iso_matrix_put_safe(f, s, max, md, 0) >= 0);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void test_safe_text(void **state)
{
        (void)state;
        struct {
                const char *in;
                size_t max;
                int md;
                const char *out;
        } t[] = {
                {"\x1b[31mred", 0, 0, "\\x1b[31mred"},
                {"\xc2\x9b[2J", 0, 0, "\\u{9b}[2J"},
                {"a\nb\tc\x7f", 0, 0, "a\\nb\\tc\\x7f"},
                {"\xff ok", 0, 0, "\xef\xbf\xbd ok"},
                {"caf\xc3\xa9", 0, 0, "caf\xc3\xa9"},
                {"abcdef", 3, 0, "abc\xe2\x80\xa6 [3 more]"},
                {"a|b*c_<d>&`[e]#", 0, 1, "a\\|b\\*c\\_&lt;d&gt;&amp;\\`\\[e\\]\\#"},
                {"|", 0, 0, "|"},
        };

        for (size_t i = 0; i < ISO_ARRAY_SIZE(t); i++) {
                char *got = safe(t[i].in, t[i].max, t[i].md);

                assert_string_equal(got, t[i].out);
                free(got);
        }
        assert_int_equal(iso_matrix_safe_width("\x1b"
                                               "ab"),
                         6);
        assert_int_equal(iso_matrix_safe_width("caf\xc3\xa9"), 4);
}

static void test_relpath(void **state)
{
        (void)state;
        struct {
                const char *path, *dir, *out;
        } t[] = {
                {"a/b/c", "a", "b/c"}, {"a/x", "a/b", "../x"},  {"/abs/f", "/abs/d/e", "../../f"},
                {"f", NULL, "f"},      {"a/b", "a/bc", "../b"}, {"./a/../b/c", "b", "c"},
                {"/x/y", "/", "x/y"},  {"a", "a", "."},
        };

        for (size_t i = 0; i < ISO_ARRAY_SIZE(t); i++) {
                char *got = iso_matrix_relpath(t[i].path, t[i].dir);

                assert_non_null(got);
                assert_string_equal(got, t[i].out);
                free(got);
        }
        char *d = iso_matrix_dirname("reports/x.json");

        assert_string_equal(d, "reports");
        free(d);
        d = iso_matrix_dirname("x.json");
        assert_string_equal(d, ".");
        free(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_load_failure_and_error),
                cmocka_unit_test(test_broken_names_file_and_line),
                cmocka_unit_test(test_order_and_baseline),
                cmocka_unit_test(test_tricky_lines),
                cmocka_unit_test(test_safe_text),
                cmocka_unit_test(test_relpath),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
