#!/usr/bin/env bash
# examples/ops/Makefile: `make -C examples/ops backfill FROM TO INBOX LEDGER
# DEST -jN` runs one hit-report --inbox --date DAY --threads 1 per day, N at
# once; a failed day fails make (exit 2) and, with -k, the other days still
# run; `make status` is hit-report --status.
#
# First with a stub hit-report (each run logs its arguments, its start and
# its end, and sleeps a second; one day fails): the days, the options, two
# runs at once under -j2, -k.  Then with the real one on three days of Adobe
# deliveries (hit-gen, tests/lib/make-delivery.sh) in a local inbox: every day
# its report and an ok ledger row; one delivery corrupted, make fails and the
# two other days are done again.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
ops=$root/examples/ops
T=$(mktemp -d "${TMPDIR:-/tmp}/hk-ops-backfill.XXXXXX") || exit 2
trap 'rm -rf -- "$T"' EXIT
export HK_RETRY_DELAY=0 PATH="$bin:$PATH"
fails=0
fail() {
    printf 'ops-backfill: FAIL: %s\n' "$*" >&2
    fails=$((fails + 1))
}
backfill() { # make arguments...
    make -s -C "$ops" backfill FROM=2026-12-01 TO=2026-12-03 INBOX="$T/inbox" \
        LEDGER="$T/ledger" DEST="$T/reports" "$@" >"$T/out" 2>"$T/err"
}

# --- a stub hit-report: days, options, parallelism, -k -----------------------
cat >"$T/stub" <<EOF
#!/usr/bin/env bash
day=\${*: -1}
for a; do case \$a in 2026-*) day=\$a ;; esac; done
echo "start \$day" >>"$T/stub.log"
printf '%s\n' "\$*" >>"$T/stub.args"
sleep 1
echo "end \$day" >>"$T/stub.log"
[ "\$day" != "\${STUB_FAIL:-}" ]
EOF
chmod +x "$T/stub"
backfill -j2 HIT_REPORT="$T/stub"
rc=$?
[ $rc = 0 ] || fail "stub: exit $rc: $(cat "$T/err")"
LC_ALL=C sort "$T/stub.args" >"$T/args"
want=$(for d in 01 02 03; do
    printf '%s\n' "--inbox $T/inbox --ledger $T/ledger -o $T/reports --date 2026-12-$d --threads 1"
done)
[ "$(cat "$T/args")" = "$want" ] || fail "stub: runs
$(cat "$T/args")
expected
$want"
# -j2: two runs started before any ended, and never three at once
[ "$(sed -n '1,2s/ .*//p' "$T/stub.log" | tr '\n' ' ')" = "start start " ] ||
    fail "stub: -j2 did not run two days at once: $(cat "$T/stub.log")"
awk '/^start/ { n++; if (n > m) m = n } /^end/ { n-- } END { exit m != 2 }' "$T/stub.log" ||
    fail "stub: not two at a time: $(cat "$T/stub.log")"
rm -f "$T/stub.log" "$T/stub.args"
backfill -j2 -k HIT_REPORT="$T/stub" STUB_FAIL=2026-12-01
rc=$?
[ $rc = 2 ] || fail "stub, a day failing: exit $rc, expected 2"
[ "$(grep -c '^end' "$T/stub.log")" = 3 ] || fail "stub, -k: days run: $(cat "$T/stub.log")"
# days are no files: a file of a day's name beside the Makefile changes nothing
mkdir "$T/copy" && cp "$ops/Makefile" "$T/copy/" && : >"$T/copy/day-2026-12-02" || exit 2
rm -f "$T/stub.log"
make -s -C "$T/copy" backfill FROM=2026-12-01 TO=2026-12-03 INBOX=x LEDGER=y DEST=z \
    HIT_REPORT="$T/stub" >"$T/out" 2>"$T/err" || fail "copy: exit $?: $(cat "$T/err")"
[ "$(grep -c '^end' "$T/stub.log")" = 3 ] || fail "copy: days run: $(cat "$T/stub.log")"
# a usage error: no run
rm -f "$T/stub.log"
make -s -C "$ops" backfill FROM=2026-12-01 TO=2026-11-30 INBOX=x LEDGER=y DEST=z \
    HIT_REPORT="$T/stub" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && [ "$(head -n 1 "$T/err")" = "backfill: TO is before FROM" ] &&
    [ ! -e "$T/stub.log" ] ||
    fail "TO before FROM: exit $rc, $(cat "$T/err")"

# --- the real hit-report on three days of deliveries ----------------------------
. "$root/tests/lib/make-delivery.sh"
mkdir -p "$T/feed"
# each day's hits their own (hit-report skips a delivery whose data files are
# another's), the same visitors and so the same report
feed() { # day
    "$bin/hit-gen" --rows 2000 --seed 2 --start "$1" --format adobe-feed \
        -o "$T/feed/hit_data.tsv"
}
for d in 01 02 03; do
    feed "2026-12-$d" || exit 2
    HK_TMP=$T make_delivery "$T/inbox" shop "2026-12-$d" tar.gz "$T/feed/hit_data.tsv" \
        "$T/feed/column_headers.tsv" || exit 2
done
"$bin/hit-report" -o - -C "$T/feed/column_headers.tsv" "$T/feed/hit_data.tsv" >"$T/plain" ||
    exit 2
name=SearchKeywordPerformance.tab
status() { # the ledger's latest row per input: date, status, exit status
    "$bin/hit-report" --ledger "$T/ledger" --status | sed 1d | cut -f 2,15,16 | LC_ALL=C sort
}

backfill -j2
rc=$?
[ $rc = 0 ] || fail "backfill: exit $rc: $(cat "$T/err")"
[ -s "$T/err" ] && fail "backfill: stderr: $(cat "$T/err")"
[ -s "$T/out" ] && fail "backfill: stdout: $(cat "$T/out")"
for d in 01 02 03; do
    cmp -s "$T/plain" "$T/reports/2026-12-$d/2026-12-${d}_$name" ||
        fail "backfill: the report of 2026-12-$d differs or is missing"
done
[ "$(status)" = "$(printf '2026-12-%s\tok\t0\n' 01 02 03)" ] || fail "backfill: ledger: $(status)"
[ "$(find "$T/ledger" -maxdepth 1 -name '*.tsv' | wc -l)" = 3 ] ||
    fail "backfill: ledger files: $(ls "$T/ledger")"

# make status: hit-report --status
make -s -C "$ops" status LEDGER="$T/ledger" >"$T/out" 2>"$T/err" || fail "status: exit $?"
"$bin/hit-report" --ledger "$T/ledger" --status | cmp -s - "$T/out" ||
    fail "status: $(cat "$T/out" "$T/err")"

# 02 corrupted (a byte of its data archive, the size kept): make fails, -k
# does 01 and 03 again
printf 'X' | dd of="$T/inbox/shop_2026-12-02.tar.gz" bs=1 seek=4 conv=notrunc status=none
rm -rf "$T/reports"
backfill -j2 -k
rc=$?
[ $rc = 2 ] || fail "corrupt day: make exit $rc, expected 2"
grep -q 'shop_2026-12-02.tar.gz: MD5 is ' "$T/err" || fail "corrupt day: stderr: $(cat "$T/err")"
for d in 01 03; do
    cmp -s "$T/plain" "$T/reports/2026-12-$d/2026-12-${d}_$name" ||
        fail "corrupt day: the report of 2026-12-$d differs or is missing"
done
[ -e "$T/reports/2026-12-02" ] && fail "corrupt day: a report of 2026-12-02"
[ "$(status)" = "$(printf '2026-12-01\tok\t0\n2026-12-02\tfailed\t1\n2026-12-03\tok\t0\n')" ] ||
    fail "corrupt day: ledger: $(status)"
[ "$(find "$T/ledger" -maxdepth 1 -name '*.tsv' | wc -l)" = 6 ] ||
    fail "corrupt day: ledger files: $(ls "$T/ledger")"

[ $fails = 0 ]
