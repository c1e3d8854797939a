// SPDX-License-Identifier: MIT
/*
 * Start-up in proportion to what is selected: of what the environment probe can ask by
 * running a program (a tool's --version, a runtime's daemon), a run asks only what the
 * requirements of its selected cases name. One native case used to wait 0.39 s for seven
 * --version calls and every runtime's daemon before its 5 ms of work.
 */
#include <string.h>

#include "isocheck/plan.h"
#include "isocheck/runtime.h"

void iso_plan_probe(struct iso_env *env, const struct iso_plan_item *items, size_t n)
{
        const struct iso_runtime *const *rts;
        size_t n_rt = iso_runtimes(&rts);
        /* Each runtime at most once, whatever number of its cases is selected. */
        unsigned char wanted[64] = {0};
        for (size_t i = 0; i < n; i++) {
                const struct iso_case *c = items[i].c;
                if (!c || items[i].skip_reason)
                        continue;
                const struct iso_runtime *own = iso_case_runtime(c);
                for (size_t k = 0; k < n_rt && k < sizeof(wanted); k++)
                        if (rts[k] == own)
                                wanted[k] = 1;
                for (size_t j = 0; j < ISO_MAX_NEEDS && c->needs[j].kind != ISO_NEED_END; j++) {
                        const struct iso_need *need = &c->needs[j];
                        const char *rt_name = need->kind == ISO_NEED_RUNTIME  ? need->arg
                                              : need->kind == ISO_NEED_DOCKER ? "docker"
                                                                              : NULL;
                        if (need->kind == ISO_NEED_TOOL && need->arg)
                                iso_env_probe_versions(env, need->arg);
                        for (size_t k = 0; rt_name && k < n_rt && k < sizeof(wanted); k++)
                                if (!strcmp(rts[k]->name, rt_name))
                                        wanted[k] = 1;
                }
        }
        for (size_t k = 0; k < n_rt && k < sizeof(wanted); k++)
                if (wanted[k]) {
                        iso_runtime_probe(env, rts[k]);
                        /* The client whose daemon the cases talk to: its version too. */
                        iso_env_probe_versions(env, rts[k]->name);
                }
}
