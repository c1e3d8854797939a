// SPDX-License-Identifier: MIT
/* The isocheck-vm command line. */
#include "isocheck/vm.h"

#include <getopt.h>
#include <string.h>

#include "isocheck/opt.h"

const char iso_vm_usage[] =
        "Usage: isocheck-vm --kernel PATH [--kernel PATH]... [OPTION]... [-- ISOCHECK-ARGS]\n"
        "       isocheck-vm --from-lava LOG > lava.junit.xml\n"
        "Boot each kernel under qemu with an initramfs holding the suite, run it with cgroup\n"
        "v1 and/or v2, and collect the reports.\n"
        "\n"
        "Kernels and guests:\n"
        "  -k, --kernel PATH        a bzImage, or a directory of vmlinuz-* (repeatable)\n"
        "  -c, --cgroup v1|v2|both  cgroup mode(s) to boot each kernel in (default both)\n"
        "  -m, --modules DIR        the modules tree of the --kernel before it (or a\n"
        "                           directory of trees named by release); before any\n"
        "                           --kernel, every kernel's (default /lib/modules/RELEASE);\n"
        "                           a tree of another release is refused\n"
        "      --accel auto|kvm|tcg auto: KVM when /dev/kvm works and the kernel speaks\n"
        "                           within --kvm-probe seconds, else TCG (default auto)\n"
        "      --memory MB          guest memory (default 1024)\n"
        "      --cpus N             guest CPUs (default 2)\n"
        "      --append ARGS        more kernel command line (e.g. to test a broken boot)\n"
        "      --qemu PROGRAM       the qemu binary (default qemu-system-x86_64)\n"
        "      --no-scratch         boot without the ext4 scratch disk and the swap disk\n"
        "                           (as a LAVA job does); the memory cases that need\n"
        "                           disk-backed page cache or swap then skip\n"
        "\n"
        "Time bounds (seconds):\n"
        "      --timeout S          one boot, from qemu's start to power-off (default 900)\n"
        "      --no-output-timeout S  the kernel's first console line (default 60)\n"
        "      --kvm-probe S        the same under KVM before falling back to TCG (default 20)\n"
        "      --timeout-mult F     the guest suite's --timeout-mult (default 1 KVM, 4 TCG)\n"
        "\n"
        "Concurrency:\n"
        "  -j, --jobs N             boot up to N configurations at once (default: the\n"
        "                           host's online CPUs divided by --cpus, at least 1);\n"
        "                           each verdict is printed as its boot ends\n"
        "\n"
        "Images for other launchers (a LAVA lab, your own qemu):\n"
        "      --build-initramfs FILE  write the initramfs for the one --kernel (its\n"
        "                           modules, the suite, the arguments after --) to FILE,\n"
        "                           print the kernel command line it needs and exit;\n"
        "                           --cgroup v1 or v2 (default v2) picks the line\n"
        "      --suite PROGRAM      the isocheck to put in the image (default: the one\n"
        "                           beside isocheck-vm; e.g. build/isocheck-selftest)\n"
        "      --from-lava LOG      convert a LAVA job's log (lava-run's stderr, or\n"
        "                           lavacli jobs logs --raw) of dist/lava/isocheck-job.yaml\n"
        "                           into isocheck's JUnit report on standard output\n"
        "\n"
        "Reports:\n"
        "  -o, --output DIR         reports/vm-RELEASE-CGROUP/ (isocheck.tap,\n"
        "                           isocheck.junit.xml, console.log) and the merged\n"
        "                           isocheck-vm.junit.xml go here (default reports)\n"
        "  -h, --help               show this help and exit\n"
        "\n"
        "Arguments after -- go to isocheck in the guest (e.g. -- --filter 'pidns.*').\n"
        "Exit status: 0 every configuration passed, 1 a failure or error, 2 bad usage (a\n"
        "missing or unreadable kernel, a modules tree of another release, an --accel kvm\n"
        "this host cannot give), 77 every configuration skipped (no qemu).\n"
        "The work directory is made under $TMPDIR (default /tmp).\n";

enum {
        OPT_ACCEL = 256,
        OPT_MEMORY,
        OPT_CPUS,
        OPT_APPEND,
        OPT_QEMU,
        OPT_TIMEOUT,
        OPT_NO_OUTPUT,
        OPT_KVM_PROBE,
        OPT_TIMEOUT_MULT,
        OPT_BUILD_INITRAMFS,
        OPT_SUITE,
        OPT_FROM_LAVA,
        OPT_NO_SCRATCH,
};

static const struct option long_opts[] = {
        {"kernel", required_argument, NULL, 'k'},
        {"cgroup", required_argument, NULL, 'c'},
        {"modules", required_argument, NULL, 'm'},
        {"accel", required_argument, NULL, OPT_ACCEL},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"cpus", required_argument, NULL, OPT_CPUS},
        {"append", required_argument, NULL, OPT_APPEND},
        {"qemu", required_argument, NULL, OPT_QEMU},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"no-output-timeout", required_argument, NULL, OPT_NO_OUTPUT},
        {"kvm-probe", required_argument, NULL, OPT_KVM_PROBE},
        {"timeout-mult", required_argument, NULL, OPT_TIMEOUT_MULT},
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"build-initramfs", required_argument, NULL, OPT_BUILD_INITRAMFS},
        {"suite", required_argument, NULL, OPT_SUITE},
        {"from-lava", required_argument, NULL, OPT_FROM_LAVA},
        {"no-scratch", no_argument, NULL, OPT_NO_SCRATCH},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

int iso_vm_parse_args(int argc, char *const argv[], struct iso_vm_opts *o, char *err,
                      size_t err_size)
{
        int ch, idx, cgroup_given = 0;

        memset(o, 0, sizeof(*o));
        o->want_v1 = o->want_v2 = 1;
        o->memory_mb = 1024;
        o->cpus = 2;
        o->timeout_s = 900;
        o->output_s = 60;
        o->kvm_probe_s = 20;
        o->output = "reports";
        o->qemu = "qemu-system-x86_64";
        iso_opt_reset();
        while ((ch = getopt_long(argc, argv, "+:k:c:m:o:j:h", long_opts, &idx)) != -1) {
                switch (ch) {
                case 'k':
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--kernel needs a path");
                        if (o->n_kernels >= ISO_VM_MAX_KERNELS)
                                return iso_opt_fail(err, err_size,
                                                    "too many --kernel options (at most %d)",
                                                    ISO_VM_MAX_KERNELS);
                        o->kernels[o->n_kernels++] = optarg;
                        break;
                case 'c':
                        if (cgroup_given++)
                                return iso_opt_fail(err, err_size, "--cgroup given twice");
                        o->want_v1 = !strcmp(optarg, "v1") || !strcmp(optarg, "both");
                        o->want_v2 = !strcmp(optarg, "v2") || !strcmp(optarg, "both");
                        if (!o->want_v1 && !o->want_v2)
                                return iso_opt_fail(err, err_size,
                                                    "--cgroup must be v1, v2 or both, not \"%s\"",
                                                    optarg);
                        break;
                case 'm':
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--modules needs a directory");
                        /* Pairs with the --kernel before it, so trees never cross kernels. */
                        if (o->n_kernels && o->kernel_modules[o->n_kernels - 1])
                                return iso_opt_fail(
                                        err, err_size,
                                        "--modules given twice for --kernel %s (a --modules "
                                        "pairs with the --kernel before it)",
                                        o->kernels[o->n_kernels - 1]);
                        if (!o->n_kernels && o->modules)
                                return iso_opt_fail(err, err_size,
                                                    "--modules given twice before any --kernel");
                        if (o->n_kernels)
                                o->kernel_modules[o->n_kernels - 1] = optarg;
                        else
                                o->modules = optarg;
                        break;
                case OPT_ACCEL:
                        if (!strcmp(optarg, "auto"))
                                o->accel = ISO_VM_ACCEL_AUTO;
                        else if (!strcmp(optarg, "kvm"))
                                o->accel = ISO_VM_ACCEL_KVM;
                        else if (!strcmp(optarg, "tcg"))
                                o->accel = ISO_VM_ACCEL_TCG;
                        else
                                return iso_opt_fail(err, err_size,
                                                    "--accel must be auto, kvm or tcg, not \"%s\"",
                                                    optarg);
                        break;
                case OPT_MEMORY:
                        if (iso_opt_whole(optarg, 256, 65536, &o->memory_mb) < 0)
                                return iso_opt_fail(
                                        err, err_size,
                                        "--memory must be 256 to 65536 (MB), not \"%s\"", optarg);
                        break;
                case OPT_CPUS:
                        if (iso_opt_whole(optarg, 1, 64, &o->cpus) < 0)
                                return iso_opt_fail(err, err_size,
                                                    "--cpus must be 1 to 64, not \"%s\"", optarg);
                        break;
                case OPT_APPEND:
                        o->append = optarg;
                        break;
                case OPT_QEMU:
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--qemu needs a program");
                        o->qemu = optarg;
                        break;
                case OPT_TIMEOUT:
                        if (iso_opt_number(optarg, 0, 86400, &o->timeout_s) < 0)
                                return iso_opt_fail(
                                        err, err_size,
                                        "--timeout must be seconds in (0, 86400], not \"%s\"",
                                        optarg);
                        break;
                case OPT_NO_OUTPUT:
                        if (iso_opt_number(optarg, 0, 86400, &o->output_s) < 0)
                                return iso_opt_fail(
                                        err, err_size,
                                        "--no-output-timeout must be seconds in (0, 86400], "
                                        "not \"%s\"",
                                        optarg);
                        break;
                case OPT_KVM_PROBE:
                        if (iso_opt_number(optarg, 0, 86400, &o->kvm_probe_s) < 0)
                                return iso_opt_fail(
                                        err, err_size,
                                        "--kvm-probe must be seconds in (0, 86400], not \"%s\"",
                                        optarg);
                        break;
                case OPT_TIMEOUT_MULT:
                        if (iso_opt_number(optarg, 0, 1000, &o->timeout_mult) < 0)
                                return iso_opt_fail(
                                        err, err_size,
                                        "--timeout-mult must be a number in (0, 1000], not "
                                        "\"%s\"",
                                        optarg);
                        break;
                case 'o':
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--output needs a directory");
                        o->output = optarg;
                        break;
                case 'j':
                        if (iso_opt_whole(optarg, 1, 64, &o->jobs) < 0)
                                return iso_opt_fail(err, err_size,
                                                    "--jobs must be 1 to 64, not \"%s\"", optarg);
                        break;
                case OPT_BUILD_INITRAMFS:
                        if (!*optarg)
                                return iso_opt_fail(err, err_size,
                                                    "--build-initramfs needs a file name");
                        o->build_initramfs = optarg;
                        break;
                case OPT_FROM_LAVA:
                        if (!*optarg)
                                return iso_opt_fail(err, err_size,
                                                    "--from-lava needs a LAVA job log");
                        o->from_lava = optarg;
                        break;
                case OPT_NO_SCRATCH:
                        o->no_scratch = 1;
                        break;
                case OPT_SUITE:
                        if (!*optarg)
                                return iso_opt_fail(err, err_size, "--suite needs a program");
                        o->suite = optarg;
                        break;
                case 'h':
                        o->help = 1;
                        return 0;
                default: /* ':' or '?': what getopt itself refused */
                        return iso_opt_refused(ch, argv, err, err_size);
                }
        }
        /* "+" stops at the first non-option: only what follows "--" is isocheck's. */
        if (optind < argc && strcmp(argv[optind - 1], "--"))
                return iso_opt_fail(err, err_size,
                                    "unexpected argument \"%s\" (isocheck's arguments go after --)",
                                    argv[optind]);
        for (int i = optind; i < argc; i++) {
                if (o->n_suite_args >= ISO_VM_MAX_ARGS)
                        return iso_opt_fail(err, err_size,
                                            "too many arguments for isocheck (at most %d)",
                                            ISO_VM_MAX_ARGS);
                o->suite_args[o->n_suite_args++] = argv[i];
        }
        if (o->from_lava) /* reads a log: nothing boots */
                return o->n_kernels || o->build_initramfs
                               ? iso_opt_fail(err, err_size,
                                              "--from-lava converts a log: no --kernel or "
                                              "--build-initramfs with it")
                               : 0;
        if (!o->n_kernels)
                return iso_opt_fail(err, err_size, "no --kernel given");
        if (o->build_initramfs) {
                /* One image is for one kernel; the mode only changes its command line. */
                if (o->n_kernels > 1)
                        return iso_opt_fail(err, err_size,
                                            "--build-initramfs writes the image of one --kernel, "
                                            "got %zu",
                                            o->n_kernels);
                if (!cgroup_given)
                        o->want_v1 = 0;
                else if (o->want_v1 && o->want_v2)
                        return iso_opt_fail(err, err_size,
                                            "--build-initramfs prints the command line of one "
                                            "cgroup mode: give --cgroup v1 or v2, not both");
        }
        return 0;
}
