// q.mjs: run one SQL statement in an in-memory DuckDB and print the result
// rows as JSON (an array of objects).   usage: node q.mjs "SQL"
// Used by tests/special/partition-duckdb.sh; no extensions are loaded.
import { DuckDBInstance } from '@duckdb/node-api';

const inst = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
});
const con = await inst.connect();
const r = await con.runAndReadAll(process.argv[2]);
console.log(JSON.stringify(r.getRowObjectsJson()));
