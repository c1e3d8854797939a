// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: `isocheck report`'s reader and writers (harness/matrix/).
 *
 * The input is a JUnit file (seeds: the JUnit files of fixtures/reports/), given to the reader
 * through a memfd (/proc/self/fd/N, so nothing is left on disk). A refused input must say
 * why and leave the matrix empty. A read matrix must hold together: a cell per column in
 * every row, column counts that add up to the rows, differing rows first, unique labels.
 * Then every writer runs: the text (with --details and a baseline) and the Markdown must
 * be valid UTF-8 holding no ESC and no C1 control (what report strings could use to drive
 * a terminal), the Markdown table must have a line per row plus two, and the JSON must
 * parse back (json-c) with a case per row.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../matrix/matrix.h"
#include "isocheck/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why, const char *text)
{
        fprintf(stderr, "fuzz_matrix: %s: \"%.300s\"\n", why, text ? text : "");
        abort();
}

typedef int (*writer)(const struct iso_matrix *, const struct iso_matrix_out *, struct iso_err *);

static char *render(const struct iso_matrix *m, writer w, int details, size_t *len)
{
        char *buf = NULL;
        struct iso_err e = {0};
        struct iso_matrix_out o = {.details = details};

        o.f = open_memstream(&buf, len);
        if (!o.f)
                abort();
        if (w(m, &o, &e) < 0)
                bad("a writer failed on a memory stream", e.msg);
        if (fclose(o.f) != 0)
                abort();
        return buf;
}

/* For a terminal and a Markdown renderer: well-formed UTF-8, no ESC, no C0 but newline,
 * no DEL, no C1. */
static void inert(const char *what, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t k = iso_utf8_next(p + i, n - i, &cp);

                if (cp == ISO_REPLACEMENT_CHAR && !(k == 3 && p[i] == 0xEF))
                        bad(what, s + i); /* a U+FFFD the decoder made: ill-formed */
                if ((cp < 0x20 && cp != '\n') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
                        bad(what, s + i);
                i += k;
        }
}

static void check_model(const struct iso_matrix *m)
{
        int seen_same = 0;

        if (!m->n_configs)
                bad("a matrix without columns", "");
        for (size_t c = 0; c < m->n_configs; c++) {
                size_t sum = 0;

                for (size_t v = 0; v < ISO_MV_COUNT; v++)
                        sum += m->configs[c].counts[v];
                if (sum != m->n_cases)
                        bad("column counts do not add up to the rows", m->configs[c].label);
                for (size_t d = 0; d < c; d++)
                        if (!strcmp(m->configs[c].label, m->configs[d].label))
                                bad("two columns with one label", m->configs[c].label);
        }
        for (size_t i = 0; i < m->n_cases; i++) {
                const struct iso_mcase *r = &m->cases[i];
                int differs = 0;

                for (size_t c = 1; c < m->n_configs; c++)
                        differs |= r->cells[c].verdict != r->cells[0].verdict;
                if (differs != r->differs)
                        bad("a row's differs flag is wrong", r->name);
                if (!r->differs)
                        seen_same = 1;
                else if (seen_same)
                        bad("a differing row after a same one", r->name);
                for (size_t j = 0; j < i; j++)
                        if (!strcmp(r->name, m->cases[j].name))
                                bad("two rows with one name", r->name);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct iso_matrix m = {0};
        struct iso_err e = {0};
        char path[64];
        char *paths[] = {path};
        int fd = memfd_create("fuzz_matrix", MFD_CLOEXEC);

        if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
                abort();
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (iso_matrix_load(&m, paths, 1, &e) < 0) {
                close(fd);
                if (!e.msg[0] || m.n_configs || m.n_cases || m.configs || m.cases)
                        bad("a refused input must say why and leave nothing", e.msg);
                return 0;
        }
        close(fd);
        check_model(&m);
        if (iso_matrix_set_baseline(&m, (long)(m.n_configs - 1), &e) < 0)
                bad("the last column refused as the baseline", e.msg);

        size_t len;
        char *s = render(&m, iso_matrix_text, 1, &len);

        inert("text output holds a control or ill-formed UTF-8", s, len);
        free(s);
        s = render(&m, iso_matrix_markdown, 0, &len);
        inert("Markdown output holds a control or ill-formed UTF-8", s, len);
        size_t table = 0;

        for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                table += *l == '|';
        if (table != m.n_cases + 2)
                bad("the Markdown table has the wrong number of lines", s);
        free(s);
        s = render(&m, iso_matrix_json, 0, &len);
        json_object *j = json_tokener_parse(s);
        json_object *cases;

        if (!j || !json_object_object_get_ex(j, "cases", &cases) ||
            json_object_array_length(cases) != m.n_cases)
                bad("the JSON does not parse back with a case per row", s);
        json_object_put(j);
        free(s);
        iso_matrix_free(&m);
        return 0;
}
