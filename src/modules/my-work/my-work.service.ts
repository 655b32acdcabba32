// "My work": what the signed-in person has to do, across the organisation —
// - reports to write: drafts of priorities they are accountable officer for (including reports
//   returned to them), and reports not started for periods due from 90 days ago to 28 days
//   ahead (a period with no due date asks for nothing);
// - reports to sign off: submitted ones of their priorities (first sign-off, as accountable
//   officer), officer-approved ones where they are accountable director (second sign-off);
// - milestones of actions they are named on (as contributory officer) that are overdue or due
//   in the next 30 days, with nothing recorded or slipped.
// Overdue things first, then by date. "Me" is the actor's person: the system, or a user whose
// account is not linked to a person, has no work (the page says why).

import type { Actor } from '../../domain/actor.ts';
import { can, authorize, mayEver } from '../../domain/permissions.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import { addDays } from '../reminders/reminder.service.ts';
import type { MyWorkRepository, ReportToWriteRow, ReportToSignOffRow, MilestoneRow } from './my-work.repository.ts';

export type { ReportToWriteRow, ReportToSignOffRow, MilestoneRow } from './my-work.repository.ts';

export const MISSING_FROM_DAYS = 90;
export const MISSING_AHEAD_DAYS = 28;
export const MILESTONES_AHEAD_DAYS = 30;

export interface MyWork {
  today: IsoDate;
  /** False when the actor is not a person (the system, or an account not linked to one). */
  hasPerson: boolean;
  toWrite: (ReportToWriteRow & { overdue: boolean })[];
  toSignOff: (ReportToSignOffRow & { overdue: boolean })[];
  milestones: (MilestoneRow & { overdue: boolean })[];
}

export interface MyWorkDeps {
  repo: MyWorkRepository;
}

/** Overdue first, then the earliest date first (no date last), then by priority code. */
function byUrgency<T extends { overdue: boolean; priorityCode: string }>(date: (x: T) => string | null) {
  return (a: T, b: T) =>
    Number(b.overdue) - Number(a.overdue) ||
    (date(a) ?? '9999').localeCompare(date(b) ?? '9999') ||
    a.priorityCode.localeCompare(b.priorityCode);
}

export function createMyWorkService({ repo }: MyWorkDeps) {
  return {
    async forActor(actor: Actor, today: IsoDate = todayIso()): Promise<MyWork> {
      if (!mayEver(actor, 'report.read')) authorize(actor, 'report.read');
      if (actor.kind !== 'user' || !actor.personId)
        return { today, hasPerson: false, toWrite: [], toSignOff: [], milestones: [] };
      const me = actor.personId;
      const org = actor.organisationId;
      // Everything listed is unpublished work of the person's own priorities, or actions they
      // are named on: shown only if their roles let them read it (a viewer reads published only).
      const readable = (published: boolean) =>
        can(actor, 'report.read', { published, accountablePersonIds: [me], namedPersonIds: [me] });
      const [drafts, missing, toSignOff, milestones] = await Promise.all([
        repo.drafts(org, me),
        repo.missing(org, me, addDays(today, -MISSING_FROM_DAYS), addDays(today, MISSING_AHEAD_DAYS)),
        repo.toSignOff(org, me),
        repo.milestones(org, me, addDays(today, MILESTONES_AHEAD_DAYS)),
      ]);
      const late = (due: string | null) => due !== null && due < today;
      return {
        today,
        hasPerson: true,
        toWrite: readable(false)
          ? [...drafts, ...missing].map((r) => ({ ...r, overdue: late(r.dueOn) })).sort(byUrgency((r) => r.dueOn))
          : [],
        toSignOff: readable(false)
          ? toSignOff.map((r) => ({ ...r, overdue: late(r.dueOn) })).sort(byUrgency((r) => r.dueOn))
          : [],
        milestones: milestones
          .filter((m) => readable(m.published))
          .map((m) => ({ ...m, overdue: m.deadline < today }))
          .sort(byUrgency((m) => m.deadline)),
      };
    },
  };
}

export type MyWorkService = ReturnType<typeof createMyWorkService>;
