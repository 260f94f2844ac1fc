# shellcheck shell=bash # sourced by bench/run
# zstd: the same projection from a zstd-compressed file (level 3).
# hit-parse -f ... hits.tsv.zst  vs  zstd -dc hits.tsv.zst | cut -f4,5,11,12
# MB/s counts uncompressed bytes; peak RSS is the largest process of a pipeline.
task_zstd() {
    begin zstd
    have_tool hit-parse || { skip "zstd: bin/hit-parse is not built"; return; }
    have zstd || { skip "zstd: no zstd command"; return; }
    local z
    z=$(cached "${HITS##*/}.zst" zstd -q -3 -T0 -c "$HITS") || return
    tool hit-parse "$(q "$BIN/hit-parse") -f ip,event_list,product_list,referrer $(q "$z")"
    if have cut; then tool zstd+cut "zstd -dc $(q "$z") | cut -f4,5,11,12"; fi
    check_same cat && measure zstd "$(bytes_of "$HITS")"
}
