# shellcheck shell=bash # sourced by bench/run
# jobs: hit-report -j 2 against -j 1 on the same file (issue 6 asks for 1.6x
# on two cores): every tool on two threads (hit-attrib reads the file in
# chunks on both, each attributing half of the visitors) against one thread
# each.  The "peer" is -j 1, so the ratio is the speedup; the reports must
# be identical.
task_jobs() {
    begin jobs
    have_tool hit-report || { skip "jobs: bin/hit-report is not built"; return; }
    tool "hit-report -j 2" "$(q "$BIN/hit-report") -j 2 -o - $(q "$HITS")"
    tool "hit-report -j 1" "$(q "$BIN/hit-report") -j 1 -o - $(q "$HITS")"
    check_same cat && measure jobs "$(bytes_of "$HITS")"
}
