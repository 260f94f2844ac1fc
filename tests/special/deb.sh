#!/usr/bin/env bash
# make deb: the package's fields and contents, and the tools installed from
# it into a staging root (dpkg -x) working from there.
# 1. dpkg-deb --info: Package hitkit, Version the project's (HK_VERSION),
#    Architecture the machine's, Depends only what hit-report runs (the
#    programs are static), Recommends awscli.
# 2. dpkg-deb --contents: every tool in /usr/bin (mode 755) and every man
#    page gzipped in /usr/share/man/man1 (644), owned by root, nothing else
#    but their directories.
# 3. Unpacked into a scratch root: hit-report --version and hit-agg
#    --version say that version; the man pages unzip to man/*.1; the
#    installed hit-report, which runs the tools beside it, makes the same
#    report of the sample day as the tree's.
# Skipped (77) when dpkg-deb is missing, or the static libzstd or libcsv.
# tests/run: needs make static (a static build of its own) and dpkg-deb
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-deb.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0

command -v dpkg-deb >/dev/null || { echo "no dpkg-deb"; exit 77; }
cc=${CC:-cc}
for a in libzstd.a libcsv.a libc.a; do
    [ "$("$cc" -print-file-name="$a")" != "$a" ] || { echo "no static $a for $cc"; exit 77; }
done

version=$(sed -n 's/^#define HK_VERSION "\(.*\)"$/\1/p' "$root/lib/version.h")
arch=$(dpkg --print-architecture)
deb=$root/build/hitkit_${version}_$arch.deb
rm -f "$deb"
make -s -C "$root" deb >"$tmp/make.log" 2>&1 ||
    { cat "$tmp/make.log"; echo "FAIL make deb"; exit 1; }
[ -s "$tmp/make.log" ] && { cat "$tmp/make.log"; echo "FAIL make deb is not quiet"; fail=1; }
[ -f "$deb" ] || { echo "FAIL no $deb"; exit 1; }

# 1. fields
dpkg-deb --info "$deb" >/dev/null || { echo "FAIL dpkg-deb --info"; fail=1; }
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends >"$tmp/fields"
printf '%s\n' "Package: hitkit" "Version: $version" "Architecture: $arch" \
    "Depends: bash, coreutils, gzip, libarchive-tools" "Recommends: awscli" >"$tmp/want-fields"
cmp -s "$tmp/want-fields" "$tmp/fields" ||
    { echo "FAIL fields:"; diff "$tmp/want-fields" "$tmp/fields"; fail=1; }
for f in Maintainer Installed-Size Description; do
    [ -n "$(dpkg-deb -f "$deb" "$f")" ] || { echo "FAIL no $f"; fail=1; }
done

# 2. contents: mode, owner, path of every entry
dpkg-deb --contents "$deb" | awk '{ print $1, $2, $6 }' | sort >"$tmp/contents"
{
    for d in ./ ./usr/ ./usr/bin/ ./usr/share/ ./usr/share/man/ ./usr/share/man/man1/; do
        echo "drwxr-xr-x root/root $d"
    done
    for t in "$root"/tools/hit-*; do
        t=$(basename "$t" .c)
        echo "-rwxr-xr-x root/root ./usr/bin/$t"
    done
    for m in "$root"/man/*.1; do
        echo "-rw-r--r-- root/root ./usr/share/man/man1/$(basename "$m").gz"
    done
} | sort >"$tmp/want-contents"
cmp -s "$tmp/want-contents" "$tmp/contents" ||
    { echo "FAIL contents:"; diff "$tmp/want-contents" "$tmp/contents"; fail=1; }

# 3. installed in a staging root
dpkg -x "$deb" "$tmp/stage" || { echo "FAIL dpkg -x"; exit 1; }
for t in hit-report hit-agg; do
    line=$("$tmp/stage/usr/bin/$t" --version | head -n 1)
    [ "$line" = "$t (hitkit) $version" ] || { echo "FAIL $t --version: $line"; fail=1; }
done
for m in "$root"/man/*.1; do
    gzip -dc "$tmp/stage/usr/share/man/man1/$(basename "$m").gz" | cmp -s "$m" - ||
        { echo "FAIL $(basename "$m").gz is not man/$(basename "$m")"; fail=1; }
done
"$bin/hit-report" --date 2009-09-27 "$root/examples/sample/data.tsv" >"$tmp/want.tab" ||
    { echo "FAIL tree's hit-report"; fail=1; }
# with PATH empty of hitkit: the installed script runs the tools beside it
PATH=/usr/bin:/bin "$tmp/stage/usr/bin/hit-report" --date 2009-09-27 \
    "$root/examples/sample/data.tsv" >"$tmp/got.tab" ||
    { echo "FAIL installed hit-report"; fail=1; }
cmp -s "$tmp/want.tab" "$tmp/got.tab" ||
    { echo "FAIL installed hit-report's report differs"
      diff "$tmp/want.tab" "$tmp/got.tab"; fail=1; }

[ "$fail" = 0 ] && echo "deb: $(basename "$deb") installs and runs"
exit "$fail"
