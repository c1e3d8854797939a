// SPDX-License-Identifier: MIT
#include "isocheck/ns.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

pid_t iso_ns_fork(unsigned long flags)
{
        /* x86_64 argument order: flags, stack, parent_tid, child_tid, tls. A NULL stack
         * makes the child run on a copy of the parent's, exactly as after fork(). */
        fflush(NULL);
        return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

long iso_ns_nspid(pid_t pid, pid_t *ids, size_t max, struct iso_err *e)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        iso_autofree char *s = iso_read_file(path, NULL, e);
        if (!s)
                return -1;
        char *line = strstr(s, "\nNSpid:");
        if (!line)
                return iso_errf(e, ENODATA, "%s has no NSpid line (Linux < 4.1?)", path);
        char *p = line + strlen("\nNSpid:");
        long n = 0;
        while (*p && *p != '\n') {
                char *end;
                long v = strtol(p, &end, 10);
                if (end == p)
                        break;
                if ((size_t)n < max)
                        ids[n] = (pid_t)v;
                n++;
                p = end;
        }
        return n;
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
