/* SPDX-License-Identifier: MIT */
/*
 * The host side of isocheck-vm, shared by its own files only: a configuration's result
 * (outcome.c: the boot's outcome and the guest's reports judged), the kernels to boot
 * (kernels.c: named, checked, with their modules tree) and the main loop (main.c).
 */
#ifndef ISOCHECK_VM_HOST_H
#define ISOCHECK_VM_HOST_H

#include <limits.h>
#include <stddef.h>

#include "isocheck/vm.h"

/* One kernel x cgroup mode: what it booted, and its verdict with the reason. */
struct config {
        const char *kernel;
        int dir_fd; /* the report directory, opened without following links; 0 before */
        char release[128];
        const char *cgroup;
        char name[256]; /* vm-<release>-<cgroup> */
        char dir[PATH_MAX];
        enum iso_verdict verdict;
        char message[1024];
        char accel[400];
        double boot_s, suite_s;
        char *junit;
        char *log;
        char timestamp[32];
        char boot_s_str[32], suite_s_str[32], mem_str[16], cpus_str[16], bytes_str[32];
        char modules[PATH_MAX + 160], missing[512], init_warnings[1024];
        struct iso_property props[16];
        size_t n_props;
};

/*
 * Set @c's verdict and its message (printf-style). Messages say what was expected and
 * what happened.
 */
void vm_set_result(struct config *c, enum iso_verdict v, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* The last @max bytes of the file at @path, starting at a line; NULL when unreadable. */
char *vm_file_tail(const char *path, size_t max);

/*
 * Judge a boot that ended with the guest powering off: read the frames from @data_path
 * (else from the console at @console_path), store them under @c->dir and set @c's verdict
 * from the guest's exit status (0 pass, 77 skip, 1 fail, else error).
 */
void vm_judge_reports(struct config *c, const char *data_path, const char *console_path,
                      const struct iso_vm_boot_result *r);

/* "exited with status N" / "was killed by signal N" for a wait(2) @status (-1: unknown). */
void vm_describe_status(int status, char *out, size_t size);

/* What the guest was doing when the console stopped: from the console's timestamps. */
const char *vm_phase(const struct iso_vm_console *con);

/* The strings of @sv joined by spaces into @out (truncated to @size). */
void vm_join(const struct iso_vm_strv *sv, char *out, size_t size);

/* A kernel to boot, with the modules tree that goes with it. */
struct kernel {
        char *path;
        const char *modules_opt; /* the --modules paired with it (or every kernel's), NULL */
        char release[128];
        char tree[PATH_MAX]; /* its modules tree, "" when there is none */
};

/* The config beside the kernel image (DIR/config-RELEASE or /boot/config-RELEASE), or NULL. */
const char *vm_kconfig_path(const char *kernel, const char *release, char *buf, size_t size);

/* What vm.modules says: the modules loaded, and those the cases need that are missing. */
void vm_describe_modules(const struct kernel *k, const struct iso_vm_image_info *info, char *out,
                         size_t size);

/*
 * The kernels named by --kernel (a directory gives its vmlinuz-* in order), each with its
 * --modules, into @out (at most @max). Paths are strdup'ed. Returns how many.
 */
size_t vm_expand_kernels(const struct iso_vm_opts *o, struct kernel *out, size_t max);

/*
 * Before anything boots: each kernel is a bzImage with a readable release, and each
 * --modules tree holds @module built for that release (its vermagic). A mistake is a usage
 * error printed as one line on stderr. Returns 0 or -1.
 */
int vm_check_kernels(struct kernel *ks, size_t n, const char *module);

/* 1 when /dev/kvm runs a guest here (Documentation/virt/kvm/api.rst), else 0 and @why. */
int vm_kvm_works(char *why, size_t size);

#endif
