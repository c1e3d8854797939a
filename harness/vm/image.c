// SPDX-License-Identifier: MIT
/*
 * Facts the initramfs builder needs: a kernel image's release (the x86 boot protocol's
 * setup header, which no Debian library reads), ldd's list and modules.dep.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int iso_vm_strv_add(struct iso_vm_strv *sv, const char *s)
{
        if (sv->n == sv->cap) {
                size_t cap = sv->cap ? sv->cap * 2 : 16;
                char **v = realloc(sv->v, cap * sizeof(*v));

                if (!v)
                        return -1;
                sv->v = v;
                sv->cap = cap;
        }
        sv->v[sv->n] = strdup(s);
        if (!sv->v[sv->n])
                return -1;
        sv->n++;
        return 0;
}

long iso_vm_strv_find(const struct iso_vm_strv *sv, const char *s)
{
        for (size_t i = 0; i < sv->n; i++)
                if (!strcmp(sv->v[i], s))
                        return (long)i;
        return -1;
}

void iso_vm_strv_free(struct iso_vm_strv *sv)
{
        for (size_t i = 0; i < sv->n; i++)
                free(sv->v[i]);
        free(sv->v);
        sv->v = NULL;
        sv->n = sv->cap = 0;
}

int iso_vm_kernel_release_mem(const unsigned char *img, size_t len, const char *what, char *out,
                              size_t size, struct iso_err *e)
{
        if (len < 0x210 || memcmp(img + 0x202, "HdrS", 4))
                return iso_errf(e, ENOEXEC,
                                "%s: expected an x86 bzImage (\"HdrS\" at 0x202), got %s", what,
                                len < 0x210 ? "a shorter file" : "other bytes");
        size_t off = (size_t)(img[0x20E] | img[0x20F] << 8);

        if (!off || off + 0x200 >= len)
                return iso_errf(e, ENOEXEC,
                                "%s: expected a kernel_version string in the setup header, got "
                                "offset %zu of %zu bytes",
                                what, off, len);
        const char *s = (const char *)img + off + 0x200;
        size_t n = 0, room = len - off - 0x200;

        while (n < room && s[n] > ' ' && s[n] < 0x7f)
                n++;
        if (!n || n >= size)
                return iso_errf(e, ENOEXEC,
                                "%s: expected a release in the version string, got %zu "
                                "printable bytes",
                                what, n);
        memcpy(out, s, n);
        out[n] = '\0';
        return 0;
}

int iso_vm_kernel_release(const char *path, char *out, size_t size, struct iso_err *e)
{
        /* The version string lives in the real-mode setup code: the first 64 KiB. */
        unsigned char *img = malloc(65536);
        size_t got = 0;

        if (!img)
                return iso_errf(e, ENOMEM, "read %s", path);
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0) {
                int saved = errno;

                free(img);
                return iso_errf(e, saved, "open the kernel image %s", path);
        }
        while (got < 65536) {
                ssize_t r = read(fd, img + got, 65536 - got);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        int saved = errno;

                        close(fd);
                        free(img);
                        return iso_errf(e, saved, "read the kernel image %s", path);
                }
                if (r == 0)
                        break;
                got += (size_t)r;
        }
        close(fd);
        int rc = iso_vm_kernel_release_mem(img, got, path, out, size, e);

        free(img);
        return rc;
}

long iso_vm_ldd_parse(const char *out, struct iso_vm_strv *libs, struct iso_err *e)
{
        long seen = 0;

        for (const char *l = out; *l;) {
                size_t len = strcspn(l, "\n");
                char line[4096], path[4096];

                if (len >= sizeof(line))
                        len = sizeof(line) - 1;
                memcpy(line, l, len);
                line[len] = '\0';
                l += strcspn(l, "\n");
                if (*l)
                        l++;
                const char *arrow = strstr(line, "=> ");
                const char *p = arrow ? arrow + 3 : line + strspn(line, " \t");

                if (arrow && !strncmp(p, "not found", 9)) {
                        char name[256];

                        iso_strlcpy(name, line + strspn(line, " \t"), sizeof(name));
                        name[strcspn(name, " ")] = '\0';
                        return iso_errf(e, ENOENT, "ldd: expected a path for %s, got \"not found\"",
                                        name);
                }
                if (*p != '/')
                        continue; /* linux-vdso.so.1, "not a dynamic executable", ... */
                size_t n = strcspn(p, " \t(");

                if (n >= sizeof(path))
                        continue;
                memcpy(path, p, n);
                path[n] = '\0';
                seen++;
                if (iso_vm_strv_find(libs, path) < 0 && iso_vm_strv_add(libs, path) < 0)
                        return iso_errf(e, ENOMEM, "ldd: list of libraries");
        }
        return seen;
}

/* "kernel/drivers/net/veth.ko.xz" -> "veth", with '-' read as '_'. */
static void module_name(const char *path, size_t len, char *out, size_t size)
{
        const char *slash = memrchr(path, '/', len);
        const char *base = slash ? slash + 1 : path;
        size_t n = (size_t)(path + len - base), k = 0;
        const char *dot = memchr(base, '.', n);

        if (dot && !strncmp(dot, ".ko", 3))
                n = (size_t)(dot - base);
        for (size_t i = 0; i < n && k < size - 1; i++)
                out[k++] = base[i] == '-' ? '_' : base[i];
        out[k] = '\0';
}

/* The modules.dep line for @name: its start, or NULL. */
static const char *find_dep_line(const char *dep, const char *name)
{
        char want[256], got[256];

        module_name(name, strlen(name), want, sizeof(want));
        for (const char *l = dep; *l;) {
                size_t len = strcspn(l, "\n");
                const char *colon = memchr(l, ':', len);

                if (colon) {
                        module_name(l, (size_t)(colon - l), got, sizeof(got));
                        if (!strcmp(want, got))
                                return l;
                }
                l += len;
                if (*l)
                        l++;
        }
        return NULL;
}

static int resolve(const char *dep, const char *name, struct iso_vm_strv *order, int depth,
                   struct iso_err *e)
{
        if (depth > 32)
                return iso_errf(e, ELOOP, "modules.dep: dependencies of %s run deeper than 32",
                                name);
        const char *l = find_dep_line(dep, name);

        if (!l)
                return 0;
        size_t len = strcspn(l, "\n");
        const char *colon = memchr(l, ':', len);
        char self[1024];
        size_t self_n = (size_t)(colon - l);

        if (self_n >= sizeof(self))
                return iso_errf(e, ENAMETOOLONG, "modules.dep: path of %s", name);
        memcpy(self, l, self_n);
        self[self_n] = '\0';
        if (iso_vm_strv_find(order, self) >= 0)
                return 1;
        /* modprobe loads the list right to left; each dependency's own line says more. */
        const char *p = colon + 1, *end = l + len;

        while (p < end) {
                while (p < end && (*p == ' ' || *p == '\t'))
                        p++;
                size_t n = 0;

                while (p + n < end && p[n] != ' ' && p[n] != '\t')
                        n++;
                if (!n)
                        break;
                char d[1024];

                if (n >= sizeof(d))
                        return iso_errf(e, ENAMETOOLONG, "modules.dep: a dependency of %s", name);
                memcpy(d, p, n);
                d[n] = '\0';
                if (resolve(dep, d, order, depth + 1, e) < 0)
                        return -1;
                p += n;
        }
        if (iso_vm_strv_find(order, self) < 0 && iso_vm_strv_add(order, self) < 0)
                return iso_errf(e, ENOMEM, "modules.dep: load order");
        return 1;
}

int iso_vm_moddep_resolve(const char *dep, const char *name, struct iso_vm_strv *order,
                          struct iso_err *e)
{
        return resolve(dep, name, order, 0, e);
}

int iso_vm_vermagic_release(const char *text, size_t len, char *out, size_t size)
{
        static const char key[] = "vermagic=";
        const char *p = text, *end = text + len;

        /* modinfo -F vermagic prints the value alone: it starts with the release. */
        if (len && text[0] >= '0' && text[0] <= '9') {
                p = text;
        } else {
                const char *found = NULL;

                for (const char *q = text; q + sizeof(key) - 1 <= end; q++) {
                        q = memchr(q, 'v', (size_t)(end - q));
                        if (!q || q + sizeof(key) - 1 > end)
                                break;
                        if (!memcmp(q, key, sizeof(key) - 1)) {
                                found = q + sizeof(key) - 1;
                                break;
                        }
                }
                if (!found)
                        return -1;
                p = found;
        }
        size_t n = 0;

        while (p + n < end && p[n] > ' ' && p[n] < 0x7f)
                n++;
        if (!n || n >= size)
                return -1;
        memcpy(out, p, n);
        out[n] = '\0';
        return 0;
}
