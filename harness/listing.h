/* SPDX-License-Identifier: MIT */
/* What `isocheck --list` and `isocheck --env` print, as text or as JSON (json-c). */
#ifndef ISOCHECK_LISTING_H
#define ISOCHECK_LISTING_H

#include <stdio.h>

#include "isocheck/cli.h"
#include "isocheck/env.h"
#include "isocheck/plan.h"

/*
 * Print the @n @items of a plan (one round) to @out. Text: name and summary per line (with
 * @verbose, the lab step below); a user's skip is shown as "[skip: reason]". JSON: an array
 * of {"name", "summary", "lab_step", "needs": [{"kind", "name"?, "version"?}], "timeout_s"
 * (declared or --timeout, before --timeout-mult), "file", "line", "skip_reason"?}.
 * Returns 0, or -1 when JSON could not be built (out of memory).
 */
int iso_list_print(FILE *out, const struct iso_plan_item *items, size_t n, enum iso_format fmt,
                   int verbose);

/*
 * Print @env as one JSON object: every JUnit property of the probe ("kernel.release",
 * "cgroup.mode", "tool.unshare"...) as a string member, and "runtimes": {NAME: {"state":
 * "usable"|"not usable"|"not installed"|"broken", "why": "..."}}. Returns 0, or -1 (out of
 * memory).
 */
int iso_env_print_json(FILE *out, const struct iso_env *env);

#endif
