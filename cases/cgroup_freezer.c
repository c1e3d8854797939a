// SPDX-License-Identifier: MIT
/*
 * Stopping and ending a cgroup's processes as a whole: the freezer (v2 cgroup.freeze,
 * Linux 5.2+; v1 freezer.state) stops every process and thaws them again, and v2's
 * cgroup.kill (Linux 5.14+) SIGKILLs every process at once (cgroup-v2.rst "Core Interface
 * Files", cgroup-v1/freezer-subsystem.rst).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/env.h"
#include "isocheck/fixtures.h"
#include "isocheck/util.h"

/* How long a state change may take to show, polled every 10 ms. */
#define SETTLE_S 3.0

static void pause_ms(int ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

/* In the cgroup: count as fast as it can, in memory the case reads. */
static int counter_run(void *arg)
{
        volatile unsigned long *n = arg;
        for (;;)
                (*n)++;
        return 0;
}

/* The state letter of /proc/@pid/stat (proc(5): R running, S sleeping, D disk sleep...). */
static char proc_state(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        iso_autofree char *s = iso_read_file(path, NULL, NULL);
        const char *p = s ? strrchr(s, ')') : NULL;
        return p && p[1] == ' ' ? p[2] : '?';
}

/* Poll until flat-keyed @file of @cg holds @key with @want (v2), up to SETTLE_S.
 * Returns 1 when it did. */
static int settle_key(const struct iso_cg *cg, const char *file, const char *key, long long want)
{
        double until = iso_now() + SETTLE_S;
        do {
                long long v = -1;
                if (iso_cg_read_key(cg, file, key, &v, NULL) == 0 && v == want)
                        return 1;
                pause_ms(10);
        } while (iso_now() < until);
        return 0;
}

/* Poll until @file of @cg reads @word (v1 freezer.state), up to SETTLE_S. */
static int settle_word(const struct iso_cg *cg, const char *file, const char *word)
{
        char path[PATH_MAX];
        double until = iso_now() + SETTLE_S;
        iso_cg_file(cg, file, path, sizeof(path));
        do {
                iso_autofree char *v = iso_read_file(path, NULL, NULL);
                if (v && !strncmp(v, word, strlen(word)))
                        return 1;
                pause_ms(10);
        } while (iso_now() < until);
        return 0;
}

ISO_CASE(cgroup_freezer, "cgroup.freezer",
         .doc = "cgroup-v2.rst (cgroup.freeze, cgroup.events), cgroup-v1/freezer-subsystem.rst",
         .summary = "freezing a cgroup (v2 cgroup.freeze 1, v1 freezer.state FROZEN) stops its "
                    "busy process, and thawing it lets the process run again",
         .lab_step = "cgroups(7): echo 1 > cgroup.freeze; echo 0 > cgroup.freeze",
         .needs = {ISO_ROOT, ISO_CGROUP_CTRL(NULL, 0)}, .timeout_s = 20)
{
        /* The hierarchy that holds the freezer: v1's freezer controller where it is
         * mounted, else the v2 core (every v2 cgroup but the root has cgroup.freeze). */
        const struct iso_cg_hierarchy *v1 = iso_env_hierarchy(iso_case_env(t), "freezer");
        int use_v1 = v1 && v1->version == 1;
        if (!use_v1 && !iso_env_hierarchy(iso_case_env(t), NULL))
                iso_skip(t, "needs the freezer: no v1 freezer hierarchy and no cgroup v2 mounted");
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, use_v1 ? "freezer" : NULL, "frozen", &cg);
        const char *file = use_v1 ? "freezer.state" : "cgroup.freeze";
        char path[PATH_MAX];
        iso_cg_file(&cg, file, path, sizeof(path));
        if (access(path, F_OK) < 0)
                iso_skip(t, "needs %s: %s does not exist (%s)", file, path,
                         use_v1 ? "CONFIG_CGROUP_FREEZER" : "Linux 5.2+");

        volatile unsigned long *n =
                mmap(NULL, sizeof(*n), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (n == MAP_FAILED)
                iso_broken(t, "mmap of a shared counter: %s", strerror(errno));
        pid_t pid = iso_cg_spawn(&cg, counter_run, (void *)n, &e);
        if (pid < 0)
                iso_broken(t, "expected to start the counter in the cgroup, but %s", e.msg);
        for (int i = 0; i < 300 && *n == 0; i++)
                pause_ms(10);

        int rc = iso_cg_write(&cg, file, use_v1 ? "FROZEN" : "1", &e);
        int frozen = rc == 0 && (use_v1 ? settle_word(&cg, file, "FROZEN")
                                        : settle_key(&cg, "cgroup.events", "frozen", 1));
        char state = proc_state(pid);
        unsigned long a = *n;
        pause_ms(200);
        unsigned long b = *n;
        iso_log(t, "frozen: counter %lu then %lu 200 ms later, /proc/%d/stat state %c", a, b,
                (int)pid, state);
        if (rc < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                iso_broken(t, "expected to freeze the cgroup, but %s", e.msg);
        }
        iso_check(t, frozen, use_v1 ? "freezer.state reads FROZEN" : "cgroup.events says frozen 1",
                  use_v1 ? "FROZEN" : "frozen 1", "not within %.0f s", SETTLE_S);
        iso_check(t, a == b, "the frozen process makes no progress", "the counter stands still",
                  "%lu -> %lu", a, b);
        iso_check(t, state != 'R', "the frozen process is not running (/proc/PID/stat)",
                  "a state other than R", "%c", state);

        rc = iso_cg_write(&cg, file, use_v1 ? "THAWED" : "0", &e);
        int thawed = rc == 0 && (use_v1 ? settle_word(&cg, file, "THAWED")
                                        : settle_key(&cg, "cgroup.events", "frozen", 0));
        a = *n;
        for (int i = 0; i < 100 && *n == a; i++)
                pause_ms(10);
        b = *n;
        iso_log(t, "thawed: counter %lu then %lu", a, b);
        iso_check(t, thawed, use_v1 ? "freezer.state reads THAWED" : "cgroup.events says frozen 0",
                  use_v1 ? "THAWED" : "frozen 0", "not within %.0f s", SETTLE_S);
        iso_check(t, b != a, "the thawed process runs again", "the counter moves", "%lu -> %lu", a,
                  b);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        munmap((void *)n, sizeof(*n));
        iso_fixture_cgroup_destroy(t, &cg);
}

#define KILL_KIDS 3

/* In the cgroup: fork KILL_KIDS sleepers, say so, and sleep too. */
static int family_run(void *arg)
{
        int fd = *(const int *)arg;
        pid_t kids[KILL_KIDS];
        for (int i = 0; i < KILL_KIDS; i++) {
                kids[i] = fork();
                if (kids[i] == 0) {
                        pause();
                        _exit(0);
                }
        }
        if (iso_write_all(fd, kids, sizeof(kids)) < 0)
                return 1;
        pause();
        return 0;
}

/* Named cgroup.kill.all, not cgroup.kill: the case's own cgroup directory is named after
 * the case, and v2 already has a file cgroup.kill in the directory above it. */
ISO_CASE(cgroup_kill, "cgroup.kill.all", .doc = "cgroup-v2.rst (cgroup.kill)",
         .summary = "writing 1 to cgroup.kill SIGKILLs every process of the cgroup at once, and "
                    "the cgroup is empty after",
         .lab_step = "cgroups(7): echo 1 > cgroup.kill",
         .needs = {ISO_ROOT, ISO_CGROUP_CTRL(NULL, 2)}, .timeout_s = 15)
{
        struct iso_cg cg;
        struct iso_err e = {0};
        iso_fixture_cgroup(t, NULL, "doomed", &cg);
        char path[PATH_MAX];
        iso_cg_file(&cg, "cgroup.kill", path, sizeof(path));
        if (access(path, F_OK) < 0)
                iso_skip(t, "needs cgroup.kill (Linux 5.14+): %s does not exist", path);
        int fds[2];
        if (pipe(fds) < 0)
                iso_broken(t, "pipe: %s", strerror(errno));
        pid_t pid = iso_cg_spawn(&cg, family_run, &fds[1], &e);
        close(fds[1]);
        if (pid < 0)
                iso_broken(t, "expected to start the family in the cgroup, but %s", e.msg);
        pid_t kids[KILL_KIDS];
        ssize_t got = read(fds[0], kids, sizeof(kids));
        close(fds[0]);
        pid_t members[16];
        long before = iso_cg_pids(cg.path, members, 16, NULL);
        if (got != (ssize_t)sizeof(kids)) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                iso_broken(t, "expected the family's PIDs, got %zd bytes", got);
        }
        if (iso_cg_write(&cg, "cgroup.kill", "1", &e) < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                iso_broken(t, "expected to write 1 to cgroup.kill, but %s", e.msg);
        }
        int status = 0;
        double until = iso_now() + SETTLE_S;
        pid_t w;
        while ((w = waitpid(pid, &status, WNOHANG)) == 0 && iso_now() < until)
                pause_ms(10);
        if (w == 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
        }
        long after = -1;
        int populated = -1;
        long long pop = -1;
        do {
                after = iso_cg_pids(cg.path, members, 16, NULL);
                if (iso_cg_read_key(&cg, "cgroup.events", "populated", &pop, NULL) == 0)
                        populated = (int)pop;
                if (after == 0 && populated == 0)
                        break;
                pause_ms(10);
        } while (iso_now() < until);
        iso_log(t, "%ld processes before; the parent's wait status 0x%x; %ld after, populated %d",
                before, status, after, populated);
        iso_check(t, before == KILL_KIDS + 1, "the family is in the cgroup before the kill",
                  "4 processes", "%ld", before);
        iso_check(t, w == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "the family's parent dies of SIGKILL", "killed by signal 9", "%s 0x%x",
                  w == pid ? "wait status" : "still running at the bound; status", status);
        iso_check(t, after == 0, "cgroup.procs is empty after the kill", "no process", "%ld",
                  after);
        iso_check(t, populated == 0, "cgroup.events says populated 0", "populated 0", "%d",
                  populated);
        iso_fixture_cgroup_destroy(t, &cg);
}
