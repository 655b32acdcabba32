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
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const args = process.argv.slice(2).filter((a) => a !== '--quick' && a !== '--weigh');
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
 * What each file costs, in seconds of CPU (its shard's process and child processes), as measured
 * by `node bin/test.js --weigh` into test/weights.json: the shards are dealt by it so that each
 * does about the same work. The machine is CPU-bound (two cores, four shards), so a shard's CPU
 * predicts when it ends better than any file's wall time did. A file not weighed yet counts by its
 * size at the weighed files' average CPU per byte. Only the balance depends on these: a stale
 * figure costs time, never a test.
 */
const WEIGHTS_FILE = join(root, 'test', 'weights.json');
const weighed = existsSync(WEIGHTS_FILE) ? JSON.parse(readFileSync(WEIGHTS_FILE, 'utf8')).cpuSeconds : {};
const posixPath = (file) => file.split(sep).join('/');
const sizeOf = (file) => statSync(join(root, file)).size;
const known = files.filter((f) => weighed[posixPath(f)] !== undefined);
const perByte =
  known.reduce((sum, f) => sum + weighed[posixPath(f)], 0) /
    Math.max(
      1,
      known.reduce((sum, f) => sum + sizeOf(f), 0),
    ) || 1 / 4000;
function weight(file) {
  return weighed[posixPath(file)] ?? sizeOf(file) * perByte;
}

// `--weigh`: measure each file's CPU this run (bin/test-weigh.js) and write test/weights.json.
const weigh = process.argv.includes('--weigh');
if (weigh && quick) {
  // The quick subset runs on one engine: its figures would understate the whole suite's.
  console.error('test: --weigh measures the whole suite; run it without --quick');
  process.exit(2);
}
const weighDir = weigh ? mkdtempSync(join(tmpdir(), 'amber-weigh-')) : undefined;
// Weighed as CI runs it: ESLint's and Prettier's caches (test/lint.test.ts) are empty on a fresh
// checkout, where the lint costs ~100 s of CPU against ~20 s from a warm cache.
if (weigh) rmSync(join(root, 'node_modules', '.cache'), { recursive: true, force: true });

/**
 * Adds up the weighing reporter's lines (bin/test-weigh.js) per test file. A suite that a helper declares
 * (describeOnEachEngine in test/helpers/) is reported under the helper's file: it is given to the
 * test file whose source names it.
 */
function writeWeights() {
  const seconds = {};
  const sources = files.map((f) => [posixPath(f), readFileSync(join(root, f), 'utf8')]);
  for (const name of readdirSync(weighDir)) {
    for (const line of readFileSync(join(weighDir, name), 'utf8').split('\n')) {
      const [path, suite, cpu] = line.split('\t');
      if (!path || !suite) continue;
      let file = posixPath(relative(root, path));
      if (!files.some((f) => posixPath(f) === file)) {
        const title = suite.replace(/ \[(pglite|postgres)\]$/, '');
        file = sources.find(([, text]) => text.includes(`'${title}'`) || text.includes(`"${title}"`))?.[0] ?? file;
      }
      seconds[file] = (seconds[file] ?? 0) + Number(cpu);
    }
  }
  // Files this run did not weigh (a new file since, or one of a failed shard) keep their figures,
  // and so do files it weighed at nothing that weighed more before: the reporter hears of a test
  // only when the shard's event loop is free, and a file that blocks it (spawnSync of the CLI) can
  // end before its start is heard, its CPU then counted in the next file's.
  for (const [file, cpu] of Object.entries(seconds)) if (cpu < 0.05 && (weighed[file] ?? 0) >= 1) delete seconds[file];
  const sorted = Object.fromEntries(
    Object.entries({ ...weighed, ...seconds })
      .sort((a, b) => b[1] - a[1])
      .map(([f, s]) => [f, Math.round(s * 10) / 10]),
  );
  writeFileSync(
    WEIGHTS_FILE,
    `${JSON.stringify({ measuredBy: 'node bin/test.js --weigh', measuredOn: new Date().toISOString().slice(0, 10), cpuSeconds: sorted }, null, 2)}\n`,
  );
  rmSync(weighDir, { recursive: true, force: true });
  console.log(`ℹ weighed ${Object.keys(seconds).length} files into ${relative(root, WEIGHTS_FILE)}`);
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
  // (e2e/support/browser.ts keeps it for the next journey for a moment only): Node's test runner
  // runs the files it is given in sorted order, so a shard's e2e/ files come first, together.
  // How long each shard took, so that an uneven deal shows in the summary (test/weights.json).
  const started = Date.now();
  const results = await Promise.all(
    shards.map(
      (shard, i) =>
        new Promise((resolve) => {
          const child = spawn(
            process.execPath,
            [
              '--test',
              '--test-isolation=none',
              '--test-reporter=spec',
              ...(weigh
                ? [
                    '--test-reporter-destination=stdout',
                    `--test-reporter=${join(root, 'bin', 'test-weigh.js')}`,
                    '--test-reporter-destination=stdout',
                  ]
                : []),
              ...args,
              ...shard.files,
            ],
            {
              cwd: root,
              env: weigh ? { ...env, AMBER_TEST_WEIGH_FILE: join(weighDir, `shard-${i}.tsv`) } : env,
              stdio: ['ignore', 'pipe', 'pipe'],
            },
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
          child.on('exit', (code, signal) =>
            resolve({ i, code, signal, counts, files: shard.files.length, minutes: (Date.now() - started) / 60_000 }),
          );
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
      `ℹ shard ${r.i + 1}/${results.length}: ${r.files} files, ${r.counts.pass} passed, ${r.counts.fail} failed, ${r.minutes.toFixed(1)} min` +
        (r.code === 0 ? '' : ` (exit ${r.code ?? r.signal})`),
    );
  }
  if (weigh) writeWeights();
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
