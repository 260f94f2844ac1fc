#!/usr/bin/env bash
# hit-report --ledger rows read back by DuckDB as one table, unchanged:
# read_csv over the ledger directory's files (as the man page's Ledger says)
# returns one row per run, with the values each file holds (compared as
# text), the unknown figures (\N) of a failed run as NULL, and numbers and times
# typed (BIGINT, DOUBLE, TIMESTAMP WITH TIME ZONE) by DuckDB's own detection.
# Skips (77) only when node or npm is missing or the install fails (see
# partition-duckdb.sh).
# tests/run: needs DuckDB (from npm)
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
. "$root/tests/duckdb/need.sh"
bin=${HK_BIN:-$root/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-ledger.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

cp "$root/examples/sample/data.tsv" in.tsv || exit 1
cp "$root/tests/cases/hit-report/bad-record/input" bad.tsv || exit 1
head -n 1 in.tsv >$'tab\there.tsv'
"$bin/hit-report" --ledger L --date 2009-09-27 -o out in.tsv || exit 1
"$bin/hit-report" --ledger L --date 2009-09-27 bad.tsv 2>/dev/null && exit 1
"$bin/hit-report" --ledger L/ --date 2009-09-28 in.tsv $'tab\there.tsv' >/dev/null 2>&1 || exit 1
[ "$(ls L/*.tsv | wc -l)" = 3 ] || { echo "expected 3 ledger files"; exit 1; }

DD=$dd python3 - <<'PY'
import json, os, subprocess, glob
def q(sql):
    out = subprocess.run(['node', os.environ['DD'] + '/q.mjs', sql], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)
src = "read_csv('L/*.tsv', delim='\t', header=true, quote='', escape='', nullstr='\\N')"
bad = 0
def check(what, ok):
    global bad
    print(('ok   ' if ok else 'FAIL ') + what)
    bad += not ok
files = sorted(glob.glob('L/*.tsv'))
header = open(files[0]).readline().rstrip('\n').split('\t')
want = [open(f).read().split('\n')[1].split('\t') for f in files]
rs = q('select * from ' + src.replace("escape=''", "escape='', all_varchar=true") +
       ' order by run_id')
got = [[o[c] if o[c] is not None else '\\N' for c in header] for o in rs]
check('%d rows, the files\' values' % len(got), got == want)
check('every header the same', all(open(f).readline() == open(files[0]).readline() for f in files))
types = {o['column_name']: o['column_type'] for o in q('describe select * from ' + src)}
check('types %s' % {c: types[c] for c in ('input_bytes', 'rows_read', 'revenue_credited',
                                           'started', 'exit_status')},
      types['input_bytes'] == 'BIGINT' and types['rows_read'] == 'BIGINT' and
      types['revenue_credited'] == 'DOUBLE' and types['started'] == 'TIMESTAMP WITH TIME ZONE' and
      types['exit_status'] == 'BIGINT')
rs = q('select status, exit_status, rows_read, purchases, revenue_credited, output, input'
       ' from ' + src + ' order by run_id')
check('ok row: %s' % rs[0], rs[0]['status'] == 'ok' and rs[0]['rows_read'] == '21' and
      rs[0]['revenue_credited'] == 949.9)
check('failed row, NULL figures: %s' % rs[1], rs[1]['status'] == 'failed' and
      rs[1]['exit_status'] == '1' and rs[1]['rows_read'] is None and rs[1]['output'] == '')
check('inputs TAB-separated, a tab in a name escaped: %s' % rs[2]['input'],
      rs[2]['input'] == 'in.tsv\\ttab\\there.tsv' and rs[2]['output'] == '-')
raise SystemExit(1 if bad else 0)
PY
