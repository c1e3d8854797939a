// SPDX-License-Identifier: MIT
/*
 * Strict UTF-8 (RFC 3629) for the report writers. Strings reaching a report come from
 * process names, kernel logs and hostnames, so nothing about them can be trusted; the
 * decoder never reads past @n and always advances, which keeps the writers' loops finite.
 */
#include "isocheck/text.h"

static int is_cont(unsigned char c)
{
        return (c & 0xC0) == 0x80;
}

size_t iso_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
        unsigned char b0, lo = 0x80, hi = 0xBF;
        size_t len, i;
        uint32_t v;

        *cp = ISO_REPLACEMENT_CHAR;
        if (n == 0)
                return 0; /* outside the contract; at least do not read */
        b0 = s[0];
        if (b0 < 0x80) {
                *cp = b0;
                return 1;
        }
        /*
         * The second byte's range is narrowed for the lead bytes whose full range would
         * admit overlong forms (E0, F0), surrogates (ED) or values above U+10FFFF (F4):
         * that is the table in RFC 3629 section 4, and it rejects all of them without
         * decoding first. C0, C1 and F5..FF never start a well-formed sequence.
         */
        if (b0 >= 0xC2 && b0 <= 0xDF) {
                len = 2;
                v = b0 & 0x1F;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                len = 3;
                v = b0 & 0x0F;
                if (b0 == 0xE0)
                        lo = 0xA0;
                else if (b0 == 0xED)
                        hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                len = 4;
                v = b0 & 0x07;
                if (b0 == 0xF0)
                        lo = 0x90;
                else if (b0 == 0xF4)
                        hi = 0x8F;
        } else {
                return 1;
        }
        if (n < len)
                return 1;
        if (s[1] < lo || s[1] > hi)
                return 1;
        for (i = 1; i < len; i++) {
                if (!is_cont(s[i]))
                        return 1;
                v = (v << 6) | (s[i] & 0x3F);
        }
        *cp = v;
        return len;
}

size_t iso_utf8_put(uint32_t cp, char out[4])
{
        /* A surrogate or out-of-range value would make the output ill-formed: replace it. */
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                cp = ISO_REPLACEMENT_CHAR;
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xC0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xE0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}
