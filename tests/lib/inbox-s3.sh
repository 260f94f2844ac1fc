# shellcheck shell=bash disable=SC2034 # day, rname: for the tests that source this
# tests/lib/inbox-s3.sh: the start the tests/special/inbox-s3*.sh share,
# sourced once `name` is set.  Skips (77) without awscli or node/npm; makes
# a scratch directory $T (TMPDIR inside it) and starts an S3 server
# (tests/lib/s3rver.sh: $ep, fail, s3_stop), both gone at exit; then:
#   hr ARGS...              hit-report against that server
#   expect WHAT WANT GOT    one failure unless GOT is WANT
#   day, rname              the sample day and its report's name
# A test with more to stop at exit (a process, a database) redefines
# at_exit, which runs first.
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
sh "$root/tests/s3/setup.sh" || exit 77

T=$(mktemp -d "${TMPDIR:-/tmp}/hk-inbox-s3.XXXXXX") || exit 2
# shellcheck source=tests/lib/s3rver.sh
. "$root/tests/lib/s3rver.sh"
# shellcheck disable=SC2317 # called by the EXIT trap
at_exit() { :; }
trap 'at_exit; s3_stop; rm -rf -- "$T"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$T/tmp"
export TMPDIR="$T/tmp"
# shellcheck disable=SC2119 # s3_start's PORT is optional
s3_start

hr() { "$bin/hit-report" --endpoint-url "$ep" "$@"; }
expect() { # what wanted got
    [ "$2" = "$3" ] || fail "$1: got '$3', expected '$2'"
}
day=2009-09-27
rname=${day}_SearchKeywordPerformance.tab
