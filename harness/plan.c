// SPDX-License-Identifier: MIT
/*
 * Building a run's plan from the command line (include/isocheck/plan_build.h): the
 * selection, the user's skips and timeouts, repetition in rounds and a replayable order.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/plan_build.h"

static void note(char *notes, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void note(char *notes, size_t size, const char *fmt, ...)
{
        size_t used = strnlen(notes, size);
        va_list ap;

        if (used + 2 >= size)
                return;
        va_start(ap, fmt);
        vsnprintf(notes + used, size - used - 1, fmt, ap);
        va_end(ap);
        used = strnlen(notes, size);
        notes[used] = '\n';
        notes[used + 1] = '\0';
}

static int keyword_in(const char *kw, const char *name)
{
        return strcasestr(name, kw) != NULL;
}

int iso_plan_selected(const struct iso_opts *o, const struct iso_case *c, char *said, size_t size)
{
        /* The globs through iso_case_selected: they also match a case's former name. */
        int in = iso_case_selected(c, o->filters, o->n_filters, NULL, 0, said, size);
        if (in && o->n_keywords) {
                in = 0;
                for (size_t i = 0; !in && i < o->n_keywords; i++)
                        in = keyword_in(o->keywords[i], c->name);
        }
        if (in && o->n_excludes) {
                char also[256] = "";
                in = iso_case_selected(c, NULL, 0, o->excludes, o->n_excludes, also, sizeof(also));
                if (also[0] && said && size && !said[0])
                        iso_strlcpy(said, also, size);
        }
        return in;
}

/* ---- nearest names -------------------------------------------------------------------- */

static size_t min3(size_t a, size_t b, size_t c)
{
        size_t m = a < b ? a : b;
        return m < c ? m : c;
}

/*
 * Edit distance (insertions, deletions, substitutions, swaps of neighbours) from @p to the
 * closest substring of @s when @substring (Sellers' variant: a match may start anywhere),
 * else to @s whole. Lengths are bounded by the caller (names and patterns are short).
 */
static size_t distance(const char *p, const char *s, int substring)
{
        size_t m = strlen(p), n = strlen(s);
        if (m > 128 || n > 128)
                return (size_t)-1;
        unsigned short d[129][129]; /* 33 KiB: a distance is at most 256 */
        for (size_t j = 0; j <= n; j++)
                d[0][j] = (unsigned short)(substring ? 0 : j);
        for (size_t i = 1; i <= m; i++) {
                d[i][0] = (unsigned short)i;
                for (size_t j = 1; j <= n; j++) {
                        size_t cost = p[i - 1] != s[j - 1];
                        d[i][j] = (unsigned short)min3(d[i - 1][j] + 1u, d[i][j - 1] + 1u,
                                                       d[i - 1][j - 1] + cost);
                        if (i > 1 && j > 1 && p[i - 1] == s[j - 2] && p[i - 2] == s[j - 1] &&
                            d[i - 2][j - 2] + 1 < d[i][j])
                                d[i][j] = (unsigned short)(d[i - 2][j - 2] + 1);
                }
        }
        if (!substring)
                return d[m][n];
        size_t best = d[m][0];
        for (size_t j = 1; j <= n; j++)
                if (d[m][j] < best)
                        best = d[m][j];
        return best;
}

/* @pattern without glob syntax: '*', '?' and bracket expressions left out. */
static void literal_of(const char *pattern, char *out, size_t size)
{
        size_t o = 0;
        for (const char *s = pattern; *s && o + 1 < size; s++) {
                if (*s == '*' || *s == '?')
                        continue;
                if (*s == '[') {
                        const char *close = strchr(s + 1, ']');
                        if (close) {
                                s = close;
                                continue;
                        }
                }
                out[o++] = *s;
        }
        out[o] = '\0';
}

size_t iso_plan_nearest(const char *pattern, const struct iso_case *const *all, size_t n_all,
                        char *out, size_t size)
{
        char lit[129];
        size_t best[3] = {0}, best_d[3], best_whole[3], found = 0;

        literal_of(pattern, lit, sizeof(lit));
        if (size)
                out[0] = '\0';
        if (!*lit)
                return 0;
        size_t limit = 1 + strlen(lit) / 5;
        for (size_t i = 0; i < n_all; i++) {
                size_t d = distance(lit, all[i]->name, 1);
                if (d > limit)
                        continue;
                /* Ties: the name closest as a whole first (a full name with a slip in it). */
                size_t whole = distance(lit, all[i]->name, 0);
                size_t at = found;
                while (at > 0 &&
                       (d < best_d[at - 1] || (d == best_d[at - 1] && whole < best_whole[at - 1])))
                        at--;
                if (at >= 3)
                        continue;
                for (size_t k = (found < 3 ? found : 2); k > at; k--) {
                        best[k] = best[k - 1];
                        best_d[k] = best_d[k - 1];
                        best_whole[k] = best_whole[k - 1];
                }
                best[at] = i;
                best_d[at] = d;
                best_whole[at] = whole;
                if (found < 3)
                        found++;
        }
        /* Only the nearest: a farther name next to a slip's fix is noise. */
        while (found > 1 && best_d[found - 1] > best_d[0])
                found--;
        size_t used = 0;
        for (size_t k = 0; k < found && used < size; k++) {
                int w = snprintf(out + used, size - used, "%s%s", k ? ", " : "",
                                 all[best[k]]->name);
                used += w > 0 ? (size_t)w : 0;
        }
        return found;
}

/* ---- reported names ------------------------------------------------------------------- */

static const struct iso_case *find_case(const char *name, size_t len,
                                        const struct iso_case *const *all, size_t n_all)
{
        for (size_t i = 0; i < n_all; i++)
                if (strlen(all[i]->name) == len && !strncmp(all[i]->name, name, len))
                        return all[i];
        return NULL;
}

const struct iso_case *iso_plan_case_of(const char *reported, const struct iso_case *const *all,
                                        size_t n_all)
{
        size_t len = strlen(reported);
        /* "NAME#N", as --repeat and --until-fail name their results. */
        const char *hash = strrchr(reported, '#');
        if (hash && hash[1] && strspn(hash + 1, "0123456789") == strlen(hash + 1))
                len = (size_t)(hash - reported);
        for (const char *s = reported; s && s < reported + len;) {
                const struct iso_case *c = find_case(s, len - (size_t)(s - reported), all, n_all);
                if (c)
                        return c;
                /* A configuration's prefix ("vm-6.1-v2."): try the tail after each dot. */
                s = memchr(s, '.', len - (size_t)(s - reported));
                if (s)
                        s++;
        }
        return NULL;
}

/* ---- building ------------------------------------------------------------------------- */

void iso_plan_free(struct iso_plan *p)
{
        for (size_t i = 0; p->names && i < (size_t)p->rounds * p->n; i++)
                free(p->names[i]);
        free(p->names);
        free(p->items);
        free(p->base);
        iso_skip_rules_free(p->skips, p->n_skips);
        memset(p, 0, sizeof(*p));
}

/* splitmix64: small, and the same sequence from a seed on every machine and libc. */
static uint64_t next_random(uint64_t *state)
{
        uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

int iso_plan_round(struct iso_plan *p, unsigned round, struct iso_err *e)
{
        int numbered = p->rounds > 1 || p->until_fail;

        memcpy(p->items, p->base, p->n * sizeof(*p->items));
        if (p->shuffle)
                for (size_t i = p->n; i > 1; i--) {
                        size_t j = (size_t)(next_random(&p->rng) % i);
                        struct iso_plan_item t = p->items[i - 1];
                        p->items[i - 1] = p->items[j];
                        p->items[j] = t;
                }
        /* Kept for the whole run: the results (and so the reports) point at them. */
        char **names = p->names + (size_t)(round - 1) * p->n;
        for (size_t i = 0; numbered && round <= p->rounds && i < p->n; i++) {
                free(names[i]);
                if (asprintf(&names[i], "%s#%u", p->items[i].c->name, round) < 0) {
                        names[i] = NULL;
                        return iso_errf(e, ENOMEM, "the names of round %u", round);
                }
                p->items[i].name = names[i];
        }
        return 0;
}

/* Why nothing is selected, naming each --filter and -k that matches nothing on its own. */
static int nothing_selected(const struct iso_opts *o, const struct iso_case *const *all,
                            size_t n_all, int by_last_failed, struct iso_err *e)
{
        char why[640] = "", near[256];
        size_t used = 0;

        for (size_t k = 0; k < o->n_filters + o->n_keywords && used < sizeof(why); k++) {
                int is_kw = k >= o->n_filters;
                const char *pat = is_kw ? o->keywords[k - o->n_filters] : o->filters[k];
                size_t hits = 0;
                for (size_t i = 0; i < n_all && !hits; i++)
                        hits = is_kw ? keyword_in(pat, all[i]->name)
                                     : fnmatch(pat, all[i]->name, 0) == 0;
                if (hits)
                        continue;
                int w;
                if (iso_plan_nearest(pat, all, n_all, near, sizeof(near)))
                        w = snprintf(why + used, sizeof(why) - used,
                                     "%s%s %s matches no case (nearest: %s)", used ? "; " : "",
                                     is_kw ? "-k" : "--filter", pat, near);
                else
                        w = snprintf(why + used, sizeof(why) - used,
                                     "%s%s %s matches no case, nor is near one", used ? "; " : "",
                                     is_kw ? "-k" : "--filter", pat);
                used += w > 0 ? (size_t)w : 0;
        }
        if (*why)
                return iso_err_setf(e, EINVAL, "%s (see --list)", why);
        if (by_last_failed)
                return iso_err_setf(e, EINVAL,
                                    "no case that failed in %s matches the --filter/-k/--exclude "
                                    "given",
                                    o->last_failed);
        return iso_err_setf(e, EINVAL,
                            "no case matches the --filter/-k/--exclude given together (see "
                            "--list)");
}

/* Every --timeout glob must name a case: a slip would otherwise change nothing, silently. */
static int check_timeouts(const struct iso_opts *o, const struct iso_case *const *all, size_t n_all,
                          struct iso_err *e)
{
        for (size_t k = 0; k < o->n_timeouts; k++) {
                char glob[256], near[256];
                size_t len = o->timeouts[k].name_len;
                if (len >= sizeof(glob))
                        return iso_err_setf(e, EINVAL, "--timeout: NAME longer than %zu bytes",
                                            sizeof(glob) - 1);
                memcpy(glob, o->timeouts[k].arg, len);
                glob[len] = '\0';
                size_t hits = 0;
                for (size_t i = 0; i < n_all && !hits; i++)
                        hits = fnmatch(glob, all[i]->name, 0) == 0;
                if (hits)
                        continue;
                if (iso_plan_nearest(glob, all, n_all, near, sizeof(near)))
                        return iso_err_setf(e, EINVAL,
                                            "--timeout %s: %s matches no case (nearest: %s)",
                                            o->timeouts[k].arg, glob, near);
                return iso_err_setf(e, EINVAL, "--timeout %s: %s matches no case (see --list)",
                                    o->timeouts[k].arg, glob);
        }
        return 0;
}

static unsigned timeout_for(const struct iso_opts *o, const char *name)
{
        unsigned secs = 0;
        for (size_t k = 0; k < o->n_timeouts; k++) {
                char glob[256];
                size_t len = o->timeouts[k].name_len;
                if (len >= sizeof(glob))
                        continue;
                memcpy(glob, o->timeouts[k].arg, len);
                glob[len] = '\0';
                if (fnmatch(glob, name, 0) == 0)
                        secs = o->timeouts[k].seconds; /* the last match wins */
        }
        return secs;
}

/*
 * Mark in @failed (one flag per registered case) what --last-failed's report names failed.
 * Returns 0, ISO_PLAN_NOTHING or -1, with @e.
 */
static int read_last_failed(const struct iso_opts *o, const struct iso_case *const *all,
                            size_t n_all, unsigned char *failed, char *notes, size_t notes_size,
                            struct iso_err *e)
{
        struct iso_named_line *names = NULL;
        size_t total = 0, mapped = 0;
        long n = iso_report_failed(o->last_failed, &names, &total, e);

        if (n < 0) {
                char why[sizeof(e->msg)];
                iso_strlcpy(why, e->msg, sizeof(why));
                return iso_err_setf(e, e->errnum, "--last-failed: %s", why);
        }
        for (long k = 0; k < n; k++) {
                const struct iso_case *c = iso_plan_case_of(names[k].name, all, n_all);
                if (!c) {
                        note(notes, notes_size,
                             "%s:%u: %s failed there, but this isocheck has no such case: left "
                             "out",
                             o->last_failed, names[k].line, names[k].name);
                        continue;
                }
                for (size_t i = 0; i < n_all; i++)
                        if (all[i] == c && !failed[i]) {
                                failed[i] = 1;
                                mapped++;
                        }
        }
        iso_named_lines_free(names, (size_t)n);
        if (n == 0) {
                iso_err_setf(e, 0,
                             "%s: no case failed or errored there (%zu results read): nothing "
                             "to rerun",
                             o->last_failed, total);
                return ISO_PLAN_NOTHING;
        }
        if (mapped == 0) {
                iso_err_setf(e, 0,
                             "%s: none of its %ld failed results is a case of this isocheck: "
                             "nothing to rerun",
                             o->last_failed, n);
                return ISO_PLAN_NOTHING;
        }
        return 0;
}

static unsigned long draw_seed(void)
{
        uint32_t s;
        if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
                return s;
        return ((unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16)) & 0xffffffffUL;
}

/* iso_plan_build with @failed, a zeroed flag per registered case, to mark --last-failed's. */
static int build_plan(struct iso_plan *p, const struct iso_opts *o,
                      const struct iso_case *const *all, size_t n_all, unsigned char *failed,
                      char *notes, size_t notes_size, struct iso_err *e)
{
        int rc;

        if (check_timeouts(o, all, n_all, e) < 0)
                return -1;
        if (o->last_failed &&
            (rc = read_last_failed(o, all, n_all, failed, notes, notes_size, e)) != 0)
                return rc;
        if (o->skip_file) {
                long n = iso_skip_file_read(o->skip_file, &p->skips, e);
                if (n < 0) {
                        char why[sizeof(e->msg)];
                        iso_strlcpy(why, e->msg, sizeof(why));
                        return iso_err_setf(e, e->errnum, "--skip-file: %s", why);
                }
                p->n_skips = (size_t)n;
        }

        p->base = calloc(n_all ? n_all : 1, sizeof(*p->base));
        if (!p->base)
                return iso_errf(e, ENOMEM, "the plan of %zu cases", n_all);
        for (size_t i = 0; i < n_all; i++) {
                char said[256] = "";
                int in = iso_plan_selected(o, all[i], said, sizeof(said));
                if (said[0])
                        note(notes, notes_size, "%s", said);
                if (!in || (o->last_failed && !failed[i]))
                        continue;
                struct iso_plan_item *it = &p->base[p->n++];
                it->c = all[i];
                it->timeout_s = timeout_for(o, all[i]->name);
                for (size_t k = 0; k < p->n_skips && !it->skip_reason; k++)
                        if (fnmatch(p->skips[k].glob, all[i]->name, 0) == 0)
                                it->skip_reason = p->skips[k].reason;
        }
        if (p->n == 0)
                return nothing_selected(o, all, n_all, o->last_failed != NULL, e);
        /* A skip line that names nothing is likely a slip, or written for another build. */
        for (size_t k = 0; k < p->n_skips; k++) {
                size_t hits = 0;
                for (size_t i = 0; i < n_all && !hits; i++)
                        hits = fnmatch(p->skips[k].glob, all[i]->name, 0) == 0;
                if (!hits)
                        note(notes, notes_size, "%s:%u: %s matches no case: line unused",
                             o->skip_file, p->skips[k].line, p->skips[k].glob);
        }
        if ((size_t)p->rounds * p->n > ISO_PLAN_MAX_RESULTS) {
                if (o->repeat)
                        return iso_err_setf(e, EINVAL,
                                            "--repeat %u of %zu cases makes %zu results, more "
                                            "than a run keeps (%d): select fewer cases or "
                                            "repeat less",
                                            o->repeat, p->n, (size_t)o->repeat * p->n,
                                            ISO_PLAN_MAX_RESULTS);
                p->rounds = (unsigned)(ISO_PLAN_MAX_RESULTS / p->n);
                if (p->rounds == 0)
                        p->rounds = 1;
                note(notes, notes_size,
                     "--until-fail: at most %u rounds of %zu cases (a run keeps %d results)",
                     p->rounds, p->n, ISO_PLAN_MAX_RESULTS);
        }
        p->items = calloc(p->n, sizeof(*p->items));
        p->names = calloc((size_t)p->rounds * p->n, sizeof(*p->names));
        if (!p->items || !p->names)
                return iso_errf(e, ENOMEM, "the plan of %zu cases", p->n);
        return iso_plan_round(p, 1, e);
}

int iso_plan_build(struct iso_plan *p, const struct iso_opts *o, const struct iso_case *const *all,
                   size_t n_all, char *notes, size_t notes_size, struct iso_err *e)
{
        memset(p, 0, sizeof(*p));
        if (notes_size)
                notes[0] = '\0';
        p->until_fail = o->until_fail;
        p->rounds = o->repeat ? o->repeat : o->until_fail ? ISO_UNTIL_FAIL_ROUNDS : 1;
        p->shuffle = o->shuffle;
        p->seed = o->seed_given ? o->seed : o->shuffle ? draw_seed() : 0;
        p->rng = p->seed;
        unsigned char *failed = calloc(n_all ? n_all : 1, 1);
        if (!failed)
                return iso_errf(e, ENOMEM, "the plan of %zu cases", n_all);
        int rc = build_plan(p, o, all, n_all, failed, notes, notes_size, e);
        free(failed);
        return rc;
}
