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
#include <sys/stat.h>
#include <unistd.h>

#include "isocheck/cgroup.h"
#include "isocheck/docker.h"

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot, unique with the PID. */
static unsigned long long start_time(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        iso_autofree char *s = iso_read_file(path, NULL, NULL);
        if (!s)
                return 0;
        const char *p = strrchr(s, ')'); /* the command may hold spaces */
        /* A zombie is dead for our purpose: whoever should reap it may never do so. */
        if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
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

int iso_run_record(const char *run_id, struct iso_err *e)
{
        char dir[PATH_MAX], file[PATH_MAX], text[64];
        if (iso_pathf(dir, sizeof(dir), ISO_RUN_DIR "/%s", run_id) < 0 ||
            iso_pathf(file, sizeof(file), "%s/owner", dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "run record for %s", run_id);
        if (iso_mkdir_p(dir, e) < 0)
                return -1;
        snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), start_time(getpid()));
        return iso_write_atomic(file, text, strlen(text), e);
}

void iso_run_unrecord(const char *run_id)
{
        char file[PATH_MAX];
        if (iso_pathf(file, sizeof(file), ISO_RUN_DIR "/%s/owner", run_id) == 0)
                unlink(file);
        if (iso_pathf(file, sizeof(file), ISO_RUN_DIR "/%s", run_id) == 0)
                rmdir(file);
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
        /* The runner writes at most 8 hex digits after the dash, nothing else. */
        size_t hex = strspn(end + 1, "0123456789abcdef");
        if (hex == 0 || hex > 16 || end[1 + hex] != '\0')
                return -1;
        *pid = (pid_t)v;
        return 0;
}

/* The owner record: a regular file of a few bytes, or nothing. Never blocks (a FIFO put
 * there would hang every run), never follows a symlink. */
static int read_owner(const char *path, int *pid, unsigned long long *start)
{
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -1;
        struct stat st;
        char buf[128];
        ssize_t n = -1;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
                n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        return sscanf(buf, "%d %llu", pid, start) == 2 ? 0 : -1;
}

int iso_run_alive(const char *run_id)
{
        pid_t pid;
        if (run_pid(run_id, &pid) < 0)
                return 1;
        char file[PATH_MAX];
        if (iso_pathf(file, sizeof(file), ISO_RUN_DIR "/%s/owner", run_id) == 0) {
                int rec_pid;
                unsigned long long rec_start;
                if (read_owner(file, &rec_pid, &rec_start) == 0)
                        return rec_pid == pid && start_time(pid) == rec_start && rec_start;
        }
        /* No record: alive while that PID runs an isocheck binary. */
        char exe[64], target[PATH_MAX];
        snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
        ssize_t n = readlink(exe, target, sizeof(target) - 1);
        if (n < 0)
                return errno != ENOENT; /* EACCES and the like: cannot tell, so alive */
        target[n] = '\0';
        const char *base = strrchr(target, '/');
        return strstr(base ? base : target, "isocheck") != NULL;
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

/* Run ids from docker: containers and images (intermediate ones of an interrupted build
 * included, which have no name) by their isocheck.run label. A dead run may have left
 * nothing else. */
static void scan_docker(struct found *f)
{
        static char out[16384];
        char *ps[] = {"ps",       "-a",
                      "--filter", "label=" ISO_DOCKER_LABEL_RUN,
                      "--format", "{{.Label \"" ISO_DOCKER_LABEL_RUN "\"}}",
                      NULL};
        pid_t pid;
        if (iso_docker(ps, out, sizeof(out), 20.0, NULL) == 0)
                for (char *save = NULL, *id = strtok_r(out, "\n", &save); id;
                     id = strtok_r(NULL, "\n", &save))
                        if (run_pid(id, &pid) == 0)
                                add_id(f, id);
        /* `docker images` cannot format a label: list the IDs, then inspect them, at most
         * 64 per call (bounded argv). */
        static char ids[16384];
        char *images[] = {"images", "-aq", "--no-trunc", "--filter", "label=" ISO_DOCKER_LABEL_RUN,
                          NULL};
        if (iso_docker(images, ids, sizeof(ids), 20.0, NULL) != 0)
                return;
        char *save = NULL, *img = strtok_r(ids, "\n", &save);
        while (img) {
                char *args[72] = {"image", "inspect", "--format",
                                  "{{index .Config.Labels \"" ISO_DOCKER_LABEL_RUN "\"}}"};
                size_t n = 4;
                for (; img && n < ISO_ARRAY_SIZE(args) - 1; img = strtok_r(NULL, "\n", &save))
                        args[n++] = img;
                args[n] = NULL;
                /* An image removed meanwhile fails the call but the others still print. */
                iso_docker(args, out, sizeof(out), 20.0, NULL);
                for (char *s2 = NULL, *id = strtok_r(out, "\n", &s2); id;
                     id = strtok_r(NULL, "\n", &s2))
                        if (strncmp(id, "Error", 5) && run_pid(id, &pid) == 0)
                                add_id(f, id);
        }
}

long iso_recover(const struct iso_env *env, const char *own_run_id, char *out, size_t size,
                 struct iso_err *e)
{
        struct found f = {.n = 0};
        if (size)
                out[0] = '\0';
        scan(ISO_RUN_DIR, "", NULL, &f);
        for (size_t i = 0; i < env->n_hierarchies; i++)
                scan(env->hierarchies[i].mount, ISO_CG_PREFIX "-", NULL, &f);
        scan("/tmp", ISO_CG_PREFIX "-", "-root-", &f);
        if (env->docker_reachable)
                scan_docker(&f);
        /* Docker installed but not answering: what a dead run left there cannot be seen,
         * so its record stays, for a later --cleanup with the daemon up to find. */
        const struct iso_tool *docker = iso_env_tool(env, "docker");
        int docker_blind = docker && docker->path[0] && !env->docker_reachable;

        long removed = 0;
        int failed = 0;
        struct iso_err last = {0};
        for (size_t k = 0; k < f.n; k++) {
                const char *id = f.ids[k];
                if ((own_run_id && !strcmp(id, own_run_id)) || iso_run_alive(id))
                        continue;
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
                                last = ce;
                        } else {
                                removed++;
                                iso_appendf(out, size, "removed cgroup tree %s (run %s is gone)\n",
                                            dir, id);
                        }
                }
                if (env->docker_reachable) {
                        char what[256];
                        long n = iso_docker_reclaim(id, NULL, what, sizeof(what));
                        if (n > 0) {
                                removed += n;
                                iso_appendf(out, size, "removed %s\n", what);
                        }
                }
                /* Container roots: empty mountpoints on the host; their tmpfs lived only in
                 * the container's mount namespace. */
                DIR *d = opendir("/tmp");
                char prefix[96];
                snprintf(prefix, sizeof(prefix), ISO_CG_PREFIX "-%s-root-", id);
                for (struct dirent *de; d && (de = readdir(d));) {
                        char path[PATH_MAX];
                        if (strncmp(de->d_name, prefix, strlen(prefix)) ||
                            iso_pathf(path, sizeof(path), "/tmp/%s", de->d_name) < 0)
                                continue;
                        if (rmdir(path) == 0) {
                                removed++;
                                iso_appendf(out, size, "removed %s\n", path);
                        }
                }
                if (d)
                        closedir(d);
                char rec[PATH_MAX];
                struct stat st;
                if (iso_pathf(rec, sizeof(rec), ISO_RUN_DIR "/%s", id) < 0 || lstat(rec, &st) < 0)
                        continue;
                if (docker_blind) {
                        iso_appendf(out, size,
                                    "kept the record of run %s: docker objects it may have "
                                    "left cannot be checked (%s)\n",
                                    id, env->docker_info);
                        continue;
                }
                if (S_ISDIR(st.st_mode))
                        iso_run_unrecord(id);
                else
                        unlink(rec); /* not ours in shape, but in our directory and name */
                if (lstat(rec, &st) == 0) {
                        failed = 1;
                        iso_errf(&last, errno ? errno : EBUSY, "remove %s", rec);
                        iso_appendf(out, size, "could not remove the record %s\n", rec);
                } else {
                        removed++;
                        iso_appendf(out, size, "removed the record of run %s\n", id);
                }
        }
        if (f.dropped)
                iso_appendf(out, size, "%zu more run ids were left for the next pass\n", f.dropped);
        if (failed) {
                if (e)
                        *e = last;
                return -1;
        }
        return removed;
}
