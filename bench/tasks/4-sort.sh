# shellcheck shell=bash # sourced by bench/run
# sort: the dkr file by revenue, descending (issue 4: hit-sort at least 6x as
# fast as GNU sort, peak memory no larger).  Ties: hit-sort is stable, so
# GNU sort runs with -s (stable) too; without it GNU sort would break ties by
# whole-line comparison and the outputs could not be compared.  The header
# is passed through before GNU sort reads the rest of the file.
task_sort() {
    begin sort
    have_tool hit-sort || { skip "sort: bin/hit-sort is not built"; return; }
    local d
    d=$(dkr_file) || return
    tool hit-sort "$(q "$BIN/hit-sort") -k revenue:n:r $(q "$d")"
    tool sort "{ IFS= read -r h; printf '%s\n' \"\$h\"; sort -s -t \$'\t' -k3,3nr; } < $(q "$d")"
    check_same cat && measure sort "$(bytes_of "$d")"
}
