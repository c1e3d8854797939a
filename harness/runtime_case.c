// SPDX-License-Identifier: MIT
/*
 * Behaviours written once ("iso_rt_cases" section) made into one case per registered
 * runtime (kselftest's FIXTURE_VARIANT_ADD, LTP's .test_variants), and the case-level
 * helpers that stop what a behaviour started before it ends.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/container.h"
#include "isocheck/ns.h"
#include "isocheck/runtime.h"

/* Linker-provided bounds of the section; weak so a binary without behaviours links. */
extern const struct iso_rt_behaviour *const __start_iso_rt_cases[] __attribute__((weak));
extern const struct iso_rt_behaviour *const __stop_iso_rt_cases[] __attribute__((weak));

/* --- behaviours x runtimes ------------------------------------------------------------ */

/* A variant case: the iso_case the runner sees first, so iso_current_case() leads back. */
struct variant {
        struct iso_case c;
        const struct iso_runtime *rt;
        const struct iso_rt_behaviour *b;
        char name[128];
};

static void variant_run(struct iso_t *t)
{
        const struct variant *v = (const struct variant *)iso_current_case(t);
        struct iso_rt_ctx c = {.rt = v->rt,
                               .t = t,
                               .run_id = iso_case_run_id(t),
                               .case_name = v->c.name,
                               .env = iso_case_env(t)};
        v->b->run(t, &c);
        iso_rt_end(&c);
}

/* Append the NULL-kind-terminated @add to @needs (ISO_MAX_NEEDS in all, the last an end). */
static void add_needs(struct iso_need *needs, const struct iso_need *add, size_t max_add)
{
        size_t n = 0;
        while (n < ISO_MAX_NEEDS && needs[n].kind != ISO_NEED_END)
                n++;
        for (size_t i = 0; i < max_add && add[i].kind != ISO_NEED_END && n + 1 < ISO_MAX_NEEDS; i++)
                needs[n++] = add[i];
}

size_t iso_runtime_cases(const struct iso_case *const **cases)
{
        static const struct iso_case **list;
        static size_t n;
        if (list || !__start_iso_rt_cases || !__stop_iso_rt_cases) {
                *cases = (const struct iso_case *const *)list;
                return list ? n : 0;
        }
        const struct iso_runtime *const *rts;
        size_t n_rt = iso_runtimes(&rts);
        // cppcheck-suppress comparePointers
        size_t n_b = (size_t)(__stop_iso_rt_cases - __start_iso_rt_cases);
        struct variant *v = calloc(n_b * n_rt + 1, sizeof(*v));
        list = calloc(n_b * n_rt + 1, sizeof(*list));
        if (!v || !list) {
                free(v);
                free(list);
                list = NULL;
                *cases = NULL;
                return 0;
        }
        for (size_t i = 0; i < n_b; i++) {
                const struct iso_rt_behaviour *b = __start_iso_rt_cases[i];
                for (size_t k = 0; k < n_rt; k++) {
                        struct variant *x = &v[n];
                        x->c = b->base;
                        x->rt = rts[k];
                        x->b = b;
                        snprintf(x->name, sizeof(x->name), "%s%s", b->base.name, rts[k]->suffix);
                        x->c.name = x->name;
                        x->c.run = variant_run;
                        add_needs(x->c.needs, rts[k]->needs, ISO_ARRAY_SIZE(rts[k]->needs));
                        if (rts[k]->probe) {
                                const struct iso_need usable[] = {ISO_RUNTIME_USABLE(rts[k]->name)};
                                add_needs(x->c.needs, usable, 1);
                        }
                        if (b->sidecar)
                                add_needs(x->c.needs, rts[k]->sidecar_needs,
                                          ISO_ARRAY_SIZE(rts[k]->sidecar_needs));
                        unsigned declared = x->c.timeout_s ? x->c.timeout_s : ISO_DEFAULT_TIMEOUT_S;
                        if (rts[k]->min_timeout_s > declared)
                                x->c.timeout_s = rts[k]->min_timeout_s;
                        list[n++] = &x->c;
                }
        }
        *cases = (const struct iso_case *const *)list;
        return n;
}

const struct iso_runtime *iso_case_runtime(const struct iso_case *c)
{
        /* Only variants run through variant_run, and a variant starts with its case. */
        return c && c->run == variant_run ? ((const struct variant *)c)->rt : NULL;
}

/* --- case-level helpers --------------------------------------------------------------- */

void iso_rt_end(struct iso_rt_ctx *c)
{
        while (c->n_sidecars) {
                struct iso_rt_sidecar *sc = c->sidecars[--c->n_sidecars];
                char out[256];
                c->rt->sidecar_stop(c, sc, out, sizeof(out), NULL);
        }
        while (c->n_apps)
                c->rt->app_stop(c, c->apps[--c->n_apps], NULL);
        /* Only a case that made something of the backend's has anything to reclaim. */
        if (c->priv && c->rt->reclaim)
                c->rt->reclaim(c->run_id, c->case_name, NULL, 0);
        free(c->priv);
        c->priv = NULL;
}

void iso_rt_broken(struct iso_rt_ctx *c, const char *fmt, ...)
{
        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        iso_rt_end(c);
        iso_broken(c->t, "%s", msg);
}

/*
 * The cases read /proc/PID of what a runtime started (its root, its namespaces): a PID
 * from another PID namespace (a daemon's, with the run under `unshare -pf --mount-proc`)
 * names no process here, or another one, and a verdict on it would blame the kernel for
 * where the run is. So the PID must be in this /proc and (asked of the runtime) be its
 * process; if not, the case is skipped naming the requirement (issue 11b item 3).
 */
static void pid_visible(struct iso_rt_ctx *c, const char *what, const char *name, pid_t pid)
{
        if (pid <= 0)
                return;
        char path[64], why[640] = "";
        snprintf(path, sizeof(path), "/proc/%d", (int)pid);
        if (access(path, F_OK) < 0) {
                dev_t dev;
                ino_t own = 0;
                iso_ns_id(0, "pid", &dev, &own, NULL);
                snprintf(why, sizeof(why),
                         "the %s runtime gave PID %d for %s, but %s does not exist in this "
                         "run's PID namespace (pid:[%lu]): the runtime's PIDs are from another "
                         "one (a run under unshare -p?)",
                         c->rt->name, (int)pid, name, path, (unsigned long)own);
        } else if (!c->rt->pid_is || c->rt->pid_is(c, name, pid, why, sizeof(why)) == 1) {
                return;
        }
        iso_rt_end(c);
        iso_skip(c->t, "needs the %s's processes visible from here: %s", what, why);
}

/* The handles live in the context, which variant_run keeps past the behaviour's return:
 * iso_rt_end then stops what was left running through memory it owns (a handle in the
 * behaviour's own frame would be dead by then). Slots are not reused within a case. */
struct iso_rt_app *iso_rt_fixture_app(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o)
{
        struct iso_err e = {0};
        if (c->n_app_slots >= ISO_ARRAY_SIZE(c->app_slots))
                iso_rt_broken(c, "expected at most %zu apps per case",
                              ISO_ARRAY_SIZE(c->app_slots));
        struct iso_rt_app *app = &c->app_slots[c->n_app_slots++];
        memset(app, 0, sizeof(*app));
        if (c->rt->prepare && c->rt->prepare(c, "app", o, &e) < 0)
                iso_rt_broken(c, "%s", e.msg);
        if (c->rt->app_start(c, o, app, &e) < 0)
                iso_rt_broken(c, "%s", e.msg);
        c->apps[c->n_apps++] = app;
        pid_visible(c, "app container", app->name, app->pid);
        if (!app->answered && !o->answer_optional)
                iso_rt_broken(c, "expected the app container to answer on %s:%d within %d s",
                              app->addr, app->port, ISO_RT_ANSWER_TRIES / 100);
        return app;
}

struct iso_rt_sidecar *iso_rt_fixture_sidecar(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                                              const struct iso_rt_sidecar_opts *o)
{
        struct iso_err e = {0};
        if (c->n_sidecar_slots >= ISO_ARRAY_SIZE(c->sidecar_slots))
                iso_rt_broken(c, "expected at most %zu sidecars per case",
                              ISO_ARRAY_SIZE(c->sidecar_slots));
        struct iso_rt_sidecar *sc = &c->sidecar_slots[c->n_sidecar_slots++];
        memset(sc, 0, sizeof(*sc));
        if (c->rt->prepare && c->rt->prepare(c, "sidecar", NULL, &e) < 0)
                iso_rt_broken(c, "%s", e.msg);
        if (c->rt->sidecar_start(c, app, o, sc, &e) < 0)
                iso_rt_broken(c, "%s", e.msg);
        c->sidecars[c->n_sidecars++] = sc;
        pid_visible(c, "sidecar container", sc->name, sc->pid);
        return sc;
}

int iso_rt_stop_sidecar(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc)
{
        for (size_t i = 0; i < c->n_sidecars; i++)
                if (c->sidecars[i] == sc) {
                        c->sidecars[i] = c->sidecars[--c->n_sidecars];
                        break;
                }
        char out[1024] = "";
        struct iso_err e = {0};
        int status = c->rt->sidecar_stop(c, sc, out, sizeof(out), &e);
        iso_log(c->t, "sidecar %s said: %s(wait status 0x%x)%s%s", sc->name, out, status,
                e.msg[0] ? " " : "", e.msg);
        return status;
}

int iso_rt_stop_app(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e)
{
        for (size_t i = 0; i < c->n_apps; i++)
                if (c->apps[i] == app) {
                        memmove(&c->apps[i], &c->apps[i + 1],
                                (c->n_apps - i - 1) * sizeof(c->apps[0]));
                        c->n_apps--;
                        break;
                }
        return c->rt->app_stop(c, app, e);
}

int iso_rt_await_answer(struct iso_rt_app *app, int tries)
{
        for (int i = 0; i < tries; i++) {
                int status = 0;
                char body[128];
                if (iso_http_get(app->addr, app->port, "/", &status, body, sizeof(body), NULL) ==
                    0) {
                        app->answered = 1;
                        return 1;
                }
                usleep(10000);
        }
        return 0;
}
