/* SPDX-License-Identifier: MIT */
/*
 * Private to the docker runtime (harness/runtime_docker*.c): the image cache that lets every
 * case of a run, and every later run, use the app and sidecar images built once.
 *
 * An image is keyed by the SHA-256 of what `docker build` is given (the Dockerfile text
 * isocheck feeds it, and every file of the build context: its path, mode and bytes, or a
 * link's target), tagged isocheck-<what>:<first 16 hex digits of the key> and labelled
 * isocheck.image=<what> (every intermediate image of the build too, by a LABEL after FROM)
 * and isocheck.key=<the whole key> (the final image). It carries no isocheck.run label: no
 * run owns it, so the recovery of dead runs leaves it, and the next run finds it.
 *
 * Policy: cached images are kept until `isocheck --cleanup`, which removes them (and the
 * intermediate images of an interrupted cache build) only when no live run uses docker:
 * every run that probed docker holds a shared flock(2) on ISO_DK_INUSE_LOCK for its whole
 * life, and --cleanup removes them only when it can take that lock exclusively. Builds are
 * serialised by an exclusive flock on ISO_DK_BUILD_LOCK, so two runs needing the same
 * missing image build it once.
 */
#ifndef ISOCHECK_RUNTIME_DOCKER_H
#define ISOCHECK_RUNTIME_DOCKER_H

#include <stddef.h>

#include "isocheck/runtime.h"
#include "runtime_image.h"

#define ISO_DK_LABEL_IMAGE ISO_RT_LABEL_IMAGE
#define ISO_DK_LABEL_KEY ISO_RT_LABEL_KEY
#define ISO_DK_INUSE_LOCK ISO_RT_LOCK_DIR "/docker-images.lock"
#define ISO_DK_BUILD_LOCK ISO_RT_LOCK_DIR "/docker-build.lock"

/*
 * Make sure the cached image for @what ("app", "sidecar") built from context @ctx with
 * Dockerfile lines @extra (may be NULL) exists, building it under the build lock when not;
 * its tag into @image (@size bytes). Says in the case's log (c->t) whether it was reused
 * or built, with the image id. Returns 0, or -1 with @e (the build's last lines; the whole
 * output as the artifact docker-build-<what>.log).
 */
int dk_cached_image(struct iso_rt_ctx *c, const char *what, const char *ctx, const char *extra,
                    char *image, size_t size, struct iso_err *e);

/* Take (once per process) the shared in-use lock: called by the probe when docker answers. */
void dk_cache_hold(void);

/*
 * --cleanup: remove every cached image (isocheck.image label, intermediate ones included)
 * when no other live run holds the in-use lock. Returns how many were removed, with a line
 * in @what (@size bytes): what went, or why the cache was kept.
 */
long dk_cache_sweep(char *what, size_t size);

#endif
