// SPDX-License-Identifier: MIT
/* Unit tests of the bounded tool runner (tool.c): output, input, status, time bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "isocheck/tool.h"

static void output_and_status(void **state)
{
        (void)state;
        char out[256];
        int timed_out = 1;
        char *argv[] = {"sh", "-c", "echo hello; echo err >&2; exit 3", NULL};
        int st = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, &timed_out, NULL);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 3);
        assert_int_equal(timed_out, 0);
        assert_string_equal(out, "hello\nerr\n");
}

static void input(void **state)
{
        (void)state;
        char out[256];
        char *argv[] = {"cat", NULL};
        int st = iso_tool_run(argv, "line one\nline two\n", out, sizeof(out), 5.0, NULL, NULL);
        assert_int_equal(st, 0);
        assert_string_equal(out, "line one\nline two\n");
}

static void killed_at_the_bound(void **state)
{
        (void)state;
        char out[64];
        int timed_out = 0;
        char *argv[] = {"sleep", "10", NULL};
        double t0 = iso_now();
        int st = iso_tool_run(argv, NULL, out, sizeof(out), 0.3, &timed_out, NULL);
        assert_true(iso_now() - t0 < 3.0);
        assert_int_equal(timed_out, 1);
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* A background child keeping the output pipe open must not hold the run past its bound,
 * and must die with the group. */
static void background_child_dies_with_the_group(void **state)
{
        (void)state;
        char out[64];
        char *argv[] = {"sh", "-c", "sleep 10 & echo $!", NULL};
        double t0 = iso_now();
        iso_tool_run(argv, NULL, out, sizeof(out), 0.5, NULL, NULL);
        assert_true(iso_now() - t0 < 3.0);
        int child = atoi(out);
        assert_true(child > 0);
        /* SIGKILLed; gone once its parent (init or a subreaper) reaps it: poll briefly. */
        int alive = 1;
        for (int i = 0; i < 100 && alive; i++) {
                char path[64], *s;
                snprintf(path, sizeof(path), "/proc/%d/stat", child);
                s = iso_read_file(path, NULL, NULL);
                alive = s && !strstr(s, ") Z ");
                free(s);
                if (alive)
                        usleep(10000);
        }
        assert_false(alive);
}

static void truncated_output_is_terminated(void **state)
{
        (void)state;
        char out[8];
        char *argv[] = {"sh", "-c", "echo 0123456789abcdef", NULL};
        assert_int_equal(iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, NULL), 0);
        assert_string_equal(out, "0123456");
}

static void missing_tool(void **state)
{
        (void)state;
        char out[256];
        char *argv[] = {"isocheck-no-such-tool", NULL};
        int st = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, NULL);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 127);
        assert_non_null(strstr(out, "isocheck-no-such-tool"));
        assert_int_equal(iso_tool_has_option("isocheck-no-such-tool", "--x"), -1);
}

static void has_option(void **state)
{
        (void)state;
        assert_int_equal(iso_tool_has_option("sh", "--isocheck-never"), 0);
        if (iso_tool_has_option("unshare", "--fork") < 0)
                skip();
        assert_int_equal(iso_tool_has_option("unshare", "--fork"), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(output_and_status),
                cmocka_unit_test(input),
                cmocka_unit_test(killed_at_the_bound),
                cmocka_unit_test(background_child_dies_with_the_group),
                cmocka_unit_test(truncated_output_is_terminated),
                cmocka_unit_test(missing_tool),
                cmocka_unit_test(has_option),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
