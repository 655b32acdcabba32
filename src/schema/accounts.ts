// Table types of sign-in and the report workflow (issue 3): users, memberships and roles,
// sessions, tokens, the security log, report revisions. Migrations 2026-11-24-01x-*.

import type { ColumnType, Generated } from 'kysely';

/** A published revision of a progress report: a snapshot of what readers saw, never changed. */
export interface ReportRevisionTable {
  id: Generated<string>;
  organisation_id: string;
  report_id: string;
  number: number;
  /** 1: the view model (revisions published before snapshots); 2: domain/report-snapshot.ts. */
  format: Generated<number>;
  content: ColumnType<unknown, string, string>;
  /** The status it was published with (FrozenStatus), or null. */
  status: ColumnType<unknown, string | null, string | null>;
  published_at: ColumnType<Date, Date | string | undefined, Date | string>;
  published_by: string;
  published_by_user_id: string | null;
  published_by_person_id: string | null;
  historical: Generated<boolean>;
}

/** Reminders queued (migration 012): one row per priority, period, kind and due date, ever. */
export interface ReminderSentTable {
  id: Generated<string>;
  organisation_id: string;
  priority_id: string;
  period_id: string;
  kind: 'due_soon' | 'due_today' | 'overdue';
  due_on: ColumnType<string, string, string>;
  recipient: string;
  job_id: string | null;
  sent_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AccountTables {
  reminder_sent: ReminderSentTable;
  report_revision: ReportRevisionTable;
}
