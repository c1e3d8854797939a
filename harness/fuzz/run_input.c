// SPDX-License-Identifier: MIT
/* Shared by the report-writer fuzz targets: see run_input.h. */
#include "run_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

unsigned int take_byte(struct input *in)
{
        if (!in->n)
                return 0;
        in->n--;
        return *in->p++;
}

uint32_t take_u32(struct input *in)
{
        uint32_t v = 0;

        for (int i = 0; i < 4; i++)
                v = v << 8 | take_byte(in);
        return v;
}

/* A length up to @max: short, near @max, or exactly @max, each reachable from one byte. */
size_t take_len(struct input *in, size_t max)
{
        unsigned int b = take_byte(in);

        if (b == 0xFF)
                return max;
        if (b & 0x80)
                return (b & 0x7F) >= max ? 0 : max - (b & 0x7F);
        return b > max ? max : b;
}

/* @len bytes into @dst, cycling a pattern of up to 255 bytes taken from the input. */
void take_bytes(struct input *in, char *dst, size_t len)
{
        size_t k = take_byte(in);

        if (k > in->n)
                k = in->n;
        for (size_t i = 0; i < len; i++)
                dst[i] = k ? (char)in->p[i % k] : 'x';
        in->p += k;
        in->n -= k;
}

/*
 * A fixed-size field: all @size bytes used (no NUL) or a shorter string; what follows its
 * NUL is 0xFF, which a reader that went past the NUL would show as U+FFFD.
 */
void take_field(struct input *in, char *dst, size_t size)
{
        size_t len = take_len(in, size);

        take_bytes(in, dst, len);
        if (len < size) {
                dst[len] = '\0';
                memset(dst + len + 1, 0xFF, size - len - 1);
        }
}

/* A heap string of exactly its length (or NULL): ASan sees any read past its NUL. */
char *take_str(struct input *in, size_t max)
{
        unsigned int b = take_byte(in);
        size_t len;
        char *s;

        if (b == 0)
                return NULL;
        len = take_len(in, 255) * (b & 0x80 ? 16 : 1);
        if (len > max)
                len = max;
        s = malloc(len + 1);
        if (!s)
                abort();
        take_bytes(in, s, len);
        s[len] = '\0';
        return s;
}

/* ---- building results ----------------------------------------------------------- */

/*
 * Where and when the case ran, as iso_result_locate() sets them (runner_locate.c): a heap
 * file name (ASCII, as ISO_CASE's __FILE__ is) or NULL, its line, and "" or a UTC ISO 8601
 * stamp. From the input rather than the clock, so an input replays the same way.
 */
static void take_origin(struct input *in, struct iso_result *r)
{
        unsigned int b = take_byte(in);
        time_t t = (time_t)take_u32(in);
        struct tm tm;

        r->file = b & 1 ? ascii_only(take_str(in, 200)) : NULL;
        r->line = b & 2 ? (int)take_u32(in) : (int)(b >> 2);
        r->started[0] = '\0';
        if (b & 4 && gmtime_r(&t, &tm))
                strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void fill_normal(struct input *in, struct iso_result *r)
{
        unsigned int b;

        r->name = take_str(in, 200);
        b = take_byte(in);
        r->verdict = (b & 7) < 4 ? (enum iso_verdict)(b & 7) : (enum iso_verdict)(int8_t)b;
        take_field(in, r->message, sizeof(r->message));
        take_field(in, r->where, sizeof(r->where));
        b = take_byte(in);
        if (b & 1) {
                uint64_t bits = (uint64_t)take_u32(in) << 32 | take_u32(in);

                memcpy(&r->duration_s, &bits, sizeof(bits));
        } else {
                r->duration_s = b / 7.0;
        }
        b = take_byte(in);
        r->n_checks = b == 0xFF ? SIZE_MAX : b % (ISO_MAX_CHECKS + 3);
        for (size_t i = 0; i < r->n_checks && i < ISO_MAX_CHECKS; i++) {
                struct iso_check_rec *c = &r->checks[i];

                b = take_byte(in);
                c->ok = b & 1 ? (int)(b >> 1) : 0;
                c->skipped = b & 2 ? (int)b : 0;
                c->line = (int)take_u32(in);
                take_field(in, c->file, sizeof(c->file));
                take_field(in, c->what, sizeof(c->what));
                take_field(in, c->expected, sizeof(c->expected));
                take_field(in, c->got, sizeof(c->got));
        }
        b = take_byte(in);
        r->n_artifacts = b == 0xFF ? SIZE_MAX : b % (ISO_MAX_ARTIFACTS + 3);
        for (size_t i = 0; i < r->n_artifacts && i < ISO_MAX_ARTIFACTS; i++)
                take_field(in, r->artifacts[i], sizeof(r->artifacts[i]));
        r->log = take_str(in, 4096);
        take_origin(in, r);
}

size_t probe_cap(uint32_t cp)
{
        static const size_t caps[] = {
                sizeof(((struct iso_check_rec *)0)->file),
                sizeof(((struct iso_check_rec *)0)->what),
                sizeof(((struct iso_check_rec *)0)->expected),
                sizeof(((struct iso_check_rec *)0)->got),
                sizeof(((struct iso_result *)0)->message),
                sizeof(((struct iso_result *)0)->where),
                sizeof(((struct iso_result *)0)->artifacts[0]),
                sizeof(((struct iso_result *)0)->artifacts[0]),
        };

        return caps[cp - P_FILE] / 2; /* two bytes per code point */
}

/* Two-byte UTF-8 of @cp (U+0080..U+07FF) over @size bytes, or a shorter string. */
void probe_fill(struct input *in, char *dst, size_t size, uint32_t cp)
{
        size_t len = take_len(in, size) & ~(size_t)1;

        for (size_t i = 0; i + 1 < len; i += 2) {
                dst[i] = (char)(0xC0 | cp >> 6);
                dst[i + 1] = (char)(0x80 | (cp & 0x3F));
        }
        if (len < size)
                dst[len] = '\0';
}

/* Probe mode: strings outside the result stay ASCII, so no probe code point comes from them. */
char *ascii_only(char *s)
{
        for (char *p = s; p && *p; p++)
                if ((unsigned char)*p >= 0x80)
                        *p = '?';
        return s;
}

void fill_probe(struct input *in, struct iso_result *r)
{
        static const char names[][24] = {"probe.case.one", "probe", "probe.two", ".a.b."};
        unsigned int b;

        for (size_t i = 0; i + 1 < sizeof(*r); i += 2) {
                ((char *)r)[i] = (char)(0xC0 | P_JUNK >> 6);
                ((char *)r)[i + 1] = (char)(0x80 | (P_JUNK & 0x3F));
        }
        r->name = strdup(names[take_byte(in) % 4]);
        r->summary = NULL;
        r->log = take_byte(in) & 1 ? strdup("a log line\nanother\n") : NULL;
        b = take_byte(in);
        if (b < 0xC0) /* else: the junk bytes, an out-of-range verdict */
                r->verdict = (enum iso_verdict)(b & 3);
        b = take_byte(in);
        if (b < 0xC0) /* else: 0xC39FC39F..., clamped to ISO_MAX_CHECKS */
                r->n_checks = b % (ISO_MAX_CHECKS + 1);
        probe_fill(in, r->message, sizeof(r->message), P_MESSAGE);
        probe_fill(in, r->where, sizeof(r->where), P_WHERE);
        for (size_t i = 0; i < r->n_checks && i < ISO_MAX_CHECKS; i++) {
                struct iso_check_rec *c = &r->checks[i];

                /* Left as junk, ok and skipped are non-zero: ok, and skipped. */
                b = take_byte(in);
                if (b & 1)
                        c->ok = 0;
                if (b & 2)
                        c->skipped = 0;
                probe_fill(in, c->file, sizeof(c->file), P_FILE);
                probe_fill(in, c->what, sizeof(c->what), P_WHAT);
                probe_fill(in, c->expected, sizeof(c->expected), P_EXPECTED);
                probe_fill(in, c->got, sizeof(c->got), P_GOT);
        }
        b = take_byte(in);
        if (b < 0xC0)
                r->n_artifacts = b % (ISO_MAX_ARTIFACTS + 1);
        for (size_t i = 0; i < r->n_artifacts && i < ISO_MAX_ARTIFACTS; i++)
                probe_fill(in, r->artifacts[i], sizeof(r->artifacts[i]), i % 2 ? P_ART1 : P_ART0);
        /* Not left as junk: the runner always sets them (a pointer, a NUL-ended stamp). */
        take_origin(in, r);
}

/* ---- strict UTF-8 and code point strings ------------------------------------------ */

/* One well-formed UTF-8 sequence at @s (RFC 3629): its length, or 0 when ill-formed. */
size_t u8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
        size_t len;
        uint32_t v, min;

        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        if ((s[0] & 0xE0) == 0xC0) {
                len = 2, v = s[0] & 0x1F, min = 0x80;
        } else if ((s[0] & 0xF0) == 0xE0) {
                len = 3, v = s[0] & 0x0F, min = 0x800;
        } else if ((s[0] & 0xF8) == 0xF0) {
                len = 4, v = s[0] & 0x07, min = 0x10000;
        } else {
                return 0;
        }
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                v = v << 6 | (s[i] & 0x3F);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                return 0;
        *cp = v;
        return len;
}

void cps_push(struct cps *c, uint32_t cp)
{
        if (cp == REPLACEMENT && c->n && c->v[c->n - 1] == REPLACEMENT)
                return;
        if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 64;
                c->v = realloc(c->v, c->cap * sizeof(*c->v));
                if (!c->v)
                        abort();
        }
        c->v[c->n++] = cp;
}
