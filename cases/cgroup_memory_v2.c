// SPDX-License-Identifier: MIT
/*
 * Memory controller behaviours only cgroup v2 has (cgroup-v2.rst "Memory", "memory.high",
 * "memory.events" and "memory.events.local"), the kind the kernel's own
 * selftests/cgroup/test_memcontrol.c checks: memory.high throttles without killing, and
 * events are counted hierarchically in memory.events but only where they happened in
 * memory.events.local.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/fixtures.h"
#include "isocheck/memcg.h"

#define NEEDS_MEMCG_V2 ISO_ROOT, ISO_CGROUP_CTRL("memory", 2)

/* memory.high, and what the hog touches: 1/8 above it. Above memory.high the kernel
 * reclaims and then makes the allocating task sleep in proportion to the square of the
 * overage; 1/8 keeps that to a fraction of a second without swap. */
#define HIGH_BYTES (16LL << 20)
#define HIGH_HOG (HIGH_BYTES + HIGH_BYTES / 8)
/* The limit of the child cgroup whose OOM kill the events cases count. */
#define CHILD_MAX (16LL << 20)

enum { TOUCHED = 0, NO_MAP = 3 };

/*
 * Touch @bytes of anonymous memory, a byte per page, through a volatile pointer: a store
 * the compiler may not drop, as it may drop the stores of a malloc()ed buffer that is
 * freed unread (the fate of test_memcontrol's alloc_anon at -O2).
 */
static int touch_run(void *arg)
{
        long long bytes = *(const long long *)arg;
        volatile unsigned char *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NO_MAP;
        long page = sysconf(_SC_PAGESIZE);
        for (long long off = 0; off < bytes; off += page)
                p[off] = 1;
        return TOUCHED;
}

static long long key_of(const struct iso_cg *cg, const char *file, const char *key)
{
        long long v = -1;
        return iso_cg_read_key(cg, file, key, &v, NULL) == 0 ? v : -1;
}

ISO_CASE(cgroup_memory_high, "cgroup.memory.high",
         .summary = "a process allocating above memory.high is throttled, not killed: it "
                    "finishes, memory.events counts high, and no OOM kill happens",
         .lab_step = "cgroup-v2.rst memory.high: echo 16M > memory.high", .needs = {NEEDS_MEMCG_V2},
         .timeout_s = 30)
{
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "memory", "high", &cg);
        char v[32];
        snprintf(v, sizeof(v), "%lld", HIGH_BYTES);
        if (iso_cg_write(&cg, "memory.high", v, &e) < 0)
                iso_broken(t, "expected to set memory.high on an empty cgroup, but %s", e.msg);
        long long bytes = HIGH_HOG;
        pid_t pid = iso_cg_spawn(&cg, touch_run, &bytes, &e);
        if (pid < 0)
                iso_broken(t, "expected to start the allocator in the cgroup, but %s", e.msg);
        int status = 0;
        waitpid(pid, &status, 0);
        long long high = key_of(&cg, "memory.events", "high");
        long long oom_kill = key_of(&cg, "memory.events", "oom_kill");
        long long peak = -1;
        iso_cg_read_value(&cg, "memory.peak", &peak, NULL);
        iso_log(t,
                "memory.high %lld, touched %lld bytes; wait status 0x%x; memory.events high "
                "%lld oom_kill %lld; memory.peak %lld",
                HIGH_BYTES, bytes, status, high, oom_kill, peak);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == TOUCHED,
                  "the allocator survives and finishes", "exit status 0", "wait status 0x%x",
                  status);
        iso_check(t, high > 0, "memory.events counts the allocator going over memory.high",
                  "high > 0", "high %lld", high);
        iso_check_eq(t, oom_kill, 0, "memory.events oom_kill stays 0 (throttled, not killed)");
        /* The allocator really touched its pages: a hog whose stores were dropped would
         * leave the peak near zero and pass the checks above for the wrong reason. */
        if (peak >= 0)
                iso_check(t, peak > HIGH_BYTES / 2, "memory.peak shows the pages were touched",
                          "above half of memory.high", "%lld bytes", peak);
        else
                iso_check_skip(t, "memory.peak shows the pages were touched",
                               "memory.peak needs Linux 5.19+; the high event stands for it");
        iso_fixture_cgroup_destroy(t, &cg);
}

ISO_CASE(cgroup_memory_events_local, "cgroup.memory.events_local",
         .summary = "an OOM kill in a child cgroup is counted in the parent's memory.events "
                    "but not in the parent's memory.events.local, and in both of the child's",
         .lab_step = "cgroup-v2.rst memory.events.local",
         .needs = {NEEDS_MEMCG_V2, ISO_KCONFIG("CONFIG_MEMCG")}, .timeout_s = 30)
{
        struct iso_cg parent, child;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "memory", "parent", &parent);
        if (iso_cg_write(&parent, "cgroup.subtree_control", "+memory", &e) < 0)
                iso_broken(t, "expected to enable memory for the parent's children, but %s", e.msg);
        child = parent;
        if (iso_pathf(child.path, sizeof(child.path), "%s/child", parent.path) < 0 ||
            iso_pathf(child.rel, sizeof(child.rel), "%s/child", parent.rel) < 0 ||
            iso_pathf(child.view, sizeof(child.view), "%s/child", parent.view) < 0)
                iso_broken(t, "child cgroup path too long below %s", parent.path);
        if (iso_cg_create(child.path, &e) < 0)
                iso_broken(t, "expected to make the child cgroup, but %s", e.msg);
        if (iso_memcg_set_limit(&child, CHILD_MAX, 1, &e) < 0)
                iso_broken(t, "expected to set the child's memory.max, but %s", e.msg);
        int disabled = 0;
        iso_memcg_allow_oom_kill(&child, &disabled, NULL);

        long long bytes = 3 * CHILD_MAX;
        pid_t pid = iso_cg_spawn(&child, touch_run, &bytes, &e);
        if (pid < 0)
                iso_broken(t, "expected to start the hog in the child cgroup, but %s", e.msg);
        int status = 0;
        waitpid(pid, &status, 0);
        long long c_ev = key_of(&child, "memory.events", "oom_kill");
        long long c_loc = key_of(&child, "memory.events.local", "oom_kill");
        long long p_ev = key_of(&parent, "memory.events", "oom_kill");
        long long p_loc = key_of(&parent, "memory.events.local", "oom_kill");
        iso_log(t,
                "hog wait status 0x%x; oom_kill: child events %lld local %lld, parent events "
                "%lld local %lld",
                status, c_ev, c_loc, p_ev, p_loc);
        if (c_loc < 0)
                iso_skip(t,
                         "needs memory.events.local (Linux 5.2+): %s/memory.events.local "
                         "cannot be read",
                         child.path);
        iso_check(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "the hog in the child is OOM-killed", "killed by signal 9", "wait status 0x%x",
                  status);
        iso_check_eq(t, c_ev, 1, "the child's memory.events counts the OOM kill");
        iso_check_eq(t, c_loc, 1, "the child's memory.events.local counts the OOM kill");
        iso_check_eq(t, p_loc, 0, "the parent's memory.events.local does not count the child's");
        /* Mounted with memory_localevents, memory.events is local too (cgroup-v2.rst
         * "Mounting"): then the parent's memory.events shows nothing either. */
        const struct iso_cg_hierarchy *h = iso_env_hierarchy(iso_case_env(t), NULL);
        static char mi[65536];
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (f) {
                size_t n = fread(mi, 1, sizeof(mi) - 1, f);
                mi[n] = '\0';
                fclose(f);
        }
        if (h && iso_memcg_local_events(mi, h->mount) == 1)
                iso_check_eq(t, p_ev, 0,
                             "the parent's memory.events does not count it (memory_localevents)");
        else
                iso_check_eq(t, p_ev, 1, "the parent's memory.events counts the child's OOM kill");
        iso_fixture_cgroup_destroy(t, &parent);
}
