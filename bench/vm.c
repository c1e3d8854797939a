// SPDX-License-Identifier: MIT
#include "vm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floors.h"
#include "isocheck/vm.h"

static int find_on_path(const char *name, char *out, size_t size)
{
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/bin:/usr/bin:/bin";
        char dirs[4096];
        iso_strlcpy(dirs, path, sizeof(dirs));
        char *save = NULL;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
                if (iso_pathf(out, size, "%s/%s", d, name) == 0 && access(out, X_OK) == 0)
                        return 0;
        return -1;
}

int iso_vm_find(char *qemu, size_t qemu_size, char *kernel, size_t kernel_size, struct iso_err *e)
{
        struct utsname u;
        if (uname(&u) < 0)
                return iso_errf(e, errno, "uname");
        const char *q = getenv("BENCH_QEMU");
        char qname[96];
        snprintf(qname, sizeof(qname), "qemu-system-%s", u.machine);
        if (q && *q) {
                if (access(q, X_OK) < 0)
                        return iso_errf(e, errno, "qemu missing: BENCH_QEMU=%s", q);
                iso_strlcpy(qemu, q, qemu_size);
        } else if (find_on_path(qname, qemu, qemu_size) < 0) {
                return iso_errf(e, 0, "qemu missing: %s is not on PATH (package qemu-system-x86)",
                                qname);
        }
        const char *k = getenv("BENCH_VM_KERNEL");
        if (k && *k) {
                if (access(k, R_OK) < 0)
                        return iso_errf(e, errno, "kernel missing: BENCH_VM_KERNEL=%s", k);
                iso_strlcpy(kernel, k, kernel_size);
                return 0;
        }
        char guess[300];
        snprintf(guess, sizeof(guess), "/boot/vmlinuz-%s", u.release);
        if (access(guess, R_OK) == 0) {
                iso_strlcpy(kernel, guess, kernel_size);
                return 0;
        }
        /* The newest installed image, in version order, as check-vm's default picks. */
        struct dirent **names = NULL;
        int n = scandir("/boot", &names, NULL, versionsort);
        int found = 0;
        for (int i = n - 1; i >= 0; i--) {
                if (!found && strncmp(names[i]->d_name, "vmlinuz-", 8) == 0 &&
                    iso_pathf(kernel, kernel_size, "/boot/%s", names[i]->d_name) == 0 &&
                    access(kernel, R_OK) == 0)
                        found = 1;
                free(names[i]);
        }
        free(names);
        if (found)
                return 0;
        return iso_errf(e, 0,
                        "kernel missing: no readable %s nor any /boot/vmlinuz-* "
                        "(package linux-image-amd64); set BENCH_VM_KERNEL",
                        guess);
}

/* The archive through the VM target's writer (harness/vm/cpio.c, libarchive's newc). */
int iso_vm_write_initramfs(const char *path, const char *init_path, struct iso_err *e)
{
        size_t len = 0;
        iso_autofree char *init = iso_read_file(init_path, &len, e);
        if (!init)
                return -1;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return iso_errf(e, errno, "create %s", path);
        struct iso_cpio c;
        int rc = iso_cpio_init(&c, fd, e);
        if (rc == 0)
                rc = iso_cpio_add(&c, "init", S_IFREG | 0755, init, len, 0, 0, e);
        if (rc == 0)
                rc = iso_cpio_finish(&c, e);
        iso_cpio_abandon(&c);
        if (close(fd) < 0 && rc == 0)
                rc = iso_errf(e, errno, "close %s", path);
        if (rc < 0)
                unlink(path);
        return rc;
}

double iso_vm_boot_once(const char *qemu, const char *accel, const char *kernel, const char *initrd,
                        const char *log, double timeout_s, struct iso_err *e)
{
        char serial[600];
        snprintf(serial, sizeof(serial), "file:%s", log);
        const char *argv[] = {qemu,
                              "-accel",
                              accel,
                              "-m",
                              ISO_VM_MEMORY_MB,
                              "-smp",
                              ISO_VM_CPUS,
                              "-nodefaults",
                              "-display",
                              "none",
                              "-no-reboot",
                              "-serial",
                              serial,
                              "-kernel",
                              kernel,
                              "-initrd",
                              initrd,
                              "-append",
                              "console=ttyS0 panic=-1 rdinit=/init quiet",
                              NULL};
        double t0 = iso_now();
        pid_t pid = fork();
        if (pid < 0)
                return iso_errf(e, errno, "fork");
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                if (null >= 0) {
                        dup2(null, 0);
                        dup2(null, 1);
                        dup2(null, 2);
                }
                execv(qemu, (char *const *)argv);
                _exit(127);
        }
        int st = iso_bench_wait(pid, timeout_s, e);
        double dt = iso_now() - t0;
        if (st < 0)
                return -1;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                return iso_errf(e, 0, "%s -accel %s exited with status %d (serial log: %s)", qemu,
                                accel, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), log);
        return dt;
}

int iso_vm_pick_accel(const char *qemu, const char *kernel, const char *initrd, const char *log,
                      char *accel, size_t size, char *why, size_t why_size, struct iso_err *e)
{
        const char *want = getenv("BENCH_VM_ACCEL");
        if (want && (!strcmp(want, "kvm") || !strcmp(want, "tcg"))) {
                iso_strlcpy(accel, want, size);
                snprintf(why, why_size, "BENCH_VM_ACCEL=%s", want);
                return 0;
        }
        int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (kvm < 0) {
                iso_strlcpy(accel, "tcg", size);
                snprintf(why, why_size, "/dev/kvm: %s", strerror(errno));
                return 0;
        }
        close(kvm);
        struct iso_err ke = {0};
        if (iso_vm_boot_once(qemu, "kvm", kernel, initrd, log, 20.0, &ke) >= 0) {
                iso_strlcpy(accel, "kvm", size);
                snprintf(why, why_size, "a KVM boot powered off");
                return 0;
        }
        iso_strlcpy(accel, "tcg", size);
        snprintf(why, why_size, "KVM unusable here: %.200s", ke.msg);
        (void)e;
        return 0;
}

int iso_floor_vm_boot(const char *qemu, const char *accel, const char *kernel, const char *initrd,
                      const char *log, double timeout_s, double *t, size_t n, struct iso_err *e)
{
        for (size_t i = 0; i <= n; i++) {
                double dt = iso_vm_boot_once(qemu, accel, kernel, initrd, log, timeout_s, e);
                if (dt < 0)
                        return -1;
                if (i > 0)
                        t[i - 1] = dt;
        }
        return 0;
}
