// SPDX-License-Identifier: MIT
/*
 * The terminal table: columns numbered [1]..[N] (their labels listed above the table, so
 * a dozen configurations still fit a terminal), one row per case, differing rows first.
 * Plain and aligned unless colour is allowed (a TTY without NO_COLOR, decided by the
 * caller); the same input always gives the same bytes.
 */
#include <errno.h>
#include <string.h>

#include "matrix.h"

/* The longest text of a reason shown under the table, in code points. */
#define DETAIL_MAX 400

static const char *colour_of(enum iso_mverdict v)
{
        switch (v) {
        case ISO_MV_PASS:
                return "\033[32m";
        case ISO_MV_FAIL:
        case ISO_MV_ERROR:
                return "\033[1;31m";
        case ISO_MV_SKIP:
                return "\033[33m";
        default:
                return "\033[2m";
        }
}

static void pad(FILE *f, size_t n)
{
        while (n--)
                fputc(' ', f);
}

static void summary(FILE *f, const struct iso_matrix *m)
{
        size_t counts[ISO_MV_COUNT], differing = 0;

        iso_matrix_count(m, counts);
        for (size_t i = 0; i < m->n_cases; i++)
                differing += m->cases[i].differs != 0;
        fprintf(f, "isocheck report: %zu configuration%s, %zu case%s, %zu differ%s\n", m->n_configs,
                m->n_configs == 1 ? "" : "s", m->n_cases, m->n_cases == 1 ? "" : "s", differing,
                differing == 1 ? "s" : "");
        fprintf(f, "cells: %zu pass, %zu fail, %zu error, %zu skip, %zu absent\n",
                counts[ISO_MV_PASS], counts[ISO_MV_FAIL], counts[ISO_MV_ERROR], counts[ISO_MV_SKIP],
                counts[ISO_MV_ABSENT]);
        for (size_t c = 0; c < m->n_configs; c++) {
                fprintf(f, "  [%zu] ", c + 1);
                iso_matrix_put_safe(f, m->configs[c].label, 0, 0, 0);
                fputs("  (", f);
                iso_matrix_put_safe(f, m->configs[c].source, 0, 0, 0);
                fprintf(f, ")%s\n", (long)c == m->baseline ? "  baseline" : "");
        }
}

static void cell(FILE *f, const struct iso_mcell *c, size_t width, int colour)
{
        const char *word = c->verdict == ISO_MV_ABSENT ? "-" : iso_mverdict_name(c->verdict);
        size_t n = strlen(word) + (c->differs_from_baseline ? 1 : 0);

        if (colour)
                fputs(colour_of(c->verdict), f);
        fputs(word, f);
        if (c->differs_from_baseline)
                fputc('*', f);
        if (colour)
                fputs("\033[0m", f);
        pad(f, width > n ? width - n : 0);
}

static void row(FILE *f, const struct iso_matrix *m, const struct iso_mcase *r, size_t name_w,
                size_t cell_w, int colour)
{
        size_t w = iso_matrix_safe_width(r->name);

        fputs("  ", f);
        iso_matrix_put_safe(f, r->name, 0, 0, 0);
        pad(f, name_w - w + 2);
        for (size_t c = 0; c < m->n_configs; c++) {
                /* the last column is not padded: no trailing blanks */
                cell(f, &r->cells[c], c + 1 < m->n_configs ? cell_w : 0, colour);
        }
        fputc('\n', f);
}

static void detail_lines(FILE *f, const struct iso_mcell *c)
{
        for (size_t i = 0; i < c->n_checks; i++) {
                const struct iso_mcheck *k = &c->checks[i];

                if (k->ok)
                        continue;
                fprintf(f, "      not ok %zu - ", i + 1);
                iso_matrix_put_safe(f, k->what, DETAIL_MAX, 0, 0);
                if (k->where) {
                        fputs(" (", f);
                        iso_matrix_put_safe(f, k->where, DETAIL_MAX, 0, 0);
                        fputc(')', f);
                }
                fputc('\n', f);
                if (k->expected) {
                        fputs("        expected: ", f);
                        iso_matrix_put_safe(f, k->expected, DETAIL_MAX, 0, 0);
                        fputc('\n', f);
                }
                if (k->got) {
                        fputs("        got: ", f);
                        iso_matrix_put_safe(f, k->got, DETAIL_MAX, 0, 0);
                        fputc('\n', f);
                }
        }
}

/* --details: every cell that is not a pass, with its reason and the checks that failed. */
static void details(FILE *f, const struct iso_matrix *m, int colour)
{
        int any = 0;

        for (size_t i = 0; i < m->n_cases; i++) {
                const struct iso_mcase *r = &m->cases[i];

                for (size_t c = 0; c < m->n_configs; c++) {
                        const struct iso_mcell *x = &r->cells[c];

                        if (x->verdict == ISO_MV_PASS || x->verdict == ISO_MV_ABSENT)
                                continue;
                        if (!any)
                                fputs("\nreasons:\n", f);
                        any = 1;
                        fputs("  ", f);
                        iso_matrix_put_safe(f, r->name, 0, 0, 0);
                        fprintf(f, " [%zu] ", c + 1);
                        if (colour)
                                fputs(colour_of(x->verdict), f);
                        fputs(iso_mverdict_name(x->verdict), f);
                        if (colour)
                                fputs("\033[0m", f);
                        fputs(": ", f);
                        iso_matrix_put_safe(f, x->message ? x->message : "(no message)", DETAIL_MAX,
                                            0, 0);
                        fputc('\n', f);
                        detail_lines(f, x);
                }
        }
}

int iso_matrix_text(const struct iso_matrix *m, const struct iso_matrix_out *o, struct iso_err *e)
{
        FILE *f = o->f;
        size_t name_w = 4, cell_w = 7;
        size_t differing = 0;

        for (size_t i = 0; i < m->n_cases; i++) {
                size_t w = iso_matrix_safe_width(m->cases[i].name);

                name_w = w > name_w ? w : name_w;
                differing += m->cases[i].differs != 0;
        }
        summary(f, m);
        fputc('\n', f);
        fputs("  case", f);
        pad(f, name_w - 4 + 2);
        for (size_t c = 0; c < m->n_configs; c++) {
                int n = fprintf(f, "[%zu]", c + 1);

                if (c + 1 < m->n_configs)
                        pad(f, cell_w > (size_t)n ? cell_w - (size_t)n : 1);
        }
        fputc('\n', f);
        for (size_t i = 0; i < m->n_cases; i++) {
                if (i == 0 && differing)
                        fputs("differ across configurations:\n", f);
                if (i == differing && m->n_configs > 1)
                        fputs(differing ? "the same everywhere:\n" : "", f);
                row(f, m, &m->cases[i], name_w, cell_w, o->colour);
        }
        if (m->baseline >= 0)
                fprintf(f, "* differs from the baseline [%ld]\n", m->baseline + 1);
        if (o->details)
                details(f, m, o->colour);
        if (fflush(f) == EOF || ferror(f))
                return iso_errf(e, errno ? errno : EIO, "writing the table to %s",
                                o->path ? o->path : "stdout");
        return 0;
}
