#!/bin/sh
# The streaming job on EMR (run on the master node).  IN: hit-parse output
# under an S3 prefix; OUT: where the reducers write their partial sums.
# The tools shipped to the nodes are the static ones (make static builds
# them into build/static/bin; copy them next to the scripts, or point
# STATIC at them): EMR's Linux has no libcsv, and a static binary needs
# none of the node's libraries.  A dynamic one is refused.
set -eu
IN=$1 OUT=$2
S=${STATIC:-.}
for t in hit-parse hit-attrib hit-agg; do
    if [ ! -x "$S/$t" ]; then
        echo "job.sh: no $S/$t: make static, then copy build/static/bin here" >&2
        exit 2
    fi
    # ldd: "not a dynamic executable" for a static program, "statically
    # linked" for a static position-independent one (make static's).
    case $(ldd "$S/$t" 2>&1) in
    *"not a dynamic executable"* | *"statically linked"*) ;;
    *)
        echo "job.sh: $S/$t is dynamically linked: ship the static tools (make static)" >&2
        exit 2
        ;;
    esac
done
hadoop jar /usr/lib/hadoop/hadoop-streaming.jar \
    -D stream.num.map.output.key.fields=2 \
    -D mapreduce.partition.keypartitioner.options=-k1,1 \
    -D mapreduce.job.output.key.comparator.class=org.apache.hadoop.mapreduce.lib.partition.KeyFieldBasedComparator \
    -D mapreduce.partition.keycomparator.options='-k1,1 -k2,2n' \
    -partitioner org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner \
    -files "$S/hit-parse,$S/hit-attrib,$S/hit-agg,map.sh,reduce.sh" \
    -mapper map.sh -reducer reduce.sh \
    -input "$IN" -output "$OUT"
