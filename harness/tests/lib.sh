# Shared by run.sh and field.sh: counters, the check helper, paths of the outside
# consumers, and the probes that find what a run (by its run.id) left behind.
# Sourced, never run; expects $top (the checkout) and sets up $work.
pass=0 fail=0 skip=0
work=$(mktemp -d /tmp/isocheck-test.XXXXXX)
swapfile=/var/tmp/isocheck-test-swap-$$
# Whatever happens, the machine is put back: swap off, files gone.
restore() {
        swapoff "$swapfile" 2>/dev/null
        rm -f "$swapfile"
        rm -rf "$work"
}
trap restore EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; }
skipped() { skip=$((skip + 1)); echo "ok - $1 # SKIP $2"; }
# check NAME COMMAND...: one test, passing when COMMAND exits 0; its output shown on failure.
check() {
        local name=$1 out
        shift
        if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$(printf '%s\n' "$out" | tail -n 15)"; fi
}

export NODE_PATH=/usr/share/nodejs
PY=/usr/bin/python3  # Debian's: it has junitparser and tap
JUNIT_XSD=../shared/schemas/junit-10.xsd
OWN_XSD=fixtures/schemas/isocheck-junit.xsd
export ISOCHECK_SAMPLES=$top/fixtures/samples
# glibc's own leak under LOCPATH (see the file) is not reported as ours.
export LSAN_OPTIONS="suppressions=$top/harness/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# A comma-decimal locale for the test that JUnit times stay "%.3f" whatever LC_NUMERIC says.
if command -v localedef >/dev/null && mkdir -p "$work/locale" &&
        localedef -i de_DE -f UTF-8 "$work/locale/de_DE.UTF-8" >/dev/null 2>&1; then
        export LOCPATH=$work/locale
fi


# Only what our own runs made: another isocheck may run on this machine meanwhile.
run_id() { grep -o 'name="run.id" value="[^"]*"' "$1" | sed 's/.*value="//; s/"$//'; }
no_cgroups_of() { # XML...: no cgroup named after the runs that wrote these reports
        local x id
        for x in "$@"; do
                id=$(run_id "$x")
                [ -n "$id" ] || { echo "no run.id in $x"; return 1; }
                # isocheck-<id>, and isocheck-<id>-<what>: an OCI container's own cgroup.
                if find /sys/fs/cgroup -maxdepth 4 -type d \( -name "isocheck-$id" -o -name "isocheck-$id-*" \) | grep .; then
                        return 1
                fi
        done
}
no_qemu_under() { # DIR: no qemu process whose command line names DIR
        local p
        for p in /proc/[0-9]*; do
                case "$(readlink "$p/exe" 2>/dev/null)" in
                *qemu-system*) tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -F "$1" && return 1 ;;
                esac
        done
        return 0
}
tap_ok() { # FILE: tap-parser reads it with no parse error, plan met, nothing failed
        tap-parser --strict -j 0 <"$1" >"$1.json" || return 1
        $PY harness/tests/tap_summary.py "$1.json" --expect-clean
}
xml_ok() { # FILE: valid against both schemas (Jenkins' when it is there)
        xmllint --noout --schema "$OWN_XSD" "$1" || return 1
        if [ -f "$JUNIT_XSD" ]; then junit10_ok "$1" || return 1; fi
}
# FILE: Jenkins' junit-10.xsd holds for all of it but the attributes it cannot declare
# (file, line, timestamp, assertions; skipped on testsuites): see junit10_view.py.
junit10_ok() {
        $PY harness/tests/junit10_view.py "$1" >"$1.junit10" &&
                xmllint --noout --schema "$JUNIT_XSD" "$1.junit10"
}

