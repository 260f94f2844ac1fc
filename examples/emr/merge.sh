#!/bin/sh
# After the job: the reducers' partial sums (part-* files) into the report.
{
    printf 'search_engine_domain\tsearch_keyword\trevenue\n'
    cat "$@"
} | hit-agg -g 1,2 -a revenue=sum:revenue --decimals 2 | hit-sort -k revenue:n:r,1,2 |
    { printf 'Search Engine Domain\tSearch Keyword\tRevenue\n'; tail -n +2; }
