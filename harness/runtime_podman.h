/* SPDX-License-Identifier: MIT */
/*
 * Private to the podman runtimes (harness/runtime_podman*.c): the podman client
 * (runtime_podman_cli.c) and the operations both variants share (runtime_podman.c), run as
 * root (who == NULL) or as the unprivileged user of rootless podman. Every call is bounded;
 * none prints.
 */
#ifndef ISOCHECK_RUNTIME_PODMAN_H
#define ISOCHECK_RUNTIME_PODMAN_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "isocheck/runtime.h"

/* The docker runtime's label keys: one query finds a run's objects in either. */
#define PM_LABEL_RUN "isocheck.run"
#define PM_LABEL_CASE "isocheck.case"

/* Whom podman runs as (a runtime's priv): NULL is root, rootful podman. */
struct pm_who {
        uid_t uid;
        gid_t gid;
        char user[64];        /* login name */
        char home[PATH_MAX];  /* its home directory (podman's storage under it) */
        char runtime_dir[64]; /* XDG_RUNTIME_DIR: /run/user/<uid> */
};

/* The OCI runtime rootful podman should use here: "runc" on a hybrid hierarchy whose v2
 * half has controllers (crun refuses it), else NULL (podman's own choice). */
const char *iso_pm_oci_runtime(void);

/* Record the runner's PID (a probe calls it before cases fork): podman always runs in the
 * runner's mount namespace, where the network namespaces it bind-mounts are seen by all. */
void iso_pm_set_home(void);

/* `podman ARGS` as @who, @input (NULL, or 4096 bytes at most) on its stdin, within
 * @timeout_s: its wait status (-1 with @e when it could not run; ETIMEDOUT in @e when it was
 * killed), its output in @out (@size bytes). */
int iso_pm_in(const struct pm_who *who, char *const args[], const char *input, char *out,
              size_t size, double timeout_s, struct iso_err *e);
int iso_pm(const struct pm_who *who, char *const args[], char *out, size_t size, double timeout_s,
           struct iso_err *e);

/* The same, expected to exit 0: 0, or -1 with @e quoting podman's last lines. */
int iso_pm_must_in(const struct pm_who *who, char *const args[], const char *input, char *out,
                   size_t size, double timeout_s, struct iso_err *e);
int iso_pm_must(const struct pm_who *who, char *const args[], char *out, size_t size,
                double timeout_s, struct iso_err *e);

/* `podman ARGS` listing one id a line into @ids: how many (0 when podman failed). */
size_t iso_pm_list(const struct pm_who *who, char *const args[], char *ids, size_t size);

/* `podman VERB -f [--depend] ID` for each id in @ids (one a line; @ids is cut up). */
void iso_pm_remove(const struct pm_who *who, const char *verb, char *ids);

/* The runtime operations (runtime.h), for either variant: whom podman runs as is the
 * runtime's priv (c->rt->priv). */
int iso_pm_prepare(struct iso_rt_ctx *c, const char *what, const struct iso_rt_app_opts *o,
                   struct iso_err *e);
int iso_pm_app_start(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o, struct iso_rt_app *app,
                     struct iso_err *e);
int iso_pm_sidecar_start(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                         const struct iso_rt_sidecar_opts *o, struct iso_rt_sidecar *sc,
                         struct iso_err *e);
int iso_pm_sidecar_stop(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc, char *out, size_t size,
                        struct iso_err *e);
int iso_pm_exec(struct iso_rt_ctx *c, const struct iso_rt_app *app, char *const argv[],
                char *detail, size_t size, struct iso_err *e);
int iso_pm_app_unchanged(struct iso_rt_ctx *c, const struct iso_rt_app *app, struct iso_err *e);
int iso_pm_app_stop(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e);

/*
 * The image cache (runtime_podman_cache.c): the image of @what ("app", "sidecar") built from
 * context @ctx with the Dockerfile text @dockerfile, reused when @who's storage has it, else
 * built once under the build lock; its tag into @image (@size bytes), and a line in the
 * case's log saying reused or built, with the image id. 0, or -1 with @e.
 */
int iso_pm_cached_image(struct iso_rt_ctx *c, const char *what, const char *ctx,
                        const char *dockerfile, char *image, size_t size, struct iso_err *e);
/* The probe of a usable podman: hold the shared in-use lock of @who's storage for life. */
void iso_pm_cache_hold(const struct pm_who *who);
/* --cleanup (sweep_cache, runtime.h) of @who's cached images, unless a live run holds the
 * in-use lock. Returns how many went, with a line in @what. */
long iso_pm_cache_sweep_as(const struct pm_who *who, char *what, size_t size);

/* reclaim and scan (runtime.h) as @who. */
long iso_pm_reclaim_as(const struct pm_who *who, const char *run_id, const char *case_name,
                       char *what, size_t size);
long iso_pm_scan_as(const struct pm_who *who, void (*found)(void *arg, const char *run_id),
                    void *arg);

#endif
