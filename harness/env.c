// SPDX-License-Identifier: MIT
/*
 * The environment probe. Everything here reads; nothing changes the machine. A fact that
 * cannot be read is recorded as unknown rather than failing the probe, because the probe
 * runs before any case and as any user (`isocheck --env` as nobody must still answer).
 *
 * The probe is cut by concern (env_*.c, see env_probe.h); this file runs the parts in order.
 */
#include "env_probe.h"

/* ---- simple lookups ---------------------------------------------------------------- */

int iso_env_has_ns(const struct iso_env *env, const char *type)
{
        return type && has_word(env->namespaces, type, ' ');
}

int iso_env_has_cap(const struct iso_env *env, int cap)
{
        return cap >= 0 && cap < 64 && (env->cap_eff >> cap) & 1;
}

const struct iso_tool *iso_env_tool(const struct iso_env *env, const char *name)
{
        for (size_t i = 0; i < env->n_tools; i++)
                if (env->tools[i].name && name && !strcmp(env->tools[i].name, name))
                        return &env->tools[i];
        return NULL;
}

void iso_env_probe(struct iso_env *env)
{
        memset(env, 0, sizeof(*env));
        probe_identity(env);
        /* Missing config is normal (no IKCONFIG, no /boot): state UNKNOWN says so. */
        iso_kconfig_load_running(&env->kconfig, NULL);
        probe_cgroups(env);
        probe_namespaces(env);
        probe_swap_total(env);
        probe_swap_accounting(env);
        probe_overcommit(env);
        probe_rlimits(env);
        probe_kmsg(env);
        probe_container(env);
        probe_virt(env);
        probe_tools(env);
        probe_tool_env(env);
}

void iso_env_free(struct iso_env *env)
{
        iso_kconfig_free(&env->kconfig);
}
