#!/bin/sh
# make lint: the static analysers over the C code (lib/, tools/, mk/) and
# every shell script, each finding printed, exit 1 if there is one.
#   cppcheck      warnings and portability (--inline-suppr)
#   gcc           -fanalyzer (as the build compiles, without optimizing)
#   clang-tidy    bugprone-*, cert-*, clang-analyzer-* (.clang-tidy says
#                 which few are off, and why)
#   ShellCheck    every script: *.sh, #! sh or bash, tests/cases/*/*/cmd
#                 (bash; .shellcheckrc)
# A false positive is silenced where it is, with its reason on the line.
# Runs ${LINT_JOBS:-2} analyses at a time, the biggest files first; the
# report is in a fixed order whatever the machine.  Exit 2 when a tool is
# missing (make check-deps installs them).
set -u
cd "$(dirname "$0")/.." || exit 2
for t in cppcheck gcc clang-tidy shellcheck; do
    command -v "$t" >/dev/null 2>&1 ||
        { echo "make lint: no $t (make check-deps installs it)" >&2; exit 2; }
done
out=$(mktemp -d "${TMPDIR:-/tmp}/hk-lint.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT INT TERM

# One analysis: lint_one TOOL FILE..., its findings in $out/TOOL:FILE.
if [ "${1:-}" = one ]; then
    tool=$2
    shift 2
    cflags="-std=c11 -D_GNU_SOURCE -Ilib -Ibuild/gen $(pkg-config --cflags libzstd zlib 2>/dev/null)"
    case $tool in
    cppcheck)
        # shellcheck disable=SC2086 # cflags is a list of words
        cppcheck --quiet --std=c11 --enable=warning,portability --inline-suppr \
            --template=gcc -D_GNU_SOURCE -Ilib -Ibuild/gen "$@" 2>&1 ;;
    gcc)
        for f; do
            # shellcheck disable=SC2086
            gcc $cflags -Wall -Wextra -O0 -fanalyzer -fdiagnostics-plain-output \
                -c -o /dev/null "$f" 2>&1
        done ;;
    clang-tidy)
        # shellcheck disable=SC2086
        clang-tidy --quiet "$@" -- $cflags 2>&1 | grep -v '^[0-9]* warnings\? generated\.$' ;;
    shellcheck-sh) shellcheck -f gcc "$@" 2>&1 ;;
    shellcheck-cmd) shellcheck -f gcc -s bash "$@" 2>&1 ;;
    esac
    exit 0
fi

# The C files, biggest first (the slowest to analyse go first, so that two
# jobs end together), and the shell scripts.
cfiles=$(ls -S lib/*.c tools/*.c mk/*.c)
scripts=$(find tools tests examples mk bench .ci -type f ! -path 'tests/out/*' \
    ! -path '*/node_modules/*' ! -path 'tests/cases/*' | sort | while read -r f; do
    case $f in
    *.sh) echo "$f" ;;
    *) head -n 1 "$f" | grep -Eq '^#!.*[/ ](ba)?sh( |$)' && echo "$f" ;;
    esac
done)
cmds=$(find tests/cases -type f -name cmd | sort)

{
    for f in $cfiles; do echo "clang-tidy $f"; done
    for f in $cfiles; do echo "gcc $f"; done
    for f in $cfiles; do echo "cppcheck $f"; done
    # shellcheck disable=SC2086 # one line of words
    echo shellcheck-sh $scripts
    # shellcheck disable=SC2086
    echo shellcheck-cmd $cmds
} | awk '{ printf "%04d %s\n", NR, $0 }' >"$out/jobs"

start=$(date +%s)
# shellcheck disable=SC2016 # $0 and $1 are xargs' sh's
xargs -P "${LINT_JOBS:-2}" -L 1 sh -c 'n=$1; shift; sh mk/lint.sh one "$@" >"'"$out"'/$n.log"' \
    sh <"$out/jobs"
found=0
for log in "$out"/*.log; do
    [ -s "$log" ] || continue
    cat "$log"
    found=$((found + $(grep -Ec '(warning|error): ' "$log")))
    grep -Eq '(warning|error): ' "$log" || found=$((found + 1))
done
echo "make lint: $found findings ($(( $(date +%s) - start )) s; cppcheck, gcc -fanalyzer," \
    "clang-tidy, shellcheck)" >&2
[ "$found" = 0 ]
