/* SPDX-License-Identifier: MIT */
/*
 * The report page's evidence (issue 13): what a case's artifacts show, read in C at report
 * time and handed to the page as JSON (json-c objects), so the page draws without reading
 * any file itself.
 *
 * Each reader returns a new object the caller owns; a file that cannot be read or does not
 * have the expected shape gives an object {"error": "<what was expected, what was found,
 * which file and line>"} instead, so the page says why a picture is missing. NULL only when
 * out of memory.
 */
#ifndef ISOCHECK_MATRIX_EVIDENCE_H
#define ISOCHECK_MATRIX_EVIDENCE_H

#include <json-c/json.h>
#include <stddef.h>

/* Points kept of a memory.csv (more are thinned, the kill and the last sample kept). */
#define ISO_EVIDENCE_MAX_SAMPLES 500
/* Rows kept of a processes.csv, segments drawn of a capture. */
#define ISO_EVIDENCE_MAX_PROCESSES 600
#define ISO_EVIDENCE_MAX_SEGMENTS 60

/*
 * memory.csv of an OOM case, at @path (readable from the cwd); @shown is its link in the
 * page. Header "t_s,usage_bytes,limit_bytes,oom_kill", one sample a row: t_s in seconds
 * since the hog started, the cgroup's usage and limit in bytes (an empty or "max" limit is
 * none: 0), oom_kill the cgroup's counter; an empty usage drops its row, an empty counter
 * is unknown. Gives {"source", "t": [s], "usage": [bytes], "limit": bytes (the highest;
 * 0 none), "kill": index, "by_counter": bool, "sampled_from": rows}: the kill is the first
 * row whose counter is above its first known value (by_counter true), else the last row
 * (the process died without the counter rising: by_counter false).
 */
struct json_object *iso_evidence_memory(const char *path, const char *shown);

/*
 * processes.csv of a PID namespace or nsenter case. Header "view,pid,ppid,host_pid,cmd";
 * view is "inside" or "host", host_pid the same process's PID on the host (rows with equal
 * host_pid are one process), cmd the rest of the line (RFC 4180 quotes removed when it is
 * quoted). Gives {"source", "rows": [{"view", "pid", "ppid", "host_pid", "cmd"}],
 * "truncated": bool}.
 */
struct json_object *iso_evidence_processes(const char *path, const char *shown);

/*
 * The TCP exchange in the pcap at @path (libpcap, iso_capture_each), for a ladder diagram:
 * {"name", "path": @shown, "total": records, "endpoints": [client, server], "packets":
 * [{"t": s since the first segment, "from", "to", "label", "kind", "len"}], "truncated",
 * "connections": SYNs without ACK in the file}.
 * The client is the side that sent the first SYN (else the first segment's sender), each
 * endpoint "address:port". label: the flags ("SYN", "SYN-ACK", "ACK", "FIN-ACK", "RST")
 * or, with a payload, its first line ("GET / HTTP/1.1", "HTTP/1.0 200 OK"); kind:
 * "request", "response", "data" or "control". Only segments between the two endpoints of
 * the first connection are drawn; a capture with none gives "packets": [].
 */
struct json_object *iso_evidence_ladder(const char *path, const char *name, const char *shown);

/*
 * The same two readers on text in memory: @buf holds @len bytes and one more, a NUL at
 * @buf[len] (as iso_read_file leaves it); it is cut into lines in place.
 */
struct json_object *iso_evidence_memory_text(char *buf, size_t len, const char *shown);
struct json_object *iso_evidence_processes_text(char *buf, size_t len, const char *shown);

/* @s (@n bytes) as a JSON string, invalid UTF-8 and C0 controls but tab as U+FFFD. */
struct json_object *iso_evidence_string(const char *s, size_t n);

#endif
