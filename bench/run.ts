// `npm run bench`: the render benchmark, then the page benchmark, then the sign-in benchmark,
// one after the other in this process; prints the markdown tables bench/README.md quotes and
// writes the raw numbers (every sample and round) to bench/results/latest.json.
// `--only middle-layer` runs the middle-layer benchmark instead (SQL statements, transactions and
// CPU per request before and after the redesign); it is not part of the default run, because it
// checks out and installs the commit before the redesign (or takes one with --before-tree).
//
//   node bench/run.ts [--only render|page|auth|middle-layer] [--engine pglite|postgres|both]
//     [--samples 20] [--render-warmup 5]
//     [--rounds 5] [--duration 5] [--connections 10] [--page-warmup 2] [--env production|test]
//     [--gets 40] [--sign-offs 10] [--before-tree DIR]

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
import {
  middleLayerTable,
  parseMiddleLayerArgs,
  runMiddleLayer,
  type MiddleLayerOptions,
  type MiddleLayerResult,
} from './middle-layer.ts';
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
    gets: { type: 'string' },
    'sign-offs': { type: 'string' },
    'before-tree': { type: 'string' },
  },
});
const ONLY = ['render', 'page', 'auth', 'middle-layer'] as const;
if (values.only !== undefined && !(ONLY as readonly string[]).includes(values.only))
  throw new Error(`--only is render, page, auth or middle-layer, not "${values.only}"`);
// The middle-layer benchmark runs only when asked for by name.
const runs = (what: (typeof ONLY)[number]) =>
  what === 'middle-layer' ? values.only === what : values.only === undefined || values.only === what;
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
// Like the other benchmarks, PGlite unless --engine says otherwise.
const middleLayerOptions: MiddleLayerOptions | undefined = runs('middle-layer')
  ? parseMiddleLayerArgs(
      flags([
        ['engine', values.engine ?? 'pglite'],
        ['rounds', values.rounds],
        ['gets', values.gets],
        ['sign-offs', values['sign-offs']],
        ['before-tree', values['before-tree']],
      ]),
    )
  : undefined;

const machine = describeMachine();
const started = performance.now();
const output: {
  machine: typeof machine;
  revision: string | undefined;
  render: RenderResult[];
  page?: ReportPageResult;
  auth?: AuthResult;
  middleLayer?: MiddleLayerResult;
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
  if (middleLayerOptions) {
    output.middleLayer = await runMiddleLayer(middleLayerOptions);
    console.log(`\n${middleLayerTable(output.middleLayer)}\n`);
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
