// SPDX-License-Identifier: MIT
/*
 * The kernels to boot: named on the command line, checked before any boot (bzImage,
 * release, the --modules tree's vermagic), with their modules tree and config; and
 * whether KVM runs guests here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

/*
 * The modules tree for @release: with --modules DIR, DIR/<release> when DIR is a
 * directory of trees (like /lib/modules), else DIR itself (its release is checked before
 * any boot); without, /lib/modules/<release> when it exists.
 */
static const char *modules_dir(const char *opt, const char *release, char *buf, size_t size)
{
        struct stat st;

        if (opt) {
                if (iso_pathf(buf, size, "%s/%s", opt, release) == 0 && stat(buf, &st) == 0 &&
                    S_ISDIR(st.st_mode))
                        return buf;
                return iso_pathf(buf, size, "%s", opt) == 0 ? buf : NULL;
        }
        if (iso_pathf(buf, size, "/lib/modules/%s", release) == 0 && stat(buf, &st) == 0 &&
            S_ISDIR(st.st_mode))
                return buf;
        return NULL;
}

/* The config beside the image (/boot/config-<release>), if readable. */
const char *vm_kconfig_path(const char *kernel, const char *release, char *buf, size_t size)
{
        char dir[PATH_MAX];

        iso_strlcpy(dir, kernel, sizeof(dir));
        if (iso_pathf(buf, size, "%s/config-%s", dirname(dir), release) == 0 &&
            access(buf, R_OK) == 0)
                return buf;
        if (iso_pathf(buf, size, "/boot/config-%s", release) == 0 && access(buf, R_OK) == 0)
                return buf;
        return NULL;
}

/* What vm.modules says: what was loaded, and what the cases need that is not there. */
void vm_describe_modules(const struct kernel *k, const struct iso_vm_image_info *info, char *out,
                         size_t size)
{
        char lacking[256];

        vm_join(&info->modules, out, size);
        if (info->lacking.n) {
                vm_join(&info->lacking, lacking, sizeof(lacking));
                iso_appendf(out, size, "%smissing: %s (not built in, and not in %s%s)",
                            out[0] ? "; " : "", lacking, k->tree[0] ? k->tree : "/lib/modules/",
                            k->tree[0] ? "" : k->release);
        } else if (!info->modules.n && info->absent.n) {
                vm_join(&info->absent, lacking, sizeof(lacking));
                snprintf(out, size, "none needed: %s built in (kernel config)", lacking);
        }
        if (info->notes.n)
                iso_appendf(out, size, " (%s)", info->notes.v[0]);
}

/* Kernels named on the command line, each with its --modules; a directory gives its
 * vmlinuz-* in order. */
size_t vm_expand_kernels(const struct iso_vm_opts *o, struct kernel *out, size_t max)
{
        size_t n = 0;

        for (size_t i = 0; i < o->n_kernels && n < max; i++) {
                struct stat st;
                const char *mods = o->kernel_modules[i] ? o->kernel_modules[i] : o->modules;

                if (stat(o->kernels[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                        struct dirent **names = NULL;
                        int k = scandir(o->kernels[i], &names, NULL, alphasort);
                        size_t before = n;

                        for (int j = 0; j < k; j++) {
                                char p[PATH_MAX];

                                if (!strncmp(names[j]->d_name, "vmlinuz-", 8) && n < max &&
                                    iso_pathf(p, sizeof(p), "%s/%s", o->kernels[i],
                                              names[j]->d_name) == 0)
                                        out[n++] = (struct kernel){strdup(p), mods, "", ""};
                                free(names[j]);
                        }
                        free(names);
                        if (n == before && n < max) {
                                char p[PATH_MAX];

                                /* Named so the refusal says where nothing was found. */
                                if (iso_pathf(p, sizeof(p), "%s/vmlinuz-*", o->kernels[i]) == 0)
                                        out[n++] = (struct kernel){strdup(p), mods, "", ""};
                        }
                        continue;
                }
                out[n++] = (struct kernel){strdup(o->kernels[i]), mods, "", ""};
        }
        return n;
}

/*
 * Before anything boots: every kernel is a bzImage whose release can be read, and every
 * --modules tree belongs to its kernel (the vermagic of a module the cases need). A
 * mistake here is a usage error, one line on stderr, not a result. Returns 0 or -1.
 */
int vm_check_kernels(struct kernel *ks, size_t n, const char *module)
{
        for (size_t i = 0; i < n; i++) {
                struct kernel *k = &ks[i];
                struct iso_err e = {0};
                struct stat st;
                char tree_release[128];

                if (stat(k->path, &st) < 0) {
                        fprintf(stderr, "isocheck-vm: --kernel: no kernel image at %s: %s\n",
                                k->path, strerror(errno));
                        return -1;
                }
                if (iso_vm_kernel_release(k->path, k->release, sizeof(k->release), &e) < 0) {
                        fprintf(stderr, "isocheck-vm: --kernel: %s\n", e.msg);
                        return -1;
                }
                /* It names files and directories: one plain component, nothing else. */
                if (strchr(k->release, '/') || k->release[0] == '.') {
                        fprintf(stderr,
                                "isocheck-vm: --kernel %s: its release \"%s\" is not a file "
                                "name: refused\n",
                                k->path, k->release);
                        return -1;
                }
                if (!modules_dir(k->modules_opt, k->release, k->tree, sizeof(k->tree)))
                        k->tree[0] = '\0';
                if (!k->modules_opt)
                        continue;
                errno = 0;
                if (stat(k->tree, &st) < 0 || !S_ISDIR(st.st_mode)) {
                        fprintf(stderr, "isocheck-vm: --modules %s: expected a directory, %s\n",
                                k->modules_opt, errno ? strerror(errno) : "got another file");
                        return -1;
                }
                int rc = iso_vm_modules_release(k->tree, module, tree_release, sizeof(tree_release),
                                                &e);

                if (rc < 0) {
                        fprintf(stderr, "isocheck-vm: --modules %s: %s\n", k->tree, e.msg);
                        return -1;
                }
                if (rc == 1 && strcmp(tree_release, k->release)) {
                        fprintf(stderr,
                                "isocheck-vm: --modules %s holds modules for %s (vermagic of "
                                "%s), not for the kernel %s (%s): refused\n",
                                k->tree, tree_release, module, k->path, k->release);
                        return -1;
                }
        }
        return 0;
}

/*
 * Can this host run a KVM guest: /dev/kvm opens, speaks API version 12 and creates a VM
 * (Documentation/virt/kvm/api.rst)? Returns 1, or 0 with the reason in @why.
 */
int vm_kvm_works(char *why, size_t size)
{
        iso_autoclose int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

        if (fd < 0) {
                snprintf(why, size, "/dev/kvm cannot be opened: %s", strerror(errno));
                return 0;
        }
        int v = ioctl(fd, KVM_GET_API_VERSION, 0);

        if (v != KVM_API_VERSION) {
                snprintf(why, size, "/dev/kvm: expected KVM_GET_API_VERSION %d, got %d%s%s",
                         KVM_API_VERSION, v, v < 0 ? ": " : "", v < 0 ? strerror(errno) : "");
                return 0;
        }
        iso_autoclose int vm = ioctl(fd, KVM_CREATE_VM, 0);

        if (vm < 0) {
                snprintf(why, size, "/dev/kvm: KVM_CREATE_VM failed: %s", strerror(errno));
                return 0;
        }
        return 1;
}
