#!/bin/sh
# Make the local S3 test bench ready: awscli (Debian's v2, /usr/bin/aws),
# node + npm, and s3rver (pinned in package-lock.json) in tests/s3/node_modules.
# Installs what is missing (apt-get as root or through passwordless sudo; npm ci).
#   sh tests/s3/setup.sh    exit 0 ready, 77 cannot be made ready (tests skip)
# Prints nothing on success unless it had to install something.
set -u
here=$(cd "$(dirname "$0")" && pwd)

apt_install() {
    if [ "$(id -u)" = 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
    else
        echo "s3 tests: missing Debian packages: $*" >&2
        return 1
    fi
    echo "s3 tests: installing $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Update the package lists only when the package is unknown.
    for p in "$@"; do
        apt-cache show "$p" >/dev/null 2>&1 || { $sudo apt-get update -qq >&2; break; }
    done
    $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Two runs (bin/ and the sanitizer build) may start at once: one installs.
exec 9>"${TMPDIR:-/tmp}/hitkit-s3-setup.lock"
flock 9

missing=""
[ -x /usr/bin/aws ] || missing="$missing awscli"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086  # the list is of plain package names
    apt_install $missing || exit 77
fi
[ -x /usr/bin/aws ] && command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    exit 77

if ! [ -x "$here/node_modules/.bin/s3rver" ]; then
    echo "s3 tests: npm ci (s3rver)" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) || exit 77
    [ -x "$here/node_modules/.bin/s3rver" ] || exit 77
fi
exit 0
