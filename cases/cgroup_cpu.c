// SPDX-License-Identifier: MIT
/*
 * The cpu and cpuset controllers: a CFS bandwidth quota holds a busy loop to its share
 * and counts the throttled periods; cpuset.cpus confines a member's CPU affinity
 * (cgroup-v2.rst "CPU" and "Cpuset", cgroup-v1/cpusets.rst, scheduler/sched-bwc.rst,
 * sched_getaffinity(2)).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/fixtures.h"
#include "isocheck/util.h"

/* 10 % of one CPU: 10 ms of every 100 ms period. */
#define QUOTA_US 10000
#define PERIOD_US 100000
/* The loop's wall time, and how often it samples its own CPU time. */
#define BUSY_S 1.0
#define SAMPLES 20
/* Above the quota by more than this share of one CPU is a failure: one period's quota
 * may straddle the start and the end of the window. */
#define SHARE_SLACK 0.03

static double cpu_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct busy_report {
        double wall_s, cpu_s;
        double t[SAMPLES], cpu[SAMPLES]; /* samples: wall and CPU seconds since the start */
};

/* In the cgroup: spin for BUSY_S wall seconds, sampling its own CPU time. */
static int busy_run(void *arg)
{
        int fd = *(const int *)arg;
        struct busy_report r = {0};
        double start = iso_now(), cpu0 = cpu_now();
        volatile unsigned long spin = 0;
        for (int s = 0; s < SAMPLES; s++) {
                double until = start + BUSY_S * (s + 1) / SAMPLES;
                while (iso_now() < until)
                        spin++;
                r.t[s] = iso_now() - start;
                r.cpu[s] = cpu_now() - cpu0;
        }
        r.wall_s = iso_now() - start;
        r.cpu_s = cpu_now() - cpu0;
        return iso_write_all(fd, &r, sizeof(r)) < 0;
}

/* nr_throttled of cpu.stat (v1 and v2 both have it), or -1. */
static long long nr_throttled(const struct iso_cg *cg)
{
        long long v = -1;
        return iso_cg_read_key(cg, "cpu.stat", "nr_throttled", &v, NULL) == 0 ? v : -1;
}

ISO_CASE(cgroup_cpu_max, "cgroup.cpu.max",
         .doc = "cgroup-v2.rst (cpu.max, cpu.stat), scheduler/sched-bwc.rst",
         .summary = "a CFS quota of 10 % (cpu.max, v1 cpu.cfs_quota_us) holds a busy loop to at "
                    "most about 10 % of one CPU over a second, and nr_throttled rises",
         .lab_step = "cgroups(7): echo \"10000 100000\" > cpu.max",
         .needs = {ISO_ROOT, ISO_CGROUP_CTRL("cpu", 0), ISO_KCONFIG("CONFIG_CFS_BANDWIDTH")},
         .timeout_s = 15)
{
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "cpu", "busy", &cg);
        char v[32];
        int rc;
        if (cg.version == 2) {
                snprintf(v, sizeof(v), "%d %d", QUOTA_US, PERIOD_US);
                rc = iso_cg_write(&cg, "cpu.max", v, &e);
        } else {
                snprintf(v, sizeof(v), "%d", PERIOD_US);
                rc = iso_cg_write(&cg, "cpu.cfs_period_us", v, &e);
                snprintf(v, sizeof(v), "%d", QUOTA_US);
                if (rc == 0)
                        rc = iso_cg_write(&cg, "cpu.cfs_quota_us", v, &e);
        }
        if (rc < 0 && e.errnum == ENOENT)
                iso_skip(t, "needs CFS bandwidth control (CONFIG_CFS_BANDWIDTH): %s", e.msg);
        if (rc < 0)
                iso_broken(t, "expected to set a quota of %d us per %d us, but %s", QUOTA_US,
                           PERIOD_US, e.msg);
        long long thr0 = nr_throttled(&cg);

        int fds[2];
        if (pipe(fds) < 0)
                iso_broken(t, "pipe: %s", strerror(errno));
        pid_t pid = iso_cg_spawn(&cg, busy_run, &fds[1], &e);
        close(fds[1]);
        if (pid < 0)
                iso_broken(t, "expected to start the busy loop in the cgroup, but %s", e.msg);
        struct busy_report r;
        ssize_t got = read(fds[0], &r, sizeof(r));
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (got != (ssize_t)sizeof(r))
                iso_broken(t,
                           "expected a report from the busy loop, got %zd bytes (wait status "
                           "0x%x)",
                           got, status);
        long long thr1 = nr_throttled(&cg);

        char csv[2048];
        size_t len = (size_t)snprintf(csv, sizeof(csv), "t_s,cpu_s,quota_share\n");
        for (int s = 0; s < SAMPLES && len < sizeof(csv); s++)
                len += (size_t)snprintf(csv + len, sizeof(csv) - len, "%.4f,%.5f,%.2f\n", r.t[s],
                                        r.cpu[s], (double)QUOTA_US / PERIOD_US);
        iso_artifact(t, "cpu.csv", csv, strlen(csv));

        double share = r.cpu_s / r.wall_s, quota = (double)QUOTA_US / PERIOD_US;
        iso_log(t, "the loop ran %.3f s on the CPU in %.3f s (%.1f %%); nr_throttled %lld -> %lld",
                r.cpu_s, r.wall_s, share * 100, thr0, thr1);
        if (share < quota / 2)
                iso_log(t, "note: the loop got less than half its quota: the machine is busy; "
                           "the verdict rests on the upper bound and the throttle count");
        char want[64];
        snprintf(want, sizeof(want), "<= %.0f %% of one CPU", (quota + SHARE_SLACK) * 100);
        iso_check(t, share <= quota + SHARE_SLACK,
                  "the busy loop's CPU share stays within the quota", want, "%.1f %%", share * 100);
        iso_check(t, thr0 >= 0 && thr1 > thr0, "cpu.stat nr_throttled rises", "a rise",
                  "%lld -> %lld", thr0, thr1);
        iso_fixture_cgroup_destroy(t, &cg);
}

/* The highest CPU this process may run on, and how many it may run on. */
static int highest_cpu(int *count)
{
        cpu_set_t set;
        CPU_ZERO(&set);
        *count = 0;
        if (sched_getaffinity(0, sizeof(set), &set) < 0)
                return -1;
        int hi = -1;
        for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &set)) {
                        hi = c;
                        (*count)++;
                }
        return hi;
}

struct affinity_report {
        int n;       /* CPUs in the member's affinity mask */
        int cpus[8]; /* the first of them */
};

static int affinity_run(void *arg)
{
        int fd = *(const int *)arg;
        struct affinity_report r = {0};
        cpu_set_t set;
        CPU_ZERO(&set);
        if (sched_getaffinity(0, sizeof(set), &set) == 0)
                for (int c = 0; c < CPU_SETSIZE; c++)
                        if (CPU_ISSET(c, &set) && r.n++ < 8)
                                r.cpus[r.n - 1] = c;
        return iso_write_all(fd, &r, sizeof(r)) < 0;
}

/*
 * v1 makes every cpuset empty (cgroup.clone_children 0): a task may join only one with
 * CPUs and memory nodes, and a child's must be a subset of its parent's. Give each level
 * from the hierarchy's root down to @path the CPUs and nodes of the level above, where it
 * has none (the run's and the case's own directories).
 */
static void v1_cpuset_chain(struct iso_t *t, const char *path)
{
        char dir[PATH_MAX];
        iso_strlcpy(dir, path, sizeof(dir));
        /* The levels to fill, deepest last: find the first whose parent has CPUs. */
        char *levels[16];
        int n = 0;
        for (char *slash; n < 16 && (slash = strrchr(dir, '/')) && slash != dir;) {
                *slash = '\0';
                char cpus[PATH_MAX + 16];
                snprintf(cpus, sizeof(cpus), "%s/cpuset.cpus", dir);
                iso_autofree char *have = iso_read_file(cpus, NULL, NULL);
                levels[n++] = slash + 1;
                if (!have || have[strspn(have, " \n")])
                        break; /* dir has CPUs (or is not a cpuset): fill from here down */
        }
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        for (int i = n - 1; i >= 0; i--) {
                char parent[PATH_MAX];
                iso_strlcpy(parent, dir, sizeof(parent));
                size_t len = strlen(dir);
                snprintf(dir + len, sizeof(dir) - len, "/%s", levels[i]);
                for (size_t f = 0; f < 2; f++) {
                        char from[PATH_MAX + 16], to[PATH_MAX + 16];
                        struct iso_err e = {0};
                        snprintf(from, sizeof(from), "%s/%s", parent, files[f]);
                        snprintf(to, sizeof(to), "%s/%s", dir, files[f]);
                        iso_autofree char *v = iso_read_file(from, NULL, &e);
                        iso_autofree char *now = iso_read_file(to, NULL, NULL);
                        if (now && now[strspn(now, " \n")])
                                continue;
                        if (v)
                                v[strcspn(v, "\n")] = '\0';
                        if (!v || iso_write_file(to, v, &e) < 0)
                                iso_broken(t,
                                           "expected to copy %s into %s (v1 cpusets start "
                                           "empty), but %s",
                                           from, to, e.msg);
                }
        }
}

ISO_CASE(cgroup_cpuset_cpus, "cgroup.cpuset.cpus",
         .doc = "cgroup-v2.rst (cpuset.cpus), cgroup-v1/cpusets.rst, sched_getaffinity(2)",
         .summary = "cpuset.cpus of one CPU limits sched_getaffinity() of a member of the cgroup "
                    "to that CPU",
         .lab_step = "cgroups(7): echo N > cpuset.cpus; taskset -p PID",
         .needs = {ISO_ROOT, ISO_CGROUP_CTRL("cpuset", 0), ISO_KCONFIG("CONFIG_CPUSETS")},
         .timeout_s = 10)
{
        int count;
        int cpu = highest_cpu(&count);
        if (count < 2)
                iso_skip(t,
                         "needs 2 CPUs this process may run on to show a restriction: "
                         "sched_getaffinity() allows %d",
                         count);
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "cpuset", "pinned", &cg);
        char v[16];
        snprintf(v, sizeof(v), "%d", cpu);
        if (cg.version == 1)
                v1_cpuset_chain(t, cg.path);
        if (iso_cg_write(&cg, "cpuset.cpus", v, &e) < 0)
                iso_broken(t, "expected to set cpuset.cpus to %s, but %s", v, e.msg);
        int fds[2];
        if (pipe(fds) < 0)
                iso_broken(t, "pipe: %s", strerror(errno));
        pid_t pid = iso_cg_spawn(&cg, affinity_run, &fds[1], &e);
        close(fds[1]);
        if (pid < 0)
                iso_broken(t, "expected to start a member of the cpuset, but %s", e.msg);
        struct affinity_report r = {0};
        ssize_t got = read(fds[0], &r, sizeof(r));
        close(fds[0]);
        waitpid(pid, NULL, 0);
        if (got != (ssize_t)sizeof(r))
                iso_broken(t, "expected a report from the member, got %zd bytes", got);
        iso_log(t, "the case process may run on %d CPUs; the member on %d, the first %d", count,
                r.n, r.n ? r.cpus[0] : -1);
        char want[32];
        snprintf(want, sizeof(want), "CPU %d alone", cpu);
        iso_check(t, r.n == 1 && r.cpus[0] == cpu, "the member's affinity is the cpuset's one CPU",
                  want, "%d CPUs, first %d", r.n, r.n ? r.cpus[0] : -1);
        iso_fixture_cgroup_destroy(t, &cg);
}
