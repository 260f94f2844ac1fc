#!/bin/sh
# make demo: the main job on the bundled sample data.
set -eu
cd "$(dirname "$0")/sample"
make --no-print-directory -s
