#!/usr/bin/env bash
# examples/ops/sqs-loop.sh against a stub aws: which calls it makes for each
# kind of message, and that hit-report really runs on the deliveries the
# events name.
#
# The stub (AWS=stub, which both the loop and hit-report honour) logs every
# call, one line of %q-quoted arguments; answers `sqs receive-message` with
# the canned responses of tests/special/ops-sqs/N.json in turn (then nothing,
# as the aws cli prints nothing for an empty receive), `sqs delete-message`,
# and `s3 cp s3://B/K -` and `s3 ls s3://B/P/` from a local mirror holding
# Adobe deliveries made with hit-gen (tests/lib/make-delivery.sh).  Any other
# call fails the test.  The canned messages, in order:
#   1 a manifest, key with a space ('+')    run, deleted
#   2 s3:TestEvent                          no run, deleted
#   3 a manifest, key with %2B and %C3%A9   run, deleted
#   4 a data file (.zip)                    no run, deleted
#   5 a manifest of a corrupt delivery      run (exit 1), NOT deleted
#   6 via SNS: ObjectRemoved of a manifest  no run, deleted
#   7 a body that is no S3 event            no run, NOT deleted
#   8 an hourly manifest, 23 of 24 hours    hit-report --inbox: no report, deleted
#   9 the 24th hour's manifest              hit-report --inbox: the day's report, deleted
#   - the queue empty                       nothing
# Then the loop without --once on a manifest and the corrupt one: it goes on
# after the failure and stops at SIGTERM with exit 0.  The sqs calls' argument
# shapes are checked against the real aws cli when there is one (its parser,
# offline: an unreachable endpoint makes it fail after checking them).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
loop=$root/examples/ops/sqs-loop.sh
canned=$root/tests/special/ops-sqs
command -v python3 >/dev/null || { echo "ops-sqs: no python3" && exit 77; }
real_aws=$(command -v aws)

T=$(mktemp -d "${TMPDIR:-/tmp}/hk-ops-sqs.XXXXXX") || exit 2
loop_pid=''
trap '[ -z "$loop_pid" ] || kill "$loop_pid" 2>/dev/null; rm -rf -- "$T"' EXIT
fails=0
fail() {
    printf 'ops-sqs: FAIL: %s\n' "$*" >&2
    fails=$((fails + 1))
}

# --- the stub ----------------------------------------------------------------
mkdir -p "$T/stub" "$T/mirror" "$T/queue"
cat >"$T/stub/aws" <<'EOF'
#!/usr/bin/env bash
# stub aws: see ops-sqs.sh.  STUB_LOG, STUB_QUEUE (N.json files and a counter
# file next), STUB_MIRROR (s3://B/K is STUB_MIRROR/B/K).
set -u
{ printf '%q ' "$@" | sed 's/ $//'; echo; } >>"$STUB_LOG"
unexpected() { echo "UNEXPECTED $*" >>"$STUB_LOG"; echo "stub aws: unexpected: $*" >&2; exit 252; }
case ${1:-}:${2:-} in
sqs:receive-message)
    n=$(cat "$STUB_QUEUE/next" 2>/dev/null || echo 1)
    echo $((n + 1)) >"$STUB_QUEUE/next"
    if [ -f "$STUB_QUEUE/$n.json" ]; then cat "$STUB_QUEUE/$n.json"; else sleep 0.1; fi
    ;;
sqs:delete-message) ;;
s3:cp)
    [ $# = 5 ] && [ "$4" = - ] && [ "$5" = --only-show-errors ] && [[ $3 == s3://* ]] ||
        unexpected "$@"
    f=$STUB_MIRROR/${3#s3://}
    [ -f "$f" ] || {
        printf 'fatal error: An error occurred (404) when calling the HeadObject operation: %s\n' \
            "Key \"${3#s3://*/}\" does not exist" >&2
        exit 1
    }
    cat -- "$f"
    ;;
s3:ls)
    [ $# = 3 ] && [[ $3 == s3://*/ ]] || unexpected "$@"
    d=$STUB_MIRROR/${3#s3://}
    [ -d "$d" ] || exit 1
    for f in "$d"*; do
        [ -e "$f" ] || continue
        if [ -d "$f" ]; then
            printf '                           PRE %s/\n' "${f##*/}"
        else
            printf '2026-12-07 06:10:00 %10d %s\n' "$(stat -c %s -- "$f")" "${f##*/}"
        fi
    done
    ;;
*) unexpected "$@" ;;
esac
EOF
# hit-report as the loop runs it: each run's arguments logged, then the real one
cat >"$T/stub/hit-report" <<EOF
#!/usr/bin/env bash
{ printf '%q ' "\$@" | sed 's/ \$//'; echo; } >>"$T/runs.log"
exec "$bin/hit-report" "\$@"
EOF
chmod +x "$T/stub/aws" "$T/stub/hit-report"
export AWS=$T/stub/aws HIT_REPORT=$T/stub/hit-report STUB_LOG=$T/aws.log STUB_QUEUE=$T/queue \
    STUB_MIRROR=$T/mirror PATH="$bin:$PATH"
q=https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries
export QUEUE_URL=$q LEDGER=$T/ledger DEST=$T/reports

# --- the deliveries, in the mirror of bucket hk-feeds ----------------------------
. "$root/tests/lib/make-delivery.sh"
mkdir -p "$T/feed"
d1="$T/mirror/hk-feeds/shop feed" d2="$T/mirror/hk-feeds/c++ café"
# each day's hits their own (hit-report skips a delivery whose data files are
# another's), the same visitors and so the same report
for x in "$d1 2026-12-01" "$d2 2026-12-02" "$d1 2026-12-03"; do
    "$bin/hit-gen" --rows 2000 --seed 2 --start "${x##* }" --format adobe-feed \
        -o "$T/feed/hit_data.tsv" || exit 2
    HK_TMP=$T make_delivery "${x% *}" shop "${x##* }" zip "$T/feed/hit_data.tsv" \
        "$T/feed/column_headers.tsv" || exit 2
done
# 03: a byte of the zip header (its time) changed, its size kept: its MD5 is wrong
good=$(md5sum <"$d1/shop_2026-12-03.zip" | cut -d' ' -f1)
printf 'X' | dd of="$d1/shop_2026-12-03.zip" bs=1 seek=10 conv=notrunc status=none || exit 2
# an hourly delivery, its last hour's manifest held back
"$bin/hit-gen" --rows 3000 --seed 2 --start 2026-12-04 --format adobe-delivery --hourly \
    --rsid shop -o "$T/mirror/hk-feeds/hourly" || exit 2
"$bin/hit-report" -o "$T/plain" --date 2026-12-04 "$T/mirror/hk-feeds/hourly"/*.txt || exit 2
mv "$T/mirror/hk-feeds/hourly/shop_2026-12-04-230000.txt" "$T/hour23" || exit 2
"$bin/hit-report" -o "$T/plain" --date 2026-12-01 -C "$T/feed/column_headers.tsv" \
    "$T/feed/hit_data.tsv" || exit 2
name=SearchKeywordPerformance.tab

# --- one message per --once run ------------------------------------------------
cp "$canned"/[1-9].json "$T/queue/" || exit 2
step() { # message-number expected-rc
    : >"$T/aws.log"
    : >"$T/runs.log"
    "$loop" --once -- --threads 1 >"$T/out" 2>"$T/err"
    local rc=$?
    [ "$rc" = "$2" ] || fail "message $1: exit $rc, expected $2; stderr: $(cat "$T/err")"
    [ -s "$T/out" ] && fail "message $1: stdout: $(cat "$T/out")"
}
recv="sqs receive-message --queue-url $q --max-number-of-messages 1 --wait-time-seconds 20"
recv+=" --output json"
handle() { printf 'AQEBrh%d+wJwnCGtP/dtKlNa2eHqP9KGx1A8tQ5LVeU2vJ0hM6Qqy+9Lc==' "$1"; }
del() { printf 'sqs delete-message --queue-url %s --receipt-handle %s' "$q" "$(handle "$1")"; }
sqs_calls() { grep -v '^s3 ' "$T/aws.log"; }
expect() { # message-number what-file expected-text
    local got what=${2##*/}
    [[ $what =~ ^[0-9]+$ ]] && what="sqs calls" # a <(...)
    got=$(cat "$2")
    [ "$got" = "$3" ] || fail "message $1: $what: got
$got
expected
$3"
}

# 1: run on the decoded key, with the date of its name, then deleted
step 1 0
expect 1 "$T/runs.log" "--ledger $T/ledger -o $T/reports --date 2026-12-01 --threads 1 --\
 s3://hk-feeds/shop\\ feed/shop_2026-12-01.txt"
expect 1 <(sqs_calls) "$recv
$(del 1)"
grep -q "^s3 cp s3://hk-feeds/shop\\\\ feed/shop_2026-12-01.zip - " "$T/aws.log" ||
    fail "message 1: hit-report did not read the data file"
cmp -s "$T/plain/2026-12-01/2026-12-01_$name" "$T/reports/2026-12-01/2026-12-01_$name" ||
    fail "message 1: the report is not the delivery's"
[ -s "$T/err" ] && fail "message 1: stderr: $(cat "$T/err")"

# 2: the TestEvent: deleted, no run, no S3 call
step 2 0
expect 2 "$T/runs.log" ""
expect 2 "$T/aws.log" "$recv
$(del 2)"

# 3: '+' is %2B, é is %C3%A9
step 3 0
expect 3 "$T/runs.log" "--ledger $T/ledger -o $T/reports --date 2026-12-02 --threads 1 --\
 $(printf '%q' 's3://hk-feeds/c++ café/shop_2026-12-02.txt')"
expect 3 <(sqs_calls) "$recv
$(del 3)"
cmp -s "$T/plain/2026-12-01/2026-12-01_$name" "$T/reports/2026-12-02/2026-12-02_$name" ||
    fail "message 3: the report is not the delivery's"

# 4: a data file: deleted, no run
step 4 0
expect 4 "$T/runs.log" ""
expect 4 "$T/aws.log" "$recv
$(del 4)"

# 5: the corrupt delivery: hit-report fails (exit 1), the message stays
step 5 1
expect 5 "$T/runs.log" "--ledger $T/ledger -o $T/reports --date 2026-12-03 --threads 1 --\
 s3://hk-feeds/shop\\ feed/shop_2026-12-03.txt"
expect 5 <(sqs_calls) "$recv"
bad=$(md5sum <"$d1/shop_2026-12-03.zip" | cut -d' ' -f1)
expect 5 "$T/err" "hit-report: shop_2026-12-03.zip: MD5 is $bad, the manifest says $good
sqs-loop: s3://hk-feeds/shop feed/shop_2026-12-03.txt: hit-report failed (exit 1), message kept"
[ -e "$T/reports/2026-12-03" ] && fail "message 5: a report was written"

# 6: through SNS, a manifest deleted: deleted, no run
step 6 0
expect 6 "$T/runs.log" ""
expect 6 "$T/aws.log" "$recv
$(del 6)"

# 7: no S3 event: kept, said
step 7 1
expect 7 "$T/runs.log" ""
expect 7 "$T/aws.log" "$recv"
expect 7 "$T/err" "sqs-loop: message kept: not an S3 event: hello"

# 8: an hour of a day not complete: the inbox run waits for the 24th, deleted
hourly="--inbox s3://hk-feeds/hourly/ --ledger $T/ledger -o $T/reports --threads 1"
step 8 0
expect 8 "$T/runs.log" "$hourly"
expect 8 <(sqs_calls) "$recv
$(del 8)"
[ -e "$T/reports/2026-12-04" ] && fail "message 8: a report of 23 hours"
expect 8 "$T/err" ""

# 9: the last hour: the day's report
mv "$T/hour23" "$T/mirror/hk-feeds/hourly/shop_2026-12-04-230000.txt"
step 9 0
expect 9 "$T/runs.log" "$hourly"
expect 9 <(sqs_calls) "$recv
$(del 9)"
cmp -s "$T/plain/2026-12-04/2026-12-04_$name" "$T/reports/2026-12-04/2026-12-04_$name" ||
    fail "message 9: the report is not the hourly delivery's"
expect 9 "$T/err" ""

# the queue empty: nothing else
step 10 0
expect 10 "$T/aws.log" "$recv"
expect 10 "$T/err" ""

# the ledger: the two deliveries ok, the corrupt one failed
"$bin/hit-report" --ledger "$T/ledger" --status | cut -f 2,3,15,16 | LC_ALL=C sort |
    sed 's/\(shop_2026-12-04-000000.txt\)\\t.*\(\t[^\t]*\t[^\t]*\)$/\1...\2/' >"$T/status"
expect ledger "$T/status" "$(printf '%s\t%s\t%s\t%s\n' \
    2026-12-01 "s3://hk-feeds/shop feed/shop_2026-12-01.txt" ok 0 \
    2026-12-02 "s3://hk-feeds/c++ café/shop_2026-12-02.txt" ok 0 \
    2026-12-03 "s3://hk-feeds/shop feed/shop_2026-12-03.txt" failed 1 \
    2026-12-04 "s3://hk-feeds/hourly/shop_2026-12-04-000000.txt..." ok 0 \
    report_date input status exit_status)"

# --- the loop: on after a failure, out at SIGTERM -----------------------------
rm -f "$T/queue"/*
cp "$canned/5.json" "$T/queue/1.json" && cp "$canned/1.json" "$T/queue/2.json" || exit 2
: >"$T/aws.log"
"$loop" >"$T/out" 2>"$T/err" &
loop_pid=$!
for _ in $(seq 300); do # until it has polled the empty queue
    [ "$(grep -c '^sqs receive-message ' "$T/aws.log")" -ge 3 ] && break
    sleep 0.1
done
kill -TERM "$loop_pid"
wait "$loop_pid"
rc=$?
loop_pid=''
[ "$rc" = 0 ] || fail "loop: exit $rc after SIGTERM"
sqs_calls | sed -n '1,3p' >"$T/calls"
expect loop "$T/calls" "$recv
$recv
$(del 1)"
grep -c "^sqs delete-message " "$T/aws.log" | grep -qx 1 || fail "loop: deletes: $(sqs_calls)"

# --- usage errors: said, no call -------------------------------------------------
: >"$T/aws.log"
QUEUE_URL='' "$loop" --once >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || fail "no queue: exit $rc"
expect usage "$T/err" "sqs-loop: no queue: set QUEUE_URL or give --queue-url
Usage: sqs-loop.sh [--once] [-v] [--queue-url URL] [--ledger LOC] [-o DEST]
                   [-- HIT-REPORT-OPTION...]"
"$loop" --once --ledger >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && [ "$(head -n 1 "$T/err")" = "sqs-loop: option '--ledger' requires an argument" ] ||
    fail "--ledger without its argument: exit $rc, $(cat "$T/err")"
expect usage "$T/aws.log" ""

# --- the sqs calls as the real aws cli parses them -------------------------------
grep -q '^UNEXPECTED' "$T/aws.log" && fail "unexpected aws calls: $(grep UNEXPECTED "$T/aws.log")"
if [ -n "$real_aws" ] && "$real_aws" --version >/dev/null 2>&1; then
    for call in "$recv" "$(del 3)" "$recv --visibility-timeout 600"; do
        eval "set -- $call"
        AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=eu-west-1 \
            AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 \
            AWS_EC2_METADATA_DISABLED=true AWS_PAGER='' \
            "$real_aws" --endpoint-url http://127.0.0.1:9 "$@" >/dev/null 2>"$T/real.err"
        grep -q 'Could not connect to the endpoint URL' "$T/real.err" ||
            fail "the real aws cli rejects: $call: $(cat "$T/real.err")"
    done
else
    echo "ops-sqs: no aws cli, the argument shapes not checked"
fi
# and the VISIBILITY call is the one the loop makes
: >"$T/aws.log"
VISIBILITY=600 "$loop" --once >/dev/null 2>&1
expect visibility <(sqs_calls) "$recv --visibility-timeout 600"

[ $fails = 0 ] || exit 1
exit 0
