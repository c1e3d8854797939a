// SPDX-License-Identifier: MIT
/*
 * Environment probe: the description, for `isocheck --env` and for the reports' properties.
 */
#include "env_probe.h"
#include "isocheck/docker.h"

/* ---- output ------------------------------------------------------------------------ */

static const char *tristate(int v)
{
        return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

static const char *overcommit_name(int v)
{
        switch (v) {
        case 0:
                return "heuristic";
        case 1:
                return "always";
        case 2:
                return "never (strict accounting)";
        default:
                return "unknown";
        }
}

static void describe_mode(const struct iso_env *env, char *out, size_t size)
{
        const struct iso_cg_hierarchy *v2 = iso_env_hierarchy(env, NULL);

        switch (env->cg_mode) {
        case ISO_CG_LEGACY:
                snprintf(out, size, "legacy (v1 hierarchies only)");
                break;
        case ISO_CG_HYBRID:
                snprintf(out, size, "hybrid (v1 hierarchies + cgroup2 at %s)",
                         v2 ? v2->mount : CG_UNIFIED);
                break;
        case ISO_CG_UNIFIED:
                snprintf(out, size, "unified (cgroup2 at %s)", v2 ? v2->mount : CG_ROOT);
                break;
        case ISO_CG_NONE:
        default:
                snprintf(out, size, "none (no cgroup filesystem at %s)", CG_ROOT);
                break;
        }
}

#define LABEL "%-16s "

void iso_env_print(const struct iso_env *env, FILE *out)
{
        static const char *const key_symbols[] = {
                "CONFIG_CGROUPS", "CONFIG_PID_NS",     "CONFIG_NET_NS", "CONFIG_USER_NS",
                "CONFIG_MEMCG",   "CONFIG_MEMCG_SWAP", "CONFIG_SWAP",   "CONFIG_VETH",
        };
        char line[512];

        fprintf(out, LABEL "%s\n", "kernel",
                env->kernel_release[0] ? env->kernel_release : "unknown");
        fprintf(out, LABEL "%s\n", "hostname", env->hostname[0] ? env->hostname : "unknown");
        fprintf(out, LABEL "uid %u%s\n", "user", (unsigned)env->euid, env->euid ? "" : " (root)");
        fprintf(out, LABEL "CapEff=0x%016" PRIx64 ", CAP_SYS_ADMIN %s\n", "capabilities",
                env->cap_eff,
                iso_env_has_cap(env, CAP_SYS_ADMIN_BIT) ? "effective" : "not effective");

        /* The runner lowers its own oom_score_adj to -1000 with it (proc(5)); without it an
         * OOM kill still stays in the case's cgroup: a note, not a cause. */
        fprintf(out, LABEL "%s\n", "oom_score_adj",
                iso_env_has_cap(env, 24 /* CAP_SYS_RESOURCE, linux/capability.h */)
                        ? "the runner can shield itself (-1000): CAP_SYS_RESOURCE effective"
                        : "the runner keeps its own: CAP_SYS_RESOURCE not effective; the cases "
                          "raise theirs to 1000, so an OOM above both picks a case's hog");
        describe_mode(env, line, sizeof(line));
        fprintf(out, LABEL "%s\n", "cgroup mode", line);
        if (env->memory_version)
                fprintf(out, LABEL "cgroup v%d at %s\n", "memory", env->memory_version,
                        env->memory_path);
        else
                fprintf(out, LABEL "no memory controller mounted\n", "memory");
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                const struct iso_cg_hierarchy *h = &env->hierarchies[i];

                fprintf(out, LABEL "v%d %s (%s)%s%s%s\n", i ? "" : "hierarchies", h->version,
                        h->mount, h->controllers[0] ? h->controllers : "no controllers",
                        strcmp(h->root, "/") ? ", root " : "", strcmp(h->root, "/") ? h->root : "",
                        h->readonly ? ", read-only" : "");
        }
        if (!env->n_hierarchies)
                fprintf(out, LABEL "none mounted\n", "hierarchies");
        fprintf(out, LABEL "%s\n", "namespaces", env->namespaces[0] ? env->namespaces : "unknown");

        if (env->kconfig.source[0]) {
                fprintf(out, LABEL "%s (%zu symbols set)\n", "kernel config", env->kconfig.source,
                        env->kconfig.n);
                for (size_t i = 0; i < ISO_ARRAY_SIZE(key_symbols); i++) {
                        char v[64];
                        enum iso_kconfig_state s =
                                iso_kconfig_get(&env->kconfig, key_symbols[i], v, sizeof(v));

                        const char *shown = s == ISO_KCONFIG_VALUE ? v : iso_kconfig_state_name(s);

                        /* Its absence from a 6.1+ config is not a missing feature. */
                        if (s == ISO_KCONFIG_MISSING &&
                            !strcmp(key_symbols[i], "CONFIG_MEMCG_SWAP") &&
                            release_at_least(env->kernel_release, 6, 1) == 1)
                                shown = "gone since 6.1 (MEMCG && SWAP give swap accounting)";
                        fprintf(out, LABEL "  %-20s %s\n", "", key_symbols[i], shown);
                }
        } else {
                fprintf(out, LABEL "none readable (tried /proc/config.gz, /boot/config-%s)\n",
                        "kernel config", env->kernel_release);
        }

        if (env->swap_total_kb < 0)
                fprintf(out, LABEL "unknown (/proc/swaps unreadable)\n", "swap");
        else if (env->swap_total_kb == 0)
                fprintf(out, LABEL "none (0 KiB)\n", "swap");
        else
                fprintf(out, LABEL "%lld KiB\n", "swap", env->swap_total_kb);
        fprintf(out, LABEL "%s\n", "swap accounting", tristate(env->swap_accounting));
        if (env->overcommit_memory < 0)
                fprintf(out, LABEL "unknown\n", "overcommit");
        else
                fprintf(out, LABEL "%d (%s)\n", "overcommit", env->overcommit_memory,
                        overcommit_name(env->overcommit_memory));
        char rlimits[256];
        iso_env_format_rlimits(env, rlimits, sizeof(rlimits));
        fprintf(out, LABEL "%s (soft; AS, DATA, STACK, FSIZE in bytes)\n", "rlimits", rlimits);
        if (env->kmsg_readable)
                fprintf(out, LABEL "readable\n", "/dev/kmsg");
        else
                fprintf(out, LABEL "not readable: %s\n", "/dev/kmsg", env->kmsg_error);
        fprintf(out, LABEL "%s\n", "container",
                env->container[0] ? env->container : "none detected");
        fprintf(out, LABEL "%s\n", "virt",
                env->virt[0] ? env->virt : "none detected (bare metal or unknown)");
        fprintf(out, LABEL "%s%s\n", "docker", env->docker_reachable ? "daemon " : "",
                env->docker_info);
        if (env->docker_reachable)
                fprintf(out, LABEL "%s; pinned: %s\n", "docker builder", env->docker_builder,
                        iso_docker_pinned_env());
        fprintf(out, LABEL "%s\n", "tool variables",
                env->tool_env[0] ? env->tool_env : "none set (DOCKER_*, LANG, LC_*, TMPDIR)");

        for (size_t i = 0; i < env->n_tools; i++) {
                const struct iso_tool *t = &env->tools[i];

                if (!t->path[0])
                        snprintf(line, sizeof(line), "not found");
                else if (!t->version_probed)
                        snprintf(line, sizeof(line), "version not asked (%s)", t->path);
                else
                        snprintf(line, sizeof(line), "%s (%s)",
                                 t->version[0] ? t->version : "version unknown", t->path);
                fprintf(out, LABEL "%-19s %s\n", i ? "" : "tools", t->name, line);
        }
}

/* What the cases' verdicts rest on: the controllers and namespaces they use, the veth of the
 * native runtime, packet capture, and PREEMPT_RT (OOM timing differs there). */
const char *const iso_env_kconfig_reported[] = {
        "CONFIG_CGROUPS",    "CONFIG_MEMCG",      "CONFIG_MEMCG_V1",
        "CONFIG_MEMCG_SWAP", "CONFIG_SWAP",       "CONFIG_CGROUP_PIDS",
        "CONFIG_PID_NS",     "CONFIG_NET_NS",     "CONFIG_UTS_NS",
        "CONFIG_IPC_NS",     "CONFIG_USER_NS",    "CONFIG_VETH",
        "CONFIG_PACKET",     "CONFIG_PREEMPT_RT", NULL,
};

/* Properties whose values must be formatted live in the caller's buffer. */
struct prop_sink {
        struct iso_property *props;
        size_t max, n;
        char *buf;
        size_t left;
};

static const char *stash(struct prop_sink *ps, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static const char *stash(struct prop_sink *ps, const char *fmt, ...)
{
        va_list ap;

        if (!ps->buf || !ps->left)
                return NULL;
        va_start(ap, fmt);
        int n = vsnprintf(ps->buf, ps->left, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= ps->left)
                return NULL;

        const char *s = ps->buf;

        ps->buf += n + 1;
        ps->left -= (size_t)n + 1;
        return s;
}

static void add_prop(struct prop_sink *ps, const char *name, const char *value)
{
        if (!name || !value || ps->n >= ps->max)
                return;
        ps->props[ps->n].name = name;
        ps->props[ps->n].value = value;
        ps->n++;
}

size_t iso_env_properties(const struct iso_env *env, struct iso_property *props, size_t max,
                          char *buf, size_t buf_size)
{
        struct prop_sink ps = {props, max, 0, buf, buf_size};
        const struct iso_cg_hierarchy *v2 = iso_env_hierarchy(env, NULL);

        add_prop(&ps, "kernel.release", env->kernel_release);
        add_prop(&ps, "kernel.version", env->kernel_version);
        add_prop(&ps, "kernel.package", env->kernel_package[0] ? env->kernel_package : "unknown");
        add_prop(&ps, "hostname", env->hostname);
        add_prop(&ps, "cgroup.mode", iso_cg_mode_name(env->cg_mode));
        add_prop(&ps, "cgroup.memory",
                 env->memory_version ? stash(&ps, "v%d %s", env->memory_version, env->memory_path)
                                     : "none");
        add_prop(&ps, "cgroup.v2.controllers", v2 && v2->controllers[0] ? v2->controllers : "none");
        add_prop(&ps, "uid", stash(&ps, "%u", (unsigned)env->euid));
        add_prop(&ps, "capeff", stash(&ps, "0x%016" PRIx64, env->cap_eff));
        add_prop(&ps, "namespaces", env->namespaces);
        add_prop(&ps, "kconfig.source", env->kconfig.source[0] ? env->kconfig.source : "none");
        for (size_t i = 0; iso_env_kconfig_reported[i]; i++) {
                const char *sym = iso_env_kconfig_reported[i];
                char value[64];
                enum iso_kconfig_state st =
                        iso_kconfig_get(&env->kconfig, sym, value, sizeof(value));

                add_prop(&ps, stash(&ps, "kconfig.%s", sym),
                         st == ISO_KCONFIG_VALUE ? stash(&ps, "%s", value)
                                                 : iso_kconfig_state_name(st));
        }
        add_prop(&ps, "swap.total_kb",
                 env->swap_total_kb < 0 ? "unknown" : stash(&ps, "%lld", env->swap_total_kb));
        add_prop(&ps, "swap.accounting", tristate(env->swap_accounting));
        add_prop(&ps, "vm.overcommit_memory",
                 env->overcommit_memory < 0 ? "unknown" : stash(&ps, "%d", env->overcommit_memory));
        char rlimits[256];
        iso_env_format_rlimits(env, rlimits, sizeof(rlimits));
        add_prop(&ps, "rlimits", stash(&ps, "%s", rlimits));
        add_prop(&ps, "kmsg.readable",
                 env->kmsg_readable ? "yes" : stash(&ps, "no: %s", env->kmsg_error));
        add_prop(&ps, "container", env->container[0] ? env->container : "none");
        add_prop(&ps, "virt", env->virt[0] ? env->virt : "none");
        add_prop(&ps, "docker",
                 env->docker_info[0] ? env->docker_info
                                     : "not probed: no selected case uses the docker runtime");
        if (env->docker_reachable)
                add_prop(&ps, "docker.builder", env->docker_builder);
        add_prop(&ps, "tool.variables", env->tool_env[0] ? env->tool_env : "none");
        for (size_t i = 0; i < env->n_tools; i++) {
                const struct iso_tool *t = &env->tools[i];
                /* Versions of the tools this run's cases use; the others were not run. */
                const char *v = !t->path[0]          ? "not found"
                                : !t->version_probed ? "found, version not asked: no selected "
                                                       "case uses it"
                                : t->version[0]      ? t->version
                                                     : "found, version unknown";

                add_prop(&ps, stash(&ps, "tool.%s", t->name), v);
        }
        return ps.n;
}
