// SPDX-License-Identifier: MIT
/*
 * TAP writer (version 14, or 13 for older consumers).
 *
 * Every string that reaches a TAP line comes from a case and may hold anything. The only
 * structure TAP has is lines and a few leading keywords, so the writer's job is to keep
 * each string on its own line and away from the '#' that starts a directive: descriptions
 * escape '#', '\' and control characters, comments escape control characters, and YAML
 * values are always double-quoted scalars with escapes, so no value can end a block or
 * start a new key. Invalid UTF-8 becomes U+FFFD because TAP 14 streams are UTF-8.
 */
#include "isocheck/report.h"

#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <string.h>

#include "isocheck/cli.h"
#include "isocheck/text.h"
#include "isocheck/install.h"
#include "report_io.h"

/* How a string is escaped on its way into a TAP line. */
enum tap_esc {
        ESC_DESC,    /* test point description, SKIP reason, Bail out! reason */
        ESC_COMMENT, /* text after "# " */
        ESC_YAML,    /* inside a YAML double-quoted scalar */
};

/* Indentation of a subtest, and of YAML blocks relative to their test point. */
#define SUB_INDENT "    "
#define YAML_INDENT "  "

/*
 * Code points that must not appear raw in @mode. C0 controls, DEL and C1 controls (NEL,
 * U+0085, is a line break to YAML 1.1) could split or hide a line; U+2028 and U+2029 are
 * line breaks to YAML and to some readers of comments. In YAML, U+FEFF and the
 * non-characters U+FFFE and U+FFFF are not printable either.
 */
static int needs_escape(uint32_t cp, enum tap_esc mode)
{
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
                return 1;
        if (mode == ESC_YAML && (cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF))
                return 1;
        return 0;
}

static int put_raw(FILE *out, uint32_t cp)
{
        char enc[4];
        size_t n = iso_utf8_put(cp, enc);

        return fwrite(enc, 1, n, out) == n ? 0 : -1;
}

/* Write the @n bytes at @s escaped for @mode. @s need not be NUL-terminated. */
static int put_esc(FILE *out, const char *s, size_t n, enum tap_esc mode)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < n) {
                uint32_t cp;
                size_t k = iso_utf8_next(p + i, n - i, &cp);
                int rc;

                if (cp == '\\' && mode != ESC_COMMENT)
                        rc = put(out, "\\\\");
                else if (cp == '#' && mode == ESC_DESC)
                        rc = put(out, "\\#");
                else if (cp == '"' && mode == ESC_YAML)
                        rc = put(out, "\\\"");
                else if (cp == '\n' && mode == ESC_YAML)
                        rc = put(out, "\\n");
                else if (cp == '\t' && mode == ESC_YAML)
                        rc = put(out, "\\t");
                else if (cp == '\r' && mode == ESC_YAML)
                        rc = put(out, "\\r");
                else if (needs_escape(cp, mode))
                        rc = cp <= 0xFF ? putf(out, "\\x%02x", (unsigned int)cp)
                                        : putf(out, "\\u%04x", (unsigned int)cp);
                else
                        rc = put_raw(out, cp);
                if (rc)
                        return -1;
                i += k;
        }
        return 0;
}

static int put_yaml(FILE *out, const char *s, size_t n)
{
        if (put(out, "\"") || put_esc(out, s, n, ESC_YAML) || put(out, "\""))
                return -1;
        return 0;
}

/* A `key: "value"` line of a YAML block whose "---" is at @indent. */
static int put_yaml_kv(FILE *out, const char *indent, const char *key, const char *s, size_t n)
{
        if (putf(out, "%s%s: ", indent, key) || put_yaml(out, s, n) || put(out, "\n"))
                return -1;
        return 0;
}

int iso_tap_put_desc(FILE *out, const char *s)
{
        if (!out)
                return -1;
        if (!s)
                return 0;
        return put_esc(out, s, strlen(s), ESC_DESC);
}

int iso_tap_begin(const struct iso_tap *tap, size_t n_planned)
{
        if (!tap || !tap->out) {
                errno = EINVAL;
                return -1;
        }
        /* Anything but 13 gets 14: it is the default and what a zeroed struct should mean. */
        if (putf(tap->out, "TAP version %d\n1..%zu\n", tap->version == 13 ? 13 : 14, n_planned))
                return -1;
        return fflush(tap->out) == EOF ? -1 : 0;
}

int iso_tap_bail(const struct iso_tap *tap, const char *reason)
{
        if (!tap || !tap->out) {
                errno = EINVAL;
                return -1;
        }
        if (put(tap->out, "Bail out!"))
                return -1;
        if (reason && *reason &&
            (put(tap->out, " ") || put_esc(tap->out, reason, strlen(reason), ESC_DESC)))
                return -1;
        if (put(tap->out, "\n"))
                return -1;
        return fflush(tap->out) == EOF ? -1 : 0;
}

/* "ok N - desc" without the line end, at @indent. An empty description is left out. */
static int put_point(FILE *out, const char *indent, int ok, size_t num, const char *desc, size_t n)
{
        if (putf(out, "%s%sok %zu", indent, ok ? "" : "not ", num))
                return -1;
        if (n && (put(out, " - ") || put_esc(out, desc, n, ESC_DESC)))
                return -1;
        return 0;
}

/* The case log as comment lines, one per log line, so it cannot be read as TAP. */
static int put_log(FILE *out, const char *log)
{
        const char *p = log;

        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                size_t shown = n;

                /* CRLF logs would otherwise end every line in a visible "\x0d". */
                if (shown && p[shown - 1] == '\r')
                        shown--;
                if (put(out, shown ? "# " : "#") || put_esc(out, p, shown, ESC_COMMENT) ||
                    put(out, "\n"))
                        return -1;
                if (!nl)
                        break;
                p = nl + 1;
        }
        return 0;
}

/* A check's point; its YAML block (expected, got, at) when it failed, or with @verbose (-v)
 * when it passed too, so a reader sees what was verified, not only that it held. */
static int put_check(FILE *out, size_t num, const struct iso_check_rec *c, int verbose)
{
        const char *ind = SUB_INDENT YAML_INDENT;
        size_t what_n = fieldlen(c->what, sizeof(c->what));
        size_t file_n = fieldlen(c->file, sizeof(c->file));

        if (put_point(out, SUB_INDENT, c->ok, num, c->what, what_n))
                return -1;
        if (c->skipped && (put(out, " # SKIP ") ||
                           put_esc(out, c->got, fieldlen(c->got, sizeof(c->got)), ESC_DESC)))
                return -1;
        if (put(out, "\n"))
                return -1;
        if (c->ok && (!verbose || c->skipped))
                return 0;
        if (putf(out, "%s---\n", ind) || put_yaml_kv(out, ind, "message", c->what, what_n) ||
            put_yaml_kv(out, ind, "expected", c->expected,
                        fieldlen(c->expected, sizeof(c->expected))) ||
            put_yaml_kv(out, ind, "got", c->got, fieldlen(c->got, sizeof(c->got))))
                return -1;
        if (file_n) {
                char at[sizeof(c->file) + 16];
                int n = snprintf(at, sizeof(at), "%.*s:%d", (int)file_n, c->file, c->line);

                if (n < 0 || put_yaml_kv(out, ind, "at", at, strnlen(at, sizeof(at))))
                        return -1;
        }
        return putf(out, "%s...\n", ind);
}

/*
 * The checks as a subtest. TAP 14 reads it as a child stream; a TAP 13 reader such as
 * prove 3.44 sees the "# Subtest" comment and ignores the indented lines it does not know,
 * and its YAML reader accepts the indented blocks, so both versions share this layout.
 */
static int put_subtest(FILE *out, const struct iso_result *r, const char *name, size_t name_n,
                       size_t n_checks, int verbose)
{
        size_t i;

        if (put(out, "# Subtest") ||
            (name_n && (put(out, ": ") || put_esc(out, name, name_n, ESC_DESC))) ||
            putf(out, "\n%s1..%zu\n", SUB_INDENT, n_checks))
                return -1;
        for (i = 0; i < n_checks; i++)
                if (put_check(out, i + 1, &r->checks[i], verbose))
                        return -1;
        return 0;
}

/* The diagnostics of a case that failed or broke, 2 spaces under its test point. */
static int put_case_yaml(FILE *out, const struct iso_result *r, enum iso_verdict v, size_t n_checks)
{
        size_t msg_n = fieldlen(r->message, sizeof(r->message));
        size_t where_n = fieldlen(r->where, sizeof(r->where));
        size_t n_art = r->n_artifacts < ISO_MAX_ARTIFACTS ? r->n_artifacts : ISO_MAX_ARTIFACTS;
        char secs[48];
        size_t i;

        if (put(out, YAML_INDENT "---\n"))
                return -1;
        if (!msg_n && v == ISO_FAIL) {
                /* A failure always says something, even when the case left no message. */
                size_t failed = 0;
                char msg[64];

                for (i = 0; i < n_checks; i++)
                        failed += !r->checks[i].ok;
                snprintf(msg, sizeof(msg), "%zu of %zu checks failed", failed, n_checks);
                if (put_yaml_kv(out, YAML_INDENT, "message", msg, strlen(msg)))
                        return -1;
        } else if (put_yaml_kv(out, YAML_INDENT, "message", r->message, msg_n)) {
                return -1;
        }
        if (putf(out, YAML_INDENT "severity: \"%s\"\n", iso_verdict_name(v)))
                return -1;
        if (where_n && put_yaml_kv(out, YAML_INDENT, "at", r->where, where_n))
                return -1;
        if (iso_format_seconds(secs, sizeof(secs), r->duration_s) ||
            putf(out, YAML_INDENT "duration_s: %s\n", secs))
                return -1;
        if (n_art) {
                if (put(out, YAML_INDENT "artifacts:\n"))
                        return -1;
                for (i = 0; i < n_art; i++) {
                        const char *a = r->artifacts[i];

                        if (put(out, YAML_INDENT "  - ") ||
                            put_yaml(out, a, fieldlen(a, sizeof(r->artifacts[i]))) ||
                            put(out, "\n"))
                                return -1;
                }
        }
        return put(out, YAML_INDENT "...\n");
}

int iso_tap_case(const struct iso_tap *tap, size_t number, const struct iso_result *r)
{
        FILE *out;
        enum iso_verdict v;
        const char *name;
        size_t name_n, n_checks;

        if (!tap || !tap->out || !r) {
                errno = EINVAL;
                return -1;
        }
        out = tap->out;
        v = r->verdict;
        if ((unsigned int)v > ISO_ERROR)
                v = ISO_ERROR; /* as iso_run_count counts it */
        name = r->name ? r->name : "";
        name_n = strlen(name);
        n_checks = r->n_checks < ISO_MAX_CHECKS ? r->n_checks : ISO_MAX_CHECKS;

        if (tap->verbose && r->log && put_log(out, r->log))
                return -1;
        /*
         * A skipped case's checks decided nothing; as a subtest, a failed one would be
         * counted as a failure by consumers that total subtests, under an "ok" parent.
         */
        if (n_checks && v != ISO_SKIP && put_subtest(out, r, name, name_n, n_checks, tap->verbose))
                return -1;
        if (put_point(out, "", v == ISO_PASS || v == ISO_SKIP, number, name, name_n))
                return -1;
        if (v == ISO_SKIP) {
                size_t msg_n = fieldlen(r->message, sizeof(r->message));

                /* "ok ... # SKIP": prove 3.44 counts "not ok ... # SKIP" as a failure. */
                if (put(out, " # SKIP") ||
                    (msg_n && (put(out, " ") || put_esc(out, r->message, msg_n, ESC_DESC))))
                        return -1;
        }
        if (put(out, "\n"))
                return -1;
        if ((v == ISO_FAIL || v == ISO_ERROR) && put_case_yaml(out, r, v, n_checks))
                return -1;
        /* Flush per case so a consumer reading the pipe sees progress, and errors show now. */
        if (fflush(out) == EOF || ferror(out))
                return -1;
        return 0;
}

/* The TAP writer of the report seam: the stream on standard output, and --tap FILE. */
static struct iso_tap tap_of(const struct iso_report_out *out)
{
        return (struct iso_tap){out->f, out->opts->tap_version, out->opts->verbose};
}

static const char *tap_path(const struct iso_opts *o)
{
        return o->tap_path;
}

static int tap_begin(const struct iso_report_out *out, size_t n_planned)
{
        struct iso_tap tap = tap_of(out);

        /* --until-fail cannot know how many rounds will run: the plan comes last (tap_end),
         * as TAP allows. */
        int rc = out->opts->until_fail
                         ? putf(out->f, "TAP version %d\n", tap.version == 13 ? 13 : 14)
                         : iso_tap_begin(&tap, n_planned);
        /* Which isocheck wrote it, as the JUnit report's isocheck.version property says. */
        if (rc != 0 || putf(out->f, "# isocheck %s\n", iso_version()))
                return -1;
        return fflush(out->f) == EOF ? -1 : 0;
}

static int tap_end(const struct iso_report_out *out, const struct iso_run *run)
{
        if (!out->opts->until_fail)
                return 0;
        return putf(out->f, "1..%zu\n", run->n_results) || fflush(out->f) == EOF ? -1 : 0;
}

static int tap_add(const struct iso_report_out *out, size_t number, const struct iso_result *r)
{
        struct iso_tap tap = tap_of(out);

        return iso_tap_case(&tap, number, r);
}

static int tap_bail(const struct iso_report_out *out, const char *reason)
{
        struct iso_tap tap = tap_of(out);

        return iso_tap_bail(&tap, reason);
}

const struct iso_report_writer iso_report_tap = {
        .name = "tap",
        .label = "TAP",
        .to_stdout = 1,
        .path = tap_path,
        .begin = tap_begin,
        .add = tap_add,
        .end = tap_end,
        .bail = tap_bail,
};
