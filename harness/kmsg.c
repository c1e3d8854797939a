// SPDX-License-Identifier: MIT
/*
 * The kernel log through /dev/kmsg (Documentation/ABI/testing/dev-kmsg) and the memory
 * cgroup OOM killer's lines in it (mm/oom_kill.c). Everything that interprets text works
 * on bounded spans, never on NUL-terminated assumptions, because a read(2) record is not
 * NUL-terminated and a drained log is scanned one line at a time in place.
 */
#include "isocheck/kmsg.h"
#include "isocheck/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KMSG_PATH "/dev/kmsg"

/*
 * devkmsg_read() formats a record into a CONSOLE_EXT_LOG_MAX (8192) byte buffer and fails
 * with EINVAL when ours is smaller, so this is the one size that always suffices.
 */
#define KMSG_RECORD_MAX 8192

#define OOM_MEMCG_PREFIX "Memory cgroup out of memory: "
#define OOM_KILL_LINE "oom-kill:"

/* A line of a larger text: [p, p + n), without its '\n'. */
struct span {
        const char *p;
        size_t n;
};

static const char *span_find(struct span s, const char *needle)
{
        return memmem(s.p, s.n, needle, strlen(needle));
}

/* The last occurrence, for fields whose value (a comm) may repeat the needle before it. */
static const char *span_find_last(struct span s, const char *needle)
{
        size_t nl = strlen(needle);
        const char *last = NULL;

        for (const char *p = s.p, *end = s.p + s.n; (size_t)(end - p) >= nl; p++) {
                p = memmem(p, (size_t)(end - p), needle, nl);
                if (!p)
                        break;
                last = p;
        }
        return last;
}

static int span_contains_icase(struct span s, const char *needle)
{
        size_t nl = strlen(needle);

        for (size_t i = 0; i + nl <= s.n; i++)
                if (!strncasecmp(s.p + i, needle, nl))
                        return 1;
        return 0;
}

/* Copy a span into a fixed buffer, truncating; always NUL-terminates. */
static void span_copy(char *dst, size_t size, const char *p, size_t n)
{
        if (!size)
                return;
        if (n > size - 1)
                n = size - 1;
        memcpy(dst, p, n);
        dst[n] = '\0';
}

/* The next line of @text at *@pos; 0 at the end. A last line without '\n' counts. */
static int next_line(const char *text, size_t *pos, struct span *line)
{
        const char *start = text + *pos;

        if (!*start)
                return 0;
        const char *nl = strchr(start, '\n');
        size_t n = nl ? (size_t)(nl - start) : strlen(start);

        line->p = start;
        line->n = n;
        *pos += n + (nl ? 1 : 0);
        return 1;
}

/*
 * Parse an unsigned decimal at *@p (before @end) into *@out. strtoull() cannot be used:
 * it would read past a buffer that is not NUL-terminated, and it accepts signs and spaces.
 */
static int parse_ull(const char **p, const char *end, unsigned long long *out)
{
        const char *s = *p;
        unsigned long long v = 0;

        if (s >= end || *s < '0' || *s > '9')
                return -1;
        for (; s < end && *s >= '0' && *s <= '9'; s++) {
                unsigned int d = (unsigned int)(*s - '0');

                if (v > (ULLONG_MAX - d) / 10)
                        return -1;
                v = v * 10 + d;
        }
        *p = s;
        *out = v;
        return 0;
}

int iso_kmsg_parse(const char *buf, size_t len, struct iso_kmsg_record *rec)
{
        if (!rec)
                return -1;
        memset(rec, 0, sizeof(*rec));
        if (!buf)
                return -1;

        /* The record proper is the first line; continuation lines (" KEY=VALUE") follow. */
        const char *nl = memchr(buf, '\n', len);
        const char *end = nl ? nl : buf + len;
        const char *p = buf;
        unsigned long long level, seq, usec;

        if (parse_ull(&p, end, &level) < 0 || level > INT_MAX || p >= end || *p++ != ',')
                return -1;
        if (parse_ull(&p, end, &seq) < 0 || p >= end || *p++ != ',')
                return -1;
        if (parse_ull(&p, end, &usec) < 0 || p >= end || (*p != ',' && *p != ';'))
                return -1;
        /*
         * FLAGS and any fields a later kernel adds come before the first ';' (the text may
         * hold more). They carry nothing we use, so they are skipped, not validated.
         */
        const char *semi = memchr(p, ';', (size_t)(end - p));

        if (!semi)
                return -1;

        const char *text = semi + 1;
        size_t n = (size_t)(end - text);

        if (n > sizeof(rec->text) - 1) {
                n = sizeof(rec->text) - 1;
                /*
                 * The kernel writes every '\\' as "\x5c", so a backslash in the last three
                 * bytes starts an escape the cut would leave half-written: drop it whole.
                 */
                for (size_t i = n >= 3 ? n - 3 : 0; i < n; i++) {
                        if (text[i] == '\\') {
                                n = i;
                                break;
                        }
                }
        }
        rec->level = (int)level;
        rec->seq = seq;
        rec->usec = usec;
        span_copy(rec->text, sizeof(rec->text), text, n);
        return 0;
}

int iso_kmsg_open(struct iso_kmsg *k, struct iso_err *e)
{
        k->fd = open(KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (k->fd < 0)
                return iso_errf(e, errno, "open %s", KMSG_PATH);
        /* A new reader starts at the oldest record; only what comes after now is ours. */
        if (lseek(k->fd, 0, SEEK_END) < 0) {
                int saved = errno;

                iso_kmsg_close(k);
                return iso_errf(e, saved, "lseek %s to its end", KMSG_PATH);
        }
        return 0;
}

/* Append @n bytes to the NUL-terminated heap string *@text of length *@len. */
static int text_append(char **text, size_t *len, const char *s, size_t n)
{
        char *nt = realloc(*text, *len + n + 1);

        if (!nt)
                return -1;
        memcpy(nt + *len, s, n);
        *len += n;
        nt[*len] = '\0';
        *text = nt;
        return 0;
}

/*
 * The marker for an EPIPE. The count is the gap in sequence numbers when the record read
 * before it is known; for the first read of a call it is not (struct iso_kmsg keeps no
 * sequence number between calls), and "?" says so rather than guessing.
 */
static int append_lost(char **text, size_t *len, int known, unsigned long long lost)
{
        char marker[64];
        int n;

        if (known)
                n = snprintf(marker, sizeof(marker), "[kmsg: %llu records lost]\n", lost);
        else
                n = snprintf(marker, sizeof(marker), "[kmsg: ? records lost]\n");
        return text_append(text, len, marker, (size_t)n);
}

long iso_kmsg_drain(struct iso_kmsg *k, char **text, size_t *len, struct iso_err *e)
{
        if (!k || k->fd < 0)
                return iso_errf(e, EBADF, "read %s: not open", KMSG_PATH);

        iso_autofree char *buf = malloc(KMSG_RECORD_MAX);
        unsigned long long last_seq = 0;
        int have_seq = 0, lost = 0;
        long count = 0;

        if (!buf)
                return iso_errf(e, ENOMEM, "read %s", KMSG_PATH);
        if (!*text)
                *len = 0;
        for (;;) {
                ssize_t r = read(k->fd, buf, KMSG_RECORD_MAX);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0 && errno == EAGAIN)
                        break;
                if (r < 0 && errno == EPIPE) {
                        /* The kernel has moved us to the oldest record left: read on. */
                        lost = 1;
                        continue;
                }
                if (r < 0)
                        return iso_errf(e, errno, "read %s", KMSG_PATH);
                if (r == 0)
                        break;

                struct iso_kmsg_record rec;

                /* Not expected from the kernel; one bad record should not hide the rest. */
                if (iso_kmsg_parse(buf, (size_t)r, &rec) < 0)
                        continue;
                /* Test build only: a kernel that kills without logging the kill; or whose
                 * printk rate limit dropped the report (and says so, as lib/ratelimit.c). */
                if ((iso_fault("kmsg.oom.unlogged") || iso_fault("kmsg.oom.suppressed")) &&
                    (strstr(rec.text, "Killed process") || strstr(rec.text, "oom-kill:") ||
                     strstr(rec.text, "Memory cgroup out of memory"))) {
                        if (iso_fault("kmsg.oom.suppressed") && !strstr(rec.text, "oom-kill:")) {
                                static const char sup[] =
                                        "oom_kill_process: 1 callbacks suppressed\n";
                                if (text_append(text, len, sup, sizeof(sup) - 1) < 0)
                                        return iso_errf(e, ENOMEM, "read %s", KMSG_PATH);
                        }
                        continue;
                }
                if (lost) {
                        int known = have_seq && rec.seq > last_seq;

                        if (append_lost(text, len, known, known ? rec.seq - last_seq - 1 : 0))
                                return iso_errf(e, ENOMEM, "read %s", KMSG_PATH);
                        lost = 0;
                }
                last_seq = rec.seq;
                have_seq = 1;
                if (text_append(text, len, rec.text, strlen(rec.text)) < 0 ||
                    text_append(text, len, "\n", 1) < 0)
                        return iso_errf(e, ENOMEM, "read %s", KMSG_PATH);
                count++;
        }
        if (lost && append_lost(text, len, 0, 0) < 0)
                return iso_errf(e, ENOMEM, "read %s", KMSG_PATH);
        /* Callers may print or search the result even when nothing was logged. */
        if (!*text && text_append(text, len, "", 0) < 0)
                return iso_errf(e, ENOMEM, "read %s", KMSG_PATH);
        return count;
}

void iso_kmsg_close(struct iso_kmsg *k)
{
        if (k && k->fd >= 0) {
                close(k->fd);
                k->fd = -1;
        }
}

/* An "oom-kill:" line: the victim's PID and its oom_memcg= value (n == 0 when absent). */
struct oom_kill_info {
        pid_t pid;
        struct span memcg;
};

static int parse_pid(const char *p, const char *end, pid_t *pid)
{
        unsigned long long v;

        if (parse_ull(&p, end, &v) < 0 || v == 0 || v > INT_MAX)
                return -1;
        *pid = (pid_t)v;
        return 0;
}

/*
 * "oom-kill:constraint=...,oom_memcg=PATH,task_memcg=PATH,task=COMM,pid=N,uid=N". A cgroup
 * name may hold ',' and a comm may hold ",pid=", so the path ends at ",task_memcg=" and
 * the PID is the last ",pid=" (it follows task=).
 */
static int parse_oom_kill(struct span line, struct oom_kill_info *info)
{
        const char *start = span_find(line, OOM_KILL_LINE);

        if (!start)
                return -1;

        struct span rest = {start, (size_t)(line.p + line.n - start)};
        const char *end = rest.p + rest.n;
        const char *pid = span_find_last(rest, ",pid=");

        if (!pid || parse_pid(pid + 5, end, &info->pid) < 0)
                return -1;
        info->memcg.p = NULL;
        info->memcg.n = 0;

        const char *m = span_find(rest, ",oom_memcg=");

        if (m) {
                m += strlen(",oom_memcg=");

                struct span tail = {m, (size_t)(end - m)};
                const char *stop = span_find(tail, ",task_memcg=");

                if (!stop)
                        stop = memchr(m, ',', (size_t)(end - m));
                info->memcg.p = m;
                info->memcg.n = (size_t)((stop ? stop : end) - m);
        }
        return 0;
}

/*
 * "Memory cgroup out of memory: Killed process PID (COMM) total-vm:..." (4.19+) or
 * "... Kill process PID (COMM) score N or sacrifice child" (older). COMM may hold spaces
 * and parentheses: it runs from the '(' after the PID to the ')' before the next field.
 */
static int parse_kill(struct span line, pid_t *pid, struct span *comm)
{
        const char *p = span_find(line, OOM_MEMCG_PREFIX);
        const char *end = line.p + line.n;

        if (!p)
                return -1;
        p += strlen(OOM_MEMCG_PREFIX);

        static const char *const verbs[] = {"Killed process ", "Kill process "};
        size_t i;

        for (i = 0; i < ISO_ARRAY_SIZE(verbs); i++) {
                size_t vl = strlen(verbs[i]);

                if ((size_t)(end - p) >= vl && !memcmp(p, verbs[i], vl)) {
                        p += vl;
                        break;
                }
        }
        if (i == ISO_ARRAY_SIZE(verbs))
                return -1;

        const char *digits = p;

        while (p < end && *p >= '0' && *p <= '9')
                p++;
        if (parse_pid(digits, p, pid) < 0 || end - p < 2 || p[0] != ' ' || p[1] != '(')
                return -1;
        p += 2;

        struct span after = {p, (size_t)(end - p)};
        const char *close = span_find_last(after, ") total-vm:");

        if (!close)
                close = span_find_last(after, ") score ");
        if (!close)
                close = span_find_last(after, ")");
        if (!close)
                return -1;
        comm->p = p;
        comm->n = (size_t)(close - p);
        return 0;
}

/* @path ends with @suffix at a component boundary ("hog" matches "/a/hog", not "/a/shog"). */
static int memcg_matches(struct span path, const char *suffix)
{
        size_t sl = strlen(suffix);

        /* "/a/hog/" names the same cgroup as "/a/hog". */
        while (sl > 1 && suffix[sl - 1] == '/')
                sl--;
        if (!path.p || sl > path.n || memcmp(path.p + path.n - sl, suffix, sl))
                return 0;
        /* "" ends every path: it asks only that the kill has an oom-kill line with a memcg. */
        return sl == 0 || sl == path.n || suffix[0] == '/' || path.p[path.n - sl - 1] == '/';
}

/*
 * The kernel prints the oom-kill line just before the kill line of the same victim, but
 * another CPU's OOM can interleave, so the last few are kept and looked up by PID.
 */
#define OOM_KILL_RECENT 16

int iso_kmsg_find_oom(const char *text, pid_t victim, const char *memcg, struct iso_oom_report *out)
{
        struct oom_kill_info recent[OOM_KILL_RECENT];
        size_t nrecent = 0, pos = 0;
        struct span line;

        if (out)
                memset(out, 0, sizeof(*out));
        if (!text)
                return 0;
        while (next_line(text, &pos, &line)) {
                struct oom_kill_info info;
                struct span comm;
                pid_t pid;

                if (parse_oom_kill(line, &info) == 0) {
                        recent[nrecent++ % OOM_KILL_RECENT] = info;
                        continue;
                }
                if (parse_kill(line, &pid, &comm) < 0)
                        continue;
                if (victim > 0 && pid != victim)
                        continue;

                /* Newest first: a PID reused by a later victim must find its own line. */
                const struct oom_kill_info *ok = NULL;
                size_t kept = nrecent < OOM_KILL_RECENT ? nrecent : OOM_KILL_RECENT;

                for (size_t i = 0; i < kept; i++) {
                        const struct oom_kill_info *c =
                                &recent[(nrecent - 1 - i) % OOM_KILL_RECENT];

                        if (c->pid == pid) {
                                ok = c;
                                break;
                        }
                }
                /* Before 4.19 there is no oom-kill line, so a memcg filter matches nothing. */
                if (memcg && (!ok || !memcg_matches(ok->memcg, memcg)))
                        continue;
                if (out) {
                        out->found = 1;
                        out->victim = pid;
                        span_copy(out->comm, sizeof(out->comm), comm.p, comm.n);
                        if (ok && ok->memcg.p)
                                span_copy(out->memcg, sizeof(out->memcg), ok->memcg.p, ok->memcg.n);
                        span_copy(out->line, sizeof(out->line), line.p, line.n);
                }
                return 1;
        }
        return 0;
}

size_t iso_kmsg_oom_lines(const char *text, char *out, size_t size)
{
        /* Case-insensitive so that the global "Out of memory: ..." lines come along too. */
        static const char *const keys[] = {
                "out of memory",  "oom-kill",           "oom_reaper",
                "Killed process", "invoked oom-killer", "Memory cgroup stats",
                "memory: usage",
        };
        size_t pos = 0, used = 0, copied = 0;
        struct span line;

        if (!out || !size)
                return 0;
        out[0] = '\0';
        if (!text)
                return 0;
        while (next_line(text, &pos, &line)) {
                size_t i;

                for (i = 0; i < ISO_ARRAY_SIZE(keys); i++)
                        if (span_contains_icase(line, keys[i]))
                                break;
                if (i == ISO_ARRAY_SIZE(keys))
                        continue;
                /* Whole lines only: stop at the first that does not fit with its '\n'. */
                if (line.n + 1 > size - 1 - used)
                        break;
                memcpy(out + used, line.p, line.n);
                used += line.n;
                out[used++] = '\n';
                out[used] = '\0';
                copied++;
        }
        return copied;
}

/* A suppression or loss marker: why an OOM line may be missing from the window. */
static int is_suppressed(struct span line)
{
        return (span_find(line, "callbacks suppressed") &&
                (span_find(line, "oom") || span_find(line, "out_of_memory"))) ||
               span_find(line, "[kmsg: ");
}

int iso_kmsg_oom_suppressed(const char *text, char *line_out, size_t size)
{
        size_t pos = 0;
        struct span line;

        if (!text)
                return 0;
        while (next_line(text, &pos, &line))
                if (is_suppressed(line)) {
                        span_copy(line_out, size, line.p, line.n);
                        return 1;
                }
        return 0;
}

static int pid_in(pid_t pid, const pid_t *pids, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return 1;
        return 0;
}

/* Whether @line names the cgroup @memcg or one of @pids as an OOM victim. */
static int names_ours(struct span line, const pid_t *pids, size_t n_pids, const char *memcg)
{
        struct oom_kill_info info;
        struct span comm;
        pid_t pid;

        if (parse_oom_kill(line, &info) == 0) {
                if (pid_in(info.pid, pids, n_pids) || (memcg && memcg_matches(info.memcg, memcg)))
                        return 1;
                /* task_memcg= names where the victim lived: ours too when it ends with ours. */
                const char *t = span_find(line, ",task_memcg=");
                if (t && memcg) {
                        t += strlen(",task_memcg=");
                        struct span tail = {t, (size_t)(line.p + line.n - t)};
                        const char *stop = span_find(tail, ",task=");
                        struct span path = {t, (size_t)((stop ? stop : line.p + line.n) - t)};
                        return memcg_matches(path, memcg);
                }
                return 0;
        }
        if (parse_kill(line, &pid, &comm) == 0)
                return pid_in(pid, pids, n_pids);
        const char *p = span_find(line, "Memory cgroup stats for ");
        if (p && memcg) {
                p += strlen("Memory cgroup stats for ");
                const char *end = line.p + line.n;
                while (end > p && (end[-1] == ':' || end[-1] == ' '))
                        end--;
                struct span path = {p, (size_t)(end - p)};
                return memcg_matches(path, memcg);
        }
        p = span_find(line, "reaped process ");
        if (p && parse_pid(p + strlen("reaped process "), line.p + line.n, &pid) == 0)
                return pid_in(pid, pids, n_pids);
        return 0;
}

/* The OOM report keys of iso_kmsg_oom_lines. */
static int oom_related(struct span line)
{
        static const char *const keys[] = {
                "out of memory",  "oom-kill",           "oom_reaper",
                "Killed process", "invoked oom-killer", "Memory cgroup stats",
                "memory: usage",
        };
        for (size_t i = 0; i < ISO_ARRAY_SIZE(keys); i++)
                if (span_contains_icase(line, keys[i]))
                        return 1;
        return 0;
}

/* Append @line and '\n' to @out if it fits whole; 1 when copied. */
static int put_line(char *out, size_t size, size_t *used, struct span line)
{
        if (line.n + 1 > size - 1 - *used)
                return 0;
        memcpy(out + *used, line.p, line.n);
        *used += line.n;
        out[(*used)++] = '\n';
        out[*used] = '\0';
        return 1;
}

/* Copy the OOM lines of the report at [@from, @to) of @text; returns how many. */
static size_t copy_report(const char *text, size_t from, size_t to, char *out, size_t size,
                          size_t *used)
{
        size_t copied = 0;
        struct span bl;
        while (from < to && next_line(text, &from, &bl))
                if ((oom_related(bl) || is_suppressed(bl)) && put_line(out, size, used, bl))
                        copied++;
        return copied;
}

size_t iso_kmsg_oom_lines_of(const char *text, const pid_t *pids, size_t n_pids, const char *memcg,
                             char *out, size_t size)
{
        size_t pos = 0, used = 0, copied = 0;
        size_t block = 0, block_end = 0; /* [block, block_end) of @text: a report's lines */
        int in_block = 0, ours = 0;
        struct span line;

        if (!out || !size)
                return 0;
        out[0] = '\0';
        if (!text)
                return 0;
        for (;;) {
                size_t at = pos;
                int more = next_line(text, &pos, &line);
                int starts = more && span_find(line, "invoked oom-killer");
                /* A report ends at its kill line, at the next report's start, or at the end. */
                if (in_block && (!more || starts)) {
                        if (ours)
                                copied += copy_report(text, block, block_end, out, size, &used);
                        in_block = 0;
                }
                if (!more)
                        break;
                if (starts) {
                        in_block = 1;
                        ours = 0;
                        block = at;
                }
                if (in_block) {
                        ours |= names_ours(line, pids, n_pids, memcg);
                        block_end = pos;
                        struct span comm;
                        pid_t pid;
                        if (parse_kill(line, &pid, &comm) == 0) {
                                /* The kill line closes the report: copy it now if ours. */
                                if (ours)
                                        copied += copy_report(text, block, block_end, out, size,
                                                              &used);
                                in_block = 0;
                        }
                        continue;
                }
                if (is_suppressed(line) ||
                    (oom_related(line) && names_ours(line, pids, n_pids, memcg)))
                        copied += (size_t)put_line(out, size, &used, line);
        }
        return copied;
}
