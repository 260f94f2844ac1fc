# shellcheck shell=bash # sourced by bench/run
# projection: keep the four columns the report needs.
# hit-parse -f ip,event_list,product_list,referrer  vs  cut -f4,5,11,12
# (issue 2: hit-parse at least 2.5x as fast as cut).  The columns hold no
# backslash escapes in hit-gen data, so both outputs are equal byte for byte.
task_projection() {
    begin projection
    have_tool hit-parse || { skip "projection: bin/hit-parse is not built"; return; }
    tool hit-parse "$(q "$BIN/hit-parse") -f ip,event_list,product_list,referrer $(q "$HITS")"
    if have cut; then tool cut "cut -f4,5,11,12 $(q "$HITS")"; else skip "projection: no cut"; fi
    check_same cat && measure projection "$(bytes_of "$HITS")"
}
