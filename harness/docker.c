// SPDX-License-Identifier: MIT
#include "isocheck/docker.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "isocheck/tool.h"

/*
 * The client's environment variables that would change what isocheck's own local,
 * FROM-scratch images are or how they run, pinned for every docker command (env(1) in
 * front of docker, so the caller's environment is left alone): with DOCKER_CONTENT_TRUST=1
 * `docker run` of an unsigned local tag asks a notary server and fails; with
 * DOCKER_DEFAULT_PLATFORM set to another architecture our images, which hold the host's
 * binaries, would be labelled for that one, and a `docker run` under another setting
 * looks for them in a registry. Which daemon to talk to (DOCKER_HOST,
 * DOCKER_CONTEXT, DOCKER_CONFIG, DOCKER_TLS_VERIFY...) stays the user's choice, reported by
 * `isocheck --env`. DOCKER_BUILDKIT is pinned per build (iso_docker_build).
 */
static const char *const pinned_env[] = {"-u", "DOCKER_DEFAULT_PLATFORM", "DOCKER_CONTENT_TRUST=0"};

/* `env PINS... [@extra] docker ARGS...` in @argv (@max slots). */
static void docker_argv(char *argv[], size_t max, const char *extra, char *const args[])
{
        size_t n = 0;
        argv[n++] = "env";
        for (size_t i = 0; i < ISO_ARRAY_SIZE(pinned_env); i++)
                argv[n++] = (char *)pinned_env[i];
        if (extra)
                argv[n++] = (char *)extra;
        argv[n++] = "docker";
        for (size_t i = 0; args[i] && n < max - 1; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
}

static int docker_run(const char *extra, char *const args[], const char *input, char *out,
                      size_t size, double timeout_s, struct iso_err *e)
{
        char *argv[48];
        docker_argv(argv, ISO_ARRAY_SIZE(argv), extra, args);
        int timed_out = 0;
        int st = iso_tool_run(argv, input, out, size, timeout_s, &timed_out, e);
        if (st >= 0 && timed_out)
                iso_errf(e, ETIMEDOUT, "docker %s: no answer within %.0f s", args[0], timeout_s);
        return st;
}

int iso_docker(char *const args[], char *out, size_t size, double timeout_s, struct iso_err *e)
{
        return docker_run(NULL, args, NULL, out, size, timeout_s, e);
}

const char *iso_docker_pinned_env(void)
{
        return "DOCKER_CONTENT_TRUST=0, DOCKER_DEFAULT_PLATFORM unset, DOCKER_BUILDKIT per "
               "builder";
}

int iso_docker_pick_builder(const char *buildkit_env, const char *buildx, char *why, size_t size)
{
        int user_off =
                buildkit_env && (!strcmp(buildkit_env, "0") || !strcasecmp(buildkit_env, "false"));
        int user_on = buildkit_env && *buildkit_env && !user_off;
        if (buildx && *buildx && !user_off) {
                snprintf(why, size, "BuildKit (buildx %.100s)", buildx);
                return 1;
        }
        if (user_off)
                snprintf(why, size, "legacy (DOCKER_BUILDKIT=%s)", buildkit_env);
        else
                snprintf(why, size, "legacy (no buildx plugin%s)",
                         user_on ? "; DOCKER_BUILDKIT=1 overridden: BuildKit needs buildx" : "");
        return 0;
}

int iso_docker_builder(char *why, size_t size)
{
        char out[1024] = "";
        char *args[] = {"buildx", "version", NULL};
        int st = iso_docker(args, out, sizeof(out), 10.0, NULL);
        /* "github.com/docker/buildx v0.14.1 59582bc...": the version is the second word. */
        char version[64] = "";
        if (st == 0 && sscanf(out, "%*s %63s", version) != 1)
                iso_strlcpy(version, "version unknown", sizeof(version));
        return iso_docker_pick_builder(getenv("DOCKER_BUILDKIT"), version, why, size);
}

/* Is @v safe inside a double-quoted Dockerfile LABEL value? */
static int label_value_ok(const char *v)
{
        return !strpbrk(v, "\"\\\n$");
}

int iso_docker_dockerfile(const char *path, const char *const labels[], const char *extra,
                          char *out, size_t size, struct iso_err *e)
{
        iso_autofree char *file = iso_read_file(path, NULL, e);
        if (!file)
                return -1;
        /* The LABEL goes right after every FROM, before any step that commits an image, so
         * each intermediate image the legacy builder makes carries the run's labels. */
        char label[512] = "LABEL";
        for (size_t i = 0; labels && labels[i]; i++) {
                const char *eq = strchr(labels[i], '=');
                if (!eq || eq == labels[i] || !label_value_ok(labels[i]))
                        return iso_errf(e, EINVAL,
                                        "label \"%s\": expected KEY=VALUE without quotes, "
                                        "backslashes, $ or newlines",
                                        labels[i]);
                iso_appendf(label, sizeof(label), " %.*s=\"%s\"", (int)(eq - labels[i]), labels[i],
                            eq + 1);
        }
        int has_labels = labels && labels[0];
        size_t froms = 0;
        int in_from = 0; /* inside a FROM instruction continued with a backslash */
        out[0] = '\0';
        /* Line by line, comments and parser directives (# syntax=, # escape=) kept. */
        for (char *l = file; *l;) {
                size_t len = strcspn(l, "\n");
                const char *w = l + strspn(l, " \t");
                iso_appendf(out, size, "%.*s\n", (int)len, l);
                if (!in_from && !strncasecmp(w, "FROM", 4) && (w[4] == ' ' || w[4] == '\t')) {
                        froms++;
                        in_from = 1;
                }
                if (in_from && !(len && l[len - 1] == '\\')) {
                        in_from = 0;
                        if (has_labels)
                                iso_appendf(out, size, "%s\n", label);
                }
                l += len + (l[len] == '\n');
        }
        if (extra)
                iso_appendf(out, size, "%s\n", extra);
        if (!froms)
                return iso_errf(e, EINVAL, "%s: expected a FROM instruction, found none", path);
        if (strlen(out) >= size - 1)
                return iso_errf(e, EFBIG, "Dockerfile from %s: expected under %zu bytes", path,
                                size - 1);
        return 0;
}

int iso_docker_build(const struct iso_docker_build_opts *o, char *out, size_t size,
                     double timeout_s, struct iso_err *e)
{
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/Dockerfile", o->context) >= (int)sizeof(path))
                return iso_errf(e, ENAMETOOLONG, "build context %s", o->context);
        if (o->labels[ISO_ARRAY_SIZE(o->labels) - 1])
                return iso_errf(e, EINVAL, "docker build %s: more than %zu labels", o->tag,
                                ISO_ARRAY_SIZE(o->labels) - 1);
        /* iso_tool_run passes at most 4096 bytes of input. */
        char df[4096];
        if (iso_docker_dockerfile(path, o->labels, o->extra, df, sizeof(df), e) < 0)
                return -1;

        char buildkit[32];
        snprintf(buildkit, sizeof(buildkit), "DOCKER_BUILDKIT=%d", o->buildkit ? 1 : 0);
        /* --label too: BuildKit and the legacy builder both put it on the final image; the
         * Dockerfile's LABEL covers what comes before. --rm --force-rm: no intermediate
         * container survives a failed step. The Dockerfile comes on stdin (-f -). */
        char *args[24] = {"build", "--rm", "--force-rm", "-f", "-", "-t", (char *)o->tag};
        size_t k = 7;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(o->labels) && o->labels[i]; i++) {
                args[k++] = "--label";
                args[k++] = (char *)o->labels[i];
        }
        args[k++] = (char *)o->context;
        args[k] = NULL;
        return docker_run(buildkit, args, df, out, size, timeout_s, e);
}

void iso_docker_url_masked(const char *s, char *out, size_t size)
{
        const char *scheme = strstr(s, "://");
        const char *host = scheme ? scheme + 3 : NULL;
        size_t userinfo = host ? strcspn(host, "/@") : 0;
        const char *colon = host ? memchr(host, ':', userinfo) : NULL;
        if (host && host[userinfo] == '@' && colon)
                snprintf(out, size, "%.*s:***%s", (int)(colon - s), s, host + userinfo);
        else
                snprintf(out, size, "%s", s);
}

static void first_line(char *s)
{
        s[strcspn(s, "\n")] = '\0';
}

/*
 * Which daemon the client was told to use, as a reason names it: DOCKER_HOST (masked) and
 * DOCKER_CONTEXT when set (the client prefers DOCKER_HOST), else the default socket. The
 * default is named only when neither is set: a skip must not blame a socket that was
 * never asked (DOCKER_CONTEXT=bogus used to read "... at unix:///var/run/docker.sock").
 */
static void docker_endpoint(char *out, size_t size)
{
        const char *host = getenv("DOCKER_HOST"), *ctx = getenv("DOCKER_CONTEXT");
        char masked[256];
        int have_host = host && *host, have_ctx = ctx && *ctx;
        if (have_host)
                iso_docker_url_masked(host, masked, sizeof(masked));
        if (have_host && have_ctx)
                snprintf(out, size, "DOCKER_HOST=%s (DOCKER_CONTEXT=%.64s also set)", masked, ctx);
        else if (have_host)
                snprintf(out, size, "DOCKER_HOST=%s", masked);
        else if (have_ctx)
                snprintf(out, size, "DOCKER_CONTEXT=%.64s", ctx);
        else
                snprintf(out, size, "unix:///var/run/docker.sock");
}

int iso_docker_reachable(char *info, size_t size)
{
        char out[1024];
        char *args[] = {"info", "--format", "{{.ServerVersion}}", NULL};
        struct iso_err e = {0};
        int st = iso_docker(args, out, sizeof(out), 10.0, &e);
        const char *set_host = getenv("DOCKER_HOST"), *set_ctx = getenv("DOCKER_CONTEXT");
        int explicit = (set_host && *set_host) || (set_ctx && *set_ctx);
        char host[400];
        docker_endpoint(host, sizeof(host));
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
        /* The client could not pick a daemon from what the user set (no such context, a
         * malformed DOCKER_HOST): no daemon was asked, so this is no "not here" skip. */
        if (explicit && (strstr(why, "Failed to initialize") ||
                         strstr(why, "unable to resolve docker endpoint") ||
                         strstr(why, "context not found") || strstr(why, "unable to parse"))) {
                snprintf(info, size,
                         "the docker client cannot use %s (set in the environment): %.200s", host,
                         why);
                return -1;
        }
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

/* `docker VERB FLAG ID...` for the IDs of @ids (one per line), 32 per call at most (the
 * argument vector of docker_argv holds 48). */
static void remove_all(const char *verb, const char *flag, char *ids)
{
        char *save = NULL, *id = strtok_r(ids, "\n", &save);
        while (id) {
                char *args[32 + 3] = {(char *)verb, (char *)flag};
                size_t k = 2;
                for (; id && k < ISO_ARRAY_SIZE(args) - 1; id = strtok_r(NULL, "\n", &save))
                        args[k++] = id;
                args[k] = NULL;
                char out[4096];
                iso_docker(args, out, sizeof(out), 60.0, NULL);
        }
}

long iso_docker_reclaim(const char *run_id, const char *case_name, char *what, size_t size)
{
        char run_filter[160], case_filter[320];
        snprintf(run_filter, sizeof(run_filter), "label=" ISO_DOCKER_LABEL_RUN "=%s", run_id);
        snprintf(case_filter, sizeof(case_filter), "label=" ISO_DOCKER_LABEL_CASE "=%s",
                 case_name ? case_name : "");
        char *ps[] = {"ps", "-aq", "--filter", run_filter, "--filter", case_filter, NULL};
        /* -a: the intermediate images of a build, which have no name, are listed too. */
        char *images[] = {"images", "-aq", "--filter", run_filter, "--filter", case_filter, NULL};
        char *prune[] = {"image",    "prune",    "-a",        "-f", "--filter",
                         run_filter, "--filter", case_filter, NULL};
        if (!case_name) {
                ps[4] = NULL;
                images[4] = NULL;
                prune[6] = NULL;
        }
        static char containers[16384], imgs[16384];
        size_t nc = list_ids(ps, containers, sizeof(containers));
        /* A case's images are shared, content-keyed ones without a run label now: only a
         * whole run's reclaim (recovery of a dead run, whose build may have been cut
         * short, or an older isocheck's images) looks for run-labelled images. */
        size_t ni = case_name ? 0 : list_ids(images, imgs, sizeof(imgs));
        if (size)
                snprintf(what, size, "%zu container(s), %zu image(s) labelled %s", nc, ni,
                         case_name ? case_filter + 6 : run_filter + 6);
        /* Containers first (an image in use cannot go), all in one client call. */
        remove_all("rm", "-f", containers);
        if (ni) {
                /* prune removes children before parents, which rmi of a parent refuses
                 * ("image has dependent child images"); rmi -f takes what prune kept. */
                char out[4096];
                iso_docker(prune, out, sizeof(out), 60.0, NULL);
                if (list_ids(images, imgs, sizeof(imgs)))
                        remove_ids("rmi", "-f", imgs);
        }
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

void iso_docker_tail(const char *out, int lines, char *buf, size_t size)
{
        if (!size)
                return;
        buf[0] = '\0';
        /* Back from the end over @lines non-empty lines. */
        const char *end = out + strlen(out), *start = end;
        int n = 0;
        while (start > out && n < lines) {
                const char *p = start;
                while (p > out && p[-1] == '\n')
                        p--;
                if (p == out)
                        break;
                while (p > out && p[-1] != '\n')
                        p--;
                start = p;
                n++;
        }
        /* Joined with " | ": a message is one line in TAP and in a JUnit attribute. */
        for (const char *l = start; l < end;) {
                size_t len = strcspn(l, "\n");
                if (len)
                        iso_appendf(buf, size, "%s%.*s", buf[0] ? " | " : "", (int)len, l);
                l += len + (l[len] == '\n');
        }
}
