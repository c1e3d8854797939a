// SPDX-License-Identifier: MIT
/*
 * Strings from a report, made safe to show: a test name, a host name or a kernel log line
 * may hold terminal escapes (ESC, or the one-byte CSI U+009B), invalid UTF-8 or Markdown
 * markup. Nothing read from a report reaches a terminal or a Markdown renderer as control.
 */
#include <stdint.h>
#include <string.h>

#include "isocheck/text.h"
#include "matrix.h"

/* What @cp becomes: its text into @buf (NUL-terminated); returns its width in columns. */
static size_t render(uint32_t cp, int md, int nl, char buf[16])
{
        if (cp == '\n' && nl) {
                strcpy(buf, "\n");
                return 0;
        }
        if (cp == '\n') {
                strcpy(buf, "\\n");
                return 2;
        }
        if (cp == '\t') {
                strcpy(buf, md ? " " : "\\t");
                return strlen(buf);
        }
        if (cp < 0x20 || cp == 0x7F) {
                snprintf(buf, 16, "\\x%02x", (unsigned int)cp);
                return 4;
        }
        if (cp >= 0x80 && cp <= 0x9F) {
                snprintf(buf, 16, "\\u{%02x}", (unsigned int)cp);
                return 6;
        }
        if (md) {
                switch (cp) {
                case '<':
                        strcpy(buf, "&lt;");
                        return 1;
                case '>':
                        strcpy(buf, "&gt;");
                        return 1;
                case '&':
                        strcpy(buf, "&amp;");
                        return 1;
                case '|':
                case '*':
                case '_':
                case '`':
                case '[':
                case ']':
                case '\\':
                case '#':
                case '~':
                        buf[0] = '\\';
                        buf[1] = (char)cp;
                        buf[2] = '\0';
                        return 1;
                }
        }
        size_t n = iso_utf8_put(cp, buf);

        buf[n] = '\0';
        return 1;
}

long iso_matrix_put_safe(FILE *f, const char *s, size_t max, int md, int nl)
{
        const unsigned char *p = (const unsigned char *)(s ? s : "");
        size_t len = strlen((const char *)p), i = 0, shown = 0;
        long cols = 0;

        while (i < len) {
                uint32_t cp;
                size_t k = iso_utf8_next(p + i, len - i, &cp);
                char buf[16];

                if (max && shown == max) {
                        size_t more = 0;

                        for (size_t j = i; j < len; more++)
                                j += iso_utf8_next(p + j, len - j, &cp);
                        if (fprintf(f, "… [%zu more]", more) < 0)
                                return -1;
                        return cols + 1;
                }
                cols += (long)render(cp, md, nl, buf);
                if (fputs(buf, f) == EOF)
                        return -1;
                shown++;
                i += k;
        }
        return cols;
}

size_t iso_matrix_safe_width(const char *s)
{
        const unsigned char *p = (const unsigned char *)(s ? s : "");
        size_t len = strlen((const char *)p), i = 0, cols = 0;

        while (i < len) {
                uint32_t cp;
                char buf[16];

                i += iso_utf8_next(p + i, len - i, &cp);
                cols += render(cp, 0, 0, buf);
        }
        return cols;
}
