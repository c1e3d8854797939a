// SPDX-License-Identifier: MIT
#include "stats.h"

#include <json.h>

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

/* @s with every byte that does not start valid UTF-8 replaced by U+FFFD (heap, or NULL). */
static char *valid_utf8(const char *s)
{
        char *out = malloc(strlen(s) * 3 + 1);
        if (!out)
                return NULL;
        char *w = out;
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t n = utf8_len(p);
                if (n == 0) {
                        memcpy(w, "\xef\xbf\xbd", 3);
                        w += 3;
                        p++;
                        continue;
                }
                memcpy(w, p, n);
                w += n;
                p += n;
        }
        *w = '\0';
        return out;
}

void iso_json_init(struct iso_json *j, FILE *out, int pretty)
{
        memset(j, 0, sizeof(*j));
        j->out = out;
        j->pretty = pretty;
}

/*
 * Hang @v (a new reference, or NULL for null) under @key in the innermost open object, at
 * the end of the innermost open array, or make it the document. On misuse (a key missing
 * in an object, a second document) the value is dropped and the writer remembers the error.
 */
static void add(struct iso_json *j, const char *key, struct json_object *v)
{
        if (j->error) {
                json_object_put(v);
                return;
        }
        if (j->depth == 0) {
                if (j->root || !v) {
                        j->error = 1;
                        json_object_put(v);
                } else {
                        j->root = json_object_get(v);
                        json_object_put(v);
                }
                return;
        }
        struct json_object *parent = j->stack[j->depth - 1];
        int rc;
        if (json_object_is_type(parent, json_type_array)) {
                rc = json_object_array_add(parent, v);
        } else if (key) {
                char *k = valid_utf8(key);
                rc = k ? json_object_object_add(parent, k, v) : -1;
                free(k);
        } else {
                rc = -1;
        }
        if (rc < 0) {
                j->error = 1;
                json_object_put(v);
        }
}

static void open_level(struct iso_json *j, const char *key, struct json_object *o)
{
        if (!o || j->depth >= ISO_JSON_MAX_DEPTH) {
                j->error = 1;
                json_object_put(o);
                return;
        }
        add(j, key, json_object_get(o)); /* the parent's reference */
        if (j->error) {
                json_object_put(o);
                return;
        }
        j->stack[j->depth++] = o; /* ours, until iso_json_end */
}

void iso_json_object(struct iso_json *j, const char *key)
{
        open_level(j, key, json_object_new_object());
}

void iso_json_array(struct iso_json *j, const char *key)
{
        open_level(j, key, json_object_new_array());
}

void iso_json_end(struct iso_json *j)
{
        if (j->depth == 0) {
                j->error = 1;
                return;
        }
        json_object_put(j->stack[--j->depth]);
}

void iso_json_str(struct iso_json *j, const char *key, const char *s)
{
        if (!s) {
                iso_json_null(j, key);
                return;
        }
        char *v = valid_utf8(s);
        struct json_object *o = v ? json_object_new_string(v) : NULL;
        free(v);
        if (!o)
                j->error = 1;
        add(j, key, o);
}

void iso_json_num(struct iso_json *j, const char *key, double v)
{
        if (!isfinite(v)) {
                iso_json_null(j, key);
                return;
        }
        /* Written as %.9g, as many digits as a timing has meaning, not json-c's %.17g. */
        char text[32];
        snprintf(text, sizeof(text), "%.9g", v);
        struct json_object *o = json_object_new_double_s(v, text);
        if (!o)
                j->error = 1;
        add(j, key, o);
}

void iso_json_int(struct iso_json *j, const char *key, long long v)
{
        struct json_object *o = json_object_new_int64(v);
        if (!o)
                j->error = 1;
        add(j, key, o);
}

void iso_json_bool(struct iso_json *j, const char *key, int v)
{
        struct json_object *o = json_object_new_boolean(v);
        if (!o)
                j->error = 1;
        add(j, key, o);
}

void iso_json_null(struct iso_json *j, const char *key)
{
        if (j->depth == 0) { /* a document of null alone: not what the bench writes */
                j->error = 1;
                return;
        }
        add(j, key, NULL);
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
        while (j->depth > 0) {
                j->error = 1;
                json_object_put(j->stack[--j->depth]);
        }
        if (!j->root)
                j->error = 1;
        if (!j->error) {
                int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                            (j->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                       : JSON_C_TO_STRING_PLAIN);
                const char *text = json_object_to_json_string_ext(j->root, flags);
                if (!text || fputs(text, j->out) == EOF || fputc('\n', j->out) == EOF)
                        j->error = 1;
        }
        json_object_put(j->root);
        j->root = NULL;
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
