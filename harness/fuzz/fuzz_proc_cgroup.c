// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: iso_cg_proc_path (cgroup.c), which finds a hierarchy's line in
 * /proc/PID/cgroup ("ID:CONTROLLERS:PATH", cgroups(7)) for the OOM cases' membership
 * check under any cgroup namespace (issue 11 item 2).
 *
 * The first byte picks the version (bit 7) and the controller's length (the rest), the
 * controller follows, the rest is the file. The answer must be that of a plain reading of
 * the contract, line by line: the first line whose controller list holds the controller
 * as a whole comma-separated item (v2: is empty) decides, its PATH being everything after
 * the second ':' up to the line's end; -1 when none matches or that PATH does not fit.
 */
#include "isocheck/cgroup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The contract, read as plainly as possible: -1, or 0 with the path in @out. */
static int reference(const char *text, int version, const char *ctrl, char *out, size_t size)
{
        char *copy = strdup(text);
        int rc = -1, found = 0;
        if (!copy)
                abort();
        for (char *l = copy, *next; l && !found; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                char *c1 = strchr(l, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                int mine = 0;
                if (version == 2) {
                        mine = c1[1] == '\0';
                } else if (*ctrl) {
                        size_t n = strlen(c1 + 1) + 3;
                        char *list = malloc(n), *want = malloc(strlen(ctrl) + 3);
                        if (!list || !want)
                                abort();
                        snprintf(list, n, ",%s,", c1 + 1);
                        sprintf(want, ",%s,", ctrl);
                        mine = strstr(list, want) != NULL;
                        free(list);
                        free(want);
                }
                if (!mine)
                        continue;
                found = 1; /* the first matching line decides, fitting or not */
                if (strlen(c2 + 1) < size) {
                        strcpy(out, c2 + 1);
                        rc = 0;
                }
        }
        free(copy);
        return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        int version = data[0] & 0x80 ? 2 : 1;
        size_t clen = data[0] & 0x1f;
        if (size < 1 + clen)
                return 0;
        char *ctrl = strndup((const char *)data + 1, clen);
        char *text = strndup((const char *)data + 1 + clen, size - 1 - clen);
        if (!ctrl || !text)
                abort();
        /* A controller name never holds these; the contract is per comma-separated item. */
        if (strpbrk(ctrl, ",:\n"))
                goto out;
        char got[64], want[64];
        int rc = iso_cg_proc_path(text, version, ctrl, got, sizeof(got));
        int rc_ref = reference(text, version, ctrl, want, sizeof(want));
        if (rc != rc_ref || (rc == 0 && strcmp(got, want))) {
                fprintf(stderr, "fuzz_proc_cgroup: v%d \"%s\": got %d \"%s\", expected %d \"%s\"\n",
                        version, ctrl, rc, rc == 0 ? got : "", rc_ref, rc_ref == 0 ? want : "");
                abort();
        }
out:
        free(ctrl);
        free(text);
        return 0;
}
