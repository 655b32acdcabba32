// All SQL of the efficiency diagnostic's data collection: taxonomy versions, exercises and their
// org units, posts, activity allocations, non-pay lines and volumes. An upload replaces an
// exercise's data wholesale, in batches, inside the caller's transaction.

import { type Kysely, sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import type { DB } from '../../schema.ts';
import type { ActivityAllocation, Fte, Post, Taxonomy, TaxonomyProcess } from '../../domain/diagnostic/baseline.ts';
import { pence } from '../../domain/diagnostic/money.ts';
import type { NonPayBasis, NonPayCategory } from '../../domain/diagnostic/non-pay.ts';

export interface TaxonomyVersionRecord {
  id: string;
  name: string;
  organisationId: string | null;
  basedOnId: string | null;
}

export interface ExerciseRecord {
  id: string;
  name: string;
  financialYear: number;
  runningCosts: number;
  headcount: number | null;
  taxonomyVersionId: string;
  taxonomyName: string;
  scope: string[];
  illustrative: boolean;
  version: number;
  organisationId: string;
}

export interface ExerciseValues {
  name: string;
  financialYear: number;
  runningCosts: number;
  headcount: number | null;
  taxonomyVersionId: string;
  scope: string[];
  illustrative?: boolean;
}

export interface UnitRecord {
  code: string;
  name: string;
  parentCode: string | null;
  centralFunctionCode: string | null;
  users: number | null;
  areaM2: number | null;
  row: number;
}
export interface AllocationRecord {
  processCode: string;
  pct: number;
}
export interface PostRecord {
  id?: string;
  code: string;
  unitCode: string;
  title: string;
  grade: string;
  fte: number;
  payCost: number;
  managerCode: string | null;
  vacant: boolean;
  contractType: string;
  row: number;
  version?: number;
  allocations: AllocationRecord[];
}
export interface NonPayRecord {
  category: NonPayCategory;
  description: string;
  amount: number;
  processCode: string | null;
  functionCode: string | null;
  unitCode: string | null;
  basis: NonPayBasis;
  row: number;
}
export interface VolumeRecord {
  processCode: string;
  volume: number;
  driver: string;
  row: number;
}

export interface ExerciseData {
  units: UnitRecord[];
  posts: PostRecord[];
  nonPay: NonPayRecord[];
  volumes: VolumeRecord[];
}

/** An exercise's data as the baseline reads it: the posts in the baseline's own terms. */
export type BaselineData = Omit<ExerciseData, 'posts'> & { posts: Post[] };

/** Stored posts as the baseline takes them. */
/** What of its efficiency programme rests on an exercise (DiagnosticRepository.programmeOf). */
export interface ExerciseProgramme {
  benchmarks: number;
  opportunities: number;
  cases: number;
  agreements: number;
  /** What keeps the exercise: the implementation plan, the savings ledger, gain-share evaluations. */
  standing: { projects: number; savings: number; evaluations: number };
}

export function postsOf(records: readonly PostRecord[]): Post[] {
  return records.map((p) => ({
    id: p.code,
    row: p.row,
    unitId: p.unitCode,
    title: p.title,
    fte: p.fte as Fte,
    payCost: pence(p.payCost),
    ...(p.managerCode ? { managerId: p.managerCode } : {}),
    ...(p.vacant ? { vacant: true } : {}),
    allocations: p.allocations.map((a) => ({ process: a.processCode, pct: a.pct })),
  }));
}

/** An org unit's row as the baseline reads it. */
function toUnitRecord(u: {
  code: string;
  name: string;
  parent_code: string | null;
  central_function_code: string | null;
  users: number | null;
  area_m2: number | null;
  row_number: number;
}): UnitRecord {
  return {
    code: u.code,
    name: u.name,
    parentCode: u.parent_code,
    centralFunctionCode: u.central_function_code,
    users: u.users,
    areaM2: u.area_m2,
    row: u.row_number,
  };
}

const BATCH = 2_000;
const UNNEST_BATCH = 20_000;
async function insertInBatches<T>(rows: readonly T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await write(rows.slice(i, i + BATCH));
}

function diagnosticQueries(db: Kysely<DB>) {
  const exerciseBase = () =>
    db
      .selectFrom('diagnostic_exercise as e')
      .innerJoin('diagnostic_taxonomy_version as t', 't.id', 'e.taxonomy_version_id')
      .select([
        'e.id',
        'e.name',
        'e.financial_year',
        'e.running_costs',
        'e.headcount',
        'e.taxonomy_version_id',
        't.name as taxonomy_name',
        'e.scope',
        'e.illustrative',
        'e.version',
        'e.organisation_id',
      ]);
  type ExerciseRow = Awaited<ReturnType<ReturnType<typeof exerciseBase>['executeTakeFirstOrThrow']>>;
  const toExercise = (r: ExerciseRow): ExerciseRecord => ({
    id: r.id,
    name: r.name,
    financialYear: r.financial_year,
    runningCosts: Number(r.running_costs),
    headcount: r.headcount,
    taxonomyVersionId: r.taxonomy_version_id,
    taxonomyName: r.taxonomy_name,
    scope: r.scope,
    illustrative: r.illustrative,
    version: r.version,
    organisationId: r.organisation_id,
  });

  type PostRow = Awaited<
    ReturnType<ReturnType<ReturnType<typeof db.selectFrom<'diagnostic_post'>>['selectAll']>['execute']>
  >[number];
  /** Posts as records with their allocations, in order, reading only these posts' allocations. */
  async function withAllocations(posts: readonly PostRow[]): Promise<PostRecord[]> {
    if (posts.length === 0) return [];
    const allocations = await db
      .selectFrom('diagnostic_allocation')
      .select(['post_id', 'process_code', 'pct'])
      .where(
        'post_id',
        'in',
        posts.map((p) => p.id),
      )
      .orderBy('post_id')
      .orderBy('position')
      .execute();
    const byPost = new Map<string, AllocationRecord[]>();
    for (const a of allocations)
      (byPost.get(a.post_id) ?? byPost.set(a.post_id, []).get(a.post_id)!).push({
        processCode: a.process_code,
        pct: a.pct,
      });
    return posts.map((p) => ({
      id: p.id,
      code: p.code,
      unitCode: p.unit_code,
      title: p.title,
      grade: p.grade,
      fte: p.fte,
      payCost: Number(p.pay_cost),
      managerCode: p.manager_code,
      vacant: p.vacant,
      contractType: p.contract_type,
      row: p.row_number,
      version: p.version,
      allocations: byPost.get(p.id) ?? [],
    }));
  }

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    // -- taxonomy -------------------------------------------------------------------------------
    /** Inserts a released version once (by its fixed id); a second call changes nothing. */
    async ensureTaxonomy(
      id: string,
      organisationId: string | null,
      name: string,
      taxonomy: Taxonomy,
      basedOnId: string | null = null,
    ): Promise<void> {
      // Looked for first: a request acting for an organisation may read the shipped taxonomy but
      // not insert it (row-level security checks the proposed row before ON CONFLICT applies).
      const present = await db
        .selectFrom('diagnostic_taxonomy_version')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      if (present) return;
      const inserted = await db
        .insertInto('diagnostic_taxonomy_version')
        .values({ id, organisation_id: organisationId, name, based_on_id: basedOnId })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return;
      await db
        .insertInto('diagnostic_taxonomy_function')
        .values(
          taxonomy.functions.map((f, i) => ({ taxonomy_version_id: id, code: f.code, name: f.name, position: i })),
        )
        .execute();
      await db
        .insertInto('diagnostic_taxonomy_process')
        .values(
          taxonomy.processes.map((p, i) => ({
            taxonomy_version_id: id,
            code: p.code,
            name: p.name,
            function_code: p.functionCode,
            type: p.type,
            volume_driver: p.volumeDriver ?? null,
            position: i,
          })),
        )
        .execute();
    },
    async listTaxonomyVersions(organisationId: string): Promise<TaxonomyVersionRecord[]> {
      const rows = await db
        .selectFrom('diagnostic_taxonomy_version')
        .select(['id', 'name', 'organisation_id', 'based_on_id'])
        .where((eb) => eb.or([eb('organisation_id', 'is', null), eb('organisation_id', '=', organisationId)]))
        .orderBy('created_at')
        .orderBy('name')
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, organisationId: r.organisation_id, basedOnId: r.based_on_id }));
    },
    async loadTaxonomy(versionId: string): Promise<Taxonomy> {
      const [functions, processes] = await Promise.all([
        db
          .selectFrom('diagnostic_taxonomy_function')
          .select(['code', 'name'])
          .where('taxonomy_version_id', '=', versionId)
          .orderBy('position')
          .execute(),
        db
          .selectFrom('diagnostic_taxonomy_process')
          .select(['code', 'name', 'function_code', 'type', 'volume_driver'])
          .where('taxonomy_version_id', '=', versionId)
          .orderBy('position')
          .execute(),
      ]);
      return {
        functions: functions.map((f) => ({ code: f.code, name: f.name })),
        processes: processes.map((p): TaxonomyProcess => ({
          code: p.code,
          name: p.name,
          functionCode: p.function_code,
          type: p.type,
          ...(p.volume_driver ? { volumeDriver: p.volume_driver } : {}),
        })),
      };
    },
    newId: () => randomUUID(),

    // -- exercises ------------------------------------------------------------------------------
    async listExercises(organisationId: string): Promise<ExerciseRecord[]> {
      const rows = await exerciseBase()
        .where('e.organisation_id', '=', organisationId)
        .orderBy('e.financial_year', 'desc')
        .orderBy('e.name')
        .execute();
      return rows.map(toExercise);
    },
    async findExercise(organisationId: string, id: string): Promise<ExerciseRecord | undefined> {
      const r = await exerciseBase()
        .where('e.organisation_id', '=', organisationId)
        .where('e.id', '=', id)
        .executeTakeFirst();
      return r && toExercise(r);
    },
    async insertExercise(organisationId: string, v: ExerciseValues): Promise<string> {
      const r = await db
        .insertInto('diagnostic_exercise')
        .values({
          organisation_id: organisationId,
          name: v.name,
          financial_year: v.financialYear,
          running_costs: v.runningCosts,
          headcount: v.headcount,
          taxonomy_version_id: v.taxonomyVersionId,
          scope: v.scope,
          illustrative: v.illustrative ?? false,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    /** False when the exercise has moved on from `version`. */
    async updateExercise(organisationId: string, id: string, version: number, v: ExerciseValues): Promise<boolean> {
      const r = await db
        .updateTable('diagnostic_exercise')
        .set((eb) => ({
          name: v.name,
          financial_year: v.financialYear,
          running_costs: v.runningCosts,
          headcount: v.headcount,
          taxonomy_version_id: v.taxonomyVersionId,
          scope: v.scope,
          version: eb('version', '+', 1),
          updated_at: new Date(),
        }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Bumps the exercise's version (its data changed), refusing a stale one. */
    async touchExercise(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .updateTable('diagnostic_exercise')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: new Date() }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /**
     * What of its efficiency programme rests on an exercise, for its deletion: the records that
     * would go with it, and (`standing`) the plan, ledger and gain-share history that keeps it.
     */
    async programmeOf(organisationId: string, exerciseId: string): Promise<ExerciseProgramme> {
      const count = async (
        table:
          | 'benchmark_set'
          | 'opportunity'
          | 'business_case'
          | 'gain_share_agreement'
          | 'implementation_project'
          | 'savings_entry',
      ) =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('organisation_id', '=', organisationId)
              .where('exercise_id', '=', exerciseId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const evaluations = Number(
        (
          await db
            .selectFrom('gain_share_evaluation as v')
            .innerJoin('gain_share_agreement as a', 'a.id', 'v.agreement_id')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('a.organisation_id', '=', organisationId)
            .where('a.exercise_id', '=', exerciseId)
            .executeTakeFirstOrThrow()
        ).n,
      );
      const [benchmarks, opportunities, cases, agreements, projects, savings] = await Promise.all([
        count('benchmark_set'),
        count('opportunity'),
        count('business_case'),
        count('gain_share_agreement'),
        count('implementation_project'),
        count('savings_entry'),
      ]);
      return { benchmarks, opportunities, cases, agreements, standing: { projects, savings, evaluations } };
    },
    /**
     * Deletes an exercise read at `version` with its data and programme (by the foreign keys'
     * cascades), unless a project, a saving or a gain-share evaluation has been recorded for it
     * since: checked in the statement itself, whatever the caller checked before.
     */
    async deleteExercise(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('diagnostic_exercise')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .where((eb) =>
          eb.and([
            eb.not(
              eb.exists(
                eb
                  .selectFrom('implementation_project')
                  .select('id')
                  .whereRef('exercise_id', '=', 'diagnostic_exercise.id'),
              ),
            ),
            eb.not(
              eb.exists(
                eb.selectFrom('savings_entry').select('id').whereRef('exercise_id', '=', 'diagnostic_exercise.id'),
              ),
            ),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('gain_share_evaluation as v')
                  .innerJoin('gain_share_agreement as a', 'a.id', 'v.agreement_id')
                  .select('v.id')
                  .whereRef('a.exercise_id', '=', 'diagnostic_exercise.id'),
              ),
            ),
          ]),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    /** Bumps the exercise's version whatever it is (one of its posts changed). */
    async bumpExercise(organisationId: string, id: string): Promise<void> {
      await db
        .updateTable('diagnostic_exercise')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: new Date() }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .execute();
    },
    async countData(
      exerciseId: string,
    ): Promise<{ units: number; posts: number; allocations: number; nonPay: number; volumes: number }> {
      const count = async (
        table:
          | 'diagnostic_org_unit'
          | 'diagnostic_post'
          | 'diagnostic_allocation'
          | 'diagnostic_non_pay'
          | 'diagnostic_volume',
      ) =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('exercise_id', '=', exerciseId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const [units, posts, allocations, nonPay, volumes] = await Promise.all([
        count('diagnostic_org_unit'),
        count('diagnostic_post'),
        count('diagnostic_allocation'),
        count('diagnostic_non_pay'),
        count('diagnostic_volume'),
      ]);
      return { units, posts, allocations, nonPay, volumes };
    },

    // -- data -----------------------------------------------------------------------------------
    /**
     * The exercise's data in sheet order. `posts: false` leaves out the posts; `allocations:
     * false` their allocations (a CSV upload of the Allocations sheet replaces them: 120,000 rows
     * of a large council not read for nothing).
     */
    async loadData(
      exerciseId: string,
      options: { posts?: boolean; allocations?: boolean } = {},
    ): Promise<ExerciseData> {
      const [units, posts, nonPay, volumes] = await Promise.all([
        db
          .selectFrom('diagnostic_org_unit')
          .selectAll()
          .where('exercise_id', '=', exerciseId)
          .orderBy('row_number')
          .execute(),
        // Each post with its allocations as two arrays in order, grouped by the database: 15,000
        // rows rather than 15,000 + 120,000 for a large council (issue 12: the rows' objects were
        // most of the baseline's reading and much of its garbage).
        options.posts === false
          ? []
          : sql<{
              id: string;
              code: string;
              unit_code: string;
              title: string;
              grade: string;
              fte: number;
              pay_cost: string | number;
              manager_code: string | null;
              vacant: boolean;
              contract_type: string;
              row_number: number;
              version: number;
              codes: string[];
              pcts: number[];
            }>`
          select p.id, p.code, p.unit_code, p.title, p.grade, p.fte, p.pay_cost, p.manager_code, p.vacant,
            p.contract_type, p.row_number, p.version,
            coalesce(a.codes, '{}'::text[]) as codes, coalesce(a.pcts, '{}'::int[]) as pcts
          from diagnostic_post p
          left join (
            select post_id, array_agg(process_code order by position) as codes, array_agg(pct order by position) as pcts
            from diagnostic_allocation
            where exercise_id = ${exerciseId} and ${options.allocations !== false}
            group by post_id
          ) a on a.post_id = p.id
          where p.exercise_id = ${exerciseId}
          order by p.row_number`
              .execute(db)
              .then((r) => r.rows),
        db
          .selectFrom('diagnostic_non_pay')
          .selectAll()
          .where('exercise_id', '=', exerciseId)
          .orderBy('row_number')
          .execute(),
        db
          .selectFrom('diagnostic_volume')
          .selectAll()
          .where('exercise_id', '=', exerciseId)
          .orderBy('row_number')
          .execute(),
      ]);
      const inOrder = (p: { codes: string[]; pcts: number[] }): AllocationRecord[] =>
        p.codes.map((processCode, i) => ({ processCode, pct: Number(p.pcts[i]) }));
      return {
        units: units.map(toUnitRecord),
        posts: posts.map((p) => ({
          id: p.id,
          code: p.code,
          unitCode: p.unit_code,
          title: p.title,
          grade: p.grade,
          fte: p.fte,
          payCost: Number(p.pay_cost),
          managerCode: p.manager_code,
          vacant: p.vacant,
          contractType: p.contract_type,
          row: p.row_number,
          version: p.version,
          allocations: inOrder(p),
        })),
        nonPay: nonPay.map((n) => ({
          category: n.category,
          description: n.description,
          amount: Number(n.amount),
          processCode: n.process_code,
          functionCode: n.function_code,
          unitCode: n.unit_code,
          basis: n.basis,
          row: n.row_number,
        })),
        volumes: volumes.map((v) => ({
          processCode: v.process_code,
          volume: Number(v.volume),
          driver: v.driver,
          row: v.row_number,
        })),
      };
    },
    /**
     * What the baseline reads (issue 12): the posts as the baseline takes them, with only the
     * columns it uses, each post's allocations as two strings in order (its process codes joined
     * by the unit separator, its percentages by commas) rather than arrays, since reading 15,000
     * rows of arrays through the driver cost more than the plain SQL of the same aggregation;
     * and the other sheets as loadData reads them. A process code holding the separator (no code
     * Amber makes does) is caught by the count and the posts read again as loadData reads them.
     */
    async loadBaselineData(exerciseId: string): Promise<BaselineData> {
      const [rows, rest] = await Promise.all([
        sql<{
          code: string;
          unit_code: string;
          fte: number;
          pay_cost: string | number;
          manager_code: string | null;
          row_number: number;
          codes: string | null;
          pcts: string | null;
          n: number | null;
        }>`
          select p.code, p.unit_code, p.fte, p.pay_cost, p.manager_code, p.row_number, a.codes, a.pcts, a.n
          from diagnostic_post p
          left join (
            select post_id, string_agg(process_code, chr(31) order by position) as codes,
              string_agg(pct::text, ',' order by position) as pcts, count(*)::int as n
            from diagnostic_allocation where exercise_id = ${exerciseId} group by post_id
          ) a on a.post_id = p.id
          where p.exercise_id = ${exerciseId}
          order by p.row_number`
          .execute(db)
          .then((r) => r.rows),
        this.loadData(exerciseId, { posts: false }),
      ]);
      const posts = new Array<Post>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const codes = r.codes === null ? [] : r.codes.split('\u001f');
        const pcts = r.pcts === null ? [] : r.pcts.split(',');
        if (codes.length !== (r.n ?? 0) || pcts.length !== codes.length)
          return { ...rest, posts: postsOf((await this.loadData(exerciseId)).posts) };
        const allocations = new Array<ActivityAllocation>(codes.length);
        for (let k = 0; k < codes.length; k++) allocations[k] = { process: codes[k]!, pct: Number(pcts[k]) };
        posts[i] = {
          id: r.code,
          row: r.row_number,
          unitId: r.unit_code,
          fte: r.fte as Fte,
          payCost: pence(Number(r.pay_cost)),
          ...(r.manager_code ? { managerId: r.manager_code } : {}),
          allocations,
        };
      }
      return { ...rest, posts };
    },
    // -- one page of posts, one post ---------------------------------------------------------
    async countPosts(exerciseId: string): Promise<number> {
      const r = await db
        .selectFrom('diagnostic_post')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('exercise_id', '=', exerciseId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** Posts `offset`… in sheet order, at most `limit`, with their allocations: only that page's rows are read. */
    async listPostsPage(exerciseId: string, offset: number, limit: number): Promise<PostRecord[]> {
      const posts = await db
        .selectFrom('diagnostic_post')
        .selectAll()
        .where('exercise_id', '=', exerciseId)
        .orderBy('row_number')
        .orderBy('id')
        .offset(offset)
        .limit(limit)
        .execute();
      return withAllocations(posts);
    },
    async findPost(exerciseId: string, postId: string): Promise<PostRecord | undefined> {
      const posts = await db
        .selectFrom('diagnostic_post')
        .selectAll()
        .where('exercise_id', '=', exerciseId)
        .where('id', '=', postId)
        .execute();
      return (await withAllocations(posts))[0];
    },
    /**
     * The posts above `managerCode` in the management chain, in sheet order, with their
     * allocations, leaving out `exceptId` (the post being saved) and stopping there: what a post's
     * save checks for a loop of managers, rather than the whole exercise (issue 12). The chain of a
     * valid exercise has no loop; `union` ends the walk on one anyway.
     */
    async findManagerChain(exerciseId: string, managerCode: string, exceptId: string): Promise<PostRecord[]> {
      const { rows } = await sql<{ id: string }>`
        with recursive chain(id, manager_code) as (
          select id, manager_code from diagnostic_post
          where exercise_id = ${exerciseId} and code = ${managerCode} and id <> ${exceptId}
          union
          select p.id, p.manager_code from chain c
          join diagnostic_post p on p.exercise_id = ${exerciseId} and p.code = c.manager_code
          where p.id <> ${exceptId}
        )
        select id from chain`.execute(db);
      if (rows.length === 0) return [];
      const posts = await db
        .selectFrom('diagnostic_post')
        .selectAll()
        .where('exercise_id', '=', exerciseId)
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('row_number')
        .execute();
      return withAllocations(posts);
    },
    /** The exercise's org units with these codes (those a post's save refers to). */
    async findUnits(exerciseId: string, codes: readonly string[]): Promise<UnitRecord[]> {
      if (codes.length === 0) return [];
      const units = await db
        .selectFrom('diagnostic_org_unit')
        .selectAll()
        .where('exercise_id', '=', exerciseId)
        .where('code', 'in', [...new Set(codes)])
        .orderBy('row_number')
        .execute();
      return units.map(toUnitRecord);
    },

    // -- an upload waiting for its background job ----------------------------------------------
    // The file lives in stored_file (tied to the job, so any instance's worker can read it) from
    // the request that queued it until the job has checked it: deleted in the job's writing
    // transaction, or once its problems are reported.
    async storeUpload(organisationId: string, jobId: string, name: string, bytes: Buffer): Promise<string> {
      const r = await db
        .insertInto('stored_file')
        .values({
          organisation_id: organisationId,
          job_id: jobId,
          name,
          content_type: 'application/octet-stream',
          bytes,
          size: bytes.length,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    /** The file a queued upload's job is waiting to read, by the job. */
    async findUploadOf(organisationId: string, jobId: string): Promise<string | undefined> {
      const r = await db
        .selectFrom('stored_file')
        .select('id')
        .where('job_id', '=', jobId)
        .where('organisation_id', '=', organisationId)
        .executeTakeFirst();
      return r?.id;
    },
    async loadUpload(organisationId: string, id: string): Promise<Buffer | undefined> {
      const r = await db
        .selectFrom('stored_file')
        .select('bytes')
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .executeTakeFirst();
      if (!r) return undefined;
      // The driver's bytes as they are (a Buffer from pg, a Uint8Array from PGlite), not a copy.
      const bytes = r.bytes as Uint8Array;
      return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    async deleteUpload(organisationId: string, id: string): Promise<void> {
      await db.deleteFrom('stored_file').where('id', '=', id).where('organisation_id', '=', organisationId).execute();
    },

    /** Replaces all of an exercise's data (call inside a transaction). */
    async replaceData(organisationId: string, exerciseId: string, data: ExerciseData): Promise<void> {
      for (const table of [
        'diagnostic_allocation',
        'diagnostic_post',
        'diagnostic_org_unit',
        'diagnostic_non_pay',
        'diagnostic_volume',
      ] as const) {
        await db.deleteFrom(table).where('exercise_id', '=', exerciseId).execute();
      }
      const base = { exercise_id: exerciseId, organisation_id: organisationId };
      await insertInBatches(data.units, (b) =>
        db
          .insertInto('diagnostic_org_unit')
          .values(
            b.map((u) => ({
              ...base,
              code: u.code,
              name: u.name,
              parent_code: u.parentCode,
              central_function_code: u.centralFunctionCode,
              users: u.users,
              area_m2: u.areaM2,
              row_number: u.row,
            })),
          )
          .execute(),
      );
      // Posts and allocations (the big ones: 15,000 and 120,000 rows for a large council) go in as
      // arrays unnested by the server, a few statements with one parameter per column, rather
      // than multi-row VALUES with a parameter per cell.
      // Each batch's columns are made as it is sent, and the posts' ids kept beside them, rather
      // than a copy of every post and an object per allocation held through the write (issue 12:
      // 120,000 of them were most of what the write added to an upload's memory).
      const posts = data.posts;
      const ids = posts.map(() => randomUUID());
      for (let i = 0; i < posts.length; i += UNNEST_BATCH) {
        const b = posts.slice(i, i + UNNEST_BATCH);
        await sql`insert into diagnostic_post (id, exercise_id, organisation_id, code, unit_code, title, grade, fte, pay_cost, manager_code, vacant, contract_type, row_number)
          select id, ${exerciseId}::uuid, ${organisationId}::uuid, code, unit_code, title, grade, fte, pay_cost, manager_code, vacant, contract_type, row_number
          from unnest(${ids.slice(i, i + UNNEST_BATCH)}::uuid[], ${b.map((p) => p.code)}::text[], ${b.map((p) => p.unitCode)}::text[], ${b.map((p) => p.title)}::text[],
            ${b.map((p) => p.grade)}::text[], ${b.map((p) => p.fte)}::int[], ${b.map((p) => String(p.payCost))}::bigint[], ${b.map((p) => p.managerCode)}::text[],
            ${b.map((p) => p.vacant)}::boolean[], ${b.map((p) => p.contractType)}::text[], ${b.map((p) => p.row)}::int[])
            as t(id, code, unit_code, title, grade, fte, pay_cost, manager_code, vacant, contract_type, row_number)`.execute(
          db,
        );
      }
      // Allocations in batches of UNNEST_BATCH rows, in the posts' order and each post's own.
      let postIds: string[] = [];
      let processCodes: string[] = [];
      let pcts: number[] = [];
      let positions: number[] = [];
      const flush = async () => {
        await sql`insert into diagnostic_allocation (post_id, exercise_id, organisation_id, process_code, pct, position)
          select post_id, ${exerciseId}::uuid, ${organisationId}::uuid, process_code, pct, position
          from unnest(${postIds}::uuid[], ${processCodes}::text[], ${pcts}::int[], ${positions}::int[])
            as t(post_id, process_code, pct, position)`.execute(db);
        postIds = [];
        processCodes = [];
        pcts = [];
        positions = [];
      };
      for (let p = 0; p < posts.length; p++) {
        const allocations = posts[p]!.allocations;
        for (let a = 0; a < allocations.length; a++) {
          postIds.push(ids[p]!);
          processCodes.push(allocations[a]!.processCode);
          pcts.push(allocations[a]!.pct);
          positions.push(a);
          if (postIds.length === UNNEST_BATCH) await flush();
        }
      }
      if (postIds.length > 0) await flush();
      await insertInBatches(data.nonPay, (b) =>
        db
          .insertInto('diagnostic_non_pay')
          .values(
            b.map((n) => ({
              ...base,
              category: n.category,
              description: n.description,
              amount: n.amount,
              process_code: n.processCode,
              function_code: n.functionCode,
              unit_code: n.unitCode,
              basis: n.basis,
              row_number: n.row,
            })),
          )
          .execute(),
      );
      await insertInBatches(data.volumes, (b) =>
        db
          .insertInto('diagnostic_volume')
          .values(
            b.map((v) => ({
              ...base,
              process_code: v.processCode,
              volume: v.volume,
              driver: v.driver,
              row_number: v.row,
            })),
          )
          .execute(),
      );
    },
    /** Replaces one post's fields and allocations; false when it has moved on from `version`. */
    async updatePost(exerciseId: string, postId: string, version: number, p: PostRecord): Promise<boolean> {
      const r = await db
        .updateTable('diagnostic_post')
        .set((eb) => ({
          unit_code: p.unitCode,
          title: p.title,
          grade: p.grade,
          fte: p.fte,
          pay_cost: p.payCost,
          manager_code: p.managerCode,
          vacant: p.vacant,
          contract_type: p.contractType,
          version: eb('version', '+', 1),
        }))
        .where('exercise_id', '=', exerciseId)
        .where('id', '=', postId)
        .where('version', '=', version)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      const org = await db
        .selectFrom('diagnostic_post')
        .select('organisation_id')
        .where('id', '=', postId)
        .executeTakeFirstOrThrow();
      await db.deleteFrom('diagnostic_allocation').where('post_id', '=', postId).execute();
      if (p.allocations.length > 0) {
        await db
          .insertInto('diagnostic_allocation')
          .values(
            p.allocations.map((a, i) => ({
              post_id: postId,
              exercise_id: exerciseId,
              organisation_id: org.organisation_id,
              process_code: a.processCode,
              pct: a.pct,
              position: i,
            })),
          )
          .execute();
      }
      return true;
    },
  };
}

export type DiagnosticQueries = ReturnType<typeof diagnosticQueries>;
export const createDiagnosticRepository = (db: Kysely<DB>) => diagnosticQueries(db);
export type DiagnosticRepository = ReturnType<typeof createDiagnosticRepository>;
