// Diagnostic exercises and baselines → view models: the tables every page shows (each also
// exported as XLSX with the same rows, numbers as numbers) and the bar charts beside them.

import { type Fte, formatFte, MANAGING_OWN_TEAM, FRONT_LINE } from '../../domain/diagnostic/baseline.ts';
import { type Money, formatMoney, formatMoneyShort, ZERO } from '../../domain/diagnostic/money.ts';
import { NON_PAY_CATEGORIES, NON_PAY_CATEGORY_LABELS, NOT_IN_A_UNIT } from '../../domain/diagnostic/non-pay.ts';
import { financialYearLabel } from '../../domain/period.ts';
import { paths } from '../../paths.ts';
import { renderBarChart, type BarRow } from '../../render/diagnostic-charts.ts';
import type { Exercise, ExerciseBaseline, ExerciseSummary } from './diagnostic.service.ts';

export type XlsxCell = string | number | { number: number; format: string };
export interface Cell {
  text: string;
  href?: string;
  numeric?: boolean;
  header?: boolean;
  xlsx?: XlsxCell;
}
export interface TableView {
  id: string;
  caption: string;
  head: { text: string; numeric?: boolean }[];
  rows: Cell[][];
  exportHref?: string;
}

const money = (m: Money): Cell => ({
  text: formatMoney(m, { pence: 'never' }),
  numeric: true,
  xlsx: { number: m / 100, format: '£#,##0.00' },
});
const fte = (f: Fte): Cell => ({ text: formatFte(f), numeric: true, xlsx: { number: f / 10_000, format: '0.00' } });
const share = (x: number | undefined, decimals = 1): Cell =>
  x === undefined
    ? { text: 'n/a', numeric: true, xlsx: '' }
    : {
        text: `${(x * 100).toFixed(decimals)}%`,
        numeric: true,
        xlsx: { number: x, format: decimals === 1 ? '0.0%' : '0.00%' },
      };
const count = (v: number): Cell => ({ text: v.toLocaleString('en-GB'), numeric: true, xlsx: v });
const text = (t: string, href?: string): Cell => ({ text: t, ...(href ? { href } : {}), header: true, xlsx: t });

export const yearLabel = (year: number) => financialYearLabel(year);

export function presentExerciseRow(e: ExerciseSummary) {
  return {
    name: e.name,
    href: paths.diagnostic.show(e.id),
    year: yearLabel(e.financialYear),
    runningCosts: formatMoneyShort(e.runningCosts),
    posts: e.counts.posts.toLocaleString('en-GB'),
    illustrative: e.illustrative,
  };
}

export function presentExercise(e: Exercise) {
  return {
    id: e.id,
    name: e.name,
    year: yearLabel(e.financialYear),
    runningCosts: formatMoney(e.runningCosts, { pence: 'never' }),
    headcount: e.headcount === null ? 'Not given' : e.headcount.toLocaleString('en-GB'),
    taxonomyName: e.taxonomyName,
    scope: e.taxonomy.functions.filter((f) => e.scope.includes(f.code)).map((f) => f.name),
    illustrative: e.illustrative,
    version: e.version,
    links: {
      show: paths.diagnostic.show(e.id),
      edit: paths.diagnostic.edit(e.id),
      delete: paths.diagnostic.delete(e.id),
      template: paths.diagnostic.template(e.id),
      data: paths.diagnostic.data(e.id),
      upload: paths.diagnostic.upload(e.id),
      quality: paths.diagnostic.quality(e.id),
      baseline: paths.diagnostic.baseline(e.id),
      posts: paths.diagnostic.posts(e.id),
    },
  };
}

/** The form values of an exercise, as the form shows them. */
export function exerciseFormValues(e: Exercise) {
  return {
    name: e.name,
    financialYear: String(e.financialYear),
    runningCosts: formatMoney(e.runningCosts),
    headcount: e.headcount === null ? '' : String(e.headcount),
    taxonomyVersionId: e.taxonomyVersionId,
    scope: e.scope,
    version: e.version,
  };
}

function scopedFunctions(b: ExerciseBaseline) {
  const inScope = new Set(b.exercise.scope);
  return b.exercise.taxonomy.functions.filter((f) => inScope.has(f.code));
}
const unitName = (b: ExerciseBaseline, code: string) =>
  code === NOT_IN_A_UNIT ? 'Not in a unit (outsourced)' : (b.orgUnits.find((u) => u.id === code)?.name ?? code);

export function functionsTable(b: ExerciseBaseline): TableView {
  const id = b.exercise.id;
  const rows = scopedFunctions(b).map((f) => [
    text(f.name, paths.diagnostic.baselineFunction(id, f.code)),
    fte(b.byFunction[f.code]!.fte),
    money(b.byFunction[f.code]!.payCost),
    money(b.nonPay.byFunction[f.code]!),
    money(b.totalCost.byFunction[f.code]!),
    share(b.shareOfRunningCosts[f.code], 2),
    share(b.functionFragmentation[f.code]!.outsideShare),
    count(b.functionFragmentation[f.code]!.unitIds.length),
  ]);
  const fns = scopedFunctions(b);
  const sum = (get: (code: string) => number) => fns.reduce((n, f) => n + get(f.code), 0);
  const total = sum((c) => b.totalCost.byFunction[c]!);
  rows.push([
    text('Total (functions in scope)'),
    fte(sum((c) => b.byFunction[c]!.fte) as Fte),
    money(sum((c) => b.byFunction[c]!.payCost) as Money),
    money(sum((c) => b.nonPay.byFunction[c]!) as Money),
    money(total as Money),
    share(b.exercise.runningCosts > 0 ? total / b.exercise.runningCosts : undefined, 2),
    { text: '', xlsx: '' },
    { text: '', xlsx: '' },
  ]);
  return {
    id: 'functions',
    caption: 'Cost and FTE by function',
    exportHref: paths.diagnostic.export(id, 'functions'),
    head: [
      { text: 'Function' },
      { text: 'FTE', numeric: true },
      { text: 'Pay', numeric: true },
      { text: 'Non-pay', numeric: true },
      { text: 'Total cost', numeric: true },
      { text: '% of running costs', numeric: true },
      { text: 'FTE outside the central function', numeric: true },
      { text: 'Units doing it', numeric: true },
    ],
    rows,
  };
}

export function matrixTable(b: ExerciseBaseline): TableView {
  const id = b.exercise.id;
  const dirs = b.directorates;
  return {
    id: 'matrix',
    caption: 'FTE and pay cost by function and directorate',
    exportHref: paths.diagnostic.export(id, 'matrix'),
    head: [
      { text: 'Function' },
      ...dirs.flatMap((d) => [
        { text: `${unitName(b, d)} FTE`, numeric: true },
        { text: `${unitName(b, d)} pay`, numeric: true },
      ]),
    ],
    rows: scopedFunctions(b).map((f) => [
      text(f.name, paths.diagnostic.baselineFunction(id, f.code)),
      ...dirs.flatMap((d) => {
        const a = b.matrix[f.code]?.[d];
        return [fte((a?.fte ?? 0) as Fte), money(a?.payCost ?? ZERO)];
      }),
    ]),
  };
}

export function processesTable(b: ExerciseBaseline, functionCode?: string): TableView {
  const id = b.exercise.id;
  const inScope = new Set(b.exercise.scope);
  const processes = b.exercise.taxonomy.processes.filter((p) =>
    functionCode ? p.functionCode === functionCode : inScope.has(p.functionCode),
  );
  const fnName = new Map(b.exercise.taxonomy.functions.map((f) => [f.code, f.name] as const));
  const rows = processes.map((p) => {
    const uc = b.unitCosts[p.code];
    return [
      text(`${p.code} ${p.name}`, paths.diagnostic.baselineProcess(id, p.code)),
      ...(functionCode
        ? []
        : [
            {
              text: fnName.get(p.functionCode) ?? p.functionCode,
              xlsx: fnName.get(p.functionCode) ?? p.functionCode,
            } as Cell,
          ]),
      { text: p.type, xlsx: p.type } as Cell,
      fte(b.byProcess[p.code]!.fte),
      money(b.byProcess[p.code]!.payCost),
      money(b.nonPay.byProcess[p.code]!),
      money(b.totalCost.byProcess[p.code]!),
      uc ? count(uc.volume) : { text: 'No volume', xlsx: '' },
      uc
        ? { text: formatMoney(uc.unitCost), numeric: true, xlsx: { number: uc.unitCost / 100, format: '£#,##0.00' } }
        : { text: 'n/a', xlsx: '' },
      share(b.processFragmentation[p.code]!.outsideShare),
    ];
  });
  return {
    id: functionCode ? `processes-${functionCode}` : 'processes',
    caption: functionCode ? `Processes of ${fnName.get(functionCode)}` : 'Cost and FTE by process',
    exportHref: paths.diagnostic.export(id, functionCode ? `function-${functionCode}` : 'processes'),
    head: [
      { text: 'Process' },
      ...(functionCode ? [] : [{ text: 'Function' }]),
      { text: 'Type' },
      { text: 'FTE', numeric: true },
      { text: 'Pay', numeric: true },
      { text: 'Non-pay', numeric: true },
      { text: 'Total cost', numeric: true },
      { text: 'Volume', numeric: true },
      { text: 'Unit cost', numeric: true },
      { text: 'FTE outside the centre', numeric: true },
    ],
    rows,
  };
}

/** The units doing a process (or a function's processes): FTE, pay and non-pay charged there. */
export function unitsTable(b: ExerciseBaseline, what: { process: string } | { function: string }): TableView {
  const id = b.exercise.id;
  const processes =
    'process' in what
      ? [what.process]
      : b.exercise.taxonomy.processes.filter((p) => p.functionCode === what.function).map((p) => p.code);
  const units = new Map<string, { fte: number; pay: number; nonPay: number }>();
  for (const p of processes) {
    for (const [u, a] of Object.entries(b.byProcessAndUnit[p] ?? {})) {
      const row = units.get(u) ?? { fte: 0, pay: 0, nonPay: 0 };
      row.fte += a.fte;
      row.pay += a.payCost;
      units.set(u, row);
    }
    for (const [u, m] of Object.entries(b.nonPay.byProcessAndUnit[p] ?? {})) {
      const row = units.get(u) ?? { fte: 0, pay: 0, nonPay: 0 };
      row.nonPay += m;
      units.set(u, row);
    }
  }
  const central =
    'process' in what
      ? b.processFragmentation[what.process]!.centralUnitId
      : b.functionFragmentation[what.function]!.centralUnitId;
  const directorateOf = (code: string) => {
    const parent = new Map(b.orgUnits.map((u) => [u.id, u.parentId] as const));
    let at = code;
    for (let i = 0; i < 50 && parent.get(at); i++) at = parent.get(at)!;
    return at;
  };
  const rows = [...units.entries()]
    .filter(([, r]) => r.fte > 0 || r.nonPay > 0)
    .sort((a, b2) => b2[1].pay + b2[1].nonPay - (a[1].pay + a[1].nonPay))
    .map(([u, r]) => [
      text(unitName(b, u)),
      {
        text: u === NOT_IN_A_UNIT ? '' : unitName(b, directorateOf(u)),
        xlsx: u === NOT_IN_A_UNIT ? '' : unitName(b, directorateOf(u)),
      } as Cell,
      {
        text: central !== undefined && (u === central || isWithin(b, u, central)) ? 'Central' : 'Outside the centre',
        xlsx: central !== undefined && (u === central || isWithin(b, u, central)) ? 'Central' : 'Outside the centre',
      } as Cell,
      fte(r.fte as Fte),
      money(r.pay as Money),
      money(r.nonPay as Money),
      money((r.pay + r.nonPay) as Money),
    ]);
  const key = 'process' in what ? `process-${what.process}` : `function-units-${what.function}`;
  return {
    id: key,
    caption: 'process' in what ? 'Org units doing this process' : 'Org units doing this function’s work',
    exportHref: paths.diagnostic.export(id, key),
    head: [
      { text: 'Org unit' },
      { text: 'Directorate' },
      { text: 'Where' },
      { text: 'FTE', numeric: true },
      { text: 'Pay', numeric: true },
      { text: 'Non-pay', numeric: true },
      { text: 'Total cost', numeric: true },
    ],
    rows,
  };
}

function isWithin(b: ExerciseBaseline, unit: string, ancestor: string): boolean {
  const parent = new Map(b.orgUnits.map((u) => [u.id, u.parentId] as const));
  for (let at: string | undefined = unit, i = 0; at !== undefined && i < 100; at = parent.get(at), i++)
    if (at === ancestor) return true;
  return false;
}

export function summaryTable(b: ExerciseBaseline): TableView {
  return {
    id: 'summary',
    caption: 'Where the time and pay go',
    exportHref: paths.diagnostic.export(b.exercise.id, 'summary'),
    head: [
      { text: 'Activity' },
      { text: 'FTE', numeric: true },
      { text: 'Pay', numeric: true },
      { text: 'Non-pay', numeric: true },
    ],
    rows: [
      [text('Back-office processes'), fte(b.backOffice.fte), money(b.backOffice.payCost), money(b.nonPay.backOffice)],
      [
        text(`Managing own team (${MANAGING_OWN_TEAM})`),
        fte(b.managingOwnTeam.fte),
        money(b.managingOwnTeam.payCost),
        money(b.nonPay.byProcess[MANAGING_OWN_TEAM]!),
      ],
      [
        text(`Front-line work (${FRONT_LINE})`),
        fte(b.frontLine.fte),
        money(b.frontLine.payCost),
        money(b.nonPay.byProcess[FRONT_LINE]!),
      ],
      [text('All posts'), fte(b.total.fte), money(b.total.payCost), money(b.nonPay.total)],
    ],
  };
}

export function nonPayTable(b: ExerciseBaseline): TableView {
  return {
    id: 'non-pay',
    caption: 'Non-pay costs by category',
    exportHref: paths.diagnostic.export(b.exercise.id, 'non-pay'),
    head: [{ text: 'Category' }, { text: 'Amount', numeric: true }],
    rows: [
      ...NON_PAY_CATEGORIES.map((c) => [text(NON_PAY_CATEGORY_LABELS[c]), money(b.nonPay.byCategory[c])]),
      [text('Total'), money(b.nonPay.total)],
    ],
  };
}

/** The target spans the baseline page offers (reports per manager), and the one it shows first. */
export const TARGET_SPANS = { min: 2, max: 50, default: 6 } as const;

/** A target span from the page's query, or the default when it is missing or not one the page offers. */
export function targetSpanFrom(query: string | undefined): { span: number; invalid: boolean } {
  if (query === undefined || query.trim() === '') return { span: TARGET_SPANS.default, invalid: false };
  const n = /^\d{1,3}$/.test(query.trim()) ? Number(query.trim()) : NaN;
  return n >= TARGET_SPANS.min && n <= TARGET_SPANS.max
    ? { span: n, invalid: false }
    : { span: TARGET_SPANS.default, invalid: true };
}

export function spansTable(b: ExerciseBaseline, targetSpan: number = TARGET_SPANS.default): TableView {
  const s = b.spans;
  // M* = ceil((W − 1)/(t − 1)), as domain/diagnostic/baseline.ts spansAndLayers works it out.
  const needed = s.workers <= 1 ? 0 : Math.floor((s.workers - 1 + targetSpan - 2) / (targetSpan - 1));
  return {
    id: 'spans',
    caption: `Spans and layers (target span ${targetSpan})`,
    exportHref: paths.diagnostic.export(b.exercise.id, 'spans'),
    head: [{ text: 'Measure' }, { text: 'Value', numeric: true }],
    rows: [
      [text('Posts (N)'), count(s.posts)],
      [text('Managers (M: posts with at least one report)'), count(s.managers)],
      [text('Others (W = N − M)'), count(s.workers)],
      [
        text('Average span of control'),
        {
          text: s.averageSpan === undefined ? 'n/a' : s.averageSpan.toFixed(2),
          numeric: true,
          xlsx: s.averageSpan ?? '',
        },
      ],
      [text('Layers (depth of the deepest chain)'), count(s.layers)],
      [text(`Managers needed for a span of ${targetSpan} (M*)`), count(needed)],
      [text('Managers above that (M − M*)'), count(Math.max(0, s.managers - needed))],
    ],
  };
}

export function functionChart(b: ExerciseBaseline): string {
  const rows: BarRow[] = scopedFunctions(b).map((f) => ({
    label: f.name,
    pay: b.byFunction[f.code]!.payCost,
    nonPay: b.nonPay.byFunction[f.code]!,
    valueText: formatMoneyShort(b.totalCost.byFunction[f.code]!),
  }));
  return renderBarChart({
    id: 'chart-functions',
    title: 'Total cost by function',
    description:
      'Horizontal bars: pay and non-pay cost of each function in scope. The same figures are in the table "Cost and FTE by function".',
    rows,
  });
}

export function processChart(b: ExerciseBaseline, functionCode: string): string {
  const rows: BarRow[] = b.exercise.taxonomy.processes
    .filter((p) => p.functionCode === functionCode)
    .map((p) => ({
      label: p.name,
      pay: b.byProcess[p.code]!.payCost,
      nonPay: b.nonPay.byProcess[p.code]!,
      valueText: formatMoneyShort(b.totalCost.byProcess[p.code]!),
    }));
  return renderBarChart({
    id: `chart-${functionCode}`,
    title: 'Total cost by process',
    description:
      'Horizontal bars: pay and non-pay cost of each process of the function. The same figures are in the table of processes.',
    rows,
  });
}

export function unitChart(b: ExerciseBaseline, table: TableView, id: string): string {
  const rows: BarRow[] = table.rows.slice(0, 15).map((r) => ({
    label: r[0]!.text,
    pay: Number((r[4]!.xlsx as { number: number }).number) * 100,
    nonPay: Number((r[5]!.xlsx as { number: number }).number) * 100,
    valueText: r[6]!.text,
  }));
  return renderBarChart({
    id,
    title: 'Total cost by org unit',
    description:
      'Horizontal bars: pay and non-pay cost in each org unit, largest first (at most 15; the table lists them all).',
    rows,
  });
}

export function headline(b: ExerciseBaseline) {
  const fns = scopedFunctions(b);
  const total = fns.reduce((n, f) => n + b.totalCost.byFunction[f.code]!, 0) as Money;
  return {
    posts: b.posts.toLocaleString('en-GB'),
    fte: formatFte(b.total.fte),
    backOfficeFte: formatFte(b.backOffice.fte),
    cost: formatMoneyShort(total),
    share: b.exercise.runningCosts > 0 ? `${((total / b.exercise.runningCosts) * 100).toFixed(1)}%` : 'n/a',
    runningCosts: formatMoneyShort(b.exercise.runningCosts),
  };
}

/** Every exportable table of a baseline by its key, for the XLSX download. */
export function tableByKey(b: ExerciseBaseline, key: string): TableView | undefined {
  const fixed: Record<string, () => TableView> = {
    functions: () => functionsTable(b),
    matrix: () => matrixTable(b),
    processes: () => processesTable(b),
    summary: () => summaryTable(b),
    'non-pay': () => nonPayTable(b),
    spans: () => spansTable(b),
  };
  if (fixed[key]) return fixed[key]!();
  const fnCodes = new Set(b.exercise.taxonomy.functions.map((f) => f.code));
  const procCodes = new Set(b.exercise.taxonomy.processes.map((p) => p.code));
  let m = /^function-units-(.+)$/.exec(key);
  if (m && fnCodes.has(m[1]!)) return unitsTable(b, { function: m[1]! });
  m = /^function-(.+)$/.exec(key);
  if (m && fnCodes.has(m[1]!)) return processesTable(b, m[1]!);
  m = /^process-(.+)$/.exec(key);
  if (m && procCodes.has(m[1]!)) return unitsTable(b, { process: m[1]! });
  return undefined;
}

export const xlsxRows = (t: TableView): XlsxCell[][] => t.rows.map((r) => r.map((c) => c.xlsx ?? c.text));
