// The reminders' SQL: a read model over priorities, reporting periods, people and reports (like
// the dashboard's, it only reads those tables), the `reminder_sent` table it owns, and queueing
// e-mail jobs — in the same transaction as the reminder_sent row, so a reminder is recorded as
// sent exactly when its e-mail is queued.

import { sql, type Kysely } from 'kysely';
import { withTransactions, type Executor } from '../../platform/db/database.ts';
import { createJobQueue } from '../../platform/jobs/jobs.ts';
import { enqueueMail } from '../../platform/mail/mail.job.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import type { DB } from '../../schema.ts';
import type { IsoDate } from '../../domain/dates.ts';
import type { ReminderKind } from './reminder.schedule.ts';

export type ReportState = 'draft' | 'submitted' | 'officer_approved' | 'published';

/** A priority whose report for a period with a due date is not submitted yet. */
export interface ReminderCandidate {
  organisationId: string;
  organisationName: string;
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

function reminderQueries(db: Executor<DB>) {
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
     * Records the reminder and queues its e-mail, or does nothing (returns false) when it was
     * already recorded — by this instance earlier or by another one at the same moment: the
     * unique key makes a concurrent insert wait for the first and then do nothing.
     * Call it inside a transaction so the row and the job commit together.
     */
    async recordAndQueue(c: ReminderCandidate, kind: ReminderKind, message: MailMessage): Promise<boolean> {
      const row = await db
        .insertInto('reminder_sent')
        .values({
          organisation_id: c.organisationId,
          priority_id: c.priorityId,
          period_id: c.periodId,
          kind,
          due_on: c.dueOn,
          recipient: message.to.join(', '),
        })
        .onConflict((oc) => oc.columns(['organisation_id', 'priority_id', 'period_id', 'kind', 'due_on']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return false;
      const jobId = await enqueueMail(createJobQueue(db as Kysely<DB>), c.organisationId, message);
      await db.updateTable('reminder_sent').set({ job_id: jobId }).where('id', '=', row.id).execute();
      return true;
    },

    /** Queues an e-mail (a workflow notice) for the job worker to send. */
    async queueMail(organisationId: string, message: MailMessage): Promise<string> {
      return enqueueMail(createJobQueue(db as Kysely<DB>), organisationId, message);
    },

    /** The report's workflow state, or undefined when there is no such report in the organisation. */
    async reportState(organisationId: string, reportId: string): Promise<ReportState | undefined> {
      const r = await db
        .selectFrom('progress_report')
        .select('state')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', reportId)
        .executeTakeFirst();
      return r?.state;
    },
  };
}

export type ReminderQueries = ReturnType<typeof reminderQueries>;
export const createReminderRepository = (db: Kysely<DB>) => withTransactions(db, reminderQueries);
export type ReminderRepository = ReturnType<typeof createReminderRepository>;
