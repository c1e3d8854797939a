/* SPDX-License-Identifier: MIT */
/*
 * The kernel log, read from /dev/kmsg (Documentation/ABI/testing/dev-kmsg): a cursor
 * taken before a case acts, then only the records written after it, and matching of the
 * memory cgroup OOM killer's lines (mm/oom_kill.c wording, old and new).
 */
#ifndef ISOCHECK_KMSG_H
#define ISOCHECK_KMSG_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/util.h"

/* One /dev/kmsg record: "LEVEL,SEQ,USEC,FLAGS;TEXT\n" plus optional " KEY=VALUE" lines. */
struct iso_kmsg_record {
        int level;               /* syslog priority: facility << 3 | level */
        unsigned long long seq;  /* 64-bit sequence number */
        unsigned long long usec; /* timestamp, microseconds since boot */
        char text[1024];         /* the message, "\xNN" escapes kept as the kernel wrote them */
};

/*
 * Parse one record as read(2) returns it (@len bytes, not NUL-terminated). Continuation
 * lines (starting with a space) are ignored. Returns 0, or -1 when the prefix is malformed.
 */
int iso_kmsg_parse(const char *buf, size_t len, struct iso_kmsg_record *rec);

/* A reader positioned after the last record present when it was opened. */
struct iso_kmsg {
        int fd; /* -1 when /dev/kmsg could not be opened */
};

/*
 * Open /dev/kmsg (O_RDONLY | O_NONBLOCK) and seek to its end (SEEK_END), so later reads
 * see only new records. Returns 0, or -1 with @e (EPERM/EACCES under dmesg_restrict or in
 * a container without CAP_SYSLOG, ENOENT without the device). k->fd is -1 after a failure.
 */
int iso_kmsg_open(struct iso_kmsg *k, struct iso_err *e);

/*
 * Read every record available now (non-blocking: stops at EAGAIN) and append each
 * record's text plus '\n' to the heap buffer *@text (length *@len; both may start as
 * NULL/0 and grow). EPIPE (records overwritten before we read them) is skipped with a
 * marker line "[kmsg: N records lost]". Returns the number of records read, or -1 with @e.
 */
long iso_kmsg_drain(struct iso_kmsg *k, char **text, size_t *len, struct iso_err *e);

void iso_kmsg_close(struct iso_kmsg *k);

/* What the OOM killer said about one kill, from the lines of a drained log. */
struct iso_oom_report {
        int found;       /* a "Memory cgroup out of memory" kill line was matched */
        pid_t victim;    /* PID named by it */
        char comm[64];   /* the victim's command name as logged */
        char memcg[256]; /* oom_memcg= from the "oom-kill:" line, "" if absent */
        char line[1024]; /* the matched kill line */
};

/*
 * Find the memory-cgroup OOM kill in @text (lines as iso_kmsg_drain builds them).
 * Matches both wordings: "Memory cgroup out of memory: Killed process PID (comm) ..."
 * (Linux >= 4.19) and "Memory cgroup out of memory: Kill process PID (comm) score N or
 * sacrifice child" (older). When @victim > 0 only a kill of that PID matches; when
 * @memcg is not NULL only a kill whose "oom-kill:...,oom_memcg=PATH," line names a cgroup
 * path ending with @memcg matches (this finds the victim of a tool whose PIDs we do not
 * know). Returns 1 and fills @out when found, else 0.
 */
int iso_kmsg_find_oom(const char *text, pid_t victim, const char *memcg,
                      struct iso_oom_report *out);

/*
 * Copy into @out (@size bytes, NUL-terminated) the lines of @text that belong to OOM
 * reports: those containing "out of memory", "oom-kill", "oom_reaper", "Killed process",
 * "invoked oom-killer", "Memory cgroup stats", "memory: usage". For the artifact.
 * Returns the number of lines copied.
 */
size_t iso_kmsg_oom_lines(const char *text, char *out, size_t size);

/*
 * Like iso_kmsg_oom_lines, but only the OOM reports of one cgroup's kills, for a case's
 * artifact when other cases' OOMs may be logged in the same window (isocheck -j). The
 * kernel writes each report under its oom_lock as one run of lines, from "... invoked
 * oom-killer" to the kill line; a report is copied when any of its lines names @memcg (a
 * path tail, as in iso_kmsg_find_oom: "Memory cgroup stats for PATH", oom_memcg=,
 * task_memcg=) or one of the @n_pids @pids as the victim. Lines outside a report are
 * copied when they name one of @pids ("oom_reaper: reaped process PID") or say reports were
 * suppressed ("... callbacks suppressed", "[kmsg: N records lost]"), since those explain a
 * missing line. Returns the number of lines copied.
 */
size_t iso_kmsg_oom_lines_of(const char *text, const pid_t *pids, size_t n_pids, const char *memcg,
                             char *out, size_t size);

/*
 * Whether @text says OOM reports or kernel log records went missing in its window: the
 * printk rate limit of the OOM killer ("oom_kill_process: N callbacks suppressed", from
 * lib/ratelimit.c, printed once the 5 s interval after the suppression ends) or records
 * overwritten before they were read ("[kmsg: N records lost]", iso_kmsg_drain). Returns 1
 * and copies that line into @line (@size bytes), else 0.
 */
int iso_kmsg_oom_suppressed(const char *text, char *line, size_t size);

#endif
