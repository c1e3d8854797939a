// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the JUnit writer (report_junit.c).
 *
 * The fuzz bytes become a run (target, hostname, timestamp, properties) and its results,
 * built as fuzz_tap.c builds them: names, messages, checks, logs, artifacts, verdicts in
 * and out of range, fixed-size fields filled to the last byte with no NUL. The document
 * written to a memory stream must be:
 *
 *   - valid UTF-8 holding only characters XML 1.0 allows (section 2.2, Char);
 *   - well formed: libxml2's xmlReadMemory parses it, or the target aborts;
 *   - the shape report.h promises: <testsuites> with one <testsuite> holding <properties>
 *     and one <testcase> per result, each with at most one of <failure>, <error>,
 *     <skipped> (matching the verdict, with a message) and a <system-out>;
 *   - a faithful copy: every attribute and the log read back through the parser are the
 *     strings the run held, invalid UTF-8 and forbidden characters aside (U+FFFD), fields
 *     cut at their size.
 *
 * Probe mode fills the fixed-size fields with one code point per kind of field, and the
 * rest of each result with U+00DF, to catch a read past a field (see fuzz_tap.c).
 */
#include "isocheck/report.h"

#include "run_input.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* XML 1.0 section 2.2, Char (surrogates cannot come out of u8_decode). */
static int xml_char(uint32_t cp)
{
        if (cp < 0x20)
                return cp == 0x9 || cp == 0xA || cp == 0xD;
        return cp != 0xFFFE && cp != 0xFFFF;
}

/* What the document should hold of the @n bytes at @s: ill-formed and forbidden replaced. */
static void cps_from_bytes(struct cps *c, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t k = u8_decode(p + i, n - i, &cp);

                cps_push(c, k && xml_char(cp) ? cp : REPLACEMENT);
                i += k ? k : 1;
        }
}

/* The same for a NUL-terminated string, NULL being "". */
static void cps_from_str(struct cps *c, const char *s)
{
        if (s)
                cps_from_bytes(c, s, strlen(s));
}

static int cps_equal(const struct cps *a, const struct cps *b)
{
        return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

/* ---- checking the document -------------------------------------------------------- */

static void __attribute__((noreturn)) bad(const char *why, const xmlNode *n)
{
        fprintf(stderr, "fuzz_junit: %s (element <%s>, line %d)\n", why,
                n ? (const char *)n->name : "?", n ? n->line : 0);
        abort();
}

static size_t flen(const char *s, size_t size)
{
        return s ? strnlen(s, size) : 0;
}

static enum iso_verdict norm_verdict(enum iso_verdict v)
{
        return (unsigned int)v > ISO_ERROR ? ISO_ERROR : v;
}

/* Every byte: valid UTF-8 and an XML 1.0 Char. */
static void check_chars(const char *buf, size_t len)
{
        const unsigned char *p = (const unsigned char *)buf;

        for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t k = u8_decode(p + i, len - i, &cp);

                if (!k || !xml_char(cp)) {
                        fprintf(stderr, "fuzz_junit: %s at byte %zu: \"%.40s\"\n",
                                k ? "character XML 1.0 forbids" : "invalid UTF-8", i, buf + i);
                        abort();
                }
                i += k;
        }
}

/* Probe mode: see fuzz_tap.c. */
static void check_probe(const char *buf, size_t len)
{
        const unsigned char *p = (const unsigned char *)buf;
        uint32_t kind = 0;
        size_t run = 0;

        for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t k = u8_decode(p + i, len - i, &cp);
                const char *why = NULL;

                if (cp == P_JUNK) {
                        why = "bytes outside every field reached the report";
                } else if (cp >= P_FILE && cp <= P_ART1) {
                        if (run && cp != kind)
                                why = "a field read into its neighbour";
                        kind = cp;
                        if (++run > probe_cap(cp))
                                why = "a field read past its size";
                } else {
                        run = 0;
                }
                if (why) {
                        fprintf(stderr, "fuzz_junit: %s at byte %zu: \"%.80s\"\n", why, i, buf + i);
                        abort();
                }
                i += k;
        }
}

/* The first element at or after @n. */
static xmlNode *elem(xmlNode *n)
{
        while (n && n->type != XML_ELEMENT_NODE)
                n = n->next;
        return n;
}

static int named(const xmlNode *n, const char *name)
{
        return n && !strcmp((const char *)n->name, name);
}

/* Attribute @name of @n decoded, or abort when it is missing. */
static void attr_cps(xmlNode *n, const char *name, struct cps *out)
{
        xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

        if (!v)
                bad(name, n);
        cps_from_bytes(out, (const char *)v, strlen((const char *)v));
        xmlFree(v);
}

/* Attribute @name of @n is @want (@n bytes). */
static void expect_attr(xmlNode *n, const char *name, const char *want, size_t want_n)
{
        struct cps got = {0}, w = {0};

        attr_cps(n, name, &got);
        cps_from_bytes(&w, want ? want : "", want ? want_n : 0);
        if (!cps_equal(&got, &w)) {
                fprintf(stderr, "fuzz_junit: attribute %s differs from what was recorded\n", name);
                bad(name, n);
        }
        free(got.v);
        free(w.v);
}

static void expect_attr_str(xmlNode *n, const char *name, const char *want)
{
        expect_attr(n, name, want, want ? strlen(want) : 0);
}

static void expect_count(xmlNode *n, const char *name, size_t want)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "%zu", want);
        expect_attr_str(n, name, buf);
}

/* time="S.mmm" */
static void expect_time(xmlNode *n)
{
        xmlChar *v = xmlGetProp(n, (const xmlChar *)"time");
        size_t i = 0;

        if (!v)
                bad("no time attribute", n);
        while (v[i] >= '0' && v[i] <= '9')
                i++;
        if (!i || v[i] != '.' || strlen((const char *)v) != i + 4 ||
            strspn((const char *)v + i + 1, "0123456789") != 3) {
                fprintf(stderr, "fuzz_junit: time=\"%.60s\"\n", (const char *)v);
                bad("time is not seconds with three decimals", n);
        }
        xmlFree(v);
}

/* The text of @n starts with @want (@n bytes), as the parser read it. */
static void expect_text_prefix(xmlNode *n, const char *want, size_t want_n, const char *why)
{
        xmlChar *text = xmlNodeGetContent(n);
        struct cps got = {0}, w = {0};

        if (!text)
                bad(why, n);
        cps_from_bytes(&got, (const char *)text, strlen((const char *)text));
        cps_from_bytes(&w, want, want_n);
        if (got.n < w.n || (w.n && memcmp(got.v, w.v, w.n * sizeof(*w.v))))
                bad(why, n);
        xmlFree(text);
        free(got.v);
        free(w.v);
}

/* classname="area.topic" name="behaviour", or the whole name in both. */
static void expect_names(xmlNode *n, const char *name)
{
        struct cps cls = {0}, nm = {0}, whole = {0};

        attr_cps(n, "classname", &cls);
        attr_cps(n, "name", &nm);
        cps_from_str(&whole, name);
        if (!cps_equal(&cls, &whole) || !cps_equal(&nm, &whole)) {
                cps_push(&cls, '.');
                for (size_t i = 0; i < nm.n; i++)
                        cps_push(&cls, nm.v[i]);
                if (!cls.n || !nm.n || !cps_equal(&cls, &whole))
                        bad("classname and name do not make up the case name", n);
        }
        free(cls.v);
        free(nm.v);
        free(whole.v);
}

static void check_case(xmlNode *tc, const struct iso_result *r)
{
        static const char *const tags[] = {NULL, "failure", "skipped", "error"};
        enum iso_verdict v = norm_verdict(r->verdict);
        size_t msg_n = flen(r->message, sizeof(r->message));
        xmlNode *e = elem(tc->children);

        if (!named(tc, "testcase"))
                bad("expected a <testcase>", tc);
        expect_names(tc, r->name);
        expect_time(tc);
        /* file and line name the declaring ISO_CASE, and only when it is known. */
        if (r->file && *r->file) {
                char line[16];

                snprintf(line, sizeof(line), "%d", r->line);
                expect_attr_str(tc, "file", r->file);
                expect_attr_str(tc, "line", line);
        } else if (xmlHasProp(tc, (const xmlChar *)"file")) {
                bad("a file attribute for a result without one", tc);
        }
        if (tags[v]) {
                xmlChar *m;

                if (!named(e, tags[v]))
                        bad("verdict element missing or wrong", e ? e : tc);
                m = xmlGetProp(e, (const xmlChar *)"message");
                if (!m || !*m)
                        bad("verdict element without a message", e);
                xmlFree(m);
                if (msg_n) {
                        expect_attr(e, "message", r->message, msg_n);
                        expect_text_prefix(e, r->message, msg_n,
                                           "verdict body does not start with the message");
                }
                if (v != ISO_SKIP)
                        expect_attr_str(e, "type", v == ISO_FAIL ? "fail" : "error");
                e = elem(e->next);
        }
        if (!named(e, "system-out"))
                bad("no <system-out> where expected", e ? e : tc);
        if (r->log)
                expect_text_prefix(e, r->log, strlen(r->log),
                                   "system-out does not start with the log");
        if (elem(e->next))
                bad("more elements in a <testcase>", elem(e->next));
}

static void check_tree(xmlDoc *doc, const struct iso_run *run)
{
        xmlNode *root = xmlDocGetRootElement(doc), *suite, *props, *n;
        size_t counts[4] = {0}, i;

        for (i = 0; i < run->n_results; i++)
                counts[norm_verdict(run->results[i].verdict)]++;
        if (!named(root, "testsuites"))
                bad("root is not <testsuites>", root);
        expect_count(root, "tests", run->n_results);
        expect_count(root, "failures", counts[ISO_FAIL]);
        expect_count(root, "errors", counts[ISO_ERROR]);
        expect_time(root);
        suite = elem(root->children);
        if (!named(suite, "testsuite") || elem(suite->next))
                bad("not exactly one <testsuite>", suite ? suite : root);
        expect_attr_str(suite, "name", run->target);
        expect_attr_str(suite, "hostname", run->hostname);
        expect_attr_str(suite, "timestamp", run->timestamp);
        expect_count(suite, "tests", run->n_results);
        expect_count(suite, "failures", counts[ISO_FAIL]);
        expect_count(suite, "errors", counts[ISO_ERROR]);
        expect_count(suite, "skipped", counts[ISO_SKIP]);
        expect_time(suite);

        props = elem(suite->children);
        if (!named(props, "properties"))
                bad("no <properties> first in <testsuite>", props ? props : suite);
        for (i = 0, n = elem(props->children); n; n = elem(n->next), i++) {
                if (i >= run->n_props || !named(n, "property"))
                        bad("more <property> than properties", n);
                expect_attr_str(n, "name", run->props[i].name);
                expect_attr_str(n, "value", run->props[i].value);
        }
        if (i != run->n_props)
                bad("fewer <property> than properties", props);

        for (i = 0, n = elem(props->next); n; n = elem(n->next), i++) {
                if (i >= run->n_results)
                        bad("more <testcase> than results", n);
                check_case(n, &run->results[i]);
        }
        if (i != run->n_results)
                bad("fewer <testcase> than results", suite);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        xmlInitParser();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct input in = {data, size};
        unsigned int flags = take_byte(&in);
        size_t n = take_byte(&in) % 6, n_props = take_byte(&in) % 5;
        struct iso_result *res = calloc(n ? n : 1, sizeof(*res));
        struct iso_property *props = calloc(n_props ? n_props : 1, sizeof(*props));
        struct iso_run run = {0};
        char *buf = NULL;
        size_t len = 0;
        FILE *out;
        xmlDoc *doc;

        if (!res || !props)
                abort();
        run.target = take_str(&in, 100);
        run.hostname = take_str(&in, 300);
        run.timestamp = take_str(&in, 40);
        if (flags & 1) {
                ascii_only((char *)run.target);
                ascii_only((char *)run.hostname);
                ascii_only((char *)run.timestamp);
        }
        if (flags & 2) {
                uint64_t bits = (uint64_t)take_u32(&in) << 32 | take_u32(&in);

                memcpy(&run.duration_s, &bits, sizeof(bits));
        }
        for (size_t i = 0; i < n_props; i++) {
                props[i].name = take_str(&in, 100);
                props[i].value = take_str(&in, 300);
                if (flags & 1) {
                        ascii_only((char *)props[i].name);
                        ascii_only((char *)props[i].value);
                }
        }
        for (size_t i = 0; i < n; i++) {
                if (flags & 1)
                        fill_probe(&in, &res[i]);
                else
                        fill_normal(&in, &res[i]);
        }
        run.props = props;
        run.n_props = n_props;
        run.results = res;
        run.n_results = n;

        out = open_memstream(&buf, &len);
        if (!out)
                abort();
        if (iso_junit_write(out, &run) || fclose(out))
                abort();

        /* ISO_FUZZ_DUMP=1 build/fuzz/<target> FILE shows what the writer made of FILE. */
        if (getenv("ISO_FUZZ_DUMP"))
                fwrite(buf, 1, len, stderr);
        check_chars(buf, len);
        doc = xmlReadMemory(buf, (int)len, "isocheck.junit.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc) {
                const xmlError *err = xmlGetLastError();

                fprintf(stderr, "fuzz_junit: not well-formed XML: line %d: %s", err ? err->line : 0,
                        err && err->message ? err->message : "?\n");
                abort();
        }
        check_tree(doc, &run);
        if (flags & 1)
                check_probe(buf, len);
        xmlFreeDoc(doc);

        free(buf);
        for (size_t i = 0; i < n_props; i++) {
                free((char *)props[i].name);
                free((char *)props[i].value);
        }
        free(props);
        free((char *)run.target);
        free((char *)run.hostname);
        free((char *)run.timestamp);
        for (size_t i = 0; i < n; i++) {
                free((char *)res[i].name);
                free((char *)res[i].file);
                free(res[i].log);
        }
        free(res);
        return 0;
}
