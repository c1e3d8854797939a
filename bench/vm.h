/* SPDX-License-Identifier: MIT */
/*
 * The VM floor: qemu booting a kernel whose initramfs holds only an /init that powers the
 * machine off at once (bench/vminit.c), so the time is the bare boot a VM-target run pays
 * before its first case.
 */
#ifndef ISOCHECK_BENCH_VM_H
#define ISOCHECK_BENCH_VM_H

#include <stddef.h>

#include "isocheck/util.h"

/*
 * Find qemu (BENCH_QEMU, else qemu-system-<machine> on PATH) and a kernel image
 * (BENCH_VM_KERNEL, else /boot/vmlinuz-<release>, else /boot/vmlinuz). Returns 0, or -1
 * with @e saying what is missing and where it was looked for (the skip reason).
 */
int iso_vm_find(char *qemu, size_t qemu_size, char *kernel, size_t kernel_size, struct iso_err *e);

/*
 * Write an initramfs (cpio "newc", the format the kernel unpacks: early-userspace
 * buffer-format.rst) holding @init_path as /init to @path. Returns 0 or -1 with @e.
 */
int iso_vm_write_initramfs(const char *path, const char *init_path, struct iso_err *e);

/*
 * Boot @kernel with @initrd in @qemu @n times (after one warm-up), timing each run from
 * fork to qemu's exit; KVM when /dev/kvm can be opened, else TCG. The serial console goes
 * to @log. Each boot is killed (by PID) after @timeout_s. Returns 0 or -1 with @e.
 */
int iso_floor_vm_boot(const char *qemu, const char *kernel, const char *initrd, const char *log,
                      double timeout_s, double *t, size_t n, struct iso_err *e);

#endif
