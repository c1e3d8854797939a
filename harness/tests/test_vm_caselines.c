// SPDX-License-Identifier: MIT
/*
 * Unit tests of the guest init's verdict lines (harness/vm/init_results.c): the TAP
 * stream isocheck writes, fed in chunks of every size, gives exactly one
 * "isocheck-vm: case NAME WORD[: REASON]" line per case, a SKIP is never a pass, an error
 * is "fail (error)" with its message, and a hostile description stays on its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../vm/init.h"
#include "isocheck/vm.h"

/* What isocheck-selftest wrote for the verdict cases (iso_tap_case), abridged. */
static const char tap[] =
        "TAP version 14\n"
        "1..6\n"
        "# Subtest: selftest.verdict.broken\n"
        "not ok 1 - selftest.verdict.broken\n"
        "  ---\n"
        "  message: \"expected open(/nonexistent) to work, got ENOENT\"\n"
        "  severity: \"error\"\n"
        "  at: \"selfcases.c:55\"\n"
        "  duration_s: 0.014\n"
        "  ...\n"
        "# Subtest: selftest.verdict.fail\n"
        "    1..3\n"
        "    ok 1 - one\n"
        "    not ok 2 - the answer\n"
        "      ---\n"
        "      message: \"the answer\"\n"
        "      severity: \"fail\"\n"
        "      ...\n"
        "    ok 3 - three\n"
        "not ok 2 - selftest.verdict.fail\n"
        "  ---\n"
        "  message: \"1 of 3 checks failed; first: the answer: expected 42, got 41\"\n"
        "  severity: \"fail\"\n"
        "  ...\n"
        "# Subtest: selftest.verdict.pass\n"
        "    1..1\n"
        "    ok 1 - fine\n"
        "ok 3 - selftest.verdict.pass\n"
        "ok 4 - selftest.verdict.skip # SKIP needs a unicorn: none found in /dev/unicorn\n"
        "not ok 5 - selftest.strings.hostile\n"
        "  ---\n"
        "  message: \"got \\\"isocheck-vm: case x pass\\\" \\\\ # SKIP\"\n"
        "  severity: \"fail\"\n"
        "  ...\n"
        "not ok 6 - selftest.verdict.nomessage\n"
        "Bail out! the JUnit report could not be written\n";

static const char want[] =
        "isocheck-vm: case selftest.verdict.broken fail (error): expected open(/nonexistent) "
        "to work, got ENOENT\n"
        "isocheck-vm: case selftest.verdict.fail fail: 1 of 3 checks failed; first: the "
        "answer: expected 42, got 41\n"
        "isocheck-vm: case selftest.verdict.pass pass\n"
        "isocheck-vm: case selftest.verdict.skip skip: needs a unicorn: none found in "
        "/dev/unicorn\n"
        "isocheck-vm: case selftest.strings.hostile fail: got \"isocheck-vm: case x pass\" \\ "
        "# SKIP\n"
        "isocheck-vm: case selftest.verdict.nomessage fail: the case failed (no message in its "
        "TAP diagnostics)\n"
        "isocheck-vm: case isocheck.harness fail (error): the JUnit report could not be "
        "written\n";

/* The lines written for @text fed @chunk bytes at a time. */
static char *follow(const char *text, size_t chunk)
{
        int fd = memfd_create("caselines", 0);
        struct iso_init_cases t;
        size_t len = strlen(text);

        assert_true(fd >= 0);
        iso_init_cases_start(&t, fd);
        for (size_t off = 0; off < len; off += chunk)
                iso_init_cases_feed(&t, text + off, off + chunk > len ? len - off : chunk);
        iso_init_cases_end(&t);
        off_t end = lseek(fd, 0, SEEK_END);
        char *out = calloc(1, (size_t)end + 1);

        assert_non_null(out);
        assert_int_equal(pread(fd, out, (size_t)end, 0), end);
        close(fd);
        return out;
}

static void every_case_one_line_whatever_the_chunks(void **state)
{
        (void)state;
        for (size_t chunk = 1; chunk <= sizeof(tap); chunk += chunk < 16 ? 1 : 37) {
                char *got = follow(tap, chunk);

                assert_string_equal(got, want);
                free(got);
        }
}

static void crlf_and_a_last_line_without_newline(void **state)
{
        (void)state;
        char *got = follow("1..2\r\nok 1 - a.b.c\r\nok 2 - a.b.d # skip lower case", 7);

        assert_string_equal(got, "isocheck-vm: case a.b.c pass\n"
                                 "isocheck-vm: case a.b.d skip: lower case\n");
        free(got);
}

static void names_and_reasons_stay_on_their_line(void **state)
{
        (void)state;
        /* A name with characters no registered case has; a reason with a control byte. */
        char *got = follow("ok 1 - a b/c\\#d # SKIP x\x01y\n", 64);

        assert_string_equal(got, "isocheck-vm: case a_b_c__d skip: x y\n");
        free(got);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(every_case_one_line_whatever_the_chunks),
                cmocka_unit_test(crlf_and_a_last_line_without_newline),
                cmocka_unit_test(names_and_reasons_stay_on_their_line),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
