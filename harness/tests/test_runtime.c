// SPDX-License-Identifier: MIT
/*
 * The runtime seam: a runtime registered here, in this file only (ISO_RUNTIME), gets the
 * behaviours written once in cases/container.c as its own cases
 * ("container.app.serves.fake"), and the runner runs them on it. Its app is a forked
 * HTTP server on 127.0.0.1 answering the app fixture's body: a container in name only,
 * which is the point — the behaviour knows nothing of how a runtime makes one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/report.h"
#include "isocheck/runner.h"
#include "isocheck/runtime.h"

/* The behaviours, as the suite links them (the unit tests link no cases of their own). */
#include "../../cases/container.c"

static volatile sig_atomic_t fake_fail_start; /* the next app_start fails */

/* The variant runner stops what a behaviour left running after the behaviour returned:
 * ASan's fake stacks make a handle in the behaviour's dead frame a stack-use-after-return
 * there, which the default options do not catch (issue 12: container.app.noshell). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
        return "detect_stack_use_after_return=1";
}

static void on_term(int sig)
{
        (void)sig;
        _exit(0); /* as the app fixture does: SIGTERM ends it with status 0 */
}

/* Serve ISO_APP_BODY to every GET on @fd until SIGTERM (the test's own child). */
static void serve(int fd)
{
        signal(SIGTERM, on_term);
        for (int i = 0; i < 1000; i++) { /* bounded: far more than a behaviour makes */
                int cfd = accept(fd, NULL, NULL);
                if (cfd < 0)
                        continue;
                char req[512];
                (void)!read(cfd, req, sizeof(req));
                char reply[256];
                int n = snprintf(reply, sizeof(reply),
                                 "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
                                 strlen(ISO_APP_BODY), ISO_APP_BODY);
                (void)!write(cfd, reply, (size_t)n);
                close(cfd);
        }
        _exit(1);
}

static int fake_app_start(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o,
                          struct iso_rt_app *app, struct iso_err *e)
{
        (void)c;
        if (fake_fail_start)
                return iso_errf(e, EPERM, "expected the fake app to start, but it was told not to");
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(sa);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0 ||
            getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
                int saved = errno;
                if (fd >= 0)
                        close(fd);
                return iso_errf(e, saved, "socket/bind/listen on 127.0.0.1");
        }
        pid_t pid = fork();
        if (pid < 0) {
                close(fd);
                return iso_errf(e, errno, "fork");
        }
        if (pid == 0)
                serve(fd);
        close(fd);
        app->pid = pid;
        app->port = ntohs(sa.sin_port);
        app->answered = 1;
        iso_strlcpy(app->addr, "127.0.0.1", sizeof(app->addr));
        snprintf(app->name, sizeof(app->name), "fake-%s", o->hostname);
        app->priv = app; /* running */
        return 0;
}

static int fake_app_stop(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e)
{
        (void)e;
        if (!app->priv)
                return 0;
        app->priv = NULL;
        kill(app->pid, SIGTERM);
        int status = 0;
        waitpid(app->pid, &status, 0);
        /* What the test looks for: the handle read at stop is the one started. */
        iso_log(c->t, "fake app %s (pid %d) stopped", app->name, (int)app->pid);
        return status;
}

/* The fake's "container" holds no programs: every exec finds nothing. */
static int fake_exec(struct iso_rt_ctx *c, const struct iso_rt_app *app, char *const argv[],
                     char *detail, size_t size, struct iso_err *e)
{
        (void)c;
        (void)e;
        snprintf(detail, size, "%s: no %s in the fake app", app->name, argv[0]);
        return ISO_RT_EXEC_NOT_FOUND;
}

static const struct iso_runtime fake_runtime = {
        .name = "fake",
        .suffix = ".fake",
        .root_entries = "",
        .app_start = fake_app_start,
        .app_stop = fake_app_stop,
        .exec = fake_exec,
};
ISO_RUNTIME(fake_runtime);

static const struct iso_case *find_case(const char *name)
{
        const struct iso_case *const *cases;
        size_t n = iso_registry(&cases);
        for (size_t i = 0; i < n; i++)
                if (!strcmp(cases[i]->name, name))
                        return cases[i];
        return NULL;
}

static void test_registered(void **state)
{
        (void)state;
        assert_ptr_equal(iso_runtime_find("fake"), &fake_runtime);
        /* One case per behaviour and runtime, named with the runtime's suffix; the native
         * one keeps the behaviour's own name. */
        const struct iso_case *c = find_case("container.app.serves.fake");
        assert_non_null(c);
        assert_ptr_equal(iso_case_runtime(c), &fake_runtime);
        assert_non_null(find_case("container.app.noshell.fake"));
        assert_ptr_equal(iso_case_runtime(find_case("container.app.serves")),
                         iso_runtime_find("native"));
        assert_ptr_equal(iso_case_runtime(find_case("container.app.serves.docker")),
                         iso_runtime_find("docker"));
        /* The docker variant takes the runtime's needs and its longer timeout. */
        const struct iso_case *d = find_case("container.app.serves.docker");
        assert_int_equal(d->needs[1].kind, ISO_NEED_RUNTIME);
        assert_string_equal(d->needs[1].arg, "docker");
        assert_int_equal(d->timeout_s, 120);
        assert_int_equal(c->needs[0].kind, ISO_NEED_END);
}

/* Run @name with the real runner (fork, process group, timeout) into @res. */
static void run_case(const char *name, struct iso_result *res)
{
        static struct iso_env env;
        static int probed;
        if (!probed) {
                iso_env_probe(&env);
                iso_runtimes_probe(&env);
                probed = 1;
        }
        char dir[] = "/tmp/isocheck-test-runtime-XXXXXX";
        assert_non_null(mkdtemp(dir));
        struct iso_runner r;
        struct iso_err e = {0};
        volatile sig_atomic_t stop = 0;
        assert_int_equal(iso_runner_init(&r, &env, 1.0, dir, &stop, &e), 0);
        const struct iso_case *c = find_case(name);
        assert_non_null(c);
        memset(res, 0, sizeof(*res));
        iso_runner_run(&r, c, res);
        iso_runner_fini(&r);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
}

static void test_behaviour_runs_on_fake(void **state)
{
        (void)state;
        struct iso_result res;
        run_case("container.app.serves.fake", &res);
        if (res.verdict != ISO_PASS)
                print_message("%s: %s\n%s\n", iso_verdict_name(res.verdict), res.message,
                              res.log ? res.log : "");
        assert_int_equal(res.verdict, ISO_PASS);
        assert_int_equal(res.n_checks, 3); /* 200 every time, the body, exit 0 on SIGTERM */
        free(res.log);
}

static void test_failed_start_is_an_error(void **state)
{
        (void)state;
        struct iso_result res;
        fake_fail_start = 1;
        run_case("container.app.serves.fake", &res);
        fake_fail_start = 0;
        assert_int_equal(res.verdict, ISO_ERROR);
        assert_non_null(strstr(res.message, "expected the fake app to start"));
        free(res.log);
}

/* container.app.noshell returns with its app running: the runner stops it through a handle
 * it owns, not one in the behaviour's returned frame (ASan's stack-use-after-return would
 * end the case as a crash, without the stop's log line). */
static void test_left_running_is_stopped(void **state)
{
        (void)state;
        struct iso_result res;
        run_case("container.app.noshell.fake", &res);
        if (!res.log || !strstr(res.log, "fake app fake-app (pid "))
                print_message("%s: %s\n%s\n", iso_verdict_name(res.verdict), res.message,
                              res.log ? res.log : "");
        /* The fake's root is the host's, which has a shell: a fail, not an error. */
        assert_int_equal(res.verdict, ISO_FAIL);
        assert_non_null(res.log);
        assert_non_null(strstr(res.log, "fake app fake-app (pid "));
        assert_null(strstr(res.log, "stack-use-after-return"));
        free(res.log);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_registered),
                cmocka_unit_test(test_behaviour_runs_on_fake),
                cmocka_unit_test(test_failed_start_is_an_error),
                cmocka_unit_test(test_left_running_is_stopped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
