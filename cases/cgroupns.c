// SPDX-License-Identifier: MIT
/*
 * cgroup namespaces: inside a new one, /proc/self/cgroup shows the process at the root
 * of every hierarchy, while the host still sees its real cgroup (cgroup_namespaces(7),
 * unshare(1) --cgroup).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/tool.h"
#include "nschild.h"

#define NEEDS_CGROUPNS ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("cgroup"), ISO_KCONFIG("CONFIG_CGROUPS")

/* Lines of a /proc/PID/cgroup text ("ID:CONTROLLERS:PATH"): how many, and how many have
 * the path "/". */
static void count_root_paths(const char *text, int *lines, int *at_root)
{
        *lines = *at_root = 0;
        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                const char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                (*lines)++;
                if (c2[1] == '/' && (c2[2] == '\n' || c2[2] == '\0'))
                        (*at_root)++;
        }
}

/* The case process's own /proc/self/cgroup into @outside, its lines and those at "/"; skips
 * when every line is at "/": then a namespace made here could not be told apart. */
static void outside_view(struct iso_t *t, char *outside, size_t size, int *lines, int *at_root)
{
        int err = ns_read_file("/proc/self/cgroup", outside, size);
        if (err)
                iso_broken(t, "expected to read /proc/self/cgroup, got %s", strerror(err));
        count_root_paths(outside, lines, at_root);
        if (*at_root == *lines)
                iso_skip(t,
                         "needs the case process outside every hierarchy's root cgroup, but "
                         "/proc/self/cgroup shows / everywhere (the runner tracks cases in a "
                         "cgroup; here it could not make one):\n%s",
                         outside);
}

struct cgns_look {
        int step;          /* 1: unshare failed, 2: /proc/self/cgroup unreadable */
        char inside[2048]; /* /proc/self/cgroup inside */
};

static int look_cgroupns(void *arg, void *answer)
{
        (void)arg;
        struct cgns_look *a = answer;
        if (unshare(CLONE_NEWCGROUP) < 0)
                return a->step = 1, errno;
        int err = ns_read_file("/proc/self/cgroup", a->inside, sizeof(a->inside));
        return err ? (a->step = 2, err) : 0;
}

ISO_CASE(cgroupns_root, "cgroupns.root",
         .doc = "cgroup_namespaces(7), cgroups(7) (/proc/PID/cgroup)",
         .summary = "inside a new cgroup namespace /proc/self/cgroup shows / for every "
                    "hierarchy, while the host sees the process in its own cgroup",
         .lab_step = "cgroup_namespaces(7): unshare --cgroup; cat /proc/self/cgroup",
         .needs = {NEEDS_CGROUPNS}, .timeout_s = 10)
{
        char outside[2048];
        int lines_out, root_out;
        outside_view(t, outside, sizeof(outside), &lines_out, &root_out);
        struct cgns_look a = {0};
        int err = ns_child_look(t, "cgroup", look_cgroupns, NULL, &a, sizeof(a), 5.0);
        if (err)
                iso_broken(t, "expected %s to succeed as root, got %s",
                           a.step == 1 ? "unshare(CLONE_NEWCGROUP)" : "reading /proc/self/cgroup",
                           strerror(err));
        iso_log(t, "/proc/self/cgroup outside:\n%sinside:\n%s", outside, a.inside);
        int lines_in, root_in;
        count_root_paths(a.inside, &lines_in, &root_in);
        char want[64];
        snprintf(want, sizeof(want), "%d of %d lines at /", lines_in, lines_in);
        iso_check(t, lines_in > 0 && root_in == lines_in, "every hierarchy's path inside is /",
                  want, "%d of %d", root_in, lines_in);
        iso_check(t, lines_in == lines_out, "inside lists the same hierarchies as outside",
                  "the same number of lines", "%d inside, %d outside", lines_in, lines_out);
        iso_check(t, root_out < lines_out, "outside, the process is below the root cgroup",
                  "a path other than /", "%d of %d lines at /", root_out, lines_out);
}

ISO_CASE(cgroupns_root_tool, "cgroupns.root.tool",
         .doc = "cgroup_namespaces(7), unshare(1) --cgroup",
         .summary = "`cat /proc/self/cgroup` under `unshare --cgroup` shows / for every "
                    "hierarchy",
         .lab_step = "cgroup_namespaces(7): unshare --cgroup; cat /proc/self/cgroup",
         .needs = {NEEDS_CGROUPNS, ISO_TOOL("unshare"), ISO_TOOL("cat")}, .timeout_s = 10)
{
        char outside[2048];
        int lines_out, root_out;
        outside_view(t, outside, sizeof(outside), &lines_out, &root_out);
        char *argv[] = {"unshare", "--cgroup", "cat", "/proc/self/cgroup", NULL};
        char out[2048];
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        if (status < 0)
                iso_broken(t, "expected to run unshare --cgroup, but %s", e.msg);
        iso_log(t, "outside:\n%sunshare --cgroup cat /proc/self/cgroup (status 0x%x):\n%s", outside,
                status, out);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0, "unshare --cgroup cat exits 0",
                  "exit status 0", "wait status 0x%x", status);
        int lines_in, root_in;
        count_root_paths(out, &lines_in, &root_in);
        iso_check(t, lines_in > 0 && root_in == lines_in, "every hierarchy's path inside is /",
                  "all lines at /", "%d of %d", root_in, lines_in);
}
