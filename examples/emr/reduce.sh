#!/bin/sh
# Hadoop Streaming reducer: each visitor's hits arrive together, in time
# order; attribute them and sum the credited revenue per engine and keyword.
{
    printf 'ip\thit_time_gmt\tevent_list\tproduct_list\treferrer\n'
    cat
} | ./hit-attrib | ./hit-agg -g 1,2 -a revenue=sum:revenue | tail -n +2
