// The audit trail writer: called by repositories inside the transaction that makes the change,
// so a change and its record are committed together or not at all.

import type { Kysely, Transaction } from 'kysely';

export interface AuditEntry {
  organisationId: string;
  actor: string;
  entity: string;
  entityId: string;
  action: 'create' | 'update' | 'delete' | 'move' | 'import';
  before?: unknown;
  after?: unknown;
}

export async function insertAuditEvent(db: Kysely<any> | Transaction<any>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      organisation_id: entry.organisationId,
      actor: entry.actor,
      entity: entry.entity,
      entity_id: entry.entityId,
      action: entry.action,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}
