// Progress reports: one per priority per period. Owns the report's sections, its key actions
// (contributors, milestones, order), its sign-offs, its workflow and its revisions.
//
// Every change bumps the report's version (optimistic concurrency: a save based on an older
// version is refused with what the other person changed, never merged silently) and writes an
// audit event in the same transaction. Who may do what is checked here with `authorize()`.
//
// The workflow: draft → submitted → officer_approved → published. The accountable officer of the
// priority approves first, then its accountable director, which publishes: the report as readers
// see it is stored as an immutable revision. Either approver may return it to draft with a comment.
// While it waits for sign-off nothing in it changes; a change to a published report opens the
// next revision as a draft, and readers keep seeing the published one until that is published.

import type { Actor } from '../../domain/actor.ts';
import { NotFoundError, ValidationError, ConflictError, ForbiddenError } from '../../domain/errors.ts';
import { authorize, can, mayEver, type Permission, type PermissionContext } from '../../domain/permissions.ts';
import { todayIso, formatDate } from '../../domain/dates.ts';
import type { Status } from '../../domain/status-scale.ts';
import { parseWith } from '../../platform/validation.ts';
import type { PlanService, Priority } from '../plans/plan.service.ts';
import type { PeriodService, ReportingPeriod } from '../periods/period.service.ts';
import type { OrganisationService, Organisation } from '../organisations/organisation.service.ts';
import type { IndicatorService, Indicator, IndicatorPoint } from '../indicators/indicator.service.ts';
import type { RiskService, Risk } from '../risks/risk.service.ts';
import type {
  ReportRepository,
  ReportQueries,
  Report,
  ReportSummary,
  Action,
  ReportState,
  RevisionSummary,
  ReportAuditEvent,
} from './report.repository.ts';
import {
  STATE_LABELS,
  newReportInput,
  sectionsInput,
  actionInput,
  signOffInput,
  moveInput,
  versionOnly,
  progressInput,
  workflowInput,
  returnInput,
  decisionInput,
} from './report.schemas.ts';
import { formatTimescale, timescaleDeadline } from '../../domain/timescale.ts';
import type { ReportView } from '../../render/report-view.ts';
import { presentReport } from './report.presenter.ts';
import {
  diffContent,
  diffViews,
  describeChanges,
  NOT_ASSESSED,
  type FieldChange,
  type ReportContent,
} from './report.diff.ts';
import type { ReportEvents, ReportWorkflowEvent } from './report.events.ts';

/** The workflow's events, for listeners wired in the composition root (reminders). */
export type { ReportWorkflowEvent, ReportEvents } from './report.events.ts';

export type {
  Report,
  ReportSummary,
  Action,
  Milestone,
  SignOff,
  Contributor,
  SignOffRole,
  ReportState,
  RevisionSummary,
} from './report.repository.ts';
export type { FieldChange } from './report.diff.ts';
export { STATE_LABELS };

export class ReportNotFoundError extends NotFoundError {
  constructor(code: string, periodLabel: string) {
    super('REPORT_NOT_FOUND', `There is no ${periodLabel} report for ${code}`);
  }
}
export class ActionNotFoundError extends NotFoundError {
  constructor(n: number | string) {
    super('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
  }
}
export class RevisionNotFoundError extends NotFoundError {
  constructor(n: number | string) {
    super('REVISION_NOT_FOUND', `There is no revision ${n} of this report`);
  }
}

/** Who saved the report after the version someone started from, and when. */
export interface ChangedBy {
  label: string;
  at: Date;
}

export class ReportChangedError extends ConflictError {
  constructor(
    readonly current: Report,
    readonly changedBy: ChangedBy[],
    readonly changes: FieldChange[],
  ) {
    const who = [...new Set(changedBy.map((c) => c.label))];
    const last = changedBy.at(-1);
    super(
      'STALE_VERSION',
      `Someone else changed this report while you were editing it${who.length ? `: ${who.join(' and ')} changed ${describeChanges(changes)}${last ? ` (last saved ${formatDate(last.at.toISOString().slice(0, 10) as never)} at ${last.at.toISOString().slice(11, 16)} UTC)` : ''}` : ''}. Your changes have not been saved: check what they changed, then make your changes again.`,
    );
  }
}
export class ReportInSignOffError extends ConflictError {
  constructor(state: ReportState) {
    super(
      'REPORT_IN_SIGN_OFF',
      `The report cannot be changed while it is ${state === 'submitted' ? 'waiting for the accountable officer’s sign-off' : 'waiting for the accountable director’s sign-off'}. An approver can return it to draft.`,
    );
  }
}
export class WorkflowStepError extends ConflictError {
  constructor(message: string) {
    super('WORKFLOW_STEP_NOT_ALLOWED', message);
  }
}

/** Everything a report's outputs need, loaded together. */
export interface ReportBundle {
  organisation: Organisation;
  priority: Priority;
  period: ReportingPeriod;
  report: Report;
  statuses: Status[];
  /** The priority's report for the latest earlier period, whose key actions this report follows up. */
  previous: { period: ReportingPeriod; report: Report } | null;
  /** The indicators chosen as this report's graphs, with their values up to its period. */
  graphs: { indicator: Indicator; points: IndicatorPoint[] }[];
  /** The register entries the report cites under "Challenges/Risks", in order, as they stand now. */
  citedRisks?: Risk[];
}

/** What the actor may do with a report now: drives the buttons a page shows (the service still checks). */
export interface ReportAbilities {
  edit: boolean;
  updateActions: boolean;
  /** The numbers (1-based) of the key actions the actor may change. */
  actions: number[];
  submit: boolean;
  approve: boolean;
  return: boolean;
  readHistory: boolean;
}

/** The report as a reader sees it: the live draft for those who may read drafts, else the published revision. */
export interface ReadableReport {
  view: ReportView;
  /** Present when the reader sees the live report (and may act on it). */
  bundle?: ReportBundle;
  state: ReportState;
  /** The revision shown. */
  revision: number;
  publishedRevision: number | null;
  /** The published revision shown, when the reader sees a published one. */
  published?: RevisionSummary;
  abilities: ReportAbilities;
}

export interface ReportServiceDeps {
  repo: ReportRepository;
  plans: PlanService;
  periods: PeriodService;
  organisations: OrganisationService;
  indicators: IndicatorService;
  risks: RiskService;
  /** Told of workflow steps after they commit (e-mail reminders, "my work"). */
  events?: ReportEvents;
}

const accountable = (priority: Priority): PermissionContext => ({
  accountablePersonIds: [priority.accountableOfficer?.id, priority.accountableDirector?.id],
});
const namedOn = (action: Action) => action.contributors.filter((c) => c.kind === 'person').map((c) => c.id);

/** Sign-off is by a signed-in person, for themselves: the system (CLI, demo, jobs) never signs. */
function requireSigner(actor: Actor): { userId: string; personId: string } {
  if (actor.userId === undefined || actor.personId === undefined) {
    throw new ForbiddenError(
      'SIGN_OFF_NEEDS_A_PERSON',
      'Only a signed-in person can sign off or return a report, for themselves: nobody signs for someone else.',
    );
  }
  return { userId: actor.userId, personId: actor.personId };
}

/** A report (or its JSON snapshot in the audit trail) as comparable content. */
function contentOf(report: Partial<Report> | undefined, statuses: Status[]): ReportContent {
  const status = report?.statusId ? statuses.find((s) => s.id === report.statusId) : undefined;
  return {
    summary: report?.summary ?? '',
    status: status?.label ?? NOT_ASSESSED,
    statusReason: report?.statusReason ?? '',
    achievements: report?.achievements ?? [],
    challenges: report?.challenges ?? [],
    actions: (report?.actions ?? []).map((a) => ({
      description: a.description,
      contributors: a.contributors.map((c) => c.name),
      milestones: a.milestones.map((m) => `${m.description} – ${formatTimescale(m.timescale)}`),
    })),
  };
}

/** What the report was at `version` (from the audit trail, which holds each saved version) and who saved after it. */
function sinceVersion(
  events: ReportAuditEvent[],
  version: number,
): { snapshot: Partial<Report> | undefined; changedBy: ChangedBy[] } {
  const versionOf = (e: ReportAuditEvent) => Number((e.after as { version?: unknown } | null)?.version ?? 1);
  const at =
    version <= 1
      ? -1
      : events.findIndex(
          (e) => versionOf(e) === version && (e.after as { summary?: unknown } | null)?.summary !== undefined,
        );
  const snapshot = at >= 0 ? (events[at]!.after as Partial<Report>) : undefined;
  const changedBy = events
    .slice(at + 1)
    .filter((e) => versionOf(e) > version)
    .map((e) => ({ label: e.actor, at: e.occurredAt }));
  return { snapshot, changedBy };
}

export function createReportService({
  repo,
  plans,
  periods,
  organisations,
  indicators,
  risks,
  events,
}: ReportServiceDeps) {
  async function locate(actor: Actor, code: string, periodKey: string) {
    const priority = await plans.getPriority(actor, code);
    const period = await periods.getByKey(actor, periodKey);
    return { priority, period };
  }

  /** The live report with everything its outputs need. No permission check: callers check. */
  async function loadBundle(actor: Actor, priority: Priority, period: ReportingPeriod): Promise<ReportBundle> {
    const report = await repo.find(priority.id, period.id);
    if (!report) throw new ReportNotFoundError(priority.code, period.label);
    const previousPeriodId = await repo.findPreviousPeriodId(priority.id, period.startsOn);
    let previous: ReportBundle['previous'] = null;
    if (previousPeriodId) {
      const previousReport = (await repo.find(priority.id, previousPeriodId))!;
      previous = { period: await periods.getByKey(actor, previousReport.periodKey), report: previousReport };
    }
    const graphs = await indicators.graphsForReport(actor, report.id, period);
    const citedRisks = await risks.listByIds(actor, report.riskIds);
    return {
      organisation: await organisations.getOwn(actor),
      priority,
      period,
      report,
      statuses: await organisations.statusScale(actor),
      previous,
      graphs,
      citedRisks,
    };
  }

  async function getBundle(actor: Actor, code: string, periodKey: string): Promise<ReportBundle> {
    const { priority, period } = await locate(actor, code, periodKey);
    const bundle = await loadBundle(actor, priority, period);
    authorize(actor, 'report.read', { published: bundle.report.state === 'published' });
    return bundle;
  }

  const mayReadDrafts = (actor: Actor) => can(actor, 'report.read', { published: false });

  function abilities(actor: Actor, bundle: ReportBundle | undefined): ReportAbilities {
    if (!bundle)
      return {
        edit: false,
        updateActions: false,
        actions: [],
        submit: false,
        approve: false,
        return: false,
        readHistory: false,
      };
    const { priority, report } = bundle;
    const ctx = accountable(priority);
    const signer = actor.userId !== undefined && actor.personId !== undefined;
    const asOfficer =
      signer && can(actor, 'report.approve-officer', { accountablePersonIds: [priority.accountableOfficer?.id] });
    const asDirector =
      signer && can(actor, 'report.approve-director', { accountablePersonIds: [priority.accountableDirector?.id] });
    const open = report.state === 'draft' || report.state === 'published';
    return {
      edit: open && can(actor, 'report.edit', ctx),
      updateActions:
        open &&
        (can(actor, 'report.edit', ctx) ||
          report.actions.some((a) => can(actor, 'report.update-actions', { ...ctx, namedPersonIds: namedOn(a) }))),
      actions: open
        ? report.actions.flatMap((a, i) =>
            can(actor, 'report.update-actions', { ...ctx, namedPersonIds: namedOn(a) }) ? [i + 1] : [],
          )
        : [],
      submit: report.state === 'draft' && can(actor, 'report.submit', ctx),
      approve: (report.state === 'submitted' && asOfficer) || (report.state === 'officer_approved' && asDirector),
      return: (report.state === 'submitted' || report.state === 'officer_approved') && (asOfficer || asDirector),
      readHistory: can(actor, 'history.read', ctx),
    };
  }

  /** Tells the listeners after the commit; a listener's failure never undoes the step it hears of. */
  async function tell(kind: keyof ReportEvents, e: ReportWorkflowEvent): Promise<void> {
    if (!events) return;
    try {
      await events[kind]?.(e);
    } catch {
      /* the listener reports its own failures; the step stands */
    }
  }

  /**
   * Runs a change to one report in a transaction: re-reads the report, checks the actor may
   * make it, refuses a report waiting for sign-off and a stale version (saying who changed what
   * since), opens a new revision when the report was published, applies the change, bumps the
   * version and records the audit event with before and after.
   */
  async function change(
    actor: Actor,
    code: string,
    periodKey: string,
    version: number | undefined,
    what: string,
    check: (report: Report, priority: Priority) => void,
    fn: (r: ReportQueries, report: Report) => Promise<void>,
  ): Promise<Report> {
    const { priority, period } = await locate(actor, code, periodKey);
    const statuses = await organisations.statusScale(actor);
    return repo.transaction(async (r) => {
      const before = await r.find(priority.id, period.id);
      if (!before) throw new ReportNotFoundError(priority.code, period.label);
      check(before, priority);
      if (before.state === 'submitted' || before.state === 'officer_approved')
        throw new ReportInSignOffError(before.state);
      if (!(await r.touch(before.id, version ?? before.version))) {
        const { snapshot, changedBy } = sinceVersion(await r.auditOfReport(before.id), version ?? before.version);
        throw new ReportChangedError(
          before,
          changedBy,
          diffContent(contentOf(snapshot, statuses), contentOf(before, statuses)),
        );
      }
      let opened = '';
      if (before.state === 'published') {
        await r.setState(before.id, { state: 'draft', revision: before.revision + 1 });
        opened = ` (opens revision ${before.revision + 1})`;
      }
      await fn(r, before);
      const after = (await r.find(priority.id, period.id))!;
      await r.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'progress_report',
        entityId: before.id,
        action: 'update',
        before: { what: `${what}${opened}`, ...strip(before) },
        after: strip(after),
      });
      return after;
    });
  }
  /** Checked before the input is parsed, so a refused person learns they may not, not what to fix. */
  async function mayWrite(actor: Actor, code: string): Promise<Priority> {
    const priority = await plans.getPriority(actor, code);
    authorize(actor, 'report.edit', accountable(priority));
    return priority;
  }
  const mayEdit = (actor: Actor) => (_report: Report, priority: Priority) =>
    authorize(actor, 'report.edit', accountable(priority));

  /** A workflow step: re-read, check, refuse a stale version, write, audit; the caller tells the listeners. */
  async function step(
    actor: Actor,
    code: string,
    periodKey: string,
    version: number | undefined,
    what: string,
    fn: (r: ReportQueries, report: Report, priority: Priority) => Promise<void>,
    prepare?: (report: Report) => void,
  ): Promise<{ report: Report; priority: Priority; period: ReportingPeriod }> {
    const { priority, period } = await locate(actor, code, periodKey);
    const statuses = await organisations.statusScale(actor);
    const report = await repo.transaction(async (r) => {
      const before = await r.find(priority.id, period.id);
      if (!before) throw new ReportNotFoundError(priority.code, period.label);
      prepare?.(before);
      if (!(await r.touch(before.id, version ?? before.version))) {
        const { snapshot, changedBy } = sinceVersion(await r.auditOfReport(before.id), version ?? before.version);
        throw new ReportChangedError(
          before,
          changedBy,
          diffContent(contentOf(snapshot, statuses), contentOf(before, statuses)),
        );
      }
      await fn(r, before, priority);
      const after = (await r.find(priority.id, period.id))!;
      await r.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'progress_report',
        entityId: before.id,
        action: 'update',
        before: { what, ...strip(before) },
        after: { what, ...strip(after) },
      });
      return after;
    });
    return { report, priority, period };
  }

  /** Refuses, before anything else, whoever is neither the priority's accountable officer nor its director. */
  function requireApprover(actor: Actor, priority: Priority): void {
    if (
      !can(actor, 'report.approve-officer', { accountablePersonIds: [priority.accountableOfficer?.id] }) &&
      !can(actor, 'report.approve-director', { accountablePersonIds: [priority.accountableDirector?.id] })
    ) {
      authorize(actor, 'report.approve-officer', { accountablePersonIds: [priority.accountableOfficer?.id] });
    }
  }

  const eventOf = (actor: Actor, report: Report, priority: Priority, comment?: string): ReportWorkflowEvent => ({
    organisationId: actor.organisationId,
    reportId: report.id,
    priorityCode: priority.code,
    periodKey: report.periodKey,
    byLabel: actor.label,
    ...(comment ? { comment } : {}),
  });

  /** Stores the revision being published as readers will see it, frozen. */
  async function publish(
    actor: Actor,
    r: ReportQueries,
    bundle: ReportBundle,
    report: Report,
    historical: boolean,
  ): Promise<void> {
    await r.setState(report.id, { state: 'published', publishedRevision: report.revision });
    const published = (await r.find(bundle.priority.id, bundle.period.id))!;
    await r.insertRevision(actor.organisationId, report.id, {
      number: report.revision,
      view: presentReport({ ...bundle, report: published }),
      publishedBy: actor.label,
      userId: actor.userId ?? null,
      personId: actor.personId ?? null,
      historical,
    });
  }

  async function checkContributors(
    actor: Actor,
    r: ReportQueries,
    contributors: { kind: 'person' | 'partner'; id: string }[],
  ) {
    for (const c of contributors) {
      const ok =
        c.kind === 'person'
          ? await r.personBelongs(actor.organisationId, c.id)
          : await r.partnerBelongs(actor.organisationId, c.id);
      if (!ok) throw ValidationError.single('contributors', 'Select contributory officers and partners from the list');
    }
  }

  function actionAt(report: Report, n: number): Action {
    const action = Number.isInteger(n) ? report.actions[n - 1] : undefined;
    if (!action) throw new ActionNotFoundError(n);
    return action;
  }

  /** The report as this actor may read it: live (drafts readers), else the latest published revision. */
  async function readable(actor: Actor, code: string, periodKey: string): Promise<ReadableReport> {
    const { priority, period } = await locate(actor, code, periodKey);
    if (mayReadDrafts(actor)) {
      const bundle = await loadBundle(actor, priority, period);
      const { report } = bundle;
      return {
        view: presentReport(bundle),
        bundle,
        state: report.state,
        revision: report.revision,
        publishedRevision: report.publishedRevision,
        abilities: abilities(actor, bundle),
      };
    }
    const report = await repo.find(priority.id, period.id);
    if (!report) throw new ReportNotFoundError(priority.code, period.label);
    authorize(actor, 'report.read', { published: report.publishedRevision !== null });
    const revision = await repo.findRevision(report.id, report.publishedRevision!);
    if (!revision) throw new RevisionNotFoundError(report.publishedRevision!);
    const { view, ...published } = revision;
    return {
      view,
      state: 'published',
      revision: revision.number,
      publishedRevision: report.publishedRevision,
      published,
      abilities: abilities(actor, undefined),
    };
  }

  /** One revision's view: a published snapshot, or the draft being written (for those who may read drafts). */
  async function revisionView(
    actor: Actor,
    code: string,
    periodKey: string,
    n: number,
  ): Promise<{ view: ReportView; published?: RevisionSummary; draft: boolean }> {
    const { priority, period } = await locate(actor, code, periodKey);
    const report = await repo.find(priority.id, period.id);
    if (!report) throw new ReportNotFoundError(priority.code, period.label);
    const revision = Number.isInteger(n) && n >= 1 ? await repo.findRevision(report.id, n) : undefined;
    if (revision) {
      authorize(actor, 'report.read', { published: true });
      const { view, ...published } = revision;
      return { view, published, draft: false };
    }
    if (n === report.revision && report.state !== 'published') {
      authorize(actor, 'report.read', { published: false });
      return { view: presentReport(await loadBundle(actor, priority, period)), draft: true };
    }
    throw new RevisionNotFoundError(n);
  }

  const service = {
    getBundle,
    /** The priority, when the actor may start or write its reports (the "start a report" page). */
    async priorityToWrite(actor: Actor, code: string): Promise<Priority> {
      return mayWrite(actor, code);
    },
    /**
     * The live report for a form page, after checking the actor may use that form: the sections
     * and whole-report forms need 'report.edit'; a key action's form or a milestone's progress
     * form need 'report.update-actions' on that action; the sign-off page needs the approver.
     */
    async formBundle(
      actor: Actor,
      code: string,
      periodKey: string,
      need: 'edit' | 'sign-off' | { action: number } | { milestone: string },
    ): Promise<ReportBundle> {
      const bundle = await getBundle(actor, code, periodKey);
      const ctx = accountable(bundle.priority);
      if (need === 'edit') authorize(actor, 'report.edit', ctx);
      else if (need === 'sign-off') requireApprover(actor, bundle.priority);
      else if ('action' in need)
        authorize(actor, 'report.update-actions', {
          ...ctx,
          namedPersonIds: namedOn(actionAt(bundle.report, need.action)),
        });
      else {
        const action = bundle.report.actions.find((a) => a.milestones.some((m) => m.id === need.milestone));
        if (!action) throw new NotFoundError('MILESTONE_NOT_FOUND', 'There is no such milestone in this report');
        authorize(actor, 'report.update-actions', { ...ctx, namedPersonIds: namedOn(action) });
      }
      return bundle;
    },
    readable,
    abilities,
    async findBundle(actor: Actor, code: string, periodKey: string): Promise<ReportBundle | undefined> {
      try {
        return await getBundle(actor, code, periodKey);
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },
    async listForPriority(actor: Actor, code: string): Promise<ReportSummary[]> {
      const priority = await plans.getPriority(actor, code);
      if (!mayEver(actor, 'report.read')) authorize(actor, 'report.read');
      const all = await repo.listForPriority(priority.id);
      return mayReadDrafts(actor) ? all : all.filter((r) => r.publishedRevision !== null);
    },

    async create(actor: Actor, code: string, input: unknown): Promise<ReportBundle> {
      const priority = await mayWrite(actor, code);
      const { period: wanted } = parseWith(newReportInput, input);
      const period = await periods.findByKey(actor, wanted.key);
      if (!period)
        throw ValidationError.single(
          'period',
          `There is no reporting period ${wanted.key}: add it under Reporting periods first`,
        );
      await repo.transaction(async (r) => {
        if (await r.find(priority.id, period.id))
          throw ValidationError.single('period', `${priority.code} already has a report for ${period.label}`);
        const id = await r.insert(actor.organisationId, priority.id, period.id);
        await r.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'progress_report',
          entityId: id,
          action: 'create',
          after: { priority: priority.code, period: period.key },
        });
      });
      return getBundle(actor, code, period.key);
    },

    async updateSections(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      const priority = await mayWrite(actor, code);
      const v = parseWith(sectionsInput, input);
      const scale = await organisations.statusScale(actor);
      let status: Status | undefined;
      if (v.status !== '') {
        status = scale.find((s) => s.key === v.status || s.id === v.status);
        if (!status)
          throw ValidationError.single(
            'status',
            `Select a status from the list (${scale.map((s) => s.label).join(', ')})`,
          );
        if (status.commentRequired && v.statusReason === '') {
          throw ValidationError.single('statusReason', `Explain why the status is ${status.label}`);
        }
      }
      // The register is another module's: checked on the pool, before the transaction.
      await risks.checkBelongToPriority(actor, priority.id, v.risks);
      return change(actor, code, periodKey, v.version, 'sections', mayEdit(actor), async (r, report) => {
        await r.updateSections(report.id, {
          summary: v.summary,
          statusId: status?.id ?? null,
          statusReason: v.statusReason,
          achievements: v.achievements,
          challenges: v.challenges,
        });
        await r.setRisks(actor.organisationId, report.id, v.risks);
      });
    },

    async addAction(
      actor: Actor,
      code: string,
      periodKey: string,
      input: unknown,
    ): Promise<{ report: Report; number: number }> {
      await mayWrite(actor, code);
      const v = parseWith(actionInput, input);
      if (v.milestones.some((m) => m.id))
        throw ValidationError.single('milestones', 'A new action cannot refer to existing milestones');
      const report = await change(
        actor,
        code,
        periodKey,
        v.version,
        'add action',
        mayEdit(actor),
        async (r, before) => {
          await checkContributors(actor, r, v.contributors);
          await r.insertAction(actor.organisationId, before.id, v);
        },
      );
      return { report, number: report.actions.length };
    },

    /** The accountable people and editors change any action; a contributor only the actions they are named on. */
    async updateAction(actor: Actor, code: string, periodKey: string, n: number, input: unknown): Promise<Report> {
      const { priority, period } = await locate(actor, code, periodKey);
      const current = await repo.find(priority.id, period.id);
      if (!current) throw new ReportNotFoundError(priority.code, period.label);
      authorize(actor, 'report.update-actions', {
        ...accountable(priority),
        namedPersonIds: namedOn(actionAt(current, n)),
      });
      const v = parseWith(actionInput, input);
      return change(
        actor,
        code,
        periodKey,
        v.version,
        `update action ${n}`,
        (report, priority) =>
          authorize(actor, 'report.update-actions', {
            ...accountable(priority),
            namedPersonIds: namedOn(actionAt(report, n)),
          }),
        async (r, before) => {
          const action = actionAt(before, n);
          const own = new Set(action.milestones.map((m) => m.id));
          v.milestones.forEach((m, i) => {
            if (m.id && !own.has(m.id))
              throw ValidationError.single(`milestones.${i}.id`, `Milestone ${i + 1} does not belong to this action`);
          });
          await checkContributors(actor, r, v.contributors);
          await r.updateAction(actor.organisationId, action.id, v);
        },
      );
    },

    async deleteAction(actor: Actor, code: string, periodKey: string, n: number, input: unknown): Promise<Report> {
      await mayWrite(actor, code);
      const v = parseWith(versionOnly, input);
      return change(actor, code, periodKey, v.version, `delete action ${n}`, mayEdit(actor), async (r, before) => {
        const action = actionAt(before, n);
        await r.deleteAction(action.id);
        await r.orderActions(before.actions.filter((a) => a.id !== action.id).map((a) => a.id));
      });
    },

    async moveAction(
      actor: Actor,
      code: string,
      periodKey: string,
      n: number,
      input: unknown,
    ): Promise<{ report: Report; number: number }> {
      await mayWrite(actor, code);
      const v = parseWith(moveInput, input);
      let target = n;
      const report = await change(
        actor,
        code,
        periodKey,
        v.version,
        `move action ${n} ${v.direction}`,
        mayEdit(actor),
        async (r, before) => {
          actionAt(before, n);
          target = v.direction === 'up' ? Math.max(1, n - 1) : Math.min(before.actions.length, n + 1);
          const ids = before.actions.map((a) => a.id);
          const [moved] = ids.splice(n - 1, 1);
          ids.splice(target - 1, 0, moved!);
          await r.orderActions(ids);
        },
      );
      return { report, number: target };
    },

    // --- The workflow ---------------------------------------------------------------------

    /** Submits a draft for sign-off. A status marked "comment required" needs its reason first. */
    async submit(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      const priority = await plans.getPriority(actor, code);
      authorize(actor, 'report.submit', accountable(priority));
      const v = parseWith(workflowInput, input);
      const statuses = await organisations.statusScale(actor);
      const { report } = await step(
        actor,
        code,
        periodKey,
        v.version,
        'submitted for sign-off',
        async (r, before) => {
          await r.setState(before.id, { state: 'submitted' });
        },
        (before) => {
          if (before.state !== 'draft')
            throw new WorkflowStepError(
              before.state === 'published'
                ? 'The report is published: change it to open a new revision, then submit that.'
                : 'The report has already been submitted for sign-off.',
            );
          const status = before.statusId ? statuses.find((s) => s.id === before.statusId) : undefined;
          if (!status)
            throw ValidationError.single('status', 'Choose a status before submitting the report for sign-off');
          if (status.commentRequired && before.statusReason.trim() === '') {
            throw ValidationError.single(
              'statusReason',
              `Explain why the status is ${status.label} before submitting the report for sign-off`,
            );
          }
        },
      );
      await tell('reportSubmitted', eventOf(actor, report, priority, v.comment || undefined));
      return report;
    },

    /**
     * Signs the report off as the signed-in person: the priority's accountable officer when it is
     * submitted, then its accountable director, whose approval publishes it.
     */
    async approve(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      const signer = requireSigner(actor);
      const { priority, period } = await locate(actor, code, periodKey);
      requireApprover(actor, priority);
      const v = parseWith(workflowInput, input);
      // What publication freezes is read before the transaction (other modules' data); the report
      // itself is re-read inside it.
      const bundle = await loadBundle(actor, priority, period);
      let role: 'accountable_officer' | 'accountable_director' = 'accountable_officer';
      const { report } = await step(
        actor,
        code,
        periodKey,
        v.version,
        'approved',
        async (r, before) => {
          await r.insertSignOff(actor.organisationId, before.id, {
            role,
            personId: signer.personId,
            userId: signer.userId,
            decision: 'approved',
            signedOn: todayIso(),
            signedAt: new Date(),
            comment: v.comment,
            historical: false,
            revision: before.revision,
          });
          if (role === 'accountable_officer') await r.setState(before.id, { state: 'officer_approved' });
          else await publish(actor, r, bundle, before, false);
        },
        (before) => {
          if (before.state === 'submitted') {
            role = 'accountable_officer';
            authorize(actor, 'report.approve-officer', { accountablePersonIds: [priority.accountableOfficer?.id] });
          } else if (before.state === 'officer_approved') {
            role = 'accountable_director';
            authorize(actor, 'report.approve-director', { accountablePersonIds: [priority.accountableDirector?.id] });
          } else {
            throw new WorkflowStepError(
              before.state === 'draft'
                ? 'The report is a draft: it must be submitted before it is signed off.'
                : 'The report is already published.',
            );
          }
        },
      );
      if (report.state === 'published')
        await tell('reportPublished', eventOf(actor, report, priority, v.comment || undefined));
      if (report.state === 'officer_approved')
        await tell('reportOfficerApproved', eventOf(actor, report, priority, v.comment || undefined));
      return report;
    },

    /** Returns a report waiting for sign-off to draft, with the comment saying what to change. */
    async returnToDraft(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      const signer = requireSigner(actor);
      const priority = await plans.getPriority(actor, code);
      requireApprover(actor, priority);
      const v = parseWith(returnInput, input);
      let role: 'accountable_officer' | 'accountable_director' = 'accountable_officer';
      const { report } = await step(
        actor,
        code,
        periodKey,
        v.version,
        'returned to draft',
        async (r, before) => {
          await r.insertSignOff(actor.organisationId, before.id, {
            role,
            personId: signer.personId,
            userId: signer.userId,
            decision: 'returned',
            signedOn: todayIso(),
            signedAt: new Date(),
            comment: v.comment,
            historical: false,
            revision: before.revision,
          });
          await r.setState(before.id, { state: 'draft' });
        },
        (before) => {
          if (before.state !== 'submitted' && before.state !== 'officer_approved')
            throw new WorkflowStepError('Only a report waiting for sign-off can be returned to draft.');
          const officer = { accountablePersonIds: [priority.accountableOfficer?.id] };
          const director = { accountablePersonIds: [priority.accountableDirector?.id] };
          const asOfficer = can(actor, 'report.approve-officer', officer);
          const asDirector = can(actor, 'report.approve-director', director);
          if (!asOfficer && !asDirector) {
            if (before.state === 'submitted') authorize(actor, 'report.approve-officer', officer);
            else authorize(actor, 'report.approve-director', director);
          }
          // The approver whose turn it is, when the person is both.
          role =
            before.state === 'officer_approved'
              ? asDirector
                ? 'accountable_director'
                : 'accountable_officer'
              : asOfficer
                ? 'accountable_officer'
                : 'accountable_director';
        },
      );
      await tell('reportReturned', eventOf(actor, report, priority, v.comment));
      return report;
    },

    /** The sign-off page's one form: approve, or return with a comment. */
    async decide(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      requireSigner(actor);
      requireApprover(actor, await plans.getPriority(actor, code));
      const v = parseWith(decisionInput, input);
      return v.decision === 'approve'
        ? service.approve(actor, code, periodKey, v)
        : service.returnToDraft(actor, code, periodKey, v);
    },

    /**
     * Enters a sign-off given on paper before Amber (the demo's 2009 sign-offs), shown as a
     * historical record. Only the system may (the demo loader, an import at the machine): a
     * signed-in person signs for themselves with `approve`. The director's approval publishes.
     */
    async recordHistoricalSignOff(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      if (actor.userId !== undefined)
        throw new ForbiddenError(
          'SIGN_OFF_NEEDS_A_PERSON',
          'A sign-off cannot be entered on someone’s behalf: the person signs it off themselves.',
        );
      const v = parseWith(signOffInput, input);
      const today = todayIso();
      if (v.signedOn > today)
        throw ValidationError.single(
          'signedOn',
          `The date it was signed off must be today (${formatDate(today)}) or earlier`,
        );
      const { priority, period } = await locate(actor, code, periodKey);
      const bundle = await loadBundle(actor, priority, period);
      const { report } = await step(
        actor,
        code,
        periodKey,
        v.version,
        `historical sign-off ${v.role} entered`,
        async (r, before) => {
          if (!(await r.personBelongs(actor.organisationId, v.personId)))
            throw ValidationError.single('personId', 'Select who signed it off from the list');
          await r.insertSignOff(actor.organisationId, before.id, {
            ...v,
            historical: true,
            userId: null,
            signedAt: null,
            revision: before.revision,
          });
          if (v.decision === 'returned') await r.setState(before.id, { state: 'draft' });
          else if (v.role === 'accountable_officer') await r.setState(before.id, { state: 'officer_approved' });
          else await publish(actor, r, bundle, before, true);
        },
        (before) => {
          if (before.state === 'published') throw new WorkflowStepError('The report is already published.');
        },
      );
      return report;
    },

    // --- Revisions ------------------------------------------------------------------------

    /** The published revisions, newest first, and the draft revision being written (for those who may read drafts). */
    async listRevisions(
      actor: Actor,
      code: string,
      periodKey: string,
    ): Promise<{ published: RevisionSummary[]; draft: { number: number; state: ReportState } | null }> {
      const { priority, period } = await locate(actor, code, periodKey);
      const report = await repo.find(priority.id, period.id);
      if (!report) throw new ReportNotFoundError(priority.code, period.label);
      const published = await repo.listRevisions(report.id);
      const draft =
        report.state !== 'published' && mayReadDrafts(actor) ? { number: report.revision, state: report.state } : null;
      if (!draft) authorize(actor, 'report.read', { published: published.length > 0 });
      return { published, draft };
    },
    revisionView,
    /** What changed between two revisions, field by field. */
    async compareRevisions(
      actor: Actor,
      code: string,
      periodKey: string,
      from: number,
      to: number,
    ): Promise<{ from: number; to: number; changes: FieldChange[] }> {
      const a = await revisionView(actor, code, periodKey, from);
      const b = await revisionView(actor, code, periodKey, to);
      return { from, to, changes: diffViews(a.view, b.view) };
    },
    /** What changed since the priority's report for the previous period (as this actor may read both). */
    async sinceLastPeriod(
      actor: Actor,
      code: string,
      periodKey: string,
    ): Promise<{ previousPeriodKey: string; previousPeriodLabel: string; changes: FieldChange[] } | null> {
      const { priority, period } = await locate(actor, code, periodKey);
      const now = await readable(actor, code, periodKey);
      const previousPeriodId = await repo.findPreviousPeriodId(priority.id, period.startsOn);
      if (!previousPeriodId) return null;
      const previousReport = (await repo.find(priority.id, previousPeriodId))!;
      let then: ReadableReport;
      try {
        then = await readable(actor, code, previousReport.periodKey);
      } catch (error) {
        if (error instanceof ForbiddenError) return null;
        throw error;
      }
      return {
        previousPeriodKey: previousReport.periodKey,
        previousPeriodLabel: then.view.period.label,
        changes: diffViews(then.view, now.view),
      };
    },

    /**
     * Describes what audit events of reports changed, in words (for the history pages): the
     * report's fields compared as readers see them, and its workflow state. `before`/`after` are
     * the snapshots the audit trail holds. Loads the status scale once for many events.
     */
    async snapshotDescriber(actor: Actor): Promise<(before: unknown, after: unknown) => FieldChange[]> {
      const statuses = await organisations.statusScale(actor);
      return (before, after) => {
        const a = (before ?? {}) as Partial<Report>;
        const b = (after ?? {}) as Partial<Report>;
        if (a.summary === undefined && b.summary === undefined) return [];
        const changes = diffContent(
          contentOf(a.summary === undefined ? undefined : a, statuses),
          contentOf(b, statuses),
        );
        if (a.state !== undefined && b.state !== undefined && a.state !== b.state) {
          changes.push({
            field: 'state',
            label: 'State',
            before: STATE_LABELS[a.state],
            after: STATE_LABELS[b.state],
            added: [],
            removed: [],
          });
        }
        if (a.revision !== undefined && b.revision !== undefined && a.revision !== b.revision) {
          changes.push({
            field: 'revision',
            label: 'Revision',
            before: String(a.revision),
            after: String(b.revision),
            added: [],
            removed: [],
          });
        }
        const signOffs = (r: Partial<Report>) => (r.signOffs ?? []).length;
        if (signOffs(b) > signOffs(a)) {
          for (const s of (b.signOffs ?? []).slice(signOffs(a))) {
            changes.push({
              field: 'signOff',
              label: 'Sign-off',
              before: '',
              after: `${s.decision === 'approved' ? 'Approved' : 'Returned'} by ${s.personName} (${s.role === 'accountable_officer' ? 'accountable officer' : 'accountable director'})${s.historical ? ', historical record' : ''}${s.comment ? `: ${s.comment}` : ''}`,
              added: [],
              removed: [],
            });
          }
        }
        return changes;
      };
    },

    /**
     * Records what became of a milestone of this report (met, slipped, missed, suspended, or
     * nothing yet). It is tracking, not a change to what the report said: the report's text,
     * version and revision stay as they are (a published report included); the audit trail
     * records the change. A contributor may record it only on the actions they are named on.
     */
    async recordMilestoneProgress(
      actor: Actor,
      code: string,
      periodKey: string,
      milestoneId: string,
      input: unknown,
    ): Promise<Report> {
      const { priority, period } = await locate(actor, code, periodKey);
      return repo.transaction(async (r) => {
        const report = await r.find(priority.id, period.id);
        if (!report) throw new ReportNotFoundError(priority.code, period.label);
        const action = report.actions.find((a) => a.milestones.some((m) => m.id === milestoneId));
        const milestone = action?.milestones.find((m) => m.id === milestoneId);
        if (!action || !milestone)
          throw new NotFoundError('MILESTONE_NOT_FOUND', 'There is no such milestone in this report');
        authorize(actor, 'report.update-actions', { ...accountable(priority), namedPersonIds: namedOn(action) });
        const progress = parseWith(progressInput, input);
        if (progress?.kind === 'met' && progress.on > todayIso())
          throw ValidationError.single('metOn', 'The date it was met must be today or earlier');
        if (
          progress?.kind === 'slipped' &&
          timescaleDeadline(progress.revised) <= timescaleDeadline(milestone.timescale)
        ) {
          throw ValidationError.single(
            'revised',
            `The revised timescale must be later than the original one (${formatTimescale(milestone.timescale)})`,
          );
        }
        await r.setMilestoneProgress(milestoneId, progress);
        await r.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'milestone',
          entityId: milestoneId,
          action: 'update',
          before: milestone.progress,
          after: progress,
        });
        return (await r.find(priority.id, period.id))!;
      });
    },

    /** The indicators linked to the priority, and which of them this report shows as graphs. */
    async graphChoices(actor: Actor, code: string, periodKey: string) {
      const bundle = await getBundle(actor, code, periodKey);
      authorize(actor, 'report.edit', accountable(bundle.priority));
      const chosen = await indicators.reportGraphIds(bundle.report.id);
      const linked = await indicators.list(actor, { priorityCode: bundle.priority.code });
      return { bundle, chosen, linked };
    },
    async chooseGraphs(actor: Actor, code: string, periodKey: string, input: unknown): Promise<void> {
      const { priority, period } = await locate(actor, code, periodKey);
      authorize(actor, 'report.edit', accountable(priority));
      const report = await repo.find(priority.id, period.id);
      if (!report) throw new ReportNotFoundError(priority.code, period.label);
      if (report.state === 'submitted' || report.state === 'officer_approved')
        throw new ReportInSignOffError(report.state);
      await indicators.chooseGraphs(actor, report.id, priority.id, input);
    },
  };
  return service;
}

function strip(report: Report) {
  const { updatedAt: _u, ...rest } = report;
  return rest;
}

export type ReportService = ReturnType<typeof createReportService>;
