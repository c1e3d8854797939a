#!/bin/sh
# The version isocheck is built as, on stdout (mk/package.mk puts it in build/gen/iso_version.h):
#   - from git when this directory is the top of a git checkout: `git describe --tags --dirty`
#     ("v" dropped), or, while the history has no tag, the package version + "+git.<commit>"
#     (".dirty" when files differ from it);
#   - the package version (the first line of debian/changelog) otherwise: a tarball, or the
#     copy `make deb` builds in (which is passed ISOCHECK_VERSION from the checkout instead).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
pkg=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/debian/changelog" 2>/dev/null || true)
[ -n "$pkg" ] || pkg=unknown
# A checkout's own git only: the copy under build/deb/ sits inside another checkout.
gtop=$(git -C "$top" rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$gtop" ] && [ "$(cd "$gtop" && pwd -P)" = "$(cd "$top" && pwd -P)" ]; then
        if v=$(git -C "$top" describe --tags --dirty 2>/dev/null); then
                echo "${v#v}"
                exit 0
        fi
        if c=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null); then
                d=""
                git -C "$top" diff --quiet HEAD -- 2>/dev/null || d=.dirty
                echo "$pkg+git.$c$d"
                exit 0
        fi
fi
echo "$pkg"
