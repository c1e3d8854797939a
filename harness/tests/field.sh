#!/usr/bin/env bash
# Run some field-fault test files alone, as `make test` runs all of them after the rest:
#   harness/tests/field.sh ownership memcg     (names under harness/tests/field/, no .sh)
#   harness/tests/field.sh                     (every file there)
# Needs the test build (make all build/san/isocheck build/san/isocheck-selftest) and root.
# Ends with the same "N passed, N failed, N skipped" line.
set -u
cd "$(dirname "$0")/../.." || exit 99
top=$PWD
. harness/tests/lib.sh
if [ $# -eq 0 ]; then
        set -- $(for f in harness/tests/field/*.sh; do [ -f "$f" ] && basename "$f" .sh; done)
fi
for name in "$@"; do
        f=harness/tests/field/$name.sh
        [ -f "$f" ] || { echo "field.sh: no $f" >&2; exit 2; }
        . "$f"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
