/* SPDX-License-Identifier: MIT */
/* UTF-8 decoding shared by the report writers. */
#ifndef ISOCHECK_TEXT_H
#define ISOCHECK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define ISO_REPLACEMENT_CHAR 0xFFFDu

/*
 * Decode one code point from the @n bytes at @s (n >= 1) into *cp. Returns the number of
 * bytes used (1..4). Anything that is not well-formed UTF-8 (RFC 3629: stray continuation
 * bytes, overlong forms, surrogates, values above U+10FFFF, a truncated sequence) yields
 * U+FFFD and consumes one byte, so decoding always advances.
 */
size_t iso_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Encode @cp as UTF-8 into @out (4 bytes room). Returns the byte count (1..4). */
size_t iso_utf8_put(uint32_t cp, char out[4]);

#endif
