#!/usr/bin/env bash
# Hardened builds by default: the flags of Debian's dpkg-buildflags
# (hardening=+all) in bin/ and in make static's tools, read off the binaries
# with readelf (binutils, which every build has).
# 1. Every C tool of bin/ (make all, the default build) is a position-
#    independent executable (FLAGS_1 PIE), has full RELRO (a GNU_RELRO
#    segment and BIND_NOW), calls __stack_chk_fail (stack protector) and
#    fortified libc functions (__*_chk, _FORTIFY_SOURCE); each of its
#    compilation units (lib/ and tools/, as DWARF records them) was compiled
#    with -fstack-protector-strong, -fstack-clash-protection, -fcf-protection
#    and -fPIE, and every object of build/libhitkit.a is marked for IBT and
#    SHSTK.  (A program keeps that mark only when every object it links has
#    it; Debian's crt1.o, libc.a and libcsv.a have not.)
# 2. Every C tool of build/static/bin is a static PIE (type DYN, no INTERP,
#    FLAGS_1 PIE) with full RELRO; they are stripped, so what they were
#    compiled with is read off make's commands: every compilation and link
#    of make static has the same flags as above, and _FORTIFY_SOURCE=2.
# The tools are built (make all static) if need be.  Skipped (77) when the
# static libzstd or libcsv is missing (make static cannot build).
# tests/run: needs make static (a static build of its own)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-harden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0
cflags=(-fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE)

cc=${CC:-cc}
static=1
for a in libzstd.a libcsv.a libc.a; do
    [ "$("$cc" -print-file-name="$a")" != "$a" ] || static=0
done
goals=(all)
[ "$static" = 1 ] && goals+=(static)
make -s -C "$root" "${goals[@]}" >"$tmp/make.log" 2>&1 ||
    { cat "$tmp/make.log"; echo "FAIL make ${goals[*]}"; exit 1; }

# pie_relro FILE: FILE is a PIE with full RELRO (else a FAIL line per miss).
pie_relro() {
    local f=$1 dyn
    dyn=$(readelf -dW "$f") || { echo "FAIL $f: readelf -d"; fail=1; return; }
    readelf -hW "$f" | grep -Eq '^ *Type: *DYN ' || { echo "FAIL $f: not a PIE (type)"; fail=1; }
    grep -Eq 'FLAGS_1.*Flags:.* PIE' <<<"$dyn" || { echo "FAIL $f: no PIE flag"; fail=1; }
    grep -Eq '\(FLAGS\).*BIND_NOW' <<<"$dyn" || { echo "FAIL $f: no BIND_NOW (-z now)"; fail=1; }
    readelf -lW "$f" | grep -q 'GNU_RELRO' || { echo "FAIL $f: no GNU_RELRO (-z relro)"; fail=1; }
}

# 1. bin/
n=0
for c in "$root"/tools/hit-*.c; do
    t=$(basename "$c" .c) f=$root/bin/$(basename "$c" .c)
    n=$((n + 1))
    pie_relro "$f"
    syms=$(nm -D "$f") || { echo "FAIL $t: nm -D"; fail=1; continue; }
    grep -q ' U __stack_chk_fail' <<<"$syms" || { echo "FAIL $t: no stack protector"; fail=1; }
    grep -Eq ' U __[a-z]+_chk@' <<<"$syms" || { echo "FAIL $t: no fortified call"; fail=1; }
    readelf --debug-dump=info "$f" 2>/dev/null | grep 'DW_AT_producer.*GNU C11' >"$tmp/cu" ||
        { echo "FAIL $t: no compilation unit of ours in its DWARF (built without -g?)"; fail=1; }
    for o in "${cflags[@]}"; do # (-fcf-protection is recorded as -fcf-protection=full)
        if grep -v -- " $o\(=full\)\?\( \|$\)" "$tmp/cu" | grep -q .; then
            echo "FAIL $t: a compilation unit without $o"
            fail=1
        fi
    done
done
[ "$n" -ge 6 ] || { echo "FAIL only $n C tools"; fail=1; }
for o in "$root"/build/obj/*.o; do
    readelf -nW "$o" | grep -q 'x86 feature: IBT, SHSTK' || {
        [ "$(uname -m)" = x86_64 ] && { echo "FAIL $o: not marked IBT, SHSTK"; fail=1; }
    }
done

# 2. build/static/bin
if [ "$static" = 1 ]; then
    for c in "$root"/tools/hit-*.c; do
        f=$root/build/static/bin/$(basename "$c" .c)
        pie_relro "$f"
        readelf -lW "$f" | grep -q INTERP && { echo "FAIL $f: has an interpreter"; fail=1; }
    done
    # Every command make static would run, from scratch (-B), not run (-n),
    # a command continued over several lines joined into one.
    make -s -n -B -C "$root" static >"$tmp/cmds" 2>&1 || { echo "FAIL make -n static"; fail=1; }
    sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$tmp/cmds" |
        grep -E ' -c .*lib/[a-z-]+\.c$|-static' >"$tmp/build"
    nb=$(grep -c . "$tmp/build")
    [ "$nb" -ge 20 ] || { echo "FAIL make -n static: only $nb compilations and links"; fail=1; }
    for o in "${cflags[@]}" -D_FORTIFY_SOURCE=2; do
        grep -v -- " $o " "$tmp/build" | grep -q . &&
            { echo "FAIL make static compiles without $o:"; grep -v -- " $o " "$tmp/build" | head -2
                fail=1; }
    done
    for o in -static-pie -Wl,-z,relro -Wl,-z,now; do
        grep -- '-static' "$tmp/build" | grep -v -- " $o " | grep -q . &&
            { echo "FAIL make static links without $o"; fail=1; }
    done
fi

[ "$fail" = 0 ] && echo "hardening: $n tools of bin/ and build/static/bin hardened"
exit "$fail"
