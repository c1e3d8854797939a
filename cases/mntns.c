// SPDX-License-Identifier: MIT
/*
 * Mount namespaces and propagation: a mount made in a new mount namespace with private
 * propagation stays there; one made under a shared mount reaches the peers
 * (mount_namespaces(7), mount(2) MS_SHARED/MS_PRIVATE/MS_SLAVE, unshare(1) --propagation).
 *
 * The observer is the case process's own mount namespace, made a slave of the host's so
 * that nothing the case mounts ever reaches the host; the host's view (the runner's
 * /proc/PID/mountinfo) is checked too. The mount point is an empty directory under /tmp
 * named like the runner's other roots (isocheck-<run>-root-...), removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/tool.h"
#include "nschild.h"

#define NEEDS_MNTNS ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("mnt")

/* Tmpfs sources that say which half of the case mounted them. */
#define SRC_SHARED "isocheck-shared"
#define SRC_PRIVATE "isocheck-private"

/* Is a mount of @source at @dir listed in /proc/@pid/mountinfo (0: self)? 1, 0, or -1
 * when unreadable. Fields: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE SOURCE. */
static int mount_seen(pid_t pid, const char *dir, const char *source)
{
        char path[64];
        snprintf(path, sizeof(path), pid ? "/proc/%d/mountinfo" : "/proc/self/mountinfo", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        char line[4096];
        int found = 0;
        while (!found && fgets(line, sizeof(line), f)) {
                char mp[1024], src[256];
                const char *dash = strstr(line, " - ");
                if (dash && sscanf(line, "%*s %*s %*s %*s %1023s", mp) == 1 &&
                    sscanf(dash, " - %*s %255s", src) == 1 && !strcmp(mp, dir) &&
                    !strcmp(src, source))
                        found = 1;
        }
        fclose(f);
        return found;
}

/* The case process becomes the observer: its own mount namespace, a slave of the host's
 * (receives, never sends), with @dir bind-mounted on itself and made shared. */
static void become_observer(struct iso_t *t, char *dir, size_t size)
{
        snprintf(dir, size, "/tmp/isocheck-%s-root-mntns-%d", iso_case_run_id(t), (int)getpid());
        if (mkdir(dir, 0700) < 0)
                iso_broken(t, "expected to make the mount point %s, got %s", dir, strerror(errno));
        if (unshare(CLONE_NEWNS) < 0) {
                int err = errno;
                rmdir(dir);
                iso_broken(t, "expected unshare(CLONE_NEWNS) to succeed as root, got %s",
                           strerror(err));
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
            mount(dir, dir, NULL, MS_BIND, NULL) < 0 || mount(NULL, dir, NULL, MS_SHARED, NULL) < 0)
                iso_broken(t,
                           "expected to make %s a shared bind mount in the case's own mount "
                           "namespace (a slave of the host's), got %s",
                           dir, strerror(errno));
}

/* Unmount everything stacked on @dir here (bounded), then remove it: the host never had
 * a mount there. */
static void end_observer(const char *dir)
{
        for (int i = 0; i < 8 && umount2(dir, MNT_DETACH) == 0; i++)
                ;
        rmdir(dir);
}

struct mnt_look {
        int step; /* 1: unshare, 2: propagation change, 3: mount */
        int seen; /* the mount is in its own mountinfo */
};

struct mnt_how {
        const char *dir, *source;
        int private_propagation;
};

static int look_mnt(void *arg, void *answer)
{
        const struct mnt_how *h = arg;
        struct mnt_look *a = answer;
        if (unshare(CLONE_NEWNS) < 0)
                return a->step = 1, errno;
        if (h->private_propagation && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return a->step = 2, errno;
        if (mount(h->source, h->dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700") < 0)
                return a->step = 3, errno;
        a->seen = mount_seen(0, h->dir, h->source);
        return 0;
}

static void mount_in_child(struct iso_t *t, const struct mnt_how *h, struct mnt_look *a)
{
        static const char *const steps[] = {"", "unshare(CLONE_NEWNS)",
                                            "mount(\"/\", MS_REC|MS_PRIVATE)", "mount of tmpfs"};
        int err = ns_child_look(t, "mnt", look_mnt, (void *)h, a, sizeof(*a), 5.0);
        if (err) {
                end_observer(h->dir);
                iso_broken(t, "expected %s in the new mount namespace to succeed as root, got %s",
                           steps[a->step & 3], strerror(err));
        }
}

ISO_CASE(mntns_propagation, "mntns.propagation",
         .doc = "mount_namespaces(7), mount(2) (MS_SHARED, MS_PRIVATE, MS_SLAVE)",
         .summary = "a mount made in a new mount namespace with private propagation is invisible "
                    "outside it; one made under a shared mount appears in the peer namespace; the "
                    "host sees neither",
         .lab_step = "mount_namespaces(7): unshare --mount --propagation private|shared; mount -t "
                     "tmpfs",
         .needs = {NEEDS_MNTNS}, .timeout_s = 10)
{
        char dir[256];
        pid_t host = getppid(); /* the runner, in the host's mount namespace */
        become_observer(t, dir, sizeof(dir));
        struct mnt_look priv = {0}, shared = {0};
        mount_in_child(t, &(struct mnt_how){dir, SRC_PRIVATE, 1}, &priv);
        mount_in_child(t, &(struct mnt_how){dir, SRC_SHARED, 0}, &shared);
        int obs_priv = mount_seen(0, dir, SRC_PRIVATE), obs_shared = mount_seen(0, dir, SRC_SHARED);
        int host_priv = mount_seen(host, dir, SRC_PRIVATE);
        int host_shared = mount_seen(host, dir, SRC_SHARED);
        end_observer(dir);
        iso_log(t,
                "mount point %s; private: seen inside %d, by the peer %d, by the host %d; "
                "shared: inside %d, peer %d, host %d",
                dir, priv.seen, obs_priv, host_priv, shared.seen, obs_shared, host_shared);
        iso_check(t, priv.seen == 1 && shared.seen == 1,
                  "each mount is listed in the namespace that made it", "listed in both",
                  "private %d, shared %d", priv.seen, shared.seen);
        iso_check(t, obs_priv == 0,
                  "the mount made with private propagation does not reach the "
                  "peer namespace",
                  "not listed", "%s", obs_priv ? "listed" : "unreadable");
        iso_check(t, obs_shared == 1,
                  "the mount made under the shared mount appears in the peer "
                  "namespace",
                  "listed", "%s", obs_shared ? "unreadable" : "not listed");
        iso_check(t, host_priv == 0 && host_shared == 0,
                  "the host's mount table lists neither mount", "neither listed",
                  "private %d, shared %d (-1: unreadable)", host_priv, host_shared);
}

/* Run `unshare --mount --propagation @prop sh -c 'mount -t tmpfs SRC DIR && grep'`. */
static void unshare_mount(struct iso_t *t, const char *dir, const char *prop, const char *source,
                          int *exit_ok, int *seen)
{
        char *argv[] = {"unshare",
                        "--mount",
                        "--propagation",
                        (char *)prop,
                        "sh",
                        "-c",
                        "mount -t tmpfs -o size=64k,mode=0700 \"$0\" \"$1\" && "
                        "grep -c \" $1 .* - tmpfs $0 \" /proc/self/mountinfo",
                        (char *)source,
                        (char *)dir,
                        NULL};
        char out[512];
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        if (status < 0) {
                end_observer(dir);
                iso_broken(t, "expected to run unshare --mount, but %s", e.msg);
        }
        iso_log(t,
                "unshare --mount --propagation %s sh -c 'mount -t tmpfs %s %s; grep' (status "
                "0x%x): %s",
                prop, source, dir, status, out);
        *exit_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        *seen = atoi(out) > 0;
}

ISO_CASE(mntns_propagation_tool, "mntns.propagation.tool",
         .doc = "mount_namespaces(7), unshare(1) --propagation, mount(8)",
         .summary = "`mount` under `unshare --mount --propagation private` stays inside; under "
                    "`--propagation shared` it appears in the peer namespace; the host sees "
                    "neither",
         .lab_step = "mount_namespaces(7): unshare --mount --propagation private|shared; mount -t "
                     "tmpfs",
         .needs = {NEEDS_MNTNS, ISO_TOOL("unshare"), ISO_TOOL("mount"), ISO_TOOL("sh"),
                   ISO_TOOL("grep")},
         .timeout_s = 10)
{
        char dir[256];
        pid_t host = getppid();
        become_observer(t, dir, sizeof(dir));
        int ok_priv, ok_shared, in_priv, in_shared;
        unshare_mount(t, dir, "private", SRC_PRIVATE, &ok_priv, &in_priv);
        unshare_mount(t, dir, "shared", SRC_SHARED, &ok_shared, &in_shared);
        int obs_priv = mount_seen(0, dir, SRC_PRIVATE), obs_shared = mount_seen(0, dir, SRC_SHARED);
        int host_any = mount_seen(host, dir, SRC_PRIVATE) || mount_seen(host, dir, SRC_SHARED);
        end_observer(dir);
        iso_check(t, ok_priv && ok_shared && in_priv && in_shared,
                  "both unshare --mount runs mount the tmpfs and list it inside", "exit 0, listed",
                  "private: exit %s, listed %d; shared: exit %s, listed %d",
                  ok_priv ? "0" : "non-zero", in_priv, ok_shared ? "0" : "non-zero", in_shared);
        iso_check(t, obs_priv == 0,
                  "the mount under --propagation private does not reach the "
                  "peer namespace",
                  "not listed", "%s", obs_priv ? "listed" : "unreadable");
        iso_check(t, obs_shared == 1,
                  "the mount under --propagation shared appears in the peer "
                  "namespace",
                  "listed", "%s", obs_shared ? "unreadable" : "not listed");
        iso_check(t, host_any == 0, "the host's mount table lists neither mount", "neither listed",
                  "%s", host_any < 0 ? "unreadable" : "listed");
}
