// SPDX-License-Identifier: MIT
/* Sampling a memory cgroup's usage while a process climbs (include/isocheck/memsample.h). */
#include "isocheck/memsample.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/util.h"

static int open_in(const struct iso_cg *cg, const char *file, struct iso_err *e)
{
        char path[PATH_MAX];
        if (iso_pathf(path, sizeof(path), "%s/%s", cg->path, file) < 0)
                return iso_errf(e, ENAMETOOLONG, "%s/%s", cg->path, file);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return iso_errf(e, errno, "open %s", path);
        return fd;
}

int iso_memsampler_open(struct iso_memsampler *m, const struct iso_cg *cg, long long limit,
                        unsigned interval_us, struct iso_err *e)
{
        m->usage_fd = m->events_fd = -1;
        m->version = cg->version;
        m->limit = limit;
        m->interval_us = interval_us < 500 ? 500 : interval_us;
        m->n = 0;
        m->t0 = iso_now();
        int v1 = cg->version == 1;
        m->usage_fd = open_in(cg, v1 ? "memory.usage_in_bytes" : "memory.current", e);
        if (m->usage_fd < 0)
                return -1;
        /* Without the events file (an old kernel) usage is still worth drawing. */
        m->events_fd = open_in(cg, v1 ? "memory.oom_control" : "memory.events", NULL);
        return 0;
}

void iso_memsampler_start(struct iso_memsampler *m)
{
        m->t0 = iso_now();
        m->n = 0;
}

static long long read_number(int fd, const char *key)
{
        char buf[1024];
        ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
        if (r <= 0)
                return -1;
        buf[r] = '\0';
        if (!key)
                return strtoll(buf, NULL, 10);
        /* "key value" lines: the key at a line's start, then one space. */
        size_t klen = strlen(key);
        for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (!strncmp(p, key, klen) && p[klen] == ' ')
                        return strtoll(p + klen + 1, NULL, 10);
        return -1;
}

/* Halve what is kept and the rate, so the next samples fit and still span the whole run. */
static void thin(struct iso_memsampler *m)
{
        size_t k = 0;
        for (size_t i = 0; i < m->n; i += 2)
                m->s[k++] = m->s[i];
        m->n = k;
        m->interval_us *= 2;
}

void iso_memsampler_take(struct iso_memsampler *m)
{
        if (m->usage_fd < 0)
                return;
        if (m->n == ISO_MEMSAMPLE_MAX)
                thin(m);
        struct iso_memsample *s = &m->s[m->n++];
        s->t_s = iso_now() - m->t0;
        s->usage = read_number(m->usage_fd, NULL);
        s->oom_kill = m->events_fd < 0 ? -1 : read_number(m->events_fd, "oom_kill");
}

pid_t iso_memsampler_wait(struct iso_memsampler *m, pid_t pid, double max_s, int *status)
{
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        double deadline = iso_now() + max_s;
        pid_t r = 0;
        while (m->usage_fd >= 0 && iso_now() < deadline) {
                iso_memsampler_take(m);
                r = waitpid(pid, status, WNOHANG);
                if (r != 0)
                        break;
                int ms = (int)((m->interval_us + 999) / 1000);
                if (pidfd >= 0) {
                        struct pollfd p = {.fd = pidfd, .events = POLLIN};
                        (void)poll(&p, 1, ms);
                } else {
                        struct timespec ts = {0, (long)m->interval_us * 1000L};
                        nanosleep(&ts, NULL);
                }
        }
        if (pidfd >= 0)
                close(pidfd);
        if (r == 0)
                r = waitpid(pid, status, 0);
        iso_memsampler_take(m);
        return r;
}

/* "%lld" or nothing for an unknown (-1) value. */
static void put_value(FILE *f, long long v)
{
        if (v >= 0)
                fprintf(f, "%lld", v);
}

char *iso_memsampler_csv(const struct iso_memsampler *m, size_t *len)
{
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        if (!f)
                return NULL;
        fputs("t_s,usage_bytes,limit_bytes,oom_kill\n", f);
        for (size_t i = 0; i < m->n; i++) {
                const struct iso_memsample *s = &m->s[i];
                /* Seconds as integer parts: a decimal comma of the locale cannot creep in. */
                long long us = s->t_s > 0 ? (long long)(s->t_s * 1e6 + 0.5) : 0;
                fprintf(f, "%lld.%06lld,", us / 1000000, us % 1000000);
                put_value(f, s->usage);
                fputc(',', f);
                put_value(f, m->limit);
                fputc(',', f);
                put_value(f, s->oom_kill);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        if (len)
                *len = n;
        return buf;
}

void iso_memsampler_close(struct iso_memsampler *m)
{
        if (m->usage_fd >= 0)
                close(m->usage_fd);
        if (m->events_fd >= 0)
                close(m->events_fd);
        m->usage_fd = m->events_fd = -1;
}
