// SPDX-License-Identifier: MIT
/*
 * `isocheck-vm --jobs` (issue 14): both cgroup modes of the VM floor's kernel booted one
 * at a time (--jobs 1) and at once (--jobs 2), in the same bench run, alternating which
 * goes first so a drift of the machine's load falls on both. The guest runs the PID
 * namespace cases only, so the boots are what is compared. Reported as the ratio of the
 * medians (--jobs 2 / --jobs 1), never asserted. Only with BENCH_VM=1.
 */
#include "bench.h"
#include "isocheck/tool.h"

#define VMJOBS_RUNS 2 /* each way; BENCH_VMJOBS_RUNS overrides (1..20) */

static struct {
        int measured;
        char reason[300];
        struct iso_stats serial, parallel; /* wall seconds */
        size_t runs;
        char cmd[1024];
} vj;

/* One isocheck-vm run with --jobs @jobs: its wall time, or NAN (why in @why). */
static double run_once(const char *vm_bin, unsigned jobs, char *why, size_t why_size)
{
        char j[16], out_dir[64];
        static char out[8192];
        struct iso_err e = {0};
        int timed_out = 0;

        snprintf(j, sizeof(j), "%u", jobs);
        snprintf(out_dir, sizeof(out_dir), REPORT_DIR "/vmjobs-%u", jobs);
        char *argv[] = {(char *)vm_bin, "--jobs", j,          "--kernel", vm.kernel,
                        "--accel",      vm.accel, "--cgroup", "both",     "--output",
                        out_dir,        "--",     "--filter", "pidns.*",  NULL};

        if (!vj.cmd[0])
                for (size_t k = 0; argv[k]; k++)
                        iso_appendf(vj.cmd, sizeof(vj.cmd), "%s%s", k ? " " : "",
                                    k == 2    ? "N"
                                    : k == 10 ? REPORT_DIR "/vmjobs-N"
                                              : argv[k]);
        double t0 = iso_now();
        int st = iso_tool_run(argv, NULL, out, sizeof(out), 1800.0, &timed_out, &e);
        double wall = iso_now() - t0;

        if (st < 0) {
                snprintf(why, why_size, "isocheck-vm did not start: %.200s", e.msg);
                return NAN;
        }
        if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                char buf[32];

                snprintf(why, why_size, "isocheck-vm --jobs %u: %s%s (see %s)", jobs,
                         status_text(st, buf, sizeof(buf)), timed_out ? ", timed out" : "",
                         out_dir);
                return NAN;
        }
        return wall;
}

void vm_jobs(const struct bench *b)
{
        char vm_bin[PATH_MAX + 8], why[300] = "";
        const char *v = getenv("BENCH_VMJOBS_RUNS");
        size_t n = VMJOBS_RUNS;

        if (!b->o.vm) {
                snprintf(vj.reason, sizeof(vj.reason), "BENCH_VM is not 1");
                return;
        }
        if (!vm.usable) {
                snprintf(vj.reason, sizeof(vj.reason), "no VM to boot: %.200s",
                         floors[F_VM].reason);
                return;
        }
        if (v && *v) {
                char *end;
                unsigned long r = strtoul(v, &end, 10);

                if (*end || r < 1 || r > 20) {
                        snprintf(vj.reason, sizeof(vj.reason),
                                 "BENCH_VMJOBS_RUNS=%.20s is not a count in 1..20", v);
                        return;
                }
                n = r;
        }
        snprintf(vm_bin, sizeof(vm_bin), "%s-vm", b->o.isocheck);
        double *t1 = calloc(n, sizeof(*t1)), *t2 = calloc(n, sizeof(*t2));

        if (!t1 || !t2) {
                free(t1);
                free(t2);
                return;
        }
        for (size_t i = 0; i < n && !stop_requested; i++) {
                /* Alternate the order: serial first, then parallel first. */
                for (int k = 0; k < 2 && !stop_requested; k++) {
                        unsigned jobs = (i + (size_t)k) % 2 ? 2 : 1;
                        double w = run_once(vm_bin, jobs, why, sizeof(why));

                        (jobs == 1 ? t1 : t2)[i] = w;
                        fprintf(stderr, "bench: isocheck-vm --jobs %u, run %zu/%zu: %.1f s%s\n",
                                jobs, i + 1, n, w, isnan(w) ? " (failed: not counted)" : "");
                }
        }
        vj.runs = n;
        if (iso_stats_of(t1, n, &vj.serial) < 0 || iso_stats_of(t2, n, &vj.parallel) < 0)
                snprintf(vj.reason, sizeof(vj.reason), "%s",
                         why[0] ? why : "interrupted before both ways were measured");
        else
                vj.measured = 1;
        free(t1);
        free(t2);
}

void vm_jobs_print(FILE *f)
{
        if (!vj.measured) {
                if (vj.reason[0] && strcmp(vj.reason, "BENCH_VM is not 1"))
                        fprintf(f, "\nisocheck-vm --jobs: not measured: %s\n", vj.reason);
                return;
        }
        fprintf(f,
                "\nisocheck-vm --jobs (v1 + v2, guest suite pidns.*, %zu runs each, %ld online "
                "CPUs):\n  --jobs 1 median %.1f s (min %.1f, max %.1f); --jobs 2 median %.1f s "
                "(min %.1f, max %.1f): ratio %.2f\n",
                vj.runs, sysconf(_SC_NPROCESSORS_ONLN), vj.serial.median, vj.serial.min,
                vj.serial.max, vj.parallel.median, vj.parallel.min, vj.parallel.max,
                vj.parallel.median / vj.serial.median);
}

void vm_jobs_json(struct iso_json *j)
{
        iso_json_object(j, "vm_jobs");
        if (!vj.measured) {
                iso_json_str(j, "skipped", vj.reason[0] ? vj.reason : "not run");
        } else {
                iso_json_str(j, "command", vj.cmd);
                iso_json_int(j, "online_cpus", sysconf(_SC_NPROCESSORS_ONLN));
                iso_json_stats(j, "jobs1_s", &vj.serial, 1);
                iso_json_stats(j, "jobs2_s", &vj.parallel, 1);
                iso_json_num(j, "ratio_jobs2_to_jobs1", vj.parallel.median / vj.serial.median);
        }
        iso_json_end(j);
}
