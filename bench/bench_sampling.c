// SPDX-License-Identifier: MIT
/*
 * What memory.csv costs an OOM case (issue 13: "the usage sampling adds under 10 % to an
 * OOM case's median"): the hog of cgroup.memory.oom_kill (3x a 32 MiB limit, a byte per
 * page) timed from its start to its reaping, waited for plainly and while sampled every
 * 2 ms as the case does, alternately, R times each, so both see the same machine load.
 */
#include "bench.h"

#include <sys/mman.h>

#include "isocheck/memcg.h"
#include "isocheck/memsample.h"

#define HOG_BYTES (3 * OOM_LIMIT)
#define SAMPLE_US 2000 /* cases/cgroup_memory.c SAMPLE_US */

static struct iso_stats sampling_plain, sampling_sampled;
static char sampling_reason[300];

static int hog(void *arg)
{
        (void)arg;
        unsigned char *p = mmap(NULL, (size_t)HOG_BYTES, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return 3;
        long page = sysconf(_SC_PAGESIZE);
        for (long long off = 0; off < HOG_BYTES; off += page)
                p[off] = 1;
        return 0;
}

/* One hog's life in @cg, seconds; NAN (and @e) when it was not OOM-killed. */
static double one(const struct iso_cg *cg, int sampled, struct iso_err *e)
{
        static struct iso_memsampler m;
        if (sampled && iso_memsampler_open(&m, cg, OOM_LIMIT, SAMPLE_US, e) < 0)
                return NAN;
        double t0 = iso_now();
        if (sampled)
                iso_memsampler_start(&m);
        pid_t pid = iso_cg_spawn(cg, hog, NULL, e);
        int status = 0;
        if (pid > 0) {
                if (sampled)
                        iso_memsampler_wait(&m, pid, 20.0, &status);
                else
                        waitpid(pid, &status, 0);
        }
        double dt = iso_now() - t0;
        if (sampled) {
                /* The case writes the CSV too: part of what sampling costs. */
                free(iso_memsampler_csv(&m, NULL));
                iso_memsampler_close(&m);
        }
        if (pid < 0)
                return NAN;
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
                iso_errf(e, 0, "the hog was not OOM-killed (wait status 0x%x)", status);
                return NAN;
        }
        return dt;
}

void measure_sampling(const struct opts *o, const struct iso_env *env)
{
        char reason[256];
        if (geteuid() != 0 || !env->memory_version) {
                snprintf(sampling_reason, sizeof(sampling_reason), "%s",
                         geteuid() ? "needs root" : "no memory controller mounted");
                return;
        }
        int policy = iso_memcg_swap_policy(env, reason, sizeof(reason));
        if (policy < 0) {
                snprintf(sampling_reason, sizeof(sampling_reason), "%s", reason);
                return;
        }
        struct iso_cg cg = {.version = env->memory_version};
        snprintf(cg.path, sizeof(cg.path), "%s/isocheck-bench-%d-sampling", env->memory_path,
                 (int)getpid());
        struct iso_err e = {0};
        if (iso_cg_create(cg.path, &e) < 0 ||
            iso_memcg_set_limit(&cg, OOM_LIMIT, policy == 1, &e) < 0) {
                iso_strlcpy(sampling_reason, e.msg, sizeof(sampling_reason));
                iso_cg_remove_tree(cg.path, 2.0, NULL);
                return;
        }
        int was_off = 0;
        iso_memcg_allow_oom_kill(&cg, &was_off, NULL);
        size_t n = o->runs;
        double *plain = calloc(n, sizeof(double)), *sampled = calloc(n, sizeof(double));
        for (size_t i = 0; plain && sampled && i < n && !stop_requested && !e.msg[0]; i++) {
                plain[i] = one(&cg, 0, &e);
                if (!e.msg[0])
                        sampled[i] = one(&cg, 1, &e);
        }
        if (e.msg[0])
                iso_strlcpy(sampling_reason, e.msg, sizeof(sampling_reason));
        else if (!plain || !sampled)
                snprintf(sampling_reason, sizeof(sampling_reason), "out of memory");
        else if (!stop_requested && (iso_stats_of(plain, n, &sampling_plain) < 0 ||
                                     iso_stats_of(sampled, n, &sampling_sampled) < 0))
                snprintf(sampling_reason, sizeof(sampling_reason), "no sample to take a median of");
        free(plain);
        free(sampled);
        iso_cg_remove_tree(cg.path, 2.0, NULL);
}

static double ratio(void)
{
        return sampling_plain.n && sampling_plain.median > 0
                       ? sampling_sampled.median / sampling_plain.median
                       : NAN;
}

void print_sampling(FILE *f)
{
        fprintf(f, "\n%-52s %9s %9s %9s\n", "OOM hog start to kill (ms, median of R)", "median",
                "min", "max");
        if (!sampling_plain.n) {
                fprintf(f, "  not measured: %s\n",
                        sampling_reason[0] ? sampling_reason : "skipped");
                return;
        }
        fprintf(f, "%-52s %9.3f %9.3f %9.3f\n", "waited for plainly", sampling_plain.median * 1000,
                sampling_plain.min * 1000, sampling_plain.max * 1000);
        fprintf(f, "%-52s %9.3f %9.3f %9.3f\n", "sampled every 2 ms (memory.csv)",
                sampling_sampled.median * 1000, sampling_sampled.min * 1000,
                sampling_sampled.max * 1000);
        fprintf(f, "  sampling costs %.3fx the plain median (target: under 1.10x)\n", ratio());
}

void json_sampling(struct iso_json *j)
{
        iso_json_object(j, "oom_sampling");
        iso_json_bool(j, "measured", sampling_plain.n > 0);
        if (sampling_plain.n) {
                iso_json_num(j, "plain_median_ms", sampling_plain.median * 1000);
                iso_json_num(j, "sampled_median_ms", sampling_sampled.median * 1000);
                iso_json_int(j, "n", (long long)sampling_plain.n);
                iso_json_num(j, "ratio", ratio());
                iso_json_num(j, "target_ratio", 1.10);
        } else {
                iso_json_str(j, "reason", sampling_reason[0] ? sampling_reason : "skipped");
        }
        iso_json_end(j);
}
