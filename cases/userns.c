// SPDX-License-Identifier: MIT
/*
 * User namespaces: an unprivileged user makes one, maps itself to root there, and is
 * uid 0 with every capability inside while nothing changes outside; an id the namespace
 * does not map reads as the overflow id (user_namespaces(7), unshare(1) --map-root-user,
 * proc(5) /proc/sys/kernel/overflowuid).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/tool.h"
#include "nschild.h"

/* The unprivileged user that makes the namespace: nobody on Debian. */
#define NOBODY 65534

#define NEEDS_USERNS ISO_ROOT, ISO_NS("user"), ISO_KCONFIG("CONFIG_USER_NS")

/* The capability mask of a full set on this kernel (bits 0..cap_last_cap). */
static unsigned long long full_caps(void)
{
        char buf[32] = "";
        int last = 40;
        if (ns_read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) == 0)
                last = atoi(buf);
        return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

/* A "Name:\t<hex>" or "Name:\t<ids>" line of /proc/@pid/status (0: self), or "". */
static void status_field(pid_t pid, const char *name, char *out, size_t size)
{
        char path[64], text[4096];
        snprintf(path, sizeof(path), pid ? "/proc/%d/status" : "/proc/self/status", (int)pid);
        out[0] = '\0';
        if (ns_read_file(path, text, sizeof(text)))
                return;
        size_t len = strlen(name);
        for (char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
                if (!strncmp(l, name, len) && l[len] == ':') {
                        l += len + 1;
                        l += strspn(l, " \t");
                        snprintf(out, size, "%.*s", (int)strcspn(l, "\n"), l);
                        for (char *c = out; *c; c++)
                                if (*c == '\t')
                                        *c = ' ';
                        return;
                }
}

/*
 * Why unshare(CLONE_NEWUSER) by an unprivileged user failed with @err, when a setting of
 * this machine says so (user_namespaces(7) "Limits", Debian's and Ubuntu's switches):
 * writes the cause into @why and returns 1; 0 when no known setting explains it.
 */
static int userns_refused_by_setting(int err, char *why, size_t size)
{
        char v[32];
        if (err == ENOSPC &&
            ns_read_file("/proc/sys/user/max_user_namespaces", v, sizeof(v)) == 0) {
                v[strcspn(v, "\n")] = '\0';
                if (!strcmp(v, "0"))
                        snprintf(why, size,
                                 "user namespaces are switched off here: "
                                 "/proc/sys/user/max_user_namespaces (user.max_user_namespaces) "
                                 "is 0");
                else
                        snprintf(why, size,
                                 "the user namespace limit is reached: "
                                 "user.max_user_namespaces is %s for this user (or an ancestor "
                                 "namespace's limit)",
                                 v);
                return 1;
        }
        if (err == EUSERS) {
                snprintf(why, size,
                         "user namespaces nest 32 deep at most and this run is "
                         "already that deep");
                return 1;
        }
        if (err == EPERM &&
            ns_read_file("/proc/sys/kernel/unprivileged_userns_clone", v, sizeof(v)) == 0 &&
            v[0] == '0') {
                snprintf(why, size,
                         "unprivileged user namespaces are switched off here: "
                         "kernel.unprivileged_userns_clone is 0");
                return 1;
        }
        if (err == EPERM &&
            ns_read_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", v, sizeof(v)) ==
                    0 &&
            v[0] == '1') {
                snprintf(why, size,
                         "AppArmor restricts unprivileged user namespaces here: "
                         "kernel.apparmor_restrict_unprivileged_userns is 1");
                return 1;
        }
        return 0;
}

/* Become @uid (and its gid) with no supplementary groups and no capabilities, keeping
 * /proc/self writable for the maps (PR_SET_DUMPABLE: a set*uid() clears it). */
static int drop_to(uid_t uid)
{
        if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
                return -1;
        return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

struct userns_look {
        int step; /* 1: dropping to nobody, 2: unshare, 3: uid_map, 4: setgroups, 5: gid_map */
        int err;
        uid_t uid, euid;           /* inside */
        unsigned long long capeff; /* inside */
        uid_t root_owner;          /* st_uid of "/" inside */
        char why[256];             /* a setting that explains a refusal */
};

/* The child: unprivileged, makes the namespace and maps itself to root in it. */
static void userns_child(int answer_fd, int hold_fd)
{
        struct userns_look a = {0};
        char map[64];
        snprintf(map, sizeof(map), "0 %d 1\n", NOBODY);
        if (drop_to(NOBODY) < 0)
                a.step = 1, a.err = errno;
        else if (unshare(CLONE_NEWUSER) < 0)
                a.step = 2, a.err = errno, userns_refused_by_setting(a.err, a.why, sizeof(a.why));
        else if ((a.err = ns_write_file("/proc/self/uid_map", map)))
                a.step = 3;
        else if ((a.err = ns_write_file("/proc/self/setgroups", "deny")))
                a.step = 4;
        else if ((a.err = ns_write_file("/proc/self/gid_map", map)))
                a.step = 5;
        if (!a.step) {
                a.uid = getuid();
                a.euid = geteuid();
                char caps[32];
                status_field(0, "CapEff", caps, sizeof(caps));
                a.capeff = strtoull(caps, NULL, 16);
                struct stat st;
                a.root_owner = stat("/", &st) == 0 ? st.st_uid : (uid_t)-1;
        }
        char go;
        if (iso_write_all(answer_fd, &a, sizeof(a)) < 0 || read(hold_fd, &go, 1) < 0)
                _exit(1);
        _exit(0);
}

static const char *const userns_steps[] = {"",
                                           "dropping to uid 65534 (setresuid)",
                                           "unshare(CLONE_NEWUSER) as uid 65534",
                                           "writing /proc/self/uid_map",
                                           "writing \"deny\" to /proc/self/setgroups",
                                           "writing /proc/self/gid_map"};

ISO_CASE(userns_map_root, "userns.map.root",
         .doc = "user_namespaces(7), unshare(2), proc(5) (uid_map, setgroups, overflowuid)",
         .summary = "an unprivileged user makes a user namespace and maps itself to root: "
                    "uid 0 with every capability inside, still uid 65534 outside, and an "
                    "unmapped owner reads as the overflow uid",
         .lab_step = "user_namespaces(7): unshare --user --map-root-user; id; cat "
                     "/proc/self/status",
         .needs = {NEEDS_USERNS}, .timeout_s = 10)
{
        char overflow[32] = "65534";
        ns_read_file("/proc/sys/kernel/overflowuid", overflow, sizeof(overflow));
        uid_t overflowuid = (uid_t)atoi(overflow);
        char caps_before[32], caps_after[32];
        status_field(0, "CapEff", caps_before, sizeof(caps_before));

        int to_parent[2], hold[2];
        if (pipe2(to_parent, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
                iso_broken(t, "pipe2: %s", strerror(errno));
        pid_t pid = fork();
        if (pid < 0)
                iso_broken(t, "fork: %s", strerror(errno));
        if (pid == 0) {
                close(to_parent[0]);
                close(hold[1]);
                userns_child(to_parent[1], hold[0]);
        }
        close(to_parent[1]);
        close(hold[0]);
        struct userns_look a = {0};
        ssize_t got = read(to_parent[0], &a, sizeof(a));
        /* Outside, while the child still lives: its uid as the host sees it. */
        char uid_outside[64];
        status_field(pid, "Uid", uid_outside, sizeof(uid_outside));
        close(hold[1]);
        close(to_parent[0]);
        waitpid(pid, NULL, 0);
        if (got != (ssize_t)sizeof(a))
                iso_broken(t, "expected %zu bytes from the child, got %zd", sizeof(a), got);
        if (a.step == 2 && a.why[0])
                iso_skip(t, "%s (unshare(CLONE_NEWUSER) as uid %d: %s)", a.why, NOBODY,
                         strerror(a.err));
        if (a.step)
                iso_broken(t, "expected %s to succeed, got %s", userns_steps[a.step % 6],
                           strerror(a.err));

        status_field(0, "CapEff", caps_after, sizeof(caps_after));
        iso_log(t, "inside: uid %d euid %d CapEff %016llx, / owned by %d; outside: Uid %s",
                (int)a.uid, (int)a.euid, a.capeff, (int)a.root_owner, uid_outside);
        iso_check_eq(t, a.uid, 0, "getuid() inside the namespace is 0");
        iso_check_eq(t, a.euid, 0, "geteuid() inside the namespace is 0");
        unsigned long long full = full_caps();
        iso_check(t, a.capeff == full, "CapEff inside is the full capability set",
                  "every capability up to cap_last_cap", "%016llx (full: %016llx)", a.capeff, full);
        char want[48];
        snprintf(want, sizeof(want), "%d (overflowuid)", (int)overflowuid);
        iso_check(t, a.root_owner == overflowuid,
                  "a file owned by an unmapped uid (/, root's) reads as the overflow uid", want,
                  "%d", (int)a.root_owner);
        int r, e, s, f;
        iso_check(t,
                  sscanf(uid_outside, "%d %d %d %d", &r, &e, &s, &f) == 4 && r == NOBODY &&
                          e == NOBODY,
                  "outside, the host still sees the process as uid 65534", "Uid: 65534 ...",
                  "Uid: %s", uid_outside[0] ? uid_outside : "(unreadable)");
        iso_check(t, !strcmp(caps_before, caps_after),
                  "the case process's own capabilities are unchanged", caps_before, "%s",
                  caps_after);
}

ISO_CASE(userns_map_root_tool, "userns.map.root.tool",
         .doc = "user_namespaces(7), unshare(1), setpriv(1)",
         .summary = "`unshare --user --map-root-user` run by uid 65534 prints uid 0 and a full "
                    "CapEff inside, and / owned by the overflow uid",
         .lab_step = "user_namespaces(7): unshare --user --map-root-user; id; cat "
                     "/proc/self/status",
         .needs = {NEEDS_USERNS, ISO_TOOL("setpriv"), ISO_TOOL("unshare"), ISO_TOOL("sh"),
                   ISO_TOOL("id"), ISO_TOOL("stat"), ISO_TOOL("grep")},
         .timeout_s = 10)
{
        char overflow[32] = "65534";
        ns_read_file("/proc/sys/kernel/overflowuid", overflow, sizeof(overflow));
        char *argv[] = {"setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "unshare",
                        "--user",
                        "--map-root-user",
                        "sh",
                        "-c",
                        "id -u; grep '^CapEff:' /proc/self/status; stat -c %u /",
                        NULL};
        char out[1024];
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        if (status < 0)
                iso_broken(t, "expected to run setpriv ... unshare --user, but %s", e.msg);
        iso_log(t,
                "setpriv --reuid=65534 ... unshare --user --map-root-user sh -c '...' "
                "(status 0x%x):\n%s",
                status, out);
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                char why[256];
                /* unshare(1) says which call failed; the settings say why. */
                int err = strstr(out, "No space left")             ? ENOSPC
                          : strstr(out, "Operation not permitted") ? EPERM
                          : strstr(out, "Too many users")          ? EUSERS
                                                                   : 0;
                if (err && userns_refused_by_setting(err, why, sizeof(why)))
                        iso_skip(t, "%s (unshare --user as uid 65534: %s)", why, strerror(err));
        }
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "unshare --user --map-root-user as uid 65534 exits 0", "exit status 0",
                  "wait status 0x%x: %.200s", status, out);
        int uid = -1;
        unsigned long long capeff = 0;
        int owner = -1;
        char *caps = strstr(out, "CapEff:");
        sscanf(out, "%d", &uid);
        if (caps)
                sscanf(caps, "CapEff: %llx %d", &capeff, &owner);
        iso_check_eq(t, uid, 0, "id -u inside prints 0");
        unsigned long long full = full_caps();
        iso_check(t, capeff == full, "CapEff inside is the full capability set",
                  "every capability up to cap_last_cap", "%016llx (full: %016llx)", capeff, full);
        overflow[strcspn(overflow, "\n")] = '\0';
        iso_check(t, owner == atoi(overflow),
                  "stat of / (root's, unmapped) inside prints the "
                  "overflow uid",
                  overflow, "%d", owner);
        iso_check_eq(t, getuid(), 0, "the case process outside is still uid 0");
}
