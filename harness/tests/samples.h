/* SPDX-License-Identifier: MIT */
/*
 * The unit tests' sample files (fixtures/samples/, or $ISOCHECK_SAMPLES when the tests run
 * from elsewhere), found and read one way. Include after <cmocka.h>: a sample that cannot
 * be found or read fails the test with the path and the reason.
 */
#ifndef ISOCHECK_TESTS_SAMPLES_H
#define ISOCHECK_TESTS_SAMPLES_H

#include <stdlib.h>

#include "isocheck/util.h"

/* The samples directory: $ISOCHECK_SAMPLES when set and not empty, else fixtures/samples. */
static inline const char *samples_dir(void)
{
        const char *dir = getenv("ISOCHECK_SAMPLES");

        return dir && *dir ? dir : "fixtures/samples";
}

/* The path of sample @name ("proc-stat-lines.txt") into @buf of @size bytes. */
static inline void sample_path(char *buf, size_t size, const char *name)
{
        assert_int_equal(iso_pathf(buf, size, "%s/%s", samples_dir(), name), 0);
}

/* Sample @name read whole, NUL-terminated, its length in *@len (NULL: not wanted). Free it. */
static inline char *read_sample_len(const char *name, size_t *len)
{
        char path[1024];
        struct iso_err e = {0};

        sample_path(path, sizeof(path), name);
        char *s = iso_read_file(path, len, &e);

        if (!s)
                fail_msg("sample %s: %s", path, e.msg);
        return s;
}

/* Sample @name read whole as a NUL-terminated heap string. Free it. */
static inline char *read_sample(const char *name)
{
        return read_sample_len(name, NULL);
}

#endif
