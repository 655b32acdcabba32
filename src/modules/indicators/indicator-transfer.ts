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

import { z } from 'zod';
import {
  cellText as sheetCellText,
  loadExcel,
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
import { writeCsvTurning } from '../../platform/csv.ts';
import { WorkerOutOfMemoryError, WorkerPool, WorkerTimeoutError } from '../../platform/workers/workers.ts';
import { AppError } from '../../domain/errors.ts';
import { loopTurns, TURN_EVERY_MS } from '../../platform/turns.ts';

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
  const workbook = new (await loadExcel()).Workbook();
  workbook.creator = 'Amber';
  const sheet = workbook.addWorksheet(title.slice(0, 31));
  // A row at a time, with the event loop given a turn now and then: a large organisation's sheet
  // took ~0.5 s to build.
  const turn = loopTurns();
  for (const [i, r] of rows.entries()) {
    await turn();
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
  }
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.columns.forEach((c, j) => {
    c.width = j === 1 || rows[0]?.[j] === 'Commentary' ? 40 : 12;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * A sheet with fewer rows than this is written on the main thread, holding the event loop less than
 * ~0.2 s while exceljs zips it: a worker that has to load exceljs first takes about a second more.
 */
export const XLSX_IN_THREAD_ROWS = 5_000;

/** The heap a workbook may take to write (exceljs holds it whole, then zips it), and how long it may take. */
const WRITER_LIMITS = { maxOldGenerationSizeMb: 768, timeoutMs: 2 * 60_000 } as const;

// One writer thread of its own, so a download never waits behind a board pack being rendered.
let writers: WorkerPool | undefined;

/** A workbook too big to write within WRITER_LIMITS: the CSV of the same sheet is written as it goes. */
export class WorkbookTooBigError extends AppError {
  constructor(limits: { maxOldGenerationSizeMb: number; timeoutMs: number }) {
    super(
      'WORKBOOK_TOO_BIG',
      `The workbook is too big for Amber to write in one go (it needed more than ${limits.maxOldGenerationSizeMb} MB or ${Math.round(limits.timeoutMs / 1000)} seconds): download it as CSV instead`,
      503,
    );
  }
}

/**
 * As writeXlsx, in a worker thread for a sheet of XLSX_IN_THREAD_ROWS rows or more: exceljs zips a
 * sheet in one go, which held the event loop ~0.5 s for 12,500 indicators, and no turn can be given
 * inside it. The web server keeps answering meanwhile, and a sheet that needs more than
 * WRITER_LIMITS is refused (WorkbookTooBigError) rather than the end of the process.
 */
export async function writeXlsxOffThread(
  title: string,
  rows: readonly (readonly OutCell[])[],
  {
    limits = WRITER_LIMITS,
    inThreadBelow = XLSX_IN_THREAD_ROWS,
  }: { limits?: { maxOldGenerationSizeMb: number; timeoutMs: number }; inThreadBelow?: number } = {},
): Promise<Buffer> {
  if (rows.length < inThreadBelow) return writeXlsx(title, rows);
  writers ??= new WorkerPool({ maxWorkers: 1, maxQueued: 20 });
  try {
    return await writers.run<Buffer>(
      { module: new URL(import.meta.url), fn: 'writeXlsxTask', input: { title, rows } },
      limits,
    );
  } catch (error) {
    if (error instanceof WorkerOutOfMemoryError || error instanceof WorkerTimeoutError)
      throw new WorkbookTooBigError(limits);
    throw error;
  }
}

/** writeXlsx in a worker (writeXlsxOffThread). */
export const writeXlsxTask = (input: { title: string; rows: OutCell[][] }): Promise<Buffer> =>
  writeXlsx(input.title, input.rows);

export const cellText = (v: OutCell): string => (typeof v === 'string' ? v : numberText(v.number));

/** One sheet as CSV, the first row its header; numbers as their shortest exact text. */
export const writeSheetCsv = async (rows: readonly (readonly OutCell[])[]): Promise<Buffer> =>
  Buffer.from(
    await writeCsvTurning(
      (rows[0] ?? []).map(cellText),
      rows.slice(1).map((r) => r.map(cellText)),
    ),
    'utf8',
  );

// ---------------------------------------------------------------------------------------------
// The layout

/** A period of the file's year as a column names it: `quarter:3` is Q3. */
export type PeriodRef = `${PeriodKind}:${number}`;
export type ColumnKey =
  | 'code'
  | 'title'
  | 'polarity'
  | 'target'
  | 'ytd'
  | 'status'
  | 'owner'
  | 'comment'
  | `period:${PeriodRef}`
  | `target:${PeriodRef}`
  | `status:${PeriodRef}`;
/** What an officer may map a header to: a column, or nothing (the column is for reading only). */
export type HeaderMapping = ColumnKey | 'ignore';

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
  {
    key: 'period:year:1',
    name: 'Outturn',
    aliases: ['Annual', 'Actual', 'Annual outturn', 'Year end', 'Year-end outturn', 'Full year', 'Out-turn'],
  },
  { key: 'period:half:1', name: 'H1', aliases: ['Half 1', 'Half year 1', 'First half'] },
  { key: 'period:half:2', name: 'H2', aliases: ['Half 2', 'Half year 2', 'Second half'] },
  ...[1, 2, 3, 4].map((n): ColumnDef => ({
    key: `period:quarter:${n}`,
    name: `Q${n}`,
    aliases: [`Quarter ${n}`, `Qtr ${n}`, `Qtr${n}`],
  })),
  ...MONTH_NAMES.map((m, i): ColumnDef => ({ key: `period:month:${i + 1}`, name: m, aliases: [MONTH_FULL[i]!] })),
];

const COLUMNS: ColumnDef[] = [
  {
    key: 'code',
    name: 'PI No',
    aliases: [
      'PI',
      'PI Number',
      'PI Ref',
      'PI Code',
      'Code',
      'Indicator code',
      'Indicator ref',
      'Ref',
      'Reference',
      'KPI',
      'KPI No',
      'KPI Ref',
      'Measure ref',
    ],
  },
  {
    key: 'title',
    name: 'Description',
    aliases: [
      'Title',
      'Indicator',
      'PI Description',
      'Indicator name',
      'Indicator title',
      'KPI description',
      'Measure',
    ],
  },
  { key: 'target', name: 'Target', aliases: ['Annual target', 'Year target', 'Year-end target', 'Full year target'] },
  {
    key: 'polarity',
    name: 'Good is?',
    aliases: ['Good is', 'Polarity', 'Good performance is', 'Higher or lower is better', 'Direction of good'],
  },
  ...PERIOD_COLUMNS,
  { key: 'ytd', name: 'YTD', aliases: ['Year to date', 'Cumulative', 'YTD actual'] },
  { key: 'status', name: 'Status', aliases: ['RAG', 'RAG status', 'RAG rating', 'Performance status', 'Rating'] },
  {
    key: 'owner',
    name: 'Owner',
    aliases: [
      'Target owner',
      'PI owner',
      'Indicator owner',
      'Lead officer',
      'Responsible officer',
      'Accountable officer',
    ],
  },
  {
    key: 'comment',
    name: 'Commentary',
    aliases: ['Comment', 'Comments', 'Notes', 'Narrative', 'Performance commentary'],
  },
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
const PERIOD_BY_NAME = new Map<string, ColumnDef>(
  PERIOD_COLUMNS.flatMap((c) => [c.name, ...c.aliases].map((n) => [normaliseHeader(n), c] as const)),
);

/** The name Amber gives a column, as the pages and problems say it: "Q3", "Q3 target", "Q3 status". */
export function columnName(key: HeaderMapping): string {
  if (key === 'ignore') return 'not imported';
  const m = /^(period|target|status):(\w+:\d+)$/.exec(key);
  if (!m) return COLUMNS.find((c) => c.key === key)?.name ?? key;
  const period = PERIOD_COLUMNS.find((c) => c.key === `period:${m[2]}`)!.name;
  return m[1] === 'period' ? period : `${period} ${m[1]}`;
}

/** Every column a header can be mapped to, in the order the mapping page offers them. */
export const MAPPABLE_COLUMNS: readonly { key: HeaderMapping; name: string }[] = [
  ...COLUMNS.filter((c) => !c.key.startsWith('period:')).map((c) => ({ key: c.key, name: c.name })),
  ...PERIOD_COLUMNS.map((c) => ({ key: c.key, name: c.name })),
  ...PERIOD_COLUMNS.map((c) => c.key.replace('period:', 'target:') as ColumnKey).map((key) => ({
    key,
    name: columnName(key),
  })),
  ...PERIOD_COLUMNS.map((c) => c.key.replace('period:', 'status:') as ColumnKey).map((key) => ({
    key,
    name: columnName(key),
  })),
  { key: 'ignore', name: columnName('ignore') },
];
const MAPPABLE = new Set<string>(MAPPABLE_COLUMNS.map((c) => c.key));
export const isHeaderMapping = (s: string): s is HeaderMapping => MAPPABLE.has(s);

/**
 * The financial year a header carries, and the header without it: "Q1 2009/10", "2009-10
 * Target", "Outturn 08/09", "FY2009/2010 Q3". Two numbers count as a year only when the second
 * is the year after the first, so "1/2" or "24/7" stay what they are.
 */
export function yearInHeader(header: string): { year: number | undefined; rest: string } {
  const re = /(?:\bfy\s*)?(?<![\d])((?:19|20)\d{2}|\d{2})\s*[/-]\s*((?:19|20)\d{2}|\d{2})(?![\d])/gi;
  for (const m of header.matchAll(re)) {
    const first = m[1]!.length === 4 ? Number(m[1]) : 2000 + Number(m[1]) - (Number(m[1]) >= 70 ? 100 : 0);
    if (Number(m[2]) % 100 !== (first + 1) % 100) continue;
    if (m[2]!.length === 4 && Number(m[2]) !== first + 1) continue;
    return { year: first, rest: `${header.slice(0, m.index)} ${header.slice(m.index + m[0].length)}` };
  }
  return { year: undefined, rest: header };
}

/** What a header is: the column it names, and the year it carries if it carries one. */
export interface HeaderMatch {
  key: HeaderMapping;
  name: string;
  year: number | undefined;
  /** True when the officer's mapping said so, not Amber's own names. */
  mapped: boolean;
}

/**
 * Recognises a council's header: Amber's names and the common others ("Target owner", "RAG"),
 * with a year anywhere in it, words in brackets ignored ("Q1 (Apr-Jun)"), and "Q1 target" or
 * "Target Q1" (likewise status) for one period's target. An officer's mapping, remembered for
 * the organisation, comes first.
 */
export function recogniseHeader(
  header: string,
  mappings: ReadonlyMap<string, HeaderMapping> = new Map(),
): HeaderMatch | undefined {
  const mapped = mappings.get(normaliseHeader(header.trim()));
  if (mapped) return { key: mapped, name: columnName(mapped), year: yearInHeader(header).year, mapped: true };
  const { year, rest } = yearInHeader(header);
  const bare = normaliseHeader(
    rest
      .replace(/\([^)]*\)/g, ' ')
      .replace(/^[\s\-–—:,]+|[\s\-–—:,]+$/g, '')
      .trim(),
  );
  const found = (key: ColumnKey): HeaderMatch => ({ key, name: columnName(key), year, mapped: false });
  if (bare === '') return year === undefined ? undefined : found('period:year:1');
  const def = BY_NAME.get(bare);
  if (def) return found(def.key);
  for (const [word, kind] of [
    ['target', 'target'],
    ['status', 'status'],
    ['ragstatus', 'status'],
    ['rag', 'status'],
  ] as const) {
    if (!bare.includes(word)) continue;
    const period = PERIOD_BY_NAME.get(bare.replace(word, '').replace(/^[-–—:,]+|[-–—:,]+$/g, ''));
    if (period) return found(period.key.replace('period:', `${kind}:`) as ColumnKey);
  }
  return undefined;
}

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
  /** Set on the problem of a row whose indicator is not in Amber (which the file may create). */
  missingCode?: string;
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
  /** Undefined for a period the row gives only a target for (set ahead of the period). */
  actual: Scaled | undefined;
  target: Scaled | null | undefined;
  targetHigh: Scaled | null | undefined;
  comment: string | undefined;
  /** The status the file gives for the period, as a status of the organisation's scale. */
  status?: FileStatus | undefined;
}

/** A status read from the file, with where it was read (what the override's reason names). */
export interface FileStatus {
  key: string;
  label: string;
  row: number;
  column: string;
}

/** An owner named in the file, matched to a person of the organisation. */
export interface OwnerChange {
  indicatorId: string;
  code: string;
  personId: string;
  personName: string;
  row: number;
}

/** A row whose indicator is not in Amber: what the file says of it, to propose its definition. */
export interface MissingRow {
  row: number;
  code: string;
  title: string;
  goodIs: string;
  /** The kinds of period the row gives values for (one, for a definition to be proposed). */
  kinds: PeriodKind[];
  /** Every value and target the row gives, as typed: what its unit is worked out from. */
  texts: string[];
}

/** A status of the organisation's scale, as the file may name it: its label, key or description. */
export interface FileStatusEntry {
  key: string;
  label: string;
  description?: string | undefined;
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
  const m = /^(?:period|target|status):(\w+):(\d+)$/.exec(key);
  return m ? makePeriod(m[1] as PeriodKind, year, Number(m[2])) : undefined;
};

const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The status a cell names: a label, key or description of the scale, or a unique first letter ("G"). */
export function matchStatus<S extends FileStatusEntry>(cell: string, scale: readonly S[]): S | undefined {
  const t = words(cell);
  if (t === '') return undefined;
  const exact = scale.find(
    (s) => words(s.label) === t || words(s.key) === t || (s.description !== undefined && words(s.description) === t),
  );
  if (exact) return exact;
  if (t.length === 1) {
    const starting = scale.filter((s) => words(s.label).startsWith(t));
    if (starting.length === 1) return starting[0];
  }
  return undefined;
}

const personWords = (s: string) => words(s.replace(/\([^)]*\)/g, ' '));

/** What `readValueRows` finds in a sheet. */
export interface ValueRowsRead {
  writes: ValueWrite[];
  problems: Problem[];
  notices: Problem[];
  owners: OwnerChange[];
  /** Headers Amber could not recognise, for the officer to map. */
  unknownHeaders: string[];
  /** Rows whose indicator is not in Amber (each also a problem, with `missingCode`). */
  missing: MissingRow[];
  /** Whether the file has a Description column: whether it can describe indicators to create. */
  describes: boolean;
}

/** What `readValueRows` checks a sheet against. */
export interface ValueRowsContext {
  year: number;
  indicators: (TransferIndicator & { ownerId?: string | null | undefined; ownerName?: string | null | undefined })[];
  periodIds: ReadonlyMap<string, string>;
  merges?: readonly MergedArea[];
  /** The officer's own names for columns, remembered for the organisation (normalised header → column). */
  mappings?: ReadonlyMap<string, HeaderMapping>;
  /** The organisation's statuses: a Status column is read only when they are given. */
  statuses?: readonly FileStatusEntry[];
  /** The organisation's people: an Owner column is matched to them when they are given. */
  people?: readonly { id: string; name: string }[];
}

/** Rows checked between the looks at the clock of `readValueRowsTurning`. */
const ROWS_A_STEP = 256;

/**
 * Checks every row of a sheet against the organisation's indicators and reporting periods of
 * `year`, and returns the values to record or every problem found (never some of each), with
 * notices: what the file holds that is not imported, said rather than dropped.
 */
export function readValueRows(rows: SheetRow[], context: ValueRowsContext): ValueRowsRead {
  const steps = valueRowSteps(rows, context);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same, letting the event loop turn every `turnEveryMs` of checking: a file of 100,000 rows
 * (AMBER_MAX_ROWS) takes over a second, and other requests would wait for all of it.
 */
export async function readValueRowsTurning(
  rows: SheetRow[],
  context: ValueRowsContext,
  turnEveryMs = TURN_EVERY_MS,
): Promise<ValueRowsRead> {
  const steps = valueRowSteps(rows, context);
  const turn = loopTurns(turnEveryMs);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await turn();
  }
}

/** The check itself, a step at a time: it stops after every ROWS_A_STEP rows. */
function* valueRowSteps(rows: SheetRow[], context: ValueRowsContext): Generator<void, ValueRowsRead, void> {
  const problems: Problem[] = [];
  const notices: Problem[] = [];
  const mappings = context.mappings ?? new Map<string, HeaderMapping>();
  const none = (p: Problem[], unknownHeaders: string[] = []) => ({
    writes: [],
    problems: p,
    notices: [],
    owners: [],
    unknownHeaders,
    missing: [],
    describes: false,
  });
  const headerIndex = rows.findIndex((r) => r.cells.some((c) => recogniseHeader(text(c), mappings)?.key === 'code'));
  if (headerIndex < 0 || headerIndex > 9) {
    const first = rows.find((r) => !isBlank(r.cells));
    const typo = first?.cells.map(text).find((c) => suggestColumn(c) === 'PI No');
    const message = typo
      ? `Column '${typo}' is not a column Amber knows: did you mean 'PI No'?`
      : rows.length === 0
        ? 'The file is empty: use the template, with a header row starting PI No'
        : 'There is no PI No column: the header row needs one, as in the template, or say which column it is under “Name the file’s columns”';
    return none(
      [{ row: first?.number ?? 1, message }],
      first?.cells.map(text).filter((h) => h !== '' && !recogniseHeader(h, mappings)) ?? [],
    );
  }
  const header = rows[headerIndex]!;
  problems.push(...mergeProblems(context.merges, header.number));
  const columns: { index: number; key: ColumnKey; name: string; header: string }[] = [];
  const unknownHeaders: string[] = [];
  const otherYears: { header: string; year: number }[] = [];
  header.cells.forEach((cell, index) => {
    const h = text(cell);
    if (h === '') return;
    const match = recogniseHeader(h, mappings);
    if (!match) {
      unknownHeaders.push(h);
      const s = suggestColumn(h);
      problems.push({
        row: header.number,
        column: h,
        message: `Column '${h}' is not a column Amber knows: ${
          s
            ? `did you mean '${s}'? Or say which column it is under “Name the file’s columns”`
            : `say which column it is under “Name the file’s columns”, or use the columns of the template (${COLUMNS.filter(
                (c) => !c.key.startsWith('period:month'),
              )
                .map((c) => c.name)
                .join(', ')}, Apr to Mar)`
        }`,
      });
      return;
    }
    if (match.key === 'ignore') return;
    const key = match.key;
    const dated = /^(period|target|status):/.test(key);
    if (dated && match.year !== undefined && match.year !== context.year) {
      otherYears.push({ header: h, year: match.year });
      return;
    }
    const same = columns.find((c) => c.key === key);
    if (same) {
      problems.push({
        row: header.number,
        column: h,
        message: `Columns '${same.header}' and '${h}' are both ${match.name}: keep one`,
      });
      return;
    }
    columns.push({ index, key, name: match.name, header: h });
  });
  const dataColumns = columns.filter((c) => /^(period|target):/.test(c.key));
  if (dataColumns.length === 0 && otherYears.length > 0) {
    const years = [...new Set(otherYears.map((o) => o.year))];
    problems.push({
      row: header.number,
      message: `The file’s columns are for ${years.map(financialYearLabel).join(' and ')}, not ${financialYearLabel(context.year)}: choose ${financialYearLabel(years[0]!)} as the financial year`,
    });
  } else {
    for (const o of otherYears)
      notices.push({
        row: header.number,
        column: o.header,
        message: `Column '${o.header}' is for ${financialYearLabel(o.year)}, and the file was imported for ${financialYearLabel(context.year)}: it was not imported`,
      });
  }

  const byCode = new Map(context.indicators.map((i) => [i.code.toLowerCase(), i]));
  const codeColumn = columns.find((c) => c.key === 'code')!;
  const targetColumn = columns.find((c) => c.key === 'target');
  const commentColumn = columns.find((c) => c.key === 'comment');
  const statusColumn = context.statuses ? columns.find((c) => c.key === 'status') : undefined;
  const ownerColumn = columns.find((c) => c.key === 'owner');
  const titleColumn = columns.find((c) => c.key === 'title');
  const polarityColumn = columns.find((c) => c.key === 'polarity');
  const missing: MissingRow[] = [];
  const periodColumns = columns.filter((c) => c.key.startsWith('period:'));
  const periodTargetColumns = columns.filter((c) => c.key.startsWith('target:'));
  const periodStatusColumns = context.statuses ? columns.filter((c) => c.key.startsWith('status:')) : [];
  if (!context.statuses)
    for (const c of columns.filter((x) => x.key === 'status' || x.key.startsWith('status:')))
      notices.push({ row: header.number, column: c.header, message: `Column '${c.header}' was not read` });
  const seen = new Map<string, number>();
  const writes: ValueWrite[] = [];
  const owners: OwnerChange[] = [];
  const people = new Map<string, { id: string; name: string }[]>();
  for (const p of context.people ?? [])
    people.set(personWords(p.name), [...(people.get(personWords(p.name)) ?? []), p]);

  let rowsRead = 0;
  for (const row of rows.slice(headerIndex + 1)) {
    if (++rowsRead % ROWS_A_STEP === 0) yield;
    if (isBlank(row.cells)) continue;
    const at = (n: number, column: string | undefined, message: string) =>
      problems.push({ row: n, ...(column ? { column } : {}), message });
    const code = text(row.cells[codeColumn.index]);
    if (code === '') {
      at(row.number, codeColumn.header, 'Enter the PI No of the indicator, or delete the row');
      continue;
    }
    const indicator = byCode.get(code.toLowerCase());
    if (!indicator) {
      const again = missing.find((m) => m.code.toLowerCase() === code.toLowerCase());
      if (again) {
        at(row.number, codeColumn.header, `${code} is also in row ${again.row}: give each indicator one row`);
        continue;
      }
      const filled = periodColumns.filter((c) => text(row.cells[c.index]) !== '');
      missing.push({
        row: row.number,
        code,
        title: titleColumn ? text(row.cells[titleColumn.index]) : '',
        goodIs: polarityColumn ? text(row.cells[polarityColumn.index]) : '',
        kinds: [...new Set(filled.map((c) => periodOf(c.key, context.year)!.kind))],
        texts: [...filled, ...periodTargetColumns, ...(targetColumn ? [targetColumn] : [])]
          .map((c) => text(row.cells[c.index]))
          .flatMap((t) => t.split(/\s+to\s+/i))
          .filter((t) => t !== ''),
      });
      problems.push({
        row: row.number,
        column: codeColumn.header,
        message: `There is no indicator ${code} in Amber: add it first, or check the PI No`,
        missingCode: code,
      });
      continue;
    }
    if (seen.has(indicator.code)) {
      at(
        row.number,
        codeColumn.header,
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

    /** A target cell: one value, or "low to high" for an indicator with a target range; null when refused. */
    const readTarget = (column: {
      index: number;
      header: string;
    }): { target: Scaled | undefined; targetHigh: Scaled | null | undefined } | null => {
      const cell = row.cells[column.index];
      const targetText = text(cell);
      if (targetText === '') return { target: undefined, targetHigh: undefined };
      if (indicator.polarity === 'none') {
        at(
          row.number,
          column.header,
          `${indicator.code} has no target (it is for information): leave the ${column.header} blank`,
        );
        return null;
      }
      if (indicator.polarity === 'band') {
        const parts = targetText.split(/\s+to\s+/i);
        const range = () =>
          at(row.number, column.header, `${indicator.code} has a target range: write it like 95 to 100`);
        if (parts.length !== 2) return (range(), null);
        const low = read(parts[0], column.header);
        const high = read(parts[1], column.header);
        if (low === null || high === null) return null;
        if (low === undefined || high === undefined) return (range(), null);
        if (low > high) {
          at(row.number, column.header, 'The top of the target range must not be below its bottom');
          return null;
        }
        return { target: low, targetHigh: high };
      }
      const t = read(cell, column.header);
      return t === null ? null : { target: t, targetHigh: null };
    };

    const kind = KIND_OF_FREQUENCY[indicator.frequency];
    /** A per-period column of the wrong kind is a problem; of a period not set up, too. */
    const periodFor = (c: { key: ColumnKey; header: string }): Period | undefined => {
      const period = periodOf(c.key, context.year)!;
      if (period.kind !== kind) {
        at(
          row.number,
          c.header,
          `${indicator.code} is reported ${indicator.frequency}: put its values in ${COLUMNS_OF_KIND[kind]}`,
        );
        return undefined;
      }
      if (!context.periodIds.has(period.key)) {
        at(row.number, c.header, `${periodLabel(period)} is not a reporting period: add it first`);
        return undefined;
      }
      return period;
    };

    let targetOk = true;
    const yearTarget = targetColumn ? readTarget(targetColumn) : { target: undefined, targetHigh: undefined };
    if (yearTarget === null) targetOk = false;
    const given = new Map<string, { period: Period; actual: Scaled | undefined; target?: typeof yearTarget }>();
    for (const c of periodColumns) {
      const cell = row.cells[c.index];
      if (text(cell) === '') continue;
      const actual = read(cell, c.header);
      if (actual === null || actual === undefined) continue;
      const period = periodFor(c);
      if (period) given.set(period.key, { period, actual });
    }
    // A period's own target (Q1 target) is used for that period instead of the year's Target.
    for (const c of periodTargetColumns) {
      if (text(row.cells[c.index]) === '') continue;
      const period = periodFor(c);
      const t = readTarget(c);
      if (t === null) targetOk = false;
      if (!period || !t) continue;
      given.set(period.key, { period, actual: given.get(period.key)?.actual, target: t });
    }
    const ordered = [...given.values()].sort((a, b) => a.period.startsOn.localeCompare(b.period.startsOn));
    const withActual = ordered.filter((g) => g.actual !== undefined);
    const latest = withActual[withActual.length - 1];

    const comment = commentColumn ? text(row.cells[commentColumn.index]) : '';
    if (comment.length > 5_000) at(row.number, commentColumn!.header, 'Commentary must be 5,000 characters or fewer');
    if (comment !== '' && !latest && problems.length === problemsBefore)
      at(
        row.number,
        commentColumn!.header,
        `The commentary is kept with the latest period given, and this row gives no values for ${financialYearLabel(context.year)}`,
      );

    // Statuses: the Status column is the latest period's; "Q2 status" is Q2's.
    const statuses = new Map<string, FileStatus>();
    const statusOf = (c: { index: number; header: string }, periodKey: string | undefined, what: string) => {
      const t = text(row.cells[c.index]);
      if (t === '') return;
      const found = matchStatus(t, context.statuses ?? []);
      if (!found) {
        at(
          row.number,
          c.header,
          `'${t}' is not a status of your scale: use ${(context.statuses ?? []).map((s) => s.label).join(', ')}, or leave it blank`,
        );
        return;
      }
      if (!periodKey) {
        at(
          row.number,
          c.header,
          `A status is kept with ${what}, and this row gives none: add it, or leave the status blank`,
        );
        return;
      }
      statuses.set(periodKey, { key: found.key, label: found.label, row: row.number, column: c.header });
    };
    if (statusColumn) statusOf(statusColumn, latest?.period.key, 'the latest period’s value');
    for (const c of periodStatusColumns) {
      const period = periodOf(c.key, context.year)!;
      statusOf(
        c,
        given.get(period.key)?.actual !== undefined ? period.key : undefined,
        `${periodLabel(period)}’s value`,
      );
    }

    if (ownerColumn) {
      const named = text(row.cells[ownerColumn.index]);
      const matches = named === '' ? [] : (people.get(personWords(named)) ?? []);
      if (named === '' || !context.people) {
        // Nothing to match, or nobody to match against.
      } else if (matches.length !== 1) {
        notices.push({
          row: row.number,
          column: ownerColumn.header,
          message:
            matches.length === 0
              ? `'${named}' is not a person in Amber, so ${indicator.code}’s owner was not changed: add them under People, or choose the owner on the indicator’s page`
              : `${matches.length} people in Amber are called '${named}', so ${indicator.code}’s owner was not changed: choose the owner on the indicator’s page`,
        });
      } else if (matches[0]!.id !== indicator.ownerId) {
        if (indicator.ownerId)
          notices.push({
            row: row.number,
            column: ownerColumn.header,
            message: `The file names ${matches[0]!.name} as ${indicator.code}’s owner, and Amber has ${indicator.ownerName ?? 'someone else'}: the owner was not changed; change it on the indicator’s page if the file is right`,
          });
        else
          owners.push({
            indicatorId: indicator.id,
            code: indicator.code,
            personId: matches[0]!.id,
            personName: matches[0]!.name,
            row: row.number,
          });
      }
    }

    if (!targetOk) continue;
    for (const g of ordered) {
      const target = g.target ?? yearTarget!;
      if (g.actual === undefined && target.target === undefined) continue;
      writes.push({
        indicatorId: indicator.id,
        periodId: context.periodIds.get(g.period.key)!,
        periodKey: g.period.key,
        actual: g.actual,
        target: target.target,
        targetHigh: target.targetHigh,
        comment: g === latest && comment !== '' ? comment : undefined,
        ...(statuses.has(g.period.key) ? { status: statuses.get(g.period.key) } : {}),
      });
    }
  }
  const describes = titleColumn !== undefined;
  return problems.length > 0
    ? { writes: [], problems, notices: [], owners: [], unknownHeaders, missing, describes }
    : { writes, problems, notices, owners, unknownHeaders, missing, describes };
}

const FREQUENCY_OF_KIND: Record<PeriodKind, Frequency> = {
  month: 'monthly',
  quarter: 'quarterly',
  half: 'half-yearly',
  year: 'annual',
};

/** "Higher", "Lower is better", "Within range", "n/a": which way is better, as councils write it. */
export function polarityOf(goodIs: string): Polarity | undefined {
  const t = words(goodIs);
  if (/^(higher|high|up|bigger|more|increase|maximise|big)\b/.test(t)) return 'higher';
  if (/^(lower|low|down|smaller|less|decrease|minimise|small)\b/.test(t)) return 'lower';
  if (/^(within|in range|range|band|between)\b/.test(t)) return 'band';
  if (/^(n a|na|none|neither|information|info|not applicable|no target)\b/.test(t)) return 'none';
  return undefined;
}

/**
 * The unit a row's values are in: a percentage when one is typed with %, money with £, days or
 * hours when they say so, else a number; with the fewest decimal places that hold every value.
 */
export function unitOfValues(texts: readonly string[]): Unit | undefined {
  const all = texts.join(' ');
  const kind: Unit['kind'] = all.includes('%')
    ? 'percentage'
    : all.includes('£')
      ? 'money'
      : /\bdays?\b/i.test(all)
        ? 'days'
        : /\b(hours?|hrs?)\b/i.test(all)
          ? 'hours'
          : 'number';
  for (let d = kind === 'money' ? 2 : 0; d <= 4; d++) {
    const unit: Unit = { kind, decimalPlaces: d };
    if (texts.every((t) => parseValue(t, unit).ok)) return unit;
    if (kind === 'money') break;
  }
  return undefined;
}

const UNIT_LABELS: Record<Unit['kind'], string> = {
  number: 'Number',
  percentage: 'Percentage',
  money: 'Money (£)',
  days: 'Days',
  hours: 'Hours',
  ratio: 'Ratio',
  'per-1000': 'Rate per 1,000',
};
/** "Percentage, 1 decimal place", as the preview shows a proposed unit. */
export const unitLabel = (unit: Unit) =>
  unit.kind === 'money'
    ? UNIT_LABELS.money
    : `${UNIT_LABELS[unit.kind]}, ${unit.decimalPlaces} decimal ${unit.decimalPlaces === 1 ? 'place' : 'places'}`;

/** An indicator the file would create: its definition as the form sends it, and what to show of it. */
export interface ProposedIndicator {
  row: number;
  code: string;
  title: string;
  polarity: Polarity;
  frequency: Frequency;
  unit: Unit;
  /** The fields of the indicator form (`readDefinition`): the organisation's default tolerance. */
  input: Record<string, string>;
}

/**
 * What the file says of an indicator not in Amber, as a definition to create after the officer
 * has seen it, or the problems that stop it (each naming the row and column to fill in).
 */
export function proposeIndicator(m: MissingRow): { proposed?: ProposedIndicator; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (column: string, message: string) => problems.push({ row: m.row, column, message });
  if (m.title === '') at('Description', `Enter a Description for ${m.code}, so Amber can create it`);
  const polarity = polarityOf(m.goodIs);
  if (!polarity)
    at(
      'Good is?',
      m.goodIs === ''
        ? `Say in Good is? whether Higher or Lower is better for ${m.code}, so Amber can create it`
        : `"${m.goodIs}" does not say which way is better: write Higher, Lower, Within range or n/a`,
    );
  if (m.kinds.length !== 1)
    at(
      'PI No',
      m.kinds.length === 0
        ? `${m.code} has no values in the file, so Amber cannot tell how often it is reported: add it first, or give its values`
        : `${m.code} has values in columns of different periods (${m.kinds.map((k) => COLUMNS_OF_KIND[k]).join(' and ')}): keep the one it is reported in`,
    );
  const unit = unitOfValues(m.texts);
  if (!unit) at('PI No', `Amber cannot tell ${m.code}’s unit from its values: add it first, under Indicators`);
  if (problems.length > 0 || !polarity || !unit || m.kinds.length !== 1) return { problems };
  const frequency = FREQUENCY_OF_KIND[m.kinds[0]!];
  return {
    problems,
    proposed: {
      row: m.row,
      code: m.code,
      title: m.title,
      polarity,
      frequency,
      unit,
      input: {
        code: m.code,
        title: m.title,
        unitKind: unit.kind,
        decimalPlaces: String(unit.decimalPlaces),
        polarity,
        frequency,
        ruleKind: 'default',
        chartKind: 'line',
      },
    },
  };
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
  /**
   * Period key → target, when the periods of the year have targets of their own (they differ, or
   * one is set ahead of its value): written in the "Q1 target" columns, with Target left blank.
   */
  targets?: ReadonlyMap<string, Scaled | { low: Scaled; high: Scaled }>;
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
export function layoutColumns(
  frequencies: readonly Frequency[],
  /** How often the indicators with targets of their own per period are reported. */
  perPeriodTargets: readonly Frequency[] = [],
): ColumnDef[] {
  const kinds = new Set(frequencies.map((f) => KIND_OF_FREQUENCY[f]));
  const targetKinds = new Set(perPeriodTargets.map((f) => KIND_OF_FREQUENCY[f]));
  const targetCols = (['half', 'quarter', 'month'] as const)
    .filter((k) => targetKinds.has(k))
    .flatMap((k) => PERIOD_COLUMNS.filter((c) => c.key.startsWith(`period:${k}:`)))
    .map((c): ColumnDef => {
      const key = c.key.replace('period:', 'target:') as ColumnKey;
      return { key, name: columnName(key), aliases: [] };
    });
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
    ...targetCols,
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
  const cols = layoutColumns(
    rows.map((r) => r.frequency),
    rows.filter((r) => r.targets && r.targets.size > 0).map((r) => r.frequency),
  );
  const out: OutCell[][] = [cols.map((c) => c.name)];
  // Each column's period found once, not once a cell: 12,500 indicators are 250,000 cells.
  const periods = cols.map((c) => periodOf(c.key, year));
  for (const r of rows) {
    const value = (v: Scaled): OutCell =>
      asNumbers ? { number: scaledNumber(v, r.unit), format: numberFormat(r.unit) } : format(v, r.unit);
    const targetCell = (t: Scaled | { low: Scaled; high: Scaled }): OutCell =>
      typeof t === 'object' ? `${cellText(value(t.low))} to ${cellText(value(t.high))}` : value(t);
    out.push(
      cols.map((c, j): OutCell => {
        switch (c.key) {
          case 'code':
            return r.code;
          case 'title':
            return r.title;
          case 'polarity':
            return GOOD_IS[r.polarity];
          case 'target':
            if (r.target === undefined || (r.targets && r.targets.size > 0)) return '';
            return targetCell(r.target);
          case 'ytd':
            return r.ytd;
          case 'status':
            return r.status;
          case 'owner':
            return r.owner;
          case 'comment':
            return r.comment;
          default: {
            const period = periods[j]!;
            if (c.key.startsWith('target:')) {
              const t = r.targets?.get(period.key);
              return t === undefined ? '' : targetCell(t);
            }
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

/**
 * The mapping form: each row a header as the file wrote it and the column it is (`ignore` for
 * none; empty to forget it). A row with neither is one of the form's spare rows, and is skipped.
 */
export const headerMappingsInput = z.object({
  mappings: z.preprocess(
    (v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : v && typeof v === 'object' ? Object.values(v) : []),
    z
      .array(
        z
          .object({
            header: z.preprocess(
              (v) => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : ''),
              z.string().max(200, 'A header must be 200 characters or fewer'),
            ),
            column: z.preprocess(
              (v) => (typeof v === 'string' ? v.trim() : ''),
              z.string().refine((s) => s === '' || isHeaderMapping(s), 'Choose one of Amber’s columns from the list'),
            ),
          })
          .superRefine((r, ctx) => {
            if (r.header === '' && r.column !== '')
              ctx.addIssue({ code: 'custom', path: ['header'], message: 'Enter the header as the file writes it' });
          }),
      )
      .max(200, 'Name at most 200 columns at once'),
  ),
});
