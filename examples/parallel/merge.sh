#!/bin/bash
# merge.sh PARTIAL...: sum the shards' partial sums (a sum of sums is the
# sum) and write the report: revenue descending, then domain and keyword.
set -euo pipefail
printf 'Search Engine Domain\tSearch Keyword\tRevenue\n'
hit-agg -g search_engine_domain,search_keyword -a revenue=sum:revenue --decimals 2 "$@" |
    hit-sort -k revenue:n:r,search_engine_domain,search_keyword | tail -n +2
