#!/usr/bin/env bash
# CSV conformance: every csv-spectrum file converted by `hit-parse --csv`
# gives TSV whose decoded values equal the JSON beside it (json/NAME.json: a
# list of objects keyed by header).  The data lives in ../shared/testdata
# beside the repository.
set -u
cd "$(dirname "$0")/../.." || exit 1
dir=${HK_CSV_SPECTRUM:-../shared/testdata/csv-spectrum}
[ -d "$dir/csvs" ] || { echo "csv-spectrum data not found in $dir" >&2; exit 1; }
exec python3 - "$dir" "$HK_BIN/hit-parse" <<'PY'
import json, os, subprocess, sys

src, tool = sys.argv[1], sys.argv[2]
DEC = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}

def decode(field):
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\":
            out.append(DEC[field[i + 1]])  # KeyError: the writer made a bad escape
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)

fails = n = 0
for name in sorted(os.listdir(os.path.join(src, "csvs"))):
    if not name.endswith(".csv"):
        continue
    n += 1
    base = name[:-4]
    want = json.load(open(os.path.join(src, "json", base + ".json"), encoding="utf-8"))
    p = subprocess.run([tool, "--csv", os.path.join(src, "csvs", name)], capture_output=True)
    if p.returncode != 0 or p.stderr:
        print(f"{name}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        fails += 1
        continue
    text = p.stdout.decode("utf-8")
    if not text.endswith("\n") or "\r" in text:
        print(f"{name}: output is not LF-terminated TSV: {text!r}")
        fails += 1
        continue
    lines = text[:-1].split("\n")
    header = [decode(f) for f in lines[0].split("\t")]
    got = [dict(zip(header, (decode(f) for f in l.split("\t")))) for l in lines[1:]]
    widths = {len(l.split("\t")) for l in lines}
    if got != want or widths != {len(header)}:
        print(f"{name}: got {got!r}\n  want {want!r}")
        fails += 1
print(f"{n} csv-spectrum files, {fails} failed")
sys.exit(1 if fails or n == 0 else 0)
PY
