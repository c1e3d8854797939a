// SPDX-License-Identifier: MIT
/*
 * Exploring Namespaces: joining a running PID namespace with setns(2), as
 * `nsenter --pid --root -t PID` does (setns(2), nsenter(1), pid_namespaces(7)).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/fixtures.h"
#include "isocheck/ns.h"
#include "isocheck/nsbox.h"
#include "isocheck/proc.h"
#include "evidence.h"
#include "needs.h"

/* The lab's mistake made on purpose: unshare(CLONE_NEWPID) then fork, so the parent stays
 * in the old namespace and only its child is PID 1 of the new one. */
struct unshared {
        pid_t parent; /* host PID of the process that called unshare */
        pid_t child;  /* host PID of its child, PID 1 of the new namespace */
        int hold_fd;  /* closing it lets both exit */
};

static int start_unshared(struct unshared *u, struct iso_err *e)
{
        int hold[2], rep[2];
        if (pipe(hold) < 0 || pipe(rep) < 0)
                return iso_errf(e, errno, "pipe");
        fflush(NULL);
        pid_t p = fork();
        if (p < 0)
                return iso_errf(e, errno, "fork");
        if (p == 0) {
                close(hold[1]);
                close(rep[0]);
                pid_t c = -1;
                char x;
                if (iso_ns_unshare(CLONE_NEWPID) == 0)
                        c = fork();
                if (c == 0) {
                        (void)!read(hold[0], &x, 1); /* until the case closes its end */
                        _exit(0);
                }
                (void)!write(rep[1], &c, sizeof(c));
                (void)!read(hold[0], &x, 1);
                if (c > 0)
                        waitpid(c, NULL, 0);
                _exit(0);
        }
        close(hold[0]);
        close(rep[1]);
        pid_t c = -1;
        ssize_t got = read(rep[0], &c, sizeof(c));
        close(rep[0]);
        u->parent = p;
        u->child = c;
        u->hold_fd = hold[1];
        if (got != (ssize_t)sizeof(c) || c <= 0) {
                close(hold[1]);
                waitpid(p, NULL, 0);
                return iso_errf(e, EPERM, "unshare(CLONE_NEWPID) and fork in a helper failed");
        }
        return 0;
}

static void stop_unshared(struct unshared *u)
{
        close(u->hold_fd);
        waitpid(u->parent, NULL, 0);
}

ISO_CASE(nsenter_pidns_same, "nsenter.pidns.same", .doc = "setns(2), pid_namespaces(7)",
         .summary = "a process that setns()es into a PID namespace and forks has a child in "
                    "that namespace; joining unshare's parent instead lands in the old one",
         .lab_step = "Exploring Namespaces: nsenter --pid --root -t PID bash (PID of the "
                     "namespace's bash, not of unshare)",
         .needs = {NEEDS_PIDNS_PROC}, .timeout_s = 10)
{
        struct iso_pidns_box b;
        iso_fixture_pidns_box(t, &b);
        struct iso_err e = {0};
        dev_t d;
        ino_t target = 0, own = 0;
        iso_ns_id(b.init, "pid", &d, &target, NULL);
        iso_ns_id(0, "pid", &d, &own, NULL);
        struct iso_pidns_view v;
        int rc = iso_pidns_list_joined(b.init, CLONE_NEWPID, 0, 0, &v, &e);
        /* The evidence: the namespace's own table beside the host's view of it. */
        static struct iso_pidns_view inside;
        struct iso_err le = {0};
        if (iso_pidns_box_list(&b, 0, &inside, &le) == 0)
                keep_processes(t, inside.procs,
                               inside.n < ISO_VIEW_MAX ? (size_t)inside.n : ISO_VIEW_MAX,
                               inside.pidns, getpid());
        else
                iso_log(t, "processes.csv: not kept: %s", le.msg);
        iso_pidns_box_stop(&b);
        if (rc < 0)
                iso_broken(t, "expected setns into PID %d's PID namespace to work, but %s",
                           (int)b.init, e.msg);
        char want[64];
        snprintf(want, sizeof(want), "pid:[%lu] (the target's)", (unsigned long)target);
        iso_check(t, v.pidns == target,
                  "the child forked after setns is in the target's PID namespace", want,
                  "pid:[%lu]", (unsigned long)v.pidns);
        iso_check(t, v.lister > 1 && v.lister < 10,
                  "the joined child gets a PID numbered inside the namespace", "a small PID", "%d",
                  (int)v.lister);

        struct unshared u = {-1, -1, -1};
        if (start_unshared(&u, &e) < 0)
                iso_broken(t, "expected %s", e.msg);
        ino_t new_ns = 0;
        iso_ns_id(u.child, "pid", &d, &new_ns, NULL);
        rc = iso_pidns_list_joined(u.parent, CLONE_NEWPID, 0, 0, &v, &e);
        stop_unshared(&u);
        if (rc < 0)
                iso_broken(t, "expected setns into PID %d's PID namespace to work, but %s",
                           (int)u.parent, e.msg);
        iso_log(t, "host pid:[%lu]; unshare's parent %d, its child %d in pid:[%lu]",
                (unsigned long)own, (int)u.parent, (int)u.child, (unsigned long)new_ns);
        snprintf(want, sizeof(want), "pid:[%lu] (the host's), not pid:[%lu]", (unsigned long)own,
                 (unsigned long)new_ns);
        iso_check(t, v.pidns == own && v.pidns != new_ns,
                  "joining unshare's parent instead of its child lands in the old namespace", want,
                  "pid:[%lu]", (unsigned long)v.pidns);
}

/* Compare the original shell's view with a joined one; side by side on failure. */
static void compare_views(struct iso_t *t, const char *what, const struct iso_pidns_view *a,
                          const struct iso_pidns_view *b)
{
        pid_t ia[1] = {a->lister}, ib[1] = {b->lister};
        size_t na = a->n < ISO_VIEW_MAX ? (size_t)a->n : ISO_VIEW_MAX;
        size_t nb = b->n < ISO_VIEW_MAX ? (size_t)b->n : ISO_VIEW_MAX;
        size_t diff = iso_proc_diff(a->procs, na, ia, 1, b->procs, nb, ib, 1);
        static char side[8192];
        iso_proc_side_by_side(a->procs, na, "inside (PID PPID COMM)", b->procs, nb, "joined", side,
                              sizeof(side));
        iso_log(t, "%s (the listers, PID %d and %d, differ by design):\n%s", what, (int)a->lister,
                (int)b->lister, side);
        iso_check(t, diff == 0, what, "the same processes, apart from the two listers",
                  "%zu "
                  "differing: see the tables in the log\n%s",
                  diff, side);
}

ISO_CASE(nsenter_view_matches, "nsenter.view.matches", .doc = "setns(2), nsenter(1), proc(5)",
         .summary = "a process joining the namespace's PID namespace and its mount namespace "
                    "(or root) lists the same process table as the original shell",
         .lab_step = "Exploring Namespaces: ps aux in both shells after nsenter --pid --root",
         .needs = {NEEDS_PIDNS_PROC}, .timeout_s = 10)
{
        struct iso_pidns_box b;
        iso_fixture_pidns_box(t, &b);
        struct iso_err e = {0};
        struct iso_pidns_view inside, by_mount, by_root;
        if (iso_pidns_box_list(&b, 0, &inside, &e) < 0 ||
            iso_pidns_list_joined(b.init, CLONE_NEWPID | CLONE_NEWNS, 0, 0, &by_mount, &e) < 0 ||
            iso_pidns_list_joined(b.init, CLONE_NEWPID, 1, 0, &by_root, &e) < 0) {
                iso_pidns_box_stop(&b);
                iso_broken(t, "expected three listings of the namespace, but %s", e.msg);
        }
        keep_processes(t, inside.procs, inside.n < ISO_VIEW_MAX ? (size_t)inside.n : ISO_VIEW_MAX,
                       inside.pidns, getpid());
        iso_pidns_box_stop(&b);
        compare_views(t, "setns(pid + mnt), as nsenter --pid --mount: same table", &inside,
                      &by_mount);
        compare_views(t,
                      "setns(pid) + chroot /proc/PID/root, as nsenter --pid --root: same "
                      "table",
                      &inside, &by_root);
        iso_check_eq(t, by_root.lister_ppid, 0,
                     "the joined process sees PPID 0: its parent is outside the namespace");
}
