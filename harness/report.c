// SPDX-License-Identifier: MIT
/* Verdict names and counts shared by the TAP and JUnit writers. */
#include "isocheck/report.h"

#include <locale.h>
#include <stdio.h>

#include <string.h>

const char *iso_verdict_name(enum iso_verdict v)
{
        switch (v) {
        case ISO_PASS:
                return "pass";
        case ISO_FAIL:
                return "fail";
        case ISO_SKIP:
                return "skip";
        case ISO_ERROR:
                return "error";
        }
        /* A value outside the enum is a harness bug; never hand out NULL to a printf. */
        return "unknown";
}

void iso_run_count(const struct iso_run *run, size_t counts[4])
{
        size_t i;

        memset(counts, 0, 4 * sizeof(counts[0]));
        if (!run || !run->results)
                return;
        for (i = 0; i < run->n_results; i++) {
                enum iso_verdict v = run->results[i].verdict;

                /*
                 * An out-of-range verdict still counts, as an error: the totals must add
                 * up to the number of results, and the harness did not decide a result.
                 */
                if ((unsigned int)v > ISO_ERROR)
                        v = ISO_ERROR;
                counts[v]++;
        }
}

int iso_format_seconds(char *buf, size_t size, double s)
{
        /* Not "s >= 0": -0.0 passes that and prints "-0.000" (found by the fuzzer). */
        if (!(s > 0.0))
                s = 0.0;
        if (s > 1e12)
                s = 1e12;
        locale_t c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (c_loc == (locale_t)0)
                return -1;
        locale_t old = uselocale(c_loc);
        int n = snprintf(buf, size, "%.3f", s);
        uselocale(old);
        freelocale(c_loc);
        return n < 0 || (size_t)n >= size ? -1 : 0;
}
