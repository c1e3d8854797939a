/* SPDX-License-Identifier: MIT */
/*
 * What the two report-writer fuzz targets (fuzz_tap.c, fuzz_junit.c) share: consuming the
 * fuzz bytes, building results from them (normal and probe mode), and strict UTF-8 into
 * code point strings for comparing what a writer wrote with what it was given.
 */
#ifndef ISOCHECK_FUZZ_RUN_INPUT_H
#define ISOCHECK_FUZZ_RUN_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "isocheck/report.h"

#define REPLACEMENT 0xFFFDu

/* ---- the fuzz bytes, consumed front to back; 0 once they run out ------------------ */

struct input {
        const uint8_t *p;
        size_t n;
};

/* Probe mode: one code point per kind of field, U+00DF everywhere else. */
enum {
        P_FILE = 0xC0,
        P_WHAT,
        P_EXPECTED,
        P_GOT,
        P_MESSAGE,
        P_WHERE,
        P_ART0,
        P_ART1,
        P_JUNK = 0xDF
};

/*
 * Code points, with runs of U+FFFD kept as one: how many replacement characters an
 * ill-formed sequence becomes is the writer's choice, that it becomes them is not.
 */
struct cps {
        uint32_t *v;
        size_t n, cap;
};

unsigned int take_byte(struct input *in);
uint32_t take_u32(struct input *in);
size_t take_len(struct input *in, size_t max);
void take_bytes(struct input *in, char *dst, size_t len);
void take_field(struct input *in, char *dst, size_t size);
char *take_str(struct input *in, size_t max);
void fill_normal(struct input *in, struct iso_result *r);
size_t probe_cap(uint32_t cp);
void probe_fill(struct input *in, char *dst, size_t size, uint32_t cp);
char *ascii_only(char *s);
void fill_probe(struct input *in, struct iso_result *r);
size_t u8_decode(const unsigned char *s, size_t n, uint32_t *cp);
void cps_push(struct cps *c, uint32_t cp);

#endif
