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
// `--quick` (npm run test:quick): the inner loop's subset, about a minute: the tests beside the
// code under src/ (domain rules, renderers, modules' services) on PGlite only, without the CLI's
// processes. The whole suite (no flag) is what CI runs and what a change must pass.
const quick = process.argv.includes('--quick');
const args = process.argv.slice(2).filter((a) => a !== '--quick');
const files = (quick ? ['src'] : ['src', 'test', 'e2e'])
  .flatMap((d) => find(join(root, d)))
  .filter((f) => !quick || !f.startsWith(join('src', 'cli')))
  .sort();
if (files.length === 0) {
  console.error('test: no test files found');
  process.exit(1);
}
// Two files at a time on a 2-core machine; up to four where there are more cores (CI).
const concurrency = Math.max(2, Math.min(4, availableParallelism()));
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, ...args, ...files],
  { cwd: root, stdio: 'inherit', env: quick ? { ...process.env, AMBER_TEST_ENGINES: 'pglite' } : process.env },
);
process.exit(result.status ?? 1);
