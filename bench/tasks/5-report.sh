# shellcheck shell=bash # sourced by bench/run
# report: the Search Keyword Performance report on the hit-gen file (issue 5:
# at most 1/5 of the awk script's time, 1/8 of DuckDB's, byte-identical).
# Peers: bench/report.awk under mawk and gawk, bench/report.py (pandas),
# bench/report.sql (DuckDB through bench/duckdb.mjs).  Their outputs must be
# identical to hitkit's and to each other's; without hitkit the peers are
# still checked against each other and timed (ratio "-").
task_report() {
    begin report
    # The hitkit side: bin/hit-report, the whole pipeline in one command.
    if have_tool hit-report; then
        tool hit-report "$(q "$BIN/hit-report") -o - $(q "$HITS")"
    else
        skip "report: bin/hit-report is not built; timing the peers only"
        # shellcheck disable=SC2034 # read by measure in bench/run
        HITKIT_ROW=0
    fi
    if have mawk; then tool mawk "mawk -f $(q "$BENCH/report.awk") $(q "$HITS")"; fi
    if have gawk; then tool gawk "gawk -f $(q "$BENCH/report.awk") $(q "$HITS")"; fi
    if have_pandas; then tool pandas "$PY $(q "$BENCH/report.py") $(q "$HITS")"
    else skip "report: no pandas for $PY"; fi
    if have_duckdb; then
        tool duckdb "node $(q "$BENCH/duckdb.mjs") $(q "$BENCH/report.sql") $(q "$HITS")"
    else skip "report: no DuckDB (node + bench/node_modules)"; fi
    check_same cat && measure report "$(bytes_of "$HITS")"
}
