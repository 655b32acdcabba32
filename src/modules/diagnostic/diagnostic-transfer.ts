// The diagnostic's data in spreadsheets: the one workbook Amber writes (a template pre-filled with
// the exercise's taxonomy, or the exercise's data for correction) and reads back, and the checks
// that turn its rows into an exercise's data — every problem named by sheet, row and column,
// nothing written by this file. The service writes the whole workbook in one transaction only
// when there is no problem at all.
//
// Sheets (headers matched whatever the case and spacing; columns in any order):
//   Org units:   Code | Name | Parent code | Central function | Users | Floor area (m²)
//   Posts:       Post ID | Org unit code | Job title | Grade | FTE | Annual pay cost (£) | Manager post ID | Vacant | Contract type
//   Allocations: Post ID | Process code | % of time          (one row per post and process; X01, Z99 allowed)
//   Non-pay:     Category | Description | Amount (£) | Process code | Function code | Org unit code | Basis
//   Volumes:     Process code | Process | Volume driver | Volume   (pre-filled; a blank volume is "not collected")
//   Taxonomy:    reference only, never read.
// CSV: each sheet may also be uploaded as its own CSV file with the same columns (see readCsvSheet);
// a CSV download escapes text that a spreadsheet would run as a formula, and reading drops it again.

import type * as ExcelJS from 'exceljs';
import {
  type Post,
  type Taxonomy,
  type OrgUnit,
  MANAGING_OWN_TEAM,
  FRONT_LINE,
  SINK_CODES,
  DEFAULT_LIMITS,
  formatFte,
  parseFte,
  validatePosts,
} from '../../domain/diagnostic/baseline.ts';
import { type Money, formatMoney, parseMoney } from '../../domain/diagnostic/money.ts';
import { formatScaled, parsePercent } from '../../domain/diagnostic/decimal.ts';
import {
  NON_PAY_BASES,
  NON_PAY_CATEGORIES,
  NON_PAY_CATEGORY_LABELS,
  type NonPayBasis,
  type NonPayCategory,
  validateNonPay,
} from '../../domain/diagnostic/non-pay.ts';
import { ValidationError } from '../../domain/errors.ts';
import { CsvSyntaxError, columnName, streamCsv, writeCsv } from '../../platform/csv.ts';
import {
  isXlsx,
  cellText,
  mergedMessage,
  mergesFrom,
  loadExcel,
  numberText,
  spreadsheetLimits,
  type MergedArea,
  type SpreadsheetLimits,
} from '../../platform/spreadsheet.ts';
import { DEFAULT_INPUT_LIMITS } from '../../config.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { readWorkbookStreaming } from './diagnostic-stream-reader.ts';
import type { ExerciseData, NonPayRecord, PostRecord, UnitRecord, VolumeRecord } from './diagnostic.repository.ts';

export const SHEETS = {
  units: 'Org units',
  posts: 'Posts',
  allocations: 'Allocations',
  nonPay: 'Non-pay',
  volumes: 'Volumes',
  taxonomy: 'Taxonomy',
} as const;
type SheetKey = Exclude<keyof typeof SHEETS, 'taxonomy'>;

interface Column {
  key: string;
  name: string;
  required: boolean;
  aliases?: string[];
}
const COLUMNS: Record<SheetKey, Column[]> = {
  units: [
    { key: 'code', name: 'Code', required: true },
    { key: 'name', name: 'Name', required: true },
    { key: 'parent', name: 'Parent code', required: true },
    { key: 'central', name: 'Central function', required: false },
    { key: 'users', name: 'Users', required: false },
    { key: 'area', name: 'Floor area (m²)', required: false, aliases: ['Floor area', 'Area (m2)', 'm²', 'm2'] },
  ],
  posts: [
    { key: 'code', name: 'Post ID', required: true },
    { key: 'unit', name: 'Org unit code', required: true },
    { key: 'title', name: 'Job title', required: false },
    { key: 'grade', name: 'Grade', required: false },
    { key: 'fte', name: 'FTE', required: true },
    { key: 'pay', name: 'Annual pay cost (£)', required: true, aliases: ['Annual pay cost', 'Pay cost'] },
    { key: 'manager', name: 'Manager post ID', required: true },
    { key: 'vacant', name: 'Vacant', required: false },
    { key: 'contract', name: 'Contract type', required: false },
  ],
  allocations: [
    { key: 'post', name: 'Post ID', required: true },
    { key: 'process', name: 'Process code', required: true },
    { key: 'pct', name: '% of time', required: true, aliases: ['Percent', 'Percentage', '%'] },
  ],
  nonPay: [
    { key: 'category', name: 'Category', required: true },
    { key: 'description', name: 'Description', required: false },
    { key: 'amount', name: 'Amount (£)', required: true, aliases: ['Amount'] },
    { key: 'process', name: 'Process code', required: false },
    { key: 'function', name: 'Function code', required: false },
    { key: 'unit', name: 'Org unit code', required: false },
    { key: 'basis', name: 'Basis', required: false },
  ],
  volumes: [
    { key: 'process', name: 'Process code', required: true },
    { key: 'processName', name: 'Process', required: false },
    { key: 'driver', name: 'Volume driver', required: false },
    { key: 'volume', name: 'Volume', required: true },
  ],
};

export interface SheetProblem {
  sheet: string;
  row: number | undefined;
  column: string | undefined;
  message: string;
}

export const describeProblem = (p: SheetProblem): string =>
  `${p.sheet} sheet${p.row !== undefined ? `, row ${p.row}` : ''}${p.column ? `, column ${p.column}` : ''}: ${p.message}`;

// ---------------------------------------------------------------------------------------------
// Reading

export { isXlsx } from '../../platform/spreadsheet.ts';

export interface RawSheet {
  name: string;
  rows: { number: number; cells: string[] }[];
  /** An XLSX sheet's merged areas, refused where they join cells at or below the header. */
  merges?: MergedArea[];
}

/**
 * A sheet as parseWorkbook reads it: rows read from a file (a RawSheet), or rows made one at a
 * time from what the database holds (storedSheetsOf), never all kept.
 */
export interface SheetSource {
  name: string;
  rows: Iterable<{ number: number; cells: string[] }>;
  merges?: MergedArea[];
}

/**
 * Every sheet of a workbook, or one sheet uploaded as CSV, each read as a stream, within the deployment's limits, as text cells: dates as UK dates,
 * true/false as TRUE/FALSE, text a spreadsheet would run as a formula without its apostrophe.
 * Anything refused is a ValidationError on `file` naming the sheet, row or cell.
 */
export async function readWorkbook(
  data: Buffer,
  limits: SpreadsheetLimits = DEFAULT_SHEET_LIMITS,
): Promise<RawSheet[]> {
  // A row at a time (diagnostic-stream-reader.ts): a large council's workbook read whole took
  // 685 MB (issue 12). A CSV file likewise (readCsvSheet), as one sheet without a name.
  if (isXlsx(data)) return readWorkbookStreaming(data, limits);
  return [await readCsvSheet('', data, limits)];
}

const DEFAULT_SHEET_LIMITS = spreadsheetLimits(DEFAULT_INPUT_LIMITS);

/** The longest cell a diagnostic sheet holds: its longest field is a short line (a job title, a description). */
export const CSV_CELL_CHARS = TEXT_LIMITS.short;

/**
 * One sheet uploaded as CSV (in any encoding platform/csv.ts recognises), read a row at a time
 * (issue 12: read whole, a large council's sheet was decoded, parsed and copied to the reader
 * thread in full, several times its size, before a row was checked); only each row's cells as
 * text are kept, its blank rows dropped, each row keeping its number. Within the deployment's
 * rows and columns and CSV_CELL_CHARS a cell. A file that is not text, not well-formed CSV, or
 * past a limit is refused naming the sheet (and the row and column).
 */
export async function readCsvSheet(
  name: string,
  data: Buffer | string,
  limits: SpreadsheetLimits = DEFAULT_SHEET_LIMITS,
): Promise<RawSheet> {
  const rows: RawSheet['rows'] = [];
  try {
    for await (const slice of streamCsv(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, {
      maxRows: limits.rows,
      maxColumns: limits.columns,
      maxCellChars: CSV_CELL_CHARS,
    }))
      for (const row of slice) {
        const cells = row.cells.map(cellText);
        if (cells.some((c) => c !== '')) rows.push({ number: row.number, cells });
      }
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw ValidationError.single(
        'file',
        describeProblem({ sheet: name, row: error.row, column: undefined, message: error.reason }),
      );
    // A limit passed names the sheet as well as the row; a file that is not text is not a sheet.
    if (error instanceof ValidationError)
      throw name === ''
        ? error
        : new ValidationError(
            error.issues.map((i) =>
              /^The file is not/.test(i.message) ? i : { ...i, message: `${name} sheet: ${i.message}` },
            ),
          );
    throw error;
  }
  return { name, rows, merges: [] };
}

const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9%²£]+/g, ' ')
    .trim();

interface Located {
  sheet: string;
  row: number;
  get(key: string): string;
  column(key: string): string;
}

/**
 * The rows of one sheet, located by header, or the problems with its header. A row at a time, as
 * the caller reads them: a sheet made from the database is never held whole (issue 12).
 */
function* locate(sheet: SheetSource | undefined, key: SheetKey, problems: SheetProblem[]): Generator<Located> {
  const name = SHEETS[key];
  if (!sheet) {
    problems.push({
      sheet: name,
      row: undefined,
      column: undefined,
      message: `The workbook has no "${name}" sheet: download a new template and copy your data into it`,
    });
    return;
  }
  const columns = COLUMNS[key];
  // The header is the first row naming the first column (rows above it may hold a title).
  const rows = sheet.rows[Symbol.iterator]();
  const first = normalise(columns[0]!.name);
  let header: { number: number; cells: string[] } | undefined;
  for (let r = rows.next(); !r.done; r = rows.next())
    if (r.value.cells.some((c) => normalise(c) === first)) {
      header = r.value;
      break;
    }
  if (!header) {
    problems.push({
      sheet: name,
      row: undefined,
      column: undefined,
      message: `No header row with a "${columns[0]!.name}" column was found`,
    });
    return;
  }
  for (const area of mergesFrom({ merges: sheet.merges ?? [] }, header.number))
    problems.push({ sheet: name, row: area.top, column: undefined, message: mergedMessage(area) });
  const position = new Map<string, number>();
  for (const col of columns) {
    const names = [col.name, ...(col.aliases ?? [])].map(normalise);
    const at = header.cells.findIndex((c) => names.includes(normalise(c)));
    if (at >= 0) position.set(col.key, at);
    else if (col.required)
      problems.push({
        sheet: name,
        row: header.number,
        column: undefined,
        message: `The "${col.name}" column is missing`,
      });
  }
  if (columns.some((c) => c.required && !position.has(c.key))) return;
  const layout: SheetLayout = { name, columns, position };
  for (let r = rows.next(); !r.done; r = rows.next()) yield new LocatedRow(layout, r.value.number, r.value.cells);
}

interface SheetLayout {
  name: string;
  columns: Column[];
  position: Map<string, number>;
}

/**
 * A row with its sheet's layout: methods on a class rather than two closures per row, since a
 * large council's Allocations sheet has 120,000 rows kept until the whole workbook is checked
 * (issue 12: the upload's memory).
 */
class LocatedRow implements Located {
  readonly #layout: SheetLayout;
  readonly #cells: string[];
  readonly row: number;
  constructor(layout: SheetLayout, row: number, cells: string[]) {
    this.#layout = layout;
    this.row = row;
    this.#cells = cells;
  }
  get sheet(): string {
    return this.#layout.name;
  }
  get(k: string): string {
    const i = this.#layout.position.get(k);
    return i === undefined ? '' : (this.#cells[i] ?? '').trim();
  }
  column(k: string): string {
    const i = this.#layout.position.get(k);
    const col = this.#layout.columns.find((c) => c.key === k)!;
    return i === undefined ? col.name : `${columnName(i)} (${col.name})`;
  }
}

const toPence = (text: string): Money | undefined => parseMoney(text.replace(/^£/, ''));
const yes = (t: string) => /^(y|yes|true|1|vacant)$/i.test(t);
const no = (t: string) => t === '' || /^(n|no|false|0|filled)$/i.test(t);

export interface ParsedWorkbook {
  data: ExerciseData;
  problems: SheetProblem[];
}

/**
 * Checks every sheet, every row and the data as a whole (allocations, managers, codes). A sheet
 * may be one made from the database (storedSheetsOf): it is checked as if it had been uploaded,
 * so a CSV sheet is refused with the same words as the whole workbook would be.
 */
export function parseWorkbook(sheets: readonly SheetSource[], taxonomy: Taxonomy): ParsedWorkbook {
  const problems: SheetProblem[] = [];
  const byName = new Map(sheets.map((s) => [normalise(s.name), s] as const));
  const sheet = (key: SheetKey) => byName.get(normalise(SHEETS[key]));
  const add = (r: Located, key: string, message: string) =>
    problems.push({ sheet: r.sheet, row: r.row, column: r.column(key), message });
  const functions = new Set(taxonomy.functions.map((f) => f.code));
  const processes = new Set(taxonomy.processes.map((p) => p.code));
  const allocationCodes = new Set([...processes, ...SINK_CODES]);

  // Org units
  const units: UnitRecord[] = [];
  const unitRows = new Map<string, Located>();
  for (const r of locate(sheet('units'), 'units', problems)) {
    const code = r.get('code');
    if (!code) {
      add(r, 'code', 'Enter the unit’s code');
      continue;
    }
    if (unitRows.has(code)) {
      add(r, 'code', `Unit ${code} appears twice (also on row ${unitRows.get(code)!.row})`);
      continue;
    }
    unitRows.set(code, r);
    const name = r.get('name');
    if (!name) add(r, 'name', 'Enter the unit’s name');
    const central = r.get('central').toUpperCase();
    if (central && !functions.has(central)) add(r, 'central', `"${central}" is not a function of the taxonomy`);
    const count = (k: string, what: string) => {
      const t = r.get(k).replace(/,/g, '');
      if (t === '') return null;
      if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
        add(r, k, `${what} must be a whole number, 0 or more`);
        return null;
      }
      return Number(t);
    };
    units.push({
      code,
      name,
      parentCode: r.get('parent') || null,
      centralFunctionCode: central || null,
      users: count('users', 'Users'),
      areaM2: count('area', 'Floor area'),
      row: r.row,
    });
  }
  for (const u of units) {
    if (u.parentCode !== null && !unitRows.has(u.parentCode))
      add(unitRows.get(u.code)!, 'parent', `"${u.parentCode}" is not a unit on this sheet`);
  }
  // Loops in the unit tree
  const parentOf = new Map(units.map((u) => [u.code, u.parentCode] as const));
  for (const u of units) {
    const seen = new Set<string>([u.code]);
    for (let p = parentOf.get(u.code); p; p = parentOf.get(p) ?? null) {
      if (seen.has(p)) {
        if (p === u.code)
          add(unitRows.get(u.code)!, 'parent', `Unit ${u.code} is inside itself (its parent chain loops back to it)`);
        break;
      }
      seen.add(p);
    }
  }

  // Posts
  const posts: PostRecord[] = [];
  const postRows = new Map<string, Located>();
  for (const r of locate(sheet('posts'), 'posts', problems)) {
    const code = r.get('code');
    if (!code) {
      add(r, 'code', 'Enter the post ID');
      continue;
    }
    if (postRows.has(code)) {
      add(r, 'code', `Post ${code} appears twice (also on row ${postRows.get(code)!.row})`);
      continue;
    }
    postRows.set(code, r);
    const unit = r.get('unit');
    if (!unit) add(r, 'unit', 'Enter the org unit code');
    else if (!unitRows.has(unit)) add(r, 'unit', `"${unit}" is not a unit on the ${SHEETS.units} sheet`);
    const fteText = r.get('fte');
    const fte = parseFte(fteText);
    if (fte === undefined)
      add(
        r,
        'fte',
        fteText === ''
          ? 'Enter the FTE'
          : `"${fteText}" is not an FTE: enter a number like 0.8, to at most four decimal places`,
      );
    else if (fte < 0) add(r, 'fte', 'FTE must be zero or more');
    else if (fte > DEFAULT_LIMITS.maxFte)
      add(
        r,
        'fte',
        `FTE ${formatFte(fte)} is more than one post can hold (at most ${formatFte(DEFAULT_LIMITS.maxFte)})`,
      );
    const payText = r.get('pay');
    const pay = toPence(payText);
    if (pay === undefined)
      add(r, 'pay', payText === '' ? 'Enter the annual pay cost' : `"${payText}" is not an amount in pounds`);
    else if (pay < 0) add(r, 'pay', 'Pay cost must be zero or more');
    else if (pay > DEFAULT_LIMITS.maxPayCost)
      add(
        r,
        'pay',
        `Pay cost ${formatMoney(pay)} is more than the ${formatMoney(DEFAULT_LIMITS.maxPayCost)} allowed for one post: check it is in pounds, not pence`,
      );
    const vacantText = r.get('vacant');
    if (!yes(vacantText) && !no(vacantText)) add(r, 'vacant', `"${vacantText}" is not Y or N`);
    posts.push({
      code,
      unitCode: unit,
      title: r.get('title'),
      grade: r.get('grade'),
      fte: fte ?? 0,
      payCost: pay ?? 0,
      managerCode: r.get('manager') || null,
      vacant: yes(vacantText),
      contractType: r.get('contract'),
      row: r.row,
      allocations: [],
    });
  }
  for (const p of posts) {
    if (p.managerCode !== null && !postRows.has(p.managerCode))
      add(postRows.get(p.code)!, 'manager', `Manager post "${p.managerCode}" is not on the ${SHEETS.posts} sheet`);
  }

  // Allocations: each post's rows by number only (a large council has 120,000 of them), and the
  // percentage's column, the same for every row of the sheet.
  const postByCode = new Map(posts.map((p) => [p.code, p] as const));
  const allocationRows = new Map<string, number[]>();
  let pctColumn = '';
  for (const r of locate(sheet('allocations'), 'allocations', problems)) {
    const code = r.get('post');
    const post = postByCode.get(code);
    if (!code) {
      add(r, 'post', 'Enter the post ID');
      continue;
    }
    if (!post) {
      add(r, 'post', `"${code}" is not a post on the ${SHEETS.posts} sheet`);
      continue;
    }
    const process = r.get('process').toUpperCase();
    const pctText = r.get('pct');
    const pct = parsePercent(pctText);
    let ok = true;
    if (!allocationCodes.has(process)) {
      add(
        r,
        'process',
        process === ''
          ? 'Enter the process code'
          : `"${process}" is not a process in the taxonomy (nor ${MANAGING_OWN_TEAM} or ${FRONT_LINE})`,
      );
      ok = false;
    } else if (post.allocations.some((a) => a.processCode === process)) {
      add(r, 'process', `${process} is listed twice for post ${code}`);
      ok = false;
    }
    if (pct === undefined || pct < 0 || pct > 10_000) {
      add(r, 'pct', `"${pctText}" is not a percentage from 0 to 100, to at most two decimal places`);
      ok = false;
    }
    (allocationRows.get(code) ?? allocationRows.set(code, []).get(code)!).push(r.row);
    pctColumn ||= r.column('pct');
    if (ok) post.allocations.push({ processCode: process, pct: pct! });
  }

  // Non-pay
  const nonPay: NonPayRecord[] = [];
  const nonPayRows: Located[] = [];
  const categoryByText = new Map<string, NonPayCategory>();
  for (const c of NON_PAY_CATEGORIES) {
    categoryByText.set(c, c);
    categoryByText.set(normalise(NON_PAY_CATEGORY_LABELS[c]), c);
  }
  for (const r of locate(sheet('nonPay'), 'nonPay', problems)) {
    const category = categoryByText.get(normalise(r.get('category')));
    if (!category)
      add(
        r,
        'category',
        `"${r.get('category')}" is not a category: use ${NON_PAY_CATEGORIES.map((c) => NON_PAY_CATEGORY_LABELS[c]).join(', ')}`,
      );
    const amountText = r.get('amount');
    const amount = toPence(amountText);
    if (amount === undefined)
      add(r, 'amount', amountText === '' ? 'Enter the amount' : `"${amountText}" is not an amount in pounds`);
    else if (amount < 0) add(r, 'amount', 'Amount must be zero or more');
    const basisText = normalise(r.get('basis') || 'fte')
      .replace(/ share$/, '')
      .replace(/^(m²|m2|floor area)$/, 'area');
    const basis = (NON_PAY_BASES as readonly string[]).includes(basisText) ? (basisText as NonPayBasis) : undefined;
    if (!basis) add(r, 'basis', `"${r.get('basis')}" is not a basis: use FTE, users or area`);
    nonPay.push({
      category: category ?? 'other',
      description: r.get('description'),
      amount: amount ?? 0,
      processCode: r.get('process').toUpperCase() || null,
      functionCode: r.get('function').toUpperCase() || null,
      unitCode: r.get('unit') || null,
      basis: basis ?? 'fte',
      row: r.row,
    });
    nonPayRows.push(r);
  }

  // Volumes
  const volumes: VolumeRecord[] = [];
  const volumeSeen = new Map<string, number>();
  for (const r of locate(sheet('volumes'), 'volumes', problems)) {
    const process = r.get('process').toUpperCase();
    const text = r.get('volume').replace(/,/g, '');
    if (text === '') continue;
    if (!processes.has(process)) {
      add(r, 'process', `"${process}" is not a process in the taxonomy`);
      continue;
    }
    if (volumeSeen.has(process)) {
      add(r, 'process', `${process} appears twice (also on row ${volumeSeen.get(process)})`);
      continue;
    }
    volumeSeen.set(process, r.row);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      add(r, 'volume', `"${r.get('volume')}" is not a whole number, 0 or more`);
      continue;
    }
    volumes.push({ processCode: process, volume: Number(text), driver: r.get('driver'), row: r.row });
  }

  // The data as a whole: the domain's own checks, mapped back to where a person can fix them.
  const orgUnits: OrgUnit[] = units.map((u) => ({
    id: u.code,
    name: u.name,
    ...(u.parentCode ? { parentId: u.parentCode } : {}),
  }));
  const rowProblems = new Set(problems.filter((p) => p.row !== undefined).map((p) => `${p.sheet}:${p.row}`));
  const domainPosts: Post[] = posts
    .filter((p) => !rowProblems.has(`${SHEETS.posts}:${p.row}`))
    .map((p) => ({
      id: p.code,
      row: p.row,
      unitId: p.unitCode,
      fte: p.fte as Post['fte'],
      payCost: p.payCost as Money,
      ...(p.managerCode !== null && postRows.has(p.managerCode) ? { managerId: p.managerCode } : {}),
      allocations: p.allocations.map((a) => ({ process: a.processCode, pct: a.pct })),
    }));
  const postAtRow = new Map(posts.map((p) => [p.row, p] as const));
  for (const problem of validatePosts({ taxonomy, posts: domainPosts })) {
    const post = postAtRow.get(problem.row)!;
    const r = postRows.get(post.code)!;
    if (problem.field === 'allocations') {
      const rows = allocationRows.get(post.code);
      if (rows && rows.some((row) => rowProblems.has(`${SHEETS.allocations}:${row}`))) continue; // a bad row there is already named
      if (!rows)
        problems.push({
          sheet: SHEETS.allocations,
          row: undefined,
          column: undefined,
          message: `Post ${post.code} (${SHEETS.posts} sheet row ${post.row}) has no allocations: say how its time is spent (use ${FRONT_LINE} for front-line work)`,
        });
      else
        problems.push({
          sheet: SHEETS.allocations,
          row: rows[0]!,
          column: pctColumn,
          message: `Post ${post.code}: ${problem.message} (rows ${rows.join(', ')})`,
        });
    } else if (problem.field === 'managerId') {
      add(r, 'manager', problem.message);
    }
    // Other fields were checked row by row above.
  }
  const dataProblemsFor = validateNonPay({
    taxonomy,
    orgUnits,
    lines: nonPay.map((n) => ({
      row: n.row,
      category: n.category,
      amount: n.amount as Money,
      processCode: n.processCode ?? undefined,
      functionCode: n.functionCode ?? undefined,
      unitCode: n.unitCode ?? undefined,
      basis: n.basis,
    })),
  });
  const nonPayByRow = new Map(nonPayRows.map((r) => [r.row, r] as const));
  const columnOf: Record<string, string> = {
    processCode: 'process',
    functionCode: 'function',
    unitCode: 'unit',
    category: 'category',
    amount: 'amount',
    basis: 'basis',
  };
  for (const p of dataProblemsFor) {
    const r = nonPayByRow.get(p.row)!;
    if (
      rowProblems.has(`${r.sheet}:${r.row}`) &&
      (p.field === 'category' || p.field === 'amount' || p.field === 'basis')
    )
      continue;
    add(r, columnOf[p.field] ?? 'category', p.message);
  }

  problems.sort((a, b) => sheetOrder(a.sheet) - sheetOrder(b.sheet) || (a.row ?? 0) - (b.row ?? 0));
  return { data: { units, posts, nonPay, volumes }, problems };
}

const ORDER: string[] = Object.values(SHEETS);
const sheetOrder = (name: string) => ORDER.indexOf(name);

// ---------------------------------------------------------------------------------------------
// Writing

type Out = string | number | { number: number; format: string };
const POUNDS = '£#,##0.00';

function addSheet(
  workbook: ExcelJS.Workbook,
  name: string,
  header: string[],
  rows: Iterable<Out[]>,
  widths: number[],
  note?: string,
): void {
  const sheet = workbook.addWorksheet(name);
  const all: Out[][] = [header, ...rows];
  all.forEach((r, i) => {
    const row = sheet.getRow(i + 1);
    r.forEach((v, j) => {
      const cell = row.getCell(j + 1);
      if (typeof v === 'object') {
        cell.value = v.number;
        cell.numFmt = v.format;
      } else cell.value = v;
    });
    if (i === 0) row.font = { bold: true };
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  widths.forEach((w, j) => {
    sheet.getColumn(j + 1).width = w;
  });
  if (note) sheet.getCell(1, header.length + 2).value = note;
}

const poundsCell = (p: number): Out => ({ number: p / 100, format: POUNDS });
const fteCell = (f: number): Out => ({ number: Number(formatScaled(f, 4, 4, false)), format: '0.0###' });
const pctCell = (bp: number): Out => ({ number: Number(formatScaled(bp, 2, 2, false)), format: '0.##' });

/**
 * The sheets of a workbook as header + rows, numbers as numbers (shared by XLSX, CSV and the
 * check of a CSV sheet against the stored ones). Rows are made as they are read, so a sheet that
 * is only checked is never held whole.
 */
function sheetRows(
  taxonomy: Taxonomy,
  data: ExerciseData,
): { name: string; header: string[]; rows: Iterable<Out[]>; widths: number[]; note: string }[] {
  const h = (key: SheetKey) => COLUMNS[key].map((c) => c.name);
  const volumeOf = new Map(data.volumes.map((v) => [v.processCode, v] as const));
  const fnName = new Map(taxonomy.functions.map((f) => [f.code, f.name] as const));
  return [
    {
      name: SHEETS.units,
      header: h('units'),
      widths: [14, 36, 14, 16, 10, 14],
      note: 'Parent code blank for a directorate. Central function: the function code this unit is the central home of (e.g. FIN).',
      rows: lazily(data.units, (u) => [
        u.code,
        u.name,
        u.parentCode ?? '',
        u.centralFunctionCode ?? '',
        u.users ?? '',
        u.areaM2 ?? '',
      ]),
    },
    {
      name: SHEETS.posts,
      header: h('posts'),
      widths: [12, 14, 30, 10, 8, 18, 16, 8, 14],
      note: 'One row per post (no names needed). Pay cost: salary + employer NI + employer pension + allowances.',
      rows: lazily(data.posts, (p) => [
        p.code,
        p.unitCode,
        p.title,
        p.grade,
        fteCell(p.fte),
        poundsCell(p.payCost),
        p.managerCode ?? '',
        p.vacant ? 'Y' : 'N',
        p.contractType,
      ]),
    },
    {
      name: SHEETS.allocations,
      header: h('allocations'),
      widths: [12, 14, 10],
      note: `Each post's rows must add up to 100 (±0.5). ${MANAGING_OWN_TEAM}: managing own team; ${FRONT_LINE}: front-line work.`,
      rows: {
        *[Symbol.iterator]() {
          for (const p of data.posts) for (const a of p.allocations) yield [p.code, a.processCode, pctCell(a.pct)];
        },
      },
    },
    {
      name: SHEETS.nonPay,
      header: h('nonPay'),
      widths: [22, 36, 16, 14, 14, 14, 8],
      note: 'Give a process code, or a function and/or org unit to share the cost by Basis: fte, users or area. Blank: the whole organisation by FTE.',
      rows: lazily(data.nonPay, (n) => [
        NON_PAY_CATEGORY_LABELS[n.category],
        n.description,
        poundsCell(n.amount),
        n.processCode ?? '',
        n.functionCode ?? '',
        n.unitCode ?? '',
        n.basis,
      ]),
    },
    {
      name: SHEETS.volumes,
      header: h('volumes'),
      widths: [14, 36, 22, 12],
      note: 'Leave Volume blank when it is not collected.',
      rows: lazily(taxonomy.processes, (p) => [
        p.code,
        p.name,
        volumeOf.get(p.code)?.driver || p.volumeDriver || '',
        volumeOf.get(p.code)?.volume ?? '',
      ]),
    },
    {
      name: SHEETS.taxonomy,
      header: ['Function code', 'Function', 'Process code', 'Process', 'Type', 'Volume driver'],
      widths: [14, 30, 14, 36, 6, 20],
      note: 'Reference only: not read on upload.',
      rows: [
        ...taxonomy.processes.map((p) => [
          p.functionCode,
          fnName.get(p.functionCode) ?? '',
          p.code,
          p.name,
          p.type,
          p.volumeDriver ?? '',
        ]),
        ['', '', MANAGING_OWN_TEAM, 'Managing own team', '', ''],
        ['', '', FRONT_LINE, 'Front-line (non-back-office) work', '', ''],
      ],
    },
  ];
}

/** `items.map(row)` made a row at a time, each time it is read. */
const lazily = <T>(items: readonly T[], row: (item: T) => Out[]): Iterable<Out[]> => ({
  *[Symbol.iterator]() {
    for (const item of items) yield row(item);
  },
});

const outText = (v: Out): string =>
  typeof v === 'object' ? numberText(v.number) : typeof v === 'number' ? numberText(v) : v;

/** The data as the sheets an upload would give, without writing and reading a workbook. */
export function rawSheetsOf(taxonomy: Taxonomy, data: ExerciseData): RawSheet[] {
  return storedSheetsOf(taxonomy, data).map((s) => ({ name: s.name, rows: [...s.rows] }));
}

/**
 * The data as the sheets an upload would give, each row made as parseWorkbook reads it (the
 * header is row 1, as in the workbook Amber writes), leaving out the sheet named `except` — the
 * one a CSV upload brings. A CSV sheet of a large council is checked against the others this way
 * without their 135,000 rows of text ever held at once (issue 12: that was most of the upload's
 * memory), and refused with the same words, rows and columns as before.
 */
export function storedSheetsOf(taxonomy: Taxonomy, data: ExerciseData, except?: string): SheetSource[] {
  return sheetRows(taxonomy, data)
    .filter((s) => s.name !== except)
    .map((s) => ({
      name: s.name,
      rows: {
        *[Symbol.iterator]() {
          yield { number: 1, cells: s.header };
          let number = 1;
          for (const r of s.rows) yield { number: ++number, cells: r.map(outText) };
        },
      },
    }));
}

/** One sheet as CSV (platform/csv.ts: UTF-8 with a BOM, CRLF), for the CSV route of an upload. */
export function sheetCsv(taxonomy: Taxonomy, data: ExerciseData, name: string): string {
  const s = sheetRows(taxonomy, data).find((x) => x.name === name);
  if (!s) throw new RangeError(`no sheet ${name}`);
  return writeCsv(
    s.header,
    Array.from(s.rows, (r) => r.map(outText)),
  );
}

/**
 * The workbook: the exercise's data if it has any, else an empty template, always with the
 * taxonomy (reference sheet and pre-filled volume rows).
 */
export async function writeWorkbook(taxonomy: Taxonomy, data: ExerciseData): Promise<Buffer> {
  const workbook = new (await loadExcel()).Workbook();
  workbook.creator = 'Amber';
  for (const s of sheetRows(taxonomy, data)) addSheet(workbook, s.name, s.header, s.rows, s.widths, s.note);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** One table as a workbook of one sheet (the baseline's exports). */
export async function writeTableXlsx(title: string, header: string[], rows: Out[][]): Promise<Buffer> {
  const workbook = new (await loadExcel()).Workbook();
  workbook.creator = 'Amber';
  addSheet(
    workbook,
    title.slice(0, 31).replace(/[\\/*?:[\]]/g, ' '),
    header,
    rows,
    header.map((_, i) => (i === 0 ? 36 : 16)),
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
export type TableCell = Out;
export const cells = { pounds: poundsCell, fte: fteCell, pct: pctCell };

/** The sheet keys a CSV upload may name. */
export const CSV_SHEETS: Record<string, string> = {
  units: SHEETS.units,
  posts: SHEETS.posts,
  allocations: SHEETS.allocations,
  'non-pay': SHEETS.nonPay,
  volumes: SHEETS.volumes,
};
