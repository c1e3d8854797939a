// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the report page's CSV evidence (harness/matrix/evidence.c), memory.csv
 * and processes.csv as the cases write them, or anything else.
 *
 * The first byte picks the reader (even: memory, odd: processes); the rest is the file.
 * Whatever comes, the reader gives an object: an "error" naming the line, or a shape the
 * page can draw without checking it again: memory's "t" and "usage" of one length, within
 * the page's budget, "kill" one of their indexes; processes' rows within the budget, each
 * view "inside" or "host". The object serialises to JSON that parses back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../matrix/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why, struct json_object *o)
{
        fprintf(stderr, "fuzz_evidence: %s: %.300s\n", why, json_object_to_json_string(o));
        abort();
}

static struct json_object *get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v))
                bad(key, o);
        return v;
}

static void check_memory(struct json_object *o)
{
        size_t n = json_object_array_length(get(o, "t"));
        int64_t kill = json_object_get_int64(get(o, "kill"));

        if (n == 0 || n != json_object_array_length(get(o, "usage")))
                bad("t and usage differ in length, or are empty", o);
        if (n > ISO_EVIDENCE_MAX_SAMPLES + 2)
                bad("more samples than the page's budget", o);
        if (kill < 0 || (size_t)kill >= n)
                bad("the kill is not one of the samples", o);
}

static void check_processes(struct json_object *o)
{
        struct json_object *rows = get(o, "rows");
        size_t n = json_object_array_length(rows);

        if (n > ISO_EVIDENCE_MAX_PROCESSES)
                bad("more rows than the page's budget", o);
        for (size_t i = 0; i < n; i++) {
                const char *v =
                        json_object_get_string(get(json_object_array_get_idx(rows, i), "view"));

                if (strcmp(v, "inside") != 0 && strcmp(v, "host") != 0)
                        bad("a row's view is neither inside nor host", o);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        int memory = size ? !(data[0] & 1) : 1;
        size_t len = size ? size - 1 : 0;
        char *buf = malloc(len + 1);

        if (!buf)
                abort();
        memcpy(buf, size ? data + 1 : data, len);
        buf[len] = '\0';

        struct json_object *o = memory ? iso_evidence_memory_text(buf, len, "memory.csv")
                                       : iso_evidence_processes_text(buf, len, "processes.csv");

        if (!o)
                abort(); /* only out of memory gives NULL */
        if (!json_object_object_get_ex(o, "error", NULL)) {
                if (memory)
                        check_memory(o);
                else
                        check_processes(o);
        }

        struct json_object *back = json_tokener_parse(json_object_to_json_string(o));

        if (!back)
                bad("the JSON does not parse back", o);
        json_object_put(back);
        json_object_put(o);
        free(buf);
        return 0;
}
