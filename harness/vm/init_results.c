// SPDX-License-Identifier: MIT
/*
 * The guest's verdict lines: the init follows the suite's TAP stream on its way to the
 * console and, after each case's own test point (and its YAML block, when it did not
 * pass), writes one line a console reader such as a LAVA test monitor can map to a result
 * without knowing TAP (ISO_VM_MARK_CASE in vm.h):
 *
 *   isocheck-vm: case NAME pass
 *   isocheck-vm: case NAME skip: REASON
 *   isocheck-vm: case NAME fail: REASON
 *   isocheck-vm: case NAME fail (error): REASON
 *
 * A TAP reader that matches "ok N - NAME" alone takes "ok N - NAME # SKIP reason" for a
 * pass; these lines say the verdict in a word of their own, and an error (the suite's
 * "severity: error", or a "Bail out!") is a fail with "(error)" after it, so a reader that
 * only knows pass / fail / skip still counts it as a failure.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "init.h"
#include "isocheck/vm.h"

/* A case name as the line carries it: the characters of registered names, others '_'. */
static void put_name(char *out, size_t size, const char *s, size_t n)
{
        size_t i;

        if (n >= size)
                n = size - 1;
        for (i = 0; i < n; i++) {
                char ch = s[i];
                int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                           (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' ||
                           ch == '+';

                out[i] = keep ? ch : '_';
        }
        out[i] = '\0';
}

/* @s (@n bytes) without control characters, so the line stays one line. */
static void put_text(char *out, size_t size, const char *s, size_t n)
{
        size_t o = 0;

        for (size_t i = 0; i < n && o + 1 < size; i++)
                out[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
        out[o] = '\0';
}

static void emit(struct iso_init_cases *t, const char *name, const char *word, const char *why)
{
        char line[ISO_INIT_CASE_LINE];
        int n = snprintf(line, sizeof(line) - 1, "%s%s %s%s%s", ISO_VM_MARK_CASE, name, word,
                         why[0] ? ": " : "", why);

        if (n < 0)
                return;
        if ((size_t)n > sizeof(line) - 2)
                n = (int)sizeof(line) - 2;
        line[n++] = '\n';
        /* One write per line, so kernel messages cannot land inside it. */
        if (iso_write_all(t->out_fd, line, (size_t)n) < 0) {
                /* the console is all there is */
        }
        t->emitted++;
}

/* The pending "not ok" case, with what its YAML block said. */
static void flush_pending(struct iso_init_cases *t)
{
        if (!t->pending)
                return;
        t->pending = 0;
        emit(t, t->name, t->error ? "fail (error)" : "fail",
             t->reason[0] ? t->reason : "the case failed (no message in its TAP diagnostics)");
}

/* The value of a YAML line `  key: "value"`, unquoted (\" and \\ undone), into @out. */
static int yaml_value(const char *l, size_t len, const char *key, char *out, size_t size)
{
        size_t k = strlen(key);
        size_t i = strspn(l, " ");

        if (i + k + 2 > len || strncmp(l + i, key, k) || l[i + k] != ':' || l[i + k + 1] != ' ')
                return 0;
        const char *v = l + i + k + 2;
        size_t n = len - i - k - 2;
        char tmp[ISO_INIT_CASE_LINE];
        size_t o = 0;

        if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
                v++;
                n -= 2;
        }
        for (size_t j = 0; j < n && o + 1 < sizeof(tmp); j++) {
                if (v[j] == '\\' && j + 1 < n && (v[j + 1] == '"' || v[j + 1] == '\\'))
                        j++;
                tmp[o++] = v[j];
        }
        put_text(out, size, tmp, o);
        return 1;
}

/* "ok N - NAME[ # SKIP REASON]" or "not ok N - NAME" at the top level. */
static void top_point(struct iso_init_cases *t, const char *l, size_t len)
{
        int ok = strncmp(l, "ok ", 3) == 0;
        const char *p = l + (ok ? 3 : 7);
        const char *end = l + len;

        p += strspn(p, "0123456789");
        if (end - p >= 3 && !strncmp(p, " - ", 3))
                p += 3;
        else
                p += strspn(p, " ");
        /* The name ends at the directive; a '#' in a description is escaped as "\#". */
        const char *dir = p;

        while (dir < end && !(dir[0] == '#' && (dir == p || dir[-1] != '\\')))
                dir++;
        const char *name_end = dir;

        while (name_end > p && name_end[-1] == ' ')
                name_end--;
        char name[sizeof(t->name)];

        put_name(name, sizeof(name), p, (size_t)(name_end - p));
        if (!name[0])
                iso_strlcpy(name, "unnamed", sizeof(name));
        if (!ok) {
                iso_strlcpy(t->name, name, sizeof(t->name));
                t->pending = 1;
                t->error = 0;
                t->reason[0] = '\0';
                return;
        }
        /* "# SKIP" (any case, TAP 14 allows the word alone or followed by text) */
        if (dir < end && end - dir >= 6 &&
            !strncasecmp(dir + 1 + strspn(dir + 1, " "), "skip", 4)) {
                const char *r = dir + 1 + strspn(dir + 1, " ") + 4;
                char why[ISO_INIT_CASE_LINE];

                r += strspn(r, " ");
                put_text(why, sizeof(why), r, (size_t)(end - r));
                emit(t, name, "skip", why[0] ? why : "skipped (no reason given)");
                return;
        }
        emit(t, name, "pass", "");
}

static void take_line(struct iso_init_cases *t, const char *l, size_t len)
{
        if (len && l[len - 1] == '\r')
                len--;
        if (t->pending && len && l[0] == ' ') {
                /* The case's own YAML block is indented by 2; a subtest's lines by 4. */
                if (len >= 5 && !strncmp(l, "  ...", 5) && (len == 5 || l[5] == ' ')) {
                        flush_pending(t);
                        return;
                }
                char sev[32];

                if (yaml_value(l, len, "message", t->reason, sizeof(t->reason)))
                        return;
                if (yaml_value(l, len, "severity", sev, sizeof(sev)))
                        t->error = !strcmp(sev, "error");
                return;
        }
        if (!len || l[0] == ' ')
                return; /* a subtest's lines */
        flush_pending(t);
        if (!strncmp(l, "ok ", 3) || !strncmp(l, "not ok ", 7)) {
                top_point(t, l, len);
        } else if (!strncmp(l, "Bail out!", 9)) {
                char why[ISO_INIT_CASE_LINE];
                const char *r = l + 9 + strspn(l + 9, " ");

                put_text(why, sizeof(why), r, len - (size_t)(r - l));
                /* As the JUnit report names it: <testcase classname="isocheck" name="harness">. */
                emit(t, "isocheck.harness", "fail (error)", why[0] ? why : "Bail out!");
        }
}

void iso_init_cases_start(struct iso_init_cases *t, int out_fd)
{
        memset(t, 0, sizeof(*t));
        t->out_fd = out_fd;
}

void iso_init_cases_feed(struct iso_init_cases *t, const char *buf, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (buf[i] != '\n') {
                        /* A longer line is cut: the test point's start is what counts. */
                        if (t->len < sizeof(t->line) - 1)
                                t->line[t->len++] = buf[i];
                        continue;
                }
                t->line[t->len] = '\0';
                take_line(t, t->line, t->len);
                t->len = 0;
        }
}

void iso_init_cases_end(struct iso_init_cases *t)
{
        if (t->len) {
                t->line[t->len] = '\0';
                take_line(t, t->line, t->len);
                t->len = 0;
        }
        flush_pending(t);
}
