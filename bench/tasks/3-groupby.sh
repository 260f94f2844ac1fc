# shellcheck shell=bash # sourced by bench/run
# groupby: sum revenue per (domain, keyword) on the dkr file (issue 4).
# hit-agg on the unsorted file  vs  datamash -g1,2 sum 3 on the same rows
# already sorted (sorting not timed)  vs  mlr stats1 on the unsorted file.
# Outputs are compared without their header and with rows sorted (hit-agg and
# mlr keep first-appearance order, datamash the sorted order); sums are
# written with 2 decimals by all three (hit-agg --decimals 2, datamash
# --format %.2f, mlr format-values -n -f %.2f).
task_groupby() {
    begin groupby
    have_tool hit-agg || { skip "groupby: bin/hit-agg is not built"; return; }
    local d s
    d=$(dkr_file) || return
    s=$(cached "${d##*/}.sorted" sort_dkr "$d") || return
    tool hit-agg "$(q "$BIN/hit-agg") -g domain,keyword -a sum:revenue --decimals 2 $(q "$d")"
    if have datamash; then
        tool datamash "datamash -H -g1,2 --format %.2f sum 3 < $(q "$s")"
    else skip "groupby: no datamash"; fi
    if have mlr; then
        tool mlr "mlr --tsv stats1 -a sum -f revenue -g domain,keyword then \
format-values -n -f %.2f $(q "$d")"
    else skip "groupby: no mlr"; fi
    check_same "tail -n +2 | sort" && measure groupby "$(bytes_of "$d")"
}
