// Table types of data-sharing agreements and shared priorities (issue 11).
// Owned by src/modules/sharing; migration 2026-12-04-110-sharing.

import type { ColumnType, Generated } from 'kysely';

type DateColumn = ColumnType<string, string, string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface SharingAgreementTable {
  id: Generated<string>;
  organisation_id: string;
  partner_id: string;
  partner_record_id: string | null;
  title: string;
  purpose: string;
  data_shared: string;
  legal_basis: string;
  starts_on: DateColumn;
  ends_on: DateColumn;
  signatories: string;
  created_by: string;
  created_at: Generated<Date>;
  revoked_at: NullableTimestamp;
  revoked_by: string | null;
  revoked_reason: string | null;
  /** When the audit event saying the agreement reached its end date was written (migration 2026-12-11-300-*); null until then. */
  end_recorded_at: NullableTimestamp;
  version: Generated<number>;
}

export interface PrioritySharesTable {
  id: Generated<string>;
  organisation_id: string;
  agreement_id: string;
  priority_id: string;
  level: 'read' | 'update';
  period_ids: ColumnType<string[], string[] | undefined, string[]>;
  indicator_ids: ColumnType<string[], string[] | undefined, string[]>;
  action_ids: ColumnType<string[], string[] | undefined, string[]>;
  internal_sections: ColumnType<string[], string[] | undefined, string[]>;
  /** Shared indicators whose values the partner enters (an update share only; migration 2026-12-06-300). */
  supplied_indicator_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** The partner co-owns the priority: its sign-off is needed to publish (issue 11). */
  joint: Generated<boolean>;
  joint_officer: Generated<string>;
  created_by: string;
  created_at: Generated<Date>;
  revoked_at: NullableTimestamp;
  revoked_by: string | null;
  version: Generated<number>;
}

export interface JointSignOffTable {
  id: Generated<string>;
  organisation_id: string;
  share_id: string;
  report_id: string;
  revision: number;
  partner_id: string;
  decision: 'approved' | 'returned';
  comment: Generated<string>;
  signed_by: string;
  signed_at: Generated<Date>;
}

/** A comment on a shared report or one of its key actions, by the owner's people or the partner's (migration 2026-12-06-310). */
export interface SharedCommentTable {
  id: Generated<string>;
  organisation_id: string;
  share_id: string;
  report_id: string;
  action_id: string | null;
  author_organisation_id: string;
  author_organisation_name: string;
  author_name: string;
  body: string;
  created_at: Generated<Date>;
}

export interface SharingTables {
  joint_sign_off: JointSignOffTable;
  shared_comment: SharedCommentTable;
  sharing_agreement: SharingAgreementTable;
  priority_share: PrioritySharesTable;
}
