// SPDX-License-Identifier: MIT
/*
 * Runs one case: fork, isolate (process group, tracking cgroup, oom_score_adj 0, a mount
 * namespace of its own), enforce the timeout, collect what the case recorded in shared
 * memory, then reclaim and report anything it left behind (processes, cgroups).
 *
 * Mounts: each case gets a mount namespace whose mounts are slaves of the runner's, so
 * nothing a case mounts can reach the host, and it all goes when the case's processes
 * do. Watching the host's mount table instead would blame a case for (and detach) mounts
 * other programs make meanwhile.
 */
#include "isocheck/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/cgroup.h"
#include "isocheck/runtime.h"
#include "isocheck/recover.h"
#include "shared.h"

/* Linker-provided bounds of the "iso_cases" section; weak so a binary without cases links. */
extern const struct iso_case *const __start_iso_cases[] __attribute__((weak));
extern const struct iso_case *const __stop_iso_cases[] __attribute__((weak));

static int by_name(const void *a, const void *b)
{
        const struct iso_case *const *x = a, *const *y = b;
        return strcmp((*x)->name, (*y)->name);
}

size_t iso_registry(const struct iso_case *const **cases)
{
        static const struct iso_case **sorted;
        static size_t n;
        if (!sorted) {
                /* The linker places both symbols around the one "iso_cases" section. */
                n = 0;
                if (__start_iso_cases && __stop_iso_cases)
                        // cppcheck-suppress comparePointers
                        n = (size_t)(__stop_iso_cases - __start_iso_cases);
                /* Behaviours written once run as one case per runtime (runtime.h). */
                const struct iso_case *const *variants;
                size_t n_var = iso_runtime_cases(&variants);
                sorted = malloc((n + n_var ? n + n_var : 1) * sizeof(*sorted));
                if (!sorted) {
                        n = 0;
                } else {
                        if (n)
                                memcpy(sorted, __start_iso_cases, n * sizeof(*sorted));
                        if (n_var)
                                memcpy(sorted + n, variants, n_var * sizeof(*sorted));
                        n += n_var;
                        qsort(sorted, n, sizeof(*sorted), by_name);
                }
        }
        *cases = (const struct iso_case *const *)sorted;
        return sorted ? n : 0;
}

int iso_runner_init(struct iso_runner *r, const struct iso_env *env, double timeout_mult,
                    const char *artifacts_dir, volatile sig_atomic_t *stop, struct iso_err *e)
{
        memset(r, 0, sizeof(*r));
        r->env = env;
        r->timeout_mult = timeout_mult > 0 ? timeout_mult : 1.0;
        r->stop = stop;
        r->runner_pid = getpid();
        if (iso_pathf(r->artifacts_dir, sizeof(r->artifacts_dir), "%s", artifacts_dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "artifacts directory %s", artifacts_dir);
        /* Opened once: every case's directory is made relative to it, so a path component
         * swapped for a link later cannot redirect what root writes. */
        struct iso_err ae = {0};
        r->artifacts_fd = iso_open_own_dir(artifacts_dir, &ae);
        if (r->artifacts_fd < 0)
                iso_strlcpy(r->artifacts_off, ae.msg, sizeof(r->artifacts_off));
        /* The process's one run id: its record, reports and cgroups all carry it. */
        iso_strlcpy(r->run_id, iso_run_id(), sizeof(r->run_id));
        r->track_version = iso_cg_track_hierarchy(env, r->track_mount, sizeof(r->track_mount));
        /* Lowering the score needs CAP_SYS_RESOURCE; unprivileged runs skip anyway, but a
         * root without it should know the runner is not shielded (memcg OOM kills stay in
         * the case's cgroup either way). */
        struct iso_err oe = {0};
        if (iso_write_file("/proc/self/oom_score_adj", "-1000", &oe) < 0 && env->euid == 0)
                fprintf(stderr,
                        "isocheck: note: the runner's oom_score_adj stays as it was: "
                        "%s (CAP_SYS_RESOURCE is needed)\n",
                        oe.msg);
        return 0;
}

/* <mount>/isocheck-<run>[/<case>[/ctl]] */
static int cg_path(const struct iso_runner *r, const char *mount, const char *case_name,
                   const char *leaf, char *out, size_t size)
{
        if (!case_name)
                return iso_pathf(out, size, "%s/" ISO_CG_PREFIX "-%s", mount, r->run_id);
        if (!leaf)
                return iso_pathf(out, size, "%s/" ISO_CG_PREFIX "-%s/%s", mount, r->run_id,
                                 case_name);
        return iso_pathf(out, size, "%s/" ISO_CG_PREFIX "-%s/%s/%s", mount, r->run_id, case_name,
                         leaf);
}

/* Create isocheck-<run>/<case>/ctl in the tracking hierarchy. Returns 0 or -1 with @e. */
static int make_tracking(struct iso_runner *r, const char *case_name, char *ctl, size_t size,
                         struct iso_err *e)
{
        char path[PATH_MAX];
        if (!r->run_cg_made) {
                if (cg_path(r, r->track_mount, NULL, NULL, path, sizeof(path)) < 0)
                        return iso_errf(e, ENAMETOOLONG, "tracking cgroup path");
                if (iso_cg_create(path, e) < 0)
                        return -1;
                r->run_cg_made = 1;
        }
        if (cg_path(r, r->track_mount, case_name, NULL, path, sizeof(path)) < 0 ||
            cg_path(r, r->track_mount, case_name, "ctl", ctl, size) < 0)
                return iso_errf(e, ENAMETOOLONG, "tracking cgroup path for %s", case_name);
        if (iso_cg_create(path, e) < 0)
                return -1;
        if (iso_cg_create(ctl, e) < 0) {
                rmdir(path);
                return -1;
        }
        return 0;
}

/* What the runner made for the case's artifacts and log (see stage_make). */
struct case_files {
        char stage[NAME_MAX + 1]; /* "<case>.tmp.<pid>" under the artifacts directory */
        int stage_fd;             /* -1: no artifacts (off says why) */
        char off[256];
        int log_fd; /* memfd with the whole iso_log text, or -1 */
};

static void __attribute__((noreturn))
child_main(struct iso_runner *r, const struct iso_case *c, struct iso_shared *sh, const char *ctl,
           int out_fd, const struct case_files *cf)
{
        struct iso_t t = {
                .c = c, .sh = sh, .env = r->env, .art_fd = cf->stage_fd, .log_fd = cf->log_fd};
        iso_strlcpy(t.art_off, cf->off, sizeof(t.art_off));
        snprintf(t.run_id, sizeof(t.run_id), "%s", r->run_id);
        if (iso_pathf(t.scope, sizeof(t.scope), ISO_CG_PREFIX "-%s/%s", r->run_id, c->name) < 0)
                iso_broken(&t, "cgroup scope for %s is too long", c->name);
        if (iso_pathf(t.artifact_dir, sizeof(t.artifact_dir), "%s/%s", r->artifacts_dir,
                      cf->stage) < 0)
                iso_broken(&t, "artifact path %s/%s is too long", r->artifacts_dir, cf->stage);

        setpgid(0, 0);
        /* A runner killed outright takes the case with it; what the case's children left
         * is in the tracking cgroup, for the next run or --cleanup to remove. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != r->runner_pid)
                _exit(0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        /* The TAP stream is the runner's stdout: case output goes to the case log. */
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull >= 0) {
                dup2(devnull, STDIN_FILENO);
                close(devnull);
        }
        if (out_fd >= 0) {
                dup2(out_fd, STDOUT_FILENO);
                dup2(out_fd, STDERR_FILENO);
                close(out_fd);
        }

        struct iso_err e = {0};
        if (*ctl && iso_cg_enter_self(ctl, &e) < 0)
                iso_broken(&t, "expected to join the tracking cgroup, but %s", e.msg);
        if (iso_write_file("/proc/self/oom_score_adj", "0", &e) < 0)
                iso_broken(&t, "expected to reset oom_score_adj to 0, but %s", e.msg);
        /* Unprivileged runs only reach cases that need no mounts: go on without. */
        if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                iso_broken(&t,
                           "expected to make the case's mounts slaves of the runner's, but "
                           "mount(/, MS_REC|MS_SLAVE): %s",
                           strerror(errno));
        /* Line-buffered: what the case prints survives its _exit. */
        setvbuf(stdout, NULL, _IOLBF, 0);

        c->run(&t);
        fflush(stdout);
        _exit(0);
}

/*
 * fork(2), but on cgroup v2 with clone3(CLONE_INTO_CGROUP) (Linux >= 5.7) so the case is
 * born in its tracking cgroup: moving a task into a cgroup later waits for an RCU grace
 * period (7-17 ms measured here, most of the suite's own overhead). Falls back to a plain
 * fork, after which the child joins by itself. *@born_inside tells which happened.
 */
static pid_t fork_into(const struct iso_runner *r, const char *ctl, int *born_inside)
{
        *born_inside = 0;
#ifdef SYS_clone3
        if (*ctl && r->track_version == 2) {
                int fd = open(ctl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0) {
                        struct clone_args args;
                        memset(&args, 0, sizeof(args));
                        args.flags = CLONE_INTO_CGROUP;
                        args.exit_signal = SIGCHLD;
                        args.cgroup = (unsigned long long)fd;
                        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
                        close(fd); /* parent and child each close their copy */
                        if (pid >= 0) {
                                *born_inside = 1;
                                return pid;
                        }
                        /* ENOSYS, E2BIG, EINVAL (an older kernel): a plain fork below. */
                }
        }
#else
        (void)r;
        (void)ctl;
#endif
        return fork();
}

/* Wait for @pid until @deadline (monotonic seconds) or a stop request. 1 exited, 0 not. */
static int wait_until(struct iso_runner *r, pid_t pid, double deadline, int *status)
{
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        for (;;) {
                pid_t w = waitpid(pid, status, WNOHANG);
                if (w == pid) {
                        if (pidfd >= 0)
                                close(pidfd);
                        return 1;
                }
                double left = deadline - iso_now();
                if (left <= 0 || (r->stop && *r->stop))
                        break;
                if (pidfd >= 0) {
                        struct pollfd p = {.fd = pidfd, .events = POLLIN};
                        int ms = left > 0.2 ? 200 : (int)(left * 1000) + 1;
                        poll(&p, 1, ms); /* EINTR from SIGINT/SIGTERM: loop re-checks */
                } else {
                        struct timespec ts = {0, 5 * 1000000L}; /* no pidfd before 5.3 */
                        nanosleep(&ts, NULL);
                }
        }
        if (pidfd >= 0)
                close(pidfd);
        return 0;
}

/*
 * Kill the case's whole tree, then reap the child. @scope_dir is isocheck-<run>/<case> in
 * the tracking hierarchy: on cgroup v2 the case's own cgroups are siblings of ctl there,
 * so killing the scope reaches processes the case moved out of ctl.
 */
static void kill_tree(pid_t pid, const char *scope_dir, int *status)
{
        if (*scope_dir)
                iso_cg_kill_all(scope_dir, 2.0, NULL);
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, status, 0);
}

/*
 * Reclaim what outlived the case: processes in its tracking cgroup (or, with no cgroupfs,
 * its process group) and cgroups below isocheck-<run>/<case>/ in any hierarchy. When the
 * runner itself cut the case short (@killed), what it left is the runner's doing: removed,
 * not reported. Describes each leak in @leaks.
 */
static void reclaim(struct iso_runner *r, const struct iso_case *c, pid_t pgid, const char *ctl,
                    int killed, char *leaks, size_t size)
{
        struct iso_err e = {0};
        if (*ctl) {
                /* Exited tasks leave cgroup.procs at once: zombies never show here. */
                pid_t pids[16];
                long n = iso_cg_pids(ctl, pids, ISO_ARRAY_SIZE(pids), NULL);
                if (n > 0 && !killed) {
                        iso_appendf(leaks, size, "%ld process(es) still running in %s:", n, ctl);
                        for (long i = 0; i < n && i < 16; i++)
                                iso_appendf(leaks, size, " %d", (int)pids[i]);
                        iso_appendf(leaks, size, "; ");
                }
                if (n > 0 && iso_cg_kill_all(ctl, 2.0, &e) < 0)
                        iso_appendf(leaks, size, "%s; ", e.msg);
        } else if (kill(-pgid, SIGKILL) == 0 && !killed) {
                iso_appendf(leaks, size, "processes still in process group %d; ", (int)pgid);
        }

        for (size_t i = 0; i < r->env->n_hierarchies; i++) {
                const struct iso_cg_hierarchy *h = &r->env->hierarchies[i];
                char dir[PATH_MAX];
                if (cg_path(r, h->mount, c->name, NULL, dir, sizeof(dir)) < 0)
                        continue;
                char names[16][256];
                long n = iso_cg_children(dir, names, ISO_ARRAY_SIZE(names), NULL);
                int is_track = !strcmp(h->mount, r->track_mount);
                for (long k = 0; k < n && k < 16 && !killed; k++) {
                        if (is_track && !strcmp(names[k], "ctl"))
                                continue;
                        iso_appendf(leaks, size, "cgroup %s/%s left behind; ", dir, names[k]);
                }
                if (iso_cg_remove_tree(dir, 2.0, &e) < 0)
                        iso_appendf(leaks, size, "cannot remove %s; ", e.msg);
        }
        /* What a runtime made for the case carries the run's and the case's names. */
        const struct iso_runtime *rt = iso_case_runtime(c);
        if (rt && rt->reclaim) {
                char what[256] = "";
                if (rt->reclaim(r->run_id, c->name, what, sizeof(what)) > 0 && !killed)
                        iso_appendf(leaks, size, "%s; ", what);
        }
        size_t len = strlen(leaks);
        if (len >= 2 && !strcmp(leaks + len - 2, "; "))
                leaks[len - 2] = '\0';
}

/* Append the whole content of memfd @fd (at most @max bytes) to the heap string *@buf. */
static void append_fd(char **buf, size_t *len, int fd, size_t max)
{
        off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
        if (end <= 0)
                return;
        size_t n = (size_t)end < max ? (size_t)end : max;
        char *nb = realloc(*buf, *len + n + 1);
        if (!nb)
                return;
        *buf = nb;
        ssize_t got = pread(fd, nb + *len, n, 0);
        if (got > 0)
                *len += (size_t)got;
        nb[*len] = '\0';
}

/*
 * The whole case log: what the case logged (the memfd, else the shared buffer), then what
 * its processes printed. Heap memory, NUL-terminated, or NULL when out of memory.
 */
static char *whole_log(const struct iso_shared *sh, int log_fd, int out_fd, size_t *len)
{
        /* Bounded, so a case logging in a loop cannot take the runner's memory. */
        const size_t max = 16 * 1024 * 1024;
        char *log = calloc(1, 1);
        *len = 0;
        if (!log)
                return NULL;
        if (log_fd >= 0) {
                append_fd(&log, len, log_fd, max);
        } else {
                size_t n = sh->log_len < ISO_LOG_SIZE - 1 ? sh->log_len : ISO_LOG_SIZE - 1;
                char *nb = realloc(log, n + 1);
                if (!nb)
                        return log;
                log = nb;
                memcpy(log, sh->log, n);
                log[n] = '\0';
                *len = n;
                /* No memfd: what did not fit the shared buffer is gone; say how much. */
                if (sh->log_len > n) {
                        char lost[96];
                        size_t m = (size_t)snprintf(lost, sizeof(lost),
                                                    "[… %zu bytes of the log not kept …]\n",
                                                    sh->log_len - n);
                        nb = realloc(log, *len + m + 1);
                        if (nb) {
                                log = nb;
                                memcpy(log + *len, lost, m + 1);
                                *len += m;
                        }
                }
        }
        static const char hdr[] = "--- output of the case process ---\n";
        off_t end = out_fd >= 0 ? lseek(out_fd, 0, SEEK_END) : 0;
        if (end > 0) {
                char *nb = realloc(log, *len + sizeof(hdr));
                if (!nb)
                        return log;
                log = nb;
                memcpy(log + *len, hdr, sizeof(hdr));
                *len += sizeof(hdr) - 1;
                append_fd(&log, len, out_fd, max);
        }
        return log;
}

int iso_log_cut(const char *log, size_t len, size_t cap, const char *whole_at, char **out)
{
        *out = NULL;
        if (len <= cap) {
                *out = strdup(log);
                return *out ? 0 : -1;
        }
        /* Head and tail: the start says what the case set up, the end where it stopped. */
        size_t tail = cap / 4, head = cap - tail;
        char mark[PATH_MAX + 128];
        snprintf(mark, sizeof(mark), "\n[… %zu bytes truncated; the whole log: %s …]\n",
                 len - head - tail, whole_at && *whole_at ? whole_at : "not kept");
        size_t n = head + strlen(mark) + tail;
        char *s = malloc(n + 1);
        if (!s)
                return -1;
        memcpy(s, log, head);
        memcpy(s + head, mark, strlen(mark));
        memcpy(s + head + strlen(mark), log + len - tail, tail);
        s[n] = '\0';
        *out = s;
        return 1;
}

/*
 * What a case cut short was running, read before it is killed: each process still in its
 * tracking cgroup @ctl with its command line, appended to the case log (@log_fd), and the
 * newest program the case started (not a fork of isocheck itself) in @running
 * ("`cmd args` (pid N)").
 */
static void note_running(const char *ctl, pid_t case_pid, int log_fd, char *running, size_t size)
{
        pid_t pids[32];
        long n = iso_cg_pids(ctl, pids, ISO_ARRAY_SIZE(pids), NULL);
        if (n <= 0)
                return;
        if (n > (long)ISO_ARRAY_SIZE(pids))
                n = (long)ISO_ARRAY_SIZE(pids);
        static const char hdr[] = "--- processes of the case when it was cut short ---\n";
        if (log_fd >= 0)
                (void)iso_write_all(log_fd, hdr, sizeof(hdr) - 1);
        pid_t newest = 0;
        char self[PATH_MAX] = "", exe[PATH_MAX];
        ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (sl > 0)
                self[sl] = '\0';
        for (long i = 0; i < n; i++) {
                char path[64], line[320];
                size_t len = 0;
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
                iso_autofree char *cmd = iso_read_file(path, &len, NULL);
                if (!cmd)
                        continue; /* gone meanwhile */
                for (size_t k = 0; k + 1 < len; k++)
                        if (cmd[k] == '\0')
                                cmd[k] = ' ';
                snprintf(path, sizeof(path), "/proc/%d/exe", (int)pids[i]);
                ssize_t el = readlink(path, exe, sizeof(exe) - 1);
                int ours = 0;
                if (el > 0) {
                        exe[el] = '\0';
                        ours = !strcmp(exe, self);
                }
                if (ours)
                        snprintf(line, sizeof(line), "  pid %d: %s\n", (int)pids[i],
                                 pids[i] == case_pid ? "the case process" : "a fork of the case");
                else
                        snprintf(line, sizeof(line), "  pid %d: %.280s\n", (int)pids[i], cmd);
                if (log_fd >= 0)
                        (void)iso_write_all(log_fd, line, strlen(line));
                if (!ours && pids[i] != case_pid && pids[i] > newest) {
                        newest = pids[i];
                        snprintf(running, size, "`%.200s` (pid %d)", cmd, (int)pids[i]);
                }
        }
}

/* Turn what the case recorded into its verdict and message. */
static void judge(struct iso_result *res, const struct iso_shared *sh, int status, int timed_out,
                  int stopped, unsigned timeout_s, const char *running, const char *leaks)
{
        size_t failed = 0;
        const struct iso_check_rec *first_failed = NULL;
        unsigned reserved = sh->n_reserved;
        for (unsigned i = 0; i < reserved && i < ISO_MAX_CHECKS; i++) {
                if (!sh->published[i])
                        continue; /* the recorder died mid-write */
                res->checks[res->n_checks++] = sh->checks[i];
                if (!sh->checks[i].ok) {
                        failed++;
                        if (!first_failed)
                                first_failed = &sh->checks[i];
                }
        }
        int end_kind = sh->end_ready ? sh->end_kind : 0;

        /* Where a case cut short was: its last log line, else its last check. */
        char step[sizeof(sh->step) + 16];
        iso_strlcpy(step, sh->step, sizeof(step));
        if (!*step && res->n_checks)
                snprintf(step, sizeof(step), "after check %zu \"%.160s\" (%s:%d)", res->n_checks,
                         res->checks[res->n_checks - 1].what, res->checks[res->n_checks - 1].file,
                         res->checks[res->n_checks - 1].line);
        else if (!*step)
                iso_strlcpy(step, "none logged (before its first check)", sizeof(step));
        char also[sizeof(step) + 352] = "";
        if (*running)
                snprintf(also, sizeof(also), "; running %s", running);
        if (timed_out) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "timed out after %u s; last step: %s%s", timeout_s, step, also);
        } else if (stopped) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "interrupted: the run was stopped by a signal; last step: %s%s", step,
                         also);
        } else if (end_kind == ISO_ERROR) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message), "%s", sh->end_message);
                snprintf(res->where, sizeof(res->where), "%s", sh->end_where);
        } else if (WIFSIGNALED(status)) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "killed by signal %d (%s) after %zu check(s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)), res->n_checks);
        } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "the case process exited with status %d", WEXITSTATUS(status));
        } else if (failed || sh->failed_unrecorded) {
                res->verdict = ISO_FAIL;
                if (first_failed) {
                        snprintf(res->message, sizeof(res->message),
                                 "%zu of %zu checks failed; first: %s: expected %s, got %s", failed,
                                 res->n_checks, first_failed->what, first_failed->expected,
                                 first_failed->got);
                        snprintf(res->where, sizeof(res->where), "%s:%d", first_failed->file,
                                 first_failed->line);
                } else {
                        snprintf(res->message, sizeof(res->message),
                                 "a check beyond the first %d failed", ISO_MAX_CHECKS);
                }
        } else if (end_kind == ISO_SKIP) {
                res->verdict = ISO_SKIP;
                snprintf(res->message, sizeof(res->message), "%s", sh->end_message);
                snprintf(res->where, sizeof(res->where), "%s", sh->end_where);
        } else if (res->n_checks == 0) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "the case ended without recording a check");
        } else {
                res->verdict = ISO_PASS;
        }

        if (*leaks && res->verdict == ISO_ERROR) {
                /* The case broke first: its cause leads, what it left follows. */
                iso_appendf(res->message, sizeof(res->message), "; it also left behind: %s", leaks);
        } else if (*leaks) {
                char prev[sizeof(res->message)];
                iso_strlcpy(prev, res->message, sizeof(prev));
                res->message[0] = '\0';
                iso_appendf(res->message, sizeof(res->message), "left behind: %s", leaks);
                if (*prev)
                        iso_appendf(res->message, sizeof(res->message), "; %s", prev);
                res->verdict = ISO_ERROR;
        }
}

static void broken(struct iso_result *res, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void broken(struct iso_result *res, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res->message, sizeof(res->message), fmt, ap);
        va_end(ap);
        res->verdict = ISO_ERROR;
}

/*
 * Make the case's artifact directory fresh: "<case>.tmp.<pid>[.<salt>]" under the artifacts
 * directory, mkdirat(2) mode 0700, so nothing in it was put there by anyone else (a link
 * planted in an old "<case>" directory is never reached). Fills @cf; 0, or -1 with @e.
 */
static int stage_make(const struct iso_runner *r, const char *case_name, struct case_files *cf,
                      struct iso_err *e)
{
        cf->stage_fd = -1;
        if (r->artifacts_fd < 0) {
                iso_strlcpy(cf->off, r->artifacts_off, sizeof(cf->off));
                iso_strlcpy(cf->stage, case_name, sizeof(cf->stage));
                return 0;
        }
        /* The name says whose it is; should it be taken (a run with our pid in another PID
         * namespace, or a dead one's leftover), another is drawn: what is there may be alive
         * and is never removed. */
        for (int tries = 0; tries < 8; tries++) {
                unsigned short salt = 0;
                int n = tries == 0 || getrandom(&salt, sizeof(salt), 0) != sizeof(salt)
                                ? snprintf(cf->stage, sizeof(cf->stage), "%s.tmp.%d", case_name,
                                           (int)getpid())
                                : snprintf(cf->stage, sizeof(cf->stage), "%s.tmp.%d.%04x",
                                           case_name, (int)getpid(), salt);
                if (n < 0 || (size_t)n >= sizeof(cf->stage))
                        return iso_errf(e, ENAMETOOLONG, "artifact directory name for %s",
                                        case_name);
                if (mkdirat(r->artifacts_fd, cf->stage, 0700) == 0) {
                        cf->stage_fd = openat(r->artifacts_fd, cf->stage,
                                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cf->stage_fd < 0)
                                return iso_errf(e, errno, "open %s/%s", r->artifacts_dir,
                                                cf->stage);
                        return 0;
                }
                if (errno != EEXIST)
                        break;
        }
        return iso_errf(e, errno, "mkdir %s/%s", r->artifacts_dir, cf->stage);
}

/* Replace every @from in @s (@len bytes, NUL-terminated) by the shorter @to, in place. */
static void shrink_replace(char *s, size_t *len, const char *from, const char *to)
{
        size_t nf = strlen(from), nt = strlen(to), w = 0;
        if (nt > nf || nf == 0)
                return;
        for (size_t i = 0; i < *len;) {
                if (*len - i >= nf && !memcmp(s + i, from, nf)) {
                        memmove(s + w, to, nt);
                        w += nt;
                        i += nf;
                } else {
                        s[w++] = s[i++];
                }
        }
        *len = w;
        s[w] = '\0';
}

/*
 * After the case: keep the whole log as "case.log" when the report shows it cut, list
 * only the artifacts that exist (a tool interrupted before writing leaves none), then
 * rename the directory to <artifacts>/<case>, replacing the previous run's (a link there
 * is replaced, never followed).
 */
static void stage_finish(const struct iso_runner *r, const struct iso_case *c,
                         const struct iso_shared *sh, struct case_files *cf, int out_fd,
                         struct iso_result *res)
{
        size_t len = 0;
        char *log = whole_log(sh, cf->log_fd, out_fd, &len);
        /* The log names the directory by the name it will have once renamed. */
        if (log && cf->stage_fd >= 0)
                shrink_replace(log, &len, cf->stage, c->name);
        char whole_at[PATH_MAX] = "";
        struct iso_err e = {0};
        int log_kept = 0;
        if (log && len > ISO_LOG_CAP && cf->stage_fd >= 0) {
                log_kept = iso_write_new_at(cf->stage_fd, "case.log", r->artifacts_dir, log, len,
                                            &e) == 0;
                if (log_kept)
                        iso_pathf(whole_at, sizeof(whole_at), "%s/%s/case.log", r->artifacts_dir,
                                  c->name);
                else
                        snprintf(whole_at, sizeof(whole_at), "not kept: %s", e.msg);
        } else if (log && len > ISO_LOG_CAP) {
                snprintf(whole_at, sizeof(whole_at), "not kept: %s", cf->off);
        }
        if (log)
                iso_log_cut(log, len, ISO_LOG_CAP, whole_at, &res->log);
        free(log);
        if (cf->stage_fd < 0)
                return;

        char names[ISO_MAX_ARTIFACTS + 1][256];
        size_t n = 0;
        for (unsigned i = 0; i < sh->n_artifacts && i < ISO_MAX_ARTIFACTS; i++)
                iso_strlcpy(names[n++], sh->artifacts[i], sizeof(names[0]));
        if (log_kept)
                iso_strlcpy(names[n++], "case.log", sizeof(names[0]));

        /* Nothing kept: the previous run's directory stays, no empty one replaces it. */
        if (unlinkat(r->artifacts_fd, cf->stage, AT_REMOVEDIR) == 0)
                return;
        /* Readable by others once the case is over; only root could write it meanwhile. */
        fchmod(cf->stage_fd, 0755);
        const char *dir = cf->stage;
        int fd = r->artifacts_fd;
        if (renameat2(fd, cf->stage, fd, c->name, RENAME_EXCHANGE) == 0) {
                /* The previous "<case>" now has the temporary name: removed, not followed.
                 * Should that fail, the leftover keeps a name that says whose it was. */
                iso_remove_tree_at(fd, cf->stage, r->artifacts_dir, &e);
                dir = c->name;
        } else {
                /* No "<case>" yet, or a file system without RENAME_EXCHANGE. */
                if (errno != ENOENT)
                        iso_remove_tree_at(fd, c->name, r->artifacts_dir, &e);
                if (renameat2(fd, cf->stage, fd, c->name, RENAME_NOREPLACE) == 0 ||
                    (errno == EINVAL && renameat(fd, cf->stage, fd, c->name) == 0))
                        dir = c->name;
        }
        for (size_t i = 0; i < n && res->n_artifacts < ISO_MAX_ARTIFACTS; i++) {
                struct stat st;
                if (fstatat(cf->stage_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
                        continue;
                if (iso_pathf(res->artifacts[res->n_artifacts], sizeof(res->artifacts[0]),
                              "%s/%s/%s", r->artifacts_dir, dir, names[i]) == 0)
                        res->n_artifacts++;
        }
}

void iso_runner_run(struct iso_runner *r, const struct iso_case *c, struct iso_result *res)
{
        memset(res, 0, sizeof(*res));
        res->name = c->name;
        res->summary = c->summary;

        for (size_t i = 0; i < ISO_MAX_NEEDS && c->needs[i].kind != ISO_NEED_END; i++) {
                if (!iso_env_need_met(r->env, &c->needs[i], res->message, sizeof(res->message))) {
                        res->verdict = ISO_SKIP;
                        return;
                }
        }
        if (r->stop && *r->stop) {
                broken(res, "interrupted: the run was stopped before this case started");
                return;
        }

        struct iso_err e = {0};
        struct case_files cf = {.stage_fd = -1, .log_fd = -1};
        if (stage_make(r, c->name, &cf, &e) < 0) {
                broken(res, "expected to make the case's artifact directory, but %s", e.msg);
                return;
        }
        char ctl[PATH_MAX] = "";
        if (r->track_version && make_tracking(r, c->name, ctl, sizeof(ctl), &e) < 0) {
                if (e.errnum != EROFS && e.errnum != EACCES && e.errnum != EPERM) {
                        broken(res, "expected to create the case's tracking cgroup, but %s", e.msg);
                        return;
                }
                /* No cgroup may be made here: track by process group alone, and say so. */
                fprintf(stderr, "isocheck: tracking cases by process group only: %s\n", e.msg);
                r->track_version = 0;
                ctl[0] = '\0';
        }

        struct iso_shared *sh =
                mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (sh == MAP_FAILED) {
                broken(res, "mmap of %zu bytes of shared memory: %s", sizeof(*sh), strerror(errno));
                if (cf.stage_fd >= 0) {
                        close(cf.stage_fd);
                        iso_remove_tree_at(r->artifacts_fd, cf.stage, r->artifacts_dir, NULL);
                }
                return;
        }
        int out_fd = memfd_create("isocheck-case-output", MFD_CLOEXEC);
        cf.log_fd = memfd_create("isocheck-case-log", MFD_CLOEXEC);
        if (cf.log_fd >= 0)
                fcntl(cf.log_fd, F_SETFL, O_APPEND); /* lines of forked writers stay whole */

        unsigned timeout_s = c->timeout_s ? c->timeout_s : ISO_DEFAULT_TIMEOUT_S;
        double limit = timeout_s * r->timeout_mult;
        unsigned shown_timeout = (unsigned)(limit + 0.5);
        int status = 0, timed_out = 0, stopped = 0;
        char running[320] = ""; /* what a case cut short was running */
        double start = iso_now();

        fflush(NULL);
        int born_inside = 0;
        pid_t pid = fork_into(r, ctl, &born_inside);
        if (pid < 0) {
                broken(res, "fork for case %s: %s", c->name, strerror(errno));
        } else if (pid == 0) {
                child_main(r, c, sh, born_inside ? "" : ctl, out_fd, &cf);
        } else {
                setpgid(pid, pid); /* also done by the child: whichever runs first */
                if (!wait_until(r, pid, start + limit, &status)) {
                        stopped = r->stop && *r->stop;
                        timed_out = !stopped;
                        char scope_dir[PATH_MAX] = "";
                        if (*ctl)
                                cg_path(r, r->track_mount, c->name, NULL, scope_dir,
                                        sizeof(scope_dir));
                        if (*ctl)
                                note_running(ctl, pid, cf.log_fd, running, sizeof(running));
                        kill_tree(pid, scope_dir, &status);
                }
        }
        res->duration_s = iso_now() - start;

        if (pid > 0) {
                char leaks[1024] = "";
                reclaim(r, c, pid, ctl, timed_out || stopped, leaks, sizeof(leaks));
                judge(res, sh, status, timed_out, stopped, shown_timeout, running, leaks);
                stage_finish(r, c, sh, &cf, out_fd, res);
        } else if (cf.stage_fd >= 0) {
                iso_remove_tree_at(r->artifacts_fd, cf.stage, r->artifacts_dir, NULL);
        }

        if (cf.stage_fd >= 0)
                close(cf.stage_fd);
        if (cf.log_fd >= 0)
                close(cf.log_fd);
        if (out_fd >= 0)
                close(out_fd);
        munmap(sh, sizeof(*sh));
        if (*ctl) {
                char dir[PATH_MAX];
                if (cg_path(r, r->track_mount, c->name, NULL, dir, sizeof(dir)) == 0 &&
                    iso_cg_remove_tree(dir, 2.0, &e) < 0 && res->verdict != ISO_ERROR)
                        broken(res, "left behind: %s", e.msg);
        }
}

void iso_runner_fini(struct iso_runner *r)
{
        /* Native containers' root mountpoints of a case cut short (empty directories). */
        DIR *d = opendir("/tmp");
        char prefix[96];
        snprintf(prefix, sizeof(prefix), ISO_CG_PREFIX "-%s-root-", r->run_id);
        for (struct dirent *de; d && (de = readdir(d));) {
                char path[PATH_MAX];
                if (!strncmp(de->d_name, prefix, strlen(prefix)) &&
                    iso_pathf(path, sizeof(path), "/tmp/%s", de->d_name) == 0)
                        rmdir(path);
        }
        if (d)
                closedir(d);
        for (size_t i = 0; i < r->env->n_hierarchies; i++) {
                char dir[PATH_MAX];
                if (cg_path(r, r->env->hierarchies[i].mount, NULL, NULL, dir, sizeof(dir)) == 0)
                        iso_cg_remove_tree(dir, 2.0, NULL);
        }
        r->run_cg_made = 0;
        if (r->artifacts_fd >= 0)
                close(r->artifacts_fd);
        r->artifacts_fd = -1;
}
