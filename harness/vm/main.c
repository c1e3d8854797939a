// SPDX-License-Identifier: MIT
/*
 * isocheck-vm: boot kernels under qemu with cgroup v1 and/or v2, run the suite in each,
 * and collect reports/vm-<release>-<cgroup>/ plus one merged JUnit report.
 *
 * A boot problem is a result, not a hang: every qemu is bounded in time and ended by PID,
 * and a configuration that did not produce reports gets a testsuite saying why.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "isocheck/install.h"

/* What the guest needs; a missing one is noted, and the cases needing it skip there. */
static const char *const guest_tools[] = {
        "sh",      "ls",        "cat",      "true",  "sleep",  "readlink", "ps",      "unshare",
        "nsenter", "stress-ng", "stress",   "mount", "umount", "ip",       "tcpdump", "dmesg",
        "kill",    "grep",      "hostname", "ipcmk", "ipcs",   "setpriv",  "id",      "stat",
};
/* Modules the cases need when the kernel has them as modules (veth: the native runtime;
 * virtio_pci, virtio_blk, ext4 and the crc32c ext4 asks for at mount time: the scratch
 * and swap disks of the memory cases). */
static const char *const guest_modules[] = {"veth", "virtio_pci", "virtio_blk", "crc32c_generic",
                                            "ext4"};

static volatile int stop_requested;

static void on_signal(int sig)
{
        (void)sig;
        stop_requested = 1;
}

static void utc_now(char *out, size_t size)
{
        time_t t = time(NULL);
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int on_path(const char *prog)
{
        char path[PATH_MAX];
        const char *env = getenv("PATH");
        char dirs[4096];

        if (strchr(prog, '/'))
                return access(prog, X_OK) == 0;
        iso_strlcpy(dirs, env && *env ? env : "/usr/bin:/bin", sizeof(dirs));
        char *save = NULL;

        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
                if (*d && iso_pathf(path, sizeof(path), "%s/%s", d, prog) == 0 &&
                    access(path, X_OK) == 0)
                        return 1;
        return 0;
}

struct ctx {
        struct iso_vm_opts o;
        char work[PATH_MAX];
        int out_fd; /* --output, opened once */
        char isocheck[PATH_MAX], fixtures[PATH_MAX], init[PATH_MAX];
        int kvm_usable;
        int kvm_hangs;
        int kvm_broken; /* --accel kvm gave no kernel output: later boots are not tried */
        char kvm_note[320];
        char hostname[256];
        /* --jobs: boots run in threads of their own; this guards the KVM facts above, the
         * counts below and the lines printed as boots end. */
        pthread_mutex_t lock;
        pthread_cond_t slot_free;
        unsigned int jobs, running;
        size_t n_configs, n_done;
};

/* A kernel's initramfs, shared by the boots of its cgroup modes: removed by the last. */
struct image {
        struct ctx *x;
        const struct kernel *k;
        char path[PATH_MAX];
        struct iso_vm_image_info info;
        size_t users;
};

/* The kernel command line of a guest: the init reads isocheck.cgroup and
 * isocheck.timeout_mult; v2 alone needs cgroup_no_v1=all (so nothing holds v1). */
static void guest_append(const struct iso_vm_opts *o, const char *cgroup, double mult, char *out,
                         size_t size)
{
        snprintf(out, size,
                 "console=ttyS0,115200 panic=-1 rdinit=/init isocheck.cgroup=%s "
                 "isocheck.timeout_mult=%g%s%s%s",
                 cgroup, mult, strcmp(cgroup, "v2") ? "" : " cgroup_no_v1=all",
                 o->append ? " " : "", o->append ? o->append : "");
}

static void boot_config(struct ctx *x, struct config *c, const char *initrd)
{
        char console[PATH_MAX], data[PATH_MAX], append[2048];
        struct iso_vm_boot_result r;
        struct iso_err e = {0};
        const struct iso_vm_opts *o = &x->o;
        int kvm = o->accel == ISO_VM_ACCEL_KVM ||
                  (o->accel == ISO_VM_ACCEL_AUTO && x->kvm_usable && !x->kvm_hangs);

        /* Per configuration: boots of two kernels in the same mode may run at once. */
        if (iso_pathf(console, sizeof(console), "%s/console.log", c->dir) < 0 ||
            iso_pathf(data, sizeof(data), "%s/data-%s", x->work, c->name) < 0) {
                vm_set_result(c, ISO_ERROR, "report path too long: %s", c->dir);
                return;
        }
        pthread_mutex_lock(&x->lock);
        int broken = x->kvm_broken;

        if (broken)
                vm_set_result(c, ISO_ERROR, "not booted: %s", x->kvm_note);
        kvm = kvm && !x->kvm_hangs;
        pthread_mutex_unlock(&x->lock);
        if (broken)
                return;
        double bound = o->output_s;

        for (;;) {
                double m = o->timeout_mult > 0 ? o->timeout_mult : kvm ? 1 : 4;

                guest_append(o, c->cgroup, m, append, sizeof(append));
                bound = kvm && o->accel == ISO_VM_ACCEL_AUTO ? o->kvm_probe_s : o->output_s;
                struct iso_vm_boot b = {
                        .qemu = o->qemu,
                        .kernel = c->kernel,
                        .initrd = initrd,
                        .append = append,
                        .console = console,
                        .data = data,
                        .kvm = kvm,
                        .memory_mb = o->memory_mb,
                        .cpus = o->cpus,
                        .output_s = bound,
                        .timeout_s = o->timeout_s,
                        .stop = &stop_requested,
                };

                fprintf(stderr, "isocheck-vm: booting %s under %s (timeout %.0f s)\n", c->name,
                        kvm ? "KVM" : "TCG", o->timeout_s);
                /* Without the disks the cases that need them skip, naming what is missing. */
                struct iso_vm_scratch scratch = {0};
                if (!o->no_scratch && iso_vm_scratch_make(x->work, c->name, &scratch, &e) < 0)
                        fprintf(stderr, "isocheck-vm: warning: %s: no scratch disks: %s\n", c->name,
                                e.msg);
                b.disks[0] = scratch.disk[0] ? scratch.disk : NULL;
                b.disks[1] = scratch.disk[0] && scratch.swap[0] ? scratch.swap : NULL;
                if (b.disks[0])
                        strncat(append, " isocheck.scratch=1", sizeof(append) - strlen(append) - 1);
                unlink(data);
                /* Created here, exclusively, in a directory opened without following links. */
                iso_autoclose int cfd = iso_vm_file_create(c->dir_fd, "console.log", console, &e);

                if (cfd < 0) {
                        iso_vm_scratch_remove(&scratch);
                        vm_set_result(c, ISO_ERROR, "%s", e.msg);
                        return;
                }
                b.console_fd = cfd;
                int booted = iso_vm_boot_run(&b, &r, &e);
                iso_vm_scratch_remove(&scratch);
                if (booted < 0) {
                        vm_set_result(c, ISO_ERROR, "expected qemu to start, but %s", e.msg);
                        return;
                }
                if (kvm && o->accel == ISO_VM_ACCEL_AUTO && !r.con.t_kernel &&
                    (r.outcome == ISO_VM_NO_OUTPUT || r.outcome == ISO_VM_EXITED)) {
                        /* KVM here can hang, or qemu abort, before the kernel's first line. */
                        char how[200];

                        if (r.outcome == ISO_VM_NO_OUTPUT)
                                snprintf(how, sizeof(how), "no kernel output in %.0f s",
                                         o->kvm_probe_s);
                        else {
                                char st[128];

                                vm_describe_status(r.status, st, sizeof(st));
                                snprintf(how, sizeof(how), "qemu %s before the kernel's first line",
                                         st);
                        }
                        pthread_mutex_lock(&x->lock);
                        x->kvm_hangs = 1;
                        snprintf(x->kvm_note, sizeof(x->kvm_note), "KVM: %s; fell back to TCG",
                                 how);
                        fprintf(stderr, "isocheck-vm: %s\n", x->kvm_note);
                        pthread_mutex_unlock(&x->lock);
                        kvm = 0;
                        continue;
                }
                break;
        }
        pthread_mutex_lock(&x->lock);
        snprintf(c->accel, sizeof(c->accel), "%s%s%s", kvm ? "kvm" : "tcg",
                 !kvm && x->kvm_hangs ? " (" : "", !kvm && x->kvm_hangs ? x->kvm_note : "");
        if (!kvm && x->kvm_hangs)
                strncat(c->accel, ")", sizeof(c->accel) - strlen(c->accel) - 1);
        pthread_mutex_unlock(&x->lock);
        double t_ready = r.con.t_suite ? r.con.t_suite : r.con.t_init;

        c->boot_s = t_ready ? t_ready - r.t_start : 0;
        if (r.con.t_exit && r.con.t_suite)
                c->suite_s = r.con.t_exit - r.con.t_suite;
        double total = r.t_end - r.t_start;

        switch (r.outcome) {
        case ISO_VM_OFF:
                vm_judge_reports(c, data, console, &r);
                break;
        case ISO_VM_NO_OUTPUT:
                if (kvm && o->accel == ISO_VM_ACCEL_KVM) {
                        /* Asked for by name: a KVM that does not run a guest is this host's
                         * problem, not the kernel's. */
                        pthread_mutex_lock(&x->lock);
                        snprintf(x->kvm_note, sizeof(x->kvm_note),
                                 "--accel kvm: no kernel output in %.0f s under KVM, so KVM does "
                                 "not run guests here (use --accel tcg or auto)",
                                 bound);
                        x->kvm_broken = 1;
                        vm_set_result(c, ISO_ERROR, "%s", x->kvm_note);
                        pthread_mutex_unlock(&x->lock);
                        break;
                }
                vm_set_result(c, ISO_FAIL, "kernel produced no output in %.0f s (%s)", bound,
                              c->accel);
                break;
        case ISO_VM_PANIC:
                vm_set_result(c, ISO_FAIL, "kernel panic after %.1f s while %s: %s",
                              r.con.t_panic - r.t_start, vm_phase(&r.con), r.con.panic);
                break;
        case ISO_VM_TIMEOUT:
                vm_set_result(c, ISO_FAIL,
                              "expected the guest to power off within %.0f s, but it was still %s "
                              "(last console line: \"%.200s\")",
                              o->timeout_s, vm_phase(&r.con), r.con.last);
                break;
        case ISO_VM_EXITED: {
                char how[160];

                vm_describe_status(r.status, how, sizeof(how));
                vm_set_result(
                        c, ISO_FAIL,
                        "expected the guest to run the suite and power off, but qemu %s after "
                        "%.1f s while %s%s%s (last console line: \"%.200s\")",
                        how, total, vm_phase(&r.con), r.con.init_error[0] ? "; init: " : "",
                        r.con.init_error, r.con.last);
                break;
        }
        case ISO_VM_STOPPED:
                vm_set_result(c, ISO_ERROR, "interrupted after %.1f s while %s", total,
                              vm_phase(&r.con));
                break;
        }
        unlink(data);
        iso_strlcpy(c->init_warnings, r.con.warnings, sizeof(c->init_warnings));
        if (c->verdict != ISO_PASS && c->verdict != ISO_SKIP)
                c->log = vm_file_tail(console, 6000);
}

static void add_prop(struct config *c, const char *name, const char *value)
{
        if (c->n_props < ISO_ARRAY_SIZE(c->props) && value && *value)
                c->props[c->n_props++] = (struct iso_property){name, value};
}

/* "NAME: VERDICT - MESSAGE [accel; boot N s, suite N s]": a configuration in one line. */
static void describe(const struct config *c, char *out, size_t size)
{
        snprintf(out, size, "%s: %s - %s", c->name, iso_verdict_name(c->verdict), c->message);
        if (c->accel[0])
                iso_appendf(out, size, " [%s", c->accel);
        if (c->accel[0] && c->boot_s > 0)
                iso_appendf(out, size, "; boot %.1f s", c->boot_s);
        if (c->accel[0] && c->suite_s > 0)
                iso_appendf(out, size, ", suite %.1f s", c->suite_s);
        if (c->accel[0])
                iso_appendf(out, size, "]");
}

/* A configuration has its verdict: said at once (stderr), whatever order boots end in. */
static void config_done(struct ctx *x, const struct config *c)
{
        char line[2048];

        describe(c, line, sizeof(line));
        pthread_mutex_lock(&x->lock);
        x->n_done++;
        /* One configuration: the summary line says it at the same moment. */
        if (x->n_configs > 1)
                fprintf(stderr, "isocheck-vm: [%zu/%zu] %s\n", x->n_done, x->n_configs, line);
        pthread_mutex_unlock(&x->lock);
}

/* Name each cgroup mode's configuration of kernel @k and open its report directory. */
static void prepare_configs(struct ctx *x, const struct kernel *k, struct config *cs, size_t n_cs,
                            int qemu_ok)
{
        struct iso_err e = {0};

        for (size_t i = 0; i < n_cs; i++) {
                struct config *c = &cs[i];

                c->kernel = k->path;
                iso_strlcpy(c->release, k->release, sizeof(c->release));
                snprintf(c->name, sizeof(c->name), "vm-%s-%s", k->release, c->cgroup);
                utc_now(c->timestamp, sizeof(c->timestamp));
                if (iso_pathf(c->dir, sizeof(c->dir), "%s/%s", x->o.output, c->name) < 0) {
                        vm_set_result(c, ISO_ERROR, "report path too long: %s/%s", x->o.output,
                                      c->name);
                        continue;
                }
                if (!qemu_ok) {
                        vm_set_result(c, ISO_SKIP, "%s not found on PATH (Debian: qemu-system-x86)",
                                      x->o.qemu);
                        continue;
                }
                c->dir_fd = iso_vm_dir_open(x->out_fd, c->name, c->dir, &e);
                if (c->dir_fd < 0) {
                        c->dir_fd = 0;
                        vm_set_result(c, ISO_ERROR, "expected a report directory: %s", e.msg);
                        continue;
                }
                static const char *const stale[] = {"isocheck.tap", "isocheck.junit.xml",
                                                    "console.log"};

                for (size_t j = 0; j < ISO_ARRAY_SIZE(stale); j++)
                        unlinkat(c->dir_fd, stale[j], 0);
        }
}

/* Write kernel @k's initramfs to @out (the suite, its tools, @k's modules). */
static int build_image(struct ctx *x, const struct kernel *k, const char *out,
                       struct iso_vm_image_info *info, struct iso_err *e)
{
        char kconf[PATH_MAX];
        struct iso_vm_image_spec spec = {
                .out = out,
                .init = x->init,
                .isocheck = x->isocheck,
                .fixtures = x->fixtures,
                .tools = guest_tools,
                .n_tools = ISO_ARRAY_SIZE(guest_tools),
                .release = k->release,
                .modules_dir = k->tree[0] ? k->tree : NULL,
                .modules = guest_modules,
                .n_modules = ISO_ARRAY_SIZE(guest_modules),
                .kconfig = vm_kconfig_path(k->path, k->release, kconf, sizeof(kconf)),
                .suite_args = x->o.suite_args,
                .n_suite_args = x->o.n_suite_args,
        };

        fprintf(stderr, "isocheck-vm: building the initramfs for %s\n", k->release);
        if (iso_vm_image_build(&spec, info, e) < 0)
                return -1;
        if (info->lacking.n) {
                char lacking[256];

                vm_join(&info->lacking, lacking, sizeof(lacking));
                fprintf(stderr,
                        "isocheck-vm: warning: %s needs module(s) %s, which %s%s lacks; the "
                        "cases that need them skip\n",
                        k->release, lacking, k->tree[0] ? k->tree : "no modules tree for ",
                        k->tree[0] ? "" : k->release);
        }
        return 0;
}

/* One boot, in a thread of its own. */
struct boot_job {
        struct image *img;
        struct config *c;
        pthread_t thread;
        int started;
};

static void image_release(struct image *img)
{
        struct ctx *x = img->x;
        int last;

        pthread_mutex_lock(&x->lock);
        last = --img->users == 0;
        pthread_mutex_unlock(&x->lock);
        if (!last)
                return;
        iso_vm_image_info_free(&img->info);
        unlink(img->path);
}

static void *boot_thread(void *arg)
{
        struct boot_job *j = arg;
        struct ctx *x = j->img->x;
        struct config *c = j->c;

        if (stop_requested) {
                vm_set_result(c, ISO_ERROR, "interrupted before it booted");
        } else {
                vm_describe_modules(j->img->k, &j->img->info, c->modules, sizeof(c->modules));
                vm_join(&j->img->info.missing, c->missing, sizeof(c->missing));
                snprintf(c->bytes_str, sizeof(c->bytes_str), "%llu", j->img->info.bytes);
                boot_config(x, c, j->img->path);
        }
        config_done(x, c);
        image_release(j->img);
        pthread_mutex_lock(&x->lock);
        x->running--;
        pthread_cond_signal(&x->slot_free);
        pthread_mutex_unlock(&x->lock);
        return NULL;
}

/*
 * Run every cgroup mode of kernel @k (@cs, one entry per mode, cgroup set): its image is
 * built here, and each boot starts in a thread once fewer than --jobs boots run.
 */
static void run_kernel(struct ctx *x, const struct kernel *k, struct image *img,
                       struct boot_job *jobs, struct config *cs, size_t n_cs, int qemu_ok)
{
        struct iso_err e = {0};
        size_t to_boot = 0;

        prepare_configs(x, k, cs, n_cs, qemu_ok);
        for (size_t i = 0; i < n_cs; i++)
                to_boot += cs[i].verdict == ISO_PASS;
        img->x = x;
        img->k = k;
        if (to_boot && iso_pathf(img->path, sizeof(img->path), "%s/initramfs-%s.cpio", x->work,
                                 k->release) < 0) {
                for (size_t i = 0; i < n_cs; i++)
                        if (cs[i].verdict == ISO_PASS)
                                vm_set_result(&cs[i], ISO_ERROR, "work path too long for %s",
                                              k->release);
                to_boot = 0;
        }
        if (to_boot && build_image(x, k, img->path, &img->info, &e) < 0) {
                for (size_t i = 0; i < n_cs; i++)
                        if (cs[i].verdict == ISO_PASS)
                                vm_set_result(&cs[i], ISO_ERROR,
                                              "expected an initramfs for %s, but %s", k->release,
                                              e.msg);
                iso_vm_image_info_free(&img->info);
                to_boot = 0;
        }
        img->users = to_boot;
        for (size_t i = 0; i < n_cs; i++) {
                struct config *c = &cs[i];

                if (!to_boot || c->verdict != ISO_PASS) {
                        config_done(x, c);
                        continue;
                }
                pthread_mutex_lock(&x->lock);
                while (x->running >= x->jobs)
                        pthread_cond_wait(&x->slot_free, &x->lock);
                x->running++;
                pthread_mutex_unlock(&x->lock);
                jobs[i] = (struct boot_job){.img = img, .c = c};
                if (pthread_create(&jobs[i].thread, NULL, boot_thread, &jobs[i]) == 0) {
                        jobs[i].started = 1;
                        continue;
                }
                /* No thread: this boot runs here, as a serial run would. */
                boot_thread(&jobs[i]);
        }
}

/* Write the initramfs of the one --kernel to --build-initramfs and print its command line. */
static int build_only(struct ctx *x, const struct kernel *k)
{
        struct iso_err e = {0};
        struct iso_vm_image_info info;
        struct stat st;
        const char *path = x->o.build_initramfs;
        char append[2048];

        /* A rebuild replaces a regular file (or a link, never its target); anything else
         * (a directory, a device such as /dev/null, a FIFO) is refused, never removed. */
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
                fprintf(stderr,
                        "isocheck-vm: --build-initramfs %s exists and is not a regular file: "
                        "refused (give a new file name)\n",
                        path);
                return 2;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
                fprintf(stderr, "isocheck-vm: expected to replace %s, but unlink: %s\n", path,
                        strerror(errno));
                return 1;
        }
        memset(&info, 0, sizeof(info));
        if (build_image(x, k, path, &info, &e) < 0) {
                fprintf(stderr, "isocheck-vm: expected an initramfs for %s in %s, but %s\n",
                        k->release, path, e.msg);
                iso_vm_image_info_free(&info);
                return 1;
        }
        if (info.missing.n) {
                char missing[512];

                vm_join(&info.missing, missing, sizeof(missing));
                fprintf(stderr, "isocheck-vm: warning: not on this host, so not in the image: %s\n",
                        missing);
        }
        fprintf(stderr, "isocheck-vm: wrote %s (%llu bytes, %zu entries) for %s\n", path,
                info.bytes, info.entries, k->release);
        iso_vm_image_info_free(&info);
        /* Under TCG unless told: a lab's qemu may well have no KVM. */
        guest_append(&x->o, x->o.want_v1 ? "v1" : "v2",
                     x->o.timeout_mult > 0 ? x->o.timeout_mult : 4, append, sizeof(append));
        printf("%s\n", append);
        return fflush(stdout) == 0 ? 0 : 1;
}

static void remove_work(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        unlinkat(dirfd(d), de->d_name, 0);
        }
        if (d)
                closedir(d);
        rmdir(dir);
}

static int self_paths(struct ctx *x)
{
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

        if (n < 0)
                return -1;
        exe[n] = '\0';
        char *bin = dirname(exe);

        if (iso_pathf(x->isocheck, sizeof(x->isocheck), "%s/isocheck", bin) < 0 ||
            iso_pathf(x->fixtures, sizeof(x->fixtures), "%s/fixtures", bin) < 0 ||
            iso_pathf(x->init, sizeof(x->init), "%s/vm/isocheck-init", bin) < 0)
                return -1;
        /* Installed (make install, the package): the init and the fixtures are in
         * LIBEXECDIR/isocheck, beside no build tree. */
        char lib[PATH_MAX];
        if (access(x->init, X_OK) < 0 && iso_install_libexec(lib, sizeof(lib), NULL) == 0 &&
            (iso_pathf(x->fixtures, sizeof(x->fixtures), "%s/fixtures", lib) < 0 ||
             iso_pathf(x->init, sizeof(x->init), "%s/isocheck-init", lib) < 0))
                return -1;
        return 0;
}

/* --jobs 0: as many boots as the host has online CPUs for their --cpus each, at least 1. */
static unsigned int default_jobs(unsigned int cpus)
{
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        long n = online > 0 && cpus ? online / (long)cpus : 1;

        return n < 1 ? 1 : n > 64 ? 64 : (unsigned int)n;
}

/* --from-lava: a LAVA job's log as isocheck's JUnit report on standard output. Exit 0 when
 * no case failed or errored, 1 otherwise, 2 when the log cannot be read as one. */
static int from_lava(const char *path)
{
        struct iso_err e = {0};
        struct iso_vm_lava l;
        size_t len = 0;
        char now[32], *doc = NULL;
        size_t doc_len = 0;
        iso_autofree char *text = iso_read_file(path, &len, &e);

        if (!text) {
                fprintf(stderr, "isocheck-vm: --from-lava %s: %s\n", path, e.msg);
                return 2;
        }
        if (iso_vm_lava_read(text, len, "isocheck", &l, &e) < 0) {
                fprintf(stderr, "isocheck-vm: --from-lava %s: %s\n", path, e.msg);
                return 2;
        }
        utc_now(now, sizeof(now));
        FILE *f = open_memstream(&doc, &doc_len);
        /* The cases ran in the guest, which the init names so (sethostname). */
        int rc = f ? iso_vm_lava_junit(f, &l, now, "isocheck-vm", &e) : -1;

        if (f && fclose(f) != 0)
                rc = -1;
        if (rc < 0) {
                fprintf(stderr, "isocheck-vm: --from-lava %s: %s\n", path,
                        e.msg[0] ? e.msg : "no memory for the report");
                free(doc);
                iso_vm_lava_free(&l);
                return 99;
        }
        size_t bad = 0;

        for (size_t i = 0; i < l.n_cases; i++)
                bad += !l.cases[i].has_result || l.cases[i].verdict == ISO_FAIL;
        if (fwrite(doc, 1, doc_len, stdout) != doc_len || fflush(stdout) != 0)
                rc = -1;
        fprintf(stderr,
                "isocheck-vm: %zu LAVA results of %s (kernel %s, cgroup %s), %zu failed%s\n",
                l.n_cases, path, l.release[0] ? l.release : "unknown",
                l.cgroup[0] ? l.cgroup : "unknown", bad,
                l.monitor_passed ? "" : "; the monitor did not see the suite end");
        int failed = bad || !l.monitor_passed || !l.n_cases;

        free(doc);
        iso_vm_lava_free(&l);
        if (rc < 0)
                return 99;
        return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
        static struct ctx x;
        static struct kernel kernels[ISO_VM_MAX_KERNELS * 8];
        char err[512], why[256];

        if (iso_vm_parse_args(argc, argv, &x.o, err, sizeof(err)) < 0) {
                fprintf(stderr, "isocheck-vm: %s\nTry 'isocheck-vm --help'.\n", err);
                return 2;
        }
        if (x.o.help) {
                fputs(iso_vm_usage, stdout);
                return 0;
        }
        if (x.o.from_lava)
                return from_lava(x.o.from_lava);
        if (self_paths(&x) < 0) {
                fprintf(stderr, "isocheck-vm: cannot tell where the build is: %s\n",
                        strerror(errno));
                return 99;
        }
        if (x.o.suite)
                iso_strlcpy(x.isocheck, x.o.suite, sizeof(x.isocheck));
        size_t n_k = vm_expand_kernels(&x.o, kernels, ISO_ARRAY_SIZE(kernels));
        int rc = vm_check_kernels(kernels, n_k, guest_modules[0]) < 0 ? 2 : 0;

        if (!rc && x.o.build_initramfs) {
                /* A --kernel directory may have named several. */
                if (n_k == 1) {
                        rc = build_only(&x, &kernels[0]);
                } else {
                        fprintf(stderr,
                                "isocheck-vm: --build-initramfs writes the image of one kernel, "
                                "but --kernel named %zu\n",
                                n_k);
                        rc = 2;
                }
                for (size_t k = 0; k < n_k; k++)
                        free(kernels[k].path);
                return rc;
        }

        x.kvm_usable = x.o.accel != ISO_VM_ACCEL_TCG && vm_kvm_works(why, sizeof(why));
        if (!rc && x.o.accel == ISO_VM_ACCEL_KVM && !x.kvm_usable) {
                /* Asked for by name: booting under TCG instead would hide it, and a boot
                 * that cannot start is no verdict on the kernel. */
                fprintf(stderr, "isocheck-vm: --accel kvm, but %s (use --accel tcg or auto)\n",
                        why);
                rc = 2;
        }
        if (rc) {
                for (size_t k = 0; k < n_k; k++)
                        free(kernels[k].path);
                return rc;
        }
        struct sigaction sa = {.sa_handler = on_signal};

        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        gethostname(x.hostname, sizeof(x.hostname) - 1);

        const char *modes[2];
        size_t n_modes = 0;

        if (x.o.want_v1)
                modes[n_modes++] = "v1";
        if (x.o.want_v2)
                modes[n_modes++] = "v2";
        struct config *cs = calloc(n_k * n_modes + 1, sizeof(*cs));
        struct iso_err e = {0};

        if (!cs) {
                fprintf(stderr, "isocheck-vm: out of memory\n");
                return 99;
        }
        x.out_fd = iso_vm_out_open(x.o.output, &e);
        if (x.out_fd < 0 || iso_vm_workdir(x.work, sizeof(x.work), &e) < 0) {
                fprintf(stderr, "isocheck-vm: %s\n", e.msg);
                if (x.out_fd >= 0)
                        close(x.out_fd);
                free(cs);
                return 2;
        }
        int qemu_ok = on_path(x.o.qemu);
        struct image *imgs = calloc(n_k + 1, sizeof(*imgs));
        struct boot_job *jobs = calloc(n_k * n_modes + 1, sizeof(*jobs));

        if (!imgs || !jobs) {
                fprintf(stderr, "isocheck-vm: out of memory\n");
                free(imgs);
                free(jobs);
                free(cs);
                remove_work(x.work);
                close(x.out_fd);
                return 99;
        }
        pthread_mutex_init(&x.lock, NULL);
        pthread_cond_init(&x.slot_free, NULL);
        x.jobs = x.o.jobs ? x.o.jobs : default_jobs(x.o.cpus);
        x.n_configs = n_k * n_modes;
        if (x.n_configs > 1)
                fprintf(stderr, "isocheck-vm: %zu configurations, up to %u boot%s at once\n",
                        x.n_configs, x.jobs, x.jobs == 1 ? "" : "s");
        for (size_t k = 0; k < n_k; k++) {
                for (size_t m = 0; m < n_modes; m++)
                        cs[k * n_modes + m].cgroup = modes[m];
                run_kernel(&x, &kernels[k], &imgs[k], &jobs[k * n_modes], &cs[k * n_modes], n_modes,
                           qemu_ok);
        }
        for (size_t i = 0; i < n_k * n_modes; i++)
                if (jobs[i].started)
                        pthread_join(jobs[i].thread, NULL);
        free(jobs);
        free(imgs);
        remove_work(x.work);

        /* One testsuite per configuration, in one document. */
        size_t n = n_k * n_modes, passed = 0, failed = 0, errors = 0, skipped = 0;
        struct iso_vm_suite *suites = calloc(n + 1, sizeof(*suites));

        for (size_t i = 0; suites && i < n; i++) {
                struct config *c = &cs[i];

                snprintf(c->boot_s_str, sizeof(c->boot_s_str), "%.1f", c->boot_s);
                snprintf(c->suite_s_str, sizeof(c->suite_s_str), "%.1f", c->suite_s);
                snprintf(c->mem_str, sizeof(c->mem_str), "%u", x.o.memory_mb);
                snprintf(c->cpus_str, sizeof(c->cpus_str), "%u", x.o.cpus);
                if (!c->junit) {
                        add_prop(c, "kernel", c->release);
                        add_prop(c, "cgroup", c->cgroup);
                }
                add_prop(c, "vm.kernel.image", c->kernel);
                add_prop(c, "vm.accel", c->accel);
                add_prop(c, "vm.memory_mb", c->mem_str);
                add_prop(c, "vm.cpus", c->cpus_str);
                if (c->boot_s > 0)
                        add_prop(c, "vm.boot_s", c->boot_s_str);
                if (c->suite_s > 0)
                        add_prop(c, "vm.suite_s", c->suite_s_str);
                add_prop(c, "vm.initramfs_bytes", c->bytes_str);
                add_prop(c, "vm.modules", c->modules);
                add_prop(c, "vm.tools.missing", c->missing);
                /* The guest's own report carries them too, unless the suite never ran. */
                if (!c->junit)
                        add_prop(c, "vm.init.warnings", c->init_warnings);
                add_prop(c, "vm.result", c->message);
                suites[i] = (struct iso_vm_suite){
                        .name = c->name,
                        .junit = c->junit,
                        .props = c->props,
                        .n_props = c->n_props,
                        .case_name = c->cgroup,
                        .verdict = c->verdict,
                        .message = c->message,
                        .log = c->log,
                        .time_s = c->boot_s + c->suite_s,
                        .timestamp = c->timestamp,
                        .hostname = x.hostname,
                        .guest_reports = "/tmp/isocheck-reports", /* init.c's REPORTS */
                        .host_dir = c->dir,
                };
                passed += c->verdict == ISO_PASS;
                skipped += c->verdict == ISO_SKIP;
                /* An error is the environment's (or ours), not the kernel's: counted apart. */
                failed += c->verdict == ISO_FAIL;
                errors += c->verdict == ISO_ERROR;
                /* The summary: one line per configuration, in the order they were named. */
                char line[2048];

                describe(c, line, sizeof(line));
                printf("%s\n", line);
        }
        rc = failed || errors ? 1 : passed ? 0 : 77;
        char merged[PATH_MAX];
        char *doc = NULL;
        size_t doc_len = 0;
        FILE *f = open_memstream(&doc, &doc_len);

        if (!suites || !f ||
            iso_pathf(merged, sizeof(merged), "%s/isocheck-vm.junit.xml", x.o.output) < 0) {
                fprintf(stderr, "isocheck-vm: cannot assemble the merged report\n");
                rc = 99;
        } else if (iso_vm_junit_merge(f, suites, n, &e) < 0) {
                fprintf(stderr, "isocheck-vm: merging the JUnit reports: %s\n", e.msg);
                rc = 99;
        }
        if (f)
                fclose(f);
        if (rc != 99 &&
            iso_vm_file_write(x.out_fd, "isocheck-vm.junit.xml", merged, doc, doc_len, &e) < 0) {
                fprintf(stderr, "isocheck-vm: %s\n", e.msg);
                rc = 99;
        } else if (rc != 99) {
                printf("%zu configurations: %zu passed, %zu failed, %zu errors, %zu skipped; "
                       "merged JUnit in %s\n",
                       n, passed, failed, errors, skipped, merged);
        }
        free(doc);
        free(suites);
        for (size_t i = 0; i < n; i++) {
                free(cs[i].junit);
                free(cs[i].log);
                if (cs[i].dir_fd > 0)
                        close(cs[i].dir_fd);
        }
        free(cs);
        close(x.out_fd);
        for (size_t k = 0; k < n_k; k++)
                free(kernels[k].path);
        return stop_requested && rc == 0 ? 1 : rc;
}
