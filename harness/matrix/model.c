// SPDX-License-Identifier: MIT
/* The matrix model's own rules: row order, differences, the baseline, counts, paths. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"

const char *iso_mverdict_name(enum iso_mverdict v)
{
        static const char *const names[] = {"pass", "fail", "error", "skip", "absent"};

        return (unsigned int)v < ISO_ARRAY_SIZE(names) ? names[v] : "?";
}

static int row_differs(const struct iso_matrix *m, const struct iso_mcase *r)
{
        for (size_t i = 1; i < m->n_configs; i++)
                if (r->cells[i].verdict != r->cells[0].verdict)
                        return 1;
        return 0;
}

int iso_matrix_order(struct iso_matrix *m)
{
        struct iso_mcase *sorted;
        size_t k = 0;

        if (!m->n_cases)
                return 0;
        sorted = malloc(m->n_cases * sizeof(*sorted));
        if (!sorted)
                return -1;
        for (size_t i = 0; i < m->n_cases; i++)
                m->cases[i].differs = row_differs(m, &m->cases[i]);
        for (int pass = 1; pass >= 0; pass--)
                for (size_t i = 0; i < m->n_cases; i++)
                        if (m->cases[i].differs == pass)
                                sorted[k++] = m->cases[i];
        memcpy(m->cases, sorted, m->n_cases * sizeof(*sorted));
        free(sorted);
        for (size_t c = 0; c < m->n_configs; c++) {
                memset(m->configs[c].counts, 0, sizeof(m->configs[c].counts));
                for (size_t i = 0; i < m->n_cases; i++)
                        m->configs[c].counts[m->cases[i].cells[c].verdict]++;
        }
        return 0;
}

long iso_matrix_column(const struct iso_matrix *m, const char *spec, struct iso_err *e)
{
        char *end;
        long v;
        char labels[512] = "";

        errno = 0;
        v = strtol(spec, &end, 10);
        if (*spec && !*end && !errno) {
                if (v >= 1 && (size_t)v <= m->n_configs)
                        return v - 1;
                return iso_err_setf(e, EINVAL,
                                    "--baseline %s: expected a column in 1..%zu or a label", spec,
                                    m->n_configs);
        }
        for (size_t i = 0; i < m->n_configs; i++)
                if (!strcmp(m->configs[i].label, spec))
                        return (long)i;
        for (size_t i = 0; i < m->n_configs; i++)
                iso_appendf(labels, sizeof(labels), "%s\"%s\"", i ? ", " : "", m->configs[i].label);
        return iso_err_setf(e, EINVAL,
                            "--baseline %s: expected a column number or one of the "
                            "labels %s",
                            spec, labels);
}

int iso_matrix_set_baseline(struct iso_matrix *m, long col, struct iso_err *e)
{
        if (col < 0 || (size_t)col >= m->n_configs)
                return iso_err_setf(e, EINVAL, "baseline column %ld: expected 0..%zu", col,
                                    m->n_configs ? m->n_configs - 1 : 0);
        m->baseline = col;
        for (size_t i = 0; i < m->n_cases; i++) {
                struct iso_mcase *r = &m->cases[i];

                for (size_t c = 0; c < m->n_configs; c++)
                        r->cells[c].differs_from_baseline =
                                (long)c != col && r->cells[c].verdict != r->cells[col].verdict;
        }
        return 0;
}

void iso_matrix_count(const struct iso_matrix *m, size_t counts[ISO_MV_COUNT])
{
        memset(counts, 0, ISO_MV_COUNT * sizeof(counts[0]));
        for (size_t c = 0; c < m->n_configs; c++)
                for (size_t v = 0; v < ISO_MV_COUNT; v++)
                        counts[v] += m->configs[c].counts[v];
}

int iso_matrix_failed(const struct iso_matrix *m)
{
        size_t counts[ISO_MV_COUNT];

        iso_matrix_count(m, counts);
        return counts[ISO_MV_FAIL] || counts[ISO_MV_ERROR];
}

static void free_cell(struct iso_mcell *c)
{
        free(c->message);
        free(c->detail);
        free(c->log);
        for (size_t i = 0; i < c->n_checks; i++) {
                free(c->checks[i].what);
                free(c->checks[i].expected);
                free(c->checks[i].got);
                free(c->checks[i].where);
        }
        free(c->checks);
        for (size_t i = 0; i < c->n_artifacts; i++) {
                free(c->artifacts[i].name);
                free(c->artifacts[i].path);
        }
        free(c->artifacts);
}

void iso_matrix_free(struct iso_matrix *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n_cases; i++) {
                struct iso_mcase *r = &m->cases[i];

                for (size_t c = 0; c < m->n_configs; c++)
                        free_cell(&r->cells[c]);
                free(r->cells);
                free(r->name);
                free(r->classname);
                free(r->testname);
                free(r->area);
                free(r->file);
        }
        free(m->cases);
        for (size_t c = 0; c < m->n_configs; c++) {
                struct iso_mconfig *k = &m->configs[c];

                for (size_t i = 0; i < k->n_props; i++) {
                        free(k->props[i].name);
                        free(k->props[i].value);
                }
                free(k->props);
                free(k->label);
                free(k->source);
                free(k->suite);
        }
        free(m->configs);
        memset(m, 0, sizeof(*m));
        m->baseline = -1;
}

char *iso_matrix_dirname(const char *path)
{
        const char *slash = strrchr(path, '/');

        if (!slash)
                return strdup(".");
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t)(slash - path));
}

/* @p made absolute and lexically clean ("." and ".." and "//" removed), into @out. */
static int absolute(const char *p, char *out, size_t size)
{
        char tmp[PATH_MAX], cwd[PATH_MAX];
        char *parts[PATH_MAX / 2];
        size_t n = 0;

        if (p[0] == '/') {
                if (iso_strlcpy(tmp, p, sizeof(tmp)) >= sizeof(tmp))
                        return -1;
        } else {
                if (!getcwd(cwd, sizeof(cwd)) || iso_pathf(tmp, sizeof(tmp), "%s/%s", cwd, p) < 0)
                        return -1;
        }
        for (char *save = NULL, *t = strtok_r(tmp, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
                if (!strcmp(t, "."))
                        continue;
                if (!strcmp(t, "..")) {
                        if (n)
                                n--;
                        continue;
                }
                parts[n++] = t;
        }
        out[0] = '\0';
        for (size_t i = 0; i < n; i++)
                iso_appendf(out, size, "/%s", parts[i]);
        if (!n)
                iso_strlcpy(out, "/", size);
        return 0;
}

/*
 * Lexical, not through realpath(3): the artifacts and the output file need not exist yet
 * (a path in a report fetched from another machine), and a link in the path is followed
 * by the browser the same way it is by us.
 */
char *iso_matrix_relpath(const char *path, const char *dir)
{
        char ap[PATH_MAX], ad[PATH_MAX], out[PATH_MAX] = "";
        size_t common = 0, i = 0;

        if (absolute(path, ap, sizeof(ap)) < 0 || absolute(dir ? dir : ".", ad, sizeof(ad)) < 0)
                return strdup(path);
        if (!strcmp(ad, "/"))
                return strdup(ap[1] ? ap + 1 : ".");
        /* The longest common prefix ending at a component boundary. */
        for (i = 0; ad[i] && ad[i] == ap[i]; i++)
                if (ad[i] == '/')
                        common = i;
        if (!ad[i] && (ap[i] == '/' || !ap[i]))
                common = i;
        for (const char *p = ad + common; *p; p++)
                if (*p == '/')
                        iso_appendf(out, sizeof(out), "../");
        iso_appendf(out, sizeof(out), "%s", ap[common] == '/' ? ap + common + 1 : ap + common);
        if (!*out)
                iso_strlcpy(out, ".", sizeof(out));
        return strdup(out);
}
