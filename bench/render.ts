// Render time of the seed report (VfM-4d, 2009/10 H1) as PDF and as DOCX, against
// `JSON.stringify(view)` as the baseline, and the database read that builds the view
// (`presentReport(getBundle(...))`). Warm-up first, then N samples of each, interleaved so that
// a noisy spell on the machine falls on all four alike; medians and p90s, never means.
//
//   node bench/render.ts [--engine pglite|postgres] [--samples 20] [--warmup 5]

import { parseArgs } from 'node:util';
import type { Engine } from '../src/platform/db/database.ts';
import type { ReportView } from '../src/render/report-view.ts';
import { presentReport } from '../src/modules/reports/report.presenter.ts';
import { renderReportPdf } from '../src/render/pdf.ts';
import { renderReportDocx } from '../src/render/docx.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { deadline, fmt, isMain, median, percentile } from './support.ts';
import { systemActor } from '../src/domain/actor.ts';

export const SEED_PRIORITY = 'VfM-4d';
export const SEED_PERIOD = '2009-10-h1';

export interface RenderOptions {
  engine: Engine;
  samples: number;
  warmup: number;
}

export type SeriesName = 'read' | 'json' | 'pdf' | 'docx';

export interface Series {
  what: string;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  /** Size of the output (bytes); for `read`, the size of the view as JSON. */
  bytes: number;
  samplesMs: number[];
}

export interface RenderResult {
  benchmark: 'render';
  options: RenderOptions;
  series: Record<SeriesName, Series>;
  /** Ratios of medians. */
  ratios: { pdfToJson: number; docxToJson: number; pdfToDocx: number; pdfToRead: number; docxToRead: number };
}

export const RENDER_DEFAULTS: RenderOptions = { engine: 'pglite', samples: 20, warmup: 5 };

const WHAT: Record<SeriesName, string> = {
  read: 'presentReport(getBundle(…)) — database read + view model',
  json: 'JSON.stringify(view) — baseline',
  pdf: 'renderReportPdf(view)',
  docx: 'renderReportDocx(view)',
};

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export async function runRender(options: RenderOptions = RENDER_DEFAULTS): Promise<RenderResult> {
  let database: TestDatabase | undefined;
  const close = async () => {
    const d = database;
    database = undefined;
    await d?.close();
  };
  // Generous: a PDF takes tens of milliseconds; opening PGlite and migrating takes seconds.
  const watchdog = deadline(120 + (options.samples + options.warmup) * 10, 'bench/render.ts', close);
  try {
    database = await openTestDatabase(options.engine);
    const { services } = database;
    await services.demo.load('bench');
    const actor = systemActor((await services.organisations.getHome()).id, 'bench');

    const steps: Record<SeriesName, (view: ReportView) => Promise<{ bytes: number; view?: ReportView }>> = {
      read: async () => {
        const view = presentReport(await services.reports.getBundle(actor, SEED_PRIORITY, SEED_PERIOD));
        return { bytes: JSON.stringify(view).length, view };
      },
      json: async (view) => ({ bytes: JSON.stringify(view).length }),
      pdf: async (view) => {
        const pdf = await renderReportPdf(view);
        if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('renderReportPdf did not return a PDF');
        return { bytes: pdf.length };
      },
      docx: async (view) => {
        const docx = await renderReportDocx(view);
        if (docx.subarray(0, 2).toString('latin1') !== 'PK')
          throw new Error('renderReportDocx did not return a DOCX (zip)');
        return { bytes: docx.length };
      },
    };

    let view = presentReport(await services.reports.getBundle(actor, SEED_PRIORITY, SEED_PERIOD));
    const order: SeriesName[] = ['read', 'json', 'pdf', 'docx'];
    const samples: Record<SeriesName, number[]> = { read: [], json: [], pdf: [], docx: [] };
    const bytes: Record<SeriesName, number> = { read: 0, json: 0, pdf: 0, docx: 0 };
    for (let i = 0; i < options.warmup + options.samples; i++) {
      // Rotate the order each iteration: no series always follows the garbage of another.
      for (let k = 0; k < order.length; k++) {
        const name = order[(i + k) % order.length]!;
        const { ms, value } = await time(() => steps[name](view));
        if (value.view) view = value.view;
        bytes[name] = value.bytes;
        if (i >= options.warmup) samples[name].push(ms);
      }
    }

    const series = Object.fromEntries(
      order.map((name) => {
        const s = samples[name];
        return [
          name,
          {
            what: WHAT[name],
            medianMs: median(s),
            p90Ms: percentile(s, 90),
            minMs: Math.min(...s),
            maxMs: Math.max(...s),
            bytes: bytes[name],
            samplesMs: s,
          } satisfies Series,
        ];
      }),
    ) as Record<SeriesName, Series>;
    const m = (name: SeriesName) => series[name].medianMs;
    return {
      benchmark: 'render',
      options,
      series,
      ratios: {
        pdfToJson: m('pdf') / m('json'),
        docxToJson: m('docx') / m('json'),
        pdfToDocx: m('pdf') / m('docx'),
        pdfToRead: m('pdf') / m('read'),
        docxToRead: m('docx') / m('read'),
      },
    };
  } finally {
    await close();
    watchdog.disarm();
  }
}

export function renderTable(result: RenderResult): string {
  const json = result.series.json.medianMs;
  const rows = (['pdf', 'docx', 'json', 'read'] as SeriesName[]).map((name) => {
    const s = result.series[name];
    return `| ${s.what} | ${fmt(s.medianMs)} | ${fmt(s.p90Ms)} | ${fmt(s.medianMs / json)}× | ${s.bytes.toLocaleString('en-GB')} |`;
  });
  return [
    `Render of ${SEED_PRIORITY} ${SEED_PERIOD} (${result.options.engine}; median of ${result.options.samples} after ${result.options.warmup} warm-up)`,
    '',
    '| Step | Median ms | p90 ms | × JSON.stringify | Bytes |',
    '|---|--:|--:|--:|--:|',
    ...rows,
    '',
    `PDF/DOCX ${fmt(result.ratios.pdfToDocx)}×; PDF/read ${fmt(result.ratios.pdfToRead)}×; DOCX/read ${fmt(result.ratios.docxToRead)}×.`,
  ].join('\n');
}

export function parseRenderArgs(args: string[]): RenderOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { engine: { type: 'string' }, samples: { type: 'string' }, warmup: { type: 'string' } },
  });
  return {
    engine: parseEngine(values.engine ?? RENDER_DEFAULTS.engine),
    samples: count('--samples', values.samples, RENDER_DEFAULTS.samples, 1, 1000),
    warmup: count('--warmup', values.warmup, RENDER_DEFAULTS.warmup, 0, 100),
  };
}

export function parseEngine(value: string): Engine {
  if (value !== 'pglite' && value !== 'postgres') throw new Error(`--engine is pglite or postgres, not "${value}"`);
  return value;
}

export function count(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${flag} is a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

if (isMain(import.meta.url)) {
  const result = await runRender(parseRenderArgs(process.argv.slice(2)));
  console.log(renderTable(result));
}
