// SPDX-License-Identifier: MIT
#include "isocheck/fixtures.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/ns.h"

/* Every fixture ends the case at its caller's file:line, which the macros of fixtures.h
 * pass in as @file and @line. */
#undef iso_skip
#undef iso_broken
#define iso_skip(t, ...) iso_skip_at((t), file, line, __VA_ARGS__)
#define iso_broken(t, ...) iso_broken_at((t), file, line, __VA_ARGS__)

void iso_fixture_cgroup_at(struct iso_t *t, const char *file, int line, const char *ctrl,
                           const char *name, struct iso_cg *cg)
{
        struct iso_err e = {0};
        if (iso_cg_make(iso_case_env(t), ctrl, iso_case_scope(t), name, cg, &e) == 0)
                return;
        const char *what = ctrl ? ctrl : "cgroup v2";
        if (e.errnum == ENOENT || e.errnum == EROFS || e.errnum == ENOTSUP)
                iso_skip(t, "needs a writable %s cgroup: %s", what, e.msg);
        iso_broken(t, "expected to create a %s cgroup, but %s", what, e.msg);
}

void iso_fixture_cgroup_destroy_at(struct iso_t *t, const char *file, int line,
                                   const struct iso_cg *cg)
{
        struct iso_err e = {0};
        if (iso_cg_destroy(cg, &e) < 0)
                iso_broken(t, "expected to remove %s, but %s", cg->path, e.msg);
}

void iso_fixture_fresh_artifact_at(struct iso_t *t, const char *file, int line, const char *name,
                                   char *path, size_t size)
{
        if (iso_artifact_path(t, name, path, size) < 0)
                iso_broken(t, "expected a path for artifact %s, but %s", name, strerror(errno));
        /* unlink(2) removes a link itself, never what it points to. */
        if (unlink(path) < 0 && errno != ENOENT)
                iso_broken(t, "expected to replace %s (left by an earlier run), but unlink: %s",
                           path, strerror(errno));
}

void iso_fixture_pidns_box_at(struct iso_t *t, const char *file, int line, struct iso_pidns_box *b)
{
        struct iso_err e = {0};
        if (iso_pidns_box_start(b, 1, &e) < 0)
                iso_broken(t, "expected a new PID and mount namespace with its own /proc, but %s",
                           e.msg);
}

void iso_fixture_capture_at(struct iso_t *t, const char *file, int line, const char *pcap, int port,
                            struct iso_capture_summary *s)
{
        struct iso_err e = {0};
        if (iso_capture_analyze(pcap, port, s, &e) < 0)
                iso_broken(t, "expected a readable capture at %s, but %s", pcap, e.msg);
        iso_log(t,
                "%s: %ld packets, %ld TCP with port %d, %ld SYN, %ld requests, %ld 200s, "
                "%ld bad checksums (offload; not failures), linktype %d",
                pcap, s->packets, s->tcp, port, s->syns, s->requests, s->responses_200,
                s->bad_checksums, s->linktype);
}

static const char *const joined_types[ISO_JOINED_NS] = {"net", "pid", "mnt"};

void iso_joined_ns_read(pid_t pid, ino_t ino[ISO_JOINED_NS])
{
        for (size_t i = 0; i < ISO_JOINED_NS; i++) {
                dev_t d;
                ino[i] = 0;
                iso_ns_id(pid, joined_types[i], &d, &ino[i], NULL);
        }
}

void iso_check_joined_ns_at(struct iso_t *t, const char *file, int line,
                            const ino_t app[ISO_JOINED_NS], const ino_t sidecar[ISO_JOINED_NS])
{
        static const struct {
                const char *what, *expected;
                int same;
        } ns[ISO_JOINED_NS] = {
                {"the sidecar's network namespace is the app's", "the same net:[inode]", 1},
                {"the sidecar keeps its own PID namespace", "another pid:[inode]", 0},
                {"the sidecar keeps its own mount namespace", "another mnt:[inode]", 0},
        };
        for (size_t i = 0; i < ISO_JOINED_NS; i++) {
                ino_t a = app[i], s = sidecar[i];
                iso_check_at(t, file, line, a && s && (ns[i].same ? a == s : a != s), ns[i].what,
                             ns[i].expected, "sidecar %s:[%lu], app %s:[%lu]", joined_types[i],
                             (unsigned long)s, joined_types[i], (unsigned long)a);
        }
}
