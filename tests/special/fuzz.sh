#!/usr/bin/env bash
# The fuzz targets of tests/fuzz (libFuzzer, ASan, UBSan), built with clang
# and run 10 seconds each (FUZZ_SECONDS to change): no target may find
# anything (a crash, a leak, a failed round trip or reference check).
# Findings are kept in build/fuzz/findings/TARGET/ (tests/fuzz/run).
# Skipped (77) when clang cannot build a -fsanitize=fuzzer program
# (make check-deps installs clang and libclang-rt-dev).
# tests/run: time limit 600 s
# tests/run: needs a clang libFuzzer build of its own, and minutes
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
clang=${CLANG:-clang}
probe=$(mktemp -d "${TMPDIR:-/tmp}/hk-fuzz-probe.XXXXXX") || exit 2
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
    >"$probe/p.c"
if ! "$clang" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
    echo "fuzz.sh: $clang cannot build with -fsanitize=fuzzer; skipped" >&2
    exit 77
fi
make -s --no-print-directory fuzz-build CLANG="$clang" >"$probe/build.log" 2>&1 || {
    cat "$probe/build.log"
    exit 1
}
tests/fuzz/run "${FUZZ_SECONDS:-10}"
