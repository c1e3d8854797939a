// SPDX-License-Identifier: MIT
/*
 * `isocheck report` over 12 configurations x 30 cases (issue 13): the time of the
 * report (goal: under 0.2 s) and the size of its HTML page (goal: under 2 MiB). The
 * inputs are generated into build/bench/report/: six kernels x two cgroup modes, each a
 * JUnit file shaped as isocheck writes it (properties, checks, a log, artifacts, some
 * skips and a failure with expected/got), so the reader does its real work. The program
 * is the build's isocheck, started as a user starts it, R times after a warm-up.
 */
#include <spawn.h>

#include "bench.h"

#define REPORT_CONFIGS 12
#define REPORT_CASES 30
#define REPORT_TIME_GOAL_S 0.2
#define REPORT_HTML_GOAL (2u << 20)
#define REPORT_DIR_GEN "build/bench/report"

static struct {
        int measured;
        char reason[300];
        struct iso_stats text, json;
        long long html_bytes; /* -1: not measured, html_reason says why */
        char html_reason[300];
        long long input_bytes;
} rb = {.html_bytes = -1};

static const char *const areas[] = {"cgroup.memory", "cgroup.pids",   "pidns.view",
                                    "nsenter.pidns", "container.app", "sidecar.capture"};

/* One configuration's JUnit: 30 cases, as report_junit.c writes them. */
static int write_config(const char *path, unsigned k, long long *bytes)
{
        FILE *f = fopen(path, "w");
        const char *kernel[] = {"6.1.0-28", "6.6.63", "6.10.14", "6.12.9", "6.16.2", "6.18.44"};
        const char *mode = k % 2 ? "unified" : "legacy";

        if (!f)
                return -1;
        fprintf(f,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"isocheck\" "
                "tests=\"%d\" failures=\"1\" errors=\"0\" time=\"9.000\">\n",
                REPORT_CASES);
        fprintf(f,
                "  <testsuite name=\"vm-%s-%s\" tests=\"%d\" failures=\"1\" errors=\"0\" "
                "skipped=\"3\" time=\"9.000\" timestamp=\"2026-11-30T15:00:00Z\" "
                "hostname=\"isocheck-vm\">\n    <properties>\n",
                kernel[k / 2], mode, REPORT_CASES);
        fprintf(f,
                "      <property name=\"target\" value=\"vm\"/>\n"
                "      <property name=\"kernel.release\" value=\"%s-amd64\"/>\n"
                "      <property name=\"hostname\" value=\"isocheck-vm\"/>\n"
                "      <property name=\"cgroup.mode\" value=\"%s\"/>\n",
                kernel[k / 2], mode);
        for (unsigned p = 0; p < 25; p++)
                fprintf(f, "      <property name=\"kconfig.CONFIG_SYMBOL_%u\" value=\"y\"/>\n", p);
        fputs("    </properties>\n", f);
        for (unsigned c = 0; c < REPORT_CASES; c++) {
                const char *cls = areas[c % ISO_ARRAY_SIZE(areas)];

                fprintf(f,
                        "    <testcase classname=\"%s\" name=\"behaviour_%u\" time=\"0.%03u\" "
                        "file=\"cases/case_%u.c\" line=\"%u\">\n",
                        cls, c, 100 + c, c % 6, 40 + c);
                if (c % 10 == 3 && k % 2)
                        fprintf(f, "      <skipped message=\"needs the memory controller on "
                                   "cgroup v1: CONFIG_MEMCG_V1 is not set\">needs it</skipped>\n");
                if (c == 7 && k == REPORT_CONFIGS - 1)
                        fputs("      <failure message=\"1 of 6 checks failed\" type=\"fail\">1 of "
                              "6 checks failed\nnot ok 2 - no host PID is listed inside (pidns.c:95)\n"
                              "  expected: only PIDs 1..3\n  got: PIDs 1, 2, 3, 812\n</failure>\n",
                              f);
                fputs("      <system-out>the case's log: a tool's output, a few lines of it\n", f);
                for (unsigned l = 0; l < 8; l++)
                        fprintf(f, "line %u of the log with some words in it, as tools print\n", l);
                fputs("checks:\n", f);
                for (unsigned n = 1; n <= 6; n++)
                        fprintf(f,
                                "%sok %u - the behaviour the check claims, number %u (case_%u.c:%u)\n",
                                c == 7 && n == 2 && k == REPORT_CONFIGS - 1 ? "not " : "", n, n,
                                c % 6, 100 + n);
                fprintf(f,
                        "artifacts:\n  reports/artifacts/%s.behaviour_%u/memory.csv\n"
                        "</system-out>\n    </testcase>\n",
                        cls, c);
        }
        fputs("  </testsuite>\n</testsuites>\n", f);
        *bytes += ftell(f);
        return fclose(f);
}

/* Run isocheck report with @args (NULL-terminated), stdout to @out_path, stderr to a
 * file; the wall time in *@secs. Returns the exit status, or -1. */
static int run_report(const char *isocheck, char *const args[], const char *out_path, double *secs)
{
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int st = -1;
        double t0;

        if (posix_spawn_file_actions_init(&fa))
                return -1;
        posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, REPORT_DIR_GEN "/stderr.txt",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        char *argv[32] = {(char *)isocheck, "report"};
        size_t n = 2;

        for (size_t i = 0; args[i] && n < ISO_ARRAY_SIZE(argv) - 1; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        t0 = iso_now();
        if (posix_spawn(&pid, isocheck, &fa, NULL, argv, environ) == 0) {
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                        ;
        }
        *secs = iso_now() - t0;
        posix_spawn_file_actions_destroy(&fa);
        return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int time_format(const struct opts *o, char *const paths[], const char *format,
                       struct iso_stats *out)
{
        char *args[REPORT_CONFIGS + 4] = {"--format", (char *)format};
        size_t runs = o->runs ? o->runs : 1;
        double *t = calloc(runs, sizeof(*t)), warm;

        if (!t)
                return -1;
        for (size_t i = 0; i < REPORT_CONFIGS; i++)
                args[2 + i] = paths[i];
        /* Exit 1: the inputs hold one failure, on purpose. */
        if (run_report(o->isocheck, args, "/dev/null", &warm) != 1) {
                snprintf(rb.reason, sizeof(rb.reason),
                         "%.150s report --format %s did not exit 1 (see %s/stderr.txt)",
                         o->isocheck, format, REPORT_DIR_GEN);
                free(t);
                return -1;
        }
        for (size_t i = 0; i < runs && !stop_requested; i++)
                if (run_report(o->isocheck, args, "/dev/null", &t[i]) != 1)
                        t[i] = NAN;
        int rc = iso_stats_of(t, runs, out);

        free(t);
        return rc;
}

static void html_size(const struct opts *o, char *const paths[])
{
        char *args[REPORT_CONFIGS + 6] = {"--format", "html", "-o", REPORT_DIR_GEN "/index.html"};
        struct stat st;
        double secs;
        int rc;

        for (size_t i = 0; i < REPORT_CONFIGS; i++)
                args[4 + i] = paths[i];
        unlink(REPORT_DIR_GEN "/index.html");
        rc = run_report(o->isocheck, args, "/dev/null", &secs);
        if (rc == 1 && stat(REPORT_DIR_GEN "/index.html", &st) == 0) {
                rb.html_bytes = (long long)st.st_size;
                return;
        }
        char *err = iso_read_file(REPORT_DIR_GEN "/stderr.txt", NULL, NULL);

        snprintf(rb.html_reason, sizeof(rb.html_reason), "--format html exited %d: %s", rc,
                 err && *err ? err : "no message");
        rb.html_reason[strcspn(rb.html_reason, "\n")] = '\0';
        free(err);
}

void report_bench(const struct opts *o)
{
        static char names[REPORT_CONFIGS][64];
        char *paths[REPORT_CONFIGS];
        struct iso_err e = {0};

        if (iso_mkdir_p(REPORT_DIR_GEN, &e) < 0) {
                iso_strlcpy(rb.reason, e.msg, sizeof(rb.reason));
                return;
        }
        for (unsigned k = 0; k < REPORT_CONFIGS; k++) {
                snprintf(names[k], sizeof(names[k]), REPORT_DIR_GEN "/config-%02u.junit.xml", k);
                paths[k] = names[k];
                if (write_config(names[k], k, &rb.input_bytes) < 0) {
                        snprintf(rb.reason, sizeof(rb.reason), "writing %.60s: %.200s", names[k],
                                 strerror(errno));
                        return;
                }
        }
        if (time_format(o, paths, "text", &rb.text) < 0 ||
            time_format(o, paths, "json", &rb.json) < 0) {
                if (!*rb.reason)
                        snprintf(rb.reason, sizeof(rb.reason), "no run could be timed");
                return;
        }
        rb.measured = 1;
        html_size(o, paths);
}

void print_report_bench(FILE *f)
{
        fprintf(f, "\nisocheck report, %d configurations x %d cases (%lld bytes of JUnit):\n",
                REPORT_CONFIGS, REPORT_CASES, rb.input_bytes);
        if (!rb.measured) {
                fprintf(f, "  not measured: %s\n", rb.reason);
                return;
        }
        fprintf(f, "  text      median %.3f s  min %.3f  max %.3f   target < %.1f s: %s\n",
                rb.text.median, rb.text.min, rb.text.max, REPORT_TIME_GOAL_S,
                rb.text.median < REPORT_TIME_GOAL_S ? "met" : "MISSED");
        fprintf(f, "  json      median %.3f s  min %.3f  max %.3f   target < %.1f s: %s\n",
                rb.json.median, rb.json.min, rb.json.max, REPORT_TIME_GOAL_S,
                rb.json.median < REPORT_TIME_GOAL_S ? "met" : "MISSED");
        if (rb.html_bytes >= 0)
                fprintf(f, "  html      %lld bytes   target < %u: %s\n", rb.html_bytes,
                        REPORT_HTML_GOAL, rb.html_bytes < REPORT_HTML_GOAL ? "met" : "MISSED");
        else
                fprintf(f, "  html      not measured: %s\n", rb.html_reason);
}

void json_report_bench(struct iso_json *j)
{
        iso_json_object(j, "report");
        iso_json_int(j, "configurations", REPORT_CONFIGS);
        iso_json_int(j, "cases", REPORT_CASES);
        iso_json_int(j, "input_bytes", rb.input_bytes);
        iso_json_bool(j, "measured", rb.measured);
        if (!rb.measured) {
                iso_json_str(j, "reason", rb.reason);
        } else {
                iso_json_num(j, "text_median_s", rb.text.median);
                iso_json_num(j, "json_median_s", rb.json.median);
                iso_json_int(j, "n", (long long)rb.json.n);
                iso_json_num(j, "target_s", REPORT_TIME_GOAL_S);
                iso_json_bool(j, "met",
                              rb.text.median < REPORT_TIME_GOAL_S &&
                                      rb.json.median < REPORT_TIME_GOAL_S);
                if (rb.html_bytes >= 0) {
                        iso_json_int(j, "html_bytes", rb.html_bytes);
                        iso_json_bool(j, "html_met", rb.html_bytes < REPORT_HTML_GOAL);
                } else {
                        iso_json_str(j, "html_reason", rb.html_reason);
                }
        }
        iso_json_end(j);
}
