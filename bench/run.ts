// `npm run bench`: the render benchmark, then the page benchmark, then the sign-in benchmark,
// one after the other in this process; prints the markdown tables bench/README.md quotes and
// writes the raw numbers (every sample and round) to bench/results/latest.json.
//
//   node --import tsx bench/run.ts [--only render|page|auth] [--engine pglite|postgres|both]
//     [--samples 20] [--render-warmup 5]
//     [--rounds 5] [--duration 5] [--connections 10] [--page-warmup 2] [--env production|test]

import { mkdir, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseRenderArgs, renderTable, runRender, type RenderResult } from './render.ts';
import {
  parseEngines,
  parseReportPageArgs,
  reportPageTable,
  runReportPage,
  type ReportPageResult,
} from './report-page.ts';
import { authTable, parseAuthArgs, runAuth, type AuthResult } from './auth.ts';
import { describeMachine, fmt } from './support.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, 'results', 'latest.json');

function revision(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: here,
      encoding: 'utf8',
      timeout: 5000,
    }).trim();
    const dirty = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], {
      cwd: here,
      encoding: 'utf8',
      timeout: 5000,
    }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return undefined;
  }
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    only: { type: 'string' },
    engine: { type: 'string' },
    samples: { type: 'string' },
    'render-warmup': { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    'page-warmup': { type: 'string' },
    env: { type: 'string' },
  },
});
if (values.only !== undefined && values.only !== 'render' && values.only !== 'page' && values.only !== 'auth')
  throw new Error(`--only is render, page or auth, not "${values.only}"`);
const runs = (what: 'render' | 'page' | 'auth') => values.only === undefined || values.only === what;
const flags = (pairs: [string, string | undefined][]) =>
  pairs.flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, v]));
const engines = parseEngines(values.engine);
const loadFlags = flags([
  ['engine', values.engine],
  ['rounds', values.rounds],
  ['duration', values.duration],
  ['connections', values.connections],
  ['warmup', values['page-warmup']],
  ['env', values.env],
]);
const pageOptions = parseReportPageArgs(loadFlags);
// The sign-in benchmark takes the page benchmark's options (and its own defaults for the rest).
const authOptions = parseAuthArgs(loadFlags);

const machine = describeMachine();
const started = performance.now();
const output: {
  machine: typeof machine;
  revision: string | undefined;
  render: RenderResult[];
  page?: ReportPageResult;
  auth?: AuthResult;
  error?: string;
  seconds?: number;
} = {
  machine,
  revision: revision(),
  render: [],
};
console.log(
  `# Amber benchmarks\n\n${machine.cpus} CPUs (${machine.cpuModel}); ${machine.memory}; Node ${machine.node}; ${machine.when}\n`,
);

let failed = false;
try {
  if (runs('render')) {
    for (const engine of engines) {
      const result = await runRender(
        parseRenderArgs(
          flags([
            ['engine', engine],
            ['samples', values.samples],
            ['warmup', values['render-warmup']],
          ]),
        ),
      );
      output.render.push(result);
      console.log(`${renderTable(result)}\n`);
    }
  }
  if (runs('page')) {
    try {
      output.page = await runReportPage(pageOptions);
    } catch (error) {
      // A failed page run still leaves its rounds in latest.json for inspection.
      output.page = (error as { result?: ReportPageResult }).result;
      throw error;
    }
    console.log(`${reportPageTable(output.page)}\n`);
    for (const r of output.page.ratios)
      console.log(
        `Ratio [${r.engine}] ${r.page} ÷ /hello: ${fmt(r.ratioOfMedians)} (median of per-round ratios ${fmt(r.medianOfRoundRatios)})`,
      );
  }
  if (runs('auth')) {
    try {
      output.auth = await runAuth(authOptions);
    } catch (error) {
      output.auth = (error as { result?: AuthResult }).result;
      throw error;
    }
    console.log(`\n${authTable(output.auth)}\n`);
  }
} catch (error) {
  failed = true;
  output.error = (error as Error).stack ?? String(error);
  console.error(error);
} finally {
  output.seconds = (performance.now() - started) / 1000;
  await mkdir(dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nRaw results: ${relative(process.cwd(), RESULTS)} (${fmt(output.seconds)} s in all)`);
}
if (failed) process.exitCode = 1;
