// Organisation transfer: one organisation with everything it stores (its partners, status scale,
// people, periods, plans, themes, priorities, performance indicators with their values and
// overrides, risks, reports with their actions, milestones, sign-offs, graphs and cited risks,
// its efficiency diagnostic and programme (programme-transfer.ts), its members' accounts, its
// audit trail and the names it gave its indicator spreadsheets' columns) exported to one JSON file and imported back without loss (the import appends its
// own event to the trail, so a second export has that one event more). The file's format is described in
// transfer.schemas.ts.
//
// An export is deterministic: records are sorted by position, key, code or id (compared as
// code units, never by a database collation), so two exports of the same data differ only in
// `exportedAt`. An import checks the whole file before it writes anything, then writes it in one
// transaction together with its audit event: it lands completely or not at all.

import type { OrganisationService } from '../organisations/organisation.service.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { IsoDate } from '../../domain/dates.ts';
import { parseTimescale } from '../../domain/timescale.ts';
import { OrganisationNotFoundError } from '../organisations/organisation.service.ts';
import type {
  TransferRepository,
  OrganisationSnapshot,
  OrganisationRecord,
  SnapshotCounts,
  MilestoneRecord,
  IndicatorValueRecord,
} from './transfer.repository.ts';
import { parsePeriodKey } from '../../domain/period.ts';
import {
  ORGANISATION_FILE_FORMAT,
  parseOrganisationFile,
  normalisePeriodKey,
  type OrganisationFile,
  type OrganisationFileReport,
  type OrganisationFileIndicator,
  type OrganisationFileRisk,
} from './transfer.schemas.ts';
import { asIdInUse } from './transfer.repository.ts';
import type { AccountRow, AuditRow } from './account-transfer.repository.ts';
import { auditEventKey } from './audit-transfer.schemas.ts';
import type { ImportHeaderRecord } from './import-header-transfer.schemas.ts';
import {
  readProgramme,
  programmeRows,
  programmeCounts,
  writeProgramme,
  deleteProgramme,
  type ProgrammeSections,
} from './programme-transfer.ts';

/** A file as an export writes it: the fields an import does without (for older files) are always there. */
export type OrganisationExport = Omit<
  OrganisationFile,
  | 'indicators'
  | 'risks'
  | 'reports'
  | 'diagnostic'
  | 'efficiency'
  | 'accounts'
  | 'auditTrail'
  | 'indicatorImportHeaders'
> & {
  accounts: AccountRow[];
  auditTrail: AuditRow[];
  indicatorImportHeaders: ImportHeaderRecord[];
  indicators: OrganisationFileIndicator[];
  risks: OrganisationFileRisk[];
  reports: (Omit<OrganisationFileReport, 'graphs' | 'citedRisks'> & { graphs: string[]; citedRisks: string[] })[];
} & ProgrammeSections;
export { ORGANISATION_FILE_FORMAT } from './transfer.schemas.ts';
export { ImportIdInUseError } from './transfer.repository.ts';

export class OrganisationExistsError extends ConflictError {
  constructor(existing: OrganisationRecord) {
    super(
      'ORGANISATION_EXISTS',
      `This database already holds ${existing.name} (id ${existing.id}). Nothing has been imported: to overwrite it with the file, import again with replace, which deletes everything it holds now.`,
    );
  }
}

export class OrganisationIsPartnerError extends ConflictError {
  constructor(existing: OrganisationRecord, doing: 'exported' | 'replaced') {
    super(
      'ORGANISATION_IS_PARTNER',
      `${existing.name} is a partner recorded by another organisation, so it cannot be ${doing} on its own: ${doing === 'exported' ? 'export the organisation that records it' : 'import the file into another database'}.`,
    );
  }
}

export class AccountConflictError extends ConflictError {
  constructor(clashes: string[]) {
    super(
      'ACCOUNT_CONFLICT',
      `The file cannot be imported: ${clashes.join('; ')}. Nothing has been changed. An account of the file may only meet the same account (the same id and e-mail address) here.`,
    );
  }
}

export interface ExportOptions {
  /** Carry the accounts' password hashes (argon2id); without, the accounts arrive with no password. */
  passwordHashes?: boolean;
}

export interface ImportOptions {
  /** Overwrite an organisation with the same id (its rows and its partners are deleted first). */
  replace?: boolean;
  /** Who the audit trail records as importing. */
  actorLabel: string;
}

/**
 * A file `checkOrganisationFile` checked whole, for `importOrganisation` to take without checking
 * it again (a file may be hundreds of megabytes: `amber import` checks it before it opens the
 * database, AMBER_MAX_IMPORT_MB).
 */
export class CheckedOrganisationFile {
  readonly file: OrganisationFile;
  constructor(file: OrganisationFile) {
    this.file = file;
  }
}

/** Checks a whole organisation file without the database: a ValidationError lists every problem by path. */
export function checkOrganisationFile(input: unknown): CheckedOrganisationFile {
  return new CheckedOrganisationFile(parseOrganisationFile(input));
}

export interface ImportResult {
  organisationId: string;
  /** Rows written, by kind: organisations, partners, statuses, people, ... signOffs, indicators, ... reportGraphs, risks. */
  counts: Record<string, number>;
}

type SortKey<T> = (row: T) => string | number;

/** A copy sorted by the keys in turn; strings compare by code unit, the same on every engine. */
function sorted<T>(rows: readonly T[], ...keys: SortKey<T>[]): T[] {
  return [...rows].sort((a, b) => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

function must<K, V>(map: Map<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined)
    throw new Error(`Transfer: ${what} ${String(key)} is missing from the organisation's own rows`);
  return value;
}

/** `YYYY-MM` for a month, `YYYY-MM-DD` for a day: both read back by parseTimescale. */
function timescaleText(m: MilestoneRecord): string {
  return m.duePrecision === 'month' ? m.dueOn.slice(0, 7) : m.dueOn;
}

function progressOf(m: MilestoneRecord) {
  switch (m.progress) {
    case 'met':
      return { kind: 'met' as const, on: m.metOn!, note: m.progressReason };
    case 'slipped':
      return {
        kind: 'slipped' as const,
        revised: m.revisedPrecision === 'month' ? m.revisedDueOn!.slice(0, 7) : m.revisedDueOn!,
        reason: m.progressReason,
      };
    case 'missed':
    case 'suspended':
      return { kind: m.progress, reason: m.progressReason };
    default:
      return null;
  }
}

/** The officer's status for a value, as the file writes it: null when the computed status stands. */
function overrideOf(v: IndicatorValueRecord) {
  return v.overrideStatusKey === null
    ? null
    : {
        statusKey: v.overrideStatusKey,
        reason: v.overrideReason,
        computedKey: v.overrideComputedKey,
        explanation: v.overrideExplanation,
      };
}

function toFile(
  s: OrganisationSnapshot,
  programme: ProgrammeSections,
  accounts: AccountRow[],
  auditTrail: AuditRow[],
  importHeaders: ImportHeaderRecord[],
  exportedAt: Date,
): OrganisationExport {
  const organisation = ({ id, name, shortName, kind, createdAt }: OrganisationRecord) => ({
    id,
    name,
    shortName,
    kind,
    createdAt,
  });
  const priorities = new Map(s.priorities.map((p) => [p.id, p]));
  const periods = new Map(s.periods.map((p) => [p.id, p]));
  const statuses = new Map(s.statuses.map((st) => [st.id, st]));
  const themesByPlan = groupBy(s.themes, (t) => t.planId);
  const prioritiesByTheme = groupBy(s.priorities, (p) => p.themeId);
  const actionsByReport = groupBy(s.actions, (a) => a.reportId);
  const contributorsByAction = groupBy(s.contributors, (c) => c.actionId);
  const milestonesByAction = groupBy(s.milestones, (m) => m.actionId);
  const signOffsByReport = groupBy(s.signOffs, (x) => x.reportId);
  const revisionsByReport = groupBy(s.revisions, (x) => x.reportId);
  const prioritiesByIndicator = groupBy(s.indicatorPriorities, (x) => x.indicatorId);
  const valuesByIndicator = groupBy(s.indicatorValues, (v) => v.indicatorId);
  const graphsByReport = groupBy(s.reportGraphs, (g) => g.reportId);
  const risksByReport = groupBy(s.reportRisks, (x) => x.reportId);

  const reports = s.reports.map((r) => ({
    report: r,
    code: must(priorities, r.priorityId, 'priority').code,
    periodKey: must(periods, r.periodId, 'reporting period').key,
  }));

  return {
    format: ORGANISATION_FILE_FORMAT,
    exportedAt: exportedAt.toISOString(),
    organisation: {
      ...organisation(s.organisation),
      version: s.organisation.version ?? 1,
      indicatorDefaults: {
        ruleKind: s.organisation.defaultRuleKind ?? 'percent',
        ruleValue: s.organisation.defaultRuleValue ?? 500,
      },
    },
    partners: sorted(
      s.partners,
      (p) => p.name,
      (p) => p.id,
    ).map((p) => ({ ...organisation(p), version: p.version ?? 1 })),
    statuses: sorted(
      s.statuses,
      (x) => x.inUseFrom ?? '',
      (x) => x.position,
      (x) => x.key,
    ).map((x) => ({
      id: x.id,
      key: x.key,
      label: x.label,
      colour: x.colour,
      shape: x.shape as OrganisationExport['statuses'][number]['shape'],
      description: x.description,
      commentRequired: x.commentRequired,
      rated: x.rated ?? true,
      pattern: x.pattern ?? 'none',
      approvalRole: (x.approvalRole ?? null) as OrganisationExport['statuses'][number]['approvalRole'],
      position: x.position,
      // Only on later versions of the scale: the first version's statuses are written as before versions.
      ...(x.inUseFrom ? { inUseFrom: x.inUseFrom } : {}),
    })),
    people: sorted(
      s.people,
      (p) => p.name,
      (p) => p.id,
    ).map((p) => ({
      id: p.id,
      name: p.name,
      jobTitle: p.jobTitle,
      employerId: p.employerId,
      email: p.email,
      createdAt: p.createdAt,
      version: p.version ?? 1,
    })),
    periods: sorted(s.periods, (p) => p.key).map((p) => ({
      id: p.id,
      key: p.key,
      startsOn: p.startsOn,
      endsOn: p.endsOn,
      dueOn: p.dueOn,
    })),
    plans: sorted(
      s.plans,
      (p) => p.firstYear,
      (p) => p.title,
      (p) => p.id,
    ).map((plan) => ({
      id: plan.id,
      title: plan.title,
      description: plan.description,
      firstYear: plan.firstYear,
      lastYear: plan.lastYear,
      version: plan.version,
      createdAt: plan.createdAt,
      themes: sorted(
        themesByPlan.get(plan.id) ?? [],
        (t) => t.position,
        (t) => t.id,
      ).map((theme) => ({
        id: theme.id,
        title: theme.title,
        position: theme.position,
        version: theme.version,
        priorities: sorted(
          prioritiesByTheme.get(theme.id) ?? [],
          (p) => p.code.toLowerCase(),
          (p) => p.code,
          (p) => p.id,
        ).map((p) => ({
          id: p.id,
          code: p.code,
          title: p.title,
          rationale: p.rationale,
          accountableOfficerId: p.accountableOfficerId,
          accountableDirectorId: p.accountableDirectorId,
          groupsInternal: p.groupsInternal,
          groupsExternal: p.groupsExternal,
          version: p.version,
          createdAt: p.createdAt,
          updatedAt: p.updatedAt,
        })),
      })),
    })),
    indicators: sorted(
      s.indicators,
      (i) => i.code.toLowerCase(),
      (i) => i.code,
      (i) => i.id,
    ).map((i) => ({
      id: i.id,
      code: i.code,
      title: i.title,
      description: i.description,
      unitKind: i.unitKind,
      decimalPlaces: i.decimalPlaces,
      polarity: i.polarity,
      frequency: i.frequency,
      ytdMethod: i.ytdMethod,
      ruleKind: i.ruleKind,
      ruleValue: i.ruleValue,
      chartKind: i.chartKind,
      ownerId: i.ownerId,
      dataSource: i.dataSource,
      sharedCode: i.sharedCode ?? null,
      baseline: i.baseline ?? null,
      version: i.version,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      priorityIds: sorted(
        (prioritiesByIndicator.get(i.id) ?? []).map((x) => x.priorityId),
        (id) => id,
      ),
      values: sorted(
        (valuesByIndicator.get(i.id) ?? []).map((v) => ({
          v,
          period: must(periods, v.periodId, 'reporting period').key,
        })),
        (x) => x.period,
        (x) => x.v.id,
      ).map(({ v, period }) => ({
        id: v.id,
        period,
        actual: v.actual,
        target: v.target,
        targetHigh: v.targetHigh,
        comment: v.comment,
        override: overrideOf(v),
        version: v.version,
        updatedAt: v.updatedAt,
      })),
    })),
    // By the code of the priority they threaten, as the priorities are sorted, then by id.
    risks: sorted(
      s.risks.map((r) => ({ r, code: must(priorities, r.priorityId, 'priority').code })),
      (x) => x.code.toLowerCase(),
      (x) => x.code,
      (x) => x.r.id,
    ).map(({ r }) => ({
      id: r.id,
      priorityId: r.priorityId,
      description: r.description,
      cause: r.cause,
      effect: r.effect,
      likelihood: r.likelihood,
      impact: r.impact,
      targetLikelihood: r.targetLikelihood,
      targetImpact: r.targetImpact,
      ownerId: r.ownerId,
      controls: r.controls,
      reviewOn: r.reviewOn,
      closed: r.closed,
      version: r.version,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    })),
    reports: sorted(
      reports,
      (r) => r.code.toLowerCase(),
      (r) => r.periodKey,
      (r) => r.report.id,
    ).map(({ report: r, code, periodKey }) => ({
      id: r.id,
      priority: code,
      period: periodKey,
      summary: r.summary,
      status: r.statusId === null ? null : must(statuses, r.statusId, 'status').key,
      statusReason: r.statusReason,
      achievements: [...r.achievements],
      challenges: [...r.challenges],
      version: r.version,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      actions: sorted(
        actionsByReport.get(r.id) ?? [],
        (a) => a.position,
        (a) => a.id,
      ).map((a) => ({
        id: a.id,
        position: a.position,
        description: a.description,
        contributors: sorted(
          contributorsByAction.get(a.id) ?? [],
          (c) => c.position,
          (c) => c.id,
        ).map((c) => ({
          id: c.id,
          position: c.position,
          personId: c.personId,
          partnerId: c.partnerId,
        })),
        milestones: sorted(
          milestonesByAction.get(a.id) ?? [],
          (m) => m.position,
          (m) => m.id,
        ).map((m) => ({
          id: m.id,
          position: m.position,
          description: m.description,
          timescale: timescaleText(m),
          progress: progressOf(m),
          progressVersion: m.progressVersion ?? 1,
        })),
      })),
      signOffs: sorted(
        signOffsByReport.get(r.id) ?? [],
        // Sign-offs recorded in one unit of work share their time: the day signed and the order
        // of the roles (officer, then director) then decide.
        (x) => x.recordedAt,
        (x) => x.signedOn,
        (x) => (x.role === 'accountable_officer' ? '1' : '2'),
        (x) => x.id,
      ).map((x) => ({
        id: x.id,
        role: x.role,
        personId: x.personId,
        decision: x.decision,
        signedOn: x.signedOn,
        comment: x.comment,
        historical: x.historical,
        recordedAt: x.recordedAt,
        revision: x.revision ?? 1,
        userId: x.userId ?? null,
        signedAt: x.signedAt ?? null,
      })),
      graphs: sorted(
        graphsByReport.get(r.id) ?? [],
        (g) => g.position,
        (g) => g.indicatorId,
      ).map((g) => g.indicatorId),
      citedRisks: sorted(
        risksByReport.get(r.id) ?? [],
        (x) => x.position,
        (x) => x.riskId,
      ).map((x) => x.riskId),
      workflow: {
        state: r.state ?? 'draft',
        revision: r.revision ?? 1,
        publishedRevision: r.publishedRevision ?? null,
        revisions: sorted(revisionsByReport.get(r.id) ?? [], (x) => x.number).map(
          ({ reportId: _r, format, content, ...x }) => ({
            ...x,
            format: format as 1 | 2,
            content: content as Record<string, unknown>,
          }),
        ),
      },
    })),
    diagnostic: programme.diagnostic,
    efficiency: programme.efficiency,
    accounts: sorted(
      accounts,
      (a) => a.email.toLowerCase(),
      (a) => a.id,
    ),
    // Oldest first, as written (events of one moment in the order they were written).
    auditTrail,
    // By header, as the repository sorts them.
    indicatorImportHeaders: importHeaders,
  };
}

/** The checked file as rows. References were checked by parseOrganisationFile, so every lookup finds. */
function fromFile(file: OrganisationFile): OrganisationSnapshot {
  const orgId = file.organisation.id;
  const themes = file.plans.flatMap((plan) => plan.themes.map((theme) => ({ plan, theme })));
  const priorities = themes.flatMap(({ theme }) => theme.priorities.map((priority) => ({ theme, priority })));
  const priorityIds = new Map(priorities.map(({ priority }) => [priority.code.toLowerCase(), priority.id]));
  const periodIds = new Map(file.periods.map((p) => [p.key, p.id]));
  // A report's status key is one of the version of the scale in force for its period (ADR 0014).
  const scaleVersions = [...new Set(file.statuses.map((st) => st.inUseFrom ?? null))].map((inUseFrom) => ({
    inUseFrom,
    ids: new Map(file.statuses.filter((st) => (st.inUseFrom ?? null) === inUseFrom).map((st) => [st.key, st.id])),
  }));
  const statusIdFor = (period: string, key: string) => {
    const startsOn = parsePeriodKey(normalisePeriodKey(period)).startsOn;
    const version = scaleVersions
      .filter((v) => v.inUseFrom === null || v.inUseFrom <= startsOn)
      .sort((a, b) => ((a.inUseFrom ?? '') < (b.inUseFrom ?? '') ? -1 : 1))
      .at(-1);
    return must(version?.ids ?? new Map<string, string>(), key, 'status');
  };
  const actions = file.reports.flatMap((report) => report.actions.map((action) => ({ report, action })));
  const indicators = file.indicators ?? [];

  return {
    organisation: {
      id: file.organisation.id,
      name: file.organisation.name,
      shortName: file.organisation.shortName,
      kind: file.organisation.kind,
      createdAt: file.organisation.createdAt,
      managedById: null,
      ...(file.organisation.version !== undefined ? { version: file.organisation.version } : {}),
      ...(file.organisation.indicatorDefaults
        ? {
            defaultRuleKind: file.organisation.indicatorDefaults.ruleKind,
            defaultRuleValue: file.organisation.indicatorDefaults.ruleValue,
          }
        : {}),
    },
    partners: file.partners.map((p) => ({ ...p, managedById: orgId })),
    statuses: file.statuses.map((x) => ({ ...x })),
    people: file.people.map((p) => ({ ...p })),
    periods: file.periods.map((p) => ({
      id: p.id,
      key: p.key,
      startsOn: p.startsOn as IsoDate,
      endsOn: p.endsOn as IsoDate,
      dueOn: p.dueOn as IsoDate | null,
    })),
    plans: file.plans.map(({ themes: _themes, ...plan }) => plan),
    themes: themes.map(({ plan, theme: { priorities: _priorities, ...theme } }) => ({ ...theme, planId: plan.id })),
    priorities: priorities.map(({ theme, priority }) => ({ ...priority, themeId: theme.id })),
    reports: file.reports.map(
      ({
        actions: _actions,
        signOffs: _signOffs,
        graphs: _graphs,
        citedRisks: _citedRisks,
        workflow,
        priority,
        period,
        status,
        ...r
      }) => ({
        ...r,
        ...(workflow
          ? { state: workflow.state, revision: workflow.revision, publishedRevision: workflow.publishedRevision }
          : {}),
        priorityId: must(priorityIds, priority.toLowerCase(), 'priority'),
        periodId: must(periodIds, normalisePeriodKey(period), 'reporting period'),
        statusId: status === null ? null : statusIdFor(period, status),
      }),
    ),
    actions: actions.map(({ report, action }) => ({
      id: action.id,
      reportId: report.id,
      position: action.position,
      description: action.description,
    })),
    contributors: actions.flatMap(({ action }) => action.contributors.map((c) => ({ ...c, actionId: action.id }))),
    milestones: actions.flatMap(({ action }) =>
      action.milestones.map((m) => {
        const t = parseTimescale(m.timescale);
        if (!t) throw new Error(`Transfer: milestone ${m.id} passed the checks with an unreadable timescale`);
        const p = m.progress ?? null;
        const revised = p?.kind === 'slipped' ? parseTimescale(p.revised) : undefined;
        return {
          id: m.id,
          actionId: action.id,
          position: m.position,
          description: m.description,
          dueOn: t.date,
          duePrecision: t.precision,
          progress: p?.kind ?? null,
          metOn: p?.kind === 'met' ? (p.on as IsoDate) : null,
          revisedDueOn: revised?.date ?? null,
          revisedPrecision: revised?.precision ?? null,
          progressReason: p === null ? '' : p.kind === 'met' ? p.note : p.reason,
          ...(m.progressVersion !== undefined ? { progressVersion: m.progressVersion } : {}),
        };
      }),
    ),
    signOffs: file.reports.flatMap((report) =>
      report.signOffs.map((x) => ({ ...x, signedOn: x.signedOn as IsoDate, reportId: report.id })),
    ),
    revisions: file.reports.flatMap((report) =>
      (report.workflow?.revisions ?? []).map((x) => ({ ...x, reportId: report.id })),
    ),
    indicators: indicators.map(({ priorityIds: _priorityIds, values: _values, ...i }) => i),
    indicatorPriorities: indicators.flatMap((i) =>
      i.priorityIds.map((priorityId) => ({ indicatorId: i.id, priorityId })),
    ),
    indicatorValues: indicators.flatMap((i) =>
      i.values.map((v) => ({
        id: v.id,
        indicatorId: i.id,
        periodId: must(periodIds, normalisePeriodKey(v.period), 'reporting period'),
        actual: v.actual,
        target: v.target,
        targetHigh: v.targetHigh,
        comment: v.comment,
        overrideStatusKey: v.override?.statusKey ?? null,
        overrideReason: v.override?.reason ?? '',
        overrideComputedKey: v.override?.computedKey ?? null,
        overrideExplanation: v.override?.explanation ?? '',
        version: v.version,
        updatedAt: v.updatedAt,
      })),
    ),
    reportGraphs: file.reports.flatMap((report) =>
      (report.graphs ?? []).map((indicatorId, position) => ({ reportId: report.id, indicatorId, position })),
    ),
    risks: (file.risks ?? []).map((r) => ({ ...r, reviewOn: r.reviewOn as IsoDate | null })),
    reportRisks: file.reports.flatMap((report) =>
      (report.citedRisks ?? []).map((riskId, position) => ({ reportId: report.id, riskId, position })),
    ),
  };
}

/**
 * What an import records for each exercise the file says shared its function costs with every
 * organisation, a setting retired since the file was written (ADR 0018): that it no longer does,
 * as the migration that retired it recorded for exercises already here.
 */
function sharingRetiredEvents(file: OrganisationFile, actor: string): AuditRow[] {
  const occurredAt = new Date().toISOString();
  const what = 'Sharing with every organisation ended: the setting was retired (ADR 0018)';
  return (file.diagnostic?.exercises ?? [])
    .filter((e) => e.shareWithPeers === true)
    .map((e) => ({
      occurredAt,
      actor,
      entity: 'diagnostic_exercise',
      entityId: String(e.id),
      action: 'update',
      before: { what, shareWithPeers: true },
      after: { what, shareWithPeers: false },
    }));
}

export interface TransferServiceDeps {
  repo: TransferRepository;
  organisations: Pick<OrganisationService, 'adoptAsHomeIfNone'>;
}

export function createTransferService({ repo, organisations }: TransferServiceDeps) {
  return {
    /** The organisation and everything it stores, as the `amber.organisation.v1` file. */
    async exportOrganisation(organisationId: string, options: ExportOptions = {}): Promise<OrganisationExport> {
      const snapshot = await repo.readOrganisation(organisationId);
      if (!snapshot) throw new OrganisationNotFoundError();
      if (snapshot.organisation.managedById !== null)
        throw new OrganisationIsPartnerError(snapshot.organisation, 'exported');
      return toFile(
        snapshot,
        await readProgramme(repo.programme, organisationId),
        await repo.accounts.readMembers(organisationId, options.passwordHashes === true),
        await repo.trail.read(organisationId),
        await repo.importHeaders.read(organisationId),
        new Date(),
      );
    },

    /**
     * Imports an organisation file: checks all of it (ValidationError listing every problem;
     * unless `checkOrganisationFile` has), then writes it in one transaction. An organisation with the same id is refused
     * (ORGANISATION_EXISTS) unless `replace`, which deletes it and its partners in that transaction.
     */
    async importOrganisation(input: unknown, options: ImportOptions): Promise<ImportResult> {
      const file = input instanceof CheckedOrganisationFile ? input.file : parseOrganisationFile(input);
      const snapshot = fromFile(file);
      const organisationId = snapshot.organisation.id;
      // Files written before the diagnostic and the programme travelled have neither section: counted only when present.
      const carriesProgramme = file.diagnostic !== undefined || file.efficiency !== undefined;
      const programme = programmeRows(file, organisationId);
      // Accounts of the file met here: the same account (id and address) is kept; any other meeting is a conflict.
      const accounts = file.accounts ?? [];
      const met = await repo.accounts.findAccounts(
        accounts.map((a) => a.id),
        accounts.map((a) => a.email),
      );
      const clashes: string[] = [];
      const same = new Set<string>();
      for (const m of met) {
        const byId = accounts.find((a) => a.id === m.id);
        const byEmail = accounts.find((a) => a.email.toLowerCase() === m.email.toLowerCase());
        if (byId && byId === byEmail) same.add(m.id);
        else if (byEmail)
          clashes.push(
            `the e-mail address ${byEmail.email} belongs here to another account (${m.id}), not ${byEmail.id}`,
          );
        else if (byId) clashes.push(`the account ${m.id} here has the e-mail address ${m.email}, not ${byId.email}`);
      }
      if (clashes.length > 0) throw new AccountConflictError(clashes);
      const existing = await repo.findOrganisation(organisationId);
      let replaced: (SnapshotCounts & Record<string, number>) | undefined;
      if (existing) {
        if (!options.replace) throw new OrganisationExistsError(existing);
        if (existing.managedById !== null) throw new OrganisationIsPartnerError(existing, 'replaced');
        // The programme first: its projects and savings hold on to cases and opportunities.
        const programmeReplaced = await deleteProgramme(repo.programme, organisationId);
        const importHeaders = await repo.importHeaders.delete(organisationId);
        replaced = { ...(await repo.deleteOrganisation(organisationId)), ...programmeReplaced, importHeaders };
      }
      const counts: Record<string, number> = { ...(await repo.insertOrganisation(snapshot)) };
      if (carriesProgramme) {
        try {
          await writeProgramme(repo.programme, programme);
        } catch (error) {
          throw asIdInUse(error);
        }
        Object.assign(counts, programmeCounts(programme));
      }
      // An exercise the file says shared with every organisation (a file from before that was
      // retired) does not here: the trail, carried or not, says so after its own events.
      const stoppedSharing = sharingRetiredEvents(file, options.actorLabel);
      if (file.accounts !== undefined) {
        await repo.accounts.insert(organisationId, accounts, same);
        counts.accounts = accounts.length;
      }
      if (file.auditTrail !== undefined) {
        // Append-only: an event the target holds already (a replace over the same organisation) is not written twice.
        const held = new Set((await repo.trail.read(organisationId)).map(auditEventKey));
        const fresh = file.auditTrail.filter((e) => !held.has(auditEventKey(e)));
        await repo.trail.append(
          organisationId,
          fresh.map((e) => ({ ...e, before: e.before ?? null, after: e.after ?? null })),
        );
        counts.auditEvents = fresh.length;
      }
      if (stoppedSharing.length > 0) {
        await repo.trail.append(organisationId, stoppedSharing);
        counts.exercisesNoLongerShared = stoppedSharing.length;
      }
      if (file.indicatorImportHeaders !== undefined) {
        await repo.importHeaders.insert(organisationId, file.indicatorImportHeaders);
        counts.importHeaders = file.indicatorImportHeaders.length;
      }
      // Replacing the home organisation keeps it the home; an import into an empty deployment makes it the home.
      await organisations.adoptAsHomeIfNone(organisationId);
      await repo.audit({
        organisationId,
        actor: options.actorLabel,
        entity: 'organisation',
        entityId: organisationId,
        action: 'import',
        before: existing && replaced ? { name: existing.name, counts: replaced } : undefined,
        after: { name: snapshot.organisation.name, format: file.format, exportedAt: file.exportedAt, counts },
      });
      return { organisationId, counts };
    },
  };
}

export type TransferService = ReturnType<typeof createTransferService>;
