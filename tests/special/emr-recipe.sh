#!/usr/bin/env bash
# The Hadoop Streaming recipe of examples/emr, with a sort as the shuffle and
# two reducers: its report must equal hit-report's, byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."
d=$(mktemp -d /tmp/hk-emr.XXXXXX)
trap 'rm -rf "$d"' EXIT
cp examples/emr/Makefile examples/emr/*.sh "$d/"
make -s -C "$d" BIN="$HK_BIN" ROWS=40000 check | grep -qx "streaming recipe == hit-report"
