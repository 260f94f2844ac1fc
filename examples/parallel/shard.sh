#!/bin/bash
# shard.sh IN OUT: the per-shard half of the Search Keyword Performance
# report: attribution and partial revenue sums for one visitor shard.
# Shards are cut by visitor, so every visitor's hits are in one shard and
# attribution needs nothing from the others.
set -euo pipefail
hit-attrib --visitor ip "$1" |
    hit-agg -g search_engine_domain,search_keyword -a revenue=sum:revenue -o "$2"
