// SPDX-License-Identifier: MIT
/*
 * What the runtimes' image caches share (runtime_image.h): the content key of a build and
 * the flock(2) that serialises builds and marks a cache in use.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_image.h"

/* Bounds: the contexts are two directories of a few files each. */
#define KEY_MAX_DEPTH 8
#define KEY_MAX_ENTRIES 4096

struct keyer {
        EVP_MD_CTX *md;
        size_t entries;
        struct iso_err *e;
};

static int only_real(const struct dirent *de)
{
        return strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

/* Hash @rel (relative to the context) at @path: name, mode, then bytes or link target. */
static int key_entry(struct keyer *k, const char *path, const char *rel, int depth)
{
        struct stat st;
        if (lstat(path, &st) < 0)
                return iso_errf(k->e, errno, "image cache key: lstat %s", path);
        if (++k->entries > KEY_MAX_ENTRIES || depth > KEY_MAX_DEPTH)
                return iso_errf(k->e, E2BIG,
                                "image cache key: expected a build context of at most %d entries "
                                "%d levels deep, %s goes past that",
                                KEY_MAX_ENTRIES, KEY_MAX_DEPTH, path);
        char head[PATH_MAX + 32];
        int n = snprintf(head, sizeof(head), "%s%c%o%c", rel, 0, (unsigned)st.st_mode, 0);
        EVP_DigestUpdate(k->md, head, (size_t)n);
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t len = readlink(path, target, sizeof(target));
                if (len < 0)
                        return iso_errf(k->e, errno, "image cache key: readlink %s", path);
                EVP_DigestUpdate(k->md, target, (size_t)len);
                return 0;
        }
        if (S_ISREG(st.st_mode)) {
                iso_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        return iso_errf(k->e, errno, "image cache key: open %s", path);
                char buf[65536];
                ssize_t got;
                while ((got = read(fd, buf, sizeof(buf))) > 0)
                        EVP_DigestUpdate(k->md, buf, (size_t)got);
                if (got < 0)
                        return iso_errf(k->e, errno, "image cache key: read %s", path);
                return 0;
        }
        if (!S_ISDIR(st.st_mode))
                return 0; /* docker build sends neither devices nor sockets' contents */
        struct dirent **list = NULL;
        int count = scandir(path, &list, only_real, alphasort);
        if (count < 0)
                return iso_errf(k->e, errno, "image cache key: scandir %s", path);
        int rc = 0;
        for (int i = 0; i < count; i++) {
                char sub[PATH_MAX], subrel[PATH_MAX];
                if (rc == 0 && (iso_pathf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name) < 0 ||
                                iso_pathf(subrel, sizeof(subrel), "%s%s%s", rel, *rel ? "/" : "",
                                          list[i]->d_name) < 0))
                        rc = iso_errf(k->e, ENAMETOOLONG, "image cache key: %s/%s", path,
                                      list[i]->d_name);
                if (rc == 0)
                        rc = key_entry(k, sub, subrel, depth + 1);
                free(list[i]);
        }
        free(list);
        return rc;
}

int iso_rt_image_key(const char *ctx, const char *dockerfile, char hex[65], struct iso_err *e)
{
        struct keyer k = {.md = EVP_MD_CTX_new(), .e = e};
        if (!k.md || !EVP_DigestInit_ex(k.md, EVP_sha256(), NULL)) {
                EVP_MD_CTX_free(k.md);
                return iso_errf(e, ENOMEM, "image cache key: EVP_DigestInit_ex(sha256) failed");
        }
        EVP_DigestUpdate(k.md, dockerfile, strlen(dockerfile) + 1);
        int rc = key_entry(&k, ctx, "", 0);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (rc == 0 && !EVP_DigestFinal_ex(k.md, md, &len))
                rc = iso_errf(e, EIO, "image cache key: EVP_DigestFinal_ex failed");
        EVP_MD_CTX_free(k.md);
        for (unsigned i = 0; rc == 0 && i < 32 && i < len; i++)
                snprintf(hex + 2 * i, 3, "%02x", md[i]);
        return rc;
}

/* Make ISO_RT_LOCK_DIR and its parent when missing; 0 when it is a directory (not a link)
 * owned by this euid, -1 otherwise (no lock is then taken there). */
static int lock_dir_ready(void)
{
        struct stat st;
        mkdir("/var/lib/isocheck", 0755);
        mkdir(ISO_RT_LOCK_DIR, 0755);
        return lstat(ISO_RT_LOCK_DIR, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()
                       ? 0
                       : -1;
}

int iso_rt_lock_file(const char *path, int op, double timeout_s)
{
        if (!strncmp(path, ISO_RT_LOCK_DIR "/", strlen(ISO_RT_LOCK_DIR) + 1) &&
            lock_dir_ready() < 0)
                return -1;
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -1;
        double end = iso_now() + timeout_s;
        while (flock(fd, op | LOCK_NB) < 0) { /* bounded by @timeout_s */
                if (errno != EWOULDBLOCK || iso_now() > end) {
                        close(fd);
                        return -1;
                }
                usleep(20000);
        }
        return fd;
}
