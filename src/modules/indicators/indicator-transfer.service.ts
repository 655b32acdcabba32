// Importing and exporting indicator values as CSV or XLSX, one financial year per file (issue 4).
// An import is all or nothing: every row is checked first, with reads made outside any
// transaction, and only a file without a single problem is written, in one transaction.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { ValidationError, ConflictError, ForbiddenError } from '../../domain/errors.ts';
import { formatValue, FREQUENCY_PERIOD_KIND, type Scaled } from '../../domain/indicators/indicator.ts';
import { yearToDate } from '../../domain/indicators/ytd.ts';
import { financialYearLabel, parsePeriodKey } from '../../domain/period.ts';
import { parseWith } from '../../platform/validation.ts';
import { firstProblems } from '../../domain/limits.ts';
import { spreadsheetLimits, tooLarge, type Sheet } from '../../platform/spreadsheet.ts';
import type { InputLimits } from '../../config.ts';
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
  readValueRows,
  problemText,
  valueSheet,
  writeSheetCsv,
  writeXlsx,
  transferYearInput,
  type ExportRow,
  type Problem,
  type ValueWrite,
} from './indicator-transfer.ts';

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

const CONTENT_TYPES: Record<TransferFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Every problem as one issue on the file field, so the error summary links to the upload. */
/** Every problem of a refused file, up to the first 100 and a count of the rest. */
const problemsError = (problems: Problem[]) =>
  new ValidationError(
    firstProblems(
      problems.map((p) => ({ field: 'file', message: problemText(p) })),
      (rest) => ({
        field: 'file',
        message: `and ${rest.toLocaleString('en-GB')} more ${rest === 1 ? 'problem' : 'problems'}: correct those above and upload the file again to see them`,
      }),
    ),
  );

export interface IndicatorTransferServiceDeps {
  repo: IndicatorRepository;
  indicators: IndicatorService;
  periods: PeriodService;
  jobs: JobService;
  people: PersonService;
  plans: PlanService;
  limits: InputLimits;
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
  limits,
}: IndicatorTransferServiceDeps) {
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
    const body = format === 'csv' ? writeSheetCsv(sheet) : await writeXlsx(title, sheet);
    return { filename: `${name}.${format}`, contentType: CONTENT_TYPES[format], body };
  }

  /** One batch: a multi-row upsert, and an audit event per indicator for its values in the batch. */
  async function writeBatch(
    q: IndicatorQueries,
    actor: Actor,
    filename: string,
    year: number,
    batch: ValueWrite[],
  ): Promise<void> {
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
          values: items.map(({ periodKey, actual, target, targetHigh, comment }) => ({
            periodKey,
            actual,
            target,
            targetHigh,
            comment,
          })),
        },
      })),
    );
  }

  async function sheetOf(actor: Actor, year: number, blank: boolean): Promise<ExportRow[]> {
    const list = await indicators.list(actor);
    const rows: ExportRow[] = [];
    for (const i of list) {
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
      const { points } = await indicators.points(actor, i.code);
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
      rows.push({
        ...base,
        target: withTarget[withTarget.length - 1]?.target,
        actuals: new Map(withActual.map((p) => [p.period.key, p.value.actual as Scaled])),
        ytd: ytd === undefined ? '' : formatValue(ytd, unit),
        status: latest?.shown?.label ?? '',
        comment: latest?.value.comment ?? '',
      });
    }
    return rows;
  }

  async function download(actor: Actor, year: number, format: TransferFormat, blank: boolean): Promise<Download> {
    const rows = await sheetOf(actor, year, blank);
    const sheet = valueSheet(year, rows, formatValue, format === 'xlsx');
    const name = blank ? 'indicator-values-template' : `indicator-values-${financialYearLabel(year).replace('/', '-')}`;
    const body =
      format === 'csv'
        ? writeSheetCsv(sheet)
        : await writeXlsx(blank ? 'Indicator values' : `Values ${financialYearLabel(year).replace('/', '-')}`, sheet);
    return { filename: `${name}.${format}`, contentType: CONTENT_TYPES[format], body };
  }

  return {
    /** Every indicator's definition, in the layout the definitions import reads. */
    async exportDefinitions(actor: Actor, format: TransferFormat): Promise<Download> {
      const [list, priorities] = await Promise.all([indicators.list(actor), plans.listPriorities(actor)]);
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
      const existing = [];
      for (const i of list) existing.push({ ...i, hasValues: (await repo.values(i.id)).length > 0 });
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
      let created = 0;
      for (const { existing: before, definition } of writes) {
        if (before) {
          if (
            !(await repo.update(
              actor.organisationId,
              before.id,
              before.version,
              definition.values,
              definition.priorityIds,
            ))
          ) {
            throw new ConflictError(
              'STALE_VERSION',
              `Someone else changed ${before.code} while the file was being read. Nothing has been imported: upload the file again.`,
            );
          }
        } else {
          await repo.insert(actor.organisationId, definition.values, definition.priorityIds);
          created += 1;
        }
        const after = (await repo.findByCode(actor.organisationId, definition.values.code))!;
        await repo.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'indicator',
          entityId: after.id,
          action: 'import',
          before,
          after: { imported: filename, ...after },
        });
      }
      return { created, updated: writes.length - created };
    },

    parseYear: (input: unknown): number => parseWith(transferYearInput, input).year,

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
      input: { year?: unknown; file?: { filename: string; data: Buffer } | undefined },
    ): Promise<ImportResult> {
      authorize(actor, 'indicator.edit');
      const year = parseWith(transferYearInput, { year: input.year }).year;
      const sheet = await rowsOf(input.file);
      const file = input.file!;
      const [list, known] = await Promise.all([indicators.list(actor), periods.list(actor)]);
      const periodIds = new Map(
        known.filter((p) => p.startYear === year).map((p) => [parsePeriodKey(p.key).key, p.id]),
      );
      const { writes, problems } = readValueRows(sheet.rows, {
        merges: sheet.merges,
        year,
        periodIds,
        indicators: list.map((i) => ({
          id: i.id,
          code: i.code,
          unit: unitOf(i),
          polarity: i.polarity,
          frequency: i.frequency,
        })),
      });
      if (problems.length > 0) throw problemsError(problems);
      if (writes.length === 0)
        throw ValidationError.single(
          'file',
          `The file has no values for ${financialYearLabel(year)}: fill in the period columns of the template`,
        );

      const indicatorCount = new Set(writes.map((w) => w.indicatorId)).size;
      if (writes.length > BACKGROUND_IMPORT_ABOVE) {
        // Every row has been checked: only the writing is left to the job.
        const job = await jobs.enqueue<IndicatorImportParams>(
          actor,
          INDICATOR_IMPORT_JOB,
          { filename: file.filename, year, writes },
          'indicator.edit',
        );
        return { year, indicators: indicatorCount, values: writes.length, jobId: job.id };
      }
      for (const batch of importBatches(writes)) await writeBatch(repo, actor, file.filename, year, batch);
      return { year, indicators: indicatorCount, values: writes.length };
    },

    /** How many batches a queued import is written in (one unit of work each). */
    queuedBatchCount: (params: IndicatorImportParams): number => importBatches(params.writes).length,

    /**
     * Writes batch `index` of a checked big file. The job writes the batches one by one, each in
     * its own unit of work, and records progress between them; the upserts are idempotent, so a
     * failed job can simply be queued again.
     */
    async writeQueuedBatch(actor: Actor, params: IndicatorImportParams, index: number): Promise<number> {
      // Only the import job (the system) writes a batch: the values were checked, and the import authorised, when queued.
      if (actor.kind !== 'system')
        throw new ForbiddenError('FORBIDDEN', 'Only the import job writes the queued values of an import.');
      const batch = importBatches(params.writes)[index];
      if (!batch) return 0;
      await writeBatch(repo, actor, params.filename, params.year, batch);
      return batch.length;
    },

    /** What a finished queued import says. */
    queuedImportDone: (params: IndicatorImportParams): string =>
      `${params.writes.length.toLocaleString('en-GB')} values were imported for ${financialYearLabel(params.year)} from ${params.filename}.`,
  };
}

export type IndicatorTransferService = ReturnType<typeof createIndicatorTransferService>;
