// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kernel config loader (kconfig.c), on plain text and gzip alike.
 *
 * The input is written to a temporary file /tmp/isocheck-fuzz-<pid>-XXXXXX (removed after
 * each input; harness/tests/fuzz_smoke.sh removes what a crashed run left) and loaded.
 * What the loader keeps must hold together: only "CONFIG_X=value" lines, sorted by name,
 * each found by iso_kconfig_get with or without its CONFIG_ prefix, in a state that
 * matches its value, the value copied cut to the caller's buffer. A failed load leaves
 * the config empty and says why.
 */
#include "isocheck/kconfig.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why, const char *line)
{
        fprintf(stderr, "fuzz_kconfig: %s: \"%.200s\"\n", why, line ? line : "");
        abort();
}

/* Write @data to a new temporary file; its path goes to @path. Returns 0 or -1. */
static int write_temp(const uint8_t *data, size_t size, char *path, size_t path_size)
{
        int fd;

        snprintf(path, path_size, "/tmp/isocheck-fuzz-%d-XXXXXX", (int)getpid());
        fd = mkstemp(path);
        if (fd < 0)
                return -1;
        for (size_t off = 0; off < size;) {
                ssize_t w = write(fd, data + off, size - off);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        close(fd);
                        unlink(path);
                        return -1;
                }
                off += (size_t)w;
        }
        return close(fd);
}

/* The symbol name of a stored line, as its own string. */
static char *name_of(const char *line)
{
        const char *eq = strchr(line, '=');

        if (!eq)
                bad("stored line without '='", line);
        return strndup(line, (size_t)(eq - line));
}

static enum iso_kconfig_state state_of(const char *value)
{
        if (!strcmp(value, "y"))
                return ISO_KCONFIG_Y;
        if (!strcmp(value, "m"))
                return ISO_KCONFIG_M;
        if (!strcmp(value, "n"))
                return ISO_KCONFIG_MISSING;
        return ISO_KCONFIG_VALUE;
}

/* iso_kconfig_get on the name of line @i: its value or that of a line of the same name. */
static void check_lookup(const struct iso_kconfig *kc, size_t i, size_t value_size)
{
        char *name = name_of(kc->lines[i]), *value = malloc(value_size), full[4096];
        enum iso_kconfig_state s;
        const char *v = NULL;

        if (!name || !value)
                abort();
        s = iso_kconfig_get(kc, name, full, sizeof(full));
        /* kconfig.c: "a name too long for key cannot be in any real config". */
        if (strlen(name) >= 256) {
                if (s != ISO_KCONFIG_MISSING)
                        bad("a name too long to look up was found", kc->lines[i]);
                goto out;
        }
        for (size_t k = 0; k < kc->n && !v; k++) {
                const char *eq = strchr(kc->lines[k], '=');

                if ((size_t)(eq - kc->lines[k]) == strlen(name) &&
                    !strncmp(kc->lines[k], name, strlen(name)) && !strcmp(eq + 1, full))
                        v = eq + 1;
        }
        if (strlen(kc->lines[i]) < sizeof(full) && !v)
                bad("lookup gives a value no line of that name has", kc->lines[i]);
        if (v && s != state_of(v))
                bad("state does not match the value", kc->lines[i]);
        /* "CONFIG_CONFIG_X" without its prefix would still carry one: no such symbol. */
        if (!strncmp(name + 7, "CONFIG_", 7))
                goto out;
        if (iso_kconfig_get(kc, name + 7, value, value_size) != s)
                bad("lookup without the CONFIG_ prefix differs", kc->lines[i]);
        if (value_size && (strlen(value) >= value_size || strncmp(value, full, strlen(value))))
                bad("value not cut to the caller's buffer", kc->lines[i]);
out:
        free(name);
        free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct iso_kconfig kc;
        struct iso_err e = {0};
        char path[64];
        int rc;

        if (write_temp(data, size, path, sizeof(path)))
                return 0;
        rc = iso_kconfig_load(&kc, path, &e);
        unlink(path);
        if (rc < 0) {
                if (kc.n || kc.lines || kc.source[0] || !e.msg[0] || !e.errnum)
                        bad("a failed load left something or said nothing", e.msg);
                if (iso_kconfig_get(&kc, "CONFIG_PID_NS", NULL, 0) != ISO_KCONFIG_UNKNOWN)
                        bad("an empty config knows a symbol", NULL);
                return 0;
        }
        if (strcmp(kc.source, path))
                bad("source is not the file read", kc.source);
        for (size_t i = 0; i < kc.n; i++) {
                const char *l = kc.lines[i];
                size_t len = strlen(l);

                if (strncmp(l, "CONFIG_", 7) || !strchr(l, '=') || strchr(l, '\n') ||
                    (len && l[len - 1] == '\r'))
                        bad("stored line is not CONFIG_X=value", l);
                if (i) {
                        char *a = name_of(kc.lines[i - 1]), *b = name_of(l);

                        if (strcmp(a, b) > 0)
                                bad("lines not sorted by name", l);
                        free(a);
                        free(b);
                }
        }
        if (kc.n) {
                check_lookup(&kc, 0, 1 + size % 7);
                check_lookup(&kc, kc.n / 2, 0);
                check_lookup(&kc, kc.n - 1, 1 + size % 64);
        }
        if (iso_kconfig_get(&kc, "CONFIG_=y", NULL, 0) != ISO_KCONFIG_MISSING ||
            iso_kconfig_get(&kc, "", NULL, 0) != ISO_KCONFIG_MISSING)
                bad("a malformed symbol was found", NULL);
        iso_kconfig_free(&kc);
        return 0;
}
