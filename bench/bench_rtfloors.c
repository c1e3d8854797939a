// SPDX-License-Identifier: MIT
/*
 * `make bench`, the runtimes' floors: for each registered runtime, what it costs to run a
 * container, see it ready and remove it, through the runtime interface alone (runtime.h:
 * prepare once, then app_start, which waits for the app's port, and app_stop, which
 * removes it), so a runtime added behind the seam is measured with no edit here. The
 * app fixture is the no-op container: it answers GET / and exits on SIGTERM. A runtime's
 * variant cases ("*.docker") are compared with its floor rather than the kernel floors.
 *
 * Each runtime is timed in a forked child (as a case would be: what the runtime leaves in
 * the process, a mount or a namespace, goes with it), which sends its times through a
 * pipe; the parent waits at most RT_FLOOR_TIMEOUT_S and kills it after that.
 */
#include "bench.h"

#include "isocheck/recover.h"
#include "isocheck/runtime.h"

#define RT_FLOOR_TIMEOUT_S 300.0

struct rt_floor rt_floors[MAX_RT_FLOORS];
size_t n_rt_floors;

/* The child: time @n starts and stops of @rt's app (one warm-up first), write "ok" and the
 * times, or "error" and why, to @fd; exit. */
static void __attribute__((noreturn))
time_runtime(const struct iso_runtime *rt, const struct iso_env *env, size_t n, int fd)
{
        char case_name[64];
        snprintf(case_name, sizeof(case_name), "bench.floor.%s", rt->name);
        struct iso_rt_ctx c = {
                .rt = rt, .run_id = iso_run_id(), .case_name = case_name, .env = env};
        struct iso_rt_app_opts o = {.hostname = "app"};
        struct iso_err e = {0};
        double *t = calloc(n, sizeof(*t));
        int rc = t ? 0 : iso_errf(&e, ENOMEM, "%zu timings", n);
        if (rc == 0 && rt->prepare)
                rc = rt->prepare(&c, "app", &o, &e);
        for (size_t i = 0; rc == 0 && i <= n && !stop_requested; i++) {
                struct iso_rt_app app = {0};
                /* A fresh context per start, outside the timing: a runtime keeps at most a
                 * case's containers in one (four), and R starts are more. */
                if (i > 0) {
                        if (rt->reclaim)
                                rt->reclaim(c.run_id, case_name, NULL, 0);
                        free(c.priv);
                        c.priv = NULL;
                        if (rt->prepare)
                                rc = rt->prepare(&c, "app", &o, &e);
                        if (rc < 0)
                                break;
                }
                double t0 = iso_now();
                rc = rt->app_start(&c, &o, &app, &e);
                if (rc == 0 && !app.answered)
                        rc = iso_errf(&e, ETIMEDOUT,
                                      "expected the %s app to answer on %s:%d within 3 s", rt->name,
                                      app.addr, app.port);
                struct iso_err se = {0};
                int st = app.name[0] ? rt->app_stop(&c, &app, &se) : 0;
                if (rc == 0 && st < 0)
                        rc = iso_errf(&e, se.errnum, "%s", se.msg);
                if (rc == 0 && i > 0)
                        t[i - 1] = iso_now() - t0;
        }
        if (rt->reclaim)
                rt->reclaim(c.run_id, case_name, NULL, 0);
        free(c.priv);
        FILE *f = fdopen(fd, "w");
        if (f) {
                if (rc == 0) {
                        fprintf(f, "ok");
                        for (size_t i = 0; i < n; i++)
                                fprintf(f, " %.9f", t[i]);
                        fprintf(f, "\n");
                } else {
                        fprintf(f, "error %s\n", e.msg);
                }
                fclose(f);
        }
        free(t);
        _exit(rc == 0 ? 0 : 1);
}

/* Run time_runtime in a child, bounded; its times into @t (@n), or -1 with @e. */
static int measure_runtime(const struct iso_runtime *rt, const struct iso_env *env, double *t,
                           size_t n, struct iso_err *e)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe2");
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return iso_errf(e, errno, "fork");
        }
        if (pid == 0) {
                close(p[0]);
                setpgid(0, 0); /* its own group: a timeout kills what it started too */
                time_runtime(rt, env, n, p[1]);
        }
        close(p[1]);
        char buf[16384];
        size_t len = 0;
        double deadline = iso_now() + RT_FLOOR_TIMEOUT_S;
        for (;;) { /* bounded by the deadline */
                double left = deadline - iso_now();
                if (left <= 0 || stop_requested)
                        break;
                fd_set rd;
                FD_ZERO(&rd);
                FD_SET(p[0], &rd);
                struct timeval tv = {(time_t)left, 0};
                if (select(p[0] + 1, &rd, NULL, NULL, &tv) <= 0)
                        continue;
                ssize_t k = read(p[0], buf + len, sizeof(buf) - 1 - len);
                if (k <= 0)
                        break;
                len += (size_t)k;
        }
        buf[len] = '\0';
        close(p[0]);
        /* The pipe ends just before the child does: wait for it, to the same deadline. */
        int status = 0;
        while (waitpid(pid, &status, WNOHANG) == 0) {
                if (iso_now() > deadline || stop_requested) {
                        kill(-pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return iso_errf(e, ETIMEDOUT, "no result within %.0f s (killed)",
                                        RT_FLOOR_TIMEOUT_S);
                }
                usleep(10000);
        }
        if (!strncmp(buf, "error ", 6)) {
                buf[strcspn(buf, "\n")] = '\0';
                return iso_errf(e, EIO, "%s", buf + 6);
        }
        char *p_ = buf + 2;
        for (size_t i = 0; i < n; i++) {
                char *end;
                t[i] = strtod(p_, &end);
                if (end == p_)
                        return iso_errf(e, EPROTO,
                                        "expected %zu times from the timing child, got \"%.100s\" "
                                        "(wait status 0x%x)",
                                        n, buf, status);
                p_ = end;
        }
        return 0;
}

int measure_runtime_once(const char *name, const struct iso_env *env, double *t, struct iso_err *e)
{
        const struct iso_runtime *rt = iso_runtime_find(name);
        if (!rt)
                return iso_errf(e, ENOENT, "no runtime named %s", name);
        return measure_runtime(rt, env, t, 1, e);
}

void measure_runtime_floors(const struct opts *o, const struct iso_env *env)
{
        const struct iso_runtime *const *rts;
        size_t n_rt = iso_runtimes(&rts);
        double *t = calloc(o->runs, sizeof(*t));
        if (!t)
                return;
        n_rt_floors = 0;
        for (size_t i = 0; i < n_rt && n_rt_floors < MAX_RT_FLOORS && !stop_requested; i++) {
                struct rt_floor *r = &rt_floors[n_rt_floors++];
                memset(r, 0, sizeof(*r));
                iso_strlcpy(r->runtime, rts[i]->name, sizeof(r->runtime));
                iso_strlcpy(r->suffix, rts[i]->suffix, sizeof(r->suffix));
                snprintf(r->key, sizeof(r->key), "rt_%s", rts[i]->name);
                iso_strlcpy(r->label, "run + ready + remove of the app", sizeof(r->label));
                r->f.key = r->key;
                r->f.label = r->label;
                const char *why = "";
                struct iso_err e = {0};
                if (!iso_runtime_usable(rts[i], &why)) {
                        snprintf(r->f.reason, sizeof(r->f.reason), "needs %s: %s",
                                 rts[i]->requirement ? rts[i]->requirement : rts[i]->name, why);
                } else if (geteuid() != 0) {
                        snprintf(r->f.reason, sizeof(r->f.reason), "needs root");
                } else if (measure_runtime(rts[i], env, t, o->runs, &e) < 0) {
                        iso_strlcpy(r->f.reason, e.msg, sizeof(r->f.reason));
                } else if (iso_stats_of(t, o->runs, &r->f.s) == 0) {
                        r->f.measured = 1;
                }
                if (r->f.measured)
                        fprintf(stderr, "bench: floor %-18s median %8.3f ms\n", r->key,
                                r->f.s.median * 1000);
                else
                        fprintf(stderr, "bench: floor %-18s not measured: %s\n", r->key,
                                r->f.reason);
        }
        free(t);
}

const struct rt_floor *runtime_floor_of(const char *case_name)
{
        const struct rt_floor *best = NULL;
        size_t len = strlen(case_name);
        for (size_t i = 0; i < n_rt_floors; i++) {
                size_t k = strlen(rt_floors[i].suffix);
                /* The native runtime's suffix is "": its cases keep the kernel floors. */
                if (k && k < len && !strcmp(case_name + len - k, rt_floors[i].suffix) &&
                    (!best || k > strlen(best->suffix)))
                        best = &rt_floors[i];
        }
        return best;
}

void print_runtime_floors(const struct bench *b, FILE *f)
{
        if (!n_rt_floors)
                return;
        fprintf(f, "\n%-52s %9s %9s %9s\n", "runtime floor (ms, median of R)", "median", "min",
                "max");
        for (size_t i = 0; i < n_rt_floors; i++) {
                const struct floor *fl = &rt_floors[i].f;
                fprintf(f, "%-18s %-33.33s", fl->key, fl->label);
                if (fl->measured)
                        fprintf(f, " %9.3f %9.3f %9.3f\n", fl->s.median * 1000, fl->s.min * 1000,
                                fl->s.max * 1000);
                else
                        fprintf(f, " not measured: %s\n", fl->reason);
                for (size_t k = 0; k < b->n_rows; k++)
                        if (runtime_floor_of(b->rows[k].name) == &rt_floors[i] &&
                            isfinite(b->rows[k].ratio))
                                fprintf(f, "    %-44s %8.1fx\n", b->rows[k].name, b->rows[k].ratio);
        }
}

void json_runtime_floors(struct iso_json *j, const struct bench *b)
{
        iso_json_object(j, "runtime_floors");
        for (size_t i = 0; i < n_rt_floors; i++) {
                const struct rt_floor *r = &rt_floors[i];
                iso_json_object(j, r->runtime);
                iso_json_str(j, "what", r->label);
                iso_json_bool(j, "measured", r->f.measured);
                if (r->f.measured) {
                        iso_json_num(j, "median", r->f.s.median * 1000);
                        iso_json_num(j, "min", r->f.s.min * 1000);
                        iso_json_num(j, "max", r->f.s.max * 1000);
                        iso_json_int(j, "n", (long long)r->f.s.n);
                } else {
                        iso_json_str(j, "reason", r->f.reason);
                }
                /* Its cases (those timed in this bench) against it. */
                iso_json_array(j, "cases");
                for (size_t k = 0; k < b->n_rows; k++) {
                        const struct case_row *row = &b->rows[k];
                        if (runtime_floor_of(row->name) != r)
                                continue;
                        iso_json_object(j, NULL);
                        iso_json_str(j, "name", row->name);
                        iso_json_num(j, "median", row->s.median * 1000);
                        iso_json_num(j, "ratio", strcmp(row->verdict, "skip") ? row->ratio : NAN);
                        iso_json_end(j);
                }
                iso_json_end(j);
                iso_json_end(j);
        }
        iso_json_end(j);
}
