// The efficiency diagnostic, part 1 (issue 5): exercises (one organisation, one financial year,
// a taxonomy version, running costs and headcount), the data collected for them (org units,
// posts, activity allocations, non-pay costs, volumes — by workbook upload, all or nothing, or a
// post at a time in the web form), the data-quality check and the baseline computed from it.
// The baseline is computed on demand from stored data by the pure rules of domain/diagnostic,
// never stored. Part 2 (src/modules/efficiency) reads cost pools through getBaseline. Peers never
// read an exercise's rows: each change to it replaces the figures of the benchmarking clubs a
// council consented to contribute it to (exerciseChanged → ClubBaselines, a port the clubs module
// implements and the composition root binds; ADR 0018), which is where peers' benchmarks come from.

import type { InputLimits } from '../../config.ts';
import { spreadsheetLimits, tooLarge } from '../../platform/spreadsheet.ts';
import { checkWorkbookOffThread } from './diagnostic-check.ts';
import type { Actor } from '../../domain/actor.ts';
import type { Units } from '../../platform/db/unit-of-work.ts';
import { authorize } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError, ForbiddenError, type FieldIssue } from '../../domain/errors.ts';
import {
  type Baseline,
  type OrgUnit,
  type Post,
  type Taxonomy,
  type SpansAndLayers,
  buildBaseline,
  spansAndLayers,
  SINK_CODES,
  MANAGING_OWN_TEAM,
  FRONT_LINE,
  DEFAULT_LIMITS,
} from '../../domain/diagnostic/baseline.ts';
import { type Money, pence, multiplyMoney } from '../../domain/diagnostic/money.ts';
import { formatBasisPoints, split, WHOLE } from '../../domain/diagnostic/decimal.ts';
import { allocateNonPay, type NonPayAllocation, type NonPayLine } from '../../domain/diagnostic/non-pay.ts';
import {
  DEFAULT_TAXONOMY,
  DEFAULT_TAXONOMY_ID,
  DEFAULT_TAXONOMY_NAME,
  checkTaxonomy,
} from '../../domain/diagnostic/taxonomy.ts';
import { parseWith } from '../../platform/validation.ts';
import type { Job, JobService } from '../jobs/job.service.ts';
import {
  type BaselineData,
  type DiagnosticRepository,
  type DiagnosticQueries,
  type ExerciseData,
  type ExerciseRecord,
  type PostRecord,
  postsOf,
} from './diagnostic.repository.ts';
import { DEMO_DATA, DEMO_EXERCISE } from './diagnostic-demo.ts';
import {
  exerciseInput,
  exerciseVersion,
  postInput,
  percentToBasisPoints,
  taxonomyExtensionInput,
} from './diagnostic.schemas.ts';
import {
  CSV_SHEETS,
  SHEETS,
  describeProblem,
  isXlsx,
  parseWorkbook,
  rawSheetsOf,
  readCsvSheet,
  readWorkbook,
  storedSheetsOf,
  type SheetSource,
  type SheetProblem,
} from './diagnostic-transfer.ts';

export class ExerciseNotFoundError extends NotFoundError {
  constructor() {
    super('DIAGNOSTIC_EXERCISE_NOT_FOUND', 'There is no such diagnostic exercise');
  }
}
export class PostNotFoundError extends NotFoundError {
  constructor() {
    super('DIAGNOSTIC_POST_NOT_FOUND', 'There is no such post in this exercise');
  }
}

export interface Exercise {
  id: string;
  name: string;
  /** The starting year of the financial year: 2009 for 2009/10. */
  financialYear: number;
  runningCosts: Money;
  headcount: number | null;
  taxonomyVersionId: string;
  taxonomyName: string;
  /** Function codes in scope; all of the taxonomy's when none were chosen. */
  scope: string[];
  /** Made-up figures (the demo's), labelled as such wherever shown. */
  illustrative: boolean;
  version: number;
  taxonomy: Taxonomy;
}

export interface ExerciseSummary extends Omit<Exercise, 'taxonomy'> {
  counts: { units: number; posts: number; allocations: number; nonPay: number; volumes: number };
}

export interface UnitCost {
  process: string;
  volume: number;
  driver: string;
  cost: Money;
  unitCost: Money;
}

/** The baseline of an exercise: the pay baseline of domain/diagnostic plus non-pay, totals and indicators. */
export interface ExerciseBaseline extends Baseline {
  exercise: Exercise;
  orgUnits: (OrgUnit & { code: string })[];
  /** Directorates (top-level units) in sheet order: the matrix's columns. */
  directorates: string[];
  nonPay: NonPayAllocation;
  /** Pay + non-pay, every process (sinks included) and function. */
  totalCost: { byProcess: Record<string, Money>; byFunction: Record<string, Money>; backOffice: Money };
  /** Pay + non-pay per process per unit (NOT_IN_A_UNIT for outsourced work). */
  totalByProcessAndUnit: Record<string, Record<string, Money>>;
  /** Function total cost as a share of organisational running costs (0..1); undefined when ORC is 0. */
  shareOfRunningCosts: Record<string, number | undefined>;
  unitCosts: Record<string, UnitCost>;
  spans: SpansAndLayers;
  /** The loaded pay of every post that manages at least one other (the spans-and-layers lever's pool). */
  managerPay: Money;
  /**
   * Of that pay, how much lies in each process's and each function's pay (the managers' time on
   * it, split as the baseline splits it): the part of a function's pool a spans-and-layers saving
   * shares with a saving on the function (issue 12).
   */
  managerPayWithin: Record<string, Money>;
  /** Cost per employee (headcount) of each function; undefined without a headcount. */
  costPerEmployee: Record<string, Money | undefined>;
  posts: number;
}

export interface QualityItem {
  severity: 'problem' | 'warning';
  area: string;
  message: string;
}

export interface UploadResult {
  posts: number;
  allocations: number;
  units: number;
  nonPay: number;
  volumes: number;
}

/**
 * A big upload queued for the background (diagnostic-upload.job.ts): nothing is counted yet; the
 * job checks the file and writes it. `jobId` leads to its progress page.
 */
export interface QueuedUpload {
  jobId: string;
}

export const DIAGNOSTIC_UPLOAD_JOB = 'diagnostic-upload';
/** What a queued upload's job is given: where the file waits, and what the request was. */
export interface DiagnosticUploadParams {
  exerciseId: string;
  filename: string;
  bytes: number;
  /** The CSV sheet key (CSV_SHEETS), when the file is one sheet as CSV. */
  sheet: string | undefined;
  /** The exercise's version the upload was made from: a change meanwhile refuses it. */
  version: number;
}

/** A queued upload's file as its job reads it (DiagnosticService.loadQueuedUpload). */
export interface QueuedFile {
  exercise: Exercise;
  /** Undefined when the file is no longer there. */
  bytes: Buffer | undefined;
  sheet: string | undefined;
  /** The exercise's data, for a CSV file of one sheet. */
  stored: ExerciseData | undefined;
}

/** A queued upload's file, checked: its data ready to write, or every problem with it. */
export type CheckedUpload =
  { ok: true; data: ExerciseData; counts: UploadResult } | { ok: false; summary: string; problems: string[] };

/** A queued upload as its progress page shows it. */
export interface UploadStatus {
  exercise: Exercise;
  filename: string;
  status: Job['status'];
  progress: number;
  message: string;
  /** When it failed: what the job said, then each problem with the file, one per line. */
  summary: string | undefined;
  problems: string[];
}

/** What deleting an exercise removes, or why it cannot be deleted (DiagnosticService.exerciseDeletion). */
export interface ExerciseDeletion {
  exercise: Exercise;
  /** Why it cannot be deleted; undefined when it can. */
  refusal: string | undefined;
  /** What goes with it, one line each, as the confirmation page lists it. */
  removes: string[];
  /** The same as numbers, as the audit trail and the API give them. */
  counts: Record<string, number>;
}

/** Posts on one page of the posts list. */
export const POSTS_PER_PAGE = 100;
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const MAX_PROBLEMS = 200;

/** Problems of a refused upload as field issues: the sheet, row and column in every message. */
function uploadIssues(problems: readonly SheetProblem[]): FieldIssue[] {
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => ({ field: 'file', message: describeProblem(p) }));
  if (problems.length > MAX_PROBLEMS)
    shown.push({
      field: 'file',
      message: `… and ${problems.length - MAX_PROBLEMS} more problems: fix these first and upload again`,
    });
  return shown;
}

/**
 * The benchmarking clubs' side of an exercise's baseline (ADR 0018): the clubs module, which reads
 * this service, implements it; the composition root binds it once both exist. Called in the
 * owner's own transaction at each change of an exercise, and before one is deleted.
 */
export interface ClubBaselines {
  /**
   * Replaces the exercise's figures in each club the owner consented to contribute it to (none
   * when `baseline` gives undefined: its data gives no baseline). `baseline` is called only when
   * some club follows the exercise, and at most once.
   */
  follow(
    organisationId: string,
    exerciseId: string,
    baseline: () => Promise<ExerciseBaseline | undefined>,
  ): Promise<void>;
  /** The exercise is being deleted: its figures leave every club. */
  deleted(organisationId: string, exerciseId: string): Promise<void>;
}

export interface DiagnosticServiceDeps {
  repo: DiagnosticRepository;
  /** Benchmarking clubs that follow an exercise's baseline; none when not given (a test's service alone). */
  clubBaselines?: ClubBaselines;
  units: Pick<Units<unknown>, 'current'>;
  limits: InputLimits;
  /** The background jobs: an upload above limits.diagnosticBackgroundBytes is run by one. Without it, every upload runs in the request. */
  jobs?: Pick<JobService, 'enqueue' | 'getWithInput'>;
}

const JOB_PROBLEM_PREFIX = '• ';

/** The text a refused upload's job fails with: the summary, then one problem a line (read by uploadStatus). */
export const uploadJobFailure = (checked: { summary: string; problems: string[] }): string =>
  [checked.summary, ...checked.problems.map((p) => `${JOB_PROBLEM_PREFIX}${p.replace(/\s*\n\s*/g, ' ')}`)].join('\n');

export function createDiagnosticService({ repo, units, limits, jobs, clubBaselines }: DiagnosticServiceDeps) {
  // Rows by the diagnostic's own setting (a large council's Allocations sheet is 120,000 rows).
  const sheetLimits = { ...spreadsheetLimits(limits), rows: limits.diagnosticSheetRows };
  /**
   * The shipped taxonomy is inserted the first time anyone needs it (its id is fixed; the insert
   * does nothing when it is there). Remembered once the unit of work that inserted it commits.
   */
  let defaultTaxonomyReady = false;
  async function ensureDefaultTaxonomy(): Promise<void> {
    if (defaultTaxonomyReady) return;
    await repo.ensureTaxonomy(DEFAULT_TAXONOMY_ID, null, DEFAULT_TAXONOMY_NAME, DEFAULT_TAXONOMY);
    const work = units.current();
    if (work)
      work.afterCommit(() => {
        defaultTaxonomyReady = true;
      });
    else defaultTaxonomyReady = true;
  }

  const taxonomyCache = new Map<string, Taxonomy>();
  /** Released versions never change, so they are cached by id. */
  async function taxonomyOf(versionId: string, q: Pick<DiagnosticQueries, 'loadTaxonomy'> = repo): Promise<Taxonomy> {
    let t = taxonomyCache.get(versionId);
    if (!t) {
      t = await q.loadTaxonomy(versionId);
      taxonomyCache.set(versionId, t);
    }
    return t;
  }

  async function toExercise(r: ExerciseRecord): Promise<Exercise> {
    const taxonomy = await taxonomyOf(r.taxonomyVersionId);
    return {
      id: r.id,
      name: r.name,
      financialYear: r.financialYear,
      runningCosts: pence(r.runningCosts),
      headcount: r.headcount,
      taxonomyVersionId: r.taxonomyVersionId,
      taxonomyName: r.taxonomyName,
      scope: r.scope.length > 0 ? r.scope : taxonomy.functions.map((f) => f.code),
      illustrative: r.illustrative,
      version: r.version,
      taxonomy,
    };
  }

  async function findRecord(actor: Actor, id: string): Promise<ExerciseRecord> {
    const r = isUuid(id) ? await repo.findExercise(actor.organisationId, id) : undefined;
    if (!r) throw new ExerciseNotFoundError();
    return r;
  }

  async function parseExercise(actor: Actor, body: unknown) {
    const { shareWithPeers, ...v } = parseWith(exerciseInput, body);
    if (shareWithPeers) throw sharingRetired();
    const versions = await repo.listTaxonomyVersions(actor.organisationId);
    if (!versions.some((t) => t.id === v.taxonomyVersionId))
      throw ValidationError.single('taxonomyVersionId', 'Select the process taxonomy from the list');
    const taxonomy = await taxonomyOf(v.taxonomyVersionId);
    const known = new Set(taxonomy.functions.map((f) => f.code));
    const unknown = v.scope.filter((c) => !known.has(c));
    if (unknown.length > 0)
      throw ValidationError.single(
        'scope',
        `Select the functions in scope from the list (${unknown.join(', ')} is not in this taxonomy)`,
      );
    return { ...v, scope: taxonomy.functions.map((f) => f.code).filter((c) => v.scope.includes(c)) };
  }

  /** Pay baseline, non-pay and indicators from an exercise's stored data. */
  function compute(
    exercise: Exercise,
    data: BaselineData,
  ): { ok: true; baseline: ExerciseBaseline } | { ok: false; problems: string[] } {
    const centralOf = new Map<string, string>();
    for (const u of data.units)
      if (u.centralFunctionCode && !centralOf.has(u.centralFunctionCode)) centralOf.set(u.centralFunctionCode, u.code);
    const taxonomy: Taxonomy = {
      functions: exercise.taxonomy.functions.map((f) => ({
        ...f,
        ...(centralOf.has(f.code) ? { centralUnitId: centralOf.get(f.code)! } : {}),
      })),
      processes: exercise.taxonomy.processes,
    };
    const orgUnits = data.units.map((u) => ({
      id: u.code,
      code: u.code,
      name: u.name,
      ...(u.parentCode ? { parentId: u.parentCode } : {}),
      users: u.users ?? undefined,
      areaM2: u.areaM2 ?? undefined,
    }));
    const posts = data.posts;
    const pay = buildBaseline({ taxonomy, orgUnits, posts });
    if (!pay.ok)
      return {
        ok: false,
        problems: pay.problems.map((p) => `${SHEETS.posts} row ${p.row} (${p.field}): ${p.message}`),
      };
    const lines: NonPayLine[] = data.nonPay.map((n) => ({
      row: n.row,
      category: n.category,
      amount: pence(n.amount),
      processCode: n.processCode ?? undefined,
      functionCode: n.functionCode ?? undefined,
      unitCode: n.unitCode ?? undefined,
      basis: n.basis,
    }));
    const np = allocateNonPay({ taxonomy, orgUnits, byProcessAndUnit: pay.baseline.byProcessAndUnit, lines });
    if (!np.ok)
      return {
        ok: false,
        problems: np.problems.map((p) => `${SHEETS.nonPay} row ${p.row} (${p.field}): ${p.message}`),
      };
    const b = pay.baseline;
    const nonPay = np.allocation;

    const byProcess: Record<string, Money> = {};
    for (const code of Object.keys(b.byProcess))
      byProcess[code] = pence(b.byProcess[code]!.payCost + (nonPay.byProcess[code] ?? 0));
    const byFunction: Record<string, Money> = {};
    for (const f of taxonomy.functions)
      byFunction[f.code] = pence(b.byFunction[f.code]!.payCost + nonPay.byFunction[f.code]!);
    const totalByProcessAndUnit: Record<string, Record<string, Money>> = {};
    for (const [process, units] of Object.entries(b.byProcessAndUnit)) {
      const row = (totalByProcessAndUnit[process] ??= {});
      for (const [unit, a] of Object.entries(units)) row[unit] = pence((row[unit] ?? 0) + a.payCost);
    }
    for (const [process, units] of Object.entries(nonPay.byProcessAndUnit)) {
      const row = (totalByProcessAndUnit[process] ??= {});
      for (const [unit, amount] of Object.entries(units)) row[unit] = pence((row[unit] ?? 0) + amount);
    }
    const orc = exercise.runningCosts;
    const shareOfRunningCosts: Record<string, number | undefined> = {};
    const costPerEmployee: Record<string, Money | undefined> = {};
    for (const f of taxonomy.functions) {
      shareOfRunningCosts[f.code] = orc > 0 ? byFunction[f.code]! / orc : undefined;
      costPerEmployee[f.code] = exercise.headcount
        ? multiplyMoney(byFunction[f.code]!, 1, exercise.headcount)
        : undefined;
    }
    const unitCosts: Record<string, UnitCost> = {};
    for (const v of data.volumes) {
      if (v.volume > 0)
        unitCosts[v.processCode] = {
          process: v.processCode,
          volume: v.volume,
          driver: v.driver,
          cost: byProcess[v.processCode]!,
          unitCost: multiplyMoney(byProcess[v.processCode]!, 1, v.volume),
        };
    }
    return {
      ok: true,
      baseline: {
        ...b,
        exercise: { ...exercise, taxonomy },
        orgUnits,
        directorates: orgUnits.filter((u) => u.parentId === undefined).map((u) => u.id),
        nonPay,
        totalCost: { byProcess, byFunction, backOffice: pence(b.backOffice.payCost + nonPay.backOffice) },
        totalByProcessAndUnit,
        shareOfRunningCosts,
        unitCosts,
        spans: spansAndLayers(
          posts.map((p) => ({ id: p.id, ...(p.managerId ? { managerId: p.managerId } : {}) })),
          6,
        ),
        ...managersOf(posts, taxonomy),
        costPerEmployee,
        posts: posts.length,
      },
    };
  }

  /** The pay of every post that manages another, in all and within each process and function. */
  function managersOf(
    posts: readonly Post[],
    taxonomy: Taxonomy,
  ): { managerPay: Money; managerPayWithin: Record<string, Money> } {
    const managing = new Set<string>();
    for (const p of posts) if (p.managerId) managing.add(p.managerId);
    const functionOf = new Map(taxonomy.processes.map((p) => [p.code, p.functionCode] as const));
    const within: Record<string, Money> = {};
    const add = (code: string, amount: number) => (within[code] = pence((within[code] ?? 0) + amount));
    let pay = 0;
    for (const p of posts) {
      if (!managing.has(p.id)) continue;
      pay += p.payCost;
      const weights = p.allocations.map((a) => a.pct);
      const parts = split(
        p.payCost,
        weights,
        weights.reduce((a, b) => a + b, 0),
      );
      p.allocations.forEach((a, i) => {
        const fn = functionOf.get(a.process);
        if (fn === undefined || parts[i] === 0) return; // a sink: not in any pool of the taxonomy
        add(a.process, parts[i]!);
        add(fn, parts[i]!);
      });
    }
    return { managerPay: pence(pay), managerPayWithin: within };
  }

  /** Only the upload job (the system) runs a queued upload's steps: the upload was authorised when queued. */
  function onlyTheJob(actor: Actor): void {
    if (actor.kind !== 'system')
      throw new ForbiddenError('FORBIDDEN', 'Only the upload job checks and writes a queued upload.');
  }

  async function getExercise(actor: Actor, id: string): Promise<Exercise> {
    authorize(actor, 'diagnostic.read');
    return toExercise(await findRecord(actor, id));
  }

  // The last few baselines computed, by exercise and version: every change to an exercise's data
  // or settings bumps its version (stored in PostgreSQL, so this holds across instances), and the
  // drill-down pages then reuse one computation instead of reloading 135,000 rows per page.
  const baselineCache = new Map<string, { version: number; baseline: ExerciseBaseline }>();
  const CACHED_BASELINES = 2;

  const cacheBaseline = (id: string, version: number, baseline: ExerciseBaseline) => {
    baselineCache.delete(id);
    baselineCache.set(id, { version, baseline });
    while (baselineCache.size > CACHED_BASELINES) baselineCache.delete(baselineCache.keys().next().value!);
  };

  async function getBaseline(actor: Actor, id: string, options: { fresh?: boolean } = {}): Promise<ExerciseBaseline> {
    authorize(actor, 'diagnostic.read');
    const record = await findRecord(actor, id);
    const hit = baselineCache.get(id);
    if (hit && hit.version === record.version && !options.fresh) return hit.baseline;
    const exercise = await toExercise(record);
    const data = await repo.loadBaselineData(id);
    if (data.posts.length === 0)
      throw ValidationError.single('posts', 'The exercise has no posts yet: upload the templates or add posts first');
    const result = compute(exercise, data);
    if (!result.ok)
      throw new ValidationError(
        result.problems.map((message) => ({ field: 'data', message })),
        'The baseline cannot be computed until these problems are fixed',
      );
    cacheBaseline(id, record.version, result.baseline);
    return result.baseline;
  }

  /**
   * After a change to an exercise (its data or settings), in the owner's own transaction, which
   * alone may read its rows: the benchmarking clubs it is contributed to by consent take its
   * figures at the version it is now at (ADR 0018), worked out only when one of them needs them.
   * The baseline worked out is the owner's next one, once this transaction commits (never before:
   * a rolled-back change must not leave a baseline cached under a version the next change will
   * reuse).
   */
  async function exerciseChanged(organisationId: string, id: string): Promise<void> {
    const record = await repo.findExercise(organisationId, id);
    if (!record || !clubBaselines) return;
    let computed: { baseline: ExerciseBaseline | undefined } | undefined;
    const baselineNow = async (): Promise<ExerciseBaseline | undefined> => {
      if (!computed) {
        const result = compute(await toExercise(record), await repo.loadBaselineData(id));
        computed = { baseline: result.ok && result.baseline.posts > 0 ? result.baseline : undefined };
      }
      return computed.baseline;
    };
    await clubBaselines.follow(organisationId, id, baselineNow);
    const remember = () => {
      if (computed?.baseline) cacheBaseline(id, record.version, computed.baseline);
    };
    const work = units.current();
    if (work) work.afterCommit(remember);
    else remember();
  }

  /**
   * Sharing an exercise with every organisation in the deployment is retired (ADR 0018): peers'
   * benchmarks come from benchmarking clubs, to which a council contributes its baseline by
   * consent. The field stays in the form's and the API's schema so that a client written for an
   * older Amber is told why, not that the field is unknown.
   */
  const sharingRetired = () =>
    ValidationError.single(
      'shareWithPeers',
      'Sharing an exercise with every organisation has been retired: benchmarks now come from benchmarking clubs, so contribute this baseline to a club your organisation has joined',
    );

  /** The parsed sheets' data and counts, or a ValidationError naming every problem. */
  function checkSheets(exercise: Exercise, sheets: SheetSource[]): { data: ExerciseData; counts: UploadResult } {
    const { data, problems } = parseWorkbook(sheets, exercise.taxonomy);
    return accepted(data, problems);
  }

  /** The checked data with its counts, or a ValidationError naming every problem. */
  function accepted(
    data: ExerciseData | undefined,
    problems: readonly SheetProblem[] = [],
  ): { data: ExerciseData; counts: UploadResult } {
    if (problems.length > 0 || !data)
      throw new ValidationError(
        uploadIssues(problems),
        `The file was not imported: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} to fix`,
      );
    const allocations = data.posts.reduce((n, p) => n + p.allocations.length, 0);
    const counts = {
      units: data.units.length,
      posts: data.posts.length,
      allocations,
      nonPay: data.nonPay.length,
      volumes: data.volumes.length,
    };
    return { data, counts };
  }

  /**
   * The sheets of an upload: a whole workbook, or one sheet as CSV with the others made from the
   * stored data a row at a time as the check reads them (storedSheetsOf), never all held as text.
   */
  async function sheetsOf(
    exercise: Exercise,
    data: Buffer,
    sheet: string | undefined,
    stored?: ExerciseData,
  ): Promise<SheetSource[]> {
    if (isXlsx(data)) return readWorkbook(data, sheetLimits);
    const sheetName = sheet ? CSV_SHEETS[sheet] : undefined;
    if (!sheetName) throw ValidationError.single('sheet', 'Select which sheet the CSV file holds');
    const csv = await readCsvSheet(sheetName, data, sheetLimits);
    const sheets = storedSheetsOf(exercise.taxonomy, stored ?? (await storedFor(exercise.id, sheet)), sheetName);
    sheets.push(csv);
    return sheets;
  }
  /** What a CSV sheet is checked against: the stored data, without the allocations when it brings them. */
  const storedFor = (exerciseId: string, sheet: string | undefined) =>
    repo.loadData(exerciseId, { allocations: sheet !== 'allocations' });

  /** Replaces all of an exercise's data with the parsed sheets, or refuses with every problem named. */
  async function replaceFromSheets(
    actor: Actor,
    exercise: Exercise,
    sheets: SheetSource[],
    version: number | undefined,
  ): Promise<UploadResult> {
    const { data, counts } = checkSheets(exercise, sheets);
    return writeChecked(actor, exercise, data, counts, version);
  }

  /** Writes checked data over the exercise's (the caller's transaction), refusing a stale version. */
  async function writeChecked(
    actor: Actor,
    exercise: Exercise,
    data: ExerciseData,
    counts: UploadResult,
    version: number | undefined,
  ): Promise<UploadResult> {
    const current = await repo.findExercise(actor.organisationId, exercise.id);
    if (!current) throw new ExerciseNotFoundError();
    if (!(await repo.touchExercise(actor.organisationId, exercise.id, version ?? current.version))) {
      throw new ConflictError(
        'DIAGNOSTIC_EXERCISE_CHANGED',
        'Someone else changed this exercise while you were uploading: reload the page and upload again',
      );
    }
    await repo.replaceData(actor.organisationId, exercise.id, data);
    await exerciseChanged(actor.organisationId, exercise.id);
    await repo.audit({
      organisationId: actor.organisationId,
      actor: actor.label,
      entity: 'diagnostic_exercise',
      entityId: exercise.id,
      action: 'import',
      after: counts,
    });
    return counts;
  }

  return {
    /**
     * Puts Amber's shipped taxonomy in the database if it is not there. The server calls it at
     * start-up as the system: a request acting for an organisation may read it but not insert it,
     * so without this the first exercise of a database the demo never ran in could not start.
     */
    async ensureShippedTaxonomy(): Promise<void> {
      await ensureDefaultTaxonomy();
    },
    /** The taxonomy versions an exercise may use: Amber's and the organisation's own. */
    async listTaxonomyVersions(actor: Actor) {
      authorize(actor, 'diagnostic.read');
      await ensureDefaultTaxonomy();
      return repo.listTaxonomyVersions(actor.organisationId);
    },

    async getTaxonomy(actor: Actor, versionId: string): Promise<Taxonomy> {
      authorize(actor, 'diagnostic.read');
      await ensureDefaultTaxonomy();
      const versions = await repo.listTaxonomyVersions(actor.organisationId);
      if (!versions.some((v) => v.id === versionId))
        throw new NotFoundError('DIAGNOSTIC_TAXONOMY_NOT_FOUND', 'There is no such taxonomy version');
      return taxonomyOf(versionId);
    },

    /**
     * Extends a taxonomy version as a new version of the organisation's own: the base's functions
     * and processes plus those given. The base is never changed.
     */
    async extendTaxonomy(
      actor: Actor,
      input: {
        basedOnId: string;
        name: string;
        functions?: { code: string; name: string }[];
        processes?: Taxonomy['processes'];
      },
    ): Promise<string> {
      authorize(actor, 'diagnostic.edit');
      const base = await this.getTaxonomy(actor, input.basedOnId);
      const name = input.name.trim();
      if (!name) throw ValidationError.single('name', 'Enter a name for the new taxonomy version');
      const taxonomy: Taxonomy = {
        functions: [...base.functions, ...(input.functions ?? [])],
        processes: [...base.processes, ...(input.processes ?? [])],
      };
      const problems = checkTaxonomy(taxonomy);
      if (problems.length > 0) throw new ValidationError(problems.map((message) => ({ field: 'processes', message })));
      const id = repo.newId();
      await repo.ensureTaxonomy(id, actor.organisationId, name, taxonomy, input.basedOnId);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'diagnostic_taxonomy_version',
        entityId: id,
        action: 'create',
        after: { name, basedOnId: input.basedOnId, functions: input.functions, processes: input.processes },
      });
      return id;
    },

    /**
     * The taxonomy form: new functions as lines "CODE, Name" and new processes as lines
     * "CODE, Name, FUNCTION, T|P|S[, volume driver]", every bad line named.
     */
    async extendTaxonomyFromForm(actor: Actor, body: Record<string, unknown>): Promise<string> {
      authorize(actor, 'diagnostic.edit');
      const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
      const lines = (k: string) =>
        text(k)
          .split(/\r?\n/)
          .map((l, i) => ({ n: i + 1, cells: l.split(',').map((c) => c.trim()) }))
          .filter((l) => l.cells.some((c) => c !== ''));
      const issues: FieldIssue[] = [];
      const functions = lines('functions').map(({ n, cells }) => {
        if (cells.length !== 2 || !/^[A-Z][A-Z0-9-]{0,19}$/.test(cells[0]!) || !cells[1])
          issues.push({
            field: 'functions',
            message: `New functions, line ${n}: write a code in capitals and a name, like FLT, Fleet management`,
          });
        return { code: cells[0] ?? '', name: cells[1] ?? '' };
      });
      const processes = lines('processes').map(({ n, cells }) => {
        const [code = '', name = '', functionCode = '', type = '', driver] = cells;
        if (
          cells.length < 4 ||
          cells.length > 5 ||
          !/^[A-Z][A-Z0-9-]{0,19}$/.test(code) ||
          !name ||
          !functionCode ||
          !['T', 'P', 'S'].includes(type)
        ) {
          issues.push({
            field: 'processes',
            message: `New processes, line ${n}: write code, name, function code, type (T, P or S) and optionally a volume driver, like FLT-MNT, Vehicle maintenance, FLT, T, vehicles`,
          });
        }
        return { code, name, functionCode, type: type as 'T' | 'P' | 'S', ...(driver ? { volumeDriver: driver } : {}) };
      });
      if (!text('name').trim()) issues.push({ field: 'name', message: 'Enter a name for the new taxonomy version' });
      if (functions.length + processes.length === 0)
        issues.push({ field: 'processes', message: 'Add at least one function or process' });
      if (issues.length > 0) throw new ValidationError(issues);
      try {
        return await this.extendTaxonomy(actor, {
          basedOnId: text('basedOnId'),
          name: text('name'),
          functions,
          processes,
        });
      } catch (e) {
        if (e instanceof NotFoundError) throw ValidationError.single('basedOnId', 'Select the taxonomy to extend');
        throw e;
      }
    },

    /** The API's extension of a taxonomy: the form's rules, its functions and processes as lists. */
    async extendTaxonomyFromApi(actor: Actor, body: unknown): Promise<string> {
      authorize(actor, 'diagnostic.edit');
      const v = parseWith(taxonomyExtensionInput, body);
      if (v.functions.length + v.processes.length === 0)
        throw ValidationError.single('processes', 'Add at least one function or process');
      try {
        return await this.extendTaxonomy(actor, {
          basedOnId: v.basedOnId,
          name: v.name,
          functions: v.functions,
          processes: v.processes.map(({ volumeDriver, ...p }) => ({ ...p, ...(volumeDriver ? { volumeDriver } : {}) })),
        });
      } catch (e) {
        if (e instanceof NotFoundError) throw ValidationError.single('basedOnId', 'Select the taxonomy to extend');
        throw e;
      }
    },

    async listExercises(actor: Actor): Promise<ExerciseSummary[]> {
      authorize(actor, 'diagnostic.read');
      const records = await repo.listExercises(actor.organisationId);
      return Promise.all(
        records.map(async (r) => {
          const { taxonomy: _t, ...rest } = await toExercise(r);
          return { ...rest, counts: await repo.countData(r.id) };
        }),
      );
    },

    getExercise,

    async countData(actor: Actor, id: string) {
      authorize(actor, 'diagnostic.read');
      await findRecord(actor, id);
      return repo.countData(id);
    },

    async createExercise(actor: Actor, body: unknown, options: { illustrative?: boolean } = {}): Promise<string> {
      authorize(actor, 'diagnostic.edit');
      await ensureDefaultTaxonomy();
      const v = await parseExercise(actor, body);
      const id = await repo.insertExercise(actor.organisationId, {
        ...v,
        runningCosts: v.runningCosts,
        illustrative: options.illustrative ?? false,
      });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'diagnostic_exercise',
        entityId: id,
        action: 'create',
        after: v,
      });
      return id;
    },

    async updateExercise(actor: Actor, id: string, body: unknown): Promise<void> {
      authorize(actor, 'diagnostic.edit');
      const before = await findRecord(actor, id);
      const { version } = parseWith(exerciseVersion, body);
      const v = await parseExercise(actor, body);
      if (v.taxonomyVersionId !== before.taxonomyVersionId && (await repo.countData(id)).posts > 0) {
        throw ValidationError.single(
          'taxonomyVersionId',
          'The taxonomy cannot change once data has been collected: start a new exercise for another taxonomy',
        );
      }
      if (!(await repo.updateExercise(actor.organisationId, id, version, v))) {
        throw new ConflictError(
          'DIAGNOSTIC_EXERCISE_CHANGED',
          'Someone else changed this exercise while you were editing it: reload the page to see their changes',
        );
      }
      await exerciseChanged(actor.organisationId, id);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'diagnostic_exercise',
        entityId: id,
        action: 'update',
        before,
        after: v,
      });
    },

    /**
     * The exercise and what deleting it removes (its data and the programme built on it), or why
     * it cannot be deleted: a project of the implementation plan, a saving in the ledger or a
     * gain-share evaluation is the programme's record of what was done, and keeps the exercise.
     */
    async exerciseDeletion(actor: Actor, id: string): Promise<ExerciseDeletion> {
      authorize(actor, 'diagnostic.edit');
      const exercise = await getExercise(actor, id);
      const [data, programme] = await Promise.all([repo.countData(id), repo.programmeOf(actor.organisationId, id)]);
      const n = (count: number, one: string, many = `${one}s`) =>
        `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
      const { projects, savings, evaluations } = programme.standing;
      const standing = [
        ...(projects ? [`${n(projects, 'project')} of the implementation plan`] : []),
        ...(savings ? [`${n(savings, 'saving')} in the savings ledger`] : []),
        ...(evaluations ? [`${n(evaluations, 'gain-share evaluation')}`] : []),
      ];
      const refusal = standing.length
        ? `${standing.join(', ').replace(/, ([^,]*)$/, ' and $1')} ${projects + savings + evaluations === 1 ? 'rests' : 'rest'} on this exercise: the programme’s record of what was done is kept, so the exercise cannot be deleted`
        : undefined;
      return {
        exercise,
        refusal,
        removes: [
          n(data.units, 'org unit'),
          `${n(data.posts, 'post')} with ${n(data.allocations, 'activity allocation')}`,
          n(data.nonPay, 'line of non-pay cost', 'lines of non-pay cost'),
          `volumes for ${n(data.volumes, 'process', 'processes')}`,
          n(programme.benchmarks, 'benchmark set'),
          n(programme.opportunities, 'savings opportunity', 'savings opportunities'),
          `${n(programme.cases, 'business case')} with their options and cash flows`,
          n(programme.agreements, 'gain-share agreement'),
        ],
        counts: {
          ...data,
          ...programme.standing,
          benchmarks: programme.benchmarks,
          opportunities: programme.opportunities,
          cases: programme.cases,
          agreements: programme.agreements,
        },
      };
    },

    /** Deletes an exercise read at `version`, with everything `exerciseDeletion` said it removes. */
    async deleteExercise(actor: Actor, id: string, body: unknown): Promise<ExerciseDeletion> {
      authorize(actor, 'diagnostic.edit');
      const { version } = parseWith(exerciseVersion, body);
      const deletion = await this.exerciseDeletion(actor, id);
      if (deletion.refusal) throw ValidationError.single('exercise', deletion.refusal);
      // Its figures leave the clubs it was contributed to (rolled back with the rest if the delete is refused).
      await clubBaselines?.deleted(actor.organisationId, id);
      if (!(await repo.deleteExercise(actor.organisationId, id, version)))
        throw new ConflictError(
          'DIAGNOSTIC_EXERCISE_CHANGED',
          'Someone else changed this exercise while you were looking at it: reload the page to see what it holds now',
        );
      baselineCache.delete(id);
      const { taxonomy: _t, ...exercise } = deletion.exercise;
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'diagnostic_exercise',
        entityId: id,
        action: 'delete',
        before: { ...exercise, removed: deletion.counts },
      });
      return deletion;
    },

    /**
     * What the exercise's workbook holds (or, `empty`, its template: the taxonomy's lists only),
     * and its file name. The caller writes it (`writeWorkbook`) once this method's unit of work
     * has ended, so that no transaction waits while a large council's workbook is written (ADR 0028).
     */
    async workbookData(
      actor: Actor,
      id: string,
      options: { empty?: boolean } = {},
    ): Promise<{ filename: string; taxonomy: Taxonomy; data: ExerciseData }> {
      authorize(actor, 'diagnostic.read');
      const exercise = await getExercise(actor, id);
      const data = options.empty ? { units: [], posts: [], nonPay: [], volumes: [] } : await repo.loadData(id);
      const slug =
        exercise.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'exercise';
      return { filename: `${slug}-${options.empty ? 'template' : 'data'}.xlsx`, taxonomy: exercise.taxonomy, data };
    },

    /**
     * Imports a workbook (all five sheets) or one sheet as CSV (`sheet` names which; the other
     * sheets keep their current data). Everything is checked before anything is written; one
     * problem anywhere and nothing changes.
     */
    async upload(
      actor: Actor,
      id: string,
      input: { file: { filename: string; data: Buffer } | undefined; sheet?: string; version?: string },
      /** `background`: run it as a job whatever its size (the API's uploads: one answer, a job to poll). */
      options: { background?: boolean } = {},
    ): Promise<UploadResult | QueuedUpload> {
      authorize(actor, 'diagnostic.edit');
      const exercise = await getExercise(actor, id);
      if (!input.file || input.file.data.length === 0)
        throw ValidationError.single('file', 'Select the completed workbook (.xlsx) or a CSV file');
      const version = input.version && /^\d+$/.test(input.version) ? Number(input.version) : undefined;
      if (input.file.data.length > limits.diagnosticUploadBytes) throw tooLarge(limits.diagnosticUploadBytes);
      if (!isXlsx(input.file.data) && !(input.sheet && CSV_SHEETS[input.sheet]))
        throw ValidationError.single('sheet', 'Select which sheet the CSV file holds');
      if (jobs && (options.background || input.file.data.length > limits.diagnosticBackgroundBytes)) {
        // A big file: checked and written by a job, with a progress page, so the request returns
        // at once. The file waits in the database (any instance's worker can read it); the job
        // and the file exist only once this unit of work commits. A page already stale is refused
        // now rather than after the check (the job refuses a change made meanwhile).
        if (version !== undefined && version !== exercise.version)
          throw new ConflictError(
            'DIAGNOSTIC_EXERCISE_CHANGED',
            'Someone else changed this exercise while you were uploading: reload the page and upload again',
          );
        const job = await jobs.enqueue<DiagnosticUploadParams>(
          actor,
          DIAGNOSTIC_UPLOAD_JOB,
          {
            exerciseId: id,
            filename: input.file.filename,
            bytes: input.file.data.length,
            sheet: isXlsx(input.file.data) ? undefined : input.sheet,
            version: version ?? exercise.version,
          },
          'diagnostic.edit',
        );
        await repo.storeUpload(actor.organisationId, job.id, input.file.filename, input.file.data);
        return { jobId: job.id };
      }
      const sheets = await sheetsOf(exercise, input.file.data, input.sheet);
      return replaceFromSheets(actor, exercise, sheets, version);
    },

    /**
     * Step 1 of a queued upload (its job, as the system): what the check needs from the database —
     * the exercise, the waiting file and, for one sheet as CSV, the data it completes. A short
     * unit of work of its own, so the check itself holds no connection (PGlite has only one).
     */
    async loadQueuedUpload(actor: Actor, jobId: string, params: DiagnosticUploadParams): Promise<QueuedFile> {
      onlyTheJob(actor);
      const exercise = await toExercise(await findRecord(actor, params.exerciseId));
      const fileId = await repo.findUploadOf(actor.organisationId, jobId);
      const bytes = fileId === undefined ? undefined : await repo.loadUpload(actor.organisationId, fileId);
      const stored = bytes !== undefined && !isXlsx(bytes) ? await storedFor(exercise.id, params.sheet) : undefined;
      return { exercise, bytes, sheet: params.sheet, stored };
    },

    /**
     * Step 2: reads and checks the whole file, touching no database (so no connection is held
     * while it runs), writing nothing. A file with problems gives them all, each naming sheet,
     * row and column as a refused upload in the request does.
     */
    async checkQueuedUpload(actor: Actor, file: QueuedFile): Promise<CheckedUpload> {
      onlyTheJob(actor);
      if (file.bytes === undefined)
        return { ok: false, summary: 'The uploaded file is no longer there: upload it again', problems: [] };
      try {
        // A whole workbook is read and checked in a worker thread of its own (diagnostic-check.ts:
        // the upload's peak memory, and the event loop free meanwhile); a CSV sheet, checked
        // against the stored data a row at a time, here.
        const { data, counts } = isXlsx(file.bytes)
          ? await checkWorkbookOffThread({
              data: file.bytes,
              limits: sheetLimits,
              taxonomy: file.exercise.taxonomy,
            }).then((checked) => accepted(checked.data, checked.problems))
          : checkSheets(file.exercise, await sheetsOf(file.exercise, file.bytes, file.sheet, file.stored));
        return { ok: true, data, counts };
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return {
          ok: false,
          summary: /^The file was not imported/.test(error.message)
            ? error.message
            : 'The file was not imported: Amber cannot read it',
          problems: error.issues.map((i) => i.message),
        };
      }
    },

    /**
     * Step 3 of a queued upload: writes the checked data in one transaction (this unit of work),
     * with its audit event, and deletes the waiting file; refused, changing nothing, if the
     * exercise changed since the upload was made.
     */
    async writeQueuedUpload(
      actor: Actor,
      jobId: string,
      params: DiagnosticUploadParams,
      checked: { data: ExerciseData; counts: UploadResult },
    ): Promise<UploadResult> {
      onlyTheJob(actor);
      const exercise = await toExercise(await findRecord(actor, params.exerciseId));
      const counts = await writeChecked(actor, exercise, checked.data, checked.counts, params.version);
      const fileId = await repo.findUploadOf(actor.organisationId, jobId);
      if (fileId !== undefined) await repo.deleteUpload(actor.organisationId, fileId);
      return counts;
    },

    /** A queued upload that failed: its waiting file is deleted. */
    async discardQueuedUpload(actor: Actor, jobId: string): Promise<void> {
      onlyTheJob(actor);
      const fileId = await repo.findUploadOf(actor.organisationId, jobId);
      if (fileId !== undefined) await repo.deleteUpload(actor.organisationId, fileId);
    },

    /** A queued upload's progress, for its page; another exercise's or another kind of job is not found. */
    async uploadStatus(actor: Actor, id: string, jobId: string): Promise<UploadStatus> {
      authorize(actor, 'diagnostic.edit');
      const exercise = await getExercise(actor, id);
      if (!jobs) throw new NotFoundError('JOB_NOT_FOUND', `There is no job ${jobId}`);
      const job = await jobs.getWithInput(actor, jobId);
      const params = (job.input as { params?: Partial<DiagnosticUploadParams> }).params;
      if (job.kind !== DIAGNOSTIC_UPLOAD_JOB || params?.exerciseId !== id)
        throw new NotFoundError('JOB_NOT_FOUND', `There is no job ${jobId}`);
      const lines = (job.error ?? '').split('\n').filter((l) => l.trim() !== '');
      return {
        exercise,
        filename: params.filename ?? '',
        status: job.status,
        progress: job.progress,
        message: job.message,
        summary: job.status === 'failed' ? (lines.find((l) => !l.startsWith(JOB_PROBLEM_PREFIX)) ?? '') : undefined,
        problems:
          job.status === 'failed'
            ? lines.filter((l) => l.startsWith(JOB_PROBLEM_PREFIX)).map((l) => l.slice(JOB_PROBLEM_PREFIX.length))
            : [],
      };
    },

    getBaseline,

    /** What is missing or suspicious before the baseline is run: problems stop it, warnings do not. */
    async dataQuality(
      actor: Actor,
      id: string,
    ): Promise<{ exercise: Exercise; counts: UploadResult; items: QualityItem[]; ready: boolean }> {
      authorize(actor, 'diagnostic.read');
      const exercise = await getExercise(actor, id);
      const data = await repo.loadData(id);
      const items: QualityItem[] = [];
      const problem = (area: string, message: string) => items.push({ severity: 'problem', area, message });
      const warn = (area: string, message: string) => items.push({ severity: 'warning', area, message });
      const counts = {
        units: data.units.length,
        posts: data.posts.length,
        allocations: data.posts.reduce((n, p) => n + p.allocations.length, 0),
        nonPay: data.nonPay.length,
        volumes: data.volumes.length,
      };
      if (data.units.length === 0) problem(SHEETS.units, 'No org units yet');
      if (data.posts.length === 0) problem(SHEETS.posts, 'No posts yet');
      if (data.posts.length > 0) {
        const result = compute(exercise, { ...data, posts: postsOf(data.posts) });
        if (!result.ok) for (const m of result.problems) problem('Baseline', m);
      }
      if (exercise.runningCosts === 0)
        warn('Exercise', 'Organisational running costs are £0: functions cannot be shown as a share of them');
      if (exercise.headcount === null) warn('Exercise', 'No headcount: cost per employee cannot be worked out');
      else if (data.posts.length > 0) {
        const filled = data.posts.filter((p) => !p.vacant).length;
        if (Math.abs(filled - exercise.headcount) > Math.max(10, exercise.headcount * 0.2))
          warn(
            SHEETS.posts,
            `${filled.toLocaleString('en-GB')} filled posts, but the headcount is ${exercise.headcount.toLocaleString('en-GB')}: check every post is listed`,
          );
      }
      const withPosts = new Set(data.posts.map((p) => p.unitCode));
      const parents = new Set(data.units.map((u) => u.parentCode).filter(Boolean));
      const empty = data.units.filter((u) => !withPosts.has(u.code) && !parents.has(u.code));
      if (empty.length > 0)
        warn(
          SHEETS.units,
          `${empty.length} ${empty.length === 1 ? 'unit has' : 'units have'} no posts and no sub-units: ${empty
            .slice(0, 10)
            .map((u) => u.code)
            .join(', ')}${empty.length > 10 ? '…' : ''}`,
        );
      const inScope = new Set(exercise.scope);
      const centrals = new Set(data.units.map((u) => u.centralFunctionCode).filter(Boolean));
      const noCentral = exercise.taxonomy.functions.filter((f) => inScope.has(f.code) && !centrals.has(f.code));
      if (data.units.length > 0 && noCentral.length > 0)
        warn(
          SHEETS.units,
          `No unit is marked as the central function for ${noCentral.map((f) => f.name).join(', ')}: all of their work counts as outside the centre`,
        );
      const zeroPay = data.posts.filter((p) => p.payCost === 0 && !p.vacant);
      if (zeroPay.length > 0)
        warn(
          SHEETS.posts,
          `${zeroPay.length} filled ${zeroPay.length === 1 ? 'post has' : 'posts have'} no pay cost (rows ${zeroPay
            .slice(0, 10)
            .map((p) => p.row)
            .join(', ')}${zeroPay.length > 10 ? '…' : ''})`,
        );
      const lowPay = data.posts.filter((p) => p.payCost > 0 && p.fte > 0 && (p.payCost * 10_000) / p.fte < 10_000_00);
      if (lowPay.length > 0)
        warn(
          SHEETS.posts,
          `${lowPay.length} ${lowPay.length === 1 ? 'post has' : 'posts have'} a pay cost under £10,000 per FTE: check they are annual, loaded costs (rows ${lowPay
            .slice(0, 10)
            .map((p) => p.row)
            .join(', ')}${lowPay.length > 10 ? '…' : ''})`,
        );
      const notNormal = data.posts.filter(
        (p) => p.allocations.length > 0 && p.allocations.reduce((n, a) => n + a.pct, 0) !== WHOLE,
      );
      if (notNormal.length > 0)
        warn(
          SHEETS.allocations,
          `${notNormal.length} ${notNormal.length === 1 ? 'post’s allocations add' : 'posts’ allocations add'} up to within ±${formatBasisPoints(DEFAULT_LIMITS.tolerance)} of 100% but not exactly; they will be scaled to 100%`,
        );
      const roots = data.posts.filter((p) => p.managerCode === null).length;
      if (data.posts.length > 1 && roots > Math.max(1, data.posts.length * 0.1))
        warn(SHEETS.posts, `${roots} posts have no manager: spans and layers will be understated`);
      const volumeOf = new Set(data.volumes.map((v) => v.processCode));
      const missingVolume = exercise.taxonomy.processes.filter(
        (p) => inScope.has(p.functionCode) && p.volumeDriver && !volumeOf.has(p.code),
      );
      if (missingVolume.length > 0)
        warn(
          SHEETS.volumes,
          `No volume for ${missingVolume.length} ${missingVolume.length === 1 ? 'process' : 'processes'} with a volume driver, so no unit cost: ${missingVolume
            .slice(0, 12)
            .map((p) => p.code)
            .join(', ')}${missingVolume.length > 12 ? '…' : ''}`,
        );
      const onlySinks = data.posts.filter(
        (p) => p.allocations.length > 0 && p.allocations.every((a) => SINK_CODES.includes(a.processCode)),
      );
      if (data.posts.length > 0 && onlySinks.length === data.posts.length)
        warn(
          SHEETS.allocations,
          `Every post is allocated only to ${MANAGING_OWN_TEAM}/${FRONT_LINE}: the baseline will show no back-office work`,
        );
      return { exercise, counts, items, ready: !items.some((i) => i.severity === 'problem') };
    },

    /** Posts of an exercise, a page at a time, for correction in the web form. */
    async listPosts(
      actor: Actor,
      id: string,
      page = 1,
      pageSize = POSTS_PER_PAGE,
    ): Promise<{ posts: PostRecord[]; total: number; page: number; pages: number }> {
      authorize(actor, 'diagnostic.read');
      await findRecord(actor, id);
      // Only the page's posts and their allocations are read (issue 12: a large council has 15,000).
      const total = await repo.countPosts(id);
      const pages = Math.max(1, Math.ceil(total / pageSize));
      const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
      return { posts: await repo.listPostsPage(id, (p - 1) * pageSize, pageSize), total, page: p, pages };
    },

    async getPost(actor: Actor, id: string, postId: string): Promise<{ exercise: Exercise; post: PostRecord }> {
      authorize(actor, 'diagnostic.read');
      const exercise = await getExercise(actor, id);
      const post = isUuid(postId) ? await repo.findPost(id, postId) : undefined;
      if (!post) throw new PostNotFoundError();
      return { exercise, post };
    },

    /**
     * The running total of an allocation form as typed: server-computed so it works without JS.
     * Rows that are blank are ignored; a row that cannot be read is named.
     */
    allocationTotal(rows: readonly { process: string; pct: string }[]): {
      total: number | undefined;
      text: string;
      ok: boolean;
    } {
      let total = 0;
      for (const r of rows) {
        if (r.process === '' && r.pct === '') continue;
        const bp = percentToBasisPoints(r.pct);
        if (bp === undefined)
          return { total: undefined, text: 'cannot be worked out until every percentage is a number', ok: false };
        total += bp;
      }
      return { total, text: formatBasisPoints(total), ok: Math.abs(total - WHOLE) <= DEFAULT_LIMITS.tolerance };
    },

    /** Throws ForbiddenError unless the actor may change diagnostic data (for form steps that save nothing). */
    authorizeEdit(actor: Actor): void {
      authorize(actor, 'diagnostic.edit');
    },

    /** Saves one post and its allocations; the whole exercise must still be valid afterwards. */
    async updatePost(actor: Actor, id: string, postId: string, body: unknown): Promise<void> {
      authorize(actor, 'diagnostic.edit');
      const { exercise, post } = await this.getPost(actor, id, postId);
      const v = parseWith(postInput, body);
      const issues: FieldIssue[] = [];
      const allocations: PostRecord['allocations'] = [];
      v.allocations.forEach((a, i) => {
        if (a.process === '' && a.pct === '') return;
        const bp = percentToBasisPoints(a.pct);
        if (a.process === '')
          issues.push({ field: `allocations.${i}.process`, message: `Row ${i + 1}: enter the process code` });
        if (bp === undefined || bp > WHOLE)
          issues.push({
            field: `allocations.${i}.pct`,
            message: `Row ${i + 1}: enter the percentage as a number from 0 to 100`,
          });
        else allocations.push({ processCode: a.process, pct: bp });
      });
      if (issues.length > 0) throw new ValidationError(issues);
      const updated: PostRecord = {
        ...post,
        unitCode: v.unitCode,
        title: v.title,
        grade: v.grade,
        fte: v.fte,
        payCost: v.payCost,
        managerCode: v.managerCode,
        vacant: v.vacant,
        contractType: v.contractType,
        allocations,
      };
      // Check the post as an upload would, with only what its checks need (issue 12: reading the
      // whole exercise, 15,000 posts for a large council, to save one): its unit, the posts above
      // it up the management chain (a loop through it would come back to it), and their units.
      // The rest of the exercise was checked when it was uploaded and this save cannot change it;
      // the units' tree too, so they are given without their parents.
      const chain = updated.managerCode ? await repo.findManagerChain(id, updated.managerCode, postId) : [];
      const units = await repo.findUnits(id, [updated.unitCode, ...chain.map((p) => p.unitCode)]);
      const { problems } = parseWorkbook(
        rawSheetsOf(exercise.taxonomy, {
          units: units.map((u) => ({ ...u, parentCode: null })),
          posts: [updated, ...chain],
          nonPay: [],
          volumes: [],
        }),
        exercise.taxonomy,
      );
      // The post is the first row of data of the sheets so made.
      const mine = problems.filter(
        (p) =>
          (p.sheet === SHEETS.posts && p.row === 2) ||
          p.message.startsWith(`Post ${post.code}:`) ||
          p.message.includes(`Post ${post.code} `) ||
          p.message.includes(` ${post.code},`) ||
          p.message.includes(`post ${post.code}`),
      );
      const relevant = mine.length > 0 ? mine : problems;
      if (relevant.length > 0) {
        const fieldOf = (p: SheetProblem) =>
          p.sheet === SHEETS.allocations
            ? 'allocations'
            : /FTE/.test(p.column ?? '')
              ? 'fte'
              : /pay/i.test(p.column ?? '')
                ? 'payCost'
                : /Manager/.test(p.column ?? '')
                  ? 'managerCode'
                  : /unit/i.test(p.column ?? '')
                    ? 'unitCode'
                    : 'allocations';
        throw new ValidationError(
          relevant.slice(0, 20).map((p) => ({
            field: fieldOf(p),
            message: p.message.replace(/ \(rows [\d, ]+\)$/, '').replace(/ \(\w+ sheet row \d+\)/, ''),
          })),
        );
      }
      if (!(await repo.updatePost(id, postId, v.version, updated))) {
        throw new ConflictError(
          'DIAGNOSTIC_POST_CHANGED',
          'Someone else changed this post while you were editing it: reload the page to see their changes',
        );
      }
      // The exercise's data changed: a new version, so a cached baseline is not reused.
      await repo.bumpExercise(actor.organisationId, id);
      await exerciseChanged(actor.organisationId, id);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'diagnostic_post',
        entityId: postId,
        action: 'update',
        before: post,
        after: updated,
      });
    },

    /**
     * The demo organisation's ILLUSTRATIVE exercise (diagnostic-demo.ts), created once through the
     * same checks as an upload. Called by the demo loader.
     */
    async seedDemo(actor: Actor): Promise<string> {
      authorize(actor, 'diagnostic.edit');
      const existing = (await repo.listExercises(actor.organisationId)).find(
        (e) => e.illustrative && e.name === DEMO_EXERCISE.name,
      );
      if (existing) return existing.id;
      const id = await this.createExercise(
        actor,
        { ...DEMO_EXERCISE, taxonomyVersionId: DEFAULT_TAXONOMY_ID, scope: [] },
        { illustrative: true },
      );
      const exercise = await getExercise(actor, id);
      const sheets = rawSheetsOf(exercise.taxonomy, DEMO_DATA);
      await replaceFromSheets(actor, exercise, sheets, exercise.version);
      return id;
    },
  };
}

export type DiagnosticService = ReturnType<typeof createDiagnosticService>;
