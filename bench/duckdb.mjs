// duckdb.mjs: run a SQL script with DuckDB (npm @duckdb/node-api) and write
// the result of its last statement as TSV (header first) to stdout.
//
//   node bench/duckdb.mjs SCRIPT.sql INPUT
//
// In the script, {{input}} stands for INPUT as a SQL string literal.  The
// statements are separated by a ';' at the end of a line.  Values are
// written as they are (the script makes them VARCHAR and escapes them).
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [script, input] = process.argv.slice(2);
if (!script || !input) {
    process.stderr.write('usage: node duckdb.mjs SCRIPT.sql INPUT\n');
    process.exit(2);
}
const literal = "'" + input.replaceAll("'", "''") + "'";
const sql = readFileSync(script, 'utf8').replaceAll('{{input}}', literal);
const stmts = sql.split(/;[ \t]*\n/).map((s) => s.replace(/^(\s*--[^\n]*\n)+/, '').trim())
    .filter((s) => s !== '');

try {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    for (const s of stmts.slice(0, -1))
        await con.run(s);
    const reader = await con.runAndReadAll(stmts[stmts.length - 1]);
    const out = [reader.columnNames().join('\t')];
    for (const row of reader.getRows())
        out.push(row.map((v) => (v === null ? '' : String(v))).join('\t'));
    process.stdout.write(out.join('\n') + '\n');
} catch (e) {
    process.stderr.write(`duckdb.mjs: ${script}: ${e.message}\n`);
    process.exit(1);
}
