/* SPDX-License-Identifier: MIT */
/*
 * The report page (issue 13): one self-contained HTML file, its CSS, JavaScript and data
 * inline, that opens from disk and makes no network request. Its sources are
 * harness/matrix/page/page.{html,css,js}, embedded in the binary at build time (page.c).
 */
#ifndef ISOCHECK_MATRIX_PAGE_H
#define ISOCHECK_MATRIX_PAGE_H

#include <json-c/json.h>
#include <stdio.h>

#include "isocheck/util.h"

/*
 * Write the page for @model (the JSON of iso_matrix_to_json, evidence added) to @out. The
 * data goes into a <script type="application/json"> element with "<", ">" and "&" written
 * as \u escapes, so no string in it (a "</script>" or "<!--" in a test name) can end the
 * element. Returns 0, or -1 with @e on a write error (errno of the FILE).
 */
int iso_page_write(struct json_object *model, FILE *out, struct iso_err *e);

/*
 * The page of one run: read the JUnit report at @junit_path (iso_matrix_load) and write
 * index.html beside it, atomically (iso_write_atomic_at in the directory opened with
 * iso_open_dir_nofollow), artifact links relative to it.
 * @html_path gets the page's path (PATH_MAX bytes). Returns 0, or -1 with @e naming the
 * file that could not be read or written.
 */
int iso_page_index(const char *junit_path, char *html_path, struct iso_err *e);

#endif
