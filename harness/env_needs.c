// SPDX-License-Identifier: MIT
/*
 * Environment probe: the requirements a case declares (.needs), met or unmet with the
 * reason a skip reports.
 */
#include "env_probe.h"
#include "isocheck/runtime.h"

/* ---- requirements ------------------------------------------------------------------ */

static int unmet(char *reason, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int unmet(char *reason, size_t size, const char *fmt, ...)
{
        va_list ap;

        if (reason && size) {
                va_start(ap, fmt);
                vsnprintf(reason, size, fmt, ap);
                va_end(ap);
        }
        return 0;
}

/* Is @ctrl in the comma list of kernel parameter "@key=" (cgroup_disable=memory,pids)? */
static int cmdline_lists(const char *key, const char *ctrl)
{
        iso_autofree char *s = iso_read_file("/proc/cmdline", NULL, NULL);
        size_t klen = strlen(key);
        char *save = NULL;

        if (!s)
                return 0;
        for (char *t = strtok_r(s, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
                if (!strcmp(t, "--"))
                        break;
                if (strncmp(t, key, klen) || t[klen] != '=')
                        continue;
                if (has_word(t + klen + 1, ctrl, ',') || !strcmp(t + klen + 1, "all"))
                        return 1;
        }
        return 0;
}

/*
 * Why controller @ctrl is not there, when the kernel says so: its command line, or its
 * configuration (6.11 made the v1 memory controller optional, CONFIG_MEMCG_V1, and
 * Debian's 6.12 leaves it out). Appended to an unmet reason; "" when nothing tells.
 */
static void ctrl_absence_cause(const struct iso_env *env, const char *ctrl, int version, char *out,
                               size_t size)
{
        const struct iso_kconfig *kc = &env->kconfig;
        enum iso_kconfig_state v1 = iso_kconfig_get(kc, "CONFIG_MEMCG_V1", NULL, 0);

        out[0] = '\0';
        if (cmdline_lists("cgroup_disable", ctrl))
                snprintf(out, size, "; the kernel command line disables it (cgroup_disable=)");
        else if (version != 2 && env->cg_mode != ISO_CG_UNIFIED &&
                 cmdline_lists("cgroup_no_v1", ctrl))
                snprintf(out, size, "; the kernel command line keeps it off v1 (cgroup_no_v1=)");
        else if (version != 2 && env->cg_mode != ISO_CG_UNIFIED && !strcmp(ctrl, "memory") &&
                 v1 == ISO_KCONFIG_MISSING && release_at_least(env->kernel_release, 6, 11) == 1)
                snprintf(out, size,
                         "; the kernel has no v1 memory controller: CONFIG_MEMCG_V1 is not set "
                         "(kernel config %s)",
                         kc->source);
        else if (version != 2 && env->cg_mode != ISO_CG_UNIFIED && !strcmp(ctrl, "cpuset") &&
                 iso_kconfig_get(kc, "CONFIG_CPUSETS_V1", NULL, 0) == ISO_KCONFIG_MISSING &&
                 release_at_least(env->kernel_release, 6, 12) == 1)
                snprintf(out, size,
                         "; the kernel has no v1 cpuset controller: CONFIG_CPUSETS_V1 is not set "
                         "(kernel config %s)",
                         kc->source);
        else if (!strcmp(ctrl, "memory") &&
                 iso_kconfig_get(kc, "CONFIG_MEMCG", NULL, 0) == ISO_KCONFIG_MISSING)
                snprintf(out, size, "; CONFIG_MEMCG is not set (kernel config %s)", kc->source);
        else if (!strcmp(ctrl, "pids") &&
                 iso_kconfig_get(kc, "CONFIG_CGROUP_PIDS", NULL, 0) == ISO_KCONFIG_MISSING)
                snprintf(out, size, "; CONFIG_CGROUP_PIDS is not set (kernel config %s)",
                         kc->source);
}

static int need_cgroup(const struct iso_env *env, const char *ctrl, int version, char *reason,
                       size_t size)
{
        char cause[256] = "";

        const struct iso_cg_hierarchy *v2 = iso_env_hierarchy(env, NULL);
        const struct iso_cg_hierarchy *v1 = ctrl ? iso_env_hierarchy(env, ctrl) : NULL;
        const char *mode = iso_cg_mode_name(env->cg_mode);
        const struct iso_cg_hierarchy *h = NULL;

        if (!ctrl) {
                /* Any hierarchy of the version asked for (or any at all). */
                for (size_t i = 0; !h && i < env->n_hierarchies; i++)
                        if (!version || env->hierarchies[i].version == version)
                                h = &env->hierarchies[i];
                if (!h && version)
                        return unmet(reason, size, "needs cgroup v%d: not mounted (cgroup mode %s)",
                                     version, mode);
                if (!h)
                        return unmet(reason, size, "needs cgroups: none mounted (cgroup mode %s)",
                                     mode);
        } else {
                int on_v2 = v2 && has_word(v2->controllers, ctrl, ' ');

                if (!on_v2 && !v1)
                        ctrl_absence_cause(env, ctrl, version, cause, sizeof(cause));

                if (version == 1 && !v1 && on_v2)
                        return unmet(reason, size,
                                     "needs the %s controller on cgroup v1: it is on cgroup v2 "
                                     "here (%s)",
                                     ctrl, v2->mount);
                if (version == 2 && !on_v2 && v1)
                        return unmet(reason, size,
                                     "needs the %s controller on cgroup v2: it is on cgroup v1 "
                                     "here (%s)",
                                     ctrl, v1->mount);
                if (version == 2 && !v2)
                        return unmet(reason, size,
                                     "needs the %s controller on cgroup v2: no cgroup v2 hierarchy "
                                     "is mounted (cgroup mode %s)%s",
                                     ctrl, mode, cause);
                if (version == 2 && !on_v2 && v2)
                        return unmet(reason, size,
                                     "needs the %s controller on cgroup v2: not in "
                                     "%s/cgroup.controllers%s",
                                     ctrl, v2->mount, cause);
                if (version != 2 && v1)
                        h = v1;
                else if (version != 1 && on_v2)
                        h = v2;
                if (!h)
                        return unmet(reason, size,
                                     "needs the %s cgroup controller: not mounted (cgroup mode "
                                     "%s)%s",
                                     ctrl, mode, cause);
        }
        if (h->readonly)
                return unmet(reason, size, "needs a writable cgroupfs: %s is mounted read-only",
                             h->mount);
        return 1;
}

/*
 * A requirement built as a module (=m) is met when the module is loaded, or when the
 * modules tree of the running kernel (modules.dep(5)) lists it, so the kernel can load
 * it on demand. A tree that exists and lacks it (a VM booted with a partial tree) is
 * unmet, naming the module; no tree at all cannot tell, and passes. The module is named
 * after the symbol (CONFIG_VETH: veth), as for every symbol the cases ask for.
 */
static int need_module(const struct iso_env *env, const char *symbol, char *reason, size_t size)
{
        char name[64], path[PATH_MAX], want[80];
        const char *sym = strncmp(symbol, "CONFIG_", 7) ? symbol : symbol + 7;
        size_t n = 0;

        for (; sym[n] && n + 1 < sizeof(name); n++)
                name[n] = (char)(sym[n] >= 'A' && sym[n] <= 'Z' ? sym[n] + 32 : sym[n]);
        name[n] = '\0';
        if (iso_pathf(path, sizeof(path), "/sys/module/%s", name) == 0 && access(path, F_OK) == 0)
                return 1;
        if (iso_pathf(path, sizeof(path), "/lib/modules/%s/modules.dep", env->kernel_release) < 0)
                return 1;
        iso_autofree char *dep = iso_read_file(path, NULL, NULL);

        if (!dep)
                return 1;
        snprintf(want, sizeof(want), "/%s.ko", name);
        for (char *p = dep; (p = strstr(p, want)); p += strlen(want)) {
                char next = p[strlen(want)];

                if (next == ':' || next == '.')
                        return 1;
        }
        /* Module names treat '-' and '_' alike; modules.dep keeps the file's spelling. */
        for (size_t i = 1; i < strlen(want); i++)
                if (want[i] == '_')
                        want[i] = '-';
        if (strstr(dep, want))
                return 1;
        return unmet(reason, size,
                     "needs CONFIG_%s: built as a module (=m in %s), but module %s is not loaded "
                     "(/sys/module/%s) and %s does not list it",
                     sym, env->kconfig.source, name, name, path);
}

int iso_env_need_met(const struct iso_env *env, const struct iso_need *need, char *reason,
                     size_t reason_size)
{
        if (reason && reason_size)
                reason[0] = '\0';

        switch (need->kind) {
        case ISO_NEED_END:
                return 1;
        case ISO_NEED_ROOT:
                if (env->euid != 0)
                        return unmet(reason, reason_size, "needs root: running as uid %u",
                                     (unsigned)env->euid);
                return 1;
        case ISO_NEED_CAP:
                if (!iso_env_has_cap(env, need->num))
                        return unmet(reason, reason_size,
                                     "needs %s: not in the effective capability set "
                                     "(CapEff=0x%016" PRIx64 ")",
                                     need->arg ? need->arg : "a capability", env->cap_eff);
                return 1;
        case ISO_NEED_NS:
                if (!need->arg)
                        return unmet(reason, reason_size,
                                     "invalid requirement: ISO_NS without a type");
                if (!iso_env_has_ns(env, need->arg))
                        return unmet(reason, reason_size,
                                     "needs the %s namespace: /proc/self/ns/%s does not exist",
                                     need->arg, need->arg);
                return 1;
        case ISO_NEED_KCONFIG: {
                if (!need->arg)
                        return unmet(reason, reason_size,
                                     "invalid requirement: ISO_KCONFIG without a symbol");
                /* UNKNOWN passes: without a config, the syscall itself will tell. */
                enum iso_kconfig_state ks = iso_kconfig_get(&env->kconfig, need->arg, NULL, 0);

                if (ks == ISO_KCONFIG_M)
                        return need_module(env, need->arg, reason, reason_size);
                if (ks != ISO_KCONFIG_MISSING)
                        return 1;
                return unmet(reason, reason_size,
                             "needs %s%s: kernel config (%s) says it is not set",
                             strncmp(need->arg, "CONFIG_", 7) ? "CONFIG_" : "", need->arg,
                             env->kconfig.source);
        }
        case ISO_NEED_TOOL: {
                const struct iso_tool *t = need->arg ? iso_env_tool(env, need->arg) : NULL;
                char path[256];

                if (!need->arg)
                        return unmet(reason, reason_size,
                                     "invalid requirement: ISO_TOOL without a program");
                /* A tool outside the probed set is looked up now. */
                if (t ? t->path[0] != '\0' : find_on_path(need->arg, path, sizeof(path)))
                        return 1;
                return unmet(reason, reason_size, "needs %s: not found on PATH", need->arg);
        }
        case ISO_NEED_CGROUP_CTRL:
                return need_cgroup(env, need->arg, need->num, reason, reason_size);
        case ISO_NEED_KMSG:
                if (env->kmsg_readable)
                        return 1;
                return unmet(reason, reason_size, "needs a readable /dev/kmsg: %s",
                             env->kmsg_error[0] ? env->kmsg_error : "not probed");
        case ISO_NEED_DOCKER:
                if (env->docker_reachable)
                        return 1;
                unmet(reason, reason_size, "needs a Docker daemon: %s",
                      env->docker_info[0] ? env->docker_info : "not probed");
                return env->docker_broken ? -1 : 0;
        case ISO_NEED_RUNTIME:
                return iso_runtime_need_met(need->arg, reason, reason_size);
        }
        return unmet(reason, reason_size, "invalid requirement: unknown kind %d", (int)need->kind);
}
