#!/bin/bash
# hit-report --inbox against a real S3 server on loopback (s3rver, Debian's
# aws cli; see tests/lib/s3rver.sh), part 5: a day of hourly deliveries.
#
# 5. A day as 24 hourly deliveries (hit-gen --hourly) in an S3 inbox: with 23
#    of the 24 manifests there, an inbox run waits (exit 0, no ledger object,
#    no report; with -v it says "23 of 24 hours delivered, waiting"); with the
#    24th, one run makes one report for the day, byte for byte that of
#    hit-report on the 24 hours' hits concatenated as one plain file (with
#    --columns), and one ok row whose input is the 24 manifests.
#
# Exit 0 pass, 77 skip (awscli or node/npm cannot be installed), else fail;
# one line per failed assertion.  Env: HK_BIN (default bin/).
# tests/run: needs an S3 server (s3rver, from npm) and the aws cli
set -u
name='inbox-s3-hourly'
# shellcheck source=tests/lib/inbox-s3.sh
. "$(dirname "$0")/../lib/inbox-s3.sh"

inbox=s3://b/inbox5/ ledger=s3://b/ledger5/ out=s3://b/out5/

"$bin/hit-gen" --rows 3000 --seed 5 --format adobe-delivery --hourly -o "$T/d" || fail "hit-gen"
hours=()
for ((h = 0; h < 24; h++)); do
    printf -v hh '%02d' "$h"
    hours+=("hitkit_$day-${hh}0000")
done
expect "the delivery's files" 49 "$(find "$T/d" -type f | wc -l)"
# the hits of the 24 hours as one plain file, and its report
tar -xOzf "$T/d/hitkit_$day-000000-lookup_data.tar.gz" column_headers.tsv >"$T/columns.tsv" ||
    fail "the columns"
for h in "${hours[@]}"; do
    tar -xOzf "$T/d/$h.tar.gz" hit_data.tsv || fail "unpacking $h.tar.gz"
done >"$T/hits.tsv"
total=0
for h in "${hours[@]}"; do
    total=$((total + $(sed -n 's/^Total-Records: //p' "$T/d/$h.txt")))
done
hr --date "$day" -C "$T/columns.tsv" -o - "$T/hits.tsv" >"$T/plain" 2>/dev/null
expect "plain report: exit" 0 $?
[ "$(wc -l <"$T/plain")" -gt 10 ] || fail "plain report: $(wc -l <"$T/plain") lines"
local_manifests=()
for h in "${hours[@]}"; do local_manifests+=("$T/d/$h.txt"); done
hr --date "$day" -o - "${local_manifests[@]}" >"$T/local" 2>"$T/local.err"
expect "local manifests: exit" 0 $?
cmp -s "$T/plain" "$T/local" || fail "local manifests: the report differs from the plain file's"

s3 cp --recursive "$T/d" "$inbox" --exclude '*.txt' --only-show-errors &&
    s3 cp --recursive "$T/d" "$inbox" --exclude '*' --include '*.txt' \
        --exclude "${hours[23]}.txt" --only-show-errors || fail "uploading 23 hours"
expect "in S3" 48 "$(stored inbox5/ | wc -l)"

# --- 5. 23 hours: waiting; 24: one report -----------------------------------------
hr -v --inbox "$inbox" --ledger "$ledger" -o "$out" >"$T/out" 2>"$T/err"
expect "23 hours: exit" 0 $?
expect "23 hours: stdout" "" "$(cat "$T/out")"
expect "23 hours: stderr" "hit-report: $day: 23 of 24 hours delivered, waiting
hit-report: deliveries: 0 run (0 ok, 0 failed), 0 settled before, 1 waiting for hours" \
    "$(cat "$T/err")"
expect "23 hours: ledger objects" "" "$(stored ledger5/)"
expect "23 hours: report objects" "" "$(stored out5/)"

s3 cp "$T/d/${hours[23]}.txt" "$inbox" --only-show-errors || fail "uploading hour 23"
# the aws calls of the run, logged (one line of arguments each)
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s"\nexec "%s" "$@"\n' "$T/calls" "$AWS" >"$T/aws-log"
chmod +x "$T/aws-log"
t0=${EPOCHREALTIME//[!0-9]/}
AWS=$T/aws-log hr --inbox "$inbox" --ledger "$ledger" -o "$out" >"$T/out" 2>"$T/err"
expect "24 hours: exit" 0 $?
t1=${EPOCHREALTIME//[!0-9]/}
printf '%s: the run of 24 hours took %d s, %d aws calls\n' "$name" $(((t1 - t0) / 1000000)) \
    "$(wc -l <"$T/calls")"
# the inbox is listed once by the driver and once for the 24 manifests' files
expect "24 hours: listings of the inbox" 2 "$(grep -c " s3 ls $inbox\$" "$T/calls")"
expect "24 hours: stdout" "" "$(cat "$T/out")"
expect "24 hours: stderr" "$(cat "$T/local.err")" "$(cat "$T/err")"
expect "24 hours: report objects" "out5/$day/$rname" "$(stored out5/)"
cmp -s "$T/plain" "$(object "out5/$day/$rname")" ||
    fail "24 hours: the report differs from the plain file's: $(diff "$T/plain" "$(object "out5/$day/$rname")" | head -5)"
hr --ledger "$ledger" --status >"$T/status" 2>"$T/status.err"
expect "--status exit" 0 $?
expect "--status rows" 2 "$(wc -l <"$T/status")"
input=$(printf "${inbox}%s.txt\\\\t" "${hours[@]}")
want=$(printf '%s\t' "$day" "${input%\\t}" yes "$total" "s3://b/out5/$day/$rname" 1 ok 0 '' '')
expect "the row" "${want%$'\t'}" "$(sed -n 2p "$T/status" | cut -f 2,3,5,6,11,14-18)"
expect "ledger objects" 3 "$(stored ledger5/ | wc -l)"

[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
[ $fails = 0 ] || exit 1
exit 0
