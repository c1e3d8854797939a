/* SPDX-License-Identifier: MIT */
/*
 * What a person watching a run sees on stderr (the TAP stream on stdout stays clean): a
 * status line redrawn in place while cases run (case i/N, counts so far, elapsed time, what
 * runs), and at the end the slowest cases, as pytest --durations shows them.
 */
#ifndef ISOCHECK_PROGRESS_H
#define ISOCHECK_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

#include "isocheck/cli.h"
#include "isocheck/plan.h"
#include "isocheck/report.h"

struct iso_progress_out {
        int fd;       /* where it goes: stderr's descriptor */
        int live;     /* redraw one line with \r (a terminal, and not --progress=never) */
        int lines;    /* a plain line per ended case (--progress=always off a terminal) */
        int drawn;    /* a live line is on the screen now */
        size_t width; /* the terminal's columns (TIOCGWINSZ), 80 when unknown */
};

/*
 * Decide what @p shows on @fd for @mode: auto draws a live line only when isatty(@fd)
 * (and TERM is not "dumb"), always also writes plain lines when it is not a terminal,
 * never shows nothing.
 */
void iso_progress_init(struct iso_progress_out *p, enum iso_progress mode, int fd);

/* An iso_plan_status_fn: @arg is the struct iso_progress_out. Writes with write(2). */
void iso_progress_status(void *arg, const struct iso_plan_status *st);

/* Clear the live line, if one is shown, so what follows starts on a clean line. */
void iso_progress_clear(struct iso_progress_out *p);

/*
 * Write to @f the @top slowest of the @n results that ran (a case skipped before it
 * started has no time worth naming), slowest first: "isocheck: slowest cases:" then one
 * "isocheck:   1.234 s  name" line each. Nothing when no case ran. Returns how many.
 */
size_t iso_progress_slowest(const struct iso_result *results, size_t n, size_t top, FILE *f);

#endif
