#!/usr/bin/env bash
# hit-attrib reads plain files in chunks on N threads, each attributing the
# visitors whose hash modulo N is its own (lib/stage); the chunks' hits are
# then accounted in input order.  Against one thread, byte for byte: the
# output, the warnings, the first error and its exit status, the -v counts
# (but the visitors tracked, summed over the shards), on several files,
# with --with, --model first, --expire, --shard, a stream (read by one
# thread, attributed by another), bad prices (warned, or
# fatal with --strict), a bad time and generated anomalies (a broken
# record stops the run after the rows before it).
set -u -o pipefail
bin=${HK_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-attrib-threads.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0

for s in 1 2 3; do # about 3 MB each, so several chunks each
    "$bin/hit-gen" --rows 10000 --seed $s --start 2009-09-2$s -o "$tmp/h$s.tsv" || exit 1
done
# one purchase in five with a price that is not a number
awk -F '\t' -v OFS='\t' 'NR > 1 && $5 ~ /(^|,)1(,|$)/ && $11 != "" && ++n % 5 == 0 {
    k = split($11, p, ";"); p[4] = "12x"; s = p[1]
    for (i = 2; i <= (k > 4 ? k : 4); i++) s = s ";" p[i]
    $11 = s } { print }' "$tmp/h2.tsv" >"$tmp/prices.tsv"
"$bin/hit-gen" --rows 20000 --seed 7 --anomalies 0.001 -o "$tmp/anomalies.tsv" || exit 1

strip() { sed 's/, visitors tracked [0-9]* (peak [0-9]*)//' "$1"; }
check() { # what, status wanted, args...: --threads 1, 2, 3 and 5 agree (stdin: $in)
    local what=$1 want=$2 n r1 rn
    shift 2
    "$bin/hit-attrib" --threads 1 "$@" <"${in:-/dev/null}" >"$tmp/o1" 2>"$tmp/e1"
    r1=$?
    [ "$r1" = "$want" ] || { echo "FAIL $what: one thread exit $r1, expected $want"; fail=1; }
    for n in 2 3 5; do
        "$bin/hit-attrib" --threads $n "$@" <"${in:-/dev/null}" >"$tmp/on" 2>"$tmp/en"
        rn=$?
        if [ $rn != "$r1" ] || ! cmp -s "$tmp/o1" "$tmp/on" ||
            ! cmp -s <(strip "$tmp/e1") <(strip "$tmp/en"); then
            echo "FAIL $what: $n threads (exit $rn) differ from one (exit $r1)"
            diff "$tmp/o1" "$tmp/on" | head -5
            diff <(strip "$tmp/e1") <(strip "$tmp/en") | head -5
            fail=1
        fi
    done
}

check "three files" 0 -v "$tmp/h1.tsv" "$tmp/h2.tsv" "$tmp/h3.tsv"
[ "$(wc -l <"$tmp/o1")" -gt 100 ] || { echo "FAIL three files: too few rows"; fail=1; }
check "with, first, expire" 0 -v --with ip,hit_time_gmt -m first -e 5m "$tmp/h1.tsv" "$tmp/h2.tsv"
check "shard" 0 -v --shard 1/3 "$tmp/h1.tsv" "$tmp/h3.tsv"
check "bad prices" 0 -v "$tmp/h1.tsv" "$tmp/prices.tsv"
grep -q "prices.tsv:[0-9]*:11: product 1: price not a number; hit not counted" "$tmp/e1" ||
    { echo "FAIL bad prices: no warning"; fail=1; }
check "bad prices, strict" 1 --strict "$tmp/h1.tsv" "$tmp/prices.tsv"
grep -q "prices.tsv:[0-9]*:11: product 1: price not a number$" "$tmp/e1" ||
    { echo "FAIL bad prices, strict: $(cat "$tmp/e1")"; fail=1; }
# a time that is not epoch seconds, in a later chunk of the second file
awk -F '\t' -v OFS='\t' 'NR == 7000 { $1 = "1254x" } { print }' "$tmp/h2.tsv" >"$tmp/time.tsv"
check "bad time" 1 "$tmp/h1.tsv" "$tmp/time.tsv"
grep -q "time.tsv:7000:1: hit_time_gmt: not epoch seconds$" "$tmp/e1" ||
    { echo "FAIL bad time: $(cat "$tmp/e1")"; fail=1; }
# a stream: one thread reads and prepares the hits, a second attributes
cat "$tmp/h1.tsv" "$tmp/prices.tsv" | awk 'NR == 1 || !/^hit_time_gmt/' >"$tmp/stream.tsv"
# (two files one after the other: time goes back where the second starts, so
# the hits are taken as they come, or sorted, or the stream is refused)
in=$tmp/stream.tsv check "stream" 0 -v --with ip -m first --order input -
in=$tmp/stream.tsv check "stream, last touch" 0 -v -e 10m --order input -
[ "$(wc -l <"$tmp/o1")" -gt 100 ] || { echo "FAIL stream: too few rows"; fail=1; }
in=$tmp/stream.tsv check "stream, sorted" 0 -v --order sort -
[ "$(wc -l <"$tmp/o1")" -gt 100 ] || { echo "FAIL stream, sorted: too few rows"; fail=1; }
in=$tmp/stream.tsv check "stream, out of order" 1 -v -
check "anomalies" 1 "$tmp/h3.tsv" "$tmp/anomalies.tsv"
grep -q "anomalies.tsv:[0-9]*:[0-9]*: " "$tmp/e1" ||
    { echo "FAIL anomalies: $(cat "$tmp/e1")"; fail=1; }
exit $fail
