/* SPDX-License-Identifier: MIT */
/* The page's embedded sources (page.c): each runs from NAME to NAME_end, not NUL-terminated. */
#ifndef ISOCHECK_MATRIX_PAGE_SRC_H
#define ISOCHECK_MATRIX_PAGE_SRC_H

#define ISO_PAGE_SRC(sym)                                              \
        extern const char sym[] __attribute__((visibility("hidden"))); \
        extern const char sym##_end[] __attribute__((visibility("hidden")))

ISO_PAGE_SRC(iso_page_html);
ISO_PAGE_SRC(iso_page_css);
ISO_PAGE_SRC(iso_page_js);

#endif
