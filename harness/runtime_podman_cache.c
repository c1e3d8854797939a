// SPDX-License-Identifier: MIT
/*
 * The podman runtimes' image cache, in the docker runtime's shape (runtime_docker.h): an
 * image built once per content of its context (runtime_image.h), tagged
 * isocheck-<what>:<16 hex digits of the key> in the storage of whom podman runs as, labelled
 * isocheck.image and isocheck.key and with no run label, so the recovery of dead runs
 * leaves it and the next case and the next run find it. A podman build per case took 5 to
 * 10 s of every *.podman case here.
 *
 * Policy, as docker's: kept until `isocheck --cleanup`, which removes the cached images of
 * a storage only when no live run uses it: every run that probed podman holds a shared
 * flock on /var/lib/isocheck/lock/podman-images-<uid>.lock (the storage owner's uid) for its
 * life. Builds are serialised per storage by /var/lib/isocheck/lock/podman-build-<uid>.lock.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "runtime_image.h"
#include "runtime_podman.h"

static unsigned storage_uid(const struct pm_who *who)
{
        return who ? (unsigned)who->uid : 0;
}

/* The image id of @tag in @who's storage, or -1 when there is none. */
static int pm_image_id(const struct pm_who *who, const char *tag, char *id, size_t size)
{
        char out[512];
        char *args[] = {"image", "inspect", "--format", "{{.Id}}", (char *)tag, NULL};
        if (iso_pm(who, args, out, sizeof(out), 20.0, NULL) != 0 || !out[0] || out[0] == '\n')
                return -1;
        out[strcspn(out, "\n")] = '\0';
        iso_strlcpy(id, out, size);
        return 0;
}

int iso_pm_cached_image(struct iso_rt_ctx *c, const char *what, const char *ctx,
                        const char *dockerfile, char *image, size_t size, struct iso_err *e)
{
        const struct pm_who *who = c->rt->priv;
        char key[65];
        if (iso_rt_image_key(ctx, dockerfile, key, e) < 0)
                return -1;
        snprintf(image, size, "isocheck-%s:%.16s", what, key);
        char id[128];
        double t0 = iso_now();
        if (pm_image_id(who, image, id, sizeof(id)) == 0) {
                if (c->t)
                        iso_log(c->t, "podman image %s (%.19s): reused, 0 builds", image, id);
                return 0;
        }
        char lock_path[96];
        snprintf(lock_path, sizeof(lock_path), ISO_RT_LOCK_DIR "/podman-build-%u.lock",
                 storage_uid(who));
        int lock = iso_rt_lock_file(lock_path, LOCK_EX, 150.0);
        int rc = 0, built = 0;
        if (pm_image_id(who, image, id, sizeof(id)) < 0) {
                char label_image[64], label_key[96], out[8192];
                snprintf(label_image, sizeof(label_image), ISO_RT_LABEL_IMAGE "=%s", what);
                snprintf(label_key, sizeof(label_key), ISO_RT_LABEL_KEY "=%s", key);
                /* --layers=false: no intermediate image outlives the build. The Dockerfile
                 * (a test build's extra lines included) comes on stdin, as the key saw it. */
                char *args[] = {"build",     "-q",      "--layers=false", "-t", image, "--label",
                                label_image, "--label", label_key,        "-f", "-",   (char *)ctx,
                                NULL};
                rc = iso_pm_must_in(who, args, dockerfile, out, sizeof(out), 120.0, e);
                built = rc == 0;
                if (rc == 0 && pm_image_id(who, image, id, sizeof(id)) < 0)
                        rc = iso_errf(e, ENOENT,
                                      "podman build of %s succeeded, but podman image inspect "
                                      "does not find it",
                                      image);
        }
        if (lock >= 0)
                close(lock);
        if (rc == 0 && c->t)
                iso_log(c->t, "podman image %s (%.19s): %s, %d build%s in %.3f s%s", image, id,
                        built ? "built" : "built by another run meanwhile", built, built ? "" : "s",
                        iso_now() - t0, lock < 0 ? " (no build lock could be taken)" : "");
        return rc;
}

/* The in-use locks this process holds, one per storage (root's, the rootless user's). */
static struct {
        unsigned uid;
        int fd;
} held[4];
static size_t n_held;

static int *held_fd(const struct pm_who *who)
{
        for (size_t i = 0; i < n_held; i++)
                if (held[i].uid == storage_uid(who))
                        return &held[i].fd;
        return NULL;
}

static int inuse_open(const struct pm_who *who, int op)
{
        char path[96];
        snprintf(path, sizeof(path), ISO_RT_LOCK_DIR "/podman-images-%u.lock", storage_uid(who));
        return iso_rt_lock_file(path, op, 5.0);
}

void iso_pm_cache_hold(const struct pm_who *who)
{
        if (held_fd(who) || n_held == ISO_ARRAY_SIZE(held))
                return;
        int fd = inuse_open(who, LOCK_SH);
        if (fd < 0)
                return;
        held[n_held].uid = storage_uid(who);
        held[n_held++].fd = fd;
}

long iso_pm_cache_sweep_as(const struct pm_who *who, char *what, size_t size)
{
        int *own = held_fd(who);
        int fd = own ? *own : inuse_open(who, LOCK_SH);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
                snprintf(what, size,
                         "kept the cached podman images of uid %u (label " ISO_RT_LABEL_IMAGE
                         "): a live run uses them (it holds a shared lock on " ISO_RT_LOCK_DIR
                         "/podman-images-%u.lock)",
                         storage_uid(who), storage_uid(who));
                if (fd >= 0 && !own)
                        close(fd);
                else if (fd >= 0)
                        flock(fd, LOCK_SH); /* a failed conversion may have dropped it */
                return 0;
        }
        static char ids[16384];
        char *images[] = {"images", "-aq", "--filter", "label=" ISO_RT_LABEL_IMAGE, NULL};
        long n = (long)iso_pm_list(who, images, ids, sizeof(ids));
        if (n)
                iso_pm_remove(who, "rmi", ids);
        if (n)
                snprintf(what, size,
                         "%ld cached podman image(s) of uid %u (label " ISO_RT_LABEL_IMAGE ")", n,
                         storage_uid(who));
        else if (size)
                what[0] = '\0';
        flock(fd, LOCK_SH);
        if (!own)
                close(fd);
        return n;
}
