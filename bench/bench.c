// SPDX-License-Identifier: MIT
/*
 * `make bench`: what each case costs against its physical floor (issue 7).
 *
 * 1. Floors, each timed R times on this machine in this run (bench/floors.c, bench/vm.c).
 * 2. R timed runs of the real suite, build/isocheck exactly as `make check` starts it,
 *    after one warm-up run: the wall time of each run from fork to reap is the suite's
 *    total; each case's time is the JUnit `time` the runner itself measured (fork of the
 *    case child to its reaping), so one suite run gives every case once without paying
 *    the runner's start-up 25 times. The runner is ptrace(2)d with PTRACE_O_TRACEEXIT
 *    only: at its exit stop, before the kernel frees its memory and files, /proc/<pid>
 *    gives its own peak RSS (VmHWM: the runner alone, where wait4's ru_maxrss would also
 *    count the OOM cases' hogs it reaped) and its open descriptors.
 * 3. A stability run: the suite N times in a row inside this process (the same registry,
 *    runner and report writers isocheck's main() drives), sampling between runs this
 *    process's RSS and descriptors and the isocheck-named kernel objects. A long-lived
 *    process is what shows a leak: separate isocheck processes would each start clean
 *    and hand every leaked descriptor and byte back to the kernel at exit.
 * Then a table on stdout and reports/bench.json. Nothing is asserted: targets are
 * reported as met or missed.
 */
#include "bench.h"
#include "isocheck/runtime.h"

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

static int parse_count(const char *s, size_t lo, size_t hi, size_t *out)
{
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v < lo || v > hi)
                return -1;
        *out = v;
        return 0;
}

static const char usage[] =
        "Usage: isocheck-bench [--runs R] [--repeat N] [--json FILE] [--isocheck PATH]\n"
        "Time every case against its floor on this machine (make bench; see bench/README.md).\n"
        "  --runs R       timed suite runs and floor repetitions (env BENCH_REPEAT, default 5)\n"
        "  --repeat N     stability run: the suite N times in one process (env\n"
        "                 BENCH_STABILITY, default 20; 0 skips it)\n"
        "  --json FILE    where to write the report (default reports/bench.json)\n"
        "  --isocheck P   the runner to time (default: ../isocheck beside this program)\n"
        "Env: BENCH_VM=1 adds the VM floor (BENCH_QEMU, BENCH_VM_KERNEL, BENCH_VM_CMD);\n"
        "BENCH_EXCLUDE is a glob of cases left out (default '*.docker': the native runtime);\n"
        "BENCH_ONLY=runtimes times the runtimes' floors alone (run + ready + remove);\n"
        "BENCH_ONLY=report times `isocheck report` over 12 configurations x 30 cases alone.\n";

static int parse_opts(int argc, char **argv, struct opts *o)
{
        memset(o, 0, sizeof(*o));
        o->runs = 5;
        o->stability = 20;
        o->json_path = "reports/bench.json";
        o->exclude = "*.docker";
        const char *v = getenv("BENCH_REPEAT");
        if (v && *v && parse_count(v, 1, 1000, &o->runs) < 0) {
                fprintf(stderr, "isocheck-bench: BENCH_REPEAT=%s is not a count in 1..1000\n", v);
                return -1;
        }
        v = getenv("BENCH_STABILITY");
        if (v && *v && parse_count(v, 0, 100000, &o->stability) < 0) {
                fprintf(stderr, "isocheck-bench: BENCH_STABILITY=%s is not a count\n", v);
                return -1;
        }
        v = getenv("BENCH_VM");
        o->vm = v && strcmp(v, "1") == 0;
        o->vm_cmd = getenv("BENCH_VM_CMD");
        v = getenv("BENCH_EXCLUDE");
        if (v)
                o->exclude = v;
        v = getenv("BENCH_ONLY");
        if (v && *v && strcmp(v, "runtimes") != 0 && strcmp(v, "report") != 0) {
                fprintf(stderr,
                        "isocheck-bench: BENCH_ONLY=%s: expected \"runtimes\", \"report\" or unset\n",
                        v);
                return -1;
        }
        o->only_runtimes = v && !strcmp(v, "runtimes");
        o->only_report = v && !strcmp(v, "report");

        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n <= 0) {
                perror("isocheck-bench: readlink /proc/self/exe");
                return -1;
        }
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        *slash = '\0';
        char bin_dir[PATH_MAX];
        if (!realpath(exe, bin_dir)) /* "build/bench/.." reads as "build" in the report */
                iso_strlcpy(bin_dir, exe, sizeof(bin_dir));
        char *up = strrchr(bin_dir, '/');
        if (up)
                *up = '\0';
        if (iso_pathf(o->isocheck, sizeof(o->isocheck), "%s/isocheck", bin_dir) < 0 ||
            iso_pathf(o->true_path, sizeof(o->true_path), "%s/iso-true", exe) < 0 ||
            iso_pathf(o->vminit_path, sizeof(o->vminit_path), "%s/iso-vminit", exe) < 0)
                return -1;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
                if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                        fputs(usage, stdout);
                        exit(0);
                } else if (!strcmp(a, "--runs") && val && !parse_count(val, 1, 1000, &o->runs)) {
                        i++;
                } else if (!strcmp(a, "--repeat") && val &&
                           !parse_count(val, 0, 100000, &o->stability)) {
                        i++;
                } else if (!strcmp(a, "--json") && val && *val) {
                        o->json_path = val;
                        i++;
                } else if (!strcmp(a, "--isocheck") && val && *val) {
                        iso_strlcpy(o->isocheck, val, sizeof(o->isocheck));
                        i++;
                } else {
                        fprintf(stderr, "isocheck-bench: bad argument %s\n%s", a, usage);
                        return -1;
                }
        }
        return 0;
}

/* --- main ------------------------------------------------------------------------------ */

static void loadavg(char *out, size_t size)
{
        char *s = iso_read_file("/proc/loadavg", NULL, NULL);
        out[0] = '\0';
        if (!s)
                return;
        /* the three averages only */
        char *p = s;
        for (int spaces = 0; *p && spaces < 3; p++)
                if (*p == ' ')
                        spaces++;
        if (p > s)
                p[-1] = '\0';
        iso_strlcpy(out, s, size);
        free(s);
}

int main(int argc, char **argv)
{
        static struct bench b;
        if (parse_opts(argc, argv, &b.o) < 0)
                return 2;
        struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: wake waits */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGPIPE, SIG_IGN); /* as isocheck's main(): the cases inherit it */

        struct iso_err e = {0};
        if (iso_mkdir_p(REPORT_DIR "/artifacts", &e) < 0) {
                fprintf(stderr, "isocheck-bench: %s\n", e.msg);
                return 2;
        }
        if (geteuid() != 0)
                fprintf(stderr, "isocheck-bench: not root: most floors and cases will skip\n");
        loadavg(b.load_before, sizeof(b.load_before));
        iso_env_probe(&b.env);
        iso_runtimes_probe(&b.env);

        if (!b.o.only_runtimes)
                report_bench(&b.o);
        if (!b.o.only_runtimes)
                html_bench(&b.o);
        if (b.o.only_report)
                goto done;
        if (!b.o.only_runtimes)
                measure_floors(&b.o, &b.env);
        if (!stop_requested)
                measure_runtime_floors(&b.o, &b.env);
        if (!stop_requested)
                speed_runs(&b.o, &b.env);
        if (!stop_requested && !b.o.only_runtimes)
                measure_sampling(&b.o, &b.env);
        if (!stop_requested && !b.o.only_runtimes)
                timed_runs(&b);
        if (!stop_requested && !b.o.only_runtimes)
                jobs_bench_run(&b.o, &b.jobs);
        if (!stop_requested && !b.o.only_runtimes)
                vm_suite(&b);
        if (!stop_requested && !b.o.only_runtimes)
                vm_jobs(&b);
        if (!b.o.only_runtimes)
                stability(&b);
done:
        loadavg(b.load_after, sizeof(b.load_after));

        print_table(&b, stdout);
        int rc = 0;
        if (save_json(&b, b.o.json_path, &e) < 0) {
                fprintf(stderr, "isocheck-bench: %s\n", e.msg);
                rc = 1;
        } else {
                fprintf(stderr, "bench: wrote %s\n", b.o.json_path);
        }
        if (stop_requested) {
                fprintf(stderr, "isocheck-bench: interrupted\n");
                rc = 1;
        } else if (*b.error) {
                fprintf(stderr, "isocheck-bench: %s\n", b.error);
                rc = 1;
        }

        cleanup_cgroups(&b.env);
        cleanup_runtime_objects();
        for (size_t i = 0; i < b.n_runs; i++)
                free(b.runs[i].cases);
        free(b.runs);
        free(b.rows);
        free(b.samples);
        iso_env_free(&b.env);
        return rc;
}
