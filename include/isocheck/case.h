/* SPDX-License-Identifier: MIT */
/*
 * The case API. A case is one lab behaviour checked end to end, declared once with
 * ISO_CASE() and registered through the "iso_cases" linker section, so adding a case is
 * adding one function in one file under cases/.
 *
 *   ISO_CASE(pidns_init_pid1, "pidns.init.pid1",
 *            .summary   = "a child in a new PID namespace is PID 1 there",
 *            .lab_step  = "Exploring Namespaces: unshare --pid --fork",
 *            .needs     = { ISO_ROOT, ISO_NS("pid"), ISO_KCONFIG("CONFIG_PID_NS") },
 *            .timeout_s = 10)
 *   {
 *           iso_check_eq(t, getpid(), 1, "PID seen inside");
 *   }
 *
 * The body runs in a forked child of the runner (own process group, own tracking
 * cgroup, oom_score_adj 0). Checks are of the kselftest EXPECT kind: recorded, and the
 * body goes on. iso_skip() and iso_broken() end the case at once (LTP's TCONF / TBROK).
 * Everything recorded lives in memory shared with the runner, so it survives the case
 * being killed; processes the body forks may record checks too.
 */
#ifndef ISOCHECK_CASE_H
#define ISOCHECK_CASE_H

#include <stdarg.h>
#include <stddef.h>

#define ISO_MAX_NEEDS 12

enum iso_need_kind {
        ISO_NEED_END = 0,
        ISO_NEED_ROOT,        /* euid 0 (cgroupfs files are root's to write) */
        ISO_NEED_CAP,         /* arg: name ("CAP_SYS_ADMIN"); num: its number, in CapEff */
        ISO_NEED_NS,          /* arg: namespace type as in /proc/self/ns ("pid", "mnt") */
        ISO_NEED_KCONFIG,     /* arg: "CONFIG_PID_NS"; must be y or m (unknown passes) */
        ISO_NEED_TOOL,        /* arg: program name looked up on PATH */
        ISO_NEED_CGROUP_CTRL, /* arg: controller ("memory"); num: 0 any, 1 or 2 version */
        ISO_NEED_KMSG,        /* /dev/kmsg readable */
        ISO_NEED_DOCKER,      /* a Docker daemon answers `docker info` */
        ISO_NEED_RUNTIME, /* arg: a registered runtime's name (runtime.h); its probe says usable */
};

/* One requirement. Unmet => the case is skipped with a reason that names it. */
struct iso_need {
        enum iso_need_kind kind;
        const char *arg;
        int num;
};

/* clang-format off */
#define ISO_ROOT                        {ISO_NEED_ROOT, NULL, 0}
#define ISO_CAP(name, number)           {ISO_NEED_CAP, (name), (number)}
/* Namespaces, mounts and setns need it: a root that dropped it skips those cases. */
#define ISO_CAP_SYS_ADMIN               ISO_CAP("CAP_SYS_ADMIN", 21)
#define ISO_NS(type)                    {ISO_NEED_NS, (type), 0}
#define ISO_KCONFIG(sym)                {ISO_NEED_KCONFIG, (sym), 0}
#define ISO_TOOL(prog)                  {ISO_NEED_TOOL, (prog), 0}
#define ISO_CGROUP_CTRL(ctrl, version)  {ISO_NEED_CGROUP_CTRL, (ctrl), (version)}
#define ISO_KMSG                        {ISO_NEED_KMSG, NULL, 0}
#define ISO_DOCKER                      {ISO_NEED_DOCKER, NULL, 0}
#define ISO_RUNTIME_USABLE(name)        {ISO_NEED_RUNTIME, (name), 0}
/* clang-format on */

struct iso_t; /* the running case's handle, opaque to bodies */

struct iso_case {
        const char *name;     /* dotted "area.topic.behaviour" */
        const char *summary;  /* one line: the behaviour */
        const char *lab_step; /* the lab command or section it reproduces */
        const char *doc;      /* what it follows: man pages, kernel docs (under admin-guide/) */
        struct iso_need needs[ISO_MAX_NEEDS];
        unsigned timeout_s; /* 0 means ISO_DEFAULT_TIMEOUT_S */
        void (*run)(struct iso_t *t);
        const char *file;
        int line;
        /* The name the case had before a rename, or NULL: --filter and --exclude still
         * select it by that name for a while, with a note that it is deprecated. */
        const char *former_name;
        /* ISO_ALONE: no other case runs beside this one under -j (a case that reads or
         * changes machine-wide state); ISO_ALONE_IF_MEMORY_LIMITED: alone only when the
         * runner itself is under a memory limit (a container's), where its OOM may pick any
         * task below that limit, another case's or the runner. Say why at the case. */
        unsigned exclusive;
};

#define ISO_DEFAULT_TIMEOUT_S 30

/*
 * Is case @c selected by @filters (fnmatch(3) globs, any matches; none given: every case)
 * and not left out by @excludes? A glob matches the case's name or its former_name. When a
 * glob matched only the former name, @note (@size bytes) says so and names the new one
 * (the caller shows it: the old name is deprecated); otherwise @note is "". Returns 1 or 0.
 */
int iso_case_selected(const struct iso_case *c, const char *const *filters, size_t n_filters,
                      const char *const *excludes, size_t n_excludes, char *note, size_t size);
/* Values of struct iso_case's .exclusive (0: runs beside others under -j). */
#define ISO_ALONE 1
#define ISO_ALONE_IF_MEMORY_LIMITED 2

#define ISO_CASE(ident, dotted_name, ...)                                    \
        static void ident##_body(struct iso_t *t);                           \
        static const struct iso_case ident##_case = {.name = (dotted_name),  \
                                                     .run = ident##_body,    \
                                                     .file = __FILE__,       \
                                                     .line = __LINE__,       \
                                                     __VA_ARGS__};           \
        static const struct iso_case *const ident##_entry                    \
                __attribute__((used, section("iso_cases"))) = &ident##_case; \
        static void ident##_body(struct iso_t *t)

/*
 * Record one check. @ok: the outcome; @what: what was checked ("PID seen inside");
 * @expected and the printf-formatted got: shown on failure. Returns @ok so a body can
 * branch on it. Use the macros below, which add file:line.
 */
int iso_check_at(struct iso_t *t, const char *file, int line, int ok, const char *what,
                 const char *expected, const char *got_fmt, ...)
        __attribute__((format(printf, 7, 8)));

#define iso_check(t, cond, what, expected, ...) \
        iso_check_at((t), __FILE__, __LINE__, !!(cond), (what), (expected), __VA_ARGS__)

/*
 * Record a check that cannot be made here (e.g. /dev/kmsg unreadable) with the reason;
 * it shows as "ok N - what # SKIP reason" and does not change the verdict.
 */
void iso_check_skip_at(struct iso_t *t, const char *file, int line, const char *what,
                       const char *reason_fmt, ...) __attribute__((format(printf, 5, 6)));
#define iso_check_skip(t, what, ...) iso_check_skip_at((t), __FILE__, __LINE__, (what), __VA_ARGS__)

/* Integer comparisons; the values are printed as expected / got. */
int iso_check_cmp_at(struct iso_t *t, const char *file, int line, const char *what, long long got,
                     const char *op, long long want);
#define iso_check_eq(t, got, want, what) \
        iso_check_cmp_at((t), __FILE__, __LINE__, (what), (long long)(got), "==", (long long)(want))
#define iso_check_ne(t, got, want, what) \
        iso_check_cmp_at((t), __FILE__, __LINE__, (what), (long long)(got), "!=", (long long)(want))
#define iso_check_gt(t, got, want, what) \
        iso_check_cmp_at((t), __FILE__, __LINE__, (what), (long long)(got), ">", (long long)(want))

/*
 * End the case as skipped (a requirement found missing at run time); the reason names it.
 * Does not return: the calling process exits.
 */
void iso_skip_at(struct iso_t *t, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5), noreturn));
#define iso_skip(t, ...) iso_skip_at((t), __FILE__, __LINE__, __VA_ARGS__)

/*
 * End the case as an error: the environment broke it (a setup call that should work
 * failed). The message says what was expected and what happened. Does not return.
 */
void iso_broken_at(struct iso_t *t, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5), noreturn));
#define iso_broken(t, ...) iso_broken_at((t), __FILE__, __LINE__, __VA_ARGS__)

/* Append one line to the case log (JUnit <system-out>, `-v` output). */
void iso_log(struct iso_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Save @len bytes as artifact @name (a plain file name, no '/') in the case's artifact
 * directory: one the runner made fresh for this case (mode 0700, renamed to
 * <artifacts>/<case name>/ when the case ends). The file is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW under that directory's descriptor; saving @name again replaces
 * it. Returns 0, or -1 with errno set (EINVAL for a bad name, EACCES when the run keeps no
 * artifacts, or the errno of open/write); a failure is also logged.
 */
int iso_artifact(struct iso_t *t, const char *name, const void *data, size_t len);

struct iso_env;

/* The environment probe's answers, made once by the runner before the case was forked. */
const struct iso_env *iso_case_env(const struct iso_t *t);

/*
 * The case's own cgroup scope, "isocheck-<run>/<case name>", relative to any hierarchy's
 * root: cgroups a case makes go below it (iso_cg_make), and the runner removes it, and
 * reports anything left in it, after the case.
 */
const char *iso_case_scope(const struct iso_t *t);

/*
 * Register artifact @name (a plain file name) and give its path in @path (@size bytes), in
 * the case's fresh artifact directory (see iso_artifact), for a tool to write into (a
 * sidecar's pcap; the tool should create it with O_EXCL). The reports list it only if it
 * exists when the case ends. Returns 0, or -1 with errno set (EINVAL for a bad name,
 * EACCES when the run keeps no artifacts, ENAMETOOLONG).
 */
int iso_artifact_path(struct iso_t *t, const char *name, char *path, size_t size);

/* The run's id ("<pid>-<hex>"): what cgroups, interfaces and docker labels carry. */
const char *iso_case_run_id(const struct iso_t *t);

/* The running case's declaration (name, timeout...). */
const struct iso_case *iso_current_case(const struct iso_t *t);

#endif
