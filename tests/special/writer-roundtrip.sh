#!/usr/bin/env bash
# Writer round trip: random byte values (every byte 0-255, heavy on TAB, LF,
# CR, backslash, quote and separator) written as TSV in PostgreSQL style, in
# Adobe style, as CSV, and with another delimiter, go through hit-parse;
# decoding its output gives back exactly the same values, and hit-parse
# reading its own output reproduces it byte for byte.
set -euo pipefail
exec python3 - "$HK_BIN/hit-parse" <<'PY'
import random, subprocess, sys

tool = sys.argv[1]
rnd = random.Random(2024)
SPECIAL = b"\t\n\r\\\",;|\x00"

def value():
    n = rnd.choice([0, 1, 2, 5, 20, 300])
    return bytes(rnd.choice(SPECIAL) if rnd.random() < 0.4 else rnd.randrange(256)
                 for _ in range(n))

def table(ncols, nrows):
    names = [b"c%d" % i for i in range(ncols)]
    return names, [[value() for _ in range(ncols)] for _ in range(nrows)]

def pg(v, sep=b"\t"):
    out = v.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\n", b"\\n")
    out = out.replace(b"\r", b"\\r")
    return out.replace(sep, b"\\" + sep) if sep != b"\t" else out

def adobe(v):
    return b"".join(b"\\" + bytes([c]) if c in b"\t\n\r\\" else bytes([c]) for c in v)

def csvq(v):
    return b'"' + v.replace(b'"', b'""') + b'"'

def decode(line):
    fields, cur, i = [], bytearray(), 0
    dec = {ord("t"): 9, ord("n"): 10, ord("r"): 13, ord("\\"): 92}
    while i < len(line):
        c = line[i]
        if c == 92:
            cur.append(dec[line[i + 1]])
            i += 2
        elif c == 9:
            fields.append(bytes(cur)); cur = bytearray(); i += 1
        else:
            cur.append(c); i += 1
    fields.append(bytes(cur))
    return fields

def run(args, data):
    p = subprocess.run([tool] + args, input=data, capture_output=True)
    if p.returncode or p.stderr:
        raise SystemExit("hit-parse %s: exit %d: %r" % (args, p.returncode, p.stderr[:300]))
    return p.stdout

fails = 0
for trial in range(40):
    names, rows = table(rnd.randrange(1, 6), rnd.randrange(0, 60))
    variants = [
        ("postgres", [], b"\t".join(names) + b"\n" +
         b"".join(b"\t".join(pg(v) for v in r) + b"\n" for r in rows)),
        ("adobe", [], b"\t".join(names) + b"\n" +
         b"".join(b"\t".join(adobe(v) for v in r) + b"\n" for r in rows)),
        ("adobe-crlf", [], b"\t".join(names) + b"\r\n" +
         b"".join(b"\t".join(adobe(v) for v in r) + b"\r\n" for r in rows)),
        ("csv", ["--csv"], b",".join(names) + b"\r\n" +
         b"".join(b",".join(csvq(v) for v in r) + b"\r\n" for r in rows)),
        ("semicolon", ["-d", ";"], b";".join(names) + b"\n" +
         b"".join(b";".join(pg(v, b";") for v in r) + b"\n" for r in rows)),
    ]
    for name, args, data in variants:
        out = run(args, data)
        lines = out.split(b"\n")
        if lines[-1] != b"" or any(b"\r" in l for l in lines):
            print("trial %d %s: output is not one LF line per record" % (trial, name))
            fails += 1
            continue
        got = [decode(l) for l in lines[:-1]]
        if got != [names] + rows:
            print("trial %d %s: values differ" % (trial, name))
            for want, have in zip([names] + rows, got):
                if want != have:
                    print("  want %r\n  have %r" % (want, have))
                    break
            fails += 1
            continue
        if run([], out) != out:
            print("trial %d %s: hit-parse of its own output is not the same" % (trial, name))
            fails += 1
print("writer round trip: 40 tables x 5 input styles, %d failed" % fails)
sys.exit(1 if fails else 0)
PY
