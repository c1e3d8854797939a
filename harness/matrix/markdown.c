// SPDX-License-Identifier: MIT
/*
 * The matrix as GitHub-flavoured Markdown, for a GitHub job summary ($GITHUB_STEP_SUMMARY)
 * or a GitLab merge request note: a heading, one table (a row per case, a column per
 * configuration), then the reasons in a <details> block. Every string from the reports is
 * escaped (iso_matrix_put_safe, md) so it cannot end a cell, open markup or inject HTML.
 */
#include <errno.h>
#include <string.h>

#include "matrix.h"

/* A reason is cut here: a job summary is limited (GitHub: 1 MiB per step). */
#define REASON_MAX 300

static const char *word(enum iso_mverdict v)
{
        switch (v) {
        case ISO_MV_PASS:
                return "pass";
        case ISO_MV_FAIL:
                return "**fail**";
        case ISO_MV_ERROR:
                return "**error**";
        case ISO_MV_SKIP:
                return "skip";
        default:
                return "—";
        }
}

static void reasons(FILE *f, const struct iso_matrix *m)
{
        size_t n = 0;

        for (size_t i = 0; i < m->n_cases; i++)
                for (size_t c = 0; c < m->n_configs; c++) {
                        enum iso_mverdict v = m->cases[i].cells[c].verdict;

                        n += v != ISO_MV_PASS && v != ISO_MV_ABSENT;
                }
        if (!n)
                return;
        fprintf(f, "\n<details><summary>Reasons (%zu)</summary>\n\n", n);
        for (size_t i = 0; i < m->n_cases; i++) {
                const struct iso_mcase *r = &m->cases[i];

                for (size_t c = 0; c < m->n_configs; c++) {
                        const struct iso_mcell *x = &r->cells[c];

                        if (x->verdict == ISO_MV_PASS || x->verdict == ISO_MV_ABSENT)
                                continue;
                        fputs("- ", f);
                        iso_matrix_put_safe(f, r->name, 0, 1, 0);
                        fputs(" — ", f);
                        iso_matrix_put_safe(f, m->configs[c].label, 0, 1, 0);
                        fprintf(f, ": %s: ", word(x->verdict));
                        iso_matrix_put_safe(f, x->message ? x->message : "(no message)", REASON_MAX,
                                            1, 0);
                        fputc('\n', f);
                        for (size_t k = 0; k < x->n_checks; k++) {
                                const struct iso_mcheck *ck = &x->checks[k];

                                if (ck->ok || !ck->expected)
                                        continue;
                                fputs("  - ", f);
                                iso_matrix_put_safe(f, ck->what, REASON_MAX, 1, 0);
                                fputs(": expected ", f);
                                iso_matrix_put_safe(f, ck->expected, REASON_MAX, 1, 0);
                                fputs(", got ", f);
                                iso_matrix_put_safe(f, ck->got ? ck->got : "", REASON_MAX, 1, 0);
                                fputc('\n', f);
                        }
                }
        }
        fputs("\n</details>\n", f);
}

int iso_matrix_markdown(const struct iso_matrix *m, const struct iso_matrix_out *o,
                        struct iso_err *e)
{
        FILE *f = o->f;
        size_t counts[ISO_MV_COUNT], differing = 0;

        iso_matrix_count(m, counts);
        for (size_t i = 0; i < m->n_cases; i++)
                differing += m->cases[i].differs != 0;
        fprintf(f, "### isocheck report: %zu configurations, %zu cases, %zu differ\n\n",
                m->n_configs, m->n_cases, differing);
        fprintf(f, "%zu pass, %zu fail, %zu error, %zu skip, %zu absent", counts[ISO_MV_PASS],
                counts[ISO_MV_FAIL], counts[ISO_MV_ERROR], counts[ISO_MV_SKIP],
                counts[ISO_MV_ABSENT]);
        if (m->baseline >= 0) {
                fputs("; ≠ marks a cell that differs from the baseline, ", f);
                iso_matrix_put_safe(f, m->configs[m->baseline].label, 0, 1, 0);
        }
        fputs(".\n\n| case |", f);
        for (size_t c = 0; c < m->n_configs; c++) {
                fputc(' ', f);
                iso_matrix_put_safe(f, m->configs[c].label, 0, 1, 0);
                fputs((long)c == m->baseline ? " (baseline) |" : " |", f);
        }
        fputs("\n|---|", f);
        for (size_t c = 0; c < m->n_configs; c++)
                fputs("---|", f);
        fputc('\n', f);
        for (size_t i = 0; i < m->n_cases; i++) {
                const struct iso_mcase *r = &m->cases[i];

                fputs("| ", f);
                iso_matrix_put_safe(f, r->name, 0, 1, 0);
                fputs(" |", f);
                for (size_t c = 0; c < m->n_configs; c++)
                        fprintf(f, " %s%s |", word(r->cells[c].verdict),
                                r->cells[c].differs_from_baseline ? " ≠" : "");
                fputc('\n', f);
        }
        reasons(f, m);
        if (fflush(f) == EOF || ferror(f))
                return iso_errf(e, errno ? errno : EIO, "writing the Markdown matrix to %s",
                                o->path ? o->path : "stdout");
        return 0;
}
