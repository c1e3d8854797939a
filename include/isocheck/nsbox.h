/* SPDX-License-Identifier: MIT */
/*
 * A PID namespace to look at: its first process (PID 1 inside) starts a `sleep` child and
 * then forks listers on request, like the lab's `unshare --pid --mount-proc --fork bash`
 * followed by `sleep` and `ps aux` (pid_namespaces(7), mount_namespaces(7)).
 */
#ifndef ISOCHECK_NSBOX_H
#define ISOCHECK_NSBOX_H

#include <sys/types.h>

#include "isocheck/proc.h"
#include "isocheck/util.h"

#define ISO_VIEW_MAX 64

struct iso_pidns_box {
        pid_t init;    /* host PID of the namespace's first process */
        pid_t sleeper; /* PID of its sleep child as seen inside the namespace */
        int fd;        /* socket to init: requests out, answers in */
};

/* What one lister saw from where it stood. */
struct iso_pidns_view {
        pid_t lister;      /* the lister's own PID, as it sees itself */
        pid_t lister_ppid; /* its parent's PID as it sees it (0: outside its namespace) */
        int probe_errno;   /* errno of kill(probe, 0), 0 if it succeeded */
        ino_t pidns;       /* inode of its /proc/self/ns/pid: the PID namespace it is in */
        long n;            /* processes listed in its /proc (only ISO_VIEW_MAX kept) */
        struct iso_proc procs[ISO_VIEW_MAX];
};

/*
 * Start the box: a child in a new PID namespace (and, with @mount_proc, a new mount
 * namespace with propagation made private and a fresh proc mounted on /proc, as
 * `unshare --mount-proc` does), which forks a sleeper (sleep(1) for at most 30 s) and
 * waits for requests. Returns 0 once the sleeper runs, or -1 with @e (EPERM without
 * CAP_SYS_ADMIN; the errno of the mount).
 * Test build: fault "pidns.proc.host" leaves the inherited /proc in place of the fresh
 * one, so the box lists the creator's processes (a procfs of the wrong namespace).
 */
int iso_pidns_box_start(struct iso_pidns_box *b, int mount_proc, struct iso_err *e);

/*
 * Have init fork a lister inside the namespace, which snapshots /proc and tries
 * kill(@probe, 0). Returns 0 with @v filled, or -1 with @e.
 */
int iso_pidns_box_list(struct iso_pidns_box *b, pid_t probe, struct iso_pidns_view *v,
                       struct iso_err *e);

/*
 * List from outside, the way nsenter(1) enters: fork, setns(2) into @target's namespaces
 * in @types (CLONE_NEWPID, CLONE_NEWNS), fork again (a PID namespace applies to children
 * only), with @enter_root chroot to the target's root as `nsenter --root` does, and
 * snapshot /proc there. Returns 0 with @v filled, or -1 with @e.
 */
int iso_pidns_list_joined(pid_t target, int types, int enter_root, pid_t probe,
                          struct iso_pidns_view *v, struct iso_err *e);

/* Stop the box: init kills the sleeper and exits, and is reaped. Returns its wait status. */
int iso_pidns_box_stop(struct iso_pidns_box *b);

#endif
