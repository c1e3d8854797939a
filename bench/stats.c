// SPDX-License-Identifier: MIT
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

int iso_stats_of(const double *v, size_t n, struct iso_stats *out)
{
        *out = (struct iso_stats){0, NAN, NAN, NAN};
        if (n == 0)
                return -1;
        double *s = malloc(n * sizeof(*s));
        if (!s)
                return -1;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (!isnan(v[i]))
                        s[k++] = v[i];
        if (k == 0) {
                free(s);
                return -1;
        }
        qsort(s, k, sizeof(*s), cmp_double);
        out->n = k;
        out->min = s[0];
        out->max = s[k - 1];
        out->median = k % 2 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
        free(s);
        return 0;
}

/* --- JSON ----------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at @p (1-4), or 0 when it is not one (RFC 3629). */
static size_t utf8_len(const unsigned char *p)
{
        if (p[0] < 0x80)
                return 1;
        size_t n;
        uint32_t cp;
        if ((p[0] & 0xe0) == 0xc0) {
                n = 2;
                cp = p[0] & 0x1f;
        } else if ((p[0] & 0xf0) == 0xe0) {
                n = 3;
                cp = p[0] & 0x0f;
        } else if ((p[0] & 0xf8) == 0xf0) {
                n = 4;
                cp = p[0] & 0x07;
        } else {
                return 0;
        }
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid. */
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

int iso_json_put_string(FILE *out, const char *s)
{
        if (fputc('"', out) == EOF)
                return -1;
        const unsigned char *p = (const unsigned char *)s;
        while (*p) {
                size_t n = utf8_len(p);
                int rc;
                if (n == 0) {
                        rc = fputs("\\ufffd", out);
                        n = 1;
                } else if (*p == '"' || *p == '\\') {
                        rc = fprintf(out, "\\%c", *p);
                } else if (*p < 0x20 || *p == 0x7f) {
                        rc = fprintf(out, "\\u%04x", *p);
                } else {
                        rc = fwrite(p, 1, n, out) == n ? 0 : EOF;
                }
                if (rc < 0)
                        return -1;
                p += n;
        }
        return fputc('"', out) == EOF ? -1 : 0;
}

void iso_json_init(struct iso_json *j, FILE *out, int pretty)
{
        memset(j, 0, sizeof(*j));
        j->out = out;
        j->pretty = pretty;
}

/* The separator, indentation and key before a new value at the current level. */
static void member(struct iso_json *j, const char *key)
{
        if (j->error)
                return;
        if (j->depth > 0) {
                if (j->n_items[j->depth - 1] && fputc(',', j->out) == EOF)
                        j->error = 1;
                if (j->n_items[j->depth - 1] < 255)
                        j->n_items[j->depth - 1]++;
                if (j->pretty && fprintf(j->out, "\n%*s", 2 * j->depth, "") < 0)
                        j->error = 1;
        }
        if (key &&
            (iso_json_put_string(j->out, key) < 0 || fputs(j->pretty ? ": " : ":", j->out) == EOF))
                j->error = 1;
}

static void open_level(struct iso_json *j, const char *key, char c)
{
        member(j, key);
        if (j->error)
                return;
        if (j->depth >= ISO_JSON_MAX_DEPTH) {
                j->error = 1;
                return;
        }
        if (fputc(c, j->out) == EOF)
                j->error = 1;
        j->closer[j->depth] = c == '{' ? '}' : ']';
        j->n_items[j->depth++] = 0;
}

void iso_json_object(struct iso_json *j, const char *key)
{
        open_level(j, key, '{');
}

void iso_json_array(struct iso_json *j, const char *key)
{
        open_level(j, key, '[');
}

void iso_json_end(struct iso_json *j)
{
        if (j->error)
                return;
        if (j->depth == 0) {
                j->error = 1;
                return;
        }
        j->depth--;
        if (j->pretty && j->n_items[j->depth] && fprintf(j->out, "\n%*s", 2 * j->depth, "") < 0)
                j->error = 1;
        if (fputc(j->closer[j->depth], j->out) == EOF)
                j->error = 1;
}

void iso_json_str(struct iso_json *j, const char *key, const char *s)
{
        if (!s) {
                iso_json_null(j, key);
                return;
        }
        member(j, key);
        if (!j->error && iso_json_put_string(j->out, s) < 0)
                j->error = 1;
}

void iso_json_num(struct iso_json *j, const char *key, double v)
{
        if (!isfinite(v)) {
                iso_json_null(j, key);
                return;
        }
        member(j, key);
        if (!j->error && fprintf(j->out, "%.9g", v) < 0)
                j->error = 1;
}

void iso_json_int(struct iso_json *j, const char *key, long long v)
{
        member(j, key);
        if (!j->error && fprintf(j->out, "%lld", v) < 0)
                j->error = 1;
}

void iso_json_bool(struct iso_json *j, const char *key, int v)
{
        member(j, key);
        if (!j->error && fputs(v ? "true" : "false", j->out) == EOF)
                j->error = 1;
}

void iso_json_null(struct iso_json *j, const char *key)
{
        member(j, key);
        if (!j->error && fputs("null", j->out) == EOF)
                j->error = 1;
}

void iso_json_stats(struct iso_json *j, const char *key, const struct iso_stats *s, double scale)
{
        iso_json_object(j, key);
        iso_json_int(j, "n", (long long)s->n);
        iso_json_num(j, "median", s->median * scale);
        iso_json_num(j, "min", s->min * scale);
        iso_json_num(j, "max", s->max * scale);
        iso_json_end(j);
}

int iso_json_finish(struct iso_json *j)
{
        if (!j->error && fputc('\n', j->out) == EOF)
                j->error = 1;
        if (j->depth != 0)
                j->error = 1;
        return j->error ? -1 : 0;
}

/* --- JUnit ---------------------------------------------------------------------------- */

const char *iso_bench_verdict_name(enum iso_bench_verdict v)
{
        static const char *const names[] = {"pass", "fail", "skip", "error"};
        return (unsigned)v < 4 ? names[v] : "?";
}

/*
 * Copy attribute @attr of the start tag [@tag, @end) into @out (@size bytes), decoding the
 * five predefined XML entities and numeric references below 128 (isocheck's writer emits
 * no others in names). Returns 0, or -1 when the attribute is absent.
 */
static int xml_attr(const char *tag, const char *end, const char *attr, char *out, size_t size)
{
        size_t alen = strlen(attr);
        const char *p = tag;
        for (;;) {
                p = memmem(p, (size_t)(end - p), attr, alen);
                if (!p)
                        return -1;
                /* A whole attribute name: after white space and followed by ="; so that
                 * "name" does not match inside "classname". */
                if (p > tag && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') &&
                    p + alen + 1 < end && p[alen] == '=' &&
                    (p[alen + 1] == '"' || p[alen + 1] == '\''))
                        break;
                p += alen;
        }
        char quote = p[alen + 1];
        const char *v = p + alen + 2;
        const char *close = memchr(v, quote, (size_t)(end - v));
        if (!close)
                return -1;
        static const struct {
                const char *ent;
                char c;
        } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        size_t k = 0;
        while (v < close && k + 1 < size) {
                char c = *v++;
                if (c == '&') {
                        size_t i;
                        for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
                                size_t el = strlen(ents[i].ent) - 1;
                                if ((size_t)(close - v) >= el && !memcmp(v, ents[i].ent + 1, el)) {
                                        c = ents[i].c;
                                        v += el;
                                        break;
                                }
                        }
                        unsigned code;
                        int used;
                        if (i == sizeof(ents) / sizeof(ents[0]) &&
                            sscanf(v, "#%u;%n", &code, &used) == 1 && code > 0 && code < 128 &&
                            v + used <= close) {
                                c = (char)code;
                                v += used;
                        }
                }
                out[k++] = c;
        }
        out[k] = '\0';
        return 0;
}

long iso_bench_junit_cases(const char *xml, struct iso_bench_case *out, size_t max)
{
        long count = 0;
        const char *p = xml;
        while ((p = strstr(p, "<testcase")) != NULL) {
                const char *tag = p + strlen("<testcase");
                if (*tag != ' ' && *tag != '\t' && *tag != '\n' && *tag != '>' && *tag != '/') {
                        p = tag; /* <testcases...> or another element that starts alike */
                        continue;
                }
                const char *end = strchr(tag, '>');
                if (!end)
                        return -1;
                char cls[96], name[96], time[32];
                if (xml_attr(tag, end, "name", name, sizeof(name)) < 0 ||
                    xml_attr(tag, end, "time", time, sizeof(time)) < 0)
                        return -1;
                if (xml_attr(tag, end, "classname", cls, sizeof(cls)) < 0)
                        cls[0] = '\0';
                char *num_end;
                double t = strtod(time, &num_end);
                if (num_end == time || *num_end != '\0' || !(t >= 0))
                        return -1;
                enum iso_bench_verdict v = ISO_BV_PASS;
                const char *body_end = end;
                if (end[-1] != '/') { /* not an empty element: look at its children */
                        body_end = strstr(end, "</testcase>");
                        if (!body_end)
                                return -1;
                        size_t blen = (size_t)(body_end - end);
                        /* Element names only: the writer escapes '<' in every text node. */
                        if (memmem(end, blen, "<failure", 8))
                                v = ISO_BV_FAIL;
                        else if (memmem(end, blen, "<error", 6))
                                v = ISO_BV_ERROR;
                        else if (memmem(end, blen, "<skipped", 8))
                                v = ISO_BV_SKIP;
                }
                if ((size_t)count < max) {
                        struct iso_bench_case *c = &out[count];
                        snprintf(c->name, sizeof(c->name), "%s%s%s", cls, *cls ? "." : "", name);
                        c->time_s = t;
                        c->verdict = v;
                }
                count++;
                p = body_end;
        }
        return count;
}
