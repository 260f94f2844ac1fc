#!/bin/bash
# hit-report --inbox against a real S3 server on loopback (s3rver, Debian's
# aws cli; see tests/lib/s3rver.sh), part 2: bad data, its hooks, a rerun,
# a duplicate delivery, and the ledger read back by DuckDB and PostgreSQL.
#
# 3. A data file with one byte changed after its manifest was written: the
#    run fails (exit 1, a failed row of stage verify with the MD5 message),
#    --on-failure is called once with that row on standard input and HK_*
#    set, and no report is written.  A second inbox run leaves it alone (bad
#    data waits for --rerun-failed); once the file is fixed, --inbox
#    --rerun-failed runs it ok and calls --on-success once.
# 6. The same data files delivered again under another name (the next day's)
#    give a skipped row and no report.  The ledger's three objects (failed,
#    ok, skipped), copied from S3, load into DuckDB (read_csv over them, as
#    the man page says) and PostgreSQL (\copy per file) with the same row
#    count and statuses; either part is skipped (said, not failed) when its
#    engine cannot be installed or is not.
#
# Exit 0 pass, 77 skip (awscli or node/npm cannot be installed), else fail;
# one line per failed assertion.  Env: HK_BIN (default bin/).
# tests/run: needs an S3 server (s3rver, from npm), the aws cli, DuckDB (npm) and PostgreSQL
set -u
name='inbox-s3-failed'
# shellcheck source=tests/lib/inbox-s3.sh
. "$(dirname "$0")/../lib/inbox-s3.sh"
# shellcheck disable=SC2317 # called by at_exit
pg_stop() { :; }
# shellcheck disable=SC2317 # called by the EXIT trap
at_exit() { pg_stop; }

next=2009-09-28
inbox=s3://b/inbox3/ ledger=s3://b/ledger3/ out=s3://b/out3/
manifest=s3://b/inbox3/hitkit_$day.txt
# one hook for both outcomes: a line of its variables, and the row it was given
hook="printf '%s %s %s\\n' \"\$HK_STATUS\" \"\$HK_DATE\" \"\$HK_INPUT\" >>'$T/hook.log';\
 cat >>'$T/hook.rows'"
inbox_run() { # options...
    hr --inbox "$inbox" --ledger "$ledger" -o "$out" --on-failure "$hook" --on-success "$hook" \
        "$@" >"$T/out" 2>"$T/err"
}
status() { # what: the ledger's --status in $T/status
    hr --ledger "$ledger" --status >"$T/status" 2>"$T/status.err"
    expect "$1: --status exit" 0 $?
}
: >"$T/hook.log"
: >"$T/hook.rows"

# --- 3. a corrupted data file ----------------------------------------------------
"$bin/hit-gen" --rows 2000 --seed 3 --format adobe-delivery -o "$T/d" || fail "hit-gen"
data=hitkit_$day.tar.gz
hr -o - "$T/d/hitkit_$day.txt" >"$T/local" 2>/dev/null
expect "local report: exit" 0 $?
good=$(md5sum <"$T/d/$data" | cut -d' ' -f1)
# one byte in the middle changed (incremented), the size the same
python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] = (b[len(b) // 2] + 1) % 256
open(sys.argv[2], "wb").write(b)' "$T/d/$data" "$T/bad.tar.gz" || fail "corrupting"
bad=$(md5sum <"$T/bad.tar.gz" | cut -d' ' -f1)
[ "$good" != "$bad" ] || fail "the corrupted file has the same MD5"
s3 cp "$T/d/hitkit_$day-lookup_data.tar.gz" "$inbox" --only-show-errors &&
    s3 cp "$T/bad.tar.gz" "$inbox$data" --only-show-errors &&
    s3 cp "$T/d/hitkit_$day.txt" "$inbox" --only-show-errors || fail "uploading the delivery"

inbox_run
expect "corrupted: exit" 1 $?
expect "corrupted: stdout" "" "$(cat "$T/out")"
msg="$data: MD5 is $bad, the manifest says $good"
grep -qxF "hit-report: $msg" "$T/err" || fail "corrupted: stderr: $(cat "$T/err")"
expect "corrupted: report objects" "" "$(stored out3/)"
status corrupted
want=$(printf '%s\t' "$day" "$manifest" yes "" 1 failed 1 verify "$msg")
expect "corrupted: the row" "${want%$'\t'}" "$(sed -n 2p "$T/status" | cut -f 2,3,5,11,14-18)"
expect "corrupted: --status rows" 2 "$(wc -l <"$T/status")"
expect "corrupted: hook calls" "failed $day $manifest" "$(cat "$T/hook.log")"
expect "corrupted: the hook's row" "$(sed -n 2p "$T/status")" "$(cat "$T/hook.rows")"
key=$(printf '%s' "$manifest" | md5sum | cut -d' ' -f1)
stored ledger3/ >"$T/keys"
expect "corrupted: ledger objects" 2 "$(wc -l <"$T/keys")"
grep -qxF "ledger3/done/$key.tsv" "$T/keys" || fail "corrupted: not settled: $(cat "$T/keys")"

# settled on bad data: a new inbox run leaves it alone
inbox_run
expect "again: exit" 0 $?
expect "again: stderr" "" "$(cat "$T/err")"
expect "again: hook calls" "failed $day $manifest" "$(cat "$T/hook.log")"
expect "again: ledger objects" "$(cat "$T/keys")" "$(stored ledger3/)"

# fixed, then --rerun-failed
s3 cp "$T/d/$data" "$inbox" --only-show-errors || fail "uploading the fixed file"
inbox_run --rerun-failed
expect "rerun: exit" 0 $?
status rerun
want=$(printf '%s\t' "$day" "$manifest" yes "s3://b/out3/$day/$rname" 1 ok 0 '' '')
expect "rerun: the row" "${want%$'\t'}" "$(sed -n 2p "$T/status" | cut -f 2,3,5,11,14-18)"
expect "rerun: --status rows" 2 "$(wc -l <"$T/status")"
expect "rerun: hook calls" "failed $day $manifest"$'\n'"ok $day $manifest" "$(cat "$T/hook.log")"
expect "rerun: the hook's row" "$(sed -n 2p "$T/status")" "$(sed -n 2p "$T/hook.rows")"
expect "rerun: report objects" "out3/$day/$rname" "$(stored out3/)"
cmp -s "$T/local" "$(object "out3/$day/$rname")" || fail "rerun: the report differs"
expect "rerun: ledger objects" 4 "$(stored ledger3/ | wc -l)"
ok_id=$(sed -n 2p "$T/status" | cut -f 1)

# --- 6. a duplicate, then the ledger in DuckDB and PostgreSQL -------------------
mkdir -p "$T/dup"
cp "$T/d/$data" "$T/dup/hitkit_$next.tar.gz" &&
    cp "$T/d/hitkit_$day-lookup_data.tar.gz" "$T/dup/hitkit_$next-lookup_data.tar.gz" &&
    sed "s/$day/$next/" "$T/d/hitkit_$day.txt" >"$T/dup/hitkit_$next.txt" || fail "the duplicate"
s3 cp --recursive "$T/dup" "$inbox" --exclude '*.txt' --only-show-errors &&
    s3 cp "$T/dup/hitkit_$next.txt" "$inbox" --only-show-errors || fail "uploading the duplicate"
inbox_run
expect "duplicate: exit" 0 $?
dmsg="a duplicate of $manifest (the same data files), run $ok_id"
expect "duplicate: stderr" "hit-report: warning: skipped: $dmsg" "$(cat "$T/err")"
status duplicate
want=$(printf '%s\t' "$next" "s3://b/inbox3/hitkit_$next.txt" "" 1 skipped 0 '' "$dmsg")
expect "duplicate: the row" "${want%$'\t'}" "$(sed -n 2p "$T/status" | cut -f 2,3,11,14-18)"
expect "duplicate: --status inputs" "input s3://b/inbox3/hitkit_$next.txt $manifest" \
    "$(cut -f 3 "$T/status" | paste -sd' ' -)"
expect "duplicate: report objects" "out3/$day/$rname" "$(stored out3/)"
expect "duplicate: hook calls" "skipped $next s3://b/inbox3/hitkit_$next.txt" \
    "$(sed -n 3p "$T/hook.log")"

# the ledger as the man page reads it: the objects right under the prefix
s3 cp --recursive "$ledger" "$T/L" --exclude '*/*' --only-show-errors || fail "copying the ledger"
expect "ledger files" 3 "$(find "$T/L" -type f | wc -l)"
files_say=$(for f in "$T"/L/*.tsv; do sed -n 2p "$f" | cut -f 15; done | paste -sd' ' -)
expect "the ledger files' statuses" "failed ok skipped" "$files_say"

if (. "$root/tests/duckdb/need.sh"); then
    src="read_csv('$T/L/*.tsv', delim='"$'\t'"', header=true, quote='', escape='', nullstr='\\N')"
    got=$(node "$root/tests/duckdb/q.mjs" "select count(*)::varchar || ' ' ||
        string_agg(status, ' ' order by run_id) as r from $src") || fail "duckdb query"
    expect "DuckDB: rows and statuses" '[{"r":"3 '"$files_say"'"}]' "$got"
    printf '%s: DuckDB: %s\n' "$name" "$got"
else
    printf '%s: the DuckDB part is skipped: DuckDB cannot be installed\n' "$name"
fi

pgbin=''
if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    pgbin=$(dirname "$(command -v initdb)")
else
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pgbin=$d; done
fi
if [ -n "$pgbin" ] && command -v psql >/dev/null; then
    # a throwaway cluster on a loopback port, as postgres-roundtrip.sh starts
    # it (as root, the server runs as the postgres user)
    pg=$T/pg
    mkdir -p "$pg"
    as=()
    if [ "$(id -u)" = 0 ]; then
        chmod 711 "$T" && chown postgres "$pg" && as=(runuser -u postgres --)
    fi
    # shellcheck disable=SC2317 # called by the EXIT trap
    pg_stop() { "${as[@]}" "$pgbin/pg_ctl" -D "$pg/data" -m immediate stop >/dev/null 2>&1; }
    pgport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
    psql_() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgport" -U postgres -d postgres "$@"; }
    if "${as[@]}" "$pgbin/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 --no-locale \
        --no-sync >"$T/initdb.log" 2>&1 &&
        "${as[@]}" "$pgbin/pg_ctl" -D "$pg/data" -w -t 60 -l "$pg/server.log" \
            -o "-p $pgport -k $pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    then
        psql_ -c "create table ledger (run_id text primary key, report_date date, input text,
            input_bytes bigint, md5_checked text, rows_read bigint, rows_rejected bigint,
            purchases bigint, revenue_credited numeric, revenue_uncredited numeric,
            output text, started timestamptz, finished timestamptz, attempt int,
            status text, exit_status int, failed_stage text, message text)" ||
            fail "PostgreSQL: create table"
        for f in "$T"/L/*.tsv; do
            psql_ -c "\\copy ledger from '$f' with (header)" || fail "PostgreSQL: \\copy $f"
        done
        got=$(psql_ -At -c "select count(*) || ' ' || string_agg(status, ' ' order by run_id)
            from ledger")
        expect "PostgreSQL: rows and statuses" "3 $files_say" "$got"
        printf '%s: PostgreSQL: %s\n' "$name" "$got"
    else
        fail "PostgreSQL did not start: $(cat "$T/initdb.log" "$pg/server.log" 2>/dev/null)"
    fi
else
    printf '%s: the PostgreSQL part is skipped: PostgreSQL is not installed\n' "$name"
fi

[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
[ $fails = 0 ] || exit 1
exit 0
