// SPDX-License-Identifier: MIT
#include "isocheck/memcg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int iso_memcg_swap_policy(const struct iso_env *env, char *reason, size_t size)
{
        if (env->swap_total_kb <= 0)
                return 0;
        if (env->swap_accounting == 1)
                return 1;
        snprintf(reason, size,
                 "swap enabled, swap accounting unavailable (%lld KiB of swap; a process could "
                 "page out instead of being OOM-killed)",
                 env->swap_total_kb);
        return -1;
}

long long iso_memcg_round(long long bytes)
{
        long page = sysconf(_SC_PAGESIZE);
        if (page <= 0)
                page = 4096;
        return bytes / page * page;
}

/* Adds the usage to an EBUSY error: the kernel refuses a limit below what is charged. */
static int write_limit(const struct iso_cg *cg, const char *file, const char *value,
                       struct iso_err *e)
{
        if (iso_cg_write(cg, file, value, e) == 0)
                return 0;
        if (e && e->errnum == EBUSY) {
                long long usage;
                const char *ufile = cg->version == 1 ? "memory.usage_in_bytes" : "memory.current";
                if (iso_cg_read_value(cg, ufile, &usage, NULL) == 0) {
                        size_t len = strlen(e->msg);
                        snprintf(e->msg + len, sizeof(e->msg) - len,
                                 " (usage %lld bytes is above the new limit)", usage);
                }
        }
        return -1;
}

int iso_memcg_set_limit(const struct iso_cg *cg, long long bytes, int swap_off, struct iso_err *e)
{
        char value[32];
        if (bytes < 0)
                snprintf(value, sizeof(value), cg->version == 1 ? "-1" : "max");
        else
                snprintf(value, sizeof(value), "%lld", bytes);

        if (cg->version == 2) {
                if (write_limit(cg, "memory.max", value, e) < 0)
                        return -1;
                if (swap_off && iso_cg_write(cg, "memory.swap.max", "0", e) < 0)
                        return -1;
                return 0;
        }
        if (!swap_off)
                return write_limit(cg, "memory.limit_in_bytes", value, e);
        /* v1 keeps memsw >= limit at every step: lowering writes the limit first. */
        long long now = -1;
        iso_memcg_get_limit(cg, &now, NULL);
        int lowering = bytes >= 0 && (now < 0 || bytes <= now);
        const char *first = lowering ? "memory.limit_in_bytes" : "memory.memsw.limit_in_bytes";
        const char *second = lowering ? "memory.memsw.limit_in_bytes" : "memory.limit_in_bytes";
        if (write_limit(cg, first, value, e) < 0)
                return -1;
        return write_limit(cg, second, value, e);
}

int iso_memcg_get_limit(const struct iso_cg *cg, long long *bytes, struct iso_err *e)
{
        long long v;
        if (iso_cg_read_value(cg, cg->version == 1 ? "memory.limit_in_bytes" : "memory.max", &v,
                              e) < 0)
                return -1;
        *bytes = v >= ISO_MEMCG_V1_UNLIMITED ? -1 : v;
        return 0;
}

int iso_memcg_counters(const struct iso_cg *cg, struct iso_memcg_counters *c, struct iso_err *e)
{
        c->oom = c->oom_kill = c->max = c->high = c->failcnt = c->memsw_failcnt = -1;
        c->peak = c->usage = c->swap = -1;
        int got = 0;
        if (cg->version == 2) {
                iso_autofree char *ev = iso_cg_read(cg, "memory.events", e);
                if (ev) {
                        got++;
                        iso_keyed_value(ev, "oom", &c->oom);
                        iso_keyed_value(ev, "oom_kill", &c->oom_kill);
                        iso_keyed_value(ev, "max", &c->max);
                        iso_keyed_value(ev, "high", &c->high);
                }
                got += iso_cg_read_value(cg, "memory.peak", &c->peak, NULL) == 0;
                got += iso_cg_read_value(cg, "memory.current", &c->usage, NULL) == 0;
                got += iso_cg_read_value(cg, "memory.swap.current", &c->swap, NULL) == 0;
        } else {
                iso_autofree char *oc = iso_cg_read(cg, "memory.oom_control", e);
                if (oc) {
                        got++;
                        iso_keyed_value(oc, "under_oom", &c->oom);
                        iso_keyed_value(oc, "oom_kill", &c->oom_kill);
                }
                got += iso_cg_read_value(cg, "memory.failcnt", &c->failcnt, NULL) == 0;
                iso_cg_read_value(cg, "memory.memsw.failcnt", &c->memsw_failcnt, NULL);
                got += iso_cg_read_value(cg, "memory.max_usage_in_bytes", &c->peak, NULL) == 0;
                got += iso_cg_read_value(cg, "memory.usage_in_bytes", &c->usage, NULL) == 0;
                long long memsw;
                if (c->usage >= 0 &&
                    iso_cg_read_value(cg, "memory.memsw.usage_in_bytes", &memsw, NULL) == 0)
                        c->swap = memsw - c->usage;
        }
        return got ? 0 : -1;
}
