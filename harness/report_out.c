// SPDX-License-Identifier: MIT
/*
 * The report seam: which reports a run writes (one per registered writer and file, plus
 * standard output for the writers that stream there), their files committed atomically,
 * and what every report says when another one could not be written. See report.h.
 */
#include "isocheck/report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isocheck/recover.h"

/* The registered writers. Streaming ones come first: their failures go into the documents. */
static const struct iso_report_writer *const writers[] = {
        &iso_report_tap,
        &iso_report_junit,
};

static void note(struct iso_reports *rs, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void note(struct iso_reports *rs, const char *fmt, ...)
{
        size_t len = strnlen(rs->notes, sizeof(rs->notes));
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(rs->notes + len, sizeof(rs->notes) - len, fmt, ap);
        va_end(ap);
        len = strnlen(rs->notes, sizeof(rs->notes));
        if (len + 1 < sizeof(rs->notes))
                memcpy(rs->notes + len, "\n", 2);
}

static int streams(const struct iso_report_out *out)
{
        return out->writer->add != NULL;
}

/*
 * @path made absolute and normal: its longest existing head resolved (realpath(3)), the
 * rest with "." and empty components dropped and ".." applied. "" when it cannot be.
 */
static void normal_path(const char *path, char *out, size_t size)
{
        char abs[PATH_MAX], cwd[PATH_MAX], head[PATH_MAX], norm[PATH_MAX] = "";

        out[0] = '\0';
        if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
                return;
        if (iso_pathf(abs, sizeof(abs), "%s/%s", path[0] == '/' ? "" : cwd, path) < 0)
                return;
        /* Lexically first, so that "a/./b" and "a//b" find the same head. */
        for (char *save = NULL, *c = strtok_r(abs, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (!strcmp(c, "."))
                        continue;
                if (!strcmp(c, "..")) {
                        char *slash = strrchr(norm, '/');
                        if (slash)
                                *slash = '\0';
                        continue;
                }
                iso_appendf(norm, sizeof(norm), "/%s", c);
        }
        if (!norm[0])
                iso_strlcpy(norm, "/", sizeof(norm));
        size_t cut = strlen(norm);
        for (;;) {
                char try[PATH_MAX];
                snprintf(try, sizeof(try), "%.*s", (int)cut, norm);
                if (realpath(cut ? try : "/", head)) {
                        snprintf(out, size, "%s%s", strcmp(head, "/") ? head : "", norm + cut);
                        return;
                }
                if (errno != ENOENT && errno != ENOTDIR)
                        return;
                while (cut > 0 && norm[--cut] != '/')
                        ;
        }
}

/* Two outputs naming one file would interleave two documents in it: the same file when
 * both exist, else the same normal path (neither exists yet, or one of them). */
static int same_file(const char *a, const char *b)
{
        if (!a || !b)
                return 0;
        if (!strcmp(a, b))
                return 1;
        struct stat x, y;
        if (stat(a, &x) == 0 && stat(b, &y) == 0)
                return x.st_dev == y.st_dev && x.st_ino == y.st_ino && S_ISREG(x.st_mode);
        char na[PATH_MAX], nb[PATH_MAX];
        normal_path(a, na, sizeof(na));
        normal_path(b, nb, sizeof(nb));
        return na[0] && !strcmp(na, nb);
}

static void add_out(struct iso_reports *rs, const struct iso_report_writer *w,
                    const struct iso_opts *o, const char *path)
{
        struct iso_report_out *out = &rs->outs[rs->n_outs++];

        memset(out, 0, sizeof(*out));
        out->writer = w;
        out->opts = o;
        out->path = path;
        out->dir_fd = -1;
        if (path)
                snprintf(out->what, sizeof(out->what), "the %s report %s", w->label, path);
        else
                snprintf(out->what, sizeof(out->what), "the %s stream on standard output",
                         w->label);
}

int iso_reports_plan(struct iso_reports *rs, const struct iso_opts *o, struct iso_err *e)
{
        memset(rs, 0, sizeof(*rs));
        for (size_t i = 0; i < ISO_ARRAY_SIZE(writers); i++) {
                const struct iso_report_writer *w = writers[i];
                const char *path = w->path ? w->path(o) : NULL;

                if (w->to_stdout && rs->n_outs < ISO_MAX_REPORT_OUTS)
                        add_out(rs, w, o, NULL);
                if (path && rs->n_outs < ISO_MAX_REPORT_OUTS)
                        add_out(rs, w, o, path);
        }
        for (size_t i = 0; i < rs->n_outs; i++)
                for (size_t j = i + 1; j < rs->n_outs; j++)
                        if (same_file(rs->outs[i].path, rs->outs[j].path))
                                return iso_err_setf(e, EINVAL,
                                                    "--%s and --%s name the same file %s",
                                                    rs->outs[i].writer->name,
                                                    rs->outs[j].writer->name, rs->outs[i].path);
        return 0;
}

/* A path naming a stream (a terminal, /dev/stdout, a pipe) is written through, never
 * through a link another user planted: root would write where they point it (a block
 * device, another user's FIFO). */
static int open_in_place(struct iso_report_out *out, const struct stat *st, struct iso_err *e)
{
        struct stat lst;

        if (fstatat(out->dir_fd, out->base, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(lst.st_mode) && lst.st_uid != geteuid() && lst.st_uid != 0)
                return iso_err_setf(
                        e, EPERM, "refusing to write the report through %s: a link owned by uid %u",
                        out->path, (unsigned)lst.st_uid);
        if (!S_ISCHR(st->st_mode) && !S_ISFIFO(st->st_mode) && !S_ISSOCK(st->st_mode))
                return iso_err_setf(
                        e, EINVAL,
                        "the report path %s is neither a regular file nor a stream (a block "
                        "device?): refusing to write it",
                        out->path);
        out->in_place = 1;
        int fd = openat(out->dir_fd, out->base, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        out->f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && !out->f)
                close(fd);
        return 0;
}

static int open_tmp(struct iso_report_out *out)
{
        /* Exclusive, never through a link: the directory may be another user's. The name
         * carries our run id, so whatever is already there was planted: it is removed (a
         * link, never its target) and the file made anew. */
        int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        int fd = openat(out->dir_fd, out->tmp_name, flags, 0644);
        if (fd < 0 && errno == EEXIST && unlinkat(out->dir_fd, out->tmp_name, 0) == 0)
                fd = openat(out->dir_fd, out->tmp_name, flags, 0644);
        out->f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && !out->f)
                close(fd);
        if (out->f)
                iso_run_note_file(out->tmp, NULL);
        return 0;
}

/*
 * The report's directory is made and opened by descriptor (iso_open_dir_nofollow): a link
 * on the way that another user controls is refused, so root never writes, nor renames
 * over files, where they point it; a real directory is held by descriptor, whoever owns
 * it, so swapping it for a link afterwards changes nothing. See README, "Reports".
 */
static int open_dir(struct iso_report_out *out, struct iso_err *e)
{
        char dir[PATH_MAX];
        const char *slash = strrchr(out->path, '/');
        const char *base = slash ? slash + 1 : out->path;
        struct iso_err de = {0};

        if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
                return iso_err_setf(e, EISDIR, "the report path %s is a directory", out->path);
        if (iso_strlcpy(out->base, base, sizeof(out->base)) >= sizeof(out->base) ||
            iso_pathf(out->tmp_name, sizeof(out->tmp_name), "%s.tmp.%s", base, iso_run_id()) < 0 ||
            snprintf(out->tmp, sizeof(out->tmp), "%s.tmp.%s", out->path, iso_run_id()) >=
                    (int)sizeof(out->tmp))
                return iso_err_setf(e, ENAMETOOLONG, "report path too long: %.80s...", out->path);
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - out->path) : 1,
                 slash ? out->path : ".");
        out->dir_fd = iso_open_dir_nofollow(dir[0] ? dir : "/", 1, &de);
        if (out->dir_fd < 0 && de.errnum == ELOOP)
                return iso_err_setf(
                        e, de.errnum,
                        "refusing to write the report %s: %s (name a file in a directory "
                        "of your own with --tap FILE and --junit FILE)",
                        out->path, de.msg);
        if (out->dir_fd < 0)
                return iso_err_setf(e, de.errnum, "cannot create the report directory for %s: %s",
                                    out->path, de.msg);
        return 0;
}

static int open_out(struct iso_report_out *out, struct iso_err *e)
{
        struct stat st;

        if (!out->path) {
                out->f = stdout;
                out->in_place = 1;
                return 0;
        }
        if (open_dir(out, e) < 0)
                return -1;
        int exists = fstatat(out->dir_fd, out->base, &st, 0) == 0;
        if (exists && S_ISDIR(st.st_mode))
                return iso_err_setf(e, EISDIR, "the report path %s is a directory", out->path);
        errno = 0;
        int rc = exists && !S_ISREG(st.st_mode) ? open_in_place(out, &st, e) : open_tmp(out);
        if (rc < 0)
                return -1;
        if (!out->f) {
                int saved = errno;
                return iso_err_setf(
                        e, saved, "cannot write the report %s: %s%s", out->path, strerror(saved),
                        saved == EACCES || saved == EPERM || saved == EROFS
                                ? " (name a file you can write with --tap FILE and --junit "
                                  "FILE)"
                                : "");
        }
        return 0;
}

int iso_reports_open(struct iso_reports *rs, struct iso_err *e)
{
        for (size_t i = 0; i < rs->n_outs; i++)
                if (open_out(&rs->outs[i], e) < 0) {
                        iso_reports_discard(rs);
                        return -1;
                }
        return 0;
}

static void close_dir(struct iso_report_out *out)
{
        if (out->dir_fd >= 0)
                close(out->dir_fd);
        out->dir_fd = -1;
}

static void discard_out(struct iso_report_out *out)
{
        if (out->f) {
                if (out->f != stdout)
                        fclose(out->f);
                out->f = NULL;
                if (!out->in_place)
                        unlinkat(out->dir_fd, out->tmp_name, 0);
        }
        close_dir(out);
}

void iso_reports_discard(struct iso_reports *rs)
{
        for (size_t i = 0; i < rs->n_outs; i++)
                discard_out(&rs->outs[i]);
}

/*
 * strerror(@err), and for EFBIG the limit that gives it: a report cut short by a soft
 * RLIMIT_FSIZE (ulimit -f) is an environment cause, named so (issue 11b item 5).
 */
static const char *write_error(int err)
{
        static char buf[192];
        struct rlimit rl;
        if (err != EFBIG || getrlimit(RLIMIT_FSIZE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return strerror(err);
        snprintf(buf, sizeof(buf), "%s: RLIMIT_FSIZE is %llu bytes (ulimit -f %llu)", strerror(err),
                 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_cur / 1024);
        return buf;
}

/* Whether the file open on @fd has reached the soft RLIMIT_FSIZE (it can grow no more). */
static int past_fsize(int fd)
{
        struct rlimit rl;
        struct stat st;
        return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
               fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (rlim_t)st.st_size >= rl.rlim_cur;
}

static void keep_errno(struct iso_report_out *out)
{
        if (!out->first_errno && errno)
                out->first_errno = errno; /* 0: a writer that saw ferror() only; see below */
}

void iso_reports_begin(struct iso_reports *rs, size_t n_planned)
{
        for (size_t i = 0; i < rs->n_outs; i++) {
                struct iso_report_out *out = &rs->outs[i];

                errno = 0;
                if (out->f && out->writer->begin && out->writer->begin(out, n_planned) < 0)
                        keep_errno(out);
        }
}

void iso_reports_case(struct iso_reports *rs, size_t number, const struct iso_result *r)
{
        for (size_t i = 0; i < rs->n_outs; i++) {
                struct iso_report_out *out = &rs->outs[i];

                errno = 0;
                if (out->f && streams(out) && out->writer->add(out, number, r) < 0)
                        keep_errno(out);
        }
}

/*
 * Flush, sync and rename into place (standard output: flush and check it); on any failure
 * remove the temporary file, add a note and return -1 with errno set.
 */
static int commit_out(struct iso_reports *rs, struct iso_report_out *out)
{
        if (!out->f)
                return 0;
        if (out->f == stdout) {
                /* stdout is a report too: a write error there must not pass silently. */
                errno = 0;
                out->f = NULL;
                if (fflush(stdout) == 0 && !ferror(stdout))
                        return 0;
                int saved = errno;
                note(rs, "write error on standard output%s%s", saved ? ": " : "",
                     saved ? strerror(saved) : "");
                errno = saved ? saved : EIO;
                return -1;
        }
        int ok = fflush(out->f) == 0 && !ferror(out->f) &&
                 (out->in_place || fsync(fileno(out->f)) == 0);
        /* The first failed write's error (EFBIG, say), not the EIO of a later flush. */
        int saved = !ok && out->first_errno ? out->first_errno : errno;
        if (!ok && (saved == 0 || saved == EIO) && past_fsize(fileno(out->f)))
                saved = EFBIG; /* a stream whose error was seen only as ferror() */
        ok = (fclose(out->f) == 0) && ok;
        out->f = NULL;
        if (out->in_place && ok) {
                close_dir(out);
                return 0;
        }
        if (ok && renameat(out->dir_fd, out->tmp_name, out->dir_fd, out->base) == 0) {
                close_dir(out);
                return 0;
        }
        if (ok)
                saved = errno;
        note(rs, "writing the report %s failed: %s", out->path, write_error(saved ? saved : EIO));
        if (!out->in_place)
                unlinkat(out->dir_fd, out->tmp_name, 0);
        close_dir(out);
        errno = saved ? saved : EIO; /* for the caller's Bail out! */
        return -1;
}

/* Flush a stream and, when it has failed, describe that in @why (if still empty). */
static void stream_failed(struct iso_report_out *out, char *why, size_t size)
{
        if (!out->f)
                return;
        errno = 0;
        if (fflush(out->f) == 0 && !ferror(out->f))
                return;
        /* The error of the first failed write: later ones only repeat EIO. */
        if (!out->first_errno && errno)
                out->first_errno = errno; /* kept for commit_out's note too */
        int saved = out->first_errno ? out->first_errno : EIO;
        if (!why[0])
                snprintf(why, size, "writing %s failed: %s", out->what, write_error(saved));
}

int iso_reports_end(struct iso_reports *rs, struct iso_run *run)
{
        /* A report that cannot be written is a broken harness: every report that still
         * can be says so (TAP: "Bail out!", JUnit: an error). The streams are checked
         * first, so that the documents can carry their failure. */
        char why[512] = "";
        int rc = 0;

        for (size_t i = 0; i < rs->n_outs; i++) {
                struct iso_report_out *out = &rs->outs[i];

                /* A stream's closing lines: TAP's plan when it comes last (--until-fail). */
                errno = 0;
                if (streams(out) && out->f && out->writer->end && out->writer->end(out, run) < 0)
                        keep_errno(out);
                if (streams(out))
                        stream_failed(out, why, sizeof(why));
        }
        run->harness_error = why[0] ? why : NULL;
        for (size_t i = 0; i < rs->n_outs; i++) {
                struct iso_report_out *out = &rs->outs[i];

                if (streams(out) || !out->writer->end)
                        continue;
                errno = 0;
                if (out->f && out->writer->end(out, run) < 0) {
                        if (!why[0])
                                snprintf(why, sizeof(why), "writing %s failed: %s", out->what,
                                         write_error(errno ? errno : EIO));
                        discard_out(out);
                }
                /* Every one, whatever the first gives: no temporary file may stay behind. */
                if (commit_out(rs, out) < 0 && !why[0])
                        snprintf(why, sizeof(why), "writing %s failed: %s", out->what,
                                 write_error(errno ? errno : EIO));
        }
        run->harness_error = NULL; /* @why ends with this call */
        if (why[0]) {
                note(rs, "%s", why);
                for (size_t i = 0; i < rs->n_outs; i++) {
                        struct iso_report_out *out = &rs->outs[i];

                        if (streams(out) && out->f && out->writer->bail)
                                out->writer->bail(out, why);
                }
                rc = -1;
        }
        for (size_t i = 0; i < rs->n_outs; i++)
                if (streams(&rs->outs[i]) && commit_out(rs, &rs->outs[i]) < 0)
                        rc = -1;
        return rc;
}
