#!/usr/bin/env bash
# Every command of the README's ```sh blocks and of every man page's EXAMPLES
# section runs, in a scratch directory, on bundled data: the sample day
# (examples/sample/data.tsv, its hits.schema), small files made with hit-gen,
# and an Adobe delivery of one of them (tests/lib/make-delivery.sh).  A
# command must exit 0; tools being quiet on success, it must write nothing on
# standard error (so a failing stage before a pipe is seen without pipefail,
# which would fail `tool | head` on SIGPIPE); it must make the S3
# object a "# -> s3://..." line after it names; and where the doc shows its
# output (a "$ " line followed by output lines), the output must match it byte
# for byte.
#
# S3 and PostgreSQL are fakes on PATH: `aws` maps s3://BUCKET/KEY to
# $scratch/s3/BUCKET/KEY, `psql` checks that its standard input is TSV with a
# header.  What cannot run here is in the SKIPS table with its reason; what
# must be shrunk or moved to run here is in REWRITES.  A skip or rewrite that
# matches no command fails the test, so neither table goes stale.
# HK_DOCS="README.md man/hit-agg.1" runs only those docs.
# Commands of one doc run in order in one directory: a later example may use
# an earlier one's output, as a reader following the page would.
set -u
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
export LC_ALL=C TZ=UTC
bin=${HK_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$root/$bin ;; esac

# doc | ERE on the command | reason
SKIPS=(
    'README.md|^make (demo|check)|builds the tree, installs packages: the test runs on a built tree'
    'man/hit-report.1|^AWS=/usr/bin/aws |needs a real S3 server: report-s3.sh runs it on s3rver'
    'man/hit-partition.1|^SELECT |SQL for Athena or DuckDB, not a shell command'
)
# doc | literal in the command | replacement | reason
REWRITES=(
    'README.md|--bytes 1G|--bytes 1M|size only: a gigabyte takes seconds'
    'man/hit-gen.1|--bytes 1G|--bytes 1M|size only: a gigabyte takes seconds'
    'man/hit-gen.1|--rows 1000000|--rows 20000|size only'
    'man/hit-report.1|/srv/reports|srv/reports|inside the scratch directory'
)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hk-doc.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

# ---- fakes ---------------------------------------------------------------
mkdir -p "$scratch/fakebin" "$scratch/s3"
cat >"$scratch/fakebin/aws" <<'EOF'
#!/usr/bin/env bash
# aws s3 cp|mv|rm on a local directory: s3://BUCKET/KEY is $HK_FAKE_S3/BUCKET/KEY.
set -u
args=() recursive=
while [ $# -gt 0 ]; do
    case $1 in
    --endpoint-url) shift ;;
    --endpoint-url=* | --only-show-errors | --quiet) ;;
    --recursive) recursive=1 ;;
    *) args+=("$1") ;;
    esac
    shift
done
set -- "${args[@]}"
[ "${1:-}" = s3 ] || { echo "fake aws: only s3: $*" >&2; exit 2; }
path() {
    case $1 in s3://*) printf '%s/%s' "$HK_FAKE_S3" "${1#s3://}" ;; *) printf '%s' "$1" ;; esac
}
case $2 in
cp | mv)
    src=$(path "$3") dst=$(path "$4")
    if [ "$3" = - ]; then mkdir -p "$(dirname "$dst")" && cat >"$dst"; exit; fi
    [ -e "$src" ] || { echo "fatal error: $3 does not exist" >&2; exit 1; }
    if [ "$4" = - ]; then cat "$src"; exit; fi
    if [ -n "$recursive" ]; then mkdir -p "$dst" && cp -R "$src"/. "$dst"/ || exit 1
    else
        case $4 in */) dst=$dst/$(basename "$src") ;; esac
        mkdir -p "$(dirname "$dst")" && cp "$src" "$dst" || exit 1
    fi
    [ "$2" = cp ] || rm -rf "$src"
    ;;
rm) rm -rf "$(path "$3")" ;;
*) echo "fake aws: s3 $2 not faked" >&2; exit 2 ;;
esac
EOF
cat >"$scratch/fakebin/psql" <<'EOF'
#!/usr/bin/env bash
# psql -c "\copy TABLE from pstdin with (header)": stdin must be TSV with a
# header of non-empty names and as many fields on every line.
case "$*" in *'\copy '*' from pstdin with (header)'*) ;;
*) echo "fake psql: unexpected arguments: $*" >&2; exit 2 ;; esac
exec awk -F '\t' '
    NR == 1 { n = NF; for (i = 1; i <= NF; i++) if ($i == "") bad = "empty column name" }
    NF != n && !bad { bad = "line " NR ": " NF " fields, header has " n }
    END {
        if (NR < 1) bad = "no header"
        if (bad) { print "fake psql: " bad > "/dev/stderr"; exit 1 }
    }'
EOF
chmod +x "$scratch/fakebin/aws" "$scratch/fakebin/psql"
export HK_FAKE_S3=$scratch/s3
export PATH="$scratch/fakebin:$bin:$PATH"

# ---- bundled data, the same for every doc ---------------------------------
# The feeds' column_headers.tsv is hit-gen's, the sample's header as a line.
fixtures=$scratch/fixtures
mkdir -p "$fixtures/examples/sample" && cd "$fixtures" || exit 2
set -e
cp "$root/examples/sample/data.tsv" "$root/examples/sample/hits.schema" examples/sample/
cp examples/sample/data.tsv examples/sample/hits.schema .
hit-gen --rows 4000 --seed 1 -o hits.tsv
hit-gen --rows 4000 --seed 1 -o hits.tsv.zst
hit-gen --rows 2000 --seed 8 -o day1.tsv
hit-gen --rows 2000 --seed 9 --start 2009-09-28 -o day2.tsv
hit-gen --rows 4000 --seed 1 --format adobe-feed -o hit_data.tsv
hit-gen --rows 4000 --seed 1 --format adobe-feed -o hit_data.tsv.zst
printf '%s\n' 'ip,page,"referrer, as typed"' '1.2.3.4,Home,"http://www.google.com/search?q=ipod"' \
    '1.2.3.5,"Shop, ""new""",' >export.csv
mkdir -p "$HK_FAKE_S3/feeds/2009-09-27"
cp hit_data.tsv.zst "$HK_FAKE_S3/feeds/2009-09-27/"
# A day in two parts, cut after a record (a line ending in an odd number of
# backslashes goes on: the feed's escaped LF).
awk -v p1="$scratch/part1" -v p2="$scratch/part2" '
    { print > (half ? p2 : p1) }
    NR >= 2000 && !half { n = match($0, /\\+$/) ? RLENGTH : 0; if (n % 2 == 0) half = 1 }
' hit_data.tsv
gzip -nc "$scratch/part1" >"$HK_FAKE_S3/feeds/01-shop_2009-09-27.tsv.gz"
gzip -nc "$scratch/part2" >"$HK_FAKE_S3/feeds/02-shop_2009-09-27.tsv.gz"
{ [ -s "$scratch/part2" ] && cat "$scratch/part1" "$scratch/part2" | cmp -s - hit_data.tsv; } ||
    { echo "fixtures: the feed was not cut in two parts" >&2; exit 2; }
# The same day as an Adobe delivery: feeds/shop_2009-09-27.txt and its files.
. "$root/tests/lib/make-delivery.sh"
HK_TMP=$scratch make_delivery feeds shop 2009-09-27 tar.gz hit_data.tsv column_headers.tsv
set +e
cd "$root" || exit 2

# ---- extraction -------------------------------------------------------------
# Each doc becomes records "LINE<TAB>KIND<TAB>TEXT" with KIND c (a line of a
# code block) or b (a block starts); run_doc tells commands from output.
readme_lines() {
    awk '/^```sh/ { on = 1; print NR "\tb\t"; next }
         /^```/ { on = 0; next }
         on { print NR "\tc\t" $0 }' "$1"
}
man_lines() { # roff escapes undone: \- \e \(aq
    awk '/^\.SH EXAMPLES/ { ex = 1; next }
         /^\.SH/ { ex = 0 }
         !ex { next }
         /^\.(EX|nf)/ { on = 1; dollar = 0; print NR "\tb\t"; next }
         /^\.(EE|fi)/ { on = 0; next }
         /^\.(RS|RE)/ { next }
         on { print NR "\tc\t" $0 }' "$1" |
        sed 's/\\-/-/g; s/\\(aq/'"'"'/g; s/\\e/\\/g'
}

ran=0 failed=0 skipped=0
declare -A skip_used=() rewrite_used=()

# run DOC LINE COMMAND EXPECTED-OUTPUT-FILE-or-empty S3-OBJECT-IT-MAKES-or-empty
run_one() {
    local doc=$1 line=$2 cmd=$3 expect=$4 made=$5 e d pat why from to
    for e in "${SKIPS[@]}"; do
        d=${e%%|*} pat=${e#*|} why=${e##*|}
        pat=${pat%|*}
        if [ "$d" = "$doc" ] && [[ $cmd =~ $pat ]]; then
            skip_used[$e]=1
            skipped=$((skipped + 1))
            printf 'skip %s:%s: %s\n' "$doc" "$line" "$why"
            return
        fi
    done
    for e in "${REWRITES[@]}"; do
        IFS='|' read -r d from to why <<<"$e"
        if [ "$d" = "$doc" ] && [[ $cmd == *"$from"* ]]; then
            rewrite_used[$e]=1
            cmd=${cmd//"$from"/"$to"}
        fi
    done
    for e in parallel zstd gzip md5sum; do # make check-deps installs them
        if [[ $cmd =~ (^|[^[:alnum:]_-])$e([^[:alnum:]_-]|$) ]] &&
            ! command -v "$e" >/dev/null; then
            skipped=$((skipped + 1))
            printf 'skip %s:%s: needs %s, not installed\n' "$doc" "$line" "$e"
            return
        fi
    done
    ran=$((ran + 1))
    (cd "$work" && timeout -k 2 20 bash -c "$cmd") \
        >"$scratch/out" 2>"$scratch/err" </dev/null
    local rc=$? bad=
    if [ $rc -ne 0 ]; then
        bad="exit $rc"
    elif [ -s "$scratch/err" ]; then
        bad="success is quiet, yet there is standard error"
    elif [ -n "$expect" ] && ! cmp -s "$expect" "$scratch/out"; then
        bad="output differs from the doc"
    elif [ -n "$made" ] && [ ! -s "$HK_FAKE_S3/${made#s3://}" ]; then
        bad="made no $made"
    fi
    if [ -z "$bad" ]; then
        printf 'ok   %s:%s\n' "$doc" "$line"
        return
    fi
    failed=$((failed + 1))
    printf 'FAIL %s:%s: %s\n' "$doc" "$line" "$bad"
    printf '%s\n' "$cmd" | sed 's/^/     $ /'
    head -n 5 "$scratch/err" | sed 's/^/     ! /'
    [ -z "$expect" ] || diff "$expect" "$scratch/out" | head -n 10 | sed 's/^/     | /'
}

# Join continued lines into commands: after a line ending in \ or in | (before
# an optional comment), an indented line, or one that closes a compound
# command (done, fi, esac, }); "# ..." lines and blank lines separate them.  In a block whose
# commands start with "$ ", the other lines are the output shown.
run_doc() {
    local doc=$1 lineno kind text cmd='' start='' dollar='' expect=$scratch/expect have_out=''
    local sql='' made=
    work=$scratch/work/${doc//\//_}
    mkdir -p "$work" && cp -R "$fixtures"/. "$work"/
    flush() {
        if [ -n "$cmd" ]; then
            if [ -n "$have_out" ]; then run_one "$doc" "$start" "$cmd" "$expect" "$made"
            else run_one "$doc" "$start" "$cmd" "" "$made"; fi
        fi
        cmd='' start='' have_out='' made=''
        : >"$expect"
    }
    : >"$expect"
    while IFS=$'\t' read -r lineno kind text; do
        if [ "$kind" = b ]; then flush; dollar='' sql=''; continue; fi
        if [ -z "$cmd" ] && [[ $text =~ ^SELECT\  ]]; then sql=1; fi
        if [ -n "$sql" ]; then # a block of SQL is one example
            if [ -n "$cmd" ]; then cmd+=$'\n'$text; else cmd=$text start=$lineno; fi
            continue
        fi
        if [ -n "$cmd" ] && [ -z "$have_out" ] &&
            { [[ ${cmd##*$'\n'} =~ (\\|\|[[:space:]]*(#.*)?)$ ]] ||
                [[ $text =~ ^[[:space:]]+[^[:space:]] ]] ||
                [[ $text =~ ^(done|fi|esac|\})([[:space:];|&]|$) ]]; }; then
            cmd+=$'\n'$text
            continue
        fi
        if [[ $text == '$ '* ]]; then
            flush; dollar=1; cmd=${text#'$ '}; start=$lineno
        elif [ -n "$dollar" ]; then
            printf '%s\n' "$text" >>"$expect"; have_out=1
        elif [[ $text =~ ^#[[:space:]]*-\>[[:space:]]*(s3://[^[:space:]]+)$ ]]; then
            made=${BASH_REMATCH[1]} # "# -> s3://..." names what the command made
            flush
        elif [[ $text =~ ^[[:space:]]*(#.*)?$ ]]; then
            flush
        else
            flush; cmd=$text; start=$lineno
        fi
    done
    flush
}

# shellcheck disable=SC2206 # HK_DOCS: file names split on blanks, as the default's glob
docs=(${HK_DOCS:-README.md man/*.1})
for doc in "${docs[@]}"; do
    case $doc in
    *.md) run_doc "$doc" < <(readme_lines "$doc") ;;
    *) run_doc "$doc" < <(man_lines "$doc") ;;
    esac
done

[ -n "${HK_DOCS:-}" ] || for e in "${SKIPS[@]}"; do
    [ -n "${skip_used[$e]:-}" ] ||
        { echo "FAIL skip matches no command: $e"; failed=$((failed + 1)); }
done
[ -n "${HK_DOCS:-}" ] || for e in "${REWRITES[@]}"; do
    [ -n "${rewrite_used[$e]:-}" ] ||
        { echo "FAIL rewrite matches no command: $e"; failed=$((failed + 1)); }
done
echo "doc examples: $ran ran, $failed failed, $skipped skipped (reasons above)"
[ $failed -eq 0 ]
