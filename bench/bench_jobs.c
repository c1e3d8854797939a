// SPDX-License-Identifier: MIT
/*
 * `make bench`: the native suite at -j1 against parallel jobs (bench_jobs.h). The runs
 * alternate settings (-j1, -j2, -j1, -j2...) so a change in the machine's load meanwhile
 * (other sessions share it) falls on both sides alike; the figures are medians and ratios
 * of medians, never single runs.
 */
#include "bench.h"
#include "bench_jobs.h"

#include <math.h>

#define JOBS_XML REPORT_DIR "/jobs.junit.xml"

/* The CPUs this process may run on, as isocheck's default -j counts them. */
static unsigned usable_cpus(void)
{
        cpu_set_t set;
        long n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                              : sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : (unsigned)n;
}

/* The value of attribute @attr in the first <@tag ...> of @xml, NAN when absent. */
static double attr_of(const char *xml, const char *tag, const char *attr)
{
        char open[64], key[64];
        snprintf(open, sizeof(open), "<%s ", tag);
        snprintf(key, sizeof(key), " %s=\"", attr);
        const char *p = strstr(xml, open);
        const char *end = p ? strchr(p, '>') : NULL;
        const char *a = p ? strstr(p, key) : NULL;
        if (!a || !end || a > end)
                return NAN;
        return strtod(a + strlen(key), NULL);
}

/* One run at @jobs: wall, suite and case-sum seconds. 0, or -1 with @why. */
static int one_run(const struct opts *o, unsigned jobs, double *wall, double *suite, double *sum,
                   char *why, size_t size)
{
        char j[16], out[64];
        snprintf(j, sizeof(j), "-j%u", jobs);
        snprintf(out, sizeof(out), REPORT_DIR "/jobs-j%u.out", jobs);
        char *argv[] = {(char *)o->isocheck,
                        j,
                        "--progress=never",
                        "--exclude",
                        "*.docker",
                        "--exclude",
                        "*.podman*",
                        "--exclude",
                        "*.oci",
                        "--tap",
                        REPORT_DIR "/jobs.tap",
                        "--junit",
                        JOBS_XML,
                        "--artifacts",
                        REPORT_DIR "/artifacts",
                        NULL};
        fflush(NULL);
        double t0 = iso_now();
        pid_t pid = fork();
        if (pid < 0) {
                snprintf(why, size, "fork: %s", strerror(errno));
                return -1;
        }
        if (pid == 0) {
                int in = open("/dev/null", O_RDONLY);
                int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (in < 0 || fd < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
                        _exit(127);
                signal(SIGPIPE, SIG_DFL);
                execv(argv[0], argv);
                _exit(127);
        }
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        *wall = iso_now() - t0;
        /* 1 is a case failing, still a run of the whole suite; anything else is not. */
        if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
                char buf[32];
                snprintf(why, size, "isocheck %s: %s (see %s)", j,
                         status_text(st, buf, sizeof(buf)), out);
                return -1;
        }
        struct iso_err e = {0};
        iso_autofree char *xml = iso_read_file(JOBS_XML, NULL, &e);
        if (!xml) {
                iso_strlcpy(why, e.msg, size);
                return -1;
        }
        *suite = attr_of(xml, "testsuite", "time");
        struct iso_bench_case cases[MAX_CASES];
        long n = iso_bench_junit_cases(xml, cases, MAX_CASES);
        if (n < 0 || isnan(*suite)) {
                snprintf(why, size, "%s: no suite time, or a <testcase> without a time", JOBS_XML);
                return -1;
        }
        *sum = 0;
        for (long k = 0; k < n && k < MAX_CASES; k++)
                *sum += cases[k].time_s;
        return 0;
}

void jobs_bench_run(const struct opts *o, struct jobs_bench *jb)
{
        memset(jb, 0, sizeof(*jb));
        jb->usable = usable_cpus();
        unsigned want[JOBS_MAX_SETTINGS] = {1, 2, jb->usable};
        for (size_t k = 0; k < JOBS_MAX_SETTINGS; k++)
                if (k < 2 || (want[k] != 1 && want[k] != 2))
                        jb->s[jb->n++].jobs = want[k];
        size_t runs = o->runs;
        double *v = calloc(runs * JOBS_MAX_SETTINGS * 4, sizeof(*v));
        if (!v) {
                snprintf(jb->why, sizeof(jb->why), "out of memory");
                return;
        }
        /* v[((k * 4) + what) * runs + i]: what 0 wall, 1 suite, 2 sum, 3 scratch */
#define V(k, what, i) v[((k)*4 + (what)) * runs + (i)]
        size_t done = 0;
        for (size_t i = 0; i <= runs && !stop_requested; i++) {
                for (size_t k = 0; k < jb->n && !stop_requested; k++) {
                        double w, s, c;
                        if (one_run(o, jb->s[k].jobs, &w, &s, &c, jb->why, sizeof(jb->why)) < 0) {
                                jb->s[k].failed = 1;
                                goto out;
                        }
                        fprintf(stderr, "bench: native suite -j%u run %zu/%zu%s: %.3f s\n",
                                jb->s[k].jobs, i, runs, i == 0 ? " (warm-up)" : "", w);
                        if (i == 0)
                                continue; /* the warm-up fills caches: not a measurement */
                        V(k, 0, i - 1) = w;
                        V(k, 1, i - 1) = s;
                        V(k, 2, i - 1) = c;
                }
                if (i > 0)
                        done = i;
        }
        jb->why[0] = '\0';
out:
        for (size_t k = 0; k < jb->n && done; k++) {
                struct jobs_setting *s = &jb->s[k];
                iso_stats_of(&V(k, 0, 0), done, &s->wall);
                iso_stats_of(&V(k, 1, 0), done, &s->suite);
                iso_stats_of(&V(k, 2, 0), done, &s->sum);
                /* With cases running at once their times overlap: only -j1's difference is
                 * the runner's own time. */
                for (size_t i = 0; i < done; i++)
                        V(k, 3, i) = V(k, 1, i) - V(k, 2, i);
                if (s->jobs == 1)
                        iso_stats_of(&V(k, 3, 0), done, &s->own);
                for (size_t i = 0; i < done; i++)
                        V(k, 3, i) = V(k, 0, i) - V(k, 1, i);
                iso_stats_of(&V(k, 3, 0), done, &s->start);
        }
#undef V
        free(v);
}

static const struct jobs_setting *setting(const struct jobs_bench *jb, unsigned jobs)
{
        for (size_t k = 0; k < jb->n; k++)
                if (jb->s[k].jobs == jobs && jb->s[k].wall.n)
                        return &jb->s[k];
        return NULL;
}

void jobs_bench_print(const struct jobs_bench *jb, FILE *f)
{
        fprintf(f,
                "\nnative suite by -j (whole process; medians of runs alternating settings; "
                "default -j%u):\n",
                jb->usable);
        if (*jb->why)
                fprintf(f, "  not measured: %s\n", jb->why);
        for (size_t k = 0; k < jb->n; k++) {
                const struct jobs_setting *s = &jb->s[k];
                if (!s->wall.n)
                        continue;
                fprintf(f,
                        "  -j%-3u wall %.3f s  suite %.3f s  cases' sum %.3f s  start-up and "
                        "reports %.3f s\n",
                        s->jobs, s->wall.median, s->suite.median, s->sum.median, s->start.median);
        }
        const struct jobs_setting *one = setting(jb, 1), *two = setting(jb, 2),
                                  *def = setting(jb, jb->usable);
        if (one && one->own.n)
                fprintf(f,
                        "  runner's own time at -j1 (suite minus its cases): %.3f s   target "
                        "<= 0.15 s: %s\n",
                        one->own.median, one->own.median <= 0.15 ? "met" : "MISSED");
        if (one && two)
                fprintf(f, "  -j2 / -j1: %.2fx wall, %.2fx suite   target <= 0.65x: %s\n",
                        two->wall.median / one->wall.median, two->suite.median / one->suite.median,
                        two->wall.median / one->wall.median <= 0.65 ? "met" : "MISSED");
        if (def)
                fprintf(f, "  default jobs (-j%u): %.3f s   target <= 1.0 s: %s\n", def->jobs,
                        def->wall.median, def->wall.median <= 1.0 ? "met" : "MISSED");
}

void jobs_bench_json(struct iso_json *j, const struct jobs_bench *jb)
{
        iso_json_object(j, "jobs");
        iso_json_int(j, "usable_cpus", jb->usable);
        if (*jb->why)
                iso_json_str(j, "not_measured", jb->why);
        iso_json_array(j, "settings");
        for (size_t k = 0; k < jb->n; k++) {
                const struct jobs_setting *s = &jb->s[k];
                iso_json_object(j, NULL);
                iso_json_int(j, "jobs", s->jobs);
                iso_json_stats(j, "wall_s", &s->wall, 1);
                iso_json_stats(j, "suite_s", &s->suite, 1);
                iso_json_stats(j, "cases_sum_s", &s->sum, 1);
                iso_json_stats(j, "startup_and_reports_s", &s->start, 1);
                if (s->jobs == 1)
                        iso_json_stats(j, "runner_own_s", &s->own, 1);
                iso_json_end(j);
        }
        iso_json_end(j);
        const struct jobs_setting *one = setting(jb, 1), *two = setting(jb, 2),
                                  *def = setting(jb, jb->usable);
        iso_json_num(j, "j2_over_j1_wall", one && two ? two->wall.median / one->wall.median : NAN);
        iso_json_num(j, "j2_over_j1_suite",
                     one && two ? two->suite.median / one->suite.median : NAN);
        iso_json_num(j, "default_jobs_wall_s", def ? def->wall.median : NAN);
        iso_json_num(j, "runner_own_j1_s", one && one->own.n ? one->own.median : NAN);
        iso_json_end(j);
}
