#!/usr/bin/env bash
# hit-partition's output read back by DuckDB (npm @duckdb/node-api, installed
# into tests/duckdb/node_modules on first use by npm ci, which installs what
# package-lock.json pins and never rewrites it): for --by time (hour), --by
# column and --by hash, read_csv with hive_partitioning=true returns every
# input row exactly once, the per-partition counts computed here from the
# input, and on each row partition values that agree with the row (the
# hour of its hit_time_gmt, its store, FNV-1a-64 of its visitor modulo N).
# And --by column with values that Hive escapes as %XX in a directory name
# (every such character, control bytes, UTF-8, '.', '..', the empty value
# and the literal __HIVE_DEFAULT_PARTITION__): DuckDB URL-decodes each back
# to the exact value, the empty one to NULL.
# Skips (77) only when node or npm is missing or the install fails.
# tests/run: needs DuckDB (from npm)
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
. "$root/tests/duckdb/need.sh"
bin=${HK_BIN:-$root/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-duckdb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

python3 - <<'PY' >input || exit 1
import random, sys
r = random.Random(11)
w = sys.stdout.write
w('hit_time_gmt\tstore\tvisid\tpage\n')
starts = [1325361600, 1330473600 - 7200]  # 2011-12-31 20:00, 2012-02-28 22:00 UTC
for i in range(6000):
    t = r.choice(starts) + r.randrange(8 * 3600)
    store = r.choice(['s1', 's2', 's-3', 'S 4', ''])
    vis = str(r.randrange(700))
    page = r.choice(['/a', '/b?q=1', 'tab\\there', 'back\\\\slash', '', 'line\\nfeed', 'x"y'])
    w('%d\t%s\t%s\t%s%s\n' % (t, store, vis, page, '' if page == '' else str(i)))
PY
python3 - <<'PY' >escaped || exit 1
import sys
vals = ['M\u00fcnchen', 'S\u00e3o Paulo', "Coeur d'Alene", 'a/b', 'k=v', '100%', '%2F', '12:30',
        'say "hi"', '#tag', 'a*b', 'why?', 'back\\slash', 'x^y', '[a]', '{b}', 'tab\there',
        'line\nfeed', 'cr\r', 'c\x01d\x1fe\x7f', '', '__HIVE_DEFAULT_PARTITION__',
        '__HIVE_DEFAULT_PARTITION__x', '.', '..', '../x', 'a+b c', '\u00e9t\u00e9 \u2603']
enc = lambda v: v.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')
out = 'id\tv\n'
for i, v in enumerate(vals):
    for k in range(3):
        out += '%d\t%s\n' % (i, enc(v))
sys.stdout.buffer.write(out.encode())
with open('escaped.vals', 'w', encoding='utf-8', newline='') as f:
    import json; json.dump(vals, f)
PY
"$bin/hit-partition" --by time --granularity hour --name t1 -o time input || exit 1
"$bin/hit-partition" --by column -k v --no-compress --name t1 -o escaped.d escaped || exit 1
"$bin/hit-partition" --by column -k store -S 1M --name t1 -o column input || exit 1
"$bin/hit-partition" --by hash -k visid --shards 5 --no-compress --name t1 -o hash input || exit 1

DD=$dd python3 - <<'PY'
import collections, datetime, hashlib, json, os, subprocess, sys
def q(sql):
    out = subprocess.run(['node', os.environ['DD'] + '/q.mjs', sql], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)
def src(d, glob='**/*.tsv.zst', hive='true'):
    return ("read_csv('%s/%s', delim='\t', header=true, quote='', escape='', "
            "hive_partitioning=%s, all_varchar=true, filename=true)" % (d, glob, hive))
lines = open('input').read().split('\n')[1:-1]
want = collections.Counter(lines)
cols = ['hit_time_gmt', 'store', 'visid', 'page']
def row(o):
    return '\t'.join(o[c] if o[c] is not None else '' for c in cols)
def fnv(s):
    h = 0xcbf29ce484222325
    for c in s.encode():
        h = ((h ^ c) * 0x100000001b3) & ((1 << 64) - 1)
    return h
def hour(l):
    t = datetime.datetime.fromtimestamp(int(l.split('\t')[0]), datetime.timezone.utc)
    return ('%04d' % t.year, '%02d' % t.month, '%02d' % t.day, '%02d' % t.hour)
bad = 0
def check(what, ok):
    global bad
    print(('ok   ' if ok else 'FAIL ') + what)
    bad += not ok
def digest(rows):
    return hashlib.md5('\n'.join(sorted(rows)).encode()).hexdigest()

# --by time, hour
rs = q('select * from ' + src('time'))
got = [row(o) for o in rs]
check('time: %d rows, each once (md5 %s)' % (len(got), digest(got)), collections.Counter(got) == want)
check('time: every row in the hour of its hit_time_gmt',
      all((o['year'], o['month'], o['day'], o['hour']) == hour(row(o)) for o in rs))
exp = collections.Counter(hour(l) for l in lines)
cnt = {(o['year'], o['month'], o['day'], o['hour']): int(o['n']) for o in
       q('select year, month, day, hour, count(*) n from ' + src('time') + ' group by all')}
check('time: %d partitions, counts per partition' % len(cnt), cnt == dict(exp))

# --by column: the hive value wins over the file's column in DuckDB, so the
# file's own value is checked against the directory name too.
rs = q('select * from ' + src('column'))
got = [row(o) for o in rs]
check('column: %d rows, each once (md5 %s)' % (len(got), digest(got)), collections.Counter(got) == want)
rs = q('select * from ' + src('column', hive='false'))
check('column: every row in the directory of its store',
      all('/store=%s/' % (o['store'] or '__HIVE_DEFAULT_PARTITION__') in o['filename'] for o in rs))
exp = collections.Counter(l.split('\t')[1] or None for l in lines)
cnt = {o['store']: int(o['n']) for o in
       q('select store, count(*) n from ' + src('column') + ' group by all')}
check('column: %d partitions, counts per partition (empty store = NULL)' % len(cnt), cnt == dict(exp))

# --by hash, plain .tsv: the glob must not match DIR/_manifest.tsv, which
# DuckDB would read as data (Hive and Athena skip names starting with '_')
rs = q('select * from ' + src('hash', glob='*/*.tsv'))
got = [row(o) for o in rs]
check('hash: %d rows, each once (md5 %s)' % (len(got), digest(got)), collections.Counter(got) == want)
check('hash: every row in shard fnv1a64(visid) % 5',
      all(o['shard'] == '%03d' % (fnv(o['visid']) % 5) for o in rs))
exp = collections.Counter('%03d' % (fnv(l.split('\t')[2]) % 5) for l in lines)
cnt = {o['shard']: int(o['n']) for o in
       q('select shard, count(*) n from ' + src('hash', glob='*/*.tsv') + ' group by all')}
check('hash: %d shards, counts per shard' % len(cnt), cnt == dict(exp))

# --by column, escaped values: the hive value (which wins over the file's
# column) is each row's value exactly, the empty one NULL, 3 rows each
vals = json.load(open('escaped.vals', encoding='utf-8'))
rs = q("select id, v from read_csv('escaped.d/*/*.tsv', delim='\t', header=true, quote='', "
       "escape='', hive_partitioning=true, hive_types_autocast=false, all_varchar=true)")
got = collections.Counter((int(o['id']), o['v']) for o in rs)
exp = collections.Counter({(i, v if v != '' else None): 3 for i, v in enumerate(vals)})
check('escaped: %d rows, %d values read back exactly' % (len(rs), len(got)), got == exp)
for k in sorted(set(got) ^ set(exp)):
    print('  differs: %r' % (k,))
sys.exit(1 if bad else 0)
PY
