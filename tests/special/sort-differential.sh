#!/usr/bin/env bash
# hit-sort against GNU sort: random data with ties, empty fields, negative,
# decimal, huge, tiny and malformed numbers; many key combinations, in memory
# and with a tiny -S (spilled runs, multi-level merges); -u, --last, --top.
# The body of hit-sort's output must equal `LC_ALL=C sort -s -t TAB` with the
# equivalent keys byte for byte (the data has no backslashes, so the lines
# are the same bytes for both tools).
# tests/run: needs a minute or more against GNU sort
set -u
command -v python3 >/dev/null || { echo "python3 not installed" >&2; exit 77; }
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-sortdiff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0

gen() { # gen SEED ROWS > file
    python3 - "$1" "$2" <<'PY'
import random, sys
rnd = random.Random(int(sys.argv[1]))
nums = ["", "-", "0", "-0", "0.0", "-0.00", "1", "1.0", "1.50", "-1.5", ".5", "-.5",
        "5.", "007", "12abc", "abc", " 3", "  -3", "+4", "1e3", "1.2.3", "--1", "-x",
        "12345678901234567890123456789", "-12345678901234567890123456789",
        "0.000000000000000000000000000001", "-0.000000000000000000000000000001",
        "1234567890.1234567890123", "1234567890.1234567890124",
        "99999999999999999", "100000000000000000", "99999999999999999.5",
        "0." + "0" * 140 + "1", "1" + "0" * 140, "9" * 140]
words = ["", "a", "b", "ab", "abc", "B", "a b", "z", "\u00e9t\u00e9", "\u00e9", "~", "aa"]
print("word\tnum\tprice\tid")
for i in range(int(sys.argv[2])):
    r = rnd.random()
    if r < 0.5:
        n = rnd.choice(nums)
    elif r < 0.8:
        n = str(rnd.randint(-50, 50))
    else:
        n = "%d.%0*d" % (rnd.randint(-999, 999), rnd.randint(1, 3), rnd.randint(0, 999))
    p = "%d.%02d" % (rnd.randint(0, 30), rnd.choice([0, 50, 99])) if rnd.random() < .9 else ""
    print("%s\t%s\t%s\t%d" % (rnd.choice(words), n, p, i))
PY
}

# "hit-sort keys|GNU keys"
specs=(
    "num:n|-k2,2n"
    "num:n:r|-k2,2nr"
    "2:nr|-k2,2nr"
    "word|-k1,1"
    "word:r|-k1,1r"
    "word,num:n|-k1,1 -k2,2n"
    "price:n:r,word:r,num:n|-k3,3nr -k1,1r -k2,2n"
    "num|-k2,2"
    "price:n|-k3,3n"
)

check() { # check NAME HITSORT-ARGS... -- GNU-ARGS...
    local name=$1
    shift
    local hargs=() gargs=()
    while [ "$1" != "--" ]; do hargs+=("$1"); shift; done
    shift
    gargs=("$@")
    hit-sort "${hargs[@]}" "$tmp/in" >"$tmp/hit" || { echo "$name: hit-sort failed"; fail=1; return; }
    { head -n 1 "$tmp/in"; tail -n +2 "$tmp/in" | sort -s -t $'\t' "${gargs[@]}"; } >"$tmp/gnu"
    if ! cmp -s "$tmp/hit" "$tmp/gnu"; then
        echo "$name: differs from GNU sort (hit-sort ${hargs[*]} / sort ${gargs[*]})"
        diff "$tmp/gnu" "$tmp/hit" | head -n 6
        fail=1
    fi
}

for seed in 1 2 3; do
    gen "$seed" 3000 >"$tmp/in"
    for s in "${specs[@]}"; do
        read -r -a g <<<"${s#*|}"
        check "seed $seed -k ${s%%|*}" -k "${s%%|*}" -- "${g[@]}"
        check "seed $seed -k ${s%%|*} -S 1K" -k "${s%%|*}" -S 1K -- "${g[@]}"
        check "seed $seed -k ${s%%|*} -u" -k "${s%%|*}" -u -- -u "${g[@]}"
    done
done

# A bigger input, spilled into many runs and merged in several passes.
gen 7 60000 >"$tmp/in"
check "big -S 64K" -k num:n:r,word -S 64K -- -k2,2nr -k1,1
check "big -S 64K -u" -k word -u -S 64K -- -u -k1,1
check "big in memory" -k price:n,num:n -- -k3,3n -k2,2n
check "big in memory, one numeric key" -k num:n:r -- -k2,2nr
check "big in memory, text" -k word:r,id:n -- -k1,1r -k4,4n

# Over a million rows: the first radix pass and the buckets run on every
# thread (a smaller sort does them on one), the lines are gathered in
# blocks by all; with ties, so that a pass that is not stable shows.
awk 'function rnd() { rng = (rng * 16807) % 2147483647; return rng / 2147483647 }
    BEGIN { rng = 3; print "k\tid"; for (i = 0; i < 1200000; i++)
    printf "%d.%02d\t%d\n", int(rnd() * 3000) - 1500, int(rnd() * 4) * 25, i }' >"$tmp/in"
for t in 1 2 3; do
    check "1.2M rows, --threads $t" -k k:n:r --threads $t -- -k1,1nr
done

# --last is GNU's -u on the reversed input; --top N is the head of the sort.
gen 4 5000 >"$tmp/in"
{ head -n 1 "$tmp/in"; tail -n +2 "$tmp/in" | tac | sort -s -u -t $'\t' -k2,2n; } >"$tmp/gnu"
hit-sort -k num:n -u --last "$tmp/in" >"$tmp/hit"
cmp -s "$tmp/hit" "$tmp/gnu" || { echo "--last differs"; diff "$tmp/gnu" "$tmp/hit" | head; fail=1; }
hit-sort -k num:n -u --last -S 1K "$tmp/in" >"$tmp/hit"
cmp -s "$tmp/hit" "$tmp/gnu" || { echo "--last -S 1K differs"; fail=1; }
for n in 0 1 7 100 4999 5000 6000; do
    for k in "num:n|-k2,2n" "word:r,price:n|-k1,1r -k3,3n"; do
        read -r -a g <<<"${k#*|}"
        { head -n 1 "$tmp/in"; tail -n +2 "$tmp/in" | sort -s -t $'\t' "${g[@]}" | head -n "$n"; } \
            >"$tmp/gnu"
        hit-sort --top "$n" -k "${k%%|*}" "$tmp/in" >"$tmp/hit"
        cmp -s "$tmp/hit" "$tmp/gnu" || { echo "--top $n -k ${k%%|*} differs"; fail=1; }
    done
done
[ "$fail" = 0 ] && echo "sort-differential: all equal"
exit $fail
