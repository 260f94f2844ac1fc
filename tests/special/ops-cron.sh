#!/usr/bin/env bash
# examples/ops/crontab: its job line, taken from the file (so this test breaks
# when the file drifts), run as cron runs it: /bin/sh -c, an environment of
# only the crontab's variables (its PATH with the hit-report under test and
# the stubs in front, as if installed in /usr/local/bin), \% read as %, and its
# s3:// buckets replaced by local directories.  `logger` and `aws` are stubs
# that log their arguments (and logger its standard input).
#
#   1. an inbox of two deliveries: both reported, two ok ledger rows, nothing
#      said (logger gets no line)
#   2. again: nothing to do, no new ledger row, nothing said, exit 0
#   3. a third, corrupt, delivery: its failure in the ledger, its message in
#      syslog, the SNS hook run once with the subject and message it promises
#   4. again: the bad delivery is settled, nothing run, no second alert
#   5. its data fixed, the command with --rerun-failed: reported
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
T=$(mktemp -d "${TMPDIR:-/tmp}/hk-ops-cron.XXXXXX") || exit 2
trap 'rm -rf -- "$T"' EXIT
fails=0
fail() {
    printf 'ops-cron: FAIL: %s\n' "$*" >&2
    fails=$((fails + 1))
}

# --- the job, as cron would run it ---------------------------------------------
crontab=$root/examples/ops/crontab
jobs=$(grep -E '^[0-9*@]' "$crontab")
[ "$(printf '%s\n' "$jobs" | wc -l)" = 1 ] || { echo "ops-cron: not one job line: $jobs"; exit 1; }
# the five time fields off
cmd=$(printf '%s\n' "$jobs" | sed -E 's/^([^ ]+ +){5}//')
# cron ends the command at an unescaped %
printf '%s' "$cmd" | grep -q '\(^\|[^\\]\)%' && { echo "ops-cron: a bare % in: $cmd"; exit 1; }
cmd=${cmd//\\%/%}
for m in "s3://example-feeds/shop/|$T/inbox/" "s3://example-ops/hit-report/ledger|$T/ledger" \
    "s3://example-reports/skp|$T/reports"; do
    [[ $cmd == *"${m%%|*}"* ]] || { echo "ops-cron: no ${m%%|*} in: $cmd"; exit 1; }
    cmd=${cmd//"${m%%|*}"/"${m#*|}"}
done
[[ $cmd == *s3://* ]] && { echo "ops-cron: an s3:// left in: $cmd"; exit 1; }
# the crontab's variables (NAME=value lines), PATH with ours in front
envs=()
while IFS= read -r line; do
    case ${line%%=*} in
    PATH) envs+=("PATH=$T/stub:$bin:${line#*=}") ;;
    *) envs+=("$line") ;;
    esac
done < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$crontab")
# where make install puts hit-report, before the system's directories
[[ " ${envs[*]} " == *" PATH=$T/stub:$bin:/usr/local/bin:"* ]] ||
    { echo "ops-cron: the crontab's PATH does not begin with /usr/local/bin"; exit 1; }
run_job() { # as cron: sh -c, that environment, HOME and the test's TMPDIR, on a
    # machine 14 hours ahead of UTC (the dates must still be UTC's)
    env -i HOME="$T" LOGNAME=root SHELL=/bin/sh TMPDIR="$T/tmp" HK_RETRY_DELAY=0 TZ=XYZ-14 \
        STUB_LOG="$T/stub.log" "${envs[@]}" /bin/sh -c "$cmd" >"$T/out" 2>"$T/err"
}

mkdir -p "$T/stub" "$T/tmp"
cat >"$T/stub/logger" <<'EOF'
#!/bin/sh
{ echo "logger $*"; sed 's/^/| /'; } >>"$STUB_LOG"
EOF
cat >"$T/stub/aws" <<'EOF'
#!/usr/bin/env bash
{ printf 'aws'; printf ' %q' "$@"; echo; } >>"$STUB_LOG"
echo '{"MessageId": "a8dec9ce-5d2e-4c60-a8bb-1f1a7b9e9d5c"}'
EOF
chmod +x "$T/stub/logger" "$T/stub/aws"

# --- the deliveries ----------------------------------------------------------
. "$root/tests/lib/make-delivery.sh"
mkdir -p "$T/feed"
# each day's hits their own (hit-report skips a delivery whose data files are
# another's), the same visitors and so the same report
feed() { # day
    "$bin/hit-gen" --rows 2000 --seed 2 --start "$1" --format adobe-feed \
        -o "$T/feed/hit_data.tsv"
}
for d in 01 02; do
    feed "2026-12-$d" || exit 2
    HK_TMP=$T make_delivery "$T/inbox" shop "2026-12-$d" zip "$T/feed/hit_data.tsv" \
        "$T/feed/column_headers.tsv" || exit 2
done
"$bin/hit-report" -o - -C "$T/feed/column_headers.tsv" "$T/feed/hit_data.tsv" >"$T/plain" ||
    exit 2
name=SearchKeywordPerformance.tab
rows() { find "$T/ledger" -maxdepth 1 -name '[0-9]*.tsv' | LC_ALL=C sort; } # one per run
status() { # the ledger's latest row per input: date, status, exit status
    "$bin/hit-report" --ledger "$T/ledger" --status | sed 1d | cut -f 2,15,16 | LC_ALL=C sort
}
quiet() { # what: the job said nothing, logger got no line
    [ -s "$T/out" ] && fail "$1: stdout: $(cat "$T/out")"
    [ -s "$T/err" ] && fail "$1: stderr: $(cat "$T/err")"
    [ "$(cat "$T/stub.log")" = "logger -t hit-report -p user.err" ] ||
        fail "$1: logger and aws: $(cat "$T/stub.log")"
}

# 1. both deliveries
: >"$T/stub.log"
run_job
rc=$?
[ $rc = 0 ] || fail "run 1: exit $rc"
quiet "run 1"
for d in 01 02; do
    cmp -s "$T/plain" "$T/reports/2026-12-$d/2026-12-${d}_$name" ||
        fail "run 1: the report of 2026-12-$d differs or is missing"
done
[ "$(status)" = "$(printf '2026-12-%s\tok\t0\n' 01 02)" ] || fail "run 1: ledger: $(status)"
rows >"$T/rows"
[ "$(wc -l <"$T/rows")" = 2 ] || fail "run 1: ledger files: $(cat "$T/rows")"
[ -z "$(ls -A "$T/tmp")" ] || fail "run 1: left in TMPDIR: $(ls -A "$T/tmp")"

# 2. nothing new: nothing done, nothing said
: >"$T/stub.log"
run_job
rc=$?
[ $rc = 0 ] || fail "run 2: exit $rc"
quiet "run 2"
rows | cmp -s "$T/rows" - || fail "run 2: ledger files: $(rows)"

# 3. a corrupt delivery (a byte of its zip's header, the size kept): the hook
feed 2026-12-03 || exit 2
HK_TMP=$T make_delivery "$T/inbox" shop 2026-12-03 zip "$T/feed/hit_data.tsv" \
    "$T/feed/column_headers.tsv" || exit 2
good=$(md5sum <"$T/inbox/shop_2026-12-03.zip" | cut -d' ' -f1)
cp "$T/inbox/shop_2026-12-03.zip" "$T/good.zip" || exit 2
printf 'X' | dd of="$T/inbox/shop_2026-12-03.zip" bs=1 seek=10 conv=notrunc status=none
bad=$(md5sum <"$T/inbox/shop_2026-12-03.zip" | cut -d' ' -f1)
: >"$T/stub.log"
run_job
rc=$?
[ $rc = 0 ] || fail "run 3: exit $rc (logger's)"
[ -s "$T/out" ] && fail "run 3: stdout: $(cat "$T/out")"
[ -s "$T/err" ] && fail "run 3: stderr: $(cat "$T/err")"
[ "$(status)" = "$(printf '2026-12-01\tok\t0\n2026-12-02\tok\t0\n2026-12-03\tfailed\t1\n')" ] ||
    fail "run 3: ledger: $(status)"
why="shop_2026-12-03.zip: MD5 is $bad, the manifest says $good"
grep -qxF "| hit-report: $why" "$T/stub.log" || fail "run 3: syslog: $(cat "$T/stub.log")"
grep '^aws ' "$T/stub.log" >"$T/hooks"
input=$(rows | tail -n 1)
input=$(sed -n 2p "$input" | cut -f 3)
want="aws sns publish --topic-arn arn:aws:sns:eu-west-1:123456789012:hit-report --subject\
 $(printf '%q' "hit-report failed 2026-12-03") --message $(printf '%q' "$input: $why")"
[ "$(cat "$T/hooks")" = "$want" ] || fail "run 3: the hook ran
$(cat "$T/hooks")
expected
$want"
[[ $input == *shop_2026-12-03.txt ]] || fail "run 3: the ledger's input: $input"
grep -q MessageId "$T/stub.log" && fail "run 3: aws sns publish's output logged"

# 4. the bad delivery is settled: not run again, no second alert
rows >"$T/rows"
: >"$T/stub.log"
run_job
rc=$?
[ $rc = 0 ] || fail "run 4: exit $rc"
quiet "run 4"
rows | cmp -s "$T/rows" - || fail "run 4: ledger files: $(rows)"

# 5. the data fixed, the same command with --rerun-failed (as the crontab says)
cp "$T/good.zip" "$T/inbox/shop_2026-12-03.zip" || exit 2
[[ $cmd == "hit-report "* ]] || fail "run 5: the job does not begin with hit-report: $cmd"
cmd="hit-report --rerun-failed ${cmd#hit-report }"
: >"$T/stub.log"
run_job
rc=$?
[ $rc = 0 ] || fail "run 5: exit $rc"
quiet "run 5"
cmp -s "$T/plain" "$T/reports/2026-12-03/2026-12-03_$name" ||
    fail "run 5: the report of 2026-12-03 differs or is missing"
[ "$(status)" = "$(printf '2026-12-%s\tok\t0\n' 01 02 03)" ] || fail "run 5: ledger: $(status)"

[ $fails = 0 ]
