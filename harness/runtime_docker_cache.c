// SPDX-License-Identifier: MIT
/*
 * The docker runtime's image cache (runtime_docker.h): images built once, keyed by the
 * content of their build context, shared by every case of a run and by later runs.
 * Building the two FROM-scratch images took 2.2 s each per case here, most of a docker
 * case's time; a reused image costs one `docker image inspect`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isocheck/docker.h"
#include "runtime_docker.h"
#include "runtime_image.h"

/* The image id of @tag, or -1 when docker has no such image. */
static int image_id(const char *tag, char *id, size_t size)
{
        char out[512];
        char *args[] = {"image", "inspect", "-f", "{{.Id}}", (char *)tag, NULL};
        if (iso_docker(args, out, sizeof(out), 20.0, NULL) != 0 || strncmp(out, "sha256:", 7))
                return -1;
        out[strcspn(out, "\n")] = '\0';
        iso_strlcpy(id, out, size);
        return 0;
}

/* The whole client output of a build, kept as an artifact: 1 MiB holds any of ours. */
#define BUILD_OUT_SIZE (1024 * 1024)

static int build(struct iso_rt_ctx *c, const char *what, const struct iso_docker_build_opts *o,
                 struct iso_err *e)
{
        iso_autofree char *out = calloc(1, BUILD_OUT_SIZE);
        if (!out)
                return iso_errf(e, errno, "expected %d bytes for docker build's output",
                                BUILD_OUT_SIZE);
        struct iso_err be = {0};
        int st = iso_docker_build(o, out, BUILD_OUT_SIZE, 120.0, &be);
        if (st == 0)
                return 0;
        char log_name[64];
        snprintf(log_name, sizeof(log_name), "docker-build-%s.log", what);
        size_t len = strlen(out);
        if (len == BUILD_OUT_SIZE - 1 && c->t) /* iso_tool_run dropped the rest: say so */
                iso_log(c->t, "docker build's output was cut at %d bytes", BUILD_OUT_SIZE);
        int kept = c->t && iso_artifact(c->t, log_name, out, len) == 0;
        char tail[700], how[sizeof(be.msg) + 32];
        iso_docker_tail(out, 6, tail, sizeof(tail));
        if (st < 0)
                snprintf(how, sizeof(how), "%s", be.msg);
        else
                snprintf(how, sizeof(how), "wait status 0x%x%s%s", st, be.msg[0] ? ", " : "",
                         be.msg);
        return iso_errf(e, 0,
                        "expected `docker build` of the %s image (%s builder) to succeed, got %s; "
                        "its last lines: %s%s%s",
                        what, o->buildkit ? "BuildKit" : "legacy", how, tail[0] ? tail : "(none)",
                        kept ? "; whole output in artifact " : "", kept ? log_name : "");
}

int dk_cached_image(struct iso_rt_ctx *c, const char *what, const char *ctx, const char *extra,
                    char *image, size_t size, struct iso_err *e)
{
        char label_image[64], label_key[96], df_path[PATH_MAX], key[65], df[4096];
        snprintf(label_image, sizeof(label_image), ISO_DK_LABEL_IMAGE "=%s", what);
        const char *key_labels[] = {label_image, NULL};
        if (iso_pathf(df_path, sizeof(df_path), "%s/Dockerfile", ctx) < 0)
                return iso_errf(e, ENAMETOOLONG, "build context %s", ctx);
        /* The key covers exactly what docker build is given: this Dockerfile text (its
         * label lines included) and the context's files. */
        if (iso_docker_dockerfile(df_path, key_labels, extra, df, sizeof(df), e) < 0 ||
            iso_rt_image_key(ctx, df, key, e) < 0)
                return -1;
        snprintf(image, size, "isocheck-%s:%.16s", what, key);
        snprintf(label_key, sizeof(label_key), ISO_DK_LABEL_KEY "=%s", key);
        char id[128];
        double t0 = iso_now();
        if (image_id(image, id, sizeof(id)) == 0) {
                if (c->t)
                        iso_log(c->t, "docker image %s (%s): reused, 0 builds", image, id);
                return 0;
        }
        /* Missing: build it under the build lock, unless another run built it meanwhile. */
        int lock = iso_rt_lock_file(ISO_DK_BUILD_LOCK, LOCK_EX, 150.0);
        int rc = 0, built = 0;
        if (image_id(image, id, sizeof(id)) < 0) {
                struct iso_docker_build_opts o = {.context = ctx,
                                                  .tag = image,
                                                  .labels = {label_image, label_key, NULL},
                                                  .extra = extra,
                                                  .buildkit = c->env->docker_buildkit};
                rc = build(c, what, &o, e);
                built = rc == 0;
                if (rc == 0 && image_id(image, id, sizeof(id)) < 0)
                        rc = iso_errf(e, ENOENT,
                                      "docker build of %s succeeded, but docker image "
                                      "inspect does not find it",
                                      image);
        }
        if (lock >= 0)
                close(lock);
        if (rc == 0 && c->t)
                iso_log(c->t, "docker image %s (%s): %s, %d build%s in %.3f s%s", image, id,
                        built ? "built" : "built by another run meanwhile", built, built ? "" : "s",
                        iso_now() - t0,
                        lock < 0 ? " (no build lock: " ISO_DK_BUILD_LOCK " could not be taken)"
                                 : "");
        return rc;
}

static int inuse_fd = -1;

void dk_cache_hold(void)
{
        if (inuse_fd >= 0)
                return;
        /* Inherited by the case children (fork), which use the images, so it lives as
         * long as any of them; closed on exec: a docker client needs none. */
        inuse_fd = iso_rt_lock_file(ISO_DK_INUSE_LOCK, LOCK_SH, 5.0);
}

long dk_cache_sweep(char *what, size_t size)
{
        /* This process's own shared lock, if the probe took one, converts to exclusive
         * only when no other open file holds it (flock(2)). */
        int fd = inuse_fd >= 0 ? inuse_fd : iso_rt_lock_file(ISO_DK_INUSE_LOCK, LOCK_SH, 5.0);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
                snprintf(what, size,
                         "kept the cached docker images (label " ISO_DK_LABEL_IMAGE
                         "): a live run uses docker (it holds a shared lock on " ISO_DK_INUSE_LOCK
                         ")%s",
                         fd < 0 ? " or the lock file cannot be opened" : "");
                if (fd >= 0 && fd != inuse_fd)
                        close(fd);
                else if (fd >= 0)
                        flock(fd, LOCK_SH); /* a failed conversion may have dropped it */
                return 0;
        }
        static char ids[16384];
        char *images[] = {"images", "-aq", "--filter", "label=" ISO_DK_LABEL_IMAGE, NULL};
        long n = 0;
        if (iso_docker(images, ids, sizeof(ids), 20.0, NULL) == 0)
                for (const char *l = ids; *l; l++)
                        n += *l == '\n';
        if (n) {
                /* prune takes children before their parents; rmi -f what prune kept. */
                char out[4096];
                char *prune[] = {"image", "prune",    "-a",
                                 "-f",    "--filter", "label=" ISO_DK_LABEL_IMAGE,
                                 NULL};
                iso_docker(prune, out, sizeof(out), 60.0, NULL);
                if (iso_docker(images, ids, sizeof(ids), 20.0, NULL) == 0)
                        for (char *save = NULL, *id = strtok_r(ids, "\n", &save); id;
                             id = strtok_r(NULL, "\n", &save)) {
                                char *rmi[] = {"rmi", "-f", id, NULL};
                                iso_docker(rmi, out, sizeof(out), 30.0, NULL);
                        }
        }
        if (n)
                snprintf(what, size, "%ld cached docker image(s) (label " ISO_DK_LABEL_IMAGE ")",
                         n);
        else if (size)
                what[0] = '\0';
        /* Back to shared: this process may still use docker. */
        flock(fd, LOCK_SH);
        if (fd != inuse_fd)
                close(fd);
        return n;
}
