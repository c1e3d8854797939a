// SPDX-License-Identifier: MIT
/*
 * A newc cpio writer: the initramfs format the kernel unpacks into rootfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst). Each entry is a 110-byte
 * ASCII header ("070701" and thirteen 8-digit hex fields), the name with its NUL, padding
 * to 4 bytes, the body, padding to 4 bytes.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void iso_cpio_init(struct iso_cpio *c, int fd)
{
        c->fd = fd;
        c->ino = 1;
        c->offset = 0;
}

static int put(struct iso_cpio *c, const void *buf, size_t len, struct iso_err *e)
{
        const char *p = buf;

        while (len) {
                ssize_t w = write(c->fd, p, len);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return iso_errf(e, w < 0 ? errno : EIO,
                                        "write the cpio archive at byte %llu", c->offset);
                p += w;
                len -= (size_t)w;
                c->offset += (unsigned long long)w;
        }
        return 0;
}

static int pad(struct iso_cpio *c, unsigned int to, struct iso_err *e)
{
        static const char zeros[512];
        size_t n = (size_t)((to - c->offset % to) % to);

        return n ? put(c, zeros, n, e) : 0;
}

static int entry(struct iso_cpio *c, const char *name, unsigned int mode, unsigned int nlink,
                 const void *data, size_t len, unsigned int rmajor, unsigned int rminor,
                 struct iso_err *e)
{
        char head[160];
        size_t name_len = strlen(name) + 1;
        int n = snprintf(head, sizeof(head),
                         "070701%08lX%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X", c->ino++,
                         mode, 0u, 0u, nlink, 0u, (unsigned long)len, 0u, 0u, rmajor, rminor,
                         (unsigned long)name_len, 0u);

        if (n != 110) /* a field over 8 hex digits: not expressible in newc */
                return iso_errf(e, EOVERFLOW, "cpio entry %s: a header field overflows", name);
        if (put(c, head, 110, e) < 0 || put(c, name, name_len, e) < 0 || pad(c, 4, e) < 0)
                return -1;
        if (len && (put(c, data, len, e) < 0 || pad(c, 4, e) < 0))
                return -1;
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
        return entry(c, name, mode, S_ISDIR(mode) ? 2 : 1, data, len, rmajor, rminor, e);
}

int iso_cpio_finish(struct iso_cpio *c, struct iso_err *e)
{
        if (entry(c, "TRAILER!!!", 0, 1, NULL, 0, 0, 0, e) < 0)
                return -1;
        return pad(c, 512, e);
}
