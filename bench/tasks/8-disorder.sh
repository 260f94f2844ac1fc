# shellcheck shell=bash # sourced by bench/run
# disorder: the report on the hit-gen file with its lines shuffled (issue 14:
# the same bytes as on the file in time order, in at most 4x its time).  The
# first row is the report on the file in time order, so each other row's
# ratio is its time over that one: what disorder costs.  Rows: hit-report on
# the shuffled file (it finds the disorder, reads the file again and sorts
# the hits by time itself), and the way a user would fix the order first:
# GNU sort by time (stable, two threads), piped into hit-report.
task_disorder() {
    begin disorder
    have_tool hit-report || { skip "disorder: bin/hit-report is not built"; return; }
    local shuffled
    shuffled=$(cached "hits-$SIZE-s$SEED-shuffled.tsv" bash -c \
        "head -n 1 $(q "$HITS") && tail -n +2 $(q "$HITS") | shuf --random-source=<(yes $SEED)")
    tool "hit-report, time order" "$(q "$BIN/hit-report") -o - $(q "$HITS")"
    tool "hit-report, shuffled" "$(q "$BIN/hit-report") -o - $(q "$shuffled")"
    tool "sort | hit-report" "{ head -n 1 $(q "$shuffled"); tail -n +2 $(q "$shuffled") |
        sort -s -t \$'\\t' -k1,1n -S 1G --parallel=2; } | $(q "$BIN/hit-report") -o - -"
    check_same cat && measure disorder "$(bytes_of "$HITS")"
}
