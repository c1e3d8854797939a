// SPDX-License-Identifier: MIT
/*
 * Unit tests of the runtimes' image cache key (harness/runtime_image.c): the same context
 * and Dockerfile give the same key, and any change to what docker build is given (a byte
 * of a file, a file's name or mode, a link's target, a new file, the Dockerfile text)
 * gives another; an unreadable context is an error naming the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime_image.h"

static char dir[64];

static void put(const char *rel, const char *text)
{
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        assert_int_equal(chmod(path, 0644), 0); /* whatever the umask: the mode is keyed */
}

static void key_of(const char *dockerfile, char hex[65])
{
        struct iso_err e = {0};
        assert_int_equal(iso_rt_image_key(dir, dockerfile, hex, &e), 0);
        assert_int_equal(strlen(hex), 64);
}

static int setup(void **state)
{
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/isocheck-test-key.XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        char sub[96];
        snprintf(sub, sizeof(sub), "%s/lib", dir);
        mkdir(sub, 0755);
        put("app", "the app's bytes\n");
        put("lib/libx.so", "a library\n");
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void same_input_same_key(void **state)
{
        (void)state;
        char a[65], b[65];
        key_of("FROM scratch\nCOPY app /app\n", a);
        key_of("FROM scratch\nCOPY app /app\n", b);
        assert_string_equal(a, b);
}

static void every_change_changes_the_key(void **state)
{
        (void)state;
        char base[65], k[65], path[128], link_path[128];
        const char *df = "FROM scratch\nCOPY app /app\n";
        key_of(df, base);
        /* The Dockerfile text (a test build's extra line). */
        key_of("FROM scratch\nCOPY app /app\nCOPY app /bin/bash\n", k);
        assert_string_not_equal(base, k);
        /* A byte of a file deep in the context. */
        put("lib/libx.so", "a library!\n");
        key_of(df, k);
        assert_string_not_equal(base, k);
        put("lib/libx.so", "a library\n");
        key_of(df, k);
        assert_string_equal(base, k); /* back as it was: the same key again */
        /* A file's mode. */
        snprintf(path, sizeof(path), "%s/app", dir);
        assert_int_equal(chmod(path, 0755), 0);
        key_of(df, k);
        assert_string_not_equal(base, k);
        assert_int_equal(chmod(path, 0644), 0);
        /* A new file, and a link, whose target counts. */
        snprintf(link_path, sizeof(link_path), "%s/lib/liby.so", dir);
        assert_int_equal(symlink("libx.so", link_path), 0);
        char with_link[65];
        key_of(df, with_link);
        assert_string_not_equal(base, with_link);
        unlink(link_path);
        assert_int_equal(symlink("libz.so", link_path), 0);
        key_of(df, k);
        assert_string_not_equal(with_link, k);
        unlink(link_path);
        key_of(df, k);
        assert_string_equal(base, k);
}

static void unreadable_context_is_an_error(void **state)
{
        (void)state;
        char k[65];
        struct iso_err e = {0};
        assert_int_equal(iso_rt_image_key("/nonexistent/isocheck-context", "FROM scratch\n", k, &e),
                         -1);
        assert_non_null(strstr(e.msg, "/nonexistent/isocheck-context"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(same_input_same_key),
                cmocka_unit_test(every_change_changes_the_key),
                cmocka_unit_test(unreadable_context_is_an_error),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
