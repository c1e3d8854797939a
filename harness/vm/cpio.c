// SPDX-License-Identifier: MIT
/*
 * The initramfs archive through libarchive's newc cpio writer
 * (archive_write_set_format_cpio_newc(3)): the format the kernel unpacks into rootfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst). What stays ours is the
 * policy: relative names only, inode numbers in order of addition, owner root, mtime 0,
 * and the 512-byte blocking the kernel's unpacker is happy with.
 */
#include "isocheck/vm.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libarchive's message for its last failure on @c's archive, as an iso_err. */
static int archive_fail(struct iso_cpio *c, const char *call, const char *name, struct iso_err *e)
{
        int errnum = archive_errno(c->a);
        const char *msg = archive_error_string(c->a);

        return iso_errf(e, errnum > 0 ? errnum : EIO, "%s for cpio entry %s: %s", call, name,
                        msg ? msg : "libarchive gave no message");
}

/*
 * The archive's size as the file holds it: libarchive's byte counters stop before the
 * last block's padding, and the archive starts where the fd stood (0 for a new file).
 */
static void size_written(struct iso_cpio *c)
{
        off_t end = lseek(c->fd, 0, SEEK_CUR);

        c->offset = end > c->start ? (unsigned long long)(end - c->start) : 0;
}

int iso_cpio_init(struct iso_cpio *c, int fd, struct iso_err *e)
{
        memset(c, 0, sizeof(*c));
        c->fd = fd;
        c->ino = 1;
        c->start = lseek(fd, 0, SEEK_CUR);
        if (c->start < 0)
                c->start = 0;
        c->a = archive_write_new();
        if (!c->a)
                return iso_errf(e, ENOMEM, "archive_write_new for the cpio archive");
        /* Blocks of 512 bytes, the last one padded too: the trailer ends on a 512 multiple. */
        if (archive_write_set_format_cpio_newc(c->a) != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(c->a, 512) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(c->a, 512) != ARCHIVE_OK ||
            archive_write_open_fd(c->a, fd) != ARCHIVE_OK) {
                int rc = archive_fail(c, "archive_write_open_fd", "(start)", e);

                archive_write_free(c->a);
                c->a = NULL;
                return rc;
        }
        return 0;
}

int iso_cpio_add(struct iso_cpio *c, const char *name, unsigned int mode, const void *data,
                 size_t len, unsigned int rmajor, unsigned int rminor, struct iso_err *e)
{
        if (!name || !*name || name[0] == '/')
                return iso_errf(e, EINVAL, "cpio entry name \"%s\": expected a relative path",
                                name ? name : "(null)");
        if (len > 0xFFFFFFFFul)
                return iso_errf(e, EINVAL, "cpio entry %s: %zu bytes, newc holds at most 4 GiB - 1",
                                name, len);
        if (!c->a)
                return iso_errf(e, EBADF, "cpio entry %s: the archive is not open", name);

        struct archive_entry *ent = archive_entry_new();
        char *target = NULL;
        int rc = 0;

        if (!ent)
                return iso_errf(e, ENOMEM, "archive_entry_new for cpio entry %s", name);
        archive_entry_set_pathname(ent, name);
        archive_entry_set_mode(ent, mode);
        archive_entry_set_ino64(ent, (la_int64_t)c->ino++);
        archive_entry_set_nlink(ent, S_ISDIR(mode) ? 2 : 1);
        archive_entry_set_uid(ent, 0);
        archive_entry_set_gid(ent, 0);
        archive_entry_set_mtime(ent, 0, 0);
        if (S_ISLNK(mode)) {
                /* The caller's target is counted, libarchive wants it NUL-terminated. */
                target = strndup(data ? data : "", len);
                if (!target) {
                        archive_entry_free(ent);
                        return iso_errf(e, ENOMEM, "cpio entry %s: symlink target", name);
                }
                archive_entry_set_symlink(ent, target);
        }
        /* The newc writer wants a size on every entry; it writes a symlink's target itself. */
        archive_entry_set_size(ent, S_ISREG(mode) || S_ISLNK(mode) ? (la_int64_t)len : 0);
        if (S_ISCHR(mode) || S_ISBLK(mode)) {
                archive_entry_set_rdevmajor(ent, rmajor);
                archive_entry_set_rdevminor(ent, rminor);
        }
        if (archive_write_header(c->a, ent) != ARCHIVE_OK) {
                rc = archive_fail(c, "archive_write_header", name, e);
        } else if (S_ISREG(mode)) {
                const char *p = data;

                while (len && rc == 0) {
                        la_ssize_t w = archive_write_data(c->a, p, len);

                        if (w <= 0)
                                rc = archive_fail(c, "archive_write_data", name, e);
                        else {
                                p += w;
                                len -= (size_t)w;
                        }
                }
        }
        free(target);
        archive_entry_free(ent);
        return rc;
}

int iso_cpio_finish(struct iso_cpio *c, struct iso_err *e)
{
        if (!c->a)
                return iso_errf(e, EBADF, "cpio trailer: the archive is not open");
        /* Closing writes the "TRAILER!!!" entry and pads the last block. */
        int rc = archive_write_close(c->a) == ARCHIVE_OK
                         ? 0
                         : archive_fail(c, "archive_write_close", "TRAILER!!!", e);

        archive_write_free(c->a);
        c->a = NULL;
        size_written(c);
        return rc;
}

void iso_cpio_abandon(struct iso_cpio *c)
{
        if (c->a) {
                /* Failed state: freeing writes no trailer over a half-made archive. */
                archive_write_fail(c->a);
                archive_write_free(c->a);
                c->a = NULL;
                size_written(c);
        }
}
