// SPDX-License-Identifier: MIT
/*
 * JUnit XML writer, for Jenkins' junit-10.xsd and the project's isocheck-junit.xsd.
 *
 * The document is written with libxml2's xmlTextWriter, which owns the markup and the
 * escaping: markup characters become entity references (so "]]>" cannot close anything;
 * no CDATA is used), and white space in attributes is written as character references,
 * because attribute-value normalisation would otherwise turn it into plain spaces.
 * xmlTextWriter passes its input through as UTF-8 without checking it, so every string a
 * case recorded is first decoded strictly here (clean_put): invalid UTF-8 and characters
 * XML 1.0 forbids become U+FFFD. That decoder is ours because libxml2 has none that
 * replaces rather than fails.
 *
 * iso_xml_put, the hand-written escaper below, is kept for harness/vm/junit.c, which
 * merges guests' documents by streaming them.
 */
#include "isocheck/report.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/cli.h"
#include "isocheck/text.h"
#include "report_io.h"

/* XML 1.0 section 2.2 Char, less the surrogates the decoder never yields. */
static int xml_char_ok(uint32_t cp)
{
        if (cp < 0x20)
                return cp == 0x9 || cp == 0xA || cp == 0xD;
        return cp != 0xFFFE && cp != 0xFFFF;
}

/* iso_xml_put for the @n bytes at @s, which need not be NUL-terminated. */
static int xml_put_n(FILE *out, const char *s, size_t n, int attr)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < n) {
                uint32_t cp;
                size_t k = iso_utf8_next(p + i, n - i, &cp);
                const char *ent = NULL;
                int rc;

                if (!xml_char_ok(cp))
                        cp = ISO_REPLACEMENT_CHAR;
                switch (cp) {
                case '&':
                        ent = "&amp;";
                        break;
                case '<':
                        ent = "&lt;";
                        break;
                case '>':
                        ent = "&gt;"; /* so "]]>" never appears in character data */
                        break;
                case '"':
                        ent = "&quot;";
                        break;
                case '\'':
                        ent = "&apos;";
                        break;
                case '\t':
                        ent = attr ? "&#9;" : NULL;
                        break;
                case '\n':
                        ent = attr ? "&#10;" : NULL;
                        break;
                case '\r':
                        /* A raw CR would be read back as LF even in text: keep it as CR. */
                        ent = "&#13;";
                        break;
                }
                if (ent) {
                        rc = put(out, ent);
                } else if (cp >= 0x7F && cp <= 0x9F) {
                        /* Allowed but invisible controls: a reference shows they were there. */
                        rc = putf(out, "&#%u;", (unsigned int)cp);
                } else {
                        char enc[4];
                        size_t len = iso_utf8_put(cp, enc);

                        rc = fwrite(enc, 1, len, out) == len ? 0 : -1;
                }
                if (rc)
                        return -1;
                i += k;
        }
        return 0;
}

int iso_xml_put(FILE *out, const char *s, int attr)
{
        if (!out)
                return -1;
        if (!s)
                return 0;
        return xml_put_n(out, s, strlen(s), attr);
}

/* ---------------------------------------------------------------- the xmlTextWriter side */

/* Where the document goes, and the first write error on the way (xmlOutputBufferCreateIO). */
struct sink {
        FILE *out;
        int err;
};

static int sink_write(void *ctx, const char *buf, int len)
{
        struct sink *s = ctx;

        errno = 0;
        if (len > 0 && fwrite(buf, 1, (size_t)len, s->out) != (size_t)len) {
                if (!s->err)
                        s->err = errno ? errno : EIO;
                return -1;
        }
        return len;
}

/* libxml2 reports a failed write on stderr too; the caller says it once, with the path. */
static void quiet(void *ctx, const char *msg, ...)
{
        (void)ctx;
        (void)msg;
}

static int sink_close(void *ctx)
{
        (void)ctx; /* the caller's stream: flushed and closed by the caller */
        return 0;
}

/* The @n bytes at @s to @f as XML 1.0 can hold them, unescaped: xmlTextWriter escapes. */
static int clean_put(FILE *f, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; s && i < n;) {
                uint32_t cp;
                size_t k = iso_utf8_next(p + i, n - i, &cp);
                char enc[4];
                size_t len;

                if (!xml_char_ok(cp))
                        cp = ISO_REPLACEMENT_CHAR;
                len = iso_utf8_put(cp, enc);
                if (fwrite(enc, 1, len, f) != len)
                        return -1;
                i += k;
        }
        return 0;
}

/* A text being composed (open_memstream) before it goes to the writer whole. */
struct text {
        char *buf;
        size_t len;
        FILE *f;
};

static int text_open(struct text *t)
{
        t->buf = NULL;
        t->len = 0;
        t->f = open_memstream(&t->buf, &t->len);
        return t->f ? 0 : -1;
}

/* Close @t and write it as the content of the open element (escaped by xmlTextWriter). */
static int text_write(xmlTextWriterPtr w, struct text *t, int ok)
{
        ok = fclose(t->f) == 0 && ok;
        if (ok && t->len)
                ok = xmlTextWriterWriteString(w, BAD_CAST t->buf) >= 0;
        free(t->buf);
        return ok ? 0 : -1;
}

/* Attribute @key with the @n bytes at @val, cleaned (NULL: ""). */
static int attr_n(xmlTextWriterPtr w, const char *key, const char *val, size_t n)
{
        struct text t;
        int ok;

        if (text_open(&t) < 0)
                return -1;
        ok = clean_put(t.f, val, val ? n : 0) == 0;
        ok = fclose(t.f) == 0 && ok;
        ok = ok && xmlTextWriterWriteAttribute(w, BAD_CAST key, BAD_CAST(t.buf ? t.buf : "")) >= 0;
        free(t.buf);
        return ok ? 0 : -1;
}

static int attr(xmlTextWriterPtr w, const char *key, const char *val)
{
        return attr_n(w, key, val, val ? strlen(val) : 0);
}

static int attr_count(xmlTextWriterPtr w, const char *key, size_t n)
{
        return xmlTextWriterWriteFormatAttribute(w, BAD_CAST key, "%zu", n) < 0 ? -1 : 0;
}

static int attr_time(xmlTextWriterPtr w, double s)
{
        char buf[48];

        if (iso_format_seconds(buf, sizeof(buf), s))
                return -1;
        return attr(w, "time", buf);
}

static int start(xmlTextWriterPtr w, const char *name)
{
        return xmlTextWriterStartElement(w, BAD_CAST name) < 0 ? -1 : 0;
}

static int end(xmlTextWriterPtr w)
{
        return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static enum iso_verdict verdict_of(const struct iso_result *r)
{
        /* Out-of-range verdicts are errors, as iso_run_count counts them. */
        return (unsigned int)r->verdict > ISO_ERROR ? ISO_ERROR : r->verdict;
}

static size_t n_checks_of(const struct iso_result *r)
{
        return r->n_checks < ISO_MAX_CHECKS ? r->n_checks : ISO_MAX_CHECKS;
}

static size_t n_artifacts_of(const struct iso_result *r)
{
        return r->n_artifacts < ISO_MAX_ARTIFACTS ? r->n_artifacts : ISO_MAX_ARTIFACTS;
}

/*
 * "pidns.init.pid1" is classname "pidns.init", name "pid1": Jenkins groups by the
 * classname's dots. A name without an inner dot (none, or only at either end) would give
 * an empty half, so it is used whole for both.
 */
static int put_case_names(xmlTextWriterPtr w, const char *name)
{
        /* DESIGN.md: classname is "area.topic", name the behaviour, variant included
         * ("cgroup.memory" + "oom_kill.stress-ng"). */
        const char *first = strchr(name, '.');
        const char *second = first ? strchr(first + 1, '.') : NULL;
        const char *dot = second ? second : first;
        size_t len = strlen(name);

        if (!dot || dot == name || dot == name + len - 1)
                return attr(w, "classname", name) || attr(w, "name", name) ? -1 : 0;
        if (attr_n(w, "classname", name, (size_t)(dot - name)) || attr(w, "name", dot + 1))
                return -1;
        return 0;
}

static int put_check_line(FILE *out, size_t num, const struct iso_check_rec *c)
{
        size_t file_n = fieldlen(c->file, sizeof(c->file));

        if (putf(out, "%sok %zu - ", c->ok ? "" : "not ", num) ||
            clean_put(out, c->what, fieldlen(c->what, sizeof(c->what))))
                return -1;
        if (file_n &&
            (put(out, " (") || clean_put(out, c->file, file_n) || putf(out, ":%d)", c->line)))
                return -1;
        if (c->skipped &&
            (put(out, " # SKIP ") || clean_put(out, c->got, fieldlen(c->got, sizeof(c->got)))))
                return -1;
        return put(out, "\n");
}

static int put_artifacts(FILE *out, const struct iso_result *r)
{
        size_t n_art = n_artifacts_of(r);

        if (n_art && put(out, "artifacts:\n"))
                return -1;
        for (size_t i = 0; i < n_art; i++) {
                const char *a = r->artifacts[i];

                if (put(out, "  ") || clean_put(out, a, fieldlen(a, sizeof(r->artifacts[i]))) ||
                    put(out, "\n"))
                        return -1;
        }
        return 0;
}

/* The body of <failure> or <error>: what went wrong, where, and what was kept. */
static int put_verdict_body(FILE *out, const struct iso_result *r, const char *msg, size_t msg_n)
{
        size_t where_n = fieldlen(r->where, sizeof(r->where));
        size_t n_checks = n_checks_of(r);

        if (clean_put(out, msg, msg_n) || put(out, "\n"))
                return -1;
        if (where_n && (put(out, "at: ") || clean_put(out, r->where, where_n) || put(out, "\n")))
                return -1;
        for (size_t i = 0; i < n_checks; i++) {
                const struct iso_check_rec *c = &r->checks[i];

                if (c->ok)
                        continue;
                if (put_check_line(out, i + 1, c) || put(out, "  expected: ") ||
                    clean_put(out, c->expected, fieldlen(c->expected, sizeof(c->expected))) ||
                    put(out, "\n  got: ") ||
                    clean_put(out, c->got, fieldlen(c->got, sizeof(c->got))) || put(out, "\n"))
                        return -1;
        }
        return put_artifacts(out, r);
}

static int put_verdict(xmlTextWriterPtr w, const struct iso_result *r, enum iso_verdict v)
{
        const char *msg = r->message, *tag;
        size_t msg_n = fieldlen(r->message, sizeof(r->message));
        char fallback[64];
        struct text t;
        int ok;

        if (v == ISO_PASS)
                return 0;
        if (!msg_n) {
                /* Consumers show the message attribute as the headline: never leave it empty. */
                size_t failed = 0, n_checks = n_checks_of(r);

                for (size_t i = 0; i < n_checks; i++)
                        failed += !r->checks[i].ok;
                if (v == ISO_FAIL)
                        snprintf(fallback, sizeof(fallback), "%zu of %zu checks failed", failed,
                                 n_checks);
                else
                        snprintf(fallback, sizeof(fallback), "%s", iso_verdict_name(v));
                msg = fallback;
                msg_n = strlen(fallback);
        }
        tag = v == ISO_SKIP ? "skipped" : v == ISO_FAIL ? "failure" : "error";
        if (start(w, tag) || attr_n(w, "message", msg, msg_n))
                return -1;
        if (v != ISO_SKIP && attr(w, "type", iso_verdict_name(v)))
                return -1;
        if (text_open(&t) < 0)
                return -1;
        if (v == ISO_SKIP) {
                size_t where_n = fieldlen(r->where, sizeof(r->where));

                ok = clean_put(t.f, msg, msg_n) == 0 &&
                     (!where_n ||
                      (put(t.f, "\nat: ") == 0 && clean_put(t.f, r->where, where_n) == 0));
        } else {
                ok = put_verdict_body(t.f, r, msg, msg_n) == 0;
        }
        if (text_write(w, &t, ok))
                return -1;
        return end(w);
}

/* <system-out>: the case log, then every check with its outcome. Always present. */
static int put_system_out(xmlTextWriterPtr w, const struct iso_result *r)
{
        size_t n_checks = n_checks_of(r);
        struct text t;
        int ok = 1;

        if (start(w, "system-out") || text_open(&t) < 0)
                return -1;
        if (r->log && *r->log) {
                size_t n = strlen(r->log);

                ok = clean_put(t.f, r->log, n) == 0 &&
                     (r->log[n - 1] == '\n' || put(t.f, "\n") == 0);
        }
        if (ok && n_checks)
                ok = put(t.f, "checks:\n") == 0;
        for (size_t i = 0; ok && i < n_checks; i++)
                ok = put_check_line(t.f, i + 1, &r->checks[i]) == 0;
        /* Passing cases keep evidence too (a capture, the kernel log lines): name it. */
        ok = ok && put_artifacts(t.f, r) == 0;
        /* Again in the form GitLab and Jenkins' attachments plugin turn into links. */
        for (size_t i = 0; ok && i < n_artifacts_of(r); i++)
                ok = put(t.f, "[[ATTACHMENT|") == 0 &&
                     clean_put(t.f, r->artifacts[i],
                               fieldlen(r->artifacts[i], sizeof(r->artifacts[i]))) == 0 &&
                     put(t.f, "]]\n") == 0;
        if (text_write(w, &t, ok))
                return -1;
        /* "<system-out></system-out>" even when empty, as before. */
        return xmlTextWriterFullEndElement(w) < 0 ? -1 : 0;
}

/*
 * What CI front ends show beside a case (GitLab, pytest's xunit1 family): the file and line
 * that declare it, when it started, and how many checks it made. Not in junit-10.xsd,
 * whose consumers ignore attributes they do not know; isocheck-junit.xsd has them.
 */
static int put_case_origin(xmlTextWriterPtr w, const struct iso_result *r, const char *run_stamp)
{
        if (r->file && *r->file &&
            (attr(w, "file", r->file) ||
             xmlTextWriterWriteFormatAttribute(w, BAD_CAST "line", "%d", r->line) < 0))
                return -1;
        if (attr(w, "timestamp",
                 r->started[0] ? r->started
                 : run_stamp   ? run_stamp
                               : "1970-01-01T00:00:00Z"))
                return -1;
        return attr_count(w, "assertions", n_checks_of(r));
}

static int put_case(xmlTextWriterPtr w, const struct iso_result *r, const char *run_stamp)
{
        enum iso_verdict v = verdict_of(r);

        if (start(w, "testcase") || put_case_names(w, r->name ? r->name : "") ||
            attr_time(w, r->duration_s) || put_case_origin(w, r, run_stamp) ||
            put_verdict(w, r, v) || put_system_out(w, r) || end(w))
                return -1;
        return 0;
}

/* A broken harness shows as one more case, in error: never as an all-green file. */
static int put_harness_error(xmlTextWriterPtr w, const char *why, const char *run_stamp)
{
        struct text t;
        int ok;

        if (start(w, "testcase") || attr(w, "classname", "isocheck") ||
            attr(w, "name", "harness") || attr(w, "time", "0.000") ||
            attr(w, "timestamp", run_stamp ? run_stamp : "1970-01-01T00:00:00Z") ||
            attr(w, "assertions", "0") || start(w, "error") || attr(w, "message", why) ||
            attr(w, "type", "error") || text_open(&t) < 0)
                return -1;
        ok = clean_put(t.f, why, strlen(why)) == 0 &&
             put(t.f, "\nthe other reports of this run are incomplete") == 0;
        if (text_write(w, &t, ok) || end(w) || start(w, "system-out") ||
            xmlTextWriterFullEndElement(w) < 0 || end(w))
                return -1;
        return 0;
}

static int put_document(xmlTextWriterPtr w, const struct iso_run *run)
{
        size_t counts[4], n;

        iso_run_count(run, counts);
        n = run->n_results;
        if (run->harness_error) {
                n++;
                counts[ISO_ERROR]++;
        }
        if (xmlTextWriterSetIndent(w, 1) < 0 ||
            xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
            xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0)
                return -1;
        if (start(w, "testsuites") || attr(w, "name", "isocheck") || attr_count(w, "tests", n) ||
            attr_count(w, "failures", counts[ISO_FAIL]) ||
            attr_count(w, "errors", counts[ISO_ERROR]) ||
            attr_count(w, "skipped", counts[ISO_SKIP]) || attr_time(w, run->duration_s))
                return -1;
        /* "skipped" on <testsuites> too (junit-10.xsd lacks it; GitLab and Jenkins read it). */
        if (start(w, "testsuite") || attr(w, "name", run->target) || attr_count(w, "tests", n) ||
            attr_count(w, "failures", counts[ISO_FAIL]) ||
            attr_count(w, "errors", counts[ISO_ERROR]) ||
            attr_count(w, "skipped", counts[ISO_SKIP]) || attr_time(w, run->duration_s) ||
            attr(w, "timestamp", run->timestamp) || attr(w, "hostname", run->hostname))
                return -1;
        if (start(w, "properties"))
                return -1;
        for (size_t i = 0; i < run->n_props; i++) {
                const struct iso_property *p = &run->props[i];

                if (start(w, "property") || attr(w, "name", p->name) ||
                    attr(w, "value", p->value) || end(w))
                        return -1;
        }
        if (xmlTextWriterFullEndElement(w) < 0)
                return -1;
        for (size_t i = 0; i < run->n_results; i++)
                if (put_case(w, &run->results[i], run->timestamp))
                        return -1;
        if (run->harness_error && put_harness_error(w, run->harness_error, run->timestamp))
                return -1;
        return xmlTextWriterEndDocument(w) < 0 ? -1 : 0;
}

int iso_junit_write(FILE *out, const struct iso_run *run)
{
        struct sink sink = {out, 0};
        xmlOutputBufferPtr buf;
        xmlTextWriterPtr w;
        int rc;

        if (!out || !run || (run->n_results && !run->results) || (run->n_props && !run->props)) {
                errno = EINVAL;
                return -1;
        }
        xmlGenericErrorFunc old_handler = xmlGenericError;
        void *old_ctx = xmlGenericErrorContext;
        xmlSetGenericErrorFunc(NULL, quiet);
        buf = xmlOutputBufferCreateIO(sink_write, sink_close, &sink, NULL);
        w = buf ? xmlNewTextWriter(buf) : NULL; /* owns @buf from here on */
        if (!w) {
                if (buf)
                        xmlOutputBufferClose(buf);
                xmlSetGenericErrorFunc(old_ctx, old_handler);
                errno = ENOMEM;
                return -1;
        }
        rc = put_document(w, run);
        xmlFreeTextWriter(w); /* flushes what is left into the sink */
        xmlSetGenericErrorFunc(old_ctx, old_handler);
        errno = 0;
        if (fflush(out) == EOF || ferror(out))
                rc = -1;
        if (rc < 0 || sink.err) {
                errno = sink.err ? sink.err : errno ? errno : EIO;
                return -1;
        }
        return 0;
}

/* The JUnit writer of the report seam: --junit FILE, written whole at the end. */
static const char *junit_path(const struct iso_opts *o)
{
        return o->junit_path;
}

static int junit_end(const struct iso_report_out *out, const struct iso_run *run)
{
        return iso_junit_write(out->f, run);
}

const struct iso_report_writer iso_report_junit = {
        .name = "junit",
        .label = "JUnit",
        .path = junit_path,
        .end = junit_end,
};
