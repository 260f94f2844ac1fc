#!/usr/bin/env bash
# Every tool's --help "Usage:" line must equal its man page's SYNOPSIS, and
# every long option --help lists must be documented in the man page.
set -u
cd "$(dirname "$0")/../.." || exit 1
command -v man >/dev/null || { echo "man not installed" >&2; exit 77; }
fail=0
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
