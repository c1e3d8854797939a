// SPDX-License-Identifier: MIT
/*
 * One boot under qemu, watched through its console and bounded in time. qemu runs through
 * the tool runner: its own process group, ended by PID, reaped before we return.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/tool.h"

/* After these, qemu is expected gone: -no-reboot ends it at reboot(2) or a panic. */
#define OFF_GRACE_S 30.0
#define PANIC_GRACE_S 5.0

int iso_vm_boot_run(const struct iso_vm_boot *b, struct iso_vm_boot_result *r, struct iso_err *e)
{
        char mem[32], smp[32], serial_data[4200], drive[2][PATH_MAX + 64];
        const char *argv[40];
        size_t n = 0;

        memset(r, 0, sizeof(*r));
        iso_vm_console_init(&r->con);
        r->status = -1;
        snprintf(mem, sizeof(mem), "%u", b->memory_mb);
        snprintf(smp, sizeof(smp), "%u", b->cpus);
        if (iso_pathf(serial_data, sizeof(serial_data), "file:%s", b->data) < 0)
                return iso_errf(e, ENAMETOOLONG, "data port path %s", b->data);
        argv[n++] = b->qemu;
        argv[n++] = "-nodefaults";
        argv[n++] = "-no-user-config";
        argv[n++] = "-display";
        argv[n++] = "none";
        argv[n++] = "-monitor";
        argv[n++] = "none";
        argv[n++] = "-no-reboot";
        argv[n++] = "-accel";
        argv[n++] = b->kvm ? "kvm" : "tcg,thread=multi";
        argv[n++] = "-m";
        argv[n++] = mem;
        argv[n++] = "-smp";
        argv[n++] = smp;
        argv[n++] = "-serial";
        argv[n++] = "stdio";
        argv[n++] = "-serial";
        argv[n++] = serial_data;
        argv[n++] = "-kernel";
        argv[n++] = b->kernel;
        argv[n++] = "-initrd";
        argv[n++] = b->initrd;
        argv[n++] = "-append";
        argv[n++] = b->append;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(b->disks) && b->disks[i]; i++) {
                /* cache=unsafe: the disks die with the boot, so no write need reach them. */
                if (iso_pathf(drive[i], sizeof(drive[i]),
                              "file=%s,format=raw,if=virtio,cache=unsafe", b->disks[i]) < 0)
                        return iso_errf(e, ENAMETOOLONG, "disk path %s", b->disks[i]);
                argv[n++] = "-drive";
                argv[n++] = drive[i];
        }
        argv[n] = NULL;

        /* Never through a link: the caller's descriptor, or a file that did not exist. */
        iso_autoclose int own =
                b->console_fd > 0
                        ? -1
                        : open(b->console, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                               0600);
        int log = b->console_fd > 0 ? b->console_fd : own;

        if (log < 0)
                return iso_errf(e, errno, "create the console log %s exclusively", b->console);
        /* The command line heads the log: what was booted, exactly. */
        for (size_t i = 0; argv[i]; i++) {
                const char *sep = argv[i + 1] ? " " : "\n";

                if (iso_write_all(log, argv[i], strlen(argv[i])) < 0 ||
                    iso_write_all(log, sep, 1) < 0)
                        return iso_errf(e, errno, "write the console log %s", b->console);
        }
        struct iso_tool_proc tp;

        r->t_start = iso_now();
        if (iso_tool_start((char *const *)argv, &tp, e) < 0)
                return -1;
        enum iso_vm_outcome outcome = ISO_VM_EXITED;
        int done = 0;

        while (!done) {
                double now = iso_now(), el = now - r->t_start;

                if (b->stop && *b->stop) {
                        outcome = ISO_VM_STOPPED;
                        break;
                }
                if (!r->con.t_kernel && el > b->output_s) {
                        outcome = ISO_VM_NO_OUTPUT;
                        break;
                }
                if (r->con.t_panic && now - r->con.t_panic > PANIC_GRACE_S) {
                        outcome = ISO_VM_PANIC;
                        break;
                }
                if (r->con.t_off && now - r->con.t_off > OFF_GRACE_S) {
                        outcome = ISO_VM_OFF;
                        break;
                }
                if (el > b->timeout_s) {
                        outcome = ISO_VM_TIMEOUT;
                        break;
                }
                struct pollfd pfd = {.fd = tp.out_fd, .events = POLLIN};
                int pr = poll(&pfd, 1, 200);

                if (pr < 0 && errno != EINTR)
                        break;
                if (pr <= 0)
                        continue;
                char buf[8192];
                ssize_t got = read(tp.out_fd, buf, sizeof(buf));

                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0) {
                        done = 1; /* qemu closed the console: it has exited */
                        break;
                }
                if (iso_write_all(log, buf, (size_t)got) < 0) {
                        /* A full disk must not hide the boot's outcome: keep following. */
                }
                iso_vm_console_feed(&r->con, buf, (size_t)got, iso_now());
        }
        int timed_out = 0;

        /* Gone already, or given a moment to flush its files; then SIGKILL by PID. */
        r->status = iso_tool_finish(&tp, iso_now() + (done ? 10.0 : 0.0), &timed_out);
        r->t_end = iso_now();
        if (done) {
                if (r->con.t_panic)
                        outcome = ISO_VM_PANIC;
                else if (r->con.t_off)
                        outcome = ISO_VM_OFF;
                else
                        outcome = ISO_VM_EXITED;
        }
        r->outcome = outcome;
        return 0;
}
