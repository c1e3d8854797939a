// SPDX-License-Identifier: MIT
/*
 * UTS namespaces: a host name set inside a new UTS namespace stays there
 * (uts_namespaces(7), sethostname(2), unshare(1) --uts).
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/tool.h"
#include "nschild.h"

#define NEEDS_UTSNS ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("uts"), ISO_KCONFIG("CONFIG_UTS_NS")

/* A name no host has: the case's own, from the run id. */
static void inside_name(struct iso_t *t, char *name, size_t size)
{
        snprintf(name, size, "isocheck-%.20s", iso_case_run_id(t));
        for (char *p = name; *p; p++)
                if (*p == '_')
                        *p = '-';
}

struct uts_look {
        char set[HOST_NAME_MAX + 1];
        char seen[HOST_NAME_MAX + 1]; /* uname(2)'s nodename after sethostname */
        int step;                     /* 1: unshare failed, 2: sethostname failed */
};

static int look_uts(void *arg, void *answer)
{
        struct uts_look *a = answer;
        snprintf(a->set, sizeof(a->set), "%s", (const char *)arg);
        if (unshare(CLONE_NEWUTS) < 0)
                return a->step = 1, errno;
        if (sethostname(a->set, strlen(a->set)) < 0)
                return a->step = 2, errno;
        struct utsname u;
        uname(&u);
        snprintf(a->seen, sizeof(a->seen), "%s", u.nodename);
        return 0;
}

ISO_CASE(uts_hostname_isolated, "uts.hostname.isolated", .doc = "uts_namespaces(7), sethostname(2)",
         .summary = "sethostname() inside a new UTS namespace changes the name seen there and "
                    "leaves the host's name unchanged",
         .lab_step = "namespaces(7): unshare --uts; hostname NAME", .needs = {NEEDS_UTSNS},
         .timeout_s = 10)
{
        char name[64], before[HOST_NAME_MAX + 1], after[HOST_NAME_MAX + 1];
        inside_name(t, name, sizeof(name));
        gethostname(before, sizeof(before));
        struct uts_look a = {0};
        int err = ns_child_look(t, "uts", look_uts, name, &a, sizeof(a), 5.0);
        if (err)
                iso_broken(t, "expected %s to succeed as root, got %s",
                           a.step == 1 ? "unshare(CLONE_NEWUTS)" : "sethostname() inside",
                           strerror(err));
        gethostname(after, sizeof(after));
        iso_log(t, "host name before %s, inside %s, after %s", before, a.seen, after);
        iso_check(t, !strcmp(a.seen, name), "uname() inside reports the name set inside", name,
                  "%s", a.seen);
        iso_check(t, !strcmp(after, before), "the host's name is unchanged", before, "%s", after);
}

ISO_CASE(uts_hostname_isolated_tool, "uts.hostname.isolated.tool",
         .doc = "uts_namespaces(7), unshare(1), hostname(1)",
         .summary = "`unshare --uts hostname NAME` changes the name only inside: the host's "
                    "hostname is unchanged",
         .lab_step = "namespaces(7): unshare --uts; hostname NAME",
         .needs = {NEEDS_UTSNS, ISO_TOOL("unshare"), ISO_TOOL("hostname"), ISO_TOOL("sh")},
         .timeout_s = 10)
{
        char name[64], before[HOST_NAME_MAX + 1], after[HOST_NAME_MAX + 1], out[512];
        inside_name(t, name, sizeof(name));
        gethostname(before, sizeof(before));
        char *argv[] = {"unshare", "--uts", "sh", "-c", "hostname \"$0\" && hostname", name, NULL};
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        if (status < 0)
                iso_broken(t, "expected to run unshare --uts, but %s", e.msg);
        iso_log(t, "unshare --uts sh -c 'hostname %s && hostname' said (status 0x%x):\n%s", name,
                status, out);
        gethostname(after, sizeof(after));
        out[strcspn(out, "\n")] = '\0';
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "unshare --uts and hostname inside exit 0", "exit status 0",
                  "wait status 0x%x: %.200s", status, out);
        iso_check(t, !strcmp(out, name), "hostname inside prints the name set inside", name, "%s",
                  out);
        iso_check(t, !strcmp(after, before), "the host's name is unchanged", before, "%s", after);
}
