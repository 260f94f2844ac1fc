#!/usr/bin/env bash
# make lint: cppcheck, gcc -fanalyzer, clang-tidy and shellcheck find
# nothing in the C code and the shell scripts (mk/lint.sh says what each
# looks at; .clang-tidy and .shellcheckrc the few checks that are off).
# Skipped (77) when one of the analysers is not installed (make check-deps
# installs them).
# It analyses every file, which takes longer than the default time limit
# allows on a busy machine:
# tests/run: time limit 600 s
# tests/run: needs the static analysers, and minutes
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
for t in cppcheck gcc clang-tidy shellcheck; do
    command -v "$t" >/dev/null || { echo "no $t"; exit 77; }
done
out=$(make -s -C "$root" lint 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 40
[ "$rc" = 0 ] || { echo "FAIL make lint: exit $rc"; exit 1; }
