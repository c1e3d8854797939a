// SPDX-License-Identifier: MIT
/*
 * The report page over 12 configurations x 30 cases WITH the evidence it draws (issue 13:
 * the page under 2 MiB; `isocheck report` under 0.2 s). bench_report.c times the command
 * over JUnit files whose artifacts do not exist; here every configuration also has them, at
 * the sizes the cases can write at most: 4 OOM cases with memory.csv of 2048 samples (the
 * sampler's ISO_MEMSAMPLE_MAX), 6 PID namespace cases with processes.csv, 12 sidecar cases
 * with a pcap (fixtures/samples/capture-http-bridge.pcap, 60 records). Measured in this
 * process: reading the JUnit files (iso_matrix_load) and writing the page (iso_matrix_html).
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness/matrix/matrix.h"

#define HTML_CONFIGS 12
#define HTML_CASES 30
#define HTML_OOM 4      /* cases 0..3 keep memory.csv */
#define HTML_PROCS 6    /* cases 4..9 keep processes.csv */
#define HTML_SIDECAR 12 /* cases 10..21 keep capture.pcap */
#define HTML_SAMPLES 2048
#define HTML_SIZE_GOAL (2u << 20)
#define HTML_TIME_GOAL_S 0.2
#define HTML_DIR "build/bench/html"
#define HTML_PCAP "fixtures/samples/capture-http-bridge.pcap"

static struct {
        int measured;
        char reason[300];
        long long page_bytes, model_bytes, input_bytes;
        struct iso_stats secs, cpu; /* wall and this process's CPU time (the machine may be busy) */
} hb;

static const char *kind_of(unsigned c)
{
        return c < HTML_OOM                               ? "memory"
               : c < HTML_OOM + HTML_PROCS                ? "processes"
               : c < HTML_OOM + HTML_PROCS + HTML_SIDECAR ? "sidecar"
                                                          : "plain";
}

static int write_bytes(const char *path, const void *data, size_t len)
{
        FILE *f = fopen(path, "we");

        if (!f)
                return -1;
        size_t w = fwrite(data, 1, len, f);

        return fclose(f) == 0 && w == len ? 0 : -1;
}

/* One case's evidence file under @dir/artifacts/<case>/. */
static int write_evidence(const char *dir, unsigned c, const char *pcap, size_t pcap_len)
{
        char path[PATH_MAX];
        struct iso_err e = {0};
        const char *kind = kind_of(c);

        if (!strcmp(kind, "plain"))
                return 0;
        if (iso_pathf(path, sizeof(path), "%s/artifacts/area.case_%u", dir, c) < 0 ||
            iso_mkdir_p(path, &e) < 0)
                return -1;
        if (!strcmp(kind, "sidecar")) {
                iso_appendf(path, sizeof(path), "/capture.pcap");
                return write_bytes(path, pcap, pcap_len);
        }

        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -1;
        if (!strcmp(kind, "memory")) {
                iso_appendf(path, sizeof(path), "/memory.csv");
                fputs("t_s,usage_bytes,limit_bytes,oom_kill\n", f);
                for (unsigned i = 0; i < HTML_SAMPLES; i++)
                        fprintf(f, "%u.%06u,%lld,%lld,%d\n", i / 1000, (i % 1000) * 1000,
                                (long long)(OOM_LIMIT * (i < 1500 ? i / 1500.0 : 1.0)),
                                (long long)OOM_LIMIT, i > 2000);
        } else {
                iso_appendf(path, sizeof(path), "/processes.csv");
                fputs("view,pid,ppid,host_pid,cmd\n", f);
                for (unsigned i = 1; i <= 4; i++)
                        fprintf(f, "inside,%u,%u,%u,sleep\n", i, i - 1, 40000 + i);
                for (unsigned i = 0; i <= 4; i++)
                        fprintf(f, "host,%u,%u,%u,sleep\n", 40000 + i, 39999 + i, 40000 + i);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -1;
        }

        int rc = write_bytes(path, buf, len);

        free(buf);
        return rc;
}

/* Configuration @k: @dir/isocheck.junit.xml and its artifacts. */
static int write_config(const char *dir, unsigned k, const char *pcap, size_t pcap_len)
{
        char path[PATH_MAX];
        struct iso_err e = {0};

        if (iso_mkdir_p(dir, &e) < 0 ||
            iso_pathf(path, sizeof(path), "%s/isocheck.junit.xml", dir) < 0)
                return -1;

        FILE *f = fopen(path, "we");

        if (!f)
                return -1;
        fprintf(f,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"isocheck\">\n"
                "  <testsuite name=\"host\" tests=\"%d\" failures=\"0\" errors=\"0\" "
                "skipped=\"0\" time=\"1.0\">\n    <properties>\n"
                "      <property name=\"target\" value=\"host\"/>\n"
                "      <property name=\"hostname\" value=\"machine-%02u\"/>\n"
                "      <property name=\"kernel.release\" value=\"6.%u.0-amd64\"/>\n"
                "      <property name=\"cgroup.mode\" value=\"%s\"/>\n",
                HTML_CASES, k, k / 2, k % 2 ? "unified" : "hybrid");
        for (unsigned p = 0; p < 20; p++)
                fprintf(f, "      <property name=\"kconfig.CONFIG_SYMBOL_%u\" value=\"y\"/>\n", p);
        fputs("    </properties>\n", f);
        for (unsigned c = 0; c < HTML_CASES; c++) {
                const char *kind = kind_of(c);

                fprintf(f,
                        "    <testcase classname=\"area\" name=\"case_%u\" time=\"0.100\">\n"
                        "      <system-out>a log line of the case\nchecks:\n"
                        "ok 1 - the behaviour the check claims (case.c:%u)\n",
                        c, 10 + c);
                if (strcmp(kind, "plain") != 0)
                        fprintf(f, "artifacts:\n  reports/artifacts/area.case_%u/%s\n", c,
                                !strcmp(kind, "memory")      ? "memory.csv"
                                : !strcmp(kind, "processes") ? "processes.csv"
                                                             : "capture.pcap");
                fputs("</system-out>\n    </testcase>\n", f);
                if (write_evidence(dir, c, pcap, pcap_len) < 0) {
                        fclose(f);
                        return -1;
                }
        }
        fputs("  </testsuite>\n</testsuites>\n", f);
        hb.input_bytes += ftell(f);
        return fclose(f);
}

/* One load + page; its size in *@bytes. Returns the seconds taken, NaN on failure. */
static double cpu_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double one_page(char *const paths[], long long *bytes, double *cpu, struct iso_err *e)
{
        struct iso_matrix m = {0};
        char *buf = NULL;
        size_t len = 0;
        double t0 = iso_now(), c0 = cpu_now(), t = NAN;
        FILE *f = open_memstream(&buf, &len);

        if (f && iso_matrix_load(&m, paths, HTML_CONFIGS, e) == 0 &&
            iso_matrix_html(&m, HTML_DIR "/index.html", f, e) == 0 && fflush(f) == 0) {
                t = iso_now() - t0;
                *cpu = cpu_now() - c0;
                *bytes = (long long)len;
        }
        if (f)
                fclose(f);
        if (!isnan(t) && hb.model_bytes == 0) {
                /* Kept once, to look at; the model alone for the evidence's share. */
                write_bytes(HTML_DIR "/index.html", buf, len);
                free(buf);
                buf = NULL;
                f = open_memstream(&buf, &len);
                struct iso_matrix_out mo = {.f = f, .path = HTML_DIR "/index.html"};

                if (f && iso_matrix_json(&m, &mo, e) == 0 && fflush(f) == 0)
                        hb.model_bytes = (long long)len;
                if (f)
                        fclose(f);
        }
        free(buf);
        iso_matrix_free(&m);
        return t;
}

void html_bench(const struct opts *o)
{
        static char dirs[HTML_CONFIGS][64];
        char *paths[HTML_CONFIGS];
        size_t pcap_len = 0, runs = o->runs ? o->runs : 1;
        struct iso_err e = {0};
        char *pcap = iso_read_file(HTML_PCAP, &pcap_len, &e);
        double *t = calloc(runs, sizeof(*t)), *c = calloc(runs, sizeof(*c));

        if (!pcap || !t || !c) {
                iso_strlcpy(hb.reason, pcap ? "out of memory" : e.msg, sizeof(hb.reason));
                goto out;
        }
        for (unsigned k = 0; k < HTML_CONFIGS; k++) {
                snprintf(dirs[k], sizeof(dirs[k]), HTML_DIR "/config-%02u", k);
                paths[k] = dirs[k];
                if (write_config(dirs[k], k, pcap, pcap_len) < 0) {
                        snprintf(hb.reason, sizeof(hb.reason), "writing %s: %s", dirs[k],
                                 strerror(errno));
                        goto out;
                }
        }
        for (size_t i = 0; i < runs && !stop_requested; i++) {
                t[i] = one_page(paths, &hb.page_bytes, &c[i], &e);
                if (isnan(t[i])) {
                        snprintf(hb.reason, sizeof(hb.reason), "the page: %.280s", e.msg);
                        goto out;
                }
        }
        hb.measured = iso_stats_of(t, runs, &hb.secs) == 0 && iso_stats_of(c, runs, &hb.cpu) == 0;
        if (!hb.measured)
                snprintf(hb.reason, sizeof(hb.reason), "no run could be timed");
out:
        free(pcap);
        free(t);
        free(c);
}

void print_html_bench(FILE *f)
{
        fprintf(f,
                "\nreport page with evidence, %d configurations x %d cases (%lld bytes of JUnit):\n",
                HTML_CONFIGS, HTML_CASES, hb.input_bytes);
        if (!hb.measured) {
                fprintf(f, "  not measured: %s\n", hb.reason);
                return;
        }
        fprintf(f, "  load+page median %.3f s  min %.3f  max %.3f   target < %.1f s: %s\n",
                hb.secs.median, hb.secs.min, hb.secs.max, HTML_TIME_GOAL_S,
                hb.secs.median < HTML_TIME_GOAL_S ? "met" : "MISSED");
        fprintf(f, "  CPU time  median %.3f s  min %.3f  max %.3f   target < %.1f s: %s\n",
                hb.cpu.median, hb.cpu.min, hb.cpu.max, HTML_TIME_GOAL_S,
                hb.cpu.median < HTML_TIME_GOAL_S ? "met" : "MISSED");
        fprintf(f, "  page      %lld bytes (the model's JSON alone %lld)   target < %u: %s\n",
                hb.page_bytes, hb.model_bytes, HTML_SIZE_GOAL,
                hb.page_bytes < HTML_SIZE_GOAL ? "met" : "MISSED");
}

void json_html_bench(struct iso_json *j)
{
        iso_json_object(j, "report_page");
        iso_json_int(j, "configurations", HTML_CONFIGS);
        iso_json_int(j, "cases", HTML_CASES);
        iso_json_int(j, "input_bytes", hb.input_bytes);
        iso_json_bool(j, "measured", hb.measured);
        if (!hb.measured) {
                iso_json_str(j, "reason", hb.reason);
        } else {
                iso_json_num(j, "median_s", hb.secs.median);
                iso_json_num(j, "cpu_median_s", hb.cpu.median);
                iso_json_int(j, "n", (long long)hb.secs.n);
                iso_json_num(j, "target_s", HTML_TIME_GOAL_S);
                iso_json_int(j, "page_bytes", hb.page_bytes);
                iso_json_int(j, "model_json_bytes", hb.model_bytes);
                iso_json_int(j, "target_bytes", HTML_SIZE_GOAL);
                iso_json_bool(j, "met",
                              hb.secs.median < HTML_TIME_GOAL_S && hb.page_bytes < HTML_SIZE_GOAL);
        }
        iso_json_end(j);
}
