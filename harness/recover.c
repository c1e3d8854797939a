// SPDX-License-Identifier: MIT
#include "isocheck/recover.h"

#include <ctype.h>
#include <stdarg.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/cgroup.h"
#include "isocheck/runtime.h"

#define OWNER "owner" /* the lock file of a record */
#define FILES "files" /* temporary files the run registered, one absolute path a line */

const char *iso_run_id(void)
{
        static char id[48];
        if (id[0])
                return id;
        /* 64 random bits: the PID alone repeats in every PID namespace, a clock repeats
         * across hosts sharing one Docker daemon. getrandom(2) blocks only before the
         * pool is first seeded; the time is the fallback of last resort. */
        unsigned long long rnd = 0;
        if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                rnd = ((unsigned long long)ts.tv_sec << 30) ^ (unsigned long long)ts.tv_nsec ^
                      ((unsigned long long)getpid() << 48);
        }
        snprintf(id, sizeof(id), "%d-%016llx", (int)getpid(), rnd);
        return id;
}

/* The record this process holds: the record directory and its locked owner file. Never
 * closed before the run ends: closing any descriptor of the owner file drops the lock
 * (fcntl(2), "record locks are ... released when ... any file descriptor ... is closed"). */
static int held_dir = -1, held_owner = -1;
static char held_id[48];

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot (for people reading the
 * record; liveness comes from the lock). */
static unsigned long long start_time(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        iso_autofree char *s = iso_read_file(path, NULL, NULL);
        if (!s)
                return 0;
        const char *p = strrchr(s, ')'); /* the command may hold spaces */
        if (!p || p[1] != ' ')
                return 0;
        /* After ") ": field 3 (state) onwards; field 22 is the 20th from there. */
        unsigned long long v = 0;
        int field = 2;
        for (p++; *p && field < 22; p++)
                if (*p == ' ')
                        field++;
        if (field == 22)
                v = strtoull(p, NULL, 10);
        return v;
}

/* Open ISO_RUN_DIR as a directory root owns and only root may write, never through a
 * symlink. Returns the descriptor, or -1 with @e saying why the directory is refused. */
static int open_run_dir(int create, struct iso_err *e)
{
        if (create && mkdir(ISO_RUN_DIR, 0755) < 0 && errno != EEXIST)
                return iso_errf(e, errno, "mkdir %s", ISO_RUN_DIR);
        int fd = open(ISO_RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                int err = errno;
                if (err == ELOOP || err == ENOTDIR)
                        return iso_errf(e, err,
                                        "refusing %s for run records: it is not a directory (a "
                                        "symlink or a file put there by someone else)",
                                        ISO_RUN_DIR);
                return iso_errf(e, err, "open %s", ISO_RUN_DIR);
        }
        struct stat st;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return iso_errf(e, errno, "fstat %s", ISO_RUN_DIR);
        }
        if (st.st_uid != geteuid() || (st.st_mode & 022)) {
                close(fd);
                return iso_errf(e, EPERM,
                                "refusing %s for run records: owned by uid %u mode %03o, expected "
                                "uid %u and writable by it alone (remove it or chown it)",
                                ISO_RUN_DIR, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777),
                                (unsigned)geteuid());
        }
        return fd;
}

int iso_run_record(const char *run_id, struct iso_err *e)
{
        if (held_owner >= 0)
                return iso_errf(e, EBUSY, "this process already holds the record of run %s",
                                held_id);
        char tmp[96], text[128];
        if (iso_pathf(tmp, sizeof(tmp), ".new-%s", run_id) < 0 ||
            iso_pathf(held_id, sizeof(held_id), "%s", run_id) < 0)
                return iso_errf(e, ENAMETOOLONG, "run record for %s", run_id);
        iso_autoclose int top = open_run_dir(1, e);
        if (top < 0)
                return -1;
        /* Built under a name no scan takes for a run id, and renamed into place only with
         * its lock held: a record is never seen unlocked while its run is alive. */
        if (mkdirat(top, tmp, 0700) < 0)
                return iso_errf(e, errno, "mkdir %s/%s", ISO_RUN_DIR, tmp);
        int dir = openat(top, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int owner = dir < 0 ? -1
                            : openat(dir, OWNER, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                     0600);
        struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), start_time(getpid()));
        if (owner < 0 || fcntl(owner, F_SETLK, &lk) < 0 ||
            iso_write_all(owner, text, strlen(text)) < 0 ||
            renameat2(top, tmp, top, run_id, RENAME_NOREPLACE) < 0) {
                int err = errno;
                if (owner >= 0)
                        close(owner);
                if (dir >= 0) {
                        unlinkat(dir, OWNER, 0);
                        close(dir);
                }
                unlinkat(top, tmp, AT_REMOVEDIR);
                return iso_errf(e, err, "record run %s in %s", run_id, ISO_RUN_DIR);
        }
        held_dir = dir;
        held_owner = owner;
        return 0;
}

int iso_run_note_file(const char *path, struct iso_err *e)
{
        if (held_dir < 0)
                return 0; /* no record (not root): nothing could clean up after us anyway */
        char abs[PATH_MAX], line[PATH_MAX + 2];
        if (path[0] == '/') {
                if (iso_pathf(abs, sizeof(abs), "%s", path) < 0)
                        return iso_errf(e, ENAMETOOLONG, "register %s", path);
        } else {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof(cwd)) ||
                    iso_pathf(abs, sizeof(abs), "%s/%s", cwd, path) < 0)
                        return iso_errf(e, errno ? errno : ENAMETOOLONG, "register %s", path);
        }
        if (strchr(abs, '\n'))
                return iso_errf(e, EINVAL, "register %s: a newline in the path", path);
        iso_autoclose int fd = openat(held_dir, FILES,
                                      O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        snprintf(line, sizeof(line), "%s\n", abs);
        if (fd < 0 || iso_write_all(fd, line, strlen(line)) < 0)
                return iso_errf(e, errno, "register %s in %s/%s/" FILES, abs, ISO_RUN_DIR, held_id);
        return 0;
}

/* Remove the entries of record directory @dir (regular files only, never followed), then
 * the directory itself, named @name in @top. */
static int remove_record(int top, const char *name)
{
        int dir = openat(top, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir >= 0) {
                static const char *const entries[] = {FILES, OWNER};
                for (size_t i = 0; i < ISO_ARRAY_SIZE(entries); i++)
                        unlinkat(dir, entries[i], 0);
                close(dir);
        }
        return unlinkat(top, name, AT_REMOVEDIR);
}

void iso_run_unrecord(const char *run_id)
{
        if (held_owner < 0 || strcmp(run_id, held_id))
                return;
        /* Files first, the lock last: until the directory is gone, the run is alive. */
        unlinkat(held_dir, FILES, 0);
        iso_autoclose int top = open_run_dir(0, NULL);
        if (top >= 0) {
                unlinkat(held_dir, OWNER, 0);
                unlinkat(top, run_id, AT_REMOVEDIR);
        }
        close(held_owner);
        close(held_dir);
        held_owner = held_dir = -1;
}

/* A run id is "<pid>-<hex>": anything else is not ours to judge. */
static int run_pid(const char *run_id, pid_t *pid)
{
        if (!isdigit((unsigned char)run_id[0]))
                return -1;
        char *end;
        long v = strtol(run_id, &end, 10);
        if (*end != '-' || v <= 0 || v > INT_MAX)
                return -1;
        /* The runner writes at most 16 hex digits after the dash, nothing else. */
        size_t hex = strspn(end + 1, "0123456789abcdef");
        if (hex == 0 || hex > 16 || end[1 + hex] != '\0')
                return -1;
        *pid = (pid_t)v;
        return 0;
}

enum iso_run_state iso_run_state(const char *run_id, char *why, size_t size)
{
        pid_t pid;
        if (size)
                why[0] = '\0';
        if (run_pid(run_id, &pid) < 0) {
                iso_appendf(why, size, "\"%s\" is not a run id isocheck makes", run_id);
                return ISO_RUN_FOREIGN;
        }
        struct iso_err e = {0};
        iso_autoclose int top = open_run_dir(0, &e);
        if (top < 0) {
                if (e.errnum == ENOENT) {
                        iso_appendf(why, size, "no %s here", ISO_RUN_DIR);
                        return ISO_RUN_UNSEEN;
                }
                iso_appendf(why, size, "%s", e.msg);
                return ISO_RUN_FOREIGN;
        }
        struct stat st;
        if (fstatat(top, run_id, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                iso_appendf(why, size, "no record %s/%s visible here", ISO_RUN_DIR, run_id);
                return ISO_RUN_UNSEEN;
        }
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
                iso_appendf(why, size, "%s/%s is %s owned by uid %u, not a record isocheck made",
                            ISO_RUN_DIR, run_id,
                            S_ISLNK(st.st_mode)   ? "a symlink"
                            : S_ISDIR(st.st_mode) ? "a directory"
                                                  : "a file",
                            (unsigned)st.st_uid);
                return ISO_RUN_FOREIGN;
        }
        iso_autoclose int dir =
                openat(top, run_id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        /* Never blocks (a FIFO put there would hang every run), never follows a symlink. */
        iso_autoclose int owner =
                dir < 0 ? -1 : openat(dir, OWNER, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (owner < 0) {
                if (errno == ENOENT) {
                        /* Records appear whole (renamed in with the lock held): one without
                         * its owner file was being removed by its run at the end. */
                        iso_appendf(why, size, "its record has no lock file (the run ended)");
                        return ISO_RUN_DEAD;
                }
                iso_appendf(why, size, "open %s/%s/" OWNER ": %s", ISO_RUN_DIR, run_id,
                            strerror(errno));
                return ISO_RUN_FOREIGN;
        }
        if (fstat(owner, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
                iso_appendf(why, size, "%s/%s/" OWNER " is not a lock file isocheck made",
                            ISO_RUN_DIR, run_id);
                return ISO_RUN_FOREIGN;
        }
        /* The run holds a write lock on its owner file for as long as it lives; the kernel
         * drops it when the process dies, whatever namespace either of us is in. */
        struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(owner, F_GETLK, &lk) < 0) {
                iso_appendf(why, size, "fcntl F_GETLK %s/%s/" OWNER ": %s", ISO_RUN_DIR, run_id,
                            strerror(errno));
                return ISO_RUN_FOREIGN;
        }
        if (lk.l_type != F_UNLCK) {
                iso_appendf(why, size, "its record's lock is held");
                return ISO_RUN_ALIVE;
        }
        iso_appendf(why, size, "no process holds its record's lock");
        return ISO_RUN_DEAD;
}

int iso_run_alive(const char *run_id)
{
        return iso_run_state(run_id, NULL, 0) != ISO_RUN_DEAD;
}

#define MAX_RUNS 1024 /* run ids one pass considers; more are said to be left */

struct found {
        char ids[MAX_RUNS][32];
        size_t n;
        size_t dropped;
};

static void add_id(struct found *f, const char *id)
{
        for (size_t i = 0; i < f->n; i++)
                if (!strcmp(f->ids[i], id))
                        return;
        if (f->n < MAX_RUNS)
                iso_strlcpy(f->ids[f->n++], id, sizeof(f->ids[0]));
        else
                f->dropped++;
}

/* Run ids from entries of @dir named "<prefix><id>[<suffix>...]". */
static void scan(const char *dir, const char *prefix, const char *suffix, struct found *f)
{
        DIR *d = opendir(dir);
        if (!d)
                return;
        size_t plen = strlen(prefix);
        for (struct dirent *de; (de = readdir(d));) {
                if (strncmp(de->d_name, prefix, plen))
                        continue;
                char id[64];
                iso_strlcpy(id, de->d_name + plen, sizeof(id));
                if (suffix) {
                        char *s = strstr(id, suffix);
                        if (!s)
                                continue;
                        *s = '\0';
                }
                pid_t pid;
                if (run_pid(id, &pid) == 0)
                        add_id(f, id);
        }
        closedir(d);
}

/* A run id a runtime found objects of (its scan), kept when it names a run. */
static void found_by_runtime(void *arg, const char *id)
{
        pid_t pid;
        if (run_pid(id, &pid) == 0)
                add_id(arg, id);
}

/* Remove the temporary files dead run @id registered (iso_run_note_file): regular files
 * whose name ends in ".tmp.<id>", nothing else, never through a final symlink. */
static long remove_noted_files(int top, const char *id, char *out, size_t size)
{
        iso_autoclose int dir = openat(top, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        iso_autoclose int fd =
                dir < 0 ? -1 : openat(dir, FILES, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        static char buf[65536];
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        char suffix[64];
        snprintf(suffix, sizeof(suffix), ".tmp.%s", id);
        long removed = 0;
        for (char *save = NULL, *path = strtok_r(buf, "\n", &save); path;
             path = strtok_r(NULL, "\n", &save)) {
                size_t len = strlen(path), slen = strlen(suffix);
                if (path[0] != '/' || len <= slen || strcmp(path + len - slen, suffix) ||
                    lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (unlink(path) == 0) {
                        removed++;
                        iso_appendf(out, size, "removed %s (a temporary report of run %s)\n", path,
                                    id);
                }
        }
        return removed;
}

/* Everything dead run @id left: cgroup trees, the runtimes' objects, temporary
 * files, and last its record. Adds to *@removed; 0, or -1 with @last on a failure. */
static int reclaim_run(const struct iso_env *env, const char *id, const struct iso_runtime *blind,
                       const char *blind_why, char *out, size_t size, long *removed,
                       struct iso_err *last)
{
        int failed = 0;
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                char dir[PATH_MAX];
                struct stat st;
                if (iso_pathf(dir, sizeof(dir), "%s/" ISO_CG_PREFIX "-%s",
                              env->hierarchies[i].mount, id) < 0 ||
                    stat(dir, &st) < 0)
                        continue;
                struct iso_err ce = {0};
                if (iso_cg_remove_tree(dir, 3.0, &ce) < 0) {
                        failed = 1;
                        iso_appendf(out, size, "could not remove %s\n", ce.msg);
                        *last = ce;
                } else {
                        (*removed)++;
                        iso_appendf(out, size, "removed cgroup tree %s (run %s is gone)\n", dir,
                                    id);
                }
        }
        /* What the runtimes made for it: containers, images, container roots. Only those
         * answering can be asked. */
        const struct iso_runtime *const *rts;
        size_t n_rt = iso_runtimes(&rts);
        for (size_t i = 0; i < n_rt; i++) {
                char what[256] = "";
                long n = rts[i]->reclaim && iso_runtime_usable(rts[i], NULL)
                                 ? rts[i]->reclaim(id, NULL, what, sizeof(what))
                                 : 0;
                if (n > 0) {
                        *removed += n;
                        iso_appendf(out, size, "removed %s\n", what);
                }
        }
        iso_autoclose int top = open_run_dir(0, NULL);
        struct stat st;
        if (top < 0 || fstatat(top, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return failed ? -1 : 0;
        *removed += remove_noted_files(top, id, out, size);
        if (blind) {
                iso_appendf(out, size,
                            "kept the record of run %s: %s objects it may have left cannot "
                            "be checked (%s)\n",
                            id, blind->name, blind_why);
                return failed ? -1 : 0;
        }
        if (remove_record(top, id) < 0 && errno != ENOENT) {
                iso_errf(last, errno, "remove %s/%s", ISO_RUN_DIR, id);
                iso_appendf(out, size, "could not remove the record %s/%s\n", ISO_RUN_DIR, id);
                return -1;
        }
        (*removed)++;
        iso_appendf(out, size, "removed the record of run %s\n", id);
        return failed ? -1 : 0;
}

long iso_recover(const struct iso_env *env, const char *own_run_id, char *out, size_t size,
                 struct iso_err *e)
{
        static struct found f;
        f.n = f.dropped = 0;
        if (size)
                out[0] = '\0';
        scan(ISO_RUN_DIR, "", NULL, &f);
        for (size_t i = 0; i < env->n_hierarchies; i++)
                scan(env->hierarchies[i].mount, ISO_CG_PREFIX "-", NULL, &f);
        /* A runtime installed but not answering (a docker daemon down): what a dead run
         * left there cannot be seen, so its record stays, for a later --cleanup with the
         * runtime up to find. */
        const struct iso_runtime *const *rts;
        size_t n_rt = iso_runtimes(&rts);
        const struct iso_runtime *blind = NULL;
        const char *blind_why = "";
        for (size_t i = 0; i < n_rt; i++) {
                const char *why = "";
                int state = iso_runtime_state(rts[i], &why);
                if (state == 1 && rts[i]->scan)
                        rts[i]->scan(found_by_runtime, &f);
                else if ((state == 0 || state == ISO_RUNTIME_BROKEN) && !blind) {
                        blind = rts[i];
                        blind_why = why;
                }
        }

        long removed = 0;
        int failed = 0;
        struct iso_err last = {0};
        for (size_t k = 0; k < f.n; k++) {
                const char *id = f.ids[k];
                if (own_run_id && !strcmp(id, own_run_id))
                        continue;
                char why[512];
                switch (iso_run_state(id, why, sizeof(why))) {
                case ISO_RUN_ALIVE:
                        continue;
                case ISO_RUN_UNSEEN:
                case ISO_RUN_FOREIGN:
                        /* Not provably dead: a run whose /run is private (another mount
                         * namespace, a container, another host on the same Docker daemon)
                         * looks just like this. Never remove what might be alive. */
                        iso_appendf(out, size,
                                    "left run %s alone: %s, so it may be alive where this view "
                                    "cannot see; what it left stays (remove it by hand once it "
                                    "is gone)\n",
                                    id, why);
                        continue;
                case ISO_RUN_DEAD:
                        break;
                }
                if (reclaim_run(env, id, blind, blind_why, out, size, &removed, &last) < 0)
                        failed = 1;
        }
        if (f.dropped)
                iso_appendf(out, size, "%zu more run ids were left for the next pass\n", f.dropped);
        /* --cleanup (no own run) also empties the runtimes' caches no live run uses. */
        for (size_t i = 0; !own_run_id && i < n_rt; i++) {
                char what[512] = "";
                long n = rts[i]->sweep_cache && iso_runtime_usable(rts[i], NULL)
                                 ? rts[i]->sweep_cache(what, sizeof(what))
                                 : 0;
                removed += n > 0 ? n : 0;
                if (what[0])
                        iso_appendf(out, size, "%s%s\n", n > 0 ? "removed " : "", what);
        }
        if (failed) {
                if (e)
                        *e = last;
                return -1;
        }
        return removed;
}
