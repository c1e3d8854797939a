// SPDX-License-Identifier: MIT
/*
 * The CSV evidence of the report page: memory.csv (usage over time up to an OOM kill) and
 * processes.csv (a process table seen inside a PID namespace and from the host). Both are
 * written by the cases (harness/runner*.c, cases/), read here at report time and turned
 * into the page's JSON; see evidence.h for the shapes.
 */
#include "evidence.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/text.h"
#include "isocheck/util.h"

#define MEMORY_HEADER "t_s,usage_bytes,limit_bytes,oom_kill"
#define PROCESSES_HEADER "view,pid,ppid,host_pid,cmd"

struct json_object *iso_evidence_string(const char *s, size_t n)
{
        char *buf = malloc(n * 3 + 1); /* U+FFFD is 3 bytes for each 1 it replaces */
        size_t o = 0;

        if (!buf)
                return NULL;
        for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t k = iso_utf8_next((const unsigned char *)s + i, n - i, &cp);

                if ((cp < 0x20 && cp != '\t') || cp == 0x7F)
                        cp = ISO_REPLACEMENT_CHAR;
                o += iso_utf8_put(cp, buf + o);
                i += k;
        }
        struct json_object *j = json_object_new_string_len(buf, (int)o);

        free(buf);
        return j;
}

static struct json_object *error_obj(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct json_object *error_obj(const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        struct json_object *o = json_object_new_object();

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (o)
                json_object_object_add(o, "error", iso_evidence_string(msg, strlen(msg)));
        return o;
}

/* The next line of @buf from *@pos without its CR LF / LF; NULL at the end. */
static char *next_line(char *buf, size_t len, size_t *pos)
{
        if (*pos >= len)
                return NULL;

        char *line = buf + *pos, *nl = memchr(line, '\n', len - *pos);
        size_t n = nl ? (size_t)(nl - line) : len - *pos;

        *pos += n + (nl ? 1 : 0);
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
                line[n - 1] = '\0';
        return line;
}

/* A whole field as a finite number; "" and "max" (cgroup v2's no limit) as 0 when @none_ok. */
static int number(const char *f, int none_ok, double *out)
{
        char *end;

        if (none_ok && (*f == '\0' || strcmp(f, "max") == 0)) {
                *out = 0;
                return 0;
        }
        errno = 0;
        *out = strtod(f, &end);
        return f[0] && *end == '\0' && errno == 0 && *out == *out ? 0 : -1;
}

/* Cut @line at its commas into at most @max fields (empty ones kept); the count, or max + 1
 * when there are more. */
static int split_fields(char *line, char **f, int max)
{
        int k = 0;

        for (char *p = line;; k++) {
                char *c = strchr(p, ',');

                if (k == max)
                        return max + 1;
                f[k] = p;
                if (!c)
                        return k + 1;
                *c = '\0';
                p = c + 1;
        }
}

struct sample {
        double t, usage, limit, oom;
};

/* A time in seconds to the microsecond: %.17g of every sample would double the page. */
static struct json_object *seconds(double t)
{
        char txt[32];

        snprintf(txt, sizeof(txt), "%.6f", t);
        return json_object_new_double_s(t, txt);
}

static struct json_object *memory_json(const struct sample *s, size_t n, const char *shown)
{
        size_t kill = n - 1;
        int by_counter = 0;
        double base = -1;

        /* The counter's first known value is the base; the kill is the first rise above it. */
        for (size_t i = 0; i < n; i++) {
                if (s[i].oom < 0)
                        continue;
                if (base < 0) {
                        base = s[i].oom;
                } else if (s[i].oom > base) {
                        kill = i;
                        by_counter = 1;
                        break;
                }
        }

        /* Thinned evenly when long; the kill and the last row always stay. */
        size_t step = (n + ISO_EVIDENCE_MAX_SAMPLES - 1) / ISO_EVIDENCE_MAX_SAMPLES;
        struct json_object *o = json_object_new_object(), *t = json_object_new_array(),
                           *u = json_object_new_array();
        long kept = 0, kill_at = -1;
        double limit = 0;

        if (!o || !t || !u) {
                json_object_put(o);
                json_object_put(t);
                json_object_put(u);
                return NULL;
        }
        for (size_t i = 0; i < n; i++) {
                if (i % step && i != kill && i != n - 1)
                        continue;
                if (i == kill)
                        kill_at = kept;
                json_object_array_add(t, seconds(s[i].t));
                json_object_array_add(u, json_object_new_int64((int64_t)s[i].usage));
                kept++;
        }
        json_object_object_add(o, "source", iso_evidence_string(shown, strlen(shown)));
        json_object_object_add(o, "t", t);
        json_object_object_add(o, "usage", u);
        /* The highest limit of the run: a case sets it once, before the hog starts. */
        for (size_t i = 0; i < n; i++)
                if (s[i].limit > limit)
                        limit = s[i].limit;
        json_object_object_add(o, "limit", json_object_new_int64((int64_t)limit));
        json_object_object_add(o, "kill", json_object_new_int64(kill_at));
        json_object_object_add(o, "by_counter", json_object_new_boolean(by_counter));
        json_object_object_add(o, "sampled_from", json_object_new_int64((int64_t)n));
        return o;
}

/* Values a sampler can have written: the page stores them as 64-bit integers. */
static int sane(const struct sample *x)
{
        const double most = 9.0e18; /* below INT64_MAX */

        return x->t >= -1e9 && x->t <= 1e9 && x->usage >= 0 && x->usage <= most && x->limit >= 0 &&
               x->limit <= most && x->oom >= -1 && x->oom <= most;
}

struct json_object *iso_evidence_memory_text(char *buf, size_t len, const char *shown)
{
        size_t pos = 0, n = 0, cap = 0, lineno = 1;
        struct sample *s = NULL;
        struct json_object *o = NULL;
        char *line;

        line = next_line(buf, len, &pos);
        if (!line || strcmp(line, MEMORY_HEADER) != 0) {
                o = error_obj("%s line 1: expected the header \"%s\", got \"%.60s\"", shown,
                              MEMORY_HEADER, line ? line : "(empty file)");
                goto out;
        }
        while ((line = next_line(buf, len, &pos))) {
                char *f[4], unknown[] = "-1";
                struct sample x;
                int k;

                lineno++;
                if (!*line)
                        continue;
                k = split_fields(line, f, 4);
                /* The sampler leaves a value it could not read empty: a row without usage
                 * draws no point; an empty counter is unknown (-1), never a rise. */
                if (k == 4 && *f[1] == '\0')
                        continue;
                if (k == 4 && *f[3] == '\0')
                        f[3] = unknown;
                if (k != 4 || number(f[0], 0, &x.t) || number(f[1], 0, &x.usage) ||
                    number(f[2], 1, &x.limit) || number(f[3], 0, &x.oom) || !sane(&x)) {
                        o = k != 4 ? error_obj("%s line %zu: expected 4 numbers (%s), got %d "
                                               "fields",
                                               shown, lineno, MEMORY_HEADER, k)
                                   : error_obj("%s line %zu: expected 4 numbers (%s): seconds, "
                                               "then bytes and a count from 0 to 9e18",
                                               shown, lineno, MEMORY_HEADER);
                        goto out;
                }
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 256;
                        struct sample *ns = realloc(s, ncap * sizeof(*s));

                        if (!ns)
                                goto out;
                        s = ns;
                        cap = ncap;
                }
                s[n++] = x;
        }
        o = n ? memory_json(s, n, shown) : error_obj("%s: a header but no sample", shown);
out:
        free(s);
        return o;
}

struct json_object *iso_evidence_memory(const char *path, const char *shown)
{
        struct iso_err e = {0};
        size_t len;
        char *buf = iso_read_file(path, &len, &e);

        if (!buf)
                return error_obj("memory.csv: %s", e.msg);

        struct json_object *o = iso_evidence_memory_text(buf, len, shown);

        free(buf);
        return o;
}

/* Split a processes.csv row into its 4 numbers-or-names and the command (the rest). */
static int split_process(char *line, char *f[5])
{
        char *p = line;

        for (int k = 0; k < 4; k++) {
                char *c = strchr(p, ',');

                if (!c)
                        return -1;
                *c = '\0';
                f[k] = p;
                p = c + 1;
        }
        /* A quoted command ("a, b" or with "" for a quote) loses its quotes. */
        if (*p == '"') {
                char *w = p, *r = p + 1;

                for (; *r; r++) {
                        if (*r == '"' && r[1] == '"')
                                r++;
                        else if (*r == '"')
                                break;
                        *w++ = *r;
                }
                *w = '\0';
        }
        f[4] = p;
        return 0;
}

struct json_object *iso_evidence_processes_text(char *buf, size_t len, const char *shown)
{
        size_t pos = 0, lineno = 1, n = 0;
        struct json_object *o = NULL, *rows;
        char *line;

        line = next_line(buf, len, &pos);
        if (!line || strcmp(line, PROCESSES_HEADER) != 0) {
                o = error_obj("%s line 1: expected the header \"%s\", got \"%.60s\"", shown,
                              PROCESSES_HEADER, line ? line : "(empty file)");
                goto out;
        }
        rows = json_object_new_array();
        if (!rows)
                goto out;
        while ((line = next_line(buf, len, &pos))) {
                char *f[5];

                lineno++;
                if (!*line)
                        continue;
                if (split_process(line, f) < 0 ||
                    (strcmp(f[0], "inside") != 0 && strcmp(f[0], "host") != 0)) {
                        json_object_put(rows);
                        o = error_obj("%s line %zu: expected view inside|host and 5 fields (%s)",
                                      shown, lineno, PROCESSES_HEADER);
                        goto out;
                }
                if (n++ >= ISO_EVIDENCE_MAX_PROCESSES)
                        continue;

                struct json_object *r = json_object_new_object();
                static const char *const keys[] = {"view", "pid", "ppid", "host_pid", "cmd"};

                for (int k = 0; r && k < 5; k++)
                        json_object_object_add(r, keys[k], iso_evidence_string(f[k], strlen(f[k])));
                json_object_array_add(rows, r);
        }
        o = json_object_new_object();
        if (!o) {
                json_object_put(rows);
                goto out;
        }
        json_object_object_add(o, "source", iso_evidence_string(shown, strlen(shown)));
        json_object_object_add(o, "rows", rows);
        json_object_object_add(o, "truncated",
                               json_object_new_boolean(n > ISO_EVIDENCE_MAX_PROCESSES));
out:
        return o;
}

struct json_object *iso_evidence_processes(const char *path, const char *shown)
{
        struct iso_err e = {0};
        size_t len;
        char *buf = iso_read_file(path, &len, &e);

        if (!buf)
                return error_obj("processes.csv: %s", e.msg);

        struct json_object *o = iso_evidence_processes_text(buf, len, shown);

        free(buf);
        return o;
}
