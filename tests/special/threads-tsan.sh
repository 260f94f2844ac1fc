#!/usr/bin/env bash
# The threaded tools under ThreadSanitizer: lib/relay, lib/stage, hit-agg,
# hit-attrib, hit-partition and hit-sort are built with -fsanitize=thread into a scratch
# directory and run with two threads on generated data big enough for many
# batches and buffer refills, and on inputs that stop with an error from
# either thread.  Any data race report fails the test; outputs must equal
# the normal build's with --threads 1.  Skipped (77) when the compiler
# cannot build with ThreadSanitizer.  Needs make's build/gen (the built-in
# engine table as C).
# tests/run: needs a ThreadSanitizer build of its own
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-tsan.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}
flags=(-std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=thread -I"$root/lib" -I"$root/build/gen")
libs=(-lcsv -lzstd -lz -lm -pthread)
echo 'int main(void){return 0;}' >"$tmp/t.c"
"$cc" "${flags[@]}" "$tmp/t.c" -o "$tmp/t" 2>/dev/null && "$tmp/t" || exit 77
for t in hit-agg hit-attrib hit-partition hit-sort; do
    "$cc" "${flags[@]}" "$root/tools/$t.c" "$root"/lib/*.c -o "$tmp/$t" "${libs[@]}" || exit 1
done
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
fail=0
check() { # what, status, expected status
    if [ "$2" = 66 ] || [ "$2" != "$3" ]; then
        echo "FAIL $1: exit $2, expected $3"
        fail=1
    fi
}

"$bin/hit-gen" --rows 60000 --seed 3 >"$tmp/hits.tsv" || exit 1
"$tmp/hit-attrib" --threads 2 "$tmp/hits.tsv" >"$tmp/a2.tsv" 2>"$tmp/a2.err"
check "hit-attrib" $? 0
"$bin/hit-attrib" --threads 1 "$tmp/hits.tsv" >"$tmp/a1.tsv" || exit 1
cmp -s "$tmp/a1.tsv" "$tmp/a2.tsv" || { echo "FAIL hit-attrib: outputs differ"; fail=1; }
# a file is read in chunks by three threads (lib/stage); a stream by one
# thread, with another attributing
"$tmp/hit-attrib" --threads 3 "$tmp/hits.tsv" >"$tmp/a3.tsv" 2>"$tmp/a3.err"
check "hit-attrib 3 threads" $? 0
cmp -s "$tmp/a1.tsv" "$tmp/a3.tsv" || { echo "FAIL hit-attrib 3 threads: outputs differ"; fail=1; }
"$tmp/hit-attrib" --threads 2 - <"$tmp/hits.tsv" >"$tmp/as.tsv" 2>"$tmp/as.err"
check "hit-attrib stream" $? 0
cmp -s "$tmp/a1.tsv" "$tmp/as.tsv" || { echo "FAIL hit-attrib stream: outputs differ"; fail=1; }
# hits in reverse time order: each reading path finds the disorder on a
# thread of its own, stops, and the hits are sorted; a stream stops with
# an error.  The rows come in time order, so they are compared sorted.
{ head -n 1 "$tmp/hits.tsv"; tail -n +2 "$tmp/hits.tsv" | tac; } >"$tmp/rev.tsv"
zstd -q "$tmp/rev.tsv" -o "$tmp/rev.tsv.zst" || exit 1
LC_ALL=C sort "$tmp/a1.tsv" >"$tmp/a1.sorted"
"$tmp/hit-attrib" --threads 3 "$tmp/rev.tsv" >"$tmp/r3.tsv" 2>"$tmp/r3.err"
check "hit-attrib reversed, chunks" $? 0
"$tmp/hit-attrib" --threads 2 "$tmp/rev.tsv.zst" >"$tmp/rz.tsv" 2>"$tmp/rz.err"
check "hit-attrib reversed, relay" $? 0
for r in r3 rz; do
    LC_ALL=C sort "$tmp/$r.tsv" | cmp -s "$tmp/a1.sorted" - ||
        { echo "FAIL hit-attrib reversed ($r): rows differ"; fail=1; }
done
"$tmp/hit-attrib" --threads 2 - <"$tmp/rev.tsv" >"$tmp/rs.tsv" 2>"$tmp/rs.err"
check "hit-attrib reversed stream" $? 1
# --progress reporting at every tick, from the thread that finishes
# batches (lib/stage), among bad prices' warnings; on a terminal
# (script) a warning wipes the meter's line first, from whichever thread
awk -F '\t' -v OFS='\t' 'NR > 1 && NR % 1000 == 0 { $5 = "1"; $11 = "Games;X;1;abc;" } 1' \
    "$tmp/hits.tsv" >"$tmp/badp.tsv"
"$bin/hit-attrib" --threads 1 "$tmp/badp.tsv" >"$tmp/b1.tsv" 2>/dev/null || exit 1
export HK_PROGRESS_INTERVAL=0
for how in "--threads 3 $tmp/badp.tsv" "--threads 2 - <$tmp/badp.tsv"; do
    eval "\"\$tmp/hit-attrib\" --progress $how" >"$tmp/pr.tsv" 2>"$tmp/pr.err"
    check "hit-attrib --progress $how" $? 0
    cmp -s "$tmp/b1.tsv" "$tmp/pr.tsv" || { echo "FAIL hit-attrib --progress $how: rows differ"; fail=1; }
    if command -v script >/dev/null; then
        script -qec "$tmp/hit-attrib --progress $how >$tmp/pr.tsv 2>/dev/tty" /dev/null \
            </dev/null >"$tmp/pr.tty"
        check "hit-attrib --progress $how, terminal" $? 0
    fi
done
unset HK_PROGRESS_INTERVAL

awk 'BEGIN { OFS = "\t"; print "d", "k", "v"
    for (i = 0; i < 300000; i++) print "d" (i % 41), "k" (i * 7919 % 1009), (i % 997) "." (i % 100) }' \
    >"$tmp/dkr.tsv"
"$tmp/hit-agg" --threads 2 -g d,k -a n=count,s=sum:v,u=nunique:v "$tmp/dkr.tsv" >"$tmp/g2.tsv" 2>"$tmp/g2.err"
check "hit-agg" $? 0
"$bin/hit-agg" --threads 1 -g d,k -a n=count,s=sum:v,u=nunique:v "$tmp/dkr.tsv" >"$tmp/g1.tsv" || exit 1
cmp -s "$tmp/g1.tsv" "$tmp/g2.tsv" || { echo "FAIL hit-agg: outputs differ"; fail=1; }
# without nunique, a file this big is read in two parts at once
ops=n=count,s=sum:v,m=mean:v,lo=min:v,hi=max:v,f=first:k,l=last:k
"$tmp/hit-agg" --threads 2 -g d -a "$ops" "$tmp/dkr.tsv" >"$tmp/p2.tsv" 2>"$tmp/p2.err"
check "hit-agg parts" $? 0
"$bin/hit-agg" --threads 1 -g d -a "$ops" "$tmp/dkr.tsv" >"$tmp/p1.tsv" || exit 1
cmp -s "$tmp/p1.tsv" "$tmp/p2.tsv" || { echo "FAIL hit-agg parts: outputs differ"; fail=1; }

# errors found by each thread: a sum out of range (worker), a bad number
# and a broken record (reader); hit-agg's parts stop, and the file is read
# again with the reader and the worker
{ cat "$tmp/dkr.tsv"; printf 'x\ty\t9223372036854775807\nx\ty\t1\n'; } >"$tmp/over.tsv"
"$tmp/hit-agg" -g d,k -a s=sum:v "$tmp/over.tsv" >/dev/null 2>"$tmp/e1"
check "hit-agg overflow" $? 1
{ cat "$tmp/dkr.tsv"; printf 'x\ty\tbad\n'; } >"$tmp/bad.tsv"
"$tmp/hit-agg" -g d,k -a s=sum:v "$tmp/bad.tsv" >/dev/null 2>"$tmp/e2"
check "hit-agg bad number" $? 1
{ cat "$tmp/hits.tsv"; printf 'x\n'; } >"$tmp/short.tsv"
"$tmp/hit-attrib" "$tmp/short.tsv" >/dev/null 2>"$tmp/e3"
check "hit-attrib short record" $? 1

"$tmp/hit-partition" --by hash --shards 8 -S 1M --name t -o "$tmp/parts" "$tmp/hits.tsv" 2>"$tmp/p.err"
check "hit-partition" $? 0
rows=$(find "$tmp/parts" -name '*.zst' -exec zstd -qdc {} + | grep -vc '^hit_time_gmt')
[ "$rows" = 60000 ] || { echo "FAIL hit-partition: $rows rows back"; fail=1; }

# hit-sort: a mapped file and a stream (reader and coder), over a million
# rows (the radix pass and the buckets on both threads), spilled runs
awk 'function rnd() { rng = (rng * 16807) % 2147483647; return rng / 2147483647 }
    BEGIN { rng = 5; print "k\tid"; for (i = 0; i < 1100000; i++)
    printf "%d.%d\t%d\n", int(rnd() * 900), int(rnd() * 10), i }' >"$tmp/big.tsv"
"$bin/hit-sort" --threads 1 -k k:n "$tmp/big.tsv" >"$tmp/s1.tsv" || exit 1
"$tmp/hit-sort" --threads 2 -k k:n "$tmp/big.tsv" >"$tmp/s2.tsv" 2>"$tmp/s2.err"
check "hit-sort" $? 0
cmp -s "$tmp/s1.tsv" "$tmp/s2.tsv" || { echo "FAIL hit-sort: outputs differ"; fail=1; }
"$tmp/hit-sort" --threads 2 -k k:n -S 4M -T "$tmp" - <"$tmp/big.tsv" >"$tmp/s3.tsv" 2>"$tmp/s3.err"
check "hit-sort stream, spilled" $? 0
cmp -s "$tmp/s1.tsv" "$tmp/s3.tsv" || { echo "FAIL hit-sort stream: outputs differ"; fail=1; }

[ "$fail" = 0 ] || { cat "$tmp"/*.err "$tmp"/e? 2>/dev/null | head -40; exit 1; }
exit 0
