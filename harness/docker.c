// SPDX-License-Identifier: MIT
#include "isocheck/docker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "isocheck/tool.h"

int iso_docker(char *const args[], char *out, size_t size, double timeout_s, struct iso_err *e)
{
        char *argv[32] = {"docker"};
        size_t n = 1;
        for (; args[n - 1] && n < 31; n++)
                argv[n] = args[n - 1];
        argv[n] = NULL;
        int timed_out = 0;
        int st = iso_tool_run(argv, NULL, out, size, timeout_s, &timed_out, e);
        if (st >= 0 && timed_out)
                iso_errf(e, ETIMEDOUT, "docker %s: no answer within %.0f s", args[0], timeout_s);
        return st;
}

static void first_line(char *s)
{
        s[strcspn(s, "\n")] = '\0';
}

int iso_docker_reachable(char *info, size_t size)
{
        char out[1024];
        char *args[] = {"info", "--format", "{{.ServerVersion}}", NULL};
        struct iso_err e = {0};
        int st = iso_docker(args, out, sizeof(out), 10.0, &e);
        const char *host = getenv("DOCKER_HOST");
        if (!host || !*host)
                host = "unix:///var/run/docker.sock";
        if (st == 0 && out[0] && !strstr(out, "ERROR")) {
                first_line(out);
                snprintf(info, size, "%s", out);
                return 1;
        }
        if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127) {
                snprintf(info, size, "docker not on PATH");
                return 0;
        }
        /* "Cannot connect to the Docker daemon at ..." or "permission denied while trying
         * to connect ...": keep the client's own words, not the warnings before them. */
        char *why = strstr(out, "Cannot connect");
        if (!why)
                why = strstr(out, "permission denied while trying");
        /* Otherwise the first line that is not a client warning. */
        for (char *l = out; !why && l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
                if (strncmp(l, "WARNING", 7) && *l != '\n')
                        why = l;
        if (!why)
                why = out;
        first_line(why);
        snprintf(info, size, "no Docker daemon reachable at %s%s%.200s", host, *why ? ": " : "",
                 why);
        return 0;
}

/* IDs listed by `docker ARGS` into @ids (one per line); returns how many. */
static size_t list_ids(char *const args[], char *ids, size_t size)
{
        struct iso_err e = {0};
        int st = iso_docker(args, ids, size, 20.0, &e);
        if (st != 0)
                return 0;
        size_t n = 0;
        for (char *l = ids; *l; l++)
                n += *l == '\n';
        return n;
}

static void remove_ids(const char *verb, const char *flag, char *ids)
{
        for (char *save = NULL, *id = strtok_r(ids, "\n", &save); id;
             id = strtok_r(NULL, "\n", &save)) {
                char out[512];
                char *args[] = {(char *)verb, (char *)flag, id, NULL};
                iso_docker(args, out, sizeof(out), 30.0, NULL);
        }
}

long iso_docker_reclaim(const char *run_id, const char *case_name, char *what, size_t size)
{
        char run_filter[160], case_filter[320];
        snprintf(run_filter, sizeof(run_filter), "label=" ISO_DOCKER_LABEL_RUN "=%s", run_id);
        snprintf(case_filter, sizeof(case_filter), "label=" ISO_DOCKER_LABEL_CASE "=%s",
                 case_name ? case_name : "");
        char *ps[] = {"ps", "-aq", "--filter", run_filter, "--filter", case_filter, NULL};
        char *images[] = {"images", "-q", "--filter", run_filter, "--filter", case_filter, NULL};
        if (!case_name) {
                ps[4] = NULL;
                images[4] = NULL;
        }
        static char containers[16384], imgs[16384];
        size_t nc = list_ids(ps, containers, sizeof(containers));
        size_t ni = list_ids(images, imgs, sizeof(imgs));
        if (size)
                snprintf(what, size, "%zu container(s), %zu image(s) labelled %s", nc, ni,
                         case_name ? case_filter + 6 : run_filter + 6);
        /* Containers first: an image in use cannot go. */
        remove_ids("rm", "-f", containers);
        remove_ids("rmi", "-f", imgs);
        return (long)(nc + ni);
}

int iso_docker_host_port(const char *name, int port, int *host_port, struct iso_err *e)
{
        char spec[32], out[512];
        snprintf(spec, sizeof(spec), "%d/tcp", port);
        char *args[] = {"port", (char *)name, spec, NULL};
        int st = iso_docker(args, out, sizeof(out), 10.0, e);
        /* "127.0.0.1:32768", one line per binding: the first will do. */
        out[strcspn(out, "\n")] = '\0';
        char *colon = st == 0 ? strrchr(out, ':') : NULL;
        if (!colon || sscanf(colon + 1, "%d", host_port) != 1)
                return iso_errf(e, EPROTO, "docker port %s %s: expected HOST:PORT, got \"%.100s\"",
                                name, spec, out);
        return 0;
}

int iso_docker_pid(const char *name, pid_t *pid, struct iso_err *e)
{
        char out[256];
        char *args[] = {"inspect", "-f", "{{.State.Pid}}", (char *)name, NULL};
        int st = iso_docker(args, out, sizeof(out), 10.0, e);
        int v = 0;
        if (st != 0 || sscanf(out, "%d", &v) != 1 || v <= 0)
                return iso_errf(e, EPROTO, "docker inspect %s: expected a PID, got \"%.100s\"",
                                name, out);
        *pid = v;
        return 0;
}
