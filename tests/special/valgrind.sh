#!/usr/bin/env bash
# The data cases of one tool under Valgrind's memcheck: zero errors (reads of
# uninitialised memory, bad frees...) and zero leaks, definite or indirect,
# with the outputs still those the cases expect.  The normal build (bin/) is
# run: what the sanitizer build cannot show (memory that no sanitizer
# instruments, such as libzstd's and libc's) memcheck sees.
#
# One tool per run, as the whole set is slow under Valgrind: the C tools
# with cases (tests/cases/*, a tools/NAME.c), in name order, rotate by the
# day of the year (UTC), so a daily CI run covers them all within a week
# and any run says which one it took.  hit-report's cases (a script, which
# runs the same C tools, many times over: several times as long as any
# other) are not in the rotation.  HK_VALGRIND=1 runs every tool, hit-report
# too; HK_VALGRIND=hit-sort (or several names, space-separated) runs those.
#
# The cases run through tests/run with a bin directory of wrappers,
# build/valgrind/bin, one per tool, that exec the real bin/ tool under
# valgrind (hit-report, a script, is copied: the tools it runs are found
# on PATH, the wrappers).  A case's tool and every tool its cmd script
# runs go through them.  Valgrind writes its reports to one log file per
# process; any log with an error fails the test, shown here.  Skipped (77)
# without valgrind.  A case may take many times its usual time under
# Valgrind: the cases' time limit is five times tests/run's, and this
# test's is an hour, which HK_VALGRIND=1 (every tool, one after another)
# needs on a slow machine.
# tests/run: time limit 3600 s
# tests/run: needs valgrind over the data cases, up to an hour
set -uo pipefail
command -v valgrind >/dev/null || { echo "no valgrind"; exit 77; }
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
root=$PWD
make -s all || exit 2

all=() rota=()
for d in tests/cases/*/; do
    t=$(basename "$d")
    all+=("$t")
    [ ! -f "tools/$t.c" ] || rota+=("$t")
done
case ${HK_VALGRIND:-} in
1) tools=("${all[@]}") ;;
'') tools=("${rota[$((10#$(date -u +%j) % ${#rota[@]}))]}") ;;
*) read -r -a tools <<<"$HK_VALGRIND" ;;
esac
echo "valgrind: ${tools[*]} (of ${rota[*]}; HK_VALGRIND=1 for all, hit-report too)"

logs=$(mktemp -d "${TMPDIR:-/tmp}/hk-valgrind.XXXXXX") || exit 2
trap 'rm -rf "$logs"' EXIT
wrap=build/valgrind/bin
rm -rf "$wrap"
mkdir -p "$wrap"
for t in bin/hit-*; do
    name=$(basename "$t")
    if [ -f "tools/$name.c" ]; then
        printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=%s/%s.%%p.log %s/%s "$@"\n' \
            "$logs" "$name" "$root/bin" "$name" >"$wrap/$name"
    else
        cp "$t" "$wrap/$name"
    fi
    chmod +x "$wrap/$name"
done

started=$SECONDS
HK_BINS=$wrap HK_TEST_TIMEOUT=$((${HK_TEST_TIMEOUT:-120} * 5)) tests/run "${tools[@]}"
rc=$?
# A log is empty when Valgrind found nothing (-q); otherwise it holds the
# reports, ending with the error summary.
bad=0
for l in "$logs"/*.log; do
    [ -s "$l" ] || continue
    bad=$((bad + 1))
    echo "--- $(basename "$l"):"
    head -n 40 "$l"
done
echo "valgrind: ${tools[*]}: $(ls "$logs" | wc -l) processes, $bad with errors, $((SECONDS - started)) s"
[ "$rc" = 0 ] && [ "$bad" = 0 ]
