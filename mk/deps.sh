#!/bin/sh
# Install (or check for) the Debian packages hitkit needs to build and test.
#   sh mk/deps.sh check [build|all]     exit 0 when every package is there
#   sh mk/deps.sh install [build|all]   apt-get install what is missing (root
#                                       or sudo); otherwise print the command
#                                       and exit 2
# build: what `make` and `make demo` need, and what the tools need to run;
# all (the default): that and what `make check` needs.
set -u
# Build: a C compiler, pkg-config, libcsv, libzstd, zlib, uthash.
BUILD_PKGS="build-essential pkg-config libcsv-dev libzstd-dev zlib1g-dev uthash-dev"
# Run time, beyond bash, coreutils and gzip: bsdtar and bsdcat, which unpack
# the Adobe deliveries hit-report reads (.tar.gz and .zip from a pipe, which
# unzip cannot; zlib's inflate, faster than gzip's).
RUN_PKGS="libarchive-tools"
# Tests: zstd, python3 (csv-spectrum JSON, zip deliveries), postgresql (\copy round trip),
# awscli (S3 end to end), parallel + openssh-server + rsync (sharded runs
# over ssh), man-db (man pages against --help), time (/usr/bin/time: peak
# memory), clang with its sanitizer runtimes (the second sanitizer build,
# and libFuzzer for tests/fuzz),
# valgrind (one tool's data cases under memcheck), node and npm (s3rver,
# DuckDB), gcovr (make coverage), cppcheck, clang-tidy and shellcheck (make
# lint, which make check runs: tests/special/lint.sh).
TEST_PKGS="zstd python3 postgresql awscli parallel openssh-server rsync man-db time clang
      libclang-rt-dev valgrind gcovr cppcheck clang-tidy shellcheck"

case ${2:-all} in
build) PKGS="$BUILD_PKGS $RUN_PKGS" ;;
all) PKGS="$BUILD_PKGS $RUN_PKGS $TEST_PKGS" ;;
*)
    echo "usage: sh mk/deps.sh check|install [build|all]" >&2
    exit 2
    ;;
esac

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ "${2:-all}" = all ]; then
    # node may come from elsewhere than Debian (NodeSource bundles npm): ask
    # for Debian's packages only when the commands are missing.
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
[ "${1:-check}" = check ] && exit 1

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "hitkit needs these Debian packages:$missing" >&2
    echo "run as root: apt-get update && $cmd" >&2
    exit 2
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || exit 2
# shellcheck disable=SC2086 # $missing is a list of package names
$sudo apt-get install -y -qq --no-install-recommends $missing >&2 || exit 2
