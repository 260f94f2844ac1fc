#!/usr/bin/env bash
# Every tool's --help "Usage:" line must equal its man page's SYNOPSIS, and
# every long option --help lists must be documented in the man page; and
# every page's .TH line names the version of lib/version.h.
set -u
cd "$(dirname "$0")/../.." || exit 1
fail=0
version=$(sed -n 's/^#define HK_VERSION "\(.*\)"$/\1/p' lib/version.h)
[ -n "$version" ] || { echo "no HK_VERSION in lib/version.h"; exit 1; }
for page in man/*.1; do
    grep -q "^\.TH [^ ]* 1 [^ ]* \"hitkit $version\" " "$page" ||
        { echo "$page: its .TH line does not say \"hitkit $version\""; fail=1; }
done
command -v man >/dev/null || { echo "man not installed" >&2; [ "$fail" = 0 ] && exit 77; exit 1; }
for page in man/*.1; do
    tool=$(basename "$page" .1)
    [ -x "$HK_BIN/$tool" ] || { echo "$tool: no binary for $page"; fail=1; continue; }
    syn=$(MANWIDTH=300 man -l "$page" 2>/dev/null | col -b |
        awk '/^SYNOPSIS/{on=1; next} /^[A-Z]/{on=0} on' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
    use=$("$HK_BIN/$tool" --help | sed -n '1s/^Usage: //p')
    if [ "$syn" != "$use" ]; then
        echo "$tool: man SYNOPSIS '$syn' differs from --help '$use'"
        fail=1
    fi
    for opt in $("$HK_BIN/$tool" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$page" ||
            grep -q -- "$opt" "$page" || { echo "$tool: $opt not in $page"; fail=1; }
    done
done
exit $fail
