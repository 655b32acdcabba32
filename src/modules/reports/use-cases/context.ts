// What every use case of the reports module shares: the services it reads through, the report's
// one write path (report.aggregate.ts), and the questions each use case asks — where a report is,
// what a person may do with it, what its outputs need.

import type { Actor } from '../../../domain/actor.ts';
import { can, type PermissionContext } from '../../../domain/permissions.ts';
import { nextSteps, type WorkflowActor } from '../../../domain/report-workflow.ts';
import type { Units } from '../../../platform/db/unit-of-work.ts';
import type { IndicatorService } from '../../indicators/indicator.service.ts';
import type { OrganisationService } from '../../organisations/organisation.service.ts';
import { toReportingPeriod, type PeriodService, type ReportingPeriod } from '../../periods/period.service.ts';
import type { PlanService, Priority } from '../../plans/plan.service.ts';
import type { RiskService } from '../../risks/risk.service.ts';
import { createReportAggregate } from '../report.aggregate.ts';
import { ActionNotFoundError, ReportNotFoundError } from '../report.errors.ts';
import type { ReportEvents, ReportWorkflowEvent } from '../report.events.ts';
import type { Action, Report, ReportRepository, ReportRow } from '../report.repository.ts';
import type { ReportAbilities, ReportBodyRenderer, ReportBundle } from '../report.types.ts';

/**
 * What `abilities` reads of a report: its state, status and key actions, its priority's accountable
 * people and, when loaded, the previous report (whose milestones' progress is recorded here).
 */
export type AbilitySource = Pick<ReportBundle, 'priority' | 'statuses'> &
  Partial<Pick<ReportBundle, 'previous'>> & {
    report: Pick<Report, 'state' | 'statusId' | 'statusReason' | 'actions'>;
  };

export interface ReportServiceDeps {
  repo: ReportRepository;
  units: Pick<Units<unknown>, 'current'>;
  plans: PlanService;
  periods: PeriodService;
  organisations: OrganisationService;
  indicators: IndicatorService;
  risks: RiskService;
  /** Told of workflow steps inside their unit of work (e-mail notices). */
  events?: ReportEvents;
  /**
   * The priority's joint owners (issue 11): other organisations that must each sign off a revision
   * before the director's approval publishes it.
   */
  joint?: JointOwners;
  /**
   * Renders a published revision's body once, to store (issue 14): at publication, and the first
   * time the page of a revision published before is read. Without it every published report page
   * is rendered from its revision on every request (as before stored bodies; bench/pages.ts).
   */
  body?: ReportBodyRenderer;
}

export interface JointOwner {
  partnerName: string;
  officer: string;
  signedBy: string | null;
  signedAt: Date | null;
  decision: 'approved' | 'returned' | null;
  comment: string | null;
}

export interface JointOwners {
  owners(actor: Actor, priorityId: string, reportId: string, revision: number): Promise<JointOwner[]>;
  /** The joint owners who have not signed off this revision (names). */
  pending(actor: Actor, priorityId: string, reportId: string, revision: number): Promise<string[]>;
}

export const accountable = (priority: Priority): PermissionContext => ({
  accountablePersonIds: [priority.accountableOfficer?.id, priority.accountableDirector?.id],
});
export const namedOn = (action: Action) => action.contributors.filter((c) => c.kind === 'person').map((c) => c.id);

export function actionAt(report: Report, n: number): Action {
  const action = Number.isInteger(n) ? report.actions[n - 1] : undefined;
  if (!action) throw new ActionNotFoundError(n);
  return action;
}

export function createReportContext(deps: ReportServiceDeps) {
  const { repo, plans, periods, organisations, indicators, risks, events } = deps;

  async function locate(actor: Actor, code: string, periodKey: string) {
    const priority = await plans.getPriority(actor, code);
    const period = await periods.getByKey(actor, periodKey);
    return { priority, period };
  }

  /**
   * The live report with everything its outputs need. No permission check: callers check. `row`:
   * the report's row, when the caller has read it already (the report page), so it is not read twice.
   */
  async function loadBundle(
    actor: Actor,
    priority: Priority,
    period: ReportingPeriod,
    row?: ReportRow,
  ): Promise<ReportBundle> {
    const report = row ? await repo.withContent(row) : await repo.find(priority.id, period.id);
    if (!report) throw new ReportNotFoundError(priority.code, period.label);
    // Of the previous report, only what this one shows or is compared with: its row and key actions.
    const found = await repo.findPrevious(priority.id, period.startsOn);
    const previous: ReportBundle['previous'] = found
      ? { period: toReportingPeriod(found.period), report: found.report }
      : null;
    return {
      organisation: await organisations.getOwn(actor),
      priority,
      period,
      report,
      statuses: await organisations.statusScale(actor, period),
      previous,
      graphs: await indicators.graphsForReport(actor, report.id, period),
      citedRisks: await risks.listByIds(actor, report.riskIds),
      // Every output of a joint priority's report shows each partner's sign-off (issue 11).
      joint: deps.joint ? await deps.joint.owners(actor, priority.id, report.id, report.revision) : [],
    };
  }

  const mayReadDrafts = (actor: Actor) => can(actor, 'report.read', { published: false });

  /**
   * What the workflow needs to know of the person: whether they are signed in, may edit (the whole
   * report, or with `action`, the key action they are named on), submit, and sign off as the
   * priority's accountable officer or director.
   */
  function workflowActor(actor: Actor, priority: Priority, action?: Action): WorkflowActor {
    const ctx = accountable(priority);
    const person = actor.kind === 'user' && actor.personId !== undefined;
    return {
      person,
      edit: action
        ? can(actor, 'report.update-actions', { ...ctx, namedPersonIds: namedOn(action) })
        : can(actor, 'report.edit', ctx),
      submit: can(actor, 'report.submit', ctx),
      officer:
        person && can(actor, 'report.approve-officer', { accountablePersonIds: [priority.accountableOfficer?.id] }),
      director:
        person && can(actor, 'report.approve-director', { accountablePersonIds: [priority.accountableDirector?.id] }),
      roles: actor.kind === 'user' ? actor.roles : [],
    };
  }

  function abilities(actor: Actor, bundle: AbilitySource | undefined): ReportAbilities {
    if (!bundle) {
      return {
        edit: false,
        updateActions: false,
        actions: [],
        progress: [],
        submit: false,
        approve: false,
        return: false,
        readHistory: false,
        steps: [],
      };
    }
    const { priority, report, statuses } = bundle;
    const status = report.statusId ? statuses.find((s) => s.id === report.statusId) : undefined;
    const facts = {
      state: report.state,
      statusChosen: status !== undefined,
      reasonMissing: status?.commentRequired === true && report.statusReason.trim() === '',
      statusLabel: status?.label,
      approvalRole: status?.approvalRole,
    };
    const who = workflowActor(actor, priority);
    const steps = nextSteps(facts, who);
    const editable = (action?: Action) => nextSteps(facts, workflowActor(actor, priority, action)).includes('edit');
    const actions = report.actions.flatMap((a, i) => (editable(a) ? [i + 1] : []));
    // Progress is tracking, not a change to either report: recordMilestoneProgress's own check.
    const progress = (bundle.previous?.report.actions ?? []).flatMap((a) =>
      can(actor, 'report.update-actions', { ...accountable(priority), namedPersonIds: namedOn(a) })
        ? a.milestones.map((m) => m.id)
        : [],
    );
    return {
      edit: steps.includes('edit'),
      updateActions: steps.includes('edit') || actions.length > 0,
      actions,
      progress,
      submit: steps.includes('submit'),
      approve: steps.includes('approve'),
      return: steps.includes('return'),
      readHistory: can(actor, 'history.read', accountable(priority)),
      steps,
    };
  }

  const aggregate = createReportAggregate({ repo, organisations, loadBundle, body: deps.body });

  const eventOf = (
    actor: Actor,
    reportId: string,
    priority: Priority,
    period: ReportingPeriod,
    comment?: string,
  ): ReportWorkflowEvent => ({
    organisationId: actor.organisationId,
    reportId,
    priority: {
      code: priority.code,
      title: priority.title,
      accountableOfficer: priority.accountableOfficer,
      accountableDirector: priority.accountableDirector,
    },
    period: { key: period.key, label: period.label },
    byLabel: actor.label,
    ...(comment ? { comment } : {}),
  });

  /** Tells the listeners, in the step's own unit of work. */
  async function tell(kind: keyof ReportEvents, e: ReportWorkflowEvent): Promise<void> {
    await events?.[kind]?.(e);
  }

  return { ...deps, locate, loadBundle, mayReadDrafts, workflowActor, abilities, aggregate, eventOf, tell };
}

export type ReportContext = ReturnType<typeof createReportContext>;
