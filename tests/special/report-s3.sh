#!/bin/bash
# hit-report end to end against a real S3-compatible server on loopback:
# s3rver (npm, tests/s3) and Debian's aws cli (/usr/bin/aws, v2).
#
# Inputs are uploaded as objects (plain, .zst, .gz, keys with spaces, quotes
# and $, an Adobe delivery with its manifest), the report is written to S3 and read back, and every failure
# (missing key, failing stage, server down) must leave nothing behind: no
# object under the output prefix, no file in hit-report's TMPDIR, the
# previous report untouched.
#
# Exit 0 pass, 77 skip (awscli or node/npm cannot be installed), else fail.
# Env: HK_BIN, the absolute bin directory under test (default bin/).
#
# s3rver limitation: it reads x-amz-copy-source with decodeURI, so a copy
# (hence `s3 mv`) whose source key holds $ & + , ; = ? @ # or : fails with
# NoSuchKey.  Real S3 has no such limit; the output prefixes here use spaces
# and quotes, and $ is tested in input keys and local paths.
# tests/run: needs an S3 server (s3rver, from npm) and the aws cli
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
sh "$root/tests/s3/setup.sh" || exit 77

T=$(mktemp -d "${TMPDIR:-/tmp}/hk-report-s3.XXXXXX") || exit 2
s3pid=''
stop_s3() {
    if [ -n "$s3pid" ]; then
        kill "$s3pid" 2>/dev/null
        wait "$s3pid" 2>/dev/null
        s3pid=''
    fi
}
trap 'stop_s3; rm -rf -- "$T"' EXIT
trap 'exit 130' INT TERM

# An AWS environment of our own: dummy credentials, no profile, no retries.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
    AWS_REGION AWS_CA_BUNDLE
mkdir -p "$T/aws" "$T/tmp" "$T/s3data"
: >"$T/aws/config"
: >"$T/aws/credentials"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE="$T/aws/config" AWS_SHARED_CREDENTIALS_FILE="$T/aws/credentials" \
    AWS_MAX_ATTEMPTS=1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=''
export AWS=/usr/bin/aws
export TMPDIR="$T/tmp" # hit-report's temporary files: must be empty after every run

NODE_OPTIONS=--openssl-legacy-provider "$root/tests/s3/node_modules/.bin/s3rver" \
    -d "$T/s3data" -a 127.0.0.1 -p 0 -s --configure-bucket hitkit-test >"$T/s3.log" 2>&1 &
s3pid=$!
port=''
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$T/s3.log")
    [ -n "$port" ] && break
    kill -0 "$s3pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "report-s3: s3rver did not start:" >&2
    cat "$T/s3.log" >&2
    exit 1
fi
ep="http://127.0.0.1:$port"
s3() { "$AWS" --endpoint-url "$ep" s3 "$@"; }

fails=0
fail() {
    printf 'report-s3: FAIL: %s\n' "$*" >&2
    fails=$((fails + 1))
}
# the report, run as the tests do: --date fixed, the server's endpoint
report() { "$bin/hit-report" --endpoint-url "$ep" --date 2009-09-27 "$@"; }
# keys under a prefix, one a line (none: empty), as the server lists them
keys() { s3 ls --recursive "s3://hitkit-test/$1" | sed 's/^[^ ]* *[^ ]* *[0-9]* //'; }
# every key in the server's store (faster than asking it; works when it is down)
stored() {
    (cd "$T/s3data/hitkit-test" && find . -name '*._S3rver_object') |
        sed 's|^\./||; s|\._S3rver_object$||' | LC_ALL=C sort
}
expect_rc() { # what rc-wanted rc-got
    [ "$2" = "$3" ] || fail "$1: exit $3, expected $2 (stderr: $(cat "$T/err"))"
}
expect_err() { # what line: stderr must end with this line
    [ "$(tail -n 1 "$T/err")" = "$2" ] ||
        fail "$1: stderr ends with '$(tail -n 1 "$T/err")', expected '$2'"
}
tmp_empty() { # what
    [ -z "$(ls -A "$TMPDIR")" ] || fail "$1: left in TMPDIR: $(ls -A "$TMPDIR")"
}

# --- inputs: the bundled sample day, cut in three in time order ---------------
# One data set: visitors search in one part and buy in a later one, so the
# report equals the whole day's only if the parts are read as one stream.
data="$root/examples/sample/data.tsv"
mkdir -p "$T/up/in" "$T/up/bad"
sed -n 1,8p "$data" >"$T/up/in/part 1.tsv"
{ sed -n 1p "$data" && sed -n 9,16p "$data"; } | zstd -q >"$T/up/in/part2 it's \$x.tsv.zst"
{ sed -n 1p "$data" && sed -n 17,22p "$data"; } | gzip >"$T/up/in/part3.tsv.gz"
# malformed: a record of 2 fields among 12 (hit-parse fails)
{ sed -n 1,3p "$data" && printf 'only\ttwo\n'; } >"$T/up/bad/short row.tsv"
# well-formed, but a price that is not a number (hit-attrib --strict fails)
{ sed -n 1,2p "$data" && sed -n 17p "$data" | sed 's/;190;/;19x;/'; } >"$T/up/bad/price.tsv"
s3 cp --recursive "$T/up" s3://hitkit-test/ --only-show-errors || fail "uploading the inputs"

in1="s3://hitkit-test/in/part 1.tsv"
in2="s3://hitkit-test/in/part2 it's \$x.tsv.zst"
in3="s3://hitkit-test/in/part3.tsv.gz"
name=2009-09-27_SearchKeywordPerformance.tab
# From the data: 23.8.61.21 came from bing "Zune" and bought for 250;
# 67.98.123.1 from google "Ipod", bought for 190; 44.12.96.2 from duckduckgo
# "ipod nano", bought for 190 + 29.90; 67.98.124.9 from google.co.uk
# "ipod touch", bought for 290.  Revenue descending.
printf '%s\t%s\t%s\n' "Search Engine Domain" "Search Keyword" Revenue \
    google.co.uk "ipod touch" 290.00 bing.com zune 250.00 \
    duckduckgo.com "ipod nano" 219.90 google.com ipod 190.00 >"$T/expected"

# --- S3 to S3 -----------------------------------------------------------------
out="s3://hitkit-test/reports/o'k dir"
report -o "$out/" "$in1" "$in2" "$in3" >"$T/out" 2>"$T/err"
expect_rc "s3 to s3" 0 $?
[ -s "$T/err" ] && fail "s3 to s3: stderr: $(cat "$T/err")"
[ -s "$T/out" ] && fail "s3 to s3: stdout: $(cat "$T/out")"
got=$(keys reports/)
[ "$got" = "reports/o'k dir/2009-09-27/$name" ] || fail "s3 to s3: objects: $got"
s3 cp "$out/2009-09-27/$name" "$T/got" --only-show-errors
cmp -s "$T/expected" "$T/got" || fail "s3 to s3: report differs: $(diff "$T/expected" "$T/got")"
tmp_empty "s3 to s3"

# --- S3 to a local directory and to stdout ------------------------------------
dir="$T/out dir/it's \$HOME"
report -o "$dir" "$in1" "$in2" "$in3" 2>"$T/err"
expect_rc "s3 to dir" 0 $?
cmp -s "$T/expected" "$dir/2009-09-27/$name" || fail "s3 to dir: report differs or missing"
[ "$(ls -A "$dir/2009-09-27")" = "$name" ] || fail "s3 to dir: files: $(ls -A "$dir/2009-09-27")"
tmp_empty "s3 to dir"

# --- the parts given in reverse time order: read twice, the second time sorted
report -o - "$in3" "$in2" "$in1" >"$T/got" 2>"$T/err"
expect_rc "s3 out of order" 0 $?
cmp -s "$T/expected" "$T/got" || fail "s3 out of order: report differs: $(diff "$T/expected" "$T/got")"
expect_err "s3 out of order" \
    "hit-report: warning: the hits are out of time order; reading the inputs again to sort them"
tmp_empty "s3 out of order"
# --- an Adobe delivery: the manifest in S3, its files under the same prefix -----
# Its report is that of the same hits as a local file; a manifest whose MD5
# is not the data file's fails with exit 1 and writes nothing.
. "$root/tests/lib/make-delivery.sh"
mkdir -p "$T/feed"
"$bin/hit-gen" --rows 4000 --seed 1 --format adobe-feed -o "$T/feed/hit_data.tsv" ||
    fail "hit-gen"
HK_TMP=$T make_delivery "$T/up/delivery" shop 2009-09-27 zip "$T/feed/hit_data.tsv" \
    "$T/feed/column_headers.tsv" || fail "make_delivery"
good=$(md5sum <"$T/up/delivery/shop_2009-09-27.zip" | cut -d' ' -f1)
sed "s/^MD5-Digest: $good\$/MD5-Digest: 00000000000000000000000000000000/" \
    "$T/up/delivery/shop_2009-09-27.txt" >"$T/up/delivery/bad_2009-09-27.txt"
s3 cp --recursive "$T/up/delivery" "s3://hitkit-test/feeds/it's a day/" --only-show-errors ||
    fail "uploading the delivery"
report -o - -C "$T/feed/column_headers.tsv" "$T/feed/hit_data.tsv" >"$T/plain" 2>"$T/err"
expect_rc "delivery, plain report" 0 $?
report -o "s3://hitkit-test/reports/delivery" \
    "s3://hitkit-test/feeds/it's a day/shop_2009-09-27.txt" >"$T/out" 2>"$T/err"
expect_rc "delivery" 0 $?
[ -s "$T/err" ] && fail "delivery: stderr: $(cat "$T/err")"
s3 cp "s3://hitkit-test/reports/delivery/2009-09-27/$name" "$T/got" --only-show-errors
cmp -s "$T/plain" "$T/got" || fail "delivery: report differs from the plain file's"
report -o "s3://hitkit-test/reports/bad delivery" \
    "s3://hitkit-test/feeds/it's a day/bad_2009-09-27.txt" >"$T/out" 2>"$T/err"
expect_rc "delivery, wrong MD5" 1 $?
expect_err "delivery, wrong MD5" "hit-report: shop_2009-09-27.zip: MD5 is $good, the manifest\
 says 00000000000000000000000000000000"
[ -z "$(keys "reports/bad delivery")" ] || fail "delivery, wrong MD5: objects written"
tmp_empty "delivery"

# from here on, the store must hold exactly these objects
stored >"$T/store"

# --- a failing rerun leaves the previous report as it was ---------------------
report -o "$out" "$in1" s3://hitkit-test/in/nope.tsv >"$T/out" 2>"$T/err"
expect_rc "rerun, missing key" 2 $?
missing="hit-report: stage download failed (exit 1) for s3://hitkit-test/in/nope.tsv"
expect_err "rerun, missing key" "$missing"
stored | cmp -s "$T/store" - || fail "rerun: objects: $(stored | diff "$T/store" -)"
cmp -s "$T/expected" "$T/s3data/hitkit-test/reports/o'k dir/2009-09-27/$name._S3rver_object" ||
    fail "rerun: the previous report changed"
[ -s "$T/out" ] && fail "rerun: stdout: $(cat "$T/out")"

# --- failures: nothing behind (three runs at once, to keep the test fast) ----
bgpids=()
bg() { # name args...: run the report in the background, status in $T/name.rc
    local n=$1
    shift
    (report "$@" 2>"$T/$n.err" >"$T/$n.out"; echo $? >"$T/$n.rc") &
    bgpids+=($!)
}
bg missing -o s3://hitkit-test/missing s3://hitkit-test/in/nope.tsv
bg record -o s3://hitkit-test/bad "$in1" "s3://hitkit-test/bad/short row.tsv"
bg price -o s3://hitkit-test/bad2 --strict "$in1" s3://hitkit-test/bad/price.tsv
wait "${bgpids[@]}" # not the server
cp "$T/missing.err" "$T/err"
expect_rc "missing key" 2 "$(cat "$T/missing.rc")"
expect_err "missing key" "$missing"
cp "$T/record.err" "$T/err"
expect_rc "bad record" 1 "$(cat "$T/record.rc")"
[ "$(head -n 1 "$T/err")" = "hit-parse: -:4:3: too few fields: expected 12, found 2" ] ||
    fail "bad record: hit-parse said: $(head -n 1 "$T/err")"
expect_err "bad record" \
    "hit-report: stage hit-parse failed (exit 1) for s3://hitkit-test/bad/short row.tsv"
cp "$T/price.err" "$T/err"
expect_rc "bad price" 1 "$(cat "$T/price.rc")"
expect_err "bad price" "hit-report: stage hit-attrib failed (exit 1)"
cat "$T/missing.out" "$T/record.out" "$T/price.out" >"$T/out"
[ -s "$T/out" ] && fail "failures: stdout: $(cat "$T/out")"
stored | cmp -s "$T/store" - || fail "failures: objects: $(stored | diff "$T/store" -)"
tmp_empty "failures"

# --- the ledger on S3 ---------------------------------------------------------
# Each run adds its row (aws s3 cp - URI); --status reads them back (aws s3 cp
# --recursive): the newest row of each input, newest first.
report --ledger s3://hitkit-test/ledger -o "$T/ledger-out" "$in1" "$in2" "$in3" 2>"$T/err"
expect_rc "ledger, ok run" 0 $?
report --ledger s3://hitkit-test/ledger/ "s3://hitkit-test/bad/short row.tsv" 2>"$T/err"
expect_rc "ledger, failed run" 1 $?
ledger_keys=$(keys ledger/)
key_re='^ledger/[0-9]{8}T[0-9]{6}\.[0-9]{6}Z-[0-9]+-[0-9]+\.tsv$'
[ "$(grep -cE "$key_re" <<<"$ledger_keys")" = 2 ] ||
    fail "ledger: keys $ledger_keys"
"$bin/hit-report" --endpoint-url "$ep" --ledger s3://hitkit-test/ledger --status >"$T/status" \
    2>"$T/err"
expect_rc "ledger --status" 0 $?
want=$(printf '%s\t%s\t%s\n' input status exit_status \
    "s3://hitkit-test/bad/short row.tsv" failed 1 "$in1\\t$in2\\t$in3" ok 0)
[ "$(cut -f 3,15,16 "$T/status")" = "$want" ] || fail "ledger --status: $(cat "$T/status")"
tmp_empty "ledger"
stored >"$T/store" # with the two rows

# --- server down --------------------------------------------------------------
stop_s3
report -o "s3://hitkit-test/down" "$data" 2>"$T/err"
expect_rc "server down, upload" 2 $?
expect_err "server down, upload" \
    "hit-report: stage upload failed for s3://hitkit-test/down/2009-09-27/$name"
report -o "$T/down" "$in1" 2>"$T/err"
expect_rc "server down, download" 2 $?
expect_err "server down, download" "hit-report: stage download failed (exit 1) for $in1"
[ ! -e "$T/down" ] || fail "server down: local output left: $(find "$T/down")"
# a report that is written while the ledger's server is down: exit 2, said
report --ledger s3://hitkit-test/ledger -o "$T/down-ledger" "$data" 2>"$T/err"
expect_rc "server down, ledger" 2 $?
lost_re='^hit-report: cannot write the ledger row s3://hitkit-test/ledger/[0-9]{8}T[^/]*\.tsv$'
tail -n 1 "$T/err" | grep -qE "$lost_re" ||
    fail "server down, ledger: stderr $(cat "$T/err")"
[ -f "$T/down-ledger/2009-09-27/$name" ] || fail "server down, ledger: no report"
tmp_empty "server down"
stored | cmp -s "$T/store" - || fail "server down: objects: $(stored | diff "$T/store" -)"

[ $fails = 0 ] || exit 1
exit 0
