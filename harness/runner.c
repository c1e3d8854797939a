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
#include "isocheck/plan.h"
#include "isocheck/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "isocheck/tool.h"
#include "runner_priv.h"
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
        r->note[0] = '\0';
        r->oom_shielded = iso_write_file("/proc/self/oom_score_adj", "-1000", &oe) == 0;
        if (!r->oom_shielded && env->euid == 0)
                snprintf(r->note, sizeof(r->note),
                         "the runner's oom_score_adj stays as it was: %.200s (CAP_SYS_RESOURCE is "
                         "needed); the cases raise theirs to 1000 instead",
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

static void __attribute__((noreturn))
child_main(struct iso_runner *r, const struct iso_case *c, const char *item_name,
           struct iso_shared *sh, const char *ctl, int out_fd, const struct case_files *cf,
           int tools_fd)
{
        struct iso_t t = {
                .c = c, .sh = sh, .env = r->env, .art_fd = cf->stage_fd, .log_fd = cf->log_fd};
        iso_strlcpy(t.art_off, cf->off, sizeof(t.art_off));
        snprintf(t.run_id, sizeof(t.run_id), "%s", r->run_id);
        /* The item's name (a repetition's "NAME#2"), as the tracking cgroup: the cgroups a
         * case makes never meet those of another item of the same case. */
        if (iso_pathf(t.scope, sizeof(t.scope), ISO_CG_PREFIX "-%s/%s", r->run_id, item_name) < 0)
                iso_broken(&t, "cgroup scope for %s is too long", item_name);
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
        /* 0 below a shielded runner; else 1000 (raising needs no privilege), so that an OOM
         * above the runner and the case (a tight container limit) takes the case's hog. Inside
         * the case's own cgroup every task gets the same bonus: the largest is still the hog. */
        const char *adj = r->oom_shielded ? "0" : "1000";
        if (iso_write_file("/proc/self/oom_score_adj", adj, &e) < 0)
                iso_broken(&t, "expected to set oom_score_adj to %s, but %s", adj, e.msg);
        /* Unprivileged runs only reach cases that need no mounts: go on without. */
        if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                iso_broken(&t,
                           "expected to make the case's mounts slaves of the runner's, but "
                           "mount(/, MS_REC|MS_SLAVE): %s",
                           strerror(errno));
        /* What its tools print is kept as it arrives: a case killed mid-tool loses only
         * what the tool had not yet written (the runner reads it back, see cut_short()). */
        iso_tool_echo_to(tools_fd);
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
/* @c: the registered case (its runtime's objects carry its name); @name: the name the
 * case runs under in this run (its tracking cgroups carry it). */
static void reclaim(struct iso_runner *r, const struct iso_case *c, const char *name, pid_t pgid,
                    const char *ctl, int killed, char *leaks, size_t size)
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
                if (cg_path(r, h->mount, name, NULL, dir, sizeof(dir)) < 0)
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
                long found = rt->reclaim(r->run_id, c->name, what, sizeof(what));
                if (found > 0 && !killed)
                        iso_appendf(leaks, size, "%s; ", what);
                /* Cut short mid-way (say inside an image build), a runtime's daemon may go on
                 * and still make a labelled object after this pass: look again until 3 s
                 * pass with nothing found, 20 s at most. */
                double start = iso_now(), quiet_since = start;
                while (killed && found > 0 && iso_now() - start < 20.0 &&
                       iso_now() - quiet_since < 3.0) {
                        struct timespec pause = {0, 500 * 1000 * 1000};
                        nanosleep(&pause, NULL);
                        if (rt->reclaim(r->run_id, c->name, NULL, 0) > 0)
                                quiet_since = iso_now();
                }
        }
        size_t len = strlen(leaks);
        if (len >= 2 && !strcmp(leaks + len - 2, "; "))
                leaks[len - 2] = '\0';
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

/*
 * A case that did not end by itself (timed out, stopped, killed by a signal) never logged
 * what its tools printed: append what the echo memfd @tools_fd caught to the log @log_fd.
 */
static void add_tool_output(int tools_fd, int log_fd)
{
        if (tools_fd < 0 || log_fd < 0 || lseek(tools_fd, 0, SEEK_END) <= 0)
                return;
        static const char hdr[] = "--- what the case's tools printed before it was cut short ---\n";
        (void)iso_write_all(log_fd, hdr, sizeof(hdr) - 1);
        char buf[8192], last = '\n';
        off_t at = 0;
        for (ssize_t got; (got = pread(tools_fd, buf, sizeof(buf), at)) > 0; at += got) {
                (void)iso_write_all(log_fd, buf, (size_t)got);
                last = buf[got - 1];
        }
        if (last != '\n')
                (void)iso_write_all(log_fd, "\n", 1);
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

/* Remove @cr's tracking cgroup isocheck-<run>/<case>; what cannot go makes it an error. */
static void drop_tracking(struct iso_runner *r, struct case_run *cr)
{
        char dir[PATH_MAX];
        struct iso_err e = {0};
        if (cr->ctl[0] && cg_path(r, r->track_mount, cr->as.name, NULL, dir, sizeof(dir)) == 0 &&
            iso_cg_remove_tree(dir, 2.0, &e) < 0 && cr->res->verdict != ISO_ERROR)
                broken(cr->res, "left behind: %s", e.msg);
}

/*
 * Start @cr's case: requirements, artifact directory, tracking cgroup, shared memory, the
 * fork. cr->c is the registered case, cr->as the name and timeout it runs under (a copy of
 * cr->c, or cr->c itself): as.name names the result, the artifacts, the tracking cgroup and
 * what is reclaimed; the case process gets cr->c, so iso_current_case() leads back to
 * what was registered. Returns 1 when the case process runs, 0 when cr->res is already
 * final (a skip, an error) and nothing is left to finish.
 */
int runner_case_start(struct iso_runner *r, struct case_run *cr)
{
        const struct iso_case *as = &cr->as;
        struct iso_result *res = cr->res;
        memset(res, 0, sizeof(*res));
        res->name = as->name;
        res->summary = as->summary;
        iso_result_locate(res, cr->c);
        cr->pid = -1;
        cr->pidfd = -1;
        cr->out_fd = cr->tools_fd = -1;
        cr->sh = NULL;
        cr->ctl[0] = cr->running[0] = '\0';
        cr->status = cr->timed_out = cr->stopped = 0;
        cr->cf = (struct case_files){.stage_fd = -1, .log_fd = -1};

        for (size_t i = 0; i < ISO_MAX_NEEDS && as->needs[i].kind != ISO_NEED_END; i++) {
                int met =
                        iso_env_need_met(r->env, &as->needs[i], res->message, sizeof(res->message));
                if (met <= 0) {
                        /* -1: a broken setting of the user's is the cause (an error). */
                        res->verdict = met < 0 ? ISO_ERROR : ISO_SKIP;
                        return 0;
                }
        }
        if (r->stop && *r->stop) {
                broken(res, "interrupted: the run was stopped before this case started");
                return 0;
        }

        struct iso_err e = {0};
        struct case_files *cf = &cr->cf;
        if (runner_stage_make(r, as->name, cf, &e) < 0) {
                broken(res, "expected to make the case's artifact directory, but %s", e.msg);
                return 0;
        }
        if (r->track_version && make_tracking(r, as->name, cr->ctl, sizeof(cr->ctl), &e) < 0) {
                if (e.errnum != EROFS && e.errnum != EACCES && e.errnum != EPERM) {
                        broken(res, "expected to create the case's tracking cgroup, but %s", e.msg);
                        if (cf->stage_fd >= 0) {
                                close(cf->stage_fd);
                                iso_remove_tree_at(r->artifacts_fd, cf->stage, r->artifacts_dir,
                                                   NULL);
                        }
                        return 0;
                }
                /* No cgroup may be made here: track by process group alone, and say so. */
                fprintf(stderr, "isocheck: tracking cases by process group only: %s\n", e.msg);
                r->track_version = 0;
                cr->ctl[0] = '\0';
        }

        struct iso_shared *sh =
                mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (sh == MAP_FAILED) {
                broken(res, "mmap of %zu bytes of shared memory: %s", sizeof(*sh), strerror(errno));
                if (cf->stage_fd >= 0) {
                        close(cf->stage_fd);
                        iso_remove_tree_at(r->artifacts_fd, cf->stage, r->artifacts_dir, NULL);
                }
                return 0;
        }
        cr->sh = sh;
        cr->out_fd = memfd_create("isocheck-case-output", MFD_CLOEXEC);
        cf->log_fd = memfd_create("isocheck-case-log", MFD_CLOEXEC);
        if (cf->log_fd >= 0)
                fcntl(cf->log_fd, F_SETFL, O_APPEND); /* lines of forked writers stay whole */
        /* O_APPEND: the case and its forks may each read a tool and echo at once. */
        cr->tools_fd = memfd_create("isocheck-case-tools", MFD_CLOEXEC);
        if (cr->tools_fd >= 0)
                fcntl(cr->tools_fd, F_SETFL, O_APPEND);

        unsigned timeout_s = as->timeout_s ? as->timeout_s : ISO_DEFAULT_TIMEOUT_S;
        double limit = timeout_s * r->timeout_mult;
        cr->shown_timeout = (unsigned)(limit + 0.5);
        cr->start = iso_now();
        cr->deadline = cr->start + limit;

        fflush(NULL);
        int born_inside = 0;
        pid_t pid = fork_into(r, cr->ctl, &born_inside);
        if (pid == 0)
                child_main(r, cr->c, as->name, sh, born_inside ? "" : cr->ctl, cr->out_fd, cf,
                           cr->tools_fd);
        if (pid < 0) {
                broken(res, "fork for case %s: %s", as->name, strerror(errno));
                res->duration_s = iso_now() - cr->start;
                if (cf->stage_fd >= 0)
                        iso_remove_tree_at(r->artifacts_fd, cf->stage, r->artifacts_dir, NULL);
                runner_case_release(r, cr);
                drop_tracking(r, cr);
                return 0;
        }
        setpgid(pid, pid); /* also done by the child: whichever runs first */
        cr->pid = pid;
        /* Readable when the case process exits (Linux >= 5.3): the runner's poll(2) waits
         * on every running case at once. Without it the runner polls waitpid. */
        cr->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        return 1;
}

/*
 * Whether @cr's case process has ended: reaped (1), or cut short now because its deadline
 * passed or the run was stopped (1, the whole tree killed and reaped), or still running
 * (0). Never blocks longer than the kill of a tree.
 */
int runner_case_poll(struct iso_runner *r, struct case_run *cr)
{
        pid_t w = waitpid(cr->pid, &cr->status, WNOHANG);
        if (w != cr->pid) {
                if (iso_now() < cr->deadline && !(r->stop && *r->stop))
                        return 0;
                cr->stopped = r->stop && *r->stop;
                cr->timed_out = !cr->stopped;
                char scope_dir[PATH_MAX] = "";
                if (cr->ctl[0]) {
                        cg_path(r, r->track_mount, cr->as.name, NULL, scope_dir, sizeof(scope_dir));
                        note_running(cr->ctl, cr->pid, cr->cf.log_fd, cr->running,
                                     sizeof(cr->running));
                }
                kill_tree(cr->pid, scope_dir, &cr->status);
        }
        if (cr->timed_out || cr->stopped || WIFSIGNALED(cr->status))
                add_tool_output(cr->tools_fd, cr->cf.log_fd);
        cr->res->duration_s = iso_now() - cr->start;
        return 1;
}

/* Close what runner_case_start opened for @cr (not the tracking cgroup). */
void runner_case_release(struct iso_runner *r, struct case_run *cr)
{
        (void)r;
        int *fds[] = {&cr->cf.stage_fd, &cr->cf.log_fd, &cr->out_fd, &cr->tools_fd, &cr->pidfd};
        for (size_t i = 0; i < ISO_ARRAY_SIZE(fds); i++)
                if (*fds[i] >= 0) {
                        close(*fds[i]);
                        *fds[i] = -1;
                }
        if (cr->sh)
                munmap(cr->sh, sizeof(*cr->sh));
        cr->sh = NULL;
}

/*
 * After runner_case_poll said the case ended: reclaim what it left, judge it, gather its
 * log and artifacts into cr->res, and remove its tracking cgroup.
 */
void runner_case_finish(struct iso_runner *r, struct case_run *cr)
{
        struct iso_result *res = cr->res;
        char leaks[1024] = "";
        reclaim(r, cr->c, cr->as.name, cr->pid, cr->ctl, cr->timed_out || cr->stopped, leaks,
                sizeof(leaks));
        runner_judge(res, cr->sh, cr->status, cr->timed_out, cr->stopped, cr->shown_timeout,
                     cr->running, leaks);
        runner_stage_finish(r, &cr->as, cr->sh, &cr->cf, cr->out_fd, res);
        runner_case_release(r, cr);
        drop_tracking(r, cr);
}

/* One case from start to end, the runner waiting on it alone. */
static void run_as(struct iso_runner *r, const struct iso_case *c, const struct iso_case *as,
                   struct iso_result *res)
{
        struct case_run *cr = calloc(1, sizeof(*cr));
        if (!cr) {
                memset(res, 0, sizeof(*res));
                res->name = as->name;
                res->summary = as->summary;
                iso_result_locate(res, c);
                broken(res, "out of memory starting case %s", as->name);
                return;
        }
        cr->c = c;
        cr->as = *as;
        cr->res = res;
        if (runner_case_start(r, cr)) {
                while (!runner_case_poll(r, cr))
                        runner_case_wait(&cr, 1);
                runner_case_finish(r, cr);
        }
        free(cr);
}

void iso_runner_run(struct iso_runner *r, const struct iso_case *c, struct iso_result *res)
{
        run_as(r, c, c, res);
}

void iso_runner_run_item(struct iso_runner *r, const struct iso_plan_item *item,
                         struct iso_result *res)
{
        struct iso_case as = *item->c;
        if (item->name)
                as.name = item->name;
        if (item->timeout_s)
                as.timeout_s = item->timeout_s;
        run_as(r, item->c, &as, res);
        res->name = item->name ? item->name : item->c->name; /* as.name dies here */
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
