/* SPDX-License-Identifier: MIT */
/*
 * OCI bundles for the OCI runtime used directly (harness/runtime_oci.c): config.json and a
 * root directory, as the OCI runtime spec's config.md and bundle.md describe them.
 */
#ifndef ISOCHECK_OCI_BUNDLE_H
#define ISOCHECK_OCI_BUNDLE_H

#include <limits.h>

#include "isocheck/util.h"

/* What a bundle's config.json says beyond what every container shares. */
struct iso_oci_spec {
        char *const *args;       /* process.args */
        const char *hostname;    /* NULL: no UTS namespace of its own */
        const char *net_path;    /* NULL: a new network namespace; else the one to join */
        int net_raw;             /* CAP_NET_RAW for a capture */
        const char *binds[5][2]; /* read-only bind mounts {source, destination} */
        const char *out_dir;     /* a read-write bind at /out, or NULL */
};

/*
 * Make bundle @id under the directory @dir: @dir/@id/config.json from @s (process, root
 * read-only, /proc and a /dev tmpfs, the binds, namespaces; runc spec's default
 * capabilities, CAP_NET_RAW with net_raw) and @dir/@id/rootfs with the binds' mount points.
 * The bundle's path goes to @bundle. Returns 0, or -1 with @e naming the file or call.
 */
int iso_oci_bundle(const char *dir, const char *id, const struct iso_oci_spec *s,
                   char bundle[PATH_MAX], struct iso_err *e);

/* Copy the file @src to @dest ("/app", "/bin/bash") in @bundle's root, mode 0755, making
 * its directory. 0 or -1 with @e (an existing @dest is EEXIST). */
int iso_oci_bundle_file(const char *bundle, const char *src, const char *dest, struct iso_err *e);

#endif
