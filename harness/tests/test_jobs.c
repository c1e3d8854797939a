// SPDX-License-Identifier: MIT
/*
 * Parallel runs (isocheck -j): each OOM case's kernel-log artifact keeps its own reports
 * only when two are logged in one window, a suppressed report is recognised, the -j and
 * --progress options, and what the progress display writes (status lines, slowest cases).
 * The reports below are composed from mm/oom_kill.c's formats, two cgroups' kills back to
 * back as the kernel logs them under its oom_lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "isocheck/cli.h"
#include "isocheck/kmsg.h"
#include "isocheck/progress.h"

#define CG_A "/isocheck-1-aa/cgroup.memory.oom_kill/hog"
#define CG_B "/isocheck-1-aa/cgroup.memory.oom_kill.stress/tool"

static const char two_reports[] =
        "isocheck invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
        "CPU: 1 PID: 4100 Comm: isocheck Not tainted 6.1.0 #1\n"
        "memory: usage 32768kB, limit 32768kB, failcnt 19\n"
        "Memory cgroup stats for " CG_A ":\n"
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=" CG_A ",task_memcg=" CG_A ",task=isocheck,pid=4100,uid=0\n"
        "Memory cgroup out of memory: Killed process 4100 (isocheck) total-vm:1000kB, "
        "anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:100kB oom_score_adj:0\n"
        "stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
        "memory: usage 32768kB, limit 32768kB, failcnt 45\n"
        "Memory cgroup stats for " CG_B ":\n"
        "eth0: link up\n"
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=" CG_B ",task_memcg=" CG_B ",task=stress,pid=4200,uid=0\n"
        "Memory cgroup out of memory: Killed process 4200 (stress) total-vm:1000kB, "
        "anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:100kB oom_score_adj:0\n"
        "oom_reaper: reaped process 4100 (isocheck), now anon-rss:0kB, file-rss:0kB\n"
        "oom_reaper: reaped process 4200 (stress), now anon-rss:0kB, file-rss:0kB\n";

static void own_report_only(void **state)
{
        (void)state;
        char out[4096];
        pid_t a = 4100, b = 4200;
        assert_int_equal(iso_kmsg_oom_lines_of(two_reports, &a, 1, CG_A, out, sizeof(out)), 6);
        assert_non_null(strstr(out, "Killed process 4100"));
        assert_non_null(strstr(out, "reaped process 4100"));
        assert_null(strstr(out, CG_B));
        assert_null(strstr(out, "4200"));
        assert_null(strstr(out, "eth0"));

        assert_int_equal(iso_kmsg_oom_lines_of(two_reports, &b, 1, CG_B, out, sizeof(out)), 6);
        assert_non_null(strstr(out, "Killed process 4200"));
        assert_null(strstr(out, CG_A));
        assert_null(strstr(out, "4100"));

        /* By the cgroup alone (a PID namespace: the log's PIDs are not ours). */
        assert_int_equal(iso_kmsg_oom_lines_of(two_reports, NULL, 0, CG_B, out, sizeof(out)), 5);
        assert_null(strstr(out, CG_A));
        /* By the PID alone. */
        assert_int_equal(iso_kmsg_oom_lines_of(two_reports, &a, 1, NULL, out, sizeof(out)), 6);
        assert_null(strstr(out, CG_B));
        /* Someone else's kills only. */
        pid_t other = 9999;
        assert_int_equal(
                iso_kmsg_oom_lines_of(two_reports, &other, 1, "/elsewhere", out, sizeof(out)), 0);
        assert_string_equal(out, "");
        /* A cgroup whose name is a longer one's tail is not that one ("hog" vs "xhog"). */
        assert_int_equal(iso_kmsg_oom_lines_of(two_reports, NULL, 0, "xhog", out, sizeof(out)), 0);
}

/* Rate-limited: the second report lost its header and oom-kill line; the kill stays. */
static void suppressed_report(void **state)
{
        (void)state;
        static const char text[] =
                "oom_kill_process: 3 callbacks suppressed\n"
                "Memory cgroup out of memory: Killed process 4200 (stress) total-vm:1000kB, "
                "anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0\n";
        char out[1024], line[256];
        pid_t b = 4200, a = 4100;
        assert_int_equal(iso_kmsg_oom_lines_of(text, &b, 1, CG_B, out, sizeof(out)), 2);
        assert_int_equal(iso_kmsg_oom_lines_of(text, &a, 1, CG_A, out, sizeof(out)), 1);
        assert_string_equal(out, "oom_kill_process: 3 callbacks suppressed\n");
        assert_int_equal(iso_kmsg_oom_suppressed(text, line, sizeof(line)), 1);
        assert_string_equal(line, "oom_kill_process: 3 callbacks suppressed");
        assert_int_equal(
                iso_kmsg_oom_suppressed("noise\n[kmsg: 4 records lost]\n", line, sizeof(line)), 1);
        assert_string_equal(line, "[kmsg: 4 records lost]");
        /* Another subsystem's suppression says nothing about OOM reports. */
        assert_int_equal(iso_kmsg_oom_suppressed("net_ratelimit: 5 callbacks suppressed\n", line,
                                                 sizeof(line)),
                         0);
        assert_int_equal(iso_kmsg_oom_suppressed(two_reports, line, sizeof(line)), 0);
        assert_int_equal(iso_kmsg_oom_suppressed(NULL, line, sizeof(line)), 0);
}

static int parse(struct iso_opts *o, char *err, size_t size, ...)
{
        char *argv[16] = {"isocheck"};
        int argc = 1;
        va_list ap;
        va_start(ap, size);
        for (char *a; argc < 15 && (a = va_arg(ap, char *));)
                argv[argc++] = a;
        va_end(ap);
        return iso_cli_parse(argc, argv, o, err, size);
}

static void jobs_option(void **state)
{
        (void)state;
        struct iso_opts o;
        char err[256];
        assert_int_equal(parse(&o, err, sizeof(err), (char *)NULL), 0);
        assert_int_equal(o.jobs, 0); /* the usable CPUs, decided by the program */
        assert_int_equal(o.progress, ISO_PROGRESS_AUTO);
        assert_int_equal(parse(&o, err, sizeof(err), "-j", "3", (char *)NULL), 0);
        assert_int_equal(o.jobs, 3);
        assert_int_equal(parse(&o, err, sizeof(err), "--jobs=64", (char *)NULL), 0);
        assert_int_equal(o.jobs, 64);
        assert_int_equal(parse(&o, err, sizeof(err), "-j1", (char *)NULL), 0);
        assert_int_equal(o.jobs, 1);
        static const char *const bad[] = {"0", "65", "2.5", "1e1", "-1", "", "x"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(parse(&o, err, sizeof(err), "-j", bad[i], (char *)NULL), -1);
                assert_non_null(strstr(err, "--jobs needs a whole number from 1 to 64"));
        }
        assert_int_equal(parse(&o, err, sizeof(err), "--progress", "never", (char *)NULL), 0);
        assert_int_equal(o.progress, ISO_PROGRESS_NEVER);
        assert_int_equal(parse(&o, err, sizeof(err), "--progress=always", (char *)NULL), 0);
        assert_int_equal(o.progress, ISO_PROGRESS_ALWAYS);
        assert_int_equal(parse(&o, err, sizeof(err), "--progress=sometimes", (char *)NULL), -1);
        assert_non_null(strstr(err, "--progress must be auto, always or never"));
}

static char *read_memfd(int fd)
{
        off_t end = lseek(fd, 0, SEEK_END);
        char *s = calloc(1, (size_t)end + 1);
        assert_non_null(s);
        assert_int_equal(pread(fd, s, (size_t)end, 0), end);
        return s;
}

static void status_lines(void **state)
{
        (void)state;
        int fd = memfd_create("progress", 0);
        assert_true(fd >= 0);
        struct iso_progress_out p;
        /* A memfd is no terminal: auto shows nothing, always a line per ended case. */
        iso_progress_init(&p, ISO_PROGRESS_AUTO, fd);
        assert_false(p.live);
        assert_false(p.lines);
        iso_progress_init(&p, ISO_PROGRESS_ALWAYS, fd);
        assert_false(p.live);
        assert_true(p.lines);
        struct iso_result r = {.name = "pidns.init.pid1", .verdict = ISO_FAIL, .duration_s = 0.25};
        struct iso_plan_status st = {.n = 7,
                                     .done = 3,
                                     .n_running = 1,
                                     .running = {"sidecar.capture.http"},
                                     .ended = &r};
        iso_progress_status(&p, &st);
        st.ended = NULL; /* a start: no line */
        iso_progress_status(&p, &st);
        char *s = read_memfd(fd);
        assert_string_equal(s, "isocheck: [3/7] fail pidns.init.pid1 (0.25 s)\n");
        free(s);

        /* The live line, as on a terminal of 40 columns: cut short of the last column. */
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        p = (struct iso_progress_out){.fd = fd, .live = 1, .width = 40};
        st.counts[ISO_PASS] = 2;
        st.counts[ISO_FAIL] = 1;
        st.elapsed_s = 1.5;
        iso_progress_status(&p, &st);
        iso_progress_clear(&p);
        s = read_memfd(fd);
        assert_string_equal(s, "\r[4/7] 1.5 s  2 pass, 1 fail  running: s\033[K\r\033[K");
        free(s);
        close(fd);
}

static void slowest(void **state)
{
        (void)state;
        struct iso_result r[7] = {
                {.name = "a", .duration_s = 0.5}, {.name = "b", .duration_s = 0},
                {.name = "c", .duration_s = 2.0}, {.name = "d", .duration_s = 0.1},
                {.name = "e", .duration_s = 1.0}, {.name = "f", .duration_s = 0.3},
                {.name = "g", .duration_s = 0.2},
        };
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        assert_int_equal(iso_progress_slowest(r, 7, 5, f), 5);
        assert_int_equal(iso_progress_slowest(r + 1, 1, 5, f), 0); /* nothing ran */
        fclose(f);
        assert_string_equal(buf, "isocheck: slowest cases:\n"
                                 "isocheck:    2.000 s  c\n"
                                 "isocheck:    1.000 s  e\n"
                                 "isocheck:    0.500 s  a\n"
                                 "isocheck:    0.300 s  f\n"
                                 "isocheck:    0.200 s  g\n");
        free(buf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(own_report_only), cmocka_unit_test(suppressed_report),
                cmocka_unit_test(jobs_option),     cmocka_unit_test(status_lines),
                cmocka_unit_test(slowest),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
