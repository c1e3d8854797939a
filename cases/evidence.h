/* SPDX-License-Identifier: MIT */
/* Evidence the PID namespace cases keep for the HTML report (private to cases/). */
#ifndef ISOCHECK_CASES_EVIDENCE_H
#define ISOCHECK_CASES_EVIDENCE_H

#include <stdlib.h>

#include "isocheck/case.h"
#include "isocheck/proc.h"

/*
 * Keep artifact processes.csv: @inside (as listed in the namespace whose inode is @pidns)
 * beside the host's view of that namespace and of @parent (iso_proc_evidence_csv). Call
 * while the namespace's processes still run. A table that cannot be made loses the
 * picture, not the verdict: the log says why.
 */
static inline void keep_processes(struct iso_t *t, const struct iso_proc *inside, size_t n,
                                  ino_t pidns, pid_t parent)
{
        struct iso_err e = {0};
        size_t len = 0;
        char *csv = iso_proc_evidence_csv(inside, n, pidns, parent, &len, &e);
        if (csv)
                (void)iso_artifact(t, "processes.csv", csv, len);
        else
                iso_log(t, "processes.csv: not kept: %s", e.msg);
        free(csv);
}

#endif
