// SPDX-License-Identifier: MIT
#include "isocheck/ns.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "isocheck/fault.h"

pid_t iso_ns_fork(unsigned long flags)
{
        /* x86_64 argument order: flags, stack, parent_tid, child_tid, tls. A NULL stack
         * makes the child run on a copy of the parent's, exactly as after fork(). */
        fflush(NULL);
        if (iso_fault("pidns.clone.ignored"))
                flags &= ~(unsigned long)CLONE_NEWPID;
        return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

int iso_ns_unshare(int flags)
{
        if ((flags & CLONE_NEWPID) && iso_fault("pidns.unshare.ignored"))
                flags &= ~CLONE_NEWPID;
        return flags ? unshare(flags) : 0;
}

long iso_ns_parse_nspid(const char *status, pid_t *ids, size_t max)
{
        const char *line = !strncmp(status, "NSpid:", 6) ? status : strstr(status, "\nNSpid:");
        if (!line)
                return -1;
        const char *p = strchr(line + 1, ':') + 1;
        long n = 0;
        while (*p && *p != '\n') {
                /* Only blanks between PIDs: strtol would skip the newline too (fuzzer). */
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p < '0' || *p > '9')
                        break;
                char *end;
                long v = strtol(p, &end, 10);
                if (v > INT_MAX)
                        break;
                if ((size_t)n < max)
                        ids[n] = (pid_t)v;
                n++;
                p = end;
        }
        return n;
}

long iso_ns_nspid(pid_t pid, pid_t *ids, size_t max, struct iso_err *e)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        iso_autofree char *s = iso_read_file(path, NULL, e);
        if (!s)
                return -1;
        return iso_ns_nspid_text(s, path, ids, max, e);
}

long iso_ns_nspid_text(const char *status, const char *where, pid_t *ids, size_t max,
                       struct iso_err *e)
{
        long n = iso_ns_parse_nspid(status, ids, max);
        if (n < 0)
                return iso_errf(e, ENODATA,
                                "%s has no NSpid line (Linux before 4.1, or a sandbox that "
                                "hides it)",
                                where);
        /* Every process is in at least one PID namespace: a line with no PID on it
         * tells nothing (a sandbox's stub), not that the kernel lost a level. */
        if (n == 0)
                return iso_errf(e, ENODATA, "%s has an NSpid line with no PID on it", where);
        return n;
}

int iso_ns_join(pid_t target, int types, int enter_root, struct iso_err *e)
{
        int root_fd = -1;
        if (enter_root) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/root", (int)target);
                root_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0)
                        return iso_errf(e, errno, "open %s", path);
        }
        /* PID before mount: /proc/<target> must still resolve in our own mount namespace
         * when the files are opened, so open them all first, then join. */
        static const struct {
                int flag;
                const char *name;
        } order[] = {{CLONE_NEWPID, "pid"},
                     {CLONE_NEWNET, "net"},
                     {CLONE_NEWUTS, "uts"},
                     {CLONE_NEWIPC, "ipc"},
                     {CLONE_NEWNS, "mnt"}};
        int fds[5] = {-1, -1, -1, -1, -1};
        int rc = 0;
        for (size_t i = 0; i < 5 && rc == 0; i++) {
                if (!(types & order[i].flag))
                        continue;
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)target, order[i].name);
                fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0)
                        rc = iso_errf(e, errno, "open %s", path);
        }
        int ignored = iso_fault("nsenter.setns.ignored");
        for (size_t i = 0; i < 5 && rc == 0 && !ignored; i++) {
                if (fds[i] >= 0 && setns(fds[i], order[i].flag) < 0)
                        rc = iso_errf(e, errno, "setns(/proc/%d/ns/%s)", (int)target,
                                      order[i].name);
        }
        for (size_t i = 0; i < 5; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        if (root_fd >= 0) {
                if (rc == 0 && (fchdir(root_fd) < 0 || chroot(".") < 0))
                        rc = iso_errf(e, errno, "chroot to /proc/%d/root", (int)target);
                close(root_fd);
        }
        return rc;
}

int iso_ns_in_initial_pidns(void)
{
        iso_autofree char *s = iso_read_file("/proc/2/stat", NULL, NULL);
        return s && !strncmp(s, "2 (kthreadd) ", 13) && strstr(s, ") S 0 ") != NULL;
}

int iso_ns_id(pid_t pid, const char *type, dev_t *dev, ino_t *ino, struct iso_err *e)
{
        char path[96];
        if (pid)
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
        else
                snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
        struct stat st;
        if (stat(path, &st) < 0)
                return iso_errf(e, errno, "stat %s", path);
        *dev = st.st_dev;
        *ino = st.st_ino;
        return 0;
}
