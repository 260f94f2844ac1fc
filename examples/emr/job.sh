#!/bin/sh
# The streaming job on EMR (run on the master node; tools built for the
# cluster's Linux next to the scripts).  IN: hit-parse output under an S3
# prefix; OUT: where the reducers write their partial sums.
set -eu
IN=$1 OUT=$2
hadoop jar /usr/lib/hadoop/hadoop-streaming.jar \
    -D stream.num.map.output.key.fields=2 \
    -D mapreduce.partition.keypartitioner.options=-k1,1 \
    -D mapreduce.job.output.key.comparator.class=org.apache.hadoop.mapreduce.lib.partition.KeyFieldBasedComparator \
    -D mapreduce.partition.keycomparator.options='-k1,1 -k2,2n' \
    -partitioner org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner \
    -files hit-parse,hit-attrib,hit-agg,map.sh,reduce.sh \
    -mapper map.sh -reducer reduce.sh \
    -input "$IN" -output "$OUT"
