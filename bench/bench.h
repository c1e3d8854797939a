/* SPDX-License-Identifier: MIT */
/*
 * Private to `make bench` (bench/bench*.c): what its parts share. The parts: bench.c
 * (options, main), bench_floors.c, bench_runs.c, bench_stability.c, bench_output.c,
 * bench_sampling.c.
 */
#ifndef ISOCHECK_BENCH_BENCH_H
#define ISOCHECK_BENCH_BENCH_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/cgroup.h"
#include "isocheck/env.h"
#include "isocheck/report.h"
#include "isocheck/runner.h"
#include "isocheck/util.h"

#include "bench_jobs.h"
#include "floors.h"
#include "stats.h"
#include "vm.h"

#define OOM_LIMIT (32LL << 20) /* cases/cgroup_memory.c OOM_LIMIT: what the hog faults */
#define SUITE_TARGET_S 2.0     /* issue 7: the native host suite under 2 s */
#define CASE_TARGET_RATIO 2.0  /* every native case under 2x its floor */
#define VM_TARGET_RATIO 1.3    /* the VM target under 1.3x the bare boot */
#define MAX_CASES 256
#define COLD_GAP_S 0.06 /* idle long enough for the cgroup rwsem's rcu_sync to go idle */
#define REPORT_DIR "reports/bench"

/* Set by SIGINT/SIGTERM/SIGHUP: every loop of the bench stops at the next step. */
extern volatile sig_atomic_t stop_requested;

/* --- options ------------------------------------------------------------------------- */

struct opts {
        size_t runs;      /* R: BENCH_REPEAT, --runs */
        size_t stability; /* N: BENCH_STABILITY, --repeat; 0 skips the stability run */
        int vm;           /* BENCH_VM=1 */
        const char *vm_cmd;
        const char *json_path;
        const char *exclude; /* glob of cases left out: the docker runtime by default */
        int only_runtimes;   /* BENCH_ONLY=runtimes: the runtimes' floors alone */
        int only_report;     /* BENCH_ONLY=report: `isocheck report` alone (bench_report.c) */
        char isocheck[PATH_MAX];
        char true_path[PATH_MAX];
        char vminit_path[PATH_MAX];
};

/* --- floors ---------------------------------------------------------------------------- */

enum {
        F_FORK_EXEC,
        F_CGROUP,
        F_NS_PID,
        F_NS_MNT,
        F_NS_NET,
        F_NS_PIDMNT,
        F_NS_APP,
        F_FAULT,
        F_VETH,
        F_VM,
        F_CG_ATTACH,
        F_CASE_EMPTY,
        F_CASE_EMPTY_COLD,
        N_FLOORS
};

#define BIT(f) (1u << (f))

struct floor {
        const char *key;
        const char *label;
        struct iso_stats s;
        int measured;
        char reason[300]; /* why it was not measured */
};

extern struct floor floors[N_FLOORS];

/* What the VM floor found, for the VM suite run to boot the same kernel the same way. */
struct vm_found {
        int usable;
        char qemu[PATH_MAX], kernel[PATH_MAX];
        char accel[8];
        char why[300]; /* why that accelerator */
};
extern struct vm_found vm;

/* --- timed suite runs ----------------------------------------------------------------- */

struct suite_run {
        double wall_s;
        int status;                 /* wait status */
        long hwm_kib, rss_kib, fds; /* the runner at its exit stop; -1 unknown */
        long stops;                 /* signal-delivery stops ptrace added to the run */
        long n_cases;
        struct iso_bench_case *cases;
};

/* --- stability ------------------------------------------------------------------------ */

struct sample {
        long rss_kib;  /* VmRSS: what the kernel charges, allocator caches included */
        long heap_kib; /* mallinfo2: bytes malloc has handed out and not got back */
        long fds;
        long cgroups, cgroups_mine; /* cgroup directories at or below an isocheck* one */
        long ifaces;                /* iso* interfaces in this network namespace */
        long mounts;                /* mountinfo lines naming isocheck */
        long tmp_roots;             /* the runtimes' objects (their count op): native roots */
        long children;              /* processes still our children */
};

/* Verdict counts of one in-process run. */
struct verdicts {
        size_t n[4];
        /* cases that did not pass or skip in some run, with how often (names are static) */
        struct {
                const char *name;
                const char *last_message;
                unsigned count;
        } bad[MAX_CASES];
        size_t n_bad;
        char messages[MAX_CASES][200];
};

/*
 * How a series of samples is judged flat:
 *  EXACT   this bench's own objects and descriptors: never above the count before the
 *          first run, at any sample;
 *  SETTLE  memory: may grow while the allocator settles in the first half of the runs,
 *          then grows by at most 1 MiB over the second half;
 *  SHARED  objects other sessions on this machine may be making at the same moment
 *          (their names cannot be told from ours): back to the count before the first run
 *          at the end, whatever the peaks between.
 */
enum flat_rule { EXACT, SETTLE, SHARED };
extern const char *const rule_short[];
extern const char *const rule_name[];

struct series {
        const char *key;
        size_t off; /* of the field in struct sample */
        enum flat_rule rule;
        long base, first, mid, last, max; /* before run 1, after 1, after n/2, after n */
        long settled; /* SHARED: after other sessions' runs were given time to end */
        int flat;     /* 1 yes, 0 no, -1 cannot tell (another isocheck run was active) */
};

#define FIELD(sample, off) (*(const long *)((const char *)(sample) + (off)))

/* --- report ---------------------------------------------------------------------------- */

struct case_row {
        char name[192];
        struct iso_stats s;
        const char *verdict; /* "pass"... or "mixed" across runs */
        unsigned parts;
        char floor_desc[128];
        double floor_s, ratio;
        double adj_ratio; /* against floor + the runner's cold empty case */
        int met;
};

struct bench {
        struct opts o;
        struct iso_env env;
        struct suite_run *runs;
        size_t n_runs;
        struct iso_stats wall, hwm, fds, stops;
        struct iso_stats cases_sum; /* per run: the sum of its case times */
        struct iso_stats own;       /* per run: wall time minus that sum, the runner's own */
        struct iso_stats env_probe; /* `isocheck --env` wall time: the runner's start-up */
        struct case_row *rows;
        size_t n_rows;
        double sum_medians;
        size_t stab_runs; /* how many in-process runs were done */
        struct sample *samples;
        struct verdicts stab_verdicts;
        double stab_wall_s;
        struct series series[12];
        size_t n_series;
        int stab_flat;
        struct iso_stats vm_cmd;
        char vm_cmd_reason[200];
        char vm_cmd_desc[1024];
        struct jobs_bench jobs; /* bench_jobs.c: the native suite by -j */
        char load_before[64], load_after[64];
        char error[512];
};

/* bench_floors.c: every floor, timed o->runs times or skipped with the reason. */
void measure_floors(const struct opts *o, const struct iso_env *env);
/* The floors case @name is compared with (BIT(F_...) set), 0 for none. */
unsigned floor_parts(const char *name);
/* Sum of the medians of @parts, NAN if one is missing; its name in @desc ("a+b"). */
double floor_sum(unsigned parts, char *desc, size_t size);
/* Remove any isocheck-bench-<pid>-* cgroup a floor left, in every hierarchy. */
void cleanup_cgroups(const struct iso_env *env);

/* bench_rtfloors.c: each registered runtime's floor, run + ready + remove of the app
 * through the runtime interface. */
#define MAX_RT_FLOORS 8
struct rt_floor {
        char runtime[32]; /* the runtime's name */
        char suffix[40];  /* its variants' suffix ("" for native) */
        char key[48];     /* "rt_<name>" */
        char label[96];
        struct floor f; /* key and label point at the above */
};
extern struct rt_floor rt_floors[MAX_RT_FLOORS];
extern size_t n_rt_floors;
/* Time every runtime o->runs times (after a warm-up), or say why not. */
void measure_runtime_floors(const struct opts *o, const struct iso_env *env);
/* One more sample of runtime @name's floor (after its own warm-up start), into *@t: 0, or
 * -1 with @e. For floors taken between the runs they are compared with. */
int measure_runtime_once(const char *name, const struct iso_env *env, double *t, struct iso_err *e);
/* The floor of the runtime whose variant case @case_name is, or NULL (native, plain). */
const struct rt_floor *runtime_floor_of(const char *case_name);
/* The runtimes' floors and their cases' ratios: as a table to @f, as "runtime_floors". */
void print_runtime_floors(const struct bench *b, FILE *f);
void json_runtime_floors(struct iso_json *j, const struct bench *b);

/* bench_speed.c: issue 14's ratios (runtime cases / floor, one case / pidns01). */
void speed_runs(const struct opts *o, const struct iso_env *env);
void print_speed(FILE *f);
void json_speed(struct iso_json *j);
/* bench_vmjobs.c (BENCH_VM=1): isocheck-vm --jobs 2 against --jobs 1, both modes. */
void vm_jobs(const struct bench *b);
void vm_jobs_print(FILE *f);
void vm_jobs_json(struct iso_json *j);

/* bench_runs.c */
void timed_runs(struct bench *b);
void vm_suite(struct bench *b);
/* "exit 0", "signal 9"... for wait status @st, in @buf. */
const char *status_text(int st, char *buf, size_t size);
/* The number after @key ("VmHWM:") in a /proc/<pid>/status text, -1 if absent. */
long status_kib(const char *status, const char *key);
/* Open descriptors of @pid (/proc/<pid>/fd entries), -1 if unreadable. */
long count_fds(pid_t pid);

/* bench_stability.c; it alone reads the native runtime's root names under /tmp. */
void stability(struct bench *b);

/* bench_sampling.c: the OOM hog timed plainly and sampled as memory.csv samples it. */
void measure_sampling(const struct opts *o, const struct iso_env *env);
void print_sampling(FILE *f);
void json_sampling(struct iso_json *j);
/* Remove the empty app roots a stopped in-process case left under /tmp. */
void cleanup_runtime_objects(void);

/* bench_report.c: `isocheck report` over 12 configurations x 30 cases (issue 13). */
void report_bench(const struct opts *o);
void print_report_bench(FILE *f);
void json_report_bench(struct iso_json *j);
/* bench_html.c: the report page with its evidence, 12 configurations x 30 cases (issue 13). */
void html_bench(const struct opts *o);
void print_html_bench(FILE *f);
void json_html_bench(struct iso_json *j);

/* bench_output.c */
void print_table(const struct bench *b, FILE *f);
/* reports/bench.json written atomically at @path. */
int save_json(const struct bench *b, const char *path, struct iso_err *e);

#endif
