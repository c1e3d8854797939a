// SPDX-License-Identifier: MIT
/*
 * JUnit XML writer, for Jenkins' junit-10.xsd and the project's isocheck-junit.xsd.
 *
 * All text goes through one escaper that decodes UTF-8 strictly, so the document stays
 * well formed whatever a case recorded: markup characters become entity references (so
 * "]]>" cannot close anything, and no CDATA is used), characters XML 1.0 forbids become
 * U+FFFD, and white space in attributes is written as character references because
 * attribute-value normalisation would otherwise turn it into plain spaces.
 */
#include "isocheck/report.h"

#include <errno.h>
#include <locale.h>
#include <stdint.h>
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

/* ` key="value"` with the value escaped for an attribute. */
static int put_attr_n(FILE *out, const char *key, const char *val, size_t n)
{
        if (putf(out, " %s=\"", key) || xml_put_n(out, val ? val : "", val ? n : 0, 1) ||
            put(out, "\""))
                return -1;
        return 0;
}

static int put_attr(FILE *out, const char *key, const char *val)
{
        return put_attr_n(out, key, val, val ? strlen(val) : 0);
}

static int put_time_attr(FILE *out, double s)
{
        char buf[48];

        if (iso_format_seconds(buf, sizeof(buf), s))
                return -1;
        return putf(out, " time=\"%s\"", buf);
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
static int put_case_names(FILE *out, const char *name)
{
        /* DESIGN.md: classname is "area.topic", name the behaviour, variant included
         * ("cgroup.memory" + "oom_kill.tool"). */
        const char *first = strchr(name, '.');
        const char *second = first ? strchr(first + 1, '.') : NULL;
        const char *dot = second ? second : first;
        size_t len = strlen(name);

        if (!dot || dot == name || dot == name + len - 1)
                return put_attr(out, "classname", name) || put_attr(out, "name", name) ? -1 : 0;
        if (put_attr_n(out, "classname", name, (size_t)(dot - name)) ||
            put_attr(out, "name", dot + 1))
                return -1;
        return 0;
}

static int put_check_line(FILE *out, size_t num, const struct iso_check_rec *c)
{
        size_t file_n = fieldlen(c->file, sizeof(c->file));

        if (putf(out, "%sok %zu - ", c->ok ? "" : "not ", num) ||
            xml_put_n(out, c->what, fieldlen(c->what, sizeof(c->what)), 0))
                return -1;
        if (file_n &&
            (put(out, " (") || xml_put_n(out, c->file, file_n, 0) || putf(out, ":%d)", c->line)))
                return -1;
        if (c->skipped &&
            (put(out, " # SKIP ") || xml_put_n(out, c->got, fieldlen(c->got, sizeof(c->got)), 0)))
                return -1;
        return put(out, "\n");
}

/* The body of <failure> or <error>: what went wrong, where, and what was kept. */
static int put_verdict_body(FILE *out, const struct iso_result *r, const char *msg, size_t msg_n)
{
        size_t where_n = fieldlen(r->where, sizeof(r->where));
        size_t i, n_checks = n_checks_of(r), n_art = n_artifacts_of(r);

        if (xml_put_n(out, msg, msg_n, 0) || put(out, "\n"))
                return -1;
        if (where_n && (put(out, "at: ") || xml_put_n(out, r->where, where_n, 0) || put(out, "\n")))
                return -1;
        for (i = 0; i < n_checks; i++) {
                const struct iso_check_rec *c = &r->checks[i];

                if (c->ok)
                        continue;
                if (put_check_line(out, i + 1, c) || put(out, "  expected: ") ||
                    xml_put_n(out, c->expected, fieldlen(c->expected, sizeof(c->expected)), 0) ||
                    put(out, "\n  got: ") ||
                    xml_put_n(out, c->got, fieldlen(c->got, sizeof(c->got)), 0) || put(out, "\n"))
                        return -1;
        }
        if (n_art && put(out, "artifacts:\n"))
                return -1;
        for (i = 0; i < n_art; i++) {
                const char *a = r->artifacts[i];

                if (put(out, "  ") || xml_put_n(out, a, fieldlen(a, sizeof(r->artifacts[i])), 0) ||
                    put(out, "\n"))
                        return -1;
        }
        return 0;
}

static int put_verdict(FILE *out, const struct iso_result *r, enum iso_verdict v)
{
        const char *msg = r->message, *tag;
        size_t msg_n = fieldlen(r->message, sizeof(r->message));
        char fallback[64];

        if (v == ISO_PASS)
                return 0;
        if (!msg_n) {
                /* Consumers show the message attribute as the headline: never leave it empty. */
                size_t i, failed = 0, n_checks = n_checks_of(r);

                for (i = 0; i < n_checks; i++)
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
        if (putf(out, "      <%s", tag) || put_attr_n(out, "message", msg, msg_n))
                return -1;
        if (v != ISO_SKIP && putf(out, " type=\"%s\"", iso_verdict_name(v)))
                return -1;
        if (put(out, ">"))
                return -1;
        if (v == ISO_SKIP) {
                size_t where_n = fieldlen(r->where, sizeof(r->where));

                if (xml_put_n(out, msg, msg_n, 0))
                        return -1;
                if (where_n && (put(out, "\nat: ") || xml_put_n(out, r->where, where_n, 0)))
                        return -1;
        } else if (put_verdict_body(out, r, msg, msg_n)) {
                return -1;
        }
        return putf(out, "</%s>\n", tag);
}

/* <system-out>: the case log, then every check with its outcome. Always present. */
static int put_system_out(FILE *out, const struct iso_result *r)
{
        size_t i, n_checks = n_checks_of(r);

        if (put(out, "      <system-out>"))
                return -1;
        if (r->log && *r->log) {
                size_t n = strlen(r->log);

                if (xml_put_n(out, r->log, n, 0) || (r->log[n - 1] != '\n' && put(out, "\n")))
                        return -1;
        }
        if (n_checks && put(out, "checks:\n"))
                return -1;
        for (i = 0; i < n_checks; i++)
                if (put_check_line(out, i + 1, &r->checks[i]))
                        return -1;
        /* Passing cases keep evidence too (a capture, the kernel log lines): name it. */
        if (n_artifacts_of(r) && put(out, "artifacts:\n"))
                return -1;
        for (i = 0; i < n_artifacts_of(r); i++) {
                const char *a = r->artifacts[i];

                if (put(out, "  ") || xml_put_n(out, a, fieldlen(a, sizeof(r->artifacts[i])), 0) ||
                    put(out, "\n"))
                        return -1;
        }
        return put(out, "</system-out>\n");
}

static int put_case(FILE *out, const struct iso_result *r)
{
        enum iso_verdict v = verdict_of(r);

        if (put(out, "    <testcase") || put_case_names(out, r->name ? r->name : "") ||
            put_time_attr(out, r->duration_s) || put(out, ">\n") || put_verdict(out, r, v) ||
            put_system_out(out, r) || put(out, "    </testcase>\n"))
                return -1;
        return 0;
}

int iso_junit_write(FILE *out, const struct iso_run *run)
{
        size_t counts[4], i, n;

        if (!out || !run || (run->n_results && !run->results) || (run->n_props && !run->props)) {
                errno = EINVAL;
                return -1;
        }
        iso_run_count(run, counts);
        n = run->n_results;
        /* A broken harness shows as one more case, in error: never as an all-green file. */
        size_t extra = run->harness_error ? 1 : 0;
        n += extra;
        counts[ISO_ERROR] += extra;
        if (put(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") ||
            putf(out, "<testsuites name=\"isocheck\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"",
                 n, counts[ISO_FAIL], counts[ISO_ERROR]) ||
            put_time_attr(out, run->duration_s) || put(out, ">\n"))
                return -1;
        /* junit-10.xsd has no "skipped" on <testsuites>; <testsuite> carries it. */
        if (put(out, "  <testsuite") || put_attr(out, "name", run->target) ||
            putf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", n,
                 counts[ISO_FAIL], counts[ISO_ERROR], counts[ISO_SKIP]) ||
            put_time_attr(out, run->duration_s) || put_attr(out, "timestamp", run->timestamp) ||
            put_attr(out, "hostname", run->hostname) || put(out, ">\n"))
                return -1;
        if (put(out, "    <properties>\n"))
                return -1;
        for (i = 0; i < run->n_props; i++) {
                const struct iso_property *p = &run->props[i];

                if (put(out, "      <property") || put_attr(out, "name", p->name) ||
                    put_attr(out, "value", p->value) || put(out, "/>\n"))
                        return -1;
        }
        if (put(out, "    </properties>\n"))
                return -1;
        for (i = 0; i < run->n_results; i++)
                if (put_case(out, &run->results[i]))
                        return -1;
        if (extra && (put(out, "    <testcase classname=\"isocheck\" name=\"harness\" "
                               "time=\"0.000\">\n      <error") ||
                      put_attr(out, "message", run->harness_error) ||
                      put(out, " type=\"error\">") || iso_xml_put(out, run->harness_error, 0) ||
                      put(out, "\nthe other reports of this run are incomplete</error>\n"
                               "      <system-out></system-out>\n    </testcase>\n")))
                return -1;
        if (put(out, "  </testsuite>\n</testsuites>\n"))
                return -1;
        if (fflush(out) == EOF || ferror(out))
                return -1;
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
