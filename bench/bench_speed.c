// SPDX-License-Identifier: MIT
/*
 * `make bench`, issue 14's speed goals, each a ratio measured side by side in this run:
 *  - every container runtime's variant cases against that runtime's floor (bench_rtfloors.c:
 *    start + reach + remove of one app), once per container the case needs at least: one
 *    for container.*, two (app and sidecar) for sidecar.*; the suite of those cases' wall
 *    time ("whole suite with Docker"); measured from R runs of `isocheck --filter '*.SUFFIX'`
 *    (after a warm-up run, which also builds any missing image: the image cache is part of
 *    what is measured, builds are not); the floor is timed again (one start, after its
 *    own warm-up) before each of those runs, and the ratios use the median of those
 *    samples, so load that comes and goes on a shared machine weighs on both alike;
 *  - one native case as a whole process (`isocheck --filter pidns.init.pid1`, fork to reap)
 *    against bench/pidns01.c, what LTP's pidns01 checks, also fork to reap, or against
 *    LTP's own pidns01 when BENCH_PIDNS01 names one.
 * Each child is timed fork to reap, bounded, and killed by PID (its own process group) if
 * it overstays. BENCH_SPEED=0 leaves this part out.
 */
#include "bench.h"

#include "isocheck/runtime.h"

#define SPEED_CASE_RATIO 1.3 /* each container case within 1.3x its floor */
#define ONE_CASE_RATIO 1.5   /* one native case within 1.5x pidns01 */
#define DOCKER_SUITE_S 8.0   /* the docker cases' suite, whole */

struct speed_case {
        char name[192];
        const char *verdict;
        struct iso_stats s;
        unsigned containers; /* what the floor is multiplied by */
        double ratio;
};

static struct {
        int measured;
        char reason[300];
        struct iso_stats one_case, pidns01;
        char yardstick[PATH_MAX]; /* the pidns01 program timed */
        double one_ratio;
        /* per runtime with a measured floor */
        struct {
                const struct rt_floor *floor;
                char reason[300];
                struct iso_stats wall;
                /* The floor again, one start before each timed run of the cases, so load
                 * that comes and goes weighs on both alike (the ratios use this one). */
                struct iso_stats between;
                struct speed_case cases[32];
                size_t n_cases;
        } rt[MAX_RT_FLOORS];
        size_t n_rt;
} sp;

/* fork, exec @argv with output to @out_path, reap; the wall time, or NAN. */
static double timed(char *const argv[], const char *out_path, double timeout_s, int *status)
{
        fflush(NULL);
        double t0 = iso_now();
        pid_t pid = fork();
        if (pid < 0)
                return NAN;
        if (pid == 0) {
                setpgid(0, 0);
                int in = open("/dev/null", O_RDONLY);
                int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                        _exit(127);
                execv(argv[0], argv);
                _exit(127);
        }
        int st = 0, termed = 0;
        for (;;) { /* bounded by @timeout_s, then SIGTERM (the runner cleans up), SIGKILL */
                pid_t w = waitpid(pid, &st, WNOHANG);
                double now = iso_now();
                if (w == pid)
                        break;
                if (w < 0)
                        return NAN;
                if (now - t0 > timeout_s + 15) {
                        kill(-pid, SIGKILL);
                } else if (!termed && (now - t0 > timeout_s || stop_requested)) {
                        kill(pid, SIGTERM);
                        termed = 1;
                }
                struct timespec ts = {0, 1000 * 1000}; /* 1 ms: the resolution of the figure */
                nanosleep(&ts, NULL);
        }
        double wall = iso_now() - t0;
        if (status)
                *status = st;
        return wall;
}

/* One native case, whole, against pidns01, R times each after a warm-up, interleaved. */
static void one_case(const struct opts *o)
{
        char pidns01[PATH_MAX];
        iso_strlcpy(pidns01, o->true_path, sizeof(pidns01));
        char *slash = strrchr(pidns01, '/');
        if (slash)
                iso_strlcpy(slash + 1, "iso-pidns01",
                            sizeof(pidns01) - (size_t)(slash + 1 - pidns01));
        /* LTP's own pidns01, when one was built (LTP is not packaged in Debian 12). */
        const char *ltp = getenv("BENCH_PIDNS01");
        if (ltp && *ltp)
                iso_strlcpy(pidns01, ltp, sizeof(pidns01));
        iso_strlcpy(sp.yardstick, pidns01, sizeof(sp.yardstick));
        if (access(pidns01, X_OK) < 0 || access(o->isocheck, X_OK) < 0) {
                snprintf(sp.reason, sizeof(sp.reason), "%.130s or %.130s missing (make bench)",
                         pidns01, o->isocheck);
                return;
        }
        char *iso_argv[] = {
                (char *)o->isocheck,     "--filter", "pidns.init.pid1",           "--tap",
                REPORT_DIR "/one.tap",   "--junit",  REPORT_DIR "/one.junit.xml", "--artifacts",
                REPORT_DIR "/artifacts", NULL};
        char *ltp_argv[] = {pidns01, NULL};
        double *a = calloc(o->runs, sizeof(*a)), *b = calloc(o->runs, sizeof(*b));
        if (!a || !b) {
                free(a);
                free(b);
                return;
        }
        int bad = 0;
        for (size_t i = 0; i <= o->runs && !stop_requested; i++) {
                int st1 = 0, st2 = 0;
                double x = timed(iso_argv, REPORT_DIR "/one.out", 60, &st1);
                double y = timed(ltp_argv, REPORT_DIR "/pidns01.out", 10, &st2);
                bad |= !WIFEXITED(st1) || WEXITSTATUS(st1) || !WIFEXITED(st2) || WEXITSTATUS(st2);
                if (i > 0) {
                        a[i - 1] = x;
                        b[i - 1] = y;
                }
        }
        if (bad)
                snprintf(sp.reason, sizeof(sp.reason),
                         "a run did not pass: see %s/one.out and %s/pidns01.out", REPORT_DIR,
                         REPORT_DIR);
        else if (iso_stats_of(a, o->runs, &sp.one_case) == 0 &&
                 iso_stats_of(b, o->runs, &sp.pidns01) == 0) {
                sp.measured = 1;
                sp.one_ratio = sp.one_case.median / sp.pidns01.median;
        }
        free(a);
        free(b);
}

/* A sidecar case needs the app and a sidecar: twice the one-container floor. */
static unsigned containers_of(const char *name)
{
        return strncmp(name, "sidecar.", 8) ? 1 : 2;
}

/* The variant cases of runtime floor @f: R runs of the runner filtered to its suffix. */
static void runtime_cases(const struct opts *o, const struct iso_env *env, size_t k)
{
        const struct rt_floor *f = sp.rt[k].floor;
        char glob[64];
        snprintf(glob, sizeof(glob), "*%s", f->suffix);
        char *argv[] = {(char *)o->isocheck,
                        "--filter",
                        glob,
                        "--tap",
                        REPORT_DIR "/rt.tap",
                        "--junit",
                        REPORT_DIR "/rt.junit.xml",
                        "--artifacts",
                        REPORT_DIR "/artifacts",
                        NULL};
        size_t runs = o->runs;
        struct iso_bench_case *got = calloc(MAX_CASES, sizeof(*got));
        double *wall = calloc(runs, sizeof(*wall)), *floor_t = calloc(runs, sizeof(*floor_t));
        double(*t)[32] = calloc(runs, sizeof(*t));
        if (!got || !wall || !floor_t || !t)
                goto out;
        for (size_t i = 0; i <= runs && !stop_requested; i++) {
                int st = 0;
                struct iso_err fe = {0};
                floor_t[i ? i - 1 : 0] = NAN;
                if (i > 0 && measure_runtime_once(f->runtime, env, &floor_t[i - 1], &fe) < 0)
                        floor_t[i - 1] = NAN;
                double w = timed(argv, REPORT_DIR "/rt.out", 600, &st);
                iso_autofree char *xml = iso_read_file(REPORT_DIR "/rt.junit.xml", NULL, NULL);
                long n = xml ? iso_bench_junit_cases(xml, got, MAX_CASES) : -1;
                if (n <= 0) {
                        snprintf(sp.rt[k].reason, sizeof(sp.rt[k].reason),
                                 "run %zu wrote no cases (%s/rt.out)", i, REPORT_DIR);
                        goto out;
                }
                if (i == 0) /* the warm-up: it builds what the image cache lacks */
                        continue;
                wall[i - 1] = w;
                for (long c = 0; c < n && c < 32; c++) {
                        struct speed_case *sc = &sp.rt[k].cases[c];
                        if (i == 1) {
                                iso_strlcpy(sc->name, got[c].name, sizeof(sc->name));
                                sc->verdict = iso_bench_verdict_name(got[c].verdict);
                                sc->containers = containers_of(sc->name);
                                sp.rt[k].n_cases = (size_t)c + 1;
                        } else if (strcmp(sc->verdict, iso_bench_verdict_name(got[c].verdict))) {
                                sc->verdict = "mixed";
                        }
                        t[i - 1][c] = got[c].time_s;
                }
        }
        iso_stats_of(wall, runs, &sp.rt[k].wall);
        if (iso_stats_of(floor_t, runs, &sp.rt[k].between) < 0)
                sp.rt[k].between = f->f.s; /* none measured between: the first floor */
        double *col = calloc(runs, sizeof(*col));
        for (size_t c = 0; col && c < sp.rt[k].n_cases; c++) {
                struct speed_case *sc = &sp.rt[k].cases[c];
                for (size_t i = 0; i < runs; i++)
                        col[i] = t[i][c];
                iso_stats_of(col, runs, &sc->s);
                sc->ratio = sc->s.median / (sp.rt[k].between.median * sc->containers);
        }
        free(col);
out:
        free(got);
        free(wall);
        free(floor_t);
        free(t);
}

void speed_runs(const struct opts *o, const struct iso_env *env)
{
        const char *v = getenv("BENCH_SPEED");
        if (v && !strcmp(v, "0"))
                return;
        one_case(o);
        fprintf(stderr, "bench: one native case %s\n", sp.measured ? "timed" : sp.reason);
        for (size_t i = 0; i < n_rt_floors && sp.n_rt < MAX_RT_FLOORS && !stop_requested; i++) {
                /* Native has no suffix: its cases are the kernel floors' business. */
                if (!rt_floors[i].suffix[0] || !rt_floors[i].f.measured)
                        continue;
                sp.rt[sp.n_rt].floor = &rt_floors[i];
                runtime_cases(o, env, sp.n_rt);
                fprintf(stderr, "bench: %s cases timed\n", rt_floors[i].runtime);
                sp.n_rt++;
        }
}

void print_speed(FILE *f)
{
        fprintf(f, "\nstart-up: one native case, whole process, against pidns01's check:\n");
        if (sp.measured)
                fprintf(f,
                        "  isocheck --filter pidns.init.pid1 %.1f ms, %s %.1f ms (medians): "
                        "%.2fx, target <= %.1fx: %s\n",
                        sp.one_case.median * 1000, sp.yardstick, sp.pidns01.median * 1000,
                        sp.one_ratio, ONE_CASE_RATIO,
                        sp.one_ratio <= ONE_CASE_RATIO ? "met" : "MISSED");
        else
                fprintf(f, "  not measured: %s\n", sp.reason);
        for (size_t k = 0; k < sp.n_rt; k++) {
                const struct rt_floor *fl = sp.rt[k].floor;
                fprintf(f,
                        "\n%s cases against %s (%.1f ms a container, median of a start before "
                        "each run; %.1f ms before them all):\n",
                        fl->runtime, fl->key, sp.rt[k].between.median * 1000,
                        fl->f.s.median * 1000);
                if (!sp.rt[k].n_cases) {
                        fprintf(f, "  not measured: %s\n", sp.rt[k].reason);
                        continue;
                }
                for (size_t c = 0; c < sp.rt[k].n_cases; c++) {
                        const struct speed_case *sc = &sp.rt[k].cases[c];
                        fprintf(f, "  %-40s %-5s %8.1f ms  %ux floor  %5.2fx  %s\n", sc->name,
                                sc->verdict, sc->s.median * 1000, sc->containers, sc->ratio,
                                sc->ratio <= SPEED_CASE_RATIO ? "met" : "MISSED");
                }
                fprintf(f, "  the %s cases' suite, whole: %.3f s (median)%s\n", fl->runtime,
                        sp.rt[k].wall.median,
                        !strcmp(fl->runtime, "docker") ? (sp.rt[k].wall.median <= DOCKER_SUITE_S
                                                                  ? ", target <= 8 s: met"
                                                                  : ", target <= 8 s: MISSED")
                                                       : "");
        }
}

void json_speed(struct iso_json *j)
{
        iso_json_object(j, "speed");
        iso_json_object(j, "one_case");
        iso_json_str(j, "what",
                     "isocheck --filter pidns.init.pid1, whole process, against "
                     "bench/pidns01.c (LTP pidns01's check), fork to reap");
        iso_json_str(j, "pidns01", sp.yardstick);
        iso_json_bool(j, "measured", sp.measured);
        if (sp.measured) {
                iso_json_stats(j, "isocheck_ms", &sp.one_case, 1000);
                iso_json_stats(j, "pidns01_ms", &sp.pidns01, 1000);
                iso_json_num(j, "ratio", sp.one_ratio);
                iso_json_num(j, "target", ONE_CASE_RATIO);
                iso_json_bool(j, "met", sp.one_ratio <= ONE_CASE_RATIO);
        } else {
                iso_json_str(j, "reason", sp.reason);
        }
        iso_json_end(j);
        iso_json_object(j, "runtime_cases");
        for (size_t k = 0; k < sp.n_rt; k++) {
                iso_json_object(j, sp.rt[k].floor->runtime);
                iso_json_num(j, "floor_ms", sp.rt[k].floor->f.s.median * 1000);
                iso_json_stats(j, "floor_between_runs_ms", &sp.rt[k].between, 1000);
                if (!sp.rt[k].n_cases)
                        iso_json_str(j, "reason", sp.rt[k].reason);
                else
                        iso_json_stats(j, "suite_s", &sp.rt[k].wall, 1);
                iso_json_array(j, "cases");
                for (size_t c = 0; c < sp.rt[k].n_cases; c++) {
                        const struct speed_case *sc = &sp.rt[k].cases[c];
                        iso_json_object(j, NULL);
                        iso_json_str(j, "name", sc->name);
                        iso_json_str(j, "verdict", sc->verdict);
                        iso_json_num(j, "median_ms", sc->s.median * 1000);
                        iso_json_int(j, "containers", sc->containers);
                        iso_json_num(j, "ratio", sc->ratio);
                        iso_json_bool(j, "met", sc->ratio <= SPEED_CASE_RATIO);
                        iso_json_end(j);
                }
                iso_json_end(j);
                iso_json_end(j);
        }
        iso_json_end(j);
        iso_json_end(j);
}
