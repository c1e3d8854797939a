// SPDX-License-Identifier: MIT
/*
 * `make bench`, the stability run: the suite N times in this process, the leak samples
 * taken between runs, and whether each series stayed flat.
 */
#include "bench.h"
#include "isocheck/recover.h"
#include "isocheck/runtime.h"

static long count_cg_tree(const char *dir, int depth, int inside, const char *mine, long *n_mine,
                          int in_mine)
{
        if (depth > 8)
                return 0;
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        long n = 0;
        const struct dirent *de;
        while ((de = readdir(d)) != NULL) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                char sub[PATH_MAX];
                if (iso_pathf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < 0)
                        continue;
                int here = inside || strncmp(de->d_name, "isocheck", 8) == 0;
                int here_mine = in_mine || strncmp(de->d_name, mine, strlen(mine)) == 0 ||
                                strncmp(de->d_name, "isocheck-bench-", 15) == 0;
                if (here) {
                        n++;
                        if (here_mine)
                                (*n_mine)++;
                }
                n += count_cg_tree(sub, depth + 1, here, mine, n_mine, here && here_mine);
        }
        closedir(d);
        return n;
}

/*
 * Remove what the runtimes made for a case of our in-process runs that was stopped
 * mid-way (the runner does not remove it then): each runtime's reclaim of our run id
 * (the native one only rmdirs empty mount points; anything else is left, and reported).
 */
void cleanup_runtime_objects(void)
{
        const struct iso_runtime *const *rts;
        size_t n = iso_runtimes(&rts);
        for (size_t i = 0; i < n; i++) {
                char what[1024] = "";
                if (rts[i]->reclaim && iso_runtime_usable(rts[i], NULL) &&
                    rts[i]->reclaim(iso_run_id(), NULL, what, sizeof(what)) > 0)
                        fprintf(stderr, "bench: removed %s, left by a stopped case\n", what);
        }
}

static void take_sample(const struct iso_env *env, struct sample *s)
{
        memset(s, 0, sizeof(*s));
        char *st = iso_read_file("/proc/self/status", NULL, NULL);
        s->rss_kib = st ? status_kib(st, "VmRSS:") : -1;
        free(st);
        struct mallinfo2 mi2 = mallinfo2();
        s->heap_kib = (long)((mi2.uordblks + mi2.hblkhd) / 1024);
        s->fds = count_fds(getpid());

        /* Our runs' cgroups are isocheck-<our pid>-<time>; others may run beside us. */
        char mine[64];
        snprintf(mine, sizeof(mine), "isocheck-%d-", (int)getpid());
        for (size_t i = 0; i < env->n_hierarchies; i++)
                s->cgroups +=
                        count_cg_tree(env->hierarchies[i].mount, 0, 0, mine, &s->cgroups_mine, 0);

        struct if_nameindex *ifs = if_nameindex();
        for (struct if_nameindex *p = ifs; p && p->if_index; p++)
                if (strncmp(p->if_name, "iso", 3) == 0)
                        s->ifaces++;
        if (ifs)
                if_freenameindex(ifs);

        char *mi = iso_read_file("/proc/self/mountinfo", NULL, NULL);
        for (char *save = NULL, *l = mi ? strtok_r(mi, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save))
                if (strstr(l, "isocheck"))
                        s->mounts++;
        free(mi);

        /* What each runtime can count cheaply (the native one's roots under /tmp). */
        const struct iso_runtime *const *rts;
        size_t n_rt = iso_runtimes(&rts);
        for (size_t i = 0; i < n_rt; i++) {
                long n = rts[i]->count ? rts[i]->count() : -1;
                if (n > 0)
                        s->tmp_roots += n;
        }

        char path[64];
        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
        char *kids = iso_read_file(path, NULL, NULL);
        for (char *save = NULL, *k = kids ? strtok_r(kids, " \n", &save) : NULL; k;
             k = strtok_r(NULL, " \n", &save))
                s->children++;
        free(kids);
}

static void note_bad(struct verdicts *v, const struct iso_result *r)
{
        size_t i;
        for (i = 0; i < v->n_bad; i++)
                if (strcmp(v->bad[i].name, r->name) == 0)
                        break;
        if (i == v->n_bad) {
                if (v->n_bad == MAX_CASES)
                        return;
                v->n_bad++;
                v->bad[i].name = r->name;
        }
        v->bad[i].count++;
        iso_strlcpy(v->messages[i], r->message, sizeof(v->messages[i]));
        v->bad[i].last_message = v->messages[i];
}

/*
 * One run of the suite in this process, as isocheck's main() does it: probe, runner,
 * every selected case, TAP and JUnit written (to /dev/null: the writers run, nothing kept).
 */
static int inprocess_run(const struct opts *o, struct verdicts *v, struct iso_err *e)
{
        const struct iso_case *const *all;
        size_t n_all = iso_registry(&all);
        struct iso_result *results = calloc(n_all ? n_all : 1, sizeof(*results));
        if (!results)
                return iso_errf(e, ENOMEM, "results");
        FILE *null = fopen("/dev/null", "we");
        if (!null) {
                free(results);
                return iso_errf(e, errno, "open /dev/null");
        }
        struct iso_env env;
        iso_env_probe(&env);
        iso_runtimes_probe(&env);
        struct iso_runner runner;
        int rc = iso_runner_init(&runner, &env, 1.0, REPORT_DIR "/artifacts", &stop_requested, e);
        size_t n = 0;
        if (rc == 0) {
                struct iso_tap tap = {null, 14, 0};
                iso_tap_begin(&tap, n_all);
                double start = iso_now();
                for (size_t i = 0; i < n_all && !stop_requested; i++) {
                        if (*o->exclude && fnmatch(o->exclude, all[i]->name, 0) == 0)
                                continue;
                        iso_runner_run(&runner, all[i], &results[n]);
                        iso_tap_case(&tap, n + 1, &results[n]);
                        if ((unsigned)results[n].verdict < 4)
                                v->n[results[n].verdict]++;
                        if (results[n].verdict == ISO_FAIL || results[n].verdict == ISO_ERROR)
                                note_bad(v, &results[n]);
                        n++;
                }
                iso_runner_fini(&runner);
                struct iso_property props[64];
                char buf[8192];
                size_t n_props =
                        iso_env_properties(&env, props, ISO_ARRAY_SIZE(props), buf, sizeof(buf));
                struct iso_run run = {.target = "host",
                                      .hostname = env.hostname,
                                      .timestamp = "1970-01-01T00:00:00Z",
                                      .duration_s = iso_now() - start,
                                      .props = props,
                                      .n_props = n_props,
                                      .results = results,
                                      .n_results = n};
                iso_junit_write(null, &run);
        }
        for (size_t i = 0; i < n; i++)
                free(results[i].log);
        free(results);
        fclose(null);
        iso_env_free(&env);
        return rc;
}

const char *const rule_short[] = {[EXACT] = "exact", [SETTLE] = "settle", [SHARED] = "shared"};
const char *const rule_name[] = {
        [EXACT] = "never above the count before run 1",
        [SETTLE] = "at most 1 MiB more over the second half of the runs",
        [SHARED] = "back to the count before run 1 at the end, after up to 5 s for other "
                   "sessions' runs to end (unknown while one is still active)",
};

/*
 * Summarize field @off of samples 0..n (0: before the first run) into @out; @settled is a
 * sample taken once other sessions' isocheck runs had time to end, @foreign whether some
 * were still active then.
 */
static void summarize(const struct sample *s, size_t n, size_t off, enum flat_rule rule,
                      const struct sample *settled, int foreign, struct series *out)
{
        out->rule = rule;
        out->off = off;
        out->base = FIELD(&s[0], off);
        out->first = FIELD(&s[1], off);
        out->mid = FIELD(&s[(n + 1) / 2], off);
        out->last = FIELD(&s[n], off);
        out->settled = FIELD(settled, off);
        out->max = out->first;
        for (size_t i = 1; i <= n; i++)
                if (FIELD(&s[i], off) > out->max)
                        out->max = FIELD(&s[i], off);
        switch (rule) {
        case EXACT:
                out->flat = out->max <= out->base && out->last <= out->base;
                break;
        case SETTLE:
                out->flat = out->last <= out->mid + 1024;
                break;
        case SHARED:
                out->flat = out->settled <= out->base ? 1 : foreign ? -1 : 0;
                break;
        }
}

void stability(struct bench *b)
{
        size_t n = b->o.stability;
        if (n == 0 || stop_requested)
                return;
        b->samples = calloc(n + 1, sizeof(*b->samples));
        if (!b->samples)
                return;
        take_sample(&b->env, &b->samples[0]);
        double t0 = iso_now();
        for (size_t i = 1; i <= n && !stop_requested; i++) {
                struct iso_err e = {0};
                if (inprocess_run(&b->o, &b->stab_verdicts, &e) < 0) {
                        snprintf(b->error, sizeof(b->error), "stability run %zu: %.470s", i, e.msg);
                        break;
                }
                take_sample(&b->env, &b->samples[i]);
                b->stab_runs = i;
                if (i == 1 || i % 10 == 0 || i == n)
                        fprintf(stderr, "bench: stability run %zu/%zu: RSS %ld KiB, %ld fds\n", i,
                                n, b->samples[i].rss_kib, b->samples[i].fds);
        }
        b->stab_wall_s = iso_now() - t0;
        if (b->stab_runs == 0)
                return;
        static const struct {
                const char *key;
                size_t off;
                enum flat_rule rule;
        } fields[] = {
                {"rss_kib", offsetof(struct sample, rss_kib), SETTLE},
                {"heap_in_use_kib", offsetof(struct sample, heap_kib), SETTLE},
                {"open_fds", offsetof(struct sample, fds), EXACT},
                {"child_processes", offsetof(struct sample, children), EXACT},
                {"cgroups_of_this_bench", offsetof(struct sample, cgroups_mine), EXACT},
                {"cgroups_isocheck", offsetof(struct sample, cgroups), SHARED},
                {"interfaces_iso", offsetof(struct sample, ifaces), SHARED},
                {"mounts_isocheck", offsetof(struct sample, mounts), SHARED},
                {"tmp_isocheck_roots", offsetof(struct sample, tmp_roots), SHARED},
        };
        /* Other sessions on this machine may be mid-run: their cgroups, interfaces and
         * roots are named like ours. Give them up to 5 s to end before judging those. */
        const struct sample *base = &b->samples[0];
        struct sample settled = b->samples[b->stab_runs];
        for (int tries = 0; tries < 5 && !stop_requested; tries++) {
                int above = 0;
                for (size_t i = 0; i < ISO_ARRAY_SIZE(fields); i++)
                        if (fields[i].rule == SHARED &&
                            FIELD(&settled, fields[i].off) > FIELD(base, fields[i].off))
                                above = 1;
                if (!above)
                        break;
                sleep(1);
                take_sample(&b->env, &settled);
        }
        int foreign = settled.cgroups > settled.cgroups_mine;
        b->stab_flat = 1;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(fields); i++) {
                struct series *s = &b->series[b->n_series++];
                summarize(b->samples, b->stab_runs, fields[i].off, fields[i].rule, &settled,
                          foreign, s);
                s->key = fields[i].key;
                if (s->flat == 0)
                        b->stab_flat = 0;
        }
}
