#!/usr/bin/env bash
# hit-agg reads plain files of a few megabytes or more in chunks on every
# thread, and each thread adds the rows of its own groups (lib/groupby on
# lib/stage).  With two threads or more it must give what one thread
# gives, byte for byte: every operation, groups in order of first
# appearance, escaped and empty values, CRLF lines, several files; the
# same -v counts; and on bad input (a bad number, a broken record, a sum
# out of range) the same message and exit status.  The sums near the
# 64-bit limit are made so that sums of pieces would fit but a read in
# order goes out of range on the way (and the reverse).
set -u -o pipefail
bin=${HK_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-agg-threads.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0

# 3 files of about 3 MB: a key with an escaped TAB (\t) or an Adobe-style
# escaped one (backslash and a real TAB), empty values, some CRLF lines.
for f in 1 2 3; do
    awk -v f="$f" 'BEGIN {
        OFS = "\t"; print "d", "k", "v"
        for (i = 0; i < 160000; i++) {
            k = "k" (i * 7919 % 3001) (i % 11 == 0 ? "\\tx" : "") (i % 13 == 0 ? "\\\ty" : "")
            v = i % 17 == 0 ? "" : (i % 3 ? "-" : "") (i * f % 9973) "." (i % 100)
            printf "%s\t%s\t%s%s\n", "d" (i % 37), k, v, (i % 5 == 0 ? "\r" : "")
        }
    }' >"$tmp/in$f.tsv"
done
ins=("$tmp/in1.tsv" "$tmp/in2.tsv" "$tmp/in3.tsv")
ops=n=count,c=count:v,s=sum:v,m=mean:v,lo=min:v,hi=max:v,f=first:v,l=last:v

same() { # what, status, args...: --threads 1 and 2 agree on stdout, stderr
    local what=$1 want=$2 r1 r2 # and exit status, which is the one wanted
    shift
    shift
    "$bin/hit-agg" --threads 1 "$@" >"$tmp/o1" 2>"$tmp/e1"
    r1=$?
    "$bin/hit-agg" --threads 2 "$@" >"$tmp/o2" 2>"$tmp/e2"
    r2=$?
    sed -i 's/, [0-9.]* s, [0-9.]* MB\/s, group memory [0-9.]* MB$//' "$tmp/e1" "$tmp/e2"
    if [ $r1 != $r2 ] || ! cmp -s "$tmp/o1" "$tmp/o2" || ! cmp -s "$tmp/e1" "$tmp/e2"; then
        echo "FAIL $what: one thread exit $r1, two threads exit $r2"
        diff "$tmp/o1" "$tmp/o2" | head -5
        diff "$tmp/e1" "$tmp/e2" | head -5
        fail=1
    elif [ "$r1" != "$want" ]; then
        echo "FAIL $what: exit $r1, expected $want"
        fail=1
    fi
}

same "merge, one file" 0 -g d,k -a "$ops" "${ins[0]}"
same "merge, three files" 0 -v -g k -a "$ops" "${ins[@]}"
same "totals" 0 -a "$ops" --decimals 3 "${ins[@]}"
# more threads than cores: 3, 4 and 7 threads give the one-thread answer too
"$bin/hit-agg" --threads 1 -g d,k -a "$ops" "${ins[@]}" >"$tmp/one" 2>&1
for n in 3 4 7; do
    "$bin/hit-agg" --threads $n -g d,k -a "$ops" "${ins[@]}" >"$tmp/many" 2>&1
    cmp -s "$tmp/one" "$tmp/many" || { echo "FAIL $n threads differ from one"; fail=1; }
done
[ "$(wc -l <"$tmp/o1")" = 2 ] || { echo "FAIL totals: $(wc -l <"$tmp/o1") lines"; fail=1; }

# bad input late in the second file and early in the third: the first one
# is reported, with its line
cp "${ins[1]}" "$tmp/bad2.tsv"
printf 'd1\tk1\t12x\n' >>"$tmp/bad2.tsv"
{ head -n 5 "${ins[2]}"; printf 'd1\tk1\n'; tail -n +6 "${ins[2]}"; } >"$tmp/bad3.tsv"
same "bad number" 1 -g d -a s=sum:v "${ins[0]}" "$tmp/bad2.tsv" "$tmp/bad3.tsv"
grep -q "bad2.tsv:160002:3: sum:v: not a number: '12x'" "$tmp/e2" ||
    { echo "FAIL bad number: $(cat "$tmp/e2")"; fail=1; }
same "short record" 1 -g d -a s=sum:v "${ins[0]}" "$tmp/bad3.tsv"
grep -q "bad3.tsv:6:3: too few fields: expected 3, found 2" "$tmp/e2" ||
    { echo "FAIL short record: $(cat "$tmp/e2")"; fail=1; }

# 5e18 + 5e18 - 5e18 in one group, the first term in the first chunk:
# each chunk's sum would fit (5e18, then 0), but in order the second term
# overflows
big=5000000000000000000
{ head -n 2 "${ins[0]}"; printf 'big\tk\t%s\n' $big; tail -n +3 "${ins[0]}"
  printf 'big\tk\t%s\nbig\tk\t-%s\n' $big $big; } >"$tmp/over.tsv"
same "overflow on the way" 1 -g d -a s=sum:v "$tmp/over.tsv"
grep -q "over.tsv:160003:3: sum:v: the sum is out of range" "$tmp/e2" ||
    { echo "FAIL overflow on the way: $(cat "$tmp/e2")"; fail=1; }
# 5e18 - 5e18 + 5e18: fine in order, whatever the chunks hold
{ head -n 2 "${ins[0]}"; printf 'big\tk\t%s\n' $big; tail -n +3 "${ins[0]}"
  printf 'big\tk\t-%s\nbig\tk\t%s\n' $big $big; } >"$tmp/near.tsv"
same "near the limit" 0 -g d -a s=sum:v "$tmp/near.tsv"
grep -q "^big	5000000000000000000$" "$tmp/o2" || { echo "FAIL near the limit: no sum"; fail=1; }

exit $fail
