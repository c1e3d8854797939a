// SPDX-License-Identifier: MIT
/* Unit tests of process-table parsing and comparison (proc.c) and NSpid parsing (ns.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/ns.h"
#include "isocheck/proc.h"
#include "samples.h"

static void stat_lines(void **state)
{
        (void)state;
        char *text = read_sample("proc-stat-lines.txt");
        static const struct iso_proc want[] = {{1, 0, "sh"},
                                               {2, 1, "sleep"},
                                               {77, 1, "my prog"},
                                               {78, 77, "a) b (c)"},
                                               {79, 1, "(sd-pam)"}};
        size_t i = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save), i++) {
                struct iso_proc p;
                assert_int_equal(iso_proc_parse_stat(l, &p), 0);
                assert_int_equal(p.pid, want[i].pid);
                assert_int_equal(p.ppid, want[i].ppid);
                assert_string_equal(p.comm, want[i].comm);
        }
        assert_int_equal(i, 5);
        free(text);
}

static void stat_malformed(void **state)
{
        (void)state;
        struct iso_proc p;
        static const char *const bad[] = {"", "x (sh) S 0", "1 sh S 0", "1 (sh S 0", "1 (sh) 0 0",
                                          "-1 (sh) S 0", "1 (sh) S x",
                                          /* overflowing pid_t (found by fuzzing) */
                                          "4294967338 (sh) S 1", "42 (sh) S 77777777771"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(iso_proc_parse_stat(bad[i], &p), -1);
        /* A comm longer than the field is cut, not overflowed. */
        char line[256];
        snprintf(line, sizeof(line), "5 (%0100d) S 1 0", 7);
        assert_int_equal(iso_proc_parse_stat(line, &p), 0);
        assert_int_equal(strlen(p.comm), sizeof(p.comm) - 1);
}

static void nspid(void **state)
{
        (void)state;
        char *s = read_sample("status-nspid.txt");
        pid_t ids[4] = {0};
        assert_int_equal(iso_ns_parse_nspid(s, ids, 4), 2);
        assert_int_equal(ids[0], 24405);
        assert_int_equal(ids[1], 2);
        /* Only @max stored, the count still told. */
        pid_t one[1] = {0};
        assert_int_equal(iso_ns_parse_nspid(s, one, 1), 2);
        assert_int_equal(one[0], 24405);
        free(s);
        s = read_sample("status-old-kernel.txt");
        assert_int_equal(iso_ns_parse_nspid(s, ids, 4), -1);
        free(s);
        assert_int_equal(iso_ns_parse_nspid("NSpid:\t7\n", ids, 4), 1);
        assert_int_equal(ids[0], 7);
        /* The next line's number is not a PID of this line (found by fuzzing). */
        assert_int_equal(iso_ns_parse_nspid("NSpid:\t24405\t\n1\n", ids, 4), 1);
        assert_int_equal(iso_ns_parse_nspid("NSpid:\t99999999999\n", ids, 4), 0);
        /* NStgid is not NSpid. */
        assert_int_equal(iso_ns_parse_nspid("NStgid:\t9\t1\n", ids, 4), -1);
}

/* Status files with no usable NSpid (issue 11, item 3): ENODATA naming the file, which
 * the cases record as a check that cannot be made here, never a kernel failure. */
static void nspid_unavailable(void **state)
{
        (void)state;
        pid_t ids[4] = {0};
        struct iso_err e = {0};
        char *s = read_sample("status-nspid.txt");
        assert_int_equal(iso_ns_nspid_text(s, "status-nspid.txt", ids, 4, &e), 2);
        free(s);
        /* Linux before 4.1 (and sandboxes that hide the NS* lines): no NSpid line. */
        s = read_sample("status-old-kernel.txt");
        assert_int_equal(iso_ns_nspid_text(s, "status-old-kernel.txt", ids, 4, &e), -1);
        assert_int_equal(e.errnum, ENODATA);
        assert_non_null(strstr(e.msg, "status-old-kernel.txt has no NSpid line"));
        free(s);
        /* Further input of the kind: an NSpid line holding no PID (a sandbox's stub). */
        s = read_sample("status-empty-nspid.txt");
        memset(&e, 0, sizeof(e));
        assert_int_equal(iso_ns_nspid_text(s, "status-empty-nspid.txt", ids, 4, &e), -1);
        assert_int_equal(e.errnum, ENODATA);
        assert_non_null(strstr(e.msg, "status-empty-nspid.txt has an NSpid line with no PID"));
        free(s);
        /* A line whose first field is no number holds no PID either. */
        memset(&e, 0, sizeof(e));
        assert_int_equal(iso_ns_nspid_text("NSpid:\tx\n", "text", ids, 4, &e), -1);
        assert_int_equal(e.errnum, ENODATA);
}

static void diff_and_side_by_side(void **state)
{
        (void)state;
        const struct iso_proc inside[] = {{1, 0, "sh"}, {2, 1, "sleep"}, {3, 1, "ps"}};
        const struct iso_proc joined[] = {{1, 0, "sh"}, {2, 1, "sleep"}, {4, 0, "ps"}};
        pid_t ia[] = {3}, ib[] = {4};
        assert_int_equal(iso_proc_diff(inside, 3, ia, 1, joined, 3, ib, 1), 0);
        /* Without leaving out the observers, both differ. */
        assert_int_equal(iso_proc_diff(inside, 3, NULL, 0, joined, 3, NULL, 0), 2);
        const struct iso_proc host[] = {{1, 0, "systemd"}, {2, 1, "sleep"}, {900, 1, "sshd"}};
        assert_int_equal(iso_proc_diff(inside, 3, ia, 1, host, 3, NULL, 0), 2);
        const struct iso_proc reparented[] = {{1, 0, "sh"}, {2, 0, "sleep"}};
        assert_int_equal(iso_proc_diff(inside, 3, ia, 1, reparented, 2, NULL, 0), 1);

        char out[2048];
        iso_proc_side_by_side(inside, 3, "inside", host, 3, "host", out, sizeof(out));
        assert_non_null(strstr(out, "inside"));
        assert_non_null(strstr(out, "systemd"));
        assert_non_null(strstr(out, "sshd"));
        /* Rows: title, 1, 2, 3, 900; the differing ones are starred. */
        int rows = 0, starred = 0;
        for (char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                rows++;
                starred += *l == '*';
        }
        assert_int_equal(rows, 5);
        assert_int_equal(starred, 3);
        /* Truncation is safe. */
        char small[40];
        iso_proc_side_by_side(inside, 3, "inside", host, 3, "host", small, sizeof(small));
        assert_true(strlen(small) < sizeof(small));
}

static void find(void **state)
{
        (void)state;
        const struct iso_proc t[] = {{1, 0, "sh"}, {2, 1, "sleep"}};
        assert_string_equal(iso_proc_find(t, 2, 2)->comm, "sleep");
        assert_null(iso_proc_find(t, 2, 3));
}

/* The live table of this very process's /proc: we must be in it. */
static void live_table(void **state)
{
        (void)state;
        static struct iso_proc t[8192];
        long n = iso_proc_table("/proc", t, 8192, NULL);
        assert_true(n > 0);
        assert_non_null(iso_proc_find(t, (size_t)n, getpid()));
        for (long i = 1; i < n && i < 8192; i++)
                assert_true(t[i - 1].pid < t[i].pid);
        struct iso_err e = {0};
        assert_int_equal(iso_proc_table("/nonexistent-proc", t, 8, &e), -1);
        assert_non_null(strstr(e.msg, "/nonexistent-proc"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(stat_lines),
                cmocka_unit_test(stat_malformed),
                cmocka_unit_test(nspid),
                cmocka_unit_test(nspid_unavailable),
                cmocka_unit_test(diff_and_side_by_side),
                cmocka_unit_test(find),
                cmocka_unit_test(live_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
