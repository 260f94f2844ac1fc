#!/usr/bin/env bash
# hit-agg: partial results merge.  Random data is split into random parts;
# hit-agg over the concatenated partial outputs (counts and sums summed,
# minimums of minimums, maximums of maximums, firsts of firsts, lasts of
# lasts) must equal one run over all the input, byte for byte when the parts
# are consecutive pieces, and up to row order when rows are dealt at random.
# Also: --sorted over ungrouped input gives partials that merge the same way,
# and --sorted over grouped input equals the hash mode.
set -u -o pipefail
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-agg-merge.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0
# Random numbers from a generator of our own, not awk's rand(): a seed gives
# the same data under mawk, gawk or any POSIX awk.
rnd='function rnd() { rng = (rng * 16807) % 2147483647; return rng / 2147483647 }
'

one=(-g 'g1,g2' -a 'n=count,c=count:v,s=sum:v,lo=min:v,hi=max:v,f=first:w,l=last:w')
merge=(-g 'g1,g2' -a 'n=sum:n,c=sum:c,s=sum:s,lo=min:lo,hi=max:hi,f=first:f,l=last:l')

check() { # check WHAT EXPECTED ACTUAL
    if ! cmp -s "$2" "$3"; then
        echo "FAIL (seed $seed): $1"
        diff "$2" "$3" | head -n 5
        fail=1
    fi
}

for seed in 11 23 37 41 59 $((RANDOM + 100)); do
    # Values: integers and decimals of 0-3 places, negatives, empties, equal
    # values written differently (2.5 / 2.50), so scales and ties matter.
    awk -v seed="$seed" "$rnd"'BEGIN {
        rng = seed; OFS = "\t"; print "g1", "g2", "v", "w"
        n = 2000 + int(rnd() * 8000)
        for (i = 0; i < n; i++) {
            r = rnd(); sc = int(rnd() * 4); x = int(rnd() * 200000) - 100000
            if (r < 0.1) v = ""
            else if (sc == 0) v = int(x / 1000)
            else if (sc == 1) v = sprintf("%.1f", x / 1000)
            else if (sc == 2) v = sprintf("%.2f", x / 1000)
            else v = sprintf("%.3f", x / 1000)
            w = rnd() < 0.2 ? "" : "w" int(rnd() * 50)
            print "k" int(rnd() * rnd() * 12), "q" int(rnd() * 7), v, w
        }
    }' >"$tmp/all.tsv"
    hit-agg "${one[@]}" "$tmp/all.tsv" >"$tmp/want.tsv" || { echo "hit-agg failed"; exit 1; }

    # Consecutive pieces, cut at random lines.
    rows=$(($(wc -l <"$tmp/all.tsv") - 1))
    k=$((2 + seed % 5))
    cuts=$(awk -v s="$seed" -v n="$rows" -v k="$k" "$rnd"'BEGIN { rng = s + 1
        for (i = 1; i < k; i++) print 1 + int(rnd() * n) }' | sort -n | tr '\n' ' ')
    rm -f "$tmp"/part.*
    awk -v cuts="$cuts" -v dir="$tmp" 'BEGIN { nc = split(cuts, c, " "); p = 0 }
        NR == 1 { h = $0; next }
        { while (p < nc && NR - 1 > c[p + 1]) p++
          f = sprintf("%s/part.%02d", dir, p)
          if (!(f in seen)) { print h > f; seen[f] = 1 }
          print > f }' "$tmp/all.tsv"
    for p in "$tmp"/part.*; do hit-agg "${one[@]}" "$p" >"$p.agg"; done
    hit-agg "${merge[@]}" "$tmp"/part.*.agg >"$tmp/got.tsv"
    check "consecutive parts" "$tmp/want.tsv" "$tmp/got.tsv"
    # Rows dealt at random: order-free operations, compared as sets of rows.
    rm -f "$tmp"/deal.*
    awk -v s="$seed" -v dir="$tmp" "$rnd"'BEGIN { rng = s + 2 }
        NR == 1 { for (i = 0; i < 4; i++) print > (dir "/deal." i); next }
        { print > (dir "/deal." int(rnd() * 4)) }' "$tmp/all.tsv"
    spec=(-g 'g1,g2' -a 'n=count,c=count:v,s=sum:v,lo=min:v,hi=max:v')
    for p in "$tmp"/deal.?; do hit-agg "${spec[@]}" "$p" >"$p.agg"; done
    hit-agg -g g1,g2 -a n=sum:n,c=sum:c,s=sum:s,lo=min:lo,hi=max:hi "$tmp"/deal.?.agg |
        sort >"$tmp/got.tsv"
    hit-agg "${spec[@]}" "$tmp/all.tsv" | sort >"$tmp/want2.tsv"
    check "rows dealt at random" "$tmp/want2.tsv" "$tmp/got.tsv"

    # --sorted on ungrouped input: each run of a group is a partial result.
    hit-agg --sorted "${one[@]}" "$tmp/all.tsv" | hit-agg "${merge[@]}" >"$tmp/got.tsv"
    check "--sorted partials merged" "$tmp/want.tsv" "$tmp/got.tsv"
    # --sorted on grouped input equals the hash mode on the same input.
    { head -n 1 "$tmp/all.tsv"; tail -n +2 "$tmp/all.tsv" | sort -s -t "$(printf '\t')" -k1,2; } \
        >"$tmp/grouped.tsv"
    hit-agg "${one[@]}" "$tmp/grouped.tsv" >"$tmp/want3.tsv"
    hit-agg --sorted "${one[@]}" "$tmp/grouped.tsv" >"$tmp/got.tsv"
    check "--sorted equals hash mode on grouped input" "$tmp/want3.tsv" "$tmp/got.tsv"
done
[ "$fail" = 0 ] && echo "agg-merge: ok"
exit $fail
