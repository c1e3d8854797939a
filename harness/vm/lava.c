// SPDX-License-Identifier: MIT
/*
 * A LAVA job's log read back into isocheck's results, so a run in a lab is a report like
 * any other (and a column of `isocheck report`'s matrix).
 *
 * The log is what lava-run writes on its standard error, one entry per line as a YAML flow
 * mapping {"dt": ..., "lvl": ..., "msg": ...} (JSON in practice), or what `lavacli jobs
 * logs --raw` gives (the same entries as a YAML list: "- {...}"). The entries that count:
 *   lvl "results", msg.definition "isocheck": one test case of the job's monitor, its
 *       name in msg.extra.test_case_id (msg.case is that name folded by LAVA: lower case,
 *       every non-word character "_"), its result pass / fail / skip;
 *   lvl "target" or "feedback": console lines; the init's ISO_VM_MARK_CASE lines give
 *       each case's reason and tell an error from a failure, "Linux version" the kernel's
 *       release, ISO_VM_MARK_INIT the cgroup mode;
 *   lvl "results", msg.case "lava-test-monitor": whether the monitor saw the suite end.
 * Other entries (and lines json-c cannot read: LAVA writes `! "123"` for some sizes) are
 * not isocheck's and are passed over.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/vm.h"

static const char *str_of(struct json_object *o, const char *key)
{
        struct json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) ||
            !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static struct iso_vm_lava_case *find_case(struct iso_vm_lava *l, const char *name)
{
        for (size_t i = 0; i < l->n_cases; i++)
                if (!strcmp(l->cases[i].name, name))
                        return &l->cases[i];
        return NULL;
}

static struct iso_vm_lava_case *add_case(struct iso_vm_lava *l, const char *name, struct iso_err *e)
{
        struct iso_vm_lava_case *c = find_case(l, name);

        if (c)
                return c;
        if (l->n_cases == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                struct iso_vm_lava_case *n = realloc(l->cases, cap * sizeof(*n));

                if (!n) {
                        iso_errf(e, ENOMEM, "no memory for %zu cases", cap);
                        return NULL;
                }
                l->cases = n;
                l->cap = cap;
        }
        c = &l->cases[l->n_cases++];
        memset(c, 0, sizeof(*c));
        iso_strlcpy(c->name, name, sizeof(c->name));
        return c;
}

/* A console line: the init's verdict line, the kernel's banner, the init's first line. */
static int console_line(struct iso_vm_lava *l, const char *msg, struct iso_err *e)
{
        const char *p;

        if ((p = strstr(msg, ISO_VM_MARK_CASE))) {
                char name[sizeof(l->cases[0].name)];
                const char *n = p + strlen(ISO_VM_MARK_CASE);
                size_t len = strcspn(n, " ");

                if (!len || len >= sizeof(name) || !n[len])
                        return 0;
                memcpy(name, n, len);
                name[len] = '\0';
                struct iso_vm_lava_case *c = add_case(l, name, e);

                if (!c)
                        return -1;
                const char *rest = n + len + 1;

                c->console_error = !strncmp(rest, "fail (error)", 12);
                c->on_console = 1;
                const char *why = strstr(rest, ": ");

                iso_strlcpy(c->reason, why ? why + 2 : "", sizeof(c->reason));
                return 0;
        }
        if ((p = strstr(msg, "Linux version ")) && !l->release[0]) {
                p += strlen("Linux version ");
                size_t len = strcspn(p, " ");

                if (len && len < sizeof(l->release)) {
                        memcpy(l->release, p, len);
                        l->release[len] = '\0';
                }
                return 0;
        }
        if ((p = strstr(msg, ISO_VM_MARK_INIT " (cgroup ")) && !l->cgroup[0]) {
                p += strlen(ISO_VM_MARK_INIT " (cgroup ");
                if (!strncmp(p, "v1", 2) || !strncmp(p, "v2", 2)) {
                        memcpy(l->cgroup, p, 2);
                        l->cgroup[2] = '\0';
                }
                return 0;
        }
        if ((p = strstr(msg, ISO_VM_MARK_EXIT)))
                l->suite_status = atoi(p + strlen(ISO_VM_MARK_EXIT));
        return 0;
}

/* A "results" entry: one of the monitor's cases, or LAVA's own record of the monitor. */
static int results_entry(struct iso_vm_lava *l, struct json_object *msg, const char *definition,
                         size_t line, struct iso_err *e)
{
        const char *def = str_of(msg, "definition");
        const char *kase = str_of(msg, "case");
        const char *result = str_of(msg, "result");
        struct json_object *extra = NULL;

        if (!def || !kase || !result)
                return 0;
        if (!strcmp(def, "lava") && !strcmp(kase, "lava-test-monitor")) {
                l->monitor_seen = 1;
                l->monitor_passed = !strcmp(result, "pass");
                return 0;
        }
        if (!strcmp(def, "lava") && !strcmp(kase, "job")) {
                iso_strlcpy(l->job_result, result, sizeof(l->job_result));
                const char *why = str_of(msg, "error_msg");

                iso_strlcpy(l->job_error, why ? why : "", sizeof(l->job_error));
                return 0;
        }
        if (strcmp(def, definition))
                return 0;
        json_object_object_get_ex(msg, "extra", &extra);
        const char *name = str_of(extra, "test_case_id");

        if (!name)
                name = kase; /* folded by LAVA, but still a name */
        enum iso_verdict v;

        if (!strcmp(result, "pass"))
                v = ISO_PASS;
        else if (!strcmp(result, "fail"))
                v = ISO_FAIL;
        else if (!strcmp(result, "skip"))
                v = ISO_SKIP;
        else
                return iso_errf(e, EBADMSG,
                                "line %zu: expected result pass, fail or skip for case %s, got "
                                "\"%s\"",
                                line, name, result);
        struct iso_vm_lava_case *c = add_case(l, name, e);

        if (!c)
                return -1;
        if (c->has_result)
                return iso_errf(e, EBADMSG,
                                "line %zu: case %s has a second result (%s): job ids or logs "
                                "mixed up?",
                                line, name, result);
        c->has_result = 1;
        c->verdict = v;
        return 0;
}

int iso_vm_lava_read(const char *text, size_t len, const char *definition, struct iso_vm_lava *l,
                     struct iso_err *e)
{
        struct json_tokener *tok = json_tokener_new();
        size_t line = 0, entries = 0;
        int rc = 0;

        memset(l, 0, sizeof(*l));
        l->suite_status = -1;
        if (!tok)
                return iso_errf(e, ENOMEM, "json_tokener_new");
        for (const char *p = text; p < text + len && rc == 0;) {
                const char *nl = memchr(p, '\n', (size_t)(text + len - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
                const char *s = p;

                line++;
                p += n + (nl ? 1 : 0);
                /* lavacli's raw logs: a YAML list of the same mappings. */
                if (n >= 2 && s[0] == '-' && s[1] == ' ') {
                        s += 2;
                        n -= 2;
                }
                if (!n || s[0] != '{')
                        continue;
                json_tokener_reset(tok);
                struct json_object *o = json_tokener_parse_ex(tok, s, (int)n);

                if (!o || json_tokener_get_error(tok) != json_tokener_success) {
                        json_object_put(o);
                        continue; /* not JSON (a YAML tag), and so not one of ours */
                }
                const char *lvl = str_of(o, "lvl");
                struct json_object *msg = NULL;

                json_object_object_get_ex(o, "msg", &msg);
                if (lvl)
                        entries++;
                if (lvl && !strcmp(lvl, "results") && json_object_is_type(msg, json_type_object))
                        rc = results_entry(l, msg, definition, line, e);
                else if (lvl && (!strcmp(lvl, "target") || !strcmp(lvl, "feedback")) &&
                         json_object_is_type(msg, json_type_string))
                        rc = console_line(l, json_object_get_string(msg), e);
                json_object_put(o);
        }
        json_tokener_free(tok);
        if (rc == 0 && !entries)
                rc = iso_errf(e, EBADMSG,
                              "expected a LAVA job log (lines {\"dt\": ..., \"lvl\": ..., "
                              "\"msg\": ...} from lava-run's stderr or lavacli jobs logs "
                              "--raw), found none in %zu lines",
                              line);
        if (rc < 0)
                iso_vm_lava_free(l);
        return rc;
}

void iso_vm_lava_free(struct iso_vm_lava *l)
{
        free(l->cases);
        l->cases = NULL;
        l->n_cases = l->cap = 0;
}

int iso_vm_lava_junit(FILE *out, const struct iso_vm_lava *l, const char *timestamp,
                      const char *hostname, struct iso_err *e)
{
        struct iso_result *rs = calloc(l->n_cases + 1, sizeof(*rs));
        char harness[768] = "";
        const char *mode = !strcmp(l->cgroup, "v1")   ? "legacy"
                           : !strcmp(l->cgroup, "v2") ? "unified"
                                                      : "";

        if (!rs)
                return iso_errf(e, ENOMEM, "no memory for %zu results", l->n_cases);
        for (size_t i = 0; i < l->n_cases; i++) {
                const struct iso_vm_lava_case *c = &l->cases[i];
                struct iso_result *r = &rs[i];

                r->name = c->name;
                if (!c->has_result) {
                        /* The guest said it, LAVA did not record it: the job's pattern. */
                        r->verdict = ISO_ERROR;
                        snprintf(r->message, sizeof(r->message),
                                 "the console has this case's verdict line, but LAVA recorded no "
                                 "result for it (does the job's monitor pattern match \"%s%s "
                                 "...\"?)",
                                 ISO_VM_MARK_CASE, c->name);
                        continue;
                }
                r->verdict = c->verdict == ISO_FAIL && c->console_error ? ISO_ERROR : c->verdict;
                if (c->reason[0])
                        iso_strlcpy(r->message, c->reason, sizeof(r->message));
                else if (r->verdict != ISO_PASS)
                        snprintf(r->message, sizeof(r->message),
                                 "LAVA recorded %s; the log holds no verdict line with the reason",
                                 iso_verdict_name(c->verdict));
        }
        if (!l->monitor_seen || !l->monitor_passed)
                snprintf(harness, sizeof(harness),
                         "expected LAVA's test monitor to see the suite end (\"%s\"), but %s%s",
                         ISO_VM_MARK_EXIT,
                         l->monitor_seen ? "it failed (timed out, or the console closed)"
                                         : "the log has no lava-test-monitor result",
                         l->job_error[0] ? "; LAVA: " : "");
        if (harness[0] && l->job_error[0])
                iso_appendf(harness, sizeof(harness), "%s", l->job_error);
        char status[16] = "";

        if (l->suite_status >= 0)
                snprintf(status, sizeof(status), "%d", l->suite_status);
        struct iso_property props[] = {
                {"target", "lava"},
                {"kernel", l->release},
                {"kernel.release", l->release},
                {"cgroup", l->cgroup},
                {"cgroup.mode", mode},
                {"lava.job.result", l->job_result},
                {"lava.suite.status", status},
        };
        struct iso_property kept[ISO_ARRAY_SIZE(props)];
        size_t n_kept = 0;

        for (size_t i = 0; i < ISO_ARRAY_SIZE(props); i++)
                if (props[i].value[0])
                        kept[n_kept++] = props[i];
        struct iso_run run = {
                .target = "lava",
                .hostname = hostname,
                .timestamp = timestamp,
                .props = kept,
                .n_props = n_kept,
                .results = rs,
                .n_results = l->n_cases,
                .harness_error = harness[0] ? harness : NULL,
        };
        int rc = iso_junit_write(out, &run);

        free(rs);
        if (rc < 0)
                return iso_errf(e, errno ? errno : EIO, "write the JUnit report");
        return 0;
}
