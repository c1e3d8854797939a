// SPDX-License-Identifier: MIT
/*
 * One JUnit document from many configurations: each guest's <testsuite>, renamed after
 * its kernel and cgroup mode and given the host's properties, under one <testsuites>.
 * The guest documents come from iso_junit_write, so their shape is known: the text is
 * cut and joined, not re-serialised, and stays byte for byte what the guest wrote.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The parts of one guest document the merge needs. */
struct cut {
        const char *open;      /* "<testsuite " */
        const char *attrs;     /* just after "<testsuite" */
        const char *open_end;  /* the '>' closing the start tag */
        const char *props_end; /* "</properties>" (line start included) */
        const char *suite_end; /* "</testsuite>" */
        unsigned long tests, failures, errors, skipped;
        double time_s;
};

static int attr_num(const char *attrs, const char *end, const char *name, double *out)
{
        char key[32];

        snprintf(key, sizeof(key), " %s=\"", name);
        size_t klen = strlen(key);

        for (const char *p = attrs; p + klen < end; p++) {
                if (strncmp(p, key, klen))
                        continue;
                char *stop;

                *out = strtod(p + klen, &stop);
                return *stop == '"' ? 0 : -1;
        }
        return -1;
}

/* Find the first occurrence of @needle in [@from, @to). */
static const char *find_in(const char *from, const char *to, const char *needle)
{
        size_t n = strlen(needle);

        for (const char *p = from; p + n <= to; p++)
                if (!memcmp(p, needle, n))
                        return p;
        return NULL;
}

/* The last occurrence of @needle in [@from, @to). */
static const char *rfind_in(const char *from, const char *to, const char *needle)
{
        size_t n = strlen(needle);

        for (const char *p = to - n; p >= from; p--)
                if (!memcmp(p, needle, n))
                        return p;
        return NULL;
}

static int cut_suite(const char *doc, const char *name, struct cut *c, struct iso_err *e)
{
        const char *end = doc + strlen(doc);
        double v;

        c->open = find_in(doc, end, "<testsuite ");
        if (!c->open)
                return iso_errf(e, EBADMSG, "JUnit of %s: expected a <testsuite>, found none",
                                name);
        c->attrs = c->open + strlen("<testsuite");
        c->open_end = strchr(c->attrs, '>');
        c->suite_end = rfind_in(c->open, end, "</testsuite>");
        if (!c->open_end || !c->suite_end || c->suite_end < c->open_end)
                return iso_errf(e, EBADMSG,
                                "JUnit of %s: expected a closed <testsuite>, got a "
                                "truncated one",
                                name);
        if (c->open_end[-1] == '/' || !find_in(c->open_end, c->suite_end, "<properties>"))
                return iso_errf(e, EBADMSG, "JUnit of %s: expected <properties> in the testsuite",
                                name);
        c->props_end = find_in(c->open_end, c->suite_end, "</properties>");
        if (!c->props_end)
                return iso_errf(e, EBADMSG, "JUnit of %s: expected </properties>", name);
        /* Back to the start of the line, so the added properties keep the indentation. */
        while (c->props_end > c->open_end && c->props_end[-1] == ' ')
                c->props_end--;
        if (attr_num(c->attrs, c->open_end, "tests", &v) < 0)
                return iso_errf(e, EBADMSG, "JUnit of %s: expected tests=\"N\" on <testsuite>",
                                name);
        c->tests = (unsigned long)v;
        if (attr_num(c->attrs, c->open_end, "failures", &v) < 0)
                return iso_errf(e, EBADMSG, "JUnit of %s: expected failures=\"N\"", name);
        c->failures = (unsigned long)v;
        if (attr_num(c->attrs, c->open_end, "errors", &v) < 0)
                return iso_errf(e, EBADMSG, "JUnit of %s: expected errors=\"N\"", name);
        c->errors = (unsigned long)v;
        if (attr_num(c->attrs, c->open_end, "time", &c->time_s) < 0)
                c->time_s = 0;
        c->skipped = attr_num(c->attrs, c->open_end, "skipped", &v) < 0 ? 0 : (unsigned long)v;
        return 0;
}

/* A testsuite of one "vm.boot" testcase, for a configuration that produced no report. */
static char *boot_suite_doc(const struct iso_vm_suite *s)
{
        char *doc = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&doc, &len);

        if (!f)
                return NULL;
        char name[256];

        snprintf(name, sizeof(name), "vm.boot.%s", s->case_name ? s->case_name : "boot");
        struct iso_result r;

        memset(&r, 0, sizeof(r));
        r.name = name;
        r.summary = "the kernel boots, the guest init runs the suite and hands back its reports";
        r.verdict = s->verdict;
        iso_strlcpy(r.message, s->message ? s->message : "", sizeof(r.message));
        r.duration_s = s->time_s;
        r.log = (char *)(s->log ? s->log : "");
        struct iso_run run = {
                .target = s->name,
                .hostname = s->hostname ? s->hostname : "",
                .timestamp = s->timestamp ? s->timestamp : "",
                .duration_s = s->time_s,
                .results = &r,
                .n_results = 1,
        };
        int rc = iso_junit_write(f, &run);

        if (fclose(f) != 0 || rc < 0) {
                free(doc);
                return NULL;
        }
        return doc;
}

static int put_n(FILE *out, const char *p, size_t n)
{
        return fwrite(p, 1, n, out) == n ? 0 : -1;
}

/*
 * The guest's testcases [@from, @to), as written but for two things: each classname gets
 * the configuration's name in front ("vm-6.1-v2." + "cgroup.memory"), and each artifact
 * path under the guest's reports directory becomes the host's.
 */
static int put_cases(FILE *out, const struct iso_vm_suite *s, const char *from, const char *to)
{
        static const char cls[] = "<testcase classname=\"";
        size_t gl = s->guest_reports && s->host_dir ? strlen(s->guest_reports) : 0;
        const char *p = from;

        while (p < to) {
                const char *a = find_in(p, to, cls);
                const char *b = gl ? find_in(p, to, s->guest_reports) : NULL;

                if (!a && !b)
                        break;
                if (a && (!b || a < b)) {
                        a += strlen(cls);
                        if (put_n(out, p, (size_t)(a - p)) || iso_xml_put(out, s->name, 1) < 0 ||
                            fputc('.', out) == EOF)
                                return -1;
                        p = a;
                } else {
                        if (put_n(out, p, (size_t)(b - p)) || iso_xml_put(out, s->host_dir, 0) < 0)
                                return -1;
                        p = b + gl;
                }
        }
        return put_n(out, p, (size_t)(to - p));
}

static int put_suite(FILE *out, const struct iso_vm_suite *s, const struct cut *c)
{
        /* Every attribute but name, as the guest wrote them. */
        const char *name_at = find_in(c->attrs, c->open_end, " name=\"");
        const char *rest = c->attrs;

        if (fputs("  <testsuite name=\"", out) == EOF || iso_xml_put(out, s->name, 1) < 0 ||
            fputc('"', out) == EOF)
                return -1;
        if (name_at) {
                const char *q = strchr(name_at + 7, '"');

                if (fwrite(c->attrs, 1, (size_t)(name_at - c->attrs), out) !=
                    (size_t)(name_at - c->attrs))
                        return -1;
                rest = q ? q + 1 : name_at + 7;
        }
        if (fwrite(rest, 1, (size_t)(c->props_end - rest), out) != (size_t)(c->props_end - rest))
                return -1;
        for (size_t i = 0; i < s->n_props; i++) {
                if (fputs("      <property name=\"", out) == EOF ||
                    iso_xml_put(out, s->props[i].name, 1) < 0 || fputs("\" value=\"", out) == EOF ||
                    iso_xml_put(out, s->props[i].value ? s->props[i].value : "", 1) < 0 ||
                    fputs("\"/>\n", out) == EOF)
                        return -1;
        }
        if (put_cases(out, s, c->props_end, c->suite_end) < 0 ||
            fputs("</testsuite>\n", out) == EOF)
                return -1;
        return 0;
}

int iso_vm_junit_merge(FILE *out, const struct iso_vm_suite *s, size_t n, struct iso_err *e)
{
        char **docs = calloc(n ? n : 1, sizeof(*docs));
        struct cut *cuts = calloc(n ? n : 1, sizeof(*cuts));
        unsigned long tests = 0, failures = 0, errors = 0, skipped = 0;
        double time_s = 0;
        int rc = -1;

        if (!docs || !cuts) {
                iso_errf(e, ENOMEM, "merge of %zu JUnit reports", n);
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                if (!s[i].junit)
                        docs[i] = boot_suite_doc(&s[i]);
                const char *doc = s[i].junit ? s[i].junit : docs[i];

                if (!doc) {
                        iso_errf(e, ENOMEM, "JUnit suite for %s", s[i].name);
                        goto out;
                }
                if (cut_suite(doc, s[i].name, &cuts[i], e) < 0)
                        goto out;
                tests += cuts[i].tests;
                failures += cuts[i].failures;
                errors += cuts[i].errors;
                skipped += cuts[i].skipped;
                time_s += cuts[i].time_s;
        }
        if (fprintf(out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"isocheck\" "
                    "tests=\"%lu\" failures=\"%lu\" errors=\"%lu\" skipped=\"%lu\" "
                    "time=\"%.3f\">\n",
                    tests, failures, errors, skipped, time_s) < 0)
                goto write_error;
        for (size_t i = 0; i < n; i++)
                if (put_suite(out, &s[i], &cuts[i]) < 0)
                        goto write_error;
        if (fputs("</testsuites>\n", out) == EOF || fflush(out) == EOF || ferror(out))
                goto write_error;
        rc = 0;
        goto out;
write_error:
        iso_errf(e, errno ? errno : EIO, "write the merged JUnit report");
out:
        for (size_t i = 0; docs && i < n; i++)
                free(docs[i]);
        free(docs);
        free(cuts);
        return rc;
}
