// SPDX-License-Identifier: MIT
#include "isocheck/leaks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

struct mount_line {
        int id;
        char point[256];
        char fstype[32];
};

/* Parse one mountinfo line: "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE ...". */
static int parse_line(const char *line, struct mount_line *m)
{
        char point[256];
        if (sscanf(line, "%d %*d %*s %*s %255s", &m->id, point) != 2)
                return -1;
        /* proc(5): space, tab, newline and backslash in paths appear as \NNN octal. */
        size_t j = 0;
        for (const char *c = point; *c && j + 1 < sizeof(m->point); j++) {
                if (c[0] == '\\' && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' && c[2] <= '7' &&
                    c[3] >= '0' && c[3] <= '7') {
                        m->point[j] = (char)((c[1] - '0') * 64 + (c[2] - '0') * 8 + (c[3] - '0'));
                        c += 4;
                } else {
                        m->point[j] = *c++;
                }
        }
        m->point[j] = '\0';
        const char *sep = strstr(line, " - ");
        m->fstype[0] = '\0';
        if (sep)
                sscanf(sep + 3, "%31s", m->fstype);
        return 0;
}

static int read_lines(char **text, struct iso_err *e)
{
        *text = iso_read_file("/proc/self/mountinfo", NULL, e);
        return *text ? 0 : -1;
}

int iso_mounts_snapshot(struct iso_mounts *m, struct iso_err *e)
{
        m->n = 0;
        m->ids = NULL;
        iso_autofree char *text = NULL;
        if (read_lines(&text, e) < 0)
                return -1;
        size_t cap = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
                struct mount_line ml;
                if (parse_line(l, &ml) < 0)
                        continue;
                if (m->n == cap) {
                        cap = cap ? cap * 2 : 64;
                        int *ids = realloc(m->ids, cap * sizeof(*ids));
                        if (!ids) {
                                iso_mounts_free(m);
                                return iso_errf(e, ENOMEM, "snapshot of /proc/self/mountinfo");
                        }
                        m->ids = ids;
                }
                m->ids[m->n++] = ml.id;
        }
        return 0;
}

static int known(const struct iso_mounts *m, int id)
{
        for (size_t i = 0; i < m->n; i++)
                if (m->ids[i] == id)
                        return 1;
        return 0;
}

long iso_mounts_reclaim(const struct iso_mounts *before, char *out, size_t size, struct iso_err *e)
{
        iso_autofree char *text = NULL;
        if (read_lines(&text, e) < 0)
                return -1;
        struct mount_line found[64];
        long n = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
                struct mount_line ml;
                if (parse_line(l, &ml) < 0 || known(before, ml.id))
                        continue;
                if (n < (long)ISO_ARRAY_SIZE(found))
                        found[n] = ml;
                n++;
        }
        size_t len = 0;
        if (size)
                out[0] = '\0';
        long stored = n < (long)ISO_ARRAY_SIZE(found) ? n : (long)ISO_ARRAY_SIZE(found);
        /* Newest last in mountinfo: detach in reverse so stacked mounts come off in order. */
        for (long i = stored - 1; i >= 0; i--) {
                umount2(found[i].point, MNT_DETACH);
                if (len < size)
                        len += (size_t)snprintf(out + len, size - len, "%s%s (%s)", len ? ", " : "",
                                                found[i].point, found[i].fstype);
        }
        return n;
}

void iso_mounts_free(struct iso_mounts *m)
{
        free(m->ids);
        m->ids = NULL;
        m->n = 0;
}
