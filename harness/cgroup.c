// SPDX-License-Identifier: MIT
#include "isocheck/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int iso_cg_track_hierarchy(const struct iso_env *env, char *mount, size_t size)
{
        static const char *const v1_pref[] = {"pids", "name=systemd", "memory", "freezer"};
        const struct iso_cg_hierarchy *h = iso_env_hierarchy(env, NULL);
        for (size_t i = 0; !h && i < ISO_ARRAY_SIZE(v1_pref); i++)
                h = iso_env_hierarchy(env, v1_pref[i]);
        if (!h && env->n_hierarchies)
                h = &env->hierarchies[0];
        if (!h || iso_pathf(mount, size, "%s", h->mount) < 0)
                return 0;
        return h->version;
}

int iso_cg_create(const char *path, struct iso_err *e)
{
        if (mkdir(path, 0755) < 0)
                return iso_errf(e, errno, "mkdir %s", path);
        return 0;
}

int iso_cg_enter_self(const char *path, struct iso_err *e)
{
        char file[PATH_MAX];
        if (iso_pathf(file, sizeof(file), "%s/cgroup.procs", path) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", path);
        return iso_write_file(file, "0", e);
}

long iso_cg_pids(const char *path, pid_t *pids, size_t max, struct iso_err *e)
{
        char file[PATH_MAX];
        if (iso_pathf(file, sizeof(file), "%s/cgroup.procs", path) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", path);
        iso_autofree char *s = iso_read_file(file, NULL, e);
        if (!s)
                return -1;
        long n = 0;
        for (char *p = s; *p;) {
                char *end;
                long v = strtol(p, &end, 10);
                if (end == p)
                        break;
                if ((size_t)n < max)
                        pids[n] = (pid_t)v;
                n++;
                p = end;
                while (*p == '\n')
                        p++;
        }
        return n;
}

long iso_cg_children(const char *path, char (*names)[256], size_t max, struct iso_err *e)
{
        DIR *d = opendir(path);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return iso_errf(e, errno, "opendir %s", path);
        }
        long n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if ((size_t)n < max)
                        snprintf(names[n], 256, "%s", de->d_name);
                n++;
        }
        closedir(d);
        return n;
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

/* Appends " PID (comm)" for up to 8 PIDs of @path to @out. */
static void describe_pids(const char *path, char *out, size_t size)
{
        pid_t pids[8];
        long n = iso_cg_pids(path, pids, ISO_ARRAY_SIZE(pids), NULL);
        size_t len = strlen(out);
        for (long i = 0; i < n && i < 8 && len < size; i++) {
                char file[64], comm[64] = "?";
                snprintf(file, sizeof(file), "/proc/%d/comm", (int)pids[i]);
                char *c = iso_read_file(file, NULL, NULL);
                if (c) {
                        c[strcspn(c, "\n")] = '\0';
                        snprintf(comm, sizeof(comm), "%s", c);
                        free(c);
                }
                len += (size_t)snprintf(out + len, size - len, " %d (%s)", (int)pids[i], comm);
        }
        if (n > 8 && len < size)
                snprintf(out + len, size - len, " and %ld more", n - 8);
}

/* SIGKILL every member of @path and its children once; returns how many were seen. */
static long kill_members(const char *path, int depth)
{
        pid_t pids[512];
        long n = iso_cg_pids(path, pids, ISO_ARRAY_SIZE(pids), NULL);
        long seen = n > 0 ? n : 0;
        for (long i = 0; i < n && i < (long)ISO_ARRAY_SIZE(pids); i++)
                kill(pids[i], SIGKILL);
        if (depth > 16)
                return seen;
        char names[64][256];
        long k = iso_cg_children(path, names, ISO_ARRAY_SIZE(names), NULL);
        for (long i = 0; i < k && i < (long)ISO_ARRAY_SIZE(names); i++) {
                char sub[PATH_MAX];
                if (iso_pathf(sub, sizeof(sub), "%s/%s", path, names[i]) == 0)
                        seen += kill_members(sub, depth + 1);
        }
        return seen;
}

int iso_cg_kill_all(const char *path, double timeout_s, struct iso_err *e)
{
        char file[PATH_MAX];
        if (iso_pathf(file, sizeof(file), "%s/cgroup.kill", path) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", path);
        /* cgroup.kill also reaches processes forked while we iterate (cgroup-v2.rst). */
        if (access(file, W_OK) == 0)
                iso_write_file(file, "1", NULL);
        double deadline = iso_now() + timeout_s;
        for (;;) {
                if (kill_members(path, 0) == 0)
                        return 0;
                if (iso_now() > deadline)
                        break;
                sleep_ms(5);
        }
        char who[512] = "";
        describe_pids(path, who, sizeof(who));
        return iso_errf(e, EBUSY, "kill processes in %s: still there after %.1f s:%s", path,
                        timeout_s, who);
}

static int remove_rec(const char *path, double deadline, int depth, struct iso_err *e)
{
        char names[64][256];
        long k = iso_cg_children(path, names, ISO_ARRAY_SIZE(names), e);
        if (k < 0)
                return -1;
        if (depth < 16) {
                for (long i = 0; i < k && i < (long)ISO_ARRAY_SIZE(names); i++) {
                        char sub[PATH_MAX];
                        if (iso_pathf(sub, sizeof(sub), "%s/%s", path, names[i]) < 0)
                                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", path);
                        if (remove_rec(sub, deadline, depth + 1, e) < 0)
                                return -1;
                }
        }
        for (;;) {
                if (rmdir(path) == 0 || errno == ENOENT)
                        return 0;
                /* EBUSY: a killed task may still be exiting and charged to the cgroup. */
                if (errno != EBUSY || iso_now() > deadline)
                        break;
                kill_members(path, 0);
                sleep_ms(5);
        }
        int saved = errno;
        char who[512] = "";
        describe_pids(path, who, sizeof(who));
        return iso_errf(e, saved, "rmdir %s%s%s", path, *who ? ", processes still inside:" : "",
                        who);
}

int iso_cg_remove_tree(const char *path, double timeout_s, struct iso_err *e)
{
        struct stat st;
        if (stat(path, &st) < 0 && errno == ENOENT)
                return 0;
        if (iso_cg_kill_all(path, timeout_s, e) < 0)
                return -1;
        return remove_rec(path, iso_now() + timeout_s, 0, e);
}
