// SPDX-License-Identifier: MIT
/*
 * Unit tests of the docker runtime's pure parts (docker.c): the Dockerfile isocheck builds
 * (the run's labels after each FROM), the tail of a client's output that goes into a
 * message, and the builder picked from DOCKER_BUILDKIT and buildx.
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

#include "isocheck/docker.h"
#include "samples.h"

static const char *const labels[] = {"isocheck.run=123-abc",
                                     "isocheck.case=sidecar.capture.http.docker", NULL};
#define LABEL_LINE "LABEL isocheck.run=\"123-abc\" isocheck.case=\"sidecar.capture.http.docker\"\n"

/* The project's own app Dockerfile, read from fixtures/app (samples' parent's sibling). */
static void fixture_path(char *buf, size_t size, const char *rel)
{
        assert_int_equal(iso_pathf(buf, size, "%s/../%s", samples_dir(), rel), 0);
}

/* @out is the file at @path with @inserted after the line ending at @after, nothing else. */
static void assert_inserted(const char *path, const char *out, const char *after,
                            const char *inserted, const char *extra)
{
        struct iso_err e = {0};
        iso_autofree char *file = iso_read_file(path, NULL, &e);
        assert_non_null(file);
        const char *at = strstr(file, after);
        assert_non_null(at);
        size_t head = (size_t)(at - file) + strlen(after);
        char want[8192];
        snprintf(want, sizeof(want), "%.*s%s%s%s", (int)head, file, inserted, file + head,
                 extra ? extra : "");
        assert_string_equal(out, want);
}

static void app_dockerfile_gets_the_label_after_from(void **state)
{
        (void)state;
        char path[512], out[4096];
        struct iso_err e = {0};
        fixture_path(path, sizeof(path), "app/Dockerfile");
        assert_int_equal(iso_docker_dockerfile(path, labels, NULL, out, sizeof(out), &e), 0);
        assert_inserted(path, out, "FROM scratch\n", LABEL_LINE, NULL);
}

static void sidecar_dockerfile_keeps_its_comments(void **state)
{
        (void)state;
        char path[512], out[4096];
        struct iso_err e = {0};
        fixture_path(path, sizeof(path), "sidecar/Dockerfile");
        assert_int_equal(iso_docker_dockerfile(path, labels, "COPY extra /x", out, sizeof(out), &e),
                         0);
        assert_inserted(path, out, "FROM scratch\n", LABEL_LINE, "COPY extra /x\n");
}

static void every_stage_is_labelled(void **state)
{
        (void)state;
        char path[512], out[4096];
        struct iso_err e = {0};
        sample_path(path, sizeof(path), "dockerfile-multistage.txt");
        assert_int_equal(iso_docker_dockerfile(path, labels, NULL, out, sizeof(out), &e), 0);
        /* The directive and comments stay; a FROM continued over two lines gets its LABEL
         * after the second; the lower-case, indented one too. */
        const char *want = "# escape=\\\n"
                           "# A two-stage Dockerfile written the way people write them.\n"
                           "  from debian:bookworm \\\n"
                           "      AS build\n" LABEL_LINE "\n"
                           "RUN echo building > /out\n"
                           "\t# an indented comment\n"
                           "FROM scratch\n" LABEL_LINE "COPY --from=build /out /out\n"
                           "ENTRYPOINT [\"/out\"]\n";
        assert_string_equal(out, want);
}

static void no_labels_no_label_line(void **state)
{
        (void)state;
        char path[512], out[4096];
        struct iso_err e = {0};
        fixture_path(path, sizeof(path), "app/Dockerfile");
        assert_int_equal(iso_docker_dockerfile(path, NULL, NULL, out, sizeof(out), &e), 0);
        assert_null(strstr(out, "LABEL"));
}

static void refused_inputs(void **state)
{
        (void)state;
        char path[512], out[4096];
        struct iso_err e = {0};
        fixture_path(path, sizeof(path), "app/Dockerfile");
        const char *quote[] = {"isocheck.run=a\"b", NULL};
        assert_int_equal(iso_docker_dockerfile(path, quote, NULL, out, sizeof(out), &e), -1);
        assert_int_equal(e.errnum, EINVAL);
        assert_non_null(strstr(e.msg, "isocheck.run=a\"b"));
        const char *dollar[] = {"isocheck.run=$HOME", NULL};
        assert_int_equal(iso_docker_dockerfile(path, dollar, NULL, out, sizeof(out), &e), -1);
        const char *no_eq[] = {"isocheck.run", NULL};
        assert_int_equal(iso_docker_dockerfile(path, no_eq, NULL, out, sizeof(out), &e), -1);
        assert_int_equal(e.errnum, EINVAL);
        /* Too small for the result: refused, not cut. */
        assert_int_equal(iso_docker_dockerfile(path, labels, NULL, out, 40, &e), -1);
        assert_int_equal(e.errnum, EFBIG);
        sample_path(path, sizeof(path), "dockerfile-nofrom.txt");
        assert_int_equal(iso_docker_dockerfile(path, labels, NULL, out, sizeof(out), &e), -1);
        assert_non_null(strstr(e.msg, "expected a FROM"));
        sample_path(path, sizeof(path), "no-such-dockerfile");
        assert_int_equal(iso_docker_dockerfile(path, labels, NULL, out, sizeof(out), &e), -1);
        assert_int_equal(e.errnum, ENOENT);
}

static void tail_keeps_the_last_lines(void **state)
{
        (void)state;
        char buf[256];
        /* The banner first, the error last: the message must hold the error. */
        iso_docker_tail("DEPRECATED: The legacy builder is deprecated\n\n"
                        "Step 1/5 : FROM scratch\nCOPY failed: no such file\n\n",
                        2, buf, sizeof(buf));
        assert_string_equal(buf, "Step 1/5 : FROM scratch | COPY failed: no such file");
        iso_docker_tail("one line, no newline", 4, buf, sizeof(buf));
        assert_string_equal(buf, "one line, no newline");
        iso_docker_tail("", 4, buf, sizeof(buf));
        assert_string_equal(buf, "");
        iso_docker_tail("a\nb\nc\n", 10, buf, 4);
        assert_string_equal(buf, "a |");
}

static void builder_picked(void **state)
{
        (void)state;
        char why[192];
        assert_int_equal(iso_docker_pick_builder("1", "", why, sizeof(why)), 0);
        assert_non_null(strstr(why, "DOCKER_BUILDKIT=1 overridden"));
        assert_int_equal(iso_docker_pick_builder(NULL, NULL, why, sizeof(why)), 0);
        assert_string_equal(why, "legacy (no buildx plugin)");
        assert_int_equal(iso_docker_pick_builder(NULL, "v0.14.1", why, sizeof(why)), 1);
        assert_string_equal(why, "BuildKit (buildx v0.14.1)");
        assert_int_equal(iso_docker_pick_builder("0", "v0.14.1", why, sizeof(why)), 0);
        assert_string_equal(why, "legacy (DOCKER_BUILDKIT=0)");
        assert_int_equal(iso_docker_pick_builder("false", "v0.14.1", why, sizeof(why)), 0);
        assert_int_equal(iso_docker_pick_builder("1", "v0.14.1", why, sizeof(why)), 1);
}

static void url_password_masked(void **state)
{
        (void)state;
        char out[128];
        iso_docker_url_masked("tcp://me:hunter2@10.0.0.1:2376", out, sizeof(out));
        assert_string_equal(out, "tcp://me:***@10.0.0.1:2376");
        iso_docker_url_masked("ssh://me@host", out, sizeof(out));
        assert_string_equal(out, "ssh://me@host");
        iso_docker_url_masked("unix:///run/user/1000/docker.sock", out, sizeof(out));
        assert_string_equal(out, "unix:///run/user/1000/docker.sock");
        /* An @ after the path is not userinfo. */
        iso_docker_url_masked("tcp://host:2376/a:b@c", out, sizeof(out));
        assert_string_equal(out, "tcp://host:2376/a:b@c");
        iso_docker_url_masked("de_DE.UTF-8", out, sizeof(out));
        assert_string_equal(out, "de_DE.UTF-8");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(app_dockerfile_gets_the_label_after_from),
                cmocka_unit_test(sidecar_dockerfile_keeps_its_comments),
                cmocka_unit_test(every_stage_is_labelled),
                cmocka_unit_test(no_labels_no_label_line),
                cmocka_unit_test(refused_inputs),
                cmocka_unit_test(tail_keeps_the_last_lines),
                cmocka_unit_test(builder_picked),
                cmocka_unit_test(url_password_masked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
