/* SPDX-License-Identifier: MIT */
/* Small shared helpers: error values, scope-bound cleanup, whole-file reads and writes. */
#ifndef ISOCHECK_UTIL_H
#define ISOCHECK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define ISO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * An error as a value: the errno of the failing call (0 when none applies) and a message
 * that names the call and the object ("write 100 to /sys/.../memory.max: Device or
 * resource busy"). Library functions fill one and return -1; they never print or exit.
 */
struct iso_err {
        int errnum;
        char msg[768];
};

/*
 * Fill @e (may be NULL) from a printf-style message; when @errnum is non-zero,
 * ": strerror(errnum)" is appended. Returns -1 so callers can `return iso_errf(...)`.
 */
int iso_errf(struct iso_err *e, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * As iso_errf, but the message is taken as it is: no ": strerror(errnum)" is appended (for
 * messages that already name their cause, or end in a hint after it). Returns -1.
 */
int iso_err_setf(struct iso_err *e, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static inline void iso_freep(void *p)
{
        free(*(void **)p);
}
static inline void iso_closep(const int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
/* `iso_autofree char *s = ...;` is freed, `iso_autoclose int fd = ...;` closed, on scope exit. */
#define iso_autofree __attribute__((cleanup(iso_freep)))
#define iso_autoclose __attribute__((cleanup(iso_closep)))

/*
 * Read a whole file (procfs, sysfs, cgroupfs or regular) into a NUL-terminated heap
 * buffer. @len (may be NULL) receives the byte count. Returns the buffer or NULL with
 * @e filled ("open /proc/1/status: ..."). Files are read with repeated read(2) until
 * EOF, so pseudo-files larger than one page are complete.
 */
char *iso_read_file(const char *path, size_t *len, struct iso_err *e);

/*
 * Write @s to an existing file with one write(2) (cgroupfs and procfs take a value per
 * write). Returns 0, or -1 with @e naming the value, the file and errno.
 */
int iso_write_file(const char *path, const char *s, struct iso_err *e);

/*
 * Read a file holding one integer (e.g. cgroup.max.depth, oom_score_adj).
 * Returns 0 and sets *out, or -1 with @e filled (EINVAL when the text is not a number).
 */
int iso_read_long(const char *path, long long *out, struct iso_err *e);

/*
 * write(2) all @n bytes of @buf to @fd, retrying on EINTR and short writes. Returns 0, or
 * -1 with errno set (EIO when a write made no progress).
 */
int iso_write_all(int fd, const void *buf, size_t n);

/*
 * read(2) exactly @n bytes into @buf, retrying on EINTR and short reads. Returns 0, or -1
 * with errno set (EPIPE when the other end closed first).
 */
int iso_read_all(int fd, void *buf, size_t n);

/* snprintf that reports truncation: returns 0, or -1 with errno ENAMETOOLONG. */
int iso_pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append printf-formatted text to the NUL-terminated string in @buf (@size bytes),
 * truncating; for messages built from parts. */
void iso_appendf(char *buf, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Copy @src into @dst (@size bytes), truncating; always NUL-terminates. Returns strlen(src). */
size_t iso_strlcpy(char *dst, const char *src, size_t size);

/* Monotonic clock in seconds (CLOCK_MONOTONIC). */
double iso_now(void);

/* Create a directory and its parents (mode 0755); an existing directory is fine. 0 or -1 + e. */
int iso_mkdir_p(const char *path, struct iso_err *e);

/*
 * Write @len bytes to @path atomically: into "<path>.tmp.<pid>" then rename(2), so a
 * reader never sees a half-written file. The temporary file is created with
 * O_EXCL|O_NOFOLLOW (a leftover of that name is unlinked first, never written through).
 * Returns 0 or -1 with @e filled; on failure the temporary file is removed.
 */
int iso_write_atomic(const char *path, const void *data, size_t len, struct iso_err *e);

/*
 * Create @name (a plain name) under the directory @dirfd with
 * O_CREAT|O_EXCL|O_NOFOLLOW (open(2)), mode 0644, and write @len bytes to it: an existing
 * file or link is never written through (EEXIST). @shown is the directory's path, for
 * messages only. Returns 0, or -1 with @e; on failure the new file is removed.
 */
int iso_write_new_at(int dirfd, const char *name, const char *shown, const void *data, size_t len,
                     struct iso_err *e);

/*
 * Remove @name (a plain name) under @dirfd, and everything below it when it is a
 * directory, with unlinkat(2) and openat(O_NOFOLLOW): a link is removed, never followed.
 * A missing @name is fine. @shown is @dirfd's path, for messages. Returns 0 or -1 + @e.
 */
int iso_remove_tree_at(int dirfd, const char *name, const char *shown, struct iso_err *e);

/*
 * Open the directory @path component by component (openat, O_NOFOLLOW), making missing
 * ones (mode 0755) when @create. A link on the way is followed only when it is owned by
 * root or the effective uid and sits in a directory no other user can change (owned by
 * root or us, not writable by group or others unless sticky); else it is refused (ELOOP,
 * naming it): another user could point it anywhere. Real directories are accepted
 * whoever owns them: they are held by descriptor, so a later swap for a link is not
 * followed. Returns the descriptor, or -1 with @e.
 */
int iso_open_dir_nofollow(const char *path, int create, struct iso_err *e);

/*
 * Open the directory @path (iso_open_dir_nofollow) for this process to create files in,
 * refusing one owned by another user than the effective uid, or writable by group or
 * others without the sticky bit (EPERM: root must not write where another user can plant
 * links or rename what it made), on a pseudo file system (proc, sysfs, cgroup...:
 * EMEDIUMTYPE), or not writable (access(2) with AT_EACCESS).
 * Returns the descriptor, or -1 with @e naming the path and the owner.
 */
int iso_open_own_dir(const char *path, struct iso_err *e);

/*
 * iso_write_atomic for @relpath ("a/b/file", no "..", not absolute) below the directory
 * @dirfd: missing directories are made (mode 0755), existing ones opened with O_NOFOLLOW (a
 * link on the way is refused, ENOTDIR, naming it); the file is written under
 * "<file>.tmp.<pid>" (O_EXCL|O_NOFOLLOW) and renamed into place, so a link at the file's
 * name is replaced, never followed. @shown is @dirfd's path, for messages. 0 or -1 + @e.
 */
int iso_write_atomic_at(int dirfd, const char *shown, const char *relpath, const void *data,
                        size_t len, struct iso_err *e);

/*
 * The pipe+fork handshake: a close-on-exec pipe(2), stdio flushed, fork(2). Like fork(),
 * returns 0 in the child, with *@fd the pipe's write end (the read end closed), and the
 * child's PID in the parent, with *@fd the read end (the write end closed), so the child
 * reports through the pipe and the parent sees EOF once the child exits or execs.
 * Returns -1 with @e (pipe2 or fork, both ends closed) when there is no child.
 */
pid_t iso_fork_piped(int *fd, struct iso_err *e);

/*
 * The parent's side of iso_fork_piped for a fixed-size report: read @n bytes from @fd
 * into @buf (EINTR retried), close @fd and reap @pid. Returns 0 when all @n bytes came,
 * -1 with errno EPIPE when the child ended first, or read(2)'s errno.
 */
int iso_piped_collect(pid_t pid, int fd, void *buf, size_t n);

#endif
