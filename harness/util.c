// SPDX-License-Identifier: MIT
#include "isocheck/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

int iso_errf(struct iso_err *e, int errnum, const char *fmt, ...)
{
        if (!e)
                return -1;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        if (n < 0)
                e->msg[0] = '\0';
        size_t len = strlen(e->msg);
        if (errnum && len < sizeof(e->msg))
                snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(errnum));
        e->errnum = errnum;
        return -1;
}

int iso_err_setf(struct iso_err *e, int errnum, const char *fmt, ...)
{
        if (!e)
                return -1;
        va_list ap;
        va_start(ap, fmt);
        if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0)
                e->msg[0] = '\0';
        va_end(ap);
        e->errnum = errnum;
        return -1;
}

char *iso_read_file(const char *path, size_t *len, struct iso_err *e)
{
        iso_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                iso_errf(e, errno, "open %s", path);
                return NULL;
        }
        size_t cap = 4096, used = 0;
        char *buf = malloc(cap);
        if (!buf) {
                iso_errf(e, ENOMEM, "read %s", path);
                return NULL;
        }
        for (;;) {
                if (cap - used < 2) {
                        char *nb = realloc(buf, cap * 2);
                        if (!nb) {
                                free(buf);
                                iso_errf(e, ENOMEM, "read %s", path);
                                return NULL;
                        }
                        buf = nb;
                        cap *= 2;
                }
                ssize_t r = read(fd, buf + used, cap - used - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        int saved = errno;
                        free(buf);
                        iso_errf(e, saved, "read %s", path);
                        return NULL;
                }
                if (r == 0)
                        break;
                used += (size_t)r;
        }
        buf[used] = '\0';
        if (len)
                *len = used;
        return buf;
}

int iso_write_file(const char *path, const char *s, struct iso_err *e)
{
        iso_autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return iso_errf(e, errno, "open %s for writing", path);
        size_t n = strlen(s);
        ssize_t w = write(fd, s, n);
        if (w < 0)
                return iso_errf(e, errno, "write \"%s\" to %s", s, path);
        if ((size_t)w != n)
                return iso_errf(e, EIO, "write \"%s\" to %s: short write (%zd of %zu bytes)", s,
                                path, w, n);
        return 0;
}

int iso_write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        if (w == 0)
                                errno = EIO;
                        return -1;
                }
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

int iso_read_all(int fd, void *buf, size_t n)
{
        char *p = buf;
        while (n) {
                ssize_t r = read(fd, p, n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0) {
                        if (r == 0)
                                errno = EPIPE;
                        return -1;
                }
                p += r;
                n -= (size_t)r;
        }
        return 0;
}

int iso_read_long(const char *path, long long *out, struct iso_err *e)
{
        iso_autofree char *s = iso_read_file(path, NULL, e);
        if (!s)
                return -1;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || (*end && *end != '\n'))
                return iso_errf(e, EINVAL, "read %s: expected one integer, got \"%.40s\"", path, s);
        *out = v;
        return 0;
}

int iso_pathf(char *buf, size_t size, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, size, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= size) {
                errno = ENAMETOOLONG;
                return -1;
        }
        return 0;
}

void iso_appendf(char *buf, size_t size, const char *fmt, ...)
{
        size_t len = strnlen(buf, size);
        if (len + 1 >= size)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf + len, size - len, fmt, ap);
        va_end(ap);
}

size_t iso_strlcpy(char *dst, const char *src, size_t size)
{
        size_t len = strlen(src);
        if (size) {
                size_t n = len < size - 1 ? len : size - 1;
                memcpy(dst, src, n);
                dst[n] = '\0';
        }
        return len;
}

double iso_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int iso_mkdir_p(const char *path, struct iso_err *e)
{
        char tmp[PATH_MAX];
        if (iso_pathf(tmp, sizeof(tmp), "%s", path) < 0)
                return iso_errf(e, ENAMETOOLONG, "mkdir %s", path);
        for (char *p = tmp + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                        return iso_errf(e, errno, "mkdir %s", tmp);
                *p = '/';
        }
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                return iso_errf(e, errno, "mkdir %s", tmp);
        return 0;
}

int iso_write_atomic(const char *path, const void *data, size_t len, struct iso_err *e)
{
        char tmp[PATH_MAX];
        if (iso_pathf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) < 0)
                return iso_errf(e, ENAMETOOLONG, "write %s", path);
        /* Exclusive and never through a link: the directory may be writable by others. A
         * leftover of a dead process that had our pid is replaced, never followed. */
        int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        int fd = open(tmp, flags, 0644);
        if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
                fd = open(tmp, flags, 0644);
        if (fd < 0)
                return iso_errf(e, errno, "create %s (exclusively, not through a link)", tmp);
        if (iso_write_all(fd, data, len) < 0) {
                int saved = errno == EIO ? ENOSPC : errno;
                close(fd);
                unlink(tmp);
                return iso_errf(e, saved, "write %s", tmp);
        }
        if (fsync(fd) < 0 && errno != EINVAL) {
                int saved = errno;
                close(fd);
                unlink(tmp);
                return iso_errf(e, saved, "fsync %s", tmp);
        }
        if (close(fd) < 0) {
                int saved = errno;
                unlink(tmp);
                return iso_errf(e, saved, "close %s", tmp);
        }
        if (rename(tmp, path) < 0) {
                int saved = errno;
                unlink(tmp);
                return iso_errf(e, saved, "rename %s to %s", tmp, path);
        }
        return 0;
}

int iso_write_new_at(int dirfd, const char *name, const char *shown, const void *data, size_t len,
                     struct iso_err *e)
{
        int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        int fd = openat(dirfd, name, flags, 0644);
        if (fd < 0)
                return iso_errf(e, errno, "create %s/%s (exclusively, not through a link)", shown,
                                name);
        if (iso_write_all(fd, data, len) < 0 || (fsync(fd) < 0 && errno != EINVAL)) {
                int saved = errno == EIO ? ENOSPC : errno;
                close(fd);
                unlinkat(dirfd, name, 0);
                return iso_errf(e, saved, "write %s/%s", shown, name);
        }
        if (close(fd) < 0) {
                int saved = errno;
                unlinkat(dirfd, name, 0);
                return iso_errf(e, saved, "close %s/%s", shown, name);
        }
        return 0;
}

/* Depth-bounded: a tree the run made is two levels deep; 32 is far beyond any of ours. */
static int remove_tree_at(int dfd, const char *name, const char *shown, int depth,
                          struct iso_err *e)
{
        if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return iso_errf(e, errno, "unlink %s/%s", shown, name);
        if (depth > 32)
                return iso_errf(e, ELOOP, "remove %s/%s: deeper than 32 levels", shown, name);
        /* O_NOFOLLOW: a link swapped in meanwhile is not descended into. */
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return iso_errf(e, errno, "open %s/%s", shown, name);
        DIR *d = fdopendir(fd);
        if (!d) {
                int saved = errno;
                close(fd);
                return iso_errf(e, saved, "fdopendir %s/%s", shown, name);
        }
        char sub[PATH_MAX];
        iso_pathf(sub, sizeof(sub), "%s/%s", shown, name);
        int rc = 0;
        for (struct dirent *de; rc == 0 && (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                rc = remove_tree_at(fd, de->d_name, sub, depth + 1, e);
        }
        closedir(d);
        if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return iso_errf(e, errno, "rmdir %s/%s", shown, name);
        return rc;
}

int iso_remove_tree_at(int dirfd, const char *name, const char *shown, struct iso_err *e)
{
        if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
                return iso_errf(e, EINVAL, "remove %s/%s: a plain name is expected", shown, name);
        return remove_tree_at(dirfd, name, shown, 0, e);
}

static int trusted_uid(uid_t uid)
{
        return uid == 0 || uid == geteuid();
}

/* Could a user other than root and this run's replace an entry owned by @owner in the
 * directory @dir? Its owner can (chmod, then anything); so can anyone with write access,
 * unless the sticky bit keeps them to their own entries. */
static int replaceable_in(const struct stat *dir, uid_t owner)
{
        if (!trusted_uid(dir->st_uid))
                return 1;
        if (!(dir->st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        return !(dir->st_mode & S_ISVTX) || !trusted_uid(owner);
}

int iso_open_dir_nofollow(const char *path, int create, struct iso_err *e)
{
        /* rest: what is left to walk (a link's target is put in front of it); seen: the
         * path walked so far, for messages. */
        char rest[2 * PATH_MAX], seen[PATH_MAX], name[NAME_MAX + 1];
        if (iso_pathf(rest, sizeof(rest), "%s", path) < 0 || !*path)
                return iso_errf(e, ENAMETOOLONG, "open the directory %s", path);
        iso_strlcpy(seen, path[0] == '/' ? "" : ".", sizeof(seen));
        int fd = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return iso_errf(e, errno, "open the directory %s", path[0] == '/' ? "/" : ".");
        int links = 0;
        char *p = rest;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        return fd;
                size_t n = strcspn(p, "/");
                if (n > NAME_MAX) {
                        close(fd);
                        return iso_errf(e, ENAMETOOLONG, "open %s/%.40s...", seen, p);
                }
                memcpy(name, p, n);
                name[n] = '\0';
                p += n;
                if (!strcmp(name, "."))
                        continue;
                struct stat st, dir = {0};
                int r = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
                if (r < 0 && errno == ENOENT && create &&
                    (mkdirat(fd, name, 0755) == 0 || errno == EEXIST))
                        r = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
                if (r < 0) {
                        int saved = errno;
                        close(fd);
                        return iso_errf(e, saved, "%s %s/%s", create ? "make" : "open", seen, name);
                }
                if (S_ISLNK(st.st_mode)) {
                        /* Followed only when neither the link nor the name can be changed
                         * by another user: else they choose where this run writes. */
                        if (fstat(fd, &dir) < 0 || !trusted_uid(st.st_uid) ||
                            replaceable_in(&dir, st.st_uid)) {
                                close(fd);
                                if (!trusted_uid(st.st_uid))
                                        return iso_err_setf(
                                                e, ELOOP,
                                                "%s/%s is a link owned by uid %u, another "
                                                "user: not followed",
                                                seen, name, (unsigned)st.st_uid);
                                return iso_err_setf(
                                        e, ELOOP,
                                        "%s/%s is a link in a directory another user can "
                                        "change (owner uid %u, mode %04o): not followed",
                                        seen, name, (unsigned)dir.st_uid,
                                        (unsigned)(dir.st_mode & 07777));
                        }
                        char target[PATH_MAX], joined[2 * PATH_MAX];
                        ssize_t len = readlinkat(fd, name, target, sizeof(target) - 1);
                        if (len <= 0 || ++links > 40) {
                                int saved = len < 0 ? errno : ELOOP;
                                close(fd);
                                return iso_errf(e, saved, "follow the link %s/%s", seen, name);
                        }
                        target[len] = '\0';
                        if (iso_pathf(joined, sizeof(joined), "%s%s", target, p) < 0) {
                                close(fd);
                                return iso_errf(e, ENAMETOOLONG, "follow the link %s/%s", seen,
                                                name);
                        }
                        memcpy(rest, joined, strlen(joined) + 1);
                        p = rest;
                        if (target[0] == '/') {
                                close(fd);
                                seen[0] = '\0';
                                fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                                if (fd < 0)
                                        return iso_errf(e, errno, "open the directory /");
                        }
                        continue;
                }
                /* A directory is held by its descriptor from here on: should it become a
                 * link meanwhile, the openat below refuses it. */
                int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int saved = errno;
                close(fd);
                if (sub < 0)
                        return iso_errf(e, saved == ELOOP ? ENOTDIR : saved,
                                        "open %s/%s (a directory is expected)", seen, name);
                fd = sub;
                iso_appendf(seen, sizeof(seen), "/%s", name);
        }
}

/* File systems whose files are the kernel's interfaces, not storage: a report or an
 * artifact written there fails (EACCES, EINVAL) or changes the kernel's state. */
static const char *pseudo_fs(long type)
{
        static const struct {
                long type;
                const char *name;
        } kinds[] = {
                {PROC_SUPER_MAGIC, "proc"},
                {SYSFS_MAGIC, "sysfs"},
                {CGROUP_SUPER_MAGIC, "cgroup"},
                {CGROUP2_SUPER_MAGIC, "cgroup2"},
                {DEBUGFS_MAGIC, "debugfs"},
                {TRACEFS_MAGIC, "tracefs"},
                {SECURITYFS_MAGIC, "securityfs"},
                {BPF_FS_MAGIC, "bpf"},
                {DEVPTS_SUPER_MAGIC, "devpts"},
                {PSTOREFS_MAGIC, "pstore"},
                {EFIVARFS_MAGIC, "efivarfs"},
                {SELINUX_MAGIC, "selinuxfs"},
                {NSFS_MAGIC, "nsfs"},
                {0x62656570, "configfs"},
        };
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
                if (kinds[i].type == type)
                        return kinds[i].name;
        return NULL;
}

int iso_open_own_dir(const char *path, struct iso_err *e)
{
        int fd = iso_open_dir_nofollow(path, 0, e);
        if (fd < 0)
                return -1;
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int saved = errno;
                close(fd);
                return iso_errf(e, saved, "fstat %s", path);
        }
        if (st.st_uid != geteuid()) {
                close(fd);
                iso_errf(e, 0, "%s is owned by uid %u, not by this run's uid %u", path,
                         (unsigned)st.st_uid, (unsigned)geteuid());
                if (e)
                        e->errnum = EPERM;
                return -1;
        }
        /* Others who may write it may rename what we make there, unless it is sticky. */
        if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
                close(fd);
                iso_errf(e, 0, "%s is writable by others (mode %04o) and not sticky", path,
                         (unsigned)(st.st_mode & 07777));
                if (e)
                        e->errnum = EPERM;
                return -1;
        }
        struct statfs sfs;
        const char *fs = fstatfs(fd, &sfs) == 0 ? pseudo_fs((long)sfs.f_type) : NULL;
        if (fs) {
                close(fd);
                return iso_err_setf(
                        e, EMEDIUMTYPE,
                        "%s is on a %s file system, the kernel's interface, not storage", path, fs);
        }
        if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) < 0) {
                int saved = errno;
                close(fd);
                return iso_errf(e, saved, "cannot write in %s", path);
        }
        return fd;
}

int iso_write_atomic_at(int dirfd, const char *shown, const char *relpath, const void *data,
                        size_t len, struct iso_err *e)
{
        char rel[PATH_MAX];
        if (iso_pathf(rel, sizeof(rel), "%s", relpath) < 0 || !rel[0] || rel[0] == '/')
                return iso_errf(e, EINVAL, "write %s/%s: a relative path is expected", shown,
                                relpath);
        /* Each directory on the way is made or opened without following a link: a link
         * planted there is refused, naming it. */
        int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return iso_errf(e, errno, "write %s/%s", shown, relpath);
        char *name = rel;
        for (char *slash; (slash = strchr(name, '/'));) {
                *slash = '\0';
                if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
                        close(fd);
                        return iso_errf(e, EINVAL, "write %s/%s: a plain path is expected", shown,
                                        relpath);
                }
                if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST) {
                        int saved = errno;
                        close(fd);
                        return iso_errf(e, saved, "mkdir %s/%s", shown, rel);
                }
                int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int saved = errno;
                close(fd);
                if (sub < 0)
                        return iso_errf(e, saved == ELOOP ? ENOTDIR : saved,
                                        "open %s/%s (a directory, not a link, is expected)", shown,
                                        rel);
                fd = sub;
                *slash = '/';
                name = slash + 1;
        }
        char where[PATH_MAX]; /* the file's directory, for messages */
        if (name == rel)
                iso_strlcpy(where, shown, sizeof(where));
        else
                snprintf(where, sizeof(where), "%s/%.*s", shown, (int)(name - rel - 1), rel);
        char tmp[NAME_MAX + 1];
        int rc = 0;
        if (iso_pathf(tmp, sizeof(tmp), "%s.tmp.%d", name, (int)getpid()) < 0) {
                rc = iso_errf(e, ENAMETOOLONG, "write %s/%s", shown, relpath);
        } else {
                /* A leftover of a dead process that had our pid is replaced, not followed. */
                if (unlinkat(fd, tmp, 0) < 0 && errno != ENOENT)
                        rc = iso_errf(e, errno, "unlink %s/%s.tmp.%d", shown, relpath,
                                      (int)getpid());
                else if (iso_write_new_at(fd, tmp, where, data, len, e) < 0)
                        rc = -1;
                else if (renameat(fd, tmp, fd, name) < 0) {
                        rc = iso_errf(e, errno, "rename %s/%s.tmp.%d to %s", shown, relpath,
                                      (int)getpid(), name);
                        unlinkat(fd, tmp, 0);
                }
        }
        close(fd);
        return rc;
}

pid_t iso_fork_piped(int *fd, struct iso_err *e)
{
        int p[2];

        *fd = -1;
        if (pipe2(p, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe2 for a child's report");
        /* Unflushed stdio would be written twice, once by each process. */
        fflush(NULL);
        pid_t pid = fork();

        if (pid < 0) {
                int saved = errno;

                close(p[0]);
                close(p[1]);
                return iso_errf(e, saved, "fork");
        }
        close(pid == 0 ? p[0] : p[1]);
        *fd = pid == 0 ? p[1] : p[0];
        return pid;
}

int iso_piped_collect(pid_t pid, int fd, void *buf, size_t n)
{
        int rc = iso_read_all(fd, buf, n);
        int saved = errno;

        close(fd);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        errno = saved; /* the read's: EPIPE when the child ended first */
        return rc;
}
