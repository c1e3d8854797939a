// SPDX-License-Identifier: MIT
/*
 * IPC namespaces: a System V message queue made inside a new IPC namespace exists only
 * there (ipc_namespaces(7), msgget(2), sysvipc(7), ipcmk(1), ipcs(1)).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/tool.h"
#include "nschild.h"

#define NEEDS_IPCNS ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("ipc"), ISO_KCONFIG("CONFIG_IPC_NS")

/* Does /proc/sysvipc/msg (this process's IPC namespace) list a queue with @key? 1 yes,
 * 0 no, -1 unreadable. */
static int queue_listed(key_t key)
{
        FILE *f = fopen("/proc/sysvipc/msg", "re");
        if (!f)
                return -1;
        char line[512];
        int found = 0;
        while (!found && fgets(line, sizeof(line), f)) {
                long k;
                if (sscanf(line, "%ld", &k) == 1 && (key_t)k == key)
                        found = 1;
        }
        fclose(f);
        return found;
}

struct ipc_look {
        int step;   /* 1: unshare failed, 2: msgget failed */
        int msqid;  /* the queue's id inside */
        int listed; /* /proc/sysvipc/msg inside lists its key */
};

static int look_ipc(void *arg, void *answer)
{
        struct ipc_look *a = answer;
        key_t key = *(const key_t *)arg;
        if (unshare(CLONE_NEWIPC) < 0)
                return a->step = 1, errno;
        a->msqid = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
        if (a->msqid < 0)
                return a->step = 2, errno;
        a->listed = queue_listed(key);
        /* The queue goes with the namespace when this child exits. */
        return 0;
}

ISO_CASE(ipc_queue_isolated, "ipc.queue.isolated",
         .doc = "ipc_namespaces(7), msgget(2), sysvipc(7)",
         .summary = "a System V message queue made in a new IPC namespace is listed there and "
                    "cannot be found outside",
         .lab_step = "namespaces(7): unshare --ipc; ipcmk -Q; ipcs -q", .needs = {NEEDS_IPCNS},
         .timeout_s = 10)
{
        /* A key of the case's own: its PID mixed with the time, never IPC_PRIVATE. */
        key_t key = (key_t)(0x150c0000u ^ ((unsigned)getpid() << 4) ^ (unsigned)time(NULL));
        if (key == IPC_PRIVATE)
                key = 0x150c0001;
        if (msgget(key, 0) >= 0)
                iso_broken(t,
                           "expected no queue with key 0x%x on the host before the case, "
                           "but one exists: another program chose the same key; run again",
                           (unsigned)key);
        struct ipc_look a = {0};
        int err = ns_child_look(t, "ipc", look_ipc, &key, &a, sizeof(a), 5.0);
        if (err)
                iso_broken(t, "expected %s to succeed as root, got %s",
                           a.step == 1 ? "unshare(CLONE_NEWIPC)" : "msgget(IPC_CREAT) inside",
                           strerror(err));
        iso_log(t, "key 0x%x: queue id %d inside", (unsigned)key, a.msqid);
        iso_check(t, a.listed == 1, "/proc/sysvipc/msg inside lists the queue", "listed", "%s",
                  a.listed < 0 ? "unreadable" : "not listed");
        errno = 0;
        int outside = msgget(key, 0);
        iso_check(t, outside < 0 && errno == ENOENT, "msgget(key) on the host finds no such queue",
                  "ENOENT", "%s", outside >= 0 ? "a queue" : strerror(errno));
        int listed = queue_listed(key);
        iso_check(t, listed == 0, "/proc/sysvipc/msg on the host does not list the key",
                  "not listed", "%s", listed < 0 ? "unreadable" : "listed");
}

ISO_CASE(ipc_queue_isolated_tool, "ipc.queue.isolated.tool",
         .doc = "ipc_namespaces(7), unshare(1), ipcmk(1), ipcs(1)",
         .summary = "`ipcmk -Q` under `unshare --ipc` makes a queue that `ipcs -q` lists there "
                    "and the host's `ipcs -q` does not",
         .lab_step = "namespaces(7): unshare --ipc; ipcmk -Q; ipcs -q",
         .needs = {NEEDS_IPCNS, ISO_TOOL("unshare"), ISO_TOOL("ipcmk"), ISO_TOOL("ipcs"),
                   ISO_TOOL("sh")},
         .timeout_s = 10)
{
        /* ipcmk picks a random key; the shell prints the listing of the namespace. */
        char *argv[] = {"unshare", "--ipc", "sh", "-c", "ipcmk -Q && ipcs -q", NULL};
        char out[4096];
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        if (status < 0)
                iso_broken(t, "expected to run unshare --ipc, but %s", e.msg);
        iso_log(t, "unshare --ipc sh -c 'ipcmk -Q && ipcs -q' said (status 0x%x):\n%s", status,
                out);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "unshare --ipc, ipcmk and ipcs inside exit 0", "exit status 0",
                  "wait status 0x%x: %.200s", status, out);
        /* ipcs -q rows: "0x<key> <msqid> <owner> <perms> <bytes> <messages>". */
        unsigned long key = 0;
        int msqid = -1, rows = 0;
        for (char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                unsigned long k;
                int id;
                if (sscanf(l, "0x%lx %d", &k, &id) == 2) {
                        rows++;
                        key = k;
                        msqid = id;
                }
        }
        iso_check(t, rows == 1, "ipcs -q inside lists exactly the queue ipcmk made", "1 queue",
                  "%d", rows);
        if (rows != 1)
                return;
        char *host_argv[] = {"ipcs", "-q", NULL};
        char host[16384];
        status = iso_tool_run(host_argv, NULL, host, sizeof(host), 5.0, NULL, &e);
        if (status != 0)
                iso_broken(t, "expected ipcs -q on the host to exit 0, got wait status 0x%x: %s",
                           status, status < 0 ? e.msg : host);
        char needle[32];
        snprintf(needle, sizeof(needle), "0x%08lx ", key);
        iso_log(t, "queue key 0x%08lx id %d inside; the host's ipcs -q:\n%s", key, msqid, host);
        iso_check(t, !strstr(host, needle), "the host's ipcs -q does not list the key",
                  "no row with the key", "a row with %.11s", needle);
}
