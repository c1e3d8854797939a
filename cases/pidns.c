// SPDX-License-Identifier: MIT
/* Exploring Namespaces: PID namespaces (pid_namespaces(7)). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/ns.h"

/* What the first process of the new namespace saw of itself. */
struct self_view {
        pid_t pid;
        pid_t ppid;
};

ISO_CASE(pidns_init_pid1, "pidns.init.pid1",
         .summary = "the first process in a new PID namespace is PID 1 with parent 0 there, "
                    "and has another PID outside",
         .lab_step = "Exploring Namespaces: unshare --pid --mount-proc --fork bash; ps aux",
         .needs = {ISO_ROOT, ISO_NS("pid"), ISO_KCONFIG("CONFIG_PID_NS")}, .timeout_s = 10)
{
        int to_parent[2], to_child[2];
        if (pipe(to_parent) < 0 || pipe(to_child) < 0)
                iso_broken(t, "pipe: %s", strerror(errno));

        pid_t pid = iso_ns_fork(CLONE_NEWPID);
        if (pid < 0)
                iso_broken(t, "expected clone(CLONE_NEWPID) to succeed as root, got %s",
                           strerror(errno));
        if (pid == 0) {
                /* Report what we see, then stay alive until the parent has looked at us. */
                struct self_view v = {getpid(), getppid()};
                char go;
                if (write(to_parent[1], &v, sizeof(v)) != (ssize_t)sizeof(v) ||
                    read(to_child[0], &go, 1) != 1)
                        _exit(1);
                _exit(0);
        }
        close(to_parent[1]);
        close(to_child[0]);

        struct self_view v;
        ssize_t got = read(to_parent[0], &v, sizeof(v));
        if (got != (ssize_t)sizeof(v)) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                iso_broken(t, "expected %zu bytes from the namespace's first process, got %zd",
                           sizeof(v), got);
        }
        iso_log(t, "host PID %d, PID inside %d, parent inside %d", (int)pid, (int)v.pid,
                (int)v.ppid);

        iso_check_eq(t, v.pid, 1, "getpid() inside the new PID namespace");
        iso_check_eq(t, v.ppid, 0, "getppid() inside (the parent is outside the namespace)");
        iso_check_ne(t, pid, v.pid, "PID seen by the creator differs from the PID inside");

        pid_t ids[4];
        struct iso_err e = {0};
        long n = iso_ns_nspid(pid, ids, 4, &e);
        if (n < 0) {
                iso_check(t, 0, "NSpid of /proc/<pid>/status", "two PIDs: outer and 1", "%s",
                          e.msg);
        } else {
                char want[48];
                snprintf(want, sizeof(want), "NSpid: %d 1", (int)pid);
                iso_check(t, n == 2 && ids[0] == pid && ids[1] == 1,
                          "NSpid in /proc/<pid>/status lists the outer PID and 1", want,
                          "NSpid: %d %d (%ld entries)", n > 0 ? (int)ids[0] : -1,
                          n > 1 ? (int)ids[1] : -1, n);
        }

        dev_t d_in, d_out;
        ino_t i_in, i_out;
        if (iso_ns_id(pid, "pid", &d_in, &i_in, &e) == 0 &&
            iso_ns_id(0, "pid", &d_out, &i_out, &e) == 0)
                iso_check(t, i_in != i_out || d_in != d_out,
                          "/proc/<pid>/ns/pid differs from the creator's", "another inode",
                          "pid:[%lu] both", (unsigned long)i_in);
        else
                iso_check(t, 0, "/proc/<pid>/ns/pid readable", "stat succeeds", "%s", e.msg);

        (void)!write(to_child[1], "g", 1);
        int status = 0;
        waitpid(pid, &status, 0);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the namespace's first process exits cleanly", "exit status 0",
                  "wait status 0x%x", status);
}
