// SPDX-License-Identifier: MIT
/*
 * isocheck-init: PID 1 of the VM guest (static). It moves the root out of the initramfs
 * into a tmpfs (pivot_root(2) refuses rootfs, and the native container cases need it),
 * mounts the API file systems and the cgroup hierarchies the kernel command line asks
 * for (isocheck.cgroup=v1|v2), loads the modules the host listed, runs the suite, sends
 * its reports over the second serial port as frames, and powers off.
 *
 * Everything it has to say goes to the console as "isocheck-vm: ..." lines, which the
 * host follows (ISO_VM_MARK_* in vm.h). It never exits: a PID 1 that exits panics the
 * kernel, so every path ends in reboot(RB_POWER_OFF).
 *
 * It keeps its own small codecs (base64 and the frames in codec.c, the command-line and
 * modules-list readers here) rather than a library: it is linked statically into an
 * initramfs with no loader, and Debian ships static archives of few libraries (zlib's
 * libz.a, used for the frames' CRC-32, is one; libarchive's and libmnl's deps are not).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/serial.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/util.h"
#include "isocheck/vm.h"
#include "init.h"

#define NEWROOT "/newroot"
#define SUITE "/opt/isocheck/isocheck"
#define REPORTS "/tmp/isocheck-reports"
#define ARGS_FILE "/etc/isocheck-vm/args"
#define MODULES_FILE "/etc/isocheck-vm/modules"
#define DATA_PORT "/dev/ttyS1"
#define ARTIFACTS_MAX (16u << 20) /* bytes of artifacts sent back, at most */

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static double t_start;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
        char line[1024];
        va_list ap;
        int n = snprintf(line, sizeof(line), "%s", ISO_VM_MARK);

        va_start(ap, fmt);
        vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
        va_end(ap);
        /* One write per line, so kernel messages cannot land inside it. */
        size_t len = strlen(line);

        line[len++] = '\n';
        if (write(STDOUT_FILENO, line, len) < 0) {
                /* the console is all there is */
        }
}

/* Every warning, for the suite's report (--property vm.init.warnings): what the init could
 * not set up is often why a case skips, and console.log alone is easy to miss. */
static char warnings[1024];

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
        char text[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        say("warning: %s", text);
        iso_appendf(warnings, sizeof(warnings), "%s%s", warnings[0] ? "; " : "", text);
}

static void power_off(void) __attribute__((noreturn));
static void power_off(void)
{
        say("powering off (%.1f s after init started)", iso_now() - t_start);
        sync();
        reboot(RB_POWER_OFF);
        for (;;)
                pause();
}

static void fatal(const char *what, const struct iso_err *e) __attribute__((noreturn));
static void fatal(const char *what, const struct iso_err *e)
{
        say("error: %s: %s", what, e && e->msg[0] ? e->msg : strerror(errno));
        power_off();
}

/* ---- moving the root out of rootfs ---------------------------------------------------- */

static void switch_root(void)
{
        struct iso_err e = {0};
        struct stat root;

        if (stat("/", &root) < 0)
                fatal("stat /", NULL);
        if (mkdir(NEWROOT, 0755) < 0 && errno != EEXIST)
                fatal("mkdir " NEWROOT, NULL);
        if (mount("isocheck-root", NEWROOT, "tmpfs", 0, "mode=0755") < 0)
                fatal("mount tmpfs on " NEWROOT, NULL);
        int old = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int new = open(NEWROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (old < 0 || new < 0)
                fatal("open / and " NEWROOT, NULL);
        if (iso_init_copy_tree(old, new, "newroot", root.st_dev, &e) < 0)
                fatal("copy the initramfs into a tmpfs", &e);
        iso_init_remove_tree(old, "newroot", root.st_dev);
        close(old);
        close(new);
        if (chdir(NEWROOT) < 0)
                fatal("chdir " NEWROOT, NULL);
        if (mount(NEWROOT, "/", NULL, MS_MOVE, NULL) < 0)
                fatal("mount --move " NEWROOT " /", NULL);
        if (chroot(".") < 0 || chdir("/") < 0)
                fatal("chroot into the tmpfs root", NULL);
}

/* ---- mounts, cgroups, modules, network ----------------------------------------------- */

static void mount_or_die(const char *src, const char *dst, const char *type, unsigned long flags,
                         const char *data)
{
        char what[256];

        mkdir(dst, 0755);
        if (mount(src, dst, type, flags, data) < 0) {
                snprintf(what, sizeof(what), "mount %s on %s", type, dst);
                fatal(what, NULL);
        }
}

static void mount_api(void)
{
        mount_or_die("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        mount_or_die("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        mount_or_die("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
        mount_or_die("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "ptmxmode=0666");
        mount_or_die("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        mount_or_die("tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        mount_or_die("run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
}

/* v1: every controller /proc/cgroups lists as enabled, each in its own hierarchy. */
static void mount_cgroup_v1(void)
{
        struct iso_err e = {0};
        iso_autofree char *text = iso_read_file("/proc/cgroups", NULL, &e);
        char mounted[512] = "";
        int memory_listed = 0;

        if (!text)
                fatal("read the controllers", &e);
        mount_or_die("cgroup", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     "mode=0755");
        char *save = NULL;

        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char name[64], dir[128];
                int hier, num, enabled;

                if (l[0] == '#' || sscanf(l, "%63s %d %d %d", name, &hier, &num, &enabled) != 4)
                        continue;
                memory_listed |= !strcmp(name, "memory");
                if (!enabled) {
                        warn("cgroup v1 controller %s is disabled (/proc/cgroups: enabled 0; "
                             "cgroup_disable= on the kernel command line?)",
                             name);
                        continue;
                }
                snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s", name);
                mkdir(dir, 0755);
                if (mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, name) < 0) {
                        /* 6.11+ without CONFIG_MEMCG_V1 lists memory but refuses it on v1. */
                        warn("the kernel refused to mount cgroup v1 controller %s (mount -t "
                             "cgroup -o %s on %s: %s)",
                             name, name, dir, strerror(errno));
                        rmdir(dir);
                        continue;
                }
                strncat(mounted, " ", sizeof(mounted) - strlen(mounted) - 1);
                strncat(mounted, name, sizeof(mounted) - strlen(mounted) - 1);
        }
        if (!memory_listed)
                warn("cgroup v1 controller memory is not in /proc/cgroups (a kernel without "
                     "CONFIG_MEMCG, or without CONFIG_MEMCG_V1)");
        say("cgroup v1 hierarchies:%s", mounted);
}

/* v2: enable the controllers the cases use for the children of the root, each on its own,
 * so a controller the kernel lacks (cgroup_disable=memory) leaves the others working. */
static void mount_cgroup_v2(void)
{
        static const char *const wanted[] = {"memory", "pids", "cpu", "cpuset"};
        struct iso_err e = {0};

        mount_or_die("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     NULL);
        iso_autofree char *avail = iso_read_file("/sys/fs/cgroup/cgroup.controllers", NULL, &e);

        if (!avail)
                fatal("read the root's cgroup.controllers", &e);
        avail[strcspn(avail, "\n")] = '\0';
        for (size_t i = 0; i < ISO_ARRAY_SIZE(wanted); i++) {
                char word[72];
                size_t n = strlen(wanted[i]);
                int listed = 0;

                for (const char *p = avail; (p = strstr(p, wanted[i])); p += n)
                        listed |= (p == avail || p[-1] == ' ') && (p[n] == ' ' || !p[n]);
                if (!listed) {
                        warn("cgroup v2 controller %s is not available (not in "
                             "/sys/fs/cgroup/cgroup.controllers: \"%s\"; cgroup_disable= on "
                             "the kernel command line, or not built in)",
                             wanted[i], avail);
                        continue;
                }
                snprintf(word, sizeof(word), "+%s", wanted[i]);
                if (iso_write_file("/sys/fs/cgroup/cgroup.subtree_control", word, &e) < 0)
                        warn("enable %s for the children of the root cgroup: %s", wanted[i], e.msg);
        }
        iso_autofree char *ctl = iso_read_file("/sys/fs/cgroup/cgroup.subtree_control", NULL, &e);

        if (ctl)
                ctl[strcspn(ctl, "\n")] = '\0';
        say("cgroup2 at /sys/fs/cgroup, subtree_control: %s", ctl ? ctl : "?");
}

static void load_modules(void)
{
        struct iso_err e = {0};
        iso_autofree char *list = iso_read_file(MODULES_FILE, NULL, &e);

        if (!list)
                return; /* none needed: a monolithic kernel, or nothing modular */
        char *save = NULL;

        for (char *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                int fd = open(l, O_RDONLY | O_CLOEXEC);
                size_t n = strlen(l);
                int flags = 0;

                if ((n > 3 && !strcmp(l + n - 3, ".xz")) || (n > 4 && !strcmp(l + n - 4, ".zst")) ||
                    (n > 3 && !strcmp(l + n - 3, ".gz")))
                        flags = MODULE_INIT_COMPRESSED_FILE;
                if (fd < 0) {
                        warn("open module %s: %s", l, strerror(errno));
                        continue;
                }
                if (syscall(SYS_finit_module, fd, "", flags) < 0 && errno != EEXIST)
                        warn("finit_module %s: %s", l, strerror(errno));
                else
                        say("module loaded: %s", l);
                close(fd);
        }
}

static void loopback_up(void)
{
        struct ifreq ifr;
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (s < 0)
                return;
        memset(&ifr, 0, sizeof(ifr));
        iso_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
        if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
                ifr.ifr_flags |= IFF_UP;
                if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                        warn("bring lo up: %s", strerror(errno));
        }
        close(s);
}

/* The value of "@key=" on the kernel command line into @out, or @def. */
static void cmdline_value(const char *key, const char *def, char *out, size_t size)
{
        iso_autofree char *cmd = iso_read_file("/proc/cmdline", NULL, NULL);
        size_t klen = strlen(key);

        iso_strlcpy(out, def, size);
        for (char *p = cmd; p && *p;) {
                p += strspn(p, " \n");
                size_t len = strcspn(p, " \n");

                if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
                        size_t vlen = len - klen - 1;

                        if (vlen >= size)
                                vlen = size - 1;
                        memcpy(out, p + klen + 1, vlen);
                        out[vlen] = '\0';
                } else if (len == klen && !strncmp(p, key, klen)) {
                        iso_strlcpy(out, "1", size);
                }
                p += len;
        }
}

/* ---- the suite ------------------------------------------------------------------------ */

/* Copy @n bytes of the suite's output to the console line by line, each case's verdict
 * line right after the lines that decided it. */
static void forward(struct iso_init_cases *cases, const char *buf, size_t n)
{
        while (n) {
                const char *nl = memchr(buf, '\n', n);
                size_t len = nl ? (size_t)(nl - buf) + 1 : n;

                if (iso_write_all(STDOUT_FILENO, buf, len) < 0) {
                        /* the console is all there is */
                }
                iso_init_cases_feed(cases, buf, len);
                buf += len;
                n -= len;
        }
}

/*
 * Follow the suite (@pid) and its output (@fd) until it exits; reap every orphan on the
 * way (this is PID 1). What a process the suite left behind still writes is not waited
 * for: once the suite is gone, only what is already in the pipe is read. Returns the
 * suite's exit status, or 128 + the signal that killed it.
 */
static int follow_suite(pid_t pid, int fd)
{
        struct iso_init_cases cases;
        char buf[4096];
        int status = -1, open_fd = fd;

        iso_init_cases_start(&cases, STDOUT_FILENO);
        while (status < 0) {
                struct pollfd p = {.fd = open_fd, .events = POLLIN};
                int r = poll(&p, 1, 200);

                if (r > 0) {
                        ssize_t got = read(fd, buf, sizeof(buf));

                        if (got > 0)
                                forward(&cases, buf, (size_t)got);
                        else if (got == 0 || errno != EINTR)
                                open_fd = -1; /* end of the stream: only wait for the exit */
                }
                for (;;) {
                        int st;
                        pid_t got = waitpid(-1, &st, WNOHANG);

                        if (got <= 0) {
                                if (got < 0 && errno == ECHILD && status < 0)
                                        status = 127; /* cannot happen: the suite is a child */
                                break;
                        }
                        if (got == pid)
                                status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                }
        }
        /* What the suite wrote before it exited, without waiting for its orphans. */
        for (int i = 0; open_fd >= 0 && i < 4096; i++) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                ssize_t got;

                if (poll(&p, 1, 0) <= 0 || (got = read(fd, buf, sizeof(buf))) <= 0)
                        break;
                forward(&cases, buf, (size_t)got);
        }
        iso_init_cases_end(&cases);
        return status;
}

static int run_suite(const char *cgroup, const char *mult)
{
        struct utsname u;
        char kprop[128], cprop[64], wprop[sizeof(warnings) + 32];
        char *argv[ISO_VM_MAX_ARGS + 24];
        size_t n = 0;
        struct iso_err e = {0};
        iso_autofree char *extra = iso_read_file(ARGS_FILE, NULL, &e);

        uname(&u);
        snprintf(kprop, sizeof(kprop), "kernel=%s", u.release);
        snprintf(cprop, sizeof(cprop), "cgroup=%s", cgroup);
        argv[n++] = SUITE;
        argv[n++] = "--target";
        argv[n++] = "vm";
        argv[n++] = "--property";
        argv[n++] = kprop;
        argv[n++] = "--property";
        argv[n++] = cprop;
        argv[n++] = "--tap";
        argv[n++] = REPORTS "/isocheck.tap";
        argv[n++] = "--junit";
        argv[n++] = REPORTS "/isocheck.junit.xml";
        argv[n++] = "--artifacts";
        argv[n++] = REPORTS "/artifacts";
        argv[n++] = "--timeout-mult";
        argv[n++] = (char *)mult;
        /* The console is a terminal, but its log is read afterwards: no redrawn line. */
        argv[n++] = "--progress=never";
        if (warnings[0]) {
                snprintf(wprop, sizeof(wprop), "vm.init.warnings=%s", warnings);
                argv[n++] = "--property";
                argv[n++] = wprop;
        }
        char *save = NULL;

        for (char *l = extra ? strtok_r(extra, "\n", &save) : NULL;
             l && n < ISO_ARRAY_SIZE(argv) - 1; l = strtok_r(NULL, "\n", &save))
                argv[n++] = l;
        argv[n] = NULL;
        if (iso_mkdir_p(REPORTS, &e) < 0)
                fatal("create " REPORTS, &e);
        say("suite started: %s --property %s --property %s --timeout-mult %s", SUITE, kprop, cprop,
            mult);
        double t0 = iso_now();
        int tap[2];

        /* The suite's standard output (the TAP stream) comes through here on its way to the
         * console, so that each case's verdict line follows its test point. */
        if (pipe2(tap, O_CLOEXEC) < 0)
                fatal("pipe for the suite's output", NULL);
        pid_t pid = fork();

        if (pid < 0)
                fatal("fork for the suite", NULL);
        if (pid == 0) {
                sigset_t none;

                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                if (dup2(tap[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execv(SUITE, argv);
                say("error: execv %s: %s", SUITE, strerror(errno));
                _exit(127);
        }
        close(tap[1]);
        int status = follow_suite(pid, tap[0]);

        close(tap[0]);
        say("suite exited with status %d after %.1f s", status, iso_now() - t0);
        return status;
}

/* ---- handing the reports back ---------------------------------------------------------- */

static int send_file(int fd, const char *path, const char *name, size_t *total, struct iso_err *e)
{
        size_t len = 0;
        iso_autofree char *data = iso_read_file(path, &len, e);

        if (!data)
                return -1;
        if (iso_vm_frame_write(fd, name, data, len, e) < 0)
                return -1;
        *total += len;
        return 0;
}

/* Artifacts under REPORTS/artifacts/<case>/<file>, while they fit in ARTIFACTS_MAX. */
static void send_artifacts(int fd, size_t *total, size_t *files)
{
        DIR *top = opendir(REPORTS "/artifacts");
        struct dirent *c;
        size_t sent = 0;

        if (!top)
                return;
        while ((c = readdir(top))) {
                char dir[512];

                if (c->d_name[0] == '.' ||
                    iso_pathf(dir, sizeof(dir), REPORTS "/artifacts/%s", c->d_name) < 0)
                        continue;
                DIR *d = opendir(dir);
                struct dirent *f;

                while (d && (f = readdir(d))) {
                        char path[1024], name[ISO_VM_NAME_MAX + 1];
                        struct stat st;
                        struct iso_err e = {0};

                        if (f->d_name[0] == '.' ||
                            iso_pathf(path, sizeof(path), "%s/%s", dir, f->d_name) < 0 ||
                            iso_pathf(name, sizeof(name), "artifacts/%s/%s", c->d_name, f->d_name) <
                                    0 ||
                            stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                                continue;
                        if (!iso_vm_name_ok(name) || sent + (size_t)st.st_size > ARTIFACTS_MAX) {
                                say("warning: artifact %s not sent (name or size)", path);
                                continue;
                        }
                        if (send_file(fd, path, name, total, &e) < 0) {
                                say("warning: artifact %s: %s", path, e.msg);
                                continue;
                        }
                        sent += (size_t)st.st_size;
                        (*files)++;
                }
                if (d)
                        closedir(d);
        }
        closedir(top);
}

/* The console as the reports' channel, with the kernel quieted so its lines cannot split a
 * frame. */
static int console_channel(void)
{
        klogctl(8, NULL, 1);
        return dup(STDOUT_FILENO);
}

/*
 * The data port, or the console when there is none. /dev/ttyS1 exists (and opens) for the
 * legacy port address whether or not qemu gave the machine a second UART; without one
 * the driver reports the port's type as unknown (TIOCGSERIAL, ioctl_tty(2)) and writes
 * fail with EIO. @*on_console says which one it is.
 */
static int open_data_port(int *on_console)
{
        int fd = open(DATA_PORT, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        struct serial_struct ss;
        struct termios t;

        *on_console = 0;
        if (fd < 0) {
                say("warning: open %s: %s; sending the reports on the console", DATA_PORT,
                    strerror(errno));
                *on_console = 1;
                return console_channel();
        }
        memset(&ss, 0, sizeof(ss));
        if (ioctl(fd, TIOCGSERIAL, &ss) == 0 && ss.type == PORT_UNKNOWN) {
                say("warning: %s has no UART behind it (no second serial port); sending the "
                    "reports on the console",
                    DATA_PORT);
                close(fd);
                *on_console = 1;
                return console_channel();
        }
        /* Blocking from here: a frame is written whole. */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        /* Raw: no "\n" -> "\r\n", no flow control, nothing added. */
        if (tcgetattr(fd, &t) == 0) {
                cfmakeraw(&t);
                cfsetospeed(&t, B115200);
                tcsetattr(fd, TCSANOW, &t);
        }
        return fd;
}

static void send_reports(int status, double suite_s)
{
        struct iso_err e = {0};
        size_t total = 0, files = 0;
        int on_console = 0;
        int fd = open_data_port(&on_console);
        char st[128];

        if (fd < 0)
                fatal("open a channel for the reports", NULL);
        snprintf(st, sizeof(st), "status %d\nsuite_s %.3f\n", status, suite_s);
        if (iso_vm_frame_write(fd, "status", st, strlen(st), &e) < 0 && !on_console) {
                /* A port that looked present but takes nothing: the console, as promised. */
                say("warning: write to %s: %s; sending the reports on the console", DATA_PORT,
                    e.msg);
                close(fd);
                on_console = 1;
                fd = console_channel();
                if (fd < 0 || iso_vm_frame_write(fd, "status", st, strlen(st), &e) < 0)
                        fatal("send the status on the console", &e);
        } else if (e.errnum) {
                fatal("send the status", &e);
        }
        files++;
        if (send_file(fd, REPORTS "/isocheck.tap", "isocheck.tap", &total, &e) < 0)
                say("error: send the TAP report: %s", e.msg);
        else
                files++;
        if (send_file(fd, REPORTS "/isocheck.junit.xml", "isocheck.junit.xml", &total, &e) < 0)
                say("error: send the JUnit report: %s", e.msg);
        else
                files++;
        send_artifacts(fd, &total, &files);
        tcdrain(fd);
        close(fd);
        say("reports sent (%zu files, %zu bytes)", files, total);
}

int main(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        t_start = iso_now();
        if (getpid() != 1) {
                fprintf(stderr, "isocheck-init: expected to run as PID 1 of a VM, got PID %d\n",
                        (int)getpid());
                return 2;
        }
        switch_root();
        mount_api();
        char cgroup[8], mult[32], hang[8];

        cmdline_value("isocheck.cgroup", "v2", cgroup, sizeof(cgroup));
        cmdline_value("isocheck.timeout_mult", "1", mult, sizeof(mult));
        cmdline_value("isocheck.hang", "0", hang, sizeof(hang));
        say("init started (cgroup %s, root moved to a tmpfs)", cgroup);
        if (!strcmp(cgroup, "v1"))
                mount_cgroup_v1();
        else if (!strcmp(cgroup, "v2"))
                mount_cgroup_v2();
        else
                fatal("isocheck.cgroup must be v1 or v2", NULL);
        load_modules();
        /* isocheck-vm says when it gave the scratch and swap disks (a LAVA boot does not). */
        char scratch[256], disks[8];
        cmdline_value("isocheck.scratch", "0", disks, sizeof(disks));
        if (strcmp(disks, "0") && iso_init_scratch(scratch, sizeof(scratch)) < 0)
                warn("%s", scratch);
        else if (strcmp(disks, "0"))
                say("%s", scratch);
        loopback_up();
        sethostname("isocheck-vm", strlen("isocheck-vm"));
        setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
        setenv("HOME", "/root", 1);
        setenv("ISOCHECK_FIXTURES", "/opt/isocheck/fixtures", 1);
        if (strcmp(hang, "0")) {
                /* For testing the host's time bound: an init that never gets anywhere. */
                say("isocheck.hang given: waiting forever");
                for (;;)
                        pause();
        }
        double t0 = iso_now();
        int status = run_suite(cgroup, mult);

        send_reports(status, iso_now() - t0);
        power_off();
        return 0;
}
