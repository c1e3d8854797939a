// SPDX-License-Identifier: MIT
#include "isocheck/memcg.h"
#include "isocheck/fault.h"

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
        /* Test build only: a kernel that takes the write and keeps the old limit, or one
         * that enforces far less than was asked (section 8 of issue 11). */
        if (bytes >= 0 && iso_fault("memcg.limit.ignored"))
                return 0;
        if (bytes >= 0 && iso_fault("memcg.limit.tighter"))
                bytes /= 8;
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
        /* Test build only: a kernel that kills without counting it. */
        if (iso_fault("memcg.oom_kill.uncounted") && c->oom_kill > 0)
                c->oom_kill = 0;
        return got ? 0 : -1;
}

int iso_memcg_allow_oom_kill(const struct iso_cg *cg, int *was_disabled, struct iso_err *e)
{
        *was_disabled = 0;
        if (cg->version != 1)
                return 0;
        long long off = 0;
        if (iso_cg_read_key(cg, "memory.oom_control", "oom_kill_disable", &off, e) < 0)
                return -1;
        if (!off)
                return 0;
        *was_disabled = 1;
        return iso_cg_write(cg, "memory.oom_control", "0", e);
}

int iso_memcg_oom_kill_disabled(const struct iso_cg *cg)
{
        long long off = 0;
        if (cg->version != 1)
                return 0;
        if (iso_cg_read_key(cg, "memory.oom_control", "oom_kill_disable", &off, NULL) < 0)
                return -1;
        return off != 0;
}

/* The tighter of the memory and (v1) memory+swap limits of @dir; -1 unlimited or none. */
static int limit_of(int version, const char *dir, long long *out, struct iso_err *e)
{
        struct iso_cg at = {.version = version};
        if (iso_pathf(at.path, sizeof(at.path), "%s", dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", dir);
        *out = -1;
        if (version == 2) {
                /* The root has no memory.max: nothing to read there. */
                if (iso_cg_read_value(&at, "memory.max", out, e) < 0)
                        return e && e->errnum == ENOENT ? 0 : -1;
                return 0;
        }
        if (iso_memcg_get_limit(&at, out, e) < 0)
                return -1;
        long long memsw;
        if (iso_cg_read_value(&at, "memory.memsw.limit_in_bytes", &memsw, NULL) == 0 &&
            memsw < ISO_MEMCG_V1_UNLIMITED && (*out < 0 || memsw < *out))
                *out = memsw;
        return 0;
}

/* v2 memory.high of @dir; -1 when "max" or absent (the root, v1). */
static int high_of(int version, const char *dir, long long *out, struct iso_err *e)
{
        struct iso_cg at = {.version = version};
        if (iso_pathf(at.path, sizeof(at.path), "%s", dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", dir);
        *out = -1;
        if (version != 2)
                return 0;
        if (iso_cg_read_value(&at, "memory.high", out, e) < 0)
                return e && e->errnum == ENOENT ? 0 : -1;
        return 0;
}

/* The ancestor of @cg (up to its mount's root) whose value by @value_of is lowest and
 * below @limit: 1 with @anc and @anc_value, 0 none, -1 with @e. */
static int lowest_ancestor(const struct iso_cg *cg, long long limit,
                           int (*value_of)(int, const char *, long long *, struct iso_err *),
                           struct iso_cg *anc, long long *anc_value, struct iso_err *e)
{
        size_t plen = strlen(cg->path), rlen = strlen(cg->rel);
        if (rlen > plen || strcmp(cg->path + plen - rlen, cg->rel))
                return iso_errf(e, EINVAL, "cgroup %s does not end in %s", cg->path, cg->rel);
        size_t mount_len = plen - rlen;
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", cg->path);
        int found = 0;
        /* Up from the parent to the mount's root, inclusive; bounded by the path's depth. */
        for (;;) {
                char *slash = strrchr(dir, '/');
                if (!slash || (size_t)(slash - dir) < mount_len)
                        break;
                *slash = '\0';
                long long v;
                if (value_of(cg->version, dir, &v, e) < 0)
                        return -1;
                if (v >= 0 && v < limit && (!found || v < *anc_value)) {
                        memset(anc, 0, sizeof(*anc));
                        anc->version = cg->version;
                        snprintf(anc->path, sizeof(anc->path), "%s", dir);
                        *anc_value = v;
                        found = 1;
                }
        }
        return found;
}

int iso_memcg_tighter_ancestor(const struct iso_cg *cg, long long limit, struct iso_cg *anc,
                               long long *anc_limit, struct iso_err *e)
{
        return lowest_ancestor(cg, limit, limit_of, anc, anc_limit, e);
}

int iso_memcg_high_ancestor(const struct iso_cg *cg, long long limit, struct iso_cg *anc,
                            long long *anc_high, struct iso_err *e)
{
        return lowest_ancestor(cg, limit, high_of, anc, anc_high, e);
}

int iso_memcg_local_events(const char *mountinfo, const char *mount)
{
        for (const char *l = mountinfo; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [FIELDS] - FSTYPE SOURCE SUPEROPTS" */
                char point[PATH_MAX], fstype[32], super[512];
                const char *dash = strstr(l, " - ");
                const char *eol = strchr(l, '\n');
                if (!dash || (eol && dash > eol))
                        continue;
                if (sscanf(l, "%*s %*s %*s %*s %4095s", point) != 1 ||
                    sscanf(dash + 3, "%31s %*s %511s", fstype, super) != 2)
                        continue;
                if (strcmp(point, mount) || strcmp(fstype, "cgroup2"))
                        continue;
                char list[sizeof(super) + 2];
                snprintf(list, sizeof(list), ",%s,", super);
                return strstr(list, ",memory_localevents,") != NULL;
        }
        return -1;
}

int iso_memcg_rlimit_refuses(const struct iso_env *env, long long as_used, long long data_used,
                             long long bytes, char *reason, size_t size)
{
        /* mmap(2) fails with ENOMEM past RLIMIT_AS (the whole address space) and, from
         * Linux 4.7, past RLIMIT_DATA (private writable mappings, an anonymous hog's). */
        const struct {
                const char *name, *ulimit;
                long long soft, used;
        } lim[] = {
                {"RLIMIT_AS", "ulimit -v", env->rlimit_as, as_used},
                {"RLIMIT_DATA", "ulimit -d", env->rlimit_data, data_used},
        };
        for (size_t i = 0; i < ISO_ARRAY_SIZE(lim); i++) {
                if (lim[i].soft < 0 || lim[i].used + bytes <= lim[i].soft)
                        continue;
                /* 0 used: a tool's, not known before it runs (not guessed either). */
                char besides[96] = "";
                if (lim[i].used > 0)
                        snprintf(besides, sizeof(besides),
                                 " plus the %lld its process holds besides", lim[i].used);
                snprintf(reason, size,
                         "%s is %lld bytes (%s %lld), below the %lld the memory hog maps%s: mmap "
                         "would fail with ENOMEM before the memory cgroup's limit could act",
                         lim[i].name, lim[i].soft, lim[i].ulimit, lim[i].soft / 1024, bytes,
                         besides);
                return 1;
        }
        return 0;
}
