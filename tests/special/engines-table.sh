#!/usr/bin/env bash
# The built-in engine table against its source and its promise.
# 1. lib/engines-from-matomo run on the committed Matomo list makes the
#    committed lib/engines.tsv, byte for byte (the table is never edited by
#    hand).
# 2. Every host of the table, with every keyword parameter of its row, is
#    credited: one visitor per (host, parameter) comes from
#    https://HOST/?PARAM=kwN and buys for N; the report must credit N to
#    the host's registrable domain and "kwN".  A "{}" host is tried as
#    .de and .co.uk (suffix) or fr. (subdomain).  The registrable domain
#    is worked out here the way the man page states it: the last label, or
#    the last two when the last is a two-letter code after co, com, net,
#    org, ac, gov, edu, ne, or, go, gob, nic or mil; then the label before.
#    (Path patterns, hidden paths and charsets have their cases in the unit
#    test tests/unit/engines.c.)
set -u -o pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-engines-table.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0

perl "$root/lib/engines-from-matomo" "$root/lib/matomo/SearchEngines.yml" >"$tmp/made.tsv" ||
    { echo "FAIL engines-from-matomo exit $?"; exit 1; }
cmp -s "$tmp/made.tsv" "$root/lib/engines.tsv" ||
    { echo "FAIL lib/engines.tsv is not what lib/engines-from-matomo makes of lib/matomo"; fail=1; }

# hits.tsv and expected.tsv from the table
awk -F'\t' -v hits="$tmp/hits.tsv" -v want="$tmp/expected.tsv" '
function regdom(h,   n, l, k, i, d) {
    n = split(h, l, ".")
    k = 1
    if (n >= 3 && length(l[n]) == 2 &&
        l[n - 1] ~ /^(co|com|net|org|ac|gov|edu|ne|or|go|gob|nic|mil)$/)
        k = 2
    d = l[n]
    for (i = n - 1; i >= n - k && i >= 1; i--)
        d = l[i] "." d
    return d
}
function emit(h, p,   n, ip) {
    n = ++count
    ip = sprintf("10.%d.%d.%d", int(n / 65536), int(n / 256) % 256, n % 256)
    printf "1700000000\t%s\t\t\thttps://%s/?%s=kw%d\n", ip, h, p, n >> hits
    printf "1700000001\t%s\t1\t;A;1;%d\thttps://shop.example/checkout\n", ip, n >> hits
    printf "%s\tkw%d\t%d\n", regdom(h), n, n >> want
}
BEGIN {
    print "hit_time_gmt\tip\tevent_list\tproduct_list\treferrer" > hits
    print "search_engine_domain\tsearch_keyword\trevenue" > want
}
NR > 1 {
    np = split($2, ps, ",")
    for (i = 1; i <= np; i++) {
        if (substr(ps[i], 1, 1) == "/")
            continue
        h = $1
        if (h ~ /^\{\}\./) {
            sub(/^\{\}/, "fr", h); emit(h, ps[i])
        } else if (h ~ /\.\{\}$/) {
            h2 = h
            sub(/\{\}$/, "de", h); emit(h, ps[i])
            sub(/\{\}$/, "co.uk", h2); emit(h2, ps[i])
        } else if (h ~ /\{\}/) {
            sub(/\{\}/, "fr", h); emit(h, ps[i])
        } else {
            emit(h, ps[i])
        }
    }
}' "$root/lib/engines.tsv" || exit 2

"$bin/hit-attrib" --threads 1 "$tmp/hits.tsv" >"$tmp/got.tsv" ||
    { echo "FAIL hit-attrib exit $?"; exit 1; }
if ! cmp -s "$tmp/expected.tsv" "$tmp/got.tsv"; then
    echo "FAIL referrals not credited as expected (- expected, + got):"
    diff "$tmp/expected.tsv" "$tmp/got.tsv" | head -n 20
    fail=1
fi
n=$(($(wc -l <"$tmp/expected.tsv") - 1))
[ "$n" -gt 600 ] || { echo "FAIL only $n referrals generated"; fail=1; }
exit $fail
