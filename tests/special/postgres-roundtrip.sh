#!/usr/bin/env bash
# hit-parse output loads into PostgreSQL with \copy and reads back equal;
# so do hit-report's ledger rows (one \copy ... with (header) per file).
# Starts a throwaway cluster (initdb + pg_ctl) in a temporary directory on a
# loopback port, removed on exit.  As root the server runs as the postgres
# user (it refuses root).  Skipped (77) only when PostgreSQL is not installed.
# tests/run: needs a PostgreSQL server started here
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pgbin=
if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    pgbin=$(dirname "$(command -v initdb)")
else
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pgbin=$d; done
fi
[ -n "$pgbin" ] && command -v psql >/dev/null || { echo "PostgreSQL not installed"; exit 77; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
as=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "running as root and no postgres user" >&2; exit 1; }
    chown postgres "$tmp"
    as=(runuser -u postgres --)
fi
data=$tmp/data
cleanup() {
    "${as[@]}" "$pgbin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# A free loopback port.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as[@]}" "$pgbin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; exit 1; }
"${as[@]}" "$pgbin/pg_ctl" -D "$data" -w -t 60 -l "$tmp/server.log" \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
    { cat "$tmp/server.log"; exit 1; }
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }

work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
cd "$work"
# Values full of TAB, LF, CR, backslash and UTF-8, written in Adobe style
# (backslash + literal byte) so hit-parse must decode and re-escape them.
python3 - <<'PY'
import random
rnd = random.Random(7)
alphabet = list("ab ,;\"'\t\n\r\\") + ["é", "€", "😀", "ß", "\u2028", "\x01", "\x7f"]
esc = {"\t": "\\\t", "\n": "\\\n", "\r": "\\\r", "\\": "\\\\"}
rows = []
for i in range(500):
    a = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 40)))
    b = rnd.choice(["", "\\", "\t", "\n", "\r\n", "x" * 2000, "\\N", "tail\\"])
    rows.append((i, a, b))
with open("in.tsv", "w", encoding="utf-8", newline="") as f:
    f.write("id\ta\tb\n")
    for i, a, b in rows:
        f.write("%d\t%s\t%s\n" % (i, "".join(esc.get(c, c) for c in a),
                                   "".join(esc.get(c, c) for c in b)))
with open("chars.txt", "w") as f:
    f.write("%d\n" % sum(len(a) + len(b) for _, a, b in rows))
PY
hit-parse in.tsv >out.tsv
tail -n +2 out.tsv >body.tsv
psql_ -c "create table t (id int primary key, a text not null, b text not null)"
psql_ -c "\\copy t from 'body.tsv'"
psql_ -c "\\copy (select id, a, b from t order by id) to 'back.tsv'"
cmp body.tsv back.tsv
# PostgreSQL decoded the escapes into the same characters Python wrote.
chars=$(psql_ -At -c "select sum(length(a) + length(b)) from t")
[ "$chars" = "$(cat chars.txt)" ] || { echo "characters: postgres $chars, expected $(cat chars.txt)"; exit 1; }
[ "$(psql_ -At -c "select count(*) from t where b = E'\\\\N'")" -gt 0 ]
echo "postgres round trip: $(wc -l <body.tsv) rows equal, $chars characters"

# What PostgreSQL writes, hitkit reads: NULLs (\N), \b \f \v, and a header
# (text format, PostgreSQL 15).  hit-parse gives the same values back, NULL
# still NULL; hit-agg's counts skip NULLs as count(col) does, and where it has
# no value (min of a group without one) it writes \N, which loads into a
# numeric column and equals PostgreSQL's own aggregation.
psql_ -c "create table s (k text, v numeric(10,2), x numeric(10,2), w text)"
psql_ -c "insert into s select 'g' || (i % 7),
    case when i % 3 = 0 then null else ((i * 37) % 1000) / 100.0 end,
    case when i % 7 = 3 then null else ((i * 53) % 2000 - 1000) / 100.0 end,
    case i % 6 when 0 then null when 1 then E'a\\bb\\fc\\x0bd' when 2 then E'tab\\there'
        when 3 then E'back\\\\slash' when 4 then E'nl\\nx' else '' end
    from generate_series(1, 1000) i"
psql_ -c "\\copy s to 'pg.tsv' with (header)"
# shellcheck disable=SC1003 # the backslash sequences themselves, as COPY writes them
for seq in '\N' '\b' '\f' '\v' '\t' '\n' '\\'; do
    grep -qF -- "$seq" pg.tsv || { echo "pg.tsv has no $seq: the test proves nothing"; exit 1; }
done
hit-parse pg.tsv >parsed.tsv
tail -n +2 parsed.tsv >parsed-body.tsv
psql_ -c "create table s2 (like s)"
psql_ -c "\\copy s2 from 'parsed-body.tsv'"
diff=$(psql_ -At -c "select count(*) from ((table s except all table s2) union all
    (table s2 except all table s)) d")
[ "$diff" = 0 ] || { echo "hit-parse changed $diff rows of PostgreSQL's file"; exit 1; }
[ "$(psql_ -At -c "select count(*) from s2 where w is null")" -gt 0 ]
hit-agg -g k -a n=count,nv=count:v,sv=sum:v,av=mean:v,minx=min:x,maxx=max:x,nw=count:w \
    --decimals 4 parsed.tsv >agg.tsv
grep -qF '\N' agg.tsv || { echo "no \\N in hit-agg's output: the test proves nothing"; exit 1; }
psql_ -c "create table a (k text, n bigint, nv bigint, sv numeric, av numeric, minx numeric,
    maxx numeric, nw bigint)"
psql_ -c "\\copy a from 'agg.tsv' with (header)"
# count(w) counts empty strings; hitkit counts non-empty values.
diff=$(psql_ -At -c "select count(*) from ((table a except all
    select k, count(*), count(v), sum(v), round(avg(v), 4), min(x), max(x),
        count(nullif(w, '')) from s group by k) union all
    (select k, count(*), count(v), sum(v), round(avg(v), 4), min(x), max(x),
        count(nullif(w, '')) from s group by k except all table a)) d")
[ "$diff" = 0 ] || { echo "hit-agg and PostgreSQL differ in $diff groups"; psql_ -c "table a"; exit 1; }
echo "postgres copy text: $(($(wc -l <pg.tsv) - 1)) rows with NULLs read back equal; $(($(wc -l <agg.tsv) - 1)) groups equal, \\N loaded as NULL"

# hit-report --ledger: an ok row and a failed one (its unknown figures \N)
# load unchanged into typed columns, one \copy per file, and read back as
# the files hold them (the times through to_char: PostgreSQL writes its own
# form).
cp "$root/examples/sample/data.tsv" in.tsv
cp "$root/tests/cases/hit-report/bad-record/input" bad.tsv
hit-report --ledger ledger --date 2009-09-27 -o out in.tsv
hit-report --ledger ledger --date 2009-09-27 bad.tsv 2>/dev/null && exit 1
psql_ -c "create table ledger (run_id text primary key, report_date date, input text,
    input_bytes bigint, md5_checked text, rows_read bigint, rows_rejected bigint,
    purchases bigint, revenue_credited numeric, revenue_uncredited numeric, output text,
    started timestamptz, finished timestamptz, attempt int, status text, exit_status int,
    failed_stage text, message text)"
for f in ledger/*.tsv; do psql_ -c "\\copy ledger from '$f' with (header)"; done
iso="'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"
psql_ -c "\\copy (select run_id, report_date, input, input_bytes, md5_checked, rows_read,
    rows_rejected, purchases, revenue_credited, revenue_uncredited, output,
    to_char(started at time zone 'UTC', $iso), to_char(finished at time zone 'UTC', $iso),
    attempt, status, exit_status, failed_stage, message from ledger order by run_id)
    to 'ledger-back.tsv'"
for f in ledger/*.tsv; do tail -n +2 "$f"; done | cmp - ledger-back.tsv ||
    { echo "the ledger rows read back differ"; exit 1; }
[ "$(psql_ -At -c "select count(*) from ledger where status = 'failed' and rows_read is null
    and revenue_credited is null")" = 1 ] || { echo "no failed row with NULL figures"; exit 1; }
echo "hit-report ledger: $(ls ledger | wc -l) rows loaded and read back equal"
