/* SPDX-License-Identifier: MIT */
/*
 * The VM target: boot a chosen kernel under qemu with an initramfs holding the suite,
 * run it with cgroup v1 or v2, and bring the reports back whole.
 *
 * Pieces, each usable (and unit-tested) on its own:
 *   codec    CRC-32, base64 and the framing of files on the guest's data port
 *   cpio     a newc ("070701") archive writer, the initramfs format
 *   console  a scanner that follows the serial console line by line (kernel start,
 *            init markers, panics) and the parser of framed files
 *   image    facts read from a kernel image, ldd output and modules.dep
 *   junit    the merge of per-configuration JUnit reports into one document
 *   opts     the isocheck-vm command line
 * The guest side (harness/vm/init.c, static) shares only the codec with the host.
 */
#ifndef ISOCHECK_VM_H
#define ISOCHECK_VM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "isocheck/report.h"
#include "isocheck/util.h"

/* ---- lines the guest init writes on the console (host and guest agree on them) ---- */

#define ISO_VM_MARK "isocheck-vm: "
#define ISO_VM_MARK_INIT "isocheck-vm: init started"
#define ISO_VM_MARK_SUITE "isocheck-vm: suite started"
#define ISO_VM_MARK_EXIT "isocheck-vm: suite exited with status "
#define ISO_VM_MARK_SENT "isocheck-vm: reports sent"
#define ISO_VM_MARK_ERROR "isocheck-vm: error: "
#define ISO_VM_MARK_WARNING "isocheck-vm: warning: "
#define ISO_VM_MARK_OFF "isocheck-vm: powering off"
/*
 * One line per case, as it ends, for readers of the console alone (a LAVA test monitor):
 * "isocheck-vm: case NAME pass", "... skip: REASON", "... fail: MESSAGE" and, for an
 * error (the environment or the harness broke the case), "... fail (error): MESSAGE".
 * NAME holds only [A-Za-z0-9._+-]. dist/lava/isocheck-job.yaml's monitor pattern reads it.
 */
#define ISO_VM_MARK_CASE "isocheck-vm: case "

/* Framing of one file on the data port: a begin line, base64 lines, an end line. */
#define ISO_VM_FRAME_BEGIN "=== isocheck-vm begin "
#define ISO_VM_FRAME_END "=== isocheck-vm end "
#define ISO_VM_FRAME_LINE 76 /* base64 characters per line, as in RFC 2045 */
#define ISO_VM_NAME_MAX 200  /* longest file name a frame may carry */

/* ---- codec ------------------------------------------------------------------------- */

/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as gzip and PNG use it) of @len
 * bytes, continuing from @crc (0 to start), computed by zlib's crc32(3). Returns the new CRC.
 */
uint32_t iso_vm_crc32(uint32_t crc, const void *data, size_t len);

/*
 * Base64 (RFC 4648 section 4, with '=' padding) of @len bytes of @in into @out, which must
 * hold 4 * ((len + 2) / 3) + 1 bytes. Returns the characters written (NUL not counted).
 */
size_t iso_vm_b64_encode(const void *in, size_t len, char *out);

/*
 * Decode @len base64 characters from @in (no whitespace; padding only at the end) into
 * @out, which must hold 3 * (len / 4) bytes. Returns the bytes decoded, or -1 when @len is
 * not a multiple of 4 or a character is outside the alphabet or misplaced '='.
 */
ssize_t iso_vm_b64_decode(const char *in, size_t len, unsigned char *out);

/*
 * Is @name fit for a frame: 1 to ISO_VM_NAME_MAX characters of [A-Za-z0-9._+-/], no
 * leading '/', no "." or ".." component? The host writes frames under a report directory
 * by that name, so nothing else may pass. Returns 1 or 0.
 */
int iso_vm_name_ok(const char *name);

/*
 * Write @len bytes of @data to @fd as one frame:
 *   "=== isocheck-vm begin NAME SIZE CRC32 ===\n", base64 in lines of 76 characters,
 *   "=== isocheck-vm end NAME ===\n"
 * (SIZE decimal bytes, CRC32 eight lower-case hex digits of iso_vm_crc32). Short writes
 * and EINTR are retried. Returns 0, or -1 with @e (EINVAL for a name iso_vm_name_ok
 * refuses, else the errno of write(2)).
 */
int iso_vm_frame_write(int fd, const char *name, const void *data, size_t len, struct iso_err *e);

/* ---- cpio -------------------------------------------------------------------------- */

/*
 * A newc cpio archive being written to a file descriptor (the format the kernel unpacks
 * into rootfs: Documentation/driver-api/early-userspace/buffer-format.rst), through
 * libarchive (archive_write_set_format_cpio_newc(3)). Names are relative ("bin/sh"),
 * parents must come first. @offset is the archive's size once finished or abandoned.
 */
struct archive;
struct iso_cpio {
        struct archive *a;
        int fd;
        off_t start;       /* where the archive begins in @fd */
        unsigned long ino; /* next inode number */
        unsigned long long offset;
};

/* Start an archive on @fd (owned by the caller). 0, or -1 with @e (libarchive's errno). */
int iso_cpio_init(struct iso_cpio *c, int fd, struct iso_err *e);

/*
 * Add one entry: @name relative (no leading '/'), @mode a full st_mode (S_IFREG | 0755,
 * S_IFDIR, S_IFLNK, S_IFCHR), @data/@len the file body or the symlink target (NULL/0 for
 * directories and devices), @rmajor/@rminor the device numbers of a device node. Owner
 * root, mtime 0. Returns 0, or -1 with @e (EINVAL for an absolute or empty name or a body
 * over 4 GiB - 1, which newc cannot express; else libarchive's errno and message).
 */
int iso_cpio_add(struct iso_cpio *c, const char *name, unsigned int mode, const void *data,
                 size_t len, unsigned int rmajor, unsigned int rminor, struct iso_err *e);

/*
 * Write the "TRAILER!!!" entry, pad to a 512-byte multiple and release the writer (the
 * caller still closes the fd). Returns 0 or -1 with @e.
 */
int iso_cpio_finish(struct iso_cpio *c, struct iso_err *e);

/* Release the writer after a failure without writing a trailer. Safe after finish. */
void iso_cpio_abandon(struct iso_cpio *c);

/* ---- a growable list of strings ---------------------------------------------------- */

struct iso_vm_strv {
        char **v;
        size_t n, cap;
};

/* Append a copy of @s. Returns 0, or -1 (ENOMEM). */
int iso_vm_strv_add(struct iso_vm_strv *sv, const char *s);
/* Is @s in the list? Returns its index or -1. */
long iso_vm_strv_find(const struct iso_vm_strv *sv, const char *s);
/* Free every string and the list; leaves an empty list. */
void iso_vm_strv_free(struct iso_vm_strv *sv);

/* ---- console ----------------------------------------------------------------------- */

/*
 * What the serial console has shown so far. Fed in chunks of any size; a line is judged
 * when its newline arrives. Times are the caller's clock (iso_now() seconds) at the feed
 * that completed the line; 0 means "not seen".
 */
struct iso_vm_console {
        double t_kernel;      /* "Linux version" seen: the kernel runs */
        double t_init;        /* ISO_VM_MARK_INIT */
        double t_suite;       /* ISO_VM_MARK_SUITE */
        double t_exit;        /* ISO_VM_MARK_EXIT */
        double t_sent;        /* ISO_VM_MARK_SENT */
        double t_off;         /* ISO_VM_MARK_OFF */
        double t_panic;       /* "Kernel panic - not syncing" */
        int suite_status;     /* the status in ISO_VM_MARK_EXIT, -1 before */
        char panic[256];      /* the panic line, from "Kernel panic" on */
        char init_error[512]; /* the first ISO_VM_MARK_ERROR line, after the marker */
        char warnings[1024];  /* ISO_VM_MARK_WARNING lines, after the marker, "; " between */
        char last[256];       /* the last non-empty line */
        size_t bytes;         /* everything fed */
        char part[1024];      /* the line being assembled (longer lines are cut) */
        size_t part_len;
};

/* Start with nothing seen. */
void iso_vm_console_init(struct iso_vm_console *c);

/* Feed @len bytes that arrived at time @now. Control characters other than '\n' are dropped. */
void iso_vm_console_feed(struct iso_vm_console *c, const char *data, size_t len, double now);

/* One file carried by a frame. */
struct iso_vm_file {
        char name[ISO_VM_NAME_MAX + 1];
        unsigned char *data; /* malloc'd, NUL-terminated after len bytes */
        size_t len;
};

/*
 * Find every frame (iso_vm_frame_write) in @len bytes of @stream, a data port capture or
 * a console log: lines outside frames are ignored, '\r' is ignored everywhere. Decoded
 * files go to @files (at most @max; the caller frees each data). Returns the number of
 * files, or -1 with @e for a damaged frame, naming it and saying what was expected and
 * what came (a line that is not base64, a size or CRC-32 that does not match, a begin
 * with no end, a refused name); files decoded before it are freed.
 */
long iso_vm_frames_parse(const char *stream, size_t len, struct iso_vm_file *files, size_t max,
                         struct iso_err *e);

/* Free the data of @n files. */
void iso_vm_files_free(struct iso_vm_file *files, size_t n);

/* ---- kernel images, libraries and modules ------------------------------------------ */

/*
 * The release ("6.1.0-57-amd64") of an x86 bzImage, from the version string its setup
 * header points to (Documentation/arch/x86/boot.rst: "HdrS" at 0x202, kernel_version at
 * 0x20E, the string at that value + 0x200). Returns 0, or -1 with @e: the file cannot be
 * read (errno), or it is not a bzImage or has no version string (ENOEXEC).
 */
int iso_vm_kernel_release(const char *path, char *out, size_t size, struct iso_err *e);

/*
 * Same, from the first @len bytes of an image already in memory. Returns 0 or -1 with @e
 * (ENOEXEC) naming @what.
 */
int iso_vm_kernel_release_mem(const unsigned char *img, size_t len, const char *what, char *out,
                              size_t size, struct iso_err *e);

/*
 * The shared objects ldd(1) listed in @out (its standard output for one program): the
 * absolute path after "=>", or the first word when it is a path (the dynamic loader);
 * "linux-vdso.so.1" and other path-less entries are skipped, and "not a dynamic
 * executable" gives none. Appends to @libs what it does not hold yet. Returns the number
 * of entries seen, or -1 with @e (ENOENT) naming the first library "not found".
 */
long iso_vm_ldd_parse(const char *out, struct iso_vm_strv *libs, struct iso_err *e);

/*
 * Resolve module @name ("veth"; '-' and '_' are the same, as for modprobe) in @dep, the
 * text of a modules.dep (modules.dep(5): "path: dep dep..."), and append to @order the
 * paths to load, each after the modules it depends on, none twice. Returns 1 when the
 * module was found, 0 when modules.dep does not list it (built in, or absent), -1 with
 * @e (ELOOP) when dependencies run deeper than 32.
 */
int iso_vm_moddep_resolve(const char *dep, const char *name, struct iso_vm_strv *order,
                          struct iso_err *e);

/*
 * The release in a module's vermagic (modinfo(8) -F vermagic: "6.1.0-57-amd64 SMP
 * preempt mod_unload modversions"), found as "vermagic=" in @len bytes of @text (an
 * uncompressed .ko, or modinfo's output when it starts with the release). Returns 0 with
 * the first word in @out, or -1 when there is none.
 */
int iso_vm_vermagic_release(const char *text, size_t len, char *out, size_t size);

/*
 * The release the modules tree @dir was built for, read from the vermagic of module
 * @name in it ("veth": the first file named so, as the image builder finds it; an
 * uncompressed .ko is read directly, a compressed one through modinfo(8) run by the
 * bounded tool runner). Returns 1 with @out filled, 0 when nothing tells (the tree has
 * no such module, or only a compressed one and kmod's modinfo is not installed), -1 with
 * @e when the module cannot be read or has no vermagic.
 */
int iso_vm_modules_release(const char *dir, const char *name, char *out, size_t size,
                           struct iso_err *e);

/* ---- files the host writes (harness/vm/files.c) -------------------------------------- */

/*
 * Create (mode 0700) or open directory @name under @at, never through a symbolic link,
 * and only when it belongs to this process's euid (a directory another user made could
 * hold links that user planted). @shown names it in messages. Returns the directory's
 * descriptor, or -1 with @e (ELOOP/ENOTDIR for a link or another file, EPERM for another
 * owner, else mkdirat(2)/openat(2)'s errno).
 */
int iso_vm_dir_open(int at, const char *name, const char *shown, struct iso_err *e);

/*
 * The --output directory @path: parents made as needed (followed as given), the last
 * component created (0755) or opened without following a link. It may belong to another
 * user (a checkout made before sudo): everything below it is opened with
 * iso_vm_dir_open and created exclusively. Returns its descriptor or -1 with @e.
 */
int iso_vm_out_open(const char *path, struct iso_err *e);

/*
 * Create file @name in @dirfd exclusively (O_CREAT | O_EXCL | O_NOFOLLOW, mode 0600),
 * removing what was there first unless it is a directory (a link is removed, its target
 * never touched). Returns the descriptor or -1 with @e naming @shown.
 */
int iso_vm_file_create(int dirfd, const char *name, const char *shown, struct iso_err *e);

/*
 * Write @len bytes to @name in @dirfd atomically: a temporary file created exclusively
 * (mode 0600) in the same directory, then renameat(2), which replaces a link rather than
 * writing through it. Returns 0 or -1 with @e naming @shown.
 */
int iso_vm_file_write(int dirfd, const char *name, const char *shown, const void *data, size_t len,
                      struct iso_err *e);

/*
 * Store a file the guest sent, @rel ("artifacts/case/file", iso_vm_name_ok), under
 * @dirfd: each directory on the way through iso_vm_dir_open, the file through
 * iso_vm_file_write. @dir_shown names @dirfd in messages. Returns 0 or -1 with @e.
 */
int iso_vm_store(int dirfd, const char *dir_shown, const char *rel, const void *data, size_t len,
                 struct iso_err *e);

/*
 * Make the work directory: "$TMPDIR/isocheck-vm.XXXXXX" (TMPDIR when absolute, else
 * /tmp) with mkdtemp(3), so exclusively and mode 0700. Returns 0 with the path in @out,
 * or -1 with @e.
 */
int iso_vm_workdir(char *out, size_t size, struct iso_err *e);

/* ---- the initramfs ----------------------------------------------------------------- */

/* What goes into a guest's initramfs. Host paths are absolute or relative to the cwd. */
struct iso_vm_image_spec {
        const char *out;          /* the cpio file to write (created exclusively, 0600) */
        const char *init;         /* the static guest init: becomes /init */
        const char *isocheck;     /* the suite: /opt/isocheck/isocheck */
        const char *fixtures;     /* directory holding app and sidecar: /opt/isocheck/fixtures */
        const char *const *tools; /* program names found on the host's PATH, with ldd closures */
        size_t n_tools;
        const char *release;        /* the kernel's release */
        const char *modules_dir;    /* its modules tree, NULL when none */
        const char *const *modules; /* module names to load, with their dependencies */
        size_t n_modules;
        const char *kconfig; /* the kernel's config file (/boot/config-RELEASE), may be NULL */
        const char *const *suite_args; /* extra isocheck arguments, one per line in the guest */
        size_t n_suite_args;
};

/* What was put in. Strings are heap-allocated: iso_vm_image_info_free. */
struct iso_vm_image_info {
        size_t entries;
        unsigned long long bytes;
        struct iso_vm_strv missing; /* tools not found on the host */
        struct iso_vm_strv modules; /* module files included, in load order */
        struct iso_vm_strv absent;  /* modules not in the tree (built in, or missing) */
        struct iso_vm_strv lacking; /* of those, the ones the kernel config has as =m (or
                                     * unknown): needed, and not there */
        struct iso_vm_strv notes;   /* what was done differently, e.g. no modules.dep */
};

/*
 * Write the initramfs described by @s: the host's own directory layout for every tool
 * and library (symlinks such as /bin -> usr/bin kept), the suite and fixtures under
 * /opt/isocheck with their ldd(1) closures, the modules under /opt/isocheck/modules with
 * /etc/isocheck-vm/modules listing them in load order (from modules.dep(5); without one,
 * as in an unpacked package, found by name and loaded without dependencies, noted in
 * @info), /dev/console, /etc/passwd and /etc/group. ldd runs through the bounded tool
 * runner. A missing tool is recorded in @info, not an error. Returns 0, or -1 with @e: the init, the suite or a fixture is
 * missing, ldd cannot resolve a library, or writing fails (the file is then removed).
 */
int iso_vm_image_build(const struct iso_vm_image_spec *s, struct iso_vm_image_info *info,
                       struct iso_err *e);

/* Free the lists in @info. */
void iso_vm_image_info_free(struct iso_vm_image_info *info);

/* ---- one boot ---------------------------------------------------------------------- */

/* How a boot ended. */
enum iso_vm_outcome {
        ISO_VM_OFF = 0,   /* the guest said it powered off and qemu exited */
        ISO_VM_NO_OUTPUT, /* no kernel line within output_s */
        ISO_VM_PANIC,     /* "Kernel panic - not syncing" */
        ISO_VM_TIMEOUT,   /* still running at timeout_s */
        ISO_VM_EXITED,    /* qemu ended without the guest powering off */
        ISO_VM_STOPPED,   /* *stop became non-zero (a signal) */
};

/* The guest's scratch disks (harness/vm/scratch.c): sizes in bytes. */
#define ISO_VM_SCRATCH_BYTES (256LL << 20)
#define ISO_VM_SWAP_BYTES (128LL << 20)

struct iso_vm_scratch {
        char disk[PATH_MAX]; /* raw scratch disk, "" when none */
        char swap[PATH_MAX]; /* swap disk with mkswap's signature, "" when none */
};

/*
 * Make the scratch disk and the swap disk of one boot in the work directory @work, named
 * after @tag (the configuration): sparse files, created exclusively (an old one of the
 * same name is removed first), the swap one signed by mkswap(8). Returns 0, or -1 with @e
 * (the files made so far are kept in @s for iso_vm_scratch_remove; "" for the others).
 */
int iso_vm_scratch_make(const char *work, const char *tag, struct iso_vm_scratch *s,
                        struct iso_err *e);

/* Remove what iso_vm_scratch_make made. */
void iso_vm_scratch_remove(struct iso_vm_scratch *s);

struct iso_vm_boot {
        const char *qemu;    /* program, looked up on PATH */
        const char *kernel;  /* bzImage */
        const char *initrd;  /* cpio */
        const char *append;  /* the whole kernel command line */
        const char *console; /* file receiving the console (and qemu's messages) as they come:
                              * created exclusively (it must not exist) unless @console_fd */
        int console_fd;      /* > 0: an open file for the console instead, kept by the caller */
        const char *data;    /* file receiving the second serial port (the frames) */
        int kvm;             /* 1: -accel kvm; 0: TCG (multi-threaded) */
        unsigned int memory_mb, cpus;
        double output_s;      /* bound for the kernel's first line ("Linux version") */
        double timeout_s;     /* bound for the whole boot */
        volatile int *stop;   /* checked every 200 ms; may be NULL */
        const char *disks[2]; /* raw images given as virtio disks (/dev/vda, /dev/vdb), or NULL */
};

struct iso_vm_boot_result {
        enum iso_vm_outcome outcome;
        int status;     /* qemu's wait status, -1 if unknown */
        double t_start; /* iso_now() when qemu started */
        double t_end;   /* when it was gone */
        struct iso_vm_console con;
};

/*
 * Boot once: run qemu (-nodefaults, no network, no display, -no-reboot; console on the
 * first serial port piped here, the data port to @b->data) in its own process group
 * through the tool runner, follow the console, and end qemu by PID when the guest powers
 * off (30 s grace), panics (5 s grace, panic=-1 normally makes it exit at once), stays
 * silent past output_s, or runs past timeout_s. Nothing is left running on return.
 * Returns 0 with @r filled whatever the guest did, or -1 with @e when qemu could not be
 * started or the console file not created.
 */
int iso_vm_boot_run(const struct iso_vm_boot *b, struct iso_vm_boot_result *r, struct iso_err *e);

/* ---- JUnit merge ------------------------------------------------------------------- */

/* One configuration's testsuite in the merged report. */
struct iso_vm_suite {
        const char *name;  /* the merged testsuite's name, "vm-6.1.0-57-amd64-v2" */
        const char *junit; /* the guest's whole JUnit document, or NULL when there is none */
        const struct iso_property *props; /* appended to the suite's <properties> */
        size_t n_props;
        /* With @junit NULL, the suite holds one testcase "vm.boot" / @case_name with: */
        const char *case_name; /* "v2" */
        enum iso_verdict verdict;
        const char *message; /* the failure or skip reason */
        const char *log;     /* its <system-out> (the console's tail), may be NULL */
        double time_s;
        const char *timestamp; /* ISO 8601 UTC */
        const char *hostname;
        /* Artifact paths in @junit start with @guest_reports (the guest's --artifacts
         * parent, "/tmp/isocheck-reports"); the merge rewrites that prefix to @host_dir, where
         * the host keeps the files. Either NULL: paths are left as they are. */
        const char *guest_reports;
        const char *host_dir;
};

/*
 * Write to @out one JUnit document (<testsuites name="isocheck">, its counts the sums)
 * holding one <testsuite> per entry of @s: the guest's testsuite renamed to @name with
 * @props added, or a testsuite made from the boot result when @junit is NULL. Every
 * testcase's classname gets "@name." in front, so (classname, name) pairs stay unique in
 * the file (GitLab keys results by them and keeps the first of duplicates), and artifact
 * paths are rewritten to the host's (@guest_reports, @host_dir). The guest's
 * document must be what iso_junit_write produces (one <testsuite> with <properties>).
 * Returns 0, or -1 with @e: EBADMSG naming the suite whose document has no testsuite,
 * no properties or unreadable counts; EIO when writing fails.
 */
int iso_vm_junit_merge(FILE *out, const struct iso_vm_suite *s, size_t n, struct iso_err *e);

/* ---- a LAVA job's log (harness/vm/lava.c) ------------------------------------------- */

/* One case of a LAVA job that ran isocheck's initramfs. */
struct iso_vm_lava_case {
        char name[256];           /* "cgroup.memory.oom_kill": msg.extra.test_case_id */
        int has_result;           /* LAVA recorded it (lvl "results") */
        enum iso_verdict verdict; /* pass, fail or skip as LAVA recorded it */
        int on_console;           /* the init's ISO_VM_MARK_CASE line for it was seen */
        int console_error;        /* that line said "fail (error)" */
        char reason[640];         /* what the line said after ": " */
};

struct iso_vm_lava {
        struct iso_vm_lava_case *cases; /* in the order they first appeared */
        size_t n_cases, cap;
        char release[128]; /* from the kernel's "Linux version" line, "" if not seen */
        char cgroup[4];    /* "v1" / "v2" from the init's first line, "" if not seen */
        int suite_status;  /* from ISO_VM_MARK_EXIT, -1 if not seen */
        int monitor_seen, monitor_passed; /* LAVA's lava-test-monitor result */
        char job_result[16];              /* LAVA's "job" result: "pass", "fail" */
        char job_error[512];              /* and its error_msg */
};

/*
 * Read @len bytes of a LAVA job log (lava-run's standard error: one {"dt", "lvl", "msg"}
 * mapping per line; or `lavacli jobs logs --raw`: the same as a YAML list) into @l: the
 * results of the test monitor named @definition ("isocheck" in dist/lava/isocheck-job.yaml),
 * matched by name (msg.extra.test_case_id) with the init's verdict lines on the console.
 * Lines that are not JSON are passed over. Returns 0, or -1 with @e (EBADMSG: no log
 * entry at all, a result other than pass / fail / skip, a case recorded twice; ENOMEM).
 * Free with iso_vm_lava_free.
 */
int iso_vm_lava_read(const char *text, size_t len, const char *definition, struct iso_vm_lava *l,
                     struct iso_err *e);
void iso_vm_lava_free(struct iso_vm_lava *l);

/*
 * Write @l as isocheck's JUnit report (iso_junit_write), target "lava", with the
 * properties kernel, kernel.release, cgroup, cgroup.mode (when the log told them) and
 * lava.job.result: a LAVA "fail" whose console line said "(error)" is an <error>, a case
 * with a console line but no LAVA result is an <error> naming the monitor's pattern, and
 * a monitor that did not see the suite end is the harness error. @timestamp (ISO 8601
 * UTC) and @hostname go on the <testsuite>. Returns 0, or -1 with @e (ENOMEM, or the
 * write's errno).
 */
int iso_vm_lava_junit(FILE *out, const struct iso_vm_lava *l, const char *timestamp,
                      const char *hostname, struct iso_err *e);

/* ---- the command line -------------------------------------------------------------- */

#define ISO_VM_MAX_KERNELS 16
#define ISO_VM_MAX_ARGS 32

enum iso_vm_accel { ISO_VM_ACCEL_AUTO = 0, ISO_VM_ACCEL_KVM, ISO_VM_ACCEL_TCG };

struct iso_vm_opts {
        const char *kernels[ISO_VM_MAX_KERNELS]; /* images or directories of vmlinuz-* */
        size_t n_kernels;
        /* --modules DIR after a --kernel: that kernel's tree (or a directory of trees by
         * release); NULL: @modules, else /lib/modules/RELEASE */
        const char *kernel_modules[ISO_VM_MAX_KERNELS];
        int want_v1, want_v2;    /* --cgroup v1|v2|both (default both) */
        const char *modules;     /* --modules DIR before any --kernel: every kernel's default */
        enum iso_vm_accel accel; /* --accel */
        unsigned int memory_mb;  /* --memory, default 1024 */
        unsigned int cpus;       /* --cpus, default 2 */
        double timeout_s;        /* --timeout: one boot, start to power-off; default 900 */
        double output_s;         /* --no-output-timeout: first kernel line; default 60 */
        double kvm_probe_s;      /* --kvm-probe: first kernel line under KVM; default 20 */
        double timeout_mult;     /* --timeout-mult for the guest's suite; 0: 1 KVM, 4 TCG */
        const char *output;      /* --output DIR, default "reports" */
        const char *qemu;        /* --qemu PROGRAM, default qemu-system-x86_64 */
        const char *append;      /* --append ARGS: more kernel command line */
        const char *suite_args[ISO_VM_MAX_ARGS]; /* after "--": passed to isocheck */
        size_t n_suite_args;
        int help;
        /* --build-initramfs FILE: write the image for the one --kernel and print its kernel
         * command line instead of booting; needs one kernel and one cgroup mode (v2 when
         * --cgroup is not given) */
        const char *build_initramfs;
        const char *suite;     /* --suite PROGRAM: the isocheck to put in the image (default:
                             * the isocheck beside isocheck-vm) */
        unsigned int jobs;     /* --jobs N: boots at once; 0 (default): one per --cpus of the
                             * host's online CPUs, at least 1 */
        int no_scratch;        /* --no-scratch: no scratch and swap disks for the guest */
        const char *from_lava; /* --from-lava LOG: convert a LAVA job's log to JUnit on
                                * standard output instead of booting (no --kernel needed) */
};

/*
 * Parse the isocheck-vm command line into @o (defaults first). Returns 0, or -1 with a
 * one-line reason in @err (@err_size bytes): an unknown option, a missing or malformed
 * value (--cgroup other than v1, v2, both; --accel other than auto, kvm, tcg; a memory
 * under 256 or over 65536 MB; a timeout that is not a positive number), no --kernel, too
 * many kernels or suite arguments, a second --modules for the same kernel (a --modules
 * pairs with the --kernel before it; one before any --kernel is every kernel's default),
 * --jobs outside 1 to 64, and --build-initramfs with more than one kernel or with
 * --cgroup both. Does not print, exit or touch the file system.
 */
int iso_vm_parse_args(int argc, char *const argv[], struct iso_vm_opts *o, char *err,
                      size_t err_size);

/* The --help text. */
extern const char iso_vm_usage[];

#endif
