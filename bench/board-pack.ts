// A 150-priority board pack (each report with 3 indicator graphs of 8 periods and 5 key actions,
// built from the renderer tests' report builders, no database) rendered as PDF and as Word while
// a running Amber app answers `GET /health`: wall time, peak RSS of the whole process, and how
// long /health waits while the pack renders.
//
// Two ways of rendering, measured in the same run:
//   inline  renderBoardPackPdf/Docx called on the app's own thread (what the job did before the
//           worker runner: the event loop is blocked for the whole render);
//   worker  the job's own path (`boardPackRenderers` of src/modules/boardpack/boardpack.job.ts):
//           src/platform/workers runs the render in a worker thread with bounded memory.
//
// Each measurement runs in a fresh child process (peak RSS never goes down within a process, so
// one render's peak would hide the next one's): the child opens PGlite in memory, loads the demo,
// starts the app on 127.0.0.1, builds the pack, then a probe thread (a worker of its own, so the
// app's blocked event loop cannot delay the probe's clock) sends `GET /health` every 100 ms (the
// next one as soon as the last answers, when that took longer) and samples the process's RSS
// every 20 ms: for 2 s with nothing rendering (the baseline), then while the pack renders.
// Samples rotate through the four (format, mode) pairs so a noisy spell falls on all of them.
//
//   node bench/board-pack.ts [--priorities 150] [--samples 3] [--modes inline,worker]
//     [--formats pdf,docx]

import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Engine } from '../src/platform/db/database.ts';
import type { BoardPackView } from '../src/render/board-pack.ts';
import { buildBoardPackView } from '../test/builders/board-pack-view.ts';
import { buildActionViews, buildVfm4dReportView, buildGraphView } from '../test/builders/report-view.ts';
import { deadline, describeMachine, fmt, isMain, median } from './support.ts';

export function buildSyntheticPack(priorities: number): BoardPackView {
  const reports = Array.from({ length: priorities }, (_, i) => {
    const code = `P-${String(i + 1).padStart(3, '0')}`;
    const title = `Synthetic improvement priority number ${i + 1} for the benchmark`;
    // Three indicators per priority, each with its own code so no two charts are the same drawing.
    const graphs = [1, 2, 3].map((n) =>
      buildGraphView({ code: `${code}-i${n}`, title: `Indicator ${n} of ${code} (%)` }),
    );
    return buildVfm4dReportView({
      priority: { code, title, rationale: [`Why ${code} matters to the council and its partners.`] },
      heading: `Improvement Priority – ${code} ${title}`,
      actions: buildActionViews(5),
      graphs,
    });
  });
  return buildBoardPackView(reports);
}

type Format = 'pdf' | 'docx';
type Mode = 'inline' | 'worker';

/** What one child process measured. */
interface Measurement {
  format: Format;
  mode: Mode;
  wallMs: number;
  bytes: number;
  /** RSS of the app, demo loaded and pack built, before rendering (the baseline). */
  rssBeforeMb: number;
  /** Highest RSS sampled from the start of the idle phase to the end of the render. */
  rssPeakMb: number;
  /** /health latencies (ms) of requests sent in the idle phase, and while the pack rendered. */
  healthIdleMs: number[];
  healthDuringMs: number[];
}

// The probe: plain JavaScript run by a worker thread (eval), so no TypeScript loader is needed.
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let phase = 'idle';
let stopping = false;
let peak = process.memoryUsage().rss;
const latencies = { idle: [], render: [] };
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
function health() {
  return new Promise((resolve, reject) => {
    const req = http.get(workerData.url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('/health answered ' + res.statusCode))));
    });
    req.on('error', reject);
  });
}
async function loop() {
  while (!stopping) {
    const sentIn = phase;
    const start = performance.now();
    await health();
    const took = performance.now() - start;
    latencies[sentIn].push(took);
    if (took < 100) await new Promise((r) => setTimeout(r, 100 - took));
  }
}
const running = loop().catch((e) => parentPort.postMessage({ error: String(e) }));
parentPort.on('message', async (m) => {
  if (m === 'render') phase = 'render';
  if (m === 'stop') {
    stopping = true;
    await running;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    parentPort.postMessage({ latencies, peak });
    agent.destroy();
  }
});
`;

async function child(format: Format, mode: Mode, priorities: number, engine: Engine): Promise<Measurement> {
  const { buildApp } = await import('../src/app.ts');
  const { openTestDatabase } = await import('../test/helpers/database.ts');
  const { renderBoardPackDocx, renderBoardPackPdf } = await import('../src/render/board-pack.ts');
  const database = await openTestDatabase(engine);
  const app = await buildApp({
    config: { env: 'production', logLevel: 'silent' },
    db: database.db,
    units: database.units,
    services: database.services,
  });
  try {
    await database.services.demo.load('bench');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the app has no address');
    const view = buildSyntheticPack(priorities);
    const render =
      mode === 'inline'
        ? format === 'pdf'
          ? renderBoardPackPdf
          : renderBoardPackDocx
        : (await import('../src/modules/boardpack/boardpack.job.ts')).boardPackRenderers[format];
    const rssBefore = process.memoryUsage().rss;
    const probe = new Worker(PROBE, { eval: true, workerData: { url: `http://127.0.0.1:${address.port}/health` } });
    const report = new Promise<{ latencies: { idle: number[]; render: number[] }; peak: number }>((resolve, reject) => {
      probe.on('message', (m: any) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      probe.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 2000));
    probe.postMessage('render');
    const start = performance.now();
    const out = await render(view);
    const wallMs = performance.now() - start;
    probe.postMessage('stop');
    const { latencies, peak } = await report;
    await probe.terminate();
    const magic = format === 'pdf' ? '%PDF-' : 'PK';
    if (Buffer.from(out.subarray(0, magic.length)).toString() !== magic) throw new Error(`not a ${format} file`);
    return {
      format,
      mode,
      wallMs,
      bytes: out.length,
      rssBeforeMb: rssBefore / 2 ** 20,
      rssPeakMb: peak / 2 ** 20,
      healthIdleMs: latencies.idle,
      healthDuringMs: latencies.render,
    };
  } finally {
    await app.close();
    await database.close();
  }
}

/** Runs one measurement in a fresh process; its result is the last line it prints. */
function measure(format: Format, mode: Mode, priorities: number, engine: Engine): Promise<Measurement> {
  const script = fileURLToPath(import.meta.url);
  const args = [script, '--child', '--format', format, '--mode', mode];
  args.push('--priorities', String(priorities), '--engine', engine);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${format} ${mode} child exited with ${code}: ${out}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Measurement);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const withRange = (xs: number[]) => `${fmt(median(xs))} (${range(xs)})`;

function table(results: Measurement[], modes: Mode[], formats: Format[]): string {
  const lines = [
    '| Format | Rendering | Wall s, median (min–max) | × inline | Peak RSS MB, median (min–max) | App before render, MB | /health while rendering: median ms | max ms | requests | /health idle: median ms | Bytes |',
    '| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const format of formats) {
    const inline = results.filter((r) => r.format === format && r.mode === 'inline');
    for (const mode of modes) {
      const rs = results.filter((r) => r.format === format && r.mode === mode);
      if (rs.length === 0) continue;
      const during = rs.flatMap((r) => r.healthDuringMs);
      const idle = rs.flatMap((r) => r.healthIdleMs);
      const ratio =
        inline.length > 0 ? fmt(median(rs.map((r) => r.wallMs)) / median(inline.map((r) => r.wallMs))) : '—';
      lines.push(
        `| ${format.toUpperCase()} | ${mode} | ${withRange(rs.map((r) => r.wallMs / 1000))} | ${ratio} | ${withRange(rs.map((r) => r.rssPeakMb))} | ${fmt(median(rs.map((r) => r.rssBeforeMb)))} | ${fmt(median(during))} | ${fmt(Math.max(...during))} | ${during.length} | ${fmt(median(idle))} | ${rs[0]!.bytes.toLocaleString('en-GB')} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      priorities: { type: 'string', default: '150' },
      samples: { type: 'string', default: '3' },
      modes: { type: 'string', default: 'inline,worker' },
      formats: { type: 'string', default: 'pdf,docx' },
      engine: { type: 'string', default: 'postgres' },
      child: { type: 'boolean', default: false },
      format: { type: 'string' },
      mode: { type: 'string' },
    },
  });
  const priorities = Number(values.priorities);
  if (values.engine !== 'pglite' && values.engine !== 'postgres')
    throw new Error(`--engine is pglite or postgres, not ${values.engine}`);
  const engine: Engine = values.engine;
  if (values.child) {
    const result = await child(values.format as Format, values.mode as Mode, priorities, engine);
    console.log(JSON.stringify(result));
    return;
  }
  const modes = values.modes.split(',') as Mode[];
  const formats = values.formats.split(',') as Format[];
  const samples = Number(values.samples);
  const watchdog = deadline(900, 'bench/board-pack.ts', async () => {});
  const pairs = formats.flatMap((format) => modes.map((mode) => ({ format, mode })));
  const results: Measurement[] = [];
  for (let s = 0; s < samples; s++) {
    // Rotate the order each sample, so no pair always runs first (or after the heaviest).
    const order = pairs.map((_, i) => pairs[(i + s) % pairs.length]!);
    for (const { format, mode } of order) {
      const r = await measure(format, mode, priorities, engine);
      console.error(
        `sample ${s + 1}: ${format} ${mode}: ${fmt(r.wallMs)} ms, peak ${fmt(r.rssPeakMb)} MB (app ${fmt(r.rssBeforeMb)} MB), /health while rendering median ${fmt(median(r.healthDuringMs))} ms max ${fmt(Math.max(...r.healthDuringMs))} ms (${r.healthDuringMs.length} requests)`,
      );
      results.push(r);
    }
  }
  watchdog.disarm();
  const machine = describeMachine();
  let revision = 'unknown';
  try {
    revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  console.log(
    `${priorities} priorities × (3 graphs of 8 periods + 5 actions), app on ${engine}; ${samples} samples each, a fresh process per sample; ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.node}, revision ${revision}, ${machine.when}`,
  );
  console.log(table(results, modes, formats));
}

if (isMain(import.meta.url)) await main();
