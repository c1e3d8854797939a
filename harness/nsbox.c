// SPDX-License-Identifier: MIT
#include "isocheck/nsbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/fault.h"
#include "isocheck/ns.h"

struct request {
        char op; /* 'l' list, 'q' quit */
        pid_t probe;
};

/* send(MSG_NOSIGNAL) on the box's socket: a dead peer is an error, not a SIGPIPE that
 * would kill the case; plain write(2) on pipes. */
static int write_full(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
                if (w < 0 && errno == ENOTSOCK)
                        w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return -1;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Fill @v from where the calling process stands. */
static void look(pid_t probe, struct iso_pidns_view *v)
{
        memset(v, 0, sizeof(*v));
        v->lister = getpid();
        v->lister_ppid = getppid();
        v->probe_errno = probe > 0 && kill(probe, 0) < 0 ? errno : 0;
        v->n = iso_proc_table("/proc", v->procs, ISO_VIEW_MAX, NULL);
        dev_t dev;
        iso_ns_id(0, "pid", &dev, &v->pidns, NULL);
}

/* @ready_fd is close-on-exec: the parent's read ends at EOF once the exec happened. */
static void __attribute__((noreturn)) sleeper(int ready_fd)
{
        char *argv[] = {"sleep", "30", NULL};
        execvp(argv[0], argv);
        /* No sleep(1) in this root: be a process called sleep all the same. */
        prctl(PR_SET_NAME, "sleep");
        close(ready_fd);
        sleep(30);
        _exit(0);
}

static void __attribute__((noreturn)) init_main(int mount_proc, int fd)
{
        pid_t answer = 0;
        /* Killed with its creator even while stopped or busy (its socket's EOF ends it
         * otherwise, which also covers a creator that died before this line); the
         * sleeper goes with it, as every process of a PID namespace goes with its init. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* Test build: a procfs that still shows the creator's PID namespace, as a kernel
         * that tied the new mount to the wrong namespace would give (fault
         * "pidns.proc.host"): the mount namespace keeps the /proc it inherited. */
        int host_proc = iso_fault("pidns.proc.host");
        if (mount_proc && (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                           (!host_proc && mount("proc", "/proc", "proc",
                                                MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)))
                answer = -errno;
        /* Answer only once the sleeper is sleep(1): a lister must never see it mid-exec,
         * still named after us (it happened under load). */
        int ready = -1;
        struct iso_err fe = {0};
        pid_t s = answer ? -1 : iso_fork_piped(&ready, &fe);
        if (s == 0)
                sleeper(ready);
        if (!answer)
                answer = s > 0 ? s : -fe.errnum;
        if (s > 0) {
                char x;
                while (read(ready, &x, 1) < 0 && errno == EINTR)
                        ;
                close(ready);
        }
        if (write_full(fd, &answer, sizeof(answer)) < 0 || answer < 0)
                _exit(1);

        struct request rq;
        /* Serve until told to quit or until the caller's end closes (it died). */
        while (iso_read_all(fd, &rq, sizeof(rq)) == 0 && rq.op == 'l') {
                pid_t l = fork();
                if (l == 0) {
                        struct iso_pidns_view v;
                        look(rq.probe, &v);
                        _exit(write_full(fd, &v, sizeof(v)) < 0);
                }
                if (l < 0) {
                        struct iso_pidns_view v = {.n = -1, .probe_errno = errno};
                        write_full(fd, &v, sizeof(v));
                        continue;
                }
                waitpid(l, NULL, 0);
        }
        kill(s, SIGKILL);
        waitpid(s, NULL, 0);
        _exit(0);
}

int iso_pidns_box_start(struct iso_pidns_box *b, int mount_proc, struct iso_err *e)
{
        int sv[2];
        b->init = -1;
        b->fd = -1;
        /* One socket both ways: requests from us, answers from init and its listers. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return iso_errf(e, errno, "socketpair");
        unsigned long flags = CLONE_NEWPID | (mount_proc ? CLONE_NEWNS : 0);
        pid_t pid = iso_ns_fork(flags);
        if (pid == 0) {
                close(sv[0]);
                init_main(mount_proc, sv[1]);
        }
        int saved = errno;
        close(sv[1]);
        b->fd = sv[0];
        if (pid < 0) {
                iso_pidns_box_stop(b);
                return iso_errf(e, saved, "clone(CLONE_NEWPID%s)",
                                mount_proc ? "|CLONE_NEWNS" : "");
        }
        b->init = pid;
        pid_t answer = 0;
        if (iso_read_all(b->fd, &answer, sizeof(answer)) < 0 || answer <= 0) {
                iso_pidns_box_stop(b);
                if (answer < 0)
                        return iso_errf(e, -answer,
                                        "in the new namespace: mount proc on /proc, "
                                        "or fork the sleeper");
                return iso_errf(e, EIO, "the namespace's first process died while starting");
        }
        b->sleeper = answer;
        return 0;
}

int iso_pidns_box_list(struct iso_pidns_box *b, pid_t probe, struct iso_pidns_view *v,
                       struct iso_err *e)
{
        struct request rq = {'l', probe};
        if (write_full(b->fd, &rq, sizeof(rq)) < 0)
                return iso_errf(e, errno ? errno : EPIPE, "ask PID %d for a listing", (int)b->init);
        if (iso_read_all(b->fd, v, sizeof(*v)) < 0)
                return iso_errf(e, EIO, "read the listing from PID %d", (int)b->init);
        if (v->n < 0)
                return iso_errf(e, v->probe_errno, "fork a lister inside the namespace");
        return 0;
}

int iso_pidns_list_joined(pid_t target, int types, int enter_root, pid_t probe,
                          struct iso_pidns_view *v, struct iso_err *e)
{
        int fd;
        pid_t j = iso_fork_piped(&fd, e);
        if (j < 0)
                return -1;
        if (j == 0) {
                struct iso_err je = {0};
                if (iso_ns_join(target, types, enter_root, &je) < 0) {
                        struct iso_pidns_view bad = {.n = -1, .probe_errno = je.errnum};
                        _exit(write_full(fd, &bad, sizeof(bad)) < 0);
                }
                pid_t j2 = fork();
                if (j2 == 0) {
                        struct iso_pidns_view mine;
                        look(probe, &mine);
                        _exit(write_full(fd, &mine, sizeof(mine)) < 0);
                }
                int st = 0;
                if (j2 > 0)
                        waitpid(j2, &st, 0);
                _exit(j2 > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 1);
        }
        if (iso_piped_collect(j, fd, v, sizeof(*v)) < 0)
                return iso_errf(e, EIO, "the joining process for PID %d reported nothing",
                                (int)target);
        if (v->n < 0)
                return iso_errf(e, v->probe_errno, "setns into the namespaces of PID %d",
                                (int)target);
        return 0;
}

int iso_pidns_box_stop(struct iso_pidns_box *b)
{
        int status = 0;
        if (b->fd >= 0) {
                struct request rq = {'q', 0};
                write_full(b->fd, &rq, sizeof(rq));
                close(b->fd);
                b->fd = -1;
        }
        if (b->init > 0) {
                waitpid(b->init, &status, 0);
                b->init = -1;
        }
        return status;
}
