// SPDX-License-Identifier: MIT
/*
 * The runtime seam's registry: the runtimes linked in ("iso_runtimes" section), their
 * probe answers and the requirement made of them (ISO_RUNTIME_USABLE). Nothing here runs a
 * case (harness/runtime_case.c does), so the environment probe links it alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/runtime.h"

/* Linker-provided bounds of the sections; weak so a binary without any links. */
extern const struct iso_runtime *const __start_iso_runtimes[] __attribute__((weak));
extern const struct iso_runtime *const __stop_iso_runtimes[] __attribute__((weak));

static int rt_by_name(const void *a, const void *b)
{
        const struct iso_runtime *const *x = a, *const *y = b;
        return strcmp((*x)->name, (*y)->name);
}

size_t iso_runtimes(const struct iso_runtime *const **rts)
{
        static const struct iso_runtime **sorted;
        static size_t n;
        if (!sorted && __start_iso_runtimes && __stop_iso_runtimes) {
                // cppcheck-suppress comparePointers
                n = (size_t)(__stop_iso_runtimes - __start_iso_runtimes);
                sorted = malloc((n ? n : 1) * sizeof(*sorted));
                if (!sorted) {
                        n = 0;
                } else {
                        memcpy(sorted, __start_iso_runtimes, n * sizeof(*sorted));
                        qsort(sorted, n, sizeof(*sorted), rt_by_name);
                }
        }
        *rts = (const struct iso_runtime *const *)sorted;
        return sorted ? n : 0;
}

const struct iso_runtime *iso_runtime_find(const char *name)
{
        const struct iso_runtime *const *rts;
        size_t n = iso_runtimes(&rts);
        for (size_t i = 0; i < n; i++)
                if (!strcmp(rts[i]->name, name))
                        return rts[i];
        return NULL;
}

/* Probe answers, by the runtime's index in iso_runtimes(): made before cases fork, so
 * every case process inherits them. */
#define MAX_RUNTIMES 16
static struct {
        const struct iso_runtime *rt;
        int usable;
        char why[512];
} probed[MAX_RUNTIMES];
static size_t n_probed;

void iso_runtimes_probe(struct iso_env *env)
{
        const struct iso_runtime *const *rts;
        size_t n = iso_runtimes(&rts);
        n_probed = 0;
        for (size_t i = 0; i < n && i < MAX_RUNTIMES; i++)
                iso_runtime_probe(env, rts[i]);
}

void iso_runtime_probe(struct iso_env *env, const struct iso_runtime *rt)
{
        size_t i = 0;
        while (i < n_probed && probed[i].rt != rt)
                i++;
        if (i == MAX_RUNTIMES)
                return;
        probed[i].rt = rt;
        probed[i].why[0] = '\0';
        probed[i].usable = rt->probe ? rt->probe(env, probed[i].why, sizeof(probed[i].why)) : 1;
        if (i == n_probed)
                n_probed++;
}

int iso_runtime_state(const struct iso_runtime *rt, const char **why)
{
        for (size_t i = 0; i < n_probed; i++)
                if (probed[i].rt == rt) {
                        if (why)
                                *why = probed[i].why;
                        return probed[i].usable;
                }
        if (why)
                *why = rt->probe ? "not probed" : "";
        return rt->probe ? 0 : 1;
}

int iso_runtime_usable(const struct iso_runtime *rt, const char **why)
{
        return iso_runtime_state(rt, why) == 1;
}

int iso_runtime_need_met(const char *name, char *reason, size_t size)
{
        const struct iso_runtime *rt = name ? iso_runtime_find(name) : NULL;
        const char *why = "";
        if (!rt) {
                if (reason && size)
                        snprintf(reason, size, "invalid requirement: no runtime named %s",
                                 name ? name : "(none)");
                return 0;
        }
        if (iso_runtime_usable(rt, &why))
                return 1;
        if (reason && size)
                snprintf(reason, size, "needs %s: %s", rt->requirement ? rt->requirement : rt->name,
                         why[0] ? why : "not probed");
        return iso_runtime_state(rt, NULL) == ISO_RUNTIME_BROKEN ? -1 : 0;
}

void iso_runtimes_print(FILE *out)
{
        const struct iso_runtime *const *rts;
        for (size_t i = 0, n = iso_runtimes(&rts); i < n; i++) {
                const char *why = "";
                int state = iso_runtime_state(rts[i], &why);
                char label[48];
                snprintf(label, sizeof(label), "runtime %s", rts[i]->name);
                fprintf(out, "%-16s %s%s\n", label,
                        state > 0    ? "usable: "
                        : state == 0 ? "not usable: "
                                     : "not installed: ",
                        why[0] ? why : "-");
        }
}
