// SPDX-License-Identifier: MIT
/* `isocheck --list` and `--env` for people (text) and for programs (JSON through json-c). */
#include "listing.h"

#include <json-c/json.h>
#include <string.h>

#include "isocheck/report.h"
#include "isocheck/runtime.h"

/* One requirement as {"kind", "name"?, "version"?}: the words of case.h's ISO_NEED_*. */
static json_object *need_json(const struct iso_need *nd)
{
        static const char *const kinds[] = {
                [ISO_NEED_ROOT] = "root",       [ISO_NEED_CAP] = "capability",
                [ISO_NEED_NS] = "namespace",    [ISO_NEED_KCONFIG] = "kconfig",
                [ISO_NEED_TOOL] = "tool",       [ISO_NEED_CGROUP_CTRL] = "cgroup_controller",
                [ISO_NEED_KMSG] = "kmsg",       [ISO_NEED_DOCKER] = "docker",
                [ISO_NEED_RUNTIME] = "runtime",
        };
        json_object *o = json_object_new_object();
        const char *kind = (size_t)nd->kind < ISO_ARRAY_SIZE(kinds) ? kinds[nd->kind] : NULL;

        if (!o)
                return NULL;
        json_object_object_add(o, "kind", json_object_new_string(kind ? kind : "unknown"));
        if (nd->arg)
                json_object_object_add(o, "name", json_object_new_string(nd->arg));
        if (nd->kind == ISO_NEED_CGROUP_CTRL && nd->num)
                json_object_object_add(o, "version", json_object_new_int(nd->num));
        return o;
}

static json_object *str_or_null(const char *s)
{
        return s ? json_object_new_string(s) : NULL;
}

static json_object *item_json(const struct iso_plan_item *it)
{
        const struct iso_case *c = it->c;
        json_object *o = json_object_new_object(), *needs = json_object_new_array();

        if (!o || !needs) {
                json_object_put(o);
                json_object_put(needs);
                return NULL;
        }
        json_object_object_add(o, "name", json_object_new_string(it->name ? it->name : c->name));
        json_object_object_add(o, "summary", str_or_null(c->summary));
        json_object_object_add(o, "lab_step", str_or_null(c->lab_step));
        for (size_t i = 0; i < ISO_MAX_NEEDS && c->needs[i].kind != ISO_NEED_END; i++)
                json_object_array_add(needs, need_json(&c->needs[i]));
        json_object_object_add(o, "needs", needs);
        unsigned t = it->timeout_s  ? it->timeout_s
                     : c->timeout_s ? c->timeout_s
                                    : ISO_DEFAULT_TIMEOUT_S;
        json_object_object_add(o, "timeout_s", json_object_new_int64(t));
        json_object_object_add(o, "file", str_or_null(c->file));
        json_object_object_add(o, "line", json_object_new_int(c->line));
        if (it->skip_reason)
                json_object_object_add(o, "skip_reason", json_object_new_string(it->skip_reason));
        return o;
}

static int put_json(FILE *out, json_object *doc)
{
        const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_SPACED |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
        int rc = s && fprintf(out, "%s\n", s) >= 0 ? 0 : -1;
        json_object_put(doc);
        return rc;
}

int iso_list_print(FILE *out, const struct iso_plan_item *items, size_t n, enum iso_format fmt,
                   int verbose)
{
        if (fmt == ISO_FMT_TEXT) {
                for (size_t i = 0; i < n; i++) {
                        const struct iso_case *c = items[i].c;
                        fprintf(out, "%-32s %s", c->name, c->summary ? c->summary : "");
                        if (items[i].skip_reason)
                                fprintf(out, " [skip: %s]", items[i].skip_reason);
                        fputc('\n', out);
                        if (verbose)
                                fprintf(out, "%-32s lab: %s\n", "", c->lab_step ? c->lab_step : "");
                }
                return 0;
        }
        json_object *arr = json_object_new_array();
        if (!arr)
                return -1;
        for (size_t i = 0; i < n; i++) {
                json_object *o = item_json(&items[i]);
                if (!o) {
                        json_object_put(arr);
                        return -1;
                }
                json_object_array_add(arr, o);
        }
        return put_json(out, arr);
}

int iso_env_print_json(FILE *out, const struct iso_env *env)
{
        static struct iso_property props[64];
        static char buf[8192];
        json_object *o = json_object_new_object(), *rts = json_object_new_object();

        if (!o || !rts) {
                json_object_put(o);
                json_object_put(rts);
                return -1;
        }
        size_t n = iso_env_properties(env, props, ISO_ARRAY_SIZE(props), buf, sizeof(buf));
        for (size_t i = 0; i < n; i++)
                json_object_object_add(o, props[i].name, str_or_null(props[i].value));
        const struct iso_runtime *const *list;
        for (size_t i = 0, nr = iso_runtimes(&list); i < nr; i++) {
                const char *why = "";
                int state = iso_runtime_state(list[i], &why);
                json_object *r = json_object_new_object();
                if (!r)
                        continue;
                json_object_object_add(r, "state",
                                       json_object_new_string(state > 0    ? "usable"
                                                              : state == 0 ? "not usable"
                                                              : state == ISO_RUNTIME_BROKEN
                                                                      ? "broken"
                                                                      : "not installed"));
                json_object_object_add(r, "why", json_object_new_string(why ? why : ""));
                json_object_object_add(rts, list[i]->name, r);
        }
        json_object_object_add(o, "runtimes", rts);
        return put_json(out, o);
}
