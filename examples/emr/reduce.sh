#!/bin/sh
# Hadoop Streaming reducer: each visitor's hits arrive together, in time
# order; attribute them and sum the credited revenue per engine and keyword.
# --order input: the hits are grouped by visitor, so across visitors time goes
# back; each visitor's own hits are in time order, which is all it needs.
{
    printf 'ip\thit_time_gmt\tevent_list\tproduct_list\treferrer\n'
    cat
} | ./hit-attrib --order input | ./hit-agg -g 1,2 -a revenue=sum:revenue | tail -n +2
