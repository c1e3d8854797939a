// SPDX-License-Identifier: MIT
/*
 * Memory controller behaviours only cgroup v2 has (cgroup-v2.rst "Memory", "memory.high",
 * "memory.events" and "memory.events.local"), the kind the kernel's own
 * selftests/cgroup/test_memcontrol.c checks: memory.high throttles without killing, and
 * events are counted hierarchically in memory.events but only where they happened in
 * memory.events.local.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/fixtures.h"
#include "isocheck/memcg.h"
#include "isocheck/util.h"
#include "needs.h"

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
static int touch_anon(long long bytes)
{
        volatile unsigned char *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NO_MAP;
        long page = sysconf(_SC_PAGESIZE);
        for (long long off = 0; off < bytes; off += page)
                p[off] = 1;
        return TOUCHED;
}

/* iso_cg_spawn's child: touch *@arg bytes (long long). */
static int touch_run(void *arg)
{
        return touch_anon(*(const long long *)arg);
}

static long long key_of(const struct iso_cg *cg, const char *file, const char *key)
{
        long long v = -1;
        return iso_cg_read_key(cg, file, key, &v, NULL) == 0 ? v : -1;
}

ISO_CASE(cgroup_memory_high, "cgroup.memory.high",
         .doc = "cgroup-v2.rst (memory.high, memory.events)",
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

/* Make cgroup @name below @parent (which enables memory for its children). */
static void make_child(struct iso_t *t, const struct iso_cg *parent, const char *name,
                       struct iso_cg *c)
{
        struct iso_err e = {0};
        *c = *parent;
        if (iso_pathf(c->path, sizeof(c->path), "%s/%s", parent->path, name) < 0 ||
            iso_pathf(c->rel, sizeof(c->rel), "%s/%s", parent->rel, name) < 0 ||
            iso_pathf(c->view, sizeof(c->view), "%s/%s", parent->view, name) < 0)
                iso_broken(t, "child cgroup path too long below %s", parent->path);
        if (iso_cg_create(c->path, &e) < 0)
                iso_broken(t, "expected to make child cgroup %s, but %s", name, e.msg);
}

ISO_CASE(cgroup_memory_events_local, "cgroup.memory.events_local",
         .doc = "cgroup-v2.rst (memory.events, memory.events.local)",
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
        make_child(t, &parent, "child", &child);
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

/* --- reclaimable memory: page cache on a disk, or swap -------------------------------- */

/* Directories whose page cache the kernel can drop (a disk-backed filesystem), in order
 * of preference: the VM target mounts its ext4 scratch disk at /var/tmp. */
static const char *const scratch_dirs[] = {"/var/tmp", "/tmp"};

/*
 * A directory on a filesystem whose clean page cache is reclaimable and charged to the
 * writer's cgroup: not tmpfs or ramfs, where a file's pages are swap-backed or pinned, so
 * reclaim would pass or fail for the wrong reason (nor a raw block device: its page cache
 * is not charged to the writer's cgroup). Returns it, or NULL with what each candidate is
 * in @why.
 */
static const char *scratch_dir(char *why, size_t size)
{
        size_t len = 0;
        why[0] = '\0';
        for (size_t i = 0; i < ISO_ARRAY_SIZE(scratch_dirs); i++) {
                struct statfs fs;
                const char *d = scratch_dirs[i];
                if (statfs(d, &fs) < 0) {
                        len += (size_t)snprintf(why + len, len < size ? size - len : 0, "%s%s: %s",
                                                len ? ", " : "", d, strerror(errno));
                        continue;
                }
                if (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC) {
                        len += (size_t)snprintf(why + len, len < size ? size - len : 0,
                                                "%s%s is %s", len ? ", " : "", d,
                                                fs.f_type == TMPFS_MAGIC ? "tmpfs" : "ramfs");
                        continue;
                }
                if (access(d, W_OK) == 0)
                        return d;
                len += (size_t)snprintf(why + len, len < size ? size - len : 0,
                                        "%s%s is not writable", len ? ", " : "", d);
        }
        return NULL;
}

/* SwapTotal of /proc/meminfo, in bytes (0: no swap, -1: unreadable). */
static long long swap_total(void)
{
        iso_autofree char *mi = iso_read_file("/proc/meminfo", NULL, NULL);
        const char *p = mi ? strstr(mi, "SwapTotal:") : NULL;
        long long kb = -1;
        return p && sscanf(p, "SwapTotal: %lld", &kb) == 1 ? kb * 1024 : -1;
}

struct cache_fill {
        char path[PATH_MAX];
        long long bytes;
};

/* In the cgroup: write @bytes into a new file and sync it, so its pages are clean page
 * cache charged to the cgroup (cgroup-v2.rst "Memory Ownership": the writer's cgroup). */
static int fill_run(void *arg)
{
        const struct cache_fill *f = arg;
        int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return 3;
        static char block[1 << 16];
        memset(block, 0x5a, sizeof(block));
        for (long long done = 0; done < f->bytes; done += (long long)sizeof(block))
                if (iso_write_all(fd, block, sizeof(block)) < 0) {
                        close(fd);
                        return 4;
                }
        int rc = fsync(fd) < 0 ? 5 : 0;
        close(fd);
        return rc;
}

/* Fill @bytes of page cache from inside @cg into file @name of @dir; ends the case as an
 * error when the writer fails. */
static void fill_cache(struct iso_t *t, const struct iso_cg *cg, const char *dir, const char *name,
                       long long bytes, struct cache_fill *f)
{
        struct iso_err e = {0};
        if (iso_pathf(f->path, sizeof(f->path), "%s/isocheck-%s-%s", dir, iso_case_run_id(t),
                      name) < 0)
                iso_broken(t, "scratch file path too long in %s", dir);
        f->bytes = bytes;
        pid_t pid = iso_cg_spawn(cg, fill_run, f, &e);
        if (pid < 0)
                iso_broken(t, "expected to start the writer in %s, but %s", cg->path, e.msg);
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                unlink(f->path);
                iso_broken(t,
                           "expected the writer to fill %lld bytes of %s and fsync it, but it "
                           "ended with wait status 0x%x (3 open, 4 write, 5 fsync: is %s full?)",
                           bytes, f->path, status, dir);
        }
}

static long long current_of(const struct iso_cg *cg)
{
        long long v = -1;
        iso_cg_read_value(cg, "memory.current", &v, NULL);
        return v;
}

#define RECLAIM_FILL (32LL << 20)
#define RECLAIM_ASK (16LL << 20)

ISO_CASE(cgroup_memory_reclaim, "cgroup.memory.reclaim", .doc = "cgroup-v2.rst (memory.reclaim)",
         .summary = "writing an amount to memory.reclaim makes the kernel reclaim about that "
                    "much of the cgroup's memory: memory.current falls",
         .lab_step = "cgroup-v2.rst memory.reclaim: echo 16M > memory.reclaim",
         .needs = {NEEDS_MEMCG_V2}, .timeout_s = 30)
{
        char why[256];
        const char *dir = scratch_dir(why, sizeof(why));
        if (!dir)
                iso_skip(t,
                         "needs memory the kernel can reclaim without swap: page cache on a "
                         "disk, but %s",
                         why);
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "memory", "reclaimed", &cg);
        char path[PATH_MAX];
        iso_cg_file(&cg, "memory.reclaim", path, sizeof(path));
        if (access(path, F_OK) < 0)
                iso_skip(t, "needs memory.reclaim (Linux 5.19+): %s does not exist", path);
        struct cache_fill f;
        fill_cache(t, &cg, dir, "reclaim", RECLAIM_FILL, &f);
        long long before = current_of(&cg);
        char ask[32];
        snprintf(ask, sizeof(ask), "%lld", RECLAIM_ASK);
        int rc = iso_cg_write(&cg, "memory.reclaim", ask, &e);
        long long after = current_of(&cg);
        unlink(f.path);
        iso_log(t,
                "page cache of %lld bytes in %s; memory.current %lld before, %lld after "
                "writing %s to memory.reclaim (%s)",
                RECLAIM_FILL, f.path, before, after, ask, rc < 0 ? e.msg : "accepted");
        iso_check(t, before >= RECLAIM_FILL * 3 / 4, "the file's pages are charged to the cgroup",
                  "memory.current >= 3/4 of the file", "%lld bytes", before);
        iso_check(t, rc == 0, "the write to memory.reclaim succeeds", "0", "%s",
                  rc < 0 ? e.msg : "0");
        char want[64];
        snprintf(want, sizeof(want), "at least %lld bytes less", RECLAIM_ASK / 2);
        iso_check(t, before - after >= RECLAIM_ASK / 2, "memory.current falls by about the amount",
                  want, "%lld bytes less", before - after);
        iso_fixture_cgroup_destroy(t, &cg);
}

#define PROT_FILL (32LL << 20)    /* page cache each protected sibling holds */
#define PROT_SHIELD (40LL << 20)  /* its memory.min or memory.low: above what it holds */
#define PROT_PARENT (96LL << 20)  /* the parent's memory.max */
#define PROT_PRESSURE PROT_PARENT /* page cache the unprotected sibling writes */

ISO_CASE(cgroup_memory_protection, "cgroup.memory.protection",
         .doc = "cgroup-v2.rst (memory.min, memory.low)",
         .summary = "memory.min and memory.low shield a cgroup's page cache from reclaim driven "
                    "by a sibling under the parent's limit, which the sibling's own cache pays for",
         .lab_step = "cgroup-v2.rst memory.min, memory.low", .needs = {NEEDS_MEMCG_V2},
         .timeout_s = 60)
{
        char why[256];
        const char *dir = scratch_dir(why, sizeof(why));
        if (!dir)
                iso_skip(t,
                         "needs page cache on a disk (the protection is of reclaimable "
                         "memory), but %s",
                         why);
        struct iso_cg parent, cmin, clow, cfree;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "memory", "shared", &parent);
        char v[32];
        snprintf(v, sizeof(v), "%lld", PROT_PARENT);
        if (iso_cg_write(&parent, "cgroup.subtree_control", "+memory", &e) < 0 ||
            iso_cg_write(&parent, "memory.max", v, &e) < 0)
                iso_broken(t, "expected to set up the parent cgroup, but %s", e.msg);
        make_child(t, &parent, "min", &cmin);
        make_child(t, &parent, "low", &clow);
        make_child(t, &parent, "free", &cfree);
        snprintf(v, sizeof(v), "%lld", PROT_SHIELD);
        if (iso_cg_write(&cmin, "memory.min", v, &e) < 0 ||
            iso_cg_write(&clow, "memory.low", v, &e) < 0)
                iso_broken(t, "expected to set memory.min and memory.low, but %s", e.msg);

        struct cache_fill fmin, flow, ffree;
        fill_cache(t, &cmin, dir, "min", PROT_FILL, &fmin);
        fill_cache(t, &clow, dir, "low", PROT_FILL, &flow);
        long long min0 = current_of(&cmin), low0 = current_of(&clow);
        fill_cache(t, &cfree, dir, "free", PROT_PRESSURE, &ffree);
        long long min1 = current_of(&cmin), low1 = current_of(&clow), free1 = current_of(&cfree);
        long long parent1 = current_of(&parent);
        unlink(fmin.path);
        unlink(flow.path);
        unlink(ffree.path);
        iso_log(t,
                "parent memory.max %lld; min: %lld -> %lld, low: %lld -> %lld; the "
                "unprotected sibling wrote %lld and holds %lld; parent %lld",
                PROT_PARENT, min0, min1, low0, low1, PROT_PRESSURE, free1, parent1);
        iso_check(t, min0 >= PROT_FILL * 3 / 4 && low0 >= PROT_FILL * 3 / 4,
                  "each protected sibling's pages are charged to it", ">= 3/4 of its file",
                  "min %lld, low %lld", min0, low0);
        iso_check(t, free1 < PROT_PRESSURE * 3 / 4,
                  "the parent's limit forced reclaim (the unprotected sibling lost pages)",
                  "less than 3/4 of what it wrote", "%lld of %lld bytes", free1, PROT_PRESSURE);
        iso_check(t, min1 >= min0 * 9 / 10, "memory.min keeps the sibling's page cache",
                  ">= 90 % of it", "%lld of %lld bytes", min1, min0);
        iso_check(t, low1 >= low0 * 9 / 10, "memory.low keeps the sibling's page cache",
                  ">= 90 % of it", "%lld of %lld bytes", low1, low0);
        iso_fixture_cgroup_destroy(t, &parent);
}

#define SWAP_MAX (16LL << 20)
#define SWAP_MEM_MAX (16LL << 20)

/* In the cgroup: touch @bytes, say so, and hold them until told to go. */
struct hold {
        long long bytes;
        int said_fd, go_fd;
};

static int hold_run(void *arg)
{
        const struct hold *h = arg;
        int rc = touch_anon(h->bytes);
        if (rc != TOUCHED)
                return rc;
        char go;
        if (iso_write_all(h->said_fd, "t", 1) < 0 || read(h->go_fd, &go, 1) < 0)
                return 1;
        return TOUCHED;
}

/* Set the memory limit and the swap allowance of @cg: v2 memory.max and memory.swap.max;
 * v1 memory.limit_in_bytes and memory.memsw.limit_in_bytes, which bounds memory + swap
 * (cgroup-v1/memory.rst "memsw"). Skips when swap is not accounted. */
static void limit_with_swap(struct iso_t *t, const struct iso_cg *cg, long long mem, long long swap)
{
        struct iso_err e = {0};
        const char *swap_file =
                cg->version == 2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";
        char path[PATH_MAX], v[32];
        iso_cg_file(cg, swap_file, path, sizeof(path));
        if (access(path, F_OK) < 0)
                iso_skip(t,
                         "needs swap accounting: %s does not exist (swapaccount=0 on the "
                         "kernel command line, or built without it)",
                         path);
        snprintf(v, sizeof(v), "%lld", mem);
        if (iso_cg_write(cg, cg->version == 2 ? "memory.max" : "memory.limit_in_bytes", v, &e) < 0)
                iso_broken(t, "expected to set the memory limit, but %s", e.msg);
        snprintf(v, sizeof(v), "%lld", cg->version == 2 ? swap : mem + swap);
        if (iso_cg_write(cg, swap_file, v, &e) < 0)
                iso_broken(t, "expected to set %s, but %s", swap_file, e.msg);
}

/* Bytes of swap the cgroup uses now (v2 memory.swap.current, v1 memsw - usage), or -1. */
static long long swap_used(const struct iso_cg *cg)
{
        struct iso_memcg_counters c;
        return iso_memcg_counters(cg, &c, NULL) == 0 ? c.swap : -1;
}

static long long oom_kills(const struct iso_cg *cg)
{
        struct iso_memcg_counters c;
        return iso_memcg_counters(cg, &c, NULL) == 0 ? c.oom_kill : -1;
}

ISO_CASE(cgroup_memory_swap_max, "cgroup.memory.swap_max",
         .doc = "cgroup-v2.rst (memory.swap.max), cgroup-v1/memory.rst (memsw)",
         .summary = "with swap on, the swap allowance (v2 memory.swap.max, v1 memsw limit) bounds "
                    "the cgroup's swap; a process above the memory limit but within memory + swap "
                    "lives, one above both is OOM-killed",
         .lab_step =
                 "cgroup-v2.rst memory.swap.max; cgroup-v1/memory.rst memory.memsw.limit_in_bytes",
         .needs = {NEEDS_MEMCG, ISO_KCONFIG("CONFIG_SWAP")}, .timeout_s = 60)
{
        long long total = swap_total();
        if (total <= 0)
                iso_skip(t, "needs swap: SwapTotal in /proc/meminfo is %lld", total);
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "memory", "swapped", &cg);
        limit_with_swap(t, &cg, SWAP_MEM_MAX, SWAP_MAX);
        int disabled = 0;
        iso_memcg_allow_oom_kill(&cg, &disabled, NULL);

        /* Within both: half of swap.max above memory.max. */
        int said[2], go[2];
        if (pipe(said) < 0 || pipe(go) < 0)
                iso_broken(t, "pipe: %s", strerror(errno));
        struct hold h = {SWAP_MEM_MAX + SWAP_MAX / 2, said[1], go[0]};
        pid_t pid = iso_cg_spawn(&cg, hold_run, &h, &e);
        close(said[1]);
        close(go[0]);
        if (pid < 0)
                iso_broken(t, "expected to start the first hog in the cgroup, but %s", e.msg);
        char c;
        ssize_t got = read(said[0], &c, 1);
        struct iso_memcg_counters now = {0};
        iso_memcg_counters(&cg, &now, NULL);
        long long swapped = swap_used(&cg), current = now.usage;
        (void)!write(go[1], "g", 1);
        close(go[1]);
        close(said[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        iso_log(t,
                "first hog (%lld bytes): said %zd, memory in use %lld, swap in use %lld, wait "
                "status 0x%x",
                h.bytes, got, current, swapped, status);
        iso_check(t, got == 1 && WIFEXITED(status) && WEXITSTATUS(status) == TOUCHED,
                  "a hog within the memory limit + the swap allowance lives", "exit status 0",
                  "wait status 0x%x", status);
        iso_check(t, swapped > 0 && swapped <= SWAP_MAX,
                  "its overflow went to swap, within the swap allowance", "0 < swap used <= 16 MiB",
                  "%lld bytes", swapped);

        /* Above both: the OOM killer ends it. */
        long long kills0 = oom_kills(&cg);
        long long bytes = 2 * (SWAP_MEM_MAX + SWAP_MAX);
        pid = iso_cg_spawn(&cg, touch_run, &bytes, &e);
        if (pid < 0)
                iso_broken(t, "expected to start the second hog in the cgroup, but %s", e.msg);
        waitpid(pid, &status, 0);
        long long kills1 = oom_kills(&cg);
        long long swap_hits = cg.version == 2 ? key_of(&cg, "memory.swap.events", "max") : -1;
        iso_log(t,
                "second hog (%lld bytes): wait status 0x%x; oom_kill %lld -> %lld; "
                "memory.swap.events max %lld (-1: v1, none)",
                bytes, status, kills0, kills1, swap_hits);
        iso_check(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "a hog above memory + swap allowance is OOM-killed", "killed by signal 9",
                  "wait status 0x%x", status);
        iso_check(t, kills1 > kills0, "the cgroup's oom_kill counter counts it", "a rise",
                  "%lld -> %lld", kills0, kills1);
        iso_fixture_cgroup_destroy(t, &cg);
}
