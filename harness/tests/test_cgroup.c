// SPDX-License-Identifier: MIT
/*
 * Unit tests of the cgroup and memory-controller modules on fake cgroup directories
 * (plain files in a temp dir), so the v1 and v2 paths are both exercised on any machine;
 * the real kernel is exercised by the cgroup.* cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isocheck/cgroup.h"
#include "isocheck/memcg.h"

static char root[PATH_MAX];

static void put(const char *dir, const char *file, const char *text)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *get(const char *dir, const char *file)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        return iso_read_file(path, NULL, NULL);
}

static int setup(void **state)
{
        (void)state;
        snprintf(root, sizeof(root), "/tmp/isocheck-unit-cg.XXXXXX");
        return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

/* A fake cgroup directory holding the given interface files. */
static struct iso_cg fake_cg(int version, const char *name)
{
        struct iso_cg cg = {.version = version};
        assert_int_equal(iso_pathf(cg.path, sizeof(cg.path), "%s/%s", root, name), 0);
        assert_int_equal(iso_pathf(cg.rel, sizeof(cg.rel), "/%s", name), 0);
        mkdir(cg.path, 0755);
        return cg;
}

static void keyed_values(void **state)
{
        (void)state;
        const char *events = "low 0\nhigh 2\nmax 31\noom 1\noom_kill 1\noom_group_kill 0\n";
        long long v = -5;
        assert_int_equal(iso_keyed_value(events, "oom", &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(iso_keyed_value(events, "oom_kill", &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(iso_keyed_value(events, "max", &v), 0);
        assert_int_equal(v, 31);
        assert_int_equal(iso_keyed_value(events, "oom_group_kill", &v), 0);
        assert_int_equal(v, 0);
        /* "oo" is a prefix of a key, not a key. */
        assert_int_equal(iso_keyed_value(events, "oo", &v), -1);
        assert_int_equal(iso_keyed_value(events, "absent", &v), -1);
        assert_int_equal(iso_keyed_value("oom_kill x\n", "oom_kill", &v), -1);
        assert_int_equal(iso_keyed_value("oom_kill 3", "oom_kill", &v), 0); /* no final \n */
        assert_int_equal(v, 3);
        assert_int_equal(iso_keyed_value("", "oom", &v), -1);
        /* A key with no value must not take the next line's number (found by fuzzing). */
        assert_int_equal(iso_keyed_value("oom_kill \n5\n", "oom_kill", &v), -1);
        const char *v1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";
        assert_int_equal(iso_keyed_value(v1, "oom_kill", &v), 0);
        assert_int_equal(v, 2);
}

static void v2_limit_and_counters(void **state)
{
        (void)state;
        struct iso_cg cg = fake_cg(2, "v2");
        put(cg.path, "memory.max", "max\n");
        put(cg.path, "memory.swap.max", "max\n");
        long long lim = 0;
        assert_int_equal(iso_memcg_get_limit(&cg, &lim, NULL), 0);
        assert_int_equal(lim, -1);

        /* Plain files are not truncated by a write as cgroupfs values are: empty them. */
        put(cg.path, "memory.max", "");
        put(cg.path, "memory.swap.max", "");
        assert_int_equal(iso_memcg_set_limit(&cg, 33554432, 1, NULL), 0);
        char *s = get(cg.path, "memory.max");
        assert_string_equal(s, "33554432");
        free(s);
        s = get(cg.path, "memory.swap.max");
        assert_string_equal(s, "0");
        free(s);
        assert_int_equal(iso_memcg_get_limit(&cg, &lim, NULL), 0);
        assert_int_equal(lim, 33554432);

        put(cg.path, "memory.max", "");
        assert_int_equal(iso_memcg_set_limit(&cg, -1, 0, NULL), 0);
        s = get(cg.path, "memory.max");
        assert_string_equal(s, "max");
        free(s);

        put(cg.path, "memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
        put(cg.path, "memory.peak", "33550336\n");
        put(cg.path, "memory.current", "0\n");
        put(cg.path, "memory.swap.current", "0\n");
        struct iso_memcg_counters c;
        assert_int_equal(iso_memcg_counters(&cg, &c, NULL), 0);
        assert_int_equal(c.oom, 1);
        assert_int_equal(c.oom_kill, 1);
        assert_int_equal(c.max, 12);
        assert_int_equal(c.high, 0);
        assert_int_equal(c.peak, 33550336);
        assert_int_equal(c.usage, 0);
        assert_int_equal(c.swap, 0);
        assert_int_equal(c.failcnt, -1); /* a v1-only counter */
}

static void v1_limit_and_counters(void **state)
{
        (void)state;
        struct iso_cg cg = fake_cg(1, "v1");
        put(cg.path, "memory.limit_in_bytes", "9223372036854771712\n");
        put(cg.path, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        long long lim = 0;
        assert_int_equal(iso_memcg_get_limit(&cg, &lim, NULL), 0);
        assert_int_equal(lim, -1); /* PAGE_COUNTER_MAX pages: unlimited */
        put(cg.path, "memory.limit_in_bytes", "");
        put(cg.path, "memory.memsw.limit_in_bytes", "");

        assert_int_equal(iso_memcg_set_limit(&cg, 100000000, 1, NULL), 0);
        char *s = get(cg.path, "memory.limit_in_bytes");
        assert_string_equal(s, "100000000");
        free(s);
        s = get(cg.path, "memory.memsw.limit_in_bytes");
        assert_string_equal(s, "100000000");
        free(s);

        put(cg.path, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        put(cg.path, "memory.failcnt", "1453\n");
        put(cg.path, "memory.max_usage_in_bytes", "33554432\n");
        put(cg.path, "memory.usage_in_bytes", "4096\n");
        put(cg.path, "memory.memsw.usage_in_bytes", "8192\n");
        struct iso_memcg_counters c;
        assert_int_equal(iso_memcg_counters(&cg, &c, NULL), 0);
        assert_int_equal(c.oom_kill, 1);
        assert_int_equal(c.oom, 0);
        assert_int_equal(c.failcnt, 1453);
        assert_int_equal(c.peak, 33554432);
        assert_int_equal(c.usage, 4096);
        assert_int_equal(c.swap, 4096);
        assert_int_equal(c.max, -1); /* a v2-only counter */
}

/* Before Linux 4.13, v1 memory.oom_control had no oom_kill line: -1, not 0. */
static void v1_old_kernel_counters(void **state)
{
        (void)state;
        struct iso_cg cg = fake_cg(1, "v1old");
        put(cg.path, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
        struct iso_memcg_counters c;
        assert_int_equal(iso_memcg_counters(&cg, &c, NULL), 0);
        assert_int_equal(c.oom_kill, -1);
}

static void limit_write_error_names_file_and_value(void **state)
{
        (void)state;
        struct iso_cg cg = fake_cg(2, "nofiles");
        struct iso_err e = {0};
        assert_int_equal(iso_memcg_set_limit(&cg, 4096, 0, &e), -1);
        assert_int_equal(e.errnum, ENOENT);
        assert_non_null(strstr(e.msg, "memory.max"));
}

static void swap_policy(void **state)
{
        (void)state;
        struct iso_env env;
        memset(&env, 0, sizeof(env));
        char reason[256] = "";
        env.swap_total_kb = 0;
        assert_int_equal(iso_memcg_swap_policy(&env, reason, sizeof(reason)), 0);
        env.swap_total_kb = 1048576;
        env.swap_accounting = 1;
        assert_int_equal(iso_memcg_swap_policy(&env, reason, sizeof(reason)), 1);
        env.swap_accounting = 0;
        assert_int_equal(iso_memcg_swap_policy(&env, reason, sizeof(reason)), -1);
        assert_non_null(strstr(reason, "swap enabled, swap accounting unavailable"));
        env.swap_accounting = -1;
        assert_int_equal(iso_memcg_swap_policy(&env, reason, sizeof(reason)), -1);
}

static void page_rounding(void **state)
{
        (void)state;
        long page = sysconf(_SC_PAGESIZE);
        assert_int_equal(iso_memcg_round(100000000), 100000000 / page * page);
        if (page == 4096)
                assert_int_equal(iso_memcg_round(100000000), 99999744);
        assert_int_equal(iso_memcg_round(page), page);
        assert_int_equal(iso_memcg_round(page - 1), 0);
}

static struct iso_env fake_env(int version, int readonly)
{
        struct iso_env env;
        memset(&env, 0, sizeof(env));
        env.cg_mode = version == 2 ? ISO_CG_UNIFIED : ISO_CG_LEGACY;
        env.n_hierarchies = 1;
        struct iso_cg_hierarchy *h = &env.hierarchies[0];
        h->version = version;
        assert_int_equal(iso_pathf(h->mount, sizeof(h->mount), "%s/h%d", root, version), 0);
        snprintf(h->controllers, sizeof(h->controllers),
                 version == 2 ? "cpu memory pids" : "memory");
        h->readonly = readonly;
        mkdir(h->mount, 0755);
        return env;
}

static void make_v1(void **state)
{
        (void)state;
        struct iso_env env = fake_env(1, 0);
        struct iso_cg cg;
        struct iso_err e = {0};
        assert_int_equal(iso_cg_make(&env, "memory", "isocheck-1-a/case.x", "hog", &cg, &e), 0);
        assert_int_equal(cg.version, 1);
        assert_string_equal(cg.rel, "/isocheck-1-a/case.x/hog");
        struct stat st;
        assert_int_equal(stat(cg.path, &st), 0);
        /* A second cgroup of the same name is never adopted. */
        assert_int_equal(iso_cg_make(&env, "memory", "isocheck-1-a/case.x", "hog", &cg, &e), -1);
        assert_int_equal(e.errnum, EEXIST);
        /* No hierarchy offers pids here. */
        assert_int_equal(iso_cg_make(&env, "pids", "isocheck-1-a/case.x", "p", &cg, &e), -1);
        assert_int_equal(e.errnum, ENOENT);
        assert_non_null(strstr(e.msg, "pids"));
}

static void make_readonly(void **state)
{
        (void)state;
        struct iso_env env = fake_env(1, 1);
        struct iso_cg cg;
        struct iso_err e = {0};
        assert_int_equal(iso_cg_make(&env, "memory", "isocheck-1-a/c", "hog", &cg, &e), -1);
        assert_int_equal(e.errnum, EROFS);
        assert_non_null(strstr(e.msg, "read-only"));
}

/* v2: +memory is written into every level below the root; the root is never changed. */
static void make_v2_enables_controller_down_the_path(void **state)
{
        (void)state;
        struct iso_env env = fake_env(2, 0);
        const char *m = env.hierarchies[0].mount;
        struct iso_cg cg;
        struct iso_err e = {0};
        put(m, "cgroup.subtree_control", "cpu\n");
        assert_int_equal(iso_cg_make(&env, "memory", "isocheck-2-b/c", "hog", &cg, &e), -1);
        assert_int_equal(e.errnum, ENOTSUP);
        assert_non_null(strstr(e.msg, "cgroup.subtree_control"));

        put(m, "cgroup.subtree_control", "cpu memory\n");
        char lvl1[PATH_MAX], lvl2[PATH_MAX];
        snprintf(lvl1, sizeof(lvl1), "%s/isocheck-2-b", m);
        snprintf(lvl2, sizeof(lvl2), "%s/isocheck-2-b/c", m);
        mkdir(lvl1, 0755);
        mkdir(lvl2, 0755);
        put(lvl1, "cgroup.subtree_control", "");
        put(lvl2, "cgroup.subtree_control", "");
        assert_int_equal(iso_cg_make(&env, "memory", "isocheck-2-b/c", "hog", &cg, &e), 0);
        assert_int_equal(cg.version, 2);
        char *s = get(lvl1, "cgroup.subtree_control");
        assert_string_equal(s, "+memory");
        free(s);
        s = get(lvl2, "cgroup.subtree_control");
        assert_string_equal(s, "+memory");
        free(s);
        s = get(m, "cgroup.subtree_control");
        assert_string_equal(s, "cpu memory\n");
        free(s);
}

/* A cgroup @rel (like "/a/b/hog") below the fake mount @root, each level made. */
static struct iso_cg fake_nested(int version, const char *rel)
{
        struct iso_cg cg = {.version = version};
        assert_int_equal(iso_pathf(cg.path, sizeof(cg.path), "%s%s", root, rel), 0);
        assert_int_equal(iso_pathf(cg.rel, sizeof(cg.rel), "%s", rel), 0);
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", root);
        char parts[PATH_MAX];
        snprintf(parts, sizeof(parts), "%s", rel);
        for (char *save = NULL, *p = strtok_r(parts, "/", &save); p;
             p = strtok_r(NULL, "/", &save)) {
                size_t len = strlen(dir);
                snprintf(dir + len, sizeof(dir) - len, "/%s", p);
                mkdir(dir, 0755);
        }
        return cg;
}

/* Issue 11 item 3: 30 MiB above a 32 MiB case cgroup, as in a memory-limited container
 * whose cgroup is the mount's root. Further inputs: the memsw limit is the tighter one
 * (v1); v2, whose root has no memory.max; an ancestor looser than the case: none. */
static void tighter_ancestor_v1(void **state)
{
        (void)state;
        struct iso_cg cg = fake_nested(1, "/anc1/isocheck-1-a/c/hog");
        char dir[PATH_MAX + 64];
        put(root, "memory.limit_in_bytes", "31457280\n");
        snprintf(dir, sizeof(dir), "%s/anc1", root);
        put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
        snprintf(dir, sizeof(dir), "%s/anc1/isocheck-1-a", root);
        put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
        put(dir, "memory.memsw.limit_in_bytes", "20971520\n");
        snprintf(dir, sizeof(dir), "%s/anc1/isocheck-1-a/c", root);
        put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
        put(cg.path, "memory.limit_in_bytes", "33554432\n");
        struct iso_cg anc;
        long long lim = 0;
        struct iso_err e = {0};
        assert_int_equal(iso_memcg_tighter_ancestor(&cg, 33554432, &anc, &lim, &e), 1);
        assert_int_equal(lim, 20971520);
        char want[PATH_MAX + 64];
        snprintf(want, sizeof(want), "%s/anc1/isocheck-1-a", root);
        assert_string_equal(anc.path, want);
        /* Without the memsw limit the mount's root (30 MiB) is the tightest. */
        put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
        snprintf(dir, sizeof(dir), "%s/anc1/isocheck-1-a", root);
        put(dir, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        assert_int_equal(iso_memcg_tighter_ancestor(&cg, 33554432, &anc, &lim, &e), 1);
        assert_int_equal(lim, 31457280);
        assert_string_equal(anc.path, root);
        /* Looser than the case: no ancestor acts first. */
        assert_int_equal(iso_memcg_tighter_ancestor(&cg, 16777216, &anc, &lim, &e), 0);
        /* A limit that cannot be read is an error naming the file. */
        snprintf(dir, sizeof(dir), "%s/anc1/isocheck-1-a/c/memory.limit_in_bytes", root);
        unlink(dir);
        assert_int_equal(iso_memcg_tighter_ancestor(&cg, 33554432, &anc, &lim, &e), -1);
        assert_non_null(strstr(e.msg, "memory.limit_in_bytes"));
        /* A cgroup whose path does not end in its rel is refused. */
        struct iso_cg bad = cg;
        snprintf(bad.rel, sizeof(bad.rel), "/elsewhere");
        assert_int_equal(iso_memcg_tighter_ancestor(&bad, 33554432, &anc, &lim, &e), -1);
        assert_int_equal(e.errnum, EINVAL);
        snprintf(dir, sizeof(dir), "%s/memory.limit_in_bytes", root);
        unlink(dir);
}

static void tighter_ancestor_v2(void **state)
{
        (void)state;
        struct iso_cg cg = fake_nested(2, "/anc2/isocheck-1-a/c/hog");
        char dir[PATH_MAX + 64];
        /* The root (the fake mount) has no memory.max. */
        snprintf(dir, sizeof(dir), "%s/anc2", root);
        put(dir, "memory.max", "31457280\n");
        snprintf(dir, sizeof(dir), "%s/anc2/isocheck-1-a", root);
        put(dir, "memory.max", "max\n");
        snprintf(dir, sizeof(dir), "%s/anc2/isocheck-1-a/c", root);
        put(dir, "memory.max", "max\n");
        struct iso_cg anc;
        long long lim = 0;
        struct iso_err e = {0};
        assert_int_equal(iso_memcg_tighter_ancestor(&cg, 33554432, &anc, &lim, &e), 1);
        assert_int_equal(lim, 31457280);
        assert_int_equal(anc.version, 2);
        snprintf(dir, sizeof(dir), "%s/anc2", root);
        assert_string_equal(anc.path, dir);
        put(dir, "memory.max", "max\n");
        assert_int_equal(iso_memcg_tighter_ancestor(&cg, 33554432, &anc, &lim, &e), 0);
        /* Further input of the kind: memory.high below the case's limit throttles instead
         * of killing; "max" and a missing file (the root) do not. */
        assert_int_equal(iso_memcg_high_ancestor(&cg, 33554432, &anc, &lim, &e), 0);
        snprintf(dir, sizeof(dir), "%s/anc2/isocheck-1-a", root);
        put(dir, "memory.high", "max\n");
        snprintf(dir, sizeof(dir), "%s/anc2", root);
        put(dir, "memory.high", "20971520\n");
        assert_int_equal(iso_memcg_high_ancestor(&cg, 33554432, &anc, &lim, &e), 1);
        assert_int_equal(lim, 20971520);
        assert_string_equal(anc.path, dir);
        put(dir, "memory.high", "max\n");
        assert_int_equal(iso_memcg_high_ancestor(&cg, 33554432, &anc, &lim, &e), 0);
        /* v1 has no memory.high. */
        struct iso_cg v1 = cg;
        v1.version = 1;
        put(dir, "memory.high", "1\n");
        assert_int_equal(iso_memcg_high_ancestor(&v1, 33554432, &anc, &lim, &e), 0);
}

/* Issue 11 item 3: oom_kill_disable 1 inherited from the parent is switched off (v1); v2
 * has no such switch. */
static void oom_kill_switch(void **state)
{
        (void)state;
        struct iso_cg cg = fake_cg(1, "oomoff");
        put(cg.path, "memory.oom_control", "oom_kill_disable 1\nunder_oom 0\noom_kill 0\n");
        assert_int_equal(iso_memcg_oom_kill_disabled(&cg), 1);
        int was = 0;
        assert_int_equal(iso_memcg_allow_oom_kill(&cg, &was, NULL), 0);
        assert_int_equal(was, 1);
        char *s = get(cg.path, "memory.oom_control");
        assert_int_equal(s[0], '0'); /* written over the start of a plain file */
        free(s);
        put(cg.path, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
        assert_int_equal(iso_memcg_oom_kill_disabled(&cg), 0);
        assert_int_equal(iso_memcg_allow_oom_kill(&cg, &was, NULL), 0);
        assert_int_equal(was, 0);
        struct iso_cg none = fake_cg(1, "oomnone");
        struct iso_err e = {0};
        assert_int_equal(iso_memcg_oom_kill_disabled(&none), -1);
        assert_int_equal(iso_memcg_allow_oom_kill(&none, &was, &e), -1);
        assert_non_null(strstr(e.msg, "memory.oom_control"));
        struct iso_cg v2 = fake_cg(2, "oomv2");
        assert_int_equal(iso_memcg_allow_oom_kill(&v2, &was, NULL), 0);
        assert_int_equal(was, 0);
        assert_int_equal(iso_memcg_oom_kill_disabled(&v2), 0);
}

/* cgroup-v2.rst "Mounting": memory_localevents among the super options. */
static void local_events_from_mountinfo(void **state)
{
        (void)state;
        const char *mi = "25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw\n"
                         "31 25 0:27 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 "
                         "rw,nsdelegate,memory_localevents\n"
                         "40 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 none rw,nsdelegate\n"
                         "41 25 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        assert_int_equal(iso_memcg_local_events(mi, "/sys/fs/cgroup"), 1);
        assert_int_equal(iso_memcg_local_events(mi, "/sys/fs/cgroup/unified"), 0);
        assert_int_equal(iso_memcg_local_events(mi, "/sys/fs/cgroup/memory"), -1);
        assert_int_equal(iso_memcg_local_events(mi, "/nowhere"), -1);
        assert_int_equal(iso_memcg_local_events("garbage without fields", "/sys"), -1);
}

/* Issue 11 item 3: `ulimit -v 90000` (RLIMIT_AS); further input `ulimit -d 90000`. */
static void rlimits_that_refuse_the_hog(void **state)
{
        (void)state;
        struct iso_env env = {0};
        env.rlimit_as = env.rlimit_data = -1;
        char why[512] = "";
        assert_int_equal(
                iso_memcg_rlimit_refuses(&env, 12LL << 20, 5LL << 20, 96LL << 20, why, sizeof(why)),
                0);
        env.rlimit_as = 90000LL * 1024;
        assert_int_equal(
                iso_memcg_rlimit_refuses(&env, 12LL << 20, 5LL << 20, 96LL << 20, why, sizeof(why)),
                1);
        assert_non_null(strstr(why, "RLIMIT_AS is 92160000 bytes (ulimit -v 90000)"));
        env.rlimit_as = 1LL << 30; /* room enough */
        assert_int_equal(
                iso_memcg_rlimit_refuses(&env, 12LL << 20, 5LL << 20, 96LL << 20, why, sizeof(why)),
                0);
        env.rlimit_data = 90000LL * 1024;
        assert_int_equal(
                iso_memcg_rlimit_refuses(&env, 12LL << 20, 5LL << 20, 96LL << 20, why, sizeof(why)),
                1);
        assert_non_null(strstr(why, "RLIMIT_DATA is 92160000 bytes (ulimit -d 90000)"));
        /* What is already mapped counts: 100 MiB free of the hog alone is not enough. */
        env.rlimit_data = -1;
        env.rlimit_as = 100LL << 20;
        assert_int_equal(
                iso_memcg_rlimit_refuses(&env, 12LL << 20, 5LL << 20, 96LL << 20, why, sizeof(why)),
                1);
        char rl[256];
        env.rlimit_nproc = 63;
        env.rlimit_nofile = -1;
        env.rlimit_stack = 128LL * 1024; /* issue 11b item 7: ulimit -s 128 */
        env.rlimit_fsize = 1024;         /* issue 11b item 5: ulimit -f 1 */
        iso_env_format_rlimits(&env, rl, sizeof(rl));
        assert_string_equal(rl, "AS 104857600, DATA unlimited, NPROC 63, NOFILE unlimited, "
                                "STACK 131072, FSIZE 1024");
}

/* Issue 11 item 2: a run under `unshare --cgroup` from /t1 reads "/../isocheck-..." for
 * its own cgroups; further input: a namespace two levels down ("/../.."), a mount of a
 * subtree seen from the init namespace ("/docker/abc"). */
static void view_path_follows_the_namespace_root(void **state)
{
        (void)state;
        char out[PATH_MAX];
        assert_int_equal(iso_cg_view_path("/", "/isocheck-1-a/c/hog", out, sizeof(out)), 0);
        assert_string_equal(out, "/isocheck-1-a/c/hog");
        assert_int_equal(iso_cg_view_path("/..", "/isocheck-1-a/c/hog", out, sizeof(out)), 0);
        assert_string_equal(out, "/../isocheck-1-a/c/hog");
        assert_int_equal(iso_cg_view_path("/../..", "/isocheck-1-a/c/hog", out, sizeof(out)), 0);
        assert_string_equal(out, "/../../isocheck-1-a/c/hog");
        assert_int_equal(iso_cg_view_path("/docker/abc", "/isocheck-1-a/c/hog", out, sizeof(out)),
                         0);
        assert_string_equal(out, "/docker/abc/isocheck-1-a/c/hog");
        char small[8];
        assert_int_equal(iso_cg_view_path("/..", "/isocheck-1-a", small, sizeof(small)), -1);
}

static void proc_path_picks_the_hierarchy(void **state)
{
        (void)state;
        const char *text = "12:cpu,cpuacct:/\n"
                           "4:memory:/../isocheck-1-a/c/hog\n"
                           "3:name=systemd:/user.slice\n"
                           "0::/../isocheck-1-a/c/ctl\n";
        char out[PATH_MAX];
        assert_int_equal(iso_cg_proc_path(text, 1, "memory", out, sizeof(out)), 0);
        assert_string_equal(out, "/../isocheck-1-a/c/hog");
        assert_int_equal(iso_cg_proc_path(text, 1, "cpuacct", out, sizeof(out)), 0);
        assert_string_equal(out, "/");
        assert_int_equal(iso_cg_proc_path(text, 2, NULL, out, sizeof(out)), 0);
        assert_string_equal(out, "/../isocheck-1-a/c/ctl");
        /* "mem" is not "memory", and a prefix of a controller list is no match. */
        assert_int_equal(iso_cg_proc_path(text, 1, "mem", out, sizeof(out)), -1);
        assert_int_equal(iso_cg_proc_path(text, 1, "pids", out, sizeof(out)), -1);
        assert_int_equal(iso_cg_proc_path("garbage", 1, "memory", out, sizeof(out)), -1);
        assert_int_equal(iso_cg_proc_path("4:memory:/no-newline", 1, "memory", out, sizeof(out)),
                         0);
        assert_string_equal(out, "/no-newline");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(keyed_values),
                cmocka_unit_test(v2_limit_and_counters),
                cmocka_unit_test(v1_limit_and_counters),
                cmocka_unit_test(v1_old_kernel_counters),
                cmocka_unit_test(limit_write_error_names_file_and_value),
                cmocka_unit_test(swap_policy),
                cmocka_unit_test(page_rounding),
                cmocka_unit_test(make_v1),
                cmocka_unit_test(make_readonly),
                cmocka_unit_test(make_v2_enables_controller_down_the_path),
                cmocka_unit_test(view_path_follows_the_namespace_root),
                cmocka_unit_test(proc_path_picks_the_hierarchy),
                cmocka_unit_test(tighter_ancestor_v1),
                cmocka_unit_test(tighter_ancestor_v2),
                cmocka_unit_test(oom_kill_switch),
                cmocka_unit_test(local_events_from_mountinfo),
                cmocka_unit_test(rlimits_that_refuse_the_hog),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
