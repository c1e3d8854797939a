#!/bin/sh
# `make deb`: build the Debian package with the standard tooling (dpkg-buildpackage -us -uc
# -b, debhelper) in a copy of the source under OUTDIR, so that the .deb and everything
# debhelper writes land in OUTDIR (build/deb/) and the checkout itself stays clean.
#   scripts/deb.sh OUTDIR
# The copy holds what git tracks plus new files git does not ignore (a plain tree: all
# but build/ and reports/). ISOCHECK_VERSION, when set (make passes the checkout's
# `git describe`), is what the packaged isocheck reports.
# Missing build dependencies are installed with apt-get as root, else named.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
cd "$(dirname "$0")/.."
top=$PWD
out=$1
case $out in /*) ;; *) out=$top/$out ;; esac
pkgver=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
src=$out/isocheck-$pkgver

need=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
        sed 's/([^)]*)//g; s/|[^ ]*//g')
need="$need $(for p in build-essential debhelper fakeroot; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
done)"
need=$(echo $need)
if [ -n "$need" ]; then
        if [ "$(id -u)" -ne 0 ]; then
                echo "deb: the package build needs: $need (sudo apt-get install $need)" >&2
                exit 1
        fi
        echo "deb: installing $need" >&2
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null
fi

# The files the package is built from, NUL-separated.
files() {
        if git rev-parse --show-toplevel >/dev/null 2>&1 && [ "$(git rev-parse --show-toplevel)" = "$top" ]; then
                # Deleted-but-tracked files are skipped: only what exists is copied.
                git ls-files -z --cached --others --exclude-standard |
                        xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh
        else
                find . -path ./build -prune -o -path ./reports -prune -o \( -type f -o -type l \) -print0
        fi
}
# Built already from these very files and version (make image after make deb): kept.
mkdir -p "$out"
stamp=$( (files | sort -z | xargs -0 cat 2>/dev/null; files; echo "${ISOCHECK_VERSION:-}") | md5sum | cut -c1-32)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && ls "$out"/isocheck_*.deb >/dev/null 2>&1; then
        echo "deb: up to date" >&2
        ls "$out"/isocheck_*.deb
        exit 0
fi
rm -rf "$src" "$out"/isocheck_* "$out"/isocheck-dbgsym_* "$out/.stamp"
mkdir -p "$src"
files | cpio -0 -pdm --quiet "$src"

cd "$src"
ISOCHECK_VERSION=${ISOCHECK_VERSION:-}
[ -n "$ISOCHECK_VERSION" ] && export ISOCHECK_VERSION || unset ISOCHECK_VERSION
dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$out/build.log" 2>&1 || {
        echo "deb: dpkg-buildpackage failed; the end of $out/build.log:" >&2
        tail -n 30 "$out/build.log" >&2
        exit 1
}
echo "$stamp" >"$out/.stamp"
ls "$out"/isocheck_*.deb
