#!/bin/bash
# hit-report --inbox against a real S3 server on loopback (s3rver, Debian's
# aws cli; see tests/lib/s3rver.sh), part 1: a delivery uploaded in two
# batches, then an idle inbox over a ledger of 1,000 rows.
#
# 1. A day in three data files (hit-gen --packaging multi) uploaded in two
#    batches, the manifest last: a run after the first batch does nothing
#    (exit 0, no ledger object, no report); after the second it runs the day:
#    one ok row, the markers done/KEY.tsv and done/data-KEY.tsv, no claim
#    left, and a report equal byte for byte to hit-report's on a local copy
#    of the delivery.
# 2. A run again does nothing (no object added or removed), and neither does
#    one with 1,000 more rows and 1,000 more markers in the ledger; its time
#    is printed, and must stay under HK_IDLE_LIMIT seconds (default 10: the
#    machine may be loaded; two aws calls are its cost).
# The other parts: inbox-s3-failed.sh, inbox-s3-retry.sh, inbox-s3-hourly.sh,
# inbox-s3-race.sh.
#
# Exit 0 pass, 77 skip (awscli or node/npm cannot be installed), else fail;
# one line per failed assertion.  Env: HK_BIN (default bin/).
# tests/run: needs an S3 server (s3rver, from npm) and the aws cli
set -u
name='inbox-s3'
# shellcheck source=tests/lib/inbox-s3.sh
. "$(dirname "$0")/../lib/inbox-s3.sh"

inbox=s3://b/inbox1/ ledger=s3://b/ledger1/ out=s3://b/out1/
manifest=s3://b/inbox1/hitkit_$day.txt

# --- 1. two batches, the manifest last -----------------------------------------
"$bin/hit-gen" --rows 3000 --seed 11 --format adobe-delivery --packaging multi \
    --split-size 300K -o "$T/d" || fail "hit-gen"
expect "the delivery's files" "01-hitkit_$day.tsv.gz 02-hitkit_$day.tsv.gz 03-hitkit_$day.tsv.gz\
 hitkit_$day-lookup_data.tar.gz hitkit_$day.txt" "$(cd "$T/d" && echo *)"
# the report of the same delivery read from the local copy
hr -o - "$T/d/hitkit_$day.txt" >"$T/local" 2>"$T/local.err"
expect "local report: exit" 0 $?
[ "$(wc -l <"$T/local")" -gt 10 ] || fail "local report: $(wc -l <"$T/local") lines"

s3 cp --recursive "$T/d" "$inbox" --exclude '03-*' --exclude '*.txt' --only-show-errors ||
    fail "uploading batch 1"
expect "batch 1 in S3" "inbox1/01-hitkit_$day.tsv.gz inbox1/02-hitkit_$day.tsv.gz\
 inbox1/hitkit_$day-lookup_data.tar.gz" "$(stored inbox1/ | paste -sd' ' -)"
hr --inbox "$inbox" --ledger "$ledger" -o "$out" >"$T/out" 2>"$T/err"
expect "batch 1: exit" 0 $?
expect "batch 1: stdout" "" "$(cat "$T/out")"
expect "batch 1: stderr" "" "$(cat "$T/err")"
expect "batch 1: ledger objects" "" "$(stored ledger1/)"
expect "batch 1: report objects" "" "$(stored out1/)"

s3 cp "$T/d/03-hitkit_$day.tsv.gz" "$inbox" --only-show-errors &&
    s3 cp "$T/d/hitkit_$day.txt" "$inbox" --only-show-errors || fail "uploading batch 2"
hr --inbox "$inbox" --ledger "$ledger" -o "$out" >"$T/out" 2>"$T/err"
expect "batch 2: exit" 0 $?
expect "batch 2: stdout" "" "$(cat "$T/out")"
# the run's own warnings, as the local run gave them
expect "batch 2: stderr" "$(cat "$T/local.err")" "$(cat "$T/err")"
expect "batch 2: report objects" "out1/$day/$rname" "$(stored out1/)"
cmp -s "$T/local" "$(object "out1/$day/$rname")" ||
    fail "batch 2: the report differs from the local copy's: $(diff "$T/local" "$(object "out1/$day/$rname")" | head -5)"
# the ledger: the row, the delivery's marker (MD5 of its input), the data
# files' marker (MD5 of their sorted MD5s); the claim is gone
key=$(printf '%s' "$manifest" | md5sum | cut -d' ' -f1)
dkey=$(sed -n '/^Data-File:/,/^$/s/^MD5-Digest: //p' "$T/d/hitkit_$day.txt" | LC_ALL=C sort |
    md5sum | cut -d' ' -f1)
stored ledger1/ >"$T/keys"
expect "batch 2: ledger objects" 3 "$(wc -l <"$T/keys")"
grep -qE '^ledger1/[0-9]{8}T[0-9]{6}\.[0-9]{6}Z-[0-9]+-[0-9]+\.tsv$' "$T/keys" ||
    fail "batch 2: no row object: $(cat "$T/keys")"
grep -qxF "ledger1/done/$key.tsv" "$T/keys" || fail "batch 2: no marker done/$key.tsv"
grep -qxF "ledger1/done/data-$dkey.tsv" "$T/keys" || fail "batch 2: no marker done/data-$dkey.tsv"
hr --ledger "$ledger" --status >"$T/status" 2>"$T/err"
expect "batch 2: --status exit" 0 $?
expect "batch 2: --status rows" 2 "$(wc -l <"$T/status")"
total=$(sed -n 's/^Total-Records: //p' "$T/d/hitkit_$day.txt")
want=$(printf '%s\t' "$day" "$manifest" yes "$total" "s3://b/out1/$day/$rname" 1 ok 0 '' '')
expect "batch 2: the row" "${want%$'\t'}" "$(sed -n 2p "$T/status" | cut -f 2,3,5,6,11,14-18)"
row=$(sed -n 2p "$T/status")
cmp -s <(printf '%s\n' "$row") <(sed -n 2p "$(object "ledger1/done/$key.tsv")") ||
    fail "batch 2: the marker does not hold the row"

# --- 2. settled: nothing to do, with 1,000 rows in the ledger ------------------
idle() { # what
    local t0 t1 rc
    stored '' >"$T/before"
    t0=${EPOCHREALTIME//[!0-9]/}
    hr -v --inbox "$inbox" --ledger "$ledger" -o "$out" >"$T/out" 2>"$T/err"
    rc=$?
    t1=${EPOCHREALTIME//[!0-9]/}
    idle_us=$((t1 - t0))
    expect "$1: exit" 0 $rc
    expect "$1: stdout" "" "$(cat "$T/out")"
    expect "$1: stderr" "hit-report: deliveries: 0 run (0 ok, 0 failed), 1 settled before,\
 0 waiting for hours" "$(cat "$T/err")"
    stored '' | cmp -s "$T/before" - ||
        fail "$1: objects changed: $(stored '' | diff "$T/before" - | head -5)"
}
secs() { printf '%d.%03d' $(($1 / 1000000)) $(($1 / 1000 % 1000)); }
idle "again"
printf '%s: idle inbox run, 1 ledger row: %s s\n' "$name" "$(secs $idle_us)"

# 1,000 rows (copies of the real one under other run ids) and 1,000 markers
mkdir -p "$T/many/done"
header=$(head -n 1 "$T/status")
rest=${row#*$'\t'}
for ((i = 1; i <= 1000; i++)); do
    printf -v id '20090101T000000.%06dZ-1-%d' "$i" "$i"
    printf -v k '%032x' "$i"
    printf '%s\n%s\t%s\n' "$header" "$id" "$rest" >"$T/many/$id.tsv"
    printf '%s\n%s\t%s\n' "$header" "$id" "$rest" >"$T/many/done/$k.tsv"
done
s3 cp --recursive "$T/many" "$ledger" --only-show-errors || fail "uploading 2,000 objects"
expect "ledger objects" 2003 "$(stored ledger1/ | wc -l)"
idle "1,000 rows"
printf '%s: idle inbox run, 1,001 ledger rows and 1,001 markers: %s s\n' "$name" \
    "$(secs $idle_us)"
limit=${HK_IDLE_LIMIT:-10}
[ "$idle_us" -lt $((limit * 1000000)) ] ||
    fail "the idle inbox run took $(secs $idle_us) s, more than $limit s"

[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
[ $fails = 0 ] || exit 1
exit 0
