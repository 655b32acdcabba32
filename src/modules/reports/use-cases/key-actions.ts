// A report's key actions: adding, changing (the accountable people and editors change any action;
// a contributor the actions they are named on), removing and reordering them, and the milestone the
// efficiency programme's implementation plan puts on one. All through the report's write path.

import type { Actor } from '../../../domain/actor.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import type { IsoDate } from '../../../domain/dates.ts';
import { parseWith } from '../../../platform/validation.ts';
import type { Priority } from '../../plans/plan.service.ts';
import { ActionNotFoundError, ReportNotFoundError } from '../report.errors.ts';
import type { Report } from '../report.repository.ts';
import { actionInput, moveInput, versionOnly } from '../report.schemas.ts';
import { accountable, actionAt, namedOn, type ReportContext } from './context.ts';

export function keyActionUseCases(ctx: ReportContext) {
  const { repo, plans, locate, aggregate, workflowActor } = ctx;

  async function mayWrite(actor: Actor, code: string): Promise<Priority> {
    const priority = await plans.getPriority(actor, code);
    authorize(actor, 'report.edit', accountable(priority));
    return priority;
  }

  async function checkContributors(actor: Actor, contributors: { kind: 'person' | 'partner'; id: string }[]) {
    for (const c of contributors) {
      const ok =
        c.kind === 'person'
          ? await repo.personBelongs(actor.organisationId, c.id)
          : await repo.partnerBelongs(actor.organisationId, c.id);
      if (!ok) throw ValidationError.single('contributors', 'Select contributory officers and partners from the list');
    }
  }

  return {
    async addAction(
      actor: Actor,
      code: string,
      periodKey: string,
      input: unknown,
    ): Promise<{ report: Report; number: number }> {
      const priority = await mayWrite(actor, code);
      const v = parseWith(actionInput, input);
      if (v.milestones.some((m) => m.id))
        throw ValidationError.single('milestones', 'A new action cannot refer to existing milestones');
      const { period } = await locate(actor, code, periodKey);
      const { report } = await aggregate.change(actor, priority, period, {
        step: 'edit',
        version: v.version,
        what: 'add action',
        content: true,
        who: () => workflowActor(actor, priority),
        apply: async (before) => {
          await checkContributors(actor, v.contributors);
          await repo.insertAction(actor.organisationId, before.id, v);
        },
      });
      return { report: report!, number: report!.actions.length };
    },

    /** The accountable people and editors change any action; a contributor only the actions they are named on. */
    async updateAction(actor: Actor, code: string, periodKey: string, n: number, input: unknown): Promise<Report> {
      const { priority, period } = await locate(actor, code, periodKey);
      const current = await repo.find(priority.id, period.id);
      if (!current) throw new ReportNotFoundError(priority.code, period.label);
      // Refused before the input is read: a person who may not learns that, not what to fix.
      authorize(actor, 'report.update-actions', {
        ...accountable(priority),
        namedPersonIds: namedOn(actionAt(current, n)),
      });
      const v = parseWith(actionInput, input);
      const { report } = await aggregate.change(actor, priority, period, {
        step: 'edit',
        version: v.version,
        what: `update action ${n}`,
        content: true,
        who: (before) => workflowActor(actor, priority, actionAt(before, n)),
        apply: async (before) => {
          const action = actionAt(before, n);
          const own = new Set(action.milestones.map((m) => m.id));
          v.milestones.forEach((m, i) => {
            if (m.id && !own.has(m.id))
              throw ValidationError.single(`milestones.${i}.id`, `Milestone ${i + 1} does not belong to this action`);
          });
          await checkContributors(actor, v.contributors);
          await repo.updateAction(actor.organisationId, action.id, v);
        },
      });
      return report!;
    },

    async deleteAction(actor: Actor, code: string, periodKey: string, n: number, input: unknown): Promise<Report> {
      const priority = await mayWrite(actor, code);
      const v = parseWith(versionOnly, input);
      const { period } = await locate(actor, code, periodKey);
      const { report } = await aggregate.change(actor, priority, period, {
        step: 'edit',
        version: v.version,
        what: `delete action ${n}`,
        content: true,
        who: () => workflowActor(actor, priority),
        apply: async (before) => {
          const action = actionAt(before, n);
          await repo.deleteAction(action.id);
          await repo.orderActions(before.actions.filter((a) => a.id !== action.id).map((a) => a.id));
        },
      });
      return report!;
    },

    async moveAction(
      actor: Actor,
      code: string,
      periodKey: string,
      n: number,
      input: unknown,
    ): Promise<{ report: Report; number: number }> {
      const priority = await mayWrite(actor, code);
      const v = parseWith(moveInput, input);
      const { period } = await locate(actor, code, periodKey);
      let target = n;
      const { report } = await aggregate.change(actor, priority, period, {
        step: 'edit',
        version: v.version,
        what: `move action ${n} ${v.direction}`,
        content: true,
        who: () => workflowActor(actor, priority),
        apply: async (before) => {
          actionAt(before, n);
          target = v.direction === 'up' ? Math.max(1, n - 1) : Math.min(before.actions.length, n + 1);
          const ids = before.actions.map((a) => a.id);
          const [moved] = ids.splice(n - 1, 1);
          ids.splice(target - 1, 0, moved!);
          await repo.orderActions(ids);
        },
      });
      return { report: report!, number: target };
    },

    /**
     * Puts a milestone of the efficiency programme's implementation plan on key action `n` of the
     * priority's report for the period that includes its due date (a change like any other: it
     * opens the next revision of a published report, and is refused while the report waits for
     * sign-off). Returns the milestone's id and the report's period.
     */
    async addMilestoneFromPlan(
      actor: Actor,
      code: string,
      n: number,
      milestone: { description: string; dueOn: IsoDate },
    ): Promise<{ milestoneId: string; periodKey: string }> {
      const priority = await plans.getPriority(actor, code);
      const periodKey = await repo.findPeriodKeyCovering(priority.id, milestone.dueOn);
      if (!periodKey) throw new ReportNotFoundError(priority.code, `period including ${milestone.dueOn}`);
      const { period } = await locate(actor, code, periodKey);
      let milestoneId = '';
      await aggregate.change(actor, priority, period, {
        step: 'edit',
        version: undefined,
        what: `milestone added to key action ${n} from the implementation plan`,
        content: true,
        who: () => workflowActor(actor, priority),
        apply: async (before) => {
          const action = before.actions[n - 1];
          if (!action) throw new ActionNotFoundError(n, { periodKey, actions: before.actions.length });
          milestoneId = await repo.appendMilestone(actor.organisationId, action.id, {
            description: milestone.description,
            timescale: { precision: 'day', date: milestone.dueOn },
          });
        },
      });
      return { milestoneId, periodKey };
    },
  };
}
