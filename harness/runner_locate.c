// SPDX-License-Identifier: MIT
/* Where and when a case ran, for the reports CI front ends read (include/isocheck/plan.h). */
#include <time.h>

#include "isocheck/plan.h"

void iso_result_locate(struct iso_result *res, const struct iso_case *c)
{
        res->file = c ? c->file : NULL;
        res->line = c ? c->line : 0;
        res->started[0] = '\0';
        struct tm tm;
        time_t now = time(NULL);
        if (now != (time_t)-1 && gmtime_r(&now, &tm))
                strftime(res->started, sizeof(res->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
}
