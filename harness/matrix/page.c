// SPDX-License-Identifier: MIT
/*
 * The page's sources, embedded with the assembler's .incbin (binutils, part of
 * build-essential): the files stay real files to edit and lint, and the binary carries them
 * without a generator. Paths are relative to the repository root, where make runs the
 * compiler; mk/html.mk makes this object depend on them. The template's markers
 * (@@CSS@@, @@JS@@, @@DATA@@) are filled by iso_page_write.
 */
#include "page.h"

#include <errno.h>
#include <string.h>

#include "page_src.h"

#define ISO_EMBED(sym, file)                                                    \
        ".section .rodata\n"                                                    \
        ".global " #sym "\n.hidden " #sym "\n" #sym ":\n.incbin \"" file "\"\n" \
        ".global " #sym "_end\n.hidden " #sym "_end\n" #sym "_end:\n.byte 0\n.previous\n"

__asm__(ISO_EMBED(iso_page_html, "harness/matrix/page/page.html"));
__asm__(ISO_EMBED(iso_page_css, "harness/matrix/page/page.css"));
__asm__(ISO_EMBED(iso_page_js, "harness/matrix/page/page.js"));

/* The JSON text with the three characters that could end or confuse a <script> escaped;
 * the runs between them written whole (a page holds a megabyte of data at most). */
static int put_data(FILE *out, const char *s)
{
        while (*s) {
                size_t run = strcspn(s, "<>&");

                if (run && fwrite(s, 1, run, out) != run)
                        return -1;
                s += run;
                if (!*s)
                        break;
                if (fputs(*s == '<' ? "\\u003c" : *s == '>' ? "\\u003e" : "\\u0026", out) == EOF)
                        return -1;
                s++;
        }
        return 0;
}

static int put_span(FILE *out, const char *from, const char *to)
{
        size_t n = (size_t)(to - from);

        return fwrite(from, 1, n, out) == n ? 0 : -1;
}

int iso_page_write(struct json_object *model, FILE *out, struct iso_err *e)
{
        const char *p = iso_page_html, *end = iso_page_html_end;
        const char *data = json_object_to_json_string_ext(model, JSON_C_TO_STRING_PLAIN);

        if (!data)
                return iso_errf(e, ENOMEM, "the report page: json_object_to_json_string_ext");
        /* The template's markers, each replaced by what it names. */
        while (p < end) {
                const char *at = memmem(p, (size_t)(end - p), "@@", 2);
                int rc = 0;

                if (!at)
                        break;
                if (put_span(out, p, at))
                        goto werr;
                if ((size_t)(end - at) >= 7 && memcmp(at, "@@CSS@@", 7) == 0) {
                        rc = put_span(out, iso_page_css, iso_page_css_end);
                        p = at + 7;
                } else if ((size_t)(end - at) >= 6 && memcmp(at, "@@JS@@", 6) == 0) {
                        rc = put_span(out, iso_page_js, iso_page_js_end);
                        p = at + 6;
                } else if ((size_t)(end - at) >= 8 && memcmp(at, "@@DATA@@", 8) == 0) {
                        rc = put_data(out, data);
                        p = at + 8;
                } else {
                        rc = put_span(out, at, at + 2);
                        p = at + 2;
                }
                if (rc)
                        goto werr;
        }
        if (put_span(out, p, end) || fflush(out) == EOF)
                goto werr;
        return 0;
werr:
        return iso_errf(e, errno ? errno : EIO, "write the report page");
}
