# shellcheck shell=bash # sourced by bench/run
# delivery: the report from an Adobe delivery (issue 16: verifying the MD5s,
# sizes and record counts costs at most 10% over the report on the same
# bytes).  The delivery is hit-gen's, with the bench's size and seed, packed
# as a multi-file delivery (01-...tsv.gz, 02-...: four pieces at any size):
# its .tsv.gz pieces are also valid inputs without the manifest, so one row
# reads the very same files unverified, which a .tar.gz could not give (a
# .gz input is one gzip stream of hits, not an archive).  Every row reads
# hits taken from the delivery, not the bench's hit-gen file, whose last
# hits run past the day and are left out of a delivery.  Rows, each with
# its time over the first one (what the packaging costs):
#   plain file         the delivery's records in one hitkit TSV file (made
#                      by hit-parse with column_headers.tsv), as the report
#                      task reads its file;
#   delivery           hit-report on the manifest: bsdcat, MD5, size and
#                      record counts;
#   .gz, no manifest   the same .tsv.gz files given as inputs with
#                      --columns (gzip -dc, no checks);
#   bsdcat | report    the same files unpacked by bsdcat into one stream, no
#                      checks: the delivery row over this one is the cost of
#                      the verification alone.
task_delivery() {
    begin delivery
    have_tool hit-report || { skip "delivery: bin/hit-report is not built"; return; }
    have_tool hit-parse || { skip "delivery: bin/hit-parse is not built"; return; }
    if ! have bsdcat || ! have bsdtar; then
        skip "delivery: no bsdcat or bsdtar (libarchive-tools, mk/deps.sh build)"
        return
    fi
    local dir="$CACHE/delivery-$SIZE-s$SEED" split manifest lookup columns plain parts=()
    if [ ! -d "$dir" ]; then
        say "bench: making $dir"
        split=$(($(size_bytes) / 4))
        # the files made from an earlier delivery go with it
        rm -rf "$dir.tmp" "$dir-columns.tsv" "$dir.tsv"
        if ! "$BIN/hit-gen" --bytes "$SIZE" --seed "$SEED" --format adobe-delivery \
            --packaging multi --split-size "$split" -o "$dir.tmp" || ! mv "$dir.tmp" "$dir"; then
            rm -rf "$dir.tmp"
            die "could not make $dir"
        fi
    fi
    manifest=("$dir"/*[0-9].txt)
    lookup=("$dir"/*-lookup_data.tar.gz)
    parts=("$dir"/[0-9][0-9]-*.tsv.gz)
    if [ ${#manifest[@]} != 1 ] || [ ! -s "${manifest[0]}" ] || [ ! -s "${lookup[0]}" ] ||
        [ ! -s "${parts[0]}" ]; then
        die "$dir: not one delivery (delete it to remake it)"
    fi
    columns=$(cached "delivery-$SIZE-s$SEED-columns.tsv" \
        bsdtar -xOf "${lookup[0]}" column_headers.tsv) || exit 1
    local report p gz=""
    report="$(q "$BIN/hit-report") -o -"
    for p in "${parts[@]}"; do gz+=" $(q "$p")"; done
    plain=$(cached "delivery-$SIZE-s$SEED.tsv" bash -c \
        "set -o pipefail; bsdcat$gz | $(q "$BIN/hit-parse") -C $(q "$columns")") || exit 1
    tool "plain file" "$report $(q "$plain")"
    tool "delivery" "$report $(q "${manifest[0]}")"
    tool ".gz, no manifest" "$report -C $(q "$columns")$gz"
    tool "bsdcat | report" "bsdcat$gz | $report -C $(q "$columns") -"
    check_same cat && measure delivery "$(bytes_of "$plain")"
}
