/* SPDX-License-Identifier: MIT */
/*
 * Private to the harness: the memory a case shares with the runner. It is mapped
 * MAP_SHARED before the fork, so whatever the case recorded is still there when the case
 * dies; processes the case forks inherit it and may record too (slots are reserved with
 * atomic increments and published by a per-slot flag).
 */
#ifndef ISOCHECK_SHARED_H
#define ISOCHECK_SHARED_H

#include <limits.h>
#include <sys/types.h>

#include "isocheck/case.h"
#include "isocheck/report.h"

#define ISO_LOG_SIZE (64 * 1024)

struct iso_shared {
        unsigned n_reserved;   /* check slots taken (may exceed max) */
        int failed_unrecorded; /* a failed check did not fit */
        unsigned char published[ISO_MAX_CHECKS];
        struct iso_check_rec checks[ISO_MAX_CHECKS];

        int end_kind; /* 0, ISO_SKIP or ISO_ERROR: set once, first caller wins */
        int end_ready;
        char end_message[1024];
        char end_where[128];

        unsigned n_artifacts;
        char artifacts[ISO_MAX_ARTIFACTS][256]; /* plain names in the case's artifact dir */

        char step[256]; /* the last line the case logged: where a timeout caught it */

        size_t log_len;
        char log[ISO_LOG_SIZE];
};

/* The running case's handle (case.h keeps it opaque). */
struct iso_t {
        const struct iso_case *c;
        struct iso_shared *sh;
        char artifact_dir[PATH_MAX]; /* the directory the runner made fresh for this case */
        int art_fd;                  /* open on artifact_dir, or -1 (art_off says why) */
        char art_off[256];
        int log_fd; /* the whole case log (the shared log keeps only its first part), or -1 */
        char run_id[64];
        char scope[PATH_MAX]; /* isocheck-<run>/<case> */
        const struct iso_env *env;
};

#endif
