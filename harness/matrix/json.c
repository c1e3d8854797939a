// SPDX-License-Identifier: MIT
/*
 * The matrix as JSON (json-c), version 1 of the shape documented in the README ("Reading
 * results") and /work/brief/matrix-json.md. The HTML page embeds the same object.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"

/* json-c's adders take a reference even on failure only in newer versions: count
 * failures instead of relying on that, and give up on the first. */
struct jb {
        int bad;
};

static void put(struct jb *b, json_object *o, const char *key, json_object *v)
{
        if (json_object_object_add(o, key, v) != 0) {
                json_object_put(v);
                b->bad = 1;
        }
}

static void push(struct jb *b, json_object *a, json_object *v)
{
        if (!v || json_object_array_add(a, v) != 0) {
                json_object_put(v);
                b->bad = 1;
        }
}

static json_object *str_or_null(const char *s)
{
        return s ? json_object_new_string(s) : NULL;
}

/* A container that must exist: NULL marks the build as failed. */
static json_object *must(struct jb *b, json_object *o)
{
        if (!o)
                b->bad = 1;
        return o;
}

static json_object *counts_obj(struct jb *b, const size_t counts[ISO_MV_COUNT])
{
        json_object *o = must(b, json_object_new_object());

        for (size_t v = 0; o && v < ISO_MV_COUNT; v++)
                put(b, o, iso_mverdict_name((enum iso_mverdict)v),
                    must(b, json_object_new_int64((int64_t)counts[v])));
        return o;
}

/* Seconds as the JUnit wrote them (%.3f), not json-c's 17 significant digits. */
static json_object *seconds(double s)
{
        char buf[64];

        snprintf(buf, sizeof(buf), "%.3f", s);
        return json_object_new_double_s(s, buf);
}

static json_object *check_obj(struct jb *b, const struct iso_mcheck *k)
{
        json_object *o = must(b, json_object_new_object());

        if (!o)
                return NULL;
        put(b, o, "ok", json_object_new_boolean(k->ok));
        put(b, o, "skipped", json_object_new_boolean(k->skipped));
        put(b, o, "what", str_or_null(k->what));
        put(b, o, "expected", str_or_null(k->expected));
        put(b, o, "got", str_or_null(k->got));
        put(b, o, "where", str_or_null(k->where));
        return o;
}

static json_object *artifact_obj(struct jb *b, const struct iso_martifact *a, const char *out_dir)
{
        json_object *o = must(b, json_object_new_object());
        char *rel = iso_matrix_relpath(a->path, out_dir);

        if (!o || !rel) {
                b->bad = 1;
                free(rel);
                return o;
        }
        put(b, o, "name", must(b, json_object_new_string(a->name)));
        put(b, o, "path", must(b, json_object_new_string(rel)));
        put(b, o, "kind", must(b, json_object_new_string(a->kind)));
        put(b, o, "exists", json_object_new_boolean(a->exists));
        free(rel);
        return o;
}

static json_object *cell_obj(struct jb *b, const struct iso_matrix *m, const struct iso_mcell *c,
                             const char *out_dir)
{
        json_object *o = must(b, json_object_new_object());
        json_object *a;

        if (!o)
                return NULL;
        put(b, o, "verdict", must(b, json_object_new_string(iso_mverdict_name(c->verdict))));
        /* An absent cell is its verdict alone, and whether that differs from a baseline. */
        if (c->verdict != ISO_MV_ABSENT || m->baseline >= 0)
                put(b, o, "baseline_differs", json_object_new_boolean(c->differs_from_baseline));
        if (c->verdict == ISO_MV_ABSENT)
                return o;
        put(b, o, "message", str_or_null(c->message));
        put(b, o, "detail", str_or_null(c->detail));
        put(b, o, "time", c->time_s >= 0 ? seconds(c->time_s) : NULL);
        put(b, o, "log", str_or_null(c->log));
        a = must(b, json_object_new_array());
        for (size_t i = 0; a && i < c->n_checks; i++)
                push(b, a, check_obj(b, &c->checks[i]));
        put(b, o, "checks", a);
        a = must(b, json_object_new_array());
        for (size_t i = 0; a && i < c->n_artifacts; i++)
                push(b, a, artifact_obj(b, &c->artifacts[i], out_dir));
        put(b, o, "artifacts", a);
        return o;
}

static json_object *config_obj(struct jb *b, const struct iso_mconfig *c)
{
        json_object *o = must(b, json_object_new_object());
        json_object *p;

        if (!o)
                return NULL;
        put(b, o, "label", must(b, json_object_new_string(c->label)));
        put(b, o, "source", must(b, json_object_new_string(c->source)));
        put(b, o, "suite", str_or_null(c->suite));
        p = must(b, json_object_new_object());
        for (size_t i = 0; p && i < c->n_props; i++)
                put(b, p, c->props[i].name, must(b, json_object_new_string(c->props[i].value)));
        put(b, o, "properties", p);
        put(b, o, "cells", counts_obj(b, c->counts));
        return o;
}

static json_object *case_obj(struct jb *b, const struct iso_matrix *m, const struct iso_mcase *r,
                             const char *out_dir)
{
        json_object *o = must(b, json_object_new_object());
        json_object *a;

        if (!o)
                return NULL;
        put(b, o, "name", must(b, json_object_new_string(r->name)));
        put(b, o, "classname", must(b, json_object_new_string(r->classname)));
        put(b, o, "testname", must(b, json_object_new_string(r->testname)));
        put(b, o, "area", must(b, json_object_new_string(r->area)));
        put(b, o, "file", str_or_null(r->file));
        put(b, o, "line", r->file && r->line > 0 ? json_object_new_int64(r->line) : NULL);
        put(b, o, "differs", json_object_new_boolean(r->differs));
        a = must(b, json_object_new_array());
        for (size_t c = 0; a && c < m->n_configs; c++)
                push(b, a, cell_obj(b, m, &r->cells[c], out_dir));
        put(b, o, "cells", a);
        return o;
}

struct json_object *iso_matrix_to_json(const struct iso_matrix *m, const char *out_dir,
                                       struct iso_err *e)
{
        struct jb b = {0};
        json_object *root = must(&b, json_object_new_object());
        json_object *sum, *verdicts, *a;
        size_t counts[ISO_MV_COUNT], differing = 0;

        if (!root) {
                iso_errf(e, ENOMEM, "JSON of the matrix");
                return NULL;
        }
        iso_matrix_count(m, counts);
        for (size_t i = 0; i < m->n_cases; i++)
                differing += m->cases[i].differs != 0;
        put(&b, root, "format", json_object_new_string("isocheck-report"));
        put(&b, root, "version", json_object_new_int(1));
        verdicts = must(&b, json_object_new_array());
        for (size_t v = 0; verdicts && v < ISO_MV_COUNT; v++)
                push(&b, verdicts, json_object_new_string(iso_mverdict_name((enum iso_mverdict)v)));
        put(&b, root, "verdicts", verdicts);
        sum = must(&b, json_object_new_object());
        if (sum) {
                put(&b, sum, "configurations", json_object_new_int64((int64_t)m->n_configs));
                put(&b, sum, "cases", json_object_new_int64((int64_t)m->n_cases));
                put(&b, sum, "differing", json_object_new_int64((int64_t)differing));
                put(&b, sum, "cells", counts_obj(&b, counts));
                put(&b, sum, "exit_status", json_object_new_int(iso_matrix_failed(m)));
        }
        put(&b, root, "summary", sum);
        put(&b, root, "baseline", m->baseline >= 0 ? json_object_new_int64(m->baseline) : NULL);
        a = must(&b, json_object_new_array());
        for (size_t c = 0; a && c < m->n_configs; c++)
                push(&b, a, config_obj(&b, &m->configs[c]));
        put(&b, root, "configurations", a);
        a = must(&b, json_object_new_array());
        for (size_t i = 0; a && i < m->n_cases; i++)
                push(&b, a, case_obj(&b, m, &m->cases[i], out_dir));
        put(&b, root, "cases", a);
        if (b.bad) {
                json_object_put(root);
                iso_errf(e, ENOMEM, "JSON of the matrix (%zu x %zu)", m->n_cases, m->n_configs);
                return NULL;
        }
        return root;
}

/*
 * json-c escapes the C0 controls only; DEL and the C1 controls (U+0080..U+009F: U+009B is
 * a one-byte CSI to some terminals) are written as \u escapes too, so that `cat` of the
 * file shows them instead of obeying them. Outside strings json-c writes ASCII only, so
 * every such byte pair is inside a string.
 */
static int put_json(FILE *f, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                int rc;

                if (*p == 0x7F)
                        rc = fputs("\\u007f", f);
                else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
                        rc = fprintf(f, "\\u%04x", (unsigned int)*++p);
                else
                        rc = fputc(*p, f);
                if (rc < 0)
                        return -1;
        }
        return 0;
}

int iso_matrix_json(const struct iso_matrix *m, const struct iso_matrix_out *o, struct iso_err *e)
{
        char *dir = o->path ? iso_matrix_dirname(o->path) : NULL;
        json_object *root;
        const char *s;
        int rc = 0;

        if (o->path && !dir)
                return iso_errf(e, ENOMEM, "%s", o->path);
        root = iso_matrix_to_json(m, dir, e);
        free(dir);
        if (!root)
                return -1;
        s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || put_json(o->f, s) < 0 || fputc('\n', o->f) == EOF)
                rc = iso_errf(e, errno ? errno : EIO, "writing the JSON matrix to %s",
                              o->path ? o->path : "stdout");
        json_object_put(root);
        return rc;
}
