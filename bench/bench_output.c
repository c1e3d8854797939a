// SPDX-License-Identifier: MIT
/*
 * `make bench`, the output: the table on stdout and reports/bench.json.
 */
#include "bench.h"

static void print_ms(FILE *f, double s)
{
        if (isfinite(s))
                fprintf(f, " %9.2f", s * 1000);
        else
                fprintf(f, " %9s", "-");
}

void print_table(const struct bench *b, FILE *f)
{
        struct utsname u;
        uname(&u);
        fprintf(f, "\nisocheck bench: kernel %s, %ld CPUs, cgroup %s (memory v%d), R=%zu\n",
                u.release, sysconf(_SC_NPROCESSORS_ONLN), iso_cg_mode_name(b->env.cg_mode),
                b->env.memory_version, b->o.runs);
        fprintf(f, "load average before: %s  after: %s\n\n", b->load_before, b->load_after);

        fprintf(f, "%-46s %9s %9s %9s\n", "floor (ms, median of R)", "median", "min", "max");
        for (int i = 0; i < N_FLOORS; i++) {
                const struct floor *fl = &floors[i];
                fprintf(f, "%-12s %-33.33s", fl->key, fl->label);
                if (fl->measured) {
                        print_ms(f, fl->s.median);
                        print_ms(f, fl->s.min);
                        print_ms(f, fl->s.max);
                        fputc('\n', f);
                } else {
                        fprintf(f, " skipped: %s\n", fl->reason);
                }
        }

        fprintf(f, "\n%-30s %-7s %8s %8s %8s %8s %7s %7s  %s\n", "case (JUnit time, ms)", "verdict",
                "median", "min", "max", "floor", "ratio", "+runner", "floor parts: < 2x?");
        for (size_t i = 0; i < b->n_rows; i++) {
                const struct case_row *r = &b->rows[i];
                fprintf(f, "%-30s %-7s %8.2f %8.2f %8.2f %8.2f", r->name, r->verdict,
                        r->s.median * 1000, r->s.min * 1000, r->s.max * 1000, r->floor_s * 1000);
                if (isfinite(r->ratio) && strcmp(r->verdict, "skip") != 0)
                        fprintf(f, " %6.1fx %6.1fx  %s: %s\n", r->ratio, r->adj_ratio,
                                r->floor_desc, r->met ? "met" : "MISSED");
                else
                        fprintf(f, " %7s %7s  %s\n", "-", "-", r->floor_desc);
        }
        fprintf(f, "(+runner: the median against floor + case_cold, what the runner adds to any "
                   "case; times are the JUnit report's, to the millisecond)\n");
        print_runtime_floors(b, f);
        print_report_bench(f);
        print_sampling(f);
        print_html_bench(f);
        print_speed(f);
        jobs_bench_print(&b->jobs, f);

        fprintf(f, "\nsuite on the host, native runtime (%zu runs after a warm-up):\n", b->n_runs);
        if (b->wall.n) {
                fprintf(f, "  wall      median %.3f s  min %.3f  max %.3f   target < %.1f s: %s\n",
                        b->wall.median, b->wall.min, b->wall.max, SUITE_TARGET_S,
                        b->wall.median < SUITE_TARGET_S ? "met" : "MISSED");
                fprintf(f,
                        "  per run   cases %.3f s + the runner's own %.3f s (medians; its start-up "
                        "alone, isocheck --env: %.3f s); sum of case medians %.3f s\n",
                        b->cases_sum.median, b->own.median, b->env_probe.median, b->sum_medians);
                if (b->hwm.n)
                        fprintf(f,
                                "  runner    peak RSS (VmHWM) median %.0f KiB, max %.0f KiB; "
                                "fds at exit %.0f..%.0f; ptrace stops %.0f\n",
                                b->hwm.median, b->hwm.max, b->fds.min, b->fds.max, b->stops.median);
        } else {
                fprintf(f, "  not measured: %s\n", b->error);
        }
        if (b->o.vm && b->vm_cmd.n)
                fprintf(f,
                        "\nVM target (%s, %s): suite median %.2f s (min %.2f, max %.2f) = %.2fx "
                        "the bare boot; target < %.1fx: %s\n",
                        vm.accel, vm.kernel, b->vm_cmd.median, b->vm_cmd.min, b->vm_cmd.max,
                        b->vm_cmd.median / floors[F_VM].s.median, VM_TARGET_RATIO,
                        b->vm_cmd.median / floors[F_VM].s.median < VM_TARGET_RATIO ? "met"
                                                                                   : "MISSED");
        else if (b->o.vm)
                fprintf(f, "\nVM target: not measured: %s\n",
                        *b->vm_cmd_reason ? b->vm_cmd_reason : floors[F_VM].reason);
        vm_jobs_print(f);

        if (b->stab_runs) {
                fprintf(f,
                        "\nstability: the suite %zu times in one process (%.1f s; "
                        "pass %zu fail %zu skip %zu error %zu)\n",
                        b->stab_runs, b->stab_wall_s, b->stab_verdicts.n[ISO_PASS],
                        b->stab_verdicts.n[ISO_FAIL], b->stab_verdicts.n[ISO_SKIP],
                        b->stab_verdicts.n[ISO_ERROR]);
                fprintf(f, "  %-22s %8s %8s %8s %8s %8s  %s\n", "sample", "before", "first",
                        "middle", "last", "max", "flat");
                for (size_t i = 0; i < b->n_series; i++) {
                        const struct series *s = &b->series[i];
                        fprintf(f, "  %-22s %8ld %8ld %8ld %8ld %8ld  %s (%s)\n", s->key, s->base,
                                s->first, s->mid, s->last, s->max,
                                s->flat > 0    ? "yes"
                                : s->flat == 0 ? "NO"
                                               : "unknown",
                                rule_short[s->rule]);
                }
                for (size_t i = 0; i < b->stab_verdicts.n_bad; i++)
                        fprintf(f, "  not passed in %u of %zu runs: %s (last: %.120s)\n",
                                b->stab_verdicts.bad[i].count, b->stab_runs,
                                b->stab_verdicts.bad[i].name, b->stab_verdicts.bad[i].last_message);
                fprintf(f, "  flat when: exact = %s; settle = %s; shared = %s\n", rule_name[EXACT],
                        rule_name[SETTLE], rule_name[SHARED]);
        }
        fputc('\n', f);
}

static void json_series(struct iso_json *j, const struct series *s, const struct sample *samples,
                        size_t n)
{
        iso_json_object(j, s->key);
        iso_json_int(j, "before", s->base);
        iso_json_int(j, "first", s->first);
        iso_json_int(j, "middle", s->mid);
        iso_json_int(j, "last", s->last);
        iso_json_int(j, "max", s->max);
        if (s->rule == SHARED)
                iso_json_int(j, "settled", s->settled);
        if (s->flat < 0)
                iso_json_null(j, "flat");
        else
                iso_json_bool(j, "flat", s->flat);
        iso_json_str(j, "rule", rule_name[s->rule]);
        iso_json_array(j, "samples"); /* before run 1, then after each run */
        for (size_t i = 0; i <= n; i++)
                iso_json_int(j, NULL, FIELD(&samples[i], s->off));
        iso_json_end(j);
        iso_json_end(j);
}

static void write_json(const struct bench *b, FILE *out, struct iso_json *j)
{
        struct utsname u;
        uname(&u);
        iso_json_init(j, out, 1);
        iso_json_object(j, NULL);
        iso_json_str(j, "schema", "isocheck-bench/1");
        iso_json_str(j, "units", "times in ms unless the key ends in _s; memory in KiB");
        iso_json_bool(j, "interrupted", stop_requested);
        if (*b->error)
                iso_json_str(j, "error", b->error);

        iso_json_object(j, "host");
        iso_json_str(j, "kernel", u.release);
        iso_json_str(j, "machine", u.machine);
        iso_json_str(j, "hostname", b->env.hostname);
        iso_json_int(j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
        iso_json_str(j, "cgroup_mode", iso_cg_mode_name(b->env.cg_mode));
        iso_json_int(j, "memory_cgroup_version", b->env.memory_version);
        iso_json_str(j, "loadavg_before", b->load_before);
        iso_json_str(j, "loadavg_after", b->load_after);
        iso_json_end(j);

        iso_json_object(j, "settings");
        iso_json_int(j, "repeat", (long long)b->o.runs);
        iso_json_int(j, "stability_runs", (long long)b->o.stability);
        iso_json_bool(j, "vm", b->o.vm);
        iso_json_str(j, "exclude", b->o.exclude);
        iso_json_str(j, "isocheck", b->o.isocheck);
        iso_json_str(j, "case_time",
                     "JUnit time attribute of each timed run: the runner's "
                     "clock from forking the case to reaping it");
        iso_json_str(j, "rss", "VmHWM of the runner process at its ptrace exit stop");
        iso_json_end(j);

        iso_json_object(j, "floors");
        for (int i = 0; i < N_FLOORS; i++) {
                const struct floor *fl = &floors[i];
                iso_json_object(j, fl->key);
                iso_json_str(j, "what", fl->label);
                iso_json_bool(j, "measured", fl->measured);
                if (fl->measured) {
                        iso_json_num(j, "median", fl->s.median * 1000);
                        iso_json_num(j, "min", fl->s.min * 1000);
                        iso_json_num(j, "max", fl->s.max * 1000);
                        iso_json_int(j, "n", (long long)fl->s.n);
                } else {
                        iso_json_str(j, "reason", fl->reason);
                }
                if (i == F_FAULT)
                        iso_json_int(j, "bytes", OOM_LIMIT);
                iso_json_end(j);
        }
        iso_json_end(j);
        json_runtime_floors(j, b);
        json_report_bench(j);
        json_sampling(j);
        json_html_bench(j);
        json_speed(j);
        jobs_bench_json(j, &b->jobs);

        iso_json_array(j, "cases");
        for (size_t i = 0; i < b->n_rows; i++) {
                const struct case_row *r = &b->rows[i];
                int skipped = strcmp(r->verdict, "skip") == 0;
                iso_json_object(j, NULL);
                iso_json_str(j, "name", r->name);
                iso_json_str(j, "verdict", r->verdict);
                iso_json_num(j, "median", r->s.median * 1000);
                iso_json_num(j, "min", r->s.min * 1000);
                iso_json_num(j, "max", r->s.max * 1000);
                iso_json_int(j, "n", (long long)r->s.n);
                iso_json_str(j, "floor", r->floor_desc);
                iso_json_num(j, "floor_ms", r->floor_s * 1000);
                iso_json_num(j, "ratio", skipped ? NAN : r->ratio);
                iso_json_num(j, "ratio_with_runner", skipped ? NAN : r->adj_ratio);
                if (skipped)
                        iso_json_null(j, "under_2x");
                else
                        iso_json_bool(j, "under_2x", r->met);
                iso_json_end(j);
        }
        iso_json_end(j);

        iso_json_object(j, "suite");
        iso_json_str(j, "target", "host");
        iso_json_str(j, "runtime", "native");
        iso_json_num(j, "median_s", b->wall.median);
        iso_json_num(j, "min_s", b->wall.min);
        iso_json_num(j, "max_s", b->wall.max);
        iso_json_int(j, "n", (long long)b->wall.n);
        iso_json_num(j, "sum_of_case_medians_s", b->sum_medians);
        iso_json_stats(j, "cases_sum_s", &b->cases_sum, 1);
        iso_json_stats(j, "runner_own_s", &b->own, 1);
        iso_json_num(j, "startup_env_probe_s", b->env_probe.median);
        iso_json_stats(j, "runner_peak_rss_kib", &b->hwm, 1);
        iso_json_stats(j, "runner_fds_at_exit", &b->fds, 1);
        iso_json_stats(j, "ptrace_signal_stops", &b->stops, 1);
        iso_json_array(j, "exit_status");
        for (size_t i = 0; i < b->n_runs; i++) {
                char buf[32];
                iso_json_str(j, NULL, status_text(b->runs[i].status, buf, sizeof(buf)));
        }
        iso_json_end(j);
        iso_json_end(j);

        iso_json_object(j, "vm");
        if (!b->o.vm) {
                iso_json_str(j, "skipped", "BENCH_VM is not 1");
        } else {
                iso_json_str(j, "kernel", vm.kernel);
                iso_json_str(j, "accel", vm.accel);
                iso_json_str(j, "accel_why", vm.why);
                iso_json_str(j, "command", b->vm_cmd_desc);
                if (b->vm_cmd.n && floors[F_VM].measured) {
                        iso_json_stats(j, "suite_s", &b->vm_cmd, 1);
                        iso_json_num(j, "ratio_to_boot", b->vm_cmd.median / floors[F_VM].s.median);
                } else {
                        iso_json_str(j, "skipped",
                                     *b->vm_cmd_reason ? b->vm_cmd_reason : floors[F_VM].reason);
                }
        }
        iso_json_end(j);
        vm_jobs_json(j);

        iso_json_object(j, "stability");
        iso_json_int(j, "runs", (long long)b->stab_runs);
        iso_json_str(j, "how",
                     "the suite run repeatedly inside one long-lived process; "
                     "samples taken before the first run and after each");
        iso_json_num(j, "wall_s", b->stab_wall_s);
        iso_json_object(j, "verdicts");
        for (int v = 0; v < 4; v++)
                iso_json_int(j, iso_verdict_name((enum iso_verdict)v),
                             (long long)b->stab_verdicts.n[v]);
        iso_json_end(j);
        iso_json_object(j, "series");
        for (size_t i = 0; i < b->n_series; i++)
                json_series(j, &b->series[i], b->samples, b->stab_runs);
        iso_json_end(j);
        iso_json_array(j, "not_passed"); /* fail or error in some run: flakiness, not leaks */
        for (size_t i = 0; i < b->stab_verdicts.n_bad; i++) {
                iso_json_object(j, NULL);
                iso_json_str(j, "case", b->stab_verdicts.bad[i].name);
                iso_json_int(j, "runs", b->stab_verdicts.bad[i].count);
                iso_json_str(j, "last_message", b->stab_verdicts.bad[i].last_message);
                iso_json_end(j);
        }
        iso_json_end(j);
        iso_json_bool(j, "flat", b->stab_flat);
        iso_json_end(j);

        iso_json_object(j, "targets");
        iso_json_bool(j, "suite_under_2s", b->wall.n && b->wall.median < SUITE_TARGET_S);
        iso_json_array(j, "cases_missing_2x");
        for (size_t i = 0; i < b->n_rows; i++)
                if (!b->rows[i].met && strcmp(b->rows[i].verdict, "skip") != 0)
                        iso_json_str(j, NULL, b->rows[i].name);
        iso_json_end(j);
        if (b->vm_cmd.n && floors[F_VM].measured)
                iso_json_bool(j, "vm_under_1.3x_boot",
                              b->vm_cmd.median / floors[F_VM].s.median < VM_TARGET_RATIO);
        else
                iso_json_null(j, "vm_under_1.3x_boot");
        if (b->stab_runs)
                iso_json_bool(j, "stability_flat", b->stab_flat);
        else
                iso_json_null(j, "stability_flat");
        iso_json_end(j);

        iso_json_end(j);
}

int save_json(const struct bench *b, const char *path, struct iso_err *e)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (!mem)
                return iso_errf(e, errno, "open_memstream");
        struct iso_json j;
        write_json(b, mem, &j);
        int bad = iso_json_finish(&j) < 0;
        if (fclose(mem) != 0 || bad) {
                free(buf);
                return iso_errf(e, EIO, "build the JSON report");
        }
        char dir[PATH_MAX];
        iso_strlcpy(dir, path, sizeof(dir));
        char *slash = strrchr(dir, '/');
        int rc = 0;
        if (slash) {
                *slash = '\0';
                rc = iso_mkdir_p(dir, e);
        }
        if (rc == 0)
                rc = iso_write_atomic(path, buf, len, e);
        free(buf);
        return rc;
}
