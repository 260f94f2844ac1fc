# shellcheck shell=bash disable=SC2034 # sourced by bench/run, whose FAILED it sets
# partition: hit-partition --by time --granularity hour at zstd level 3
# against zstd -3 -T1 compressing the same bytes into one file (issue 6:
# within 1.3x; compression is the floor).  Neither prints anything, so the
# partitions are checked on their own first: decompressed in path order they
# must give back every input row in order (hit-gen data is in time order).
task_partition() {
    begin partition
    have_tool hit-partition || { skip "partition: bin/hit-partition is not built"; return; }
    have zstd || { skip "partition: no zstd command"; return; }
    local d="$WORK/parts" f="$WORK/one.zst"
    "$BIN/hit-partition" --by time --granularity hour --name check -o "$d" "$HITS" || { FAILED=1; return; }
    if ! find "$d" -name '*.tsv.zst' | LC_ALL=C sort | xargs zstd -dcq |
        grep -v '^hit_time_gmt' | cmp -s - <(tail -n +2 "$HITS"); then
        say "FAIL partition: the partitions do not give back the input rows"
        FAILED=1
        return
    fi
    say "   partitions give back every input row ($(find "$d" -name '*.tsv.zst' | wc -l) files)"
    tool hit-partition "rm -rf $(q "$d") && $(q "$BIN/hit-partition") --by time --granularity hour -o $(q "$d") $(q "$HITS")"
    tool zstd "zstd -q -3 -T1 -f -o $(q "$f") $(q "$HITS")"
    check_same cat && measure partition "$(bytes_of "$HITS")"
    rm -rf "$d" "$f"
}
