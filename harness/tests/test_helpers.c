// SPDX-License-Identifier: MIT
/*
 * Unit tests of the shared helpers issue 12 added: the pipe+fork handshake (util.c,
 * iso_fork_piped and iso_piped_collect) and the command-line checks (opt.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "isocheck/opt.h"
#include "isocheck/util.h"

struct report {
        pid_t pid;
        int write_end; /* was the child's descriptor the pipe's write end? */
};

static void piped_report_arrives(void **state)
{
        (void)state;
        int fd = -1;
        struct iso_err e = {0};
        pid_t pid = iso_fork_piped(&fd, &e);

        assert_true(pid >= 0);
        if (pid == 0) {
                /* The child's end writes; the pipe's other end is the parent's alone. */
                struct report r = {getpid(), (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY};
                _exit(write(fd, &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
        }
        assert_true(fd >= 0);
        assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        struct report r = {0};

        assert_int_equal(iso_piped_collect(pid, fd, &r, sizeof(r)), 0);
        assert_int_equal(r.pid, pid);
        assert_int_equal(r.write_end, 1);
        /* Reaped: no child of that PID is left to wait for. */
        assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
}

static void piped_child_ends_first(void **state)
{
        (void)state;
        int fd = -1;
        struct iso_err e = {0};
        pid_t pid = iso_fork_piped(&fd, &e);

        assert_true(pid >= 0);
        if (pid == 0)
                _exit(0); /* no report: the parent must see EOF, not wait forever */
        char buf[16];

        assert_int_equal(iso_piped_collect(pid, fd, buf, sizeof(buf)), -1);
        assert_int_equal(errno, EPIPE);
}

static void opt_numbers(void **state)
{
        (void)state;
        double d = -1;
        unsigned int u = 0;

        assert_int_equal(iso_opt_number("2.5", 0.01, 1000, &d), 0);
        assert_true(d == 2.5);
        assert_int_equal(iso_opt_number("0.01", 0.01, 1000, &d), 0);
        assert_int_equal(iso_opt_number("0.001", 0.01, 1000, &d), -1);
        /* A lower bound of 0 is open: a zero timeout is refused. */
        assert_int_equal(iso_opt_number("0", 0, 86400, &d), -1);
        assert_int_equal(iso_opt_number("86400", 0, 86400, &d), 0);
        for (const char *const *bad =
                     (const char *const[]){"", "1x", "nan", "inf", "1e999",
                                           /* field: --timeout-mult 0x10 */
                                           "0x10", "0X1p3", " 1", "infinity", NULL};
             *bad; bad++)
                assert_int_equal(iso_opt_number(*bad, 0, 1e300, &d), -1);
        assert_int_equal(iso_opt_whole("64", 1, 64, &u), 0);
        assert_int_equal(u, 64);
        for (const char *const *bad = (const char *const[]){"", "0", "65", "+1", "-1", "1.5",
                                                            "99999999999999999999", NULL};
             *bad; bad++)
                assert_int_equal(iso_opt_whole(*bad, 1, 64, &u), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(piped_report_arrives),
                cmocka_unit_test(piped_child_ends_first),
                cmocka_unit_test(opt_numbers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
