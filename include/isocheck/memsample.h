/* SPDX-License-Identifier: MIT */
/*
 * Memory usage of a cgroup sampled while a process climbs towards its limit: the evidence
 * an OOM case keeps as artifact memory.csv ("t_s,usage_bytes,limit_bytes,oom_kill"), drawn
 * by the HTML report as the climb up to the kill. Usage is v2 memory.current or v1
 * memory.usage_in_bytes; oom_kill is the counter of v2 memory.events or v1
 * memory.oom_control (cgroup-v2.rst "Memory Interface Files", cgroup-v1/memory.rst 5.2).
 * Both files stay open and are read with pread(2), so one sample costs two small reads.
 */
#ifndef ISOCHECK_MEMSAMPLE_H
#define ISOCHECK_MEMSAMPLE_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/cgroup.h"

/* One sample; -1 for a value that could not be read. */
struct iso_memsample {
        double t_s;         /* seconds since iso_memsampler_start */
        long long usage;    /* bytes */
        long long oom_kill; /* the cgroup's oom_kill counter at that moment */
};

/* At most this many samples are kept: when full, every other one is dropped and the
 * interval doubles, so a long climb is still seen whole, at a coarser rate. */
#define ISO_MEMSAMPLE_MAX 2048

struct iso_memsampler {
        int usage_fd, events_fd; /* -1 when not open */
        int version;             /* 1 or 2: which key holds oom_kill */
        long long limit;         /* bytes, written as limit_bytes; -1 unlimited */
        double t0;
        unsigned interval_us;
        size_t n;
        struct iso_memsample s[ISO_MEMSAMPLE_MAX];
};

/*
 * Open @cg's usage and events files for sampling; @limit (bytes, -1 unlimited) is what the
 * CSV's limit_bytes column says; @interval_us between samples (at least 500). The clock
 * starts at iso_memsampler_start. Returns 0, or -1 with @e naming the file that would not
 * open (the sampler is then closed and usable: iso_memsampler_take does nothing).
 */
int iso_memsampler_open(struct iso_memsampler *m, const struct iso_cg *cg, long long limit,
                        unsigned interval_us, struct iso_err *e);

/* Start the clock (t_s 0): call when the process being watched starts to allocate. */
void iso_memsampler_start(struct iso_memsampler *m);

/* Take one sample now (nothing when closed). */
void iso_memsampler_take(struct iso_memsampler *m);

/*
 * Wait for child @pid to end, sampling every interval: a pidfd (pidfd_open(2), Linux >= 5.3)
 * wakes the wait at the child's exit, not a sleep later; without one, waitpid(WNOHANG)
 * between sleeps. Sampling stops after @max_s seconds, then the wait blocks (the case's
 * timeout bounds it). One last sample is taken after the exit, so the kill's count is in.
 * Returns waitpid's result with the status in *@status.
 */
pid_t iso_memsampler_wait(struct iso_memsampler *m, pid_t pid, double max_s, int *status);

/*
 * The samples as CSV text: header "t_s,usage_bytes,limit_bytes,oom_kill", one row per
 * sample, seconds with 6 decimals (built from integers: no locale changes it),
 * an unknown value as an empty field. Returns a malloc'd string (*@len bytes) or NULL.
 */
char *iso_memsampler_csv(const struct iso_memsampler *m, size_t *len);

/* Close the files (twice is harmless). */
void iso_memsampler_close(struct iso_memsampler *m);

#endif
