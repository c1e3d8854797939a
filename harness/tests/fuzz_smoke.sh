#!/usr/bin/env bash
# Run every libFuzzer target in build/fuzz/ (harness/fuzz/fuzz_*.c, mk/fuzz.mk) and print one
# line per target, "ok - fuzz <target>" or "not ok - fuzz <target>" followed by the crash
# (indented), for the `make test` driver to count. Exits 1 when any target crashed.
#
#   harness/tests/fuzz_smoke.sh          each target FUZZ_SMOKE_SECONDS (2) from its seeds,
#                                        in a corpus thrown away afterwards: `make fuzz-smoke`
#   harness/tests/fuzz_smoke.sh --long   each target FUZZ_SECONDS (60), corpus kept in
#                                        build/fuzz/corpus/<target>/: `make fuzz`
#
# FUZZ_JOBS targets run at once (default: the CPUs, at most 4). Crashing inputs are kept
# as build/fuzz/artifacts/<target>-crash-*; rerun one with `build/fuzz/<target> FILE`.
# A dictionary harness/fuzz/corpus/<target>.dict, when there is one, is passed with -dict.
# The targets are built first (make fuzz-build) unless FUZZ_NO_BUILD=1.
set -u
cd "$(dirname "$0")/../.." || exit 99

long=0
[ "${1:-}" = --long ] && long=1
dir=build/fuzz
secs=${FUZZ_SMOKE_SECONDS:-2}
[ $long -eq 1 ] && secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -ge 1 ] || jobs=1

if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
        echo "ok - fuzz # SKIP ${FUZZ_CC:-clang} not found (apt-get install clang libclang-rt-dev)"
        exit 0
fi
if [ "${FUZZ_NO_BUILD:-0}" != 1 ] &&
        ! out=$(${MAKE:-make} -s --no-print-directory fuzz-build 2>&1); then
        echo "not ok - fuzz build"
        printf '%s\n' "$out" | tail -n 15 | sed 's/^/    /'
        exit 1
fi

targets=()
for bin in "$dir"/fuzz_*; do
        [ -x "$bin" ] && [ -f "$bin" ] && targets+=("$(basename "$bin")")
done
if [ ${#targets[@]} -eq 0 ]; then
        echo "not ok - fuzz: no target in $dir"
        exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/isocheck-fuzz-run.XXXXXX") || exit 99
pids=()
cleanup() {
        local p f
        for p in "${pids[@]}"; do
                kill "$p" 2>/dev/null
        done
        # The fuzzers themselves, and the temporary files a killed one left: its PID names them.
        for f in "$work"/*.pid; do
                [ -f "$f" ] || continue
                p=$(cat "$f")
                kill "$p" 2>/dev/null
                rm -f /tmp/isocheck-fuzz-"$p"-*
        done
        wait 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$dir/artifacts"

# run TARGET: fuzz it, its exit status into $work/TARGET.rc, its output into $work/TARGET.log
run() {
        local t=$1 corpus=$work/$1.corpus pid rc
        if [ $long -eq 1 ]; then
                corpus=$dir/corpus/$t
        fi
        mkdir -p "$corpus"
        local dict=harness/fuzz/corpus/$t.dict opts=()
        [ -f "$dict" ] && opts+=(-dict="$dict")
        # Without LOCPATH: make test sets it (lib.sh) for a unit test's comma-decimal locale,
        # and under it glibc's newlocale(), which json-c calls on every parse, leaks its
        # search path: LeakSanitizer would blame whichever input ran then. env execs, so
        # $! stays the fuzzer's PID.
        env -u LOCPATH "$dir/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                "${opts[@]}" -artifact_prefix="$dir/artifacts/$t-" "$corpus" "$dir/seeds/$t" \
                >"$work/$t.log" 2>&1 &
        pid=$!
        echo "$pid" >"$work/$t.pid"
        wait "$pid"
        rc=$?
        rm -f /tmp/isocheck-fuzz-"$pid"-* "$work/$t.pid"
        echo "$rc" >"$work/$t.rc"
}

start=$SECONDS
for t in "${targets[@]}"; do
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
                wait -n 2>/dev/null || sleep 0.1
        done
        run "$t" &
        pids+=($!)
done
wait
pids=()

fail=0
for t in "${targets[@]}"; do
        rc=$(cat "$work/$t.rc" 2>/dev/null || echo 99)
        runs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
        if [ "$rc" -eq 0 ]; then
                echo "ok - fuzz ${t#fuzz_} (${runs:-?} inputs in ${secs} s)"
                continue
        fi
        fail=1
        echo "not ok - fuzz ${t#fuzz_} (exit $rc)"
        {
                grep -a -m1 '^INFO: Seed:' "$work/$t.log"
                grep -a -m3 -E '^fuzz_[a-z]*:|ERROR: |runtime error|SUMMARY:' "$work/$t.log"
                grep -a -m1 -E 'Test unit written to|^artifact_prefix' "$work/$t.log"
        } | cut -c1-300 | sed 's/^/    /'
done
echo "fuzz: ${#targets[@]} targets in $((SECONDS - start)) s" >&2
exit $fail
