// SPDX-License-Identifier: MIT
/*
 * Unit tests of the VM target's host side (harness/vm/): CRC-32 and base64, frames on the
 * data port, the console scanner (markers, panics), the cpio writer, kernel releases,
 * ldd and modules.dep, the JUnit merge, the command line, and one boot driven by a fake
 * qemu (a shell script) for each way a boot ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/report.h"
#include "isocheck/tool.h"
#include "isocheck/vm.h"
#include "samples.h"
#include "junit10.h"

/* Everything written to @fd since it was made, as a NUL-terminated heap string. */
static char *drain(int fd, size_t *len)
{
        off_t end = lseek(fd, 0, SEEK_END);

        assert_true(end >= 0);
        char *buf = malloc((size_t)end + 1);

        assert_non_null(buf);
        assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
        buf[end] = '\0';
        if (len)
                *len = (size_t)end;
        return buf;
}

/* ---- codec ---------------------------------------------------------------------------- */

static void crc32_known_vectors(void **state)
{
        (void)state;
        assert_int_equal(iso_vm_crc32(0, "123456789", 9), 0xCBF43926u);
        assert_int_equal(iso_vm_crc32(0, "", 0), 0);
        /* Continuing in pieces gives the same as one pass. */
        uint32_t c = iso_vm_crc32(0, "1234", 4);

        assert_int_equal(iso_vm_crc32(c, "56789", 5), 0xCBF43926u);
}

static void base64_rfc4648_vectors(void **state)
{
        (void)state;
        static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
        static const char *const out[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                          "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
        char enc[64];
        unsigned char dec[64];

        for (size_t i = 0; i < ISO_ARRAY_SIZE(in); i++) {
                size_t n = iso_vm_b64_encode(in[i], strlen(in[i]), enc);

                assert_string_equal(enc, out[i]);
                assert_int_equal(n, strlen(out[i]));
                ssize_t d = iso_vm_b64_decode(enc, n, dec);

                assert_int_equal(d, (ssize_t)strlen(in[i]));
                assert_memory_equal(dec, in[i], (size_t)d);
        }
}

static void base64_refuses_what_is_not_base64(void **state)
{
        (void)state;
        unsigned char dec[16];
        static const char *const bad[] = {"Zg=",    "Z===", "Zg==Zg==", "Zm!v",
                                          "Zm9v\n", "=Zm9", "Zm=v"};

        for (size_t i = 0; i < ISO_ARRAY_SIZE(bad); i++)
                assert_int_equal(iso_vm_b64_decode(bad[i], strlen(bad[i]), dec), -1);
}

static void base64_round_trip_every_byte(void **state)
{
        (void)state;
        unsigned char in[700], dec[700];
        char enc[1000];

        for (size_t i = 0; i < sizeof(in); i++)
                in[i] = (unsigned char)(i * 7 + (i >> 3));
        for (size_t len = 0; len < sizeof(in); len += 13) {
                size_t n = iso_vm_b64_encode(in, len, enc);

                assert_int_equal(iso_vm_b64_decode(enc, n, dec), (ssize_t)len);
                assert_memory_equal(dec, in, len);
        }
}

static void frame_names(void **state)
{
        (void)state;
        char longname[ISO_VM_NAME_MAX + 2];

        assert_true(iso_vm_name_ok("isocheck.tap"));
        assert_true(iso_vm_name_ok("artifacts/cgroup.memory.oom_kill/kmsg-oom.txt"));
        assert_true(iso_vm_name_ok("status"));
        static const char *const bad[] = {"",    "/etc/passwd", "../x", "a/../b", "a//b", "a/",
                                          "a b", "a\nb",        ".",    "x/./y",  "é"};

        for (size_t i = 0; i < ISO_ARRAY_SIZE(bad); i++)
                assert_false(iso_vm_name_ok(bad[i]));
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        assert_false(iso_vm_name_ok(longname));
}

/* ---- frames ----------------------------------------------------------------------------- */

static void frames_arrive_byte_exact_among_noise(void **state)
{
        (void)state;
        int fd = memfd_create("frames", MFD_CLOEXEC);
        struct iso_err e = {0};
        unsigned char bin[5000];
        /* What a report may hold: markers, CR LF, NULs, a line of exactly 57 bytes. */
        const char *tricky = "=== isocheck-vm end isocheck.tap ===\r\n\0x]]>";
        const size_t tricky_len = 44;

        for (size_t i = 0; i < sizeof(bin); i++)
                bin[i] = (unsigned char)(i * 31 + 7);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "[    1.0] kernel noise\r\n", 24), 24);
        assert_int_equal(iso_vm_frame_write(fd, "isocheck.tap", tricky, tricky_len, &e), 0);
        assert_int_equal(write(fd, "random line\n\n", 13), 13);
        assert_int_equal(iso_vm_frame_write(fd, "artifacts/a/b.pcap", bin, sizeof(bin), &e), 0);
        assert_int_equal(iso_vm_frame_write(fd, "empty", "", 0, &e), 0);
        assert_int_equal(iso_vm_frame_write(fd, "x57", bin, 57, &e), 0);

        size_t len;
        char *s = drain(fd, &len);
        struct iso_vm_file files[8];
        long n = iso_vm_frames_parse(s, len, files, 8, &e);

        assert_int_equal(n, 4);
        assert_string_equal(files[0].name, "isocheck.tap");
        assert_int_equal(files[0].len, tricky_len);
        assert_memory_equal(files[0].data, tricky, tricky_len);
        assert_string_equal(files[1].name, "artifacts/a/b.pcap");
        assert_int_equal(files[1].len, sizeof(bin));
        assert_memory_equal(files[1].data, bin, sizeof(bin));
        assert_int_equal(files[2].len, 0);
        assert_int_equal(files[3].len, 57);
        iso_vm_files_free(files, (size_t)n);

        /* The same stream through a terminal that turned every "\n" into "\r\n". */
        char *crlf = malloc(len * 2 + 1);
        size_t m = 0;

        assert_non_null(crlf);
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\n')
                        crlf[m++] = '\r';
                crlf[m++] = s[i];
        }
        assert_int_equal(iso_vm_frames_parse(crlf, m, files, 8, &e), 4);
        assert_memory_equal(files[1].data, bin, sizeof(bin));
        iso_vm_files_free(files, 4);
        free(crlf);
        free(s);
        close(fd);
}

static void frame_damage_is_named(void **state)
{
        (void)state;
        int fd = memfd_create("frames", MFD_CLOEXEC);
        struct iso_err e = {0};
        struct iso_vm_file files[4];
        char text[300];

        memset(text, 'q', sizeof(text));
        assert_int_equal(iso_vm_frame_write(fd, "isocheck.junit.xml", text, sizeof(text), &e), 0);
        size_t len;
        char *s = drain(fd, &len);

        /* One base64 character changed: the CRC-32 no longer matches. */
        char *body = strchr(s, '\n') + 1;

        body[10] = body[10] == 'A' ? 'B' : 'A';
        assert_int_equal(iso_vm_frames_parse(s, len, files, 4, &e), -1);
        assert_non_null(strstr(e.msg, "isocheck.junit.xml"));
        assert_non_null(strstr(e.msg, "CRC-32"));
        assert_non_null(strstr(e.msg, "expected 300 bytes"));

        /* Cut before the end marker. */
        assert_int_equal(iso_vm_frames_parse(s, (size_t)(strstr(s, "=== isocheck-vm end") - s),
                                             files, 4, &e),
                         -1);
        assert_non_null(strstr(e.msg, "expected its end marker"));

        /* A kernel line inside a frame is not base64. */
        const char *mixed = "=== isocheck-vm begin a 3 00000000 ===\n[ 1.2] oops here\n";

        assert_int_equal(iso_vm_frames_parse(mixed, strlen(mixed), files, 4, &e), -1);
        assert_non_null(strstr(e.msg, "expected base64"));
        assert_non_null(strstr(e.msg, "line 2"));

        /* A name that would escape the report directory. */
        const char *evil = "=== isocheck-vm begin ../../etc/x 0 00000000 ===\n";

        assert_int_equal(iso_vm_frames_parse(evil, strlen(evil), files, 4, &e), -1);
        assert_non_null(strstr(e.msg, "refused"));
        assert_int_equal(iso_vm_frame_write(fd, "../x", "", 0, &e), -1);
        assert_int_equal(e.errnum, EINVAL);

        /* More bytes than announced. */
        const char *over =
                "=== isocheck-vm begin a 1 00000000 ===\nZm9v\n=== isocheck-vm end a ===\n";

        assert_int_equal(iso_vm_frames_parse(over, strlen(over), files, 4, &e), -1);
        assert_non_null(strstr(e.msg, "more than the 1 bytes"));
        free(s);
        close(fd);
}

/* ---- console ------------------------------------------------------------------------------ */

static void feed_in_pieces(struct iso_vm_console *c, const char *s, size_t len, size_t piece)
{
        double t = 1;

        for (size_t off = 0; off < len; off += piece, t += 1)
                iso_vm_console_feed(c, s + off, len - off < piece ? len - off : piece, t);
}

static void console_follows_a_good_boot(void **state)
{
        (void)state;
        size_t len;
        char *s = read_sample_len("vm-console-ok.txt", &len);

        for (size_t piece = 1; piece < 9; piece++) {
                struct iso_vm_console c;

                iso_vm_console_init(&c);
                feed_in_pieces(&c, s, len, piece);
                assert_true(c.t_kernel > 0);
                assert_true(c.t_init > c.t_kernel);
                assert_true(c.t_suite > c.t_init);
                assert_true(c.t_exit > c.t_suite);
                assert_true(c.t_sent >= c.t_exit);
                assert_true(c.t_off >= c.t_sent);
                assert_int_equal(c.suite_status, 0);
                assert_true(c.t_panic == 0);
                assert_string_equal(c.panic, "");
                assert_int_equal(c.bytes, len);
        }
        free(s);
}

static void console_names_the_panic(void **state)
{
        (void)state;
        size_t len;
        char *s = read_sample_len("vm-console-panic.txt", &len);
        struct iso_vm_console c;

        iso_vm_console_init(&c);
        feed_in_pieces(&c, s, len, 5);
        assert_true(c.t_kernel > 0);
        assert_true(c.t_panic > 0);
        assert_true(c.t_init == 0);
        assert_int_equal(c.suite_status, -1);
        /* No init in the initramfs: the kernel falls back to a root device it lacks. */
        assert_string_equal(c.panic, "Kernel panic - not syncing: VFS: Unable to mount root fs "
                                     "on unknown-block(0,0)");
        free(s);
}

static void console_survives_escapes_and_long_lines(void **state)
{
        (void)state;
        struct iso_vm_console c;
        char big[5000];

        iso_vm_console_init(&c);
        /* Firmware's escape sequences before the kernel's first line, as on a real PC. */
        const char *s = "\x1b[?7l\x1b[2J[    0.000000] Linux version 6.1.0 (x)\r\n";

        iso_vm_console_feed(&c, s, strlen(s), 3);
        assert_true(c.t_kernel == 3);
        memset(big, 'x', sizeof(big));
        iso_vm_console_feed(&c, big, sizeof(big), 4);
        iso_vm_console_feed(&c, "\nisocheck-vm: error: mount cgroup2: EBUSY\n", 42, 5);
        assert_string_equal(c.init_error, "mount cgroup2: EBUSY");
        assert_string_equal(c.last, "isocheck-vm: error: mount cgroup2: EBUSY");
}

/* ---- cpio ------------------------------------------------------------------------------ */

static unsigned long hex8(const char *p)
{
        char f[9];

        memcpy(f, p, 8);
        f[8] = '\0';
        return strtoul(f, NULL, 16);
}

static void cpio_newc_layout(void **state)
{
        (void)state;
        int fd = memfd_create("cpio", MFD_CLOEXEC);
        struct iso_cpio c;
        struct iso_err e = {0};

        assert_int_equal(iso_cpio_init(&c, fd, &e), 0);
        assert_int_equal(iso_cpio_add(&c, "bin", S_IFDIR | 0755, NULL, 0, 0, 0, &e), 0);
        assert_int_equal(iso_cpio_add(&c, "bin/hello", S_IFREG | 0755, "hi!\n", 4, 0, 0, &e), 0);
        assert_int_equal(iso_cpio_add(&c, "sh", S_IFLNK | 0777, "bin/hello", 9, 0, 0, &e), 0);
        assert_int_equal(iso_cpio_add(&c, "dev/console", S_IFCHR | 0600, NULL, 0, 5, 1, &e), 0);
        assert_int_equal(iso_cpio_add(&c, "/abs", S_IFREG | 0644, "", 0, 0, 0, &e), -1);
        assert_int_equal(e.errnum, EINVAL);
        assert_int_equal(iso_cpio_finish(&c, &e), 0);

        size_t len;
        char *s = drain(fd, &len);

        assert_int_equal(len % 512, 0);
        assert_int_equal(len, c.offset);
        /* Walk the entries back as the kernel would. */
        static const char *const names[] = {"bin", "bin/hello", "sh", "dev/console", "TRAILER!!!"};
        size_t off = 0;

        for (size_t i = 0; i < ISO_ARRAY_SIZE(names); i++) {
                const char *h = s + off;

                assert_memory_equal(h, "070701", 6);
                unsigned long mode = hex8(h + 14), size = hex8(h + 54), namesize = hex8(h + 94);

                assert_int_equal(namesize, strlen(names[i]) + 1);
                assert_string_equal(h + 110, names[i]);
                off = (off + 110 + namesize + 3) & ~3ul;
                if (i == 1) {
                        assert_int_equal(mode, S_IFREG | 0755);
                        assert_int_equal(size, 4);
                        assert_memory_equal(s + off, "hi!\n", 4);
                }
                if (i == 2) {
                        assert_int_equal(mode, S_IFLNK | 0777);
                        assert_memory_equal(s + off, "bin/hello", 9);
                }
                if (i == 3) {
                        assert_int_equal(hex8(h + 78), 5); /* rdevmajor */
                        assert_int_equal(hex8(h + 86), 1); /* rdevminor */
                }
                off = (off + size + 3) & ~3ul;
        }
        for (size_t i = off; i < len; i++)
                assert_int_equal(s[i], 0);
        free(s);
        close(fd);
}

/* ---- kernel image, ldd, modules.dep --------------------------------------------------------- */

static void kernel_release_from_the_setup_header(void **state)
{
        (void)state;
        unsigned char img[4096];
        char rel[64];
        struct iso_err e = {0};
        const char *ver = "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP";

        memset(img, 0, sizeof(img));
        memcpy(img + 0x202, "HdrS", 4);
        img[0x20E] = 0x00; /* string at 0x200 + 0x0400 */
        img[0x20F] = 0x04;
        memcpy(img + 0x600, ver, strlen(ver) + 1);
        assert_int_equal(iso_vm_kernel_release_mem(img, sizeof(img), "img", rel, sizeof(rel), &e),
                         0);
        assert_string_equal(rel, "6.1.0-57-amd64");

        memcpy(img + 0x202, "MZ\0\0", 4);
        assert_int_equal(iso_vm_kernel_release_mem(img, sizeof(img), "img", rel, sizeof(rel), &e),
                         -1);
        assert_int_equal(e.errnum, ENOEXEC);
        assert_non_null(strstr(e.msg, "HdrS"));
        /* /dev/null: nothing at all. */
        assert_int_equal(iso_vm_kernel_release("/dev/null", rel, sizeof(rel), &e), -1);
        assert_int_equal(e.errnum, ENOEXEC);
        assert_int_equal(iso_vm_kernel_release("/nonexistent/vmlinuz", rel, sizeof(rel), &e), -1);
        assert_int_equal(e.errnum, ENOENT);
}

static void ldd_output(void **state)
{
        (void)state;
        struct iso_vm_strv libs = {0};
        struct iso_err e = {0};
        char *s = read_sample_len("vm-ldd-isocheck.txt", NULL);

        assert_int_equal(iso_vm_ldd_parse(s, &libs, &e), 12);
        assert_int_equal(libs.n, 12);
        assert_string_equal(libs.v[0], "/lib/x86_64-linux-gnu/libz.so.1");
        assert_true(iso_vm_strv_find(&libs, "/lib64/ld-linux-x86-64.so.2") >= 0);
        assert_true(iso_vm_strv_find(&libs, "linux-vdso.so.1") < 0);
        /* Seen again: nothing added twice. */
        assert_int_equal(iso_vm_ldd_parse(s, &libs, &e), 12);
        assert_int_equal(libs.n, 12);
        assert_int_equal(iso_vm_ldd_parse("\tnot a dynamic executable\n", &libs, &e), 0);
        assert_int_equal(iso_vm_ldd_parse("\tlibfoo.so.1 => not found\n", &libs, &e), -1);
        assert_int_equal(e.errnum, ENOENT);
        assert_non_null(strstr(e.msg, "libfoo.so.1"));
        iso_vm_strv_free(&libs);
        free(s);
}

static void modules_dep_order(void **state)
{
        (void)state;
        const char *dep = "kernel/drivers/net/macvlan.ko:\n"
                          "kernel/drivers/net/macvtap.ko.xz: kernel/drivers/net/macvlan.ko "
                          "kernel/drivers/net/tap.ko\n"
                          "kernel/drivers/net/tap.ko: kernel/drivers/net/macvlan.ko\n"
                          "kernel/drivers/net/veth.ko:\n"
                          "kernel/x/loop-a.ko: kernel/x/loop_b.ko\n"
                          "kernel/x/loop_b.ko: kernel/x/loop-a.ko\n";
        struct iso_vm_strv order = {0};
        struct iso_err e = {0};

        assert_int_equal(iso_vm_moddep_resolve(dep, "veth", &order, &e), 1);
        assert_int_equal(iso_vm_moddep_resolve(dep, "macvtap", &order, &e), 1);
        assert_int_equal(order.n, 4);
        assert_string_equal(order.v[0], "kernel/drivers/net/veth.ko");
        assert_string_equal(order.v[1], "kernel/drivers/net/macvlan.ko");
        assert_string_equal(order.v[2], "kernel/drivers/net/tap.ko");
        assert_string_equal(order.v[3], "kernel/drivers/net/macvtap.ko.xz");
        /* Built in (absent from modules.dep): found 0, nothing added. */
        assert_int_equal(iso_vm_moddep_resolve(dep, "bridge", &order, &e), 0);
        assert_int_equal(order.n, 4);
        /* '-' and '_' are one, and a loop ends in ELOOP, not a hang. */
        assert_int_equal(iso_vm_moddep_resolve(dep, "loop_a", &order, &e), -1);
        assert_int_equal(e.errnum, ELOOP);
        iso_vm_strv_free(&order);
}

/* ---- JUnit merge ------------------------------------------------------------------------- */

/* A guest's report as iso_junit_write makes it, with one case of each verdict. */
static char *guest_junit(const char *cgroup)
{
        static struct iso_result r[3];
        struct iso_property props[] = {{"kernel", "6.1.0-57-amd64"}, {"cgroup", cgroup}};
        struct iso_run run = {.target = "vm",
                              .hostname = "isocheck-vm",
                              .timestamp = "2026-01-01T00:00:00Z",
                              .duration_s = 12.5,
                              .props = props,
                              .n_props = 2,
                              .results = r,
                              .n_results = 3};
        char *doc = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&doc, &len);

        memset(r, 0, sizeof(r));
        r[0].name = "pidns.init.pid1";
        r[1].name = "cgroup.memory.oom_group";
        r[1].verdict = ISO_FAIL;
        snprintf(r[1].message, sizeof(r[1].message), "expected <2> kills & got \"1\" ]]>");
        /* Where the guest wrote it (harness/vm/init.c's REPORTS). */
        snprintf(r[1].artifacts[0], sizeof(r[1].artifacts[0]),
                 "/tmp/isocheck-reports/artifacts/cgroup.memory.oom_group/memory.csv");
        r[1].n_artifacts = 1;
        r[2].name = "container.app.serves.docker";
        r[2].verdict = ISO_SKIP;
        snprintf(r[2].message, sizeof(r[2].message), "needs a Docker daemon");
        assert_non_null(f);
        assert_int_equal(iso_junit_write(f, &run), 0);
        fclose(f);
        return doc;
}

static int xmllint_ok(const char *doc, const char *schema)
{
        char path[] = "/tmp/isocheck-test-vm-XXXXXX";
        int fd = mkstemp(path);

        if (fd < 0)
                return -1;
        if (write(fd, doc, strlen(doc)) != (ssize_t)strlen(doc)) {
                close(fd);
                unlink(path);
                return -1;
        }
        close(fd);
        char *argv[] = {"xmllint", "--noout", "--schema", (char *)schema, path, NULL};
        char out[4096];
        int st = iso_tool_run(argv, NULL, out, sizeof(out), 30, NULL, NULL);

        unlink(path);
        if (st != 0)
                print_message("xmllint %s: %s\n", schema, out);
        return st == 0;
}

/*
 * GitLab's rule for a JUnit file: results are keyed by (classname, name) and only the first
 * of duplicates is kept. Returns how many testcases such a reader would drop.
 */
static size_t gitlab_dropped(const char *doc)
{
        xmlDocPtr x = xmlReadMemory(doc, (int)strlen(doc), "merged.xml", NULL, XML_PARSE_NONET);
        char *seen[64];
        size_t n = 0, dropped = 0;

        assert_non_null(x);
        for (xmlNodePtr suite = xmlDocGetRootElement(x)->children; suite; suite = suite->next)
                for (xmlNodePtr tc = suite->children; tc; tc = tc->next) {
                        if (tc->type != XML_ELEMENT_NODE ||
                            xmlStrcmp(tc->name, BAD_CAST "testcase"))
                                continue;
                        xmlChar *cls = xmlGetProp(tc, BAD_CAST "classname");
                        xmlChar *name = xmlGetProp(tc, BAD_CAST "name");
                        char key[512];
                        size_t k;

                        snprintf(key, sizeof(key), "%s\n%s", cls ? (char *)cls : "",
                                 name ? (char *)name : "");
                        xmlFree(cls);
                        xmlFree(name);
                        for (k = 0; k < n && strcmp(seen[k], key); k++)
                                ;
                        if (k < n)
                                dropped++;
                        else if (n < 64)
                                seen[n++] = strdup(key);
                }
        for (size_t k = 0; k < n; k++)
                free(seen[k]);
        xmlFreeDoc(x);
        return dropped;
}

static void junit_merge_one_suite_per_configuration(void **state)
{
        (void)state;
        char *v1 = guest_junit("v1"), *v2 = guest_junit("v2");
        struct iso_property extra[] = {{"vm.accel", "tcg"}, {"vm.boot_s", "6.4"}};
        struct iso_vm_suite s[3] = {
                {.name = "vm-6.1.0-57-amd64-v1",
                 .junit = v1,
                 .props = extra,
                 .n_props = 2,
                 .guest_reports = "/tmp/isocheck-reports",
                 .host_dir = "reports/vm-6.1.0-57-amd64-v1"},
                {.name = "vm-6.1.0-57-amd64-v2",
                 .junit = v2,
                 .props = extra,
                 .n_props = 2,
                 .guest_reports = "/tmp/isocheck-reports",
                 .host_dir = "reports/vm-6.1.0-57-amd64-v2"},
                {.name = "vm-vmlinuz-broken-v2",
                 .case_name = "v2",
                 .verdict = ISO_FAIL,
                 .message = "kernel produced no output in 60 s",
                 .log = "SeaBIOS\x01 <junk> ]]>\n",
                 .time_s = 60,
                 .timestamp = "2026-01-01T00:00:00Z",
                 .hostname = "host"},
        };
        char *doc = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&doc, &len);
        struct iso_err e = {0};

        assert_int_equal(iso_vm_junit_merge(f, s, 3, &e), 0);
        fclose(f);
        assert_non_null(strstr(doc, "<testsuites name=\"isocheck\" tests=\"7\" failures=\"3\" "
                                    "errors=\"0\" skipped=\"2\" time=\"85.000\">"));
        /* The same case in two configurations: two keys, none dropped by GitLab's rule. */
        assert_non_null(strstr(doc, "classname=\"vm-6.1.0-57-amd64-v1.cgroup.memory\" "
                                    "name=\"oom_group\""));
        assert_non_null(strstr(doc, "classname=\"vm-6.1.0-57-amd64-v2.cgroup.memory\" "
                                    "name=\"oom_group\""));
        assert_int_equal(gitlab_dropped(doc), 0);
        /* Artifacts point at the host's copies, never at the guest's path. */
        assert_non_null(strstr(doc, "[[ATTACHMENT|reports/vm-6.1.0-57-amd64-v2/artifacts/"
                                    "cgroup.memory.oom_group/memory.csv]]"));
        assert_null(strstr(doc, "/tmp/isocheck-reports"));
        assert_non_null(strstr(doc, "<testsuite name=\"vm-6.1.0-57-amd64-v1\" tests=\"3\""));
        assert_non_null(strstr(doc, "<testsuite name=\"vm-6.1.0-57-amd64-v2\" tests=\"3\""));
        assert_non_null(strstr(doc, "<testsuite name=\"vm-vmlinuz-broken-v2\" tests=\"1\" "
                                    "failures=\"1\""));
        assert_non_null(strstr(doc, "<property name=\"cgroup\" value=\"v1\"/>\n"
                                    "      <property name=\"vm.accel\" value=\"tcg\"/>"));
        assert_non_null(strstr(doc, "classname=\"vm-vmlinuz-broken-v2.vm.boot\" name=\"v2\""));
        assert_non_null(strstr(doc, "message=\"kernel produced no output in 60 s\""));
        assert_null(strstr(doc, "name=\"vm\""));
        /* The guest's testcases are carried byte for byte past the classname's prefix. */
        const char *tc = strstr(v2, "    <testcase classname=\"");
        const char *from = tc ? tc + strlen("    <testcase classname=\"") : "?";
        char *head = strndup(from, strcspn(from, "\n"));
        char want[300];

        snprintf(want, sizeof(want), "<testcase classname=\"vm-6.1.0-57-amd64-v2.%s", head);
        assert_non_null(strstr(doc, want));
        free(head);
        if (access("fixtures/schemas/isocheck-junit.xsd", R_OK) == 0 &&
            access("/usr/bin/xmllint", X_OK) == 0) {
                if (access("../shared/schemas/junit-10.xsd", R_OK) == 0) {
                        /* Jenkins' schema sees the document less isocheck's extensions. */
                        char *view = junit10_view(doc);

                        assert_non_null(view);
                        assert_int_equal(xmllint_ok(view, "../shared/schemas/junit-10.xsd"), 1);
                        free(view);
                }
                /* Each guest report alone satisfies the project's own schema. */
                assert_int_equal(xmllint_ok(v1, "fixtures/schemas/isocheck-junit.xsd"), 1);
        }
        free(doc);
        free(v1);
        free(v2);
}

static void junit_merge_refuses_a_damaged_report(void **state)
{
        (void)state;
        char *v1 = guest_junit("v1");
        struct iso_vm_suite s = {.name = "vm-x-v1", .junit = v1};
        char *doc = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&doc, &len);
        struct iso_err e = {0};

        /* Cut in the middle, as a half-sent report would be. */
        v1[strlen(v1) / 2] = '\0';
        assert_int_equal(iso_vm_junit_merge(f, &s, 1, &e), -1);
        assert_int_equal(e.errnum, EBADMSG);
        assert_non_null(strstr(e.msg, "vm-x-v1"));
        s.junit = "<testsuites/>";
        assert_int_equal(iso_vm_junit_merge(f, &s, 1, &e), -1);
        assert_non_null(strstr(e.msg, "expected a <testsuite>"));
        fclose(f);
        free(doc);
        free(v1);
}

/* ---- command line ------------------------------------------------------------------------ */

static int parse_list(struct iso_vm_opts *o, char *err, const char *const *args)
{
        char *argv[64] = {"isocheck-vm"};
        int argc = 1;

        for (size_t i = 0; args[i] && argc < 63; i++)
                argv[argc++] = (char *)args[i];
        argv[argc] = NULL;
        return iso_vm_parse_args(argc, argv, o, err, 256);
}

#define parse(o, err, ...) parse_list(o, err, (const char *const[]){__VA_ARGS__})

static void args_defaults_and_values(void **state)
{
        (void)state;
        struct iso_vm_opts o;
        char err[256];

        assert_int_equal(parse(&o, err, "--kernel", "/boot/vmlinuz", NULL), 0);
        assert_int_equal(o.n_kernels, 1);
        assert_true(o.want_v1 && o.want_v2);
        assert_int_equal(o.accel, ISO_VM_ACCEL_AUTO);
        assert_int_equal(o.memory_mb, 1024);
        assert_string_equal(o.output, "reports");
        assert_string_equal(o.qemu, "qemu-system-x86_64");
        assert_true(o.timeout_s == 900 && o.output_s == 60 && o.kvm_probe_s == 20);
        assert_null(o.modules);

        assert_int_equal(parse(&o, err, "-k", "a", "--kernel", "b", "--cgroup", "v2", "--modules",
                               "/m", "--accel", "tcg", "--memory", "2048", "--cpus", "1",
                               "--timeout", "900", "--no-output-timeout", "30", "--kvm-probe", "5",
                               "--timeout-mult", "2.5", "-o", "out", "--append", "quiet", "--",
                               "--filter", "pidns.*", NULL),
                         0);
        assert_int_equal(o.n_kernels, 2);
        assert_string_equal(o.kernels[1], "b");
        assert_true(!o.want_v1 && o.want_v2);
        /* --modules pairs with the --kernel before it (b), not with every kernel. */
        assert_null(o.modules);
        assert_null(o.kernel_modules[0]);
        assert_string_equal(o.kernel_modules[1], "/m");
        assert_int_equal(o.accel, ISO_VM_ACCEL_TCG);
        assert_int_equal(o.memory_mb, 2048);
        assert_int_equal(o.cpus, 1);
        assert_true(o.timeout_s == 900 && o.output_s == 30 && o.kvm_probe_s == 5);
        assert_true(o.timeout_mult == 2.5);
        assert_string_equal(o.output, "out");
        assert_string_equal(o.append, "quiet");
        assert_int_equal(o.n_suite_args, 2);
        assert_string_equal(o.suite_args[0], "--filter");
        assert_string_equal(o.suite_args[1], "pidns.*");

        assert_int_equal(parse(&o, err, "--cgroup", "v1", "-k", "x", NULL), 0);
        assert_true(o.want_v1 && !o.want_v2);
        assert_int_equal(parse(&o, err, "--help", NULL), 0);
        assert_true(o.help);
}

static void args_refused_with_a_reason(void **state)
{
        (void)state;
        struct iso_vm_opts o;
        char err[256];
        static const struct {
                const char *args[4];
                const char *reason;
        } bad[] = {
                {{"--cgroup", "v1"}, "no --kernel"},
                {{"-k", "x", "--cgroup", "v3"}, "v1, v2 or both"},
                {{"-k", "x", "--accel", "hvf"}, "auto, kvm or tcg"},
                {{"-k", "x", "--memory", "100"}, "256 to 65536"},
                {{"-k", "x", "--memory", "1e3"}, "256 to 65536"},
                {{"-k", "x", "--timeout", "-5"}, "--timeout must be"},
                {{"-k", "x", "--timeout", "nan"}, "--timeout must be"},
                {{"-k", "x", "--bogus"}, "unknown option --bogus"},
                {{"-k", "x", "stray"}, "unexpected argument \"stray\""},
                {{"-k", "x", "--timeout"}, "needs a value"},
                {{"-k", ""}, "--kernel needs a path"},
        };

        for (size_t i = 0; i < ISO_ARRAY_SIZE(bad); i++) {
                const char *const *a = bad[i].args;

                assert_int_equal(parse(&o, err, a[0], a[1], a[2], a[3], NULL), -1);
                if (!strstr(err, bad[i].reason))
                        fail_msg("case %zu: expected \"%s\" in \"%s\"", i, bad[i].reason, err);
        }
}

/* Input (issue 11, 4): Debian's 6.12 booted with cgroup v1 refuses the memory mount; the
 * init's warnings must reach the report. More of the kind: v2 without memory. */
static void console_collects_init_warnings(void **state)
{
        (void)state;
        size_t len;
        char *s = read_sample_len("vm-console-6.12-v1.txt", &len);
        struct iso_vm_console c;

        iso_vm_console_init(&c);
        feed_in_pieces(&c, s, len, 7);
        assert_string_equal(c.warnings,
                            "the kernel refused to mount cgroup v1 controller cpuset (mount -t "
                            "cgroup -o cpuset on /sys/fs/cgroup/cpuset: Invalid argument); the "
                            "kernel refused to mount cgroup v1 controller memory (mount -t cgroup "
                            "-o memory on /sys/fs/cgroup/memory: Invalid argument)");
        assert_string_equal(c.init_error, "");
        free(s);

        static const char v2[] =
                "Linux version 6.1.0-57-amd64\r\n"
                "isocheck-vm: init started (cgroup v2, root moved to a tmpfs)\r\n"
                "isocheck-vm: warning: cgroup v2 controller memory is not available\r\n"
                "isocheck-vm: cgroup2 at /sys/fs/cgroup, subtree_control: pids\r\n";

        iso_vm_console_init(&c);
        feed_in_pieces(&c, v2, sizeof(v2) - 1, 3);
        assert_string_equal(c.warnings, "cgroup v2 controller memory is not available");
        /* Many warnings: cut, still a string. */
        iso_vm_console_init(&c);
        for (int i = 0; i < 200; i++)
                iso_vm_console_feed(&c, "isocheck-vm: warning: something else went wrong\n", 48,
                                    1.0);
        assert_true(strlen(c.warnings) < sizeof(c.warnings));
}

/* A modules tree's release comes from a module's vermagic (issue 11, 4: a tree of another
 * release was loaded unchecked). */
static void vermagic_release(void **state)
{
        (void)state;
        static const char ko[] = "\x7f"
                                 "ELF\0\0junk\0license=GPL\0vermagic=6.1.0-57-amd64 SMP preempt "
                                 "mod_unload modversions \0name=veth";
        char out[64];

        assert_int_equal(iso_vm_vermagic_release(ko, sizeof(ko) - 1, out, sizeof(out)), 0);
        assert_string_equal(out, "6.1.0-57-amd64");
        /* modinfo -F vermagic prints the value alone. */
        static const char mi[] = "6.12.107+deb12-amd64 SMP preempt mod_unload modversions \n";

        assert_int_equal(iso_vm_vermagic_release(mi, sizeof(mi) - 1, out, sizeof(out)), 0);
        assert_string_equal(out, "6.12.107+deb12-amd64");
        assert_int_equal(iso_vm_vermagic_release("no magic here", 13, out, sizeof(out)), -1);
        assert_int_equal(iso_vm_vermagic_release("vermagic=", 9, out, sizeof(out)), -1);
        /* Cut at the end of the buffer: no read past it. */
        assert_int_equal(iso_vm_vermagic_release("vermagi", 7, out, sizeof(out)), -1);
}

/* Input (issue 11, 4): --kernel K1 --modules M1 --kernel K2 --modules M2. */
static void args_modules_pair_with_their_kernel(void **state)
{
        (void)state;
        struct iso_vm_opts o;
        char err[256];

        assert_int_equal(
                parse(&o, err, "-k", "k1", "--modules", "m1", "-k", "k2", "--modules", "m2", NULL),
                0);
        assert_null(o.modules);
        assert_string_equal(o.kernel_modules[0], "m1");
        assert_string_equal(o.kernel_modules[1], "m2");
        /* Before any --kernel: every kernel's default; a later one overrides for its kernel. */
        assert_int_equal(parse(&o, err, "-m", "all", "-k", "k1", "-k", "k2", "-m", "m2", NULL), 0);
        assert_string_equal(o.modules, "all");
        assert_null(o.kernel_modules[0]);
        assert_string_equal(o.kernel_modules[1], "m2");
        /* Repetition for one kernel is refused, never silently the last. */
        assert_int_equal(parse(&o, err, "-k", "k1", "-m", "a", "-m", "b", NULL), -1);
        assert_non_null(strstr(err, "--modules given twice for --kernel k1"));
        assert_int_equal(parse(&o, err, "-m", "a", "-m", "b", "-k", "k1", NULL), -1);
        assert_non_null(strstr(err, "--modules given twice before any --kernel"));
}

/* Issue 11, 7 for VM files: a link planted where a report goes is replaced or refused,
 * never written through; the work directory honours TMPDIR and is private. */
static int write_victim(const char *path)
{
        FILE *f = fopen(path, "wx");

        if (!f)
                return -1;
        fputs("original\n", f);
        return fclose(f);
}

static void files_never_through_links(void **state)
{
        (void)state;
        char dir[64], p[128], q[128];
        struct iso_err e = {0};
        struct stat st;

        snprintf(dir, sizeof(dir), "/tmp/isocheck-test-vmfiles.XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(p, sizeof(p), "%s/victim", dir);
        assert_int_equal(write_victim(p), 0);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);

        assert_true(dfd >= 0);
        /* A file planted as a link: replaced, the victim untouched. */
        assert_int_equal(symlinkat("victim", dfd, "isocheck.tap"), 0);
        assert_int_equal(iso_vm_store(dfd, dir, "isocheck.tap", "TAP", 3, &e), 0);
        assert_int_equal(fstatat(dfd, "isocheck.tap", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
        assert_int_equal(symlinkat("victim", dfd, "console.log"), 0);
        int fd = iso_vm_file_create(dfd, "console.log", "console.log", &e);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "x", 1), 1);
        close(fd);
        char *v = iso_read_file(p, NULL, NULL);

        assert_string_equal(v, "original\n");
        free(v);
        /* A directory planted as a link: refused, nothing written where it points. */
        snprintf(q, sizeof(q), "%s/elsewhere", dir);
        assert_int_equal(mkdir(q, 0700), 0);
        assert_int_equal(symlinkat("elsewhere", dfd, "artifacts"), 0);
        assert_int_equal(iso_vm_store(dfd, dir, "artifacts/case/file", "x", 1, &e), -1);
        assert_non_null(strstr(e.msg, "symbolic link: refused"));
        assert_int_equal(rmdir(q), 0); /* still empty */
        assert_int_equal(mkdir(q, 0700), 0);
        /* A name a frame may not carry. */
        assert_int_equal(iso_vm_store(dfd, dir, "../escape", "x", 1, &e), -1);

        /* TMPDIR: the work directory goes there, mode 0700; a relative one is not trusted. */
        char work[128];

        assert_int_equal(setenv("TMPDIR", q, 1), 0);
        assert_int_equal(iso_vm_workdir(work, sizeof(work), &e), 0);
        assert_int_equal(strncmp(work, q, strlen(q)), 0);
        assert_int_equal(stat(work, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
        assert_int_equal(rmdir(work), 0);
        assert_int_equal(setenv("TMPDIR", "relative", 1), 0);
        assert_int_equal(iso_vm_workdir(work, sizeof(work), &e), 0);
        assert_int_equal(strncmp(work, "/tmp/isocheck-vm.", 17), 0);
        assert_int_equal(rmdir(work), 0);
        unsetenv("TMPDIR");

        static const char *const names[] = {"elsewhere", "artifacts", "console.log", "isocheck.tap",
                                            "victim"};

        for (size_t i = 0; i < ISO_ARRAY_SIZE(names); i++)
                unlinkat(dfd, names[i], i == 0 ? AT_REMOVEDIR : 0);
        close(dfd);
        assert_int_equal(rmdir(dir), 0);
}

/* ---- one boot, with a shell script standing in for qemu ------------------------------------- */

static char fake_dir[64];

static int fakes_setup(void **state)
{
        (void)state;
        snprintf(fake_dir, sizeof(fake_dir), "/tmp/isocheck-test-vm.XXXXXX");
        return mkdtemp(fake_dir) ? 0 : -1;
}

static int fakes_teardown(void **state)
{
        (void)state;
        static const char *const files[] = {"qemu", "console.log", "data"};
        char p[128];

        for (size_t i = 0; i < ISO_ARRAY_SIZE(files); i++) {
                snprintf(p, sizeof(p), "%s/%s", fake_dir, files[i]);
                unlink(p);
        }
        return rmdir(fake_dir);
}

static void fake_boot(const char *script, double output_s, double timeout_s,
                      struct iso_vm_boot_result *r)
{
        char qemu[128], console[128], data[128];
        struct iso_err e = {0};

        snprintf(qemu, sizeof(qemu), "%s/qemu", fake_dir);
        snprintf(console, sizeof(console), "%s/console.log", fake_dir);
        snprintf(data, sizeof(data), "%s/data", fake_dir);
        unlink(console); /* created exclusively by each boot */
        FILE *f = fopen(qemu, "w");

        assert_non_null(f);
        fprintf(f, "#!/bin/sh\n%s\n", script);
        fclose(f);
        chmod(qemu, 0755);
        struct iso_vm_boot b = {.qemu = qemu,
                                .kernel = "/dev/null",
                                .initrd = "/dev/null",
                                .append = "console=ttyS0",
                                .console = console,
                                .data = data,
                                .memory_mb = 256,
                                .cpus = 1,
                                .output_s = output_s,
                                .timeout_s = timeout_s};

        assert_int_equal(iso_vm_boot_run(&b, r, &e), 0);
}

static void boot_powered_off(void **state)
{
        (void)state;
        struct iso_vm_boot_result r;

        fake_boot("echo '[    0.000000] Linux version 6.1.0-test'\n"
                  "echo 'isocheck-vm: init started (cgroup v2)'\n"
                  "echo 'isocheck-vm: suite started: ...'\n"
                  "echo 'isocheck-vm: suite exited with status 1 after 3.0 s'\n"
                  "echo 'isocheck-vm: reports sent (3 files, 10 bytes)'\n"
                  "echo 'isocheck-vm: powering off'\n",
                  5, 10, &r);
        assert_int_equal(r.outcome, ISO_VM_OFF);
        assert_int_equal(r.con.suite_status, 1);
        assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
        char path[128];

        snprintf(path, sizeof(path), "%s/console.log", fake_dir);
        char *log = iso_read_file(path, NULL, NULL);

        assert_non_null(log);
        /* The command line heads the log, then the console as it came. */
        assert_non_null(strstr(log, "-append console=ttyS0\n[    0.000000] Linux version"));
        free(log);
}

static void boot_silent_kernel_is_cut_short(void **state)
{
        (void)state;
        struct iso_vm_boot_result r;
        double t0 = iso_now();

        /* Firmware talks, the kernel never does: the bound is on the kernel's line. */
        fake_boot("echo SeaBIOS; exec sleep 30", 0.5, 20, &r);
        assert_int_equal(r.outcome, ISO_VM_NO_OUTPUT);
        assert_true(iso_now() - t0 < 5);
        assert_true(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
}

static void boot_panic_is_reported(void **state)
{
        (void)state;
        struct iso_vm_boot_result r;

        fake_boot("echo 'Linux version 6.1'; echo '[ 1.3] Kernel panic - not syncing: No working "
                  "init found.'; exec sleep 30",
                  5, 30, &r);
        assert_int_equal(r.outcome, ISO_VM_PANIC);
        assert_string_equal(r.con.panic, "Kernel panic - not syncing: No working init found.");
        assert_true(r.t_end - r.t_start < 15);
}

static void boot_hang_hits_the_timeout(void **state)
{
        (void)state;
        struct iso_vm_boot_result r;

        fake_boot("echo 'Linux version 6.1'; echo 'isocheck-vm: init started'; "
                  "sleep 30 & wait",
                  5, 1, &r);
        assert_int_equal(r.outcome, ISO_VM_TIMEOUT);
        assert_true(r.con.t_init > 0);
        assert_true(r.t_end - r.t_start < 5);
        /* The whole group went: the background sleep holds no pipe open any more. */
}

static void boot_qemu_exits_early(void **state)
{
        (void)state;
        struct iso_vm_boot_result r;

        fake_boot("echo 'qemu-system-x86_64: linux kernel too old to load a ram disk' >&2; exit 1",
                  5, 10, &r);
        assert_int_equal(r.outcome, ISO_VM_EXITED);
        assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
        assert_non_null(strstr(r.con.last, "too old"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(crc32_known_vectors),
                cmocka_unit_test(base64_rfc4648_vectors),
                cmocka_unit_test(base64_refuses_what_is_not_base64),
                cmocka_unit_test(base64_round_trip_every_byte),
                cmocka_unit_test(frame_names),
                cmocka_unit_test(frames_arrive_byte_exact_among_noise),
                cmocka_unit_test(frame_damage_is_named),
                cmocka_unit_test(console_follows_a_good_boot),
                cmocka_unit_test(console_names_the_panic),
                cmocka_unit_test(console_survives_escapes_and_long_lines),
                cmocka_unit_test(cpio_newc_layout),
                cmocka_unit_test(kernel_release_from_the_setup_header),
                cmocka_unit_test(ldd_output),
                cmocka_unit_test(modules_dep_order),
                cmocka_unit_test(junit_merge_one_suite_per_configuration),
                cmocka_unit_test(junit_merge_refuses_a_damaged_report),
                cmocka_unit_test(args_defaults_and_values),
                cmocka_unit_test(args_refused_with_a_reason),
                cmocka_unit_test(args_modules_pair_with_their_kernel),
                cmocka_unit_test(console_collects_init_warnings),
                cmocka_unit_test(vermagic_release),
                cmocka_unit_test(files_never_through_links),
                cmocka_unit_test(boot_powered_off),
                cmocka_unit_test(boot_silent_kernel_is_cut_short),
                cmocka_unit_test(boot_panic_is_reported),
                cmocka_unit_test(boot_hang_hits_the_timeout),
                cmocka_unit_test(boot_qemu_exits_early),
        };

        return cmocka_run_group_tests(tests, fakes_setup, fakes_teardown);
}
