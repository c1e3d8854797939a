# Installing isocheck like a tool (issue 15), the quick part: the man pages (mandoc lint,
# --help and pages agree, isocheck-cases(7) lists the registry), the version, `make install`
# into a DESTDIR and what the installed tree runs and finds, bash completion, `make
# uninstall`. The package, the clean root and the image: `make test-package`
# (harness/tests/package.sh). Sourced by run.sh and field.sh.
INS=$work/install
mkdir -p "$INS"
MAKE_CMD=${MAKE:-make}
$MAKE_CMD -s man >"$INS/man.out" 2>&1 || cat "$INS/man.out"

# --- the pages ------------------------------------------------------------------------
check "install: every man page passes mandoc -T lint at warning level" \
        mandoc -T lint -W warning build/man/isocheck.1 build/man/isocheck-vm.1 \
        build/man/isocheck-report.1 build/man/isocheck-cases.7
build/isocheck --help >"$INS/help.txt"
check "install: isocheck --help and isocheck(1) list the same options" \
        $PY harness/tests/man_options.py "$INS/help.txt" docs/man/isocheck.1
build/isocheck-vm --help >"$INS/vm-help.txt"
check "install: isocheck-vm --help and isocheck-vm(1) list the same options" \
        $PY harness/tests/man_options.py "$INS/vm-help.txt" docs/man/isocheck-vm.1
# The comparison names what is missing where: a page without --cleanup.
grep -v '^\.It Fl \\-cleanup$' docs/man/isocheck.1 >"$INS/short.1"
check "install: ... and names an option a page lacks (--cleanup removed from a copy)" sh -c "
        ! $PY harness/tests/man_options.py '$INS/help.txt' '$INS/short.1' >'$INS/short.out' &&
        grep -x -- '--cleanup: in --help, missing from $INS/short.1 (add an .It Fl line for it)' \
                '$INS/short.out'"
# `isocheck report` is the matrix's subcommand; until this isocheck has it there is no
# --help to compare with.
if build/isocheck report --help >"$INS/report-help.txt" 2>"$INS/report-help.err"; then
        check "install: isocheck report --help and isocheck-report(1) list the same options" \
                $PY harness/tests/man_options.py "$INS/report-help.txt" docs/man/isocheck-report.1
else
        skipped "install: isocheck report --help and isocheck-report(1) list the same options" \
                "this isocheck has no report subcommand: $(head -c 200 "$INS/report-help.err")"
fi
# isocheck-cases(7) is generated from the registry: every listed case has its section.
build/isocheck --list | awk '{ print $1 }' | sort >"$INS/list.txt"
sed -n 's/^\.Ss \\&//p' build/man/isocheck-cases.7 | sort >"$INS/page-cases.txt"
check "install: isocheck-cases(7) has a section for every case --list gives, and no other" \
        diff "$INS/list.txt" "$INS/page-cases.txt"
check "install: ... each with its lab step, needs, timeout, documents followed and source" sh -c "
        n=\$(wc -l <'$INS/list.txt')
        for f in 'Lab step' Needs Timeout Follows Source; do
                [ \$(grep -c \"^\\.It \$f\$\" build/man/isocheck-cases.7) -eq \$n ] ||
                        { echo \"\$f: not in every case's section\"; exit 1; }
        done"

# --- make install into a DESTDIR ------------------------------------------------------
D=$INS/dest
$MAKE_CMD -s install DESTDIR="$D" PREFIX=/usr >"$INS/install.out" 2>&1
check "install: make install DESTDIR PREFIX=/usr puts every part in its GNU directory" sh -c "
        cat '$INS/install.out'
        for f in usr/bin/isocheck usr/bin/isocheck-vm usr/libexec/isocheck/isocheck-init \
                usr/libexec/isocheck/fixtures/app usr/libexec/isocheck/fixtures/sidecar \
                usr/libexec/isocheck/fixtures/app-image/Dockerfile \
                usr/libexec/isocheck/fixtures/sidecar-image/Dockerfile \
                usr/share/isocheck/isocheck-junit.xsd usr/share/man/man1/isocheck.1 \
                usr/share/man/man1/isocheck-vm.1 usr/share/man/man1/isocheck-report.1 \
                usr/share/man/man7/isocheck-cases.7 \
                usr/share/bash-completion/completions/isocheck; do
                [ -e '$D'/\$f ] || { echo \"missing: \$f\"; exit 1; }
        done"
# The version (make install brought the build up to date).
ver=$(scripts/version.sh)
check "install: --version is scripts/version.sh's (git describe here, or the package's)" sh -c "
        [ \"\$(build/isocheck --version)\" = 'isocheck $ver' ] && [ -n '$ver' ] &&
        case '$ver' in unknown*) exit 1 ;; esac"
# Outside git (a tarball): the package version, the first line of debian/changelog.
mkdir -p "$INS/tarball/scripts" "$INS/tarball/debian"
cp scripts/version.sh "$INS/tarball/scripts/"
cp debian/changelog "$INS/tarball/debian/"
check "install: ... and outside a git checkout, the package version (debian/changelog)" sh -c "
        want=\$(dpkg-parsechangelog -l debian/changelog -S Version)
        got=\$(GIT_CEILING_DIRECTORIES='$INS' '$INS/tarball/scripts/version.sh')
        [ \"\$got\" = \"\$want\" ] || { echo \"got \$got, want \$want\"; exit 1; }"

check "install: the installed isocheck --version and --list are the build's" sh -c "
        [ \"\$('$D/usr/bin/isocheck' --version)\" = 'isocheck $ver' ] &&
        '$D/usr/bin/isocheck' --list | awk '{ print \$1 }' | sort | diff '$INS/list.txt' -"
check "install: man finds and renders isocheck(1) and isocheck-cases(7) from MANDIR" sh -c "
        MANWIDTH=80 man -M '$D/usr/share/man' isocheck 2>&1 | grep -q 'check that this kernel.s cgroups' &&
        MANWIDTH=80 man -M '$D/usr/share/man' 7 isocheck-cases 2>&1 | grep -q 'pidns.init.pid1'"

# The container cases of the native runtime, run by the installed binary: they find the
# installed fixtures (no ISOCHECK_FIXTURES), and the reports carry the version.
native="container.app.serves container.app.noshell sidecar.netns.shared sidecar.capture.http sidecar.capture.isolated"
filters=$(for c in $native; do printf -- '--filter %s ' "$c"; done)
# shellcheck disable=SC2086
env -u ISOCHECK_FIXTURES "$D/usr/bin/isocheck" $filters --tap "$INS/inst.tap" --junit "$INS/inst.xml" \
        --artifacts "$INS/inst-art" >/dev/null 2>"$INS/inst.err"
echo $? >"$INS/inst.rc"
check "install: the installed isocheck runs the native container cases, all passing" sh -c "
        [ \$(cat '$INS/inst.rc') -eq 0 ] && [ \$(grep -c -E '^ok [0-9]+ - [a-z.]+\$' '$INS/inst.tap') -eq 5 ] ||
                { cat '$INS/inst.err'; grep -A3 '^not ok\|SKIP' '$INS/inst.tap'; exit 1; }"
check "install: ... its TAP and JUnit carry the version ($ver)" sh -c "
        grep -qxF '# isocheck $ver' '$INS/inst.tap' &&
        grep -qF 'name=\"isocheck.version\" value=\"$ver\"' '$INS/inst.xml'"
check "install: ... its JUnit is valid against the schemas" xml_ok "$INS/inst.xml"
check "install: ... and nothing of it is left" no_cgroups_of "$INS/inst.xml"

# A fixture missing from the installation is an error naming where it looked, never a skip.
mv "$D/usr/libexec/isocheck/fixtures/app" "$INS/app.moved"
env -u ISOCHECK_FIXTURES "$D/usr/bin/isocheck" --filter container.app.serves --tap "$INS/noapp.tap" \
        --junit "$INS/noapp.xml" --artifacts "$INS/noapp-art" >/dev/null 2>&1
echo $? >"$INS/noapp.rc"
mv "$INS/app.moved" "$D/usr/libexec/isocheck/fixtures/app"
check "install: an installed app fixture removed: an error naming LIBEXECDIR, exit 1" sh -c "
        [ \$(cat '$INS/noapp.rc') -eq 1 ] &&
        $PY harness/tests/junit_check.py '$INS/noapp.xml' --case container.app.serves \
                --verdict error --text '$D/usr/bin/../libexec/isocheck/fixtures'"

# isocheck-vm, installed, takes its guest init from LIBEXECDIR: without it, the initramfs
# build names that path (and no qemu starts).
k=$(ls /boot/vmlinuz-* 2>/dev/null | tail -n 1)
if [ -n "$k" ] && [ -d "/lib/modules/${k#/boot/vmlinuz-}" ]; then
        mv "$D/usr/libexec/isocheck/isocheck-init" "$INS/init.moved"
        timeout 120 "$D/usr/bin/isocheck-vm" --kernel "$k" --cgroup v2 --accel tcg \
                --output "$INS/vm" >"$INS/vm.out" 2>&1
        echo $? >"$INS/vm.rc"
        mv "$INS/init.moved" "$D/usr/libexec/isocheck/isocheck-init"
        check "install: the installed isocheck-vm looks for its guest init in LIBEXECDIR" \
                grep -qF "$D/usr/bin/../libexec/isocheck/isocheck-init" "$INS/vm.out" \
                "$INS/vm/isocheck-vm.junit.xml"
        check "install: ... and started no qemu for it" no_qemu_under "$INS/vm"
else
        skipped "install: the installed isocheck-vm looks for its guest init in LIBEXECDIR" \
                "no kernel image with its modules in /boot and /lib/modules"
fi

# Bash completion: case names for --filter, options for -.
check "install: bash completion offers the case names for --filter, the options for -" \
        bash -c "
        . '$D/usr/share/bash-completion/completions/isocheck'
        COMP_WORDS=('$D/usr/bin/isocheck' --filter pidns.v); COMP_CWORD=2; _isocheck
        got=\$(printf '%s\n' \"\${COMPREPLY[@]}\" | sort)
        want=\$(grep '^pidns\.v' '$INS/list.txt')
        [ \"\$got\" = \"\$want\" ] || { echo \"got: \$got; want: \$want\"; exit 1; }
        COMP_WORDS=('$D/usr/bin/isocheck' --tap-v); COMP_CWORD=1; _isocheck
        [ \"\${COMPREPLY[*]}\" = --tap-version ] || { echo \"got: \${COMPREPLY[*]}\"; exit 1; }"

# --- make uninstall ----------------------------------------------------------------------
$MAKE_CMD -s uninstall DESTDIR="$D" PREFIX=/usr >"$INS/uninstall.out" 2>&1
check "install: make uninstall leaves the DESTDIR empty" sh -c "
        cat '$INS/uninstall.out'; [ -d '$D' ] && [ -z \"\$(find '$D' -mindepth 1 | head)\" ] ||
                { find '$D' -mindepth 1 | head; exit 1; }"
