#!/bin/bash
# sqs-loop.sh: run hit-report on each Adobe delivery as it lands in S3.
#
# The bucket sends s3:ObjectCreated:* events to an SQS queue (directly, or
# through SNS); this loop long-polls the queue, one message at a time, and for
# every object key that is a manifest (RSID_YYYY-MM-DD.txt: Adobe writes it
# last, so the delivery is complete) runs
#
#   hit-report --ledger LEDGER -o DEST --date YYYY-MM-DD [OPTION...] s3://BUCKET/KEY
#
# An hourly manifest (RSID_YYYY-MM-DD-HH0000.txt) makes no report by itself
# (a day is its 24 hours): it runs hit-report --inbox on the manifest's
# prefix (which must hold one report suite), which reports the days whose 24
# hours are all there and that the ledger has not settled, and does nothing
# otherwise.  S3 may send an event twice: a daily manifest's report is then
# made again (the same report, a second ledger row); an hourly one's second
# --inbox run finds the day settled.
#
# When a message is deleted: only after every run it asked for exited 0.  A
# failed run (bad data, exit 1, or a system error, exit 2) leaves the message
# on the queue: SQS hands it out again after its visibility timeout, and the
# queue's redrive policy moves it to a dead-letter queue after maxReceiveCount
# receives.  So a failure is never lost with the message: it is in the ledger
# (a failed row per attempt, with --on-failure's hook run each time) and, for
# good, in the DLQ, from which a message can be moved back once the data is
# fixed.  Bad data is not retried by hit-report, but SQS retries it: keep
# maxReceiveCount small (3).  (A day of hourly deliveries that failed on bad
# data is settled in the ledger by its first --inbox run, so the message's
# next receive finds nothing to do and deletes it: there the ledger and the
# hook are the record, and --rerun-failed runs it again.)
# A TestEvent (sent when the notification is set up), a key that is not a
# manifest (data files, lookup archives) and an event that is not
# ObjectCreated are deleted without a run.  A body that is no S3 event at all
# is kept (the DLQ shows it).
#
# JSON is read with python3, not jq (not on a fresh Debian) and not
# `aws --query` (JMESPath cannot parse the Body, which is JSON in a string):
# python3 is there wherever the aws cli is (Debian's awscli depends on it, the
# v1 cli is Python).  S3 event keys are URL-encoded ('+' for a space, %XX for
# the rest): urllib's unquote_plus decodes them.
#
# Usage: sqs-loop.sh [--once] [-v] [--queue-url URL] [--ledger LOC] [-o DEST]
#                    [-- HIT-REPORT-OPTION...]
# Environment: QUEUE_URL, LEDGER, DEST (the same as the options), HIT_REPORT
# (the program, default hit-report), AWS (the aws cli, default aws, as
# hit-report takes it), WAIT (receive-message --wait-time-seconds, default
# 20), VISIBILITY (--visibility-timeout, default: the queue's; set it, or the
# queue's, above the longest run with its retries, or the message comes back
# while it is being processed).
# --once: one receive-message, its message handled, then exit: 0 when there
# was none or it was handled and deleted (or ignored), 1 when a run failed
# (the message is kept), 2 on a usage error or a failed aws call.  Without
# --once it loops until SIGTERM or SIGINT, finishing the message in hand.
set -u
set -o pipefail
prog=sqs-loop

once='' verbose='' queue=${QUEUE_URL:-} ledger=${LEDGER:-} dest=${DEST:-}
usage() {
    printf '%s: %s\n' "$prog" "$1" >&2
    printf 'Usage: sqs-loop.sh [--once] [-v] [--queue-url URL] [--ledger LOC] [-o DEST]\n' >&2
    printf '                   [-- HIT-REPORT-OPTION...]\n' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --once) once=1 ;;
    -v | --verbose) verbose=1 ;;
    --queue-url | --ledger | -o | --output)
        [ $# -ge 2 ] || usage "option '$1' requires an argument"
        case $1 in
        --queue-url) queue=$2 ;;
        --ledger) ledger=$2 ;;
        *) dest=$2 ;;
        esac
        shift
        ;;
    --) shift && break ;;
    *) usage "unrecognized argument '$1'" ;;
    esac
    shift
done
pass=("$@") # to every hit-report: --on-failure, --threads, --endpoint-url...
[ -n "$queue" ] || usage "no queue: set QUEUE_URL or give --queue-url"
[ -n "$ledger" ] || usage "no ledger: set LEDGER or give --ledger"
[ -n "$dest" ] || usage "no destination: set DEST or give -o"
[[ ${WAIT:-20} =~ ^[0-9]+$ ]] || usage "WAIT: expected seconds, not '$WAIT'"
[[ ${VISIBILITY:-0} =~ ^[0-9]+$ ]] || usage "VISIBILITY: expected seconds, not '$VISIBILITY'"
command -v python3 >/dev/null || usage "python3: command not found (it reads the JSON)"
hit_report=${HIT_REPORT:-hit-report}
aws=("${AWS:-aws}")

say() { [ -z "$verbose" ] || printf '%s: %s\n' "$prog" "$*" >&2; }
warn() { printf '%s: %s\n' "$prog" "$*" >&2; }

# A receive-message response (JSON, or nothing when the queue was empty) on
# standard input; out, NUL-separated: the receipt handle (empty: no message),
# then an action and its argument per record:
#   run s3://BUCKET/KEY    a manifest was created
#   skip WHY               nothing to do (TestEvent, not a manifest...)
#   keep WHY               not an S3 event: keep the message
read -r -d '' parse <<'EOF'
import json, sys, urllib.parse
out = []
def put(*fields):
    out.extend(fields)
text = sys.stdin.read()
msgs = json.loads(text).get('Messages', []) if text.strip() else []
if not msgs:
    put('')
else:
    m = msgs[0]
    put(m['ReceiptHandle'])
    try:
        body = json.loads(m['Body'])
        # through SNS (without raw message delivery): the event is the Message
        if isinstance(body, dict) and body.get('Type') == 'Notification':
            body = json.loads(body['Message'])
    except (ValueError, KeyError, TypeError) as e:
        body = None
    if isinstance(body, dict) and body.get('Event') == 's3:TestEvent':
        put('skip', 's3:TestEvent')
    elif not isinstance(body, dict) or not isinstance(body.get('Records'), list):
        put('keep', 'not an S3 event: ' + m['Body'][:200])
    else:
        for r in body['Records']:
            try:
                name, key = r['s3']['bucket']['name'], r['s3']['object']['key']
                event = r['eventName']
            except (KeyError, TypeError):
                put('keep', 'an S3 record without bucket, key or eventName')
                continue
            uri = 's3://%s/%s' % (name, urllib.parse.unquote_plus(key))
            if not event.startswith('ObjectCreated:'):
                put('skip', '%s %s' % (event, uri))
            elif not uri.endswith('.txt'):
                put('skip', 'not a manifest: ' + uri)
            else:
                put('run', uri)
for f in out:
    if '\0' in f:
        raise SystemExit('a NUL in the message')
sys.stdout.write(''.join(f + '\0' for f in out))
EOF

# Runs hit-report on one manifest; returns its exit status.
report() { # s3://bucket/key
    local uri=$1 base=${1##*/}
    if [[ $base =~ _([0-9]{4}-[0-9]{2}-[0-9]{2})\.txt$ ]]; then
        say "hit-report --date ${BASH_REMATCH[1]} $uri"
        "$hit_report" --ledger "$ledger" -o "$dest" --date "${BASH_REMATCH[1]}" "${pass[@]}" \
            -- "$uri"
    elif [[ $base =~ _[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}0000\.txt$ ]]; then
        say "hit-report --inbox ${uri%/*}/ (hourly: $uri)"
        "$hit_report" --inbox "${uri%/*}/" --ledger "$ledger" -o "$dest" "${pass[@]}"
    else
        say "not a manifest name, no report: $uri"
        return 0
    fi
}

# One receive-message and its message: 0 done (or no message), 1 a run
# failed or the message is kept, 2 an aws call failed.
step() {
    local resp fields handle i rc=0 run
    local recv=("${aws[@]}" sqs receive-message --queue-url "$queue" --max-number-of-messages 1
        --wait-time-seconds "${WAIT:-20}" --output json)
    [ -z "${VISIBILITY:-}" ] || recv+=(--visibility-timeout "$VISIBILITY")
    resp=$("${recv[@]}") || {
        warn "aws sqs receive-message failed (exit $?)"
        return 2
    }
    mapfile -d '' fields < <(python3 -c "$parse" <<<"$resp")
    if [ ${#fields[@]} = 0 ]; then
        warn "cannot read the receive-message response: $resp"
        return 2
    fi
    handle=${fields[0]}
    [ -n "$handle" ] || return 0
    run=0
    for ((i = 1; i + 1 < ${#fields[@]}; i += 2)); do
        case ${fields[i]} in
        skip) say "ignored: ${fields[i + 1]}" ;;
        keep)
            warn "message kept: ${fields[i + 1]}"
            rc=1
            ;;
        run)
            run=$((run + 1))
            report "${fields[i + 1]}" || {
                warn "${fields[i + 1]}: hit-report failed (exit $?), message kept"
                rc=1
            }
            ;;
        esac
    done
    [ $rc = 0 ] || return 1
    "${aws[@]}" sqs delete-message --queue-url "$queue" --receipt-handle "$handle" || {
        warn "aws sqs delete-message failed (exit $?)"
        return 2
    }
    say "message deleted ($run run(s))"
}

if [ -n "$once" ]; then
    step
    exit
fi
stop=''
trap 'stop=1' TERM INT HUP
while [ -z "$stop" ]; do
    step
    # an aws error (network, throttling, credentials): back off a little
    [ $? != 2 ] || [ -n "$stop" ] || sleep "${BACKOFF:-5}"
done
exit 0
