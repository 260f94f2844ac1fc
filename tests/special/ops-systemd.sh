#!/usr/bin/env bash
# examples/ops/hit-report.service and .timer, statically: the directives the
# recipe promises are there; the service's hook is the crontab's and the
# README's (systemd's $$ read as $; a lone $ in ExecStart would be systemd's
# variable, empty); where systemd-analyze exists, `verify` passes on the units
# (the ExecStart path pointed at the hit-report under test) and `security --offline` rates the
# service's exposure at most 2.0 (of 10).  Without systemd-analyze that part is
# said and skipped.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HK_BIN:-$root/bin}
ops=$root/examples/ops
command -v python3 >/dev/null || { echo "ops-systemd: no python3" && exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/hk-ops-systemd.XXXXXX") || exit 2
trap 'rm -rf -- "$T"' EXIT
fails=0
fail() {
    printf 'ops-systemd: FAIL: %s\n' "$*" >&2
    fails=$((fails + 1))
}

for want in hit-report.service:Type=oneshot hit-report.service:DynamicUser=yes \
    hit-report.service:ProtectSystem=strict hit-report.service:StateDirectory=hit-report \
    hit-report.service:PrivateTmp=yes hit-report.service:NoNewPrivileges=yes \
    hit-report.timer:Persistent=true hit-report.timer:WantedBy=timers.target; do
    grep -qx "${want#*:}" "$ops/${want%%:*}" || fail "${want%%:*}: no line ${want#*:}"
done

# The hooks, as sh (cron, the README) and systemd (its $$ is a $) give them
# to hit-report: the same string but for the README's topic, ARN.  The
# ExecStart line after systemd's unquoting; its quoting here is sh's (single
# quotes around double ones).
python3 - "$ops" >"$T/hooks" <<'EOF' || fail "the hooks: cannot read them"
import re, shlex, sys
ops = sys.argv[1]
def hook(words):
    return re.sub(r'--topic-arn \S+', '--topic-arn ARN', words[words.index('--on-failure') + 1])
unit = open(ops + '/hit-report.service').read()
m = re.search(r'^ExecStart=((?:.*\\\n)*.*)$', unit, re.M)
if re.search(r'(?<!\$)\$(\$\$)*(?!\$)', m.group(1)):
    sys.exit('ops-systemd: a lone $ in ExecStart: ' + m.group(1))
exec_start = re.sub(r'\\\n', ' ', m.group(1)).replace('$$', '$')
print(hook(shlex.split(exec_start)))
cron = [l for l in open(ops + '/crontab') if re.match(r'[0-9*]', l)][0]
print(hook(shlex.split(cron.split(None, 5)[5])))
readme = open(ops + '/README.md').read()
print(hook(shlex.split(re.search(r'^--on-failure .*$', readme, re.M).group(0))))
EOF
[ "$(LC_ALL=C sort -u "$T/hooks" | wc -l)" = 1 ] ||
    fail "the hooks differ (service, crontab, README): $(cat "$T/hooks")"
grep -q '\$HK_STATUS \$HK_DATE' "$T/hooks" || fail "the hook: $(head -n 1 "$T/hooks")"

command -v systemd-analyze >/dev/null || {
    echo "ops-systemd: no systemd-analyze, verify and security skipped"
    [ $fails = 0 ]
    exit
}
# verify checks that ExecStart's program exists: the one under test
sed "s|^ExecStart=/usr/local/bin/hit-report |ExecStart=$bin/hit-report |" \
    "$ops/hit-report.service" >"$T/hit-report.service"
cp "$ops/hit-report.timer" "$T/"
cmp -s "$ops/hit-report.service" "$T/hit-report.service" && fail "no ExecStart=/usr/local/bin/..."
(cd "$T" && systemd-analyze verify --man=no ./hit-report.service ./hit-report.timer) \
    >"$T/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify")"
[ -s "$T/verify" ] && fail "systemd-analyze verify said: $(cat "$T/verify")"
(cd "$T" && systemd-analyze security --offline=true --threshold=20 --no-pager \
    ./hit-report.service) >"$T/security" 2>&1 ||
    fail "systemd-analyze security: $(tail -n 1 "$T/security")"
[ $fails = 0 ]
