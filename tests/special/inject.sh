#!/usr/bin/env bash
# Allocation and I/O failures injected (issue 17): every tool runs over a
# small input with the Nth call of malloc (calloc, realloc), read (pread),
# write, rename (renameat2), fsync (fdatasync), open (openat) or mktemp
# (mkstemp, mkostemp, mkdtemp) made to fail by build/inject/libinject.so
# (tests/inject/inject.c), for N from 1 to the number of calls a normal run
# makes; and malloc again with every call from the Nth on failing (memory
# that ran out, on every thread at once: "malloc+").  Each run must end
# within 10 s (else it hung) either
#   - with status 2, exactly one line on standard error that starts with
#     the tool's name, and nothing left behind: no output, no temporary
#     beside it, the -T directory and $TMPDIR empty; or
#   - with status 0, nothing on standard error and the output identical to
#     the normal run's: the failed call was one the tool may survive (the
#     sweep of stale temporaries, say).
# A crash (a signal, status 1 or anything else) fails.  Writes to
# standard error are never failed: they carry the message.  Part file
# names hold the run's time and process id: they are compared with those
# masked.  hit-partition may leave empty directories (DIR itself, made
# before the input is read; a partition's, made while committing): a
# directory is not an output file, and removing one another run may be
# filling is worse than leaving it.
#
# Then the address-space limit: each tool under `ulimit -v` at limits from
# where the dynamic loader can just start it (every 2 MB, then every
# quarter more) up to where the run succeeds or 256 MB (the sort and the
# partition with 64 MB of input and -S 1G): below, status 2 with one clean
# message and nothing left behind; at least one limit must fail.
#
# Every N when a function has at most HK_INJECT_MAX calls (default 200),
# else that many, spread evenly, the first and the last among them, and
# (for the call that fails alone) the first call from each place in the
# program that calls it, as the shim saw them in the normal run: a rare
# call (a hash table growing) fails too.  HK_INJECT_ALL=1 runs every N.  The shim cannot be preloaded under ASan,
# so this runs on bin/ whatever HK_BIN says.
# tests/run: needs minutes (every call of every tool failed in turn)
set -euo pipefail
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
make -s bin/hit-parse bin/hit-attrib bin/hit-agg bin/hit-sort bin/hit-partition bin/hit-gen \
    build/inject/libinject.so
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-inject.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bin/hit-gen --bytes 64K --seed 5 -o "$tmp/in.tsv"
bin/hit-gen --bytes 64K --seed 5 -o "$tmp/in.tsv.zst"
# The same hits backwards: hit-attrib must sort them (and spill, with -S).
{ head -n 1 "$tmp/in.tsv"; sed 1d "$tmp/in.tsv" | tac; } >"$tmp/back.tsv"

# The shim takes the entries a hardened build (_FORTIFY_SOURCE) calls
# instead: __read_chk and __pread_chk for a read whose size the compiler
# cannot check, __open_2 for flags it cannot see.
cat >"$tmp/fortified.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    char buf[64];
    size_t n = (size_t)argc * 8;
    int fd = open(argv[1], argc > 9 ? O_RDONLY | O_CLOEXEC : O_RDONLY);
    if (fd < 0)
        return puts("open failed"), 2;
    if (read(fd, buf, n) < 0)
        return puts("read failed"), 2;
    if (pread(fd, buf, n, 0) < 0)
        return puts("pread failed"), 2;
    return puts("ok"), 0;
}
C
${CC:-cc} -O2 -D_FORTIFY_SOURCE=2 -o "$tmp/fortified" "$tmp/fortified.c"
for chk in __open_2 __read_chk __pread_chk; do
    nm -D "$tmp/fortified" | grep -q " U $chk" ||
        { echo "FAIL: the fortified program calls no $chk"; exit 1; }
done
got=$(for f in "" open:1 read:1 read:2; do
    LD_PRELOAD=$PWD/build/inject/libinject.so HK_INJECT=$f "$tmp/fortified" "$tmp/in.tsv" || :
done)
[ "$got" = "$(printf 'ok\nopen failed\nread failed\npread failed')" ] ||
    { echo "FAIL: the fortified calls are not injected: $got"; exit 1; }

python3 - "$PWD/bin" "$PWD/build/inject/libinject.so" "$tmp" <<'PY'
import concurrent.futures, os, re, shutil, subprocess, sys, time
bin, lib, tmp = sys.argv[1:4]
FUNCS = ("malloc", "read", "write", "rename", "fsync", "open", "mktemp")
KINDS = FUNCS + ("malloc+",)
every = os.environ.get("HK_INJECT_ALL") == "1"
cap = int(os.environ.get("HK_INJECT_MAX", "200"))
jobs = max(1, min(2, int(os.environ.get("HK_TEST_JOBS", "2"))))
data = lambda n: os.path.join(tmp, n)

# name, argv (in the run's directory), what the run writes there
TOOLS = [
    ("hit-parse", ["-f", "ip,event_list,product_list,referrer", "-o", "out.tsv.zst",
                   data("in.tsv.zst")], "out.tsv.zst"),
    ("hit-attrib", ["--threads", "1", "-o", "out.tsv", data("in.tsv")], "out.tsv"),
    ("hit-attrib", ["--threads", "2", "-o", "out.tsv", data("in.tsv")], "out.tsv"),
    ("hit-attrib", ["--threads", "1", "--order", "sort", "-S", "16K", "-o", "out.tsv",
                    data("back.tsv")], "out.tsv"),
    ("hit-agg", ["-g", "geo_region", "-a", "n=count,visitors=nunique:ip", "-o", "out.tsv",
                 data("in.tsv")], "out.tsv"),
    ("hit-sort", ["-S", "16K", "-T", "t", "-k", "ip", "-o", "out.tsv", data("in.tsv")],
     "out.tsv"),
    ("hit-partition", ["--by", "time", "--granularity", "hour", "-o", "p", data("in.tsv")],
     "p"),
    ("hit-gen", ["--bytes", "64K", "--seed", "5", "-o", "out.tsv"], "out.tsv"),
]

def listing(d):
    out = []
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(root, n), d))
    return sorted(out)

RUN_ID = re.compile(rb"[0-9]{8}T[0-9]{6}Z-[0-9]+-[0-9a-f]{8}")

def snapshot(path):
    """The output's bytes: a file's, or a directory's files by name (run
    ids masked in both)."""
    if os.path.isdir(path):
        return {RUN_ID.sub(b"RUN", n.encode()): RUN_ID.sub(b"RUN", open(
            os.path.join(path, n), "rb").read())
                for n in listing(path) if os.path.isfile(os.path.join(path, n))}
    return open(path, "rb").read()

def run(k, tool, argv, env_extra, preexec=None):
    """Run one tool in a fresh directory run-K (with t/ and tmp/ in it):
    (status, stderr, the directory)."""
    d = os.path.join(tmp, "run-%d" % k)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "t"))
    os.makedirs(os.path.join(d, "tmp"))
    env = dict(os.environ, TMPDIR=os.path.join(d, "tmp"), **env_extra)
    env.pop("HK_PROGRESS", None)
    try:
        p = subprocess.run([os.path.join(bin, tool)] + argv, cwd=d, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=10, preexec_fn=preexec)
        return p.returncode, p.stderr.decode(errors="replace") + p.stdout.decode(
            errors="replace"), d
    except subprocess.TimeoutExpired:
        return "hung", "", d

def judge(tool, out, want, rc, err, d):
    """What is wrong with a run that should have failed cleanly (or
    succeeded completely): a list of problems."""
    bad = []
    left = [n for n in listing(d) if n not in ("t", "tmp")]
    if rc == 0:
        if err:
            bad.append("status 0 with stderr %r" % err[:200])
        elif out not in left:
            bad.append("status 0 but no output")
        else:
            got = snapshot(os.path.join(d, out))
            if got != want:
                diff = sorted(set(got) ^ set(want)) if isinstance(got, dict) else []
                diff += sorted(k for k in want if isinstance(got, dict) and k in got
                               and got[k] != want[k])
                bad.append("status 0 but the output differs from the normal run's %s"
                           % diff[:3])
        left = [n for n in left if n != out and not n.startswith(out + "/")]
        if left:
            bad.append("status 0, left behind: %s" % left[:4])
        return bad
    if tool == "hit-partition":
        left = [n for n in left if not os.path.isdir(os.path.join(d, n))]
    if rc != 2:
        bad.append("status %s, want 2" % rc)
    lines = err.split("\n")
    if len(lines) != 2 or lines[1] != "" or not lines[0].startswith(tool + ": "):
        bad.append("stderr is not one line starting with %r: %r" % (tool + ":", err[:300]))
    if left:
        bad.append("left behind: %s" % left[:4])
    return bad

def points(n, sites=()):
    if every or n <= cap:
        return list(range(1, n + 1))
    return sorted({1 + (i * (n - 1)) // (cap - 1) for i in range(cap)} |
                  {k for k in sites if k <= n})

fails = 0
total = 0
started = time.time()
print("%-44s %s" % ("calls of a normal run", " ".join("%7s" % f for f in FUNCS)))
with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    for ti, (tool, argv, out) in enumerate(TOOLS):
        cnt = os.path.join(tmp, "count")
        rc, err, d = run(0, tool, argv, {"LD_PRELOAD": lib, "HK_INJECT_COUNT": cnt})
        if rc != 0 or err:
            print("FAIL %s %s: the normal run: status %s, %r" % (tool, argv, rc, err[:300]))
            fails += 1
            continue
        want = snapshot(os.path.join(d, out))
        lines = [l.split() for l in open(cnt)]
        calls = dict((w[0], int(w[1])) for w in lines if len(w) == 2)
        sites = dict((f, [int(w[2]) for w in lines if len(w) == 3 and w[1] == f])
                     for f in FUNCS)
        what = "%s %s" % (tool, " ".join(a if not a.startswith(tmp) else
                                          os.path.basename(a) for a in argv))
        print("%-44s %s" % (what[:44], " ".join("%7d" % calls[f] for f in FUNCS)))
        todo = [(f, n) for f in KINDS
                for n in points(calls[f.rstrip("+")], sites[f] if f in sites else ())]

        def one(job):
            i, (f, n) = job
            rc, err, d = run(1 + i % jobs, tool, argv, {"LD_PRELOAD": lib, "HK_INJECT":
                                                        "%s:%d%s" % (f.rstrip("+"), n,
                                                                     f[-1] * (f[-1] == "+"))})
            return f, n, rc, err, judge(tool, out, want, rc, err, d)

        # Two runs at a time, each in its own directory run-1 or run-2.
        for i0 in range(0, len(todo), jobs):
            batch = list(enumerate(todo[i0:i0 + jobs], i0))
            for f, n, rc, err, bad in pool.map(one, batch):
                total += 1
                for b in bad:
                    print("FAIL %s, %s:%d%s fails: %s" % (what, f.rstrip("+"), n,
                                                           " and on" * (f[-1] == "+"), b))
                fails += bool(bad)
print("%d injected runs, %d failed, %.1f s" % (total, fails, time.time() - started))

# ---- ulimit -v ----------------------------------------------------------
import resource
big = data("big.tsv")
subprocess.run([os.path.join(bin, "hit-gen"), "--bytes", "64M", "--seed", "9", "-o", big],
               check=True)
LIMITED = [
    ("hit-parse", ["-o", "out.tsv.zst", data("in.tsv.zst")], "out.tsv.zst"),
    ("hit-attrib", ["--threads", "2", "-o", "out.tsv", big], "out.tsv"),
    ("hit-agg", ["-g", "ip", "-a", "n=count", "-o", "out.tsv", big], "out.tsv"),
    ("hit-sort", ["-S", "1G", "-T", "t", "-k", "ip", "-o", "out.tsv", big], "out.tsv"),
    ("hit-partition", ["--by", "hash", "--shards", "8", "-S", "1G", "-o", "p", big], "p"),
    ("hit-gen", ["--bytes", "1M", "-o", "out.tsv.zst"], "out.tsv.zst"),
]

def limit(mb):
    def f():
        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
    return f

for tool, argv, out in LIMITED:
    # The smallest limit at which the program starts at all.
    low = next(mb for mb in range(2, 512, 2)
               if run(0, tool, ["--version"], {}, limit(mb))[0] == 0)
    mb, failed_clean, seen = low, 0, []
    while mb <= 256:
        rc, err, d = run(0, tool, argv, {}, limit(mb))
        seen.append("%d MB: %s" % (mb, rc))
        if rc == 0:
            break
        bad = judge(tool, out, None, rc, err, d)
        for b in bad:
            print("FAIL %s under ulimit -v %d MB: %s" % (tool, mb, b))
        fails += bool(bad)
        failed_clean += not bad
        mb = mb + 2 if mb < 64 else mb * 5 // 4
    print("%s under ulimit -v: %s" % (tool, ", ".join(seen)))
    if not failed_clean:
        print("FAIL %s: no limit made it fail" % tool)
        fails += 1
print("%.1f s in all, %d failed" % (time.time() - started, fails))
sys.exit(1 if fails else 0)
PY
