// Progress reports: one per priority per period. Owns the report's sections, its key actions
// (contributors, milestones, order) and its sign-offs. Every change bumps the report's version
// (optimistic concurrency: a save based on an older version is refused, never merged silently)
// and writes an audit event in the same transaction.

import type { Actor } from '../../domain/actor.ts';
import { NotFoundError, ValidationError, ConflictError } from '../../domain/errors.ts';
import { todayIso, formatDate } from '../../domain/dates.ts';
import type { Status } from '../../domain/status-scale.ts';
import { parseWith } from '../../platform/validation.ts';
import type { PlanService, Priority } from '../plans/plan.service.ts';
import type { PeriodService, ReportingPeriod } from '../periods/period.service.ts';
import type { OrganisationService, Organisation } from '../organisations/organisation.service.ts';
import type { IndicatorService, Indicator, IndicatorPoint } from '../indicators/indicator.service.ts';
import type { RiskService, Risk } from '../risks/risk.service.ts';
import type { ReportRepository, ReportQueries, Report, ReportSummary, Action } from './report.repository.ts';
import { newReportInput, sectionsInput, actionInput, signOffInput, moveInput, versionOnly, progressInput } from './report.schemas.ts';
import { formatTimescale, timescaleDeadline } from '../../domain/timescale.ts';

export type { Report, ReportSummary, Action, Milestone, SignOff, Contributor, SignOffRole } from './report.repository.ts';

export class ReportNotFoundError extends NotFoundError {
  constructor(code: string, periodLabel: string) { super('REPORT_NOT_FOUND', `There is no ${periodLabel} report for ${code}`); }
}
export class ActionNotFoundError extends NotFoundError {
  constructor(n: number | string) { super('ACTION_NOT_FOUND', `There is no key action ${n} in this report`); }
}
export class ReportChangedError extends ConflictError {
  constructor(readonly current: Report) {
    super('STALE_VERSION', 'Someone else changed this report while you were editing it. Your changes have not been saved: check what they changed below, then make your changes again.');
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

export interface ReportServiceDeps {
  repo: ReportRepository;
  plans: PlanService;
  periods: PeriodService;
  organisations: OrganisationService;
  indicators: IndicatorService;
  risks: RiskService;
}

export function createReportService({ repo, plans, periods, organisations, indicators, risks }: ReportServiceDeps) {
  async function locate(actor: Actor, code: string, periodKey: string) {
    const priority = await plans.getPriority(actor, code);
    const period = await periods.getByKey(actor, periodKey);
    return { priority, period };
  }

  async function getBundle(actor: Actor, code: string, periodKey: string): Promise<ReportBundle> {
    const { priority, period } = await locate(actor, code, periodKey);
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
    return { organisation: await organisations.getOwn(actor), priority, period, report, statuses: await organisations.statusScale(actor), previous, graphs, citedRisks };
  }

  /**
   * Runs a change to one report in a transaction: re-reads the report, refuses a stale version,
   * applies the change, bumps the version and records the audit event with before and after.
   */
  async function change(actor: Actor, code: string, periodKey: string, version: number | undefined, what: string,
    fn: (r: ReportQueries, report: Report) => Promise<void>): Promise<Report> {
    const { priority, period } = await locate(actor, code, periodKey);
    return repo.transaction(async (r) => {
      const before = await r.find(priority.id, period.id);
      if (!before) throw new ReportNotFoundError(priority.code, period.label);
      if (!(await r.touch(before.id, version ?? before.version))) throw new ReportChangedError(before);
      await fn(r, before);
      const after = (await r.find(priority.id, period.id))!;
      await r.audit({ organisationId: actor.organisationId, actor: actor.label, entity: 'progress_report', entityId: before.id, action: 'update', before: { what, ...strip(before) }, after: strip(after) });
      return after;
    });
  }

  async function checkContributors(actor: Actor, r: ReportQueries, contributors: { kind: 'person' | 'partner'; id: string }[]) {
    for (const c of contributors) {
      const ok = c.kind === 'person' ? await r.personBelongs(actor.organisationId, c.id) : await r.partnerBelongs(actor.organisationId, c.id);
      if (!ok) throw ValidationError.single('contributors', 'Select contributory officers and partners from the list');
    }
  }

  function actionAt(report: Report, n: number): Action {
    const action = Number.isInteger(n) ? report.actions[n - 1] : undefined;
    if (!action) throw new ActionNotFoundError(n);
    return action;
  }

  return {
    getBundle,
    async findBundle(actor: Actor, code: string, periodKey: string): Promise<ReportBundle | undefined> {
      try { return await getBundle(actor, code, periodKey); } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },
    async listForPriority(actor: Actor, code: string): Promise<ReportSummary[]> {
      const priority = await plans.getPriority(actor, code);
      return repo.listForPriority(priority.id);
    },

    async create(actor: Actor, code: string, input: unknown): Promise<ReportBundle> {
      const { period: wanted } = parseWith(newReportInput, input);
      const priority = await plans.getPriority(actor, code);
      const period = await periods.findByKey(actor, wanted.key);
      if (!period) throw ValidationError.single('period', `There is no reporting period ${wanted.key}: add it under Reporting periods first`);
      await repo.transaction(async (r) => {
        if (await r.find(priority.id, period.id)) throw ValidationError.single('period', `${priority.code} already has a report for ${period.label}`);
        const id = await r.insert(actor.organisationId, priority.id, period.id);
        await r.audit({ organisationId: actor.organisationId, actor: actor.label, entity: 'progress_report', entityId: id, action: 'create', after: { priority: priority.code, period: period.key } });
      });
      return getBundle(actor, code, period.key);
    },

    async updateSections(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      const v = parseWith(sectionsInput, input);
      const scale = await organisations.statusScale(actor);
      let status: Status | undefined;
      if (v.status !== '') {
        status = scale.find((s) => s.key === v.status || s.id === v.status);
        if (!status) throw ValidationError.single('status', `Select a status from the list (${scale.map((s) => s.label).join(', ')})`);
        if (status.commentRequired && v.statusReason === '') {
          throw ValidationError.single('statusReason', `Explain why the status is ${status.label}`);
        }
      }
      // The register is another module's: checked on the pool, before the transaction.
      const priority = await plans.getPriority(actor, code);
      await risks.checkBelongToPriority(actor, priority.id, v.risks);
      return change(actor, code, periodKey, v.version, 'sections', async (r, report) => {
        await r.updateSections(report.id, {
          summary: v.summary, statusId: status?.id ?? null, statusReason: v.statusReason, achievements: v.achievements, challenges: v.challenges,
        });
        await r.setRisks(actor.organisationId, report.id, v.risks);
      });
    },

    async addAction(actor: Actor, code: string, periodKey: string, input: unknown): Promise<{ report: Report; number: number }> {
      const v = parseWith(actionInput, input);
      if (v.milestones.some((m) => m.id)) throw ValidationError.single('milestones', 'A new action cannot refer to existing milestones');
      const report = await change(actor, code, periodKey, v.version, 'add action', async (r, before) => {
        await checkContributors(actor, r, v.contributors);
        await r.insertAction(actor.organisationId, before.id, v);
      });
      return { report, number: report.actions.length };
    },

    async updateAction(actor: Actor, code: string, periodKey: string, n: number, input: unknown): Promise<Report> {
      const v = parseWith(actionInput, input);
      return change(actor, code, periodKey, v.version, `update action ${n}`, async (r, before) => {
        const action = actionAt(before, n);
        const own = new Set(action.milestones.map((m) => m.id));
        v.milestones.forEach((m, i) => {
          if (m.id && !own.has(m.id)) throw ValidationError.single(`milestones.${i}.id`, `Milestone ${i + 1} does not belong to this action`);
        });
        await checkContributors(actor, r, v.contributors);
        await r.updateAction(actor.organisationId, action.id, v);
      });
    },

    async deleteAction(actor: Actor, code: string, periodKey: string, n: number, input: unknown): Promise<Report> {
      const v = parseWith(versionOnly, input);
      return change(actor, code, periodKey, v.version, `delete action ${n}`, async (r, before) => {
        const action = actionAt(before, n);
        await r.deleteAction(action.id);
        await r.orderActions(before.actions.filter((a) => a.id !== action.id).map((a) => a.id));
      });
    },

    async moveAction(actor: Actor, code: string, periodKey: string, n: number, input: unknown): Promise<{ report: Report; number: number }> {
      const v = parseWith(moveInput, input);
      let target = n;
      const report = await change(actor, code, periodKey, v.version, `move action ${n} ${v.direction}`, async (r, before) => {
        actionAt(before, n);
        target = v.direction === 'up' ? Math.max(1, n - 1) : Math.min(before.actions.length, n + 1);
        const ids = before.actions.map((a) => a.id);
        const [moved] = ids.splice(n - 1, 1);
        ids.splice(target - 1, 0, moved!);
        await r.orderActions(ids);
      });
      return { report, number: target };
    },

    /**
     * Records a sign-off. Until sign-in exists every sign-off is recorded on someone's behalf
     * (`historical`), as the 2009 paper sign-offs are; the approval workflow will add sign-offs
     * made by the signed-in person.
     */
    async recordSignOff(actor: Actor, code: string, periodKey: string, input: unknown): Promise<Report> {
      const v = parseWith(signOffInput, input);
      const today = todayIso();
      if (v.signedOn > today) throw ValidationError.single('signedOn', `The date it was signed off must be today (${formatDate(today)}) or earlier`);
      return change(actor, code, periodKey, v.version, `sign-off ${v.role}`, async (r, before) => {
        if (!(await r.personBelongs(actor.organisationId, v.personId))) throw ValidationError.single('personId', 'Select who signed it off from the list');
        await r.insertSignOff(actor.organisationId, before.id, { ...v, historical: true });
      });
    },

    /**
     * Records what became of a milestone of this report (met, slipped, missed, suspended, or
     * nothing yet). It is tracking, not a change to what the report said: the report's text and
     * version stay as they are; the audit trail records the change.
     */
    async recordMilestoneProgress(actor: Actor, code: string, periodKey: string, milestoneId: string, input: unknown): Promise<Report> {
      const progress = parseWith(progressInput, input);
      const { priority, period } = await locate(actor, code, periodKey);
      return repo.transaction(async (r) => {
        const report = await r.find(priority.id, period.id);
        if (!report) throw new ReportNotFoundError(priority.code, period.label);
        const milestone = report.actions.flatMap((a) => a.milestones).find((m) => m.id === milestoneId);
        if (!milestone) throw new NotFoundError('MILESTONE_NOT_FOUND', 'There is no such milestone in this report');
        if (progress?.kind === 'met' && progress.on > todayIso()) throw ValidationError.single('metOn', 'The date it was met must be today or earlier');
        if (progress?.kind === 'slipped' && timescaleDeadline(progress.revised) <= timescaleDeadline(milestone.timescale)) {
          throw ValidationError.single('revised', `The revised timescale must be later than the original one (${formatTimescale(milestone.timescale)})`);
        }
        await r.setMilestoneProgress(milestoneId, progress);
        await r.audit({ organisationId: actor.organisationId, actor: actor.label, entity: 'milestone', entityId: milestoneId, action: 'update', before: milestone.progress, after: progress });
        return (await r.find(priority.id, period.id))!;
      });
    },

    /** The indicators linked to the priority, and which of them this report shows as graphs. */
    async graphChoices(actor: Actor, code: string, periodKey: string) {
      const bundle = await getBundle(actor, code, periodKey);
      const chosen = await indicators.reportGraphIds(bundle.report.id);
      const linked = await indicators.list(actor, { priorityCode: bundle.priority.code });
      return { bundle, chosen, linked };
    },
    async chooseGraphs(actor: Actor, code: string, periodKey: string, input: unknown): Promise<void> {
      const { priority, period } = await locate(actor, code, periodKey);
      const report = await repo.find(priority.id, period.id);
      if (!report) throw new ReportNotFoundError(priority.code, period.label);
      await indicators.chooseGraphs(actor, report.id, priority.id, input);
    },

    async deleteSignOff(actor: Actor, code: string, periodKey: string, signOffId: string, input: unknown): Promise<Report> {
      const v = parseWith(versionOnly, input);
      return change(actor, code, periodKey, v.version, 'remove sign-off', async (r, before) => {
        if (!before.signOffs.some((s) => s.id === signOffId) || !(await r.deleteSignOff(before.id, signOffId))) {
          throw new NotFoundError('SIGN_OFF_NOT_FOUND', 'There is no such sign-off on this report');
        }
      });
    },
  };
}

function strip(report: Report) {
  const { updatedAt: _u, ...rest } = report;
  return rest;
}

export type ReportService = ReturnType<typeof createReportService>;
