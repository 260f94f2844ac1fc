#!/usr/bin/env bash
# The examples/parallel recipe with GNU parallel --sshlogin, against an sshd
# started here on a loopback port: the sharded report must equal hit-report's.
# tests/run: needs an sshd started here, and GNU parallel
set -euo pipefail
cd "$(dirname "$0")/../.."
for c in parallel rsync /usr/sbin/sshd ssh-keygen; do
    command -v "$c" >/dev/null || { echo "missing $c" >&2; exit 77; }
done
d=$(mktemp -d /tmp/hk-ssh.XXXXXX)
pid=''
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$d"
}
trap cleanup EXIT
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$d/clientkey"
cp "$d/clientkey.pub" "$d/authorized_keys"
port=$((20000 + RANDOM % 20000))
cat >"$d/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $d/hostkey
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
CONF
/usr/sbin/sshd -D -o LogLevel=VERBOSE -f "$d/sshd_config" -E "$d/sshd.log" &
pid=$!
cat >"$d/ssh_config" <<CONF
Host loop1 loop2
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $d/clientkey
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile $d/known_hosts
  LogLevel ERROR
  BatchMode yes
CONF
for _ in $(seq 50); do
    ssh -F "$d/ssh_config" loop1 true 2>/dev/null && break
    sleep 0.1
done
export PARALLEL_SSH="ssh -F $d/ssh_config"
# A copy of the example, so the remote side's --wd and --cleanup never touch
# the repository.
mkdir "$d/ex"
cp examples/parallel/Makefile examples/parallel/*.sh "$d/ex/"
cd "$d/ex"
make -s BIN="$HK_BIN" ROWS=30000 N=3 SSHLOGIN=1/loop1,1/loop2 out/report.tab >/dev/null
PATH="$HK_BIN:$PATH" hit-report -o - out/hits.tsv.zst >"$d/single.tab"
cmp "$d/single.tab" out/report.tab
[ "$(wc -l <out/report.tab)" -gt 10 ]
# The shards really went over ssh: sshd accepted the connections.
[ "$(grep -c "Accepted publickey" "$d/sshd.log")" -gt 3 ]
