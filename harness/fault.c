// SPDX-License-Identifier: MIT
/* Fault hooks of the test build: see include/isocheck/fault.h. */
#include "isocheck/fault.h"

#ifdef ISO_FAULT_INJECTION
#include <stdlib.h>
#include <string.h>

int iso_fault(const char *name)
{
        const char *list = getenv("ISOCHECK_FAULT");
        size_t n = strlen(name);
        for (const char *p = list; p && *p;) {
                const char *end = strchr(p, ',');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                if (len == n && !strncmp(p, name, n))
                        return 1;
                p = end ? end + 1 : NULL;
        }
        return 0;
}
#else
/* ISO C forbids an empty translation unit. */
typedef int iso_fault_unused;
#endif
