// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the TAP writer (report_tap.c).
 *
 * The fuzz bytes become a run: results with names, messages, checks (what, expected, got,
 * file:line, ok/skipped), logs, artifacts and verdicts in and out of range, durations that
 * are NaN, negative or huge, and fixed-size fields filled to the last byte with no NUL
 * (report.h: a crashed case may leave them so). The writer writes them to a memory stream
 * and the stream is checked against what report.h promises:
 *
 *   - valid UTF-8, no control character but '\n' (and no C1 control, U+2028, U+2029);
 *   - the version line, one plan, the test points numbered 1..N in order, "# " comments,
 *     subtests ("# Subtest", 4-space indent, own plan) and YAML blocks between "---" and
 *     "..." holding `key: "double-quoted"` scalars, numbers and one list;
 *   - each string read back (descriptions unescaped, YAML scalars decoded) is the string the
 *     case recorded, invalid UTF-8 aside (it becomes U+FFFD), cut at the field's size;
 *   - points, SKIP directives, subtests and YAML blocks match the verdicts and checks.
 *
 * In "probe" mode every fixed-size field is filled with one code point of its own
 * (U+00C0 file, U+00C1 what, ...) and every other byte of the result with U+00DF, so a
 * writer that reads a field past its size or past its NUL prints a mixed or overlong run,
 * or U+00DF: either aborts.
 */
#include "isocheck/report.h"

#include "run_input.h"
#include "tap_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- checking the stream ---------------------------------------------------------- */

static size_t flen(const char *s, size_t size)
{
        return s ? strnlen(s, size) : 0;
}

static enum iso_verdict norm_verdict(enum iso_verdict v)
{
        return (unsigned int)v > ISO_ERROR ? ISO_ERROR : v;
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
 * "ok N[ - DESC][ # SKIP[ REASON]]" after @indent: checks the number, the description and
 * the directive against @desc and @reason (NULL: no SKIP expected). Returns ok.
 */
static int check_point(struct tap_line l, size_t indent, size_t num, const char *desc,
                       size_t desc_n, int want_ok, const char *reason, size_t reason_n)
{
        struct tap_line r = tap_rest(l, indent);
        struct cps got = {0};
        size_t i = 0, v = 0, cut;
        int ok = tap_starts(r, "ok ");

        if (!ok && !tap_starts(r, "not ok "))
                tap_bad("not a test point", l);
        r = tap_rest(r, ok ? 3 : 7);
        while (i < r.n && r.p[i] >= '0' && r.p[i] <= '9' && v < 100000)
                v = v * 10 + (size_t)(r.p[i++] - '0');
        if (!i || v != num)
                tap_bad("test point out of sequence", l);
        if (ok != want_ok)
                tap_bad("ok / not ok does not match the verdict", l);
        r = tap_rest(r, i);
        if (tap_starts(r, " - ")) {
                r = tap_rest(r, 3);
                cut = tap_desc_decode(r, &got);
                if (!got.n)
                        tap_bad("empty description after \" - \"", l);
                if (cut < r.n && (cut == 0 || r.p[cut - 1] != ' '))
                        tap_bad("directive '#' not preceded by a space", l);
                /* The space before " # SKIP" belongs to the directive, not the description. */
                if (cut < r.n && !--got.n)
                        tap_bad("empty description before a directive", l);
                tap_expect_text(&got, desc, desc_n, "description differs from the name", l);
                r = tap_rest(r, cut < r.n ? cut - 1 : r.n);
        } else if (desc_n) {
                tap_bad("description missing", l);
        }
        free(got.v);
        got.v = NULL;
        got.n = got.cap = 0;
        if (!r.n) {
                if (reason)
                        tap_bad("SKIP directive missing", l);
                return ok;
        }
        if (!tap_starts(r, " # SKIP") || !reason)
                tap_bad("unexpected directive", l);
        r = tap_rest(r, 7);
        if (r.n) {
                if (r.p[0] != ' ')
                        tap_bad("SKIP not followed by a space", l);
                r = tap_rest(r, 1);
                if (tap_desc_decode(r, &got) != r.n)
                        tap_bad("unescaped '#' in a SKIP reason", l);
        }
        tap_expect_text(&got, reason, reason_n, "SKIP reason differs", l);
        free(got.v);
        return ok;
}

/* The state of the reader between lines. */
enum where_in {
        TOP,       /* between test points */
        SUB,       /* inside a subtest's lines */
        YAML_TOP,  /* in the YAML block of a test point */
        YAML_SUB,  /* in the YAML block of a subtest point */
        YAML_LIST, /* in the artifacts list of a test point's block */
};

struct reader {
        const struct iso_result *res;
        size_t n_res;
        int version, verbose;
        const char *bail; /* the reason written with "Bail out!", or NULL */
        int bailed;

        enum where_in state;
        size_t point;      /* test points seen */
        size_t sub_plan;   /* the open subtest's plan */
        size_t sub_point;  /* its points seen */
        int sub_planned;   /* its plan line seen */
        int sub_done;      /* the next test point had its subtest */
        int need_yaml;     /* the point just read has its YAML block next (failed, or -v) */
        unsigned int keys; /* YAML keys seen in the open block */
        size_t items;      /* artifacts listed */
};

enum {
        K_MESSAGE = 1,
        K_EXPECTED = 2,
        K_GOT = 4,
        K_AT = 8,
        K_SEVERITY = 16,
        K_DURATION = 32,
        K_ARTIFACTS = 64,
};

static void seen_key(struct reader *rd, unsigned int key, struct tap_line l)
{
        if (rd->keys & key)
                tap_bad("YAML key repeated", l);
        rd->keys |= key;
}

static void yaml_line(struct reader *rd, struct tap_line l, size_t indent)
{
        const struct iso_result *r = &rd->res[rd->point - (rd->state == YAML_SUB ? 0 : 1)];
        const struct iso_check_rec *c =
                rd->state == YAML_SUB ? &r->checks[rd->sub_point - 1] : NULL;
        struct tap_line body = tap_rest(l, indent), val;
        struct cps got = {0};
        char key[16];
        size_t k = 0;

        while (k < body.n && k < sizeof(key) - 1 &&
               ((body.p[k] >= 'a' && body.p[k] <= 'z') || body.p[k] == '_'))
                k++;
        if (!k || k >= body.n || body.p[k] != ':')
                tap_bad("YAML line is not \"key: value\"", l);
        memcpy(key, body.p, k);
        key[k] = '\0';
        val = tap_rest(body, k + 1);
        if (!val.n) {
                if (c || strcmp(key, "artifacts"))
                        tap_bad("YAML key without a value", l);
                seen_key(rd, K_ARTIFACTS, l);
                rd->state = YAML_LIST;
                rd->items = 0;
                return;
        }
        if (val.p[0] != ' ')
                tap_bad("no space after a YAML key", l);
        val = tap_rest(val, 1);
        if (!strcmp(key, "duration_s") && !c) {
                size_t i = 0;

                while (i < val.n && val.p[i] >= '0' && val.p[i] <= '9')
                        i++;
                if (!i || i + 4 != val.n || val.p[i] != '.')
                        tap_bad("duration_s is not seconds with three decimals", l);
                seen_key(rd, K_DURATION, l);
                return;
        }
        tap_yaml_dq_decode(val, &got);
        if (!strcmp(key, "message")) {
                if (c) {
                        tap_expect_text(&got, c->what, flen(c->what, sizeof(c->what)),
                                        "check message differs", l);
                } else if (flen(r->message, sizeof(r->message)) ||
                           norm_verdict(r->verdict) != ISO_FAIL) {
                        tap_expect_text(&got, r->message, flen(r->message, sizeof(r->message)),
                                        "case message differs", l);
                } else if (!got.n) {
                        tap_bad("a failure without a message", l);
                }
                seen_key(rd, K_MESSAGE, l);
        } else if (!strcmp(key, "expected") && c) {
                tap_expect_text(&got, c->expected, flen(c->expected, sizeof(c->expected)),
                                "expected differs", l);
                seen_key(rd, K_EXPECTED, l);
        } else if (!strcmp(key, "got") && c) {
                tap_expect_text(&got, c->got, flen(c->got, sizeof(c->got)), "got differs", l);
                seen_key(rd, K_GOT, l);
        } else if (!strcmp(key, "at")) {
                if (c) {
                        char at[160];
                        int n = snprintf(at, sizeof(at), "%.*s:%d",
                                         (int)flen(c->file, sizeof(c->file)), c->file, c->line);

                        tap_expect_text(&got, at, (size_t)n, "check at differs", l);
                } else {
                        tap_expect_text(&got, r->where, flen(r->where, sizeof(r->where)),
                                        "case at differs", l);
                }
                seen_key(rd, K_AT, l);
        } else if (!strcmp(key, "severity") && !c) {
                const char *sev = norm_verdict(r->verdict) == ISO_FAIL ? "fail" : "error";

                tap_expect_text(&got, sev, strlen(sev), "severity differs", l);
                seen_key(rd, K_SEVERITY, l);
        } else {
                tap_bad("unknown YAML key", l);
        }
        free(got.v);
}

/* The end of a YAML block: every key the writer promises was there. */
static void yaml_end(struct reader *rd, struct tap_line l)
{
        unsigned int want;

        if (rd->state == YAML_SUB) {
                const struct iso_check_rec *c = &rd->res[rd->point].checks[rd->sub_point - 1];

                want = K_MESSAGE | K_EXPECTED | K_GOT | (flen(c->file, sizeof(c->file)) ? K_AT : 0);
        } else {
                const struct iso_result *r = &rd->res[rd->point - 1];

                want = K_MESSAGE | K_SEVERITY | K_DURATION |
                       (flen(r->where, sizeof(r->where)) ? K_AT : 0) |
                       (n_artifacts_of(r) ? K_ARTIFACTS : 0);
                if (rd->items != n_artifacts_of(r))
                        tap_bad("artifacts listed differ in number", l);
        }
        if (rd->keys != want)
                tap_bad("YAML block lacks a key the writer promises", l);
}

static void sub_line(struct reader *rd, struct tap_line l)
{
        const struct iso_result *r = &rd->res[rd->point];
        const struct iso_check_rec *c;
        char plan[32];

        if (!rd->sub_planned) {
                snprintf(plan, sizeof(plan), "    1..%zu", rd->sub_plan);
                if (!tap_is_line(l, plan))
                        tap_bad("subtest does not start with its plan", l);
                rd->sub_planned = 1;
                return;
        }
        if (rd->sub_point >= rd->sub_plan)
                tap_bad("more subtest points than its plan", l);
        c = &r->checks[rd->sub_point++];
        check_point(l, 4, rd->sub_point, c->what, flen(c->what, sizeof(c->what)), c->ok != 0,
                    c->skipped ? c->got : NULL, flen(c->got, sizeof(c->got)));
        /* Failed checks have their block; with -v passing ones too, skipped ones never. */
        rd->need_yaml = !c->ok || (rd->verbose && !c->skipped);
}

static void top_point_line(struct reader *rd, struct tap_line l)
{
        const struct iso_result *r;
        enum iso_verdict v;

        if (rd->point >= rd->n_res)
                tap_bad("more test points than planned", l);
        r = &rd->res[rd->point];
        v = norm_verdict(r->verdict);
        if (rd->state == SUB && (!rd->sub_planned || rd->sub_point != rd->sub_plan))
                tap_bad("subtest ended before its plan", l);
        if (rd->sub_done != (n_checks_of(r) && v != ISO_SKIP))
                tap_bad("subtest present or missing against the checks", l);
        check_point(l, 0, rd->point + 1, r->name, r->name ? strlen(r->name) : 0,
                    v == ISO_PASS || v == ISO_SKIP, v == ISO_SKIP ? r->message : NULL,
                    flen(r->message, sizeof(r->message)));
        rd->point++;
        rd->sub_done = 0;
        rd->state = TOP;
        rd->need_yaml = v == ISO_FAIL || v == ISO_ERROR;
}

/* "# Subtest[: name]" opening the subtest of the next test point. */
static void subtest_line(struct reader *rd, struct tap_line l)
{
        const struct iso_result *r;
        struct tap_line d = tap_rest(l, 9);
        struct cps got = {0};
        const char *name;

        if (rd->point >= rd->n_res || rd->sub_done)
                tap_bad("subtest without a test point to come", l);
        r = &rd->res[rd->point];
        name = r->name ? r->name : "";
        if (d.n || *name) {
                if (!tap_starts(d, ": ") || tap_desc_decode(tap_rest(d, 2), &got) != d.n - 2)
                        tap_bad("subtest name is not an escaped description", l);
                tap_expect_text(&got, name, strlen(name), "subtest name differs", l);
                free(got.v);
        }
        rd->state = SUB;
        rd->sub_plan = n_checks_of(r);
        rd->sub_point = 0;
        rd->sub_planned = 0;
        rd->sub_done = 1;
}

static void bail_line(struct reader *rd, struct tap_line l)
{
        struct tap_line d = tap_rest(l, 9);
        struct cps got = {0};
        const char *why = rd->bail ? rd->bail : "";

        if (!rd->bail || rd->bailed || rd->point != rd->n_res)
                tap_bad("unexpected Bail out!", l);
        if (d.n && (!tap_starts(d, " ") || tap_desc_decode(tap_rest(d, 1), &got) != d.n - 1))
                tap_bad("Bail out! reason is not an escaped description", l);
        tap_expect_text(&got, why, strlen(why), "Bail out! reason differs", l);
        free(got.v);
        rd->bailed = 1;
}

/* One line after the plan; @next is the line after it (empty at the end). */
static void read_line(struct reader *rd, struct tap_line l, struct tap_line next)
{
        struct cps got = {0};

        if (rd->need_yaml) {
                if (!tap_is_line(l, rd->state == SUB ? "      ---" : "  ---"))
                        tap_bad("a point without the YAML block it needs (failed, or -v)", l);
                rd->need_yaml = 0;
                rd->state = rd->state == SUB ? YAML_SUB : YAML_TOP;
                rd->keys = 0;
                rd->items = 0;
                return;
        }
        switch (rd->state) {
        case YAML_LIST:
                if (tap_starts(l, "    - ")) {
                        const struct iso_result *r = &rd->res[rd->point - 1];

                        if (rd->items >= n_artifacts_of(r))
                                tap_bad("more artifacts listed than recorded", l);
                        tap_yaml_dq_decode(tap_rest(l, 6), &got);
                        tap_expect_text(&got, r->artifacts[rd->items],
                                        flen(r->artifacts[rd->items], sizeof(r->artifacts[0])),
                                        "artifact differs", l);
                        free(got.v);
                        rd->items++;
                        return;
                }
                rd->state = YAML_TOP;
                /* fall through: the list ended, the block goes on */
        case YAML_TOP:
                if (tap_is_line(l, "  ...")) {
                        yaml_end(rd, l);
                        rd->state = TOP;
                } else if (tap_starts(l, "  ") && l.n > 2 && l.p[2] != ' ') {
                        yaml_line(rd, l, 2);
                } else {
                        tap_bad("line inside a YAML block", l);
                }
                return;
        case YAML_SUB:
                if (tap_is_line(l, "      ...")) {
                        yaml_end(rd, l);
                        rd->state = SUB;
                } else if (tap_starts(l, "      ") && l.n > 6 && l.p[6] != ' ') {
                        yaml_line(rd, l, 6);
                } else {
                        tap_bad("line inside a subtest's YAML block", l);
                }
                return;
        case SUB:
                if (tap_starts(l, "    ")) {
                        sub_line(rd, l);
                        return;
                }
                /* The subtest is over: its parent's test point must come now. */
                if (!tap_starts(l, "ok ") && !tap_starts(l, "not ok "))
                        tap_bad("subtest not followed by its test point", l);
                top_point_line(rd, l);
                return;
        case TOP:
                break;
        }
        if (tap_starts(l, "ok ") || tap_starts(l, "not ok ")) {
                top_point_line(rd, l);
        } else if (tap_starts(l, "# Subtest") && tap_starts(next, "    ")) {
                subtest_line(rd, l);
        } else if (tap_is_line(l, "#") || tap_starts(l, "# ")) {
                /* The case log, shown only in verbose mode, before the case's own lines. */
                if (!rd->verbose || rd->sub_done)
                        tap_bad("comment without a log to show", l);
        } else if (tap_starts(l, "Bail out!")) {
                bail_line(rd, l);
        } else {
                tap_bad("not a TAP line", l);
        }
}

/* Every byte: valid UTF-8, and no control character that could split or hide a line. */
static void check_chars(const char *buf, size_t len)
{
        const unsigned char *p = (const unsigned char *)buf;

        for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t k = u8_decode(p + i, len - i, &cp);
                struct tap_line at = {buf + i, len - i > 40 ? 40 : len - i};

                if (!k)
                        tap_bad("invalid UTF-8", at);
                if ((cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
                    cp == 0x2029)
                        tap_bad("control character", at);
                i += k;
        }
}

/*
 * Probe mode: runs of the probe code points are one kind and no longer than its field,
 * and U+00DF (bytes that are no string) never shows.
 */
static void check_probe(const char *buf, size_t len)
{
        const unsigned char *p = (const unsigned char *)buf;
        uint32_t kind = 0;
        size_t run = 0;

        for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t k = u8_decode(p + i, len - i, &cp);
                struct tap_line at = {buf + i, len - i > 40 ? 40 : len - i};

                if (cp == P_JUNK)
                        tap_bad("bytes outside every field reached the report", at);
                if (cp >= P_FILE && cp <= P_ART1) {
                        if (run && cp != kind)
                                tap_bad("a field read into its neighbour", at);
                        kind = cp;
                        if (++run > probe_cap(cp))
                                tap_bad("a field read past its size", at);
                } else {
                        run = 0;
                }
                i += k;
        }
}

static void check_stream(struct reader *rd, const char *buf, size_t len)
{
        size_t pos = 0, n = 0;
        char head[32];

        check_chars(buf, len);
        if (!len || buf[len - 1] != '\n') {
                struct tap_line all = {buf, len};

                tap_bad("stream does not end with a newline", all);
        }
        while (pos < len) {
                const char *nl = memchr(buf + pos, '\n', len - pos);
                struct tap_line l = {buf + pos, (size_t)(nl - (buf + pos))};
                struct tap_line next = {"", 0};

                pos += l.n + 1;
                if (pos < len) {
                        next.p = buf + pos;
                        next.n = (size_t)((const char *)memchr(next.p, '\n', len - pos) - next.p);
                }
                if (n == 0) {
                        snprintf(head, sizeof(head), "TAP version %d", rd->version);
                        if (!tap_is_line(l, head))
                                tap_bad("first line is not the version", l);
                } else if (n == 1) {
                        snprintf(head, sizeof(head), "1..%zu", rd->n_res);
                        if (!tap_is_line(l, head))
                                tap_bad("second line is not the plan", l);
                } else {
                        if (rd->bailed)
                                tap_bad("a line after Bail out!", l);
                        read_line(rd, l, next);
                }
                n++;
        }
        if (rd->state != TOP || rd->need_yaml || rd->point != rd->n_res ||
            (rd->bail && !rd->bailed)) {
                struct tap_line end = {"", 0};

                tap_bad("stream ended early", end);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct input in = {data, size};
        unsigned int flags = take_byte(&in);
        size_t n = take_byte(&in) % 6;
        struct iso_result *res = calloc(n ? n : 1, sizeof(*res));
        struct iso_tap tap = {0};
        struct reader rd = {0};
        char *buf = NULL, *bail = NULL;
        size_t len = 0;

        if (!res)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (flags & 1)
                        fill_probe(&in, &res[i]);
                else
                        fill_normal(&in, &res[i]);
        }
        tap.version = flags & 2 ? 13 : flags & 4 ? (int)take_u32(&in) : 14;
        tap.verbose = !!(flags & 8);
        if (flags & 16)
                bail = take_str(&in, 300);
        if (flags & 1)
                ascii_only(bail);

        tap.out = open_memstream(&buf, &len);
        if (!tap.out)
                abort();
        if (iso_tap_begin(&tap, n))
                abort();
        for (size_t i = 0; i < n; i++)
                if (iso_tap_case(&tap, i + 1, &res[i]))
                        abort();
        if ((flags & 16) && iso_tap_bail(&tap, bail))
                abort();
        if (fclose(tap.out))
                abort();

        /* ISO_FUZZ_DUMP=1 build/fuzz/<target> FILE shows what the writer made of FILE. */
        if (getenv("ISO_FUZZ_DUMP"))
                fwrite(buf, 1, len, stderr);
        rd.res = res;
        rd.n_res = n;
        rd.version = tap.version == 13 ? 13 : 14;
        rd.verbose = tap.verbose;
        rd.bail = (flags & 16) ? (bail ? bail : "") : NULL;
        check_stream(&rd, buf, len);
        if (flags & 1)
                check_probe(buf, len);

        free(buf);
        free(bail);
        for (size_t i = 0; i < n; i++) {
                free((char *)res[i].name);
                free((char *)res[i].file);
                free(res[i].log);
        }
        free(res);
        return 0;
}
