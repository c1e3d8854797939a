// SPDX-License-Identifier: MIT
/* The native runtime: an app in its own namespaces, cgroup and single-file root. */
#include "isocheck/container.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <net/if.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/install.h"
#include "isocheck/fault.h"
#include "isocheck/netlink.h"
#include "isocheck/ns.h"

#define SLOTS 4096 /* /30s in a /18 */

/* One line saying what is allowed: README.md ("The container cases") states the same rule. */
#define LINK_NET_RULE                                                                        \
        "expected 169.254.N.0 with N from 1 to 105 or 170 to 191 (its /18 must stay inside " \
        "169.254.1.0-169.254.254.255 and avoid 169.254.169.x)"

int iso_app_addresses(unsigned slot, char *host_addr, char *app_addr, struct iso_err *e)
{
        const char *base = getenv("ISOCHECK_LINK_NET");
        if (!base || !*base)
                base = "169.254.64.0";
        /* inet_pton, not sscanf: no wrapped octets, no blanks, exactly four parts. */
        struct in_addr in;
        if (inet_pton(AF_INET, base, &in) != 1)
                return iso_errf(e, EINVAL, "ISOCHECK_LINK_NET=%s: " LINK_NET_RULE, base);
        const unsigned char *o = (const unsigned char *)&in.s_addr;
        unsigned a = o[0], b = o[1], c = o[2], d = o[3];
        /* The /18 from the base must stay inside 169.254/16 without its first and last /24
         * (RFC 3927 reserves them) and away from 169.254.169.x (cloud metadata). */
        if (a != 169 || b != 254 || d != 0 || c + 63 > 254 || (c <= 169 && c + 63 >= 169) || c == 0)
                return iso_errf(e, EINVAL, "ISOCHECK_LINK_NET=%s: " LINK_NET_RULE, base);
        unsigned off = (slot % SLOTS) * 4;
        unsigned x = c + off / 256, y = off % 256;
        snprintf(host_addr, 16, "169.254.%u.%u", x, y + 1);
        snprintf(app_addr, 16, "169.254.%u.%u", x, y + 2);
        return 0;
}

/* What the child reports after preparing its root: the step that failed and errno. */
struct setup_result {
        int err;
        char step[96];
};

/* Where the roots' mountpoints are made; recovery (recover.c) sweeps them there. */
#define ROOT_PARENT "/tmp"

/*
 * The host directory a root's tmpfs is mounted on: made by mkdtemp(3) (created
 * exclusively, mode 0700) and identified by device and inode, so the child mounts onto
 * that very directory (through /proc/self/fd) and never through a link. The child opens
 * it again itself: a mount onto a descriptor opened before clone(CLONE_NEWNS) would be
 * onto the caller's mount namespace (EINVAL).
 */
struct root_dir {
        dev_t dev;
        ino_t ino;
        const char *name; /* its name under ROOT_PARENT */
};

/* Copy @from into the new file @name under @dirfd: created exclusively, never through a link. */
static int copy_fd_at(int from, int dirfd, const char *name, mode_t mode)
{
        int out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (out < 0)
                return -1;
        char buf[65536];
        ssize_t n;
        while ((n = read(from, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n) {
                        close(out);
                        return -1;
                }
        return close(out) < 0 || n < 0 ? -1 : 0;
}

/* Fault container.root.shell: misbehave as a runtime whose image kept a shell, with the
 * host's /bin/sh at /bin/sh in the root, so the case can show it notices. */
static int plant_shell(int root)
{
        int sh = open("/bin/sh", O_RDONLY | O_CLOEXEC);
        if (sh < 0 || mkdirat(root, "bin", 0755) < 0) {
                if (sh >= 0)
                        close(sh);
                return -1;
        }
        int bin = openat(root, "bin", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int rc = bin < 0 ? -1 : copy_fd_at(sh, bin, "sh", 0755);
        if (bin >= 0)
                close(bin);
        close(sh);
        return rc;
}

#define STEP(cond, name)                                                \
        do {                                                            \
                if (cond) {                                             \
                        r->err = errno;                                 \
                        snprintf(r->step, sizeof(r->step), "%s", name); \
                        return -1;                                      \
                }                                                       \
        } while (0)

/* In the new namespaces: cgroup, private mounts, tmpfs root with only the app, hostname. */
static int setup_inside(const struct iso_app *app, const struct iso_app_opts *o, int app_fd,
                        const struct root_dir *rd, struct setup_result *r)
{
        struct iso_err ce = {0};
        if (app->cg.version && iso_cg_enter_self(app->cg.path, &ce) < 0) {
                r->err = ce.errnum ? ce.errnum : EIO;
                snprintf(r->step, sizeof(r->step), "join the container's cgroup");
                return -1;
        }
        STEP(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0,
             "make mounts private (mount MS_REC|MS_PRIVATE on /)");
        int parent = open(ROOT_PARENT, O_PATH | O_DIRECTORY | O_CLOEXEC);
        STEP(parent < 0, "open " ROOT_PARENT);
        int dir = openat(parent, rd->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        STEP(dir < 0, "open the root's mountpoint without following links");
        struct stat under;
        STEP(fstat(dir, &under) < 0, "fstat the root's mountpoint");
        errno = EXDEV;
        STEP(under.st_dev != rd->dev || under.st_ino != rd->ino,
             "find the root's mountpoint as made (it was replaced)");
        char target[64];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", dir);
        STEP(mount("isocheck-app", target, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755") < 0,
             "mount a tmpfs for the root");
        /* The magic link resolves to the directory under the mount: look the name up again
         * from its parent to land on the tmpfs, and make sure that is what we reached. */
        int root = openat(parent, rd->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        STEP(root < 0, "open the root after mounting its tmpfs");
        struct statfs sf;
        struct stat top;
        int bad = fstatfs(root, &sf) < 0 || fstat(root, &top) < 0          ? errno
                  : sf.f_type != TMPFS_MAGIC || top.st_dev == under.st_dev ? EXDEV
                                                                           : 0;
        errno = bad;
        STEP(bad, "check the root is the tmpfs just mounted");
        close(dir);
        close(parent);
        STEP(copy_fd_at(app_fd, root, "app", 0755) < 0, "copy the app binary into the root");
        STEP(iso_fault("container.root.shell") && plant_shell(root) < 0,
             "fault container.root.shell: copy /bin/sh into the root");
        STEP(mkdirat(root, ".old", 0700) < 0, "mkdir .old in the root");
        STEP(fchdir(root) < 0, "fchdir into the root");
        STEP(syscall(SYS_pivot_root, ".", ".old") < 0,
             "pivot_root into the tmpfs (EINVAL on an initramfs root)");
        STEP(chdir("/") < 0, "chdir / after pivot_root");
        STEP(umount2("/.old", MNT_DETACH) < 0, "detach the old root");
        STEP(rmdir("/.old") < 0, "rmdir /.old");
        STEP(sethostname(o->hostname, strlen(o->hostname)) < 0, "sethostname");
        close(root);
        return 0;
}

static void __attribute__((noreturn))
app_child(const struct iso_app *app, const struct iso_app_opts *o, int app_fd,
          const struct root_dir *rd, int sync_fd)
{
        /* The app dies with the case that started it, even one killed outright (the case
         * dies with the runner): its namespaces, and so its veth, go with it. If the case
         * died before this line, the read of "go" below finds the socket closed. /app is
         * not set-id, so the signal survives the execv. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct setup_result r = {0};
        setup_inside(app, o, app_fd, rd, &r);
        close(app_fd);
        if (write(sync_fd, &r, sizeof(r)) != (ssize_t)sizeof(r) || r.err)
                _exit(1);
        char go;
        if (read(sync_fd, &go, 1) != 1)
                _exit(1); /* the caller gave up */
        char port[16];
        snprintf(port, sizeof(port), "%d", o->port);
        char *argv[] = {"/app", port, NULL};
        execv("/app", argv);
        _exit(127);
}

/*
 * Make the mountpoint of a root: mkdtemp(3) under ROOT_PARENT (exclusive, 0700), then
 * open it without following a link and check it is the private directory we just made.
 * Fills app->rootdir and @rd; returns 0, or -1 with @e (nothing left open).
 */
static int make_root_dir(struct iso_app *app, const char *run_part, struct root_dir *rd,
                         struct iso_err *e)
{
        snprintf(app->rootdir, sizeof(app->rootdir), ROOT_PARENT "/%s-root-XXXXXX", run_part);
        if (!mkdtemp(app->rootdir)) {
                iso_errf(e, errno, "mkdtemp %s", app->rootdir);
                app->rootdir[0] = '\0';
                return -1;
        }
        rd->name = app->rootdir + strlen(ROOT_PARENT "/");
        int parent = open(ROOT_PARENT, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
                return iso_errf(e, errno, "open " ROOT_PARENT);
        int dir = openat(parent, rd->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        int rc = 0;
        if (dir < 0 || fstat(dir, &st) < 0)
                rc = iso_errf(e, errno, "open %s (made by mkdtemp) without following links",
                              app->rootdir);
        else if (st.st_uid != geteuid() || (st.st_mode & 07777) != 0700)
                rc = iso_errf(e, EPERM,
                              "expected %s to be ours with mode 0700 (mkdtemp made it), found "
                              "owner %u mode %04o",
                              app->rootdir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        else {
                rd->dev = st.st_dev;
                rd->ino = st.st_ino;
        }
        if (dir >= 0)
                close(dir);
        close(parent);
        return rc;
}

int iso_app_link_inside(pid_t pid, const char *ifname, const char *addr, struct iso_err *e)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe2");
        fflush(NULL);
        pid_t parent = getpid();
        pid_t h = fork();
        if (h < 0) {
                close(p[0]);
                close(p[1]);
                return iso_errf(e, errno, "fork");
        }
        if (h == 0) {
                close(p[0]);
                /* Not left inside the app's network namespace (keeping it and its veth)
                 * when the case is killed meanwhile. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(1);
                struct iso_err he = {0};
                if (iso_ns_join(pid, CLONE_NEWNET, 0, &he) < 0 ||
                    iso_nl_addr_add(ifname, addr, 30, &he) < 0 || iso_nl_link_up(ifname, &he) < 0 ||
                    iso_nl_link_up("lo", &he) < 0) {
                        (void)!write(p[1], &he, sizeof(he));
                        _exit(1);
                }
                _exit(0);
        }
        close(p[1]);
        struct iso_err he = {0};
        ssize_t got = read(p[0], &he, sizeof(he));
        close(p[0]);
        waitpid(h, NULL, 0);
        if (got == (ssize_t)sizeof(he)) {
                if (e)
                        *e = he;
                return -1;
        }
        return 0;
}

/* Inside the app's network namespace: its veth end and loopback up, its address set. */
static int configure_inside(const struct iso_app *app, struct iso_err *e)
{
        return iso_app_link_inside(app->pid, app->app_if, app->app_addr, e);
}

static int wait_listening(const struct iso_app *app, struct iso_err *e)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)app->port)};
        inet_pton(AF_INET, app->app_addr, &sa.sin_addr);
        int last = 0;
        double deadline = iso_now() + 3.0;
        while (iso_now() < deadline) { /* bounded: 3 s */
                /* Non-blocking, 100 ms at most each: a first SYN lost while the new link
                 * settles would otherwise cost TCP's 1 s retransmission (seen). */
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0)
                        return iso_errf(e, errno, "socket");
                int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
                if (rc < 0 && errno == EINPROGRESS) {
                        struct pollfd p = {.fd = fd, .events = POLLOUT};
                        int err = ETIMEDOUT;
                        socklen_t len = sizeof(err);
                        if (poll(&p, 1, 100) == 1)
                                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                        rc = err ? -1 : 0;
                        errno = err;
                }
                last = errno;
                close(fd);
                if (rc == 0)
                        return 0;
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        return iso_errf(e, last, "the app did not accept connections on %s:%d within 3 s",
                        app->app_addr, app->port);
}

/*
 * The veth pair of app number @n, its peer created straight in the app's network namespace,
 * and its /30. Links and addresses are shared by every run in this network namespace,
 * whatever PID namespace each runs in, where PIDs repeat: the pair is named from a random
 * tag (a taken name is retried, 8 times at most) and the /30 follows the host end's
 * ifindex, which no other live link here has.
 */
static int make_veth(struct iso_app *app, unsigned n, struct iso_err *e)
{
        struct iso_err ve = {0};
        for (int try = 0; try < 8; try++) {
                unsigned tag = 0;
                if (getrandom(&tag, sizeof(tag), GRND_NONBLOCK) != (ssize_t)sizeof(tag))
                        tag = (unsigned)getpid() * 2654435761u + (unsigned)try;
                tag &= 0xffffff;
                snprintf(app->host_if, sizeof(app->host_if), ISO_IF_PREFIX "%06xh%u", tag, n % 10);
                snprintf(app->app_if, sizeof(app->app_if), ISO_IF_PREFIX "%06xc%u", tag, n % 10);
                if (iso_nl_veth_create(app->host_if, app->app_if, app->pid, &ve) == 0)
                        break;
                app->host_if[0] = '\0'; /* not ours: iso_app_stop must not delete it */
                if (ve.errnum != EEXIST)
                        break;
        }
        if (!app->host_if[0]) {
                if (e)
                        *e = ve;
                return -1;
        }
        unsigned index = if_nametoindex(app->host_if);
        if (!index)
                return iso_errf(e, errno, "if_nametoindex %s", app->host_if);
        return iso_app_addresses(index, app->host_addr, app->app_addr, e);
}

int iso_app_start(struct iso_app *app, const struct iso_app_opts *o, struct iso_err *e)
{
        static unsigned counter;
        memset(app, 0, sizeof(*app));
        app->pid = -1;
        app->port = o->port;
        unsigned n = counter++;
        /* Checked here too, so nothing is made for a base that cannot be used. */
        if (iso_app_addresses(0, app->host_addr, app->app_addr, e) < 0)
                return -1;

        if (o->env && o->scope) {
                char name[32];
                snprintf(name, sizeof(name), "app%u", n);
                if (iso_cg_make(o->env, "memory", o->scope, name, &app->cg, NULL) < 0 &&
                    iso_cg_make(o->env, "pids", o->scope, name, &app->cg, NULL) < 0)
                        app->cg.version = 0;
        }
        /* Named after the run (the scope's first part), so recovery can tell whose it is. */
        char run_part[96] = "isocheck";
        if (o->scope) {
                iso_strlcpy(run_part, o->scope, sizeof(run_part));
                run_part[strcspn(run_part, "/")] = '\0';
        }
        struct root_dir rd = {0};
        if (make_root_dir(app, run_part, &rd, e) < 0) {
                iso_app_stop(app, NULL);
                return -1;
        }
        int app_fd = open(o->app_path, O_RDONLY | O_CLOEXEC);
        if (app_fd < 0) {
                iso_errf(e, errno, "open the app binary %s", o->app_path);
                iso_app_stop(app, NULL);
                return -1;
        }
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                iso_errf(e, errno, "socketpair");
                close(app_fd);
                iso_app_stop(app, NULL);
                return -1;
        }
        pid_t pid = iso_ns_fork(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS |
                                CLONE_NEWIPC);
        if (pid == 0) {
                close(sv[0]);
                app_child(app, o, app_fd, &rd, sv[1]);
        }
        int saved = errno;
        close(sv[1]);
        close(app_fd);
        if (pid < 0) {
                close(sv[0]);
                iso_errf(e, saved,
                         "clone(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWNET|CLONE_NEWUTS|"
                         "CLONE_NEWIPC)");
                iso_app_stop(app, NULL);
                return -1;
        }
        app->pid = pid;
        struct setup_result r = {0};
        if (read(sv[0], &r, sizeof(r)) != (ssize_t)sizeof(r) || r.err) {
                if (r.err)
                        iso_errf(e, r.err, "in the container: %s", r.step);
                else
                        iso_errf(e, EIO, "the container's first process died while setting up");
                close(sv[0]);
                iso_app_stop(app, NULL);
                return -1;
        }
        if (make_veth(app, n, e) < 0 || iso_nl_addr_add(app->host_if, app->host_addr, 30, e) < 0 ||
            iso_nl_link_up(app->host_if, e) < 0 || configure_inside(app, e) < 0 ||
            write(sv[0], "g", 1) != 1) {
                close(sv[0]);
                iso_app_stop(app, NULL);
                return -1;
        }
        close(sv[0]);
        if (wait_listening(app, e) < 0) {
                iso_app_stop(app, NULL);
                return -1;
        }
        /* Fault container.app.hung: the app stops answering once it was seen listening,
         * as a hung app (or a kernel that stopped delivering to it) would. */
        if (iso_fault("container.app.hung"))
                kill(app->pid, SIGSTOP);
        return 0;
}

int iso_app_stop(struct iso_app *app, struct iso_err *e)
{
        int status = -1, rc = 0;
        if (app->pid > 0) {
                kill(app->pid, SIGTERM);
                double deadline = iso_now() + 2.0;
                pid_t w;
                while ((w = waitpid(app->pid, &status, WNOHANG)) == 0 && iso_now() < deadline) {
                        struct timespec ts = {0, 5 * 1000 * 1000};
                        nanosleep(&ts, NULL);
                }
                if (w == 0) {
                        kill(app->pid, SIGKILL);
                        waitpid(app->pid, &status, 0);
                }
                app->pid = -1;
        }
        if (app->host_if[0] && iso_nl_link_delete(app->host_if, e) < 0)
                rc = -1;
        if (app->cg.version && iso_cg_destroy(&app->cg, e) < 0)
                rc = -1;
        app->cg.version = 0;
        if (app->rootdir[0] && rmdir(app->rootdir) < 0 && errno != ENOENT) {
                iso_errf(e, errno, "rmdir %s", app->rootdir);
                rc = -1;
        }
        app->rootdir[0] = '\0';
        return rc < 0 ? -1 : status;
}

int iso_http_get(const char *addr, int port, const char *path, int *status, char *body, size_t size,
                 struct iso_err *e)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
                return iso_errf(e, EINVAL, "GET http://%s:%d%s: bad address", addr, port, path);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return iso_errf(e, errno, "socket");
        struct timeval tv = {3, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int saved = errno;
                close(fd);
                return iso_errf(e, saved, "connect to %s:%d", addr, port);
        }
        char req[512];
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, addr);
        if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
                int saved = errno;
                close(fd);
                return iso_errf(e, saved, "send GET %s to %s:%d", path, addr, port);
        }
        char reply[16384];
        size_t used = 0;
        ssize_t r;
        while (used < sizeof(reply) - 1 &&
               (r = recv(fd, reply + used, sizeof(reply) - 1 - used, 0)) > 0)
                used += (size_t)r;
        int saved = errno;
        close(fd);
        reply[used] = '\0';
        int code = 0;
        if (!used && (saved == EAGAIN || saved == EWOULDBLOCK))
                return iso_errf(e, ETIMEDOUT, "GET %s from %s:%d: no answer within 3 s", path, addr,
                                port);
        if (sscanf(reply, "HTTP/1.%*d %d", &code) != 1)
                return iso_errf(e, used ? EPROTO : saved,
                                "GET %s from %s:%d: not an HTTP reply "
                                "(%zu bytes: \"%.60s\")",
                                path, addr, port, used, reply);
        *status = code;
        const char *b = strstr(reply, "\r\n\r\n");
        iso_strlcpy(body, b ? b + 4 : "", size);
        return 0;
}

/* Who may have made what isocheck runs: root, this user, and whoever owns the isocheck
 * binary (who could replace isocheck itself: `sudo make check` in a user's checkout). */
static int fixture_uid_ok(uid_t uid)
{
        struct stat st;
        return uid == 0 || uid == geteuid() ||
               (stat("/proc/self/exe", &st) == 0 && uid == st.st_uid);
}

/* @what (a fixture, a directory above it, or a file in an image context) refused when
 * another user could change it: fixtures run as this user (root), some in containers. */
static int fixture_stat_ok(const char *name, const char *what, const struct stat *st, int sticky_ok,
                           struct iso_err *e)
{
        if (!fixture_uid_ok(st->st_uid))
                return iso_errf(e, 0,
                                "fixture %s: %s is owned by uid %u, not by root, uid %u or the "
                                "owner of isocheck: refusing to run what another user can "
                                "change",
                                name, what, (unsigned)st->st_uid, (unsigned)geteuid());
        if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(sticky_ok && (st->st_mode & S_ISVTX)))
                return iso_errf(e, 0,
                                "fixture %s: %s is writable by group or others (mode %04o): "
                                "refusing to run what another user can change",
                                name, what, (unsigned)(st->st_mode & 07777));
        return 0;
}

/* An image context's files, all levels (libraries under lib/): they go into an image
 * that runs as root. Depth-bounded: ours are three levels deep. */
static int context_trusted(const char *name, const char *dir, int depth, struct iso_err *e)
{
        char sub[PATH_MAX];
        struct stat st;
        int rc = 0;
        DIR *d = depth < 8 ? opendir(dir) : NULL;

        if (!d)
                return iso_errf(e, depth < 8 ? errno : ELOOP, "fixture %s: read %s", name, dir);
        for (struct dirent *de; rc == 0 && (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (iso_pathf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < 0 ||
                    lstat(sub, &st) < 0)
                        continue;
                rc = fixture_stat_ok(name, sub, &st, 0, e);
                if (rc == 0 && S_ISDIR(st.st_mode))
                        rc = context_trusted(name, sub, depth + 1, e);
        }
        closedir(d);
        return rc;
}

/*
 * The fixture at @path, every directory above it (the links on the way included) and,
 * for an image context, the files in it: owned by a uid fixture_uid_ok trusts and not
 * writable by others (a sticky directory is fine: others cannot replace our entries, and
 * the next one down must be ours). Else -1 with @e (errnum EPERM) naming the culprit.
 */
static int fixture_trusted(const char *name, const char *path, struct iso_err *e)
{
        char real[PATH_MAX], prefix[PATH_MAX];
        struct stat st;
        int rc = 0;

        /* The links of the path as given: who owns one chooses where it points. */
        for (size_t i = 1; rc == 0 && path[i - 1]; i++) {
                if (path[i] != '/' && path[i])
                        continue;
                snprintf(prefix, sizeof(prefix), "%.*s", (int)i, path);
                if (lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode))
                        rc = fixture_stat_ok(name, prefix, &st, 0, e);
        }
        if (rc < 0)
                goto refused;
        if (!realpath(path, real))
                return iso_errf(e, errno, "fixture %s: resolve %s", name, path);
        /* Every directory from / down, then the fixture itself. */
        for (size_t i = 1; rc == 0; i++) {
                if (real[i] != '/' && real[i])
                        continue;
                snprintf(prefix, sizeof(prefix), "%.*s", (int)i, real);
                if (lstat(prefix, &st) < 0)
                        return iso_errf(e, errno, "fixture %s: lstat %s", name, prefix);
                rc = fixture_stat_ok(name, prefix, &st, real[i] != '\0', e);
                if (!real[i])
                        break;
        }
        if (rc == 0 && S_ISDIR(st.st_mode))
                rc = context_trusted(name, real, 0, e);
        if (rc == 0)
                return 0;
refused:
        if (e)
                e->errnum = EPERM;
        return -1;
}

int iso_fixture_path(const char *name, char *out, size_t size, struct iso_err *e)
{
        const char *dir = getenv("ISOCHECK_FIXTURES");
        if (dir && *dir) {
                errno = 0;
                if (iso_pathf(out, size, "%s/%s", dir, name) == 0 && access(out, X_OK) == 0)
                        return fixture_trusted(name, out, e);
                return iso_errf(e, errno ? errno : ENAMETOOLONG,
                                "fixture %s: no usable %s/%s (ISOCHECK_FIXTURES names the "
                                "directory of the fixtures)",
                                name, dir, name);
        }
        char exe[PATH_MAX], installed[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n < 0)
                return iso_errf(e, errno, "readlink /proc/self/exe");
        exe[n] = '\0';
        char *bin_dir = dirname(exe);
        /* Next to the binary in build/, beside bin/ in a checkout-like tree, and where
         * `make install` puts them (LIBEXECDIR/isocheck/fixtures, found from BINDIR). */
        if (iso_install_libexec(installed, sizeof(installed), e) < 0)
                return -1;
        char here[PATH_MAX], above[PATH_MAX], there[PATH_MAX];
        if (iso_pathf(here, sizeof(here), "%s/fixtures", bin_dir) < 0 ||
            iso_pathf(above, sizeof(above), "%s/../fixtures", bin_dir) < 0 ||
            iso_pathf(there, sizeof(there), "%s/fixtures", installed) < 0)
                return iso_errf(e, ENAMETOOLONG, "fixture %s: paths beside %s", name, bin_dir);
        const char *const under[] = {here, above, there};
        for (size_t i = 0; i < sizeof(under) / sizeof(under[0]); i++)
                if (iso_pathf(out, size, "%s/%s", under[i], name) == 0 && access(out, X_OK) == 0)
                        return fixture_trusted(name, out, e);
        return iso_errf(e, ENOENT,
                        "fixture %s missing: looked in %s, %s and %s (a broken build or "
                        "installation: run make or make install, or set ISOCHECK_FIXTURES=DIR)",
                        name, here, above, there);
}
