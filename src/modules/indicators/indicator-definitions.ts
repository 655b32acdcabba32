// Indicator definitions in spreadsheets (issue 4): the layout Amber writes and reads, and the
// checks that turn a council's rows into definitions to create or update — every problem named
// by row and column, nothing written by this file. Each row is read into the fields the
// indicator form sends and parsed by the form's own parser (`readDefinition`, passed in), so a
// definition means the same whichever way it arrives.
//
// Layout, one row per indicator:
//   PI No | Title | Description | Unit | Decimal places | Good is? | Frequency | Year to date |
//   Tolerance ("5%", an amount in the unit, or blank for the organisation's default) | Owner | Priorities | Data source | Baseline
// Headers match whatever the case and spacing and may come in any order. A column left out of
// the file keeps what an existing indicator has (or the form's default for a new one); a blank
// cell in a column that is there means blank (no owner, no priorities, no baseline).

import {
  formatDecimal,
  UNIT_KINDS,
  POLARITIES,
  FREQUENCIES,
  YTD_METHODS,
  type UnitKind,
  type Polarity,
  type Frequency,
  type YtdMethod,
} from '../../domain/indicators/indicator.ts';
import type { FieldIssue } from '../../domain/errors.ts';
import type { MergedArea } from '../../platform/spreadsheet.ts';
import type { Indicator, IndicatorDefinition } from './indicator.service.ts';
import { UNIT_LABELS, POLARITY_LABELS, FREQUENCY_LABELS, YTD_LABELS } from './indicator.schemas.ts';
import {
  normaliseHeader,
  suggestColumn,
  text,
  mergeProblems,
  isBlank,
  GOOD_IS,
  type SheetRow,
  type Problem,
} from './indicator-transfer.ts';

type DefinitionKey =
  | 'code'
  | 'title'
  | 'description'
  | 'unitKind'
  | 'decimalPlaces'
  | 'polarity'
  | 'frequency'
  | 'ytdMethod'
  | 'tolerance'
  | 'owner'
  | 'priorities'
  | 'dataSource'
  | 'sharedCode'
  | 'baseline';

interface DefinitionColumn {
  key: DefinitionKey;
  name: string;
  aliases: string[];
}

export const DEFINITION_COLUMNS: readonly DefinitionColumn[] = [
  { key: 'code', name: 'PI No', aliases: ['PI', 'PI Number', 'PI Ref', 'Code', 'Indicator code', 'Ref'] },
  { key: 'title', name: 'Title', aliases: ['Indicator', 'Name', 'PI Title'] },
  { key: 'description', name: 'Description', aliases: ['How it is measured', 'Definition'] },
  { key: 'unitKind', name: 'Unit', aliases: ['Units'] },
  { key: 'decimalPlaces', name: 'Decimal places', aliases: ['Decimals', 'DP'] },
  { key: 'polarity', name: 'Good is?', aliases: ['Good is', 'Polarity'] },
  { key: 'frequency', name: 'Frequency', aliases: ['Reported', 'How often'] },
  { key: 'ytdMethod', name: 'Year to date', aliases: ['YTD', 'YTD method'] },
  { key: 'tolerance', name: 'Tolerance', aliases: ['Near within'] },
  { key: 'owner', name: 'Owner', aliases: ['Lead officer', 'Responsible officer'] },
  { key: 'priorities', name: 'Priorities', aliases: ['Priority', 'Priority codes'] },
  { key: 'dataSource', name: 'Data source', aliases: ['Source'] },
  {
    key: 'baseline',
    name: 'Baseline',
    aliases: ['Previous year’s outturn', "Previous year's outturn", 'Last year’s outturn', "Last year's outturn"],
  },
  {
    key: 'sharedCode',
    name: 'Shared identifier',
    aliases: ['Shared code', 'LG Inform id', 'LG Inform metric id', 'LGInform id', 'Metric id'],
  },
];
const REQUIRED: readonly DefinitionKey[] = ['code', 'title', 'unitKind', 'polarity', 'frequency'];
const BY_NAME = new Map(
  DEFINITION_COLUMNS.flatMap((c) => [c.name, ...c.aliases].map((n) => [normaliseHeader(n), c] as const)),
);
const NAME_OF = Object.fromEntries(DEFINITION_COLUMNS.map((c) => [c.key, c.name])) as Record<DefinitionKey, string>;

/** The column of the file a field of the form's parser is read from. */
const COLUMN_OF_FIELD: Record<string, DefinitionKey> = {
  code: 'code',
  title: 'title',
  description: 'description',
  unitKind: 'unitKind',
  decimalPlaces: 'decimalPlaces',
  polarity: 'polarity',
  frequency: 'frequency',
  ytdMethod: 'ytdMethod',
  ruleKind: 'tolerance',
  tolerance: 'tolerance',
  ownerId: 'owner',
  priorityIds: 'priorities',
  dataSource: 'dataSource',
  sharedCode: 'sharedCode',
  baseline: 'baseline',
};

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9%£]/g, '');
function choices<T extends string>(
  keys: readonly T[],
  ...names: Partial<Record<T, string | string[]>>[]
): Map<string, T> {
  const m = new Map<string, T>();
  for (const k of keys) m.set(norm(k), k);
  for (const n of names)
    for (const [k, v] of Object.entries(n) as [T, string | string[]][]) for (const x of [v].flat()) m.set(norm(x), k);
  return m;
}
const UNITS = choices<UnitKind>(UNIT_KINDS, UNIT_LABELS, {
  percentage: ['Percentage', 'Percent', '%'],
  money: ['Money', '£', 'Pounds'],
  'per-1000': ['per 1,000', 'Rate per 1000'],
});
const GOOD = choices<Polarity>(POLARITIES, GOOD_IS, POLARITY_LABELS, {
  none: ['None', 'No target', 'N/A'],
  band: ['Range', 'Within'],
});
const FREQ = choices<Frequency>(FREQUENCIES, FREQUENCY_LABELS, {
  'half-yearly': ['Half yearly', 'Six-monthly'],
  annual: ['Annually', 'Yearly'],
});
const YTD = choices<YtdMethod>(YTD_METHODS, YTD_LABELS, {
  sum: 'Total',
  average: 'Mean',
  latest: 'Last',
  none: ['n/a', 'No'],
});

export const YTD_NAMES: Record<YtdMethod, string> = { sum: 'Sum', average: 'Average', latest: 'Latest', none: 'None' };

export interface DefinitionContext {
  /** The organisation's indicators, each with whether it has values recorded. */
  existing: readonly (Indicator & { hasValues: boolean })[];
  people: readonly { id: string; name: string }[];
  priorities: readonly { id: string; code: string }[];
  /** The indicator form's parser. */
  parse: (input: Record<string, unknown>) => { definition: IndicatorDefinition | undefined; issues: FieldIssue[] };
  /** The sheet's merged areas (an XLSX file's), refused where they join cells of the data. */
  merges?: readonly MergedArea[];
}

/** One definition to write: an update of `existing`, or a new indicator. */
export interface DefinitionWrite {
  row: number;
  existing: Indicator | undefined;
  definition: IndicatorDefinition;
}

const plain = (v: number, places: number) => formatDecimal(BigInt(v), places, places).replace(/,/g, '');
const toleranceText = (i: Indicator) =>
  i.ruleValue === null ? '' : i.ruleKind === 'percent' ? `${i.ruleValue / 100}%` : plain(i.ruleValue, i.decimalPlaces);

/** The form fields of an existing indicator: what a column left out of the file keeps. */
function formOf(i: Indicator): Record<string, unknown> {
  return {
    code: i.code,
    title: i.title,
    description: i.description,
    unitKind: i.unitKind,
    decimalPlaces: String(i.decimalPlaces),
    polarity: i.polarity,
    frequency: i.frequency,
    ytdMethod: i.ytdMethod,
    ruleKind: i.ruleKind ?? 'default',
    tolerance: toleranceText(i).replace(/%$/, ''),
    chartKind: i.chartKind,
    ownerId: i.ownerId ?? '',
    dataSource: i.dataSource,
    sharedCode: i.sharedCode ?? '',
    baseline: i.baseline === null ? '' : plain(i.baseline, i.decimalPlaces),
    priorityIds: i.priorityIds,
  };
}

/**
 * Checks every row against the organisation's indicators, people and priorities, and returns
 * the definitions to write or every problem found (never some of each).
 */
export function readDefinitionRows(
  rows: SheetRow[],
  context: DefinitionContext,
): { writes: DefinitionWrite[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const headerIndex = rows.findIndex((r) => r.cells.some((c) => BY_NAME.get(normaliseHeader(text(c)))?.key === 'code'));
  if (headerIndex < 0 || headerIndex > 9) {
    const first = rows.find((r) => !isBlank(r.cells));
    const typo = first?.cells.map(text).find((c) => suggestColumn(c, BY_NAME) === 'PI No');
    const message = typo
      ? `Column '${typo}' is not a column Amber knows: did you mean 'PI No'?`
      : rows.length === 0
        ? 'The file is empty: use the template, with a header row starting PI No'
        : 'There is no PI No column: the header row needs one, as in the template';
    return { writes: [], problems: [{ row: first?.number ?? 1, message }] };
  }
  const header = rows[headerIndex]!;
  problems.push(...mergeProblems(context.merges, header.number));
  const columns = new Map<DefinitionKey, number>();
  header.cells.forEach((cell, index) => {
    const h = text(cell);
    if (h === '') return;
    const def = BY_NAME.get(normaliseHeader(h));
    if (!def) {
      const s = suggestColumn(h, BY_NAME);
      problems.push({
        row: header.number,
        column: h,
        message: `Column '${h}' is not a column Amber knows: ${s ? `did you mean '${s}'?` : `use the columns of the template (${DEFINITION_COLUMNS.map((c) => c.name).join(', ')})`}`,
      });
      return;
    }
    if (columns.has(def.key)) {
      problems.push({ row: header.number, column: h, message: `There are two ${def.name} columns: keep one` });
      return;
    }
    columns.set(def.key, index);
  });
  for (const key of REQUIRED) {
    if (!columns.has(key))
      problems.push({
        row: header.number,
        message: `There is no ${NAME_OF[key]} column: the header row needs one, as in the template`,
      });
  }
  if (problems.length > 0) return { writes: [], problems };

  const byCode = new Map(context.existing.map((i) => [i.code.toLowerCase(), i]));
  const peopleByName = new Map<string, { id: string; name: string }[]>();
  for (const p of context.people)
    peopleByName.set(p.name.trim().toLowerCase(), [...(peopleByName.get(p.name.trim().toLowerCase()) ?? []), p]);
  const priorityByCode = new Map(context.priorities.map((p) => [p.code.toLowerCase(), p.id]));
  const seen = new Map<string, number>();
  const writes: DefinitionWrite[] = [];

  for (const row of rows.slice(headerIndex + 1)) {
    if (isBlank(row.cells)) continue;
    const rowProblems = new Map<DefinitionKey, string>();
    const problem = (key: DefinitionKey, message: string) => {
      if (!rowProblems.has(key)) rowProblems.set(key, message);
    };
    /** The cell's text, or undefined when the file has no such column. */
    const cell = (key: DefinitionKey) => (columns.has(key) ? text(row.cells[columns.get(key)!]) : undefined);

    const code = cell('code')!;
    const existing = code === '' ? undefined : byCode.get(code.toLowerCase());
    if (code !== '' && seen.has(code.toLowerCase())) {
      problems.push({
        row: row.number,
        column: 'PI No',
        message: `${code} is also in row ${seen.get(code.toLowerCase())}: give each indicator one row`,
      });
      continue;
    }
    if (code !== '') seen.set(code.toLowerCase(), row.number);

    const input: Record<string, unknown> = existing ? formOf(existing) : { chartKind: 'line' };
    input.code = code;
    const set = (key: DefinitionKey, field: string, value: string | undefined) => {
      if (value !== undefined) input[field] = value;
    };
    set('title', 'title', cell('title'));
    set('description', 'description', cell('description'));
    set('dataSource', 'dataSource', cell('dataSource'));
    set('sharedCode', 'sharedCode', cell('sharedCode'));
    set('baseline', 'baseline', cell('baseline'));
    set('decimalPlaces', 'decimalPlaces', cell('decimalPlaces'));
    const pick = <T extends string>(
      key: DefinitionKey,
      field: string,
      options: Map<string, T>,
      names: Record<T, string>,
      blank?: T,
    ) => {
      const v = cell(key);
      if (v === undefined) return;
      if (v === '' && blank !== undefined) {
        input[field] = blank;
        return;
      }
      const found = options.get(norm(v));
      if (found) input[field] = found;
      else
        problem(
          key,
          v === ''
            ? `Enter the ${NAME_OF[key].toLowerCase().replace(/\?$/, '')}: ${Object.values<string>(names).join(', ')}`
            : `'${v}' is not a ${NAME_OF[key].replace(/\?$/, '')} Amber knows: use ${Object.values<string>(names).join(', ')}`,
        );
    };
    pick('unitKind', 'unitKind', UNITS, UNIT_LABELS);
    pick('polarity', 'polarity', GOOD, GOOD_IS);
    pick('frequency', 'frequency', FREQ, FREQUENCY_LABELS);
    pick('ytdMethod', 'ytdMethod', YTD, YTD_NAMES, 'none');

    const tolerance = cell('tolerance');
    if (tolerance !== undefined && tolerance !== '') {
      const percent = /%\s*$/.test(tolerance);
      input.ruleKind = percent ? 'percent' : 'absolute';
      input.tolerance = percent ? tolerance.replace(/%\s*$/, '').trim() : tolerance;
    } else if (tolerance === '' || !existing) {
      // Blank: the organisation's default tolerance, as on the form.
      input.ruleKind = 'default';
      input.tolerance = '';
    }

    const owner = cell('owner');
    if (owner !== undefined) {
      const found = peopleByName.get(owner.toLowerCase()) ?? [];
      if (owner === '') input.ownerId = '';
      else if (found.length === 1) input.ownerId = found[0]!.id;
      else if (found.length > 1)
        problem(
          'owner',
          `There are ${found.length} people called ${owner} in Amber: give one of them a distinct name first`,
        );
      else
        problem(
          'owner',
          `There is no one called '${owner}' in Amber: add them under People first, or check the spelling`,
        );
    }
    const priorities = cell('priorities');
    if (priorities !== undefined) {
      const codes = priorities
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '');
      const unknown = codes.filter((c) => !priorityByCode.has(c.toLowerCase()));
      if (unknown.length > 0)
        problem('priorities', `There is no priority ${unknown.join(', ')} in Amber: check the codes, separated by ;`);
      else input.priorityIds = codes.map((c) => priorityByCode.get(c.toLowerCase())!);
    }

    const { definition, issues } = context.parse(input);
    for (const issue of issues) problem(COLUMN_OF_FIELD[issue.field] ?? 'code', issue.message);
    if (definition && existing?.hasValues && rowProblems.size === 0) {
      const v = definition.values;
      if (v.unitKind !== existing.unitKind)
        problem(
          'unitKind',
          `The unit of ${existing.code} cannot change once values are recorded: the stored values would change meaning`,
        );
      else if (v.decimalPlaces !== existing.decimalPlaces)
        problem(
          'decimalPlaces',
          `The decimal places of ${existing.code} cannot change once values are recorded: the stored values would change meaning`,
        );
      if (v.frequency !== existing.frequency)
        problem(
          'frequency',
          `How often ${existing.code} is reported cannot change once values are recorded: they belong to periods of the old kind`,
        );
    }
    if (rowProblems.size > 0) {
      const order = DEFINITION_COLUMNS.map((c) => c.key);
      for (const [key, message] of [...rowProblems].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])))
        problems.push({ row: row.number, column: NAME_OF[key], message });
      continue;
    }
    writes.push({ row: row.number, existing, definition: definition! });
  }
  return problems.length > 0 ? { writes: [], problems } : { writes, problems };
}

/** The sheet: the header, then one row per indicator, every cell as text (read back the same). */
export function definitionSheet(
  indicators: readonly Indicator[],
  priorityCodes: ReadonlyMap<string, string>,
): string[][] {
  return [
    DEFINITION_COLUMNS.map((c) => c.name),
    ...indicators.map((i) => [
      i.code,
      i.title,
      i.description,
      UNIT_LABELS[i.unitKind],
      String(i.decimalPlaces),
      GOOD_IS[i.polarity],
      FREQUENCY_LABELS[i.frequency],
      YTD_NAMES[i.ytdMethod],
      toleranceText(i),
      i.ownerName ?? '',
      i.priorityIds
        .map((id) => priorityCodes.get(id) ?? '')
        .filter((c) => c !== '')
        .sort()
        .join('; '),
      i.dataSource,
      i.baseline === null ? '' : plain(i.baseline, i.decimalPlaces),
      i.sharedCode ?? '',
    ]),
  ];
}

/** The template: the header and one example row. */
export const DEFINITION_EXAMPLE: readonly string[] = [
  'NI 179',
  'Calls answered within 20 seconds',
  'Calls answered within 20 seconds as a percentage of calls received',
  UNIT_LABELS.percentage,
  '1',
  GOOD_IS.higher,
  FREQUENCY_LABELS.quarterly,
  YTD_NAMES.average,
  '5%',
  '',
  '',
  'Telephony system',
  '92.5',
  '',
];
