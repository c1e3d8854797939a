// SPDX-License-Identifier: MIT
#include "isocheck/fixtures.h"

#include <errno.h>
#include <limits.h>

void iso_fixture_cgroup(struct iso_t *t, const char *ctrl, const char *name, struct iso_cg *cg)
{
        struct iso_err e = {0};
        if (iso_cg_make(iso_case_env(t), ctrl, iso_case_scope(t), name, cg, &e) == 0)
                return;
        if (e.errnum == ENOENT || e.errnum == EROFS || e.errnum == ENOTSUP)
                iso_skip(t, "needs a writable %s cgroup: %s", ctrl, e.msg);
        iso_broken(t, "expected to create a %s cgroup, but %s", ctrl, e.msg);
}

void iso_fixture_cgroup_destroy(struct iso_t *t, const struct iso_cg *cg)
{
        struct iso_err e = {0};
        if (iso_cg_destroy(cg, &e) < 0)
                iso_broken(t, "expected to remove %s, but %s", cg->path, e.msg);
}

void iso_fixture_app(struct iso_t *t, const char *hostname, struct iso_app *app)
{
        char path[PATH_MAX];
        struct iso_err e = {0};
        if (iso_fixture_path("app", path, sizeof(path), &e) < 0)
                iso_skip(t, "needs the app fixture: %s", e.msg);
        struct iso_app_opts o = {.app_path = path,
                                 .hostname = hostname,
                                 .scope = iso_case_scope(t),
                                 .env = iso_case_env(t),
                                 .port = 8000};
        if (iso_app_start(app, &o, &e) < 0)
                iso_broken(t, "expected the native app container to start, but %s", e.msg);
        iso_log(t, "app %s: host PID %d, %s:%d via %s/%s (host side %s)", hostname, (int)app->pid,
                app->app_addr, app->port, app->host_if, app->app_if, app->host_addr);
}

void iso_fixture_pidns_box(struct iso_t *t, struct iso_pidns_box *b)
{
        struct iso_err e = {0};
        if (iso_pidns_box_start(b, 1, &e) < 0)
                iso_broken(t, "expected a new PID and mount namespace with its own /proc, but %s",
                           e.msg);
}
