// SPDX-License-Identifier: MIT
/*
 * The lab's own command lines (util-linux unshare(1) and nsenter(1), procps ps(1)),
 * driven with a known script, their output checked against the kernel's view from the
 * host's /proc. The syscall variants of the same behaviours are in pidns.c and nsenter.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/ns.h"
#include "isocheck/proc.h"
#include "isocheck/tool.h"
#include "evidence.h"
#include "needs.h"

/* The shell inside answers "ps" with a listing ended by END, and ends on "quit" or EOF. */
static const char shell_script[] = "sleep 30 & "
                                   "while read cmd; do case $cmd in "
                                   "ps) ps -eo pid=,ppid=,comm=; echo END;; "
                                   "*) break;; esac; done; kill $!";

#define PS_MAX 64

/* The lab's namespace, made by the lab's command. */
struct lab_ns {
        struct iso_tool_proc unshare; /* `unshare --pid --mount-proc --fork sh -c ...` */
        pid_t sh;                     /* host PID of the shell: PID 1 inside */
        pid_t sleep;                  /* host PID of its sleep */
};

static void require_options(struct iso_t *t)
{
        static const char *const need[][2] = {
                {"unshare", "--mount-proc"}, {"unshare", "--fork"}, {"nsenter", "--root"}};
        for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
                if (iso_tool_has_option(need[i][0], need[i][1]) != 1)
                        iso_skip(t,
                                 "needs %s with %s: its --help does not offer it (util-linux "
                                 "too old?)",
                                 need[i][0], need[i][1]);
}

/* Parse "PID PPID COMM" lines (ps -eo pid=,ppid=,comm=) up to a line "END". */
static size_t parse_ps(const char *text, struct iso_proc *out, size_t max)
{
        size_t n = 0;
        for (const char *l = text; l && *l && n < max; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                int pid, ppid;
                char comm[64];
                if (!strncmp(l, "END", 3))
                        break;
                if (sscanf(l, "%d %d %63s", &pid, &ppid, comm) == 3) {
                        out[n].pid = pid;
                        out[n].ppid = ppid;
                        snprintf(out[n].comm, sizeof(out[n].comm), "%s", comm);
                        n++;
                }
        }
        return n;
}

static void stop_lab(struct lab_ns *ns)
{
        iso_tool_finish(&ns->unshare, iso_now() + 2.0, NULL);
}

static void start_lab(struct iso_t *t, struct lab_ns *ns)
{
        require_options(t);
        char *argv[] = {"unshare", "--pid", "--mount-proc",       "--fork",
                        "sh",      "-c",    (char *)shell_script, NULL};
        struct iso_err e = {0};
        if (iso_tool_start(argv, &ns->unshare, &e) < 0)
                iso_broken(t, "expected to start unshare, but %s", e.msg);
        /* Find the shell and its sleep in the host's /proc (bounded: 100 x 10 ms). */
        static struct iso_proc host[4096];
        ns->sh = ns->sleep = 0;
        for (int i = 0; i < 100 && !ns->sleep; i++) {
                long n = iso_proc_table("/proc", host, 4096, NULL);
                for (long k = 0; k < n && k < 4096; k++)
                        if (host[k].ppid == ns->unshare.pid)
                                ns->sh = host[k].pid;
                for (long k = 0; ns->sh && k < n && k < 4096; k++)
                        if (host[k].ppid == ns->sh && !strcmp(host[k].comm, "sleep"))
                                ns->sleep = host[k].pid;
                if (!ns->sleep)
                        usleep(10000);
        }
        if (!ns->sleep) {
                char out[2048];
                iso_tool_read(&ns->unshare, NULL, out, sizeof(out), iso_now() + 0.2);
                stop_lab(ns);
                iso_broken(t,
                           "expected unshare to start sh and its sleep within 1 s, but the "
                           "host's /proc shows none; unshare said: %.500s",
                           out);
        }
}

/* Keep processes.csv: what ps showed inside, beside the host's view of sh's namespace and
 * of unshare, its parent. While the lab still runs. */
static void keep_lab_processes(struct iso_t *t, const struct lab_ns *ns, const struct iso_proc *ps,
                               size_t n)
{
        dev_t d;
        ino_t pidns = 0;
        struct iso_err e = {0};
        if (iso_ns_id(ns->sh, "pid", &d, &pidns, &e) < 0)
                iso_log(t, "processes.csv: not kept: %s", e.msg);
        else
                keep_processes(t, ps, n, pidns, ns->unshare.pid);
}

/* Ask the shell inside for `ps`; the listing as a table. */
static size_t ps_inside(struct iso_t *t, struct lab_ns *ns, struct iso_proc *out)
{
        static char text[16384];
        if (write(ns->unshare.in_fd, "ps\n", 3) != 3) {
                stop_lab(ns);
                iso_broken(t, "expected to send a command to the shell inside: %s",
                           strerror(errno));
        }
        iso_tool_read(&ns->unshare, "END\n", text, sizeof(text), iso_now() + 5.0);
        iso_log(t, "ps inside the namespace:\n%s", text);
        return parse_ps(text, out, PS_MAX);
}

/* As in pidns.c: NSpid missing here (ENODATA) is a check that cannot be made, not a fault. */
static int nspid_unavailable(struct iso_t *t, const char *what, long n, const struct iso_err *e)
{
        if (n >= 0 || e->errnum != ENODATA)
                return 0;
        iso_check_skip(t, what, "%s: the verdict rests on the namespace inode and the listing",
                       e->msg);
        return 1;
}

/* The namespace inode: the verdict that needs no NSpid. Is host PID @pid in sh's PID
 * namespace, and is that one not the case's own? */
static void check_pidns_of(struct iso_t *t, const char *who, pid_t pid, const struct lab_ns *ns)
{
        dev_t d;
        ino_t of_pid = 0, of_sh = 0, own = 0;
        struct iso_err e = {0};
        int ok = iso_ns_id(pid, "pid", &d, &of_pid, &e) == 0 &&
                 iso_ns_id(ns->sh, "pid", &d, &of_sh, &e) == 0 &&
                 iso_ns_id(0, "pid", &d, &own, &e) == 0;
        char what[96];
        snprintf(what, sizeof(what), "%s is in a PID namespace other than the case's", who);
        iso_check(t, ok && of_pid == of_sh && of_pid != own, what, "sh's pid:[...], not the case's",
                  "%s pid:[%lu], sh pid:[%lu], case pid:[%lu]%s%s", who, (unsigned long)of_pid,
                  (unsigned long)of_sh, (unsigned long)own, ok ? "" : ": ", ok ? "" : e.msg);
}

static const struct iso_proc *by_comm(const struct iso_proc *p, size_t n, const char *comm)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(p[i].comm, comm))
                        return &p[i];
        return NULL;
}

ISO_CASE(pidns_view_isolated_tool, "pidns.view.isolated.tool",
         .doc = "unshare(1), pid_namespaces(7), ps(1)",
         .summary = "ps inside `unshare --pid --mount-proc --fork` lists only sh, its sleep and "
                    "ps itself, with the PIDs the kernel gives them there",
         .lab_step = "Exploring Namespaces: unshare --pid --mount-proc --fork bash; sleep & "
                     "ps aux",
         .needs = {NEEDS_PIDNS_TOOLS}, .timeout_s = 15)
{
        struct lab_ns ns;
        start_lab(t, &ns);
        struct iso_proc ps[PS_MAX];
        size_t n = ps_inside(t, &ns, ps);
        pid_t sh_ids[4] = {0}, sleep_ids[4] = {0};
        struct iso_err e = {0};
        long nsh = iso_ns_nspid(ns.sh, sh_ids, 4, &e);
        long nsl = nsh < 0 ? nsh : iso_ns_nspid(ns.sleep, sleep_ids, 4, &e);
        check_pidns_of(t, "the sleep", ns.sleep, &ns);
        keep_lab_processes(t, &ns, ps, n);
        stop_lab(&ns);

        const struct iso_proc *sh = by_comm(ps, n, "sh"), *sl = by_comm(ps, n, "sleep");
        iso_check(t, n == 3 && sh && sl && by_comm(ps, n, "ps"),
                  "ps lists exactly sh, sleep and ps", "3 processes: sh, sleep, ps",
                  "%zu processes (see the log)", n);
        iso_check(t, sh && sh->pid == 1 && sh->ppid == 0, "sh is PID 1 with parent 0", "1 0 sh",
                  "%d %d", sh ? (int)sh->pid : -1, sh ? (int)sh->ppid : -1);
        static const char nspid_what[] =
                "ps's PIDs are the kernel's: they match NSpid seen from the host";
        if (nspid_unavailable(t, nspid_what, nsl, &e))
                return;
        iso_check(t, nsh == 2 && sl && nsl == 2 && sh_ids[1] == sh->pid && sleep_ids[1] == sl->pid,
                  nspid_what, "NSpid ends with ps's PIDs", "sh NSpid %d %d, sleep NSpid %d %d%s%s",
                  (int)sh_ids[0], (int)sh_ids[1], (int)sleep_ids[0], (int)sleep_ids[1],
                  nsl < 0 ? ": " : "", nsl < 0 ? e.msg : "");
}

ISO_CASE(pidns_pid_differs_tool, "pidns.pid.differs.tool",
         .doc = "unshare(1), pid_namespaces(7), proc(5) (NSpid)",
         .summary = "the sleep started inside `unshare --pid` has one PID in ps there and "
                    "another on the host",
         .lab_step = "Exploring Namespaces: ps aux | grep sleep, inside and on the host",
         .needs = {NEEDS_PIDNS_TOOLS}, .timeout_s = 15)
{
        struct lab_ns ns;
        start_lab(t, &ns);
        struct iso_proc ps[PS_MAX];
        size_t n = ps_inside(t, &ns, ps);
        pid_t ids[4] = {0};
        struct iso_err e = {0};
        long k = iso_ns_nspid(ns.sleep, ids, 4, &e);
        check_pidns_of(t, "the sleep", ns.sleep, &ns);
        keep_lab_processes(t, &ns, ps, n);
        stop_lab(&ns);
        const struct iso_proc *sl = by_comm(ps, n, "sleep");
        iso_check(t, sl && sl->pid != ns.sleep,
                  "the sleep's PID in ps inside differs from its "
                  "host PID",
                  "another PID", "inside %d, host %d", sl ? (int)sl->pid : -1, (int)ns.sleep);
        static const char nspid_what[] = "NSpid in the host's /proc lists both PIDs";
        if (nspid_unavailable(t, nspid_what, k, &e))
                return;
        char want[64];
        snprintf(want, sizeof(want), "NSpid: %d %d", (int)ns.sleep, sl ? (int)sl->pid : -1);
        iso_check(t, k == 2 && sl && ids[0] == ns.sleep && ids[1] == sl->pid, nspid_what, want,
                  "%ld entries: %d %d%s%s", k, (int)ids[0], (int)ids[1], k < 0 ? ": " : "",
                  k < 0 ? e.msg : "");
}

ISO_CASE(pidns_parent_visible_tool, "pidns.parent.visible.tool",
         .doc = "unshare(1), pid_namespaces(7)",
         .summary = "the host shows unshare as the parent of the namespace's sh; inside, ps "
                    "shows sh's parent as 0",
         .lab_step = "Exploring Namespaces: ps -ef on the host; ps inside",
         .needs = {NEEDS_PIDNS_TOOLS}, .timeout_s = 15)
{
        struct lab_ns ns;
        start_lab(t, &ns);
        struct iso_proc ps[PS_MAX];
        size_t n = ps_inside(t, &ns, ps);
        pid_t unshare_pid = ns.unshare.pid;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)ns.sh);
        char *stat = iso_read_file(path, NULL, NULL);
        struct iso_proc host_sh = {0};
        int parsed = stat && iso_proc_parse_stat(stat, &host_sh) == 0;
        free(stat);
        keep_lab_processes(t, &ns, ps, n);
        stop_lab(&ns);
        iso_check(t, parsed && host_sh.ppid == unshare_pid,
                  "from the host, sh's parent is the unshare process", "unshare's PID",
                  "PPID %d, unshare %d", (int)host_sh.ppid, (int)unshare_pid);
        const struct iso_proc *sh = by_comm(ps, n, "sh");
        iso_check(t, sh && sh->ppid == 0, "inside, ps shows sh's parent as 0", "0", "%d",
                  sh ? (int)sh->ppid : -1);
}

/* `nsenter ARGS -t PID ps -eo ...`: its listing, compared with the shell's own. */
static void nsenter_matches(struct iso_t *t, struct lab_ns *ns, const struct iso_proc *inside,
                            size_t n_in, const char *how)
{
        char target[16];
        snprintf(target, sizeof(target), "%d", (int)ns->sh);
        char *argv[] = {"nsenter", "--pid", (char *)how,        "-t", target,
                        "ps",      "-eo",   "pid=,ppid=,comm=", NULL};
        static char out[16384];
        struct iso_err e = {0};
        int timed_out = 0;
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, &timed_out, &e);
        iso_log(t, "nsenter --pid %s -t %s ps:\n%s", how, target, out);
        struct iso_proc joined[PS_MAX];
        size_t nj = parse_ps(out, joined, PS_MAX);
        /* The observers: each listing's own ps. */
        const struct iso_proc *a = by_comm(inside, n_in, "ps"), *b = by_comm(joined, nj, "ps");
        pid_t ia[1] = {a ? a->pid : -1}, ib[1] = {b ? b->pid : -1};
        size_t diff = iso_proc_diff(inside, n_in, ia, 1, joined, nj, ib, 1);
        static char side[8192];
        iso_proc_side_by_side(inside, n_in, "ps in the shell", joined, nj, "ps via nsenter", side,
                              sizeof(side));
        char what[96];
        snprintf(what, sizeof(what), "nsenter --pid %s lists the same processes", how);
        /* ps through nsenter must list itself: a ps left outside the namespace reads the
         * same /proc through --root or --mount, but is not in it. */
        iso_check(t, status == 0 && nj > 0 && b && diff == 0, what,
                  "the same table, apart from each ps, which lists itself",
                  "exit status 0x%x%s, %zu differing%s:\n%s", status,
                  timed_out ? " (timed out)" : "", diff,
                  b ? "" : ", ps via nsenter not in its own listing", side);
}

ISO_CASE(nsenter_view_matches_tool, "nsenter.view.matches.tool", .doc = "nsenter(1), ps(1)",
         .summary = "ps run through `nsenter --pid --root` (and --mount) lists the same table "
                    "as ps in the unshare shell",
         .lab_step = "Exploring Namespaces: nsenter --pid --root -t PID bash; ps aux",
         .needs = {NEEDS_PIDNS_TOOLS}, .timeout_s = 20)
{
        struct lab_ns ns;
        start_lab(t, &ns);
        struct iso_proc inside[PS_MAX];
        size_t n = ps_inside(t, &ns, inside);
        nsenter_matches(t, &ns, inside, n, "--root");
        nsenter_matches(t, &ns, inside, n, "--mount");
        keep_lab_processes(t, &ns, inside, n);
        stop_lab(&ns);
}

/* `nsenter --pid -t PID readlink /proc/self/ns/pid`: the namespace the command landed in. */
static unsigned long landed_in(struct iso_t *t, pid_t target)
{
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)target);
        char *argv[] = {"nsenter", "--pid", "-t", pid, "readlink", "/proc/self/ns/pid", NULL};
        char out[256];
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        unsigned long ino = 0;
        if (status != 0 || sscanf(out, "pid:[%lu]", &ino) != 1)
                iso_log(t, "nsenter -t %d said (status 0x%x): %s %s", (int)target, status, out,
                        e.msg);
        return ino;
}

ISO_CASE(nsenter_pidns_same_tool, "nsenter.pidns.same.tool", .doc = "nsenter(1), setns(2)",
         .summary = "`nsenter --pid -t <sh>` runs its command in sh's PID namespace; "
                    "`-t <unshare>` lands in the old one",
         .lab_step = "Exploring Namespaces: nsenter --pid --root -t PID bash (the PID of bash, "
                     "not of unshare)",
         .needs = {NEEDS_PIDNS_TOOLS, ISO_TOOL("readlink")}, .timeout_s = 15)
{
        struct lab_ns ns;
        start_lab(t, &ns);
        dev_t d;
        ino_t target = 0, own = 0;
        iso_ns_id(ns.sh, "pid", &d, &target, NULL);
        iso_ns_id(0, "pid", &d, &own, NULL);
        unsigned long via_sh = landed_in(t, ns.sh);
        unsigned long via_unshare = landed_in(t, ns.unshare.pid);
        struct iso_proc ps[PS_MAX];
        size_t n = ps_inside(t, &ns, ps);
        keep_lab_processes(t, &ns, ps, n);
        stop_lab(&ns);
        char want[64];
        snprintf(want, sizeof(want), "pid:[%lu]", (unsigned long)target);
        iso_check(t, via_sh == target, "nsenter -t <sh's PID> lands in the namespace", want,
                  "pid:[%lu]", via_sh);
        snprintf(want, sizeof(want), "pid:[%lu] (the host's)", (unsigned long)own);
        iso_check(t, via_unshare == own && via_unshare != target,
                  "nsenter -t <unshare's PID> lands in the old namespace", want, "pid:[%lu]",
                  via_unshare);
}
