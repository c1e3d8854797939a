// SPDX-License-Identifier: MIT
/*
 * Files the VM target writes on the host: its work directory, the report directories and
 * what the guest sends back. isocheck-vm usually runs as root and writes where other
 * users may write (a shared checkout, --output under /tmp), so nothing is opened through
 * a path component another user could have swapped for a link: directories are opened
 * O_NOFOLLOW and must be ours, files are created O_EXCL | O_NOFOLLOW relative to them.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int iso_vm_dir_open(int at, const char *name, const char *shown, struct iso_err *e)
{
        struct stat st;

        if (mkdirat(at, name, 0700) < 0 && errno != EEXIST)
                return iso_errf(e, errno, "mkdir %s", shown);
        int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
                return iso_errf(e, errno, "expected %s to be a directory, found %s: refused", shown,
                                fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                                S_ISLNK(st.st_mode)
                                        ? "a symbolic link"
                                        : "another kind of file");
        if (fd < 0)
                return iso_errf(e, errno, "open the directory %s", shown);
        if (fstat(fd, &st) < 0) {
                int saved = errno;

                close(fd);
                return iso_errf(e, saved, "stat %s", shown);
        }
        if (st.st_uid != geteuid()) {
                close(fd);
                return iso_errf(e, EPERM,
                                "expected %s to be a directory of uid %u (this run), but it is "
                                "owned by uid %u: refused",
                                shown, (unsigned)geteuid(), (unsigned)st.st_uid);
        }
        return fd;
}

int iso_vm_out_open(const char *path, struct iso_err *e)
{
        char parent[PATH_MAX], base[PATH_MAX];

        if (iso_pathf(parent, sizeof(parent), "%s", path) < 0 ||
            iso_pathf(base, sizeof(base), "%s", path) < 0)
                return iso_errf(e, ENAMETOOLONG, "output directory %s", path);
        const char *b = basename(base);
        const char *p = dirname(parent);

        /* Made and opened without following a link another user controls (root would
         * write the VM's reports wherever they point it). */
        int pfd = iso_open_dir_nofollow(p, 1, e);

        if (pfd < 0)
                return -1;
        struct stat st;
        int fd;

        if (!strcmp(b, "/") || !strcmp(b, ".") || !strcmp(b, "..")) {
                fd = openat(pfd, b, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        iso_errf(e, errno, "open the output directory %s", path);
        } else {
                if (mkdirat(pfd, b, 0755) < 0 && errno != EEXIST) {
                        iso_errf(e, errno, "mkdir %s", path);
                        close(pfd);
                        return -1;
                }
                /* The last component is ours to judge: never a link. */
                fd = openat(pfd, b, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
                        iso_errf(e, errno, "expected the output directory %s, found %s: refused",
                                 path,
                                 fstatat(pfd, b, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                                 S_ISLNK(st.st_mode)
                                         ? "a symbolic link"
                                         : "another kind of file");
                else if (fd < 0)
                        iso_errf(e, errno, "open the output directory %s", path);
        }
        close(pfd);
        return fd;
}

int iso_vm_file_create(int dirfd, const char *name, const char *shown, struct iso_err *e)
{
        struct stat st;

        /* A stale file (or a planted link) goes; the link's target is never touched. */
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISDIR(st.st_mode))
                        return iso_errf(e, EISDIR,
                                        "expected to create the file %s, found a "
                                        "directory: refused",
                                        shown);
                if (unlinkat(dirfd, name, 0) < 0)
                        return iso_errf(e, errno, "remove the old %s", shown);
        }
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd < 0)
                return iso_errf(e, errno, "create %s exclusively", shown);
        return fd;
}

int iso_vm_file_write(int dirfd, const char *name, const char *shown, const void *data, size_t len,
                      struct iso_err *e)
{
        char tmp[NAME_MAX + 1];
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        if (strlen(name) > NAME_MAX - 40 || iso_pathf(tmp, sizeof(tmp), ".%s.tmp.%d.%lx", name,
                                                      (int)getpid(), (unsigned long)ts.tv_nsec) < 0)
                return iso_errf(e, ENAMETOOLONG, "write %s", shown);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd < 0)
                return iso_errf(e, errno, "create a temporary file for %s exclusively", shown);
        int rc = 0;

        if (iso_write_all(fd, data, len) < 0)
                rc = iso_errf(e, errno, "write %s", shown);
        else if (fsync(fd) < 0 && errno != EINVAL)
                rc = iso_errf(e, errno, "fsync %s", shown);
        if (close(fd) < 0 && rc == 0)
                rc = iso_errf(e, errno, "close %s", shown);
        /* rename(2) replaces a link at @name; it never writes through it. */
        if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                rc = iso_errf(e, errno, "rename into %s", shown);
        if (rc < 0)
                unlinkat(dirfd, tmp, 0);
        return rc;
}

int iso_vm_store(int dirfd, const char *dir_shown, const char *rel, const void *data, size_t len,
                 struct iso_err *e)
{
        char path[ISO_VM_NAME_MAX + 1], shown[PATH_MAX];
        int fd = dup(dirfd);

        if (!iso_vm_name_ok(rel))
                return iso_errf(e, EINVAL, "file name \"%.60s\" refused", rel);
        if (fd < 0)
                return iso_errf(e, errno, "dup");
        iso_strlcpy(path, rel, sizeof(path));
        char *comp = path;

        for (char *slash; (slash = strchr(comp, '/')); comp = slash + 1) {
                *slash = '\0';
                iso_pathf(shown, sizeof(shown), "%s/%s", dir_shown, path);
                int sub = iso_vm_dir_open(fd, comp, shown, e);

                close(fd);
                if (sub < 0)
                        return -1;
                fd = sub;
                *slash = '/';
        }
        iso_pathf(shown, sizeof(shown), "%s/%s", dir_shown, rel);
        int rc = iso_vm_file_write(fd, comp, shown, data, len, e);

        close(fd);
        return rc;
}

int iso_vm_workdir(char *out, size_t size, struct iso_err *e)
{
        const char *tmp = getenv("TMPDIR");

        /* TMPDIR as mktemp(1) takes it; a relative or empty one is not a directory to trust. */
        if (!tmp || tmp[0] != '/')
                tmp = "/tmp";
        if (iso_pathf(out, size, "%s/isocheck-vm.XXXXXX", tmp) < 0)
                return iso_errf(e, ENAMETOOLONG, "work directory under %s", tmp);
        /* mkdtemp(3): created exclusively, mode 0700. */
        if (!mkdtemp(out))
                return iso_errf(e, errno, "create a work directory under %s (TMPDIR)", tmp);
        return 0;
}
