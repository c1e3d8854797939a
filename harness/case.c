// SPDX-License-Identifier: MIT
/* What a case body calls: checks, skips, errors, log lines and artifacts. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/fault.h"
#include "isocheck/util.h"
#include "shared.h"

/* The repository-relative path a check is reported at ("cases/pidns.c"): the build compiles
 * from the top with -fmacro-prefix-map, so __FILE__ is already that; a leading "./" goes. */
static const char *repo_path(const char *file)
{
        while (file[0] == '.' && file[1] == '/')
                file += 2;
        return file;
}

int iso_check_at(struct iso_t *t, const char *file, int line, int ok, const char *what,
                 const char *expected, const char *got_fmt, ...)
{
        struct iso_shared *sh = t->sh;
        unsigned slot = __atomic_fetch_add(&sh->n_reserved, 1, __ATOMIC_SEQ_CST);
        if (slot >= ISO_MAX_CHECKS) {
                if (!ok)
                        __atomic_store_n(&sh->failed_unrecorded, 1, __ATOMIC_SEQ_CST);
                return ok;
        }
        struct iso_check_rec *r = &sh->checks[slot];
        r->ok = ok;
        r->line = line;
        snprintf(r->file, sizeof(r->file), "%s", repo_path(file));
        snprintf(r->what, sizeof(r->what), "%s", what ? what : "");
        snprintf(r->expected, sizeof(r->expected), "%s", expected ? expected : "");
        va_list ap;
        va_start(ap, got_fmt);
        vsnprintf(r->got, sizeof(r->got), got_fmt, ap);
        va_end(ap);
        __atomic_store_n(&sh->published[slot], 1, __ATOMIC_RELEASE);
        return ok;
}

void iso_check_skip_at(struct iso_t *t, const char *file, int line, const char *what,
                       const char *reason_fmt, ...)
{
        char reason[512];
        va_list ap;
        va_start(ap, reason_fmt);
        vsnprintf(reason, sizeof(reason), reason_fmt, ap);
        va_end(ap);
        struct iso_shared *sh = t->sh;
        unsigned slot = __atomic_fetch_add(&sh->n_reserved, 1, __ATOMIC_SEQ_CST);
        if (slot >= ISO_MAX_CHECKS)
                return;
        struct iso_check_rec *r = &sh->checks[slot];
        r->ok = 1;
        r->skipped = 1;
        r->line = line;
        iso_strlcpy(r->file, repo_path(file), sizeof(r->file));
        iso_strlcpy(r->what, what ? what : "", sizeof(r->what));
        iso_strlcpy(r->expected, "", sizeof(r->expected));
        iso_strlcpy(r->got, reason, sizeof(r->got));
        __atomic_store_n(&sh->published[slot], 1, __ATOMIC_RELEASE);
}

int iso_check_cmp_at(struct iso_t *t, const char *file, int line, const char *what, long long got,
                     const char *op, long long want)
{
        int ok;
        if (!strcmp(op, "=="))
                ok = got == want;
        else if (!strcmp(op, "!="))
                ok = got != want;
        else if (!strcmp(op, ">"))
                ok = got > want;
        else
                ok = 0;
        char expected[64];
        if (!strcmp(op, "=="))
                snprintf(expected, sizeof(expected), "%lld", want);
        else
                snprintf(expected, sizeof(expected), "%s %lld", op, want);
        return iso_check_at(t, file, line, ok, what, expected, "%lld", got);
}

static void log_append(struct iso_shared *sh, const char *s, size_t n)
{
        size_t at = __atomic_fetch_add(&sh->log_len, n, __ATOMIC_SEQ_CST);
        if (at >= ISO_LOG_SIZE - 1)
                return;
        if (n > ISO_LOG_SIZE - 1 - at)
                n = ISO_LOG_SIZE - 1 - at;
        memcpy(sh->log + at, s, n);
}

void iso_log(struct iso_t *t, const char *fmt, ...)
{
        char line[2048];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
                line[len++] = '\n';
        log_append(t->sh, line, len);
        /* The whole log, past the shared buffer's end; O_APPEND keeps forked writers' lines
         * whole. */
        if (t->log_fd >= 0)
                (void)iso_write_all(t->log_fd, line, len);
        /* Torn by a concurrent writer at worst: it only names the step in a timeout. */
        line[len - 1] = '\0';
        iso_strlcpy(t->sh->step, line, sizeof(t->sh->step));
}

static void record_end(struct iso_t *t, int kind, const char *file, int line, const char *fmt,
                       va_list ap) __attribute__((format(printf, 5, 0)));
static void record_end(struct iso_t *t, int kind, const char *file, int line, const char *fmt,
                       va_list ap)
{
        struct iso_shared *sh = t->sh;
        int expected = 0;
        if (__atomic_compare_exchange_n(&sh->end_kind, &expected, kind, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
                vsnprintf(sh->end_message, sizeof(sh->end_message), fmt, ap);
                snprintf(sh->end_where, sizeof(sh->end_where), "%s:%d", repo_path(file), line);
                __atomic_store_n(&sh->end_ready, 1, __ATOMIC_RELEASE);
        }
}

/* _exit, not exit: stdio buffers copied by fork must not be flushed twice. */
void iso_skip_at(struct iso_t *t, const char *file, int line, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        record_end(t, ISO_SKIP, file, line, fmt, ap);
        va_end(ap);
        fflush(stdout);
        _exit(0);
}

void iso_broken_at(struct iso_t *t, const char *file, int line, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        record_end(t, ISO_ERROR, file, line, fmt, ap);
        va_end(ap);
        fflush(stdout);
        _exit(0);
}

static int artifact_name_ok(struct iso_t *t, const char *name)
{
        if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
                iso_log(t, "artifact: refused name \"%s\" (a plain file name is expected)",
                        name ? name : "(null)");
                errno = EINVAL;
                return 0;
        }
        if (t->art_fd < 0) {
                /* A check that cannot be made, not a log line: the reports show it whatever
                 * the verdict and verbosity, so a lost artifact is never silent. */
                iso_check_skip(t, "keep the artifact", "%s not kept: %s", name, t->art_off);
                errno = EACCES;
                return 0;
        }
        return 1;
}

/* The runner lists, after the case, those registered names that exist. */
static void register_artifact(struct iso_t *t, const char *name)
{
        unsigned n = __atomic_load_n(&t->sh->n_artifacts, __ATOMIC_SEQ_CST);
        for (unsigned i = 0; i < n && i < ISO_MAX_ARTIFACTS; i++)
                if (!strcmp(t->sh->artifacts[i], name))
                        return;
        unsigned slot = __atomic_fetch_add(&t->sh->n_artifacts, 1, __ATOMIC_SEQ_CST);
        if (slot < ISO_MAX_ARTIFACTS)
                iso_strlcpy(t->sh->artifacts[slot], name, sizeof(t->sh->artifacts[slot]));
}

int iso_artifact(struct iso_t *t, const char *name, const void *data, size_t len)
{
        if (!artifact_name_ok(t, name))
                return -1;
        /* The directory is the run's own (made fresh, root's, mode 0700): whatever is there
         * under this name this case wrote before; replace it, never write through it. */
        struct iso_err e = {0};
        if (iso_fault("artifact.write.lost")) {
                /* As on a file system that refuses the write (the kernel's interfaces). */
                iso_errf(&e, EACCES, "create %s/%s", t->artifact_dir, name);
        } else if (unlinkat(t->art_fd, name, 0) < 0 && errno != ENOENT) {
                iso_errf(&e, errno, "unlink %s/%s", t->artifact_dir, name);
        } else if (iso_write_new_at(t->art_fd, name, t->artifact_dir, data, len, &e) == 0) {
                register_artifact(t, name);
                return 0;
        }
        iso_check_skip(t, "keep the artifact", "%s not kept: %s", name, e.msg);
        errno = e.errnum ? e.errnum : EIO;
        return -1;
}

int iso_artifact_path(struct iso_t *t, const char *name, char *path, size_t size)
{
        if (!artifact_name_ok(t, name))
                return -1;
        if (iso_pathf(path, size, "%s/%s", t->artifact_dir, name) < 0) {
                iso_log(t, "artifact: path %s/%s too long", t->artifact_dir, name);
                return -1;
        }
        register_artifact(t, name);
        return 0;
}

const char *iso_case_run_id(const struct iso_t *t)
{
        return t->run_id;
}

const struct iso_env *iso_case_env(const struct iso_t *t)
{
        return t->env;
}

const char *iso_case_scope(const struct iso_t *t)
{
        return t->scope;
}

const struct iso_case *iso_current_case(const struct iso_t *t)
{
        return t->c;
}

/* Does @glob match @c by its name, or else by its former name (noted in @note)? */
static int glob_matches(const struct iso_case *c, const char *glob, const char *opt, char *note,
                        size_t size)
{
        if (fnmatch(glob, c->name, 0) == 0)
                return 1;
        if (!c->former_name || fnmatch(glob, c->former_name, 0) != 0)
                return 0;
        if (note && size && !*note)
                snprintf(note, size,
                         "%s %s: %s is the former name of %s; it still works for now, but is "
                         "deprecated",
                         opt, glob, c->former_name, c->name);
        return 1;
}

int iso_case_selected(const struct iso_case *c, const char *const *filters, size_t n_filters,
                      const char *const *excludes, size_t n_excludes, char *note, size_t size)
{
        if (note && size)
                note[0] = '\0';
        int in = n_filters == 0;
        for (size_t i = 0; !in && i < n_filters; i++)
                in = glob_matches(c, filters[i], "--filter", note, size);
        for (size_t i = 0; in && i < n_excludes; i++)
                in = !glob_matches(c, excludes[i], "--exclude", note, size);
        return in;
}
