// What tagging (PDF/UA-1: a structure tree, marked content, artifacts, XMP metadata) costs the
// PDFs Amber writes: the VfM-4d progress report (the seed's text, plus one indicator graph), a
// 100-priority board pack (each report with 3 graphs and 5 key actions, `buildSyntheticPack`),
// and an outline business case. Each is rendered tagged and untagged, alternating in one process
// so that a noisy spell falls on both; the untagged render is the baseline.
//
// Reported per document: render time (median and min–max of the samples), tagged ÷ untagged
// (the ratio of the medians, and the spread of the ratios of the pairs rendered back to back),
// and the files' sizes and their ratio. Memory is measured by bench/board-pack.ts (peak RSS of
// the board pack's worker), which renders tagged now.
//
//   node --expose-gc bench/tagged-pdf.ts [--samples 15] [--pack-samples 3] [--priorities 100]

import { parseArgs } from 'node:util';
import { renderBoardPackPdf } from '../src/render/board-pack.ts';
import { renderBusinessCasePdf } from '../src/render/business-case-pdf.ts';
import { renderReportPdf, type PdfOptions } from '../src/render/pdf.ts';
import { buildBusinessCaseView } from '../test/builders/business-case-view.ts';
import { buildGraphView, buildVfm4dReportView } from '../test/builders/report-view.ts';
import { buildSyntheticPack } from './board-pack.ts';
import { describeMachine, fmt, median } from './support.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    samples: { type: 'string', default: '15' },
    'pack-samples': { type: 'string', default: '3' },
    priorities: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '3' },
  },
});
const SAMPLES = Number(values.samples);
const PACK_SAMPLES = Number(values['pack-samples']);
const PRIORITIES = Number(values.priorities);
const WARMUP = Number(values.warmup);

interface Sample {
  ms: number;
  bytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(render: () => Promise<Buffer>): Promise<Sample> {
  // A collection before each sample, so that none pays for the garbage of the one before.
  gc?.();
  const start = performance.now();
  const pdf = await render();
  return { ms: performance.now() - start, bytes: pdf.length };
}

interface Row {
  document: string;
  tagged: Sample[];
  untagged: Sample[];
}

async function bench(
  document: string,
  render: (options: PdfOptions) => Promise<Buffer>,
  samples: number,
  warmup: number,
): Promise<Row> {
  for (let i = 0; i < warmup; i++) {
    await render({ tagged: true });
    await render({ tagged: false });
  }
  const row: Row = { document, tagged: [], untagged: [] };
  for (let i = 0; i < samples; i++) {
    // Alternate which goes first, so neither always renders on a warmer heap.
    const order: boolean[] = i % 2 === 0 ? [true, false] : [false, true];
    for (const tagged of order) (tagged ? row.tagged : row.untagged).push(await measure(() => render({ tagged })));
  }
  return row;
}

const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;

function table(rows: Row[]): string {
  const lines = [
    '| Document | Untagged ms (min–max) | Tagged ms (min–max) | Time tagged ÷ untagged (pairs’ min–max) | Untagged bytes | Tagged bytes | Size tagged ÷ untagged |',
    '| -------- | --------------------: | ------------------: | ---------------------: | -------------: | -----------: | ---------------------: |',
  ];
  for (const r of rows) {
    const u = r.untagged.map((s) => s.ms);
    const t = r.tagged.map((s) => s.ms);
    // Each sample's pair ran back to back: the spread of their ratios.
    const pairs = t.map((x, i) => x / u[i]!);
    const ub = median(r.untagged.map((s) => s.bytes));
    const tb = median(r.tagged.map((s) => s.bytes));
    lines.push(
      `| ${r.document} | ${fmt(median(u))} (${range(u)}) | ${fmt(median(t))} (${range(t)}) | **${(median(t) / median(u)).toFixed(2)}** (${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}) | ${ub.toLocaleString('en-GB')} | ${tb.toLocaleString('en-GB')} | **${(tb / ub).toFixed(2)}** |`,
    );
  }
  return lines.join('\n');
}

const report = { ...buildVfm4dReportView(), graphs: [buildGraphView()] };
const businessCase = buildBusinessCaseView();
const pack = buildSyntheticPack(PRIORITIES);
const started = performance.now();
const rows = [
  await bench('VfM-4d progress report (1 graph)', (o) => renderReportPdf(report, o), SAMPLES, WARMUP),
  await bench('Outline business case (1 option)', (o) => renderBusinessCasePdf(businessCase, o), SAMPLES, WARMUP),
  await bench(`Board pack, ${PRIORITIES} priorities`, (o) => renderBoardPackPdf(pack, o), PACK_SAMPLES, 1),
];
const machine = describeMachine();
console.log(
  `# Tagged PDF benchmark\n\nMachine: ${machine.cpus} × ${machine.cpuModel}; ${machine.memory}; Node ${machine.node}; ${machine.when}; ` +
    `${SAMPLES} samples each (board pack ${PACK_SAMPLES}), ${gc ? 'with' : 'without'} GC between samples; ${fmt((performance.now() - started) / 1000)} s.\n`,
);
console.log(table(rows));
