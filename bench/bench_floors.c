// SPDX-License-Identifier: MIT
/*
 * `make bench`, the floors: the table of floors, which floors each case is compared with,
 * and measuring them all on this machine (the primitives are in bench/floors.c, bench/vm.c).
 */
#include "bench.h"

struct floor floors[N_FLOORS] = {
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
        /* the other namespaces: a child (or the tool) that makes one; a network namespace
         * costs what the app's does (its NEWNET dominates), a mount namespace what the
         * PID box's does */
        {"netns.*", BIT(F_FORK_EXEC) | BIT(F_NS_APP)},
        {"mntns.*", BIT(F_FORK_EXEC) | BIT(F_NS_PIDMNT)},
        {"userns.*", BIT(F_FORK_EXEC)},
        {"uts.*", BIT(F_FORK_EXEC)},
        {"ipc.*", BIT(F_FORK_EXEC)},
        {"cgroupns.*", BIT(F_FORK_EXEC)},
        {"timens.*", BIT(F_FORK_EXEC)},
        /* the native runtime: the app's namespaces and its veth to the host */
        {"container.*", BIT(F_NS_APP) | BIT(F_VETH)},
        {"sidecar.*", BIT(F_NS_APP) | BIT(F_VETH)},
};

unsigned floor_parts(const char *name)
{
        for (size_t i = 0; i < ISO_ARRAY_SIZE(case_floors); i++)
                if (fnmatch(case_floors[i].glob, name, 0) == 0)
                        return case_floors[i].parts;
        return 0;
}

/* Sum of the medians of @parts, NAN if one is missing; its name in @desc ("a+b"). */
double floor_sum(unsigned parts, char *desc, size_t size)
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
        iso_strlcpy(floors[f].reason, reason, sizeof(floors[f].reason));
        fprintf(stderr, "bench: floor %-12s skipped: %s\n", floors[f].key, reason);
}

/* What the VM floor found, for the VM suite run to boot the same kernel the same way. */

struct vm_found vm;

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
void cleanup_cgroups(const struct iso_env *env)
{
        for (size_t i = 0; i < env->n_hierarchies; i++)
                iso_floor_cgroup_cleanup(env->hierarchies[i].mount);
}

void measure_floors(const struct opts *o, const struct iso_env *env)
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
