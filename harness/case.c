// SPDX-License-Identifier: MIT
/* What a case body calls: checks, skips, errors, log lines and artifacts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/util.h"
#include "shared.h"

static const char *base_name(const char *file)
{
        const char *s = strrchr(file, '/');
        return s ? s + 1 : file;
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
        snprintf(r->file, sizeof(r->file), "%s", base_name(file));
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
        iso_strlcpy(r->file, base_name(file), sizeof(r->file));
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
}

static void record_end(struct iso_t *t, int kind, const char *file, int line, const char *fmt,
                       va_list ap)
{
        struct iso_shared *sh = t->sh;
        int expected = 0;
        if (__atomic_compare_exchange_n(&sh->end_kind, &expected, kind, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
                vsnprintf(sh->end_message, sizeof(sh->end_message), fmt, ap);
                snprintf(sh->end_where, sizeof(sh->end_where), "%s:%d", base_name(file), line);
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

int iso_artifact(struct iso_t *t, const char *name, const void *data, size_t len)
{
        if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
                iso_log(t, "artifact: refused name \"%s\" (a plain file name is expected)",
                        name ? name : "(null)");
                errno = EINVAL;
                return -1;
        }
        struct iso_err e = {0};
        char path[PATH_MAX];
        if (iso_mkdir_p(t->artifact_dir, &e) < 0 ||
            iso_pathf(path, sizeof(path), "%s/%s", t->artifact_dir, name) < 0 ||
            iso_write_atomic(path, data, len, &e) < 0) {
                if (!e.msg[0])
                        iso_errf(&e, ENAMETOOLONG, "artifact %s/%s", t->artifact_dir, name);
                iso_log(t, "artifact: %s", e.msg);
                errno = e.errnum ? e.errnum : EIO;
                return -1;
        }
        unsigned slot = __atomic_fetch_add(&t->sh->n_artifacts, 1, __ATOMIC_SEQ_CST);
        if (slot < ISO_MAX_ARTIFACTS)
                iso_strlcpy(t->sh->artifacts[slot], path, sizeof(t->sh->artifacts[slot]));
        return 0;
}

int iso_artifact_path(struct iso_t *t, const char *name, char *path, size_t size)
{
        if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
                errno = EINVAL;
                return -1;
        }
        struct iso_err e = {0};
        if (iso_mkdir_p(t->artifact_dir, &e) < 0 ||
            iso_pathf(path, size, "%s/%s", t->artifact_dir, name) < 0) {
                iso_log(t, "artifact: %s", e.msg[0] ? e.msg : "path too long");
                errno = e.errnum ? e.errnum : ENAMETOOLONG;
                return -1;
        }
        unsigned slot = __atomic_fetch_add(&t->sh->n_artifacts, 1, __ATOMIC_SEQ_CST);
        if (slot < ISO_MAX_ARTIFACTS)
                iso_strlcpy(t->sh->artifacts[slot], path, sizeof(t->sh->artifacts[slot]));
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
