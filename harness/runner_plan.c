// SPDX-License-Identifier: MIT
/*
 * Executing a run's plan (include/isocheck/plan.h): up to @jobs cases at once, each in its
 * own forked process group and tracking cgroup (runner.c), results handed on in plan order.
 *
 * What may run together: never two items of one registered case (its runtime objects, a
 * container named after the case, would collide), never two variants of a runtime whose
 * objects are named per run (runtime.h: parallel_variants), and an exclusive case alone.
 * Items start in plan order; one that may not start yet is passed over for the next,
 * except an exclusive one, which nothing after it overtakes (so it cannot be starved).
 */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/fault.h"
#include "isocheck/plan.h"
#include "isocheck/runtime.h"
#include "isocheck/util.h"
#include "runner_priv.h"

void runner_case_wait(struct case_run *const *crs, size_t n)
{
        struct pollfd fds[64];
        size_t nfds = 0;
        int polled_only = 0; /* a case without a pidfd: waitpid is polled, 5 ms apart */
        double now = iso_now(), wake = now + 0.2;
        for (size_t i = 0; i < n; i++) {
                if (crs[i]->deadline < wake)
                        wake = crs[i]->deadline;
                if (crs[i]->pidfd >= 0 && nfds < ISO_ARRAY_SIZE(fds))
                        fds[nfds++] = (struct pollfd){.fd = crs[i]->pidfd, .events = POLLIN};
                else
                        polled_only = 1;
        }
        int ms = wake > now ? (int)((wake - now) * 1000) + 1 : 0;
        if (polled_only && ms > 5)
                ms = 5;
        /* EINTR (SIGINT/SIGTERM): the caller's poll sees the stop request. */
        poll(fds, nfds, ms);
}

/* The result of an item the user asked to skip (plan.h), made without forking. */
static void user_skip(const struct iso_plan_item *it, struct iso_result *res)
{
        memset(res, 0, sizeof(*res));
        res->name = it->name ? it->name : it->c->name;
        res->summary = it->c->summary;
        iso_result_locate(res, it->c);
        res->verdict = ISO_SKIP;
        iso_strlcpy(res->message, it->skip_reason, sizeof(res->message));
}

struct sched {
        struct iso_runner *r;
        const struct iso_plan_item *items;
        size_t n;
        struct iso_result *results;
        unsigned char *ended; /* per item: its result is final */
        size_t next;          /* items before it have all started (or ended unstarted) */
        size_t reported;      /* items before it went to @done */
        struct case_run **running;
        size_t n_running, jobs;
        iso_plan_done_fn done;
        void *arg;
        iso_plan_status_fn status;
        void *status_arg;
        struct iso_plan_status st;
        double start, last_status;
        int mem_limited; /* memory_limited(): the run is under a memory limit */
};

static void tell(struct sched *s, const struct iso_result *ended)
{
        if (!s->status)
                return;
        s->st.n_running = s->n_running;
        for (size_t i = 0; i < ISO_PLAN_SHOWN; i++)
                s->st.running[i] = i < s->n_running ? s->running[i]->as.name : NULL;
        s->st.elapsed_s = iso_now() - s->start;
        s->st.ended = ended;
        s->last_status = iso_now();
        s->status(s->status_arg, &s->st);
}

static void ended(struct sched *s, size_t i)
{
        s->ended[i] = 1;
        s->st.done++;
        s->st.counts[s->results[i].verdict]++;
        /* Everything before the first unfinished item goes out, in plan order. */
        while (s->reported < s->n && s->ended[s->reported]) {
                if (s->done)
                        s->done(s->arg, s->reported, &s->results[s->reported]);
                s->reported++;
        }
        tell(s, &s->results[i]);
}

/*
 * Whether the runner's own memory cgroup, or one above it as far as this mount shows, has
 * a finite limit (a container's memory limit, a systemd MemoryMax=): an OOM decided there
 * picks its victim among all the tasks below it, any case's or the runner's. Read from
 * /proc/self/cgroup and each level's memory.limit_in_bytes (v1) or memory.max (v2).
 */
static int memory_limited(const struct iso_env *env)
{
        if (!env || !env->memory_version)
                return 0;
        iso_autofree char *cg = iso_read_file("/proc/self/cgroup", NULL, NULL);
        if (!cg)
                return 0;
        const char *path = NULL;
        for (char *line = cg, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *ctrls = strchr(line, ':'), *p = ctrls ? strchr(ctrls + 1, ':') : NULL;
                if (!p)
                        continue;
                *p = '\0';
                ctrls++;
                /* v1: the line whose controller list holds "memory"; v2: "0::". */
                int hit = env->memory_version == 2 ? !*ctrls : 0;
                for (char *c = ctrls, *sv = NULL; !hit && (c = strtok_r(c, ",", &sv)); c = NULL)
                        hit = !strcmp(c, "memory");
                if (hit) {
                        path = p + 1;
                        break;
                }
        }
        /* "/.." leads above the cgroup namespace's root: only the mount's root is seen. */
        if (!path || !strncmp(path, "/..", 3))
                path = "/";
        char dir[PATH_MAX];
        if (iso_pathf(dir, sizeof(dir), "%s%s", env->memory_path, path) < 0)
                return 0;
        size_t root = strlen(env->memory_path);
        for (;;) {
                char file[PATH_MAX + 32];
                snprintf(file, sizeof(file), "%s/%s", dir,
                         env->memory_version == 2 ? "memory.max" : "memory.limit_in_bytes");
                iso_autofree char *v = iso_read_file(file, NULL, NULL);
                /* v1's "no limit" is PAGE_COUNTER_MAX pages: near 2^63, never a real one. */
                if (v && strncmp(v, "max", 3) && strtoll(v, NULL, 10) < (1LL << 62))
                        return 1;
                char *slash = strrchr(dir, '/');
                if (strlen(dir) <= root || !slash || (size_t)(slash - dir) < root)
                        return 0;
                *slash = '\0';
        }
}

/* Whether @c must run alone. Test build only: a runner that ignores it. */
static int alone(const struct sched *s, const struct iso_case *c)
{
        if (iso_fault("runner.exclusive.ignored"))
                return 0;
        return c->exclusive == ISO_ALONE ||
               (c->exclusive == ISO_ALONE_IF_MEMORY_LIMITED && s->mem_limited);
}

/* Whether @a and @b are variants of one runtime whose variants may not run at once. */
static int same_serial_runtime(const struct iso_case *a, const struct iso_case *b)
{
        const struct iso_runtime *rt = iso_case_runtime(a);
        return rt && !rt->parallel_variants && rt == iso_case_runtime(b);
}

/* Whether item @i may start now, beside what runs. */
static int may_start(const struct sched *s, size_t i)
{
        const struct iso_case *c = s->items[i].c;
        if (s->n_running >= s->jobs)
                return 0;
        if (s->n_running && alone(s, c))
                return 0;
        for (size_t k = 0; k < s->n_running; k++) {
                const struct iso_case *other = s->running[k]->c;
                if (alone(s, other) || other == c || same_serial_runtime(other, c))
                        return 0;
        }
        return 1;
}

/* Start what may start, scanning from the first unstarted item. */
static void start_more(struct sched *s, unsigned char *started)
{
        for (size_t i = s->next; i < s->n && s->n_running < s->jobs; i++) {
                if (started[i])
                        continue;
                const struct iso_plan_item *it = &s->items[i];
                if (it->skip_reason) {
                        started[i] = 1;
                        user_skip(it, &s->results[i]);
                        ended(s, i);
                } else if (may_start(s, i)) {
                        struct case_run *cr = calloc(1, sizeof(*cr));
                        started[i] = 1;
                        if (!cr) {
                                memset(&s->results[i], 0, sizeof(s->results[i]));
                                s->results[i].name = it->name ? it->name : it->c->name;
                                s->results[i].summary = it->c->summary;
                                s->results[i].verdict = ISO_ERROR;
                                iso_strlcpy(s->results[i].message,
                                            "out of memory starting the case",
                                            sizeof(s->results[i].message));
                                ended(s, i);
                                continue;
                        }
                        cr->c = it->c;
                        cr->as = *it->c;
                        if (it->name)
                                cr->as.name = it->name;
                        if (it->timeout_s)
                                cr->as.timeout_s = it->timeout_s;
                        cr->res = &s->results[i];
                        if (runner_case_start(s->r, cr)) {
                                s->running[s->n_running++] = cr;
                                tell(s, NULL);
                        } else {
                                free(cr);
                                ended(s, i);
                        }
                } else if (alone(s, it->c)) {
                        break; /* nothing overtakes a case that waits to run alone */
                }
                while (s->next < s->n && started[s->next])
                        s->next++;
        }
}

void iso_runner_run_plan_watched(struct iso_runner *r, const struct iso_plan_item *items, size_t n,
                                 unsigned jobs, struct iso_result *results, iso_plan_done_fn done,
                                 void *arg, iso_plan_status_fn status, void *status_arg)
{
        struct sched s = {.r = r,
                          .items = items,
                          .n = n,
                          .results = results,
                          .done = done,
                          .arg = arg,
                          .status = status,
                          .status_arg = status_arg};
        s.jobs = jobs ? jobs : 1;
        if (s.jobs > ISO_PLAN_MAX_JOBS)
                s.jobs = ISO_PLAN_MAX_JOBS;
        s.st.n = n;
        s.start = iso_now();
        for (size_t i = 0; i < n && s.jobs > 1; i++)
                if (items[i].c->exclusive == ISO_ALONE_IF_MEMORY_LIMITED) {
                        s.mem_limited = memory_limited(r->env);
                        break;
                }
        unsigned char *started = calloc(n ? n : 1, 1);
        s.ended = calloc(n ? n : 1, 1);
        s.running = calloc(s.jobs, sizeof(*s.running));
        if (!started || !s.ended || !s.running) {
                /* No memory for the schedule: one at a time, as the runner always could. */
                s.jobs = 0;
                for (size_t i = 0; i < n; i++) {
                        if (items[i].skip_reason)
                                user_skip(&items[i], &results[i]);
                        else
                                iso_runner_run_item(r, &items[i], &results[i]);
                        if (done)
                                done(arg, i, &results[i]);
                }
                goto out;
        }
        for (;;) {
                start_more(&s, started);
                if (!s.n_running)
                        break; /* every item started, and ended */
                runner_case_wait(s.running, s.n_running);
                for (size_t k = 0; k < s.n_running;) {
                        struct case_run *cr = s.running[k];
                        if (!runner_case_poll(r, cr)) {
                                k++;
                                continue;
                        }
                        runner_case_finish(r, cr);
                        size_t i = (size_t)(cr->res - results);
                        free(cr);
                        s.running[k] = s.running[--s.n_running];
                        ended(&s, i);
                }
                if (s.status && iso_now() - s.last_status >= 0.5)
                        tell(&s, NULL); /* the elapsed time moves on */
        }
out:
        free(started);
        free(s.ended);
        free(s.running);
}

void iso_runner_run_plan(struct iso_runner *r, const struct iso_plan_item *items, size_t n,
                         unsigned jobs, struct iso_result *results, iso_plan_done_fn done,
                         void *arg)
{
        iso_runner_run_plan_watched(r, items, n, jobs, results, done, arg, NULL, NULL);
}
