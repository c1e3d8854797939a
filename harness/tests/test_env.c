// SPDX-License-Identifier: MIT
/*
 * Environment probe: the pure parts (cgroup mode from magic numbers, mountinfo parsing
 * of recorded hosts, requirement reasons on a hand-built environment) and a smoke run of
 * the real probe on this machine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/env.h"
#include "samples.h"

#define EXT4_MAGIC 0xEF53L

static struct iso_env *new_env(void)
{
        struct iso_env *env = calloc(1, sizeof(*env));

        assert_non_null(env);
        return env;
}

static void parse_sample(struct iso_env *env, const char *name)
{
        char *text = read_sample(name);

        iso_env_parse_mountinfo(env, text);
        free(text);
}

/* ---- cgroup mode ------------------------------------------------------------------- */

static void test_mode_from_magic(void **state)
{
        const long magics[] = {CGROUP2_SUPER_MAGIC, TMPFS_MAGIC, EXT4_MAGIC, 0};

        (void)state;
        for (size_t u = 0; u < ISO_ARRAY_SIZE(magics); u++) {
                /* cgroup2 at the root is unified whatever unified/ is. */
                assert_int_equal(iso_cg_mode_from_magic(CGROUP2_SUPER_MAGIC, magics[u]),
                                 ISO_CG_UNIFIED);
                /* tmpfs at the root: hybrid only when unified/ is cgroup2. */
                assert_int_equal(iso_cg_mode_from_magic(TMPFS_MAGIC, magics[u]),
                                 magics[u] == CGROUP2_SUPER_MAGIC ? ISO_CG_HYBRID : ISO_CG_LEGACY);
                /* Anything else (or nothing) at the root: no cgroup filesystem. */
                assert_int_equal(iso_cg_mode_from_magic(EXT4_MAGIC, magics[u]), ISO_CG_NONE);
                assert_int_equal(iso_cg_mode_from_magic(0, magics[u]), ISO_CG_NONE);
        }
}

static void test_mode_names(void **state)
{
        (void)state;
        assert_string_equal(iso_cg_mode_name(ISO_CG_NONE), "none");
        assert_string_equal(iso_cg_mode_name(ISO_CG_LEGACY), "legacy");
        assert_string_equal(iso_cg_mode_name(ISO_CG_HYBRID), "hybrid");
        assert_string_equal(iso_cg_mode_name(ISO_CG_UNIFIED), "unified");
}

/* ---- mountinfo --------------------------------------------------------------------- */

static void assert_hier(const struct iso_cg_hierarchy *h, int version, const char *mount,
                        const char *root, const char *controllers, int readonly)
{
        assert_non_null(h);
        assert_int_equal(h->version, version);
        assert_string_equal(h->mount, mount);
        assert_string_equal(h->root, root);
        assert_string_equal(h->controllers, controllers);
        assert_int_equal(h->readonly, readonly);
}

static void test_mountinfo_hybrid(void **state)
{
        static const char *const v1[] = {"cpu",     "cpuacct", "cpuset", "memory",
                                         "devices", "freezer", "blkio",  "pids"};
        struct iso_env *env = new_env();
        char mount[64];

        (void)state;
        parse_sample(env, "mountinfo-hybrid.txt");
        assert_int_equal(env->n_hierarchies, 10);
        for (size_t i = 0; i < ISO_ARRAY_SIZE(v1); i++) {
                snprintf(mount, sizeof(mount), "/sys/fs/cgroup/%s", v1[i]);
                assert_hier(&env->hierarchies[i], 1, mount, "/", v1[i], 0);
                assert_ptr_equal(iso_env_hierarchy(env, v1[i]), &env->hierarchies[i]);
        }
        assert_hier(&env->hierarchies[8], 1, "/sys/fs/cgroup/systemd", "/", "name=systemd", 0);
        assert_hier(&env->hierarchies[9], 2, "/sys/fs/cgroup/unified", "/", "", 0);
        assert_ptr_equal(iso_env_hierarchy(env, NULL), &env->hierarchies[9]);
        assert_ptr_equal(iso_env_hierarchy(env, "name=systemd"), &env->hierarchies[8]);
        assert_null(iso_env_hierarchy(env, "hugetlb"));
        assert_null(iso_env_hierarchy(env, "mem"));

        /* Memory: the v1 hierarchy wins; the hybrid cgroup2 mount has no memory. */
        assert_int_equal(env->memory_version, 1);
        assert_string_equal(env->memory_path, "/sys/fs/cgroup/memory");
        free(env);
}

static void test_mountinfo_unified(void **state)
{
        struct iso_env *env = new_env();

        (void)state;
        parse_sample(env, "mountinfo-unified.txt");
        assert_int_equal(env->n_hierarchies, 1);
        /* nsdelegate,memory_recursiveprot are flags; v2 controllers come from the file. */
        assert_hier(&env->hierarchies[0], 2, "/sys/fs/cgroup", "/", "", 0);
        assert_ptr_equal(iso_env_hierarchy(env, NULL), &env->hierarchies[0]);
        assert_null(iso_env_hierarchy(env, "memory"));
        /* Until cgroup.controllers is read, nothing says memory is there. */
        assert_int_equal(env->memory_version, 0);
        assert_string_equal(env->memory_path, "");
        free(env);
}

static void test_mountinfo_legacy(void **state)
{
        static const struct {
                const char *mount, *controllers;
        } want[] = {
                {"/sys/fs/cgroup/systemd", "name=systemd"},
                {"/sys/fs/cgroup/net_cls,net_prio", "net_cls,net_prio"},
                {"/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct"},
                {"/sys/fs/cgroup/memory", "memory"},
                {"/sys/fs/cgroup/pids", "pids"},
                {"/sys/fs/cgroup/cpuset", "cpuset"},
                {"/sys/fs/cgroup/blkio", "blkio"},
                {"/sys/fs/cgroup/devices", "devices"},
                {"/sys/fs/cgroup/freezer", "freezer"},
                {"/sys/fs/cgroup/hugetlb", "hugetlb"},
                {"/sys/fs/cgroup/perf_event", "perf_event"},
        };
        struct iso_env *env = new_env();

        (void)state;
        /* A Docker container on a v1 host: every cgroup mount read-only, rooted in /docker/. */
        parse_sample(env, "mountinfo-legacy.txt");
        assert_int_equal(env->n_hierarchies, ISO_ARRAY_SIZE(want));
        for (size_t i = 0; i < ISO_ARRAY_SIZE(want); i++)
                assert_hier(&env->hierarchies[i], 1, want[i].mount, "/docker/9e1c2f3a4b5d",
                            want[i].controllers, 1);
        assert_null(iso_env_hierarchy(env, NULL));
        assert_ptr_equal(iso_env_hierarchy(env, "cpu"), &env->hierarchies[2]);
        assert_ptr_equal(iso_env_hierarchy(env, "cpuacct"), &env->hierarchies[2]);
        assert_ptr_equal(iso_env_hierarchy(env, "net_prio"), &env->hierarchies[1]);
        assert_null(iso_env_hierarchy(env, "cpu,cpuacct"));
        assert_int_equal(env->memory_version, 1);
        assert_string_equal(env->memory_path, "/sys/fs/cgroup/memory");
        free(env);
}

static void test_mountinfo_escapes(void **state)
{
        struct iso_env *env = new_env();

        (void)state;
        parse_sample(env, "mountinfo-escapes.txt");
        assert_int_equal(env->n_hierarchies, 4);
        /* \040 space; seclabel and clone_children are not controllers. */
        assert_hier(&env->hierarchies[0], 1, "/mnt/my cgroups/memory", "/", "memory", 0);
        /* \134 backslash in the mount point, \011 tab in the root; noprefix dropped. */
        assert_hier(&env->hierarchies[1], 1, "/mnt/my cgroups/cpu\\cpuacct", "/lab\ttab",
                    "cpu,cpuacct", 0);
        /* \012 newline; mounted ro; "none" is a flag, name= stays. */
        assert_hier(&env->hierarchies[2], 1, "/mnt/my cgroups/line\nbreak", "/", "name=lab", 1);
        /* Three optional fields before the separator. */
        assert_hier(&env->hierarchies[3], 2, "/mnt/my cgroups/v2", "/", "", 0);
        assert_int_equal(env->memory_version, 1);
        assert_string_equal(env->memory_path, "/mnt/my cgroups/memory");
        free(env);
}

/* A later mount over a path hides the cgroup mounts that were there. */
static void test_mountinfo_hidden(void **state)
{
        /* A runtime put a tmpfs and v1 memory over the host's cgroup2 at /sys/fs/cgroup. */
        const char *overmount = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
                                "23 1 0:21 / /sys rw - sysfs sysfs rw\n"
                                "31 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n"
                                "50 31 0:50 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                                "51 50 0:51 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        /* A tmpfs over /sys/fs (same parent, higher up) covers cgroups mounted earlier. */
        const char *sibling = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
                              "23 1 0:21 / /sys rw - sysfs sysfs rw\n"
                              "31 23 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                              "32 31 0:28 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
                              "40 23 0:40 / /sys/fs rw - tmpfs tmpfs rw\n"
                              "41 40 0:41 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        /* A read-only bind of a hierarchy over itself: the ro one is what a case sees. */
        const char *rebind = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
                             "31 1 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                             "32 31 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                             "33 32 0:28 / /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
                             "34 31 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
        struct iso_env *env = new_env();

        (void)state;
        assert_int_equal(iso_env_parse_mountinfo(env, overmount), 1);
        assert_hier(&env->hierarchies[0], 1, "/sys/fs/cgroup/memory", "/", "memory", 0);
        assert_null(iso_env_hierarchy(env, NULL));

        assert_int_equal(iso_env_parse_mountinfo(env, sibling), 1);
        assert_hier(&env->hierarchies[0], 2, "/sys/fs/cgroup", "/", "", 0);
        assert_null(iso_env_hierarchy(env, "pids"));

        assert_int_equal(iso_env_parse_mountinfo(env, rebind), 2);
        assert_hier(&env->hierarchies[0], 1, "/sys/fs/cgroup/memory", "/", "memory", 1);
        assert_hier(&env->hierarchies[1], 1, "/sys/fs/cgroup/pids", "/", "pids", 0);
        free(env);
}

static void test_mountinfo_malformed(void **state)
{
        struct iso_env *env = new_env();
        char big[8192];
        size_t used = 0;

        (void)state;
        assert_int_equal(iso_env_parse_mountinfo(env, NULL), 0);
        assert_int_equal(iso_env_parse_mountinfo(env, ""), 0);
        assert_int_equal(iso_env_parse_mountinfo(env, "\n\n  \n"), 0);
        /*
         * No separator, too few fields, non-numeric ids, no super options (the kernel always
         * writes at least rw or ro; libmount refuses the line): skipped, not misread.
         */
        assert_int_equal(iso_env_parse_mountinfo(env, "1 0 0:1 / /a rw cgroup cgroup rw,memory\n"
                                                      "2 0 0:2 / /b rw -\n"
                                                      "x 0 0:3 / /c rw - cgroup cgroup rw,pids\n"
                                                      "3 0 0:4 / /d rw - cgroup\n"
                                                      "5 0 0:6 / /f rw - cgroup cgroup\n"
                                                      "4 0 0:5 / /e rw - cgroup cgroup rw\n"),
                         1);
        /* The last line's super options are a mount flag alone: no controllers, still a
         * hierarchy. */
        assert_hier(&env->hierarchies[0], 1, "/e", "/", "", 0);
        /* A damaged first line does not make the rest read as an fstab. */
        assert_int_equal(iso_env_parse_mountinfo(env, "garbage line\n"
                                                      "4 0 0:5 / /e rw - cgroup cgroup rw\n"),
                         1);

        /* More hierarchies than fit: the first ISO_MAX_HIERARCHIES are kept. */
        for (int i = 0; i < ISO_MAX_HIERARCHIES + 6; i++)
                used += (size_t)snprintf(big + used, sizeof(big) - used,
                                         "%d 1 0:%d / /cg/h%d rw - cgroup cgroup rw,name=h%d\n",
                                         100 + i, 100 + i, i, i);
        assert_int_equal(iso_env_parse_mountinfo(env, big), ISO_MAX_HIERARCHIES);
        assert_string_equal(env->hierarchies[ISO_MAX_HIERARCHIES - 1].mount, "/cg/h23");
        free(env);
}

/* ---- requirements ------------------------------------------------------------------ */

/* uid 1000, no capabilities, no pid namespace, memory on v1, kmsg closed, no stress-ng. */
static int setup_fake(void **state)
{
        struct iso_env *env = new_env();
        char path[512];

        parse_sample(env, "mountinfo-hybrid.txt");
        env->euid = 1000;
        env->cap_eff = 0;
        env->cg_mode = ISO_CG_HYBRID;
        snprintf(env->hierarchies[9].controllers, sizeof(env->hierarchies[9].controllers),
                 "hugetlb");
        snprintf(env->namespaces, sizeof(env->namespaces), "cgroup ipc mnt net uts");
        sample_path(path, sizeof(path), "config-sample");
        assert_int_equal(iso_kconfig_load(&env->kconfig, path, NULL), 0);
        env->swap_total_kb = 0;
        env->swap_accounting = 1;
        env->overcommit_memory = 0;
        env->kmsg_readable = 0;
        snprintf(env->kmsg_error, sizeof(env->kmsg_error), "Operation not permitted");
        env->n_tools = 2;
        env->tools[0].name = "stress-ng";
        env->tools[1].name = "unshare";
        snprintf(env->tools[1].path, sizeof(env->tools[1].path), "/usr/bin/unshare");
        snprintf(env->tools[1].version, sizeof(env->tools[1].version),
                 "unshare from util-linux 2.38.1");
        env->tools[1].version_probed = 1;
        *state = env;
        return 0;
}

static int teardown_fake(void **state)
{
        struct iso_env *env = *state;

        iso_env_free(env);
        free(env);
        return 0;
}

static void expect_unmet(const struct iso_env *env, struct iso_need need, const char *reason)
{
        char got[512] = "untouched";

        assert_int_equal(iso_env_need_met(env, &need, got, sizeof(got)), 0);
        assert_string_equal(got, reason);
}

static void expect_met(const struct iso_env *env, struct iso_need need)
{
        char got[512] = "untouched";

        assert_int_equal(iso_env_need_met(env, &need, got, sizeof(got)), 1);
        assert_string_equal(got, "");
}

static void test_need_root(void **state)
{
        struct iso_env *env = *state;

        expect_unmet(env, (struct iso_need)ISO_ROOT, "needs root: running as uid 1000");
        env->euid = 0;
        env->cap_eff = 0x1ffffffffffULL & ~(1ULL << 21);
        expect_met(env, (struct iso_need)ISO_ROOT);
        expect_unmet(env, (struct iso_need)ISO_CAP_SYS_ADMIN,
                     "needs CAP_SYS_ADMIN: not in the effective capability set "
                     "(CapEff=0x000001ffffdfffff)");
        assert_false(iso_env_has_cap(env, 21));
        assert_true(iso_env_has_cap(env, 0));
        assert_false(iso_env_has_cap(env, 64));
        assert_false(iso_env_has_cap(env, -1));
        env->cap_eff |= 1ULL << 21;
        expect_met(env, (struct iso_need)ISO_ROOT);
        expect_met(env, (struct iso_need)ISO_CAP_SYS_ADMIN);
        /* The END marker and a NULL reason buffer are fine too. */
        expect_met(env, (struct iso_need){ISO_NEED_END, NULL, 0});
        assert_int_equal(iso_env_need_met(env, &(struct iso_need)ISO_ROOT, NULL, 0), 1);
        env->euid = 1000;
        assert_int_equal(iso_env_need_met(env, &(struct iso_need)ISO_ROOT, NULL, 0), 0);
}

static void test_need_ns(void **state)
{
        struct iso_env *env = *state;

        expect_unmet(env, (struct iso_need)ISO_NS("pid"),
                     "needs the pid namespace: /proc/self/ns/pid does not exist");
        expect_met(env, (struct iso_need)ISO_NS("net"));
        expect_met(env, (struct iso_need)ISO_NS("cgroup"));
        assert_true(iso_env_has_ns(env, "uts"));
        assert_false(iso_env_has_ns(env, "ut"));
        assert_false(iso_env_has_ns(env, "time"));
}

static void test_need_kconfig(void **state)
{
        struct iso_env *env = *state;
        char reason[512];

        snprintf(reason, sizeof(reason),
                 "needs CONFIG_USER_NS: kernel config (%s) says it is not set",
                 env->kconfig.source);
        expect_unmet(env, (struct iso_need)ISO_KCONFIG("CONFIG_USER_NS"), reason);
        expect_unmet(env, (struct iso_need)ISO_KCONFIG("USER_NS"), reason);
        snprintf(reason, sizeof(reason),
                 "needs CONFIG_NO_SUCH_THING: kernel config (%s) says it is not set",
                 env->kconfig.source);
        expect_unmet(env, (struct iso_need)ISO_KCONFIG("CONFIG_NO_SUCH_THING"), reason);
        expect_met(env, (struct iso_need)ISO_KCONFIG("CONFIG_PID_NS")); /* y */
        expect_met(env, (struct iso_need)ISO_KCONFIG("CONFIG_VETH"));   /* m */
        expect_met(env, (struct iso_need)ISO_KCONFIG("CONFIG_HZ"));     /* value */

        /* No config at all: cannot tell, so the case runs and the syscall answers. */
        iso_kconfig_free(&env->kconfig);
        expect_met(env, (struct iso_need)ISO_KCONFIG("CONFIG_USER_NS"));
}

static void test_need_tool(void **state)
{
        struct iso_env *env = *state;

        expect_unmet(env, (struct iso_need)ISO_TOOL("stress-ng"),
                     "needs stress-ng: not found on PATH");
        expect_met(env, (struct iso_need)ISO_TOOL("unshare"));
        assert_string_equal(iso_env_tool(env, "unshare")->path, "/usr/bin/unshare");
        assert_null(iso_env_tool(env, "ip"));
        /* Not probed: looked up on PATH now. */
        expect_unmet(env, (struct iso_need)ISO_TOOL("isocheck-no-such-tool"),
                     "needs isocheck-no-such-tool: not found on PATH");
        expect_met(env, (struct iso_need)ISO_TOOL("sh"));
}

static void test_need_cgroup_hybrid(void **state)
{
        struct iso_env *env = *state;

        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 2),
                     "needs the memory controller on cgroup v2: it is on cgroup v1 here "
                     "(/sys/fs/cgroup/memory)");
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 1));
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 0));
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("rdma", 0),
                     "needs the rdma cgroup controller: not mounted (cgroup mode hybrid)");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("rdma", 1),
                     "needs the rdma cgroup controller: not mounted (cgroup mode hybrid)");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("rdma", 2),
                     "needs the rdma controller on cgroup v2: not in "
                     "/sys/fs/cgroup/unified/cgroup.controllers");
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL("hugetlb", 2));
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL("hugetlb", 0));
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("hugetlb", 1),
                     "needs the hugetlb controller on cgroup v1: it is on cgroup v2 here "
                     "(/sys/fs/cgroup/unified)");
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL(NULL, 2));
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL(NULL, 1));

        env->hierarchies[3].readonly = 1;
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 0),
                     "needs a writable cgroupfs: /sys/fs/cgroup/memory is mounted read-only");
}

static void test_need_cgroup_unified(void **state)
{
        struct iso_env *env = *state;

        parse_sample(env, "mountinfo-unified.txt");
        env->cg_mode = ISO_CG_UNIFIED;
        snprintf(env->hierarchies[0].controllers, sizeof(env->hierarchies[0].controllers),
                 "cpuset cpu io memory hugetlb pids rdma misc");
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 2));
        expect_met(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 0));
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 1),
                     "needs the memory controller on cgroup v1: it is on cgroup v2 here "
                     "(/sys/fs/cgroup)");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("freezer", 0),
                     "needs the freezer cgroup controller: not mounted (cgroup mode unified)");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL(NULL, 1),
                     "needs cgroup v1: not mounted (cgroup mode unified)");
}

static void test_need_cgroup_legacy_readonly(void **state)
{
        struct iso_env *env = *state;

        parse_sample(env, "mountinfo-legacy.txt");
        env->cg_mode = ISO_CG_LEGACY;
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 1),
                     "needs a writable cgroupfs: /sys/fs/cgroup/memory is mounted read-only");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 2),
                     "needs the memory controller on cgroup v2: it is on cgroup v1 here "
                     "(/sys/fs/cgroup/memory)");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("rdma", 2),
                     "needs the rdma controller on cgroup v2: no cgroup v2 hierarchy is mounted "
                     "(cgroup mode legacy)");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL(NULL, 2),
                     "needs cgroup v2: not mounted (cgroup mode legacy)");
}

/* Issue 11, 4: Debian's 6.12 has no v1 memory controller; the skip names CONFIG_MEMCG_V1.
 * More of the kind: a kernel without the pids controller built (CONFIG_CGROUP_PIDS). */
static void test_need_cgroup_absent_names_the_config(void **state)
{
        struct iso_env *env = *state;
        char reason[512];

        env->n_hierarchies = 0;
        env->cg_mode = ISO_CG_LEGACY;
        snprintf(env->kernel_release, sizeof(env->kernel_release), "6.12.107+deb12-amd64");
        snprintf(reason, sizeof(reason),
                 "needs the memory cgroup controller: not mounted (cgroup mode legacy); the "
                 "kernel has no v1 memory controller: CONFIG_MEMCG_V1 is not set (kernel config "
                 "%s)",
                 env->kconfig.source);
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 1), reason);
        snprintf(reason, sizeof(reason),
                 "needs the pids cgroup controller: not mounted (cgroup mode legacy); "
                 "CONFIG_CGROUP_PIDS is not set (kernel config %s)",
                 env->kconfig.source);
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("pids", 0), reason);
        /* Before 6.11 the symbol did not exist and v1 memory was always there: no claim. */
        snprintf(env->kernel_release, sizeof(env->kernel_release), "6.1.0-57-amd64");
        expect_unmet(env, (struct iso_need)ISO_CGROUP_CTRL("memory", 1),
                     "needs the memory cgroup controller: not mounted (cgroup mode legacy)");
}

static void test_need_kmsg(void **state)
{
        struct iso_env *env = *state;

        expect_unmet(env, (struct iso_need)ISO_KMSG,
                     "needs a readable /dev/kmsg: Operation not permitted");
        env->kmsg_readable = 1;
        env->kmsg_error[0] = '\0';
        expect_met(env, (struct iso_need)ISO_KMSG);
}

static void test_need_invalid(void **state)
{
        struct iso_env *env = *state;
        char got[128];
        struct iso_need bogus = {(enum iso_need_kind)99, NULL, 0};

        assert_int_equal(iso_env_need_met(env, &bogus, got, sizeof(got)), 0);
        assert_non_null(strstr(got, "99"));
        assert_int_equal(
                iso_env_need_met(env, &(struct iso_need){ISO_NEED_NS, NULL, 0}, got, sizeof(got)),
                0);
        /* A tiny reason buffer is cut, not overrun. */
        assert_int_equal(iso_env_need_met(env, &(struct iso_need)ISO_ROOT, got, 6), 0);
        assert_string_equal(got, "needs");
}

/* ---- output ------------------------------------------------------------------------ */

static const char *prop(const struct iso_property *props, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(props[i].name, name))
                        return props[i].value;
        return NULL;
}

static void test_properties(void **state)
{
        struct iso_env *env = *state;
        struct iso_property props[40];
        char buf[2048];
        size_t n;

        env->euid = 0;
        env->cap_eff = 0x1fffeffffffULL;
        snprintf(env->kernel_release, sizeof(env->kernel_release), "6.18.44-test");
        snprintf(env->hostname, sizeof(env->hostname), "labhost");
        snprintf(env->container, sizeof(env->container), "docker");
        snprintf(env->virt, sizeof(env->virt), "KVM");
        env->rlimit_as = 92160000; /* ulimit -v 90000: issue 11 item 3 */
        env->rlimit_data = env->rlimit_nproc = env->rlimit_nofile = -1;
        env->rlimit_stack = env->rlimit_fsize = -1;
        n = iso_env_properties(env, props, ISO_ARRAY_SIZE(props), buf, sizeof(buf));
        /* 20, rlimits, tool.variables, and one kconfig.CONFIG_X per reported symbol. */
        size_t n_kconfig = 0;
        while (iso_env_kconfig_reported[n_kconfig])
                n_kconfig++;
        assert_int_equal(n, 22 + n_kconfig);
        /* From fixtures/samples/config-sample: set, and absent there (a 6.1 config). */
        assert_string_equal(prop(props, n, "kconfig.CONFIG_PID_NS"), "y");
        assert_string_equal(prop(props, n, "kconfig.CONFIG_MEMCG_V1"), "not set");
        assert_string_equal(prop(props, n, "kernel.package"), "unknown");
        assert_string_equal(prop(props, n, "rlimits"),
                            "AS 92160000, DATA unlimited, NPROC unlimited, NOFILE unlimited, "
                            "STACK unlimited, FSIZE unlimited");
        assert_non_null(prop(props, n, "docker"));
        assert_string_equal(prop(props, n, "tool.variables"), "none");
        assert_string_equal(prop(props, n, "kernel.release"), "6.18.44-test");
        assert_string_equal(prop(props, n, "hostname"), "labhost");
        assert_null(prop(props, n, "target"));
        assert_string_equal(prop(props, n, "cgroup.mode"), "hybrid");
        assert_string_equal(prop(props, n, "cgroup.memory"), "v1 /sys/fs/cgroup/memory");
        assert_string_equal(prop(props, n, "cgroup.v2.controllers"), "hugetlb");
        assert_string_equal(prop(props, n, "uid"), "0");
        assert_string_equal(prop(props, n, "capeff"), "0x000001fffeffffff");
        assert_string_equal(prop(props, n, "namespaces"), "cgroup ipc mnt net uts");
        assert_string_equal(prop(props, n, "kconfig.source"), env->kconfig.source);
        assert_string_equal(prop(props, n, "swap.total_kb"), "0");
        assert_string_equal(prop(props, n, "swap.accounting"), "yes");
        assert_string_equal(prop(props, n, "vm.overcommit_memory"), "0");
        assert_string_equal(prop(props, n, "kmsg.readable"), "no: Operation not permitted");
        assert_string_equal(prop(props, n, "container"), "docker");
        assert_string_equal(prop(props, n, "virt"), "KVM");
        assert_string_equal(prop(props, n, "tool.stress-ng"), "not found");
        assert_string_equal(prop(props, n, "tool.unshare"), "unshare from util-linux 2.38.1");
        /* A tool no selected case uses is found but never run (iso_env_probe_versions). */
        env->tools[1].version_probed = 0;
        n = iso_env_properties(env, props, ISO_ARRAY_SIZE(props), buf, sizeof(buf));
        assert_string_equal(prop(props, n, "tool.unshare"),
                            "found, version not asked: no selected case uses it");
        env->tools[1].version_probed = 1;

        /* Unknowns read as such. */
        env->swap_total_kb = -1;
        env->swap_accounting = -1;
        env->overcommit_memory = -1;
        n = iso_env_properties(env, props, ISO_ARRAY_SIZE(props), buf, sizeof(buf));
        assert_string_equal(prop(props, n, "swap.total_kb"), "unknown");
        assert_string_equal(prop(props, n, "swap.accounting"), "unknown");
        assert_string_equal(prop(props, n, "vm.overcommit_memory"), "unknown");

        /* Room for three: three, and nothing written past them. */
        props[3].name = NULL;
        assert_int_equal(iso_env_properties(env, props, 3, buf, sizeof(buf)), 3);
        assert_null(props[3].name);
        /* A buffer too small for the formatted values drops those, keeps the rest. */
        n = iso_env_properties(env, props, ISO_ARRAY_SIZE(props), buf, 4);
        assert_true(n > 0 && n < 17);
        assert_string_equal(prop(props, n, "cgroup.mode"), "hybrid");
        assert_null(prop(props, n, "cgroup.memory"));
        n = iso_env_properties(env, props, ISO_ARRAY_SIZE(props), NULL, 0);
        assert_true(n > 0);
}

static void test_print(void **state)
{
        struct iso_env *env = *state;
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        assert_non_null(f);
        iso_env_print(env, f);
        fclose(f);
        assert_non_null(strstr(text, "cgroup mode      hybrid (v1 hierarchies + cgroup2 at "
                                     "/sys/fs/cgroup/unified)\n"));
        assert_non_null(strstr(text, "memory           cgroup v1 at /sys/fs/cgroup/memory\n"));
        assert_non_null(strstr(text, "user             uid 1000\n"));
        assert_non_null(strstr(text, "CAP_SYS_ADMIN not effective"));
        assert_non_null(strstr(text, "v2 /sys/fs/cgroup/unified (hugetlb)"));
        assert_non_null(strstr(text, "CONFIG_USER_NS       not set"));
        assert_non_null(strstr(text, "/dev/kmsg        not readable: Operation not permitted\n"));
        assert_non_null(strstr(text, "stress-ng           not found"));
        free(text);
}

/* ---- the real machine -------------------------------------------------------------- */

static void test_probe_smoke(void **state)
{
        struct iso_env *env = new_env();
        struct iso_property props[40];
        char buf[4096];

        (void)state;
        iso_env_probe(env);
        assert_true(env->kernel_release[0] != '\0');
        assert_true(env->overcommit_memory >= -1 && env->overcommit_memory <= 2);
        assert_true(env->swap_accounting >= -1 && env->swap_accounting <= 1);
        assert_int_equal(env->n_tools, 7);
        assert_non_null(iso_env_tool(env, "unshare"));
        assert_true(iso_env_has_ns(env, "mnt"));
        if (env->memory_version)
                assert_true(env->memory_path[0] == '/');
        assert_true(iso_env_properties(env, props, ISO_ARRAY_SIZE(props), buf, sizeof(buf)) >= 15);

        FILE *null = fopen("/dev/null", "w");

        assert_non_null(null);
        iso_env_print(env, null);
        fclose(null);
        iso_env_free(env);
        free(env);
}

#define FAKE(t) cmocka_unit_test_setup_teardown(t, setup_fake, teardown_fake)

/* The kernel's package version, from each source a distribution leaves, in their order. */
static void test_kernel_package(void **state)
{
        char out[64];
        static const char status[] =
                "Package: linux-image-6.1.0-56-amd64\nStatus: install ok installed\n"
                "Version: 6.1.150-1\n\n"
                "Package: linux-image-6.1.0-57-amd64\nStatus: install ok installed\n"
                "Architecture: amd64\nVersion: 6.1.158-1\n\n"
                "Package: xlinux-image-6.9\nVersion: 9\n";

        (void)state;
        assert_int_equal(iso_env_kernel_package("#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 "
                                                "(2025-11-20)",
                                                NULL, NULL, "6.1.0-57-amd64", out, sizeof(out)),
                         1);
        assert_string_equal(out, "6.1.158-1");
        assert_int_equal(iso_env_kernel_package("#101-Ubuntu SMP",
                                                "Ubuntu 5.15.0-91.101-generic "
                                                "5.15.131\n",
                                                NULL, "5.15.0-91-generic", out, sizeof(out)),
                         1);
        assert_string_equal(out, "5.15.0-91.101-generic");
        /* Not the neighbour's paragraph, not a name that only ends the same. */
        FILE *f = fmemopen((void *)status, strlen(status), "r");

        assert_non_null(f);
        assert_int_equal(
                iso_env_kernel_package("#1 SMP", NULL, f, "6.1.0-57-amd64", out, sizeof(out)), 1);
        assert_string_equal(out, "6.1.158-1");
        rewind(f);
        assert_int_equal(iso_env_kernel_package("#1 SMP", NULL, f, "6.9", out, sizeof(out)), 0);
        fclose(f);
        assert_string_equal(out, "");
        assert_int_equal(iso_env_kernel_package(NULL, NULL, NULL, NULL, out, sizeof(out)), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mode_from_magic),
                cmocka_unit_test(test_mode_names),
                cmocka_unit_test(test_mountinfo_hybrid),
                cmocka_unit_test(test_mountinfo_unified),
                cmocka_unit_test(test_mountinfo_legacy),
                cmocka_unit_test(test_mountinfo_escapes),
                cmocka_unit_test(test_mountinfo_hidden),
                cmocka_unit_test(test_mountinfo_malformed),
                FAKE(test_need_root),
                FAKE(test_need_ns),
                FAKE(test_need_kconfig),
                FAKE(test_need_cgroup_absent_names_the_config),
                FAKE(test_need_tool),
                FAKE(test_need_cgroup_hybrid),
                FAKE(test_need_cgroup_unified),
                FAKE(test_need_cgroup_legacy_readonly),
                FAKE(test_need_kmsg),
                FAKE(test_need_invalid),
                FAKE(test_properties),
                FAKE(test_print),
                cmocka_unit_test(test_probe_smoke),
                cmocka_unit_test(test_kernel_package),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
