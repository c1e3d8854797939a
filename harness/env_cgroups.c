// SPDX-License-Identifier: MIT
/*
 * Environment probe: the cgroup hierarchies in use, swap and its accounting, overcommit.
 */
#include "env_probe.h"

/* ---- probe: cgroups ---------------------------------------------------------------- */

void probe_cgroups(struct iso_env *env)
{
        long root = fs_magic(CG_ROOT);

        /* unified/ matters only on a tmpfs root; 0 stands for "does not exist". */
        env->cg_mode = iso_cg_mode_from_magic(root, root == TMPFS_MAGIC ? fs_magic(CG_UNIFIED) : 0);

        iso_autofree char *mi = iso_read_file("/proc/self/mountinfo", NULL, NULL);

        iso_env_parse_mountinfo(env, mi);
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                struct iso_cg_hierarchy *h = &env->hierarchies[i];
                char path[PATH_MAX];

                if (h->version != 2 ||
                    iso_pathf(path, sizeof(path), "%s/cgroup.controllers", h->mount) < 0)
                        continue;

                iso_autofree char *ctl = iso_read_file(path, NULL, NULL);

                if (ctl)
                        copy_str(h->controllers, sizeof(h->controllers), trim(ctl));
        }
        choose_memory(env);
}

/* ---- probe: swap, overcommit ------------------------------------------------------- */

void probe_swap_total(struct iso_env *env)
{
        iso_autofree char *s = iso_read_file("/proc/swaps", NULL, NULL);

        env->swap_total_kb = -1;
        if (!s)
                return;

        /* Header line, then "Filename Type Size Used Priority" rows; Size in KiB. */
        char *line = strchr(s, '\n');
        long long total = 0;

        while (line && *++line) {
                char *next = strchr(line, '\n');
                unsigned long long size;

                if (next)
                        *next = '\0';
                if (sscanf(line, "%*s %*s %llu", &size) == 1)
                        total += (long long)size;
                line = next;
        }
        env->swap_total_kb = total;
}

/* Is @word one of the kernel's own command-line parameters (before a "--")? */
static int cmdline_has(const char *word)
{
        iso_autofree char *s = iso_read_file("/proc/cmdline", NULL, NULL);
        char *save = NULL;

        if (!s)
                return 0;
        for (char *t = strtok_r(s, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
                if (!strcmp(t, "--"))
                        break;
                if (!strcmp(t, word))
                        return 1;
        }
        return 0;
}

int release_at_least(const char *release, int major, int minor)
{
        int ma = 0, mi = 0;

        if (sscanf(release, "%d.%d", &ma, &mi) != 2)
                return -1;
        return ma > major || (ma == major && mi >= minor);
}

/*
 * What the kernel configuration implies about memcg swap accounting. Before 5.8 it was
 * CONFIG_MEMCG_SWAP plus CONFIG_MEMCG_SWAP_ENABLED (or swapaccount=1); from 5.8 it is on
 * whenever MEMCG_SWAP (automatic from MEMCG && SWAP) is; 6.1 dropped the symbol, leaving
 * MEMCG && SWAP. swapaccount=0 turns it off in all of them.
 */
static int swap_accounting_from_config(const struct iso_env *env)
{
        const struct iso_kconfig *kc = &env->kconfig;

        if (cmdline_has("swapaccount=0"))
                return 0;
        if (!kc->source[0])
                return -1;
        if (iso_kconfig_get(kc, "CONFIG_MEMCG", NULL, 0) != ISO_KCONFIG_Y ||
            iso_kconfig_get(kc, "CONFIG_SWAP", NULL, 0) != ISO_KCONFIG_Y)
                return 0;

        int modern = release_at_least(env->kernel_release, 5, 8);
        enum iso_kconfig_state sw = iso_kconfig_get(kc, "CONFIG_MEMCG_SWAP", NULL, 0);

        if (modern < 0)
                return -1;
        if (sw == ISO_KCONFIG_MISSING)
                return release_at_least(env->kernel_release, 6, 1) == 1 ? 1 : 0;
        if (modern)
                return 1;
        return iso_kconfig_get(kc, "CONFIG_MEMCG_SWAP_ENABLED", NULL, 0) == ISO_KCONFIG_Y ||
               cmdline_has("swapaccount=1");
}

/*
 * A v2 cgroup with the memory controller enabled shows memory.swap.max exactly when swap
 * accounting is on; the root shows neither, so look at our own cgroup and the root's
 * children. 1 or 0 when some cgroup tells, -1 when none does.
 */
static int v2_swap_files(const struct iso_cg_hierarchy *h)
{
        char dir[PATH_MAX];
        iso_autofree char *self = iso_read_file("/proc/self/cgroup", NULL, NULL);
        const char *p = self ? strstr(self, "0::") : NULL;

        if (p && (p == self || p[-1] == '\n')) {
                char rel[PATH_MAX];

                copy_str(rel, sizeof(rel), p + 3);
                rel[strcspn(rel, "\n")] = '\0';
                /* Without a cgroup namespace the path includes the mount's own root. */
                const char *sub = rel;

                if (strcmp(h->root, "/") && path_under(rel, h->root))
                        sub = rel + strlen(h->root);
                if (strcmp(sub, "/") && *sub &&
                    iso_pathf(dir, sizeof(dir), "%s%s", h->mount, sub) == 0 &&
                    exists(dir, "memory.current"))
                        return exists(dir, "memory.swap.max");
        }

        DIR *d = opendir(h->mount);
        struct dirent *de;
        int found = -1;

        if (!d)
                return -1;
        while (found < 0 && (de = readdir(d))) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                        continue;
                if (iso_pathf(dir, sizeof(dir), "%s/%s", h->mount, de->d_name) == 0 &&
                    exists(dir, "memory.current"))
                        found = exists(dir, "memory.swap.max");
        }
        closedir(d);
        return found;
}

void probe_swap_accounting(struct iso_env *env)
{
        env->swap_accounting = -1;
        if (env->memory_version == 1) {
                /* The memsw files exist only when v1 swap accounting is on. */
                env->swap_accounting = exists(env->memory_path, "memory.memsw.limit_in_bytes");
                return;
        }
        if (env->memory_version == 2 && !cmdline_has("swapaccount=0")) {
                const struct iso_cg_hierarchy *h = iso_env_hierarchy(env, NULL);

                env->swap_accounting = h ? v2_swap_files(h) : -1;
                if (env->swap_accounting >= 0)
                        return;
        }
        env->swap_accounting = swap_accounting_from_config(env);
}

void probe_overcommit(struct iso_env *env)
{
        long long v;

        env->overcommit_memory = -1;
        if (iso_read_long("/proc/sys/vm/overcommit_memory", &v, NULL) == 0 && v >= 0 && v <= 2)
                env->overcommit_memory = (int)v;
}
