#!/bin/bash
# hit-report --inbox against a real S3 server on loopback (s3rver, Debian's
# aws cli; see tests/lib/s3rver.sh), part 4: two inbox runs at once.
#
# 7. Two inbox runs are started together on one S3 inbox of two deliveries
#    (two days) and one S3 ledger.  Every delivery gets exactly one row, ok,
#    whichever run took it (a claim keeps the other run off it, and of two
#    runs that claim it at the same moment one goes on), and its report,
#    equal to the local copy's; neither run fails, no claim is left.
#
# Exit 0 pass, 77 skip (awscli or node/npm cannot be installed), else fail;
# one line per failed assertion.  Env: HK_BIN (default bin/).
# tests/run: needs an S3 server (s3rver, from npm) and the aws cli
set -u
name='inbox-s3-race'
# shellcheck source=tests/lib/inbox-s3.sh
. "$(dirname "$0")/../lib/inbox-s3.sh"

inbox=s3://b/inbox7/ ledger=s3://b/ledger7/ out=s3://b/out7/
days=(2009-09-27 2009-09-28)

"$bin/hit-gen" --rows 4000 --days 2 --seed 7 --format adobe-delivery -o "$T/d" || fail "hit-gen"
for d in "${days[@]}"; do
    hr -o - "$T/d/hitkit_$d.txt" >"$T/local.$d" 2>/dev/null
    expect "local report of $d: exit" 0 $?
done
s3 cp --recursive "$T/d" "$inbox" --exclude '*.txt' --only-show-errors &&
    s3 cp --recursive "$T/d" "$inbox" --exclude '*' --include '*.txt' --only-show-errors ||
    fail "uploading the deliveries"
expect "the deliveries in S3" 6 "$(stored inbox7/ | wc -l)"

# the input TAB status of every row in the ledger
rows() {
    stored ledger7/ | grep -E '^ledger7/[^/]+\.tsv$' | while IFS= read -r k; do
        sed -n 2p "$(object "$k")" | cut -f 3,15
    done | LC_ALL=C sort
}

# --- 7. two runs at once ---------------------------------------------------------
pids=()
for r in a b; do
    (
        hr -v --inbox "$inbox" --ledger "$ledger" -o "$out" >"$T/$r.out" 2>"$T/$r.err"
        echo $? >"$T/$r.rc"
    ) &
    pids+=($!)
done
wait "${pids[@]}" # not the server
for r in a b; do
    expect "run $r: exit" 0 "$(cat "$T/$r.rc")"
    expect "run $r: stdout" "" "$(cat "$T/$r.out")"
    printf '%s: run %s: %s deliveries left to the other run\n' "$name" "$r" \
        "$(grep -c ': being run by another hit-report$' "$T/$r.err")"
done
rows >"$T/rows"
for d in "${days[@]}"; do
    n=$(grep -c "hitkit_$d.txt" "$T/rows")
    [ "$n" -le 1 ] || fail "at once: $d has $n rows: $(grep "hitkit_$d.txt" "$T/rows")"
done
grep -v $'\tok$' "$T/rows" && fail "at once: rows not ok"
want=$(for d in "${days[@]}"; do printf 's3://b/inbox7/hitkit_%s.txt\tok\n' "$d"; done)
expect "the rows" "$want" "$(cat "$T/rows")"
expect "claims left" "" "$(stored ledger7/claims/)"
expect "report objects" "$(for d in "${days[@]}"; do
    printf 'out7/%s/%s_SearchKeywordPerformance.tab\n' "$d" "$d"
done)" "$(stored out7/)"
for d in "${days[@]}"; do
    cmp -s "$T/local.$d" "$(object "out7/$d/${d}_SearchKeywordPerformance.tab")" ||
        fail "the report of $d differs from the local copy's"
done

[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
[ $fails = 0 ] || exit 1
exit 0
