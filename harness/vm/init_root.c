// SPDX-License-Identifier: MIT
/*
 * The guest init's copy of the initramfs into a tmpfs, and the emptying of rootfs after
 * it (what switch_root(8) does): plain openat/read/write over directory fds, because the
 * init is static and the copy must stay on one file system (@dev) without following links.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init.h"

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st, struct iso_err *e)
{
        iso_autoclose int in = openat(sdir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

        if (in < 0)
                return iso_errf(e, errno, "open %s for copying", name);
        iso_autoclose int out =
                openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);

        if (out < 0)
                return iso_errf(e, errno, "create %s in the new root", name);
        char buf[65536];

        for (;;) {
                ssize_t r = read(in, buf, sizeof(buf));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return iso_errf(e, errno, "read %s", name);
                if (r == 0)
                        break;
                for (ssize_t off = 0; off < r;) {
                        ssize_t w = write(out, buf + off, (size_t)(r - off));

                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return iso_errf(e, errno, "write %s in the new root", name);
                        off += w;
                }
        }
        if (fchmod(out, st->st_mode & 07777) < 0)
                return iso_errf(e, errno, "chmod %s", name);
        return 0;
}

int iso_init_copy_tree(int sdir, int ddir, const char *skip, dev_t dev, struct iso_err *e)
{
        int dup_fd = dup(sdir);

        if (dup_fd < 0)
                return iso_errf(e, errno, "dup");
        DIR *d = fdopendir(dup_fd);

        if (!d) {
                close(dup_fd);
                return iso_errf(e, errno, "fdopendir");
        }
        rewinddir(d);
        struct dirent *de;
        int rc = 0;

        while (rc == 0 && (de = readdir(d))) {
                const char *n = de->d_name;
                struct stat st;

                if (!strcmp(n, ".") || !strcmp(n, "..") || (skip && !strcmp(n, skip)))
                        continue;
                if (fstatat(sdir, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        rc = iso_errf(e, errno, "stat %s", n);
                        break;
                }
                if (st.st_dev != dev)
                        continue; /* a mount point: not part of rootfs */
                if (S_ISDIR(st.st_mode)) {
                        if (mkdirat(ddir, n, st.st_mode & 07777) < 0 && errno != EEXIST) {
                                rc = iso_errf(e, errno, "mkdir %s in the new root", n);
                                break;
                        }
                        int s2 = openat(sdir, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        int d2 = openat(ddir, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        if (s2 < 0 || d2 < 0)
                                rc = iso_errf(e, errno, "open directory %s", n);
                        else
                                rc = iso_init_copy_tree(s2, d2, NULL, dev, e);
                        if (s2 >= 0)
                                close(s2);
                        if (d2 >= 0)
                                close(d2);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t len = readlinkat(sdir, n, target, sizeof(target) - 1);

                        if (len < 0) {
                                rc = iso_errf(e, errno, "readlink %s", n);
                                break;
                        }
                        target[len] = '\0';
                        if (symlinkat(target, ddir, n) < 0)
                                rc = iso_errf(e, errno, "symlink %s in the new root", n);
                } else if (S_ISREG(st.st_mode)) {
                        rc = copy_file(sdir, ddir, n, &st, e);
                } else if (mknodat(ddir, n, st.st_mode, st.st_rdev) < 0) {
                        rc = iso_errf(e, errno, "mknod %s in the new root", n);
                }
        }
        closedir(d);
        return rc;
}

void iso_init_remove_tree(int dfd, const char *skip, dev_t dev)
{
        int dup_fd = dup(dfd);
        DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;

        if (!d) {
                if (dup_fd >= 0)
                        close(dup_fd);
                return;
        }
        rewinddir(d);
        struct dirent *de;

        while ((de = readdir(d))) {
                const char *n = de->d_name;
                struct stat st;

                if (!strcmp(n, ".") || !strcmp(n, "..") || (skip && !strcmp(n, skip)))
                        continue;
                if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        if (sub >= 0) {
                                iso_init_remove_tree(sub, NULL, dev);
                                close(sub);
                        }
                        unlinkat(dfd, n, AT_REMOVEDIR);
                } else {
                        unlinkat(dfd, n, 0);
                }
        }
        closedir(d);
}
