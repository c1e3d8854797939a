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
 * (BENCH_VM_KERNEL, else /boot/vmlinuz-<running release>, else the newest
 * /boot/vmlinuz-*: the one `make check-vm` boots by default). Returns 0, or -1 with @e
 * saying what is missing and where it was looked for (the skip reason).
 */
int iso_vm_find(char *qemu, size_t qemu_size, char *kernel, size_t kernel_size, struct iso_err *e);

/*
 * Write an initramfs (cpio "newc", the format the kernel unpacks: early-userspace
 * buffer-format.rst) holding @init_path as /init to @path. Returns 0 or -1 with @e.
 */
int iso_vm_write_initramfs(const char *path, const char *init_path, struct iso_err *e);

/* The guest's size: the VM target's defaults (isocheck-vm --memory, --cpus). */
#define ISO_VM_MEMORY_MB "1024"
#define ISO_VM_CPUS "2"

/*
 * Boot @kernel with @initrd in @qemu once under @accel ("kvm" or "tcg"), the serial
 * console to @log, killed (by PID) after @timeout_s. Returns the wall time from fork to
 * qemu's exit in seconds, or -1 with @e (qemu failed, or ETIMEDOUT).
 */
double iso_vm_boot_once(const char *qemu, const char *accel, const char *kernel, const char *initrd,
                        const char *log, double timeout_s, struct iso_err *e);

/*
 * Choose the accelerator: BENCH_VM_ACCEL when "kvm" or "tcg"; else KVM if /dev/kvm opens
 * and a boot under it powers off within 20 s (nested KVM may assert or hang), else TCG.
 * Writes "kvm"/"tcg" to @accel and why to @why. Returns 0, or -1 with @e.
 */
int iso_vm_pick_accel(const char *qemu, const char *kernel, const char *initrd, const char *log,
                      char *accel, size_t size, char *why, size_t why_size, struct iso_err *e);

/* Boot @n times (after one warm-up) under @accel into @t (seconds). 0 or -1 with @e. */
int iso_floor_vm_boot(const char *qemu, const char *accel, const char *kernel, const char *initrd,
                      const char *log, double timeout_s, double *t, size_t n, struct iso_err *e);

#endif
