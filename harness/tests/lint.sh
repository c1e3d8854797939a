#!/bin/sh
# `make lint`: formatting (clang-format, .clang-format at the root) and static analysis
# (cppcheck) of every C file. Exits non-zero on the first finding.
set -eu
cd "$(dirname "$0")/../.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find harness cases include fixtures -name '*.[ch]')
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
# shellcheck disable=SC2086
cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
        --std=c11 -D_GNU_SOURCE -Iinclude --inline-suppr \
        --suppress=missingIncludeSystem --suppress=unmatchedSuppression $files
# The layering of docs/architecture.md: no #include points to a higher layer.
python3 harness/tests/layers.py >/dev/null
