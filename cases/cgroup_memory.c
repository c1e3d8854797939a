// SPDX-License-Identifier: MIT
/*
 * Exploring cgroups: a memory cgroup's limit, and the OOM killer acting on it
 * (cgroup-v1/memory.rst, cgroup-v2.rst "Memory"), on whichever version holds the memory
 * controller here. Sizes are small (a 32 MiB limit) so a run never pressures the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/fault.h"
#include "isocheck/fixtures.h"
#include "isocheck/kmsg.h"
#include "isocheck/memcg.h"
#include "isocheck/memsample.h"
#include "isocheck/ns.h"
#include "isocheck/tool.h"
#include "needs.h"

#define LAB_LIMIT 100000000LL     /* the lab's own value: echo 100000000 > ... */
#define OOM_LIMIT (32LL << 20)    /* what the OOM cases limit a cgroup to */
#define HOG_BYTES (3 * OOM_LIMIT) /* what their hog touches */
#define SMALL_BYTES (8LL << 20)   /* an allocation well under the limit */

enum { HOG_SURVIVED = 0, HOG_ENOMEM = 3, HOG_NO_GO = 4 };

/* Set the limit (forbidding swap where swap is accounted); swap without accounting skips. */
/* Returns 1 when swap was limited too. */
static int limit_cg(struct iso_t *t, const struct iso_cg *cg, long long bytes, int for_oom)
{
        char reason[256];
        int policy = iso_memcg_swap_policy(iso_case_env(t), reason, sizeof(reason));
        if (policy < 0 && for_oom)
                iso_skip(t, "%s", reason);
        struct iso_err e = {0};
        if (iso_memcg_set_limit(cg, bytes, policy == 1, &e) < 0)
                iso_broken(t, "expected to set the limit of an empty cgroup, but %s", e.msg);
        return policy == 1;
}

struct hog {
        long long bytes;
        int go_fd; /* read one byte before touching memory; -1: start at once */
};

/* Touch @bytes of anonymous memory, a byte per page, as `stress --vm-keep` does. */
static int hog_run(void *arg)
{
        const struct hog *h = arg;
        char go;
        if (h->go_fd >= 0 && read(h->go_fd, &go, 1) != 1)
                return HOG_NO_GO;
        unsigned char *p = mmap(NULL, (size_t)h->bytes, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return HOG_ENOMEM;
        long page = sysconf(_SC_PAGESIZE);
        for (long long off = 0; off < h->bytes; off += page)
                p[off] = 1;
        return HOG_SURVIVED;
}

static void read_counters(struct iso_t *t, const struct iso_cg *cg, struct iso_memcg_counters *c)
{
        struct iso_err e = {0};
        if (iso_memcg_counters(cg, c, &e) < 0)
                iso_broken(t, "expected the memory cgroup's counters to be readable, but %s",
                           e.msg);
}

/*
 * The OOM cases run beside others under -j: each matches only its own kill. But inside a
 * memory-limited container a tighter limit above isocheck's cgroups may act first (see
 * oom_prepare), and the OOM killer then chooses among every task below it: another OOM
 * case's hog, or the runner itself. There they run alone.
 */
#define OOM_ALONE ISO_ALONE_IF_MEMORY_LIMITED

/* An OOM case's cgroup, and the ancestor whose tighter limit acts instead, if any. */
struct oom_scene {
        struct iso_cg cg;
        int swap_limited;
        int has_anc;
        struct iso_cg anc;
        long long anc_limit;
        struct iso_memcg_counters before, after, anc_before, anc_after;
};

/* Bytes of address space (VmSize) and data (VmData) this process has mapped: a forked
 * hog starts with them. 0 when unknown. */
static void vm_used(long long *as, long long *data)
{
        *as = *data = 0;
        iso_autofree char *st = iso_read_file("/proc/self/status", NULL, NULL);
        const char *p;
        if (st && (p = strstr(st, "\nVmSize:")))
                *as = strtoll(p + 8, NULL, 10) * 1024;
        if (st && (p = strstr(st, "\nVmData:")))
                *data = strtoll(p + 8, NULL, 10) * 1024;
}

/* The tools exec a fresh image: what they map besides their hog is not known beforehand
 * (a guess of 256 MiB let stress-ng's 300 MiB cache through and failed the kernel), so
 * only a limit below the hog alone skips before the run; rlimit_starved() measures. */
#define TOOL_OWN_BYTES 0LL

/*
 * Everything an OOM case needs before its hog runs, each environment cause named: a
 * resource limit that would refuse the hog's mmap (skip), the cgroup and its limit, the
 * OOM killer switched on in it (v1 oom_kill_disable is inherited), and an ancestor whose
 * tighter limit will act instead (noted; a skip when that ancestor pauses instead of
 * killing). @own_bytes: what the hog's process has mapped besides the hog (-1: this
 * process's own mappings, for a forked hog).
 */
static void oom_prepare(struct iso_t *t, const char *name, long long own_bytes, struct oom_scene *s)
{
        memset(s, 0, sizeof(*s));
        char reason[512];
        long long as = own_bytes, data = own_bytes;
        if (own_bytes < 0)
                vm_used(&as, &data);
        if (iso_memcg_rlimit_refuses(iso_case_env(t), as, data, HOG_BYTES, reason, sizeof(reason)))
                iso_skip(t, "%s", reason);
        iso_fixture_cgroup(t, "memory", name, &s->cg);
        s->swap_limited = limit_cg(t, &s->cg, OOM_LIMIT, 1);
        struct iso_err e = {0};
        int was_off = 0;
        if (iso_memcg_allow_oom_kill(&s->cg, &was_off, &e) < 0)
                iso_broken(t, "expected to switch the OOM killer on in %s, but %s", s->cg.path,
                           e.msg);
        if (was_off)
                iso_log(t,
                        "note: %s inherited oom_kill_disable 1 in memory.oom_control from its "
                        "parent; isocheck set it to 0 in the cgroup it made",
                        s->cg.path);
        struct iso_cg high;
        long long high_bytes = 0;
        int h = iso_memcg_high_ancestor(&s->cg, iso_memcg_round(OOM_LIMIT), &high, &high_bytes, &e);
        if (h < 0)
                iso_broken(t, "expected to read memory.high above %s, but %s", s->cg.path, e.msg);
        if (h == 1) {
                iso_fixture_cgroup_destroy(t, &s->cg); /* a skip leaves nothing */
                iso_skip(t,
                         "%s has memory.high %lld bytes, below this case's limit of %lld: the "
                         "hog would be throttled there, not OOM-killed (not isocheck's cgroup "
                         "to change)",
                         high.path, high_bytes, iso_memcg_round(OOM_LIMIT));
        }
        int r = iso_memcg_tighter_ancestor(&s->cg, iso_memcg_round(OOM_LIMIT), &s->anc,
                                           &s->anc_limit, &e);
        if (r < 0)
                iso_broken(t, "expected to read the limits above %s, but %s", s->cg.path, e.msg);
        s->has_anc = r == 1;
        if (s->has_anc) {
                if (iso_memcg_oom_kill_disabled(&s->anc) == 1) {
                        iso_fixture_cgroup_destroy(t, &s->cg); /* a skip leaves nothing */
                        iso_skip(t,
                                 "the limit that acts is %s's (%lld bytes, below this case's "
                                 "%lld), and its memory.oom_control has oom_kill_disable 1: "
                                 "the hog would be paused, not killed (not isocheck's "
                                 "cgroup to change)",
                                 s->anc.path, s->anc_limit, iso_memcg_round(OOM_LIMIT));
                }
                iso_log(t,
                        "note: ancestor %s has a tighter limit (%lld bytes) than this case's "
                        "%lld: the limit is expected to be hit there",
                        s->anc.path, s->anc_limit, iso_memcg_round(OOM_LIMIT));
                read_counters(t, &s->anc, &s->anc_before);
        }
        read_counters(t, &s->cg, &s->before);
}

/* Between usage samples of an OOM case: fine enough to show a climb of a few tenths of a
 * second, and cheap (two preads per sample; see bench's oom sampling part). */
#define SAMPLE_US 2000

/* One sampler per case process (48 KiB: not on the stack). */
static struct iso_memsampler sampler;

/* Open the sampler on @cg; a cgroup whose usage cannot be read loses the chart, not the
 * verdict, and the log says why. */
static struct iso_memsampler *sampler_open(struct iso_t *t, const struct iso_cg *cg)
{
        struct iso_err e = {0};
        if (iso_memsampler_open(&sampler, cg, iso_memcg_round(OOM_LIMIT), SAMPLE_US, &e) < 0)
                iso_log(t, "memory.csv: no usage samples: %s", e.msg);
        return &sampler;
}

/* Keep the samples as artifact memory.csv (the HTML report draws the climb and the kill). */
static void sampler_keep(struct iso_t *t, struct iso_memsampler *m)
{
        size_t len = 0;
        iso_autofree char *csv = m->n ? iso_memsampler_csv(m, &len) : NULL;
        if (csv)
                (void)iso_artifact(t, "memory.csv", csv, len);
        iso_log(t, "memory.csv: %zu usage samples", m->n);
        iso_memsampler_close(m);
}

/* Read the counters again once the hog has ended. */
static void oom_read_after(struct iso_t *t, struct oom_scene *s)
{
        read_counters(t, &s->cg, &s->after);
        if (s->has_anc)
                read_counters(t, &s->anc, &s->anc_after);
}

/* "oom_kill 0->1, oom 0->1, max 0->31" for whatever counters exist. */
static void counters_delta(const struct iso_memcg_counters *a, const struct iso_memcg_counters *b,
                           char *out, size_t size)
{
        const struct {
                const char *name;
                long long x, y;
        } v[] = {
                {"oom_kill", a->oom_kill, b->oom_kill},
                {"oom", a->oom, b->oom},
                {"max events", a->max, b->max},
                {"high events", a->high, b->high},
                {"failcnt", a->failcnt, b->failcnt},
                {"peak", a->peak, b->peak},
                {"swap", a->swap, b->swap},
        };
        size_t len = 0;
        out[0] = '\0';
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]) && len < size; i++)
                if (v[i].y >= 0)
                        len += (size_t)snprintf(out + len, size - len, "%s%s %lld->%lld",
                                                len ? ", " : "", v[i].name, v[i].x, v[i].y);
}

/*
 * Why a process that should have been OOM-killed was not (the diagnosis list):
 * refused allocation, throttling only, swap, a limit that did not stick.
 */
static void diagnose(struct iso_t *t, int status, const struct iso_cg *cg,
                     const struct iso_memcg_counters *a, const struct iso_memcg_counters *b,
                     char *out, size_t size)
{
        const struct iso_env *env = iso_case_env(t);
        size_t len = 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == HOG_ENOMEM) {
                char rl[160];
                iso_env_format_rlimits(env, rl, sizeof(rl));
                len += (size_t)snprintf(out, size,
                                        "mmap of %lld bytes was refused with ENOMEM before any "
                                        "charge (rlimits %s; vm.overcommit_memory=%d)",
                                        HOG_BYTES, rl, env->overcommit_memory);
        } else if (WIFEXITED(status))
                len += (size_t)snprintf(out, size,
                                        "exited with status %d after being asked to "
                                        "touch %lld bytes",
                                        WEXITSTATUS(status), HOG_BYTES);
        else if (WIFSIGNALED(status))
                len += (size_t)snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status),
                                        strsignal(WTERMSIG(status)));
        if (len >= size)
                return;
        if (b->swap > 0)
                len += (size_t)snprintf(out + len, size - len,
                                        "; swap absorbed it (%lld bytes swapped)", b->swap);
        if (len < size && b->oom_kill == a->oom_kill &&
            ((b->max > a->max && a->max >= 0) || (b->high > a->high && a->high >= 0)))
                len += (size_t)snprintf(out + len, size - len,
                                        "; only max/high events rose: reclaimed or throttled, "
                                        "not killed");
        long long lim = 0;
        if (len < size && iso_memcg_get_limit(cg, &lim, NULL) == 0 &&
            lim != iso_memcg_round(OOM_LIMIT))
                len += (size_t)snprintf(out + len, size - len,
                                        "; the limit did not stick (reads back %lld)", lim);
        if (len < size) {
                char d[256];
                counters_delta(a, b, d, sizeof(d));
                snprintf(out + len, size - len, "; counters: %s", d);
        }
}

/*
 * Look in the kernel log written since @k was opened for the memory cgroup OOM kill of
 * one of @pids (the processes known to have been in the cgroup), keep the lines as an
 * artifact and check what was found. Matching by PID, not by "any OOM kill", keeps another
 * run's or another container's OOM from passing for ours; the oom-kill line that names
 * the cgroup is rate-limited by the kernel, so it cannot be relied on.
 */
static void check_kmsg(struct iso_t *t, struct iso_kmsg *k, const char *why_closed,
                       const pid_t *pids, size_t n_pids, const char *memcg, const char *comm_prefix)
{
        const char *what = "the kernel log says \"Memory cgroup out of memory\" and names the "
                           "killed process";
        if (k->fd < 0) {
                iso_check_skip(t, what,
                               "/dev/kmsg unreadable (%s); the verdict rests on the "
                               "cgroup's counters",
                               why_closed);
                return;
        }
        char *text = NULL;
        size_t len = 0;
        struct iso_oom_report rep = {0};
        struct iso_err e = {0};
        /* The kill is logged before the victim dies, but read for a moment in case the
         * record is still being committed. Bounded: 40 x 25 ms. */
        for (int i = 0; i < 40 && !rep.found; i++) {
                if (iso_kmsg_drain(k, &text, &len, &e) < 0)
                        break;
                for (size_t p = 0; text && p < n_pids && !rep.found; p++)
                        iso_kmsg_find_oom(text, pids[p], NULL, &rep);
                /* In a container the log names host PIDs we cannot see: match the kill by
                 * our cgroup's path instead (the kernel prints it from the hierarchy's root,
                 * so ours is its tail). Specific to this cgroup, never "any OOM kill". */
                if (text && !rep.found && memcg)
                        iso_kmsg_find_oom(text, 0, memcg, &rep);
                if (!rep.found)
                        usleep(25000);
        }
        /* Only this case's reports: under -j another case's OOM shares the window. */
        if (text) {
                char lines[16384];
                if (iso_kmsg_oom_lines_of(text, pids, n_pids, memcg, lines, sizeof(lines)))
                        iso_artifact(t, "kmsg-oom.txt", lines, strlen(lines));
        }
        /* The OOM killer's printk rate limit (10 reports per 5 s) drops whole reports when
         * several OOMs come close together (cases in parallel, other containers): with a
         * suppression in the window, a missing line is the rate limit's doing, not the
         * kernel failing to log the kill. */
        char suppressed[512];
        if (!rep.found && text && iso_kmsg_oom_suppressed(text, suppressed, sizeof(suppressed))) {
                iso_check_skip(t, what,
                               "no kill line naming our process was read, and the kernel log "
                               "says lines were dropped meanwhile: \"%s\" (the OOM killer's "
                               "printk rate limit, or records overwritten before they were "
                               "read)",
                               suppressed);
                free(text);
                return;
        }
        if (!rep.found && !iso_ns_in_initial_pidns()) {
                /* The log numbers PIDs in the host's namespace, which we cannot see from
                 * here, and the line naming the cgroup is rate-limited by the kernel: with it
                 * missing, no kill in the log can be told to be ours. */
                iso_check_skip(t, what,
                               "in a PID namespace other than the host's the kernel log's "
                               "PIDs are not ours to match, and its oom-kill line naming %s "
                               "was not there (rate-limited)",
                               memcg ? memcg : "the cgroup");
                free(text);
                return;
        }
        char expected[128];
        if (n_pids == 1)
                snprintf(expected, sizeof(expected), "a kill line naming PID %d", (int)pids[0]);
        else
                snprintf(expected, sizeof(expected),
                         "a kill line naming one of the %zu PIDs seen in the cgroup", n_pids);
        iso_check(t, rep.found, what, expected, "%s",
                  rep.found ? rep.line : (e.msg[0] ? e.msg : "no such line in the new records"));
        if (rep.found && comm_prefix)
                iso_check(t, !strncmp(rep.comm, comm_prefix, strlen(comm_prefix)),
                          "the OOM victim is the memory hog", comm_prefix, "%s", rep.comm);
        free(text);
}

static void open_kmsg(struct iso_kmsg *k, char *why, size_t size)
{
        struct iso_err e = {0};
        if (iso_kmsg_open(k, &e) < 0)
                iso_strlcpy(why, e.msg, size);
}

ISO_CASE(cgroup_memory_create, "cgroup.memory.create",
         .doc = "cgroup-v1/memory.rst, cgroup-v2.rst \"Memory\"",
         .summary = "mkdir in the memory hierarchy makes a cgroup with its interface files; "
                    "they cannot be unlinked; rmdir of the empty cgroup removes it",
         .lab_step = "Exploring cgroups: mkdir /sys/fs/cgroup/memory/demo; ls",
         .needs = {NEEDS_MEMCG}, .timeout_s = 10)
{
        struct iso_cg cg;
        iso_fixture_cgroup(t, "memory", "fresh", &cg);
        static const char *const v1_files[] = {"memory.limit_in_bytes", "tasks",
                                               "cgroup.procs",          "memory.usage_in_bytes",
                                               "memory.failcnt",        "memory.max_usage_in_bytes",
                                               "memory.oom_control",    "memory.stat"};
        static const char *const v2_files[] = {"memory.max",    "memory.high",  "memory.low",
                                               "memory.min",    "cgroup.procs", "memory.current",
                                               "memory.events", "memory.stat"};
        const char *const *files = cg.version == 1 ? v1_files : v2_files;
        size_t n = cg.version == 1 ? sizeof(v1_files) / sizeof(*v1_files)
                                   : sizeof(v2_files) / sizeof(*v2_files);
        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX], what[128];
                iso_cg_file(&cg, files[i], path, sizeof(path));
                snprintf(what, sizeof(what), "mkdir creates %s", files[i]);
                int ok = access(path, F_OK) == 0;
                iso_check(t, ok, what, "the file exists", "%s: %s", path,
                          ok ? "exists" : strerror(errno));
        }
        char limit[PATH_MAX];
        iso_cg_file(&cg, files[0], limit, sizeof(limit));
        int rc = unlink(limit);
        int err = errno;
        iso_check(t, rc < 0, "unlink of an interface file fails", "unlink fails (EPERM)", "%s",
                  rc < 0 ? strerror(err) : "unlink succeeded");
        /* Test build only: a kernel whose rmdir reports success and keeps the cgroup. */
        rc = iso_fault("cgroup.rmdir.ignored") ? 0 : rmdir(cg.path);
        err = errno;
        iso_check(t, rc == 0, "rmdir of the empty cgroup succeeds", "0", "%s",
                  rc == 0 ? "0" : strerror(err));
        iso_check(t, access(cg.path, F_OK) < 0 && errno == ENOENT,
                  "the cgroup directory is gone after rmdir", "ENOENT", "%s",
                  access(cg.path, F_OK) == 0 ? "still there" : strerror(errno));
        /* Whatever rmdir said, the case leaves nothing behind. */
        if (access(cg.path, F_OK) == 0)
                iso_fixture_cgroup_destroy(t, &cg);
}

ISO_CASE(cgroup_memory_limit, "cgroup.memory.limit",
         .doc = "cgroup-v1/memory.rst (memory.limit_in_bytes), cgroup-v2.rst (memory.max)",
         .summary = "a memory limit reads back rounded down to a page multiple, stays set, "
                    "and \"max\"/-1 means unlimited",
         .lab_step = "Exploring cgroups: echo 100000000 > memory.limit_in_bytes; cat it",
         .needs = {NEEDS_MEMCG}, .timeout_s = 10)
{
        struct iso_cg cg;
        iso_fixture_cgroup(t, "memory", "limited", &cg);
        limit_cg(t, &cg, LAB_LIMIT, 0);
        struct iso_err e = {0};
        long long got = 0, want = iso_memcg_round(LAB_LIMIT);
        if (iso_memcg_get_limit(&cg, &got, &e) < 0)
                iso_broken(t, "expected to read the limit back, but %s", e.msg);
        char what[160];
        snprintf(what, sizeof(what),
                 "%lld reads back as the page multiple below it (%ld-byte "
                 "pages)",
                 LAB_LIMIT, sysconf(_SC_PAGESIZE));
        iso_check_eq(t, got, want, what);

        char *argv[] = {"true", NULL};
        pid_t pid = iso_cg_spawn(&cg, iso_cg_exec, argv, &e);
        if (pid < 0)
                iso_broken(t, "expected to run true(1) in the cgroup, but %s", e.msg);
        int status = 0;
        waitpid(pid, &status, 0);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "true(1) runs in the limited cgroup", "exit status 0", "wait status 0x%x",
                  status);
        got = 0;
        iso_memcg_get_limit(&cg, &got, NULL);
        iso_check_eq(t, got, want, "the limit stays as written after a process ran in the cgroup");

        limit_cg(t, &cg, -1, 0);
        iso_autofree char *raw =
                iso_cg_read(&cg, cg.version == 1 ? "memory.limit_in_bytes" : "memory.max", NULL);
        if (raw)
                raw[strcspn(raw, "\n")] = '\0';
        got = 0;
        iso_memcg_get_limit(&cg, &got, NULL);
        iso_check(t, got == -1, "writing \"max\" (v2) or -1 (v1) makes the cgroup unlimited",
                  cg.version == 1 ? "a value >= 2^62" : "max", "%s", raw ? raw : "unreadable");
        iso_fixture_cgroup_destroy(t, &cg);
}

/* Run argv in @cg with stdout captured into @out (@size bytes); returns the wait status. */
struct captured {
        char *const *argv;
        int fd;
};

static int exec_captured(void *arg)
{
        const struct captured *c = arg;
        dup2(c->fd, STDOUT_FILENO);
        close(c->fd);
        return iso_cg_exec((void *)c->argv);
}

static int run_in(struct iso_t *t, const struct iso_cg *cg, char *const argv[], char *out,
                  size_t size)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                iso_broken(t, "pipe2: %s", strerror(errno));
        struct captured c = {argv, p[1]};
        struct iso_err e = {0};
        pid_t pid = iso_cg_spawn(cg, exec_captured, &c, &e);
        close(p[1]);
        if (pid < 0) {
                close(p[0]);
                iso_broken(t, "expected to start %s in %s, but %s", argv[0], cg->path, e.msg);
        }
        /* Read to EOF so the command never blocks on a full pipe; keep what fits. */
        size_t len = 0;
        for (;;) {
                char chunk[4096];
                ssize_t r = read(p[0], chunk, sizeof(chunk));
                if (r <= 0)
                        break;
                size_t n = (size_t)r < size - 1 - len ? (size_t)r : size - 1 - len;
                memcpy(out + len, chunk, n);
                len += n;
                iso_tool_echo(argv[0], chunk, (size_t)r); /* kept if the case is cut short */
        }
        out[len] = '\0';
        close(p[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        return status;
}

ISO_CASE(cgroup_memory_under_limit, "cgroup.memory.under_limit",
         .doc = "cgroup-v1/memory.rst, cgroup-v2.rst \"Memory\", ps(1)",
         .summary = "ls, ps and cat, and an allocation well under the limit, run to exit 0 "
                    "in a limited memory cgroup without an OOM kill",
         .lab_step = "Exploring cgroups: echo $$ > tasks; ls; ps aux",
         .needs = {NEEDS_MEMCG, ISO_TOOL("ps")}, .timeout_s = 20)
{
        struct iso_cg cg;
        iso_fixture_cgroup(t, "memory", "shell", &cg);
        limit_cg(t, &cg, OOM_LIMIT, 0);
        struct iso_memcg_counters before, after;
        read_counters(t, &cg, &before);

        char *ls[] = {"ls", "/", NULL}, *ps[] = {"ps", "aux", NULL};
        char *cat[] = {"cat", "/proc/self/cgroup", NULL};
        char *const *cmds[] = {ls, ps, cat};
        static char out[65536];
        for (size_t i = 0; i < 3; i++) {
                int status = run_in(t, &cg, cmds[i], out, sizeof(out));
                char what[96];
                snprintf(what, sizeof(what), "`%s %s` exits 0 under a %lld-byte limit", cmds[i][0],
                         cmds[i][1], OOM_LIMIT);
                iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0, what, "exit status 0",
                          "wait status 0x%x", status);
        }
        /* The last output is cat's own /proc/self/cgroup: it ran inside. Its paths are
         * relative to our cgroup namespace's root, as cg.view is. */
        char shown[PATH_MAX];
        int found = iso_cg_proc_path(out, cg.version, "memory", shown, sizeof(shown)) == 0;
        iso_check(t, found && !strcmp(shown, cg.view),
                  "cat's /proc/self/cgroup names the cgroup it runs in", cg.view, "%.300s",
                  found ? shown : out);

        struct hog small = {SMALL_BYTES, -1};
        struct iso_err e = {0};
        pid_t pid = iso_cg_spawn(&cg, hog_run, &small, &e);
        if (pid < 0)
                iso_broken(t, "expected to start the allocation in the cgroup, but %s", e.msg);
        int status = 0;
        waitpid(pid, &status, 0);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == HOG_SURVIVED,
                  "touching 8 MiB under a 32 MiB limit succeeds", "exit status 0",
                  "wait status 0x%x", status);

        read_counters(t, &cg, &after);
        if (before.oom_kill >= 0)
                iso_check_eq(
                        t, after.oom_kill, before.oom_kill,
                        "the cgroup's oom_kill counter stays unchanged (no OOM kill under the limit)");
        else
                iso_check_skip(
                        t,
                        "the cgroup's oom_kill counter stays unchanged (no OOM kill under the limit)",
                        "this kernel has no oom_kill counter (Linux < 4.13 on v1)");
        iso_fixture_cgroup_destroy(t, &cg);
}

/* Say where the limit was hit when it was a tighter ancestor's, with the counters. */
static void note_ancestor(struct iso_t *t, const struct oom_scene *s)
{
        const struct iso_memcg_counters *ab = &s->anc_before, *aa = &s->anc_after;
        if (s->cg.version == 1) {
                iso_log(t,
                        "note: the limit was hit at ancestor %s (%lld bytes, below this "
                        "cgroup's %lld): its failcnt %lld -> %lld, memsw.failcnt %lld -> %lld; "
                        "this cgroup's failcnt stayed %lld",
                        s->anc.path, s->anc_limit, iso_memcg_round(OOM_LIMIT), ab->failcnt,
                        aa->failcnt, ab->memsw_failcnt, aa->memsw_failcnt, s->after.failcnt);
                return;
        }
        /* The mount is the cgroup's path less its rel; its options say how events count. */
        char mount[PATH_MAX];
        snprintf(mount, sizeof(mount), "%.*s", (int)(strlen(s->cg.path) - strlen(s->cg.rel)),
                 s->cg.path);
        iso_autofree char *mi = iso_read_file("/proc/self/mountinfo", NULL, NULL);
        int local = mi ? iso_memcg_local_events(mi, mount) : -1;
        iso_log(t,
                "note: the limit was hit at ancestor %s (%lld bytes, below this cgroup's "
                "%lld): its memory.events max %lld -> %lld, oom %lld -> %lld (%s); this "
                "cgroup's max stayed %lld",
                s->anc.path, s->anc_limit, iso_memcg_round(OOM_LIMIT), ab->max, aa->max, ab->oom,
                aa->oom,
                local == 1   ? "memory_localevents: each cgroup counts only its own events"
                : local == 0 ? "hierarchical events: they count upward, never down to us"
                             : "mount options unknown",
                s->after.max);
}

/* The checks every OOM variant shares, once the hog has ended with @status. */
static void check_oom(struct iso_t *t, const struct oom_scene *s, int status, int exactly_one)
{
        const struct iso_cg *cg = &s->cg;
        const struct iso_memcg_counters *before = &s->before, *after = &s->after;
        int swap_limited = s->swap_limited;
        char why[768];
        diagnose(t, status, cg, before, after, why, sizeof(why));
        if (exactly_one || !WIFEXITED(status))
                iso_check(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                          "the process over the limit is killed by SIGKILL", "signal 9", "%s", why);
        if (before->oom_kill >= 0) {
                long long d = after->oom_kill - before->oom_kill;
                if (exactly_one)
                        iso_check(t, d == 1, "the cgroup's oom_kill counter rises by exactly 1",
                                  "+1", "%+lld (%s)", d, why);
                else
                        iso_check(t, d >= 1, "the cgroup's oom_kill counter rises", ">= +1",
                                  "%+lld (%s)", d, why);
        } else {
                iso_check_skip(t, "the cgroup's oom_kill counter rises",
                               "memory.oom_control has no oom_kill (Linux < 4.13)");
        }
        /* A tighter ancestor's limit is hit there: its counters rise, not this cgroup's. */
        const struct iso_memcg_counters *ab = &s->anc_before, *aa = &s->anc_after;
        int own = cg->version == 1 ? after->failcnt > before->failcnt ||
                                             after->memsw_failcnt > before->memsw_failcnt
                                   : after->max > before->max && after->oom > before->oom;
        int at_anc = !own && s->has_anc &&
                     (cg->version == 1
                              ? aa->failcnt > ab->failcnt || aa->memsw_failcnt > ab->memsw_failcnt
                              : aa->max > ab->max && aa->oom > ab->oom);
        if (at_anc)
                note_ancestor(t, s);
        if (at_anc)
                iso_check(t, 1,
                          cg->version == 1 ? "memory.failcnt counts charges refused at the limit"
                                           : "memory.events counts the limit being hit (max) "
                                             "and the OOM (oom)",
                          "a rise", "a rise at the tighter ancestor");
        else if (cg->version == 1 && swap_limited && after->failcnt == before->failcnt &&
                 after->memsw_failcnt == before->memsw_failcnt)
                /* Seen on 6.18: with memory+swap limited, the refused charges are counted in
                 * neither failcnt. The kill itself is proven by the other checks. */
                iso_check_skip(t, "memory.failcnt counts charges refused at the limit",
                               "swap is limited (memsw) and this kernel counted no refusal in "
                               "memory.failcnt or memory.memsw.failcnt");
        else if (cg->version == 1)
                iso_check(t,
                          after->failcnt > before->failcnt ||
                                  after->memsw_failcnt > before->memsw_failcnt,
                          "memory.failcnt counts charges refused at the limit", "a rise",
                          "failcnt %lld -> %lld, memsw.failcnt %lld -> %lld", before->failcnt,
                          after->failcnt, before->memsw_failcnt, after->memsw_failcnt);
        else
                iso_check(t, after->max > before->max && after->oom > before->oom,
                          "memory.events counts the limit being hit (max) and the OOM (oom)",
                          "both rise", "max %lld -> %lld, oom %lld -> %lld", before->max,
                          after->max, before->oom, after->oom);
        if (after->peak >= 0)
                iso_check(t, after->peak <= iso_memcg_round(OOM_LIMIT),
                          "the peak usage stays at or below the limit", "<= the limit",
                          "%lld bytes", after->peak);
}

ISO_CASE(cgroup_memory_oom_kill, "cgroup.memory.oom_kill",
         .doc = "cgroup-v1/memory.rst \"OOM Control\", cgroup-v2.rst (memory.events)",
         .summary = "a process touching 3x its memory cgroup's limit is OOM-killed, counted "
                    "once in oom_kill, and named in the kernel log",
         .lab_step = "Exploring cgroups: echo $$ > tasks; stress -m 1 --vm-bytes 100000000; "
                     "dmesg",
         .needs = {NEEDS_MEMCG}, .timeout_s = 30, .exclusive = OOM_ALONE)
{
        struct oom_scene s;
        oom_prepare(t, "hog", -1, &s);
        struct iso_cg cg = s.cg;
        struct iso_err e = {0};
        long long lim = 0;
        if (iso_memcg_get_limit(&cg, &lim, &e) < 0)
                iso_broken(t, "expected to read the limit back, but %s", e.msg);
        /* A limit that does not stick is what this case exists to catch: a failure. */
        iso_check_eq(t, lim, iso_memcg_round(OOM_LIMIT), "the limit reads back as written");
        struct iso_kmsg k;
        char why_closed[256] = "";
        open_kmsg(&k, why_closed, sizeof(why_closed));

        int go[2];
        if (pipe(go) < 0)
                iso_broken(t, "pipe: %s", strerror(errno));
        struct hog h = {HOG_BYTES, go[0]};
        pid_t pid = iso_cg_spawn(&cg, hog_run, &h, &e);
        close(go[0]);
        if (pid < 0)
                iso_broken(t, "expected to start the hog in the cgroup, but %s", e.msg);
        char seen[PATH_MAX];
        int in = iso_cg_contains(&cg, "memory", pid, seen, sizeof(seen), &e);
        iso_check(t, in == 1, "the hog is in the cgroup before it touches memory", cg.view, "%s",
                  in < 0 ? e.msg : seen);
        struct iso_memsampler *m = sampler_open(t, &cg);
        iso_memsampler_start(m);
        (void)!write(go[1], "g", 1);
        close(go[1]);
        int status = 0;
        iso_memsampler_wait(m, pid, 20.0, &status);
        sampler_keep(t, m);
        oom_read_after(t, &s);
        iso_log(t, "hog PID %d ended with wait status 0x%x", (int)pid, status);
        if (WIFEXITED(status) && WEXITSTATUS(status) == HOG_ENOMEM) {
                /* Refused by the allocator (a limit or overcommit), not by the memcg. */
                char why[768];
                diagnose(t, status, &cg, &s.before, &s.after, why, sizeof(why));
                iso_kmsg_close(&k);
                iso_fixture_cgroup_destroy(t, &cg); /* an error leaves nothing either */
                iso_broken(t,
                           "expected the hog's mmap to succeed and the memory cgroup to stop "
                           "it, but %s",
                           why);
        }
        check_oom(t, &s, status, 1);
        check_kmsg(t, &k, why_closed, &pid, 1, cg.rel, NULL);
        iso_kmsg_close(&k);
        iso_fixture_cgroup_destroy(t, &cg);
}

/* The tool variants: the lab's memory hog, run inside the cgroup as a student would. */
#define SEEN_MAX 256

/* Add the PIDs now in @cg to @seen (a set, at most SEEN_MAX). */
static void note_members(const struct iso_cg *cg, pid_t *seen, size_t *n_seen)
{
        pid_t now[64];
        long n = iso_cg_pids(cg->path, now, 64, NULL);
        for (long i = 0; i < n && i < 64; i++) {
                size_t k = 0;
                while (k < *n_seen && seen[k] != now[i])
                        k++;
                if (k == *n_seen && *n_seen < SEEN_MAX)
                        seen[(*n_seen)++] = now[i];
        }
}

/*
 * A tool whose mmap a resource limit refused: stress-ng retries and exits 0 without a
 * word, stress may just exit. What it maps besides its hog (stress-ng's shared cache is
 * sized from the CPU's, 300 MiB here) cannot be known beforehand, so what happened is
 * measured: a hog that ended without an OOM kill while the cgroup's peak stayed below half
 * its limit never got its memory, and with a finite RLIMIT_AS or RLIMIT_DATA in force that
 * limit is the cause, an environment one (issue 11b item 4). Returns 1 with @why.
 */
static int rlimit_starved(struct iso_t *t, const struct oom_scene *s, int status, char *why,
                          size_t size)
{
        const struct iso_env *env = iso_case_env(t);
        const struct iso_memcg_counters *b = &s->before, *a = &s->after;
        if (!WIFEXITED(status) || a->peak < 0 || a->peak >= OOM_LIMIT / 2 ||
            (a->oom_kill >= 0 && a->oom_kill != b->oom_kill) ||
            (env->rlimit_as < 0 && env->rlimit_data < 0))
                return 0;
        /* The finite ones by name, as the user set them. */
        char rl[256] = "";
        if (env->rlimit_as >= 0)
                snprintf(rl, sizeof(rl), "RLIMIT_AS is %lld bytes (ulimit -v %lld)", env->rlimit_as,
                         env->rlimit_as / 1024);
        if (env->rlimit_data >= 0)
                snprintf(rl + strlen(rl), sizeof(rl) - strlen(rl),
                         "%sRLIMIT_DATA is %lld bytes (ulimit -d %lld)", rl[0] ? ", " : "",
                         env->rlimit_data, env->rlimit_data / 1024);
        snprintf(why, size,
                 "%s: the hog was refused its memory by that resource limit, not limited by "
                 "the memory cgroup: it exited with status %d, asked to touch %lld bytes, and "
                 "the cgroup's peak was %lld bytes, below half its limit of %lld, with no OOM "
                 "kill",
                 rl, WEXITSTATUS(status), HOG_BYTES, a->peak, OOM_LIMIT);
        return 1;
}

/* The tool variants: the lab's memory hog, run inside the cgroup as a student would. */
static void oom_by_tool(struct iso_t *t, char *const argv[], const char *comm_prefix)
{
        struct oom_scene s;
        oom_prepare(t, "tool", TOOL_OWN_BYTES, &s);
        struct iso_cg cg = s.cg;
        struct iso_kmsg k;
        char why_closed[256] = "";
        open_kmsg(&k, why_closed, sizeof(why_closed));

        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                iso_broken(t, "pipe2: %s", strerror(errno));
        struct captured c = {argv, p[1]};
        struct iso_err e = {0};
        struct iso_memsampler *m = sampler_open(t, &cg);
        iso_memsampler_start(m);
        pid_t pid = iso_cg_spawn(&cg, exec_captured, &c, &e);
        close(p[1]);
        if (pid < 0) {
                close(p[0]);
                iso_broken(t, "expected to start %s in %s, but %s", argv[0], cg.path, e.msg);
        }
        /* While the tool runs, note every PID in the cgroup: the victim is one of its
         * workers, whose PIDs the tool does not tell. Bounded by the case timeout and 20 s. */
        pid_t seen[SEEN_MAX];
        size_t n_seen = 0;
        static char out[65536];
        size_t len = 0;
        double deadline = iso_now() + 20.0;
        for (;;) {
                note_members(&cg, seen, &n_seen);
                iso_memsampler_take(m);
                struct pollfd pfd = {.fd = p[0], .events = POLLIN};
                if (poll(&pfd, 1, 5) > 0) {
                        char chunk[4096];
                        ssize_t r = read(p[0], chunk, sizeof(chunk));
                        if (r <= 0)
                                break;
                        size_t n = (size_t)r < sizeof(out) - 1 - len ? (size_t)r
                                                                     : sizeof(out) - 1 - len;
                        memcpy(out + len, chunk, n);
                        len += n;
                        iso_tool_echo(argv[0], chunk, (size_t)r); /* for a cut-short case */
                }
                if (iso_now() > deadline)
                        break;
        }
        out[len] = '\0';
        close(p[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        iso_memsampler_take(m);
        sampler_keep(t, m);
        iso_log(t, "%s exited with wait status 0x%x; %zu PIDs seen in the cgroup; its output:\n%s",
                argv[0], status, n_seen, out);
        oom_read_after(t, &s);
        char starved[768];
        if (rlimit_starved(t, &s, status, starved, sizeof(starved))) {
                iso_kmsg_close(&k);
                iso_fixture_cgroup_destroy(t, &cg);
                iso_skip(t, "%s", starved);
        }
        /* The tool's own exit status says nothing: stress-ng exits 0 after an OOM kill. */
        check_oom(t, &s, status, 0);
        check_kmsg(t, &k, why_closed, seen, n_seen, cg.rel, comm_prefix);
        iso_kmsg_close(&k);
        iso_fixture_cgroup_destroy(t, &cg);
}

ISO_CASE(cgroup_memory_oom_kill_stress_ng, "cgroup.memory.oom_kill.stress-ng",
         .former_name = "cgroup.memory.oom_kill.tool",
         .doc = "cgroup-v2.rst (memory.events), stress-ng(1)",
         .summary = "stress-ng allocating 3x the limit inside the memory cgroup gets its "
                    "worker OOM-killed",
         .lab_step = "Exploring cgroups: stress -m 1 --vm-bytes 100000000 (with stress-ng)",
         .needs = {NEEDS_MEMCG, ISO_TOOL("stress-ng")}, .timeout_s = 40, .exclusive = OOM_ALONE)
{
        char bytes[32];
        snprintf(bytes, sizeof(bytes), "%lld", HOG_BYTES);
        char *argv[] = {"stress-ng", "--vm",      "1",         "--vm-bytes", bytes,
                        "--vm-keep", "--oomable", "--timeout", "10s",        NULL};
        oom_by_tool(t, argv, "stress-ng");
}

ISO_CASE(cgroup_memory_oom_kill_stress, "cgroup.memory.oom_kill.stress",
         .doc = "cgroup-v2.rst (memory.events), stress(1)",
         .summary = "stress, the lab's own hog, allocating 3x the limit inside the memory "
                    "cgroup is OOM-killed",
         .lab_step = "Exploring cgroups: stress -m 1 --vm-bytes 100000000",
         .needs = {NEEDS_MEMCG, ISO_TOOL("stress")}, .timeout_s = 40, .exclusive = OOM_ALONE)
{
        char bytes[32];
        snprintf(bytes, sizeof(bytes), "%lld", HOG_BYTES);
        char *argv[] = {"stress", "-m", "1", "--vm-bytes", bytes, "--vm-keep", "-t", "10", NULL};
        oom_by_tool(t, argv, "stress");
}

static int sleeper(void *arg)
{
        (void)arg;
        sleep(20); /* bounded: the OOM group kill should end it long before */
        return 0;
}

ISO_CASE(cgroup_memory_oom_group, "cgroup.memory.oom_group",
         .doc = "cgroup-v2.rst (memory.oom.group)",
         .summary = "with memory.oom.group=1 an OOM kill takes every process of the cgroup",
         .lab_step = "Exploring cgroups (cgroup v2): memory.oom.group",
         .needs = {ISO_ROOT, ISO_CGROUP_CTRL("memory", 2)}, .timeout_s = 30, .exclusive = OOM_ALONE)
{
        struct oom_scene s;
        oom_prepare(t, "group", -1, &s);
        struct iso_cg cg = s.cg;
        struct iso_err e = {0};
        /* Test build only: a kernel that takes the write and kills one process only. */
        if (!iso_fault("memcg.oom_group.ignored") &&
            iso_cg_write(&cg, "memory.oom.group", "1", &e) < 0) {
                if (e.errnum == ENOENT)
                        iso_skip(t, "needs memory.oom.group (Linux >= 4.19): %s", e.msg);
                iso_broken(t, "expected to enable memory.oom.group, but %s", e.msg);
        }
        pid_t sleepers[2];
        for (int i = 0; i < 2; i++) {
                sleepers[i] = iso_cg_spawn(&cg, sleeper, NULL, &e);
                if (sleepers[i] < 0)
                        iso_broken(t, "expected to start a sleeper in the cgroup, but %s", e.msg);
        }
        struct hog h = {HOG_BYTES, -1};
        struct iso_memsampler *m = sampler_open(t, &cg);
        iso_memsampler_start(m);
        pid_t pid = iso_cg_spawn(&cg, hog_run, &h, &e);
        if (pid < 0)
                iso_broken(t, "expected to start the hog in the cgroup, but %s", e.msg);
        int status = 0;
        iso_memsampler_wait(m, pid, 20.0, &status);
        sampler_keep(t, m);
        iso_check(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "the hog is killed by SIGKILL", "signal 9", "wait status 0x%x", status);
        for (int i = 0; i < 2; i++) {
                int st = 0;
                waitpid(sleepers[i], &st, 0);
                char what[80];
                snprintf(what, sizeof(what),
                         "sleeper %d (not over any limit) is killed with the group", i + 1);
                iso_check(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, what, "signal 9",
                          "wait status 0x%x", st);
        }
        oom_read_after(t, &s);
        iso_check(t, s.after.oom_kill - s.before.oom_kill >= 3,
                  "oom_kill counts every process of the group (3 or more)", ">= +3", "%+lld",
                  s.after.oom_kill - s.before.oom_kill);
        iso_fixture_cgroup_destroy(t, &cg);
}
