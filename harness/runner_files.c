// SPDX-License-Identifier: MIT
/*
 * The runner's files for one case: the artifact directory made fresh before the case and
 * renamed into place after it, and the case log gathered, cut for the reports and kept
 * whole as an artifact when cut.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner_priv.h"

/* Append the whole content of memfd @fd (at most @max bytes) to the heap string *@buf. */
static void append_fd(char **buf, size_t *len, int fd, size_t max)
{
        off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
        if (end <= 0)
                return;
        size_t n = (size_t)end < max ? (size_t)end : max;
        char *nb = realloc(*buf, *len + n + 1);
        if (!nb)
                return;
        *buf = nb;
        ssize_t got = pread(fd, nb + *len, n, 0);
        if (got > 0)
                *len += (size_t)got;
        nb[*len] = '\0';
}

/*
 * The whole case log: what the case logged (the memfd, else the shared buffer), then what
 * its processes printed. Heap memory, NUL-terminated, or NULL when out of memory.
 */
static char *whole_log(const struct iso_shared *sh, int log_fd, int out_fd, size_t *len)
{
        /* Bounded, so a case logging in a loop cannot take the runner's memory. */
        const size_t max = 16 * 1024 * 1024;
        char *log = calloc(1, 1);
        *len = 0;
        if (!log)
                return NULL;
        if (log_fd >= 0) {
                append_fd(&log, len, log_fd, max);
        } else {
                size_t n = sh->log_len < ISO_LOG_SIZE - 1 ? sh->log_len : ISO_LOG_SIZE - 1;
                char *nb = realloc(log, n + 1);
                if (!nb)
                        return log;
                log = nb;
                memcpy(log, sh->log, n);
                log[n] = '\0';
                *len = n;
                /* No memfd: what did not fit the shared buffer is gone; say how much. */
                if (sh->log_len > n) {
                        char lost[96];
                        size_t m = (size_t)snprintf(lost, sizeof(lost),
                                                    "[… %zu bytes of the log not kept …]\n",
                                                    sh->log_len - n);
                        nb = realloc(log, *len + m + 1);
                        if (nb) {
                                log = nb;
                                memcpy(log + *len, lost, m + 1);
                                *len += m;
                        }
                }
        }
        static const char hdr[] = "--- output of the case process ---\n";
        off_t end = out_fd >= 0 ? lseek(out_fd, 0, SEEK_END) : 0;
        if (end > 0) {
                char *nb = realloc(log, *len + sizeof(hdr));
                if (!nb)
                        return log;
                log = nb;
                memcpy(log + *len, hdr, sizeof(hdr));
                *len += sizeof(hdr) - 1;
                append_fd(&log, len, out_fd, max);
        }
        return log;
}

int iso_log_cut(const char *log, size_t len, size_t cap, const char *whole_at, char **out)
{
        *out = NULL;
        if (len <= cap) {
                *out = strdup(log);
                return *out ? 0 : -1;
        }
        /* Head and tail: the start says what the case set up, the end where it stopped. */
        size_t tail = cap / 4, head = cap - tail;
        char mark[PATH_MAX + 128];
        snprintf(mark, sizeof(mark), "\n[… %zu bytes truncated; the whole log: %s …]\n",
                 len - head - tail, whole_at && *whole_at ? whole_at : "not kept");
        size_t n = head + strlen(mark) + tail;
        char *s = malloc(n + 1);
        if (!s)
                return -1;
        memcpy(s, log, head);
        memcpy(s + head, mark, strlen(mark));
        memcpy(s + head + strlen(mark), log + len - tail, tail);
        s[n] = '\0';
        *out = s;
        return 1;
}

/*
 * Make the case's artifact directory fresh: "<case>.tmp.<pid>[.<salt>]" under the artifacts
 * directory, mkdirat(2) mode 0700, so nothing in it was put there by anyone else (a link
 * planted in an old "<case>" directory is never reached). Fills @cf; 0, or -1 with @e.
 */
int runner_stage_make(const struct iso_runner *r, const char *case_name, struct case_files *cf,
                      struct iso_err *e)
{
        cf->stage_fd = -1;
        if (r->artifacts_fd < 0) {
                iso_strlcpy(cf->off, r->artifacts_off, sizeof(cf->off));
                iso_strlcpy(cf->stage, case_name, sizeof(cf->stage));
                return 0;
        }
        /* The name says whose it is; should it be taken (a run with our pid in another PID
         * namespace, or a dead one's leftover), another is drawn: what is there may be alive
         * and is never removed. */
        for (int tries = 0; tries < 8; tries++) {
                unsigned short salt = 0;
                int n = tries == 0 || getrandom(&salt, sizeof(salt), 0) != sizeof(salt)
                                ? snprintf(cf->stage, sizeof(cf->stage), "%s.tmp.%d", case_name,
                                           (int)getpid())
                                : snprintf(cf->stage, sizeof(cf->stage), "%s.tmp.%d.%04x",
                                           case_name, (int)getpid(), salt);
                if (n < 0 || (size_t)n >= sizeof(cf->stage))
                        return iso_errf(e, ENAMETOOLONG, "artifact directory name for %s",
                                        case_name);
                if (mkdirat(r->artifacts_fd, cf->stage, 0700) == 0) {
                        cf->stage_fd = openat(r->artifacts_fd, cf->stage,
                                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cf->stage_fd < 0)
                                return iso_errf(e, errno, "open %s/%s", r->artifacts_dir,
                                                cf->stage);
                        return 0;
                }
                if (errno != EEXIST)
                        break;
        }
        return iso_errf(e, errno, "mkdir %s/%s", r->artifacts_dir, cf->stage);
}

/* Replace every @from in @s (@len bytes, NUL-terminated) by the shorter @to, in place. */
static void shrink_replace(char *s, size_t *len, const char *from, const char *to)
{
        size_t nf = strlen(from), nt = strlen(to), w = 0;
        if (nt > nf || nf == 0)
                return;
        for (size_t i = 0; i < *len;) {
                if (*len - i >= nf && !memcmp(s + i, from, nf)) {
                        memmove(s + w, to, nt);
                        w += nt;
                        i += nf;
                } else {
                        s[w++] = s[i++];
                }
        }
        *len = w;
        s[w] = '\0';
}

/*
 * After the case: keep the whole log as "case.log" when the report shows it cut, list
 * only the artifacts that exist (a tool interrupted before writing leaves none), then
 * rename the directory to <artifacts>/<case>, replacing the previous run's (a link there
 * is replaced, never followed).
 */
void runner_stage_finish(const struct iso_runner *r, const struct iso_case *c,
                         const struct iso_shared *sh, struct case_files *cf, int out_fd,
                         struct iso_result *res)
{
        size_t len = 0;
        char *log = whole_log(sh, cf->log_fd, out_fd, &len);
        /* The log names the directory by the name it will have once renamed. */
        if (log && cf->stage_fd >= 0)
                shrink_replace(log, &len, cf->stage, c->name);
        char whole_at[PATH_MAX] = "";
        struct iso_err e = {0};
        int log_kept = 0;
        if (log && len > ISO_LOG_CAP && cf->stage_fd >= 0) {
                log_kept = iso_write_new_at(cf->stage_fd, "case.log", r->artifacts_dir, log, len,
                                            &e) == 0;
                if (log_kept)
                        iso_pathf(whole_at, sizeof(whole_at), "%s/%s/case.log", r->artifacts_dir,
                                  c->name);
                else
                        snprintf(whole_at, sizeof(whole_at), "not kept: %s", e.msg);
        } else if (log && len > ISO_LOG_CAP) {
                snprintf(whole_at, sizeof(whole_at), "not kept: %s", cf->off);
        }
        if (log)
                iso_log_cut(log, len, ISO_LOG_CAP, whole_at, &res->log);
        free(log);
        if (cf->stage_fd < 0)
                return;

        char names[ISO_MAX_ARTIFACTS + 1][256];
        size_t n = 0;
        for (unsigned i = 0; i < sh->n_artifacts && i < ISO_MAX_ARTIFACTS; i++)
                iso_strlcpy(names[n++], sh->artifacts[i], sizeof(names[0]));
        if (log_kept)
                iso_strlcpy(names[n++], "case.log", sizeof(names[0]));

        /* Nothing kept: the previous run's directory stays, no empty one replaces it. */
        if (unlinkat(r->artifacts_fd, cf->stage, AT_REMOVEDIR) == 0)
                return;
        /* Readable by others once the case is over; only root could write it meanwhile. */
        fchmod(cf->stage_fd, 0755);
        const char *dir = cf->stage;
        int fd = r->artifacts_fd;
        if (renameat2(fd, cf->stage, fd, c->name, RENAME_EXCHANGE) == 0) {
                /* The previous "<case>" now has the temporary name: removed, not followed.
                 * Should that fail, the leftover keeps a name that says whose it was. */
                iso_remove_tree_at(fd, cf->stage, r->artifacts_dir, &e);
                dir = c->name;
        } else {
                /* No "<case>" yet, or a file system without RENAME_EXCHANGE. */
                if (errno != ENOENT)
                        iso_remove_tree_at(fd, c->name, r->artifacts_dir, &e);
                if (renameat2(fd, cf->stage, fd, c->name, RENAME_NOREPLACE) == 0 ||
                    (errno == EINVAL && renameat(fd, cf->stage, fd, c->name) == 0))
                        dir = c->name;
        }
        for (size_t i = 0; i < n && res->n_artifacts < ISO_MAX_ARTIFACTS; i++) {
                struct stat st;
                if (fstatat(cf->stage_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
                        continue;
                if (iso_pathf(res->artifacts[res->n_artifacts], sizeof(res->artifacts[0]),
                              "%s/%s/%s", r->artifacts_dir, dir, names[i]) == 0)
                        res->n_artifacts++;
        }
}
