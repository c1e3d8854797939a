// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the mountinfo reading of the environment probe (env_mounts.c,
 * iso_env_parse_mountinfo: libmount's mnt_table_parse_stream fed the text, then the hidden
 * mounts and v1 controllers worked out of its table), on any text: proc(5) lines with
 * octal escapes, optional fields, mounts stacked and hidden, too many hierarchies for the
 * table. What it fills must hold together: a count within ISO_MAX_HIERARCHIES, versions 1
 * or 2, NUL-terminated strings, and a memory controller home that is one of the
 * hierarchies found.
 */
#include "isocheck/env.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why)
{
        fprintf(stderr, "fuzz_mountinfo: %s\n", why);
        abort();
}

static int terminated(const char *s, size_t size)
{
        return memchr(s, '\0', size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct iso_env env;
        char *text = malloc(size + 1);
        size_t n, i;
        int memory_found = 0;

        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';
        memset(&env, 0xA5, sizeof(env));
        n = iso_env_parse_mountinfo(&env, text);
        if (n != env.n_hierarchies || n > ISO_MAX_HIERARCHIES)
                bad("hierarchy count out of range");
        for (i = 0; i < n; i++) {
                const struct iso_cg_hierarchy *h = &env.hierarchies[i];

                if (h->version != 1 && h->version != 2)
                        bad("hierarchy version is neither 1 nor 2");
                if (!terminated(h->mount, sizeof(h->mount)) ||
                    !terminated(h->root, sizeof(h->root)) ||
                    !terminated(h->controllers, sizeof(h->controllers)))
                        bad("hierarchy string not NUL-terminated");
                if (h->version == 2 && h->controllers[0])
                        bad("v2 controllers filled from mountinfo");
                if (h->readonly != 0 && h->readonly != 1)
                        bad("readonly is not 0 or 1");
                if (!strcmp(h->mount, env.memory_path) && h->version == env.memory_version)
                        memory_found = 1;
        }
        if (env.memory_version < 0 || env.memory_version > 2 ||
            !terminated(env.memory_path, sizeof(env.memory_path)))
                bad("memory controller home out of range");
        if (env.memory_version && !memory_found)
                bad("memory controller home is none of the hierarchies");
        if (iso_env_hierarchy(&env, "memory") && env.memory_version != 1)
                bad("a v1 memory hierarchy not chosen as the memory home");
        iso_env_hierarchy(&env, NULL);
        free(text);
        return 0;
}
