#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and e2e/ with Node's test runner. Extra arguments are
// passed on, e.g. `npm test -- --test-name-pattern=fidelity`.
//
// The files are dealt into a few shards, each one Node process that imports its files and runs
// them one after another (`--test-isolation=none`), the shards side by side. A process per file
// (Node's default) paid for starting Node, loading the app and compiling PGlite's WebAssembly
// once per file, ~110 times: on ten integration files it took 2.4× the CPU of one process. Test
// files share nothing but the process: each builds its own databases and apps (ADR 0011; the
// suite has no process.env writes or process-wide hooks, which a shared process would leak).
// AMBER_TEST_ISOLATION=process runs a process per file as before, to rule the sharing out.
//
// Output: each shard's spec report, line by line as it runs, then one summary line for all:
// `N passed, N failed` (and the exit code says the same).
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

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
const env = quick ? { ...process.env, AMBER_TEST_ENGINES: 'pglite' } : process.env;

/**
 * Roughly how long each file takes, in seconds, to deal the shards evenly: the slowest files as
 * measured in a four-shard run on two cores (their suites' durations), the rest by size (about a
 * second per 1.25 KB). Only the balance depends on these; a stale figure costs time, never a test.
 */
const MEASURED_SECONDS = {
  'src/cli/cli.test.ts': 262,
  'e2e/club.test.ts': 224,
  'e2e/every-page.test.ts': 170,
  'src/modules/transfer/transfer.test.ts': 166,
  'test/backup.test.ts': 150,
  'e2e/bad-input.test.ts': 126,
  'e2e/sign-off-workflow.test.ts': 124,
  'e2e/efficiency.test.ts': 118,
  'e2e/partnership.test.ts': 113,
  'e2e/organisation-pages.test.ts': 102,
  'e2e/new-priority-report.test.ts': 102,
  'e2e/diagnostic-baseline.test.ts': 86,
  'test/permissions.test.ts': 85,
  'src/cli/backup-cli.test.ts': 75,
  'test/several-instances.test.ts': 70,
  'e2e/indicators.test.ts': 66,
  'e2e/accounts.test.ts': 57,
  'test/board-pack-job.test.ts': 36,
  'e2e/risks.test.ts': 34,
  'e2e/standalone-html.test.ts': 32,
  'e2e/my-work.test.ts': 31,
  'test/fuzz.test.ts': 29,
  'e2e/officer-journey.test.ts': 29,
};
function weight(file) {
  return MEASURED_SECONDS[file.split(sep).join('/')] ?? statSync(join(root, file)).size / 1250;
}

async function runShards() {
  // Twice the cores (four on two): a shard often waits on PostgreSQL, Chromium or a child process,
  // and the others compute meanwhile. AMBER_TEST_SHARDS overrides.
  const count = Math.min(
    files.length,
    Number(process.env.AMBER_TEST_SHARDS) || Math.max(3, Math.min(8, availableParallelism() * 2)),
  );
  const shards = Array.from({ length: count }, () => ({ files: [], weight: 0 }));
  for (const file of [...files].sort((a, b) => weight(b) - weight(a))) {
    const lightest = shards.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.files.push(file);
    lightest.weight += weight(file);
  }
  // A shard's browser journeys run one after another, so that they share one Chromium
  // (e2e/support/browser.ts keeps it for the next journey for a moment only).
  for (const shard of shards) {
    const journey = (f) => f.split(sep)[0] === 'e2e';
    shard.files = [...shard.files.filter((f) => !journey(f)), ...shard.files.filter(journey)];
  }
  const results = await Promise.all(
    shards.map(
      (shard, i) =>
        new Promise((resolve) => {
          const child = spawn(
            process.execPath,
            ['--test', '--test-isolation=none', '--test-reporter=spec', ...args, ...shard.files],
            { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          const counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0, tests: 0 };
          const read = (stream, out) =>
            createInterface({ input: stream }).on('line', (line) => {
              const summary = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line);
              if (summary) counts[summary[1]] = Number(summary[2]);
              else out.write(`${line}\n`);
            });
          read(child.stdout, process.stdout);
          read(child.stderr, process.stderr);
          child.on('exit', (code, signal) => resolve({ i, code, signal, counts, files: shard.files.length }));
        }),
    ),
  );
  const total = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0, tests: 0 };
  let failedShard = false;
  for (const r of results) {
    for (const k of Object.keys(total)) total[k] += r.counts[k];
    // A shard that ended without a summary (killed, crashed) is a failure even if no test said so.
    if (r.code !== 0) failedShard = true;
    console.log(
      `ℹ shard ${r.i + 1}/${results.length}: ${r.files} files, ${r.counts.pass} passed, ${r.counts.fail} failed` +
        (r.code === 0 ? '' : ` (exit ${r.code ?? r.signal})`),
    );
  }
  for (const k of ['tests', 'skipped', 'cancelled', 'todo']) console.log(`ℹ ${k} ${total[k]}`);
  const failed = total.fail + total.cancelled + (failedShard && total.fail + total.cancelled === 0 ? 1 : 0);
  console.log(`${total.pass} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

if (process.env.AMBER_TEST_ISOLATION === 'process') {
  // Two files at a time on a 2-core machine; up to four where there are more cores.
  const concurrency = Math.max(2, Math.min(4, availableParallelism()));
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...args, ...files], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await runShards();
}
