// SPDX-License-Identifier: MIT
/* Unit tests of the bench's parts: order statistics, the JSON document and the whole report
 * read back with json-c, JUnit times (bench/stats.c, bench/bench_output.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "../../bench/bench.h"
#include "../../bench/stats.h"

static void stats_odd_even(void **state)
{
        (void)state;
        struct iso_stats s;
        const double odd[] = {5, 1, 3};
        assert_int_equal(iso_stats_of(odd, 3, &s), 0);
        assert_int_equal(s.n, 3);
        assert_true(s.median == 3 && s.min == 1 && s.max == 5);
        /* the input is left as it was */
        assert_true(odd[0] == 5 && odd[1] == 1 && odd[2] == 3);
        const double even[] = {4, 1, 2, 3};
        assert_int_equal(iso_stats_of(even, 4, &s), 0);
        assert_true(s.median == 2.5 && s.min == 1 && s.max == 4);
        const double one[] = {0.25};
        assert_int_equal(iso_stats_of(one, 1, &s), 0);
        assert_true(s.median == 0.25 && s.min == 0.25 && s.max == 0.25);
}

static void stats_nan_and_empty(void **state)
{
        (void)state;
        struct iso_stats s;
        /* a repetition that could not be measured does not count */
        const double some[] = {NAN, 2, NAN, 4, 9};
        assert_int_equal(iso_stats_of(some, 5, &s), 0);
        assert_int_equal(s.n, 3);
        assert_true(s.median == 4 && s.min == 2 && s.max == 9);
        const double none[] = {NAN, NAN};
        assert_int_equal(iso_stats_of(none, 2, &s), -1);
        assert_int_equal(s.n, 0);
        assert_true(isnan(s.median));
        assert_int_equal(iso_stats_of(NULL, 0, &s), -1);
}

/* Run @fn on a memory stream and return what it wrote (heap). */
static char *json_text(void (*fn)(struct iso_json *j), int *rc)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        struct iso_json j;
        iso_json_init(&j, f, 0);
        fn(&j);
        *rc = iso_json_finish(&j);
        fclose(f);
        return buf;
}

static void doc_nested(struct iso_json *j)
{
        iso_json_object(j, NULL);
        iso_json_str(j, "name", "cgroup.memory.oom_kill");
        iso_json_num(j, "median", 20.5);
        iso_json_num(j, "ratio", NAN);
        iso_json_int(j, "n", 5);
        iso_json_bool(j, "met", 1);
        iso_json_null(j, "vm");
        iso_json_array(j, "list");
        iso_json_int(j, NULL, 1);
        iso_json_object(j, NULL);
        iso_json_end(j);
        iso_json_array(j, NULL);
        iso_json_end(j);
        iso_json_end(j);
        struct iso_stats s = {2, 1.5, 1, 2};
        iso_json_stats(j, "t", &s, 1000);
        iso_json_end(j);
}

static void json_nested(void **state)
{
        (void)state;
        int rc;
        char *t = json_text(doc_nested, &rc);
        assert_int_equal(rc, 0);
        assert_string_equal(t, "{\"name\":\"cgroup.memory.oom_kill\",\"median\":20.5,"
                               "\"ratio\":null,\"n\":5,\"met\":true,\"vm\":null,"
                               "\"list\":[1,{},[]],"
                               "\"t\":{\"n\":2,\"median\":1500,\"min\":1000,\"max\":2000}}\n");
        free(t);
}

static void doc_strings(struct iso_json *j)
{
        iso_json_array(j, NULL);
        iso_json_str(j, NULL, "quote \" backslash \\ tab \t nl \n del \x7f");
        iso_json_str(j, NULL, "bad \xff utf8 \xc3\x28 overlong \xc0\xaf surrogate \xed\xa0\x80");
        iso_json_str(j, NULL, "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
        iso_json_str(j, NULL, "cut \xe2\x82");
        iso_json_str(j, NULL, NULL);
        iso_json_end(j);
}

/* Element @i of the JSON array in @text, read back by json-c's parser. */
static void assert_element(struct json_object *doc, size_t i, const char *want)
{
        struct json_object *v = json_object_array_get_idx(doc, i);
        if (!want) {
                assert_null(v);
                return;
        }
        assert_true(json_object_is_type(v, json_type_string));
        assert_string_equal(json_object_get_string(v), want);
}

static void json_strings(void **state)
{
        (void)state;
        int rc;
        char *t = json_text(doc_strings, &rc);
        assert_int_equal(rc, 0);
        /* Read back: what was valid comes back as it was, each bad byte as U+FFFD. */
        struct json_object *doc = json_tokener_parse(t);
        assert_non_null(doc);
        assert_int_equal(json_object_array_length(doc), 5);
        assert_element(doc, 0, "quote \" backslash \\ tab \t nl \n del \x7f");
        assert_element(doc, 1,
                       "bad \xef\xbf\xbd utf8 \xef\xbf\xbd( overlong \xef\xbf\xbd\xef\xbf\xbd "
                       "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        assert_element(doc, 2, "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
        assert_element(doc, 3, "cut \xef\xbf\xbd\xef\xbf\xbd");
        assert_element(doc, 4, NULL);
        /* Control characters are escaped in the text itself. */
        assert_null(strchr(t, '\t'));
        json_object_put(doc);
        free(t);
}

static void doc_unbalanced(struct iso_json *j)
{
        iso_json_object(j, NULL);
        iso_json_array(j, "open");
}

static void doc_too_many_ends(struct iso_json *j)
{
        iso_json_object(j, NULL);
        iso_json_end(j);
        iso_json_end(j);
}

static void json_nesting_errors(void **state)
{
        (void)state;
        int rc;
        free(json_text(doc_unbalanced, &rc));
        assert_int_equal(rc, -1);
        free(json_text(doc_too_many_ends, &rc));
        assert_int_equal(rc, -1);
}

static void json_pretty(void **state)
{
        (void)state;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct iso_json j;
        iso_json_init(&j, f, 1);
        iso_json_object(&j, NULL);
        iso_json_array(&j, "a");
        iso_json_int(&j, NULL, 1);
        iso_json_end(&j);
        iso_json_object(&j, "empty");
        iso_json_end(&j);
        iso_json_end(&j);
        assert_int_equal(iso_json_finish(&j), 0);
        fclose(f);
        /* One member a line, indented by two spaces a level; the same document read back. */
        assert_non_null(strstr(buf, "\n  \"a\": [\n    1\n  ],\n"));
        struct json_object *doc = json_tokener_parse(buf);
        assert_non_null(doc);
        assert_string_equal(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
                            "{\"a\":[1],\"empty\":{}}");
        json_object_put(doc);
        free(buf);
}

static const char junit[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"isocheck\" tests=\"4\" time=\"0.981\">\n"
        "  <testsuite name=\"host\" tests=\"4\" time=\"0.981\">\n"
        "    <properties><property name=\"x\" value=\"&lt;testcase\"/></properties>\n"
        "    <testcase classname=\"cgroup.memory\" name=\"create\" time=\"0.011\">\n"
        "      <system-out>&lt;failure&gt; in a log is text</system-out>\n"
        "    </testcase>\n"
        "    <testcase classname=\"cgroup.memory\" name=\"oom_group\" time=\"0.000\">\n"
        "      <skipped message=\"needs v2\">needs v2</skipped>\n"
        "    </testcase>\n"
        "    <testcase classname=\"a&amp;b\" name=\"q&quot;&#39;x\" time=\"1.500\">\n"
        "      <failure message=\"m\">body</failure>\n"
        "    </testcase>\n"
        "    <testcase classname=\"pidns.view\" name=\"isolated\" time=\"2\"/>\n"
        "    <testcase name=\"broken\" classname=\"x.y\" time=\"0.5\"><error message=\"e\"/>"
        "</testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n";

static void junit_cases(void **state)
{
        (void)state;
        struct iso_bench_case c[8];
        assert_int_equal(iso_bench_junit_cases(junit, c, 8), 5);
        assert_string_equal(c[0].name, "cgroup.memory.create");
        assert_true(c[0].time_s == 0.011);
        assert_int_equal(c[0].verdict, ISO_BV_PASS);
        assert_string_equal(c[1].name, "cgroup.memory.oom_group");
        assert_int_equal(c[1].verdict, ISO_BV_SKIP);
        assert_string_equal(c[2].name, "a&b.q\"'x");
        assert_true(c[2].time_s == 1.5);
        assert_int_equal(c[2].verdict, ISO_BV_FAIL);
        assert_string_equal(c[3].name, "pidns.view.isolated");
        assert_int_equal(c[3].verdict, ISO_BV_PASS);
        assert_string_equal(c[4].name, "x.y.broken");
        assert_int_equal(c[4].verdict, ISO_BV_ERROR);
        /* only @max stored, all counted */
        assert_int_equal(iso_bench_junit_cases(junit, c, 2), 5);
        assert_string_equal(iso_bench_verdict_name(ISO_BV_SKIP), "skip");
}

static void junit_malformed(void **state)
{
        (void)state;
        struct iso_bench_case c[2];
        assert_int_equal(iso_bench_junit_cases("<testsuites></testsuites>", c, 2), 0);
        assert_int_equal(iso_bench_junit_cases("<testcase classname=\"a\" time=\"1\"/>", c, 2), -1);
        assert_int_equal(iso_bench_junit_cases("<testcase name=\"a\"/>", c, 2), -1);
        assert_int_equal(iso_bench_junit_cases("<testcase name=\"a\" time=\"x\"/>", c, 2), -1);
        assert_int_equal(iso_bench_junit_cases("<testcase name=\"a\" time=\"-1\"/>", c, 2), -1);
        assert_int_equal(iso_bench_junit_cases("<testcase name=\"a\" time=\"1\">", c, 2), -1);
        assert_int_equal(iso_bench_junit_cases("<testcase name=\"a\" time=\"1", c, 2), -1);
}

/* The bench's whole report (bench_output.c), written to a file and read back by json-c. */
static void bench_report_read_back(void **state)
{
        (void)state;
        static struct bench b;
        static struct case_row rows[2];
        memset(&b, 0, sizeof(b));
        iso_strlcpy(b.env.hostname, "host\xff", sizeof(b.env.hostname));
        iso_strlcpy(rows[0].name, "cgroup.memory.oom_kill", sizeof(rows[0].name));
        rows[0].verdict = "pass";
        rows[0].s = (struct iso_stats){3, 0.0205, 0.02, 0.021};
        rows[0].floor_s = 0.01;
        rows[0].ratio = 2.05;
        rows[0].adj_ratio = NAN;
        iso_strlcpy(rows[1].name, "container.app.serves", sizeof(rows[1].name));
        rows[1].verdict = "skip";
        rows[1].s = (struct iso_stats){0, NAN, NAN, NAN};
        b.rows = rows;
        b.n_rows = 2;

        char path[] = "/tmp/isocheck-test-bench-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        struct iso_err e = {0};
        assert_int_equal(save_json(&b, path, &e), 0);
        struct json_object *doc = json_object_from_file(path);
        unlink(path);
        assert_non_null(doc);

        struct json_object *v, *host, *cases, *c;
        assert_true(json_object_object_get_ex(doc, "schema", &v));
        assert_string_equal(json_object_get_string(v), "isocheck-bench/1");
        assert_true(json_object_object_get_ex(doc, "interrupted", &v));
        assert_false(json_object_get_boolean(v));
        /* A byte that is not UTF-8 comes back as U+FFFD, so the file stays JSON. */
        assert_true(json_object_object_get_ex(doc, "host", &host));
        assert_true(json_object_object_get_ex(host, "hostname", &v));
        assert_string_equal(json_object_get_string(v), "host\xef\xbf\xbd");

        assert_true(json_object_object_get_ex(doc, "cases", &cases));
        assert_int_equal(json_object_array_length(cases), 2);
        c = json_object_array_get_idx(cases, 0);
        assert_true(json_object_object_get_ex(c, "name", &v));
        assert_string_equal(json_object_get_string(v), "cgroup.memory.oom_kill");
        assert_true(json_object_object_get_ex(c, "median", &v));
        assert_true(json_object_get_double(v) == 20.5); /* ms */
        assert_true(json_object_object_get_ex(c, "under_2x", &v));
        assert_true(json_object_is_type(v, json_type_boolean));
        /* What was not measured is null, never NaN. */
        assert_true(json_object_object_get_ex(c, "ratio_with_runner", &v));
        assert_null(v);
        c = json_object_array_get_idx(cases, 1);
        assert_true(json_object_object_get_ex(c, "ratio", &v));
        assert_null(v);
        assert_true(json_object_object_get_ex(c, "under_2x", &v));
        assert_null(v);
        json_object_put(doc);
}

/* The runtimes' floors in the report: one object per runtime, measured or with its reason,
 * listing its variant cases with their ratio against it (bench_rtfloors.c). */
static void bench_report_runtime_floors(void **state)
{
        (void)state;
        static struct bench b;
        static struct case_row rows[2];
        memset(&b, 0, sizeof(b));
        memset(rt_floors, 0, sizeof(rt_floors));
        n_rt_floors = 2;
        struct rt_floor *d = &rt_floors[0], *p = &rt_floors[1];
        iso_strlcpy(d->runtime, "docker", sizeof(d->runtime));
        iso_strlcpy(d->suffix, ".docker", sizeof(d->suffix));
        iso_strlcpy(d->key, "rt_docker", sizeof(d->key));
        d->f.key = d->key;
        d->f.label = "docker: run + ready + remove of the app";
        d->f.measured = 1;
        d->f.s = (struct iso_stats){3, 0.5, 0.4, 0.6};
        iso_strlcpy(p->runtime, "podman-rootless", sizeof(p->runtime));
        iso_strlcpy(p->suffix, ".podman-rootless", sizeof(p->suffix));
        p->f.label = "podman-rootless: run + ready + remove of the app";
        iso_strlcpy(p->f.reason, "needs rootless podman: cgroup v2", sizeof(p->f.reason));
        iso_strlcpy(rows[0].name, "container.app.serves.docker", sizeof(rows[0].name));
        rows[0].verdict = "pass";
        rows[0].s = (struct iso_stats){3, 1.0, 0.9, 1.1};
        rows[0].ratio = 2.0;
        iso_strlcpy(rows[1].name, "container.app.serves", sizeof(rows[1].name));
        rows[1].verdict = "pass";
        b.rows = rows;
        b.n_rows = 2;
        assert_ptr_equal(runtime_floor_of("container.app.serves.docker"), d);
        assert_null(runtime_floor_of("container.app.serves"));
        assert_ptr_equal(runtime_floor_of("sidecar.netns.shared.podman-rootless"), p);

        char path[] = "/tmp/isocheck-test-bench-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        struct iso_err e = {0};
        assert_int_equal(save_json(&b, path, &e), 0);
        struct json_object *doc = json_object_from_file(path);
        unlink(path);
        n_rt_floors = 0;
        assert_non_null(doc);
        struct json_object *rf, *rt, *v, *cases;
        assert_true(json_object_object_get_ex(doc, "runtime_floors", &rf));
        assert_true(json_object_object_get_ex(rf, "docker", &rt));
        assert_true(json_object_object_get_ex(rt, "measured", &v));
        assert_true(json_object_get_boolean(v));
        assert_true(json_object_object_get_ex(rt, "median", &v));
        assert_true(json_object_get_double(v) == 500.0); /* ms */
        assert_true(json_object_object_get_ex(rt, "cases", &cases));
        assert_int_equal(json_object_array_length(cases), 1); /* not the native case */
        struct json_object *c = json_object_array_get_idx(cases, 0);
        assert_true(json_object_object_get_ex(c, "name", &v));
        assert_string_equal(json_object_get_string(v), "container.app.serves.docker");
        assert_true(json_object_object_get_ex(c, "ratio", &v));
        assert_true(json_object_get_double(v) == 2.0);
        assert_true(json_object_object_get_ex(rf, "podman-rootless", &rt));
        assert_true(json_object_object_get_ex(rt, "measured", &v));
        assert_false(json_object_get_boolean(v));
        assert_true(json_object_object_get_ex(rt, "reason", &v));
        assert_string_equal(json_object_get_string(v), "needs rootless podman: cgroup v2");
        assert_false(json_object_object_get_ex(rt, "median", &v));
        json_object_put(doc);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(stats_odd_even),
                cmocka_unit_test(stats_nan_and_empty),
                cmocka_unit_test(json_nested),
                cmocka_unit_test(json_strings),
                cmocka_unit_test(json_nesting_errors),
                cmocka_unit_test(json_pretty),
                cmocka_unit_test(junit_cases),
                cmocka_unit_test(junit_malformed),
                cmocka_unit_test(bench_report_read_back),
                cmocka_unit_test(bench_report_runtime_floors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
