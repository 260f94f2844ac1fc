#!/bin/sh
# Hadoop Streaming mapper: the input is hit-parse output (one line per
# record, a header line at the top of each file).  Keep what the report
# needs, visitor first, then time: the first two fields are the shuffle key.
tab=$(printf '\t')
{
    printf 'hit_time_gmt\tdate_time\tuser_agent\tip\tevent_list\tgeo_city\tgeo_region\t'
    printf 'geo_country\tpagename\tpage_url\tproduct_list\treferrer\n'
    grep -v "^hit_time_gmt$tab"
} | ./hit-parse -f ip,hit_time_gmt,event_list,product_list,referrer | tail -n +2
