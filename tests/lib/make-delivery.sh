# shellcheck shell=bash
# make-delivery.sh: build an Adobe data feed delivery in a directory, for the
# hit-report manifest cases (sourced by their cmd scripts; hit-gen on PATH).
#
#   make_delivery DIR RSID DATE PACKAGING FEED COLUMNS [LOOKUP]
#
# FEED is a header-less adobe-feed file (hit-gen --format adobe-feed), COLUMNS
# its column_headers.tsv.  PACKAGING: tar.gz or zip (one RSID_DATE.PKG holding
# hit_data.tsv), or multi (01-RSID_DATE.tsv.gz and 02-..., the feed cut after a
# record).  DATE may carry an hour (2026-12-06-000000).  LOOKUP is yes (the
# default) or no (hourly deliveries after the first).  Writes DIR/RSID_DATE.txt
# last, with the files' MD5s, sizes and record counts.
make_delivery() { # dir rsid date packaging feed columns [lookup]
    local dir=$1 base=$2_$3 pkg=$4 feed=$5 cols=$6 lookup=${7:-yes} tmp f n total=0
    local files=()
    tmp=$(mktemp -d "${HK_TMP:-/tmp}/delivery.XXXXXX") || return 2
    mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || return 2
    cp "$feed" "$tmp/hit_data.tsv" && cp "$cols" "$tmp/column_headers.tsv" || return 2
    printf '1\tpurchase\n2\tprodView\n' >"$tmp/event.tsv"
    printf '1\tFirefox\n' >"$tmp/browser.tsv"
    if [ "$lookup" = yes ]; then
        tar -C "$tmp" -czf "$dir/$base-lookup_data.tar.gz" column_headers.tsv event.tsv \
            browser.tsv || return 2
    fi
    case $pkg in
    tar.gz)
        tar -C "$tmp" -czf "$dir/$base.tar.gz" hit_data.tsv || return 2
        files=("$base.tar.gz")
        ;;
    zip)
        (cd "$tmp" && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z: z.write("hit_data.tsv")' \
            "$dir/$base.zip") || return 2
        files=("$base.zip")
        ;;
    multi)
        # cut after the middle record: a line ending in an odd number of
        # backslashes goes on (the feed's escaped LF)
        awk -v p1="$tmp/p1" -v p2="$tmp/p2" '
            { print > (half ? p2 : p1) }
            NR >= h && !half { n = match($0, /\\+$/) ? RLENGTH : 0; if (n % 2 == 0) half = 1 }
        ' h=$(($(wc -l <"$feed") / 2)) "$feed" || return 2
        gzip -nc "$tmp/p1" >"$dir/01-$base.tsv.gz" && gzip -nc "$tmp/p2" >"$dir/02-$base.tsv.gz" ||
            return 2
        files=("01-$base.tsv.gz" "02-$base.tsv.gz")
        ;;
    *) return 2 ;;
    esac
    {
        printf 'Datafeed-Manifest-Version: 1.0\n'
        printf 'Lookup-Files: %d\n' "$([ "$lookup" = yes ] && echo 1 || echo 0)"
        printf 'Data-Files: %d\n' ${#files[@]}
        printf 'Total-Records: @TOTAL@\n'
        if [ "$lookup" = yes ]; then
            f=$base-lookup_data.tar.gz
            printf '\nLookup-File: %s\nMD5-Digest: %s\nFile-Size: %s\n' "$f" \
                "$(md5sum <"$dir/$f" | cut -d' ' -f1)" "$(stat -c %s "$dir/$f")"
        fi
        for f in "${files[@]}"; do
            case $f in
            *.tsv.gz) n=$(gzip -dc "$dir/$f" | records) ;;
            *) n=$(records <"$feed") ;;
            esac
            total=$((total + n))
            printf '\nData-File: %s\nMD5-Digest: %s\nFile-Size: %s\nRecord-Count: %s\n' "$f" \
                "$(md5sum <"$dir/$f" | cut -d' ' -f1)" "$(stat -c %s "$dir/$f")" "$n"
        done
    } >"$tmp/manifest" || return 2
    sed "s/@TOTAL@/$total/" "$tmp/manifest" >"$dir/$base.txt" || return 2
    rm -rf "$tmp"
}

# The records of a feed on stdin: its lines, less those that end in an odd
# number of backslashes (an escaped LF: the record goes on).
records() {
    awk '{ n = match($0, /\\+$/) ? RLENGTH : 0; if (n % 2 == 0) r++ } END { print r + 0 }'
}
