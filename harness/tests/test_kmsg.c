// SPDX-License-Identifier: MIT
/*
 * Kernel log reader: record parsing on real and hostile records, draining through a
 * scripted read(2) (the only way to see EPIPE and EINTR on demand), OOM matching on
 * recorded reports of both wordings, and one round trip through the real /dev/kmsg when
 * we may read it.
 *
 * kmsg-oom-v6.txt is a real report from this project's VM (6.18, cgroup v1 memory
 * controller, stress-ng in a 20 MB cgroup), the text of each record as drain keeps it;
 * only its last line, the oom_reaper one, is written from mm/oom_kill.c's format because
 * the victim there exited before the reaper ran. The other samples are composed from
 * the same formats (4.14 for kmsg-oom-v4.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/kmsg.h"
#include "samples.h"

/*
 * Parse @s from a heap copy of exactly strlen(@s) bytes with no NUL after it, as read(2)
 * returns a record: a parser that reads one byte too far trips AddressSanitizer.
 */
static int parse_exact(const char *s, struct iso_kmsg_record *rec)
{
        size_t n = strlen(s);
        char *buf = malloc(n ? n : 1);

        assert_non_null(buf);
        memcpy(buf, s, n);

        int r = iso_kmsg_parse(buf, n, rec);

        free(buf);
        return r;
}

/* ---- record parsing ---------------------------------------------------------------- */

static void parse_valid(void **state)
{
        struct iso_kmsg_record rec;

        (void)state;
        /* A real record with a dictionary: the continuation lines are not text. */
        assert_int_equal(parse_exact("6,194,291452,-;acpi PNP0A08:00: _OSC: OS supports "
                                     "[ExtendedConfig ASPM]\n SUBSYSTEM=acpi\n"
                                     " DEVICE=+acpi:PNP0A08:00\n",
                                     &rec),
                         0);
        assert_int_equal(rec.level, 6);
        assert_true(rec.seq == 194);
        assert_true(rec.usec == 291452);
        assert_string_equal(rec.text, "acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM]");

        /* Only the first ';' ends the prefix; escapes stay as the kernel wrote them. */
        assert_int_equal(parse_exact("6,195,291455,-;PCIe port services disabled; not "
                                     "requesting _OSC control\n",
                                     &rec),
                         0);
        assert_string_equal(rec.text, "PCIe port services disabled; not requesting _OSC control");
        assert_int_equal(parse_exact("6,90,242197,-;rcu: \\x09RCU restricting CPUs\n", &rec), 0);
        assert_string_equal(rec.text, "rcu: \\x09RCU restricting CPUs");

        /* Facility in the priority (LOG_USER | LOG_INFO), no trailing newline, empty text. */
        assert_int_equal(parse_exact("14,7,8,-;from user space", &rec), 0);
        assert_int_equal(rec.level, 14);
        assert_string_equal(rec.text, "from user space");
        assert_int_equal(parse_exact("0,1,2,c;\n", &rec), 0);
        assert_string_equal(rec.text, "");

        /* The sequence number is 64 bits wide. */
        assert_int_equal(parse_exact("3,18446744073709551615,99999999999,-;last\n", &rec), 0);
        assert_true(rec.seq == 18446744073709551615ULL);
        assert_true(rec.usec == 99999999999ULL);
}

static void parse_extra_fields(void **state)
{
        struct iso_kmsg_record rec;

        (void)state;
        /* Later kernels may add fields after FLAGS ("caller=" with CONFIG_PRINTK_CALLER). */
        assert_int_equal(parse_exact("4,500,1000,-,caller=T123;hello\n", &rec), 0);
        assert_int_equal(rec.level, 4);
        assert_true(rec.seq == 500);
        assert_true(rec.usec == 1000);
        assert_string_equal(rec.text, "hello");
        assert_int_equal(parse_exact("4,501,1001,+,a=b,c,d=e;x;y\n", &rec), 0);
        assert_string_equal(rec.text, "x;y");
        /* Kernels before FLAGS existed end the prefix after the timestamp. */
        assert_int_equal(parse_exact("5,502,1002;no flags\n", &rec), 0);
        assert_string_equal(rec.text, "no flags");
}

static void parse_malformed(void **state)
{
        static const char *const bad[] = {
                "",
                "6",
                "6,",
                "6,1",
                "6,1,",
                "6,1,2",
                "6,1,2,-",
                "6,1,2,-text without separator\n",
                "6,1,2,-\n;the ';' is on a continuation line\n",
                "x,1,2,-;t\n",
                "-6,1,2,-;t\n",
                " 6,1,2,-;t\n",
                "+6,1,2,-;t\n",
                "6,,2,-;t\n",
                "6,1,,-;t\n",
                "6;1,2,-;t\n",
                "6,1;2,-;t\n",
                "6,1,2x,-;t\n",
                "6,18446744073709551616,2,-;seq overflows\n",
                "6,1,99999999999999999999,-;usec overflows\n",
                "2147483648,1,2,-;level is not an int\n",
                "\n6,1,2,-;t\n",
        };
        struct iso_kmsg_record rec;

        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(bad); i++) {
                memset(&rec, 'Z', sizeof(rec));
                if (parse_exact(bad[i], &rec) != -1)
                        fail_msg("accepted \"%s\"", bad[i]);
                /* A failed parse leaves nothing from the bad record behind. */
                assert_string_equal(rec.text, "");
                assert_true(rec.seq == 0);
        }
        assert_int_equal(iso_kmsg_parse(NULL, 5, &rec), -1);
        assert_int_equal(iso_kmsg_parse("6,1,2,-;t", 9, NULL), -1);
        /* @len bounds the record even when the bytes after it would complete it. */
        assert_int_equal(iso_kmsg_parse("6,1,2,-;t", 7, &rec), -1);
}

static void parse_huge_text(void **state)
{
        struct iso_kmsg_record rec;
        size_t textlen = 8000;
        char *buf = malloc(16 + textlen);

        (void)state;
        assert_non_null(buf);
        memcpy(buf, "6,9,9,-;", 8);
        for (size_t i = 0; i < textlen; i++)
                buf[8 + i] = (char)('a' + i % 26);
        buf[8 + textlen] = '\n';
        assert_int_equal(iso_kmsg_parse(buf, 8 + textlen + 1, &rec), 0);
        assert_int_equal(strlen(rec.text), sizeof(rec.text) - 1);
        assert_memory_equal(rec.text, buf + 8, sizeof(rec.text) - 1);

        /* An escape the cut would split ("\x4" of "\x41") goes whole. */
        memcpy(buf + 8 + 1021, "\\x41", 4);
        assert_int_equal(iso_kmsg_parse(buf, 8 + textlen + 1, &rec), 0);
        assert_int_equal(strlen(rec.text), 1021);
        /* One that ends exactly at the limit stays. */
        memset(buf + 8 + 1021, 'q', 4);
        memcpy(buf + 8 + 1019, "\\x41", 4);
        assert_int_equal(iso_kmsg_parse(buf, 8 + textlen + 1, &rec), 0);
        assert_int_equal(strlen(rec.text), 1023);
        assert_string_equal(rec.text + 1019, "\\x41");
        free(buf);
}

/* ---- draining, with read(2) scripted ------------------------------------------------ */

/* One answer of the scripted read(2): a record, or a failure with @err. */
struct fake_read {
        const char *data;
        int err;
};

static int fake_fd = -1;
static const struct fake_read *fake_script;
static size_t fake_len, fake_pos, fake_smallest_buf;

/*
 * This definition takes the place of libc's read(2) in the test binary, so kmsg.c can be
 * driven through errors the kernel gives only under load. Every other descriptor goes
 * straight to the system call. Like the kernel, a record that does not fit fails EINVAL,
 * and the end of the script is EAGAIN.
 */
ssize_t read(int fd, void *buf, size_t count)
{
        if (fd < 0 || fd != fake_fd)
                return syscall(SYS_read, fd, buf, count);
        if (count < fake_smallest_buf || !fake_smallest_buf)
                fake_smallest_buf = count;
        if (fake_pos == fake_len) {
                errno = EAGAIN;
                return -1;
        }

        const struct fake_read *r = &fake_script[fake_pos];
        size_t n = r->data ? strlen(r->data) : 0;

        if (r->err) {
                fake_pos++;
                errno = r->err;
                return -1;
        }
        if (count < n) {
                errno = EINVAL;
                return -1;
        }
        fake_pos++;
        memcpy(buf, r->data, n);
        return (ssize_t)n;
}

static void fake_start(struct iso_kmsg *k, const struct fake_read *script, size_t n)
{
        fake_script = script;
        fake_len = n;
        fake_pos = 0;
        fake_smallest_buf = 0;
        /* A real descriptor, so iso_kmsg_close() closes something. */
        fake_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(fake_fd >= 0);
        k->fd = fake_fd;
}

static void fake_stop(struct iso_kmsg *k)
{
        iso_kmsg_close(k);
        assert_int_equal(k->fd, -1);
        fake_fd = -1;
}

static void drain_records(void **state)
{
        char big[4000];
        const struct fake_read script[] = {
                {"6,10,100,-;first\n SUBSYSTEM=acpi\n DEVICE=+acpi:PNP0A08:00\n", 0},
                {NULL, EINTR},
                {"not a record\n", 0},
                {big, 0},
                {"3,12,300,-;third; with a semicolon\n", 0},
        };
        struct iso_kmsg k;
        struct iso_err e = {0};
        char *text = NULL;
        size_t len = 0;

        (void)state;
        /* Longer than any text we keep but within what the kernel may return. */
        memcpy(big, "6,11,200,-;", 11);
        memset(big + 11, 'b', sizeof(big) - 12);
        big[sizeof(big) - 1] = '\0';

        fake_start(&k, script, ISO_ARRAY_SIZE(script));
        assert_int_equal(iso_kmsg_drain(&k, &text, &len, &e), 3);
        assert_true(fake_pos == ISO_ARRAY_SIZE(script));
        assert_true(fake_smallest_buf >= 8192);
        assert_non_null(text);
        assert_int_equal(len, strlen(text));
        assert_true(!strncmp(text, "first\nbbbb", 10));
        assert_string_equal(text + 6 + 1023 + 1, "third; with a semicolon\n");

        /* Nothing new: the text stays as it was. */
        assert_int_equal(iso_kmsg_drain(&k, &text, &len, &e), 0);
        assert_int_equal(len, strlen(text));
        assert_string_equal(text + 6 + 1023 + 1, "third; with a semicolon\n");
        fake_stop(&k);
        free(text);

        /* An empty log still gives a string to search. */
        text = NULL;
        len = 0;
        fake_start(&k, NULL, 0);
        assert_int_equal(iso_kmsg_drain(&k, &text, &len, &e), 0);
        assert_non_null(text);
        assert_string_equal(text, "");
        assert_int_equal(len, 0);
        fake_stop(&k);
        free(text);
}

static void drain_appends(void **state)
{
        const struct fake_read script[] = {{"6,1,1,-;new\n", 0}};
        struct iso_kmsg k;
        struct iso_err e = {0};
        char *text = strdup("old\n");
        size_t len = 4;

        (void)state;
        assert_non_null(text);
        fake_start(&k, script, 1);
        assert_int_equal(iso_kmsg_drain(&k, &text, &len, &e), 1);
        assert_string_equal(text, "old\nnew\n");
        assert_int_equal(len, 8);
        fake_stop(&k);
        free(text);
}

static void drain_lost(void **state)
{
        /* The kernel fails EPIPE once and moves on to the oldest record it still has. */
        const struct fake_read script[] = {
                {NULL, EPIPE}, {"6,10,1,-;a\n", 0}, {"6,11,2,-;b\n", 0},
                {NULL, EPIPE}, {"6,16,3,-;c\n", 0}, {NULL, EPIPE},
        };
        struct iso_kmsg k;
        struct iso_err e = {0};
        char *text = NULL;
        size_t len = 0;

        (void)state;
        fake_start(&k, script, ISO_ARRAY_SIZE(script));
        assert_int_equal(iso_kmsg_drain(&k, &text, &len, &e), 3);
        /* Before the first record of a call the gap cannot be counted. */
        assert_string_equal(text, "[kmsg: ? records lost]\na\nb\n[kmsg: 4 records lost]\nc\n"
                                  "[kmsg: ? records lost]\n");
        assert_int_equal(len, strlen(text));
        fake_stop(&k);
        free(text);
}

static void drain_errors(void **state)
{
        const struct fake_read script[] = {{"6,1,1,-;kept\n", 0}, {NULL, EIO}};
        struct iso_kmsg k = {.fd = -1};
        struct iso_err e = {0};
        char *text = NULL;
        size_t len = 0;

        (void)state;
        assert_int_equal(iso_kmsg_drain(&k, &text, &len, &e), -1);
        assert_int_equal(e.errnum, EBADF);
        assert_null(text);

        fake_start(&k, script, ISO_ARRAY_SIZE(script));
        assert_int_equal(iso_kmsg_drain(&k, &text, &len, &e), -1);
        assert_int_equal(e.errnum, EIO);
        assert_non_null(strstr(e.msg, "/dev/kmsg"));
        /* What was read before the failure is not lost. */
        assert_string_equal(text, "kept\n");
        fake_stop(&k);
        free(text);

        /* Closing twice is harmless. */
        iso_kmsg_close(&k);
        assert_int_equal(k.fd, -1);
}

/* ---- OOM reports ------------------------------------------------------------------- */

static void oom_v6(void **state)
{
        iso_autofree char *text = read_sample("kmsg-oom-v6.txt");
        struct iso_oom_report r;

        (void)state;
        assert_int_equal(iso_kmsg_find_oom(text, 0, NULL, &r), 1);
        assert_int_equal(r.found, 1);
        assert_int_equal(r.victim, 13403);
        assert_string_equal(r.comm, "stress-ng-vm");
        assert_string_equal(r.memcg, "/isocheck-kmsgprobe");
        assert_string_equal(r.line,
                            "Memory cgroup out of memory: Killed process 13403 (stress-ng-vm) "
                            "total-vm:142848kB, anon-rss:16384kB, file-rss:768kB, shmem-rss:0kB, "
                            "UID:0 pgtables:204kB oom_score_adj:1000");

        assert_int_equal(iso_kmsg_find_oom(text, 13403, NULL, &r), 1);
        assert_int_equal(iso_kmsg_find_oom(text, 13402, NULL, &r), 0);
        assert_int_equal(r.found, 0);
        assert_int_equal(r.victim, 0);
        assert_string_equal(r.line, "");
        assert_int_equal(iso_kmsg_find_oom(text, 0, "isocheck-kmsgprobe", &r), 1);
        assert_int_equal(iso_kmsg_find_oom(text, 13403, "/isocheck-kmsgprobe", &r), 1);
        assert_int_equal(iso_kmsg_find_oom(text, 0, "isocheck-kmsgprobe/", &r), 1);
        assert_int_equal(iso_kmsg_find_oom(text, 0, "", &r), 1);
        assert_int_equal(iso_kmsg_find_oom(text, 0, "kmsgprobe", &r), 0);
        assert_int_equal(iso_kmsg_find_oom(text, 0, "/other", &r), 0);
        assert_int_equal(iso_kmsg_find_oom(text, 0, NULL, NULL), 1);
        assert_int_equal(iso_kmsg_find_oom(NULL, 0, NULL, &r), 0);
}

static void oom_v4(void **state)
{
        iso_autofree char *text = read_sample("kmsg-oom-v4.txt");
        struct iso_oom_report r;

        (void)state;
        assert_int_equal(iso_kmsg_find_oom(text, 0, NULL, &r), 1);
        assert_int_equal(r.victim, 1234);
        assert_string_equal(r.comm, "stress");
        assert_string_equal(r.memcg, "");
        assert_string_equal(
                r.line,
                "Memory cgroup out of memory: Kill process 1234 (stress) score 1000 or sacrifice "
                "child");
        assert_int_equal(iso_kmsg_find_oom(text, 1234, NULL, &r), 1);
        assert_int_equal(iso_kmsg_find_oom(text, 1233, NULL, &r), 0);
        /* No oom-kill line before 4.19, so a cgroup cannot be told: nothing matches. */
        assert_int_equal(iso_kmsg_find_oom(text, 0, "hog", &r), 0);
        assert_int_equal(iso_kmsg_find_oom(text, 1234, "cgroup.memory.oom_kill/hog", &r), 0);
}

static void oom_global(void **state)
{
        iso_autofree char *text = read_sample("kmsg-oom-global.txt");
        struct iso_oom_report r;

        (void)state;
        assert_int_equal(iso_kmsg_find_oom(text, 0, NULL, &r), 0);
        assert_int_equal(r.found, 0);
        assert_int_equal(iso_kmsg_find_oom(text, 4321, NULL, &r), 0);
        /* Its oom-kill line names the victim's cgroup, but this is not a cgroup's OOM. */
        assert_int_equal(iso_kmsg_find_oom(text, 0, "hog", &r), 0);
        assert_int_equal(iso_kmsg_find_oom(text, 0, "", &r), 0);

        /* The old global wording neither. */
        assert_int_equal(iso_kmsg_find_oom("Out of memory: Kill process 99 (x) score 900 or "
                                           "sacrifice child\nKilled process 99 (x) total-vm:1kB, "
                                           "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n",
                                           0, NULL, &r),
                         0);
}

static void oom_two(void **state)
{
        iso_autofree char *text = read_sample("kmsg-oom-two.txt");
        struct iso_oom_report r;

        (void)state;
        /* Several match: the first wins. */
        assert_int_equal(iso_kmsg_find_oom(text, 0, NULL, &r), 1);
        assert_int_equal(r.victim, 5001);
        assert_string_equal(r.comm, "a b");
        assert_string_equal(r.memcg, "/isocheck-123-abc/cgroup.memory.oom_kill/other");

        assert_int_equal(iso_kmsg_find_oom(text, 5102, NULL, &r), 1);
        assert_int_equal(r.victim, 5102);
        assert_string_equal(r.comm, "stress-ng-vm");
        assert_string_equal(r.memcg, "/isocheck-123-abc/cgroup.memory.oom_kill/hog");
        assert_true(!strncmp(r.line, "Memory cgroup out of memory: Killed process 5102 ", 49));

        static const char *const hog[] = {
                "cgroup.memory.oom_kill/hog",
                "/isocheck-123-abc/cgroup.memory.oom_kill/hog",
                "hog",
                "/hog",
                "cgroup.memory.oom_kill/hog/",
        };
        for (size_t i = 0; i < ISO_ARRAY_SIZE(hog); i++) {
                memset(&r, 0, sizeof(r));
                if (iso_kmsg_find_oom(text, 0, hog[i], &r) != 1 || r.victim != 5102)
                        fail_msg("memcg \"%s\" gave %d", hog[i], (int)r.victim);
                assert_string_equal(r.comm, "stress-ng-vm");
        }
        assert_int_equal(iso_kmsg_find_oom(text, 0, "other", &r), 1);
        assert_int_equal(r.victim, 5001);

        /* Suffixes match whole path components only. */
        assert_int_equal(iso_kmsg_find_oom(text, 0, "og", &r), 0);
        assert_int_equal(iso_kmsg_find_oom(text, 0, "memory.oom_kill/hog", &r), 0);
        assert_int_equal(iso_kmsg_find_oom(text, 0, "/isocheck-123-abc", &r), 0);
        /* Both filters at once must agree on one kill. */
        assert_int_equal(iso_kmsg_find_oom(text, 5001, "hog", &r), 0);
        assert_int_equal(iso_kmsg_find_oom(text, 5102, "hog", &r), 1);
}

#define KILL "Memory cgroup out of memory: Killed process "
#define TAIL                                                                                 \
        " total-vm:142848kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB " \
        "oom_score_adj:0"
#define OOMKILL(memcg, task, pid)                                                       \
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0," \
        "oom_memcg=" memcg ",task_memcg=" memcg ",task=" task ",pid=" pid ",uid=0\n"

static void expect_comm(const char *text, pid_t pid, const char *comm)
{
        struct iso_oom_report r;

        if (iso_kmsg_find_oom(text, 0, NULL, &r) != 1)
                fail_msg("no match in \"%s\"", text);
        assert_int_equal(r.victim, pid);
        assert_string_equal(r.comm, comm);
}

static void oom_comm(void **state)
{
        struct iso_oom_report r;
        char longcomm[512];

        (void)state;
        expect_comm(KILL "77 ((sd-pam))" TAIL "\n", 77, "(sd-pam)");
        expect_comm(KILL "78 (a b)" TAIL, 78, "a b");
        expect_comm(KILL "79 (a) b (c)" TAIL "\n", 79, "a) b (c");
        expect_comm(KILL "80 (x) total-vm:1kB)" TAIL "\n", 80, "x) total-vm:1kB");
        expect_comm("Memory cgroup out of memory: Kill process 81 (a) score 2 (b) score 1000 or "
                    "sacrifice child\n",
                    81, "a) score 2 (b");
        /* Neither next field nor known tail: the last ')' on the line. */
        expect_comm(KILL "82 (odd (one)) something new\n", 82, "odd (one)");
        expect_comm(KILL "83 (\\x01\\x7f)" TAIL "\n", 83, "\\x01\\x7f");
        /* As dmesg prints it, with a timestamp in front. */
        expect_comm("[  819.947246] " KILL "84 (stress-ng-vm)" TAIL "\n", 84, "stress-ng-vm");

        /* A comm longer than we keep is cut, not overflowed. */
        memset(longcomm, 0, sizeof(longcomm));
        memcpy(longcomm, KILL "85 (", strlen(KILL "85 ("));
        memset(longcomm + strlen(longcomm), 'c', 200);
        strcat(longcomm, ")" TAIL);
        assert_int_equal(iso_kmsg_find_oom(longcomm, 85, NULL, &r), 1);
        assert_int_equal(strlen(r.comm), sizeof(r.comm) - 1);

        /* Not kill lines. */
        static const char *const bad[] = {
                KILL "(x)" TAIL,
                KILL "0 (x)" TAIL,
                KILL "86(x)" TAIL,
                KILL "87 (never closed",
                KILL "99999999999 (x)" TAIL,
                KILL "-5 (x)" TAIL,
                "Memory cgroup out of memory: Killing process 88 (x)" TAIL,
                "Memory cgroup out of memory:Killed process 89 (x)" TAIL,
        };
        for (size_t i = 0; i < ISO_ARRAY_SIZE(bad); i++)
                if (iso_kmsg_find_oom(bad[i], 0, NULL, &r) != 0)
                        fail_msg("matched \"%s\"", bad[i]);
}

static void oom_memcg_lines(void **state)
{
        struct iso_oom_report r;

        (void)state;
        /* Interleaved reports: each kill finds its own oom-kill line by PID. */
        const char *interleaved = OOMKILL("/t/a", "x", "5") OOMKILL("/t/b", "y", "6") KILL
                "5 (x)" TAIL "\n" KILL "6 (y)" TAIL "\n";
        assert_int_equal(iso_kmsg_find_oom(interleaved, 0, "b", &r), 1);
        assert_int_equal(r.victim, 6);
        assert_string_equal(r.memcg, "/t/b");
        assert_int_equal(iso_kmsg_find_oom(interleaved, 0, "/t/a", &r), 1);
        assert_int_equal(r.victim, 5);

        /* A reused PID: the newest oom-kill line before the kill is the one. */
        const char *reused = OOMKILL("/t/a", "x", "5") KILL
                "5 (x)" TAIL "\n" OOMKILL("/t/b", "x", "5") KILL "5 (x)" TAIL "\n";
        assert_int_equal(iso_kmsg_find_oom(reused, 0, "b", &r), 1);
        assert_string_equal(r.memcg, "/t/b");
        assert_int_equal(iso_kmsg_find_oom(reused, 0, "a", &r), 1);
        assert_string_equal(r.memcg, "/t/a");

        /* A cgroup name with a comma, a comm that says ",pid=". */
        assert_int_equal(iso_kmsg_find_oom(OOMKILL("/t/a,b", "q,pid=9", "42") KILL
                                           "42 (q,pid=9)" TAIL "\n",
                                           0, "a,b", &r),
                         1);
        assert_int_equal(r.victim, 42);
        assert_string_equal(r.memcg, "/t/a,b");
        assert_string_equal(r.comm, "q,pid=9");

        /* An oom-kill line for another PID does not vouch for this kill. */
        assert_int_equal(
                iso_kmsg_find_oom(OOMKILL("/t/a", "x", "5") KILL "7 (x)" TAIL "\n", 0, "a", &r), 0);
        /* The kill line without an oom-kill line is still found without a memcg filter. */
        assert_int_equal(
                iso_kmsg_find_oom(OOMKILL("/t/a", "x", "5") KILL "7 (x)" TAIL "\n", 0, NULL, &r),
                1);
        assert_string_equal(r.memcg, "");
}

/* ---- extraction for the artifact ---------------------------------------------------- */

static void oom_lines(void **state)
{
        iso_autofree char *v6 = read_sample("kmsg-oom-v6.txt");
        iso_autofree char *v4 = read_sample("kmsg-oom-v4.txt");
        iso_autofree char *global = read_sample("kmsg-oom-global.txt");
        char out[4096];

        (void)state;
        assert_int_equal(iso_kmsg_oom_lines(v6, out, sizeof(out)), 6);
        assert_string_equal(
                out,
                "stress-ng-vm invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
                "oom_score_adj=1000\n"
                "memory: usage 19528kB, limit 19528kB, failcnt 95\n"
                "Memory cgroup stats for /isocheck-kmsgprobe:\n"
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
                "oom_memcg=/isocheck-kmsgprobe,task_memcg=/isocheck-kmsgprobe,task=stress-ng-vm,"
                "pid=13403,uid=0\n"
                "Memory cgroup out of memory: Killed process 13403 (stress-ng-vm) "
                "total-vm:142848kB, anon-rss:16384kB, file-rss:768kB, shmem-rss:0kB, UID:0 "
                "pgtables:204kB oom_score_adj:1000\n"
                "oom_reaper: reaped process 13403 (stress-ng-vm), now anon-rss:0kB, "
                "file-rss:0kB, shmem-rss:0kB\n");
        /* The old wording's separate "Killed process" line comes along. */
        assert_int_equal(iso_kmsg_oom_lines(v4, out, sizeof(out)), 6);
        assert_non_null(strstr(out, "\nKilled process 1234 (stress) total-vm:"));
        /* So does the global OOM ("Out of memory" in capitals). */
        assert_int_equal(iso_kmsg_oom_lines(global, out, sizeof(out)), 4);
        assert_non_null(strstr(out, "\nOut of memory: Killed process 4321 "));

        /* A last line without '\n' still gets one. */
        assert_int_equal(iso_kmsg_oom_lines("noise\noom_reaper: x", out, sizeof(out)), 1);
        assert_string_equal(out, "oom_reaper: x\n");
        assert_int_equal(iso_kmsg_oom_lines("noise\n", out, sizeof(out)), 0);
        assert_string_equal(out, "");
        assert_int_equal(iso_kmsg_oom_lines(NULL, out, sizeof(out)), 0);
        assert_string_equal(out, "");
}

static void oom_lines_truncated(void **state)
{
        const char *text = "a oom-kill 1\nnoise\nb oom-kill 22\nc oom-kill 333\n";
        char out[64];

        (void)state;
        /* Whole lines only, and always a NUL: 13 bytes + NUL hold "a oom-kill 1\n". */
        memset(out, 'Z', sizeof(out));
        assert_int_equal(iso_kmsg_oom_lines(text, out, 14), 1);
        assert_string_equal(out, "a oom-kill 1\n");
        assert_int_equal(out[14], 'Z');
        memset(out, 'Z', sizeof(out));
        assert_int_equal(iso_kmsg_oom_lines(text, out, 13), 0);
        assert_string_equal(out, "");
        assert_int_equal(out[1], 'Z');
        assert_int_equal(iso_kmsg_oom_lines(text, out, 27), 1);
        assert_int_equal(iso_kmsg_oom_lines(text, out, 28), 2);
        assert_string_equal(out, "a oom-kill 1\nb oom-kill 22\n");
        assert_int_equal(iso_kmsg_oom_lines(text, out, 1), 0);
        assert_string_equal(out, "");
        /* Size 0 writes nothing at all. */
        out[0] = 'Z';
        assert_int_equal(iso_kmsg_oom_lines(text, out, 0), 0);
        assert_int_equal(out[0], 'Z');
        assert_int_equal(iso_kmsg_oom_lines(text, NULL, 10), 0);

        /* A real report cut short keeps its first lines whole. */
        iso_autofree char *v6 = read_sample("kmsg-oom-v6.txt");
        char small[200];

        assert_int_equal(iso_kmsg_oom_lines(v6, small, sizeof(small)), 3);
        assert_int_equal(small[strlen(small) - 1], '\n');
        assert_true(!strncmp(small + strlen(small) - 45,
                             "Memory cgroup stats for /isocheck-kmsgprobe:\n", 45));
}

/* ---- the real device ---------------------------------------------------------------- */

/* Log @line at LOG_INFO through /dev/kmsg; 0, or -1 when we may not write there. */
static int kmsg_write(const char *line)
{
        char buf[256];
        iso_autoclose int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return -1;
        assert_int_equal(iso_pathf(buf, sizeof(buf), "<6>%s\n", line), 0);
        return write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf) ? 0 : -1;
}

static void real_device(void **state)
{
        struct iso_kmsg k = {.fd = 42};
        struct iso_err e = {0};
        char before[128], after[128], want[160];
        unsigned long long rnd = 0;
        iso_autofree char *text = NULL;
        size_t len = 0;

        (void)state;
        if (iso_kmsg_open(&k, &e) < 0) {
                /* The failure says why, and leaves nothing open. */
                assert_int_equal(k.fd, -1);
                assert_true(e.errnum != 0);
                assert_non_null(strstr(e.msg, "/dev/kmsg"));
                print_message("cannot read the kernel log: %s\n", e.msg);
                skip();
        }
        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                rnd = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
        assert_int_equal(iso_pathf(after, sizeof(after), "isocheck-kmsg-test %016llx", rnd), 0);
        assert_int_equal(iso_pathf(before, sizeof(before), "%s-before", after), 0);

        /* Only root may write the log; a reader without that right can only drain. */
        if (geteuid() != 0 || kmsg_write(before) < 0) {
                assert_true(iso_kmsg_drain(&k, &text, &len, &e) >= 0);
                iso_kmsg_close(&k);
                /* skip() jumps out: cleanup attributes do not run. */
                free(text);
                text = NULL;
                print_message("cannot write /dev/kmsg; drained without a probe line\n");
                skip();
        }

        /* The line written before opening is what the cursor must hide. */
        iso_kmsg_close(&k);
        assert_int_equal(iso_kmsg_open(&k, &e), 0);

        /* A second reader checks the record itself: LOG_USER is the default facility. */
        iso_autoclose int raw = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

        assert_true(raw >= 0);
        assert_int_equal(lseek(raw, 0, SEEK_END), 0);
        assert_int_equal(kmsg_write(after), 0);

        long n = iso_kmsg_drain(&k, &text, &len, &e);

        if (n < 0)
                fail_msg("%s", e.msg);
        assert_true(n >= 1);
        assert_int_equal(len, strlen(text));
        assert_int_equal(iso_pathf(want, sizeof(want), "%s\n", after), 0);

        const char *hit = strstr(text, want);

        assert_non_null(hit);
        assert_true(hit == text || hit[-1] == '\n');
        assert_null(strstr(text, before));

        /* Nothing new since: a second drain adds nothing of ours. */
        size_t oldlen = len;

        assert_true(iso_kmsg_drain(&k, &text, &len, &e) >= 0);
        assert_null(strstr(text + oldlen, want));
        iso_kmsg_close(&k);
        assert_int_equal(k.fd, -1);

        char buf[8192];
        struct iso_kmsg_record rec;
        int seen = 0;

        for (;;) {
                ssize_t r = read(raw, buf, sizeof(buf));

                if (r < 0 && errno == EPIPE)
                        continue;
                if (r <= 0)
                        break;
                assert_int_equal(iso_kmsg_parse(buf, (size_t)r, &rec), 0);
                if (!strcmp(rec.text, after)) {
                        assert_int_equal(rec.level, (1 << 3) | 6);
                        assert_true(rec.seq > 0);
                        seen = 1;
                }
        }
        assert_true(seen);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(parse_valid),     cmocka_unit_test(parse_extra_fields),
                cmocka_unit_test(parse_malformed), cmocka_unit_test(parse_huge_text),
                cmocka_unit_test(drain_records),   cmocka_unit_test(drain_appends),
                cmocka_unit_test(drain_lost),      cmocka_unit_test(drain_errors),
                cmocka_unit_test(oom_v6),          cmocka_unit_test(oom_v4),
                cmocka_unit_test(oom_global),      cmocka_unit_test(oom_two),
                cmocka_unit_test(oom_comm),        cmocka_unit_test(oom_memcg_lines),
                cmocka_unit_test(oom_lines),       cmocka_unit_test(oom_lines_truncated),
                cmocka_unit_test(real_device),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
