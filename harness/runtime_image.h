/* SPDX-License-Identifier: MIT */
/*
 * Private to the runtimes' image caches (harness/runtime_docker_cache.c,
 * harness/runtime_podman_cache.c): an image is built once per content of its build
 * context and reused by every case and every later run, until `isocheck --cleanup`.
 */
#ifndef ISOCHECK_RUNTIME_IMAGE_H
#define ISOCHECK_RUNTIME_IMAGE_H

#include "isocheck/util.h"

/* The labels of a cached image: which fixture ("app", "sidecar") and its whole key. */
#define ISO_RT_LABEL_IMAGE "isocheck.image"
#define ISO_RT_LABEL_KEY "isocheck.key"

/*
 * The cache key of a build: SHA-256 (OpenSSL EVP) over @dockerfile (the text given to
 * docker build) and every entry under directory @ctx in name order, recursively (relative
 * path, mode, then the file's bytes or the symlink's target). Into @hex (65 bytes).
 * Returns 0, or -1 with @e naming the unreadable file.
 */
int iso_rt_image_key(const char *ctx, const char *dockerfile, char hex[65], struct iso_err *e);

/*
 * flock(2) @path (made 0600 if missing, never through a symlink) with @op (LOCK_SH or
 * LOCK_EX), retrying every 20 ms for at most @timeout_s. Returns the descriptor (the lock
 * lives until it is closed), or -1 when it cannot be opened or taken in time.
 */
int iso_rt_lock_file(const char *path, int op, double timeout_s);

/*
 * Where the image caches' locks live: /var/lib/isocheck/lock, not /run/lock, because a run
 * in a mount namespace of its own usually has a private /run (and so its own /run/lock)
 * while it shares /var/lib and the container daemon with the host: a lock there is seen
 * by an --cleanup on the host. iso_rt_lock_file makes the directory (root's, 0755).
 */
#define ISO_RT_LOCK_DIR "/var/lib/isocheck/lock"

#endif
