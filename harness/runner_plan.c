// SPDX-License-Identifier: MIT
/* Executing a run's plan (include/isocheck/plan.h). */
#include <string.h>

#include "isocheck/plan.h"
#include "isocheck/util.h"

void iso_runner_run_plan(struct iso_runner *r, const struct iso_plan_item *items, size_t n,
                         unsigned jobs, struct iso_result *results, iso_plan_done_fn done,
                         void *arg)
{
        (void)jobs; /* one at a time, in order */
        for (size_t i = 0; i < n; i++) {
                if (items[i].skip_reason) {
                        memset(&results[i], 0, sizeof(results[i]));
                        results[i].name = items[i].name ? items[i].name : items[i].c->name;
                        results[i].summary = items[i].c->summary;
                        iso_result_locate(&results[i], items[i].c);
                        results[i].verdict = ISO_SKIP;
                        iso_strlcpy(results[i].message, items[i].skip_reason,
                                    sizeof(results[i].message));
                } else {
                        iso_runner_run_item(r, &items[i], &results[i]);
                }
                if (done)
                        done(arg, i, &results[i]);
        }
}
