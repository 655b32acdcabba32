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

/** Where events are written: the unit of work's transaction (or, outside one, the database). */
type AuditDb = Kysely<any> | Transaction<any>;

/** An entry as its row: `before` and `after` as JSON, null when there is none. */
const rowOf = (p: AuditValues) => ({
  organisation_id: p.organisationId,
  actor: p.actor,
  entity: p.entity,
  entity_id: p.entityId,
  action: p.action,
  before: p.before,
  after: p.after,
});
const valuesOf = (entry: AuditEntry): AuditValues => ({
  organisationId: entry.organisationId,
  actor: entry.actor,
  entity: entry.entity,
  entityId: entry.entityId,
  action: entry.action,
  before: entry.before === undefined ? null : JSON.stringify(entry.before),
  after: entry.after === undefined ? null : JSON.stringify(entry.after),
});

export async function insertAuditEvent(db: AuditDb, entry: AuditEntry): Promise<void> {
  let insert = inserts.get(db);
  if (!insert)
    inserts.set(db, (insert = reusableQuery((p: AuditValues) => db.insertInto('audit_event').values(rowOf(p)))));
  await db.executeQuery(insert(valuesOf(entry)));
}

/**
 * Many entries (an import's, one per indicator), a thousand to a statement: seven parameters
 * each, and a statement takes at most 65,535.
 */
export async function insertAuditEvents(db: AuditDb, entries: readonly AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 1000)
    await db
      .insertInto('audit_event')
      .values(entries.slice(i, i + 1000).map((e) => rowOf(valuesOf(e))))
      .execute();
}
