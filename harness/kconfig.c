// SPDX-License-Identifier: MIT
/*
 * The running kernel's build configuration. The file is read through zlib, which reads
 * plain text transparently, so /proc/config.gz and /boot/config-<release> take one path.
 * Only "CONFIG_X=value" lines are kept: "# CONFIG_X is not set" and a symbol the file
 * does not mention mean the same thing to a caller (MISSING), so they need no storage.
 */
#include "isocheck/kconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

#define CONFIG_PREFIX "CONFIG_"
#define CONFIG_PREFIX_LEN (sizeof(CONFIG_PREFIX) - 1)

/* A symbol name ends at '=' in a stored line and at NUL in a lookup key. */
static int name_cmp(const char *a, const char *b)
{
        for (;; a++, b++) {
                int ca = *a == '=' ? '\0' : (unsigned char)*a;
                int cb = *b == '=' ? '\0' : (unsigned char)*b;

                if (ca != cb)
                        return ca - cb;
                if (!ca)
                        return 0;
        }
}

static int line_cmp(const void *a, const void *b)
{
        return name_cmp(*(char *const *)a, *(char *const *)b);
}

static int key_cmp(const void *key, const void *elem)
{
        return name_cmp(key, *(char *const *)elem);
}

/* "CONFIG_" followed by at least one [A-Za-z0-9_] and then '='. */
static int is_assignment(const char *s)
{
        if (strncmp(s, CONFIG_PREFIX, CONFIG_PREFIX_LEN) != 0)
                return 0;
        const char *p = s + CONFIG_PREFIX_LEN;
        const char *start = p;

        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
               *p == '_')
                p++;
        return p > start && *p == '=';
}

static int add_line(struct iso_kconfig *kc, size_t *cap, const char *line)
{
        if (kc->n == *cap) {
                size_t ncap = *cap ? *cap * 2 : 1024;
                char **nl = realloc(kc->lines, ncap * sizeof(*nl));

                if (!nl)
                        return -1;
                kc->lines = nl;
                *cap = ncap;
        }
        char *copy = strdup(line);

        if (!copy)
                return -1;
        kc->lines[kc->n++] = copy;
        return 0;
}

/*
 * Read one whole line, however long (CONFIG_CMDLINE or CONFIG_EXTRA_FIRMWARE can exceed
 * any fixed buffer): gzgets() stops at the buffer size, so keep reading until the line
 * ends in '\n' or the file ends. Returns 1 with *buf holding the line, 0 at end of file,
 * -1 on a read or allocation error.
 */
static int read_line(gzFile gz, char **buf, size_t *cap)
{
        size_t used = 0;

        for (;;) {
                if (*cap - used < 2) {
                        size_t ncap = *cap ? *cap * 2 : 4096;
                        char *nb = realloc(*buf, ncap);

                        if (!nb)
                                return -1;
                        *buf = nb;
                        *cap = ncap;
                }
                /* zlib takes an int length; cap stays far below INT_MAX for text lines. */
                if (!gzgets(gz, *buf + used, (int)(*cap - used))) {
                        int zerr;

                        /* Z_BUF_ERROR here is a truncated gzip stream: lost lines. */
                        gzerror(gz, &zerr);
                        if (zerr != Z_OK)
                                return -1;
                        (*buf)[used] = '\0';
                        return used ? 1 : 0;
                }
                used += strlen(*buf + used);
                if (used && (*buf)[used - 1] == '\n')
                        return 1;
                if (gzeof(gz))
                        return used ? 1 : 0;
        }
}

int iso_kconfig_load(struct iso_kconfig *kc, const char *path, struct iso_err *e)
{
        memset(kc, 0, sizeof(*kc));

        errno = 0;
        /* 'e' sets O_CLOEXEC: the environment probe forks tools while nothing else is open. */
        gzFile gz = gzopen(path, "rbe");

        if (!gz)
                /* gzopen leaves errno 0 when it failed to allocate rather than to open. */
                return iso_errf(e, errno ? errno : ENOMEM, "open %s", path);

        iso_autofree char *line = NULL;
        size_t line_cap = 0, cap = 0;
        int r;

        while ((r = read_line(gz, &line, &line_cap)) > 0) {
                size_t len = strlen(line);

                while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = '\0';
                if (!is_assignment(line))
                        continue;
                if (add_line(kc, &cap, line) < 0) {
                        r = -1;
                        errno = ENOMEM;
                        break;
                }
        }
        if (r < 0) {
                int zerr, saved = errno;
                /* The message lives in the gzFile: format it before gzclose() frees it. */
                const char *msg = gzerror(gz, &zerr);

                if (zerr == Z_OK)
                        iso_errf(e, ENOMEM, "read %s", path);
                else if (zerr == Z_ERRNO)
                        iso_errf(e, saved ? saved : EIO, "read %s", path);
                else
                        iso_errf(e, EIO, "read %s: %s", path, msg);
                gzclose(gz);
                iso_kconfig_free(kc);
                return -1;
        }
        gzclose(gz);
        /* A file with no CONFIG_ line at all (empty, /dev/null bound over it, something
         * else) is no config: saying every symbol "is not set" from it would be a lie. */
        if (kc->n == 0) {
                iso_kconfig_free(kc);
                return iso_errf(e, ENODATA, "read %s: no CONFIG_ line in it", path);
        }

        qsort(kc->lines, kc->n, sizeof(*kc->lines), line_cmp);
        if (iso_pathf(kc->source, sizeof(kc->source), "%s", path) < 0) {
                /* source doubles as "a file was loaded": it must not be silently cut. */
                iso_kconfig_free(kc);
                return iso_errf(e, ENAMETOOLONG, "read %s", path);
        }
        return 0;
}

int iso_kconfig_load_running(struct iso_kconfig *kc, struct iso_err *e)
{
        struct iso_err first = {0}, second = {0};
        struct utsname u;
        char boot[sizeof(u.release) + 16];

        if (iso_kconfig_load(kc, "/proc/config.gz", &first) == 0)
                return 0;
        if (uname(&u) < 0)
                return iso_errf(e, first.errnum, "no kernel config: %s; uname: %s", first.msg,
                                strerror(errno));
        snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
        if (iso_kconfig_load(kc, boot, &second) == 0)
                return 0;
        return iso_errf(e, second.errnum, "no kernel config: %s; %s", first.msg, second.msg);
}

enum iso_kconfig_state iso_kconfig_get(const struct iso_kconfig *kc, const char *symbol,
                                       char *value, size_t value_size)
{
        char key[256];

        if (value && value_size)
                value[0] = '\0';
        if (!kc || !kc->source[0])
                return ISO_KCONFIG_UNKNOWN;
        if (!symbol || !*symbol || strchr(symbol, '='))
                return ISO_KCONFIG_MISSING;

        const char *prefix = strncmp(symbol, CONFIG_PREFIX, CONFIG_PREFIX_LEN) ? CONFIG_PREFIX : "";

        /* A name too long for key cannot be in any real config. */
        if (iso_pathf(key, sizeof(key), "%s%s", prefix, symbol) < 0)
                return ISO_KCONFIG_MISSING;

        char **hit = bsearch(key, kc->lines, kc->n, sizeof(*kc->lines), key_cmp);

        if (!hit)
                return ISO_KCONFIG_MISSING;

        const char *v = strchr(*hit, '=') + 1;

        if (value && value_size)
                snprintf(value, value_size, "%s", v);
        if (!strcmp(v, "y"))
                return ISO_KCONFIG_Y;
        if (!strcmp(v, "m"))
                return ISO_KCONFIG_M;
        /* Kconfig never writes "=n", but a hand-edited file might: it means not set. */
        if (!strcmp(v, "n"))
                return ISO_KCONFIG_MISSING;
        return ISO_KCONFIG_VALUE;
}

const char *iso_kconfig_state_name(enum iso_kconfig_state s)
{
        switch (s) {
        case ISO_KCONFIG_Y:
                return "y";
        case ISO_KCONFIG_M:
                return "m";
        case ISO_KCONFIG_MISSING:
                return "not set";
        case ISO_KCONFIG_VALUE:
                return "value";
        case ISO_KCONFIG_UNKNOWN:
        default:
                return "unknown";
        }
}

void iso_kconfig_free(struct iso_kconfig *kc)
{
        if (!kc)
                return;
        for (size_t i = 0; i < kc->n; i++)
                free(kc->lines[i]);
        free(kc->lines);
        memset(kc, 0, sizeof(*kc));
}
