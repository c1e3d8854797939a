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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/env.h"
#include "isocheck/report.h"
#include "isocheck/recover.h"
#include "isocheck/runner.h"
#include "isocheck/runtime.h"
#include "isocheck/util.h"

#include "floors.h"
#include "stats.h"
#include "vm.h"

#define OOM_LIMIT (32LL << 20) /* cases/cgroup_memory.c OOM_LIMIT: what the hog faults */
#define SUITE_TARGET_S 2.0     /* issue 7: the native host suite under 2 s */
#define CASE_TARGET_RATIO 2.0  /* every native case under 2x its floor */
#define VM_TARGET_RATIO 1.3    /* the VM target under 1.3x the bare boot */
#define MAX_CASES 256
#define COLD_GAP_S 0.06 /* idle long enough for the cgroup rwsem's rcu_sync to go idle */
#define REPORT_DIR "reports/bench"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

static void on_tick(int sig)
{
        (void)sig; /* only there to interrupt waitpid(2) so deadlines are checked */
}

/* --- options ------------------------------------------------------------------------- */

struct opts {
        size_t runs;      /* R: BENCH_REPEAT, --runs */
        size_t stability; /* N: BENCH_STABILITY, --repeat; 0 skips the stability run */
        int vm;           /* BENCH_VM=1 */
        const char *vm_cmd;
        const char *json_path;
        const char *exclude; /* glob of cases left out: the docker runtime by default */
        char isocheck[PATH_MAX];
        char true_path[PATH_MAX];
        char vminit_path[PATH_MAX];
};

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
        "BENCH_EXCLUDE is a glob of cases left out (default '*.docker': the native runtime).\n";

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

/* --- floors ---------------------------------------------------------------------------- */

enum {
        F_FORK_EXEC,
        F_CGROUP,
        F_NS_PID,
        F_NS_MNT,
        F_NS_NET,
        F_NS_PIDMNT,
        F_NS_APP,
        F_FAULT,
        F_VETH,
        F_VM,
        F_CG_ATTACH,
        F_CASE_EMPTY,
        F_CASE_EMPTY_COLD,
        N_FLOORS
};

#define BIT(f) (1u << (f))

struct floor {
        const char *key;
        const char *label;
        struct iso_stats s;
        int measured;
        char reason[300]; /* why it was not measured */
};

static struct floor floors[N_FLOORS] = {
        [F_FORK_EXEC] = {"fork_exec", "fork+exec+wait of a static no-op"},
        [F_CGROUP] = {"cgroup", "mkdir+rmdir of an empty memory cgroup"},
        [F_NS_PID] = {"ns_pid", "clone(CLONE_NEWPID), exit, wait"},
        [F_NS_MNT] = {"ns_mnt", "clone(CLONE_NEWNS), exit, wait"},
        [F_NS_NET] = {"ns_net", "clone(CLONE_NEWNET), exit, wait"},
        [F_NS_PIDMNT] = {"ns_pid_mnt", "clone(NEWPID|NEWNS), exit, wait"},
        [F_NS_APP] = {"ns_app", "clone(NEWPID|NEWNS|NEWNET|NEWUTS|NEWIPC)"},
        [F_FAULT] = {"fault_limit", "mmap+touch 32 MiB (OOM limit), no cgroup"},
        [F_VETH] = {"veth", "veth pair create+delete (own netns)"},
        [F_VM] = {"vm_boot", "qemu: boot + power off at once"},
        /* Not kernel floors but the harness's own: what the runner adds to every case. */
        [F_CG_ATTACH] = {"cg_attach", "cold move of a task into a cgroup"},
        [F_CASE_EMPTY] = {"case_empty", "empty case back to back (JUnit clock)"},
        [F_CASE_EMPTY_COLD] = {"case_cold", "empty case 60 ms after the last"},
};

/* Which floors a case is compared with: the kernel work it cannot do without. */
static const struct {
        const char *glob;
        unsigned parts;
} case_floors[] = {
        /* a hog process (fork+exec stands for its start) that faults up to the limit */
        {"cgroup.memory.oom_*", BIT(F_FORK_EXEC) | BIT(F_FAULT)},
        /* ls, ps and cat started in a new cgroup */
        {"cgroup.memory.under_limit", BIT(F_CGROUP) | BIT(F_FORK_EXEC)},
        /* make a cgroup, write its files, remove it */
        {"cgroup.*", BIT(F_CGROUP)},
        /* a process in a new PID namespace with its own /proc mount */
        {"pidns.*", BIT(F_FORK_EXEC) | BIT(F_NS_PIDMNT)},
        {"nsenter.*", BIT(F_FORK_EXEC) | BIT(F_NS_PIDMNT)},
        /* the native runtime: the app's namespaces and its veth to the host */
        {"container.*", BIT(F_NS_APP) | BIT(F_VETH)},
        {"sidecar.*", BIT(F_NS_APP) | BIT(F_VETH)},
};

static unsigned floor_parts(const char *name)
{
        for (size_t i = 0; i < ISO_ARRAY_SIZE(case_floors); i++)
                if (fnmatch(case_floors[i].glob, name, 0) == 0)
                        return case_floors[i].parts;
        return 0;
}

/* Sum of the medians of @parts, NAN if one is missing; its name in @desc ("a+b"). */
static double floor_sum(unsigned parts, char *desc, size_t size)
{
        double sum = 0;
        size_t len = 0;
        desc[0] = '\0';
        for (int f = 0; f < N_FLOORS; f++) {
                if (!(parts & BIT(f)))
                        continue;
                if (len < size)
                        len += (size_t)snprintf(desc + len, size - len, "%s%s", len ? "+" : "",
                                                floors[f].key);
                sum += floors[f].measured ? floors[f].s.median : NAN;
        }
        return parts ? sum : NAN;
}

static void record_floor(int f, int rc, double *t, size_t n, const struct iso_err *e)
{
        struct floor *fl = &floors[f];
        if (rc == 0 && iso_stats_of(t, n, &fl->s) == 0) {
                fl->measured = 1;
                fprintf(stderr, "bench: floor %-12s median %8.3f ms\n", fl->key,
                        fl->s.median * 1000);
        } else {
                iso_strlcpy(fl->reason, rc == 0 ? "no repetition could be measured" : e->msg,
                            sizeof(fl->reason));
                fprintf(stderr, "bench: floor %-12s not measured: %s\n", fl->key, fl->reason);
        }
}

static void skip_floor(int f, const char *reason)
{
        snprintf(floors[f].reason, sizeof(floors[f].reason), "%s", reason);
        fprintf(stderr, "bench: floor %-12s skipped: %s\n", floors[f].key, reason);
}

/* What the VM floor found, for the VM suite run to boot the same kernel the same way. */
static struct {
        int usable;
        char qemu[PATH_MAX], kernel[PATH_MAX];
        char accel[8];
        char why[300]; /* why that accelerator */
} vm;

/* Time the VM floor when BENCH_VM=1: qemu and a kernel, else a skip naming what is missing. */
static void vm_floor(const struct opts *o, double *t)
{
        if (!o->vm) {
                skip_floor(F_VM, "BENCH_VM is not 1");
                return;
        }
        char initrd[PATH_MAX];
        struct iso_err e = {0};
        if (iso_vm_find(vm.qemu, sizeof(vm.qemu), vm.kernel, sizeof(vm.kernel), &e) < 0) {
                skip_floor(F_VM, e.msg);
                return;
        }
        snprintf(initrd, sizeof(initrd), "/tmp/isocheck-bench-%d-initrd.cpio", (int)getpid());
        if (iso_vm_write_initramfs(initrd, o->vminit_path, &e) < 0) {
                record_floor(F_VM, -1, t, 0, &e);
                return;
        }
        const char *log = REPORT_DIR "/vm-serial.log";
        int rc = iso_vm_pick_accel(vm.qemu, vm.kernel, initrd, log, vm.accel, sizeof(vm.accel),
                                   vm.why, sizeof(vm.why), &e);
        if (rc == 0) {
                fprintf(stderr, "bench: VM floor: %s under %s (%s)\n", vm.kernel, vm.accel, vm.why);
                rc = iso_floor_vm_boot(vm.qemu, vm.accel, vm.kernel, initrd, log, 300.0, t, o->runs,
                                       &e);
        }
        unlink(initrd);
        record_floor(F_VM, rc, t, o->runs, &e);
        vm.usable = rc == 0;
}

/* One check, the least a case must record to pass (a case with none is an error). */
static void empty_body(struct iso_t *t)
{
        iso_check(t, 1, "nothing", "nothing", "nothing");
}

/*
 * The runner's own cost per case (floor @f): an empty body run the way every case is
 * (forked child, own process group, mount namespace and tracking cgroup, reaped), timed by
 * the runner's clock as JUnit reports it. With @gap_s the runs are that far apart, as
 * cases are in the suite, so the cgroup move into the tracking cgroup is a cold one.
 */
static void case_floor(const struct iso_env *env, int f, double gap_s, double *t, size_t n)
{
        static const struct iso_case empty = {
                .name = "bench.empty",
                .summary = "nothing: the runner's own cost of one case",
                .needs = {ISO_ROOT},
                .timeout_s = 10,
                .run = empty_body,
        };
        struct iso_runner runner;
        struct iso_err e = {0};
        if (geteuid() != 0) {
                skip_floor(f, "needs root");
                return;
        }
        if (iso_runner_init(&runner, env, 1.0, REPORT_DIR "/artifacts", &stop_requested, &e) < 0) {
                record_floor(f, -1, t, n, &e);
                return;
        }
        for (size_t i = 0; i <= n && !stop_requested; i++) {
                if (gap_s > 0) {
                        struct timespec ts = {0, (long)(gap_s * 1e9)};
                        nanosleep(&ts, NULL);
                }
                struct iso_result res;
                memset(&res, 0, sizeof(res));
                iso_runner_run(&runner, &empty, &res);
                free(res.log);
                if (res.verdict != ISO_PASS) {
                        iso_errf(&e, 0, "the empty case ended %s: %s",
                                 iso_verdict_name(res.verdict), res.message);
                        iso_runner_fini(&runner);
                        record_floor(f, -1, t, n, &e);
                        return;
                }
                if (i > 0)
                        t[i - 1] = res.duration_s;
        }
        iso_runner_fini(&runner);
        record_floor(f, 0, t, n, &e);
}

/* Remove any isocheck-bench-<pid>-* cgroup a floor left, in every hierarchy. */
static void cleanup_cgroups(const struct iso_env *env)
{
        for (size_t i = 0; i < env->n_hierarchies; i++)
                iso_floor_cgroup_cleanup(env->hierarchies[i].mount);
}

/*
 * Remove what the runtimes made for a case of our in-process runs that was stopped
 * mid-way (the runner does not remove it then): each runtime's reclaim of our run id
 * (the native one only rmdirs empty mount points; anything else is left, and reported).
 */
static void cleanup_runtime_objects(void)
{
        const struct iso_runtime *const *rts;
        size_t n = iso_runtimes(&rts);
        for (size_t i = 0; i < n; i++) {
                char what[1024] = "";
                if (rts[i]->reclaim && iso_runtime_usable(rts[i], NULL) &&
                    rts[i]->reclaim(iso_run_id(), NULL, what, sizeof(what)) > 0)
                        fprintf(stderr, "bench: removed %s, left by a stopped case\n", what);
        }
}

static void measure_floors(const struct opts *o, const struct iso_env *env)
{
        size_t n = o->runs;
        double *t = calloc(n, sizeof(*t));
        if (!t)
                return;
        struct iso_err e = {0};
        int root = geteuid() == 0;
#define MEASURE(f, call)                                     \
        do {                                                 \
                for (size_t i_ = 0; i_ < n; i_++)            \
                        t[i_] = NAN;                         \
                memset(&e, 0, sizeof(e));                    \
                if (!stop_requested)                         \
                        record_floor((f), (call), t, n, &e); \
        } while (0)

        MEASURE(F_FORK_EXEC, iso_floor_fork_exec(o->true_path, t, n, &e));
        if (!root || !env->memory_version)
                skip_floor(F_CGROUP, !root ? "needs root" : "no memory controller mounted");
        else
                MEASURE(F_CGROUP, iso_floor_cgroup(env->memory_path, t, n, &e));
        if (!root) {
                for (int f = F_NS_PID; f <= F_NS_APP; f++)
                        skip_floor(f, "needs root (CAP_SYS_ADMIN)");
        } else {
                MEASURE(F_NS_PID, iso_floor_ns(CLONE_NEWPID, t, n, &e));
                MEASURE(F_NS_MNT, iso_floor_ns(CLONE_NEWNS, t, n, &e));
                MEASURE(F_NS_NET, iso_floor_ns(CLONE_NEWNET, t, n, &e));
                MEASURE(F_NS_PIDMNT, iso_floor_ns(CLONE_NEWPID | CLONE_NEWNS, t, n, &e));
                MEASURE(F_NS_APP, iso_floor_ns(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET |
                                                       CLONE_NEWUTS | CLONE_NEWIPC,
                                               t, n, &e));
        }
        MEASURE(F_FAULT, iso_floor_fault(OOM_LIMIT, t, n, &e));
        if (!root)
                skip_floor(F_VETH, "needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)");
        else
                MEASURE(F_VETH, iso_floor_veth(t, n, &e));
        char track[256];
        if (!root)
                skip_floor(F_CG_ATTACH, "needs root");
        else if (iso_cg_track_hierarchy(env, track, sizeof(track)) == 0)
                skip_floor(F_CG_ATTACH, "no cgroup hierarchy to track cases in");
        else
                MEASURE(F_CG_ATTACH, iso_floor_cg_attach(track, COLD_GAP_S, t, n, &e));
#undef MEASURE
        if (!stop_requested)
                case_floor(env, F_CASE_EMPTY, 0, t, n);
        if (!stop_requested)
                case_floor(env, F_CASE_EMPTY_COLD, COLD_GAP_S, t, n);
        if (!stop_requested)
                vm_floor(o, t);
        cleanup_cgroups(env);
        free(t);
}

/* --- timed suite runs ----------------------------------------------------------------- */

struct suite_run {
        double wall_s;
        int status;                 /* wait status */
        long hwm_kib, rss_kib, fds; /* the runner at its exit stop; -1 unknown */
        long stops;                 /* signal-delivery stops ptrace added to the run */
        long n_cases;
        struct iso_bench_case *cases;
};

static long status_kib(const char *status, const char *key)
{
        const char *p = strstr(status, key);
        long long v;
        if (!p || sscanf(p + strlen(key), " %lld", &v) != 1)
                return -1;
        return (long)v;
}

static long count_fds(pid_t pid)
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

static const char *status_text(int st, char *buf, size_t size)
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
        char *argv[] = {(char *)o->isocheck,
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

/* --- stability ------------------------------------------------------------------------ */

struct sample {
        long rss_kib;  /* VmRSS: what the kernel charges, allocator caches included */
        long heap_kib; /* mallinfo2: bytes malloc has handed out and not got back */
        long fds;
        long cgroups, cgroups_mine; /* cgroup directories at or below an isocheck* one */
        long ifaces;                /* iso* interfaces in this network namespace */
        long mounts;                /* mountinfo lines naming isocheck */
        long tmp_roots;             /* the runtimes' objects (their count op): native roots */
        long children;              /* processes still our children */
};

static long count_cg_tree(const char *dir, int depth, int inside, const char *mine, long *n_mine,
                          int in_mine)
{
        if (depth > 8)
                return 0;
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        long n = 0;
        const struct dirent *de;
        while ((de = readdir(d)) != NULL) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                char sub[PATH_MAX];
                if (iso_pathf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < 0)
                        continue;
                int here = inside || strncmp(de->d_name, "isocheck", 8) == 0;
                int here_mine = in_mine || strncmp(de->d_name, mine, strlen(mine)) == 0 ||
                                strncmp(de->d_name, "isocheck-bench-", 15) == 0;
                if (here) {
                        n++;
                        if (here_mine)
                                (*n_mine)++;
                }
                n += count_cg_tree(sub, depth + 1, here, mine, n_mine, here && here_mine);
        }
        closedir(d);
        return n;
}

static void take_sample(const struct iso_env *env, struct sample *s)
{
        memset(s, 0, sizeof(*s));
        char *st = iso_read_file("/proc/self/status", NULL, NULL);
        s->rss_kib = st ? status_kib(st, "VmRSS:") : -1;
        free(st);
        struct mallinfo2 mi2 = mallinfo2();
        s->heap_kib = (long)((mi2.uordblks + mi2.hblkhd) / 1024);
        s->fds = count_fds(getpid());

        /* Our runs' cgroups are isocheck-<our pid>-<time>; others may run beside us. */
        char mine[64];
        snprintf(mine, sizeof(mine), "isocheck-%d-", (int)getpid());
        for (size_t i = 0; i < env->n_hierarchies; i++)
                s->cgroups +=
                        count_cg_tree(env->hierarchies[i].mount, 0, 0, mine, &s->cgroups_mine, 0);

        struct if_nameindex *ifs = if_nameindex();
        for (struct if_nameindex *p = ifs; p && p->if_index; p++)
                if (strncmp(p->if_name, "iso", 3) == 0)
                        s->ifaces++;
        if (ifs)
                if_freenameindex(ifs);

        char *mi = iso_read_file("/proc/self/mountinfo", NULL, NULL);
        for (char *save = NULL, *l = mi ? strtok_r(mi, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save))
                if (strstr(l, "isocheck"))
                        s->mounts++;
        free(mi);

        /* What each runtime can count cheaply (the native one's roots under /tmp). */
        const struct iso_runtime *const *rts;
        size_t n_rt = iso_runtimes(&rts);
        for (size_t i = 0; i < n_rt; i++) {
                long n = rts[i]->count ? rts[i]->count() : -1;
                if (n > 0)
                        s->tmp_roots += n;
        }

        char path[64];
        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
        char *kids = iso_read_file(path, NULL, NULL);
        for (char *save = NULL, *k = kids ? strtok_r(kids, " \n", &save) : NULL; k;
             k = strtok_r(NULL, " \n", &save))
                s->children++;
        free(kids);
}

/* Verdict counts of one in-process run. */
struct verdicts {
        size_t n[4];
        /* cases that did not pass or skip in some run, with how often (names are static) */
        struct {
                const char *name;
                const char *last_message;
                unsigned count;
        } bad[MAX_CASES];
        size_t n_bad;
        char messages[MAX_CASES][200];
};

static void note_bad(struct verdicts *v, const struct iso_result *r)
{
        size_t i;
        for (i = 0; i < v->n_bad; i++)
                if (strcmp(v->bad[i].name, r->name) == 0)
                        break;
        if (i == v->n_bad) {
                if (v->n_bad == MAX_CASES)
                        return;
                v->n_bad++;
                v->bad[i].name = r->name;
        }
        v->bad[i].count++;
        iso_strlcpy(v->messages[i], r->message, sizeof(v->messages[i]));
        v->bad[i].last_message = v->messages[i];
}

/*
 * One run of the suite in this process, as isocheck's main() does it: probe, runner,
 * every selected case, TAP and JUnit written (to /dev/null: the writers run, nothing kept).
 */
static int inprocess_run(const struct opts *o, struct verdicts *v, struct iso_err *e)
{
        const struct iso_case *const *all;
        size_t n_all = iso_registry(&all);
        struct iso_result *results = calloc(n_all ? n_all : 1, sizeof(*results));
        if (!results)
                return iso_errf(e, ENOMEM, "results");
        FILE *null = fopen("/dev/null", "we");
        if (!null) {
                free(results);
                return iso_errf(e, errno, "open /dev/null");
        }
        struct iso_env env;
        iso_env_probe(&env);
        struct iso_runner runner;
        int rc = iso_runner_init(&runner, &env, 1.0, REPORT_DIR "/artifacts", &stop_requested, e);
        size_t n = 0;
        if (rc == 0) {
                struct iso_tap tap = {null, 14, 0};
                iso_tap_begin(&tap, n_all);
                double start = iso_now();
                for (size_t i = 0; i < n_all && !stop_requested; i++) {
                        if (*o->exclude && fnmatch(o->exclude, all[i]->name, 0) == 0)
                                continue;
                        iso_runner_run(&runner, all[i], &results[n]);
                        iso_tap_case(&tap, n + 1, &results[n]);
                        if ((unsigned)results[n].verdict < 4)
                                v->n[results[n].verdict]++;
                        if (results[n].verdict == ISO_FAIL || results[n].verdict == ISO_ERROR)
                                note_bad(v, &results[n]);
                        n++;
                }
                iso_runner_fini(&runner);
                struct iso_property props[64];
                char buf[8192];
                size_t n_props =
                        iso_env_properties(&env, props, ISO_ARRAY_SIZE(props), buf, sizeof(buf));
                struct iso_run run = {.target = "host",
                                      .hostname = env.hostname,
                                      .timestamp = "1970-01-01T00:00:00Z",
                                      .duration_s = iso_now() - start,
                                      .props = props,
                                      .n_props = n_props,
                                      .results = results,
                                      .n_results = n};
                iso_junit_write(null, &run);
        }
        for (size_t i = 0; i < n; i++)
                free(results[i].log);
        free(results);
        fclose(null);
        iso_env_free(&env);
        return rc;
}

/*
 * How a series of samples is judged flat:
 *  EXACT   this bench's own objects and descriptors: never above the count before the
 *          first run, at any sample;
 *  SETTLE  memory: may grow while the allocator settles in the first half of the runs,
 *          then grows by at most 1 MiB over the second half;
 *  SHARED  objects other sessions on this machine may be making at the same moment
 *          (their names cannot be told from ours): back to the count before the first run
 *          at the end, whatever the peaks between.
 */
enum flat_rule { EXACT, SETTLE, SHARED };

static const char *const rule_short[] = {
        [EXACT] = "exact", [SETTLE] = "settle", [SHARED] = "shared"};
static const char *const rule_name[] = {
        [EXACT] = "never above the count before run 1",
        [SETTLE] = "at most 1 MiB more over the second half of the runs",
        [SHARED] = "back to the count before run 1 at the end, after up to 5 s for other "
                   "sessions' runs to end (unknown while one is still active)",
};

struct series {
        const char *key;
        size_t off; /* of the field in struct sample */
        enum flat_rule rule;
        long base, first, mid, last, max; /* before run 1, after 1, after n/2, after n */
        long settled; /* SHARED: after other sessions' runs were given time to end */
        int flat;     /* 1 yes, 0 no, -1 cannot tell (another isocheck run was active) */
};

#define FIELD(sample, off) (*(const long *)((const char *)(sample) + (off)))

/*
 * Summarize field @off of samples 0..n (0: before the first run) into @out; @settled is a
 * sample taken once other sessions' isocheck runs had time to end, @foreign whether some
 * were still active then.
 */
static void summarize(const struct sample *s, size_t n, size_t off, enum flat_rule rule,
                      const struct sample *settled, int foreign, struct series *out)
{
        out->rule = rule;
        out->off = off;
        out->base = FIELD(&s[0], off);
        out->first = FIELD(&s[1], off);
        out->mid = FIELD(&s[(n + 1) / 2], off);
        out->last = FIELD(&s[n], off);
        out->settled = FIELD(settled, off);
        out->max = out->first;
        for (size_t i = 1; i <= n; i++)
                if (FIELD(&s[i], off) > out->max)
                        out->max = FIELD(&s[i], off);
        switch (rule) {
        case EXACT:
                out->flat = out->max <= out->base && out->last <= out->base;
                break;
        case SETTLE:
                out->flat = out->last <= out->mid + 1024;
                break;
        case SHARED:
                out->flat = out->settled <= out->base ? 1 : foreign ? -1 : 0;
                break;
        }
}

/* --- report ---------------------------------------------------------------------------- */

struct case_row {
        char name[192];
        struct iso_stats s;
        const char *verdict; /* "pass"... or "mixed" across runs */
        unsigned parts;
        char floor_desc[128];
        double floor_s, ratio;
        double adj_ratio; /* against floor + the runner's cold empty case */
        int met;
};

struct bench {
        struct opts o;
        struct iso_env env;
        struct suite_run *runs;
        size_t n_runs;
        struct iso_stats wall, hwm, fds, stops;
        struct iso_stats cases_sum; /* per run: the sum of its case times */
        struct iso_stats own;       /* per run: wall time minus that sum, the runner's own */
        struct iso_stats env_probe; /* `isocheck --env` wall time: the runner's start-up */
        struct case_row *rows;
        size_t n_rows;
        double sum_medians;
        size_t stab_runs; /* how many in-process runs were done */
        struct sample *samples;
        struct verdicts stab_verdicts;
        double stab_wall_s;
        struct series series[12];
        size_t n_series;
        int stab_flat;
        struct iso_stats vm_cmd;
        char vm_cmd_reason[200];
        char vm_cmd_desc[1024];
        char load_before[64], load_after[64];
        char error[512];
};

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

static void print_ms(FILE *f, double s)
{
        if (isfinite(s))
                fprintf(f, " %9.2f", s * 1000);
        else
                fprintf(f, " %9s", "-");
}

static void print_table(const struct bench *b, FILE *f)
{
        struct utsname u;
        uname(&u);
        fprintf(f, "\nisocheck bench: kernel %s, %ld CPUs, cgroup %s (memory v%d), R=%zu\n",
                u.release, sysconf(_SC_NPROCESSORS_ONLN), iso_cg_mode_name(b->env.cg_mode),
                b->env.memory_version, b->o.runs);
        fprintf(f, "load average before: %s  after: %s\n\n", b->load_before, b->load_after);

        fprintf(f, "%-46s %9s %9s %9s\n", "floor (ms, median of R)", "median", "min", "max");
        for (int i = 0; i < N_FLOORS; i++) {
                const struct floor *fl = &floors[i];
                fprintf(f, "%-12s %-33.33s", fl->key, fl->label);
                if (fl->measured) {
                        print_ms(f, fl->s.median);
                        print_ms(f, fl->s.min);
                        print_ms(f, fl->s.max);
                        fputc('\n', f);
                } else {
                        fprintf(f, " skipped: %s\n", fl->reason);
                }
        }

        fprintf(f, "\n%-30s %-7s %8s %8s %8s %8s %7s %7s  %s\n", "case (JUnit time, ms)", "verdict",
                "median", "min", "max", "floor", "ratio", "+runner", "floor parts: < 2x?");
        for (size_t i = 0; i < b->n_rows; i++) {
                const struct case_row *r = &b->rows[i];
                fprintf(f, "%-30s %-7s %8.2f %8.2f %8.2f %8.2f", r->name, r->verdict,
                        r->s.median * 1000, r->s.min * 1000, r->s.max * 1000, r->floor_s * 1000);
                if (isfinite(r->ratio) && strcmp(r->verdict, "skip") != 0)
                        fprintf(f, " %6.1fx %6.1fx  %s: %s\n", r->ratio, r->adj_ratio,
                                r->floor_desc, r->met ? "met" : "MISSED");
                else
                        fprintf(f, " %7s %7s  %s\n", "-", "-", r->floor_desc);
        }
        fprintf(f, "(+runner: the median against floor + case_cold, what the runner adds to any "
                   "case; times are the JUnit report's, to the millisecond)\n");

        fprintf(f, "\nsuite on the host, native runtime (%zu runs after a warm-up):\n", b->n_runs);
        if (b->wall.n) {
                fprintf(f, "  wall      median %.3f s  min %.3f  max %.3f   target < %.1f s: %s\n",
                        b->wall.median, b->wall.min, b->wall.max, SUITE_TARGET_S,
                        b->wall.median < SUITE_TARGET_S ? "met" : "MISSED");
                fprintf(f,
                        "  per run   cases %.3f s + the runner's own %.3f s (medians; its start-up "
                        "alone, isocheck --env: %.3f s); sum of case medians %.3f s\n",
                        b->cases_sum.median, b->own.median, b->env_probe.median, b->sum_medians);
                if (b->hwm.n)
                        fprintf(f,
                                "  runner    peak RSS (VmHWM) median %.0f KiB, max %.0f KiB; "
                                "fds at exit %.0f..%.0f; ptrace stops %.0f\n",
                                b->hwm.median, b->hwm.max, b->fds.min, b->fds.max, b->stops.median);
        } else {
                fprintf(f, "  not measured: %s\n", b->error);
        }
        if (b->o.vm && b->vm_cmd.n)
                fprintf(f,
                        "\nVM target (%s, %s): suite median %.2f s (min %.2f, max %.2f) = %.2fx "
                        "the bare boot; target < %.1fx: %s\n",
                        vm.accel, vm.kernel, b->vm_cmd.median, b->vm_cmd.min, b->vm_cmd.max,
                        b->vm_cmd.median / floors[F_VM].s.median, VM_TARGET_RATIO,
                        b->vm_cmd.median / floors[F_VM].s.median < VM_TARGET_RATIO ? "met"
                                                                                   : "MISSED");
        else if (b->o.vm)
                fprintf(f, "\nVM target: not measured: %s\n",
                        *b->vm_cmd_reason ? b->vm_cmd_reason : floors[F_VM].reason);

        if (b->stab_runs) {
                fprintf(f,
                        "\nstability: the suite %zu times in one process (%.1f s; "
                        "pass %zu fail %zu skip %zu error %zu)\n",
                        b->stab_runs, b->stab_wall_s, b->stab_verdicts.n[ISO_PASS],
                        b->stab_verdicts.n[ISO_FAIL], b->stab_verdicts.n[ISO_SKIP],
                        b->stab_verdicts.n[ISO_ERROR]);
                fprintf(f, "  %-22s %8s %8s %8s %8s %8s  %s\n", "sample", "before", "first",
                        "middle", "last", "max", "flat");
                for (size_t i = 0; i < b->n_series; i++) {
                        const struct series *s = &b->series[i];
                        fprintf(f, "  %-22s %8ld %8ld %8ld %8ld %8ld  %s (%s)\n", s->key, s->base,
                                s->first, s->mid, s->last, s->max,
                                s->flat > 0    ? "yes"
                                : s->flat == 0 ? "NO"
                                               : "unknown",
                                rule_short[s->rule]);
                }
                for (size_t i = 0; i < b->stab_verdicts.n_bad; i++)
                        fprintf(f, "  not passed in %u of %zu runs: %s (last: %.120s)\n",
                                b->stab_verdicts.bad[i].count, b->stab_runs,
                                b->stab_verdicts.bad[i].name, b->stab_verdicts.bad[i].last_message);
                fprintf(f, "  flat when: exact = %s; settle = %s; shared = %s\n", rule_name[EXACT],
                        rule_name[SETTLE], rule_name[SHARED]);
        }
        fputc('\n', f);
}

static void json_series(struct iso_json *j, const struct series *s, const struct sample *samples,
                        size_t n)
{
        iso_json_object(j, s->key);
        iso_json_int(j, "before", s->base);
        iso_json_int(j, "first", s->first);
        iso_json_int(j, "middle", s->mid);
        iso_json_int(j, "last", s->last);
        iso_json_int(j, "max", s->max);
        if (s->rule == SHARED)
                iso_json_int(j, "settled", s->settled);
        if (s->flat < 0)
                iso_json_null(j, "flat");
        else
                iso_json_bool(j, "flat", s->flat);
        iso_json_str(j, "rule", rule_name[s->rule]);
        iso_json_array(j, "samples"); /* before run 1, then after each run */
        for (size_t i = 0; i <= n; i++)
                iso_json_int(j, NULL, FIELD(&samples[i], s->off));
        iso_json_end(j);
        iso_json_end(j);
}

static void write_json(const struct bench *b, FILE *out, struct iso_json *j)
{
        struct utsname u;
        uname(&u);
        iso_json_init(j, out, 1);
        iso_json_object(j, NULL);
        iso_json_str(j, "schema", "isocheck-bench/1");
        iso_json_str(j, "units", "times in ms unless the key ends in _s; memory in KiB");
        iso_json_bool(j, "interrupted", stop_requested);
        if (*b->error)
                iso_json_str(j, "error", b->error);

        iso_json_object(j, "host");
        iso_json_str(j, "kernel", u.release);
        iso_json_str(j, "machine", u.machine);
        iso_json_str(j, "hostname", b->env.hostname);
        iso_json_int(j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
        iso_json_str(j, "cgroup_mode", iso_cg_mode_name(b->env.cg_mode));
        iso_json_int(j, "memory_cgroup_version", b->env.memory_version);
        iso_json_str(j, "loadavg_before", b->load_before);
        iso_json_str(j, "loadavg_after", b->load_after);
        iso_json_end(j);

        iso_json_object(j, "settings");
        iso_json_int(j, "repeat", (long long)b->o.runs);
        iso_json_int(j, "stability_runs", (long long)b->o.stability);
        iso_json_bool(j, "vm", b->o.vm);
        iso_json_str(j, "exclude", b->o.exclude);
        iso_json_str(j, "isocheck", b->o.isocheck);
        iso_json_str(j, "case_time",
                     "JUnit time attribute of each timed run: the runner's "
                     "clock from forking the case to reaping it");
        iso_json_str(j, "rss", "VmHWM of the runner process at its ptrace exit stop");
        iso_json_end(j);

        iso_json_object(j, "floors");
        for (int i = 0; i < N_FLOORS; i++) {
                const struct floor *fl = &floors[i];
                iso_json_object(j, fl->key);
                iso_json_str(j, "what", fl->label);
                iso_json_bool(j, "measured", fl->measured);
                if (fl->measured) {
                        iso_json_num(j, "median", fl->s.median * 1000);
                        iso_json_num(j, "min", fl->s.min * 1000);
                        iso_json_num(j, "max", fl->s.max * 1000);
                        iso_json_int(j, "n", (long long)fl->s.n);
                } else {
                        iso_json_str(j, "reason", fl->reason);
                }
                if (i == F_FAULT)
                        iso_json_int(j, "bytes", OOM_LIMIT);
                iso_json_end(j);
        }
        iso_json_end(j);

        iso_json_array(j, "cases");
        for (size_t i = 0; i < b->n_rows; i++) {
                const struct case_row *r = &b->rows[i];
                int skipped = strcmp(r->verdict, "skip") == 0;
                iso_json_object(j, NULL);
                iso_json_str(j, "name", r->name);
                iso_json_str(j, "verdict", r->verdict);
                iso_json_num(j, "median", r->s.median * 1000);
                iso_json_num(j, "min", r->s.min * 1000);
                iso_json_num(j, "max", r->s.max * 1000);
                iso_json_int(j, "n", (long long)r->s.n);
                iso_json_str(j, "floor", r->floor_desc);
                iso_json_num(j, "floor_ms", r->floor_s * 1000);
                iso_json_num(j, "ratio", skipped ? NAN : r->ratio);
                iso_json_num(j, "ratio_with_runner", skipped ? NAN : r->adj_ratio);
                if (skipped)
                        iso_json_null(j, "under_2x");
                else
                        iso_json_bool(j, "under_2x", r->met);
                iso_json_end(j);
        }
        iso_json_end(j);

        iso_json_object(j, "suite");
        iso_json_str(j, "target", "host");
        iso_json_str(j, "runtime", "native");
        iso_json_num(j, "median_s", b->wall.median);
        iso_json_num(j, "min_s", b->wall.min);
        iso_json_num(j, "max_s", b->wall.max);
        iso_json_int(j, "n", (long long)b->wall.n);
        iso_json_num(j, "sum_of_case_medians_s", b->sum_medians);
        iso_json_stats(j, "cases_sum_s", &b->cases_sum, 1);
        iso_json_stats(j, "runner_own_s", &b->own, 1);
        iso_json_num(j, "startup_env_probe_s", b->env_probe.median);
        iso_json_stats(j, "runner_peak_rss_kib", &b->hwm, 1);
        iso_json_stats(j, "runner_fds_at_exit", &b->fds, 1);
        iso_json_stats(j, "ptrace_signal_stops", &b->stops, 1);
        iso_json_array(j, "exit_status");
        for (size_t i = 0; i < b->n_runs; i++) {
                char buf[32];
                iso_json_str(j, NULL, status_text(b->runs[i].status, buf, sizeof(buf)));
        }
        iso_json_end(j);
        iso_json_end(j);

        iso_json_object(j, "vm");
        if (!b->o.vm) {
                iso_json_str(j, "skipped", "BENCH_VM is not 1");
        } else {
                iso_json_str(j, "kernel", vm.kernel);
                iso_json_str(j, "accel", vm.accel);
                iso_json_str(j, "accel_why", vm.why);
                iso_json_str(j, "command", b->vm_cmd_desc);
                if (b->vm_cmd.n && floors[F_VM].measured) {
                        iso_json_stats(j, "suite_s", &b->vm_cmd, 1);
                        iso_json_num(j, "ratio_to_boot", b->vm_cmd.median / floors[F_VM].s.median);
                } else {
                        iso_json_str(j, "skipped",
                                     *b->vm_cmd_reason ? b->vm_cmd_reason : floors[F_VM].reason);
                }
        }
        iso_json_end(j);

        iso_json_object(j, "stability");
        iso_json_int(j, "runs", (long long)b->stab_runs);
        iso_json_str(j, "how",
                     "the suite run repeatedly inside one long-lived process; "
                     "samples taken before the first run and after each");
        iso_json_num(j, "wall_s", b->stab_wall_s);
        iso_json_object(j, "verdicts");
        for (int v = 0; v < 4; v++)
                iso_json_int(j, iso_verdict_name((enum iso_verdict)v),
                             (long long)b->stab_verdicts.n[v]);
        iso_json_end(j);
        iso_json_object(j, "series");
        for (size_t i = 0; i < b->n_series; i++)
                json_series(j, &b->series[i], b->samples, b->stab_runs);
        iso_json_end(j);
        iso_json_array(j, "not_passed"); /* fail or error in some run: flakiness, not leaks */
        for (size_t i = 0; i < b->stab_verdicts.n_bad; i++) {
                iso_json_object(j, NULL);
                iso_json_str(j, "case", b->stab_verdicts.bad[i].name);
                iso_json_int(j, "runs", b->stab_verdicts.bad[i].count);
                iso_json_str(j, "last_message", b->stab_verdicts.bad[i].last_message);
                iso_json_end(j);
        }
        iso_json_end(j);
        iso_json_bool(j, "flat", b->stab_flat);
        iso_json_end(j);

        iso_json_object(j, "targets");
        iso_json_bool(j, "suite_under_2s", b->wall.n && b->wall.median < SUITE_TARGET_S);
        iso_json_array(j, "cases_missing_2x");
        for (size_t i = 0; i < b->n_rows; i++)
                if (!b->rows[i].met && strcmp(b->rows[i].verdict, "skip") != 0)
                        iso_json_str(j, NULL, b->rows[i].name);
        iso_json_end(j);
        if (b->vm_cmd.n && floors[F_VM].measured)
                iso_json_bool(j, "vm_under_1.3x_boot",
                              b->vm_cmd.median / floors[F_VM].s.median < VM_TARGET_RATIO);
        else
                iso_json_null(j, "vm_under_1.3x_boot");
        if (b->stab_runs)
                iso_json_bool(j, "stability_flat", b->stab_flat);
        else
                iso_json_null(j, "stability_flat");
        iso_json_end(j);

        iso_json_end(j);
}

static int save_json(const struct bench *b, const char *path, struct iso_err *e)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (!mem)
                return iso_errf(e, errno, "open_memstream");
        struct iso_json j;
        write_json(b, mem, &j);
        int bad = iso_json_finish(&j) < 0;
        if (fclose(mem) != 0 || bad) {
                free(buf);
                return iso_errf(e, EIO, "build the JSON report");
        }
        char dir[PATH_MAX];
        iso_strlcpy(dir, path, sizeof(dir));
        char *slash = strrchr(dir, '/');
        int rc = 0;
        if (slash) {
                *slash = '\0';
                rc = iso_mkdir_p(dir, e);
        }
        if (rc == 0)
                rc = iso_write_atomic(path, buf, len, e);
        free(buf);
        return rc;
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

static void timed_runs(struct bench *b)
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
static void vm_suite(struct bench *b)
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

static void stability(struct bench *b)
{
        size_t n = b->o.stability;
        if (n == 0 || stop_requested)
                return;
        b->samples = calloc(n + 1, sizeof(*b->samples));
        if (!b->samples)
                return;
        take_sample(&b->env, &b->samples[0]);
        double t0 = iso_now();
        for (size_t i = 1; i <= n && !stop_requested; i++) {
                struct iso_err e = {0};
                if (inprocess_run(&b->o, &b->stab_verdicts, &e) < 0) {
                        snprintf(b->error, sizeof(b->error), "stability run %zu: %.470s", i, e.msg);
                        break;
                }
                take_sample(&b->env, &b->samples[i]);
                b->stab_runs = i;
                if (i == 1 || i % 10 == 0 || i == n)
                        fprintf(stderr, "bench: stability run %zu/%zu: RSS %ld KiB, %ld fds\n", i,
                                n, b->samples[i].rss_kib, b->samples[i].fds);
        }
        b->stab_wall_s = iso_now() - t0;
        if (b->stab_runs == 0)
                return;
        static const struct {
                const char *key;
                size_t off;
                enum flat_rule rule;
        } fields[] = {
                {"rss_kib", offsetof(struct sample, rss_kib), SETTLE},
                {"heap_in_use_kib", offsetof(struct sample, heap_kib), SETTLE},
                {"open_fds", offsetof(struct sample, fds), EXACT},
                {"child_processes", offsetof(struct sample, children), EXACT},
                {"cgroups_of_this_bench", offsetof(struct sample, cgroups_mine), EXACT},
                {"cgroups_isocheck", offsetof(struct sample, cgroups), SHARED},
                {"interfaces_iso", offsetof(struct sample, ifaces), SHARED},
                {"mounts_isocheck", offsetof(struct sample, mounts), SHARED},
                {"tmp_isocheck_roots", offsetof(struct sample, tmp_roots), SHARED},
        };
        /* Other sessions on this machine may be mid-run: their cgroups, interfaces and
         * roots are named like ours. Give them up to 5 s to end before judging those. */
        const struct sample *base = &b->samples[0];
        struct sample settled = b->samples[b->stab_runs];
        for (int tries = 0; tries < 5 && !stop_requested; tries++) {
                int above = 0;
                for (size_t i = 0; i < ISO_ARRAY_SIZE(fields); i++)
                        if (fields[i].rule == SHARED &&
                            FIELD(&settled, fields[i].off) > FIELD(base, fields[i].off))
                                above = 1;
                if (!above)
                        break;
                sleep(1);
                take_sample(&b->env, &settled);
        }
        int foreign = settled.cgroups > settled.cgroups_mine;
        b->stab_flat = 1;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(fields); i++) {
                struct series *s = &b->series[b->n_series++];
                summarize(b->samples, b->stab_runs, fields[i].off, fields[i].rule, &settled,
                          foreign, s);
                s->key = fields[i].key;
                if (s->flat == 0)
                        b->stab_flat = 0;
        }
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

        measure_floors(&b.o, &b.env);
        if (!stop_requested)
                timed_runs(&b);
        if (!stop_requested)
                vm_suite(&b);
        stability(&b);
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
