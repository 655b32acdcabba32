// The reminders' SQL: a read model over priorities, reporting periods, people and reports (like
// the dashboard's, it only reads those tables), the `reminder_sent` table it owns, and queueing
// e-mail jobs — in the same transaction as the reminder_sent row, so a reminder is recorded as
// sent exactly when its e-mail is queued.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../schema.ts';
import type { IsoDate } from '../../domain/dates.ts';
import type { ReminderKind } from './reminder.schedule.ts';

/** A priority whose report for a period with a due date is not submitted yet. */
export interface ReminderCandidate {
  organisationId: string;
  organisationName: string;
  /** The name the organisation's URLs carry. */
  organisationSlug: string | null;
  priorityId: string;
  priorityCode: string;
  priorityTitle: string;
  periodId: string;
  periodKey: string;
  dueOn: IsoDate;
  officerName: string;
  officerEmail: string;
  /** null: no report yet. */
  reportState: 'draft' | null;
  /** The comment of the sign-off that returned it, when the latest sign-off returned it. */
  returnedComment: string | null;
}

function reminderQueries(db: Kysely<DB>) {
  return {
    /**
     * Priorities (of every organisation) whose report for a period due between `from` and `to`
     * is missing or a draft, and whose accountable officer has an e-mail address.
     */
    async candidates(from: IsoDate, to: IsoDate): Promise<ReminderCandidate[]> {
      const rows = await db
        .selectFrom('reporting_period as rp')
        .innerJoin('priority', 'priority.organisation_id', 'rp.organisation_id')
        .innerJoin('organisation', 'organisation.id', 'rp.organisation_id')
        .innerJoin('person as officer', 'officer.id', 'priority.accountable_officer_id')
        .leftJoin('progress_report as pr', (j) =>
          j.onRef('pr.priority_id', '=', 'priority.id').onRef('pr.period_id', '=', 'rp.id'),
        )
        .select([
          'rp.organisation_id',
          'organisation.name as organisation_name',
          'organisation.slug as organisation_slug',
          'priority.id as priority_id',
          'priority.code',
          'priority.title',
          'rp.id as period_id',
          'rp.key as period_key',
          'rp.due_on',
          'officer.name as officer_name',
          'officer.email as officer_email',
          'pr.state',
          sql<
            string | null
          >`(select case when s.decision = 'returned' then s.comment end from sign_off s where s.report_id = pr.id order by s.recorded_at desc, s.id desc limit 1)`.as(
            'returned_comment',
          ),
        ])
        .where('rp.due_on', '>=', from)
        .where('rp.due_on', '<=', to)
        .where('officer.email', 'is not', null)
        .where('officer.email', '<>', '')
        .where((eb) => eb.or([eb('pr.id', 'is', null), eb('pr.state', '=', 'draft')]))
        // One total order, the same in every instance: concurrent ticks insert keys in the same order (no deadlock).
        .orderBy('rp.due_on')
        .orderBy('priority.id')
        .orderBy('rp.id')
        .execute();
      return rows.map((r) => ({
        organisationId: r.organisation_id,
        organisationName: r.organisation_name,
        organisationSlug: r.organisation_slug,
        priorityId: r.priority_id,
        priorityCode: r.code,
        priorityTitle: r.title,
        periodId: r.period_id,
        periodKey: r.period_key,
        dueOn: r.due_on as IsoDate,
        officerName: r.officer_name,
        officerEmail: r.officer_email!,
        reportState: r.state === 'draft' ? 'draft' : null,
        returnedComment: r.returned_comment,
      }));
    },

    /**
     * Records that a reminder is being sent; undefined (nothing recorded) when it was already
     * recorded — by this instance earlier or by another one at the same moment: the unique key
     * makes a concurrent insert wait for the first and then do nothing. The caller queues the
     * e-mail in the same unit of work and links it with `linkJob`.
     */
    async recordSent(c: ReminderCandidate, kind: ReminderKind, recipient: string): Promise<string | undefined> {
      const row = await db
        .insertInto('reminder_sent')
        .values({
          organisation_id: c.organisationId,
          priority_id: c.priorityId,
          period_id: c.periodId,
          kind,
          due_on: c.dueOn,
          recipient,
        })
        .onConflict((oc) => oc.columns(['organisation_id', 'priority_id', 'period_id', 'kind', 'due_on']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id;
    },
    async linkJob(reminderId: string, jobId: string): Promise<void> {
      await db.updateTable('reminder_sent').set({ job_id: jobId }).where('id', '=', reminderId).execute();
    },
  };
}

export type ReminderQueries = ReturnType<typeof reminderQueries>;
export const createReminderRepository = (db: Kysely<DB>) => reminderQueries(db);
export type ReminderRepository = ReturnType<typeof createReminderRepository>;
