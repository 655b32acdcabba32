// Render time and peak memory of a 100-priority board pack (each report with 3 indicator graphs
// of 8 periods and 5 key actions, as issue 4 specifies),
// built from the renderer tests' report builders: no database. Medians of 5 renders of each
// format after one discarded warm-up of each; peak RSS of the process over the whole run.
//
//   node --import tsx bench/board-pack.ts [--priorities 100] [--samples 5]

import { parseArgs } from 'node:util';
import { renderBoardPackDocx, renderBoardPackPdf, type BoardPackView } from '../src/render/board-pack.ts';
import { buildActionViews, buildVfm4dReportView, buildGraphView } from '../test/builders/report-view.ts';
import { deadline, fmt, median } from './support.ts';

const DIRECTIONS = [
  { key: 'better', label: 'Better', arrow: '↑', detail: 'Amber in 2008/09 H2' },
  { key: 'worse', label: 'Worse', arrow: '↓', detail: 'Green in 2008/09 H2' },
  { key: 'same', label: 'Same', arrow: '→', detail: 'Amber in 2008/09 H2' },
  { key: 'new', label: 'New', arrow: '', detail: 'No earlier report' },
] as const;

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
  return {
    organisationName: reports[0]!.organisationName,
    periodLabel: '2009/10 H1',
    periodSpan: '1st April – 30th September 2009',
    periodKey: '2009-10-h1',
    generatedOn: '24 November 2026',
    summary: reports.map((r, i) => ({
      code: r.priority.code,
      title: r.priority.title,
      officer: r.accountableOfficer?.name ?? 'Not assigned',
      status: r.status,
      hasReport: true,
      direction: { ...DIRECTIONS[i % 4]! },
    })),
    reports,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { priorities: { type: 'string', default: '100' }, samples: { type: 'string', default: '5' } },
  });
  const priorities = Number(values.priorities);
  const samples = Number(values.samples);
  const watchdog = deadline(600, 'bench/board-pack.ts', async () => {});
  const view = buildSyntheticPack(priorities);
  let peak = process.memoryUsage().rss;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  const pdfMs: number[] = [];
  const docxMs: number[] = [];
  let pdfBytes = 0;
  let docxBytes = 0;
  for (let i = 0; i <= samples; i++) {
    let start = performance.now();
    const pdf = await renderBoardPackPdf(view);
    const pdfTime = performance.now() - start;
    start = performance.now();
    const docx = await renderBoardPackDocx(view);
    const docxTime = performance.now() - start;
    if (pdf.subarray(0, 5).toString() !== '%PDF-' || docx.subarray(0, 2).toString() !== 'PK')
      throw new Error('bad output');
    sample();
    if (i === 0) continue; // warm-up
    pdfMs.push(pdfTime);
    docxMs.push(docxTime);
    pdfBytes = pdf.length;
    docxBytes = docx.length;
  }
  clearInterval(timer);
  watchdog.disarm();
  const mb = (n: number) => `${fmt(n / 1024 / 1024)} MB`;
  console.log(
    `| Board pack, ${priorities} priorities × (3 graphs of 8 periods + 5 actions) | PDF median ms | DOCX median ms | PDF bytes | DOCX bytes | Peak RSS |`,
  );
  console.log('|---|--:|--:|--:|--:|--:|');
  console.log(
    `| median of ${samples} | ${fmt(median(pdfMs))} | ${fmt(median(docxMs))} | ${pdfBytes.toLocaleString('en-GB')} | ${docxBytes.toLocaleString('en-GB')} | ${mb(peak)} |`,
  );
  console.log(`samples: PDF ${pdfMs.map(fmt).join(', ')}; DOCX ${docxMs.map(fmt).join(', ')}`);
}

await main();
