// SPDX-License-Identifier: MIT
/*
 * The report page's parts that need no browser: the evidence read from memory.csv,
 * processes.csv and a pcap (harness/matrix/evidence.c, ladder.c), and the page writer's
 * escaping of the data (harness/matrix/page.c). The page in a browser: field/html.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../matrix/evidence.h"
#include "../matrix/page.h"
#include "samples.h"

/* fixtures/reports/html/<rel>, beside the samples directory. */
static void report_fixture(char *buf, size_t size, const char *rel)
{
        assert_int_equal(iso_pathf(buf, size, "%s/../reports/html/%s", samples_dir(), rel), 0);
}

/* @text written to a new temporary file; its path in @path (PATH_MAX). */
static void temp_file(char *path, const char *text)
{
        strcpy(path, "/tmp/isocheck-test-html.XXXXXX");

        int fd = mkstemp(path);

        assert_true(fd >= 0);
        assert_int_equal(iso_write_all(fd, text, strlen(text)), 0);
        close(fd);
}

static struct json_object *get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v)) {
                fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
        }
        return v;
}

static void test_memory_kill_by_counter(void **state)
{
        char path[PATH_MAX];

        (void)state;
        report_fixture(path, sizeof(path), "host/artifacts/cgroup.memory.oom_kill/memory.csv");

        struct json_object *m = iso_evidence_memory(path, "memory.csv");

        assert_non_null(m);
        assert_false(json_object_object_get_ex(m, "error", NULL));
        assert_int_equal(json_object_array_length(get(m, "t")), 40);
        assert_int_equal(json_object_array_length(get(m, "usage")), 40);
        /* Rows 1..33 have oom_kill 0, row 34 (index 33) the first 1. */
        assert_int_equal(json_object_get_int(get(m, "kill")), 33);
        assert_true(json_object_get_boolean(get(m, "by_counter")));
        assert_int_equal(json_object_get_int64(get(m, "limit")), 32 << 20);
        json_object_put(m);
}

static void test_memory_died_without_count(void **state)
{
        char path[PATH_MAX];

        (void)state;
        report_fixture(path, sizeof(path), "vm-v2/artifacts/cgroup.memory.oom_kill/memory.csv");

        struct json_object *m = iso_evidence_memory(path, "memory.csv");

        assert_non_null(m);
        assert_int_equal(json_object_get_int(get(m, "kill")), 29); /* the last of 30 rows */
        assert_false(json_object_get_boolean(get(m, "by_counter")));
        json_object_put(m);
}

/* A long record is thinned to the page's budget, the kill sample kept where it was. */
static void test_memory_thinned_keeps_kill(void **state)
{
        size_t size = 6000 * 48 + 64, o = 0;
        char *csv = malloc(size), path[PATH_MAX];

        (void)state;
        assert_non_null(csv);
        o += (size_t)snprintf(csv, size, "t_s,usage_bytes,limit_bytes,oom_kill\n");
        for (int i = 0; i < 6000; i++)
                o += (size_t)snprintf(csv + o, size - o, "%.3f,%d,max,%d\r\n", i / 1000.0, i * 4096,
                                      i >= 4321 ? 7 : 6);
        temp_file(path, csv);
        free(csv);

        struct json_object *m = iso_evidence_memory(path, "memory.csv");
        struct json_object *t = get(m, "t");
        int kill = json_object_get_int(get(m, "kill"));

        unlink(path);
        assert_true(json_object_array_length(t) <= ISO_EVIDENCE_MAX_SAMPLES + 2);
        assert_true(kill >= 0);
        assert_float_equal(json_object_get_double(json_object_array_get_idx(t, (size_t)kill)),
                           4.321, 1e-9);
        assert_int_equal(json_object_get_int(get(m, "sampled_from")), 6000);
        assert_int_equal(json_object_get_int64(get(m, "limit")), 0); /* "max": none */
        json_object_put(m);
}

/* The sampler leaves what it could not read empty (harness/memsample.c's put_value). */
static void test_memory_empty_values(void **state)
{
        char path[PATH_MAX];

        (void)state;
        temp_file(path, "t_s,usage_bytes,limit_bytes,oom_kill\n"
                        "0.000000,,33554432,0\n"   /* no usage: no point */
                        "0.002000,100,33554432,\n" /* counter unknown: not the base */
                        "0.004000,200,33554432,0\n"
                        "0.006000,300,33554432,1\n");

        struct json_object *m = iso_evidence_memory(path, "memory.csv");

        unlink(path);
        assert_false(json_object_object_get_ex(m, "error", NULL));
        assert_int_equal(json_object_array_length(get(m, "t")), 3);
        assert_int_equal(json_object_get_int(get(m, "kill")), 2);
        assert_true(json_object_get_boolean(get(m, "by_counter")));
        json_object_put(m);
}

static void expect_error(struct json_object *o, const char *part)
{
        struct json_object *err;

        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "error", &err));
        if (!strstr(json_object_get_string(err), part))
                fail_msg("error \"%s\" does not say \"%s\"", json_object_get_string(err), part);
        json_object_put(o);
}

static void test_memory_bad_shapes(void **state)
{
        char path[PATH_MAX];

        (void)state;
        temp_file(path, "time,usage\n0,1\n");
        expect_error(iso_evidence_memory(path, "m.csv"), "m.csv line 1: expected the header");
        unlink(path);
        temp_file(path, "t_s,usage_bytes,limit_bytes,oom_kill\n0,1,2,0\n0.1,x,2,0\n");
        expect_error(iso_evidence_memory(path, "m.csv"), "m.csv line 3: expected 4 numbers");
        unlink(path);
        temp_file(path, "t_s,usage_bytes,limit_bytes,oom_kill\n0,1,2,0,9\n");
        expect_error(iso_evidence_memory(path, "m.csv"), "got 5 fields");
        unlink(path);
        /* fuzz_evidence: a usage past int64 was converted to it (undefined behaviour). */
        temp_file(path, "t_s,usage_bytes,limit_bytes,oom_kill\n0.1,18674E091,,\n");
        expect_error(iso_evidence_memory(path, "m.csv"), "m.csv line 2: expected 4 numbers");
        unlink(path);
        temp_file(path, "t_s,usage_bytes,limit_bytes,oom_kill\ninf,1,1,0\n");
        expect_error(iso_evidence_memory(path, "m.csv"), "from 0 to 9e18");
        unlink(path);
        temp_file(path, "t_s,usage_bytes,limit_bytes,oom_kill\n");
        expect_error(iso_evidence_memory(path, "m.csv"), "no sample");
        unlink(path);
        expect_error(iso_evidence_memory("/nonexistent/memory.csv", "m.csv"),
                     "/nonexistent/memory.csv");
}

static void test_processes(void **state)
{
        char path[PATH_MAX];

        (void)state;
        report_fixture(path, sizeof(path), "host/artifacts/pidns.view.isolated/processes.csv");

        struct json_object *p = iso_evidence_processes(path, "processes.csv");
        struct json_object *rows = get(p, "rows");

        assert_int_equal(json_object_array_length(rows), 9);

        struct json_object *first = json_object_array_get_idx(rows, 0);

        assert_string_equal(json_object_get_string(get(first, "view")), "inside");
        assert_string_equal(json_object_get_string(get(first, "pid")), "1");
        assert_string_equal(json_object_get_string(get(first, "host_pid")), "48211");
        /* A quoted command keeps its commas and loses its quotes. */
        assert_string_equal(json_object_get_string(get(json_object_array_get_idx(rows, 8), "cmd")),
                            "ps -e -o pid,ppid,cmd");
        json_object_put(p);

        temp_file(path, "view,pid,ppid,host_pid,cmd\nguest,1,0,5,sh\n");
        expect_error(iso_evidence_processes(path, "p.csv"), "p.csv line 2: expected view");
        unlink(path);
        temp_file(path, "view,pid,ppid,host_pid,cmd\ninside,1,0,4,\"a \"\"b\"\"\xff\x1b\"\n");
        p = iso_evidence_processes(path, "p.csv");
        unlink(path);
        assert_string_equal(
                json_object_get_string(get(json_object_array_get_idx(get(p, "rows"), 0), "cmd")),
                "a \"b\"\xef\xbf\xbd\xef\xbf\xbd");
        json_object_put(p);
}

static void test_ladder(void **state)
{
        char path[PATH_MAX];

        (void)state;
        sample_path(path, sizeof(path), "capture-http-lo.pcap");

        struct json_object *l = iso_evidence_ladder(path, "capture.pcap", "a/capture.pcap");
        struct json_object *pk = get(l, "packets"), *ends = get(l, "endpoints");
        const char *client = json_object_get_string(json_object_array_get_idx(ends, 0));
        int request = 0, response = 0;

        assert_false(json_object_object_get_ex(l, "error", NULL));
        assert_true(json_object_array_length(pk) >= 4);
        assert_string_equal(json_object_get_string(get(json_object_array_get_idx(pk, 0), "label")),
                            "SYN");
        assert_string_equal(json_object_get_string(get(json_object_array_get_idx(pk, 0), "from")),
                            client);
        assert_string_equal(json_object_get_string(get(json_object_array_get_idx(pk, 1), "label")),
                            "SYN-ACK");
        for (size_t i = 0; i < json_object_array_length(pk); i++) {
                const char *kind =
                        json_object_get_string(get(json_object_array_get_idx(pk, i), "kind"));

                request += strcmp(kind, "request") == 0;
                response += strcmp(kind, "response") == 0;
        }
        assert_int_equal(request, 1);
        assert_int_equal(response, 1);
        assert_string_equal(json_object_get_string(get(l, "path")), "a/capture.pcap");
        /* tcpdump -r ... 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' counts 3 as well. */
        assert_int_equal(json_object_get_int(get(l, "connections")), 3);
        json_object_put(l);

        sample_path(path, sizeof(path), "capture-not-a-pcap.pcap");
        l = iso_evidence_ladder(path, "x.pcap", "x.pcap");
        assert_true(json_object_object_get_ex(l, "error", NULL));
        assert_int_equal(json_object_array_length(get(l, "packets")), 0);
        json_object_put(l);
}

/* Whatever a string holds, the data cannot end its <script> element nor start a comment. */
static void test_page_escapes_data(void **state)
{
        const char *hostile = "</script><!--<script>alert(1)</script>&amp;\u2028";
        struct json_object *model = json_object_new_object();
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct iso_err e = {0};

        (void)state;
        json_object_object_add(model, "name", json_object_new_string(hostile));
        assert_int_equal(iso_page_write(model, f, &e), 0);
        fclose(f);

        const char *open = "<script type=\"application/json\" id=\"isocheck-data\">";
        char *at = strstr(buf, open), *end;

        assert_non_null(at);
        at += strlen(open);
        end = strstr(at, "</script>");
        assert_non_null(end);
        /* The data element ends where the data ends: nothing of it is left outside. */
        assert_null(memchr(at, '<', (size_t)(end - at)));
        assert_null(memchr(at, '&', (size_t)(end - at)));

        /* ... and reads back as it was written. */
        char *data = strndup(at, (size_t)(end - at));
        struct json_object *back = json_tokener_parse(data);

        free(data);
        assert_non_null(back);
        assert_string_equal(json_object_get_string(get(back, "name")), hostile);
        /* No marker of the template is left, and the page's own code is in. */
        assert_null(strstr(buf, "@@"));
        assert_non_null(strstr(buf, "isocheck-data"));
        assert_non_null(strstr(buf, ".kill-marker"));
        json_object_put(back);
        json_object_put(model);
        free(buf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_memory_kill_by_counter),
                cmocka_unit_test(test_memory_died_without_count),
                cmocka_unit_test(test_memory_thinned_keeps_kill),
                cmocka_unit_test(test_memory_empty_values),
                cmocka_unit_test(test_memory_bad_shapes),
                cmocka_unit_test(test_processes),
                cmocka_unit_test(test_ladder),
                cmocka_unit_test(test_page_escapes_data),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
