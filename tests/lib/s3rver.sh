# shellcheck shell=bash
# s3rver.sh: a real S3 server on loopback for the --inbox specials (sourced):
# s3rver from npm (tests/s3, installed by tests/s3/setup.sh) and Debian's aws
# cli (/usr/bin/aws), set up as tests/special/report-s3.sh does.
#
#   . tests/lib/s3rver.sh      needs $root, $T (a scratch directory, removed by
#                              the caller) and $name (the test's name)
#   s3_start [PORT]            start s3rver on 127.0.0.1:PORT (default: a free
#                              port), storing in $T/s3data, bucket b; sets
#                              s3pid, port and ep; exit 1 if it does not start
#   s3_stop                    stop it (its data stays in $T/s3data)
#   s3 ARGS...                 aws s3 ARGS against it
#   stored PREFIX              the keys under PREFIX, one a line, sorted, read
#                              from the server's store (no aws call; works when
#                              the server is down)
#   object KEY                 the path of KEY's bytes in the store
#   fail MESSAGE               one line "NAME: FAIL: MESSAGE"; fails counted
#
# The aws environment is our own: dummy credentials, no profile, no retries
# (AWS_MAX_ATTEMPTS=1), so a server that is down fails at once.
s3pid='' port='' ep='' fails=0
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
    AWS_REGION AWS_CA_BUNDLE
mkdir -p "$T/aws" "$T/s3data" || exit 2
: >"$T/aws/config"
: >"$T/aws/credentials"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE="$T/aws/config" AWS_SHARED_CREDENTIALS_FILE="$T/aws/credentials" \
    AWS_MAX_ATTEMPTS=1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=''
export AWS=${AWS:-/usr/bin/aws}

s3_start() { # [port]
    local log i
    log=$T/s3.log.$RANDOM
    NODE_OPTIONS=--openssl-legacy-provider "$root/tests/s3/node_modules/.bin/s3rver" \
        -d "$T/s3data" -a 127.0.0.1 -p "${1:-0}" -s --configure-bucket b >"$log" 2>&1 &
    s3pid=$!
    port=''
    for ((i = 0; i < 300; i++)); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" 2>/dev/null)
        [ -n "$port" ] && break
        kill -0 "$s3pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        printf '%s: s3rver did not start:\n' "$name" >&2
        cat "$log" >&2
        exit 1
    fi
    ep="http://127.0.0.1:$port"
}
s3_stop() {
    if [ -n "$s3pid" ]; then
        kill "$s3pid" 2>/dev/null
        wait "$s3pid" 2>/dev/null
        s3pid=''
    fi
}
s3() { "$AWS" --endpoint-url "$ep" s3 "$@"; }
stored() { # prefix
    local k
    [ -d "$T/s3data/b" ] || return 0
    (cd "$T/s3data/b" && find . -name '*._S3rver_object') | while IFS= read -r k; do
        k=${k#./} k=${k%._S3rver_object}
        [[ $k != "$1"* ]] || printf '%s\n' "$k"
    done | LC_ALL=C sort
}
object() { printf '%s\n' "$T/s3data/b/$1._S3rver_object"; }
fail() {
    printf '%s: FAIL: %s\n' "$name" "$*" >&2
    fails=$((fails + 1))
}
