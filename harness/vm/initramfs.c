// SPDX-License-Identifier: MIT
/*
 * The guest's initramfs: the suite, its fixtures, the lab's tools with the shared
 * libraries ldd(1) names, the kernel modules the cases need, and the static init.
 * Host files keep their host paths, symlinked parents included (Debian's /bin -> usr/bin,
 * /lib64 -> usr/lib64), so the dynamic loader's built-in paths work unchanged.
 */
#include "isocheck/vm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/kconfig.h"
#include "isocheck/tool.h"

/* The guest's modules tree is a real one (lib/modules/RELEASE with a modules.dep of what
 * it holds), so the suite's requirement checks see which modules are there. */
#define GUEST_MODULES "lib/modules"

struct builder {
        struct iso_cpio cpio;
        struct iso_vm_strv done; /* guest names already in the archive */
        struct iso_vm_image_info *info;
};

static int emit(struct builder *b, const char *name, unsigned int mode, const void *data,
                size_t len, unsigned int maj, unsigned int min, struct iso_err *e)
{
        if (iso_vm_strv_find(&b->done, name) >= 0)
                return 0;
        if (iso_cpio_add(&b->cpio, name, mode, data, len, maj, min, e) < 0)
                return -1;
        if (iso_vm_strv_add(&b->done, name) < 0)
                return iso_errf(e, ENOMEM, "initramfs entry list");
        b->info->entries++;
        return 0;
}

/* Directories for every parent of guest name @name ("a/b/c" -> "a", "a/b"). */
static int emit_parents(struct builder *b, const char *name, struct iso_err *e)
{
        char path[PATH_MAX];

        iso_strlcpy(path, name, sizeof(path));
        for (char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                int rc = emit(b, path, S_IFDIR | 0755, NULL, 0, 0, 0, e);

                *s = '/';
                if (rc < 0)
                        return -1;
        }
        return 0;
}

static int emit_file_as(struct builder *b, const char *name, const char *host, struct iso_err *e)
{
        struct stat st;
        size_t len = 0;

        if (stat(host, &st) < 0)
                return iso_errf(e, errno, "stat %s for the initramfs", host);
        if (emit_parents(b, name, e) < 0)
                return -1;
        iso_autofree char *data = iso_read_file(host, &len, e);

        if (!data)
                return -1;
        return emit(b, name, S_IFREG | (st.st_mode & 07777), data, len, 0, 0, e);
}

static int emit_text(struct builder *b, const char *name, const char *text, struct iso_err *e)
{
        if (emit_parents(b, name, e) < 0)
                return -1;
        return emit(b, name, S_IFREG | 0644, text, strlen(text), 0, 0, e);
}

/* "/a/./b/../c" -> "/a/c" in place; @p is absolute. */
static void normalize(char *p)
{
        char out[PATH_MAX];
        size_t o = 0;

        for (const char *c = p; *c;) {
                c += strspn(c, "/");
                size_t len = strcspn(c, "/");

                if (!len)
                        break;
                if (len == 1 && c[0] == '.') {
                        /* nothing */
                } else if (len == 2 && c[0] == '.' && c[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else if (o + len + 2 < sizeof(out)) {
                        out[o++] = '/';
                        memcpy(out + o, c, len);
                        o += len;
                }
                c += len;
        }
        if (!o)
                out[o++] = '/';
        out[o] = '\0';
        memcpy(p, out, o + 1);
}

/* The absolute target of symlink @link (absolute, normalized) given its @target. */
static int link_target(const char *link, const char *target, char *out, size_t size)
{
        if (target[0] == '/') {
                if (iso_pathf(out, size, "%s", target) < 0)
                        return -1;
        } else {
                const char *slash = strrchr(link, '/');
                int dir_len = (int)(slash - link);

                if (iso_pathf(out, size, "%.*s/%s", dir_len, link, target) < 0)
                        return -1;
        }
        normalize(out);
        return 0;
}

/*
 * Put host path @path into the archive under the same name: each parent that is a
 * symlink on the host becomes the same symlink, and the path is followed through it.
 */
static int emit_host_path(struct builder *b, const char *path, int depth, struct iso_err *e)
{
        char p[PATH_MAX];

        if (depth > 40)
                return iso_errf(e, ELOOP, "initramfs: symlinks of %s", path);
        if (iso_pathf(p, sizeof(p), "%s", path) < 0)
                return iso_errf(e, ENAMETOOLONG, "initramfs: %s", path);
        normalize(p);
        if (!strcmp(p, "/"))
                return 0;
        /* Walk the components: "/usr", "/usr/lib", ... up to the path itself. */
        for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = '\0';
                struct stat st;

                if (lstat(p, &st) < 0)
                        return iso_errf(e, errno, "lstat %s for the initramfs", p);
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX], next[PATH_MAX];
                        ssize_t n = readlink(p, target, sizeof(target) - 1);

                        if (n < 0)
                                return iso_errf(e, errno, "readlink %s", p);
                        target[n] = '\0';
                        if (emit(b, p + 1, S_IFLNK | 0777, target, (size_t)n, 0, 0, e) < 0 ||
                            link_target(p, target, next, sizeof(next)) < 0)
                                return -1;
                        /* Continue with the target, plus what followed the link. */
                        if (s && (strlen(next) + 1 + strlen(s + 1) >= sizeof(next)))
                                return iso_errf(e, ENAMETOOLONG, "initramfs: %s", path);
                        if (s) {
                                strcat(next, "/");
                                strcat(next, s + 1);
                        }
                        return emit_host_path(b, next, depth + 1, e);
                }
                if (!s) {
                        if (S_ISDIR(st.st_mode))
                                return emit(b, p + 1, S_IFDIR | 0755, NULL, 0, 0, 0, e);
                        if (!S_ISREG(st.st_mode))
                                return iso_errf(e, EINVAL,
                                                "initramfs: %s: expected a file, directory or "
                                                "symlink",
                                                p);
                        return emit_file_as(b, p + 1, p, e);
                }
                if (!S_ISDIR(st.st_mode))
                        return iso_errf(e, ENOTDIR, "initramfs: %s", p);
                if (emit(b, p + 1, S_IFDIR | 0755, NULL, 0, 0, 0, e) < 0)
                        return -1;
                *s = '/';
        }
}

/* The shared objects @prog needs, into the archive at their host paths. */
static int emit_closure(struct builder *b, const char *prog, struct iso_err *e)
{
        char *argv[] = {"ldd", (char *)prog, NULL};
        static char out[65536];
        int timed_out = 0;
        struct iso_vm_strv libs = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 30.0, &timed_out, e);

        if (status < 0)
                return -1;
        if (timed_out)
                return iso_errf(e, ETIMEDOUT, "ldd %s: expected a list, got no answer in 30 s",
                                prog);
        struct iso_err le = {0};

        if (iso_vm_ldd_parse(out, &libs, &le) < 0) {
                iso_vm_strv_free(&libs);
                return iso_errf(e, le.errnum, "libraries of %s: %s", prog, le.msg);
        }
        int rc = 0;

        for (size_t i = 0; rc == 0 && i < libs.n; i++)
                rc = emit_host_path(b, libs.v[i], 0, e);
        iso_vm_strv_free(&libs);
        return rc;
}

static int find_tool(const char *name, char *out, size_t size)
{
        static const char *const dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                           "/usr/bin",        "/sbin",          "/bin"};

        for (size_t i = 0; i < ISO_ARRAY_SIZE(dirs); i++) {
                struct stat st;

                if (iso_pathf(out, size, "%s/%s", dirs[i], name) == 0 && stat(out, &st) == 0 &&
                    S_ISREG(st.st_mode) && access(out, X_OK) == 0)
                        return 1;
        }
        return 0;
}

static int emit_program_as(struct builder *b, const char *name, const char *host, struct iso_err *e)
{
        if (access(host, X_OK) < 0)
                return iso_errf(e, errno, "initramfs: expected the program %s (run make)", host);
        if (emit_file_as(b, name, host, e) < 0)
                return -1;
        return emit_closure(b, host, e);
}

/* Is @file the module @name ("veth.ko", "veth.ko.xz"; '-' and '_' alike)? */
static int is_module_file(const char *file, const char *name)
{
        size_t n = strlen(name);

        for (size_t i = 0; i < n; i++) {
                char a = file[i] == '-' ? '_' : file[i], b = name[i] == '-' ? '_' : name[i];

                if (a != b)
                        return 0;
        }
        return !strcmp(file + n, ".ko") || !strcmp(file + n, ".ko.xz") ||
               !strcmp(file + n, ".ko.zst") || !strcmp(file + n, ".ko.gz");
}

/* Search @root/@sub for module @name; its path relative to @root into @out. 1 found, 0 not. */
static int find_module(const char *root, const char *sub, const char *name, char *out, size_t size,
                       int depth)
{
        char dir[PATH_MAX];
        int found = 0;

        if (depth > 16 || iso_pathf(dir, sizeof(dir), "%s/%s", root, sub) < 0)
                return 0;
        DIR *d = opendir(dir);
        struct dirent *de;

        while (d && !found && (de = readdir(d))) {
                char rel[PATH_MAX];

                if (de->d_name[0] == '.' ||
                    iso_pathf(rel, sizeof(rel), "%s%s%s", sub, *sub ? "/" : "", de->d_name) < 0)
                        continue;
                if (de->d_type == DT_DIR)
                        found = find_module(root, rel, name, out, size, depth + 1);
                else if (is_module_file(de->d_name, name))
                        found = iso_pathf(out, size, "%s", rel) == 0;
        }
        if (d)
                closedir(d);
        return found;
}

/*
 * Is module @name, absent from the tree, one the kernel needs loaded? Built in (=y) it is
 * not; =m, or no config to tell, it is. The modules named here ("veth") have the symbol
 * of their name in upper case (CONFIG_VETH).
 */
static int module_needed(const struct iso_vm_image_spec *s, const char *name)
{
        struct iso_kconfig kc = {0};
        char sym[96];
        size_t n = 0;

        if (!s->kconfig || iso_kconfig_load(&kc, s->kconfig, NULL) < 0)
                return 1;
        n = (size_t)snprintf(sym, sizeof(sym), "CONFIG_");
        for (const char *c = name; *c && n + 1 < sizeof(sym); c++)
                sym[n++] = *c == '-' ? '_' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        sym[n] = '\0';
        /* Modules named unlike their symbol: a filesystem's ends in _FS, crc32c's is the
         * crypto one. */
        if (!strcmp(name, "ext4"))
                snprintf(sym, sizeof(sym), "CONFIG_EXT4_FS");
        else if (!strcmp(name, "crc32c_generic"))
                snprintf(sym, sizeof(sym), "CONFIG_CRYPTO_CRC32C");
        enum iso_kconfig_state st = iso_kconfig_get(&kc, sym, NULL, 0);

        iso_kconfig_free(&kc);
        return st != ISO_KCONFIG_Y;
}

static int emit_modules(struct builder *b, const struct iso_vm_image_spec *s, struct iso_err *e)
{
        char path[PATH_MAX], name[PATH_MAX];
        struct iso_vm_strv order = {0};
        int rc = 0;

        const char *grel = s->release ? s->release : "unknown";

        if (!s->n_modules)
                return 0;
        if (!s->modules_dir) {
                /* No tree at all: every module not built in is lacking. */
                for (size_t i = 0; i < s->n_modules; i++)
                        if (iso_vm_strv_add(&b->info->absent, s->modules[i]) < 0 ||
                            (module_needed(s, s->modules[i]) &&
                             iso_vm_strv_add(&b->info->lacking, s->modules[i]) < 0))
                                return iso_errf(e, ENOMEM, "module list");
                if (iso_pathf(name, sizeof(name), GUEST_MODULES "/%s/modules.dep", grel) < 0)
                        return iso_errf(e, ENAMETOOLONG, "modules.dep for %s", grel);
                return emit_text(b, name, "", e);
        }
        if (iso_pathf(path, sizeof(path), "%s/modules.dep", s->modules_dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "modules dir %s", s->modules_dir);
        struct iso_err de = {0};
        iso_autofree char *dep = iso_read_file(path, NULL, &de);

        if (!dep && de.errnum != ENOENT)
                return iso_errf(e, de.errnum, "%s", de.msg);
        /* An unpacked package has no modules.dep (depmod makes it when installing): look
         * the modules up by name instead, without their dependencies. */
        if (!dep && iso_vm_strv_add(&b->info->notes, "no modules.dep: modules found by name, "
                                                     "dependencies not loaded") < 0)
                return iso_errf(e, ENOMEM, "notes");
        for (size_t i = 0; rc >= 0 && i < s->n_modules; i++) {
                if (dep) {
                        rc = iso_vm_moddep_resolve(dep, s->modules[i], &order, e);
                } else {
                        char rel[PATH_MAX] = "";

                        rc = find_module(s->modules_dir, "", s->modules[i], rel, sizeof(rel), 0);
                        if (rc == 1 && iso_vm_strv_add(&order, rel) < 0)
                                rc = iso_errf(e, ENOMEM, "module list");
                }
                if (rc == 0 && iso_vm_strv_add(&b->info->absent, s->modules[i]) < 0)
                        rc = iso_errf(e, ENOMEM, "module list");
                if (rc == 0 && module_needed(s, s->modules[i]) &&
                    iso_vm_strv_add(&b->info->lacking, s->modules[i]) < 0)
                        rc = iso_errf(e, ENOMEM, "module list");
        }
        char *list = NULL, *gdep = NULL;
        size_t list_len = 0, gdep_len = 0;
        FILE *lf = rc >= 0 ? open_memstream(&list, &list_len) : NULL;
        FILE *df = rc >= 0 ? open_memstream(&gdep, &gdep_len) : NULL;

        if (rc >= 0 && (!lf || !df))
                rc = iso_errf(e, errno, "module list");
        for (size_t i = 0; rc >= 0 && i < order.n; i++) {
                if (iso_pathf(path, sizeof(path), "%s/%s", s->modules_dir, order.v[i]) < 0 ||
                    iso_pathf(name, sizeof(name), GUEST_MODULES "/%s/%s", grel, order.v[i]) < 0) {
                        rc = iso_errf(e, ENAMETOOLONG, "module %s", order.v[i]);
                        break;
                }
                rc = emit_file_as(b, name, path, e);
                if (rc == 0) {
                        fprintf(lf, "/%s\n", name);
                        fprintf(df, "%s:\n", order.v[i]);
                        if (iso_vm_strv_add(&b->info->modules, order.v[i]) < 0)
                                rc = iso_errf(e, ENOMEM, "module list");
                }
        }
        if (lf && fclose(lf) != 0 && rc >= 0)
                rc = iso_errf(e, ENOMEM, "module list");
        if (df && fclose(df) != 0 && rc >= 0)
                rc = iso_errf(e, ENOMEM, "module list");
        if (rc >= 0 && order.n)
                rc = emit_text(b, "etc/isocheck-vm/modules", list, e);
        /* Dependencies are loaded by the init in order; the guest's modules.dep only
         * says what the tree holds (possibly nothing). */
        if (rc >= 0 && iso_pathf(name, sizeof(name), GUEST_MODULES "/%s/modules.dep", grel) < 0)
                rc = iso_errf(e, ENAMETOOLONG, "modules.dep for %s", grel);
        if (rc >= 0)
                rc = emit_text(b, name, gdep ? gdep : "", e);
        free(list);
        free(gdep);
        iso_vm_strv_free(&order);
        return rc < 0 ? -1 : 0;
}

int iso_vm_modules_release(const char *dir, const char *name, char *out, size_t size,
                           struct iso_err *e)
{
        char path[PATH_MAX], rel[PATH_MAX] = "";
        struct iso_vm_strv order = {0};
        struct iso_err de = {0};
        int found = 0;

        if (iso_pathf(path, sizeof(path), "%s/modules.dep", dir) < 0)
                return iso_errf(e, ENAMETOOLONG, "modules tree %s", dir);
        iso_autofree char *dep = iso_read_file(path, NULL, &de);

        if (dep && iso_vm_moddep_resolve(dep, name, &order, &de) == 1 && order.n)
                found = iso_pathf(rel, sizeof(rel), "%s", order.v[order.n - 1]) == 0;
        iso_vm_strv_free(&order);
        if (!found)
                found = find_module(dir, "", name, rel, sizeof(rel), 0);
        if (!found || iso_pathf(path, sizeof(path), "%s/%s", dir, rel) < 0)
                return 0;
        size_t n = strlen(path);

        if (n > 3 && !strcmp(path + n - 3, ".ko")) {
                size_t len = 0;
                iso_autofree char *ko = iso_read_file(path, &len, e);

                if (!ko)
                        return -1;
                if (iso_vm_vermagic_release(ko, len, out, size) < 0)
                        return iso_errf(e, ENOEXEC, "%s: expected a vermagic= string, found none",
                                        path);
                return 1;
        }
        /* Compressed (.ko.xz, .ko.zst, .ko.gz): modinfo reads what kmod can decompress.
         * It lives in sbin, which a user's PATH may lack; without kmod nothing tells. */
        char modinfo[PATH_MAX];

        if (!find_tool("modinfo", modinfo, sizeof(modinfo)))
                return 0;
        char *argv[] = {modinfo, "-F", "vermagic", path, NULL};
        char text[512] = "";
        int timed_out = 0;
        int status = iso_tool_run(argv, NULL, text, sizeof(text), 30.0, &timed_out, e);

        if (status < 0)
                return -1;
        if (timed_out || status != 0 || iso_vm_vermagic_release(text, strlen(text), out, size) < 0)
                return iso_errf(e, ENOEXEC,
                                "%s: expected modinfo -F vermagic to print a release, got "
                                "status %d%s \"%.80s\"",
                                path, status, timed_out ? " (timed out)" : "", text);
        return 1;
}

static int build(struct builder *b, const struct iso_vm_image_spec *s, struct iso_err *e)
{
        static const char *const dirs[] = {"dev",     "proc", "sys", "tmp",          "run",  "root",
                                           "newroot", "etc",  "opt", "opt/isocheck", "boot", "mnt"};
        char host[PATH_MAX], name[PATH_MAX];

        for (size_t i = 0; i < ISO_ARRAY_SIZE(dirs); i++)
                if (emit(b, dirs[i], S_IFDIR | (strcmp(dirs[i], "tmp") ? 0755 : 01777), NULL, 0, 0,
                         0, e) < 0)
                        return -1;
        /* The kernel opens /dev/console for init's stdio before devtmpfs exists. */
        if (emit(b, "dev/console", S_IFCHR | 0600, NULL, 0, 5, 1, e) < 0)
                return -1;
        if (access(s->init, X_OK) < 0)
                return iso_errf(e, errno, "initramfs: expected the guest init %s (run make)",
                                s->init);
        if (emit_file_as(b, "init", s->init, e) < 0)
                return -1;
        if (emit_program_as(b, "opt/isocheck/isocheck", s->isocheck, e) < 0)
                return -1;
        static const char *const fixtures[] = {"app", "sidecar"};

        for (size_t i = 0; i < ISO_ARRAY_SIZE(fixtures); i++) {
                if (iso_pathf(host, sizeof(host), "%s/%s", s->fixtures, fixtures[i]) < 0 ||
                    iso_pathf(name, sizeof(name), "opt/isocheck/fixtures/%s", fixtures[i]) < 0)
                        return iso_errf(e, ENAMETOOLONG, "fixture path");
                if (emit_program_as(b, name, host, e) < 0)
                        return -1;
        }
        for (size_t i = 0; i < s->n_tools; i++) {
                if (!find_tool(s->tools[i], host, sizeof(host))) {
                        if (iso_vm_strv_add(&b->info->missing, s->tools[i]) < 0)
                                return iso_errf(e, ENOMEM, "tool list");
                        continue;
                }
                if (emit_host_path(b, host, 0, e) < 0 || emit_closure(b, host, e) < 0)
                        return -1;
        }
        if (emit_modules(b, s, e) < 0)
                return -1;
        if (s->kconfig && s->release) {
                if (iso_pathf(name, sizeof(name), "boot/config-%s", s->release) < 0)
                        return iso_errf(e, ENAMETOOLONG, "config name");
                if (emit_file_as(b, name, s->kconfig, e) < 0)
                        return -1;
        }
        /* tcpdump drops its privileges to the user "tcpdump" and fails when it is unknown. */
        if (emit_text(b, "etc/passwd",
                      "root:x:0:0:root:/root:/bin/sh\n"
                      "tcpdump:x:101:101::/nonexistent:/bin/false\n"
                      "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
                      e) < 0 ||
            emit_text(b, "etc/group", "root:x:0:\ntcpdump:x:101:\nnogroup:x:65534:\n", e) < 0 ||
            emit_text(b, "etc/hostname", "isocheck-vm\n", e) < 0)
                return -1;
        if (s->n_suite_args) {
                char *args = NULL;
                size_t args_len = 0;
                FILE *f = open_memstream(&args, &args_len);

                if (!f)
                        return iso_errf(e, errno, "suite arguments");
                for (size_t i = 0; i < s->n_suite_args; i++)
                        fprintf(f, "%s\n", s->suite_args[i]);
                int rc = fclose(f) == 0 ? emit_text(b, "etc/isocheck-vm/args", args, e)
                                        : iso_errf(e, ENOMEM, "suite arguments");

                free(args);
                if (rc < 0)
                        return -1;
        }
        return iso_cpio_finish(&b->cpio, e);
}

int iso_vm_image_build(const struct iso_vm_image_spec *s, struct iso_vm_image_info *info,
                       struct iso_err *e)
{
        struct builder b = {.info = info};
        /* Exclusively: the work directory is private, and nothing is written through a link. */
        int fd = open(s->out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

        memset(info, 0, sizeof(*info));
        if (fd < 0)
                return iso_errf(e, errno, "create the initramfs %s exclusively", s->out);
        int rc = iso_cpio_init(&b.cpio, fd, e);

        if (rc == 0)
                rc = build(&b, s, e);
        iso_cpio_abandon(&b.cpio); /* after a failure: no trailer; after finish: nothing */
        info->bytes = b.cpio.offset;
        if (close(fd) < 0 && rc == 0)
                rc = iso_errf(e, errno, "close the initramfs %s", s->out);
        if (rc < 0)
                unlink(s->out);
        iso_vm_strv_free(&b.done);
        return rc;
}

void iso_vm_image_info_free(struct iso_vm_image_info *info)
{
        iso_vm_strv_free(&info->missing);
        iso_vm_strv_free(&info->modules);
        iso_vm_strv_free(&info->absent);
        iso_vm_strv_free(&info->lacking);
        iso_vm_strv_free(&info->notes);
}
