// SPDX-License-Identifier: MIT
#include "isocheck/proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int iso_proc_parse_stat(const char *line, struct iso_proc *p)
{
        char *end;
        long pid = strtol(line, &end, 10);
        /* PIDs fit an int (PID_MAX_LIMIT is 2^22): larger is not a stat line (fuzzer). */
        if (end == line || pid <= 0 || pid > INT_MAX || strncmp(end, " (", 2))
                return -1;
        const char *open = end + 2;
        const char *close = strrchr(open, ')');
        if (!close || close[1] != ' ')
                return -1;
        /* After ") " comes the one-letter state, then the PPID. */
        const char *rest = close + 2;
        if (!isalpha((unsigned char)rest[0]) || rest[1] != ' ')
                return -1;
        long ppid = strtol(rest + 2, &end, 10);
        if (end == rest + 2 || ppid < 0 || ppid > INT_MAX)
                return -1;
        size_t n = (size_t)(close - open);
        if (n >= sizeof(p->comm))
                n = sizeof(p->comm) - 1;
        memcpy(p->comm, open, n);
        p->comm[n] = '\0';
        p->pid = (pid_t)pid;
        p->ppid = (pid_t)ppid;
        return 0;
}

static int by_pid(const void *a, const void *b)
{
        const struct iso_proc *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

long iso_proc_table(const char *proc_root, struct iso_proc *out, size_t max, struct iso_err *e)
{
        DIR *d = opendir(proc_root);
        if (!d)
                return iso_errf(e, errno, "opendir %s", proc_root);
        long n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!isdigit((unsigned char)de->d_name[0]))
                        continue;
                char path[512];
                if (iso_pathf(path, sizeof(path), "%s/%s/stat", proc_root, de->d_name) < 0)
                        continue;
                char *s = iso_read_file(path, NULL, NULL);
                if (!s)
                        continue; /* exited since readdir */
                struct iso_proc p;
                int ok = iso_proc_parse_stat(s, &p) == 0;
                free(s);
                if (!ok)
                        continue;
                if ((size_t)n < max)
                        out[n] = p;
                n++;
        }
        closedir(d);
        qsort(out, (size_t)n < max ? (size_t)n : max, sizeof(*out), by_pid);
        return n;
}

static int ignored(pid_t pid, const pid_t *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (list[i] == pid)
                        return 1;
        return 0;
}

const struct iso_proc *iso_proc_find(const struct iso_proc *t, size_t n, pid_t pid)
{
        for (size_t i = 0; i < n; i++)
                if (t[i].pid == pid)
                        return &t[i];
        return NULL;
}

static int same(const struct iso_proc *x, const struct iso_proc *y)
{
        return x && y && x->ppid == y->ppid && !strcmp(x->comm, y->comm);
}

size_t iso_proc_diff(const struct iso_proc *a, size_t na, const pid_t *ignore_a, size_t n_ignore_a,
                     const struct iso_proc *b, size_t nb, const pid_t *ignore_b, size_t n_ignore_b)
{
        size_t diff = 0;
        for (size_t i = 0; i < na; i++) {
                if (ignored(a[i].pid, ignore_a, n_ignore_a) ||
                    ignored(a[i].pid, ignore_b, n_ignore_b))
                        continue;
                if (!same(&a[i], iso_proc_find(b, nb, a[i].pid)))
                        diff++;
        }
        for (size_t i = 0; i < nb; i++) {
                if (ignored(b[i].pid, ignore_a, n_ignore_a) ||
                    ignored(b[i].pid, ignore_b, n_ignore_b))
                        continue;
                if (!iso_proc_find(a, na, b[i].pid))
                        diff++;
        }
        return diff;
}

char *iso_proc_side_by_side(const struct iso_proc *a, size_t na, const char *title_a,
                            const struct iso_proc *b, size_t nb, const char *title_b, char *out,
                            size_t size)
{
        size_t len = 0, i = 0, j = 0;
        if (!size)
                return out;
        out[0] = '\0';
        len += (size_t)snprintf(out, size, "  %-34s | %s\n", title_a, title_b);
        /* Both are sorted by PID: walk them together like a merge. */
        while ((i < na || j < nb) && len < size) {
                const struct iso_proc *x = NULL, *y = NULL;
                if (j >= nb || (i < na && a[i].pid < b[j].pid))
                        x = &a[i++];
                else if (i >= na || b[j].pid < a[i].pid)
                        y = &b[j++];
                else {
                        x = &a[i++];
                        y = &b[j++];
                }
                char left[48] = "", right[48] = "";
                if (x)
                        snprintf(left, sizeof(left), "%5d %5d %.20s", (int)x->pid, (int)x->ppid,
                                 x->comm);
                if (y)
                        snprintf(right, sizeof(right), "%5d %5d %.20s", (int)y->pid, (int)y->ppid,
                                 y->comm);
                len += (size_t)snprintf(out + len, size - len, "%c %-34s | %s\n",
                                        same(x, y) ? ' ' : '*', left, right);
        }
        return out;
}

/* The PID of /proc/@pid (host numbering) in its own namespace: NSpid's last field. */
static pid_t inner_pid(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        char *s = iso_read_file(path, NULL, NULL);
        const char *p = s ? strstr(s, "\nNSpid:") : NULL;
        long last = 0;
        if (p) {
                p += 7;
                for (char *end;; p = end) {
                        long v = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        last = v;
                }
        }
        free(s);
        return (pid_t)last;
}

static int in_pidns(pid_t pid, ino_t pidns)
{
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
        return stat(path, &st) == 0 && st.st_ino == pidns;
}

static void csv_row(FILE *f, const char *view, const struct iso_proc *p, pid_t host_pid)
{
        char cmd[sizeof(p->comm)];
        size_t i = 0;
        for (; i < sizeof(cmd) - 1 && p->comm[i]; i++) {
                unsigned char c = (unsigned char)p->comm[i];
                cmd[i] = c < 0x20 || c == 0x7f || c == ',' || c == '"' ? '_' : (char)c;
        }
        cmd[i] = '\0';
        fprintf(f, "%s,%d,%d,", view, (int)p->pid, (int)p->ppid);
        if (host_pid > 0)
                fprintf(f, "%d", (int)host_pid);
        fprintf(f, ",%s\n", cmd);
}

#define HOST_MAX 4096

char *iso_proc_evidence_csv(const struct iso_proc *inside, size_t n_inside, ino_t pidns,
                            pid_t parent, size_t *len, struct iso_err *e)
{
        struct iso_proc *host = calloc(HOST_MAX, sizeof(*host));
        pid_t *inner = calloc(HOST_MAX, sizeof(*inner));
        char *buf = NULL;
        size_t n = 0;
        FILE *f = NULL;
        long nh = host && inner ? iso_proc_table("/proc", host, HOST_MAX, e) : -1;
        if (!host || !inner)
                iso_errf(e, ENOMEM, "process table of %d entries", HOST_MAX);
        if (nh < 0)
                goto out;
        if (nh > HOST_MAX)
                nh = HOST_MAX;
        /* Which host processes are in the namespace, and their PID there. */
        for (long i = 0; i < nh; i++)
                inner[i] = in_pidns(host[i].pid, pidns) ? inner_pid(host[i].pid) : 0;
        f = open_memstream(&buf, &n);
        if (!f) {
                iso_errf(e, errno, "open_memstream");
                goto out;
        }
        fputs("view,pid,ppid,host_pid,cmd\n", f);
        for (size_t k = 0; k < n_inside; k++) {
                pid_t hp = 0;
                for (long i = 0; i < nh && !hp; i++)
                        if (inner[i] && inner[i] == inside[k].pid)
                                hp = host[i].pid;
                csv_row(f, "inside", &inside[k], hp);
        }
        for (long i = 0; i < nh; i++)
                if (inner[i] || (parent > 0 && host[i].pid == parent))
                        csv_row(f, "host", &host[i], host[i].pid);
        if (fclose(f) != 0) {
                iso_errf(e, errno, "open_memstream");
                free(buf);
                buf = NULL;
        } else if (len) {
                *len = n;
        }
out:
        free(host);
        free(inner);
        return buf;
}
