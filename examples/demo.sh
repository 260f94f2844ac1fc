#!/bin/sh
# make demo: the main job on the bundled sample data: the Search Keyword
# Performance report (revenue per search engine and keyword) of one day of
# shop hits (examples/sample/README.md), printed to standard output.
set -eu
cd "$(dirname "$0")/.."
echo '$ hit-report examples/sample/data.tsv'
bin/hit-report examples/sample/data.tsv
