#!/usr/bin/env bash
# hit-parse output loads into PostgreSQL with \copy and reads back equal.
# Starts a throwaway cluster (initdb + pg_ctl) in a temporary directory on a
# loopback port, removed on exit.  As root the server runs as the postgres
# user (it refuses root).  Skipped (77) only when PostgreSQL is not installed.
set -euo pipefail
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
