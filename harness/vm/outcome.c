// SPDX-License-Identifier: MIT
/*
 * One configuration's result: the boot's outcome and the reports the guest sent, judged
 * into a verdict with a message that says what was expected and what happened.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "host.h"

void vm_set_result(struct config *c, enum iso_verdict v, const char *fmt, ...)
{
        va_list ap;

        c->verdict = v;
        va_start(ap, fmt);
        vsnprintf(c->message, sizeof(c->message), fmt, ap);
        va_end(ap);
}

/* The last @max bytes of a file, starting at a line. */
char *vm_file_tail(const char *path, size_t max)
{
        size_t len = 0;
        char *s = iso_read_file(path, &len, NULL);

        if (!s || len <= max)
                return s;
        const char *from = s + len - max;
        const char *nl = strchr(from, '\n');

        if (nl)
                from = nl + 1;
        memmove(s, from, strlen(from) + 1);
        return s;
}

/* "not ok N - name" lines at the top level of a TAP stream: the failed cases. */
static void failed_cases(const char *tap, char *out, size_t size)
{
        size_t used = 0, count = 0;

        out[0] = '\0';
        for (const char *l = tap; l && *l;) {
                size_t len = strcspn(l, "\n");

                if (!strncmp(l, "not ok ", 7)) {
                        const char *dash = strstr(l, " - ");

                        if (dash && dash < l + len) {
                                size_t n = strcspn(dash + 3, " #\n");

                                if (count++ < 12 && used + n + 3 < size) {
                                        used += (size_t)snprintf(out + used, size - used, "%s%.*s",
                                                                 used ? ", " : "", (int)n,
                                                                 dash + 3);
                                }
                        }
                }
                l += len;
                if (*l)
                        l++;
        }
        if (count > 12 && used + 16 < size)
                snprintf(out + used, size - used, " and %zu more", count - 12);
}

/* Write the frames the guest sent into the configuration's report directory. */
static int store_frames(struct config *c, struct iso_vm_file *f, long n, int *status,
                        struct iso_err *e)
{
        int have_tap = 0, have_junit = 0;

        *status = -1;
        for (long i = 0; i < n; i++) {
                if (!strcmp(f[i].name, "status")) {
                        double s = 0;

                        if (sscanf((char *)f[i].data, "status %d suite_s %lf", status, &s) >= 1)
                                c->suite_s = s;
                        continue;
                }
                /* Under the report directory only, never through a link found there. */
                if (iso_vm_store(c->dir_fd, c->dir, f[i].name, f[i].data, f[i].len, e) < 0)
                        return -1;
                if (!strcmp(f[i].name, "isocheck.tap"))
                        have_tap = 1;
                if (!strcmp(f[i].name, "isocheck.junit.xml")) {
                        have_junit = 1;
                        free(c->junit);
                        c->junit = strdup((char *)f[i].data);
                }
        }
        if (*status < 0)
                return iso_errf(e, ENOENT, "expected a status frame from the guest, got none");
        if (!have_tap || !have_junit)
                return iso_errf(e, ENOENT, "expected the TAP and JUnit reports, got %s%s",
                                have_tap     ? "TAP only"
                                : have_junit ? "JUnit only"
                                             : "neither",
                                " (see console.log)");
        return 0;
}

/* Judge a boot that ended with the guest powering off: the reports must be whole. */
void vm_judge_reports(struct config *c, const char *data_path, const char *console_path,
                      const struct iso_vm_boot_result *r)
{
        struct iso_err e = {0};
        struct iso_vm_file files[256];
        size_t len = 0;
        iso_autofree char *data = iso_read_file(data_path, &len, &e);
        /* A machine without the data port (qemu given one serial port) leaves no capture. */
        long n = data ? iso_vm_frames_parse(data, len, files, ISO_ARRAY_SIZE(files), &e)
                 : e.errnum == ENOENT ? 0
                                      : -1;

        if (n == 0) {
                /* The init falls back to the console when the data port will not open. */
                size_t clen = 0;
                iso_autofree char *con = iso_read_file(console_path, &clen, &e);

                n = con ? iso_vm_frames_parse(con, clen, files, ISO_ARRAY_SIZE(files), &e) : -1;
        }
        if (n < 0) {
                vm_set_result(c, ISO_FAIL, "the reports did not arrive whole: %s", e.msg);
                return;
        }
        int status = -1;

        if (store_frames(c, files, n, &status, &e) < 0) {
                /* A report the guest did not send is the guest's; one this host refused to
                 * store (a planted link, a full disk) is the environment's. */
                vm_set_result(c, e.errnum == ENOENT ? ISO_FAIL : ISO_ERROR, "%s%s%s", e.msg,
                              r->con.init_error[0] ? "; init: " : "", r->con.init_error);
                free(c->junit);
                c->junit = NULL;
        } else if (status == 0) {
                vm_set_result(c, ISO_PASS, "every case that ran passed");
        } else if (status == 77) {
                vm_set_result(c, ISO_SKIP, "nothing could run in the guest (isocheck exited 77)");
        } else {
                char path[PATH_MAX], failed[640] = "";

                if (iso_pathf(path, sizeof(path), "%s/isocheck.tap", c->dir) == 0) {
                        iso_autofree char *tap = iso_read_file(path, NULL, NULL);

                        failed_cases(tap, failed, sizeof(failed));
                }
                vm_set_result(c, status == 1 ? ISO_FAIL : ISO_ERROR,
                              "expected every case to pass in the guest, isocheck exited %d%s%s",
                              status, failed[0] ? ": " : "", failed);
        }
        iso_vm_files_free(files, n > 0 ? (size_t)n : 0);
}

void vm_describe_status(int status, char *out, size_t size)
{
        if (status >= 0 && WIFEXITED(status))
                snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
        else if (status >= 0 && WIFSIGNALED(status))
                snprintf(out, size, "was killed by signal %d", WTERMSIG(status));
        else
                snprintf(out, size, "ended (status unknown)");
}

const char *vm_phase(const struct iso_vm_console *con)
{
        if (con->t_exit)
                return "sending the reports";
        if (con->t_suite)
                return "running the suite";
        if (con->t_init)
                return "setting up the guest";
        if (con->t_kernel)
                return "booting the kernel (init not started)";
        return "waiting for the kernel";
}

void vm_join(const struct iso_vm_strv *sv, char *out, size_t size)
{
        out[0] = '\0';
        for (size_t i = 0; i < sv->n; i++) {
                if (i)
                        strncat(out, " ", size - strlen(out) - 1);
                strncat(out, sv->v[i], size - strlen(out) - 1);
        }
}
