// SPDX-License-Identifier: MIT
#include "floors.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/netlink.h"
#include "isocheck/ns.h"

int iso_bench_wait(pid_t pid, double timeout_s, struct iso_err *e)
{
        /* A pidfd becomes readable when the child exits, so the wait has a deadline
         * without polling waitpid (which would add its period to every figure). */
        int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pfd >= 0) {
                struct pollfd p = {.fd = pfd, .events = POLLIN};
                double deadline = iso_now() + timeout_s;
                int r = 0;
                for (;;) {
                        double left = deadline - iso_now();
                        if (left <= 0)
                                break;
                        r = poll(&p, 1, (int)(left * 1000) + 1);
                        if (r != 0 && !(r < 0 && errno == EINTR))
                                break;
                        r = 0;
                }
                close(pfd);
                if (r == 0) {
                        kill(pid, SIGKILL);
                        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        iso_errf(e, 0, "process %d still running after %.0f s, killed", (int)pid,
                                 timeout_s);
                        if (e)
                                e->errnum = ETIMEDOUT;
                        return -1;
                }
        }
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return iso_errf(e, errno, "waitpid %d", (int)pid);
        return st;
}

/* Blocking waitpid for children that end on their own at once (no-op, exiting clone). */
static int reap(pid_t pid, struct iso_err *e)
{
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return iso_errf(e, errno, "waitpid %d", (int)pid);
        return st;
}

static int exited_zero(int st, const char *what, struct iso_err *e)
{
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
        if (WIFSIGNALED(st))
                return iso_errf(e, 0, "%s: killed by signal %d", what, WTERMSIG(st));
        return iso_errf(e, 0, "%s: exit status %d", what, WEXITSTATUS(st));
}

int iso_floor_fork_exec(const char *true_path, double *t, size_t n, struct iso_err *e)
{
        if (access(true_path, X_OK) < 0)
                return iso_errf(e, errno, "the static no-op %s", true_path);
        char *const argv[] = {(char *)true_path, NULL};
        char *const envp[] = {NULL};
        for (size_t i = 0; i <= n; i++) {
                double t0 = iso_now();
                pid_t pid = fork();
                if (pid < 0)
                        return iso_errf(e, errno, "fork");
                if (pid == 0) {
                        execve(true_path, argv, envp);
                        _exit(127);
                }
                int st = reap(pid, e);
                double dt = iso_now() - t0;
                if (st < 0 || exited_zero(st, true_path, e) < 0)
                        return -1;
                if (i > 0) /* the first one warms the page cache and is not counted */
                        t[i - 1] = dt;
        }
        return 0;
}

static void bench_cg_path(char *out, size_t size, const char *mount, unsigned k)
{
        snprintf(out, size, "%s/isocheck-bench-%d-%u", mount, (int)getpid(), k);
}

/* rmdir with bounded retry: an empty cgroup is normally free at once, EBUSY is rare. */
static int cg_rmdir(const char *path)
{
        for (int tries = 0; tries < 100; tries++) {
                if (rmdir(path) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        return -1;
                struct timespec ts = {0, 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        return -1;
}

int iso_floor_cgroup(const char *mount, double *t, size_t n, struct iso_err *e)
{
        char path[512];
        for (size_t i = 0; i <= n; i++) {
                bench_cg_path(path, sizeof(path), mount, (unsigned)i);
                double t0 = iso_now();
                if (mkdir(path, 0755) < 0)
                        return iso_errf(e, errno, "mkdir %s", path);
                if (cg_rmdir(path) < 0) {
                        int saved = errno;
                        iso_floor_cgroup_cleanup(mount);
                        return iso_errf(e, saved, "rmdir %s", path);
                }
                double dt = iso_now() - t0;
                if (i > 0)
                        t[i - 1] = dt;
        }
        return 0;
}

static void sleep_s(double s)
{
        struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int iso_floor_cg_attach(const char *mount, double gap_s, double *t, size_t n, struct iso_err *e)
{
        char dir[512], procs[600];
        snprintf(dir, sizeof(dir), "%s/isocheck-bench-%d-attach", mount, (int)getpid());
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
        if (mkdir(dir, 0755) < 0)
                return iso_errf(e, errno, "mkdir %s", dir);
        int rc = 0;
        for (size_t i = 0; i <= n && rc == 0; i++) {
                int go[2];
                if (pipe2(go, O_CLOEXEC) < 0) {
                        rc = iso_errf(e, errno, "pipe");
                        break;
                }
                pid_t pid = fork();
                if (pid < 0) {
                        rc = iso_errf(e, errno, "fork");
                        close(go[0]);
                        close(go[1]);
                        break;
                }
                if (pid == 0) {
                        char c;
                        close(go[1]);
                        _exit(read(go[0], &c, 1) < 0);
                }
                close(go[0]);
                sleep_s(gap_s);
                char buf[32];
                int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
                int fd = open(procs, O_WRONLY | O_CLOEXEC);
                double t0 = iso_now();
                ssize_t w = fd >= 0 ? write(fd, buf, (size_t)len) : -1;
                double dt = iso_now() - t0;
                if (fd < 0 || w != len)
                        rc = iso_errf(e, errno, "write %s to %s", buf, procs);
                if (fd >= 0)
                        close(fd);
                close(go[1]); /* the child reads EOF and exits */
                int st = reap(pid, e);
                if (rc == 0 && st < 0)
                        rc = -1;
                if (rc == 0 && i > 0)
                        t[i - 1] = dt;
        }
        if (cg_rmdir(dir) < 0 && rc == 0)
                rc = iso_errf(e, errno, "rmdir %s", dir);
        return rc;
}

int iso_floor_cgroup_cleanup(const char *mount)
{
        char prefix[64];
        snprintf(prefix, sizeof(prefix), "isocheck-bench-%d-", (int)getpid());
        DIR *d = opendir(mount);
        if (!d)
                return 0;
        int removed = 0;
        const struct dirent *de;
        while ((de = readdir(d)) != NULL) {
                if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
                        continue;
                char path[512];
                snprintf(path, sizeof(path), "%s/%s", mount, de->d_name);
                if (cg_rmdir(path) == 0)
                        removed++;
        }
        closedir(d);
        return removed;
}

int iso_floor_ns(unsigned long flags, double *t, size_t n, struct iso_err *e)
{
        for (size_t i = 0; i <= n; i++) {
                double t0 = iso_now();
                pid_t pid = iso_ns_fork(flags);
                if (pid < 0)
                        return iso_errf(e, errno, "clone with flags %#lx", flags);
                if (pid == 0)
                        _exit(0);
                int st = reap(pid, e);
                double dt = iso_now() - t0;
                if (st < 0 || exited_zero(st, "namespace child", e) < 0)
                        return -1;
                if (i > 0)
                        t[i - 1] = dt;
        }
        return 0;
}

/* What a measuring child sends back for each repetition. */
struct rec {
        double t;
        int errnum;
        char msg[200];
};

static void send_rec(int fd, double t, const struct iso_err *err)
{
        struct rec r = {.t = t};
        if (err) {
                r.errnum = err->errnum ? err->errnum : EIO;
                iso_strlcpy(r.msg, err->msg, sizeof(r.msg));
        }
        /* Records are far below PIPE_BUF, so each write is whole. */
        if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
                _exit(3);
}

/*
 * Read @n + 1 records (the warm-up first) from a measuring child @pid over @fd, then reap
 * it; the whole exchange is bounded by @timeout_s. Fills @t from the counted ones.
 */
static int collect(pid_t pid, int fd, double *t, size_t n, double timeout_s, const char *what,
                   struct iso_err *e)
{
        double deadline = iso_now() + timeout_s;
        int rc = 0;
        for (size_t i = 0; i <= n && rc == 0; i++) {
                struct rec r = {0};
                size_t got = 0;
                while (got < sizeof(r)) {
                        struct pollfd p = {.fd = fd, .events = POLLIN};
                        double left = deadline - iso_now();
                        int pr = left > 0 ? poll(&p, 1, (int)(left * 1000) + 1) : 0;
                        if (pr < 0 && errno == EINTR)
                                continue;
                        if (pr <= 0) {
                                rc = iso_errf(e, ETIMEDOUT, "%s: no answer within %.0f s", what,
                                              timeout_s);
                                break;
                        }
                        ssize_t k = read(fd, (char *)&r + got, sizeof(r) - got);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0) {
                                rc = iso_errf(e, k < 0 ? errno : EPIPE, "%s: the child ended early",
                                              what);
                                break;
                        }
                        got += (size_t)k;
                }
                if (rc < 0)
                        break;
                if (r.errnum) {
                        r.msg[sizeof(r.msg) - 1] = '\0';
                        rc = iso_errf(e, r.errnum, "%s: %s", what, r.msg);
                } else if (i > 0) {
                        t[i - 1] = r.t;
                }
        }
        close(fd);
        struct iso_err we = {0};
        int st = iso_bench_wait(pid, rc < 0 ? 0.5 : 10.0, &we);
        if (rc == 0 && st < 0) {
                *e = we;
                return -1;
        }
        if (rc == 0 && exited_zero(st, what, e) < 0)
                return -1;
        return rc;
}

int iso_floor_fault(long long bytes, double *t, size_t n, struct iso_err *e)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe");
        pid_t pid = fork();
        if (pid < 0) {
                int saved = errno;
                close(fds[0]);
                close(fds[1]);
                return iso_errf(e, saved, "fork");
        }
        if (pid == 0) {
                close(fds[0]);
                long page = sysconf(_SC_PAGESIZE);
                for (size_t i = 0; i <= n; i++) {
                        double t0 = iso_now();
                        unsigned char *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
                                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                        if (p == MAP_FAILED) {
                                struct iso_err me = {0};
                                iso_errf(&me, errno, "mmap %lld bytes", bytes);
                                send_rec(fds[1], NAN, &me);
                                _exit(0);
                        }
                        for (long long off = 0; off < bytes; off += page)
                                p[off] = 1;
                        double dt = iso_now() - t0;
                        munmap(p, (size_t)bytes);
                        send_rec(fds[1], dt, NULL);
                }
                _exit(0);
        }
        close(fds[1]);
        return collect(pid, fds[0], t, n, 60.0, "fault", e);
}

int iso_floor_veth(double *t, size_t n, struct iso_err *e)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe");
        pid_t pid = iso_ns_fork(CLONE_NEWNET);
        if (pid < 0) {
                int saved = errno;
                close(fds[0]);
                close(fds[1]);
                return iso_errf(e, saved, "clone a network namespace for the veth floor");
        }
        if (pid == 0) {
                close(fds[0]);
                for (size_t i = 0; i <= n; i++) {
                        char a[16], b[16];
                        snprintf(a, sizeof(a), ISO_IF_PREFIX "bench%ua", (unsigned)(i % 1000));
                        snprintf(b, sizeof(b), ISO_IF_PREFIX "bench%ub", (unsigned)(i % 1000));
                        struct iso_err ce = {0};
                        double t0 = iso_now();
                        if (iso_nl_veth_create(a, b, 0, &ce) < 0 ||
                            iso_nl_link_delete(a, &ce) < 0) {
                                send_rec(fds[1], NAN, &ce);
                                _exit(0); /* the namespace, and any veth in it, goes now */
                        }
                        send_rec(fds[1], iso_now() - t0, NULL);
                }
                _exit(0);
        }
        close(fds[1]);
        return collect(pid, fds[0], t, n, 60.0, "veth", e);
}
