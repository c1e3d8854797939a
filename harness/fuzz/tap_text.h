/* SPDX-License-Identifier: MIT */
/*
 * Reading TAP text back (harness/fuzz/tap_text.c), for fuzz_tap.c: the TAP 14 escapes the
 * TAP writer uses (report_tap.c) and YAML 1.2 double-quoted scalars (section 7.3.1).
 */
#ifndef ISOCHECK_FUZZ_TAP_TEXT_H
#define ISOCHECK_FUZZ_TAP_TEXT_H

#include <stddef.h>

#include "run_input.h"

/* One line of the stream, without its '\n' (not NUL-terminated). */
struct tap_line {
        const char *p;
        size_t n;
};

/* Print "fuzz_tap: @why: <the line>" to stderr and abort: the finding. */
void __attribute__((noreturn)) tap_bad(const char *why, struct tap_line l);

/* Does @l start with @prefix / is it exactly @s? */
int tap_starts(struct tap_line l, const char *prefix);
int tap_is_line(struct tap_line l, const char *s);

/* @l without its first @skip bytes (@skip <= l.n). */
struct tap_line tap_rest(struct tap_line l, size_t skip);

/* What a writer should show of the @n bytes at @s: the same code points, each ill-formed
 * part replaced by U+FFFD (runs kept as one by cps_push), appended to @c. */
void tap_cps_from_bytes(struct cps *c, const char *s, size_t n);

/* A description or SKIP reason in @l ('\' escapes '\', '#', \xHH, \uHHHH): decodes up to
 * the first unescaped '#' into @out; returns its offset (l.n when none). Aborts on a bad
 * escape. */
size_t tap_desc_decode(struct tap_line l, struct cps *out);

/* A YAML double-quoted scalar making up all of @l, decoded into @out; aborts otherwise. */
void tap_yaml_dq_decode(struct tap_line l, struct cps *out);

/* Abort with @what unless @got is the text of the @n bytes at @want. */
void tap_expect_text(const struct cps *got, const char *want, size_t n, const char *what,
                     struct tap_line l);

#endif
