# shellcheck shell=bash disable=SC2154 # sourced: $root is the sourcing script's
# Sourced by the specials that run DuckDB, with $root the repository: sets
# dd, the directory of the DuckDB runner, and installs npm's
# @duckdb/node-api there on first use with npm ci (which installs what
# package-lock.json pins and never rewrites it).  Exits 77 (skip) only when
# node or npm is missing or the install fails.
dd=$root/tests/duckdb
command -v node >/dev/null || { echo "node not installed" >&2; exit 77; }
if [ ! -d "$dd/node_modules/@duckdb/node-api" ]; then
    command -v npm >/dev/null || { echo "npm not installed" >&2; exit 77; }
    (cd "$dd" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
        { echo "npm ci (@duckdb/node-api) failed" >&2; exit 77; }
fi
