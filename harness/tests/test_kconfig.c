// SPDX-License-Identifier: MIT
/*
 * Kernel config reader: the plain and gzip samples must read the same, every state must
 * come out right (including a symbol that is a prefix of another, which a sloppy bsearch
 * comparison confuses), and a file that cannot be read must say which.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/kconfig.h"
#include "samples.h"

/* The assignments in config-sample; the "# ... is not set" lines are not stored. */
#define SAMPLE_ASSIGNMENTS 22

static void check_sample(const char *name)
{
        struct iso_kconfig kc;
        struct iso_err e = {0};
        char path[512], v[8192];

        sample_path(path, sizeof(path), name);
        assert_int_equal(iso_kconfig_load(&kc, path, &e), 0);
        assert_string_equal(kc.source, path);
        assert_int_equal(kc.n, SAMPLE_ASSIGNMENTS);
        for (size_t i = 1; i < kc.n; i++)
                assert_true(strcmp(kc.lines[i - 1], kc.lines[i]) < 0);

        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_PID_NS", v, sizeof(v)), ISO_KCONFIG_Y);
        assert_string_equal(v, "y");
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_VETH", v, sizeof(v)), ISO_KCONFIG_M);
        assert_string_equal(v, "m");
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_HZ", v, sizeof(v)), ISO_KCONFIG_VALUE);
        assert_string_equal(v, "250");
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_PHYSICAL_START", v, sizeof(v)),
                         ISO_KCONFIG_VALUE);
        assert_string_equal(v, "0x1000000");
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_LOCALVERSION", v, sizeof(v)),
                         ISO_KCONFIG_VALUE);
        assert_string_equal(v, "\"-isocheck\"");
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_CMDLINE", v, sizeof(v)), ISO_KCONFIG_VALUE);
        assert_string_equal(v, "\"console=ttyS0 root=/dev/vda rw quiet\"");

        /* Longer than one gzgets() buffer: must come back whole. */
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_EXTRA_FIRMWARE", v, sizeof(v)),
                         ISO_KCONFIG_VALUE);
        assert_true(strlen(v) > 4096);
        assert_true(!strncmp(v, "\"isocheck/firmware-blob-000.bin ", 32));
        assert_string_equal(v + strlen(v) - 13, "blob-159.bin\"");

        /* "# CONFIG_X is not set" and symbols the file never mentions. */
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_USER_NS", v, sizeof(v)), ISO_KCONFIG_MISSING);
        assert_string_equal(v, "");
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_MEMCG_SWAP", NULL, 0), ISO_KCONFIG_MISSING);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_NO_SUCH_SYMBOL", NULL, 0),
                         ISO_KCONFIG_MISSING);

        /* Prefixes of each other: MEMCG, MEMCG_KMEM; HZ, HZ_250; CGROUPS vs BLK_CGROUP. */
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_MEMCG", NULL, 0), ISO_KCONFIG_Y);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_MEMCG_KMEM", NULL, 0), ISO_KCONFIG_Y);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_MEMCG_K", NULL, 0), ISO_KCONFIG_MISSING);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_HZ_250", NULL, 0), ISO_KCONFIG_Y);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_H", NULL, 0), ISO_KCONFIG_MISSING);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_CGROUPS", NULL, 0), ISO_KCONFIG_Y);

        /* The CONFIG_ prefix is optional. */
        assert_int_equal(iso_kconfig_get(&kc, "PID_NS", v, sizeof(v)), ISO_KCONFIG_Y);
        assert_int_equal(iso_kconfig_get(&kc, "VETH", NULL, 0), ISO_KCONFIG_M);
        assert_int_equal(iso_kconfig_get(&kc, "USER_NS", NULL, 0), ISO_KCONFIG_MISSING);
        assert_int_equal(iso_kconfig_get(&kc, "HZ", v, sizeof(v)), ISO_KCONFIG_VALUE);
        assert_string_equal(v, "250");

        /* Bad symbols are simply absent. */
        assert_int_equal(iso_kconfig_get(&kc, "", NULL, 0), ISO_KCONFIG_MISSING);
        assert_int_equal(iso_kconfig_get(&kc, NULL, NULL, 0), ISO_KCONFIG_MISSING);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_HZ=250", NULL, 0), ISO_KCONFIG_MISSING);

        /* A small value buffer is cut, not overrun; the state is unaffected. */
        char small[4];

        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_PHYSICAL_START", small, sizeof(small)),
                         ISO_KCONFIG_VALUE);
        assert_string_equal(small, "0x1");

        iso_kconfig_free(&kc);
        assert_int_equal(kc.n, 0);
        assert_null(kc.lines);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_PID_NS", NULL, 0), ISO_KCONFIG_UNKNOWN);
}

static void test_load_plain(void **state)
{
        (void)state;
        check_sample("config-sample");
}

static void test_load_gzip(void **state)
{
        (void)state;
        check_sample("config-sample.gz");
}

static void test_missing_file(void **state)
{
        struct iso_kconfig kc;
        struct iso_err e = {0};
        char v[16] = "junk";
        const char *path = "/nonexistent/isocheck/config.gz";

        (void)state;
        assert_int_equal(iso_kconfig_load(&kc, path, &e), -1);
        assert_int_equal(e.errnum, ENOENT);
        assert_non_null(strstr(e.msg, path));
        assert_string_equal(kc.source, "");
        assert_int_equal(kc.n, 0);
        assert_null(kc.lines);
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_PID_NS", v, sizeof(v)), ISO_KCONFIG_UNKNOWN);
        assert_string_equal(v, "");
        assert_int_equal(iso_kconfig_get(&kc, "PID_NS", NULL, 0), ISO_KCONFIG_UNKNOWN);
        iso_kconfig_free(&kc);

        /* A NULL error pointer is allowed. */
        assert_int_equal(iso_kconfig_load(&kc, path, NULL), -1);
        iso_kconfig_free(&kc);
        assert_int_equal(iso_kconfig_get(NULL, "PID_NS", NULL, 0), ISO_KCONFIG_UNKNOWN);
}

/* A gzip stream cut in half has lost lines: an error, not a short config. */
static void test_truncated_gzip(void **state)
{
        char path[512], tmp[] = "/tmp/isocheck-kconfig-XXXXXX";
        struct iso_kconfig kc;
        struct iso_err e = {0};
        size_t len;

        (void)state;
        sample_path(path, sizeof(path), "config-sample.gz");

        char *gz = iso_read_file(path, &len, &e);

        assert_non_null(gz);
        assert_true(len > 64);

        int fd = mkstemp(tmp);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, gz, len / 2), (ssize_t)(len / 2));
        close(fd);
        free(gz);

        int r = iso_kconfig_load(&kc, tmp, &e);

        unlink(tmp);
        assert_int_equal(r, -1);
        assert_non_null(strstr(e.msg, tmp));
        assert_string_equal(kc.source, "");
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_PID_NS", NULL, 0), ISO_KCONFIG_UNKNOWN);
        iso_kconfig_free(&kc);
}

static void test_state_names(void **state)
{
        (void)state;
        assert_string_equal(iso_kconfig_state_name(ISO_KCONFIG_Y), "y");
        assert_string_equal(iso_kconfig_state_name(ISO_KCONFIG_M), "m");
        assert_string_equal(iso_kconfig_state_name(ISO_KCONFIG_MISSING), "not set");
        assert_string_equal(iso_kconfig_state_name(ISO_KCONFIG_UNKNOWN), "unknown");
        assert_string_equal(iso_kconfig_state_name(ISO_KCONFIG_VALUE), "value");
}

/* Whatever this machine has: either a config with a source, or an error naming both paths. */
static void test_load_running(void **state)
{
        struct iso_kconfig kc;
        struct iso_err e = {0};

        (void)state;
        if (iso_kconfig_load_running(&kc, &e) == 0) {
                assert_true(kc.source[0] != '\0');
                assert_true(kc.n > 0);
        } else {
                assert_non_null(strstr(e.msg, "/proc/config.gz"));
                assert_non_null(strstr(e.msg, "/boot/config-"));
                assert_string_equal(kc.source, "");
        }
        iso_kconfig_free(&kc);
}

/* An empty file (/dev/null bound over /proc/config.gz) is no config, not "all unset". */
static void test_empty_file_is_no_config(void **state)
{
        struct iso_kconfig kc;
        struct iso_err e = {0};

        (void)state;
        assert_int_equal(iso_kconfig_load(&kc, "/dev/null", &e), -1);
        assert_int_equal(e.errnum, ENODATA);
        assert_non_null(strstr(e.msg, "/dev/null"));
        assert_int_equal(iso_kconfig_get(&kc, "CONFIG_PID_NS", NULL, 0), ISO_KCONFIG_UNKNOWN);
        iso_kconfig_free(&kc);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_load_plain),
                cmocka_unit_test(test_load_gzip),
                cmocka_unit_test(test_missing_file),
                cmocka_unit_test(test_truncated_gzip),
                cmocka_unit_test(test_empty_file_is_no_config),
                cmocka_unit_test(test_state_names),
                cmocka_unit_test(test_load_running),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
