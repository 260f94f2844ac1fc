#!/usr/bin/env bash
# make static: every C tool a fully static executable that keeps every
# feature of the dynamic one, with nothing of the system beside it.
# 1. make static builds build/static/bin; ldd finds no dynamic dependency in
#    any of its programs (static-pie: ldd says "statically linked").
# 2. In an empty root (a directory holding only the static binaries and the
#    input; chroot, or unshare -r -R when chroot is refused), with an empty
#    environment, the report's stages run on hits whose keywords are not
#    UTF-8: Baidu's GBK wd=%B0%D9%B6%C8 (百度), Mail.ru's windows-1251,
#    Yahoo! Japan's EUC-JP, 1.cz's ISO-8859-2 in a path pattern (a regex).
#    The input is zstd-compressed, so libzstd works too.  The report must be
#    the one written below (read against man hit-attrib: keywords converted
#    to UTF-8, non-ASCII letters never lowercased) and the dynamic build's.
# 3. examples/emr/job.sh (against a stub hadoop) ships these static tools,
#    and refuses dynamic ones.
# Skipped (77) when the static libzstd or libcsv is missing, or when this
# machine lets no one into a root directory (neither chroot nor unshare).
# tests/run: needs make static (a static build of its own) and a chroot
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-static.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0

cc=${CC:-cc}
for a in libzstd.a libcsv.a libc.a; do
    [ "$("$cc" -print-file-name="$a")" != "$a" ] || { echo "no static $a for $cc"; exit 77; }
done

make -s -C "$root" static >"$tmp/make.log" 2>&1 ||
    { cat "$tmp/make.log"; echo "FAIL make static"; exit 1; }
[ -s "$tmp/make.log" ] && { cat "$tmp/make.log"; echo "FAIL make static is not quiet"; fail=1; }
sbin=$root/build/static/bin
n=0
for c in "$root"/tools/hit-*.c; do
    t=$(basename "$c" .c)
    n=$((n + 1))
    out=$(ldd "$sbin/$t" 2>&1)
    case $out in
    *"not a dynamic executable"* | *"statically linked"*) ;;
    *) echo "FAIL $t: ldd says: $out"; fail=1 ;;
    esac
done
[ "$n" -ge 6 ] || { echo "FAIL only $n C tools"; fail=1; }

# The hits: each visitor comes from a search, then buys.
hit() { printf '%s\t%s\t%s\t%s\t%s\n' "$@"; }
{
    hit hit_time_gmt ip event_list product_list referrer
    hit 1700000000 10.0.0.1 '' '' 'https://www.baidu.com/s?wd=%B0%D9%B6%C8&ie=gbk'
    hit 1700000000 10.0.0.2 '' '' 'https://go.mail.ru/search?q=%CF%F0%E8%E2%E5%F2'
    hit 1700000000 10.0.0.3 '' '' 'https://search.yahoo.co.jp/search?p=%C6%FC%CB%DC'
    hit 1700000000 10.0.0.4 '' '' 'https://1.cz/s/%BEluv%BB'
    hit 1700000060 10.0.0.1 1 ';A;1;10' 'https://shop.example/checkout'
    hit 1700000060 10.0.0.2 1 ';B;1;20.50' 'https://shop.example/checkout'
    hit 1700000060 10.0.0.3 1 ';C;1;5' 'https://shop.example/checkout'
    hit 1700000060 10.0.0.4 1 ';D;1;1' 'https://shop.example/checkout'
} >"$tmp/hits.tsv"
zstd -q "$tmp/hits.tsv" -o "$tmp/hits.tsv.zst" || exit 2
printf '%s\t%s\t%s\n' search_engine_domain search_keyword revenue \
    mail.ru Привет 20.50 baidu.com 百度 10.00 yahoo.co.jp 日本 5.00 1.cz žluvť 1.00 >"$tmp/want.tsv"

# The report's stages, as hit-report runs them, from the tools in dir $1
# (run through "$2..." when given).
report() {
    local d=$1 in=$2
    shift 2
    "$@" "$d/hit-parse" -f ip,hit_time_gmt,event_list,product_list,referrer "$in" |
        "$@" "$d/hit-attrib" |
        "$@" "$d/hit-agg" -g search_engine_domain,search_keyword -a revenue=sum:revenue \
            --decimals 2 |
        "$@" "$d/hit-sort" -k revenue:n:r,search_engine_domain,search_keyword
}

report "$bin" "$tmp/hits.tsv.zst" >"$tmp/dynamic.tsv" || { echo "FAIL dynamic build"; fail=1; }
cmp -s "$tmp/want.tsv" "$tmp/dynamic.tsv" ||
    { echo "FAIL dynamic report:"; diff "$tmp/want.tsv" "$tmp/dynamic.tsv"; fail=1; }

mkdir "$tmp/root"
cp "$sbin"/hit-parse "$sbin"/hit-attrib "$sbin"/hit-agg "$sbin"/hit-sort "$tmp/hits.tsv.zst" \
    "$tmp/root/" || exit 2
envi=$(command -v env)
if [ "$(id -u)" = 0 ] && chroot "$tmp/root" /hit-attrib --version >/dev/null 2>&1; then
    enter=("$envi" -i "$(command -v chroot)" "$tmp/root")
elif unshare -r -R "$tmp/root" /hit-attrib --version >/dev/null 2>&1; then
    enter=("$envi" -i "$(command -v unshare)" -r -R "$tmp/root")
else
    echo "neither chroot nor unshare -r -R can enter a root directory here"
    exit 77
fi
find "$tmp/root" | sort >"$tmp/before"
report "" /hits.tsv.zst "${enter[@]}" >"$tmp/static.tsv" 2>"$tmp/static.err" ||
    { echo "FAIL static build in an empty root:"; cat "$tmp/static.err"; fail=1; }
[ -s "$tmp/static.err" ] &&
    { echo "FAIL static build wrote on stderr:"; cat "$tmp/static.err"; fail=1; }
cmp -s "$tmp/dynamic.tsv" "$tmp/static.tsv" ||
    { echo "FAIL static report differs from the dynamic one:"
      diff "$tmp/dynamic.tsv" "$tmp/static.tsv"; fail=1; }
find "$tmp/root" | sort | cmp -s "$tmp/before" - || { echo "FAIL the root changed"; fail=1; }

# examples/emr/job.sh ships the static tools, and refuses dynamic ones.
mkdir "$tmp/fake"
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s"\n' "$tmp/hadoop-args" >"$tmp/fake/hadoop"
chmod +x "$tmp/fake/hadoop"
(cd "$root/examples/emr" && PATH=$tmp/fake:$PATH STATIC=$sbin ./job.sh s3://in/ s3://out/) ||
    { echo "FAIL job.sh with the static tools"; fail=1; }
grep -qxF -- "$sbin/hit-parse,$sbin/hit-attrib,$sbin/hit-agg,map.sh,reduce.sh" \
    "$tmp/hadoop-args" 2>/dev/null || { echo "FAIL job.sh does not ship the static tools"; fail=1; }
rm -f "$tmp/hadoop-args"
(cd "$root/examples/emr" && PATH=$tmp/fake:$PATH STATIC=$bin ./job.sh s3://in/ s3://out/) \
    2>"$tmp/job.err"
rc=$?
printf 'job.sh: %s/hit-parse is dynamically linked: ship the static tools (make static)\n' \
    "$bin" | cmp -s - "$tmp/job.err" && [ "$rc" = 2 ] && [ ! -e "$tmp/hadoop-args" ] ||
    { echo "FAIL job.sh took dynamic tools (exit $rc)"; cat "$tmp/job.err"; fail=1; }

[ "$fail" = 0 ] && echo "static: $n tools, report in an empty root == dynamic build's"
exit "$fail"
