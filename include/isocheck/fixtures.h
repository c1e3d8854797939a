/* SPDX-License-Identifier: MIT */
/*
 * Case-level fixtures, in the spirit of LTP's SAFE_ helpers: make what a case stands on,
 * or end the case. A missing requirement (no such controller, a read-only cgroupfs) ends
 * it as a skip naming the requirement; anything else that should have worked (a fixture
 * missing from the installation included) ends it as an error saying what was expected
 * and what happened.
 * These never return on failure.
 */
#ifndef ISOCHECK_FIXTURES_H
#define ISOCHECK_FIXTURES_H

#include "isocheck/capture.h"
#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/container.h"
#include "isocheck/nsbox.h"

/*
 * Make cgroup @name for controller @ctrl in the case's scope (iso_cg_make). Skips on
 * ENOENT (no hierarchy has @ctrl), EROFS (read-only) or ENOTSUP (v2 root without it).
 */
void iso_fixture_cgroup(struct iso_t *t, const char *ctrl, const char *name, struct iso_cg *cg);

/* Remove @cg (iso_cg_destroy); an error when it cannot be removed. */
void iso_fixture_cgroup_destroy(struct iso_t *t, const struct iso_cg *cg);

/* What iso_fixture_app needs, for a case's .needs list: the veth pair and its addresses
 * are made over rtnetlink, which needs CAP_NET_ADMIN (rtnetlink(7)). */
/* clang-format off */
#define ISO_NEEDS_NATIVE_APP ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_CAP("CAP_NET_ADMIN", 12), \
        ISO_NS("pid"), ISO_NS("mnt"), ISO_NS("net"), ISO_NS("uts"), ISO_NS("ipc"), \
        ISO_KCONFIG("CONFIG_VETH")
/* A capture sidecar beside the native app: an AF_PACKET socket needs CAP_NET_RAW
 * (packet(7)) in the user namespace that owns the app's network namespace, ours. */
#define ISO_NEEDS_SIDECAR ISO_NEEDS_NATIVE_APP, ISO_CAP("CAP_NET_RAW", 13)
/* clang-format on */

/*
 * Start the built app fixture as a native container (iso_app_start) listening on 8000,
 * with hostname @hostname and its cgroup in the case's scope. A missing app fixture is a
 * broken installation: an error naming where it was looked for, not a skip.
 */
void iso_fixture_app(struct iso_t *t, const char *hostname, struct iso_app *app);

/* iso_fixture_app for a second app beside @first (may be NULL): when this one cannot be
 * started, @first is stopped before the case ends, so nothing of it is left behind. */
void iso_fixture_app_beside(struct iso_t *t, const char *hostname, struct iso_app *app,
                            struct iso_app *first);

/*
 * The path of artifact @name (iso_artifact_path) for a writer that creates it exclusively
 * (O_EXCL|O_NOFOLLOW, as the sidecar does): whatever an earlier run left there, a link
 * included, is unlinked, never followed. An error when it cannot be removed.
 */
void iso_fixture_fresh_artifact(struct iso_t *t, const char *name, char *path, size_t size);

/*
 * Read the sidecar's capture @pcap back (iso_capture_analyze) for TCP @port, logging the
 * counts; an unreadable capture ends the case as an error.
 */
void iso_fixture_capture(struct iso_t *t, const char *pcap, int port,
                         struct iso_capture_summary *s);

/*
 * Record the three checks of a sidecar joined to an app (both processes alive, host
 * PIDs): the same network namespace, another PID namespace, another mount namespace,
 * compared by /proc/PID/ns inode (namespaces(7)).
 */
void iso_check_joined_netns(struct iso_t *t, pid_t app, pid_t sidecar);

/* The namespaces iso_check_joined_netns compares, in this order: net, pid, mnt. */
#define ISO_JOINED_NS 3

/* Inodes of /proc/@pid/ns/{net,pid,mnt} into @ino, 0 for one that cannot be read (the
 * process is gone). For a caller that must check who @pid is after reading them. */
void iso_joined_ns_read(pid_t pid, ino_t ino[ISO_JOINED_NS]);

/* The three checks of iso_check_joined_netns on inodes read before (iso_joined_ns_read). */
void iso_check_joined_ns(struct iso_t *t, const ino_t app[ISO_JOINED_NS],
                         const ino_t sidecar[ISO_JOINED_NS]);

/* Start the lab's PID + mount namespace with its own /proc (iso_pidns_box_start). */
void iso_fixture_pidns_box(struct iso_t *t, struct iso_pidns_box *b);

#endif
