// All SQL of organisation transfer: reads every row of one organisation (with the partner
// organisations it manages) as flat records, deletes them, and writes a set of records back with
// their ids. Timestamps travel as ISO strings with microseconds, so nothing PostgreSQL stores is
// rounded on the way out and back in.

import { sql, type Kysely } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { slugFor } from '../../domain/organisation-slug.ts';
import type { DB, OrganisationTable, IndicatorTable } from '../../schema.ts';
import { ConflictError, ValidationError } from '../../domain/errors.ts';
import type { IsoDate } from '../../domain/dates.ts';
import type { UnitKind } from '../../domain/indicators/indicator.ts';
import { createProgrammeTransferRepository } from './programme-transfer.repository.ts';
import { createAccountTransferRepository, createAuditTransferRepository } from './account-transfer.repository.ts';
import { createImportHeaderTransferRepository } from './import-header-transfer.repository.ts';

/** An instant as ISO 8601 in UTC with microseconds, e.g. `2009-10-22T09:30:00.123456Z`. */
export type IsoTimestamp = string;

export interface OrganisationRecord {
  id: string;
  name: string;
  shortName: string | null;
  kind: OrganisationTable['kind'];
  managedById: string | null;
  createdAt: IsoTimestamp;
  /** The edit counter of its details; absent on import (older files, partners) means 1. */
  version?: number;
  /** The default tolerance of its indicators (basis points); absent on import means the column default. */
  defaultRuleKind?: 'percent';
  defaultRuleValue?: number;
}
export interface StatusRecord {
  id: string;
  key: string;
  label: string;
  colour: string;
  shape: string;
  description: string;
  commentRequired: boolean;
  /** Absent in files written before issue 13: rated, no pattern, no approval. */
  rated?: boolean | undefined;
  pattern?: 'none' | 'hatched' | 'dotted' | undefined;
  approvalRole?: string | null | undefined;
  position: number;
  /** The start of the periods its version of the scale is used from; null or absent: the first version. */
  inUseFrom?: string | null | undefined;
}
export interface PersonRecord {
  id: string;
  name: string;
  jobTitle: string;
  employerId: string;
  email: string | null;
  createdAt: IsoTimestamp;
  /** Absent on import (files written before it travelled) means 1. */
  version?: number;
}
export interface PeriodRecord {
  id: string;
  key: string;
  startsOn: IsoDate;
  endsOn: IsoDate;
  dueOn: IsoDate | null;
}
export interface PlanRecord {
  id: string;
  title: string;
  description: string;
  firstYear: number;
  lastYear: number;
  version: number;
  createdAt: IsoTimestamp;
}
export interface ThemeRecord {
  id: string;
  planId: string;
  title: string;
  position: number;
  version: number;
}
export interface PriorityRecord {
  id: string;
  themeId: string;
  code: string;
  title: string;
  rationale: string;
  accountableOfficerId: string | null;
  accountableDirectorId: string | null;
  groupsInternal: string;
  groupsExternal: string;
  version: number;
  createdAt: IsoTimestamp;
  updatedAt: IsoTimestamp;
}
export interface ReportRecord {
  id: string;
  priorityId: string;
  periodId: string;
  summary: string;
  statusId: string | null;
  statusReason: string;
  achievements: string[];
  challenges: string[];
  version: number;
  createdAt: IsoTimestamp;
  updatedAt: IsoTimestamp;
  /** The workflow (issue 3); absent on import (files written before it) means a draft, revision 1, never published. */
  state?: 'draft' | 'submitted' | 'officer_approved' | 'published';
  revision?: number;
  publishedRevision?: number | null;
}
/** A published revision of a report, frozen: a snapshot of `format` 2, or (1) the view model kept from before. */
export interface RevisionRecord {
  reportId: string;
  number: number;
  format: number;
  content: unknown;
  publishedAt: IsoTimestamp;
  publishedBy: string;
  publishedByUserId: string | null;
  publishedByPersonId: string | null;
  historical: boolean;
}
export interface ActionRecord {
  id: string;
  reportId: string;
  position: number;
  description: string;
}
export interface ContributorRecord {
  id: string;
  actionId: string;
  position: number;
  personId: string | null;
  partnerId: string | null;
}
export interface MilestoneRecord {
  id: string;
  actionId: string;
  position: number;
  description: string;
  dueOn: IsoDate;
  duePrecision: 'month' | 'day';
  progress: 'met' | 'slipped' | 'missed' | 'suspended' | null;
  metOn: IsoDate | null;
  revisedDueOn: IsoDate | null;
  revisedPrecision: 'month' | 'day' | null;
  progressReason: string;
  /** Absent on import (files written before it travelled) means 1. */
  progressVersion?: number;
}
export interface SignOffRecord {
  id: string;
  reportId: string;
  role: 'accountable_officer' | 'accountable_director';
  personId: string;
  decision: 'approved' | 'returned';
  signedOn: IsoDate;
  comment: string;
  historical: boolean;
  recordedAt: IsoTimestamp;
  /** Issue 3; absent on import means revision 1, no account, no time (a historical record). */
  revision?: number;
  userId?: string | null;
  signedAt?: IsoTimestamp | null;
}
export interface IndicatorRecord {
  id: string;
  code: string;
  title: string;
  description: string;
  unitKind: UnitKind;
  decimalPlaces: number;
  polarity: IndicatorTable['polarity'];
  frequency: IndicatorTable['frequency'];
  ytdMethod: IndicatorTable['ytd_method'];
  ruleKind: IndicatorTable['rule_kind'];
  /** Basis points for a percentage tolerance; scaled units for an absolute one; null (with the kind) for the organisation's default. */
  ruleValue: number | null;
  chartKind: 'line' | 'bar';
  ownerId: string | null;
  dataSource: string;
  /** The identifier benchmarking clubs compare it by; absent on import (files written before it existed) means none. */
  sharedCode?: string | null;
  version: number;
  createdAt: IsoTimestamp;
  updatedAt: IsoTimestamp;
  /** The previous year's outturn in scaled units; absent on import (files written before it existed) means none. */
  baseline?: number | null;
}
export interface IndicatorPriorityRecord {
  indicatorId: string;
  priorityId: string;
}
/** Values in the indicator's scaled units (10^decimalPlaces; pence for money). No override: its key is null and the rest empty. */
export interface IndicatorValueRecord {
  id: string;
  indicatorId: string;
  periodId: string;
  actual: number | null;
  target: number | null;
  targetHigh: number | null;
  comment: string;
  overrideStatusKey: string | null;
  overrideReason: string;
  overrideComputedKey: string | null;
  overrideExplanation: string;
  version: number;
  updatedAt: IsoTimestamp;
}
export interface ReportGraphRecord {
  reportId: string;
  indicatorId: string;
  position: number;
}
export interface ReportRiskRecord {
  reportId: string;
  riskId: string;
  position: number;
}
/** A risk as stored: its assessments as levels (scores and ratings are computed, never stored); a target is both levels or neither. */
export interface RiskRecord {
  id: string;
  priorityId: string;
  description: string;
  cause: string;
  effect: string;
  likelihood: number;
  impact: number;
  targetLikelihood: number | null;
  targetImpact: number | null;
  ownerId: string | null;
  controls: string;
  reviewOn: IsoDate | null;
  closed: boolean;
  version: number;
  createdAt: IsoTimestamp;
  updatedAt: IsoTimestamp;
}

/** Every stored row of one organisation, table by table. */
export interface OrganisationSnapshot {
  organisation: OrganisationRecord;
  partners: OrganisationRecord[];
  statuses: StatusRecord[];
  people: PersonRecord[];
  periods: PeriodRecord[];
  plans: PlanRecord[];
  themes: ThemeRecord[];
  priorities: PriorityRecord[];
  reports: ReportRecord[];
  actions: ActionRecord[];
  contributors: ContributorRecord[];
  milestones: MilestoneRecord[];
  signOffs: SignOffRecord[];
  /** Published revisions of the reports. */
  revisions: RevisionRecord[];
  indicators: IndicatorRecord[];
  indicatorPriorities: IndicatorPriorityRecord[];
  indicatorValues: IndicatorValueRecord[];
  reportGraphs: ReportGraphRecord[];
  risks: RiskRecord[];
  /** Risks cited by reports under "Challenges/Risks". */
  reportRisks: ReportRiskRecord[];
}

export type SnapshotCounts = Record<Exclude<keyof OrganisationSnapshot, 'organisation'> | 'organisations', number>;

export class ImportIdInUseError extends ConflictError {
  constructor(detail: string) {
    super(
      'IMPORT_ID_IN_USE',
      `The file cannot be imported: ${detail} Nothing has been changed. Import it into a database that does not hold these records, or import it with replace over the organisation they belong to.`,
    );
  }
}

/** `to_char` rather than a JS Date: a Date keeps milliseconds, PostgreSQL keeps microseconds. */
const utc = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Multi-row inserts in slices, well below PostgreSQL's 65,535 parameters per statement. */
function slices<T>(rows: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function countSnapshot(s: OrganisationSnapshot): SnapshotCounts {
  return {
    organisations: 1,
    partners: s.partners.length,
    statuses: s.statuses.length,
    people: s.people.length,
    periods: s.periods.length,
    plans: s.plans.length,
    themes: s.themes.length,
    priorities: s.priorities.length,
    reports: s.reports.length,
    actions: s.actions.length,
    contributors: s.contributors.length,
    milestones: s.milestones.length,
    signOffs: s.signOffs.length,
    revisions: s.revisions.length,
    indicators: s.indicators.length,
    indicatorPriorities: s.indicatorPriorities.length,
    indicatorValues: s.indicatorValues.length,
    reportGraphs: s.reportGraphs.length,
    risks: s.risks.length,
    reportRisks: s.reportRisks.length,
  };
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'an' : 'a');

interface PgError {
  code?: string;
  table?: string;
  constraint?: string;
  detail?: string;
}

/** A unique violation as the import's conflict (an id of the file already used in this database); anything else as it is. */
export function asIdInUse(error: unknown): unknown {
  const e = error as PgError;
  // A rule of the tables the file's checks do not know yet (a column added since): named, not a stack.
  if (e.code === '23514' || e.code === '23503' || e.code === '23502' || e.code === '22P02')
    return ValidationError.single(
      '(file)',
      `The database refused a record of the file (${[e.table?.replace(/_/g, ' '), e.constraint && `rule ${e.constraint}`, e.detail].filter(Boolean).join(', ') || 'a rule of its tables'}). Nothing has been changed.`,
    );
  if (e.code !== '23505') return error;
  const what = (e.table ?? 'record').replace(/_/g, ' ');
  const id = /=\(([^)]*)\)/.exec(e.detail ?? '')?.[1];
  return new ImportIdInUseError(
    e.constraint?.endsWith('_pkey') && id
      ? `${article(what)} ${what} with the id ${id} already exists in this database, belonging to another organisation.`
      : `${article(what)} ${what} in the file clashes with one already in this database (${e.detail ?? e.constraint ?? 'a unique rule'}).`,
  );
}

/** The status a revision was published with, for lists (report_revision.status), from its content. */
function revisionStatus(format: number, content: unknown): string | null {
  const c = content as { status?: unknown; report?: { status?: unknown } } | null;
  const status = format === 2 ? c?.report?.status : c?.status;
  if (!status || typeof status !== 'object') return null;
  const { key, label, colour, shape, description } = status as Record<string, unknown>;
  return JSON.stringify({ key, label, colour, shape, description: description ?? '' });
}

function transferQueries(db: Kysely<DB>) {
  const toOrganisation = (r: {
    id: string;
    name: string;
    short_name: string | null;
    kind: OrganisationTable['kind'];
    managed_by_id: string | null;
    created_at: string;
    default_rule_kind: 'percent';
    default_rule_value: number | string;
    version: number;
  }): OrganisationRecord => ({
    id: r.id,
    name: r.name,
    shortName: r.short_name,
    kind: r.kind,
    managedById: r.managed_by_id,
    createdAt: r.created_at,
    defaultRuleKind: r.default_rule_kind,
    defaultRuleValue: Number(r.default_rule_value),
    version: r.version,
  });
  const organisationColumns = [
    'id',
    'name',
    'short_name',
    'kind',
    'managed_by_id',
    utc('created_at').as('created_at'),
    'default_rule_kind',
    'default_rule_value',
    'version',
  ] as const;

  async function insertAll(s: OrganisationSnapshot): Promise<void> {
    const orgId = s.organisation.id;
    const o = s.organisation;
    // The organisation first, on its own: the partners' managed_by_id refers to it. Its URL name
    // is made from its short name (else its name), numbered if another organisation has it.
    const base = slugFor(o.shortName ?? o.name);
    const taken = new Set(
      (
        await db
          .selectFrom('organisation')
          .select('slug')
          .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
          .execute()
      ).map((r) => r.slug),
    );
    let slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    await db
      .insertInto('organisation')
      .values({
        id: o.id,
        name: o.name,
        short_name: o.shortName,
        kind: o.kind,
        managed_by_id: null,
        slug,
        created_at: o.createdAt,
        ...(o.version !== undefined ? { version: o.version } : {}),
        ...(o.defaultRuleKind !== undefined && o.defaultRuleValue !== undefined
          ? { default_rule_kind: o.defaultRuleKind, default_rule_value: o.defaultRuleValue }
          : {}),
      })
      .execute();
    for (const chunk of slices(s.partners)) {
      await db
        .insertInto('organisation')
        .values(
          chunk.map((p) => ({
            id: p.id,
            name: p.name,
            short_name: p.shortName,
            kind: p.kind,
            managed_by_id: orgId,
            created_at: p.createdAt,
            version: p.version ?? 1,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.statuses)) {
      await db
        .insertInto('status')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            key: r.key,
            label: r.label,
            colour: r.colour,
            shape: r.shape,
            description: r.description,
            comment_required: r.commentRequired,
            rated: r.rated ?? true,
            pattern: r.pattern ?? 'none',
            approval_role: r.approvalRole ?? null,
            position: r.position,
            in_use_from: r.inUseFrom ?? null,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.people)) {
      await db
        .insertInto('person')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            name: r.name,
            job_title: r.jobTitle,
            employer_id: r.employerId,
            email: r.email,
            created_at: r.createdAt,
            version: r.version ?? 1,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.periods)) {
      await db
        .insertInto('reporting_period')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            key: r.key,
            starts_on: r.startsOn,
            ends_on: r.endsOn,
            due_on: r.dueOn,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.plans)) {
      await db
        .insertInto('plan')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            title: r.title,
            description: r.description,
            first_year: r.firstYear,
            last_year: r.lastYear,
            version: r.version,
            created_at: r.createdAt,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.themes)) {
      await db
        .insertInto('theme')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            plan_id: r.planId,
            title: r.title,
            position: r.position,
            version: r.version,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.priorities)) {
      await db
        .insertInto('priority')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            theme_id: r.themeId,
            code: r.code,
            title: r.title,
            rationale: r.rationale,
            accountable_officer_id: r.accountableOfficerId,
            accountable_director_id: r.accountableDirectorId,
            groups_internal: r.groupsInternal,
            groups_external: r.groupsExternal,
            version: r.version,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
          })),
        )
        .execute();
    }
    // After the priorities and the people they refer to.
    for (const chunk of slices(s.risks)) {
      await db
        .insertInto('risk')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            priority_id: r.priorityId,
            description: r.description,
            cause: r.cause,
            effect: r.effect,
            likelihood: r.likelihood,
            impact: r.impact,
            target_likelihood: r.targetLikelihood,
            target_impact: r.targetImpact,
            owner_id: r.ownerId,
            controls: r.controls,
            review_on: r.reviewOn,
            closed: r.closed,
            version: r.version,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.reports)) {
      await db
        .insertInto('progress_report')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            priority_id: r.priorityId,
            period_id: r.periodId,
            summary: r.summary,
            status_id: r.statusId,
            status_reason: r.statusReason,
            achievements: r.achievements,
            challenges: r.challenges,
            version: r.version,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
            state: r.state ?? 'draft',
            revision: r.revision ?? 1,
            published_revision: r.publishedRevision ?? null,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.indicators)) {
      await db
        .insertInto('indicator')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            code: r.code,
            title: r.title,
            description: r.description,
            unit_kind: r.unitKind,
            decimal_places: r.decimalPlaces,
            polarity: r.polarity,
            frequency: r.frequency,
            ytd_method: r.ytdMethod,
            rule_kind: r.ruleKind,
            rule_value: r.ruleValue,
            chart_kind: r.chartKind,
            owner_id: r.ownerId,
            data_source: r.dataSource,
            shared_code: r.sharedCode ?? null,
            version: r.version,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
            baseline: r.baseline ?? null,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.indicatorPriorities)) {
      await db
        .insertInto('indicator_priority')
        .values(
          chunk.map((r) => ({
            organisation_id: orgId,
            indicator_id: r.indicatorId,
            priority_id: r.priorityId,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.indicatorValues)) {
      await db
        .insertInto('indicator_value')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            indicator_id: r.indicatorId,
            period_id: r.periodId,
            actual: r.actual,
            target: r.target,
            target_high: r.targetHigh,
            comment: r.comment,
            override_status_key: r.overrideStatusKey,
            override_reason: r.overrideReason,
            override_computed_key: r.overrideComputedKey,
            override_explanation: r.overrideExplanation,
            version: r.version,
            updated_at: r.updatedAt,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.reportGraphs)) {
      await db
        .insertInto('report_graph')
        .values(
          chunk.map((r) => ({
            organisation_id: orgId,
            report_id: r.reportId,
            indicator_id: r.indicatorId,
            position: r.position,
          })),
        )
        .execute();
    }
    // After the reports and the risks they cite.
    for (const chunk of slices(s.reportRisks)) {
      await db
        .insertInto('report_risk')
        .values(
          chunk.map((r) => ({
            organisation_id: orgId,
            report_id: r.reportId,
            risk_id: r.riskId,
            position: r.position,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.actions)) {
      await db
        .insertInto('action')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            report_id: r.reportId,
            position: r.position,
            description: r.description,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.contributors)) {
      await db
        .insertInto('action_contributor')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            action_id: r.actionId,
            position: r.position,
            person_id: r.personId,
            partner_id: r.partnerId,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.milestones)) {
      await db
        .insertInto('milestone')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            action_id: r.actionId,
            position: r.position,
            description: r.description,
            due_on: r.dueOn,
            due_precision: r.duePrecision,
            progress: r.progress,
            met_on: r.metOn,
            revised_due_on: r.revisedDueOn,
            revised_precision: r.revisedPrecision,
            progress_reason: r.progressReason,
            progress_version: r.progressVersion ?? 1,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.signOffs)) {
      await db
        .insertInto('sign_off')
        .values(
          chunk.map((r) => ({
            id: r.id,
            organisation_id: orgId,
            report_id: r.reportId,
            role: r.role,
            person_id: r.personId,
            decision: r.decision,
            signed_on: r.signedOn,
            comment: r.comment,
            historical: r.historical,
            recorded_at: r.recordedAt,
            revision: r.revision ?? 1,
            user_id: r.userId ?? null,
            signed_at: r.signedAt ?? null,
          })),
        )
        .execute();
    }
    for (const chunk of slices(s.revisions, 50)) {
      await db
        .insertInto('report_revision')
        .values(
          chunk.map((r) => ({
            organisation_id: orgId,
            report_id: r.reportId,
            number: r.number,
            format: r.format,
            content: JSON.stringify(r.content),
            status: revisionStatus(r.format, r.content),
            published_at: r.publishedAt,
            published_by: r.publishedBy,
            published_by_user_id: r.publishedByUserId,
            published_by_person_id: r.publishedByPersonId,
            historical: r.historical,
          })),
        )
        .execute();
    }
  }

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    async findOrganisation(id: string): Promise<OrganisationRecord | undefined> {
      const row = await db
        .selectFrom('organisation')
        .select(organisationColumns)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toOrganisation(row);
    },

    /** Every row of the organisation, unordered (the service decides the file's order). */
    async readOrganisation(id: string): Promise<OrganisationSnapshot | undefined> {
      const org = await db
        .selectFrom('organisation')
        .select(organisationColumns)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!org) return undefined;
      const partners = await db
        .selectFrom('organisation')
        .select(organisationColumns)
        .where('managed_by_id', '=', id)
        .execute();
      const statuses = await db.selectFrom('status').selectAll().where('organisation_id', '=', id).execute();
      const people = await db
        .selectFrom('person')
        .select(['id', 'name', 'job_title', 'employer_id', 'email', utc('created_at').as('created_at'), 'version'])
        .where('organisation_id', '=', id)
        .execute();
      const periods = await db.selectFrom('reporting_period').selectAll().where('organisation_id', '=', id).execute();
      const plans = await db
        .selectFrom('plan')
        .select([
          'id',
          'title',
          'description',
          'first_year',
          'last_year',
          'version',
          utc('created_at').as('created_at'),
        ])
        .where('organisation_id', '=', id)
        .execute();
      const themes = await db.selectFrom('theme').selectAll().where('organisation_id', '=', id).execute();
      const priorities = await db
        .selectFrom('priority')
        .select([
          'id',
          'theme_id',
          'code',
          'title',
          'rationale',
          'accountable_officer_id',
          'accountable_director_id',
          'groups_internal',
          'groups_external',
          'version',
          utc('created_at').as('created_at'),
          utc('updated_at').as('updated_at'),
        ])
        .where('organisation_id', '=', id)
        .execute();
      const reports = await db
        .selectFrom('progress_report')
        .select([
          'id',
          'priority_id',
          'period_id',
          'summary',
          'status_id',
          'status_reason',
          'achievements',
          'challenges',
          'version',
          utc('created_at').as('created_at'),
          utc('updated_at').as('updated_at'),
          'state',
          'revision',
          'published_revision',
        ])
        .where('organisation_id', '=', id)
        .execute();
      const actions = await db.selectFrom('action').selectAll().where('organisation_id', '=', id).execute();
      const contributors = await db
        .selectFrom('action_contributor')
        .selectAll()
        .where('organisation_id', '=', id)
        .execute();
      const milestones = await db.selectFrom('milestone').selectAll().where('organisation_id', '=', id).execute();
      const signOffs = await db
        .selectFrom('sign_off')
        .select([
          'id',
          'report_id',
          'role',
          'person_id',
          'decision',
          'signed_on',
          'comment',
          'historical',
          utc('recorded_at').as('recorded_at'),
          'revision',
          'user_id',
          utc('signed_at').as('signed_at'),
        ])
        .where('organisation_id', '=', id)
        .execute();
      const revisions = await db
        .selectFrom('report_revision')
        .select([
          'report_id',
          'number',
          'format',
          'content',
          utc('published_at').as('published_at'),
          'published_by',
          'published_by_user_id',
          'published_by_person_id',
          'historical',
        ])
        .where('organisation_id', '=', id)
        .execute();
      const indicators = await db
        .selectFrom('indicator')
        .select([
          'id',
          'code',
          'title',
          'description',
          'unit_kind',
          'decimal_places',
          'polarity',
          'frequency',
          'ytd_method',
          'rule_kind',
          'rule_value',
          'chart_kind',
          'owner_id',
          'data_source',
          'shared_code',
          'baseline',
          'version',
          utc('created_at').as('created_at'),
          utc('updated_at').as('updated_at'),
        ])
        .where('organisation_id', '=', id)
        .execute();
      const indicatorPriorities = await db
        .selectFrom('indicator_priority')
        .select(['indicator_id', 'priority_id'])
        .where('organisation_id', '=', id)
        .execute();
      const indicatorValues = await db
        .selectFrom('indicator_value')
        .select([
          'id',
          'indicator_id',
          'period_id',
          'actual',
          'target',
          'target_high',
          'comment',
          'override_status_key',
          'override_reason',
          'override_computed_key',
          'override_explanation',
          'version',
          utc('updated_at').as('updated_at'),
        ])
        .where('organisation_id', '=', id)
        .execute();
      const reportGraphs = await db
        .selectFrom('report_graph')
        .select(['report_id', 'indicator_id', 'position'])
        .where('organisation_id', '=', id)
        .execute();
      const reportRisks = await db
        .selectFrom('report_risk')
        .select(['report_id', 'risk_id', 'position'])
        .where('organisation_id', '=', id)
        .execute();
      const risks = await db
        .selectFrom('risk')
        .select([
          'id',
          'priority_id',
          'description',
          'cause',
          'effect',
          'likelihood',
          'impact',
          'target_likelihood',
          'target_impact',
          'owner_id',
          'controls',
          'review_on',
          'closed',
          'version',
          utc('created_at').as('created_at'),
          utc('updated_at').as('updated_at'),
        ])
        .where('organisation_id', '=', id)
        .execute();
      /** bigint columns: numbers on both engines (database.ts), coerced again in case a driver hands back text. */
      const scaled = (v: number | string | null) => (v === null ? null : Number(v));
      return {
        organisation: toOrganisation(org),
        partners: partners.map(toOrganisation),
        statuses: statuses.map((r) => ({
          id: r.id,
          key: r.key,
          label: r.label,
          colour: r.colour,
          shape: r.shape,
          description: r.description,
          commentRequired: r.comment_required,
          rated: r.rated,
          pattern: r.pattern,
          approvalRole: r.approval_role,
          position: r.position,
          inUseFrom: r.in_use_from === null ? null : String(r.in_use_from),
        })),
        people: people.map((r) => ({
          id: r.id,
          name: r.name,
          jobTitle: r.job_title,
          employerId: r.employer_id,
          email: r.email,
          createdAt: r.created_at,
          version: r.version,
        })),
        periods: periods.map((r) => ({
          id: r.id,
          key: r.key,
          startsOn: r.starts_on as IsoDate,
          endsOn: r.ends_on as IsoDate,
          dueOn: r.due_on as IsoDate | null,
        })),
        plans: plans.map((r) => ({
          id: r.id,
          title: r.title,
          description: r.description,
          firstYear: r.first_year,
          lastYear: r.last_year,
          version: r.version,
          createdAt: r.created_at,
        })),
        themes: themes.map((r) => ({
          id: r.id,
          planId: r.plan_id,
          title: r.title,
          position: r.position,
          version: r.version,
        })),
        priorities: priorities.map((r) => ({
          id: r.id,
          themeId: r.theme_id,
          code: r.code,
          title: r.title,
          rationale: r.rationale,
          accountableOfficerId: r.accountable_officer_id,
          accountableDirectorId: r.accountable_director_id,
          groupsInternal: r.groups_internal,
          groupsExternal: r.groups_external,
          version: r.version,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        })),
        reports: reports.map((r) => ({
          id: r.id,
          priorityId: r.priority_id,
          periodId: r.period_id,
          summary: r.summary,
          statusId: r.status_id,
          statusReason: r.status_reason,
          achievements: r.achievements,
          challenges: r.challenges,
          version: r.version,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          state: r.state,
          revision: r.revision,
          publishedRevision: r.published_revision,
        })),
        actions: actions.map((r) => ({
          id: r.id,
          reportId: r.report_id,
          position: r.position,
          description: r.description,
        })),
        contributors: contributors.map((r) => ({
          id: r.id,
          actionId: r.action_id,
          position: r.position,
          personId: r.person_id,
          partnerId: r.partner_id,
        })),
        milestones: milestones.map((r) => ({
          id: r.id,
          actionId: r.action_id,
          position: r.position,
          description: r.description,
          dueOn: r.due_on as IsoDate,
          duePrecision: r.due_precision,
          progress: r.progress,
          metOn: r.met_on as IsoDate | null,
          revisedDueOn: r.revised_due_on as IsoDate | null,
          revisedPrecision: r.revised_precision,
          progressReason: r.progress_reason,
          progressVersion: r.progress_version,
        })),
        signOffs: signOffs.map((r) => ({
          id: r.id,
          reportId: r.report_id,
          role: r.role,
          personId: r.person_id,
          decision: r.decision,
          signedOn: r.signed_on as IsoDate,
          comment: r.comment,
          historical: r.historical,
          recordedAt: r.recorded_at,
          revision: r.revision,
          userId: r.user_id,
          signedAt: r.signed_at as string | null,
        })),
        revisions: revisions.map((r) => ({
          reportId: r.report_id,
          number: r.number,
          format: r.format,
          content: r.content,
          publishedAt: r.published_at,
          publishedBy: r.published_by,
          publishedByUserId: r.published_by_user_id,
          publishedByPersonId: r.published_by_person_id,
          historical: r.historical,
        })),
        indicators: indicators.map((r) => ({
          id: r.id,
          code: r.code,
          title: r.title,
          description: r.description,
          unitKind: r.unit_kind as UnitKind,
          decimalPlaces: r.decimal_places,
          polarity: r.polarity,
          frequency: r.frequency,
          ytdMethod: r.ytd_method,
          ruleKind: r.rule_kind,
          ruleValue: r.rule_value === null ? null : Number(r.rule_value),
          chartKind: r.chart_kind,
          ownerId: r.owner_id,
          dataSource: r.data_source,
          sharedCode: r.shared_code,
          version: r.version,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          baseline: r.baseline === null ? null : Number(r.baseline),
        })),
        indicatorPriorities: indicatorPriorities.map((r) => ({
          indicatorId: r.indicator_id,
          priorityId: r.priority_id,
        })),
        indicatorValues: indicatorValues.map((r) => ({
          id: r.id,
          indicatorId: r.indicator_id,
          periodId: r.period_id,
          actual: scaled(r.actual),
          target: scaled(r.target),
          targetHigh: scaled(r.target_high),
          comment: r.comment,
          overrideStatusKey: r.override_status_key,
          overrideReason: r.override_reason,
          overrideComputedKey: r.override_computed_key,
          overrideExplanation: r.override_explanation,
          version: r.version,
          updatedAt: r.updated_at,
        })),
        reportGraphs: reportGraphs.map((r) => ({
          reportId: r.report_id,
          indicatorId: r.indicator_id,
          position: r.position,
        })),
        risks: risks.map((r) => ({
          id: r.id,
          priorityId: r.priority_id,
          description: r.description,
          cause: r.cause,
          effect: r.effect,
          likelihood: r.likelihood,
          impact: r.impact,
          targetLikelihood: r.target_likelihood,
          targetImpact: r.target_impact,
          ownerId: r.owner_id,
          controls: r.controls,
          reviewOn: r.review_on as IsoDate | null,
          closed: r.closed,
          version: r.version,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        })),
        reportRisks: reportRisks.map((r) => ({ reportId: r.report_id, riskId: r.risk_id, position: r.position })),
      };
    },

    /**
     * Deletes the organisation, every row it owns and the partners it manages, children first
     * (several foreign keys restrict rather than cascade: an indicator's values hold on to their
     * reporting periods). Its audit trail stays.
     */
    async deleteOrganisation(id: string): Promise<SnapshotCounts> {
      const del = async (
        table:
          | 'report_revision'
          | 'report_risk'
          | 'risk'
          | 'report_graph'
          | 'indicator_value'
          | 'indicator_priority'
          | 'indicator'
          | 'sign_off'
          | 'milestone'
          | 'action_contributor'
          | 'action'
          | 'progress_report'
          | 'priority'
          | 'theme'
          | 'plan'
          | 'reporting_period'
          | 'person'
          | 'status',
      ) => Number((await db.deleteFrom(table).where('organisation_id', '=', id).executeTakeFirst()).numDeletedRows);
      // Risks first, explicitly: they would otherwise go silently by cascade with their priorities.
      const reportRisks = await del('report_risk');
      const risks = await del('risk');
      const reportGraphs = await del('report_graph');
      const indicatorValues = await del('indicator_value');
      const indicatorPriorities = await del('indicator_priority');
      const indicators = await del('indicator');
      // Revisions would go by cascade with their reports: counted first, explicitly.
      const revisions = await del('report_revision');
      const signOffs = await del('sign_off');
      const milestones = await del('milestone');
      const contributors = await del('action_contributor');
      const actions = await del('action');
      const reports = await del('progress_report');
      const priorities = await del('priority');
      const themes = await del('theme');
      const plans = await del('plan');
      const periods = await del('reporting_period');
      const people = await del('person');
      const statuses = await del('status');
      const partners = Number(
        (await db.deleteFrom('organisation').where('managed_by_id', '=', id).executeTakeFirst()).numDeletedRows,
      );
      const organisations = Number(
        (await db.deleteFrom('organisation').where('id', '=', id).executeTakeFirst()).numDeletedRows,
      );
      return {
        organisations,
        partners,
        statuses,
        people,
        periods,
        plans,
        themes,
        priorities,
        reports,
        actions,
        contributors,
        milestones,
        signOffs,
        revisions,
        indicators,
        indicatorPriorities,
        indicatorValues,
        reportGraphs,
        risks,
        reportRisks,
      };
    },

    /**
     * Writes every record with its id. An id already used by another organisation's row fails
     * the statement (and so the caller's transaction) with ImportIdInUseError.
     */
    async insertOrganisation(snapshot: OrganisationSnapshot): Promise<SnapshotCounts> {
      try {
        await insertAll(snapshot);
      } catch (error) {
        throw asIdInUse(error);
      }
      return countSnapshot(snapshot);
    },

    /** The diagnostic and efficiency sections' tables (programme-transfer.repository.ts). */
    programme: createProgrammeTransferRepository(db),
    /** The organisation's accounts and memberships (account-transfer.repository.ts). */
    accounts: createAccountTransferRepository(db),
    /** The organisation's audit trail, read and appended to. */
    trail: createAuditTransferRepository(db),
    /** The organisation's remembered indicator-import headers (import-header-transfer.repository.ts). */
    importHeaders: createImportHeaderTransferRepository(db),
  };
}

export type TransferQueries = ReturnType<typeof transferQueries>;

export const createTransferRepository = (db: Kysely<DB>) => transferQueries(db);

export type TransferRepository = ReturnType<typeof createTransferRepository>;
