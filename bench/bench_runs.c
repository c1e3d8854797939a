// SPDX-License-Identifier: MIT
/*
 * `make bench`, the timed runs: build/isocheck started R times as `make check` starts it,
 * ptrace(2)d to its exit stop; the per-case times out of its JUnit report; the VM suite.
 */
#include "bench.h"

volatile sig_atomic_t stop_requested;

static void on_tick(int sig)
{
        (void)sig; /* only there to interrupt waitpid(2) so deadlines are checked */
}

long status_kib(const char *status, const char *key)
{
        const char *p = strstr(status, key);
        long long v;
        if (!p || sscanf(p + strlen(key), " %lld", &v) != 1)
                return -1;
        return (long)v;
}

long count_fds(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
        DIR *d = opendir(path);
        if (!d)
                return -1;
        long n = 0;
        const struct dirent *de;
        while ((de = readdir(d)) != NULL)
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        if (pid == getpid())
                n--; /* the directory stream just read */
        return n;
}

static void set_ticks(int on)
{
        struct sigaction sa = {.sa_handler = on ? on_tick : SIG_DFL}; /* no SA_RESTART */
        sigemptyset(&sa.sa_mask);
        struct itimerval it = {{0, on ? 200000 : 0}, {0, on ? 200000 : 0}};
        if (on)
                sigaction(SIGALRM, &sa, NULL);
        setitimer(ITIMER_REAL, &it, NULL);
        if (!on)
                sigaction(SIGALRM, &sa, NULL);
}

/*
 * Run @argv with stdout to @out_path (stderr too), traced for its exit stop when @trace.
 * Fills @r (wall time from fork to reap; the runner's VmHWM, VmRSS and fd count at exit).
 * A run past @timeout_s gets SIGTERM (the runner cleans up), then SIGKILL 10 s later.
 * Returns 0, or -1 with @e when it could not be started or waited for.
 */
static int run_program(char *const argv[], const char *out_path, int trace, double timeout_s,
                       struct suite_run *r, struct iso_err *e)
{
        r->hwm_kib = r->rss_kib = r->fds = -1;
        r->stops = 0;
        int sync[2];
        if (pipe2(sync, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe");
        fflush(NULL);
        double t0 = iso_now();
        pid_t pid = fork();
        if (pid < 0) {
                close(sync[0]);
                close(sync[1]);
                return iso_errf(e, errno, "fork");
        }
        if (pid == 0) {
                close(sync[1]);
                char go;
                if (read(sync[0], &go, 1) != 1) /* the tracer is attached */
                        _exit(127);
                int in = open("/dev/null", O_RDONLY);
                int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                        _exit(127);
                signal(SIGPIPE, SIG_DFL);
                execv(argv[0], argv);
                _exit(127);
        }
        close(sync[0]);
        /* No PTRACE_O_EXITKILL: if the bench dies, the runner is detached and finishes
         * (and cleans up) on its own instead of being killed mid-case. */
        if (trace && ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT) < 0)
                trace = 0; /* no CAP_SYS_PTRACE here: time it anyway, RSS unknown */
        if (write(sync[1], "g", 1) != 1) {
                close(sync[1]);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return iso_errf(e, errno, "start %s", argv[0]);
        }
        close(sync[1]);

        set_ticks(1);
        double deadline = t0 + timeout_s;
        int termed = 0, killed = 0, st = 0;
        for (;;) {
                pid_t w = waitpid(pid, &st, __WALL);
                if (w < 0) {
                        if (errno != EINTR) {
                                set_ticks(0);
                                return iso_errf(e, errno, "waitpid %d", (int)pid);
                        }
                        double now = iso_now();
                        if (!termed && (stop_requested || now > deadline)) {
                                kill(pid, SIGTERM); /* by PID: the runner cleans up */
                                termed = 1;
                                deadline = now + 10;
                        } else if (termed && !killed && now > deadline) {
                                kill(pid, SIGKILL);
                                killed = 1;
                        }
                        continue;
                }
                if (WIFEXITED(st) || WIFSIGNALED(st))
                        break;
                if (!WIFSTOPPED(st))
                        continue;
                if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
                        char path[64];
                        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
                        char *s = iso_read_file(path, NULL, NULL);
                        if (s) {
                                r->hwm_kib = status_kib(s, "VmHWM:");
                                r->rss_kib = status_kib(s, "VmRSS:");
                                free(s);
                        }
                        r->fds = count_fds(pid);
                        ptrace(PTRACE_CONT, pid, NULL, NULL);
                } else if (st >> 16 == PTRACE_EVENT_STOP) {
                        ptrace(PTRACE_CONT, pid, NULL, NULL); /* a group stop: go on */
                } else {
                        r->stops++; /* a signal for the runner: deliver it */
                        ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(st));
                }
        }
        set_ticks(0);
        r->wall_s = iso_now() - t0;
        r->status = st;
        return 0;
}

const char *status_text(int st, char *buf, size_t size)
{
        if (WIFEXITED(st))
                snprintf(buf, size, "exit %d", WEXITSTATUS(st));
        else
                snprintf(buf, size, "signal %d", WTERMSIG(st));
        return buf;
}

static int suite_run(const struct opts *o, struct suite_run *r, struct iso_err *e)
{
        char exclude[300];
        snprintf(exclude, sizeof(exclude), "%s", o->exclude);
        /* -j1: each case's time against its floor means the case alone on the machine
         * (bench_jobs.c measures the parallel runs). */
        char *argv[] = {(char *)o->isocheck,
                        "-j1",
                        "--tap",
                        REPORT_DIR "/suite.tap",
                        "--junit",
                        REPORT_DIR "/suite.junit.xml",
                        "--artifacts",
                        REPORT_DIR "/artifacts",
                        *exclude ? "--exclude" : NULL,
                        exclude,
                        NULL};
        if (run_program(argv, REPORT_DIR "/suite.out", 1, 900.0, r, e) < 0)
                return -1;
        size_t len;
        iso_autofree char *xml = iso_read_file(REPORT_DIR "/suite.junit.xml", &len, e);
        if (!xml)
                return -1;
        r->cases = calloc(MAX_CASES, sizeof(*r->cases));
        if (!r->cases)
                return iso_errf(e, ENOMEM, "case table");
        r->n_cases = iso_bench_junit_cases(xml, r->cases, MAX_CASES);
        if (r->n_cases < 0)
                return iso_errf(e, EINVAL, "%s: a <testcase> without name or time",
                                REPORT_DIR "/suite.junit.xml");
        if (r->n_cases > MAX_CASES)
                r->n_cases = MAX_CASES;
        return 0;
}

static void aggregate_cases(struct bench *b)
{
        b->rows = calloc(MAX_CASES, sizeof(*b->rows));
        double *t = calloc(b->n_runs ? b->n_runs : 1, sizeof(*t));
        if (!b->rows || !t || b->n_runs == 0) {
                free(t);
                return;
        }
        const struct suite_run *first = &b->runs[0];
        for (long c = 0; c < first->n_cases; c++) {
                struct case_row *row = &b->rows[b->n_rows++];
                iso_strlcpy(row->name, first->cases[c].name, sizeof(row->name));
                row->verdict = iso_bench_verdict_name(first->cases[c].verdict);
                for (size_t r = 0; r < b->n_runs; r++) {
                        t[r] = NAN;
                        for (long k = 0; k < b->runs[r].n_cases; k++) {
                                const struct iso_bench_case *bc = &b->runs[r].cases[k];
                                if (strcmp(bc->name, row->name) != 0)
                                        continue;
                                t[r] = bc->time_s;
                                if (bc->verdict != first->cases[c].verdict)
                                        row->verdict = "mixed";
                        }
                }
                iso_stats_of(t, b->n_runs, &row->s);
                row->parts = floor_parts(row->name);
                row->floor_s = floor_sum(row->parts, row->floor_desc, sizeof(row->floor_desc));
                /* A runtime's variant: against what that runtime costs for one container. */
                const struct rt_floor *rf = runtime_floor_of(row->name);
                if (rf) {
                        row->parts = 0;
                        row->floor_s = rf->f.measured ? rf->f.s.median : NAN;
                        iso_strlcpy(row->floor_desc, rf->key, sizeof(row->floor_desc));
                }
                row->ratio = row->s.median / row->floor_s;
                row->adj_ratio = floors[F_CASE_EMPTY_COLD].measured
                                         ? row->s.median / (row->floor_s +
                                                            floors[F_CASE_EMPTY_COLD].s.median)
                                         : NAN;
                row->met = isfinite(row->ratio) && row->ratio < CASE_TARGET_RATIO;
                if (strcmp(row->verdict, "skip") != 0)
                        b->sum_medians += row->s.median;
        }
        free(t);
}

/* Keep the reports of a suite run that did not pass, for the failure to be looked at. */
static void keep_failed_run(size_t i)
{
        static const char *const names[] = {"suite.out", "suite.tap", "suite.junit.xml"};
        for (size_t k = 0; k < ISO_ARRAY_SIZE(names); k++) {
                char from[128], to[128];
                snprintf(from, sizeof(from), REPORT_DIR "/%s", names[k]);
                snprintf(to, sizeof(to), REPORT_DIR "/failed-run%zu.%s", i, names[k]);
                rename(from, to);
        }
        fprintf(stderr, "bench: suite run %zu did not pass: see %s/failed-run%zu.*\n", i,
                REPORT_DIR, i);
}

void timed_runs(struct bench *b)
{
        size_t n = b->o.runs;
        b->runs = calloc(n, sizeof(*b->runs));
        double *w = calloc(n, sizeof(*w)), *h = calloc(n, sizeof(*h)), *fd = calloc(n, sizeof(*fd)),
               *st = calloc(n, sizeof(*st));
        if (!b->runs || !w || !h || !fd || !st) {
                snprintf(b->error, sizeof(b->error), "out of memory");
                goto out;
        }
        if (access(b->o.isocheck, X_OK) < 0) {
                snprintf(b->error, sizeof(b->error), "%.400s: %s (run make)", b->o.isocheck,
                         strerror(errno));
                goto out;
        }
        /* The runner's start-up alone: probe and print the environment, run nothing. */
        char *env_argv[] = {b->o.isocheck, "--env", NULL};
        for (size_t i = 0; i <= n && !stop_requested; i++) {
                struct suite_run r = {0};
                struct iso_err e = {0};
                if (run_program(env_argv, REPORT_DIR "/env.out", 0, 120.0, &r, &e) == 0 && i > 0)
                        w[i - 1] = r.wall_s;
        }
        iso_stats_of(w, n, &b->env_probe);

        for (size_t i = 0; i <= n && !stop_requested; i++) {
                struct suite_run r = {0};
                struct iso_err e = {0};
                if (suite_run(&b->o, &r, &e) < 0) {
                        snprintf(b->error, sizeof(b->error), "suite run: %.480s", e.msg);
                        free(r.cases);
                        break;
                }
                char buf[32];
                fprintf(stderr, "bench: suite run %zu/%zu%s: %.3f s, %s, peak RSS %ld KiB\n", i, n,
                        i == 0 ? " (warm-up)" : "", r.wall_s,
                        status_text(r.status, buf, sizeof(buf)), r.hwm_kib);
                if (stop_requested) { /* stopped by us: not a measurement */
                        free(r.cases);
                        break;
                }
                if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
                        keep_failed_run(i);
                if (i == 0) {
                        free(r.cases);
                        continue;
                }
                b->runs[b->n_runs++] = r;
        }
        for (size_t i = 0; i < b->n_runs; i++) {
                const struct suite_run *r = &b->runs[i];
                w[i] = r->wall_s;
                h[i] = r->hwm_kib >= 0 ? (double)r->hwm_kib : NAN;
                fd[i] = r->fds >= 0 ? (double)r->fds : NAN;
                st[i] = (double)r->stops;
        }
        iso_stats_of(w, b->n_runs, &b->wall);
        iso_stats_of(h, b->n_runs, &b->hwm);
        iso_stats_of(fd, b->n_runs, &b->fds);
        iso_stats_of(st, b->n_runs, &b->stops);
        for (size_t i = 0; i < b->n_runs; i++) {
                double sum = 0;
                for (long k = 0; k < b->runs[i].n_cases; k++)
                        sum += b->runs[i].cases[k].time_s;
                w[i] = sum;
                h[i] = b->runs[i].wall_s - sum;
        }
        iso_stats_of(w, b->n_runs, &b->cases_sum);
        iso_stats_of(h, b->n_runs, &b->own);
        aggregate_cases(b);
out:
        free(w);
        free(h);
        free(fd);
        free(st);
}

/*
 * BENCH_VM=1: the suite on the VM target, R times, against the bare boot. By default
 * isocheck-vm (beside isocheck) boots the floor's kernel under the floor's accelerator
 * with cgroup BENCH_VM_CGROUP (v2 unless set); BENCH_VM_CMD replaces that command.
 */
void vm_suite(struct bench *b)
{
        if (!b->o.vm)
                return;
        if (!vm.usable) {
                snprintf(b->vm_cmd_reason, sizeof(b->vm_cmd_reason),
                         "no bare boot to compare: %.160s", floors[F_VM].reason);
                return;
        }
        char vm_bin[PATH_MAX + 8];
        snprintf(vm_bin, sizeof(vm_bin), "%s-vm", b->o.isocheck);
        const char *cg = getenv("BENCH_VM_CGROUP");
        char *own_argv[] = {vm_bin,
                            "--kernel",
                            vm.kernel,
                            "--cgroup",
                            cg && *cg ? (char *)cg : "v2",
                            "--accel",
                            vm.accel,
                            "--output",
                            REPORT_DIR "/vm",
                            "--",
                            "--exclude",
                            (char *)b->o.exclude,
                            NULL};
        char *sh_argv[] = {"/bin/sh", "-c", (char *)b->o.vm_cmd, NULL};
        char **argv = own_argv;
        if (b->o.vm_cmd && *b->o.vm_cmd) {
                argv = sh_argv;
        } else if (access(vm_bin, X_OK) < 0) {
                snprintf(b->vm_cmd_reason, sizeof(b->vm_cmd_reason),
                         "no VM target runner: %.150s: %s (make all builds it)", vm_bin,
                         strerror(errno));
                return;
        }
        snprintf(b->vm_cmd_desc, sizeof(b->vm_cmd_desc), "%s", argv == sh_argv ? b->o.vm_cmd : "");
        for (size_t k = 0; argv == own_argv && own_argv[k]; k++) {
                size_t len = strlen(b->vm_cmd_desc);
                snprintf(b->vm_cmd_desc + len, sizeof(b->vm_cmd_desc) - len, "%s%s", k ? " " : "",
                         own_argv[k]);
        }
        double *t = calloc(b->o.runs, sizeof(*t));
        if (!t)
                return;
        for (size_t i = 0; i < b->o.runs && !stop_requested; i++) {
                struct suite_run r = {0};
                struct iso_err e = {0};
                t[i] = NAN;
                if (run_program(argv, REPORT_DIR "/vm-suite.out", 0, 3600.0, &r, &e) == 0 &&
                    WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0)
                        t[i] = r.wall_s;
                fprintf(stderr, "bench: VM suite run %zu/%zu: %.1f s%s\n", i + 1, b->o.runs,
                        r.wall_s, isnan(t[i]) ? " (failed: not counted)" : "");
        }
        if (iso_stats_of(t, b->o.runs, &b->vm_cmd) < 0)
                snprintf(b->vm_cmd_reason, sizeof(b->vm_cmd_reason),
                         "the VM suite failed every time (see %s/vm-suite.out)", REPORT_DIR);
        free(t);
}
