// SPDX-License-Identifier: MIT
/*
 * Reading TAP text back for the TAP writer's fuzz target (fuzz_tap.c): lines, the
 * description escapes ('\', '#', \xHH, \uHHHH) and YAML double-quoted scalars decoded into
 * code points, compared with what the case recorded. Cut from fuzz_tap.c, which keeps the
 * stream's structure (plan, points, subtests, YAML blocks). Any mismatch aborts (tap_bad):
 * that is how a fuzz target reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap_text.h"

/* What a writer should show of the @n bytes at @s: the same, ill-formed parts replaced. */
void tap_cps_from_bytes(struct cps *c, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t k = u8_decode(p + i, n - i, &cp);

                cps_push(c, k ? cp : REPLACEMENT);
                i += k ? k : 1;
        }
}

static int tap_cps_equal(const struct cps *a, const struct cps *b)
{
        return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

void __attribute__((noreturn)) tap_bad(const char *why, struct tap_line l)
{
        fprintf(stderr, "fuzz_tap: %s: \"%.*s\"\n", why, (int)(l.n > 400 ? 400 : l.n), l.p);
        abort();
}

int tap_starts(struct tap_line l, const char *prefix)
{
        size_t n = strlen(prefix);

        return l.n >= n && !memcmp(l.p, prefix, n);
}

int tap_is_line(struct tap_line l, const char *s)
{
        return l.n == strlen(s) && !memcmp(l.p, s, l.n);
}

struct tap_line tap_rest(struct tap_line l, size_t skip)
{
        struct tap_line r = {l.p + skip, l.n - skip};

        return r;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* \xHH or \uHHHH at @p (after the backslash): the code point, the bytes used in *@used. */
static int hex_escape(struct tap_line l, size_t i, uint32_t *cp, size_t *used)
{
        size_t digits = l.p[i] == 'x' ? 2 : 4;
        uint32_t v = 0;

        if (i + digits >= l.n)
                return -1;
        for (size_t k = 1; k <= digits; k++) {
                int h = hexval(l.p[i + k]);

                if (h < 0)
                        return -1;
                v = v << 4 | (uint32_t)h;
        }
        *cp = v;
        *used = digits + 1;
        return 0;
}

/*
 * A description (or SKIP reason) in @l: '\' escapes only '\', '#', and \xHH / \uHHHH.
 * Decodes up to the first unescaped '#' into @out and returns its offset (l.n if none).
 */
size_t tap_desc_decode(struct tap_line l, struct cps *out)
{
        size_t i = 0;

        while (i < l.n) {
                uint32_t cp;
                size_t k;

                if (l.p[i] == '#')
                        return i;
                if (l.p[i] == '\\') {
                        if (i + 1 >= l.n)
                                tap_bad("lone '\\' ends a description", l);
                        if (l.p[i + 1] == '\\' || l.p[i + 1] == '#') {
                                cps_push(out, (unsigned char)l.p[i + 1]);
                                i += 2;
                                continue;
                        }
                        if ((l.p[i + 1] != 'x' && l.p[i + 1] != 'u') ||
                            hex_escape(l, i + 1, &cp, &k))
                                tap_bad("unknown escape in a description", l);
                        cps_push(out, cp);
                        i += 1 + k;
                        continue;
                }
                k = u8_decode((const unsigned char *)l.p + i, l.n - i, &cp);
                cps_push(out, cp);
                i += k;
        }
        return l.n;
}

/* A YAML double-quoted scalar making up all of @l, decoded into @out. */
void tap_yaml_dq_decode(struct tap_line l, struct cps *out)
{
        size_t i = 1;

        if (l.n < 2 || l.p[0] != '"')
                tap_bad("YAML value is not a double-quoted scalar", l);
        while (i < l.n) {
                uint32_t cp;
                size_t k;
                char c = l.p[i];

                if (c == '"') {
                        if (i != l.n - 1)
                                tap_bad("text after a YAML scalar's closing quote", l);
                        return;
                }
                if (c == '\\') {
                        char e = i + 1 < l.n ? l.p[i + 1] : '\0';

                        if (e == '"' || e == '\\') {
                                cps_push(out, (unsigned char)e);
                        } else if (e == 'n' || e == 't' || e == 'r') {
                                cps_push(out, e == 'n' ? '\n' : e == 't' ? '\t' : '\r');
                        } else if (e == 'x' || e == 'u') {
                                if (hex_escape(l, i + 1, &cp, &k))
                                        tap_bad("bad \\x or \\u escape in YAML", l);
                                cps_push(out, cp);
                                i += 1 + k;
                                continue;
                        } else {
                                tap_bad("unknown escape in a YAML scalar", l);
                        }
                        i += 2;
                        continue;
                }
                k = u8_decode((const unsigned char *)l.p + i, l.n - i, &cp);
                cps_push(out, cp);
                i += k;
        }
        tap_bad("YAML scalar without its closing quote", l);
}

/* The decoded text of @l against @n bytes at @want (a field, bounded by its size). */
void tap_expect_text(const struct cps *got, const char *want, size_t n, const char *what,
                     struct tap_line l)
{
        struct cps w = {0};
        int same;

        tap_cps_from_bytes(&w, want, n);
        same = tap_cps_equal(got, &w);
        free(w.v);
        if (!same)
                tap_bad(what, l);
}
