// SPDX-License-Identifier: MIT
/* Exploring Namespaces: PID namespaces (pid_namespaces(7)). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * Where /proc/PID/status has no usable NSpid line (Linux before 4.1, some sandboxes:
 * ENODATA), record the NSpid check @what as one that cannot be made here and return 1;
 * the case's other checks (getpid, the namespace inode, the listing) carry the verdict.
 * Any other outcome returns 0 for the caller to check.
 */
static int nspid_unavailable(struct iso_t *t, const char *what, long n, const struct iso_err *e)
{
        if (n >= 0 || e->errnum != ENODATA)
                return 0;
        iso_check_skip(t, what,
                       "%s: the verdict rests on getpid, the namespace inode and the listing",
                       e->msg);
        return 1;
}

/* What the first process of the new namespace saw of itself. */
struct self_view {
        pid_t pid;
        pid_t ppid;
};

ISO_CASE(pidns_init_pid1, "pidns.init.pid1", .doc = "pid_namespaces(7), clone(2)",
         .summary = "the first process in a new PID namespace is PID 1 with parent 0 there, "
                    "and has another PID outside",
         .lab_step = "Exploring Namespaces: unshare --pid --mount-proc --fork bash; ps aux",
         .needs = {NEEDS_PIDNS}, .timeout_s = 10)
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

        iso_check_eq(t, v.pid, 1, "getpid() inside the new PID namespace returns 1");
        iso_check_eq(t, v.ppid, 0,
                     "getppid() inside returns 0: the parent is outside the namespace");

        pid_t ids[4];
        struct iso_err e = {0};
        long n = iso_ns_nspid(pid, ids, 4, &e);
        static const char nspid_what[] = "NSpid in /proc/<pid>/status lists the outer PID and 1";
        if (n < 0 && !nspid_unavailable(t, nspid_what, n, &e)) {
                iso_check(t, 0, nspid_what, "two PIDs: outer and 1", "%s", e.msg);
        } else if (n >= 0) {
                char want[48];
                snprintf(want, sizeof(want), "NSpid: %d 1", (int)pid);
                iso_check(t, n == 2 && ids[0] == pid && ids[1] == 1, nspid_what, want,
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
                iso_check(t, 0, "/proc/<pid>/ns/pid is readable", "stat succeeds", "%s", e.msg);

        (void)!write(to_child[1], "g", 1);
        int status = 0;
        waitpid(pid, &status, 0);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the namespace's first process exits cleanly", "exit status 0",
                  "wait status 0x%x", status);
}

static void list_in_box(struct iso_t *t, struct iso_pidns_box *b, pid_t probe,
                        struct iso_pidns_view *v)
{
        struct iso_err e = {0};
        if (iso_pidns_box_list(b, probe, v, &e) < 0) {
                iso_pidns_box_stop(b);
                iso_broken(t, "expected a listing from inside the namespace, but %s", e.msg);
        }
}

/* How many entries of @v's listing are stored: a /proc that lists more than
 * ISO_VIEW_MAX processes (the host's, when isolation fails) keeps only the first. */
static size_t kept(const struct iso_pidns_view *v)
{
        return v->n < 0 ? 0 : v->n < ISO_VIEW_MAX ? (size_t)v->n : ISO_VIEW_MAX;
}

/* "1 0 init, 2 1 sleep, 3 1 isocheck" for the log and failure messages. */
static void table_text(const struct iso_proc *p, long n, char *out, size_t size)
{
        size_t len = 0;
        out[0] = '\0';
        for (long i = 0; i < n && i < ISO_VIEW_MAX && len < size; i++)
                len += (size_t)snprintf(out + len, size - len, "%s%d %d %s", i ? ", " : "",
                                        (int)p[i].pid, (int)p[i].ppid, p[i].comm);
}

ISO_CASE(pidns_view_isolated, "pidns.view.isolated", .doc = "pid_namespaces(7), proc(5)",
         .summary = "a new PID namespace with its own /proc lists only its own processes, and "
                    "host PIDs cannot be signalled from inside",
         .lab_step = "Exploring Namespaces: unshare --pid --mount-proc --fork bash; sleep & "
                     "ps aux",
         .needs = {NEEDS_PIDNS_PROC}, .timeout_s = 10)
{
        struct iso_pidns_box b;
        iso_fixture_pidns_box(t, &b);
        struct iso_pidns_view v;
        list_in_box(t, &b, getpid(), &v);
        keep_processes(t, v.procs, kept(&v), v.pidns, getpid());
        iso_pidns_box_stop(&b);

        char table[1024];
        table_text(v.procs, v.n, table, sizeof(table));
        iso_log(t, "inside: %s", table);
        iso_check(t, v.n == 3, "the listing holds exactly init, the sleep and the lister",
                  "3 processes", "%ld: %s", v.n, table);
        const struct iso_proc *init = iso_proc_find(v.procs, kept(&v), 1);
        const struct iso_proc *sl = iso_proc_find(v.procs, kept(&v), b.sleeper);
        const struct iso_proc *me = iso_proc_find(v.procs, kept(&v), v.lister);
        iso_check(t, init && init->ppid == 0, "PID 1 is the namespace's init", "1 0 ...", "%s",
                  table);
        iso_check(t, sl && !strcmp(sl->comm, "sleep") && sl->ppid == 1,
                  "the sleep is listed with init as its parent", "sleep, parent 1", "%s", table);
        iso_check(t, me && me->ppid == 1, "the lister sees itself, child of init",
                  "lister, parent 1", "%s", table);
        /* Those not kept are beyond the first ISO_VIEW_MAX: outside by any count. */
        long outside = v.n - (long)kept(&v);
        for (size_t i = 0; i < kept(&v); i++)
                outside += v.procs[i].pid > 3;
        iso_check_eq(t, outside, 0, "no host PID is listed inside (none above 3)");
        iso_check(t, v.probe_errno == ESRCH,
                  "kill(host PID of the case, 0) from inside fails with ESRCH", "ESRCH", "%s",
                  v.probe_errno ? strerror(v.probe_errno) : "it succeeded");
}

ISO_CASE(pidns_pid_differs, "pidns.pid.differs", .doc = "pid_namespaces(7), proc(5) (NSpid)",
         .summary = "the sleep in a new PID namespace has a small PID inside and another on "
                    "the host, and NSpid lists both",
         .lab_step = "Exploring Namespaces: ps aux | grep sleep, inside and on the host",
         .needs = {NEEDS_PIDNS_PROC}, .timeout_s = 10)
{
        struct iso_pidns_box b;
        iso_fixture_pidns_box(t, &b);
        /* 4096 entries are 288 KiB: on the heap, so a small RLIMIT_STACK (ulimit -s 128)
         * leaves the case room to run (issue 11b item 7). */
        enum { HOST_MAX = 4096 };
        struct iso_proc *host = calloc(HOST_MAX, sizeof(*host));
        struct iso_err e = {0};
        long n = -1;
        if (host)
                n = iso_proc_table("/proc", host, HOST_MAX, &e);
        else
                iso_errf(&e, ENOMEM, "expected to allocate a table of %d processes", HOST_MAX);
        pid_t outer = 0;
        for (long i = 0; i < n && i < HOST_MAX; i++)
                if (host[i].ppid == b.init && !strcmp(host[i].comm, "sleep"))
                        outer = host[i].pid;
        free(host);
        pid_t ids[4] = {0};
        struct iso_err ke = {0};
        long k = outer ? iso_ns_nspid(outer, ids, 4, &ke) : -1;
        /* The namespace the sleep is in, by inode: a verdict that needs no NSpid. */
        dev_t d;
        ino_t sleep_ns = 0, own_ns = 0;
        struct iso_err ne = {0};
        int have_ns = outer > 0 && iso_ns_id(outer, "pid", &d, &sleep_ns, &ne) == 0 &&
                      iso_ns_id(0, "pid", &d, &own_ns, &ne) == 0;
        /* The evidence: the namespace's own table beside the host's view of it. */
        static struct iso_pidns_view v;
        struct iso_err le = {0};
        if (iso_pidns_box_list(&b, 0, &v, &le) == 0)
                keep_processes(t, v.procs, kept(&v), v.pidns, getpid());
        else
                iso_log(t, "processes.csv: not kept: %s", le.msg);
        iso_pidns_box_stop(&b);

        iso_log(t, "sleep: PID %d inside, %d on the host", (int)b.sleeper, (int)outer);
        iso_check(t, b.sleeper > 1 && b.sleeper <= 3, "the sleep's PID inside is 2 or 3", "2 or 3",
                  "%d", (int)b.sleeper);
        iso_check(t, outer > 0, "the host's /proc shows the sleep as a child of the init",
                  "a sleep whose parent is the namespace's init", "%s",
                  n < 0 ? e.msg : "none found");
        iso_check(t, outer != b.sleeper, "the sleep's PID on the host differs from inside",
                  "another PID", "%d both", (int)outer);
        iso_check(t, have_ns && sleep_ns != own_ns,
                  "the sleep's /proc/<pid>/ns/pid differs from the case's", "another inode", "%s",
                  have_ns ? "the same inode"
                  : outer ? ne.msg
                          : "no sleep found");
        static const char nspid_what[] = "NSpid in the host's /proc/<pid>/status lists both PIDs";
        if (nspid_unavailable(t, nspid_what, k, &ke))
                return;
        char want[64];
        snprintf(want, sizeof(want), "NSpid: %d %d", (int)outer, (int)b.sleeper);
        iso_check(t, k == 2 && ids[0] == outer && ids[1] == b.sleeper, nspid_what, want,
                  "%ld entries: %d %d%s%s", k, (int)ids[0], (int)ids[1], k < 0 ? "; " : "",
                  k < 0 ? ke.msg : "");
}

ISO_CASE(pidns_parent_visible, "pidns.parent.visible", .doc = "pid_namespaces(7), getppid(2)",
         .summary = "the host sees the namespace's init as a child of its creator; inside, "
                    "init's parent PID is 0",
         .lab_step = "Exploring Namespaces: ps -ef on the host shows unshare as bash's parent",
         .needs = {NEEDS_PIDNS_PROC}, .timeout_s = 10)
{
        struct iso_pidns_box b;
        iso_fixture_pidns_box(t, &b);
        struct iso_pidns_view v;
        list_in_box(t, &b, 0, &v);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)b.init);
        struct iso_err e = {0};
        char *stat = iso_read_file(path, NULL, &e);
        struct iso_proc host_view = {0};
        int parsed = stat && iso_proc_parse_stat(stat, &host_view) == 0;
        free(stat);
        keep_processes(t, v.procs, kept(&v), v.pidns, getpid());
        iso_pidns_box_stop(&b);

        iso_check(t, parsed && host_view.ppid == getpid(),
                  "from the host, the init's parent is the process that created it",
                  "PPID = "
                  "the case's PID",
                  "%s", parsed ? "" : e.msg);
        if (parsed)
                iso_log(t, "host: init %d has parent %d; the case is %d", (int)b.init,
                        (int)host_view.ppid, (int)getpid());
        /* The init, inside, is the lister's parent: a PID 1 listed by a /proc of some
         * other namespace (the host's PID 1 has parent 0 too) must not pass for it. */
        const struct iso_proc *init = iso_proc_find(v.procs, kept(&v), v.lister_ppid);
        iso_check(t, init && init->pid == 1 && init->ppid == 0,
                  "inside, the init is PID 1 and its parent PID is 0", "1 0",
                  "the lister's parent is %d%s, its parent %d", (int)v.lister_ppid,
                  init ? "" : " (not listed)", init ? (int)init->ppid : -1);
}

/* What a process saw after unshare(CLONE_NEWPID), reported to the case. */
struct nofork_report {
        pid_t before, after;   /* getpid() around unshare */
        ino_t ns, ns_children; /* inodes of /proc/self/ns/pid and pid_for_children */
        pid_t first_child_pid; /* what the first child saw as its own PID */
        int second_fork_errno; /* errno of a fork after the first child exited */
        int unshare_errno;
};

static void nofork_child(int fd)
{
        struct nofork_report r = {.before = getpid()};
        if (iso_ns_unshare(CLONE_NEWPID) < 0)
                r.unshare_errno = errno;
        r.after = getpid();
        dev_t d;
        iso_ns_id(0, "pid", &d, &r.ns, NULL);
        iso_ns_id(0, "pid_for_children", &d, &r.ns_children, NULL);
        int p[2];
        if (!r.unshare_errno && pipe(p) == 0) {
                pid_t c = fork();
                if (c == 0) {
                        pid_t me = getpid();
                        (void)!write(p[1], &me, sizeof(me));
                        _exit(0);
                }
                close(p[1]);
                if (c > 0) {
                        (void)!read(p[0], &r.first_child_pid, sizeof(r.first_child_pid));
                        waitpid(c, NULL, 0);
                }
                close(p[0]);
                /* The namespace's init is gone: the kernel refuses new members. */
                pid_t again = fork();
                if (again == 0)
                        _exit(0);
                if (again > 0)
                        waitpid(again, NULL, 0);
                r.second_fork_errno = again < 0 ? errno : 0;
        }
        (void)!write(fd, &r, sizeof(r));
        _exit(0);
}

ISO_CASE(pidns_unshare_nofork, "pidns.unshare.nofork", .doc = "unshare(2), pid_namespaces(7)",
         .summary = "unshare(CLONE_NEWPID) moves only the caller's children; its first child "
                    "is PID 1, and once that exits further forks fail with ENOMEM",
         .lab_step = "Exploring Namespaces: unshare --pid bash without --fork: \"fork: Cannot "
                     "allocate memory\"",
         .needs = {NEEDS_PIDNS}, .timeout_s = 10)
{
        int fd;
        struct iso_err e = {0};
        pid_t h = iso_fork_piped(&fd, &e);
        if (h < 0)
                iso_broken(t, "%s", e.msg);
        if (h == 0)
                nofork_child(fd);
        struct nofork_report r;
        memset(&r, 0, sizeof(r));
        if (iso_piped_collect(h, fd, &r, sizeof(r)) < 0)
                iso_broken(t,
                           "expected a report from the unsharing process, but it ended "
                           "without one (%s)",
                           strerror(errno));
        if (r.unshare_errno)
                iso_broken(t, "expected unshare(CLONE_NEWPID) to succeed as root, got %s",
                           strerror(r.unshare_errno));

        iso_check_eq(t, r.after, r.before, "the caller keeps its PID after unshare");
        iso_check(t, r.ns != r.ns_children,
                  "/proc/self/ns/pid_for_children differs from /proc/self/ns/pid", "two namespaces",
                  "pid:[%lu] and pid_for_children:[%lu]", (unsigned long)r.ns,
                  (unsigned long)r.ns_children);
        iso_check_eq(t, r.first_child_pid, 1, "the first child after unshare is PID 1");
        iso_check(t, r.second_fork_errno == ENOMEM,
                  "after PID 1 exits, a further fork into the namespace fails", "ENOMEM", "%s",
                  r.second_fork_errno ? strerror(r.second_fork_errno) : "it succeeded");
}
