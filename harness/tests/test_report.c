// SPDX-License-Identifier: MIT
/*
 * Unit tests for the UTF-8 decoder and the TAP and JUnit writers.
 *
 * The writers' promise is that no string a case records can break a report, so most of
 * these tests push hostile strings through both writers and check the output's shape
 * with checkers written here, independently of the writers' own escaping code: TAP line
 * shapes, YAML scalars, UTF-8 validity (with iconv, not iso_utf8_next), and XML
 * well-formedness and schema validity (in process with libxml2's xmlSchemaValidateDoc, and
 * with xmllint too when it is installed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isocheck/cli.h"
#include "isocheck/install.h"
#include "isocheck/recover.h"
#include "isocheck/report.h"
#include "isocheck/runner.h"
#include "isocheck/text.h"
#include "isocheck/util.h"
#include "junit10.h"

/* Schemas, relative to the source tree the tests are run from (see the build line). */
#define OWN_SCHEMA "fixtures/schemas/isocheck-junit.xsd"
#define JENKINS_SCHEMA "../shared/schemas/junit-10.xsd"

/* ---------------------------------------------------------------- helpers */

/* A memory stream, so the writers run exactly as they do on a file. */
struct mem {
        char *buf;
        size_t len;
        FILE *f;
};

static void mem_open(struct mem *m)
{
        m->buf = NULL;
        m->len = 0;
        m->f = open_memstream(&m->buf, &m->len);
        assert_non_null(m->f);
}

static char *mem_close(struct mem *m)
{
        assert_int_equal(fclose(m->f), 0);
        m->f = NULL;
        return m->buf;
}

static char *tap_of(const struct iso_result *r, int version, int verbose)
{
        struct mem m;
        struct iso_tap tap;

        mem_open(&m);
        tap.out = m.f;
        tap.version = version;
        tap.verbose = verbose;
        assert_int_equal(iso_tap_begin(&tap, 1), 0);
        assert_int_equal(iso_tap_case(&tap, 1, r), 0);
        return mem_close(&m);
}

static char *junit_of(const struct iso_run *run)
{
        struct mem m;

        mem_open(&m);
        assert_int_equal(iso_junit_write(m.f, run), 0);
        return mem_close(&m);
}

static char *desc_of(const char *s)
{
        struct mem m;

        mem_open(&m);
        assert_int_equal(iso_tap_put_desc(m.f, s), 0);
        return mem_close(&m);
}

static char *xml_of(const char *s, int attr)
{
        struct mem m;

        mem_open(&m);
        assert_int_equal(iso_xml_put(m.f, s, attr), 0);
        return mem_close(&m);
}

/* Strict UTF-8 by glibc's iconv, a decoder these tests did not write. */
static int utf8_valid(const char *s, size_t n)
{
        iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
        char *in = (char *)s, out[4096];
        size_t left = n;
        int ok = 1;

        assert_true(cd != (iconv_t)-1);
        while (left) {
                char *o = out;
                size_t room = sizeof(out);

                if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG) {
                        ok = 0;
                        break;
                }
        }
        iconv_close(cd);
        return ok;
}

static size_t count_str(const char *hay, const char *needle)
{
        size_t n = 0;

        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* Fill a result from one string, truncated to each fixed field like a case would record it. */
static void fill_result(struct iso_result *r, const char *name, const char *s, enum iso_verdict v)
{
        memset(r, 0, sizeof(*r));
        r->name = name;
        r->summary = s;
        r->verdict = v;
        r->duration_s = 0.25;
        snprintf(r->message, sizeof(r->message), "%s", s);
        snprintf(r->where, sizeof(r->where), "%s", s);
        for (size_t i = 0; i < 2; i++) {
                struct iso_check_rec *c = &r->checks[i];

                c->ok = i == 0;
                c->line = 10 + (int)i;
                snprintf(c->file, sizeof(c->file), "%s", s);
                snprintf(c->what, sizeof(c->what), "%s", s);
                snprintf(c->expected, sizeof(c->expected), "%s", s);
                snprintf(c->got, sizeof(c->got), "%s", s);
        }
        r->n_checks = 2;
        snprintf(r->artifacts[0], sizeof(r->artifacts[0]), "%s", s);
        r->n_artifacts = 1;
        r->log = (char *)s;
}

/* ---------------------------------------------------------------- TAP shape checker */

/* A YAML double-quoted scalar as the writer must produce it: only known escapes. */
static int yaml_qq_ok(const char *p)
{
        if (*p++ != '"')
                return 0;
        while (*p && *p != '"') {
                if (*p != '\\') {
                        p++;
                        continue;
                }
                p++;
                if (strchr("\\\"ntr", *p) && *p) {
                        p++;
                } else if (*p == 'x') {
                        for (int i = 1; i <= 2; i++)
                                if (!strchr("0123456789abcdef", p[i]) || !p[i])
                                        return 0;
                        p += 3;
                } else if (*p == 'u') {
                        for (int i = 1; i <= 4; i++)
                                if (!strchr("0123456789abcdef", p[i]) || !p[i])
                                        return 0;
                        p += 5;
                } else {
                        return 0;
                }
        }
        return p[0] == '"' && p[1] == '\0';
}

/*
 * "ok N", "not ok N", optionally " - desc" where '#' and '\' only appear escaped, and
 * optionally " # SKIP reason". Sets *skip when the directive is there.
 */
static int point_ok(const char *p, int *skip)
{
        *skip = 0;
        if (!strncmp(p, "not ok ", 7))
                p += 7;
        else if (!strncmp(p, "ok ", 3))
                p += 3;
        else
                return 0;
        if (*p < '0' || *p > '9')
                return 0;
        while (*p >= '0' && *p <= '9')
                p++;
        if (!strncmp(p, " - ", 3)) {
                p += 3;
                while (*p && *p != '#') {
                        if (*p == '\\') {
                                if (!p[1])
                                        return 0;
                                p++;
                        }
                        p++;
                }
                if (*p == '#')
                        p--; /* the directive's leading space belongs to it */
        }
        if (!*p)
                return 1;
        if (strncmp(p, " # SKIP", 7) || (p[7] && p[7] != ' '))
                return 0;
        *skip = 1;
        return 1;
}

/* YAML lines between "---" and "...": `key: "qq"`, `key: 1.234`, `key:`, `  - "qq"`. */
static int yaml_line_ok(const char *p)
{
        const char *k = p;

        if (!strncmp(p, "  - ", 4))
                return yaml_qq_ok(p + 4);
        while ((*k >= 'a' && *k <= 'z') || *k == '_')
                k++;
        if (k == p || *k != ':')
                return 0;
        k++;
        if (!*k)
                return 1;
        if (*k++ != ' ')
                return 0;
        if (*k == '"')
                return yaml_qq_ok(k);
        while (*k >= '0' && *k <= '9')
                k++;
        return k[0] == '.' && k[1] >= '0' && k[1] <= '9' && k[2] >= '0' && k[2] <= '9' &&
               k[3] >= '0' && k[3] <= '9' && !k[4];
}

struct tap_shape {
        size_t points, sub_points, sub_plans, yaml_blocks, skips;
};

/*
 * Check every line of a TAP document (as written for one or more cases) against the
 * shapes the writer may produce: version, plan, comment, point, subtest plan and point,
 * YAML blocks directly under a point, Bail out!. Fails the test on the first other line.
 */
static void check_tap(const char *doc, struct tap_shape *st)
{
        char *copy = strdup(doc), *line, *next;
        int lineno = 0, prev_point_indent = -1, in_yaml = -1;

        assert_non_null(copy);
        memset(st, 0, sizeof(*st));
        assert_true(doc[0] && doc[strlen(doc) - 1] == '\n');
        for (line = copy; *line; line = next) {
                int skip, ok = 0;

                next = strchr(line, '\n');
                *next++ = '\0';
                lineno++;
                if (lineno == 1) {
                        ok = !strcmp(line, "TAP version 14") || !strcmp(line, "TAP version 13");
                } else if (in_yaml >= 0) {
                        size_t ind = (size_t)in_yaml + 2;

                        ok = strlen(line) > ind && strspn(line, " ") >= ind;
                        if (ok && !strcmp(line + ind, "...")) {
                                in_yaml = -1;
                                prev_point_indent = -1;
                        } else if (ok) {
                                ok = yaml_line_ok(line + ind);
                        }
                } else if (!strncmp(line, "    ", 4)) {
                        if (!strncmp(line + 4, "1..", 3)) {
                                ok = strspn(line + 7, "0123456789") == strlen(line + 7) && line[7];
                                st->sub_plans++;
                        } else if (!strcmp(line, "      ---")) {
                                ok = prev_point_indent == 4;
                                in_yaml = 4;
                                st->yaml_blocks++;
                        } else {
                                ok = point_ok(line + 4, &skip);
                                prev_point_indent = 4;
                                st->sub_points++;
                        }
                } else if (!strcmp(line, "  ---")) {
                        ok = prev_point_indent == 0;
                        in_yaml = 0;
                        st->yaml_blocks++;
                } else if (line[0] == '#') {
                        ok = line[1] == '\0' || line[1] == ' ' || !strncmp(line, "# Subtest", 9);
                        prev_point_indent = -1;
                } else if (!strncmp(line, "1..", 3)) {
                        ok = lineno == 2 && line[3] &&
                             strspn(line + 3, "0123456789") == strlen(line + 3);
                } else if (!strncmp(line, "Bail out!", 9)) {
                        ok = line[9] == '\0' || line[9] == ' ';
                } else {
                        ok = point_ok(line, &skip);
                        prev_point_indent = 0;
                        st->points++;
                        st->skips += skip;
                }
                if (!ok)
                        fail_msg("TAP line %d has no valid shape: \"%s\"", lineno, line);
        }
        assert_int_equal(in_yaml, -1);
        free(copy);
}

/* No raw control character but the line feeds, no C1 control, valid UTF-8. */
static void check_tap_bytes(const char *doc)
{
        size_t n = strlen(doc);

        for (size_t i = 0; i < n; i++) {
                unsigned char b = (unsigned char)doc[i];

                if ((b < 0x20 && b != '\n') || b == 0x7F)
                        fail_msg("raw control byte 0x%02x at offset %zu of TAP", b, i);
                if (b == 0xC2 && i + 1 < n && (unsigned char)doc[i + 1] >= 0x80 &&
                    (unsigned char)doc[i + 1] <= 0x9F)
                        fail_msg("raw C1 control at offset %zu of TAP", i);
        }
        assert_true(utf8_valid(doc, n));
}

/* ---------------------------------------------------------------- XML checkers */

/*
 * Byte-level well-formedness hazards: invalid UTF-8, characters outside XML 1.0's Char,
 * a CDATA end marker, raw CR, and white space inside a tag (attribute values must carry
 * it as references). Text never holds a raw '<' or '>', so everything between them is a tag.
 */
static void check_xml_bytes(const char *doc)
{
        size_t n = strlen(doc);
        int in_tag = 0;

        assert_true(utf8_valid(doc, n));
        assert_null(strstr(doc, "]]>"));
        assert_null(strstr(doc, "\xEF\xBF\xBE"));
        assert_null(strstr(doc, "\xEF\xBF\xBF"));
        for (size_t i = 0; i < n; i++) {
                unsigned char b = (unsigned char)doc[i];

                if (b < 0x20 && b != '\n' && b != '\t')
                        fail_msg("byte 0x%02x at offset %zu of XML", b, i);
                if (b == '<') {
                        assert_false(in_tag);
                        in_tag = 1;
                } else if (b == '>') {
                        assert_true(in_tag);
                        in_tag = 0;
                } else if (in_tag && (b == '\n' || b == '\t')) {
                        fail_msg("raw white space 0x%02x inside a tag at offset %zu", b, i);
                }
        }
        assert_false(in_tag);
}

static int have_xmllint(void)
{
        return system("command -v xmllint >/dev/null 2>&1") == 0;
}

/*
 * @doc parsed and validated in process (libxml2: xmlReadMemory, xmlSchemaValidateDoc)
 * against the project's schema, which must be there, and Jenkins' junit-10.xsd when it is
 * (CI has ../shared/schemas beside the clone). Fails the test on any complaint.
 */
static void schema_check(const char *doc)
{
        const char *schemas[] = {OWN_SCHEMA, JENKINS_SCHEMA};
        xmlDocPtr xml = xmlReadMemory(doc, (int)strlen(doc), "report.xml", NULL, XML_PARSE_NONET);

        if (!xml)
                fail_msg("libxml2 could not parse the report:\n%s", doc);
        assert_int_equal(access(OWN_SCHEMA, R_OK), 0);
        for (size_t i = 0; i < 2; i++) {
                if (access(schemas[i], R_OK))
                        continue;
                if (i == 1) {
                        /* Jenkins' schema sees the document less isocheck's extensions. */
                        char *view = junit10_view(doc);

                        assert_non_null(view);
                        xmlFreeDoc(xml);
                        xml = xmlReadMemory(view, (int)strlen(view), "junit10.xml", NULL,
                                            XML_PARSE_NONET);
                        free(view);
                        assert_non_null(xml);
                }
                xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(schemas[i]);
                assert_non_null(pc);
                xmlSchemaPtr schema = xmlSchemaParse(pc);
                if (!schema)
                        fail_msg("libxml2 could not read the schema %s", schemas[i]);
                xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
                assert_non_null(vc);
                int rc = xmlSchemaValidateDoc(vc, xml);
                xmlSchemaFreeValidCtxt(vc);
                xmlSchemaFree(schema);
                xmlSchemaFreeParserCtxt(pc);
                if (rc != 0)
                        fail_msg("the report does not validate against %s (xmlSchemaValidateDoc "
                                 "gave %d):\n%s",
                                 schemas[i], rc, doc);
        }
        xmlFreeDoc(xml);
}

/*
 * @doc validated in process (schema_check), then by xmllint: well-formedness, and each
 * schema that exists. Returns the schemas xmllint used, -1 without xmllint.
 */
static int xmllint_check(const char *doc)
{
        char dir[] = "/tmp/isocheck-test-XXXXXX", path[64], cmd[512];
        const char *schemas[] = {OWN_SCHEMA, JENKINS_SCHEMA};
        int used = 0;
        FILE *f;

        schema_check(doc);
        if (!have_xmllint())
                return -1;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/report.xml", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fputs(doc, f) < 0, 0);
        assert_int_equal(fclose(f), 0);
        snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
        assert_int_equal(system(cmd), 0);
        for (size_t i = 0; i < 2; i++) {
                if (access(schemas[i], R_OK))
                        continue;
                if (i == 1) {
                        /* Jenkins' schema sees the document less isocheck's extensions. */
                        char *view = junit10_view(doc);

                        assert_non_null(view);
                        f = fopen(path, "w");
                        assert_non_null(f);
                        assert_int_equal(fputs(view, f) < 0, 0);
                        assert_int_equal(fclose(f), 0);
                        free(view);
                }
                snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' 2>/dev/null",
                         schemas[i], path);
                if (system(cmd)) {
                        /* Again with xmllint's complaints shown, and the file kept. */
                        snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s'", schemas[i],
                                 path);
                        assert_int_not_equal(system(cmd), -1);
                        fail_msg("%s does not validate against %s", path, schemas[i]);
                }
                used++;
        }
        unlink(path);
        rmdir(dir);
        return used;
}

/* The value of attribute @key in the first tag that starts with @tag. Caller frees. */
static char *attr_of(const char *doc, const char *tag, const char *key)
{
        const char *t = strstr(doc, tag), *end, *a, *q;
        char pat[64];

        assert_non_null(t);
        end = strchr(t, '>');
        snprintf(pat, sizeof(pat), " %s=\"", key);
        a = strstr(t, pat);
        if (!a || a > end)
                return NULL;
        a += strlen(pat);
        q = strchr(a, '"');
        return strndup(a, (size_t)(q - a));
}

/* ---------------------------------------------------------------- UTF-8 */

struct utf8_case {
        const char *in;
        size_t n;
        uint32_t cp;
        size_t used;
};

static void test_utf8_valid(void **state)
{
        static const struct utf8_case cases[] = {
                {"A", 1, 'A', 1},
                {"\x00", 1, 0, 1},
                {"\x7f", 1, 0x7F, 1},
                {"\xc2\x80", 2, 0x80, 2},
                {"\xdf\xbf", 2, 0x7FF, 2},
                {"\xe0\xa0\x80", 3, 0x800, 3},
                {"\xe2\x82\xac", 3, 0x20AC, 3},
                {"\xed\x9f\xbf", 3, 0xD7FF, 3},
                {"\xee\x80\x80", 3, 0xE000, 3},
                {"\xef\xbf\xbd", 3, 0xFFFD, 3},
                {"\xef\xbf\xbf", 3, 0xFFFF, 3},
                {"\xf0\x90\x80\x80", 4, 0x10000, 4},
                {"\xf0\x9f\x98\x80", 4, 0x1F600, 4},
                {"\xf4\x8f\xbf\xbf", 4, 0x10FFFF, 4},
                {"\xc3\xa9xyz", 5, 0xE9, 2}, /* stops after one code point */
        };
        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(cases); i++) {
                uint32_t cp = 0;
                size_t used = iso_utf8_next((const unsigned char *)cases[i].in, cases[i].n, &cp);

                assert_int_equal(used, cases[i].used);
                assert_int_equal(cp, cases[i].cp);
        }
}

static void test_utf8_invalid(void **state)
{
        /* Each must give U+FFFD and consume exactly one byte. */
        static const struct {
                const char *in;
                size_t n;
        } cases[] = {
                {"\x80", 1}, /* stray continuation */
                {"\xbf", 1},
                {"\xc0\xaf", 2},     /* overlong '/' */
                {"\xc1\xbf", 2},     /* overlong 2-byte */
                {"\xe0\x80\xaf", 3}, /* overlong 3-byte */
                {"\xe0\x9f\xbf", 3},
                {"\xf0\x80\x80\xaf", 4}, /* overlong 4-byte */
                {"\xf0\x8f\xbf\xbf", 4},
                {"\xed\xa0\x80", 3},     /* U+D800 */
                {"\xed\xbf\xbf", 3},     /* U+DFFF */
                {"\xed\xb0\x80", 3},     /* U+DC00 */
                {"\xf4\x90\x80\x80", 4}, /* U+110000 */
                {"\xf5\x80\x80\x80", 4},
                {"\xf8\x88\x80\x80\x80", 5}, /* old 5-byte form */
                {"\xfe", 1},
                {"\xff", 1},
                {"\xe2\x82", 2}, /* truncated by the end of input */
                {"\xf0\x9f\x98", 3},
                {"\xc3", 1},
                {"\xe2\x41\x42", 3}, /* truncated by a non-continuation */
                {"\xf0\x9f\x41\x80", 4},
                {"\xc3\xa9", 1}, /* valid, but @n cuts it */
                {"\xe2\x82\xac", 2},
        };
        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(cases); i++) {
                uint32_t cp = 0;
                size_t used = iso_utf8_next((const unsigned char *)cases[i].in, cases[i].n, &cp);

                if (used != 1 || cp != ISO_REPLACEMENT_CHAR)
                        fail_msg("case %zu: used %zu cp U+%04X", i, used, (unsigned int)cp);
        }
}

/* A truncated sequence in the middle of a string resynchronises on the next byte. */
static void test_utf8_resync(void **state)
{
        const unsigned char s[] = "\xe2\x82"
                                  "A\xed\xa0\x80"
                                  "B";
        const uint32_t want[] = {0xFFFD, 0xFFFD, 'A', 0xFFFD, 0xFFFD, 0xFFFD, 'B'};
        size_t i = 0, k = 0, n = sizeof(s) - 1;

        (void)state;
        while (i < n) {
                uint32_t cp;

                assert_true(k < ISO_ARRAY_SIZE(want));
                i += iso_utf8_next(s + i, n - i, &cp);
                assert_int_equal(cp, want[k++]);
        }
        assert_int_equal(k, ISO_ARRAY_SIZE(want));
}

static void test_utf8_roundtrip(void **state)
{
        char buf[4];

        (void)state;
        for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
                uint32_t back;
                size_t n, used;

                if (cp >= 0xD800 && cp <= 0xDFFF)
                        continue;
                n = iso_utf8_put(cp, buf);
                assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
                used = iso_utf8_next((unsigned char *)buf, n, &back);
                if (used != n || back != cp)
                        fail_msg("U+%04X: used %zu of %zu, back U+%04X", (unsigned int)cp, used, n,
                                 (unsigned int)back);
        }
        /* What cannot be encoded is replaced rather than written ill-formed. */
        assert_int_equal(iso_utf8_put(0xD800, buf), 3);
        assert_memory_equal(buf, "\xef\xbf\xbd", 3);
        assert_int_equal(iso_utf8_put(0x110000, buf), 3);
        assert_memory_equal(buf, "\xef\xbf\xbd", 3);
}

/* ---------------------------------------------------------------- verdicts */

static void test_verdict_names(void **state)
{
        (void)state;
        assert_string_equal(iso_verdict_name(ISO_PASS), "pass");
        assert_string_equal(iso_verdict_name(ISO_FAIL), "fail");
        assert_string_equal(iso_verdict_name(ISO_SKIP), "skip");
        assert_string_equal(iso_verdict_name(ISO_ERROR), "error");
        assert_non_null(iso_verdict_name((enum iso_verdict)42));
}

static void test_run_count(void **state)
{
        static struct iso_result res[7];
        const enum iso_verdict v[] = {ISO_PASS, ISO_FAIL, ISO_SKIP,           ISO_ERROR,
                                      ISO_PASS, ISO_FAIL, (enum iso_verdict)9};
        struct iso_run run = {.results = res, .n_results = 7};
        size_t counts[4] = {99, 99, 99, 99};

        (void)state;
        for (size_t i = 0; i < 7; i++)
                res[i].verdict = v[i];
        iso_run_count(&run, counts);
        assert_int_equal(counts[ISO_PASS], 2);
        assert_int_equal(counts[ISO_FAIL], 2);
        assert_int_equal(counts[ISO_SKIP], 1);
        assert_int_equal(counts[ISO_ERROR], 2); /* the out-of-range one counts as an error */

        run.n_results = 0;
        iso_run_count(&run, counts);
        assert_int_equal(counts[0] + counts[1] + counts[2] + counts[3], 0);
}

/* ---------------------------------------------------------------- TAP */

static void test_tap_desc_escaping(void **state)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                {"plain name", "plain name"},
                {"", ""},
                {"a#b", "a\\#b"},
                {"# SKIP not really", "\\# SKIP not really"},
                {"back\\slash", "back\\\\slash"},
                {"\\#", "\\\\\\#"},
                {"line\nbreak", "line\\x0abreak"},
                {"cr\rtab\t", "cr\\x0dtab\\x09"},
                {"\x01\x1f\x7f", "\\x01\\x1f\\x7f"},
                {"nel\xc2\x85", "nel\\x85"},
                {"ls\xe2\x80\xa8", "ls\\u2028"},
                {"\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd"},
                {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},
                {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
                {"\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd"},
                {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
                {"not ok 3 - x", "not ok 3 - x"},
                {"]]><&\"'", "]]><&\"'"},
        };
        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(cases); i++) {
                char *got = desc_of(cases[i].in);

                assert_string_equal(got, cases[i].out);
                free(got);
        }
}

static struct iso_result *new_result(void)
{
        struct iso_result *r = calloc(1, sizeof(*r));

        assert_non_null(r);
        return r;
}

static void add_check(struct iso_result *r, int ok, const char *what, const char *exp,
                      const char *got)
{
        struct iso_check_rec *c = &r->checks[r->n_checks++];

        c->ok = ok;
        c->line = 7;
        snprintf(c->file, sizeof(c->file), "cases/x.c");
        snprintf(c->what, sizeof(c->what), "%s", what);
        snprintf(c->expected, sizeof(c->expected), "%s", exp);
        snprintf(c->got, sizeof(c->got), "%s", got);
}

static void test_tap_layout(void **state)
{
        struct iso_result *r = new_result();
        char *out;

        (void)state;
        r->name = "pidns.init.pid1";
        r->verdict = ISO_FAIL;
        r->duration_s = 0.5;
        add_check(r, 1, "pid is 1", "1", "1");
        add_check(r, 0, "ppid is 0", "0", "\"42\"");
        snprintf(r->where, sizeof(r->where), "cases/x.c:7");
        out = tap_of(r, 14, 0);
        assert_string_equal(out, "TAP version 14\n"
                                 "1..1\n"
                                 "# Subtest: pidns.init.pid1\n"
                                 "    1..2\n"
                                 "    ok 1 - pid is 1\n"
                                 "    not ok 2 - ppid is 0\n"
                                 "      ---\n"
                                 "      message: \"ppid is 0\"\n"
                                 "      expected: \"0\"\n"
                                 "      got: \"\\\"42\\\"\"\n"
                                 "      at: \"cases/x.c:7\"\n"
                                 "      ...\n"
                                 "not ok 1 - pidns.init.pid1\n"
                                 "  ---\n"
                                 "  message: \"1 of 2 checks failed\"\n"
                                 "  severity: \"fail\"\n"
                                 "  at: \"cases/x.c:7\"\n"
                                 "  duration_s: 0.500\n"
                                 "  ...\n");
        free(out);

        r->verdict = ISO_PASS;
        r->checks[1].ok = 1;
        out = tap_of(r, 13, 0);
        assert_non_null(strstr(out, "TAP version 13\n1..1\n"));
        assert_non_null(strstr(out, "\n    ok 2 - ppid is 0\nok 1 - pidns.init.pid1\n"));
        assert_null(strstr(out, "---"));
        free(out);
        free(r);
}

static void test_tap_skip_and_error(void **state)
{
        struct iso_result *r = new_result();
        char *out;

        (void)state;
        r->name = "netns.veth.mtu";
        r->verdict = ISO_SKIP;
        snprintf(r->message, sizeof(r->message), "needs CAP_NET_ADMIN # really");
        out = tap_of(r, 14, 0);
        assert_string_equal(out, "TAP version 14\n1..1\n"
                                 "ok 1 - netns.veth.mtu # SKIP needs CAP_NET_ADMIN \\# really\n");
        free(out);

        r->verdict = ISO_ERROR;
        r->duration_s = 30;
        snprintf(r->message, sizeof(r->message), "timed out");
        snprintf(r->artifacts[0], sizeof(r->artifacts[0]), "reports/artifacts/x/dmesg.txt");
        snprintf(r->artifacts[1], sizeof(r->artifacts[1]), "a\"b");
        r->n_artifacts = 2;
        out = tap_of(r, 14, 0);
        assert_string_equal(out, "TAP version 14\n1..1\n"
                                 "not ok 1 - netns.veth.mtu\n"
                                 "  ---\n"
                                 "  message: \"timed out\"\n"
                                 "  severity: \"error\"\n"
                                 "  duration_s: 30.000\n"
                                 "  artifacts:\n"
                                 "    - \"reports/artifacts/x/dmesg.txt\"\n"
                                 "    - \"a\\\"b\"\n"
                                 "  ...\n");
        free(out);
        free(r);
}

static void test_tap_verbose_log(void **state)
{
        struct iso_result *r = new_result();
        char *out;

        (void)state;
        r->name = "a.b";
        r->verdict = ISO_PASS;
        r->log = "first\r\nnot ok 9 - fake\n\nBail out! no\x1b[0m\n";
        out = tap_of(r, 14, 1);
        assert_string_equal(out, "TAP version 14\n1..1\n"
                                 "# first\n"
                                 "# not ok 9 - fake\n"
                                 "#\n"
                                 "# Bail out! no\\x1b[0m\n"
                                 "ok 1 - a.b\n");
        free(out);
        out = tap_of(r, 14, 0);
        assert_null(strstr(out, "fake"));
        free(out);
        free(r);
}

static void test_tap_bail(void **state)
{
        struct mem m;
        struct iso_tap tap;
        char *out;

        (void)state;
        mem_open(&m);
        tap.out = m.f;
        tap.version = 14;
        tap.verbose = 0;
        assert_int_equal(iso_tap_bail(&tap, "no cgroup v2\n# here"), 0);
        assert_int_equal(iso_tap_bail(&tap, NULL), 0);
        out = mem_close(&m);
        assert_string_equal(out, "Bail out! no cgroup v2\\x0a\\# here\nBail out!\n");
        free(out);
}

/* Fixed-size fields a crashed case left without a NUL are read only up to their size. */
static void test_unterminated_fields(void **state)
{
        struct iso_result *r = new_result();
        struct iso_run run = {"host", "h", "t", 1, NULL, 0, r, 1};
        char *out;

        (void)state;
        r->name = "a.b";
        r->verdict = ISO_FAIL;
        r->n_checks = ISO_MAX_CHECKS + 50; /* clamped, never read past the array */
        memset(r->checks, 'A', sizeof(r->checks));
        for (size_t i = 0; i < ISO_MAX_CHECKS; i++)
                r->checks[i].ok = 0;
        memset(r->message, 'M', sizeof(r->message));
        memset(r->where, 'W', sizeof(r->where));
        r->n_artifacts = ISO_MAX_ARTIFACTS + 3;
        memset(r->artifacts, 'F', sizeof(r->artifacts));

        out = tap_of(r, 14, 1);
        assert_int_equal(count_str(out, "\n    not ok "), ISO_MAX_CHECKS);
        assert_non_null(strstr(out, "    1..128\n"));
        free(out);
        out = junit_of(&run);
        check_xml_bytes(out);
        assert_int_equal(count_str(out, "\nnot ok "), 2 * ISO_MAX_CHECKS);
        free(out);
        free(r);
}

/* ---------------------------------------------------------------- hostile strings */

static char long_str[2001];

static void make_long_str(void)
{
        static const char pat[] = "ab#\\\x01\xff\xc3\xa9]]>\n<&\"'\xe2\x82";

        for (size_t i = 0; i < sizeof(long_str) - 1; i++)
                long_str[i] = pat[i % (sizeof(pat) - 1)];
        long_str[sizeof(long_str) - 1] = '\0';
}

/* Hostile strings, each with one control character besides the named ones. */
static size_t hostile_list(const char **list, size_t max)
{
        static char ctl[33][4];
        static const char *fixed[] = {
                "\n",
                "\xff\xfe",
                "\xc0\xaf",
                "\xed\xa0\x80",
                "\xe2\x82",
                "]]>",
                "<&\"'",
                "#",
                "\\",
                "# SKIP",
                "x # SKIP y",
                "not ok",
                "not ok 2 - x # TODO",
                "\r\n",
                "---",
                "...",
                "\"",
                "\xef\xbf\xbe\xef\xbf\xbf",
                "\xc2\x85\xe2\x80\xa8",
                "",
                "a.b.",
                ".c",
                "Bail out!",
                "1..0",
                "  ---\n  message: x\n  ...",
        };
        size_t n = 0;

        for (int c = 1; c <= 0x20; c++) {
                int b = c == 0x20 ? 0x7F : c;

                snprintf(ctl[c], sizeof(ctl[c]), "a%cb", b);
                if (n < max)
                        list[n++] = ctl[c];
        }
        for (size_t i = 0; i < ISO_ARRAY_SIZE(fixed) && n < max; i++)
                list[n++] = fixed[i];
        make_long_str();
        if (n < max)
                list[n++] = long_str;
        return n;
}

static void test_hostile_tap(void **state)
{
        const char *list[80];
        size_t n = hostile_list(list, ISO_ARRAY_SIZE(list));
        struct iso_result *r = new_result();

        (void)state;
        for (size_t i = 0; i < n; i++) {
                for (int v = ISO_PASS; v <= ISO_ERROR; v++) {
                        for (int version = 13; version <= 14; version++) {
                                struct tap_shape st;
                                char *out;

                                fill_result(r, list[i], list[i], (enum iso_verdict)v);
                                out = tap_of(r, version, 1);
                                check_tap_bytes(out);
                                check_tap(out, &st);
                                /* One point, "# SKIP" only from the verdict, never a name. */
                                assert_int_equal(st.points, 1);
                                assert_int_equal(st.skips, v == ISO_SKIP);
                                assert_int_equal(st.sub_plans, v == ISO_SKIP ? 0 : 1);
                                assert_int_equal(st.sub_points, v == ISO_SKIP ? 0 : 2);
                                /* Verbose: the passing check has its block too. */
                                assert_int_equal(st.yaml_blocks,
                                                 (v == ISO_SKIP ? 0 : 2) +
                                                         (v == ISO_FAIL || v == ISO_ERROR));
                                free(out);
                        }
                }
        }
        free(r);
}

static void test_hostile_junit(void **state)
{
        const char *list[80];
        size_t n = hostile_list(list, ISO_ARRAY_SIZE(list));
        struct iso_result *res = calloc(n * 4, sizeof(*res));
        struct iso_property *props = calloc(n, sizeof(*props));
        struct iso_run run;
        char *out;
        int used;

        (void)state;
        assert_non_null(res);
        assert_non_null(props);
        for (size_t i = 0; i < n; i++) {
                struct iso_run one;

                props[i].name = list[i];
                props[i].value = list[i];
                for (int v = 0; v < 4; v++)
                        fill_result(&res[i * 4 + v], list[i], list[i], (enum iso_verdict)v);
                /* Each string alone: target, hostname, timestamp, one property, 4 verdicts. */
                one = (struct iso_run){list[i],   list[i], list[i],     1.0,
                                       &props[i], 1,       &res[i * 4], 4};
                out = junit_of(&one);
                check_xml_bytes(out);
                assert_int_equal(count_str(out, "<testcase "), 4);
                assert_int_equal(count_str(out, "<failure "), 1);
                assert_int_equal(count_str(out, "<error "), 1);
                assert_int_equal(count_str(out, "<skipped "), 1);
                assert_int_equal(count_str(out, "<system-out>"), 4);
                free(out);
        }
        /* All of them in one document, through xmllint and both schemas. */
        run = (struct iso_run){"host", "h\x01ost", "2024-01-01T00:00:00Z", 2.0, props, n,
                               res,    n * 4};
        out = junit_of(&run);
        check_xml_bytes(out);
        used = xmllint_check(out);
        free(out);
        free(props);
        free(res);
        if (used < 0)
                print_message("xmllint not installed: well-formedness checked by bytes only\n");
        else if (used < 2)
                print_message("only %d of 2 schemas found (run from the source tree)\n", used);
}

/* U+FFFD as UTF-8, for expected outputs. */
#define FFFD "\xef\xbf\xbd"

static void test_xml_escaping(void **state)
{
        static const struct {
                const char *in, *text, *attr;
        } cases[] = {
                {"plain", "plain", "plain"},
                {"<&>\"'", "&lt;&amp;&gt;&quot;&apos;", "&lt;&amp;&gt;&quot;&apos;"},
                {"]]>", "]]&gt;", "]]&gt;"},
                {"a\tb\nc\rd", "a\tb\nc&#13;d", "a&#9;b&#10;c&#13;d"},
                {"\x01\x08\x0b\x0c\x1f", FFFD FFFD FFFD FFFD FFFD, FFFD FFFD FFFD FFFD FFFD},
                {"\x7f\xc2\x85", "&#127;&#133;", "&#127;&#133;"},
                {"\xef\xbf\xbe", "\xef\xbf\xbd", "\xef\xbf\xbd"},
                {"\xff", "\xef\xbf\xbd", "\xef\xbf\xbd"},
                {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
                 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
                {"caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80",
                 "caf\xc3\xa9 \xf0\x9f\x98\x80"},
        };
        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(cases); i++) {
                char *t = xml_of(cases[i].in, 0), *a = xml_of(cases[i].in, 1);

                assert_string_equal(t, cases[i].text);
                assert_string_equal(a, cases[i].attr);
                free(t);
                free(a);
        }
}

/* ---------------------------------------------------------------- JUnit */

static void test_junit_names(void **state)
{
        static const struct {
                const char *name, *classname, *behaviour;
        } cases[] = {
                {"pidns.init.pid1", "pidns.init", "pid1"},
                {"a.b", "a", "b"},
                {"nodot", "nodot", "nodot"},
                {"trailing.", "trailing.", "trailing."},
                {".leading", ".leading", ".leading"},
                {"a..b", "a.", "b"},
                {"x.y.z.w", "x.y", "z.w"},
                {"cgroup.memory.oom_kill.stress-ng", "cgroup.memory", "oom_kill.stress-ng"},
                {"", "", ""},
        };
        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(cases); i++) {
                struct iso_result *r = new_result();
                struct iso_run run = {"host", "h", "t", 0, NULL, 0, r, 1};
                char *out, *cn, *nm;

                r->name = cases[i].name;
                out = junit_of(&run);
                cn = attr_of(out, "<testcase", "classname");
                nm = attr_of(out, "<testcase", "name");
                assert_string_equal(cn, cases[i].classname);
                assert_string_equal(nm, cases[i].behaviour);
                free(cn);
                free(nm);
                free(out);
                free(r);
        }
}

static void test_junit_counts(void **state)
{
        static struct iso_result res[6];
        const enum iso_verdict v[] = {ISO_PASS, ISO_FAIL, ISO_FAIL, ISO_SKIP, ISO_ERROR, ISO_PASS};
        const struct iso_property props[] = {{"kernel", "6.1"}, {"cgroup", "v2"}};
        struct iso_run run = {"vm", "host1", "2024-05-01T12:00:00Z", 12.3456, props, 2, res, 6};
        char *out, *a;

        (void)state;
        for (size_t i = 0; i < 6; i++) {
                memset(&res[i], 0, sizeof(res[i]));
                res[i].name = "area.topic.case";
                res[i].verdict = v[i];
        }
        out = junit_of(&run);
        check_xml_bytes(out);
        assert_non_null(strstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
                                    "name=\"isocheck\" tests=\"6\" failures=\"2\" errors=\"1\" "
                                    "skipped=\"1\" time=\"12.346\">\n"));
        assert_non_null(strstr(out, "<testsuite name=\"vm\" tests=\"6\" failures=\"2\" "
                                    "errors=\"1\" skipped=\"1\" time=\"12.346\" "
                                    "timestamp=\"2024-05-01T12:00:00Z\" hostname=\"host1\">"));
        assert_non_null(strstr(out, "<property name=\"kernel\" value=\"6.1\"/>"));
        assert_int_equal(count_str(out, "<testcase "), 6);
        assert_int_equal(count_str(out, "<failure message=\"0 of 0 checks failed\" type=\"fail\">"),
                         2);
        assert_int_equal(count_str(out, "<error message=\"error\" type=\"error\">"), 1);
        assert_int_equal(count_str(out, "<skipped message=\"skip\">"), 1);
        /* The root carries skipped too (GitLab reads it; the junit-10 view drops it). */
        a = attr_of(out, "<testsuites", "skipped");
        assert_string_equal(a, "1");
        free(a);
        /* A case that does not say when it started gets the run's timestamp. */
        a = attr_of(out, "<testcase", "timestamp");
        assert_string_equal(a, "2024-05-01T12:00:00Z");
        free(a);
        a = attr_of(out, "<testcase", "assertions");
        assert_string_equal(a, "0");
        free(a);
        assert_null(strstr(out, " file=\""));
        free(out);

        run.n_results = 0;
        out = junit_of(&run);
        assert_non_null(strstr(out, "tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""));
        assert_int_equal(count_str(out, "<testcase"), 0);
        if (xmllint_check(out) < 0)
                print_message("xmllint not installed\n");
        free(out);
}

static void test_junit_failure_body(void **state)
{
        struct iso_result *r = new_result();
        struct iso_run run = {"host", "h", "t", 0, NULL, 0, r, 1};
        char *out;

        (void)state;
        r->name = "a.b.c";
        r->verdict = ISO_FAIL;
        snprintf(r->message, sizeof(r->message), "1 of 2 checks failed");
        snprintf(r->where, sizeof(r->where), "cases/x.c:7");
        add_check(r, 1, "first", "1", "1");
        add_check(r, 0, "second", "2", "3");
        snprintf(r->artifacts[0], sizeof(r->artifacts[0]), "reports/artifacts/a.b.c/log");
        r->n_artifacts = 1;
        r->log = "hello <world>";
        r->file = "cases/x.c";
        r->line = 3;
        snprintf(r->started, sizeof(r->started), "2026-11-30T15:00:00Z");
        out = junit_of(&run);
        /* Where the case is declared, when it started, and its number of checks. */
        assert_non_null(strstr(out, "<testcase classname=\"a.b\" name=\"c\" time=\"0.000\" "
                                    "file=\"cases/x.c\" line=\"3\" "
                                    "timestamp=\"2026-11-30T15:00:00Z\" assertions=\"2\">"));
        assert_non_null(strstr(out, "<failure message=\"1 of 2 checks failed\" type=\"fail\">"
                                    "1 of 2 checks failed\n"
                                    "at: cases/x.c:7\n"
                                    "not ok 2 - second (cases/x.c:7)\n"
                                    "  expected: 2\n"
                                    "  got: 3\n"
                                    "artifacts:\n"
                                    "  reports/artifacts/a.b.c/log\n"
                                    "</failure>\n"
                                    "      <system-out>hello &lt;world&gt;\n"
                                    "checks:\n"
                                    "ok 1 - first (cases/x.c:7)\n"
                                    "not ok 2 - second (cases/x.c:7)\n"
                                    "artifacts:\n"
                                    "  reports/artifacts/a.b.c/log\n"
                                    "[[ATTACHMENT|reports/artifacts/a.b.c/log]]\n"
                                    "</system-out>\n"));
        free(out);
        free(r);
}

/* Times: three decimals, rounding as "%.3f" does, never negative, never locale-formatted. */
static void test_junit_time_values(void **state)
{
        static const struct {
                double s;
                const char *want;
        } cases[] = {
                {0, "0.000"},   {0.0004, "0.000"},   {0.0006, "0.001"},
                {1.5, "1.500"}, {59.9999, "60.000"}, {1234567.25, "1234567.250"},
                {-1, "0.000"},  {NAN, "0.000"},      {-INFINITY, "0.000"},
        };
        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(cases); i++) {
                struct iso_result *r = new_result();
                struct iso_run run = {"host", "h", "t", cases[i].s, NULL, 0, r, 1};
                char *out, *t;

                r->name = "a.b";
                r->duration_s = cases[i].s;
                out = junit_of(&run);
                t = attr_of(out, "<testcase", "time");
                assert_string_equal(t, cases[i].want);
                free(t);
                t = attr_of(out, "<testsuites", "time");
                assert_string_equal(t, cases[i].want);
                free(t);
                free(out);
                free(r);
        }
}

/* Teardown: a failed assertion must not leave a comma locale to the tests after it. */
static int restore_numeric_locale(void **state)
{
        (void)state;
        setlocale(LC_NUMERIC, "C");
        return 0;
}

static void test_time_in_comma_locale(void **state)
{
        static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8",  "de_DE",
                                              "fr_FR.UTF-8", "nl_NL.UTF-8", "ru_RU.UTF-8"};
        const char *got = NULL;
        struct iso_result *r;
        char probe[16], *out;

        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(locales) && !got; i++)
                got = setlocale(LC_NUMERIC, locales[i]);
        if (got) {
                snprintf(probe, sizeof(probe), "%.1f", 1.5);
                if (strcmp(probe, "1,5")) {
                        setlocale(LC_NUMERIC, "C");
                        got = NULL;
                }
        }
        if (!got) {
                print_message("no locale with a decimal comma installed\n");
                skip();
        }
        r = new_result();
        r->name = "a.b";
        r->verdict = ISO_ERROR;
        r->duration_s = 2.25;
        {
                struct iso_run run = {"host", "h", "t", 10.5, NULL, 0, r, 1};

                out = junit_of(&run);
        }
        assert_non_null(strstr(out, "time=\"10.500\">"));
        /* The case's time is followed by its other attributes (timestamp, assertions). */
        assert_non_null(strstr(out, "time=\"2.250\" "));
        assert_null(strstr(out, ","));
        free(out);
        out = tap_of(r, 14, 0);
        assert_non_null(strstr(out, "  duration_s: 2.250\n"));
        free(out);
        free(r);
        /* The writers must not have changed the locale they were called in. */
        snprintf(probe, sizeof(probe), "%.1f", 1.5);
        assert_string_equal(probe, "1,5");
}

/* ---------------------------------------------------------------- write errors */

/* A stream every write fails on: read-only, so fputs fails at once, not at flush time. */
static FILE *broken_stream(void)
{
        FILE *f = fopen("/dev/null", "r");

        assert_non_null(f);
        return f;
}

static void test_write_errors(void **state)
{
        struct iso_result *r = new_result();
        struct iso_run run = {"host", "h", "t", 0, NULL, 0, r, 1};
        struct iso_tap tap = {NULL, 14, 1};
        FILE *f;

        (void)state;
        fill_result(r, "a.b", "text", ISO_FAIL);
        f = broken_stream();
        tap.out = f;
        assert_int_equal(iso_tap_begin(&tap, 1), -1);
        assert_int_equal(iso_tap_case(&tap, 1, r), -1);
        assert_int_equal(iso_tap_bail(&tap, "x"), -1);
        assert_int_equal(iso_tap_put_desc(f, "x"), -1);
        assert_int_equal(iso_junit_write(f, &run), -1);
        assert_int_equal(iso_xml_put(f, "x", 0), -1);
        fclose(f);

        /* A full disk shows up when the buffer is flushed: still reported. */
        f = fopen("/dev/full", "w");
        if (f) {
                tap.out = f;
                assert_int_equal(iso_tap_case(&tap, 1, r), -1);
                clearerr(f);
                assert_int_equal(iso_junit_write(f, &run), -1);
                fclose(f);
        }
        free(r);
}

/* ---------------------------------------------------------------- sample run */

/*
 * A whole run, as the harness would write it, into a temporary directory: every TAP
 * line has its shape and the counts add up, and the JUnit document passes xmllint.
 */
static void test_sample_run(void **state)
{
        static struct iso_result res[4];
        const struct iso_property props[] = {{"kernel", "6.1.0 #1 SMP \x01"}};
        struct iso_run run = {"host", "box", "2024-05-01T12:00:00Z", 3.5, props, 1, res, 4};
        struct iso_tap tap = {NULL, 14, 1};
        char dir[] = "/tmp/isocheck-sample-XXXXXX", path[80];
        struct tap_shape st;
        struct mem m;
        char *out;
        FILE *f;

        (void)state;
        memset(res, 0, sizeof(res));
        res[0].name = "pidns.init.pid1";
        add_check(&res[0], 1, "pid is 1", "1", "1");
        res[1].name = "pidns.kill.sig # SKIP";
        res[1].verdict = ISO_FAIL;
        add_check(&res[1], 0, "signal\n# SKIP", "\xff", "]]>");
        res[2].name = "netns.veth.mtu";
        res[2].verdict = ISO_SKIP;
        snprintf(res[2].message, sizeof(res[2].message), "no veth");
        res[3].name = "cgroup.oom";
        res[3].verdict = ISO_ERROR;
        res[3].log = "\x1b[1mkilled\x07\n";
        res[3].n_artifacts = 1;
        snprintf(res[3].artifacts[0], sizeof(res[3].artifacts[0]), "reports/artifacts/x");

        assert_non_null(mkdtemp(dir));
        for (int version = 13; version <= 14; version++) {
                mem_open(&m);
                tap.out = m.f;
                tap.version = version;
                assert_int_equal(iso_tap_begin(&tap, 4), 0);
                for (size_t i = 0; i < 4; i++)
                        assert_int_equal(iso_tap_case(&tap, i + 1, &res[i]), 0);
                out = mem_close(&m);
                check_tap_bytes(out);
                check_tap(out, &st);
                assert_int_equal(st.points, 4);
                assert_int_equal(st.skips, 1);
                assert_int_equal(st.sub_plans, 2);
                assert_int_equal(st.sub_points, 2);
                assert_int_equal(count_str(out, "\nnot ok "), 2);
                snprintf(path, sizeof(path), "%s/isocheck%d.tap", dir, version);
                f = fopen(path, "w");
                assert_non_null(f);
                fputs(out, f);
                assert_int_equal(fclose(f), 0);
                if (version == 13 && system("command -v prove >/dev/null 2>&1") == 0) {
                        char cmd[512];

                        /* prove 3.44 reads 13: 2 of 4 failed, no parse error of any kind. */
                        snprintf(cmd, sizeof(cmd),
                                 "prove -e cat '%s' 2>&1 | grep -q 'Tests: 4 Failed: 2)' && "
                                 "! prove -e cat '%s' 2>&1 | grep -qi 'parse error'",
                                 path, path);
                        if (system(cmd))
                                fail_msg("prove does not read %s as 4 tests, 2 failed", path);
                }
                unlink(path);
                free(out);
        }
        out = junit_of(&run);
        check_xml_bytes(out);
        xmllint_check(out);
        free(out);
        rmdir(dir);
}

/* -0.0 passed a ">= 0" test and printed "-0.000", which Jenkins' schema refuses
 * (found by fuzzing). */
static void test_negative_zero_seconds(void **state)
{
        char buf[32];

        (void)state;
        assert_int_equal(iso_format_seconds(buf, sizeof(buf), -0.0), 0);
        assert_string_equal(buf, "0.000");
        assert_int_equal(iso_format_seconds(buf, sizeof(buf), -0.0004), 0);
        assert_string_equal(buf, "0.000");
        assert_int_equal(iso_format_seconds(buf, sizeof(buf), 1.2345), 0);
        assert_string_equal(buf, "1.234");
        assert_int_equal(iso_format_seconds(buf, 3, 1.0), -1);
}

/* ---------------------------------------------------------------- the report seam */

/* Point fd 1 at @path (the seam writes the TAP stream to stdout too); returns the old fd 1. */
static int stdout_to(const char *path)
{
        int saved, fd;

        fflush(stdout);
        saved = dup(1);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(saved >= 0 && fd >= 0);
        assert_int_equal(dup2(fd, 1), 1);
        close(fd);
        return saved;
}

static void stdout_back(int saved)
{
        fflush(stdout);
        clearerr(stdout);
        assert_int_equal(dup2(saved, 1), 1);
        close(saved);
}

static char *read_all(const char *path)
{
        struct iso_err e = {0};
        size_t len;
        char *s = iso_read_file(path, &len, &e);

        if (!s)
                fail_msg("%s", e.msg);
        return s;
}

/* Files committed: written under "<path>.tmp.<run id>", renamed at the end, the TAP on
 * stdout and in its file alike, the JUnit valid, nothing to note. */
static void test_seam_commit(void **state)
{
        char dir[] = "/tmp/isocheck-seam-XXXXXX", tap[96], junit[96], tmp[160], out[96], sub[64];
        static struct iso_reports rs;
        struct iso_opts o = {.tap_version = 14};
        struct iso_err e = {0};
        struct iso_result *r = new_result();
        struct iso_run run = {"host", "h", "2024-05-01T12:00:00Z", 0, NULL, 0, r, 1, NULL};
        char *t, *x;
        int saved, rc;

        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        snprintf(tap, sizeof(tap), "%s/r.tap", sub); /* its directory is made by the seam */
        snprintf(junit, sizeof(junit), "%s/r.xml", dir);
        snprintf(out, sizeof(out), "%s/stdout", dir);
        o.tap_path = tap;
        o.junit_path = junit;
        assert_int_equal(iso_reports_plan(&rs, &o, &e), 0);
        assert_int_equal(rs.n_outs, 3);
        assert_int_equal(iso_reports_open(&rs, &e), 0);
        snprintf(tmp, sizeof(tmp), "%s.tmp.%s", tap, iso_run_id());
        assert_int_equal(access(tmp, F_OK), 0);
        assert_int_not_equal(access(tap, F_OK), 0);

        r->name = "a.b.c";
        r->verdict = ISO_PASS;
        saved = stdout_to(out);
        iso_reports_begin(&rs, 1);
        iso_reports_case(&rs, 1, r);
        rc = iso_reports_end(&rs, &run);
        stdout_back(saved);
        assert_int_equal(rc, 0);
        assert_string_equal(rs.notes, "");
        assert_int_not_equal(access(tmp, F_OK), 0);
        /* The version line: which isocheck wrote the stream. */
        char want[256];
        snprintf(want, sizeof(want), "TAP version 14\n1..1\n# isocheck %s\nok 1 - a.b.c\n",
                 iso_version());
        t = read_all(tap);
        assert_string_equal(t, want);
        free(t);
        t = read_all(out);
        assert_string_equal(t, want);
        free(t);
        x = read_all(junit);
        schema_check(x);
        assert_non_null(strstr(x, "<testcase classname=\"a.b\" name=\"c\""));
        free(x);
        unlink(tap);
        unlink(junit);
        unlink(out);
        rmdir(sub);
        assert_int_equal(rmdir(dir), 0);
        free(r);
}

static void test_seam_same_file(void **state)
{
        static struct iso_reports rs;
        struct iso_opts o = {.tap_path = "reports/x", .junit_path = "reports/x"};
        struct iso_err e = {0};

        (void)state;
        assert_int_equal(iso_reports_plan(&rs, &o, &e), -1);
        assert_string_equal(e.msg, "--tap and --junit name the same file reports/x");
}

/* A JUnit that cannot be written (/dev/full, in place): the TAP file ends with a Bail out!
 * naming it, the notes say it, and no temporary file stays. */
static void test_seam_broken_junit(void **state)
{
        char dir[] = "/tmp/isocheck-seam-XXXXXX", tap[96], out[96];
        static struct iso_reports rs;
        struct iso_opts o = {.tap_version = 14, .junit_path = "/dev/full"};
        struct iso_err e = {0};
        struct iso_result *r = new_result();
        struct iso_run run = {"host", "h", "t", 0, NULL, 0, r, 1, NULL};
        const char *why = "writing the JUnit report /dev/full failed: No space left on device";
        char *t;
        int saved, rc;

        (void)state;
        if (access("/dev/full", W_OK)) {
                skip();
                return;
        }
        assert_non_null(mkdtemp(dir));
        snprintf(tap, sizeof(tap), "%s/r.tap", dir);
        snprintf(out, sizeof(out), "%s/stdout", dir);
        o.tap_path = tap;
        assert_int_equal(iso_reports_plan(&rs, &o, &e), 0);
        assert_int_equal(iso_reports_open(&rs, &e), 0);
        r->name = "a.b.c";
        r->verdict = ISO_PASS;
        saved = stdout_to(out);
        iso_reports_begin(&rs, 1);
        iso_reports_case(&rs, 1, r);
        rc = iso_reports_end(&rs, &run);
        stdout_back(saved);
        assert_int_equal(rc, -1);
        assert_non_null(strstr(rs.notes, why));
        t = read_all(tap);
        assert_non_null(strstr(t, "ok 1 - a.b.c\nBail out! "));
        assert_non_null(strstr(t, why));
        free(t);
        t = read_all(out);
        assert_non_null(strstr(t, why));
        free(t);
        unlink(tap);
        unlink(out);
        assert_int_equal(rmdir(dir), 0); /* fails if a temporary file stayed */
        free(r);
}

/* ---------------------------------------------------------------- a harness that broke */

/*
 * Issue 11, section 5: `--junit /dev/full > run.tap` ended with an all-ok TAP; the other
 * way round, a TAP that cannot be written must show in the JUnit as an error. Further
 * input: the hostile strings a write error can carry (a path with "]]>" and '&').
 */
static void test_junit_harness_error(void **state)
{
        static struct iso_result res[1];
        struct iso_run run = {"host", "h", "2024-05-01T12:00:00Z", 1.0, NULL, 0, res, 1, NULL};
        char *out;

        (void)state;
        memset(res, 0, sizeof(res));
        res[0].name = "pidns.init.pid1";
        res[0].verdict = ISO_PASS;
        run.harness_error = "writing the TAP report /tmp/a]]>&b failed: No space left on device";
        out = junit_of(&run);
        check_xml_bytes(out);
        assert_non_null(strstr(out, "tests=\"2\" failures=\"0\" errors=\"1\""));
        assert_non_null(strstr(out, "<testcase classname=\"isocheck\" name=\"harness\""));
        assert_non_null(strstr(out, "<error message=\"writing the TAP report /tmp/a]]&gt;&amp;b "
                                    "failed: No space left on device\" type=\"error\">"));
        if (xmllint_check(out) < 0)
                print_message("xmllint not installed\n");
        free(out);
}

/* ---------------------------------------------------------------- long case logs */

/*
 * Issue 11, section 5: a log longer than its cap was cut silently. Cut logs carry a mark
 * with the count of bytes cut and where the whole log is; further input: a log exactly
 * at the cap is not cut, and one a byte over is (the boundary).
 */
static void test_log_cut(void **state)
{
        size_t cap = 1000, len = 5000;
        char *log = malloc(len + 1), *out = NULL;

        (void)state;
        assert_non_null(log);
        for (size_t i = 0; i < len; i++)
                log[i] = (char)('a' + i % 26);
        log[len] = '\0';
        assert_int_equal(iso_log_cut(log, len, cap, "art/x/case.log", &out), 1);
        assert_non_null(strstr(out, "[… 4000 bytes truncated; the whole log: art/x/case.log …]"));
        assert_memory_equal(out, log, cap - cap / 4);                          /* the head */
        assert_string_equal(out + strlen(out) - cap / 4, log + len - cap / 4); /* the tail */
        free(out);

        log[cap] = '\0';
        assert_int_equal(iso_log_cut(log, cap, cap, "x", &out), 0);
        assert_string_equal(out, log);
        free(out);
        log[cap] = 'a';
        log[cap + 1] = '\0';
        assert_int_equal(iso_log_cut(log, cap + 1, cap, "", &out), 1);
        assert_non_null(strstr(out, "1 bytes truncated; the whole log: not kept"));
        free(out);
        free(log);
}

/* ---------------------------------------------------------------- exclusive creation */

static char scratch[64];

static int make_scratch(void **state)
{
        (void)state;
        snprintf(scratch, sizeof(scratch), "/tmp/isocheck-excl-XXXXXX");
        return mkdtemp(scratch) ? 0 : -1;
}

static int remove_scratch(void **state)
{
        char cmd[128];

        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
        return system(cmd) == 0 ? 0 : -1;
}

static void put_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        assert_int_equal(fputs(text, f) < 0, 0);
        assert_int_equal(fclose(f), 0);
}

static void assert_file_is(const char *path, const char *text)
{
        struct iso_err e = {0};
        char *s = iso_read_file(path, NULL, &e);

        assert_non_null(s);
        assert_string_equal(s, text);
        free(s);
}

/*
 * Issue 11, section 7, temporary report files: a link planted at "<path>.tmp.<pid>" (the
 * name every report and run record is written under) took root's write. Further input:
 * a regular file left there by a dead run with our pid is replaced.
 */
static void test_write_atomic_not_through_link(void **state)
{
        char victim[128], path[128], tmp[160];
        struct iso_err e = {0};

        (void)state;
        snprintf(victim, sizeof(victim), "%s/victim", scratch);
        snprintf(path, sizeof(path), "%s/isocheck.tap", scratch);
        snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
        put_file(victim, "original\n");
        assert_int_equal(symlink(victim, tmp), 0);
        assert_int_equal(iso_write_atomic(path, "report\n", 7, &e), 0);
        assert_file_is(victim, "original\n");
        assert_file_is(path, "report\n");
        assert_int_equal(access(tmp, F_OK), -1);

        put_file(tmp, "left by a dead run\n");
        assert_int_equal(iso_write_atomic(path, "again\n", 6, &e), 0);
        assert_file_is(path, "again\n");
        assert_int_equal(access(tmp, F_OK), -1);
}

/*
 * Section 7, artifacts: iso_write_new_at never writes through what is there (the quoted
 * capture.pcap link); iso_remove_tree_at removes a link to a directory, not what it points
 * at. Further input: a dangling link, which O_CREAT alone would follow and create.
 */
static void test_exclusive_create_and_remove(void **state)
{
        char victim[128], dir[128], link[160], dangling[160], sub[160];
        struct iso_err e = {0};
        int fd;

        (void)state;
        snprintf(victim, sizeof(victim), "%s/victim", scratch);
        snprintf(dir, sizeof(dir), "%s/art", scratch);
        snprintf(link, sizeof(link), "%s/capture.pcap", dir);
        snprintf(dangling, sizeof(dangling), "%s/dangling", dir);
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        put_file(victim, "original\n");
        assert_int_equal(mkdir(dir, 0700), 0);
        assert_int_equal(symlink(victim, link), 0);
        assert_int_equal(symlink("/tmp/isocheck-excl-never-made", dangling), 0);
        assert_int_equal(mkdir(sub, 0700), 0);
        fd = open(dir, O_RDONLY | O_DIRECTORY);
        assert_true(fd >= 0);

        assert_int_equal(iso_write_new_at(fd, "capture.pcap", dir, "pcap", 4, &e), -1);
        assert_int_equal(e.errnum, EEXIST);
        assert_non_null(strstr(e.msg, "capture.pcap"));
        assert_file_is(victim, "original\n");
        assert_int_equal(iso_write_new_at(fd, "dangling", dir, "x", 1, &e), -1);
        assert_int_equal(access("/tmp/isocheck-excl-never-made", F_OK), -1);
        assert_int_equal(iso_write_new_at(fd, "new.txt", dir, "new\n", 4, &e), 0);

        /* A link to a directory of someone else's, inside the tree removed. */
        char vdir[128], vfile[160], dlink[160];
        snprintf(vdir, sizeof(vdir), "%s/vdir", scratch);
        snprintf(vfile, sizeof(vfile), "%s/keep", vdir);
        snprintf(dlink, sizeof(dlink), "%s/sub/to-vdir", dir);
        assert_int_equal(mkdir(vdir, 0700), 0);
        put_file(vfile, "keep\n");
        assert_int_equal(symlink(vdir, dlink), 0);
        assert_int_equal(iso_remove_tree_at(AT_FDCWD, dir, ".", &e), -1); /* not a plain name */
        close(fd);
        fd = open(scratch, O_RDONLY | O_DIRECTORY);
        assert_true(fd >= 0);
        assert_int_equal(iso_remove_tree_at(fd, "art", scratch, &e), 0);
        close(fd);
        assert_int_equal(access(dir, F_OK), -1);
        assert_file_is(vfile, "keep\n");
        assert_file_is(victim, "original\n");
}

/*
 * Section 7: a directory owned by another user is refused, naming it and its owner.
 * Further input: a directory of ours that others may write (0777, not sticky).
 */
static void test_open_own_dir(void **state)
{
        char dir[128];
        struct iso_err e = {0};
        int fd;

        (void)state;
        fd = iso_open_own_dir(scratch, &e);
        assert_true(fd >= 0);
        close(fd);
        /* Writable by others: they could rename what the run makes there, unless sticky. */
        snprintf(dir, sizeof(dir), "%s/open", scratch);
        assert_int_equal(mkdir(dir, 0700), 0);
        assert_int_equal(chmod(dir, 0777), 0);
        assert_int_equal(iso_open_own_dir(dir, &e), -1);
        assert_int_equal(e.errnum, EPERM);
        assert_non_null(strstr(e.msg, "is writable by others (mode 0777) and not sticky"));
        assert_int_equal(chmod(dir, 01777), 0);
        fd = iso_open_own_dir(dir, &e);
        assert_true(fd >= 0);
        close(fd);
        if (geteuid() != 0) {
                print_message("not root: the other-owner refusal is tested by field/reports.sh\n");
                return;
        }
        snprintf(dir, sizeof(dir), "%s/theirs", scratch);
        assert_int_equal(mkdir(dir, 0755), 0);
        assert_int_equal(chown(dir, 65534, 65534), 0);
        assert_int_equal(iso_open_own_dir(dir, &e), -1);
        assert_int_equal(e.errnum, EPERM);
        assert_non_null(strstr(e.msg, "is owned by uid 65534, not by this run's uid 0"));
}

/*
 * Section 7, the VM target's artifacts and reports (frames the guest sends, stored by root
 * under the host's report directory): a link planted at a directory on the way is refused,
 * naming it; one at the file's name is replaced; ".." and absolute paths are refused.
 */
static void test_write_atomic_at(void **state)
{
        char victim[128], vdir[128], link[160], flink[192], path[192];
        struct iso_err e = {0};
        int fd;

        (void)state;
        snprintf(victim, sizeof(victim), "%s/victim", scratch);
        snprintf(vdir, sizeof(vdir), "%s/vdir", scratch);
        assert_int_equal(mkdir(vdir, 0700), 0);
        put_file(victim, "original\n");
        fd = open(scratch, O_RDONLY | O_DIRECTORY);
        assert_true(fd >= 0);

        assert_int_equal(iso_write_atomic_at(fd, scratch, "artifacts/c1/kmsg.txt", "k\n", 2, &e),
                         0);
        snprintf(path, sizeof(path), "%s/artifacts/c1/kmsg.txt", scratch);
        assert_file_is(path, "k\n");

        snprintf(link, sizeof(link), "%s/artifacts/c2", scratch);
        assert_int_equal(symlink(vdir, link), 0);
        assert_int_equal(iso_write_atomic_at(fd, scratch, "artifacts/c2/capture.pcap", "p", 1, &e),
                         -1);
        assert_int_equal(e.errnum, ENOTDIR);
        assert_non_null(strstr(e.msg, "artifacts/c2 (a directory, not a link, is expected)"));
        snprintf(path, sizeof(path), "%s/capture.pcap", vdir);
        assert_int_equal(access(path, F_OK), -1);

        snprintf(flink, sizeof(flink), "%s/artifacts/c1/capture.pcap", scratch);
        assert_int_equal(symlink(victim, flink), 0);
        assert_int_equal(iso_write_atomic_at(fd, scratch, "artifacts/c1/capture.pcap", "p", 1, &e),
                         0);
        assert_file_is(victim, "original\n");
        assert_file_is(flink, "p");

        assert_int_equal(iso_write_atomic_at(fd, scratch, "artifacts/../victim", "x", 1, &e), -1);
        assert_int_equal(iso_write_atomic_at(fd, scratch, "/etc/passwd", "x", 1, &e), -1);
        assert_file_is(victim, "original\n");
        close(fd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf8_valid),
                cmocka_unit_test(test_utf8_invalid),
                cmocka_unit_test(test_utf8_resync),
                cmocka_unit_test(test_utf8_roundtrip),
                cmocka_unit_test(test_verdict_names),
                cmocka_unit_test(test_run_count),
                cmocka_unit_test(test_tap_desc_escaping),
                cmocka_unit_test(test_tap_layout),
                cmocka_unit_test(test_tap_skip_and_error),
                cmocka_unit_test(test_tap_verbose_log),
                cmocka_unit_test(test_tap_bail),
                cmocka_unit_test(test_unterminated_fields),
                cmocka_unit_test(test_hostile_tap),
                cmocka_unit_test(test_hostile_junit),
                cmocka_unit_test(test_xml_escaping),
                cmocka_unit_test(test_junit_names),
                cmocka_unit_test(test_junit_counts),
                cmocka_unit_test(test_junit_failure_body),
                cmocka_unit_test(test_junit_time_values),
                cmocka_unit_test(test_negative_zero_seconds),
                cmocka_unit_test_teardown(test_time_in_comma_locale, restore_numeric_locale),
                cmocka_unit_test(test_write_errors),
                cmocka_unit_test(test_sample_run),
                cmocka_unit_test(test_junit_harness_error),
                cmocka_unit_test(test_seam_commit),
                cmocka_unit_test(test_seam_same_file),
                cmocka_unit_test(test_seam_broken_junit),
                cmocka_unit_test(test_log_cut),
                cmocka_unit_test_setup_teardown(test_write_atomic_not_through_link, make_scratch,
                                                remove_scratch),
                cmocka_unit_test_setup_teardown(test_exclusive_create_and_remove, make_scratch,
                                                remove_scratch),
                cmocka_unit_test_setup_teardown(test_open_own_dir, make_scratch, remove_scratch),
                cmocka_unit_test_setup_teardown(test_write_atomic_at, make_scratch, remove_scratch),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
