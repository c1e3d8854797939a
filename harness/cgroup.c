// SPDX-License-Identifier: MIT
#include "isocheck/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

int iso_cg_track_hierarchy(const struct iso_env *env, char *mount, size_t size)
{
        static const char *const v1_pref[] = {"pids", "name=systemd", "memory", "freezer"};
        /* Only a writable one will do: a container may mount some hierarchies read-only. */
        const struct iso_cg_hierarchy *h = iso_env_hierarchy(env, NULL);
        if (h && h->readonly)
                h = NULL;
        for (size_t i = 0; !h && i < ISO_ARRAY_SIZE(v1_pref); i++) {
                h = iso_env_hierarchy(env, v1_pref[i]);
                if (h && h->readonly)
                        h = NULL;
        }
        for (size_t i = 0; !h && i < env->n_hierarchies; i++)
                if (!env->hierarchies[i].readonly)
                        h = &env->hierarchies[i];
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

/* Members of @path and the cgroups below it, as this PID namespace sees them. */
struct members {
        long shown;  /* PIDs described so far (at most 8) */
        long more;   /* visible PIDs past those */
        long hidden; /* listed as 0: in a PID namespace this one cannot see */
};

/* Appends " PID (comm)" for up to 8 PIDs of @path and the cgroups below it to @out: the
 * members are usually in the leaves, not in @path itself. */
static void describe_rec(const char *path, int depth, struct members *m, char *out, size_t size)
{
        pid_t pids[512];
        long n = iso_cg_pids(path, pids, ISO_ARRAY_SIZE(pids), NULL);
        size_t len = strlen(out);
        for (long i = 0; i < n && i < (long)ISO_ARRAY_SIZE(pids); i++) {
                if (pids[i] <= 0) {
                        m->hidden++;
                        continue;
                }
                if (m->shown >= 8 || len >= size) {
                        m->more++;
                        continue;
                }
                char file[64], comm[64] = "?";
                snprintf(file, sizeof(file), "/proc/%d/comm", (int)pids[i]);
                char *c = iso_read_file(file, NULL, NULL);
                if (c) {
                        c[strcspn(c, "\n")] = '\0';
                        snprintf(comm, sizeof(comm), "%s", c);
                        free(c);
                }
                len += (size_t)snprintf(out + len, size - len, " %d (%s)", (int)pids[i], comm);
                m->shown++;
        }
        if (depth > 16)
                return;
        char names[64][256];
        long k = iso_cg_children(path, names, ISO_ARRAY_SIZE(names), NULL);
        for (long i = 0; i < k && i < (long)ISO_ARRAY_SIZE(names); i++) {
                char sub[PATH_MAX];
                if (iso_pathf(sub, sizeof(sub), "%s/%s", path, names[i]) == 0)
                        describe_rec(sub, depth + 1, m, out, size);
        }
}

static void describe_pids(const char *path, char *out, size_t size)
{
        struct members m = {0};
        describe_rec(path, 0, &m, out, size);
        if (m.more)
                iso_appendf(out, size, " and %ld more", m.more);
        if (m.hidden)
                iso_appendf(out, size, "%s%ld not visible from this PID namespace",
                            m.shown || m.more ? " and " : " ", m.hidden);
        if (!m.shown && !m.more && !m.hidden)
                iso_appendf(out, size, " none that this PID namespace can see");
}

/*
 * SIGKILL every member of @path and its children once; returns how many were seen and
 * adds to *@hidden those listed as 0. cgroup.procs lists a task outside the reader's PID
 * namespace as 0 (pid_vnr), and kill(0, SIGKILL) would hit the caller's own process
 * group: a PID <= 0 is never signalled.
 */
static long kill_members(const char *path, int depth, long *hidden)
{
        pid_t pids[512];
        long n = iso_cg_pids(path, pids, ISO_ARRAY_SIZE(pids), NULL);
        long seen = n > 0 ? n : 0;
        for (long i = 0; i < n && i < (long)ISO_ARRAY_SIZE(pids); i++) {
                if (pids[i] > 0)
                        kill(pids[i], SIGKILL);
                else
                        (*hidden)++;
        }
        if (depth > 16)
                return seen;
        char names[64][256];
        long k = iso_cg_children(path, names, ISO_ARRAY_SIZE(names), NULL);
        for (long i = 0; i < k && i < (long)ISO_ARRAY_SIZE(names); i++) {
                char sub[PATH_MAX];
                if (iso_pathf(sub, sizeof(sub), "%s/%s", path, names[i]) == 0)
                        seen += kill_members(sub, depth + 1, hidden);
        }
        return seen;
}

/* Members of @path (and below) this PID namespace cannot see: listed as 0. */
static long hidden_members(const char *path)
{
        struct members m = {0};
        char sink[8] = "";
        describe_rec(path, 0, &m, sink, sizeof(sink));
        return m.hidden;
}

int iso_cg_kill_all(const char *path, double timeout_s, struct iso_err *e)
{
        char file[PATH_MAX];
        if (iso_pathf(file, sizeof(file), "%s/cgroup.kill", path) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", path);
        /* Members this view cannot see belong to a PID namespace above or beside ours:
         * whoever runs them is not ours to stop, not even through cgroup.kill. */
        long hidden = hidden_members(path);
        if (hidden)
                return iso_errf(e, EPERM,
                                "kill processes in %s: %ld of them are in a PID namespace this "
                                "one cannot see (cgroup.procs lists them as 0), so the cgroup "
                                "is not ours to empty",
                                path, hidden);
        /* cgroup.kill also reaches processes forked while we iterate (cgroup-v2.rst). */
        if (access(file, W_OK) == 0)
                iso_write_file(file, "1", NULL);
        double deadline = iso_now() + timeout_s;
        for (;;) {
                if (kill_members(path, 0, &hidden) == 0)
                        return 0;
                if (hidden || iso_now() > deadline)
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
                long hidden = 0;
                kill_members(path, 0, &hidden);
                if (hidden)
                        break;
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

/* The hierarchy that holds @ctrl: a v1 hierarchy listing it wins (hybrid mode keeps
 * memory on v1 even though a cgroup2 mount exists), else the cgroup2 mount when its
 * cgroup.controllers lists it. */
static const struct iso_cg_hierarchy *hierarchy_of(const struct iso_env *env, const char *ctrl)
{
        if (!ctrl) /* a cgroup of the v2 hierarchy, with no controller of its own */
                return iso_env_hierarchy(env, NULL);
        const struct iso_cg_hierarchy *h = iso_env_hierarchy(env, ctrl);
        if (h)
                return h;
        const struct iso_cg_hierarchy *v2 = iso_env_hierarchy(env, NULL);
        if (!v2)
                return NULL;
        char list[sizeof(v2->controllers) + 2];
        char want[64];
        snprintf(list, sizeof(list), " %s ", v2->controllers);
        snprintf(want, sizeof(want), " %s ", ctrl);
        return strstr(list, want) ? v2 : NULL;
}

/* Is @ctrl listed in @dir/cgroup.subtree_control? */
static int subtree_has(const char *dir, const char *ctrl)
{
        char file[PATH_MAX];
        if (iso_pathf(file, sizeof(file), "%s/cgroup.subtree_control", dir) < 0)
                return 0;
        iso_autofree char *s = iso_read_file(file, NULL, NULL);
        if (!s)
                return 0;
        for (char *save = NULL, *w = strtok_r(s, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
                if (!strcmp(w, ctrl))
                        return 1;
        return 0;
}

static int enable_in(const char *dir, const char *ctrl, struct iso_err *e)
{
        if (subtree_has(dir, ctrl))
                return 0;
        char file[PATH_MAX], value[64];
        if (iso_pathf(file, sizeof(file), "%s/cgroup.subtree_control", dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s", dir);
        snprintf(value, sizeof(value), "+%s", ctrl);
        return iso_write_file(file, value, e);
}

int iso_cg_make(const struct iso_env *env, const char *ctrl, const char *scope, const char *name,
                struct iso_cg *cg, struct iso_err *e)
{
        memset(cg, 0, sizeof(*cg));
        const struct iso_cg_hierarchy *h = hierarchy_of(env, ctrl);
        if (!h)
                return iso_errf(e, ENOENT,
                                "no mounted cgroup hierarchy offers the %s controller "
                                "(cgroup mode %s)",
                                ctrl ? ctrl : "(any: cgroup v2)", iso_cg_mode_name(env->cg_mode));
        if (h->readonly)
                return iso_errf(e, EROFS, "cgroupfs %s (holding %s) is mounted read-only", h->mount,
                                ctrl);
        cg->version = h->version;
        if (iso_pathf(cg->rel, sizeof(cg->rel), "/%s/%s", scope, name) < 0 ||
            iso_pathf(cg->path, sizeof(cg->path), "%s%s", h->mount, cg->rel) < 0 ||
            iso_cg_view_path(h->root, cg->rel, cg->view, sizeof(cg->view)) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup path %s/%s/%s", h->mount, scope, name);

        /* v2: a controller reaches a cgroup only if every ancestor enables it for its
         * children. The root is the host's: we use it as it is and never change it. */
        if (h->version == 2 && ctrl && !subtree_has(h->mount, ctrl))
                return iso_errf(e, ENOTSUP,
                                "the %s controller is not enabled in "
                                "%s/cgroup.subtree_control (isocheck leaves the root's "
                                "controllers as they are)",
                                ctrl, h->mount);
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", h->mount);
        char parts[PATH_MAX];
        snprintf(parts, sizeof(parts), "%s", scope);
        for (char *save = NULL, *p = strtok_r(parts, "/", &save); p;
             p = strtok_r(NULL, "/", &save)) {
                size_t len = strlen(dir);
                if (iso_pathf(dir + len, sizeof(dir) - len, "/%s", p) < 0)
                        return iso_errf(e, ENAMETOOLONG, "cgroup path %s", cg->path);
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return iso_errf(e, errno, "mkdir %s", dir);
                if (h->version == 2 && ctrl && enable_in(dir, ctrl, e) < 0)
                        return -1;
        }
        return iso_cg_create(cg->path, e);
}

int iso_cg_destroy(const struct iso_cg *cg, struct iso_err *e)
{
        return iso_cg_remove_tree(cg->path, 2.0, e);
}

int iso_cg_file(const struct iso_cg *cg, const char *file, char *out, size_t size)
{
        return iso_pathf(out, size, "%s/%s", cg->path, file);
}

int iso_cg_write(const struct iso_cg *cg, const char *file, const char *value, struct iso_err *e)
{
        char path[PATH_MAX];
        if (iso_cg_file(cg, file, path, sizeof(path)) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup file %s/%s", cg->path, file);
        return iso_write_file(path, value, e);
}

char *iso_cg_read(const struct iso_cg *cg, const char *file, struct iso_err *e)
{
        char path[PATH_MAX];
        if (iso_cg_file(cg, file, path, sizeof(path)) < 0) {
                iso_errf(e, ENAMETOOLONG, "cgroup file %s/%s", cg->path, file);
                return NULL;
        }
        return iso_read_file(path, NULL, e);
}

int iso_keyed_value(const char *text, const char *key, long long *out)
{
        size_t klen = strlen(key);
        if (!klen)
                return -1; /* no file has an empty key */
        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                if (strncmp(l, key, klen) || l[klen] != ' ')
                        continue;
                /* strtoll would skip a newline and read the next line's number (fuzzer):
                 * blanks may come first, a line end may not. */
                const char *v0 = l + klen + 1;
                while (*v0 && *v0 != '\n' && strchr(" \t\v\f\r", *v0))
                        v0++;
                if (!(*v0 == '-' || *v0 == '+' || (*v0 >= '0' && *v0 <= '9')))
                        return -1;
                char *end;
                errno = 0;
                long long v = strtoll(v0, &end, 10);
                if (errno || end == v0 || (*end && *end != '\n'))
                        return -1;
                *out = v;
                return 0;
        }
        return -1;
}

int iso_cg_read_key(const struct iso_cg *cg, const char *file, const char *key, long long *out,
                    struct iso_err *e)
{
        iso_autofree char *s = iso_cg_read(cg, file, e);
        if (!s)
                return -1;
        if (iso_keyed_value(s, key, out) < 0)
                return iso_errf(e, ENODATA, "%s/%s has no integer \"%s\" entry", cg->path, file,
                                key);
        return 0;
}

int iso_cg_read_value(const struct iso_cg *cg, const char *file, long long *out, struct iso_err *e)
{
        iso_autofree char *s = iso_cg_read(cg, file, e);
        if (!s)
                return -1;
        if (!strcmp(s, "max\n") || !strcmp(s, "max")) {
                *out = -1;
                return 0;
        }
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || (*end && *end != '\n'))
                return iso_errf(e, EINVAL, "%s/%s: expected an integer or \"max\", got \"%.40s\"",
                                cg->path, file, s);
        *out = v;
        return 0;
}

pid_t iso_cg_spawn(const struct iso_cg *cg, int (*fn)(void *), void *arg, struct iso_err *e)
{
        const char *file = cg->version == 1 ? "tasks" : "cgroup.procs";
        char path[PATH_MAX];
        if (iso_cg_file(cg, file, path, sizeof(path)) < 0)
                return iso_errf(e, ENAMETOOLONG, "cgroup file %s/%s", cg->path, file);
        /* The child reports only a failure to join; EOF (it closed its end) means in. */
        int fd;
        pid_t parent = getpid();
        pid_t pid = iso_fork_piped(&fd, e);
        if (pid < 0)
                return -1;
        if (pid == 0) {
                /* A hog dies with the case that spawned it, even one killed outright. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(127);
                char self[32];
                snprintf(self, sizeof(self), "%d", (int)getpid());
                struct iso_err ce = {0};
                if (iso_write_file(path, self, &ce) < 0) {
                        int err = ce.errnum ? ce.errnum : EIO;
                        (void)!write(fd, &err, sizeof(err));
                        _exit(127);
                }
                close(fd);
                _exit(fn(arg));
        }
        int err = 0;
        ssize_t r;
        do
                r = read(fd, &err, sizeof(err));
        while (r < 0 && errno == EINTR);
        close(fd);
        if (r == (ssize_t)sizeof(err)) {
                waitpid(pid, NULL, 0);
                return iso_errf(e, err, "write PID %d to %s", (int)pid, path);
        }
        return pid;
}

int iso_cg_exec(void *argv)
{
        char *const *av = argv;
        execvp(av[0], av);
        fprintf(stderr, "isocheck: execvp %s: %s\n", av[0], strerror(errno));
        return 127;
}

int iso_cg_view_path(const char *mount_root, const char *rel, char *out, size_t size)
{
        /* A root of "/" adds nothing; any other root is the namespace-relative path of the
         * mount's top, and rel continues from there. */
        const char *prefix = strcmp(mount_root, "/") ? mount_root : "";
        if (iso_pathf(out, size, "%s%s", prefix, rel) < 0)
                return -1;
        return 0;
}

int iso_cg_proc_path(const char *text, int version, const char *ctrl, char *out, size_t size)
{
        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                /* "ID:CONTROLLERS:PATH"; v2 is "0::PATH" (cgroups(7)). */
                const char *eol = strchr(l, '\n');
                size_t len = eol ? (size_t)(eol - l) : strlen(l);
                const char *c1 = memchr(l, ':', len);
                const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - l)) : NULL;
                if (!c2)
                        continue;
                size_t nctrl = (size_t)(c2 - c1 - 1);
                int mine = 0;
                if (version == 2) {
                        mine = nctrl == 0;
                } else if (ctrl && *ctrl) {
                        size_t want = strlen(ctrl);
                        for (const char *w = c1 + 1; w < c2 && !mine;) {
                                const char *comma = memchr(w, ',', (size_t)(c2 - w));
                                const char *end = comma ? comma : c2;
                                mine = (size_t)(end - w) == want && !strncmp(w, ctrl, want);
                                w = end + 1;
                        }
                }
                if (!mine)
                        continue;
                size_t plen = len - (size_t)(c2 + 1 - l);
                if (plen >= size)
                        return -1;
                memcpy(out, c2 + 1, plen);
                out[plen] = '\0';
                return 0;
        }
        return -1;
}

int iso_cg_contains(const struct iso_cg *cg, const char *ctrl, pid_t pid, char *seen, size_t size,
                    struct iso_err *e)
{
        char file[64];
        snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
        iso_autofree char *s = iso_read_file(file, NULL, e);
        if (!s)
                return -1;
        char path[PATH_MAX];
        if (size)
                seen[0] = '\0';
        if (iso_cg_proc_path(s, cg->version, ctrl, path, sizeof(path)) < 0)
                return 0;
        if (size)
                snprintf(seen, size, "%s", path);
        /* Both in this process's frame: /proc/PID/cgroup and mountinfo print paths relative
         * to the reader's cgroup namespace root, which cg->view was built from. */
        return !strcmp(path, cg->view);
}
