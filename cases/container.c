// SPDX-License-Identifier: MIT
/*
 * Debugging Slim Containers, native runtime: the single-binary app in isocheck's own
 * namespaces, cgroup and a root holding only the app (namespaces(7), pivot_root(2)).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/fixtures.h"
#include "isocheck/container.h"
#include "isocheck/ns.h"

#define APP_PORT 8000
#define REQUESTS 5
#define APP_BODY "isocheck app: hello from a FROM-scratch container\n"

ISO_CASE(container_app_serves, "container.app.serves",
         .summary = "the single-binary app in its own namespaces answers HTTP GET / with 200 "
                    "and its body, every time",
         .lab_step = "Debugging Slim Containers: docker run -d -p 8000:8000 app; curl :8000",
         .needs = {ISO_NEEDS_NATIVE_APP}, .timeout_s = 20)
{
        struct iso_app app;
        iso_fixture_app(t, "app", &app);
        int ok = 0, body_ok = 0, unanswered = 0, made = 0;
        char last[512] = "";
        /* Bounded: REQUESTS, each 3 s at most; an app that let two in a row go unanswered
         * has shown it, and the rest would only run into the case's timeout. */
        for (int i = 0; i < REQUESTS && unanswered < 2; i++) {
                int status = 0;
                char body[256];
                struct iso_err e = {0};
                made++;
                if (iso_http_get(app.app_addr, app.port, "/", &status, body, sizeof(body), &e) <
                    0) {
                        iso_strlcpy(last, e.msg, sizeof(last));
                        unanswered = e.errnum == ETIMEDOUT ? unanswered + 1 : 0;
                        continue;
                }
                unanswered = 0;
                snprintf(last, sizeof(last), "status %d, body \"%.200s\"", status, body);
                ok += status == 200;
                body_ok += !strcmp(body, APP_BODY);
        }
        struct iso_err e = {0};
        int status = iso_app_stop(&app, &e);
        iso_check(t, ok == REQUESTS, "GET / answered 200 every time", "5 of 5",
                  "%d of %d made (of %d); last: %s", ok, made, REQUESTS, last);
        iso_check(t, body_ok == REQUESTS, "every answer carries the app's body", APP_BODY,
                  "%d of %d; last: %s", body_ok, REQUESTS, last);
        iso_check(t, status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the app exits 0 on SIGTERM", "exit status 0", "%s",
                  status < 0 ? e.msg : "see wait status in the log");
        iso_log(t, "app wait status 0x%x", status);
}

/* Try to exec @prog inside the app's namespaces and root, as `docker exec app bash` does.
 * Returns the errno execvp gave (0 if it somehow ran). On a broken step the app is
 * stopped before the case ends, so nothing of it is left behind. */
static int exec_inside(struct iso_t *t, struct iso_app *app, const char *prog)
{
        int p[2];
        /* Close-on-exec: a program that does run must not hold the pipe open. */
        if (pipe2(p, O_CLOEXEC) < 0) {
                int saved = errno;
                iso_app_stop(app, NULL);
                iso_broken(t, "pipe2: %s", strerror(saved));
        }
        fflush(NULL);
        pid_t c = fork();
        if (c < 0) {
                int saved = errno;
                iso_app_stop(app, NULL);
                iso_broken(t, "fork: %s", strerror(saved));
        }
        if (c == 0) {
                close(p[0]);
                struct iso_err e = {0};
                int err;
                if (iso_ns_join(app->pid,
                                CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS |
                                        CLONE_NEWIPC,
                                0, &e) < 0)
                        err = -(e.errnum ? e.errnum : EIO);
                else {
                        char *argv[] = {(char *)prog, NULL};
                        execvp(prog, argv);
                        err = errno;
                }
                (void)!write(p[1], &err, sizeof(err));
                _exit(0);
        }
        close(p[1]);
        int err = 0;
        ssize_t got = read(p[0], &err, sizeof(err));
        close(p[0]);
        /* Whatever ran in its place (a shell waiting for input, another server) is not
         * ours to wait for. */
        if (got != (ssize_t)sizeof(err))
                kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        if (got != (ssize_t)sizeof(err))
                return 0; /* nothing reported: the exec worked and the program ran */
        if (err < 0) {
                iso_app_stop(app, NULL);
                iso_broken(t, "expected to join the app's namespaces, but setns failed: %s",
                           strerror(-err));
        }
        return err;
}

ISO_CASE(container_app_noshell, "container.app.noshell",
         .summary = "the app's root holds only the app: no /bin/sh, no bash, and exec of bash "
                    "in its namespaces fails",
         .lab_step = "Debugging Slim Containers: docker exec -it app bash fails",
         .needs = {ISO_NEEDS_NATIVE_APP}, .timeout_s = 20)
{
        struct iso_app app;
        iso_fixture_app(t, "app", &app);
        char root[64];
        snprintf(root, sizeof(root), "/proc/%d/root", (int)app.pid);
        static const char *const shells[] = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash",
                                             "/bin/busybox"};
        for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++) {
                char path[128], what[96];
                snprintf(path, sizeof(path), "%s%s", root, shells[i]);
                snprintf(what, sizeof(what), "the app's root has no %s", shells[i]);
                int present = access(path, F_OK) == 0;
                iso_check(t, !present, what, "absent", "%s", present ? "present" : "absent");
        }
        /* Everything in the root: only "app" is expected. */
        char listing[256] = "";
        size_t n = 0;
        DIR *d = opendir(root);
        for (struct dirent *de; d && (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
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
        int err = exec_inside(t, &app, "bash");
        iso_check(t, err == ENOENT, "exec of bash inside the app's namespaces fails",
                  "ENOENT (no such file)", "%s", err ? strerror(err) : "bash ran");
        iso_app_stop(&app, NULL);
}
