// Importing and exporting indicator values as CSV or XLSX, one financial year per file (issue 4).
// An import is all or nothing: every row is checked first, with reads made outside any
// transaction, and only a file without a single problem is written, in one transaction.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { ValidationError, ConflictError, ForbiddenError } from '../../domain/errors.ts';
import { formatValue, FREQUENCY_PERIOD_KIND, type Scaled } from '../../domain/indicators/indicator.ts';
import { yearToDate } from '../../domain/indicators/ytd.ts';
import { financialYearLabel, makePeriod, parsePeriodKey } from '../../domain/period.ts';
import { parseWith } from '../../platform/validation.ts';
import { loopTurns } from '../../platform/turns.ts';
import { firstProblems } from '../../domain/limits.ts';
import { spreadsheetLimits, tooLarge, type Sheet } from '../../platform/spreadsheet.ts';
import type { InputLimits } from '../../config.ts';
import type { Units } from '../../platform/db/unit-of-work.ts';
import type { PeriodService } from '../periods/period.service.ts';
import type { IndicatorQueries, IndicatorRepository } from './indicator.repository.ts';
import type { JobService } from '../jobs/job.service.ts';
import { unitOf, readDefinition, type IndicatorService } from './indicator.service.ts';
import type { PersonService } from '../people/person.service.ts';
import type { PlanService } from '../plans/plan.service.ts';
import {
  readDefinitionRows,
  definitionSheet,
  DEFINITION_COLUMNS,
  DEFINITION_EXAMPLE,
} from './indicator-definitions.ts';
import {
  readSheet,
  readValueRowsTurning,
  problemText,
  valueSheet,
  writeSheetCsv,
  writeXlsxOffThread,
  transferYearInput,
  headerMappingsInput,
  columnName,
  isHeaderMapping,
  normaliseHeader,
  recogniseHeader,
  proposeIndicator,
  type HeaderMapping,
  type ProposedIndicator,
  type ExportRow,
  type OwnerChange,
  type Problem,
  type ValueWrite,
} from './indicator-transfer.ts';
import type { OrganisationService } from '../organisations/organisation.service.ts';
import type { IndicatorTransferRepository } from './indicator-transfer.repository.ts';

export type TransferFormat = 'csv' | 'xlsx';
export interface Download {
  filename: string;
  contentType: string;
  body: Buffer;
}
/** `jobId` is set when the values are being written in the background (a big file). */
export interface ImportResult {
  year: number;
  indicators: number;
  values: number;
  jobId?: string;
  /**
   * What the file held that was not imported as it stood, each said in a sentence: columns of
   * another year, owners not matched, statuses kept as overrides, owners set (empty for a job's
   * file: the job's result says them when it is done).
   */
  notices: string[];
}

/** Files with more values than this are written by a background job, with progress. */
export const BACKGROUND_IMPORT_ABOVE = 1_000;
/** Values per multi-row statement (and per progress step of a background import). */
export const IMPORT_BATCH_SIZE = 1_000;
export const INDICATOR_IMPORT_JOB = 'indicator-import';
/** What a background import job is given: the checked values, ready to write. */
export interface IndicatorImportParams {
  filename: string;
  year: number;
  writes: ValueWrite[];
  /** Owners named in the file for indicators that had none (set with the first batch). */
  owners?: OwnerChange[];
  /** What the check said about the file, repeated when the job is done. */
  notices?: string[];
}

/** Splits the values into batches of at most `size`, each naming an indicator and period once. */
export function importBatches(writes: readonly ValueWrite[], size = IMPORT_BATCH_SIZE): ValueWrite[][] {
  const out: ValueWrite[][] = [];
  let batch: ValueWrite[] = [];
  let keys = new Set<string>();
  for (const w of writes) {
    const key = `${w.indicatorId}/${w.periodId}`;
    if (batch.length === size || keys.has(key)) {
      out.push(batch);
      batch = [];
      keys = new Set();
    }
    batch.push(w);
    keys.add(key);
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/**
 * A queued import's batches, worked out once for its values: the job asks for them batch by
 * batch, and splitting 50,000 values again for each of 50 batches was ~0.6 s of a 4.4 s import.
 */
const queuedBatches = new WeakMap<readonly ValueWrite[], ValueWrite[][]>();
function batchesOfQueued(writes: readonly ValueWrite[]): ValueWrite[][] {
  let batches = queuedBatches.get(writes);
  if (!batches) queuedBatches.set(writes, (batches = importBatches(writes)));
  return batches;
}

const CONTENT_TYPES: Record<TransferFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * A refused file with headers Amber could not recognise: the problems, and the headers, so the
 * page can offer to name them.
 */
export class UnknownColumnsError extends ValidationError {
  readonly headers: string[];
  constructor(issues: ValidationError['issues'], headers: string[]) {
    super(issues);
    this.headers = headers;
  }
}

/**
 * A file whose only problem is indicators not yet in Amber: what the file would create, for the
 * officer to see before confirming (nothing has been written).
 */
export class MissingIndicatorsError extends ValidationError {
  readonly proposed: ProposedIndicator[];
  constructor(proposed: ProposedIndicator[]) {
    super(
      [
        {
          field: 'file',
          message: `${proposed.length === 1 ? `${proposed[0]!.code} is` : `${proposed.length} indicators are`} not in Amber yet: check what the file would create, then confirm`,
        },
      ],
      'The file names indicators not yet in Amber',
    );
    this.proposed = proposed;
  }
}

/** A header the organisation has named: how the file wrote it, and the column it is. */
export interface HeaderMappingView {
  header: string;
  shown: string;
  column: HeaderMapping;
  columnName: string;
  /** What Amber would read the header as without the mapping, if anything. */
  ownReading: string | undefined;
  updatedBy: string;
  updatedAt: Date;
}

/** "DEF 1", "DEF 1 and DEF 2", "DEF 1, DEF 2, DEF 3 and 4 others": a few names of a list, in English. */
function listed(names: readonly string[], shown = 3): string {
  if (names.length <= shown) return new Intl.ListFormat('en-GB', { type: 'conjunction' }).format(names);
  const rest = names.length - shown;
  return `${names.slice(0, shown).join(', ')} and ${rest} ${rest === 1 ? 'other' : 'others'}`;
}

/**
 * Every problem of a refused file as an issue on the file field (so the error summary links to
 * the upload), up to the first 100 and a count of the rest; with the headers Amber could not
 * recognise, when there are any, for the page to offer to name.
 */
function problemsError(problems: Problem[], unknownHeaders: string[] = []): ValidationError {
  const issues = firstProblems(
    problems.map((p) => ({ field: 'file', message: problemText(p) })),
    (rest) => ({
      field: 'file',
      message: `and ${rest.toLocaleString('en-GB')} more ${rest === 1 ? 'problem' : 'problems'}: correct those above and upload the file again to see them`,
    }),
  );
  return unknownHeaders.length > 0 ? new UnknownColumnsError(issues, unknownHeaders) : new ValidationError(issues);
}

export interface IndicatorTransferServiceDeps {
  repo: IndicatorRepository;
  /** The organisation's remembered names for columns. */
  headers: IndicatorTransferRepository;
  indicators: IndicatorService;
  periods: PeriodService;
  jobs: JobService;
  people: PersonService;
  plans: PlanService;
  /** The status scale a Status column is read against. */
  organisations: Pick<OrganisationService, 'statusScale'>;
  limits: InputLimits;
  /**
   * The downloads read in a unit of work of their own and write the file after it has ended: a
   * big workbook takes a second or more to write (in a worker), and on PGlite a unit holds the
   * only connection.
   */
  units: Pick<Units<unknown>, 'run' | 'actingFor'>;
}

/** What a definitions import did. */
export interface DefinitionImportResult {
  created: number;
  updated: number;
}

export function createIndicatorTransferService({
  repo,
  indicators,
  periods,
  jobs,
  people,
  plans,
  organisations,
  limits,
  headers,
  units,
}: IndicatorTransferServiceDeps) {
  /**
   * What a download reads, in a read-only unit of work of its own acting for the organisation, at
   * one moment (repeatable read): a big organisation's values are read a thousand indicators a
   * statement, and on a server a change committed between two of them would otherwise put values
   * from before it and after it in one file.
   */
  const reading = <T>(actor: Actor, read: () => Promise<T>): Promise<T> =>
    units.actingFor(actor.organisationId, () => units.run(read, { readOnly: true, isolationLevel: 'repeatable read' }));

  /** The organisation's names for columns, as the reader compares them. */
  async function mappingsOf(actor: Actor): Promise<Map<string, HeaderMapping>> {
    const rows = await headers.listHeaderMappings(actor.organisationId);
    return new Map(
      rows.filter((r) => isHeaderMapping(r.columnKey)).map((r) => [r.header, r.columnKey as HeaderMapping]),
    );
  }

  /** The uploaded file's first sheet; a file that is not CSV or XLSX, or cannot be read, is one problem. */
  async function rowsOf(file: { filename: string; data: Buffer } | undefined): Promise<Sheet> {
    if (!file || file.data.length === 0) throw ValidationError.single('file', 'Select a CSV or Excel (.xlsx) file');
    if (!/\.(csv|xlsx|txt)$/i.test(file.filename))
      throw ValidationError.single('file', 'The selected file must be a CSV or an Excel (.xlsx) file');
    try {
      if (file.data.length > limits.uploadBytes) throw tooLarge(limits.uploadBytes);
      return await readSheet(file.data, spreadsheetLimits(limits));
    } catch (error) {
      // A CSV file that is not well formed names its row; anything else could not be read at all.
      if (error instanceof ValidationError) throw error;
      throw ValidationError.single(
        'file',
        'The selected file could not be read: save it again as CSV or Excel (.xlsx) and try again',
      );
    }
  }

  async function sheetDownload(
    name: string,
    title: string,
    sheet: string[][],
    format: TransferFormat,
  ): Promise<Download> {
    const body = format === 'csv' ? await writeSheetCsv(sheet) : await writeXlsxOffThread(title, sheet);
    return { filename: `${name}.${format}`, contentType: CONTENT_TYPES[format], body };
  }

  /** One batch: a multi-row upsert, and an audit event per indicator for its values in the batch. */
  async function writeBatch(
    q: IndicatorQueries,
    actor: Actor,
    filename: string,
    year: number,
    batch: ValueWrite[],
  ): Promise<string[]> {
    await q.upsertValueBatch(actor.organisationId, batch);
    const byIndicator = new Map<string, ValueWrite[]>();
    for (const w of batch) byIndicator.set(w.indicatorId, [...(byIndicator.get(w.indicatorId) ?? []), w]);
    await q.auditMany(
      [...byIndicator].map(([indicatorId, items]) => ({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'indicator_value',
        entityId: indicatorId,
        action: 'import' as const,
        after: {
          imported: filename,
          year: financialYearLabel(year),
          values: items.map(({ periodKey, actual, target, targetHigh, comment, status }) => ({
            periodKey,
            actual,
            target,
            targetHigh,
            comment,
            ...(status ? { status: status.label } : {}),
          })),
        },
      })),
    );
    return keepFileStatuses(actor, filename, batch);
  }

  /**
   * A status the file gives that differs from the one Amber shows for the period (computed, or an
   * earlier override) is kept as an override whose reason names the file, so the computed status
   * stays beside it and nothing is silently replaced; each is said in a sentence.
   */
  async function keepFileStatuses(actor: Actor, filename: string, batch: readonly ValueWrite[]): Promise<string[]> {
    const withStatus = batch.filter((w) => w.status);
    // Every status compared and every differing one kept in a few statements: one indicator's
    // points at a time was six statements a status, and each override eight more.
    const kept = await indicators.keepStatuses(
      actor,
      withStatus.map((w) => ({
        indicatorId: w.indicatorId,
        periodKey: w.periodKey,
        statusKey: w.status!.key,
        reason: `the status given in the imported file ${filename} (row ${w.status!.row}, column ${w.status!.column})`,
      })),
    );
    return kept.map(({ given, indicator, point, status }) => {
      const computed = point.computed.rated ? point.computed.status.label : 'no status';
      const earlier = point.value.override
        ? `, and it replaces the earlier override (${point.shown?.label ?? 'none'})`
        : '';
      const row = withStatus[given]!.status!.row;
      return `${indicator.code} ${point.label}: ${status.label} from the file (row ${row}) is kept as an override; Amber computed ${computed}${earlier}`;
    });
  }

  /**
   * Sets the owners the file names for indicators that had none; each is said in a sentence. One
   * indicator at a time (read, written, its links replaced, audited) this was seven statements an
   * indicator, and a council's first file names an owner for every one.
   */
  async function setOwners(actor: Actor, filename: string, owners: readonly OwnerChange[]): Promise<string[]> {
    const named = await repo.setOwnersWhereNone(
      actor.organisationId,
      owners.map((o) => ({ id: o.indicatorId, ownerId: o.personId })),
    );
    // Someone chose an owner since the file was checked: theirs stands, and the file's is not said.
    const set = owners.filter((o) => named.has(o.indicatorId));
    await repo.auditMany(
      set.map((o) => ({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'indicator',
        entityId: o.indicatorId,
        action: 'import' as const,
        before: { ownerId: null },
        after: { imported: filename, ownerId: o.personId, owner: o.personName },
      })),
    );
    return set.map((o) => `${o.code} had no owner: ${o.personName}, named in row ${o.row}, is now its owner`);
  }

  async function sheetOf(actor: Actor, year: number, blank: boolean): Promise<ExportRow[]> {
    // Every indicator's points in a fixed number of statements (as open data reads them): asked
    // for one indicator at a time, 12,500 indicators took 5 s on PGlite and 10 s on a server.
    const all = blank
      ? (await indicators.list(actor)).map((indicator) => ({ indicator, points: [] }))
      : await indicators.allPoints(actor);
    const rows: ExportRow[] = [];
    const turn = loopTurns();
    for (const { indicator: i, points } of all) {
      await turn();
      const unit = unitOf(i);
      const base: ExportRow = {
        code: i.code,
        title: i.title,
        polarity: i.polarity,
        frequency: i.frequency,
        unit,
        target: undefined,
        actuals: new Map(),
        ytd: '',
        status: '',
        owner: i.ownerName ?? '',
        comment: '',
      };
      if (blank) {
        rows.push(base);
        continue;
      }
      const kind = FREQUENCY_PERIOD_KIND[i.frequency];
      const inYear = points.filter((p) => p.period.startYear === year && p.period.kind === kind);
      const withActual = inYear.filter((p) => p.value.actual !== null);
      const latest = withActual[withActual.length - 1];
      const withTarget = inYear.filter((p) => p.target !== undefined);
      const ytd =
        latest && i.ytdMethod !== 'none'
          ? yearToDate(
              i.ytdMethod,
              latest.period,
              withActual.map((p) => ({ period: p.period, value: p.value.actual ?? undefined })),
            ).value
          : undefined;
      // Targets of their own per period (they differ, or one is set ahead of its value) are
      // written per period, so the file imports back to the same targets.
      const targetText = (t: (typeof withTarget)[number]['target']) => JSON.stringify(t);
      const perPeriod =
        new Set(withTarget.map((p) => targetText(p.target))).size > 1 ||
        withTarget.some((p) => p.value.actual === null);
      rows.push({
        ...base,
        target: withTarget[withTarget.length - 1]?.target,
        ...(perPeriod && kind !== 'year'
          ? { targets: new Map(withTarget.map((p) => [p.period.key, p.target!] as const)) }
          : {}),
        actuals: new Map(withActual.map((p) => [p.period.key, p.value.actual as Scaled])),
        ytd: ytd === undefined ? '' : formatValue(ytd, unit),
        status: latest?.shown?.label ?? '',
        comment: latest?.value.comment ?? '',
      });
    }
    return rows;
  }

  async function download(actor: Actor, year: number, format: TransferFormat, blank: boolean): Promise<Download> {
    const rows = await reading(actor, () => sheetOf(actor, year, blank));
    const sheet = valueSheet(year, rows, formatValue, format === 'xlsx');
    const name = blank ? 'indicator-values-template' : `indicator-values-${financialYearLabel(year).replace('/', '-')}`;
    const body =
      format === 'csv'
        ? await writeSheetCsv(sheet)
        : await writeXlsxOffThread(
            blank ? 'Indicator values' : `Values ${financialYearLabel(year).replace('/', '-')}`,
            sheet,
          );
    return { filename: `${name}.${format}`, contentType: CONTENT_TYPES[format], body };
  }

  return {
    /** Every indicator's definition, in the layout the definitions import reads. */
    async exportDefinitions(actor: Actor, format: TransferFormat): Promise<Download> {
      const [list, priorities] = await reading(actor, () =>
        Promise.all([indicators.list(actor), plans.listPriorities(actor)]),
      );
      return sheetDownload(
        'indicator-definitions',
        'Indicator definitions',
        definitionSheet(list, new Map(priorities.map((p) => [p.id, p.code]))),
        format,
      );
    },

    /** The definitions layout with one example row. */
    definitionsTemplate: (format: TransferFormat) =>
      sheetDownload(
        'indicator-definitions-template',
        'Indicator definitions',
        [DEFINITION_COLUMNS.map((c) => c.name), [...DEFINITION_EXAMPLE]],
        format,
      ),

    /**
     * Reads a CSV or XLSX file of definitions, one row per indicator, and creates the new ones and
     * updates the others (matched by PI No) in one transaction, or changes nothing: a
     * ValidationError lists every problem as "Row 7, column Unit: ...".
     */
    async importDefinitions(
      actor: Actor,
      input: { file?: { filename: string; data: Buffer } | undefined },
    ): Promise<DefinitionImportResult> {
      authorize(actor, 'indicator.edit');
      const sheet = await rowsOf(input.file);
      const [list, persons, priorities] = await Promise.all([
        indicators.list(actor),
        people.list(actor),
        plans.listPriorities(actor),
      ]);
      // Which have values (their frequency can no longer change): one statement, not one per indicator.
      const valued = await repo.withValues(actor.organisationId);
      const existing = list.map((i) => ({ ...i, hasValues: valued.has(i.id) }));
      const { writes, problems } = readDefinitionRows(sheet.rows, {
        merges: sheet.merges,
        existing,
        people: persons,
        priorities,
        parse: readDefinition,
      });
      if (problems.length > 0) throw problemsError(problems);
      if (writes.length === 0)
        throw ValidationError.single(
          'file',
          'The file has no indicators: add one row per indicator under the header, as in the template',
        );
      const filename = input.file!.filename;
      // Written a few hundred to a statement: one indicator at a time (four statements each, with
      // its links) took ~3.8 s for 2,000 on PGlite, whose one connection it held, and ~6–11 s on
      // PostgreSQL; now ~1 s and ~0.7 s (bench/definitions-import.ts).
      const updates = writes.filter((w) => w.existing);
      const creates = writes.filter((w) => !w.existing);
      const stale = new Set(
        await repo.updateMany(
          actor.organisationId,
          updates.map(({ existing: before, definition }) => ({
            id: before!.id,
            version: before!.version,
            values: definition.values,
            priorityIds: definition.priorityIds,
          })),
        ),
      );
      if (stale.size > 0) {
        const codes = updates.filter((w) => stale.has(w.existing!.id)).map((w) => w.existing!.code);
        throw new ConflictError(
          'STALE_VERSION',
          `Someone else changed ${listed(codes)} while the file was being read. Nothing has been imported: upload the file again.`,
        );
      }
      const createdIds = await repo.insertMany(
        actor.organisationId,
        creates.map(({ definition }) => ({ values: definition.values, priorityIds: definition.priorityIds })),
      );
      const newIds = new Map(creates.map((w, i) => [w, createdIds[i]!]));
      // In the file's order, as the audit trail lists them.
      const written = writes.map((w) => ({ id: w.existing?.id ?? newIds.get(w)!, before: w.existing }));
      // Each indicator as it now is, for its audit event: read and recorded a thousand at a time
      // (a read and an event per indicator were most of a big file's statements).
      const now = await repo.listByIds(
        actor.organisationId,
        written.map((w) => w.id),
      );
      const events = written.map(({ id, before }) => ({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'indicator',
        entityId: id,
        action: 'import' as const,
        before,
        after: { imported: filename, ...now.get(id)! },
      }));
      await repo.auditMany(events);
      return { created: creates.length, updated: updates.length };
    },

    parseYear: (input: unknown): number => parseWith(transferYearInput, input).year,

    /** The organisation's names for the columns of its files, remembered from earlier imports. */
    async headerMappings(actor: Actor): Promise<HeaderMappingView[]> {
      authorize(actor, 'indicator.edit');
      return (await headers.listHeaderMappings(actor.organisationId))
        .filter((r) => isHeaderMapping(r.columnKey))
        .map((r) => ({
          header: r.header,
          shown: r.shown,
          column: r.columnKey as HeaderMapping,
          columnName: columnName(r.columnKey as HeaderMapping),
          ownReading: recogniseHeader(r.shown)?.name,
          updatedBy: r.updatedBy,
          updatedAt: r.updatedAt,
        }));
    },

    /**
     * Names columns for every later import of the organisation: each header maps to a column of
     * Amber's, or to nothing (`ignore`); an empty choice forgets a header's name. Audited; a
     * ValidationError names the row of the form.
     */
    async saveHeaderMappings(actor: Actor, input: unknown): Promise<{ saved: number; forgotten: number }> {
      authorize(actor, 'indicator.edit');
      const { mappings } = parseWith(headerMappingsInput, input);
      const before = new Map((await headers.listHeaderMappings(actor.organisationId)).map((r) => [r.header, r]));
      let saved = 0;
      let forgotten = 0;
      const seen = new Set<string>();
      for (const m of mappings) {
        if (m.header === '') continue;
        const header = normaliseHeader(m.header);
        if (seen.has(header)) continue;
        seen.add(header);
        const was = before.get(header);
        if (m.column === '') {
          if (!was) continue;
          await headers.deleteHeaderMapping(actor.organisationId, header);
          forgotten += 1;
        } else {
          if (was?.columnKey === m.column && was.shown === m.header) continue;
          await headers.saveHeaderMapping(
            actor.organisationId,
            { header, shown: m.header, columnKey: m.column },
            actor.label,
          );
          saved += 1;
        }
        await headers.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'indicator_import_header',
          entityId: actor.organisationId,
          action: !was ? 'create' : m.column === '' ? 'delete' : 'update',
          before: was ? { header: was.shown, column: was.columnKey } : undefined,
          after: m.column === '' ? undefined : { header: m.header, column: m.column },
        });
      }
      return { saved, forgotten };
    },

    /** The year's values, one row per indicator, in the layout the import reads. */
    exportValues: async (actor: Actor, input: unknown, format: TransferFormat) => {
      authorize(actor, 'indicator.read');
      return download(actor, parseWith(transferYearInput, input).year, format, false);
    },

    /** The layout with every indicator's PI No and description filled in and no values. */
    template: async (actor: Actor, format: TransferFormat) => {
      authorize(actor, 'indicator.read');
      return download(actor, new Date().getFullYear(), format, true);
    },

    /**
     * Reads a CSV or XLSX file of one year's values and records them all, or nothing: a
     * ValidationError lists every problem as "Row 7, column Q3: ...".
     */
    async importValues(
      actor: Actor,
      input: {
        year?: unknown;
        file?: { filename: string; data: Buffer } | undefined;
        /** The PI Nos of the indicators the officer saw in the preview and confirmed creating, one a line. */
        create?: unknown;
      },
    ): Promise<ImportResult> {
      authorize(actor, 'indicator.edit');
      const year = parseWith(transferYearInput, { year: input.year }).year;
      const sheet = await rowsOf(input.file);
      const file = input.file!;
      const [initial, known, scale, persons, mappings] = await Promise.all([
        indicators.list(actor),
        periods.list(actor),
        // The scale of the year's start: a file's statuses are read as that year's reports use them.
        organisations.statusScale(actor, makePeriod('year', year)),
        people.list(actor),
        mappingsOf(actor),
      ]);
      const periodIds = new Map(
        known.filter((p) => p.startYear === year).map((p) => [parsePeriodKey(p.key).key, p.id]),
      );
      const read = (list: typeof initial) =>
        readValueRowsTurning(sheet.rows, {
          merges: sheet.merges,
          mappings,
          year,
          periodIds,
          statuses: scale,
          people: persons,
          indicators: list.map((i) => ({
            id: i.id,
            code: i.code,
            unit: unitOf(i),
            polarity: i.polarity,
            frequency: i.frequency,
            ownerId: i.ownerId,
            ownerName: i.ownerName,
          })),
        });
      let checked = await read(initial);
      const created: string[] = [];
      // Indicators not yet in Amber: when they are the file's only problem, they can be created
      // from it, once the officer has seen what would be created and confirmed exactly that.
      // A file without a Description column is not one that describes indicators: its unknown
      // PI Nos are only problems, as they always were.
      if (checked.missing.length > 0 && checked.problems.every((p) => p.missingCode) && checked.describes) {
        const proposals = checked.missing.map(proposeIndicator);
        const cannot = proposals.flatMap((p) => p.problems);
        for (const p of proposals) {
          if (!p.proposed) continue;
          for (const issue of readDefinition(p.proposed.input).issues)
            cannot.push({ row: p.proposed.row, column: 'PI No', message: `${p.proposed.code}: ${issue.message}` });
        }
        if (cannot.length > 0) throw problemsError([...checked.problems, ...cannot].sort((a, b) => a.row - b.row));
        const proposed = proposals.map((p) => p.proposed!);
        const confirmed = typeof input.create === 'string' ? input.create.split(/\r?\n/).filter((c) => c !== '') : [];
        const same =
          confirmed.length === proposed.length &&
          proposed.every((p) => confirmed.some((c) => c.toLowerCase() === p.code.toLowerCase()));
        if (!same) throw new MissingIndicatorsError(proposed);
        for (const p of proposed) {
          await indicators.create(actor, p.input);
          created.push(
            `${p.code} was created from row ${p.row}: ${p.title}, reported ${p.frequency}, with the organisation’s default tolerance`,
          );
        }
        checked = await read(await indicators.list(actor));
      }
      const { writes, problems, notices, owners, unknownHeaders } = checked;
      if (problems.length > 0) throw problemsError(problems, unknownHeaders);
      if (writes.length === 0)
        throw ValidationError.single(
          'file',
          `The file has no values for ${financialYearLabel(year)}: fill in the period columns of the template`,
        );

      const indicatorCount = new Set(writes.map((w) => w.indicatorId)).size;
      const noticed = [...created, ...notices.map(problemText)];
      if (writes.length > BACKGROUND_IMPORT_ABOVE) {
        // Every row has been checked: only the writing is left to the job.
        const job = await jobs.enqueue<IndicatorImportParams>(
          actor,
          INDICATOR_IMPORT_JOB,
          { filename: file.filename, year, writes, owners, notices: noticed },
          'indicator.edit',
        );
        return { year, indicators: indicatorCount, values: writes.length, jobId: job.id, notices: [] };
      }
      const said = [...noticed, ...(await setOwners(actor, file.filename, owners))];
      for (const batch of importBatches(writes))
        said.push(...(await writeBatch(repo, actor, file.filename, year, batch)));
      return { year, indicators: indicatorCount, values: writes.length, notices: said };
    },

    /** How many batches a queued import is written in (one unit of work each). */
    queuedBatchCount: (params: IndicatorImportParams): number => batchesOfQueued(params.writes).length,

    /**
     * Writes batch `index` of a checked big file. The job writes the batches one by one, each in
     * its own unit of work, and records progress between them; the upserts are idempotent, so a
     * failed job can simply be queued again.
     */
    async writeQueuedBatch(
      actor: Actor,
      params: IndicatorImportParams,
      index: number,
    ): Promise<{ written: number; notices: string[] }> {
      // Only the import job (the system) writes a batch: the values were checked, and the import authorised, when queued.
      if (actor.kind !== 'system')
        throw new ForbiddenError('FORBIDDEN', 'Only the import job writes the queued values of an import.');
      const batch = batchesOfQueued(params.writes)[index];
      if (!batch) return { written: 0, notices: [] };
      const owners = index === 0 ? await setOwners(actor, params.filename, params.owners ?? []) : [];
      const kept = await writeBatch(repo, actor, params.filename, params.year, batch);
      return { written: batch.length, notices: [...owners, ...kept] };
    },

    /** What a finished queued import says. */
    queuedImportDone: (params: IndicatorImportParams, notices: readonly string[] = []): string =>
      [
        `${params.writes.length.toLocaleString('en-GB')} values were imported for ${financialYearLabel(params.year)} from ${params.filename}.`,
        ...[...(params.notices ?? []), ...notices].map((n) => `${n}.`),
      ].join(' '),
  };
}

export type IndicatorTransferService = ReturnType<typeof createIndicatorTransferService>;
