// SPDX-License-Identifier: MIT
/*
 * The reader of `isocheck report`: isocheck JUnit files (and report directories) into the
 * matrix model. libxml2 parses (xmlCtxtReadFile, no network, no entities from outside);
 * this file only walks the tree isocheck's own writer makes (harness/report_junit.c): a
 * <testsuite> per configuration with <properties>, a <testcase> per case with at most one
 * of <failure>/<error>/<skipped>, and a <system-out> whose tail lists "checks:" and
 * "artifacts:".
 */
#include <dirent.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "matrix.h"

/* The columns and rows being built; rows are found by name (tiny matrices: a scan). */
struct build {
        struct iso_matrix *m;
        size_t cap_configs, cap_cases;
};

static char *xstrndup(const char *s, size_t n)
{
        return s ? strndup(s, n) : NULL;
}

/* The text from @a up to @b (exclusive), as a new string; "" when @b is before @a. */
static char *span(const char *a, const char *b)
{
        size_t n = b > a ? (size_t)(b - a) : 0;
        char *s = malloc(n + 1);

        if (s) {
                memcpy(s, a, n);
                s[n] = '\0';
        }
        return s;
}

/* An attribute's value as a new string, or NULL when it is missing. */
static char *prop_str(xmlNodePtr n, const char *name)
{
        xmlChar *v = xmlGetProp(n, BAD_CAST name);
        char *s = v ? strdup((const char *)v) : NULL;

        xmlFree(v);
        return s;
}

static char *content_str(xmlNodePtr n)
{
        xmlChar *v = xmlNodeGetContent(n);
        char *s = v ? strdup((const char *)v) : NULL;

        xmlFree(v);
        return s;
}

static int is_elem(xmlNodePtr n, const char *name)
{
        return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static const char *prop_of(const struct iso_mconfig *c, const char *name)
{
        for (size_t i = 0; i < c->n_props; i++)
                if (!strcmp(c->props[i].name, name))
                        return c->props[i].value;
        return NULL;
}

/* ----------------------------------------------------------------- configurations */

static int add_prop(struct iso_mconfig *c, const char *name, const char *value)
{
        struct iso_mprop *p;

        if (prop_of(c, name))
                return 0; /* the guest's own comes first in a merged file: it wins */
        p = realloc(c->props, (c->n_props + 1) * sizeof(*p));
        if (!p)
                return -1;
        c->props = p;
        p[c->n_props].name = strdup(name);
        p[c->n_props].value = strdup(value ? value : "");
        if (!p[c->n_props].name || !p[c->n_props].value) {
                free(p[c->n_props].name);
                free(p[c->n_props].value);
                return -1;
        }
        c->n_props++;
        return 0;
}

static int label_taken(const struct iso_matrix *m, const char *label, size_t upto)
{
        for (size_t i = 0; i < upto; i++)
                if (!strcmp(m->configs[i].label, label))
                        return 1;
        return 0;
}

/*
 * The column's label: what tells configurations apart for a reader (where, which kernel,
 * which cgroup mode, which runtime), from the properties isocheck's environment probe
 * writes. Two runs of the same configuration get " (2)", " (3)" in input order.
 */
static int make_label(struct iso_matrix *m, size_t idx, const char *suite_host)
{
        static const char *const keys[] = {"target", "hostname", "kernel.release", "cgroup.mode",
                                           "runtime"};
        struct iso_mconfig *c = &m->configs[idx];
        char buf[1024] = "";

        for (size_t i = 0; i < ISO_ARRAY_SIZE(keys); i++) {
                const char *v = prop_of(c, keys[i]);

                if (i == 1 && (!v || !*v))
                        v = suite_host;
                if (v && *v)
                        iso_appendf(buf, sizeof(buf), "%s%s", *buf ? " " : "", v);
        }
        if (!*buf)
                iso_strlcpy(buf, c->suite && *c->suite ? c->suite : c->source, sizeof(buf));
        if (label_taken(m, buf, idx)) {
                size_t len = strlen(buf);

                for (unsigned int k = 2; k < 100000; k++) {
                        buf[len] = '\0';
                        iso_appendf(buf, sizeof(buf), " (%u)", k);
                        if (!label_taken(m, buf, idx))
                                break;
                }
        }
        c->label = strdup(buf);
        return c->label ? 0 : -1;
}

static struct iso_mconfig *new_config(struct build *b)
{
        struct iso_matrix *m = b->m;

        if (m->n_configs == b->cap_configs) {
                size_t cap = b->cap_configs ? b->cap_configs * 2 : 8;
                struct iso_mconfig *c = realloc(m->configs, cap * sizeof(*c));

                if (!c)
                        return NULL;
                m->configs = c;
                b->cap_configs = cap;
                /* Every row gets a cell for the new column (absent until read). */
                for (size_t i = 0; i < m->n_cases; i++) {
                        struct iso_mcell *cells = realloc(m->cases[i].cells, cap * sizeof(*cells));

                        if (!cells)
                                return NULL;
                        m->cases[i].cells = cells;
                }
        }
        for (size_t i = 0; i < m->n_cases; i++) {
                struct iso_mcell *cell = &m->cases[i].cells[m->n_configs];

                memset(cell, 0, sizeof(*cell));
                cell->verdict = ISO_MV_ABSENT;
                cell->time_s = -1;
        }
        memset(&m->configs[m->n_configs], 0, sizeof(m->configs[0]));
        return &m->configs[m->n_configs++];
}

/* ----------------------------------------------------------------------- rows */

static struct iso_mcase *find_case(struct iso_matrix *m, const char *name)
{
        for (size_t i = 0; i < m->n_cases; i++)
                if (!strcmp(m->cases[i].name, name))
                        return &m->cases[i];
        return NULL;
}

static struct iso_mcase *new_case(struct build *b, char *name, char *classname, char *testname)
{
        struct iso_matrix *m = b->m;
        struct iso_mcase *r;
        const char *dot = strchr(name, '.');

        if (m->n_cases == b->cap_cases) {
                size_t cap = b->cap_cases ? b->cap_cases * 2 : 32;

                r = realloc(m->cases, cap * sizeof(*r));
                if (!r)
                        return NULL;
                m->cases = r;
                b->cap_cases = cap;
        }
        r = &m->cases[m->n_cases];
        memset(r, 0, sizeof(*r));
        r->cells = calloc(b->cap_configs ? b->cap_configs : 1, sizeof(*r->cells));
        r->area = xstrndup(name, dot ? (size_t)(dot - name) : strlen(name));
        if (!r->cells || !r->area) {
                free(r->cells);
                free(r->area);
                return NULL;
        }
        for (size_t i = 0; i < m->n_configs; i++) {
                r->cells[i].verdict = ISO_MV_ABSENT;
                r->cells[i].time_s = -1;
        }
        r->name = name;
        r->classname = classname;
        r->testname = testname;
        m->n_cases++;
        return r;
}

/* ------------------------------------------------------------- system-out and body */

static const char *artifact_kind(const char *name)
{
        const char *dot = strrchr(name, '.');

        if (!dot)
                return "other";
        if (!strcmp(dot, ".pcap") || !strcmp(dot, ".pcapng"))
                return "pcap";
        if (!strcmp(dot, ".csv"))
                return "csv";
        if (!strcmp(dot, ".txt") || !strcmp(dot, ".log"))
                return "text";
        return "other";
}

static int file_exists(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0;
}

/*
 * Where an artifact the JUnit names is, seen from here. isocheck writes the path as the
 * run saw it: relative to the run's working directory ("reports/artifacts/<case>/x"),
 * which is usually the JUnit's directory's parent; a merged VM report may point at the
 * host's files. Tried in turn: as written when absolute; below the JUnit's directory and
 * its two parents; the part from "artifacts/" on below the JUnit's directory. When none
 * exists, the first candidate is kept (and marked missing).
 */
static int resolve_artifact(struct iso_martifact *a, const char *raw, const char *junit_dir)
{
        char buf[PATH_MAX];
        const char *base;

        base = strrchr(raw, '/');
        a->name = strdup(base ? base + 1 : raw);
        a->kind = artifact_kind(a->name ? a->name : "");
        if (!a->name)
                return -1;
        if (raw[0] == '/') {
                a->path = strdup(raw);
                a->exists = file_exists(raw);
                return a->path ? 0 : -1;
        }
        const char *ups[] = {"", "../", "../../"};
        char first[PATH_MAX] = "";

        for (size_t i = 0; i < ISO_ARRAY_SIZE(ups); i++) {
                if (iso_pathf(buf, sizeof(buf), "%s/%s%s", junit_dir, ups[i], raw) < 0)
                        continue;
                if (!*first)
                        iso_strlcpy(first, buf, sizeof(first));
                if (file_exists(buf))
                        goto found;
        }
        const char *art = strstr(raw, "artifacts/");

        if (art && iso_pathf(buf, sizeof(buf), "%s/%s", junit_dir, art) == 0 && file_exists(buf))
                goto found;
        a->path = strdup(*first ? first : raw);
        a->exists = 0;
        return a->path ? 0 : -1;
found:
        a->path = strdup(buf);
        a->exists = 1;
        return a->path ? 0 : -1;
}

static int add_artifact(struct iso_mcell *c, const char *raw, size_t n, const char *junit_dir)
{
        char *s = xstrndup(raw, n);
        struct iso_martifact *a;
        int rc = -1;

        if (!s)
                return -1;
        if (!*s) {
                free(s);
                return 0;
        }
        a = realloc(c->artifacts, (c->n_artifacts + 1) * sizeof(*a));
        if (a) {
                c->artifacts = a;
                memset(&a[c->n_artifacts], 0, sizeof(*a));
                rc = resolve_artifact(&a[c->n_artifacts], s, junit_dir);
                if (rc == 0) {
                        /* Listed twice (artifacts: and [[ATTACHMENT|]]): keep one. */
                        for (size_t i = 0; i < c->n_artifacts; i++)
                                if (!strcmp(a[i].path, a[c->n_artifacts].path)) {
                                        free(a[c->n_artifacts].name);
                                        free(a[c->n_artifacts].path);
                                        free(s);
                                        return 0;
                                }
                        c->n_artifacts++;
                } else {
                        free(a[c->n_artifacts].name);
                        free(a[c->n_artifacts].path);
                }
        }
        free(s);
        return rc;
}

/*
 * One "checks:" line as report_junit.c writes it: "[not ]ok N - what[ (where)][ # SKIP
 * reason]". Returns 1 when @line is one, with the parts in @k; 0 when not; -1 ENOMEM.
 */
static int parse_check_line(const char *line, size_t len, struct iso_mcheck *k, long *num)
{
        const char *p = line, *end = line + len;
        char *after;
        int ok = 1;

        memset(k, 0, sizeof(*k));
        if (len > 4 && !strncmp(p, "not ", 4)) {
                ok = 0;
                p += 4;
        }
        if (end - p < 3 || strncmp(p, "ok ", 3))
                return 0;
        p += 3;
        errno = 0;
        *num = strtol(p, &after, 10);
        if (after == p || after > end || end - after < 3 || strncmp(after, " - ", 3))
                return 0;
        p = after + 3;
        const char *what_end = end;
        const char *skip = NULL;

        for (const char *q = p; q + 8 <= end; q++)
                if (!strncmp(q, " # SKIP ", 8))
                        skip = q; /* the last one: a description may hold "#" */
        if (skip)
                what_end = skip;
        /* " (file.c:123)" at the end of the description. */
        if (what_end > p && what_end[-1] == ')') {
                const char *open = NULL;

                for (const char *q = what_end - 1; q > p; q--)
                        if (q[0] == '(' && q[-1] == ' ') {
                                open = q;
                                break;
                        }
                const char *colon = open ? memchr(open, ':', (size_t)(what_end - open)) : NULL;

                if (open && colon && what_end - open >= 2) {
                        k->where = span(open + 1, what_end - 1);
                        what_end = open - 1;
                        if (!k->where)
                                return -1;
                }
        }
        k->ok = ok;
        k->what = span(p, what_end);
        if (skip) {
                k->skipped = 1;
                k->got = span(skip + 8, end);
        }
        if (!k->what || (skip && !k->got)) {
                free(k->what);
                free(k->where);
                free(k->got);
                return -1;
        }
        return 1;
}

static int push_check(struct iso_mcell *c, const struct iso_mcheck *k)
{
        struct iso_mcheck *a = realloc(c->checks, (c->n_checks + 1) * sizeof(*a));

        if (!a)
                return -1;
        c->checks = a;
        a[c->n_checks++] = *k;
        return 0;
}

static int is_attachment(const char *line, size_t len, const char **path, size_t *plen)
{
        static const char open[] = "[[ATTACHMENT|";

        if (len < sizeof(open) + 2 || strncmp(line, open, sizeof(open) - 1) ||
            strncmp(line + len - 2, "]]", 2))
                return 0;
        *path = line + sizeof(open) - 1;
        *plen = len - (sizeof(open) - 1) - 2;
        return 1;
}

/*
 * Split <system-out>: the case log, then (report_junit.c) "checks:" with a line per
 * check and "artifacts:" with "  path" lines. The last "checks:"/"artifacts:" header
 * line is the writer's; the log before it is the case's own. [[ATTACHMENT|path]] lines
 * (GitLab's form) anywhere are artifacts too and leave the log.
 */
static int parse_system_out(struct iso_mcell *c, const char *text, const char *junit_dir)
{
        const char *tail = NULL;
        size_t len = strlen(text);

        for (const char *p = text; p < text + len;) {
                const char *nl = memchr(p, '\n', (size_t)(text + len - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);

                if ((n == 7 && !strncmp(p, "checks:", 7)) ||
                    (n == 10 && !strncmp(p, "artifacts:", 10))) {
                        if (!tail || strncmp(p, "checks:", 7) == 0)
                                tail = p;
                }
                p += n + 1;
        }
        /* The log: everything before the tail, attachment lines left out. */
        FILE *f;
        char *log = NULL;
        size_t log_len = 0;
        const char *log_end = tail ? tail : text + len;

        f = open_memstream(&log, &log_len);
        if (!f)
                return -1;
        for (const char *p = text; p < log_end;) {
                const char *nl = memchr(p, '\n', (size_t)(log_end - p));
                size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(log_end - p);
                const char *ap;
                size_t an;

                if (is_attachment(p, nl ? n - 1 : n, &ap, &an)) {
                        if (add_artifact(c, ap, an, junit_dir) < 0) {
                                fclose(f);
                                free(log);
                                return -1;
                        }
                } else {
                        fwrite(p, 1, n, f);
                }
                p += n;
        }
        if (fclose(f) != 0) {
                free(log);
                return -1;
        }
        c->log = log;
        int section = 0; /* 1 checks, 2 artifacts */

        for (const char *p = tail; p && p < text + len;) {
                const char *nl = memchr(p, '\n', (size_t)(text + len - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
                const char *ap;
                size_t an;

                if (n == 7 && !strncmp(p, "checks:", 7)) {
                        section = 1;
                } else if (n == 10 && !strncmp(p, "artifacts:", 10)) {
                        section = 2;
                } else if (is_attachment(p, n, &ap, &an)) {
                        if (add_artifact(c, ap, an, junit_dir) < 0)
                                return -1;
                } else if (section == 1) {
                        struct iso_mcheck k;
                        long num;
                        int r = parse_check_line(p, n, &k, &num);

                        if (r < 0 || (r == 1 && push_check(c, &k) < 0))
                                return -1;
                } else if (section == 2 && n > 2 && !strncmp(p, "  ", 2)) {
                        if (add_artifact(c, p + 2, n - 2, junit_dir) < 0)
                                return -1;
                }
                p += n + 1;
        }
        return 0;
}

/*
 * The body of <failure>/<error>: "not ok N - what (where)" then "  expected: X" and
 * "  got: Y" per failed check. Fills expected/got of check N (1-based) of @c.
 */
static int parse_failure_body(struct iso_mcell *c, const char *body)
{
        long cur = -1;

        for (const char *p = body; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                struct iso_mcheck k;
                long num;
                int r = parse_check_line(p, n, &k, &num);

                if (r < 0)
                        return -1;
                if (r == 1) {
                        cur = num;
                        free(k.what);
                        free(k.where);
                        free(k.got);
                } else if (cur >= 1 && (size_t)cur <= c->n_checks) {
                        struct iso_mcheck *t = &c->checks[cur - 1];
                        char **slot = NULL;
                        size_t skip = 0;

                        if (n >= 12 && !strncmp(p, "  expected: ", 12)) {
                                slot = &t->expected;
                                skip = 12;
                        } else if (n >= 7 && !strncmp(p, "  got: ", 7)) {
                                slot = &t->got;
                                skip = 7;
                        }
                        if (slot && !*slot && !(*slot = xstrndup(p + skip, n - skip)))
                                return -1;
                }
                p = nl ? nl + 1 : p + n;
        }
        return 0;
}

/* ------------------------------------------------------------------- testcases */

/*
 * The row name: "classname.name" as isocheck splits it (report_junit.c: a name without
 * an inner dot is written whole as both). A merged report prefixes the classname with its
 * configuration ("vm-6.1-v2.cgroup.memory", harness/vm/junit.c): a prefix equal to the
 * suite's name or the column's label, followed by a dot, is removed.
 */
static int case_names(xmlNodePtr tc, const struct iso_mconfig *cfg, char **name, char **cls,
                      char **test)
{
        *cls = prop_str(tc, "classname");
        *test = prop_str(tc, "name");
        *name = NULL;
        if (!*cls)
                *cls = strdup("");
        if (!*test)
                *test = strdup("");
        if (!*cls || !*test)
                return -1;
        const char *prefixes[] = {cfg->suite, cfg->label};

        for (size_t i = 0; i < ISO_ARRAY_SIZE(prefixes); i++) {
                const char *pre = prefixes[i];
                size_t pn = pre ? strlen(pre) : 0;

                if (pn && !strncmp(*cls, pre, pn) && (*cls)[pn] == '.' && (*cls)[pn + 1]) {
                        memmove(*cls, *cls + pn + 1, strlen(*cls + pn + 1) + 1);
                        break;
                }
        }
        if (!strcmp(*cls, *test) || !**cls)
                *name = strdup(*test);
        else if (asprintf(name, "%s.%s", *cls, *test) < 0)
                *name = NULL;
        return *name ? 0 : -1;
}

static int read_testcase(struct build *b, xmlNodePtr tc, size_t col, const char *junit_dir)
{
        struct iso_matrix *m = b->m;
        char *name, *cls, *test;
        struct iso_mcase *row;

        if (case_names(tc, &m->configs[col], &name, &cls, &test) < 0) {
                free(cls);
                free(test);
                return -1;
        }
        row = find_case(m, name);
        /* The same case twice in one configuration: the second is a row of its own,
         * "name (2)", so that no verdict is hidden. */
        if (row && row->cells[col].verdict != ISO_MV_ABSENT) {
                char *base = name, *tbase = test;

                name = test = NULL;
                for (unsigned int k = 2; k < 100000; k++) {
                        free(name);
                        free(test);
                        name = test = NULL;
                        if (asprintf(&name, "%s (%u)", base, k) < 0 ||
                            asprintf(&test, "%s (%u)", tbase, k) < 0) {
                                free(base);
                                free(tbase);
                                goto nomem;
                        }
                        row = find_case(m, name);
                        if (!row || row->cells[col].verdict == ISO_MV_ABSENT)
                                break;
                }
                free(base);
                free(tbase);
        }
        if (!row) {
                row = new_case(b, name, cls, test);
                if (!row)
                        goto nomem;
        } else {
                free(name);
                free(cls);
                free(test);
        }
        name = cls = test = NULL;
        if (!row->file) {
                char *line = prop_str(tc, "line");

                row->file = prop_str(tc, "file");
                row->line = line ? strtol(line, NULL, 10) : 0;
                free(line);
        }
        struct iso_mcell *c = &row->cells[col];
        char *t = prop_str(tc, "time");

        c->verdict = ISO_MV_PASS;
        c->time_s = t ? strtod(t, NULL) : -1;
        free(t);
        for (xmlNodePtr k = tc->children; k; k = k->next) {
                enum iso_mverdict v;

                if (is_elem(k, "failure"))
                        v = ISO_MV_FAIL;
                else if (is_elem(k, "error"))
                        v = ISO_MV_ERROR;
                else if (is_elem(k, "skipped"))
                        v = ISO_MV_SKIP;
                else
                        continue;
                if (c->verdict == ISO_MV_PASS || v == ISO_MV_ERROR ||
                    (v == ISO_MV_FAIL && c->verdict == ISO_MV_SKIP)) {
                        free(c->message);
                        free(c->detail);
                        c->verdict = v;
                        c->message = prop_str(k, "message");
                        c->detail = content_str(k);
                }
        }
        for (xmlNodePtr k = tc->children; k; k = k->next) {
                if (!is_elem(k, "system-out"))
                        continue;
                char *out = content_str(k);

                if (!out || parse_system_out(c, out, junit_dir) < 0) {
                        free(out);
                        return -1;
                }
                free(out);
                break;
        }
        if (c->detail && (c->verdict == ISO_MV_FAIL || c->verdict == ISO_MV_ERROR) &&
            parse_failure_body(c, c->detail) < 0)
                return -1;
        return 0;
nomem:
        free(name);
        free(cls);
        free(test);
        return -1;
}

static int read_suite(struct build *b, xmlNodePtr suite, const char *source, const char *junit_dir)
{
        struct iso_mconfig *c = new_config(b);
        size_t col = b->m->n_configs - 1;

        if (!c)
                return -1;
        c->source = strdup(source);
        c->suite = prop_str(suite, "name");
        if (!c->source)
                return -1;
        for (xmlNodePtr k = suite->children; k; k = k->next) {
                if (!is_elem(k, "properties"))
                        continue;
                for (xmlNodePtr p = k->children; p; p = p->next) {
                        if (!is_elem(p, "property"))
                                continue;
                        char *name = prop_str(p, "name"), *value = prop_str(p, "value");
                        int rc = name ? add_prop(c, name, value) : 0;

                        free(name);
                        free(value);
                        if (rc < 0)
                                return -1;
                }
        }
        char *host = prop_str(suite, "hostname");
        int rc = make_label(b->m, col, host);

        free(host);
        if (rc < 0)
                return -1;
        for (xmlNodePtr k = suite->children; k; k = k->next)
                if (is_elem(k, "testcase") && read_testcase(b, k, col, junit_dir) < 0)
                        return -1;
        return 0;
}

/* libxml2 would print its errors on stderr: they are reported once, by the caller. */
static void quiet_structured(void *ctx, xmlErrorPtr err)
{
        (void)ctx;
        (void)err;
}

static int read_junit(struct build *b, const char *path, struct iso_err *e)
{
        xmlParserCtxtPtr ctx = xmlNewParserCtxt();
        xmlDocPtr doc = NULL;
        xmlNodePtr root;
        char *dir = NULL;
        size_t before = b->m->n_configs;
        int rc = -1;

        if (!ctx)
                return iso_errf(e, ENOMEM, "%s: libxml2 parser context", path);
        if (access(path, R_OK) != 0) {
                iso_errf(e, errno, "%s: cannot read the JUnit file", path);
                goto out;
        }
        xmlSetStructuredErrorFunc(NULL, quiet_structured);
        doc = xmlCtxtReadFile(ctx, path, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                      XML_PARSE_HUGE);
        xmlSetStructuredErrorFunc(NULL, NULL);
        if (!doc) {
                xmlErrorPtr x = xmlCtxtGetLastError(ctx);
                char msg[512] = "";

                if (x && x->message) {
                        iso_strlcpy(msg, x->message, sizeof(msg));
                        msg[strcspn(msg, "\n")] = '\0';
                }
                iso_err_setf(e, EBADMSG,
                             "%s:%d: expected an isocheck JUnit file (XML), libxml2 says: %s", path,
                             x ? x->line : 0, *msg ? msg : "no document");
                goto out;
        }
        root = xmlDocGetRootElement(doc);
        dir = iso_matrix_dirname(path);
        if (!dir) {
                iso_errf(e, ENOMEM, "%s", path);
                goto out;
        }
        if (is_elem(root, "testsuite")) {
                rc = read_suite(b, root, path, dir);
        } else if (is_elem(root, "testsuites")) {
                rc = 0;
                for (xmlNodePtr k = root->children; k && rc == 0; k = k->next)
                        if (is_elem(k, "testsuite"))
                                rc = read_suite(b, k, path, dir);
                if (rc == 0 && b->m->n_configs == before) {
                        iso_err_setf(e, EBADMSG,
                                     "%s:%ld: expected at least one <testsuite> in <testsuites>, "
                                     "found none",
                                     path, xmlGetLineNo(root));
                        goto out;
                }
        } else {
                iso_err_setf(e, EBADMSG,
                             "%s:%ld: expected <testsuites> or <testsuite> as the root element, "
                             "got <%s>",
                             path, root ? xmlGetLineNo(root) : 0L,
                             root ? (const char *)root->name : "nothing");
                goto out;
        }
        if (rc < 0)
                iso_errf(e, ENOMEM, "%s: reading the report", path);
out:
        free(dir);
        if (doc)
                xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctx);
        return rc;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A report directory: DIR/isocheck.junit.xml (the host run), then, one level down and in
 * name order, DIR/vm-*\/isocheck.junit.xml (check-vm's configurations) and
 * DIR/container/isocheck.junit.xml (check-container). check-vm's merged
 * isocheck-vm.junit.xml holds the same suites as the vm-* files and is not read twice.
 */
static int read_dir(struct build *b, const char *dir, struct iso_err *e)
{
        char path[PATH_MAX];
        char **subs = NULL;
        size_t n_subs = 0, found = 0;
        DIR *d;
        struct dirent *de;
        int rc = 0;

        if (iso_pathf(path, sizeof(path), "%s/isocheck.junit.xml", dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "%s", dir);
        if (file_exists(path)) {
                found++;
                if (read_junit(b, path, e) < 0)
                        return -1;
        }
        d = opendir(dir);
        if (!d)
                return iso_errf(e, errno, "opendir %s", dir);
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, "vm-", 3) && strcmp(de->d_name, "container"))
                        continue;
                char **s = realloc(subs, (n_subs + 1) * sizeof(*s));

                if (!s || !(s[n_subs] = strdup(de->d_name))) {
                        subs = s ? s : subs;
                        rc = iso_errf(e, ENOMEM, "listing %s", dir);
                        break;
                }
                subs = s;
                n_subs++;
        }
        closedir(d);
        if (subs)
                qsort(subs, n_subs, sizeof(*subs), cmp_str);
        for (size_t i = 0; rc == 0 && i < n_subs; i++) {
                if (iso_pathf(path, sizeof(path), "%s/%s/isocheck.junit.xml", dir, subs[i]) < 0) {
                        rc = iso_errf(e, ENAMETOOLONG, "%s/%s", dir, subs[i]);
                        break;
                }
                if (!file_exists(path))
                        continue;
                found++;
                rc = read_junit(b, path, e);
        }
        for (size_t i = 0; i < n_subs; i++)
                free(subs[i]);
        free(subs);
        if (rc == 0 && !found)
                rc = iso_err_setf(e, ENOENT,
                                  "%s: expected a report directory holding isocheck.junit.xml "
                                  "(or vm-*/ or container/ with one), found none",
                                  dir);
        return rc;
}

int iso_matrix_load(struct iso_matrix *m, char *const paths[], size_t n, struct iso_err *e)
{
        struct build b = {.m = m};
        struct stat st;

        m->baseline = -1;
        for (size_t i = 0; i < n; i++) {
                int rc;

                if (stat(paths[i], &st) != 0) {
                        iso_errf(e, errno, "%s: expected a JUnit file or a report directory",
                                 paths[i]);
                        goto fail;
                }
                rc = S_ISDIR(st.st_mode) ? read_dir(&b, paths[i], e) : read_junit(&b, paths[i], e);
                if (rc < 0)
                        goto fail;
        }
        if (!m->n_configs) {
                iso_err_setf(e, EINVAL,
                             "no report to read: give JUnit files or report "
                             "directories");
                goto fail;
        }
        if (iso_matrix_order(m) < 0) {
                iso_errf(e, ENOMEM, "ordering %zu rows", m->n_cases);
                goto fail;
        }
        return 0;
fail:
        iso_matrix_free(m);
        return -1;
}
