// SPDX-License-Identifier: MIT
/* Exploring cgroups: the pids controller caps how many processes a cgroup may hold
 * (cgroup-v1/pids.rst, cgroup-v2.rst "PID"). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/fault.h"
#include "isocheck/fixtures.h"

#define PIDS_MAX 5

/* What the forker saw: how many children it made, and the errno of the fork that failed. */
struct fork_report {
        int made;
        int err;
};

struct forker {
        int report_fd;
        int go_fd;
};

/* In the cgroup: fork until refused, report, wait for the runner's look, then clean up. */
static int forker_run(void *arg)
{
        const struct forker *f = arg;
        pid_t kids[PIDS_MAX + 1];
        struct fork_report rep = {0, 0};
        /* Bounded: one more attempt than pids.max could ever allow. */
        for (int i = 0; i <= PIDS_MAX; i++) {
                pid_t k = fork();
                if (k == 0) {
                        sleep(20); /* killed below long before */
                        _exit(0);
                }
                if (k < 0) {
                        rep.err = errno;
                        break;
                }
                kids[rep.made++] = k;
        }
        char go;
        int rc = write(f->report_fd, &rep, sizeof(rep)) == (ssize_t)sizeof(rep) &&
                                 read(f->go_fd, &go, 1) == 1
                         ? 0
                         : 1;
        for (int i = 0; i < rep.made; i++)
                kill(kids[i], SIGKILL);
        for (int i = 0; i < rep.made; i++)
                waitpid(kids[i], NULL, 0);
        return rc;
}

ISO_CASE(cgroup_pids_limit, "cgroup.pids.limit",
         .doc = "cgroup-v1/pids.rst, cgroup-v2.rst \"PID\", fork(2)",
         .summary = "pids.max=N lets N processes exist in the cgroup and the next fork fails "
                    "with EAGAIN",
         .lab_step = "Exploring cgroups: the same limits idea applied to the pids controller",
         .needs = {ISO_ROOT, ISO_CGROUP_CTRL("pids", 0)}, .timeout_s = 20)
{
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, "pids", "forker", &cg);
        char max[16];
        snprintf(max, sizeof(max), "%d", PIDS_MAX);
        /* Test build only: a kernel that takes the write and enforces nothing. */
        if (iso_fault("cgroup.pids.max.ignored"))
                snprintf(max, sizeof(max), "max");
        if (iso_cg_write(&cg, "pids.max", max, &e) < 0)
                iso_broken(t, "expected to set pids.max on an empty cgroup, but %s", e.msg);
        long long events_before = 0;
        int have_events = iso_cg_read_key(&cg, "pids.events", "max", &events_before, NULL) == 0;

        int rep_pipe[2], go_pipe[2];
        if (pipe(rep_pipe) < 0 || pipe(go_pipe) < 0)
                iso_broken(t, "pipe: %s", strerror(errno));
        struct forker f = {rep_pipe[1], go_pipe[0]};
        pid_t pid = iso_cg_spawn(&cg, forker_run, &f, &e);
        close(rep_pipe[1]);
        close(go_pipe[0]);
        if (pid < 0)
                iso_broken(t, "expected to start the forker in the cgroup, but %s", e.msg);
        struct fork_report rep = {-1, 0};
        ssize_t got = read(rep_pipe[0], &rep, sizeof(rep));
        long long current = -1;
        iso_cg_read_value(&cg, "pids.current", &current, NULL);
        (void)!write(go_pipe[1], "g", 1);
        close(go_pipe[1]);
        close(rep_pipe[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (got != (ssize_t)sizeof(rep))
                iso_broken(t,
                           "expected a report from the forker, got %zd bytes (wait status "
                           "0x%x)",
                           got, status);

        iso_check_eq(t, rep.made, PIDS_MAX - 1,
                     "forks succeed until the forker and its children fill pids.max");
        iso_check(t, rep.err == EAGAIN, "the fork beyond pids.max fails with EAGAIN", "EAGAIN",
                  "%s", rep.err ? strerror(rep.err) : "no fork failed");
        iso_check_eq(t, current, PIDS_MAX, "pids.current reads the limit while the cgroup is full");
        if (have_events) {
                long long events_after = 0;
                iso_cg_read_key(&cg, "pids.events", "max", &events_after, NULL);
                iso_check(t, events_after > events_before, "pids.events counts the refused fork",
                          "a rise", "max %lld -> %lld", events_before, events_after);
        }
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the forker reaps its children and exits 0", "exit status 0", "wait status 0x%x",
                  status);
        iso_fixture_cgroup_destroy(t, &cg);
}
