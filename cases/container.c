// SPDX-License-Identifier: MIT
/*
 * Debugging Slim Containers: the single-binary app in a FROM-scratch container, written
 * once and run on every registered runtime (runtime.h): `container.app.serves` on the
 * native one, `container.app.serves.docker` on docker, and so on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/container.h"
#include "isocheck/runtime.h"

ISO_RUNTIME_CASE(container_app_serves, "container.app.serves", 0,
                 .doc = "namespaces(7), network_namespaces(7), docker-run(1)",
                 .summary = "the single-binary app in its own container answers HTTP GET / with "
                            "200 and its body, every time",
                 .lab_step = "Debugging Slim Containers: docker run -d -p 8000:8000 app; curl "
                             ":8000",
                 .timeout_s = 20)
{
        /* Not answering is what this case reports, not a broken step. */
        struct iso_rt_app_opts o = {.hostname = "app", .answer_optional = 1};
        struct iso_rt_app *app = iso_rt_fixture_app(c, &o);
        int ok = 0, body_ok = 0, unanswered = 0, made = 0;
        char last[512] = "";
        /* Bounded: ISO_APP_REQUESTS, each 3 s at most; an app that let two in a row go
         * unanswered has shown it, and the rest would only run into the case's timeout. */
        for (int i = 0; i < ISO_APP_REQUESTS && unanswered < 2; i++) {
                int status = 0;
                char body[256];
                struct iso_err e = {0};
                made++;
                if (iso_http_get(app->addr, app->port, "/", &status, body, sizeof(body), &e) < 0) {
                        iso_strlcpy(last, e.msg, sizeof(last));
                        unanswered = e.errnum == ETIMEDOUT ? unanswered + 1 : 0;
                        continue;
                }
                unanswered = 0;
                snprintf(last, sizeof(last), "status %d, body \"%.200s\"", status, body);
                ok += status == 200;
                body_ok += !strcmp(body, ISO_APP_BODY);
        }
        struct iso_err e = {0};
        int status = iso_rt_stop_app(c, app, &e);
        iso_check(t, ok == ISO_APP_REQUESTS, "GET / is answered 200 every time", "5 of 5",
                  "%d of %d made (of %d)%s; last: %s", ok, made, ISO_APP_REQUESTS,
                  app->answered ? "" : " (no answer within 3 s of starting either)", last);
        iso_check(t, body_ok == ISO_APP_REQUESTS, "every answer carries the app's body",
                  ISO_APP_BODY, "%d of %d; last: %s", body_ok, ISO_APP_REQUESTS, last);
        iso_check(t, status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the app exits 0 on SIGTERM", "exit status 0", "%s",
                  status < 0 ? e.msg : "see wait status in the log");
        iso_log(t, "app wait status 0x%x", status);
}

/* Is @name one of the space-separated @entries? */
static int listed(const char *entries, const char *name)
{
        size_t len = strlen(name);
        for (const char *p = entries; (p = strstr(p, name)); p += len)
                if ((p == entries || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
                        return 1;
        return 0;
}

ISO_RUNTIME_CASE(container_app_noshell, "container.app.noshell", 0,
                 .doc = "mount_namespaces(7), execve(2), docker-exec(1)",
                 .summary = "the app's root holds only the app: no /bin/sh, no bash, and exec "
                            "of bash in its container fails",
                 .lab_step = "Debugging Slim Containers: docker exec -it app bash fails",
                 .timeout_s = 20)
{
        struct iso_rt_app_opts o = {.hostname = "app"};
        struct iso_rt_app *app = iso_rt_fixture_app(c, &o);
        char root[64];
        snprintf(root, sizeof(root), "/proc/%d/root", (int)app->pid);
        static const char *const shells[] = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash",
                                             "/bin/busybox"};
        for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++) {
                char path[128], what[96];
                snprintf(path, sizeof(path), "%s%s", root, shells[i]);
                snprintf(what, sizeof(what), "the app's root has no %s", shells[i]);
                int present = access(path, F_OK) == 0;
                iso_check(t, !present, what, "absent", "%s", present ? "present" : "absent");
        }
        /* Everything in the root but what the runtime itself puts in every container's:
         * only "app" is expected. */
        char listing[256] = "";
        size_t n = 0;
        DIR *d = opendir(root);
        for (const struct dirent *de; d && (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
                    listed(c->rt->root_entries, de->d_name))
                        continue;
                n++;
                size_t len = strlen(listing);
                if (len && len + 1 < sizeof(listing))
                        listing[len++] = ' ';
                iso_strlcpy(listing + len, de->d_name, sizeof(listing) - len);
        }
        if (d)
                closedir(d);
        iso_check(t, n == 1 && !strcmp(listing, "app"), "the root holds the app binary alone",
                  "app", "%zu entries: %s", n, listing);
        char *argv[] = {"bash", NULL};
        char detail[128] = "";
        struct iso_err e = {0};
        int r = c->rt->exec(c, app, argv, detail, sizeof(detail), &e);
        if (r < 0)
                iso_rt_broken(c, "%s", e.msg);
        iso_check(t, r != ISO_RT_EXEC_RAN, "exec of bash inside the app's container fails",
                  "not found or not runnable (ENOENT; exit status 126 or 127)", "%s",
                  r == ISO_RT_EXEC_RAN ? "bash ran" : detail);
}
