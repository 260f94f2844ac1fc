#!/usr/bin/env bash
# hit-agg against awk and GNU datamash: sums, counts, minimums and maximums
# per group of random money amounts.  awk adds integer cents (exact in a
# double below 2^53) and formats them itself; datamash, when installed, gets
# the same data sorted and prints with two decimals.
set -u -o pipefail
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-agg-awk.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
tab=$(printf '\t')
seed=${HK_SEED:-$((RANDOM + 1))}

# domain keyword revenue, with revenue written as 12, 12.5 or 12.50 and
# negative refunds; cents keeps the exact amount for awk.  rnd, not awk's
# rand(): a seed gives the same data under every awk.
awk -v seed="$seed" 'function rnd() { rng = (rng * 16807) % 2147483647; return rng / 2147483647 }
BEGIN {
    rng = seed; OFS = "\t"
    for (i = 0; i < 200000; i++) {
        c = int(rnd() * 2000000) - 200000; a = c < 0 ? -c : c; sign = c < 0 ? "-" : ""
        s = sprintf("%s%d.%02d", sign, int(a / 100), a % 100)
        if (a % 100 == 0 && rnd() < 0.5)
            s = sprintf("%s%d", sign, int(a / 100))
        else if (a % 10 == 0 && rnd() < 0.5)
            s = sprintf("%s%d.%d", sign, int(a / 100), (a % 100) / 10)
        print "d" int(rnd() * rnd() * 20), "kw " int(rnd() * rnd() * 300), s, c
    }
}' >"$tmp/cents.tsv"
{ printf 'domain\tkeyword\trevenue\n'; cut -f1-3 "$tmp/cents.tsv"; } >"$tmp/data.tsv"

hit-agg -g domain,keyword -a n=count,s=sum:revenue,lo=min:revenue,hi=max:revenue \
    --decimals 2 "$tmp/data.tsv" | tail -n +2 | sort >"$tmp/got.tsv" || exit 1

awk -F "$tab" '
    function money(c,  a) {
        a = c < 0 ? -c : c
        return sprintf("%s%d.%02d", c < 0 ? "-" : "", int(a / 100), a % 100)
    }
    { k = $1 "\t" $2; n[k]++; s[k] += $4
      if (!(k in lo) || $4 < lo[k]) lo[k] = $4
      if (!(k in hi) || $4 > hi[k]) hi[k] = $4 }
    END { for (k in n) print k "\t" n[k] "\t" money(s[k]) "\t" money(lo[k]) "\t" money(hi[k]) }
' "$tmp/cents.tsv" | sort >"$tmp/awk.tsv"

fail=0
if ! cmp -s "$tmp/awk.tsv" "$tmp/got.tsv"; then
    echo "FAIL (HK_SEED=$seed): hit-agg differs from awk"
    diff "$tmp/awk.tsv" "$tmp/got.tsv" | head -n 5
    fail=1
fi
[ "$(wc -l <"$tmp/got.tsv")" -gt 100 ] || { echo "FAIL: too few groups"; fail=1; }

if command -v datamash >/dev/null; then
    tail -n +2 "$tmp/data.tsv" | sort -t "$tab" -k1,1 -k2,2 |
        datamash --format=%.2f -g1,2 count 3 sum 3 min 3 max 3 |
        awk -F "$tab" -v OFS="$tab" '{ sub(/\.00$/, "", $3); print }' | sort >"$tmp/dm.tsv"
    # (the format applies to the count too: its ".00" is taken off)
    if ! cmp -s "$tmp/dm.tsv" "$tmp/got.tsv"; then
        echo "FAIL (HK_SEED=$seed): hit-agg differs from datamash"
        diff "$tmp/dm.tsv" "$tmp/got.tsv" | head -n 5
        fail=1
    fi
fi
[ "$fail" = 0 ] && echo "agg-awk: ok"
exit $fail
