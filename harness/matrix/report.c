// SPDX-License-Identifier: MIT
/*
 * `isocheck report [OPTIONS] REPORT...`: read JUnit files and report directories, write
 * one matrix. Exit status: 0 no cell is a fail or an error, 1 some is, 2 usage error or
 * unreadable input (the message names the file and line).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/opt.h"
#include "matrix.h"

enum { EXIT_CLEAN = 0, EXIT_CELLS = 1, EXIT_INPUT = 2 };

static int write_html(const struct iso_matrix *m, const struct iso_matrix_out *o, struct iso_err *e)
{
        if (!iso_matrix_html)
                return iso_err_setf(e, ENOSYS,
                                    "--format html: this isocheck was built without "
                                    "the HTML writer (harness/matrix/html.c)");
        return iso_matrix_html(m, o->path, o->f, e);
}

/* The formats, by --format name. */
static const struct {
        const char *name;
        int (*write)(const struct iso_matrix *, const struct iso_matrix_out *, struct iso_err *);
} writers[] = {
        {"text", iso_matrix_text},
        {"markdown", iso_matrix_markdown},
        {"json", iso_matrix_json},
        {"html", write_html},
};

static const char usage[] =
        "Usage: isocheck report [OPTIONS] REPORT...\n"
        "One matrix over many runs: a row per case, a column per configuration (target,\n"
        "host, kernel release, cgroup mode, runtime), a verdict per cell.\n"
        "REPORT is an isocheck JUnit file (each <testsuite> is a configuration) or a report\n"
        "directory (its isocheck.junit.xml, vm-*/isocheck.junit.xml, container/isocheck.junit.xml).\n"
        "  --format F        text (default), markdown, json or html\n"
        "  -o, --output FILE write there (atomically) instead of stdout\n"
        "  --baseline COL    mark every cell that differs from column COL (1-based number\n"
        "                    or label)\n"
        "  --details         text: list each cell that is not a pass with its reason\n"
        "  -h, --help        this text\n"
        "Rows whose verdicts differ across configurations come first. Text on a terminal is\n"
        "coloured unless NO_COLOR is set.\n"
        "Exit status: 0 no cell is a fail or an error, 1 some is, 2 usage error or a report\n"
        "that cannot be read.\n";

struct ropts {
        const char *format, *output, *baseline;
        int details, help;
        char **inputs;
        size_t n_inputs;
};

static int parse(int argc, char **argv, struct ropts *r, char *err, size_t size)
{
        static const struct option longs[] = {
                {"format", required_argument, NULL, 'f'},
                {"output", required_argument, NULL, 'o'},
                {"baseline", required_argument, NULL, 'b'},
                {"details", no_argument, NULL, 'd'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        int ch;

        memset(r, 0, sizeof(*r));
        r->format = "text";
        iso_opt_reset();
        while ((ch = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
                switch (ch) {
                case 'f':
                        r->format = optarg;
                        break;
                case 'o':
                        r->output = optarg;
                        break;
                case 'b':
                        r->baseline = optarg;
                        break;
                case 'd':
                        r->details = 1;
                        break;
                case 'h':
                        r->help = 1;
                        return 0;
                default:
                        return iso_opt_refused(ch, argv, err, size);
                }
        }
        r->inputs = argv + optind;
        r->n_inputs = (size_t)(argc - optind);
        if (!r->n_inputs)
                return iso_opt_fail(err, size,
                                    "report: expected at least one JUnit file or "
                                    "report directory (see --help)");
        return 0;
}

/* Colour: text only, on a terminal, and never when NO_COLOR is set (no-color.org: set
 * and not empty). */
static int want_colour(const struct ropts *r)
{
        const char *nc = getenv("NO_COLOR");

        return !r->output && !strcmp(r->format, "text") && isatty(STDOUT_FILENO) && !(nc && *nc);
}

/* Compose the whole output, then write it: -o FILE is replaced atomically or not at all. */
static int emit(const struct iso_matrix *m, const struct ropts *r, size_t w, struct iso_err *e)
{
        struct iso_matrix_out o = {
                .path = r->output, .colour = want_colour(r), .details = r->details};
        char *buf = NULL;
        size_t len = 0;
        int rc;

        if (!r->output) {
                o.f = stdout;
                return writers[w].write(m, &o, e);
        }
        o.f = open_memstream(&buf, &len);
        if (!o.f)
                return iso_errf(e, errno, "open_memstream for %s", r->output);
        rc = writers[w].write(m, &o, e);
        if (fclose(o.f) != 0 && rc == 0)
                rc = iso_errf(e, errno, "composing %s", r->output);
        if (rc == 0)
                rc = iso_write_atomic(r->output, buf, len, e);
        free(buf);
        return rc;
}

int iso_report_main(int argc, char **argv)
{
        struct iso_matrix m = {0};
        struct iso_err e = {0};
        struct ropts r;
        char err[512];
        size_t w;

        if (parse(argc, argv, &r, err, sizeof(err)) < 0) {
                fprintf(stderr, "isocheck report: %s\n", err);
                return EXIT_INPUT;
        }
        if (r.help) {
                fputs(usage, stdout);
                return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_CLEAN : EXIT_INPUT;
        }
        for (w = 0; w < ISO_ARRAY_SIZE(writers); w++)
                if (!strcmp(writers[w].name, r.format))
                        break;
        if (w == ISO_ARRAY_SIZE(writers)) {
                fprintf(stderr,
                        "isocheck report: --format %s: expected text, markdown, json or html\n",
                        r.format);
                return EXIT_INPUT;
        }
        if (iso_matrix_load(&m, r.inputs, r.n_inputs, &e) < 0) {
                fprintf(stderr, "isocheck report: %s\n", e.msg);
                return EXIT_INPUT;
        }
        if (r.baseline) {
                long col = iso_matrix_column(&m, r.baseline, &e);

                if (col < 0 || iso_matrix_set_baseline(&m, col, &e) < 0) {
                        fprintf(stderr, "isocheck report: %s\n", e.msg);
                        iso_matrix_free(&m);
                        return EXIT_INPUT;
                }
        }
        int rc = emit(&m, &r, w, &e);

        if (rc < 0) {
                fprintf(stderr, "isocheck report: %s\n", e.msg);
                iso_matrix_free(&m);
                return EXIT_INPUT;
        }
        rc = iso_matrix_failed(&m) ? EXIT_CELLS : EXIT_CLEAN;
        iso_matrix_free(&m);
        return rc;
}
