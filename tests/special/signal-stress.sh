#!/usr/bin/env bash
# SIGINT, SIGTERM and SIGHUP, 50 of each, at moments spread over spilling
# sorts (hit-sort -S 1M -T DIR, dozens of run files) and partitions
# (hit-partition --by hash --shards 64 -S 1M: a temporary directory of 64 files
# written by a second thread).  Every run must end within 5 s of its
# signal, by that signal (or with status 0 if it finished first), and
# leave nothing behind: the sort's -T directory empty and no temporary
# beside -o, the partition directory without a temporary directory; and
# an output is either absent or complete (a signal that comes once the
# output is in place, or while hit-partition commits, ends a complete
# run).  The cleanup runs in the signal handler, so a handler that is not
# async-signal-safe (one that allocates, say, while the interrupted
# thread held malloc's lock) hangs here sooner or later.
#
# The moments are a fixed schedule (5 ms to 300 ms after the start, in
# steps of 5 ms, in a scrambled order), the same on every machine; where
# each lands depends on the machine's speed, which is the point.
# tests/run: needs half a minute of signals on a timed schedule
set -euo pipefail
command -v python3 >/dev/null || exit 77
bin=${HK_BIN:-bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-signals.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$bin/hit-gen" --bytes 24M --seed 3 -o "$tmp/data.tsv"
rows=$(($(wc -l <"$tmp/data.tsv") - 1))

python3 - "$bin" "$tmp" "$rows" <<'PY'
import os, signal, subprocess, sys, time
bin, tmp, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = os.path.join(tmp, "data.tsv")
fails = 0

def listing(d):
    out = []
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(root, n), d))
    return sorted(out)

def lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)

def check_sort(run, ok):
    """What a sort run left in its directory: problems, as text.  Killed,
    it may have left the output complete (the signal came after the
    rename), never a part of it."""
    bad = []
    left = listing(os.path.join(run, "t"))
    if left:
        bad.append("temporary directory not empty: %s" % left[:5])
    got = [n for n in listing(run) if not n.startswith("t/")]
    if got == ["out.tsv", "t"]:
        if lines(os.path.join(run, "out.tsv")) != rows + 1:
            bad.append("out.tsv incomplete")
    elif ok or got != ["t"]:
        bad.append("directory holds %s" % got[:5])
    return bad

def check_partition(run, ok):
    """Killed, nothing may be left, or (a signal during the commit waits
    for its end) the whole data set; finished, the whole data set."""
    bad = []
    p = os.path.join(run, "p")
    got = listing(p) if os.path.isdir(p) else []
    hidden = [n for n in got if any(c.startswith(".") for c in n.split("/"))]
    if hidden:
        bad.append("temporaries left: %s" % hidden[:5])
    if got or ok:
        if "_manifest.tsv" not in got:
            bad.append("no manifest, files: %s" % got[:5])
        elif lines(os.path.join(p, "_manifest.tsv")) != 65:
            bad.append("manifest incomplete")
        elif len([n for n in got if n.endswith(".tsv.zst")]) != 64:
            bad.append("part files missing")
    others = [n for n in listing(run) if n != "p" and not n.startswith("p/")]
    if others:
        bad.append("directory holds %s" % others[:5])
    return bad

for signame in ("INT", "TERM", "HUP"):
    sig = getattr(signal, "SIG" + signame)
    for i in range(50):
        delay = 0.005 * (1 + (i * 37) % 60)
        run = os.path.join(tmp, "run")
        os.mkdir(run)
        if i % 2 == 0:
            os.mkdir(os.path.join(run, "t"))
            argv = [bin + "/hit-sort", "-S", "1M", "-T", "t", "-k", "ip", "-o", "out.tsv", data]
            check = check_sort
        else:
            argv = [bin + "/hit-partition", "--by", "hash", "--shards", "64", "-S", "1M",
                    "-l", "9", "-o", "p", data]
            check = check_partition
        what = "%s %d (%s after %.3f s)" % (signame, i, os.path.basename(argv[0]), delay)
        p = subprocess.Popen(argv, cwd=run, stderr=subprocess.PIPE)
        time.sleep(delay)
        p.send_signal(sig)
        try:
            p.wait(timeout=5)
            err = p.stderr.read().decode(errors="replace")
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            print("FAIL %s: still running 5 s after the signal (hung)" % what)
            fails += 1
            subprocess.run(["rm", "-rf", run])
            continue
        ok = p.returncode == 0
        bad = []
        if p.returncode not in (0, -sig):
            bad.append("exit status %d, want 0 or the signal" % p.returncode)
        if err:
            bad.append("stderr: %r" % err[:200])
        bad += check(run, ok)
        for b in bad:
            print("FAIL %s: %s" % (what, b))
        fails += bool(bad)
        subprocess.run(["rm", "-rf", run])
print("%d runs, %d failed" % (150, fails))
sys.exit(1 if fails else 0)
PY
