#!/bin/sh
# Check (and, as root on Debian/Ubuntu, install) the packages isocheck needs.
#   scripts/deps.sh check   what `make check` needs: build and run the suite
#   scripts/deps.sh test    what `make test` needs on top: unit tests and report consumers
#   scripts/deps.sh fleet   what `make test-fleet` needs: the fleet engines (dist/)
set -eu

build_pkgs="gcc make pkg-config libc6-dev zlib1g-dev libpcap-dev libxml2-dev libmnl-dev
libarchive-dev libmount-dev libjson-c-dev libssl-dev"
run_pkgs="util-linux iproute2 procps stress-ng stress tcpdump"
test_pkgs="libcmocka-dev node-tap-parser perl libxml2-utils python3 python3-junitparser
python3-tap clang-format cppcheck qemu-system-x86 linux-image-amd64 clang
libclang-rt-14-dev libxml2-dev lava-dispatcher"
# lava-dispatcher: lava-run runs the isocheck LAVA job here (make test-lava, dist/lava/).
# The report page opened in a real browser (harness/tests/field/html.sh).
test_pkgs="$test_pkgs chromium chromium-driver python3-selenium"
# The package tests (make test-package, harness/tests/field/install.sh): man page lint,
# man itself, the .deb build and lintian, and the clean root the .deb is installed in.
test_pkgs="$test_pkgs mandoc man-db debhelper dpkg-dev fakeroot lintian mmdebstrap cpio"
# The *.podman and *.oci variants: rootful podman (its OCI runtime and CNI plugins come
# with it) and the two OCI runtimes used directly.
runtime_pkgs="podman crun runc"
# make test-fleet (dist/): Ansible with its collections, Groovy and a JRE to parse the
# Jenkinsfile, mmdebstrap for the hosts' root, rsync for gitlab-ci-local (which comes from
# npm, run with Node 20).
fleet_pkgs="ansible mmdebstrap groovy default-jre-headless libxml2-utils rsync"

case "${1:-check}" in
check) want="$build_pkgs $run_pkgs" ;;
test) want="$build_pkgs $run_pkgs $test_pkgs $runtime_pkgs" ;;
fleet) want="$build_pkgs $run_pkgs $fleet_pkgs" ;;
*) echo "usage: $0 check|test|fleet" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
        # Not Debian: the package names above may differ; say what is needed and go on.
        echo "deps: dpkg-query not found; make sure the equivalents of these are installed:" >&2
        echo "  $want" | tr '\n' ' ' >&2
        echo >&2
        exit 0
fi

missing=""
for p in $want; do
        st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        case "$st" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
        esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "isocheck needs these packages:$missing" >&2
        echo "install them with: sudo apt-get install$missing   (or run this target as root)" >&2
        exit 1
fi

echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null; then
        apt-get update -q >/dev/null
        # shellcheck disable=SC2086
        apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
