#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and e2e/ with Node's test runner (Node 20's runner
// takes no glob patterns, so the files are listed here). Extra arguments are passed on,
// e.g. `npm test -- --test-name-pattern=fidelity`.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    return statSync(path).isDirectory() ? find(path) : name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}
const files = ['src', 'test', 'e2e'].flatMap((d) => find(join(root, d))).sort();
if (files.length === 0) {
  console.error('test: no test files found');
  process.exit(1);
}
// Two files at a time on a 2-core machine; up to four where there are more cores (CI).
const concurrency = Math.max(2, Math.min(4, availableParallelism()));
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, ...process.argv.slice(2), ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
