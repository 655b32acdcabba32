// The audit trail writer: called by repositories inside the transaction that makes the change,
// so a change and its record are committed together or not at all.

import type { CompiledQuery, Kysely, Transaction } from 'kysely';
import { reusableQuery } from './reusable-query.ts';

export interface AuditEntry {
  organisationId: string;
  actor: string;
  entity: string;
  entityId: string;
  action: 'create' | 'update' | 'delete' | 'move' | 'import';
  before?: unknown;
  after?: unknown;
}

/**
 * The insert, built and compiled once per database handle (`reusable-query.ts`): every change
 * writes one. Every column is given (`before` and `after` as null when there is none).
 */
const inserts = new WeakMap<object, (p: AuditValues) => CompiledQuery>();
interface AuditValues {
  organisationId: string;
  actor: string;
  entity: string;
  entityId: string;
  action: AuditEntry['action'];
  before: string | null;
  after: string | null;
}

export async function insertAuditEvent(db: Kysely<any> | Transaction<any>, entry: AuditEntry): Promise<void> {
  let insert = inserts.get(db);
  if (!insert)
    inserts.set(
      db,
      (insert = reusableQuery((p: AuditValues) =>
        db.insertInto('audit_event').values({
          organisation_id: p.organisationId,
          actor: p.actor,
          entity: p.entity,
          entity_id: p.entityId,
          action: p.action,
          before: p.before,
          after: p.after,
        }),
      )),
    );
  await db.executeQuery(
    insert({
      organisationId: entry.organisationId,
      actor: entry.actor,
      entity: entry.entity,
      entityId: entry.entityId,
      action: entry.action,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    }),
  );
}
