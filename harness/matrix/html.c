// SPDX-License-Identifier: MIT
/*
 * `isocheck report --format html` and the page `make check` leaves in reports/index.html:
 * the matrix model as JSON (iso_matrix_to_json), each cell's evidence added from its
 * artifacts (evidence.c, ladder.c), poured into the page template (page/page.html) with its
 * CSS and JavaScript inline.
 */
#include "page.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence.h"
#include "matrix.h"

/* The part of a path after its last '/'. */
static const char *base_name(const char *p)
{
        const char *s = strrchr(p, '/');

        return s ? s + 1 : p;
}

/* The evidence of one cell from its artifacts: the pictures the page draws. */
static int add_evidence(struct json_object *jcell, const struct iso_mcell *c)
{
        struct json_object *jarts = NULL, *ev = NULL, *ladders = NULL;

        if (!json_object_object_get_ex(jcell, "artifacts", &jarts) ||
            json_object_array_length(jarts) != c->n_artifacts)
                return 0;
        for (size_t k = 0; k < c->n_artifacts; k++) {
                const struct iso_martifact *a = &c->artifacts[k];
                struct json_object *ja = json_object_array_get_idx(jarts, k), *jp = NULL;
                const char *name = base_name(a->name ? a->name : a->path);
                struct json_object *pic = NULL;
                const char *key = NULL;

                if (!a->exists || !a->path || !json_object_object_get_ex(ja, "path", &jp))
                        continue;

                const char *shown = json_object_get_string(jp);

                if (strcmp(name, "memory.csv") == 0) {
                        pic = iso_evidence_memory(a->path, shown);
                        key = "memory";
                } else if (strcmp(name, "processes.csv") == 0) {
                        pic = iso_evidence_processes(a->path, shown);
                        key = "processes";
                } else if (a->kind && strcmp(a->kind, "pcap") == 0) {
                        pic = iso_evidence_ladder(a->path, name, shown);
                }
                if (!pic)
                        continue;
                if (!ev && !(ev = json_object_new_object())) {
                        json_object_put(pic);
                        return -1;
                }
                if (key) {
                        json_object_object_add(ev, key, pic);
                        continue;
                }
                if (!ladders) {
                        ladders = json_object_new_array();
                        if (!ladders) {
                                json_object_put(pic);
                                json_object_put(ev);
                                return -1;
                        }
                        json_object_object_add(ev, "ladders", ladders);
                }
                json_object_array_add(ladders, pic);
        }
        if (ev)
                json_object_object_add(jcell, "evidence", ev);
        return 0;
}

static int add_all_evidence(struct json_object *o, const struct iso_matrix *m)
{
        struct json_object *jcases;

        if (!json_object_object_get_ex(o, "cases", &jcases))
                return 0;
        for (size_t i = 0; i < m->n_cases && i < json_object_array_length(jcases); i++) {
                struct json_object *jc = json_object_array_get_idx(jcases, i), *jcells;

                if (!json_object_object_get_ex(jc, "cells", &jcells))
                        continue;
                for (size_t j = 0; j < m->n_configs && j < json_object_array_length(jcells); j++)
                        if (add_evidence(json_object_array_get_idx(jcells, j),
                                         &m->cases[i].cells[j]) < 0)
                                return -1;
        }
        return 0;
}

int iso_matrix_html(const struct iso_matrix *m, const char *out_path, FILE *out, struct iso_err *e)
{
        char dir[PATH_MAX];
        struct json_object *o;
        int rc = -1;

        if (out_path) {
                if (iso_strlcpy(dir, out_path, sizeof(dir)) >= sizeof(dir))
                        return iso_errf(e, ENAMETOOLONG, "the page's path %s", out_path);
                dirname(dir);
        }
        o = iso_matrix_to_json(m, out_path ? dir : NULL, e);
        if (!o)
                return -1;
        if (add_all_evidence(o, m) < 0)
                iso_errf(e, ENOMEM, "the report page: the evidence of the cases");
        else
                rc = iso_page_write(o, out, e);
        json_object_put(o);
        return rc;
}

/*
 * index.html in the JUnit report's directory, opened as the report seam opens it (no link
 * another user controls is followed, and a link at index.html is replaced, not written
 * through): the run's reports may sit in a directory a user can change while it runs.
 */
static int write_beside(const char *junit_path, const char *data, size_t len, struct iso_err *e)
{
        char dir[PATH_MAX];

        iso_strlcpy(dir, junit_path, sizeof(dir));
        dirname(dir);

        int fd = iso_open_dir_nofollow(dir, 0, e);

        if (fd < 0)
                return -1;

        int rc = iso_write_atomic_at(fd, dir, "index.html", data, len, e);

        close(fd);
        return rc;
}

int iso_page_index(const char *junit_path, char *html_path, struct iso_err *e)
{
        struct iso_matrix m = {0};
        char *paths[1] = {(char *)junit_path};
        char *buf = NULL;
        size_t len = 0;
        int rc = -1;

        if (iso_strlcpy(html_path, junit_path, PATH_MAX) >= PATH_MAX)
                return iso_errf(e, ENAMETOOLONG, "the page beside %s", junit_path);
        dirname(html_path);
        iso_appendf(html_path, PATH_MAX, "/index.html");
        if (iso_matrix_load(&m, paths, 1, e) < 0)
                return -1;

        FILE *f = open_memstream(&buf, &len);

        if (!f) {
                iso_errf(e, errno, "open_memstream for %s", html_path);
        } else {
                int w = iso_matrix_html(&m, html_path, f, e);

                if (fclose(f) == 0 && w == 0)
                        rc = write_beside(junit_path, buf, len, e);
        }
        free(buf);
        iso_matrix_free(&m);
        return rc;
}
