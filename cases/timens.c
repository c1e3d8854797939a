// SPDX-License-Identifier: MIT
/*
 * Time namespaces (Linux 5.6+): offsets written to /proc/self/timens_offsets before the
 * first child shift CLOCK_MONOTONIC and CLOCK_BOOTTIME, and so /proc/uptime, for the
 * processes of the new namespace only (time_namespaces(7), unshare(1) --time).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/tool.h"
#include "nschild.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define NEEDS_TIMENS ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("time"), ISO_KCONFIG("CONFIG_TIME_NS")

/* A day: far above any scheduling delay between the readings compared. */
#define OFFSET_S 86400
/* How far the difference may stray from the offset: the readings are not simultaneous. */
#define SLACK_S 2.0

static double clock_s(clockid_t id)
{
        struct timespec ts;
        clock_gettime(id, &ts);
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct time_look {
        int step; /* 1: unshare, 2: timens_offsets, 3: fork of the namespace's first child */
        double monotonic, boottime; /* read inside */
};

/* unshare(CLONE_NEWTIME) puts only later children in the namespace: the offsets are set
 * first, then a grandchild reads the clocks. */
static int look_time(void *arg, void *answer)
{
        (void)arg;
        struct time_look *a = answer;
        if (unshare(CLONE_NEWTIME) < 0)
                return a->step = 1, errno;
        char offsets[96];
        snprintf(offsets, sizeof(offsets), "monotonic %d 0\nboottime %d 0\n", OFFSET_S, OFFSET_S);
        int err = ns_write_file("/proc/self/timens_offsets", offsets);
        if (err)
                return a->step = 2, err;
        int fds[2];
        if (pipe(fds) < 0)
                return a->step = 3, errno;
        pid_t pid = fork();
        if (pid < 0)
                return a->step = 3, errno;
        if (pid == 0) {
                double v[2] = {clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_BOOTTIME)};
                _exit(write(fds[1], v, sizeof(v)) == (ssize_t)sizeof(v) ? 0 : 1);
        }
        close(fds[1]);
        double v[2] = {0, 0};
        ssize_t n = read(fds[0], v, sizeof(v));
        waitpid(pid, NULL, 0);
        close(fds[0]);
        if (n != (ssize_t)sizeof(v))
                return a->step = 3, EIO;
        a->monotonic = v[0];
        a->boottime = v[1];
        return 0;
}

ISO_CASE(timens_offset, "timens.offset", .doc = "time_namespaces(7), clock_gettime(2)",
         .summary = "a time namespace with CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets of a day "
                    "reads both clocks a day ahead inside, and the host's clocks do not move",
         .lab_step = "time_namespaces(7): unshare --time --monotonic 86400 --boottime 86400",
         .needs = {NEEDS_TIMENS}, .timeout_s = 10)
{
        double mono0 = clock_s(CLOCK_MONOTONIC), boot0 = clock_s(CLOCK_BOOTTIME);
        struct time_look a = {0};
        int err = ns_child_look(t, "time", look_time, NULL, &a, sizeof(a), 5.0);
        static const char *const steps[] = {"", "unshare(CLONE_NEWTIME)",
                                            "writing /proc/self/timens_offsets",
                                            "fork of the namespace's first process"};
        if (err)
                iso_broken(t, "expected %s to succeed as root, got %s", steps[a.step & 3],
                           strerror(err));
        double mono1 = clock_s(CLOCK_MONOTONIC), boot1 = clock_s(CLOCK_BOOTTIME);
        iso_log(t, "outside monotonic %.3f..%.3f boottime %.3f..%.3f; inside %.3f and %.3f", mono0,
                mono1, boot0, boot1, a.monotonic, a.boottime);
        char want[64];
        snprintf(want, sizeof(want), "%d s ahead (+/- %.0f s)", OFFSET_S, SLACK_S);
        double dm = a.monotonic - mono0, db = a.boottime - boot0;
        iso_check(t, dm > OFFSET_S - SLACK_S && dm < OFFSET_S + SLACK_S + (mono1 - mono0),
                  "CLOCK_MONOTONIC inside is the offset ahead of the host's", want, "%.3f s ahead",
                  dm);
        iso_check(t, db > OFFSET_S - SLACK_S && db < OFFSET_S + SLACK_S + (boot1 - boot0),
                  "CLOCK_BOOTTIME inside is the offset ahead of the host's", want, "%.3f s ahead",
                  db);
        iso_check(t, mono1 - mono0 < SLACK_S + 5.0, "the host's CLOCK_MONOTONIC did not jump",
                  "less than the case's own duration", "%.3f s", mono1 - mono0);
}

/* The first number of /proc/uptime (seconds since boot, CLOCK_BOOTTIME), or -1. */
static double uptime_of(const char *text)
{
        double up = -1;
        return sscanf(text, "%lf", &up) == 1 ? up : -1;
}

ISO_CASE(timens_offset_tool, "timens.offset.tool", .doc = "time_namespaces(7), unshare(1) --time",
         .summary = "`cat /proc/uptime` under `unshare --time --boottime 86400` reads a day "
                    "more than the host's",
         .lab_step = "time_namespaces(7): unshare --time --monotonic 86400 --boottime 86400",
         .needs = {NEEDS_TIMENS, ISO_TOOL("unshare"), ISO_TOOL("cat")}, .timeout_s = 10)
{
        if (iso_tool_has_option("unshare", "--boottime") != 1)
                iso_skip(t, "needs unshare with --time and --boottime (util-linux 2.36+): its "
                            "--help does not offer --boottime");
        char before[128], after[128], out[512];
        int err = ns_read_file("/proc/uptime", before, sizeof(before));
        if (err)
                iso_broken(t, "expected to read /proc/uptime: %s", strerror(err));
        char off[16];
        snprintf(off, sizeof(off), "%d", OFFSET_S);
        char *argv[] = {"unshare",    "--time", "--fork", "--monotonic",  off,
                        "--boottime", off,      "cat",    "/proc/uptime", NULL};
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        if (status < 0)
                iso_broken(t, "expected to run unshare --time, but %s", e.msg);
        ns_read_file("/proc/uptime", after, sizeof(after));
        before[strcspn(before, "\n")] = after[strcspn(after, "\n")] = out[strcspn(out, "\n")] =
                '\0';
        iso_log(t,
                "host /proc/uptime %s then %s; unshare --time ... cat /proc/uptime (status "
                "0x%x): %s",
                before, after, status, out);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "unshare --time --fork cat exits 0", "exit status 0", "wait status 0x%x: %.200s",
                  status, out);
        double d = uptime_of(out) - uptime_of(before);
        double span = uptime_of(after) - uptime_of(before);
        char want[64];
        snprintf(want, sizeof(want), "%d s more (+/- %.0f s)", OFFSET_S, SLACK_S);
        iso_check(t, uptime_of(out) >= 0 && d > OFFSET_S - SLACK_S && d < OFFSET_S + SLACK_S + span,
                  "uptime inside is the boottime offset above the host's", want, "%.2f s more", d);
}
