/* SPDX-License-Identifier: MIT */
/*
 * Case-level fixtures, in the spirit of LTP's SAFE_ helpers: make what a case stands on,
 * or end the case. A missing requirement (no such controller, a read-only cgroupfs) ends
 * it as a skip naming the requirement; anything else that should have worked (a fixture
 * missing from the installation included) ends it as an error saying what was expected
 * and what happened.
 * These never return on failure, and end the case at the caller's file:line (each name
 * below is a macro passing __FILE__ and __LINE__ to its _at function), so the reports point
 * at the case, not at this shared file.
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
void iso_fixture_cgroup_at(struct iso_t *t, const char *file, int line, const char *ctrl,
                           const char *name, struct iso_cg *cg);
#define iso_fixture_cgroup(t, ctrl, name, cg) \
        iso_fixture_cgroup_at((t), __FILE__, __LINE__, (ctrl), (name), (cg))

/* Remove @cg (iso_cg_destroy); an error when it cannot be removed. */
void iso_fixture_cgroup_destroy_at(struct iso_t *t, const char *file, int line,
                                   const struct iso_cg *cg);
#define iso_fixture_cgroup_destroy(t, cg) \
        iso_fixture_cgroup_destroy_at((t), __FILE__, __LINE__, (cg))

/*
 * The path of artifact @name (iso_artifact_path) for a writer that creates it exclusively
 * (O_EXCL|O_NOFOLLOW, as the sidecar does): whatever an earlier run left there, a link
 * included, is unlinked, never followed. An error when it cannot be removed.
 */
void iso_fixture_fresh_artifact_at(struct iso_t *t, const char *file, int line, const char *name,
                                   char *path, size_t size);
#define iso_fixture_fresh_artifact(t, name, path, size) \
        iso_fixture_fresh_artifact_at((t), __FILE__, __LINE__, (name), (path), (size))

/*
 * Read the sidecar's capture @pcap back (iso_capture_analyze) for TCP @port, logging the
 * counts; an unreadable capture ends the case as an error.
 */
void iso_fixture_capture_at(struct iso_t *t, const char *file, int line, const char *pcap, int port,
                            struct iso_capture_summary *s);
#define iso_fixture_capture(t, pcap, port, s) \
        iso_fixture_capture_at((t), __FILE__, __LINE__, (pcap), (port), (s))

/* The namespaces iso_check_joined_ns compares, in this order: net, pid, mnt. */
#define ISO_JOINED_NS 3

/* Inodes of /proc/@pid/ns/{net,pid,mnt} into @ino, 0 for one that cannot be read (the
 * process is gone). For a caller that must check who @pid is after reading them. */
void iso_joined_ns_read(pid_t pid, ino_t ino[ISO_JOINED_NS]);

/* Record the three checks of a sidecar joined to an app, on inodes read before
 * (iso_joined_ns_read) while both were alive: the same network namespace, another PID
 * namespace, another mount namespace (namespaces(7)). */
void iso_check_joined_ns_at(struct iso_t *t, const char *file, int line,
                            const ino_t app[ISO_JOINED_NS], const ino_t sidecar[ISO_JOINED_NS]);
/* The checks are reported at the calling case's file:line, not this helper's. */
#define iso_check_joined_ns(t, app, sidecar) \
        iso_check_joined_ns_at((t), __FILE__, __LINE__, (app), (sidecar))

/* Start the lab's PID + mount namespace with its own /proc (iso_pidns_box_start). */
void iso_fixture_pidns_box_at(struct iso_t *t, const char *file, int line, struct iso_pidns_box *b);
#define iso_fixture_pidns_box(t, b) iso_fixture_pidns_box_at((t), __FILE__, __LINE__, (b))

#endif
