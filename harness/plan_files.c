// SPDX-License-Identifier: MIT
/*
 * The files a plan is built from (include/isocheck/plan_build.h): a report of an earlier
 * run to rerun what failed in it (isocheck's own TAP, or its JUnit read with libxml2), and a
 * skip file in the spirit of LTP's (a glob, then why).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "isocheck/plan_build.h"

void iso_named_lines_free(struct iso_named_line *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                free(v[i].name);
        free(v);
}

void iso_skip_rules_free(struct iso_skip_rule *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++) {
                free(v[i].glob);
                free(v[i].reason);
        }
        free(v);
}

/* A growing array of named lines; -1 when out of memory. */
struct names {
        struct iso_named_line *v;
        size_t n, cap;
};

static int names_add(struct names *ns, const char *name, size_t len, unsigned line)
{
        if (ns->n == ns->cap) {
                size_t cap = ns->cap ? ns->cap * 2 : 16;
                struct iso_named_line *v = realloc(ns->v, cap * sizeof(*v));
                if (!v)
                        return -1;
                ns->v = v;
                ns->cap = cap;
        }
        char *s = strndup(name, len);
        if (!s)
                return -1;
        ns->v[ns->n++] = (struct iso_named_line){s, line};
        return 0;
}

/* The first @max bytes of line @s, for a message: up to its end, control bytes as '?'. */
static void shown(char *out, size_t size, const char *s, size_t max)
{
        size_t i = 0;
        for (; i + 1 < size && i < max && s[i] && s[i] != '\n'; i++)
                out[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
        out[i] = '\0';
}

/* ---- TAP ------------------------------------------------------------------------------ */

/* "ok"/"not ok" at @s followed by a space or the end: returns what follows it, else NULL. */
static const char *after_word(const char *s, const char *word)
{
        size_t n = strlen(word);
        if (strncmp(s, word, n) || (s[n] && s[n] != ' ' && s[n] != '\t'))
                return NULL;
        return s + n;
}

/*
 * The description of a test point (the text after "ok"/"not ok"): the number and " - "
 * dropped, cut at the first unescaped '#' (a directive), "\#" and "\\" unescaped
 * (report_tap.c escapes both), trailing blanks dropped. @dir gets the directive's first
 * word, upper-cased ("SKIP", "TODO"), or "". Writes at most @size bytes to @out.
 */
static void tap_desc(const char *s, char *out, size_t size, char *dir, size_t dir_size)
{
        size_t o = 0;

        dir[0] = '\0';
        s += strspn(s, " \t");
        s += strspn(s, "0123456789");
        s += strspn(s, " \t");
        if (s[0] == '-' && (s[1] == ' ' || s[1] == '\t' || !s[1]))
                s += 1 + strspn(s + 1, " \t");
        for (; *s && *s != '\n'; s++) {
                if (*s == '\\' && (s[1] == '#' || s[1] == '\\')) {
                        s++;
                } else if (*s == '#') {
                        const char *d = s + 1 + strspn(s + 1, " \t");
                        size_t k = 0;
                        for (; k + 1 < dir_size && isalpha((unsigned char)d[k]); k++)
                                dir[k] = (char)toupper((unsigned char)d[k]);
                        dir[k] = '\0';
                        break;
                }
                if (o + 1 < size)
                        out[o++] = *s;
        }
        while (o && (out[o - 1] == ' ' || out[o - 1] == '\t'))
                o--;
        out[o] = '\0';
}

/* Whether @s (one line, no indentation) is a TAP line other than a test point. */
static int tap_other_line(const char *s)
{
        return !*s || *s == '#' || !strncmp(s, "TAP version ", 12) || !strncmp(s, "1..", 3) ||
               !strncmp(s, "Bail out!", 9) || !strncmp(s, "pragma ", 7);
}

static long tap_failed(const char *path, char *text, struct names *ns, size_t *total,
                       struct iso_err *e)
{
        unsigned line = 0;
        int framed = 0; /* a version line or a plan was seen */

        for (char *s = text, *next; s && *s; s = next) {
                line++;
                next = strchr(s, '\n');
                if (next)
                        *next++ = '\0';
                size_t len = strlen(s);
                if (len && s[len - 1] == '\r')
                        s[--len] = '\0';
                /* Subtests, YAML blocks and continuation are indented: not the case's own. */
                if (*s == ' ' || *s == '\t')
                        continue;
                const char *rest = after_word(s, "not ok");
                int failed = rest != NULL;
                if (!rest)
                        rest = after_word(s, "ok");
                if (!rest) {
                        if (tap_other_line(s)) {
                                framed |= !strncmp(s, "TAP version ", 12) || !strncmp(s, "1..", 3);
                                continue;
                        }
                        char got[64];
                        shown(got, sizeof(got), s, 60);
                        return iso_err_setf(e, EBADMSG,
                                            "%s:%u: expected a TAP line (a version, a plan, "
                                            "\"ok\", \"not ok\", a # comment), got \"%s\"",
                                            path, line, got);
                }
                (*total)++;
                char desc[512], dir[16];
                tap_desc(rest, desc, sizeof(desc), dir, sizeof(dir));
                /* "not ok ... # SKIP" and "# TODO" are no failure (TAP 14). */
                if (!failed || !strcmp(dir, "SKIP") || !strcmp(dir, "TODO"))
                        continue;
                if (!*desc)
                        return iso_err_setf(e, EBADMSG,
                                            "%s:%u: expected a case name after \"not ok N -\", "
                                            "got none",
                                            path, line);
                if (names_add(ns, desc, strlen(desc), line) < 0)
                        return iso_errf(e, ENOMEM, "%s:%u", path, line);
        }
        if (!framed)
                return iso_err_setf(e, EBADMSG,
                                    "%s:1: expected a TAP report (\"TAP version\" or a plan "
                                    "\"1..N\") or a JUnit XML report, found neither",
                                    path);
        return (long)ns->n;
}

/* ---- JUnit ---------------------------------------------------------------------------- */

static int has_child(xmlNode *n, const char *a, const char *b)
{
        for (xmlNode *c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE &&
                    (!xmlStrcmp(c->name, BAD_CAST a) || !xmlStrcmp(c->name, BAD_CAST b)))
                        return 1;
        return 0;
}

/* Every <testcase> below @n, in document order. */
static int junit_walk(const char *path, xmlNode *n, struct names *ns, size_t *total,
                      struct iso_err *e)
{
        for (; n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE)
                        continue;
                if (xmlStrcmp(n->name, BAD_CAST "testcase")) {
                        if (junit_walk(path, n->children, ns, total, e) < 0)
                                return -1;
                        continue;
                }
                (*total)++;
                if (!has_child(n, "failure", "error"))
                        continue;
                unsigned line = (unsigned)xmlGetLineNo(n);
                xmlChar *cls = xmlGetProp(n, BAD_CAST "classname");
                xmlChar *name = xmlGetProp(n, BAD_CAST "name");
                int rc = 0;
                if (!name || !*name) {
                        rc = iso_err_setf(e, EBADMSG,
                                          "%s:%u: expected a name=\"...\" on the failed "
                                          "<testcase>, got none",
                                          path, line);
                } else {
                        /* report_junit.c writes classname "area.topic" and name the rest, or
                         * the whole name twice when it has no inner dot. */
                        char *full = NULL;
                        if (cls && *cls && xmlStrcmp(cls, name))
                                rc = asprintf(&full, "%s.%s", (const char *)cls,
                                              (const char *)name) < 0
                                             ? -1
                                             : 0;
                        else
                                full = strdup((const char *)name);
                        /* "&#10;" and the like: no case name holds one, and a message
                         * quoting the name must stay on its line. */
                        for (char *c = full; rc == 0 && c && *c; c++)
                                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                                        *c = '?';
                        if (rc < 0 || !full || names_add(ns, full, strlen(full), line) < 0)
                                rc = iso_errf(e, ENOMEM, "%s:%u", path, line);
                        free(full);
                }
                xmlFree(cls);
                xmlFree(name);
                if (rc < 0)
                        return -1;
        }
        return 0;
}

/* libxml2 goes on after an error and keeps the last one: the first says where it broke. */
static void keep_first_error(void *arg, xmlErrorPtr err)
{
        xmlParserCtxtPtr ctxt = arg;
        xmlError *first = ctxt->_private;

        if (first && !first->code && err) {
                first->code = err->code ? err->code : -1;
                first->line = err->line;
                first->message = err->message ? strdup(err->message) : NULL;
        }
}

static long junit_failed(const char *path, const char *text, size_t len, struct names *ns,
                         size_t *total, struct iso_err *e)
{
        xmlError first = {0};
        xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
        if (!ctxt)
                return iso_errf(e, ENOMEM, "%s: an XML parser", path);
        ctxt->_private = &first;
        ctxt->sax->serror = keep_first_error; /* called with ctxt->userData: ctxt itself */
        /* NOERROR/NOWARNING: libxml2 would print; the error is read back and returned. */
        xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text, (int)len, path, NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                  XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
        long rc = -1;
        if (!doc) {
                const xmlError *xe = first.code ? &first : xmlCtxtGetLastError(ctxt);
                char msg[200] = "not well-formed";
                if (xe && xe->message)
                        shown(msg, sizeof(msg), xe->message, sizeof(msg) - 1);
                iso_err_setf(e, EBADMSG, "%s:%d: expected a well-formed JUnit XML report: %s", path,
                             xe ? xe->line : 0, msg);
                goto out;
        }
        xmlNode *root = xmlDocGetRootElement(doc);
        if (!root || (xmlStrcmp(root->name, BAD_CAST "testsuites") &&
                      xmlStrcmp(root->name, BAD_CAST "testsuite"))) {
                iso_err_setf(e, EBADMSG,
                             "%s:%ld: expected <testsuites> or <testsuite> as the root of a "
                             "JUnit report, got <%s>",
                             path, root ? xmlGetLineNo(root) : 0L,
                             root ? (const char *)root->name : "nothing");
                goto out;
        }
        if (junit_walk(path, root, ns, total, e) == 0)
                rc = (long)ns->n;
out:
        if (doc)
                xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        free(first.message);
        return rc;
}

long iso_report_failed(const char *path, struct iso_named_line **out, size_t *total,
                       struct iso_err *e)
{
        struct names ns = {0};
        size_t len = 0;
        long rc;

        *out = NULL;
        *total = 0;
        iso_autofree char *text = iso_read_file(path, &len, e);
        if (!text)
                return -1;
        if (memchr(text, '\0', len))
                return iso_err_setf(e, EBADMSG,
                                    "%s: expected a TAP or JUnit XML report (text), got a "
                                    "NUL byte at offset %zu",
                                    path, (size_t)((char *)memchr(text, '\0', len) - text));
        const char *first = text + strspn(text, " \t\r\n");
        /* "<?xml" or "<testsuites": XML; anything else is taken for TAP and checked as such. */
        if (*first == '<' || !strncmp(first, "\xef\xbb\xbf<", 4))
                rc = junit_failed(path, text, len, &ns, total, e);
        else
                rc = tap_failed(path, text, &ns, total, e);
        if (rc < 0) {
                iso_named_lines_free(ns.v, ns.n);
                return -1;
        }
        *out = ns.v;
        return rc;
}

/* ---- skip file ------------------------------------------------------------------------ */

long iso_skip_file_read(const char *path, struct iso_skip_rule **out, struct iso_err *e)
{
        struct iso_skip_rule *v = NULL;
        size_t n = 0, cap = 0, len = 0;
        unsigned line = 0;

        *out = NULL;
        iso_autofree char *text = iso_read_file(path, &len, e);
        if (!text)
                return -1;
        if (memchr(text, '\0', len))
                return iso_err_setf(e, EBADMSG,
                                    "%s: expected text lines \"GLOB reason\", got a "
                                    "NUL byte",
                                    path);
        for (char *s = text, *next; s && *s; s = next) {
                line++;
                next = strchr(s, '\n');
                if (next)
                        *next++ = '\0';
                s += strspn(s, " \t");
                size_t l = strlen(s);
                while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
                        s[--l] = '\0';
                if (!*s || *s == '#')
                        continue;
                size_t glob_len = strcspn(s, " \t");
                const char *reason = s + glob_len + strspn(s + glob_len, " \t");
                if (!*reason) {
                        char got[64];
                        shown(got, sizeof(got), s, 60);
                        iso_skip_rules_free(v, n);
                        return iso_err_setf(e, EINVAL,
                                            "%s:%u: expected GLOB and a reason (a skip always "
                                            "says why), got \"%s\"",
                                            path, line, got);
                }
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        struct iso_skip_rule *nv = realloc(v, cap * sizeof(*nv));
                        if (!nv) {
                                iso_skip_rules_free(v, n);
                                return iso_errf(e, ENOMEM, "%s:%u", path, line);
                        }
                        v = nv;
                }
                v[n] = (struct iso_skip_rule){strndup(s, glob_len), strdup(reason), line};
                if (!v[n].glob || !v[n].reason) {
                        iso_skip_rules_free(v, n + 1);
                        return iso_errf(e, ENOMEM, "%s:%u", path, line);
                }
                n++;
        }
        *out = v;
        return (long)n;
}
