/* SPDX-License-Identifier: MIT */
/* The running kernel's build configuration, from /proc/config.gz or /boot/config-<release>. */
#ifndef ISOCHECK_KCONFIG_H
#define ISOCHECK_KCONFIG_H

#include <stddef.h>

#include "isocheck/util.h"

enum iso_kconfig_state {
        ISO_KCONFIG_UNKNOWN = 0, /* no config source could be read */
        ISO_KCONFIG_MISSING,     /* "# CONFIG_X is not set", or absent from the file */
        ISO_KCONFIG_Y,
        ISO_KCONFIG_M,
        ISO_KCONFIG_VALUE, /* set to something else: a number or a string */
};

struct iso_kconfig {
        char source[256]; /* the file read, "" if none */
        char **lines;     /* "CONFIG_X=value" lines, sorted for bsearch */
        size_t n;
};

/*
 * Load the configuration from @path (gzip or plain text; zlib reads both). Returns 0, or
 * -1 with @e filled when the file cannot be read; *kc is then empty (state UNKNOWN).
 */
int iso_kconfig_load(struct iso_kconfig *kc, const char *path, struct iso_err *e);

/*
 * Load the running kernel's configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC), else
 * /boot/config-<uname -r>. Returns 0, or -1 with @e listing both paths tried.
 */
int iso_kconfig_load_running(struct iso_kconfig *kc, struct iso_err *e);

/*
 * State of @symbol ("CONFIG_PID_NS", the CONFIG_ prefix optional). When @value is not
 * NULL it receives the raw value ("y", "m", "0x1000", "\"string\"") or "".
 */
enum iso_kconfig_state iso_kconfig_get(const struct iso_kconfig *kc, const char *symbol,
                                       char *value, size_t value_size);

/* "y", "m", "not set", "unknown", "value". */
const char *iso_kconfig_state_name(enum iso_kconfig_state s);

void iso_kconfig_free(struct iso_kconfig *kc);

#endif
