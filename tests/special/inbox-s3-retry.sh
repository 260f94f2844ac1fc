#!/bin/bash
# hit-report --inbox against a real S3 server on loopback (s3rver, Debian's
# aws cli; see tests/lib/s3rver.sh), part 3: the server stopped during a run
# and started again.
#
# 4. An inbox run with --retries 3 and HK_RETRY_DELAY=1 is started; when it
#    downloads the data file, the server is stopped (killed; its store on
#    disk stays), so the download fails; 2 s later the test starts it again
#    on the same port with the same store.  The run must end ok on a later
#    attempt: the ledger holds attempt 1 failed in stage download (exit 2),
#    then an ok row of attempt 2 or 3 (any attempt between failed the same
#    transient way), the report is the local copy's, no claim is left, and
#    the restarted server still serves every object stored before.
#
# The kill is done by an $AWS wrapper, at the moment the data file's
# download starts.  The same wrapper holds a ledger row's upload until the
# server listens again: attempt 1 ends (and writes its row) within
# milliseconds of the kill, and with AWS_MAX_ATTEMPTS=1 the aws cli does not
# wait for the server as its own retries would.
#
# Exit 0 pass, 77 skip (awscli or node/npm cannot be installed), else fail;
# one line per failed assertion.  Env: HK_BIN (default bin/).
# tests/run: needs an S3 server (s3rver, from npm) and the aws cli
set -u
name='inbox-s3-retry'
# shellcheck source=tests/lib/inbox-s3.sh
. "$(dirname "$0")/../lib/inbox-s3.sh"
runpid=''
# shellcheck disable=SC2317 # called by the EXIT trap
at_exit() { [ -z "$runpid" ] || kill "$runpid" 2>/dev/null; }

data=hitkit_$day.tar.gz
inbox=s3://b/inbox4/ ledger=s3://b/ledger4/ out=s3://b/out4/
manifest=s3://b/inbox4/hitkit_$day.txt

"$bin/hit-gen" --rows 2000 --seed 4 --format adobe-delivery -o "$T/d" || fail "hit-gen"
"$bin/hit-report" -o - "$T/d/hitkit_$day.txt" >"$T/local" 2>/dev/null
expect "local report: exit" 0 $?
s3 cp --recursive "$T/d" "$inbox" --exclude '*.txt' --only-show-errors &&
    s3 cp "$T/d/hitkit_$day.txt" "$inbox" --only-show-errors || fail "uploading the delivery"
stored inbox4/ >"$T/inbox.keys"
expect "the delivery in S3" 3 "$(wc -l <"$T/inbox.keys")"

# the wrapper: stops the server at the first download of the data file (and
# sees the port closed before it runs the real cli), holds ledger rows
# until the port is open again (at most 60 s)
echo "$s3pid" >"$T/s3.pid"
cat >"$T/aws-stopper" <<EOF
#!/bin/bash
up() { (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; }
for a; do
    case \$a in
    ${inbox}$data)
        if mkdir "$T/stopped" 2>/dev/null; then
            kill "\$(cat "$T/s3.pid")"
            while up; do sleep 0.05; done
        fi
        ;;
    ${ledger}[0-9]*.tsv)
        for ((i = 0; i < 600; i++)); do up && break; sleep 0.1; done
        ;;
    esac
done
exec "$AWS" "\$@"
EOF
chmod +x "$T/aws-stopper"

# --- 4. the run, the server stopped and started again ---------------------------
AWS=$T/aws-stopper HK_RETRY_DELAY=1 "$bin/hit-report" --endpoint-url "$ep" -v --retries 3 \
    --inbox "$inbox" --ledger "$ledger" -o "$out" >"$T/out" 2>"$T/err" &
runpid=$!
for ((i = 0; i < 600; i++)); do
    [ -d "$T/stopped" ] && break
    kill -0 "$runpid" 2>/dev/null || break
    sleep 0.1
done
if [ -d "$T/stopped" ]; then
    wait "$s3pid" 2>/dev/null # the server the wrapper stopped
    s3pid=''
    sleep 2
    s3_start "$port"
    echo "$s3pid" >"$T/s3.pid"
else
    fail "the run never downloaded the data file"
fi
wait "$runpid"
rc=$?
runpid=''
expect "exit" 0 "$rc"
expect "stdout" "" "$(cat "$T/out")"
again="hit-report: $manifest: attempt 1 failed (exit 2), again in 1 s"
grep -qxF "$again" "$T/err" || fail "stderr: no line '$again': $(cat "$T/err")"
grep -qxF "hit-report: deliveries: 1 run (1 ok, 0 failed), 0 settled before, 0 waiting for hours" \
    "$T/err" || fail "stderr: no summary: $(cat "$T/err")"

# every row of the ledger, oldest first: attempt, status, exit status, stage
stored ledger4/ | grep -E '^ledger4/[^/]+\.tsv$' | while IFS= read -r k; do
    sed -n 2p "$(object "$k")"
done >"$T/rows"
cut -f 3 "$T/rows" | LC_ALL=C sort -u >"$T/inputs"
expect "the rows' input" "$manifest" "$(cat "$T/inputs")"
first=$(head -n 1 "$T/rows" | cut -f 14-18)
expect "attempt 1" "1	failed	2	download	stage download failed (exit 1) for $inbox$data" \
    "$first"
last=$(tail -n 1 "$T/rows" | cut -f 14-17)
case $last in
2$'\t'ok$'\t'0$'\t' | 3$'\t'ok$'\t'0$'\t') ;;
*) fail "the last attempt: '$last', expected an ok row of attempt 2 or 3" ;;
esac
n=$(wc -l <"$T/rows")
sed '1d;$d' "$T/rows" | cut -f 14-17 >"$T/between"
expect "the attempts between" "$(if [ "$n" = 3 ]; then printf '2\tfailed\t2\tdownload'; fi)" \
    "$(cat "$T/between")"
printf '%s: the run ended ok at attempt %s\n' "$name" "${last%%$'\t'*}"
"$bin/hit-report" --endpoint-url "$ep" --ledger "$ledger" --status >"$T/status" 2>"$T/status.err"
expect "--status exit" 0 $?
expect "--status: the newest row" "$(tail -n 1 "$T/rows")" "$(sed -n 2p "$T/status")"
expect "claims left" "" "$(stored ledger4/claims/)"
expect "report objects" "out4/$day/$rname" "$(stored out4/)"
cmp -s "$T/local" "$(object "out4/$day/$rname")" || fail "the report differs from the local copy's"
# the restarted server serves what was stored before it stopped
s3 ls "$inbox" | sed 's/^[^ ]* *[^ ]* *[0-9]* //' | sed 's|^|inbox4/|' >"$T/listed"
cmp -s "$T/inbox.keys" "$T/listed" || fail "after the restart, listed: $(cat "$T/listed")"
s3 cp "$manifest" - --only-show-errors | cmp -s "$T/d/hitkit_$day.txt" - ||
    fail "after the restart, the manifest differs"

[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
[ $fails = 0 ] || exit 1
exit 0
