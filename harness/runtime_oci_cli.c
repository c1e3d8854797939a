// SPDX-License-Identifier: MIT
/*
 * The OCI runtime's command line (crun or runc) as the OCI runtime module uses it: which one,
 * `--root ROOT` commands run to completion, `create` with the container's output in its
 * bundle, kill and delete. Cut from runtime_oci.c (one concern: talking to the binary);
 * the container's bundle is oci_bundle.c's, the runtime operations runtime_oci.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime_oci.h"
#include "isocheck/tool.h"

/* The OCI runtime to use: ISOCHECK_OCI_RUNTIME, else crun, else runc (runc alone when
 * crun would refuse this hybrid hierarchy). NULL when none is installed. */
const char *iso_oci_bin(void)
{
        const char *env = getenv("ISOCHECK_OCI_RUNTIME");
        if (env && *env)
                return env;
        struct iso_err e = {0};
        iso_autofree char *ctrl =
                iso_read_file("/sys/fs/cgroup/unified/cgroup.controllers", NULL, &e);
        int hybrid_ctrl = ctrl && ctrl[strspn(ctrl, " \n")];
        if (!hybrid_ctrl &&
            (access("/usr/bin/crun", X_OK) == 0 || access("/usr/sbin/crun", X_OK) == 0))
                return "crun";
        if (access("/usr/sbin/runc", X_OK) == 0 || access("/usr/bin/runc", X_OK) == 0)
                return "runc";
        return NULL;
}

/* The case's directory and the runtime's state root in it. */
void iso_oci_dirs(const char *run_id, const char *case_name, char dir[PATH_MAX],
                  char root[PATH_MAX])
{
        iso_pathf(dir, PATH_MAX, OCI_DIR "/%s/%s", run_id, case_name);
        iso_pathf(root, PATH_MAX, "%s/state", dir);
}

/* `RUNTIME --root ROOT ARGS` run to completion: its wait status, its output in @out. */
int iso_oci_cmd(const char *root, char *const args[], char *out, size_t size, double timeout_s,
                struct iso_err *e)
{
        const char *bin = iso_oci_bin();
        if (!bin)
                return iso_errf(e, ENOENT, "no OCI runtime: neither crun nor runc is installed");
        char *argv[32] = {(char *)bin, "--root", (char *)root};
        size_t n = 3;
        for (size_t i = 0; args[i] && n < ISO_ARRAY_SIZE(argv) - 1; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        int timed_out = 0;
        if (size)
                out[0] = '\0';
        int st = iso_tool_run(argv, NULL, out, size, timeout_s, &timed_out, e);
        if (st >= 0 && timed_out)
                iso_errf(e, ETIMEDOUT, "%s %s: no answer within %.0f s", bin, args[0], timeout_s);
        return st;
}

int iso_oci_must(const char *root, char *const args[], struct iso_err *e)
{
        char out[2048];
        struct iso_err ce = {0};
        int st = iso_oci_cmd(root, args, out, sizeof(out), 30.0, &ce);
        if (st == 0)
                return 0;
        out[strcspn(out, "\n")] = '\0';
        return iso_errf(e, ce.errnum ? ce.errnum : EIO,
                        "expected `%s %s %s` to succeed, got status 0x%x%s%s: %.400s",
                        iso_oci_bin(), args[0], args[1] ? args[1] : "", st, ce.msg[0] ? ": " : "",
                        ce.msg, out);
}

/*
 * `RUNTIME --root ROOT create --bundle BUNDLE --pid-file BUNDLE/pid ID` with stdout and
 * stderr to BUNDLE/log: the container's first process keeps them, so a pipe would never
 * close. Bounded: 30 s. Returns the container's host PID, or -1 with @e.
 */
pid_t iso_oci_create(const char *root, const char *bundle, const char *id, struct iso_err *e)
{
        char log[PATH_MAX], pidfile[PATH_MAX];
        iso_pathf(log, sizeof(log), "%s/log", bundle);
        iso_pathf(pidfile, sizeof(pidfile), "%s/pid", bundle);
        const char *bin = iso_oci_bin();
        if (!bin)
                return iso_errf(e, ENOENT, "no OCI runtime: neither crun nor runc is installed");
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return iso_errf(e, errno, "open %s", log);
        fflush(NULL);
        pid_t c = fork();
        if (c < 0) {
                close(fd);
                return iso_errf(e, errno, "fork for %s create", bin);
        }
        if (c == 0) {
                int null = open("/dev/null", O_RDONLY);
                if (null >= 0)
                        dup2(null, 0);
                dup2(fd, 1);
                dup2(fd, 2);
                execlp(bin, bin, "--root", root, "create", "--bundle", bundle, "--pid-file",
                       pidfile, id, (char *)NULL);
                _exit(127);
        }
        close(fd);
        int status = -1;
        pid_t w = 0;
        for (int i = 0; i < 3000 && (w = waitpid(c, &status, WNOHANG)) == 0; i++) /* 30 s */
                usleep(10000);
        if (w == 0) {
                kill(c, SIGKILL);
                waitpid(c, &status, 0);
                return iso_errf(e, ETIMEDOUT, "%s create %s: no answer within 30 s", bin, id);
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                iso_autofree char *said = iso_read_file(log, NULL, NULL);
                return iso_errf(e, EIO,
                                "expected `%s create %s` to succeed, got status 0x%x: %.400s", bin,
                                id, status, said ? said : "");
        }
        long long v = 0;
        if (iso_read_long(pidfile, &v, e) < 0)
                return -1;
        if (v <= 0)
                return iso_errf(e, EPROTO, "%s: expected a PID, got %lld", pidfile, v);
        return (pid_t)v;
}

/* Wait (at most 2 s) for @pid to end after @sig, then SIGKILL it; its wait status when it
 * was our child (a subreaper inherits the container's first process), else 0. */
int iso_oci_end(const char *root, const char *id, pid_t pid, const char *sig)
{
        char *kill_args[] = {"kill", (char *)id, (char *)sig, NULL};
        char out[512];
        iso_oci_cmd(root, kill_args, out, sizeof(out), 10.0, NULL);
        int status = 0;
        for (int i = 0; i < 400; i++) { /* bounded: 400 x 5 ms */
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid)
                        return status;
                if (w < 0 && kill(pid, 0) < 0)
                        return 0;
                usleep(5000);
        }
        char *kill9[] = {"kill", (char *)id, "KILL", NULL};
        iso_oci_cmd(root, kill9, out, sizeof(out), 10.0, NULL);
        for (int i = 0; i < 400; i++) { /* bounded: 400 x 5 ms */
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid)
                        return status;
                if (w < 0)
                        return 0;
                /* Still our unreaped child, so the PID is still its own: signal it. */
                kill(pid, SIGKILL);
                usleep(5000);
        }
        return 0;
}

/* Remove what is left of container @id's cgroups (/<id> in every hierarchy: the runtime's
 * default cgroupsPath): a container deleted before it was started can leave one behind
 * (seen: cpuset, busy for a moment). Bounded: 50 x 20 ms for each. */
static void oci_remove_cgroups(const char *id)
{
        char pattern[PATH_MAX];
        glob_t g;
        if (iso_pathf(pattern, sizeof(pattern), "/sys/fs/cgroup/*/%s", id) < 0)
                return;
        int rc = glob(pattern, GLOB_NOSORT, NULL, &g);
        char direct[PATH_MAX];
        if (iso_pathf(direct, sizeof(direct), "/sys/fs/cgroup/%s", id) == 0)
                for (int i = 0; i < 50 && rmdir(direct) < 0 && errno == EBUSY; i++)
                        usleep(20000);
        if (rc != 0)
                return;
        for (size_t k = 0; k < g.gl_pathc; k++)
                for (int i = 0; i < 50 && rmdir(g.gl_pathv[k]) < 0 && errno == EBUSY; i++)
                        usleep(20000);
        globfree(&g);
}

int iso_oci_delete(const char *root, const char *id, struct iso_err *e)
{
        char *del[] = {"delete", "-f", (char *)id, NULL};
        int rc = iso_oci_must(root, del, e);
        oci_remove_cgroups(id);
        return rc;
}
