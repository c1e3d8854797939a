// SPDX-License-Identifier: MIT
/* The live status line and the slowest cases (include/isocheck/progress.h). */
#include "isocheck/progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "isocheck/util.h"

void iso_progress_init(struct iso_progress_out *p, enum iso_progress mode, int fd)
{
        memset(p, 0, sizeof(*p));
        p->fd = fd;
        p->width = 80;
        if (mode == ISO_PROGRESS_NEVER)
                return;
        const char *term = getenv("TERM");
        int tty = isatty(fd) && !(term && !strcmp(term, "dumb"));
        p->live = tty;
        p->lines = !tty && mode == ISO_PROGRESS_ALWAYS;
        struct winsize ws;
        if (tty && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
                p->width = ws.ws_col;
}

/* "12 pass, 1 fail, 0 error, 3 skip", leaving out the zero counts but pass. */
static void counts_text(const size_t c[4], char *out, size_t size)
{
        static const char *const names[] = {"pass", "fail", "skip", "error"};
        out[0] = '\0';
        for (int v = 0; v < 4; v++)
                if (v == ISO_PASS || c[v])
                        iso_appendf(out, size, "%s%zu %s", *out ? ", " : "", c[v], names[v]);
}

static void put(const struct iso_progress_out *p, const char *s, size_t len)
{
        (void)!iso_write_all(p->fd, s, len);
}

void iso_progress_status(void *arg, const struct iso_plan_status *st)
{
        struct iso_progress_out *p = arg;
        char line[1024], counts[128];
        counts_text(st->counts, counts, sizeof(counts));
        if (p->lines && st->ended) {
                const struct iso_result *r = st->ended;
                int n = snprintf(line, sizeof(line), "isocheck: [%zu/%zu] %s %s (%.2f s)\n",
                                 st->done, st->n, iso_verdict_name(r->verdict), r->name,
                                 r->duration_s);
                put(p, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        }
        if (!p->live)
                return;
        /* The first case not yet done is number done + 1; the line never claims N + 1. */
        size_t at = st->done < st->n ? st->done + 1 : st->n;
        int n = snprintf(line, sizeof(line), "[%zu/%zu] %.1f s  %s", at, st->n, st->elapsed_s,
                         counts);
        size_t len = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
        for (size_t i = 0; i < st->n_running && i < ISO_PLAN_SHOWN; i++)
                len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
                                        i ? ", " : "  running: ", st->running[i]);
        if (st->n_running > ISO_PLAN_SHOWN && len < sizeof(line))
                len += (size_t)snprintf(line + len, sizeof(line) - len, " +%zu",
                                        st->n_running - ISO_PLAN_SHOWN);
        if (len >= sizeof(line))
                len = sizeof(line) - 1;
        /* One column short of the width: a full line would wrap on some terminals, and
         * \r would then redraw only its second half. */
        if (len > p->width - 1)
                len = p->width - 1;
        char out[1100];
        int m = snprintf(out, sizeof(out), "\r%.*s\033[K", (int)len, line);
        put(p, out, (size_t)m);
        p->drawn = 1;
}

void iso_progress_clear(struct iso_progress_out *p)
{
        if (p->drawn)
                put(p, "\r\033[K", 4);
        p->drawn = 0;
}

size_t iso_progress_slowest(const struct iso_result *results, size_t n, size_t top, FILE *f)
{
        size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), m = 0;
        if (!idx)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (results[i].duration_s > 0)
                        idx[m++] = i;
        /* A partial selection sort: top is small (5), n a few dozen. */
        size_t shown = m < top ? m : top;
        for (size_t k = 0; k < shown; k++) {
                size_t best = k;
                for (size_t j = k + 1; j < m; j++)
                        if (results[idx[j]].duration_s > results[idx[best]].duration_s)
                                best = j;
                size_t t = idx[k];
                idx[k] = idx[best];
                idx[best] = t;
        }
        if (shown)
                fprintf(f, "isocheck: slowest cases:\n");
        for (size_t k = 0; k < shown; k++)
                fprintf(f, "isocheck: %8.3f s  %s\n", results[idx[k]].duration_s,
                        results[idx[k]].name);
        free(idx);
        return shown;
}
