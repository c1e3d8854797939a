// SPDX-License-Identifier: MIT
#include "isocheck/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/container.h"
#include "isocheck/opt.h"

const char iso_cli_usage[] =
        "Usage: isocheck [OPTION]...\n"
        "       isocheck report [OPTION]... REPORT...   (a matrix over many runs: --help)\n"
        "Check that this kernel's cgroups and namespaces behave as containers need.\n"
        "\n"
        "Selecting cases:\n"
        "  -l, --list              list the cases and exit\n"
        "  -f, --filter GLOB       run only cases whose name matches GLOB (repeatable)\n"
        "  -x, --exclude GLOB      leave out cases whose name matches GLOB (repeatable)\n"
        "  -k TEXT                 run only cases whose name holds TEXT (case ignored)\n"
        "                          (repeatable: any TEXT; with --filter, both must match)\n"
        "      --last-failed FILE  run the cases that failed or errored in FILE, a TAP or\n"
        "                          JUnit report of isocheck's (exit 77: none did)\n"
        "      --skip-file FILE    report cases matching a line \"GLOB reason...\" of FILE\n"
        "                          as skipped with that reason ('#' lines: comments)\n"
        "      --format text|json  how --list and --env print (default text)\n"
        "\n"
        "Reports:\n"
        "      --tap FILE|-        also write the TAP stream to FILE\n"
        "                          (default reports/isocheck.tap; - for stdout only)\n"
        "      --tap-version 13|14 TAP version (default 14; 13 for prove 3.44)\n"
        "      --junit FILE        JUnit XML report (default reports/isocheck.junit.xml)\n"
        "                          and beside it index.html, the page for people\n"
        "      --artifacts DIR     per-case artifacts (default reports/artifacts)\n"
        "      --target NAME       name of the JUnit testsuite (default host; the VM and\n"
        "                          container targets set it)\n"
        "      --property K=V      add a JUnit property (repeatable), e.g. cgroup=v2;\n"
        "                          never one the run sets (run.id, target, kernel.release)\n"
        "\n"
        "Running:\n"
        "      --timeout-mult F    multiply every case's timeout by F (0.01 to 1000)\n"
        "      --timeout NAME=S    S seconds (1 to 86400) for cases matching the glob NAME,\n"
        "                          before --timeout-mult (repeatable: the last match wins)\n"
        "      --repeat N          run the selection N times (1 to 1000), in rounds; each\n"
        "                          result is named NAME#ROUND when N > 1\n"
        "      --until-fail        repeat rounds until one has a failure or error\n"
        "                          (at most --repeat N rounds, default 100)\n"
        "      --shuffle           run in a random order; the seed is printed on stderr\n"
        "                          and kept as the JUnit property shuffle.seed\n"
        "      --seed N            shuffle with seed N (0 to 4294967295) to replay an order\n"
        "  -v, --verbose           write each case's log as TAP comments\n"
        "  -j, --jobs N            run up to N cases at once (1 to 64; default: the CPUs\n"
        "                          isocheck may run on; -j1 runs them one by one in order);\n"
        "                          reports keep the list order whatever N\n"
        "      --progress WHEN     a status line on stderr: auto (when it is a terminal,\n"
        "                          default), always (a line per ended case when not a\n"
        "                          terminal), never (nor the slowest cases at the end)\n"
        "\n"
        "Other:\n"
        "      --env               describe this machine as the cases see it, and exit\n"
        "      --cleanup           remove what dead runs left (cgroups, containers, roots)\n"
        "                          and exit; a live run's resources are never touched\n"
        "      --hold-run CMD...   (alone, first) hold a run record while CMD runs, its id\n"
        "                          in ISOCHECK_HELD_RUN_ID (for scripted targets)\n"
        "  -h, --help              show this help and exit\n"
        "  -V, --version           show the version and exit\n"
        "\n"
        "Exit status: 0 all passed (skips allowed), 1 a failure or error, 2 bad usage,\n"
        "77 no case could run, 99 the harness broke.\n";

enum {
        OPT_TAP = 256,
        OPT_TAP_VERSION,
        OPT_JUNIT,
        OPT_ARTIFACTS,
        OPT_TIMEOUT_MULT,
        OPT_ENV,
        OPT_TARGET,
        OPT_PROPERTY,
        OPT_CLEANUP,
        OPT_LAST_FAILED,
        OPT_SKIP_FILE,
        OPT_TIMEOUT,
        OPT_REPEAT,
        OPT_UNTIL_FAIL,
        OPT_SHUFFLE,
        OPT_SEED,
        OPT_FORMAT,
        OPT_PROGRESS,
};

static const struct option long_opts[] = {
        {"list", no_argument, NULL, 'l'},
        {"filter", required_argument, NULL, 'f'},
        {"exclude", required_argument, NULL, 'x'},
        {"tap", required_argument, NULL, OPT_TAP},
        {"tap-version", required_argument, NULL, OPT_TAP_VERSION},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"artifacts", required_argument, NULL, OPT_ARTIFACTS},
        {"timeout-mult", required_argument, NULL, OPT_TIMEOUT_MULT},
        {"env", no_argument, NULL, OPT_ENV},
        {"cleanup", no_argument, NULL, OPT_CLEANUP},
        {"target", required_argument, NULL, OPT_TARGET},
        {"property", required_argument, NULL, OPT_PROPERTY},
        {"verbose", no_argument, NULL, 'v'},
        {"last-failed", required_argument, NULL, OPT_LAST_FAILED},
        {"skip-file", required_argument, NULL, OPT_SKIP_FILE},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"until-fail", no_argument, NULL, OPT_UNTIL_FAIL},
        {"shuffle", no_argument, NULL, OPT_SHUFFLE},
        {"seed", required_argument, NULL, OPT_SEED},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"jobs", required_argument, NULL, 'j'},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

static int add_glob(const char **list, size_t *n, const char *glob, const char *opt, char *err,
                    size_t size)
{
        if (!*glob)
                return iso_opt_fail(err, size, "%s needs a non-empty glob", opt);
        if (*n >= ISO_MAX_GLOBS)
                return iso_opt_fail(err, size, "too many %s options (at most 32)", opt);
        list[(*n)++] = glob;
        return 0;
}

/*
 * The property names the run itself writes (main.c: target, version, run id; env_describe.c:
 * what the probe found, every tool as "tool.NAME"). A --property of the same name would put a
 * second, contradicting value in the report, which readers resolve either way: refused.
 * harness/tests/test_cli.c checks this list against what iso_env_properties() writes.
 */
static const char *const reserved_props[] = {
        "target",
        "isocheck.version",
        "run.id",
        "kernel.release",
        "kernel.version",
        "kernel.package",
        "hostname",
        "cgroup.mode",
        "cgroup.memory",
        "cgroup.v2.controllers",
        "uid",
        "capeff",
        "namespaces",
        "kconfig.source",
        "swap.total_kb",
        "swap.accounting",
        "vm.overcommit_memory",
        "rlimits",
        "kmsg.readable",
        "container",
        "virt",
        "docker",
        "docker.builder",
        "tool.variables",
        "shuffle.seed",
        "repeat",
};

static int check_property(const struct iso_opts *o, const char *prop, char *err, size_t size)
{
        size_t len = strcspn(prop, "=");

        if (!strncmp(prop, "tool.", 5))
                return iso_opt_fail(err, size,
                                    "--property %.*s: names starting \"tool.\" are the run's own",
                                    (int)len, prop);
        if (!strncmp(prop, "kconfig.", 8))
                return iso_opt_fail(
                        err, size, "--property %.*s: names starting \"kconfig.\" are the run's own",
                        (int)len, prop);
        for (size_t i = 0; i < sizeof(reserved_props) / sizeof(reserved_props[0]); i++)
                if (strlen(reserved_props[i]) == len && !strncmp(prop, reserved_props[i], len))
                        return iso_opt_fail(err, size,
                                            "--property %.*s: the run writes that property "
                                            "itself; choose another name",
                                            (int)len, prop);
        for (size_t i = 0; i < o->n_properties; i++)
                if (strcspn(o->properties[i], "=") == len && !strncmp(o->properties[i], prop, len))
                        return iso_opt_fail(err, size, "--property %.*s is given twice", (int)len,
                                            prop);
        return 0;
}

/* --list and --env each replace the run: asking for both is a mistake worth naming. */
static int set_action(struct iso_opts *o, enum iso_action a, const char *opt, const char **prev,
                      char *err, size_t size)
{
        if (*prev && strcmp(*prev, opt))
                return iso_opt_fail(err, size, "%s and %s cannot be combined", *prev, opt);
        *prev = opt;
        o->action = a;
        return 0;
}

/* --timeout NAME=SECONDS: NAME a glob (may itself hold '='), SECONDS whole and bounded. */
static int add_timeout(struct iso_opts *o, const char *arg, char *err, size_t size)
{
        const char *eq = strrchr(arg, '=');
        unsigned secs;

        if (!eq || eq == arg)
                return iso_opt_fail(err, size,
                                    "--timeout needs NAME=SECONDS (NAME a case name or "
                                    "glob), not \"%s\"",
                                    arg);
        if (iso_opt_whole(eq + 1, 1, ISO_MAX_CASE_TIMEOUT_S, &secs) < 0)
                return iso_opt_fail(err, size,
                                    "--timeout %.*s=: SECONDS must be a whole number from 1 to "
                                    "%d, not \"%s\"",
                                    (int)(eq - arg), arg, ISO_MAX_CASE_TIMEOUT_S, eq + 1);
        if (o->n_timeouts >= ISO_MAX_GLOBS)
                return iso_opt_fail(err, size, "too many --timeout options (at most 32)");
        o->timeouts[o->n_timeouts++] = (struct iso_timeout_opt){arg, (size_t)(eq - arg), secs};
        return 0;
}

/* What a run does with the plan; --list, --env and --cleanup would silently ignore it. */
static const char *run_only_option(const struct iso_opts *o)
{
        if (o->repeat)
                return "--repeat";
        if (o->until_fail)
                return "--until-fail";
        if (o->shuffle)
                return o->seed_given ? "--seed" : "--shuffle";
        return NULL;
}

/* Options that choose cases: meaningless where no case is looked at. */
static const char *selection_option(const struct iso_opts *o)
{
        if (o->n_filters)
                return "--filter";
        if (o->n_excludes)
                return "--exclude";
        if (o->n_keywords)
                return "-k";
        if (o->last_failed)
                return "--last-failed";
        if (o->skip_file)
                return "--skip-file";
        if (o->n_timeouts)
                return "--timeout";
        return run_only_option(o);
}

int iso_cli_parse(int argc, char *const argv[], struct iso_opts *o, char *err, size_t err_size)
{
        memset(o, 0, sizeof(*o));
        o->tap_path = "reports/isocheck.tap";
        o->tap_version = 14;
        o->junit_path = "reports/isocheck.junit.xml";
        o->artifacts_dir = "reports/artifacts";
        o->timeout_mult = 1.0;
        o->target = "host";

        iso_opt_reset();
        int ch, idx;
        const char *action_opt = NULL;
        int format_given = 0;
        while ((ch = getopt_long(argc, argv, ":lf:x:k:vhVj:", long_opts, &idx)) != -1) {
                switch (ch) {
                case 'l':
                        if (set_action(o, ISO_ACT_LIST, "--list", &action_opt, err, err_size))
                                return -1;
                        break;
                case 'f':
                        if (add_glob(o->filters, &o->n_filters, optarg, "--filter", err, err_size) <
                            0)
                                return -1;
                        break;
                case 'x':
                        if (add_glob(o->excludes, &o->n_excludes, optarg, "--exclude", err,
                                     err_size) < 0)
                                return -1;
                        break;
                case OPT_TAP:
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--tap needs a file name or -");
                        o->tap_path = strcmp(optarg, "-") ? optarg : NULL;
                        break;
                case OPT_TAP_VERSION:
                        if (!strcmp(optarg, "13"))
                                o->tap_version = 13;
                        else if (!strcmp(optarg, "14"))
                                o->tap_version = 14;
                        else
                                return iso_opt_fail(err, err_size,
                                                    "--tap-version must be 13 or 14, not \"%s\"",
                                                    optarg);
                        break;
                case OPT_JUNIT:
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--junit needs a file name");
                        o->junit_path = optarg;
                        break;
                case OPT_ARTIFACTS:
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--artifacts needs a directory");
                        o->artifacts_dir = optarg;
                        break;
                case OPT_TIMEOUT_MULT:
                        if (iso_opt_number(optarg, 0.01, 1000, &o->timeout_mult) < 0)
                                return iso_opt_fail(
                                        err, err_size,
                                        "--timeout-mult needs a number from 0.01 to 1000, "
                                        "not \"%s\"",
                                        optarg);
                        break;
                case OPT_TARGET:
                        if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyz"
                                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                                                strlen(optarg))
                                return iso_opt_fail(
                                        err, err_size,
                                        "--target needs a name of letters, digits, '.', '_' "
                                        "or '-', not \"%s\"",
                                        optarg);
                        o->target = optarg;
                        break;
                case OPT_PROPERTY: {
                        const char *eq = strchr(optarg, '=');
                        if (!eq || eq == optarg)
                                return iso_opt_fail(err, err_size,
                                                    "--property needs NAME=VALUE, not \"%s\"",
                                                    optarg);
                        if (o->n_properties >= ISO_MAX_GLOBS)
                                return iso_opt_fail(err, err_size,
                                                    "too many --property options (at "
                                                    "most 32)");
                        if (check_property(o, optarg, err, err_size) < 0)
                                return -1;
                        o->properties[o->n_properties++] = optarg;
                        break;
                }
                case OPT_CLEANUP:
                        if (set_action(o, ISO_ACT_CLEANUP, "--cleanup", &action_opt, err, err_size))
                                return -1;
                        break;
                case OPT_ENV:
                        if (set_action(o, ISO_ACT_ENV, "--env", &action_opt, err, err_size))
                                return -1;
                        break;
                case 'v':
                        o->verbose = 1;
                        break;
                case 'k':
                        if (add_glob(o->keywords, &o->n_keywords, optarg, "-k", err, err_size) < 0)
                                return -1;
                        break;
                case OPT_LAST_FAILED:
                case OPT_SKIP_FILE: {
                        const char **slot = ch == OPT_SKIP_FILE ? &o->skip_file : &o->last_failed;
                        const char *opt = ch == OPT_SKIP_FILE ? "--skip-file" : "--last-failed";
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "%s needs a file name", opt);
                        if (*slot)
                                return iso_opt_fail(err, err_size, "%s is given twice", opt);
                        *slot = optarg;
                        break;
                }
                case OPT_TIMEOUT:
                        if (add_timeout(o, optarg, err, err_size) < 0)
                                return -1;
                        break;
                case OPT_REPEAT:
                        if (iso_opt_whole(optarg, 1, ISO_MAX_REPEAT, &o->repeat) < 0)
                                return iso_opt_fail(err, err_size,
                                                    "--repeat needs a whole number from 1 to %d, "
                                                    "not \"%s\"",
                                                    ISO_MAX_REPEAT, optarg);
                        break;
                case OPT_UNTIL_FAIL:
                        o->until_fail = 1;
                        break;
                case OPT_SHUFFLE:
                        o->shuffle = 1;
                        break;
                case OPT_SEED: {
                        unsigned seed;
                        if (iso_opt_whole(optarg, 0, 4294967295UL, &seed) < 0)
                                return iso_opt_fail(err, err_size,
                                                    "--seed needs a whole number from 0 to "
                                                    "4294967295, not \"%s\"",
                                                    optarg);
                        o->seed = seed;
                        o->seed_given = 1;
                        o->shuffle = 1; /* replaying an order is shuffling with its seed */
                        break;
                }
                case OPT_FORMAT:
                        if (!strcmp(optarg, "text"))
                                o->format = ISO_FMT_TEXT;
                        else if (!strcmp(optarg, "json"))
                                o->format = ISO_FMT_JSON;
                        else
                                return iso_opt_fail(err, err_size,
                                                    "--format must be text or json, not \"%s\"",
                                                    optarg);
                        format_given = 1;
                        break;
                case 'j': {
                        double j = 0;
                        if (strspn(optarg, "0123456789") != strlen(optarg) ||
                            iso_opt_number(optarg, 1, ISO_MAX_JOBS, &j) < 0)
                                return iso_opt_fail(err, err_size,
                                                    "--jobs needs a whole number from 1 to %d, "
                                                    "not \"%s\"",
                                                    ISO_MAX_JOBS, optarg);
                        o->jobs = (unsigned)j;
                        break;
                }
                case OPT_PROGRESS:
                        if (!strcmp(optarg, "auto"))
                                o->progress = ISO_PROGRESS_AUTO;
                        else if (!strcmp(optarg, "always"))
                                o->progress = ISO_PROGRESS_ALWAYS;
                        else if (!strcmp(optarg, "never"))
                                o->progress = ISO_PROGRESS_NEVER;
                        else
                                return iso_opt_fail(err, err_size,
                                                    "--progress must be auto, always or never, "
                                                    "not \"%s\"",
                                                    optarg);
                        break;
                case 'h':
                        o->action = ISO_ACT_HELP;
                        break;
                case 'V':
                        o->action = ISO_ACT_VERSION;
                        break;
                default: /* ':' or '?': what getopt itself refused */
                        return iso_opt_refused(ch, argv, err, err_size);
                }
        }
        if (optind < argc)
                return iso_opt_fail(err, err_size, "unexpected argument \"%s\" (see --help)",
                                    argv[optind]);
        /* --env describes the machine and --cleanup removes what dead runs left: neither
         * looks at cases, so a --filter or --exclude with them would be silently ignored. */
        if ((o->action == ISO_ACT_ENV || o->action == ISO_ACT_CLEANUP) && selection_option(o))
                return iso_opt_fail(err, err_size,
                                    "%s cannot be combined with %s (it runs no case)", action_opt,
                                    selection_option(o));
        if (o->action == ISO_ACT_LIST && run_only_option(o))
                return iso_opt_fail(err, err_size,
                                    "--list cannot be combined with %s (it lists each case "
                                    "once, in registry order)",
                                    run_only_option(o));
        if (format_given && o->action != ISO_ACT_LIST && o->action != ISO_ACT_ENV)
                return iso_opt_fail(err, err_size,
                                    "--format applies to --list and --env only (the run writes "
                                    "TAP and JUnit: see --tap and --junit)");
        return 0;
}

int iso_cli_check_env(char *err, size_t err_size)
{
        /* Every container case would otherwise end as an error for the same reason. */
        char host[16], app[16];
        struct iso_err e = {0};
        if (iso_app_addresses(0, host, app, &e) < 0)
                return iso_opt_fail(err, err_size, "%s", e.msg);
        return 0;
}
