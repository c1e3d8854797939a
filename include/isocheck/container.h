/* SPDX-License-Identifier: MIT */
/*
 * The native runtime: an app container made from isocheck's own namespaces, a cgroup and
 * a rootfs holding only the app binary (namespaces(7), pivot_root(2), veth(4)); a sidecar
 * is a process that joins only its network namespace.
 */
#ifndef ISOCHECK_CONTAINER_H
#define ISOCHECK_CONTAINER_H

#include <limits.h>
#include <sys/types.h>

#include "isocheck/cgroup.h"
#include "isocheck/env.h"
#include "isocheck/util.h"

struct iso_app_opts {
        const char *app_path; /* the static app binary to put in the rootfs */
        const char *hostname; /* UTS hostname inside */
        const char *scope;    /* cgroup scope (iso_case_scope()) for the container's cgroup */
        const struct iso_env *env;
        int port; /* the port the app listens on inside (8000) */
};

struct iso_app {
        pid_t pid;          /* host PID of the app: PID 1 of its PID namespace */
        char host_if[16];   /* veth end in the caller's namespace ("iso<hex>h") */
        char app_if[16];    /* veth end inside ("iso<hex>c") */
        char host_addr[16]; /* link-local addresses of the two ends (a /30) */
        char app_addr[16];
        int port;
        struct iso_cg cg;       /* its cgroup (version 0 when none could be made) */
        char rootdir[PATH_MAX]; /* empty host directory its tmpfs root was mounted on */
};

/*
 * The link-local /30 for the container numbered @slot: 169.254.X.Y from the base in the
 * environment variable ISOCHECK_LINK_NET (default "169.254.64.0", a /18 of room), never
 * 169.254.169.x (the cloud metadata address's /24). Fills the two dotted quads (16 bytes
 * each). Returns 0, or -1 with @e for a base outside 169.254.0.0/16.
 */
int iso_app_addresses(unsigned slot, char *host_addr, char *app_addr, struct iso_err *e);

/*
 * In the network namespace of process @pid (setns(2) from a forked helper): address
 * @addr/30 on @ifname, @ifname and loopback up, over rtnetlink (rtnetlink(7)). The native
 * app and the OCI runtime's (runtime_oci.c) both join a veth end this way. Returns 0, or
 * -1 with @e naming the step that failed.
 */
int iso_app_link_inside(pid_t pid, const char *ifname, const char *addr, struct iso_err *e);

/*
 * Start the app: clone into new PID, mount, network, UTS and IPC namespaces; join a
 * memory (or pids) cgroup when one can be made; mount a tmpfs holding only the app
 * binary and pivot_root(2) into it; set the hostname; connect a veth pair with the
 * addresses of iso_app_addresses(); exec the app; wait (at most 3 s) until its port
 * accepts connections. Returns 0, or -1 with @e naming the step that failed (and
 * everything made so far is removed).
 */
int iso_app_start(struct iso_app *app, const struct iso_app_opts *o, struct iso_err *e);

/*
 * Stop the app (SIGTERM, SIGKILL after 2 s), reap it, delete the veth (it goes with the
 * namespace anyway), remove its cgroup and root directory. Returns the app's wait status,
 * or -1 with @e when something could not be removed.
 */
int iso_app_stop(struct iso_app *app, struct iso_err *e);

/*
 * One HTTP/1.0 GET of @path to @addr:@port with a 3 s bound. The status code goes to
 * *@status and the body (NUL-terminated, truncated to @size) to @body. Returns 0, or -1
 * with @e (connect, send or receive failed, or the reply is not HTTP).
 */
int iso_http_get(const char *addr, int port, const char *path, int *status, char *body, size_t size,
                 struct iso_err *e);

/*
 * Locate fixture @name ("app", "sidecar") built next to the running isocheck binary:
 * <dir of /proc/self/exe>/fixtures/NAME, its parent's fixtures/NAME or (installed)
 * its parent's lib/isocheck/fixtures/NAME, or under the
 * directory named by ISOCHECK_FIXTURES (then only there). Returns 0 with the path in @out,
 * or -1 with @e listing where it looked; callers treat that as a broken installation.
 * A fixture another user could change (it, a directory above it or a link on the way
 * owned by another uid than root, this user's or the isocheck binary's owner, or
 * writable by others) is refused, EPERM, naming it: isocheck runs fixtures as root.
 */
int iso_fixture_path(const char *name, char *out, size_t size, struct iso_err *e);

#endif
