# Shared by the hit-partition cmd cases (sourced; not a case itself: the
# driver only runs directories).  Moves to the scratch directory with a copy
# of the case's input, so messages name `input` and output goes to $HK_TMP.
set -u
case_dir=$PWD
cd "$HK_TMP" || exit 2
[ -f "$case_dir/input" ] && cp "$case_dir/input" input

# cat_part FILE: a part file's text, decompressed when it is .zst
cat_part() {
    case $1 in
    *.zst) zstd -qdc -- "$1" ;;
    *) cat -- "$1" ;;
    esac
}

# show DIR: every path under DIR, hidden ones too (so a left-over temporary
# directory shows), then each part file's name and content.
show() {
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | sed 's|^\./||')
    (cd "$1" && find . -type f -name 'part-*' | LC_ALL=C sort | sed 's|^\./||') |
        while IFS= read -r f; do
            printf '== %s\n' "$f"
            cat_part "$1/$f"
        done
}

# check_manifest DIR: the manifest's header, and for each row that the file
# exists and its rows (lines less the header), bytes and md5 agree with wc,
# stat and md5sum; and that every part file is listed exactly once.
check_manifest() {
    local d=$1 n=0 file rows bytes md5 r
    [ "$(head -n 1 "$d/_manifest.tsv")" = "$(printf 'file\trows\tbytes\tmd5')" ] ||
        echo "manifest: bad header"
    while IFS=$'\t' read -r file rows bytes md5; do
        n=$((n + 1))
        if [ ! -f "$d/$file" ]; then
            echo "manifest: $file: no such file"
            continue
        fi
        r=$(cat_part "$d/$file" | wc -l)
        [ "$((r - 1))" = "$rows" ] || echo "manifest: $file: rows $rows, file has $((r - 1))"
        r=$(stat -c %s "$d/$file")
        [ "$r" = "$bytes" ] || echo "manifest: $file: bytes $bytes, file has $r"
        r=$(md5sum <"$d/$file" | cut -c 1-32)
        [ "$r" = "$md5" ] || echo "manifest: $file: md5 $md5, md5sum says $r"
    done < <(tail -n +2 "$d/_manifest.tsv")
    diff <(tail -n +2 "$d/_manifest.tsv" | cut -f 1 | LC_ALL=C sort) \
        <(cd "$d" && find . -type f ! -name _manifest.tsv | sed 's|^\./||' | LC_ALL=C sort) |
        sed 's/^/manifest vs files: /'
    echo "manifest: $n files checked"
}

# headers DIR HEADER: every part file starts with HEADER (the input's first line)
headers() {
    (cd "$1" && find . -type f -name 'part-*') | while IFS= read -r f; do
        [ "$(cat_part "$1/$f" | head -n 1)" = "$2" ] || echo "no header in $f"
    done
}
