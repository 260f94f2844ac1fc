# Check a hit-gen adobe-delivery directory against its manifests; sourced by
# the delivery cases.  check_delivery DIR prints, per manifest: its name, its
# header lines, each file's name and type, and "ok" lines for what was
# checked: every archive read by its own tool (tar -tzf, gzip -t, Python's
# zipfile), MD5 and size equal to md5sum and stat, Record-Count equal to the
# records hit-parse reads with the lookup archive's column_headers.tsv.
# MD5s and sizes are not printed: they depend on zlib's deflate.
check_delivery() {
    local dir=$1 m f name kind md5 size rc cols="$HK_TMP/cols.tsv" x
    for m in "$dir"/*.txt; do
        echo "== ${m##*/}"
        sed -n '1,/^$/p' "$m" | sed '/^$/d'
        # lookup archive first: its column_headers.tsv reads the data files
        while read -r kind name; do
            case $kind in
            Lookup-File:)
                case $name in
                *.tar.gz) tar -xzOf "$dir/$name" column_headers.tsv >"$cols" ;;
                *.zip) python3 -c 'import sys, zipfile
sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("column_headers.tsv"))' \
                    "$dir/$name" >"$cols" ;;
                esac ;;
            esac
        done <"$m"
        awk 'BEGIN { RS = ""; FS = "\n" }
             NR > 1 { for (i = 1; i <= NF; i++) { split($i, kv, ": "); v[kv[1]] = kv[2] }
                      print (v["Lookup-File"] != "" ? "L " v["Lookup-File"] : "D " v["Data-File"]), \
                            v["MD5-Digest"], v["File-Size"], (v["Record-Count"] == "" ? "-" : v["Record-Count"])
                      delete v }' "$m" >"$HK_TMP/files"
        while read -r kind name md5 size rc; do
            f=$dir/$name
            echo "$kind $name"
            [ "$(md5sum <"$f" | cut -d' ' -f1)" = "$md5" ] || echo "  MD5 differs: $name"
            [ "$(stat -c %s "$f")" = "$size" ] || echo "  size differs: $name"
            case $name in
            *.tar.gz)
                gzip -t "$f" || echo "  gzip -t failed"
                echo "  tar: $(tar -tzf "$f" | tr '\n' ' ')"
                x="tar -xzOf $f hit_data.tsv" ;;
            *.tsv.gz)
                gzip -t "$f" || echo "  gzip -t failed"
                x="gzip -dc $f" ;;
            *.zip)
                echo "  zip: $(python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(" ".join(z.namelist()))' "$f")"
                x="python3 -c 'import sys, zipfile
sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(\"hit_data.tsv\"))' $f" ;;
            esac
            if [ "$kind" = D ]; then
                [ "$(eval "$x" | hit-parse --columns "$cols" | wc -l)" = "$((rc + 1))" ] ||
                    echo "  Record-Count $rc differs from hit-parse's"
            fi
        done <"$HK_TMP/files"
        [ "$(awk '$1 == "D" { s += $5 } END { print s + 0 }' "$HK_TMP/files")" = \
            "$(sed -n 's/^Total-Records: //p' "$m")" ] || echo "  Total-Records differs"
    done
}

# The records of a delivery's data files, in manifest order, decompressed.
delivery_data() {
    local m name
    for m in "$1"/*.txt; do
        for name in $(sed -n 's/^Data-File: //p' "$m"); do
            case $name in
            *.tar.gz) tar -xzOf "$1/$name" hit_data.tsv ;;
            *.tsv.gz) gzip -dc "$1/$name" ;;
            *.zip) python3 -c 'import sys, zipfile
sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("hit_data.tsv"))' "$1/$name" ;;
            esac
        done
    done
}
