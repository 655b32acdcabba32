// Changing and removing what the implementation plan, the savings ledger and gain-share hold
// (issue 12): projects, plan milestones (with their link to a key action), ledger entries and
// gain-share agreements described by any tranches. Every change is checked against the version it
// was read at (a stale one is refused and nothing is lost), writes one audit event per record it
// touches, and needs the permission creating needs (`diagnostic.edit`).
//
// What is never lost, by decision:
// - A milestone the plan wrote on a key action belongs to the report once written: unlinking,
//   relinking or deleting the plan milestone (or its project) leaves it in the report, and the
//   pages say so and where it is. Removing it is the report's business, through the report.
// - A gain-share evaluation is a dated snapshot of what was due: an agreement with evaluations
//   cannot be deleted (the refusal says why); its tranches may change, and only later evaluations
//   use the new ones.
// - A verified saving cannot be deleted (as it cannot go back a stage): a correction is a new entry.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { NotFoundError, StaleVersionError, ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { formatDate } from '../../domain/dates.ts';
import { dependencyClashes, findDependencyLoop, type DependencyClash } from '../../domain/diagnostic/programme.ts';
import {
  GAIN_SHARE_PRESETS,
  agreementIssues,
  type GainShareAgreement,
  type GainShareReading,
} from '../../domain/diagnostic/gain-share.ts';
import { parseWith } from '../../platform/validation.ts';
import type { PlanService } from '../plans/plan.service.ts';
import { ActionNotFoundError, ReportInSignOffError, ReportNotFoundError } from '../reports/report.service.ts';
import type {
  AgreementRecord,
  EfficiencyRepository,
  PlanMilestoneRecord,
  ProjectRecord,
  SavingsRecord,
} from './efficiency.repository.ts';
import type { ReportMilestonePlace } from './programme-changes.repository.ts';
import type { ExerciseSummary, ReportsPort } from './efficiency.service.ts';
import {
  agreementFormInput,
  deleteInput,
  milestoneUpdateInput,
  projectUpdateInput,
} from './programme-changes.schemas.ts';

export type { ReportMilestonePlace } from './programme-changes.repository.ts';

export interface ProgrammeChangeDeps {
  repo: EfficiencyRepository;
  plans: PlanService;
  reports: ReportsPort;
  /** The exercise, when it is the actor's (throws NotFoundError otherwise). */
  exercise: (actor: Actor, exerciseId: string) => Promise<ExerciseSummary>;
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const notFound = (what: string) =>
  new NotFoundError('EFFICIENCY_NOT_FOUND', `There is no such ${what} in this exercise`);

/** What happened to a milestone's link to a key action when it was saved. */
export type LinkOutcome =
  | { kind: 'none' }
  | { kind: 'kept' }
  | { kind: 'added'; periodKey: string }
  | { kind: 'removed'; left: ReportMilestonePlace | undefined }
  | { kind: 'changed'; periodKey: string; left: ReportMilestonePlace | undefined };

export interface ProjectDeletion {
  project: ProjectRecord;
  /** Projects that depend on it: they stop depending on it. */
  dependents: ProjectRecord[];
  /** Its milestones, which go with it; those linked to a key action stay in their reports. */
  milestones: (PlanMilestoneRecord & { inReport: ReportMilestonePlace | undefined })[];
}

/** The preset an agreement's terms match exactly (so it is recorded as that reading), else custom. */
export function readingOf(a: Omit<GainShareAgreement, 'name' | 'reading'>): GainShareReading {
  for (const key of ['B', 'A'] as const) {
    const p = GAIN_SHARE_PRESETS[key];
    const same =
      p.totalCost === a.totalCost &&
      p.funderContribution === a.funderContribution &&
      p.councilContribution === a.councilContribution &&
      p.tranches.length === a.tranches.length &&
      p.tranches.every(
        (t, i) =>
          t.threshold === a.tranches[i]!.threshold &&
          t.repayment === a.tranches[i]!.repayment &&
          t.inclusive === a.tranches[i]!.inclusive,
      );
    if (same) return key;
  }
  return 'custom';
}

export function programmeChangeUseCases({ repo, plans, reports, exercise }: ProgrammeChangeDeps) {
  const audit = (
    actor: Actor,
    entity: string,
    entityId: string,
    action: 'create' | 'update' | 'delete',
    before: unknown,
    after: unknown,
  ) =>
    repo.audit({ organisationId: actor.organisationId, actor: actor.label, entity, entityId, action, before, after });

  async function projectsOf(actor: Actor, exerciseId: string) {
    const ex = await exercise(actor, exerciseId);
    return { ex, projects: await repo.listProjects(actor.organisationId, ex.id) };
  }
  function projectIn(projects: ProjectRecord[], id: string): ProjectRecord {
    const p = isUuid(id) ? projects.find((x) => x.id === id) : undefined;
    if (!p) throw notFound('project');
    return p;
  }
  function milestoneIn(projects: ProjectRecord[], id: string): PlanMilestoneRecord {
    const m = isUuid(id) ? projects.flatMap((p) => p.milestones).find((x) => x.id === id) : undefined;
    if (!m) throw notFound('milestone');
    return m;
  }
  const inReport = (actor: Actor, m: PlanMilestoneRecord) =>
    m.reportMilestoneId
      ? repo.findReportMilestone(actor.organisationId, m.reportMilestoneId)
      : Promise.resolve(undefined);

  /** Writes the milestone on key action `n` of the priority's report, the refusals named by field. */
  async function placeOnKeyAction(
    actor: Actor,
    priorityCode: string,
    n: number,
    m: { description: string; dueOn: PlanMilestoneRecord['dueOn'] },
  ) {
    try {
      return await reports.addMilestoneFromPlan(actor, priorityCode, n, m);
    } catch (error) {
      if (error instanceof ReportNotFoundError)
        throw ValidationError.single(
          'priority',
          `${priorityCode} has no progress report for a period that includes ${formatDate(m.dueOn)}: create that period’s report first, or link the milestone to a key action later`,
        );
      if (error instanceof ActionNotFoundError) {
        const found = error.report;
        throw ValidationError.single(
          'actionNumber',
          !found
            ? `The report of ${priorityCode} has no key action ${n}: choose one of its key actions`
            : found.actions === 0
              ? `The ${found.periodKey} report of ${priorityCode} has no key actions yet: add one first`
              : `The ${found.periodKey} report of ${priorityCode} has key actions 1 to ${found.actions}: choose one of them`,
        );
      }
      if (error instanceof ReportInSignOffError)
        throw ValidationError.single(
          'priority',
          `The report of ${priorityCode} for the period of ${formatDate(m.dueOn)} is waiting for sign-off, so nothing in it can change: link the milestone once it is returned or published`,
        );
      throw error;
    }
  }

  function agreementValues(body: unknown) {
    const v = parseWith(agreementFormInput, body);
    const terms = {
      funder: v.funder,
      council: v.council,
      totalCost: v.totalCost,
      funderContribution: v.funderContribution,
      councilContribution: v.councilContribution,
      tranches: v.tranches,
    };
    const agreement: GainShareAgreement = { name: v.name, reading: readingOf(terms), ...terms };
    const issues = agreementIssues(agreement);
    if (issues.length) throw new ValidationError(issues);
    return agreement;
  }

  return {
    // --- projects ------------------------------------------------------------------------------
    async getProject(actor: Actor, exerciseId: string, id: string) {
      authorize(actor, 'diagnostic.read');
      const { ex, projects } = await projectsOf(actor, exerciseId);
      return { exercise: ex, project: projectIn(projects, id), projects };
    },

    /** Every project that starts before a project it depends on ends (warnings, not refusals). */
    async planWarnings(actor: Actor, exerciseId: string): Promise<DependencyClash[]> {
      authorize(actor, 'diagnostic.read');
      const { projects } = await projectsOf(actor, exerciseId);
      return dependencyClashes(projects);
    },

    async updateProject(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<ProjectRecord> {
      authorize(actor, 'diagnostic.edit');
      const { ex, projects } = await projectsOf(actor, exerciseId);
      const before = projectIn(projects, id);
      const v = parseWith(projectUpdateInput, body);
      const issues: FieldIssue[] = [];
      if (v.endsOn < v.startsOn)
        issues.push({ field: 'endsOn', message: 'The end date must be on or after the start date' });
      const c = (await repo.listCases(actor.organisationId, ex.id)).find((x) => x.id === v.caseId);
      if (!c) issues.push({ field: 'caseId', message: 'Select a business case of this exercise from the list' });
      else if (c.status !== 'approved')
        issues.push({
          field: 'caseId',
          message: `“${c.title}” is not approved yet: only approved business cases become projects`,
        });
      const others = new Set(projects.filter((p) => p.id !== id).map((p) => p.id));
      if (v.dependsOn.includes(id)) issues.push({ field: 'dependsOn', message: 'A project cannot depend on itself' });
      else if (v.dependsOn.some((d) => !others.has(d)))
        issues.push({ field: 'dependsOn', message: 'Select the projects it depends on from the list' });
      if (issues.length) throw new ValidationError(issues);
      if (v.ownerId && !(await repo.personBelongs(actor.organisationId, v.ownerId)))
        throw ValidationError.single('ownerId', 'Select the owner from the list');
      const dependsOn = [...new Set(v.dependsOn)];
      const planned = projects.map((p) => (p.id === id ? { ...p, dependsOn } : p));
      const loop = findDependencyLoop(planned);
      if (loop)
        throw ValidationError.single(
          'dependsOn',
          `The dependencies would go round in a loop (${loop.map((x) => planned.find((p) => p.id === x)?.name).join(' → ')})`,
        );
      const values = {
        caseId: v.caseId,
        name: v.name,
        ownerId: v.ownerId,
        startsOn: v.startsOn,
        endsOn: v.endsOn,
        dependsOn,
      };
      if (!(await repo.updateProject(actor.organisationId, id, v.version, values)))
        throw new StaleVersionError('project');
      const after = projectIn(await repo.listProjects(actor.organisationId, ex.id), id);
      const { milestones: _b, ...beforeRow } = before;
      const { milestones: _a, ...afterRow } = after;
      await audit(actor, 'implementation_project', id, 'update', beforeRow, afterRow);
      return after;
    },

    /** What deleting a project takes with it, for the confirmation page. */
    async projectDeletion(actor: Actor, exerciseId: string, id: string): Promise<ProjectDeletion> {
      authorize(actor, 'diagnostic.edit');
      const { projects } = await projectsOf(actor, exerciseId);
      const project = projectIn(projects, id);
      return {
        project,
        dependents: projects.filter((p) => p.dependsOn.includes(id)),
        milestones: await Promise.all(
          project.milestones.map(async (m) => ({ ...m, inReport: await inReport(actor, m) })),
        ),
      };
    },

    /** Deletes a project and its milestones; others stop depending on it; report milestones stay. */
    async deleteProject(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<ProjectDeletion> {
      authorize(actor, 'diagnostic.edit');
      const { version } = parseWith(deleteInput, body);
      const { ex, projects } = await projectsOf(actor, exerciseId);
      const gone = await this.projectDeletion(actor, exerciseId, id);
      if (!(await repo.deleteProject(actor.organisationId, id, version))) throw new StaleVersionError('project');
      const changed = await repo.dropDependency(actor.organisationId, ex.id, id);
      for (const other of changed) {
        const before = projects.find((p) => p.id === other);
        await audit(
          actor,
          'implementation_project',
          other,
          'update',
          { dependsOn: before?.dependsOn },
          { dependsOn: before?.dependsOn.filter((d) => d !== id), because: `“${gone.project.name}” was deleted` },
        );
      }
      for (const m of gone.milestones)
        await audit(
          actor,
          'implementation_milestone',
          m.id,
          'delete',
          { ...m, inReport: undefined },
          {
            because: `its project “${gone.project.name}” was deleted`,
            keptInReport: m.inReport ?? null,
          },
        );
      const { milestones: _m, ...row } = gone.project;
      await audit(actor, 'implementation_project', id, 'delete', row, undefined);
      return gone;
    },

    // --- plan milestones -------------------------------------------------------------------------
    async getMilestone(actor: Actor, exerciseId: string, id: string) {
      authorize(actor, 'diagnostic.read');
      const { ex, projects } = await projectsOf(actor, exerciseId);
      const milestone = milestoneIn(projects, id);
      return { exercise: ex, projects, milestone, inReport: await inReport(actor, milestone) };
    },

    /**
     * Changes a plan milestone. Its link to a key action: the same link keeps the report's
     * milestone as it is (its wording and date are the report's from then on); no link removes the
     * link and leaves the report's milestone where it is; another key action writes a new one
     * there and leaves the old one where it is. `link` says which happened.
     */
    async updateMilestone(
      actor: Actor,
      exerciseId: string,
      id: string,
      body: unknown,
    ): Promise<{ milestone: PlanMilestoneRecord; link: LinkOutcome }> {
      authorize(actor, 'diagnostic.edit');
      const { ex, projects } = await projectsOf(actor, exerciseId);
      const before = milestoneIn(projects, id);
      const v = parseWith(milestoneUpdateInput, body);
      if (!projects.some((p) => p.id === v.projectId))
        throw ValidationError.single('projectId', 'Select a project of this plan from the list');
      if ((v.priority === null) !== (v.actionNumber === null))
        throw ValidationError.single(
          v.priority === null ? 'priority' : 'actionNumber',
          'To link the milestone to a key action, give both the priority and the key action number (or neither)',
        );
      const priority = v.priority ? await plans.findPriority(actor, v.priority) : undefined;
      if (v.priority && !priority)
        throw ValidationError.single(
          'priority',
          `There is no improvement priority ${v.priority}: select one from the list`,
        );
      if (v.ownerId && !(await repo.personBelongs(actor.organisationId, v.ownerId)))
        throw ValidationError.single('ownerId', 'Select the owner from the list');
      if (v.version !== before.version) throw new StaleVersionError('milestone');

      const wasLinked = before.priorityId !== null && before.actionNumber !== null;
      const same = priority?.id === before.priorityId && v.actionNumber === before.actionNumber;
      let reportMilestoneId = before.reportMilestoneId;
      let link: LinkOutcome;
      if (!priority || v.actionNumber === null) {
        link = wasLinked ? { kind: 'removed', left: await inReport(actor, before) } : { kind: 'none' };
        reportMilestoneId = null;
      } else if (same) {
        link = { kind: 'kept' };
      } else {
        const left = wasLinked ? await inReport(actor, before) : undefined;
        const placed = await placeOnKeyAction(actor, priority.code, v.actionNumber, {
          description: v.description,
          dueOn: v.dueOn,
        });
        reportMilestoneId = placed.milestoneId;
        link = wasLinked
          ? { kind: 'changed', periodKey: placed.periodKey, left }
          : { kind: 'added', periodKey: placed.periodKey };
      }
      const ok = await repo.updatePlanMilestone(actor.organisationId, id, v.version, {
        projectId: v.projectId,
        description: v.description,
        dueOn: v.dueOn,
        ownerId: v.ownerId,
        priorityId: priority?.id ?? null,
        actionNumber: priority ? v.actionNumber : null,
        reportMilestoneId,
      });
      if (!ok) throw new StaleVersionError('milestone');
      const after = milestoneIn(await repo.listProjects(actor.organisationId, ex.id), id);
      await audit(actor, 'implementation_milestone', id, 'update', before, {
        ...after,
        link: link.kind,
        ...('left' in link ? { keptInReport: link.left ?? null } : {}),
      });
      return { milestone: after, link };
    },

    async milestoneDeletion(actor: Actor, exerciseId: string, id: string) {
      authorize(actor, 'diagnostic.edit');
      const { ex, projects } = await projectsOf(actor, exerciseId);
      const milestone = milestoneIn(projects, id);
      return {
        exercise: ex,
        milestone,
        project: projects.find((p) => p.id === milestone.projectId)!,
        inReport: await inReport(actor, milestone),
      };
    },

    /** Deletes a plan milestone; the milestone it wrote on a key action stays in the report. */
    async deleteMilestone(actor: Actor, exerciseId: string, id: string, body: unknown) {
      authorize(actor, 'diagnostic.edit');
      const { version } = parseWith(deleteInput, body);
      const gone = await this.milestoneDeletion(actor, exerciseId, id);
      if (!(await repo.deletePlanMilestone(actor.organisationId, id, version)))
        throw new StaleVersionError('milestone');
      await audit(actor, 'implementation_milestone', id, 'delete', gone.milestone, {
        keptInReport: gone.inReport ?? null,
      });
      return gone;
    },

    // --- savings ledger --------------------------------------------------------------------------
    async savingDeletion(
      actor: Actor,
      exerciseId: string,
      id: string,
    ): Promise<{ exercise: ExerciseSummary; saving: SavingsRecord; refusal: string | undefined }> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const saving = isUuid(id)
        ? (await repo.listSavings(actor.organisationId, ex.id)).find((s) => s.id === id)
        : undefined;
      if (!saving) throw notFound('saving');
      const refusal =
        saving.verifiedAt !== null
          ? `This saving was verified by ${saving.verifiedBy}, so it stays in the ledger as the record of what was counted: record a correction as a new entry instead`
          : undefined;
      return { exercise: ex, saving, refusal };
    },

    /** Deletes a saving nobody has verified. */
    async deleteSaving(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<SavingsRecord> {
      authorize(actor, 'diagnostic.edit');
      const { version } = parseWith(deleteInput, body);
      const { saving, refusal } = await this.savingDeletion(actor, exerciseId, id);
      if (refusal) throw ValidationError.single('saving', refusal);
      if (!(await repo.deleteUnverifiedSaving(actor.organisationId, id, version)))
        throw new StaleVersionError('saving');
      await audit(actor, 'savings_entry', id, 'delete', saving, undefined);
      return saving;
    },

    // --- gain-share agreements -------------------------------------------------------------------
    async getAgreement(actor: Actor, exerciseId: string, id: string) {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const agreement = isUuid(id)
        ? (await repo.listAgreements(actor.organisationId, ex.id)).find((a) => a.id === id)
        : undefined;
      if (!agreement) throw notFound('gain-share agreement');
      return { exercise: ex, agreement, evaluations: await repo.countEvaluations(actor.organisationId, id) };
    },

    /** An agreement described by any tranches; recorded as reading A or B when it is that preset exactly. */
    async createAgreementFromTerms(actor: Actor, exerciseId: string, body: unknown): Promise<AgreementRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const a = agreementValues(body);
      const id = await repo.insertAgreement(actor.organisationId, ex.id, { ...a, tranches: [...a.tranches] });
      const after = (await repo.listAgreements(actor.organisationId, ex.id)).find((x) => x.id === id)!;
      await audit(actor, 'gain_share_agreement', id, 'create', undefined, after);
      return after;
    },

    /** New terms for an agreement: the next evaluation uses them; stored evaluations keep theirs. */
    async updateAgreement(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<AgreementRecord> {
      authorize(actor, 'diagnostic.edit');
      const { exercise: ex, agreement: before } = await this.getAgreement(actor, exerciseId, id);
      const a = agreementValues(body);
      const { version } = parseWith(deleteInput, body);
      if (!(await repo.updateAgreement(actor.organisationId, id, version, { ...a, tranches: [...a.tranches] })))
        throw new StaleVersionError('agreement');
      const after = (await repo.listAgreements(actor.organisationId, ex.id)).find((x) => x.id === id)!;
      await audit(actor, 'gain_share_agreement', id, 'update', before, after);
      return after;
    },

    async agreementDeletion(actor: Actor, exerciseId: string, id: string) {
      authorize(actor, 'diagnostic.edit');
      const found = await this.getAgreement(actor, exerciseId, id);
      const refusal =
        found.evaluations > 0
          ? `This agreement has ${found.evaluations} stored evaluation${found.evaluations === 1 ? '' : 's'}: dated records of what was due, which are kept, so the agreement cannot be deleted. Change its tranches instead: later evaluations use the new ones and the stored ones stay as they were.`
          : undefined;
      return { ...found, refusal };
    },

    /** Deletes an agreement that has never been evaluated. */
    async deleteAgreement(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<AgreementRecord> {
      authorize(actor, 'diagnostic.edit');
      const { version } = parseWith(deleteInput, body);
      const { agreement, refusal } = await this.agreementDeletion(actor, exerciseId, id);
      if (refusal) throw ValidationError.single('agreement', refusal);
      if (!(await repo.deleteUnevaluatedAgreement(actor.organisationId, id, version)))
        throw new StaleVersionError('agreement');
      await audit(actor, 'gain_share_agreement', id, 'delete', agreement, undefined);
      return agreement;
    },
  };
}
