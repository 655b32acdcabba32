// Indicator values in spreadsheets (issue 4): the one layout Amber reads and writes, as CSV
// (platform/csv.ts) and XLSX (exceljs), and the checks that turn the rows of
// a council's file into values to record — every problem named by row and column, nothing
// written by this file. The service reads what it needs, calls `readValueRows`, and writes the
// whole batch in one transaction only when there is no problem.
//
// Layout, one row per indicator, for one financial year (chosen beside the file, not in it):
//   PI No | Description | Outturn | Target | Good is? | H1 H2 | Q1..Q4 | Apr..Mar | YTD | Status | Owner | Commentary
// `Description`, `Good is?`, `YTD`, `Status` and `Owner` are written on export and ignored on
// import. A blank cell never erases anything; `Target` applies to every period given in the
// row; `Commentary` becomes the comment of the latest period given. Headers match whatever the
// case and spacing, columns may come in any order, and rows above the header (a title) are skipped.

import ExcelJS from 'exceljs';
import { z } from 'zod';
import {
  cellText as sheetCellText,
  mergedMessage,
  mergesFrom,
  numberText,
  readSpreadsheetOffThread,
  spreadsheetLimits,
  type CellValue,
  type MergedArea,
  type Sheet,
  type SheetRow,
  type SpreadsheetLimits,
} from '../../platform/spreadsheet.ts';
import { DEFAULT_INPUT_LIMITS } from '../../config.ts';
import {
  parseValue,
  formatDecimal,
  type Unit,
  type Polarity,
  type Frequency,
  type Scaled,
} from '../../domain/indicators/indicator.ts';
import { makePeriod, periodLabel, financialYearLabel, type Period, type PeriodKind } from '../../domain/period.ts';
import { writeCsv } from '../../platform/csv.ts';

// ---------------------------------------------------------------------------------------------
// Sheets: what either format becomes, read by platform/spreadsheet.ts (the one reader, with the
// deployment's limits). A cell is its text, or a Date when Excel stored a date.

export type { CellValue, SheetRow } from '../../platform/spreadsheet.ts';

/**
 * The first sheet of an XLSX file (by its zip signature), else a CSV file in whatever encoding
 * `readCsv` recognises; anything refused is a ValidationError naming the row, cell or limit.
 */
export async function readSheet(data: Buffer, limits: SpreadsheetLimits = DEFAULT_SHEET_LIMITS): Promise<Sheet> {
  const [first] = await readSpreadsheetOffThread(data, limits);
  return first ?? { name: '', rows: [], merges: [] };
}

const DEFAULT_SHEET_LIMITS = spreadsheetLimits(DEFAULT_INPUT_LIMITS);

/** Problems for merged areas at or below the header row: Amber cannot tell whose value it is. */
export const mergeProblems = (merges: readonly MergedArea[] | undefined, headerRow: number): Problem[] =>
  mergesFrom({ merges: [...(merges ?? [])] }, headerRow).map((m) => ({ row: m.top, message: mergedMessage(m) }));

/** One sheet; numbers go in as numbers with the given format, everything else as text. */
export type OutCell = string | { number: number; format: string };

export async function writeXlsx(title: string, rows: readonly (readonly OutCell[])[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Amber';
  const sheet = workbook.addWorksheet(title.slice(0, 31));
  rows.forEach((r, i) => {
    const row = sheet.getRow(i + 1);
    r.forEach((v, j) => {
      const cell = row.getCell(j + 1);
      if (typeof v === 'string') cell.value = v;
      else {
        cell.value = v.number;
        cell.numFmt = v.format;
      }
    });
    if (i === 0) row.font = { bold: true };
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.columns.forEach((c, j) => {
    c.width = j === 1 || rows[0]?.[j] === 'Commentary' ? 40 : 12;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const cellText = (v: OutCell): string => (typeof v === 'string' ? v : numberText(v.number));

/** One sheet as CSV, the first row its header; numbers as their shortest exact text. */
export const writeSheetCsv = (rows: readonly (readonly OutCell[])[]): Buffer =>
  Buffer.from(
    writeCsv(
      (rows[0] ?? []).map(cellText),
      rows.slice(1).map((r) => r.map(cellText)),
    ),
    'utf8',
  );

// ---------------------------------------------------------------------------------------------
// The layout

export type ColumnKey =
  'code' | 'title' | 'polarity' | 'target' | 'ytd' | 'status' | 'owner' | 'comment' | `period:${PeriodKind}:${number}`;

const MONTH_NAMES = ['Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Jan', 'Feb', 'Mar'];
const MONTH_FULL = [
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
  'January',
  'February',
  'March',
];

interface ColumnDef {
  key: ColumnKey;
  name: string;
  aliases: string[];
}

const PERIOD_COLUMNS: ColumnDef[] = [
  { key: 'period:year:1', name: 'Outturn', aliases: ['Annual', 'Actual'] },
  { key: 'period:half:1', name: 'H1', aliases: ['Half 1'] },
  { key: 'period:half:2', name: 'H2', aliases: ['Half 2'] },
  ...[1, 2, 3, 4].map((n): ColumnDef => ({ key: `period:quarter:${n}`, name: `Q${n}`, aliases: [`Quarter ${n}`] })),
  ...MONTH_NAMES.map((m, i): ColumnDef => ({ key: `period:month:${i + 1}`, name: m, aliases: [MONTH_FULL[i]!] })),
];

const COLUMNS: ColumnDef[] = [
  { key: 'code', name: 'PI No', aliases: ['PI', 'PI Number', 'PI Ref', 'Code', 'Indicator code', 'Ref'] },
  { key: 'title', name: 'Description', aliases: ['Title', 'Indicator', 'PI Description'] },
  { key: 'target', name: 'Target', aliases: ['Annual target'] },
  { key: 'polarity', name: 'Good is?', aliases: ['Good is', 'Polarity'] },
  ...PERIOD_COLUMNS,
  { key: 'ytd', name: 'YTD', aliases: ['Year to date'] },
  { key: 'status', name: 'Status', aliases: ['RAG', 'RAG status'] },
  { key: 'owner', name: 'Owner', aliases: ['Lead officer', 'Responsible officer'] },
  { key: 'comment', name: 'Commentary', aliases: ['Comment', 'Comments', 'Notes'] },
];

/** Case, spacing and trailing punctuation do not matter: "pi no", "PINo", "Good Is ?". */
export const normaliseHeader = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\s_]+/g, '')
    .replace(/[?:.]+$/, '');

const BY_NAME = new Map<string, ColumnDef>(
  COLUMNS.flatMap((c) => [c.name, ...c.aliases].map((n) => [normaliseHeader(n), c] as const)),
);

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known column a header was probably meant to be, if any is close enough. */
export function suggestColumn(
  header: string,
  names: ReadonlyMap<string, { name: string }> = BY_NAME,
): string | undefined {
  const h = normaliseHeader(header);
  let best: { name: string; d: number } | undefined;
  for (const [n, c] of names) {
    const d = distance(h, n);
    if (d <= Math.max(1, Math.floor(n.length / 3)) && (!best || d < best.d)) best = { name: c.name, d };
  }
  return best?.name;
}

export interface Problem {
  row: number;
  column?: string;
  message: string;
}
export const problemText = (p: Problem) => `Row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`;

export const text = sheetCellText;
const ukDate = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
export const isBlank = (cells: CellValue[]) => cells.every((c) => text(c) === '');

// ---------------------------------------------------------------------------------------------
// Reading values

export interface TransferIndicator {
  id: string;
  code: string;
  unit: Unit;
  polarity: Polarity;
  frequency: Frequency;
}

/** One period's value to record. `undefined` keeps what is stored; a blank cell never erases. */
export interface ValueWrite {
  indicatorId: string;
  periodId: string;
  periodKey: string;
  actual: Scaled;
  target: Scaled | null | undefined;
  targetHigh: Scaled | null | undefined;
  comment: string | undefined;
}

const KIND_OF_FREQUENCY: Record<Frequency, PeriodKind> = {
  monthly: 'month',
  quarterly: 'quarter',
  'half-yearly': 'half',
  annual: 'year',
};
const COLUMNS_OF_KIND: Record<PeriodKind, string> = {
  year: 'the Outturn column',
  half: 'the H1 and H2 columns',
  quarter: 'the Q1 to Q4 columns',
  month: 'the Apr to Mar columns',
};

const periodOf = (key: ColumnKey, year: number): Period | undefined => {
  const m = /^period:(\w+):(\d+)$/.exec(key);
  return m ? makePeriod(m[1] as PeriodKind, year, Number(m[2])) : undefined;
};

/**
 * Checks every row of a sheet against the organisation's indicators and reporting periods of
 * `year`, and returns the values to record or every problem found (never some of each).
 */
export function readValueRows(
  rows: SheetRow[],
  context: {
    year: number;
    indicators: TransferIndicator[];
    periodIds: ReadonlyMap<string, string>;
    merges?: readonly MergedArea[];
  },
): { writes: ValueWrite[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const headerIndex = rows.findIndex((r) => r.cells.some((c) => BY_NAME.get(normaliseHeader(text(c)))?.key === 'code'));
  if (headerIndex < 0 || headerIndex > 9) {
    const first = rows.find((r) => !isBlank(r.cells));
    const typo = first?.cells.map(text).find((c) => suggestColumn(c) === 'PI No');
    const message = typo
      ? `Column '${typo}' is not a column Amber knows: did you mean 'PI No'?`
      : rows.length === 0
        ? 'The file is empty: use the template, with a header row starting PI No'
        : 'There is no PI No column: the header row needs one, as in the template';
    return { writes: [], problems: [{ row: first?.number ?? 1, message }] };
  }
  const header = rows[headerIndex]!;
  problems.push(...mergeProblems(context.merges, header.number));
  const columns: { index: number; key: ColumnKey; name: string }[] = [];
  header.cells.forEach((cell, index) => {
    const h = text(cell);
    if (h === '') return;
    const def = BY_NAME.get(normaliseHeader(h));
    if (!def) {
      const s = suggestColumn(h);
      problems.push({
        row: header.number,
        column: h,
        message: `Column '${h}' is not a column Amber knows: ${
          s
            ? `did you mean '${s}'?`
            : `use the columns of the template (${COLUMNS.filter((c) => !c.key.startsWith('period:month'))
                .map((c) => c.name)
                .join(', ')}, Apr to Mar)`
        }`,
      });
      return;
    }
    if (columns.some((c) => c.key === def.key)) {
      problems.push({ row: header.number, column: h, message: `There are two ${def.name} columns: keep one` });
      return;
    }
    columns.push({ index, key: def.key, name: def.name });
  });

  const byCode = new Map(context.indicators.map((i) => [i.code.toLowerCase(), i]));
  const codeColumn = columns.find((c) => c.key === 'code')!;
  const targetColumn = columns.find((c) => c.key === 'target');
  const commentColumn = columns.find((c) => c.key === 'comment');
  const periodColumns = columns.filter((c) => c.key.startsWith('period:'));
  const seen = new Map<string, number>();
  const writes: ValueWrite[] = [];

  for (const row of rows.slice(headerIndex + 1)) {
    if (isBlank(row.cells)) continue;
    const at = (n: number, column: string | undefined, message: string) =>
      problems.push({ row: n, ...(column ? { column } : {}), message });
    const code = text(row.cells[codeColumn.index]);
    if (code === '') {
      at(row.number, 'PI No', 'Enter the PI No of the indicator, or delete the row');
      continue;
    }
    const indicator = byCode.get(code.toLowerCase());
    if (!indicator) {
      at(row.number, 'PI No', `There is no indicator ${code} in Amber: add it first, or check the PI No`);
      continue;
    }
    if (seen.has(indicator.code)) {
      at(
        row.number,
        'PI No',
        `${indicator.code} is also in row ${seen.get(indicator.code)}: give each indicator one row`,
      );
      continue;
    }
    seen.set(indicator.code, row.number);

    const problemsBefore = problems.length;
    const unit = indicator.unit;
    const read = (cell: CellValue | undefined, column: string): Scaled | undefined | null => {
      if (cell instanceof Date) {
        at(
          row.number,
          column,
          `"${ukDate(cell)}" is a date, not a value: Excel may have turned what was typed into a date; format the cell as a number and type it again`,
        );
        return null;
      }
      const parsed = parseValue(text(cell), unit);
      if (!parsed.ok) {
        at(row.number, column, parsed.reason);
        return null;
      }
      return parsed.value;
    };

    // The target: one value, or "low to high" for an indicator with a target range.
    let target: Scaled | null | undefined;
    let targetHigh: Scaled | null | undefined;
    let targetOk = true;
    const targetText = targetColumn ? text(row.cells[targetColumn.index]) : '';
    if (targetColumn && targetText !== '') {
      if (indicator.polarity === 'none') {
        at(row.number, 'Target', `${indicator.code} has no target (it is for information): leave the Target blank`);
        targetOk = false;
      } else if (indicator.polarity === 'band') {
        const parts = targetText.split(/\s+to\s+/i);
        if (parts.length !== 2) {
          at(row.number, 'Target', `${indicator.code} has a target range: write it like 95 to 100`);
          targetOk = false;
        } else {
          const low = read(parts[0], 'Target');
          const high = read(parts[1], 'Target');
          if (low === null || high === null) targetOk = false;
          else if (low === undefined || high === undefined) {
            at(row.number, 'Target', `${indicator.code} has a target range: write it like 95 to 100`);
            targetOk = false;
          } else if (low > high) {
            at(row.number, 'Target', 'The top of the target range must not be below its bottom');
            targetOk = false;
          } else {
            target = low;
            targetHigh = high;
          }
        }
      } else {
        const t = read(row.cells[targetColumn.index], 'Target');
        if (t === null) targetOk = false;
        else {
          target = t;
          targetHigh = null;
        }
      }
    }

    const kind = KIND_OF_FREQUENCY[indicator.frequency];
    const given: { period: Period; actual: Scaled }[] = [];
    for (const c of periodColumns) {
      const cell = row.cells[c.index];
      if (text(cell) === '') continue;
      const period = periodOf(c.key, context.year)!;
      if (period.kind !== kind) {
        at(
          row.number,
          c.name,
          `${indicator.code} is reported ${indicator.frequency}: put its values in ${COLUMNS_OF_KIND[kind]}`,
        );
        continue;
      }
      const actual = read(cell, c.name);
      if (actual === null || actual === undefined) continue;
      if (!context.periodIds.has(period.key)) {
        at(row.number, c.name, `${periodLabel(period)} is not a reporting period: add it first`);
        continue;
      }
      given.push({ period, actual });
    }
    const comment = commentColumn ? text(row.cells[commentColumn.index]) : '';
    if (comment.length > 5_000) at(row.number, 'Commentary', 'Commentary must be 5,000 characters or fewer');
    if (comment !== '' && given.length === 0 && problems.length === problemsBefore)
      at(
        row.number,
        'Commentary',
        `The commentary is kept with the latest period given, and this row gives no values for ${financialYearLabel(context.year)}`,
      );
    if (!targetOk) continue;
    given.forEach((g, i) =>
      writes.push({
        indicatorId: indicator.id,
        periodId: context.periodIds.get(g.period.key)!,
        periodKey: g.period.key,
        actual: g.actual,
        target,
        targetHigh,
        comment: i === given.length - 1 && comment !== '' ? comment : undefined,
      }),
    );
  }
  return problems.length > 0 ? { writes: [], problems } : { writes, problems };
}

// ---------------------------------------------------------------------------------------------
// Writing the layout

export interface ExportRow {
  code: string;
  title: string;
  polarity: Polarity;
  frequency: Frequency;
  unit: Unit;
  target: Scaled | { low: Scaled; high: Scaled } | undefined;
  /** Period key → actual. */
  actuals: ReadonlyMap<string, Scaled>;
  ytd: string;
  status: string;
  owner: string;
  comment: string;
}

export const GOOD_IS: Record<Polarity, string> = {
  higher: 'Higher',
  lower: 'Lower',
  band: 'Within range',
  none: 'n/a',
};

/** The columns for these frequencies, in the order councils lay them out. */
export function layoutColumns(frequencies: readonly Frequency[]): ColumnDef[] {
  const kinds = new Set(frequencies.map((f) => KIND_OF_FREQUENCY[f]));
  if (kinds.size === 0) kinds.add('quarter');
  const periodCols = (['year', 'half', 'quarter', 'month'] as const)
    .filter((k) => kinds.has(k))
    .flatMap((k) => PERIOD_COLUMNS.filter((c) => c.key.startsWith(`period:${k}:`)));
  const col = (key: ColumnKey) => COLUMNS.find((c) => c.key === key)!;
  const outturn = periodCols.filter((c) => c.key === 'period:year:1');
  return [
    col('code'),
    col('title'),
    ...outturn,
    col('target'),
    col('polarity'),
    ...periodCols.filter((c) => c.key !== 'period:year:1'),
    col('ytd'),
    col('status'),
    col('owner'),
    col('comment'),
  ];
}

const scaledNumber = (v: Scaled, unit: Unit) =>
  Number(formatDecimal(BigInt(v), unit.decimalPlaces, unit.decimalPlaces).replace(/,/g, ''));
const numberFormat = (unit: Unit) =>
  `${unit.kind === 'money' ? '£' : ''}#,##0${unit.decimalPlaces > 0 ? `.${'0'.repeat(unit.decimalPlaces)}` : ''}`;

/**
 * The sheet's rows: the header, then one row per indicator. Values are `formatted` text for CSV
 * (as Amber prints them, read back the same way) or numbers for XLSX.
 */
export function valueSheet(
  year: number,
  rows: readonly ExportRow[],
  format: (v: Scaled, unit: Unit) => string,
  asNumbers: boolean,
): OutCell[][] {
  const cols = layoutColumns(rows.map((r) => r.frequency));
  const out: OutCell[][] = [cols.map((c) => c.name)];
  for (const r of rows) {
    const value = (v: Scaled): OutCell =>
      asNumbers ? { number: scaledNumber(v, r.unit), format: numberFormat(r.unit) } : format(v, r.unit);
    out.push(
      cols.map((c): OutCell => {
        switch (c.key) {
          case 'code':
            return r.code;
          case 'title':
            return r.title;
          case 'polarity':
            return GOOD_IS[r.polarity];
          case 'target':
            if (r.target === undefined) return '';
            return typeof r.target === 'object'
              ? `${cellText(value(r.target.low))} to ${cellText(value(r.target.high))}`
              : value(r.target);
          case 'ytd':
            return r.ytd;
          case 'status':
            return r.status;
          case 'owner':
            return r.owner;
          case 'comment':
            return r.comment;
          default: {
            const period = periodOf(c.key, year)!;
            const v = r.actuals.get(period.key);
            return v === undefined ? '' : value(v);
          }
        }
      }),
    );
  }
  return out;
}

/** The financial year of a file: 2009, 2009/10 or 2009-10 all mean 2009/10. */
export const transferYearInput = z.object({
  year: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : v),
    z.string({ error: 'Enter the financial year, like 2009 for 2009/10' }).transform((s, ctx) => {
      const m = /^(\d{4})(?:\s*[/-]\s*(\d{2}))?$/.exec(s);
      const year = m ? Number(m[1]) : NaN;
      if (!m || year < 1990 || year > 2200 || (m[2] !== undefined && Number(m[2]) !== (year + 1) % 100)) {
        ctx.addIssue({ code: 'custom', message: 'Enter the financial year, like 2009 for 2009/10' });
        return z.NEVER;
      }
      return year;
    }),
  ),
});
