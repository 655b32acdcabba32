// The organisation file's `auditTrail` (issue 14): every audit event of the organisation, oldest
// first, as written (the time with microseconds, who, what, the record's id, before and after).
// The trail is append-only (migration 2026-11-24-011): an import adds the file's events after
// the ones already there and never changes one. Into a database that has none of them (a move)
// it writes them all; over the same organisation (replace), an event the target already holds
// (same time, actor, entity, id and action) is not written twice. Either way the import then
// adds its own event, so a second export has that one event more than the file. The events'
// numbers (`audit_event.id`) belong to a deployment and are not carried: the order is the list's.

import { z } from 'zod';
import { TEXT_LIMITS } from '../../domain/limits.ts';

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const given = (what: string) =>
  z.unknown().refine((v) => v !== undefined, { error: `${what} is missing: use null for none` });

export const auditEventRecord = z.strictObject(
  {
    occurredAt: z
      .string({ error: 'The time of an audit event must be text' })
      .regex(TIMESTAMP_PATTERN, { error: 'The time of an audit event is not a time Amber can read' }),
    actor: z.string({ error: 'Who acted must be text' }).max(TEXT_LIMITS.short),
    entity: z.string({ error: 'The kind of record must be text' }).max(TEXT_LIMITS.code * 2),
    entityId: z
      .string({ error: 'The record’s id must be an id' })
      .regex(UUID_PATTERN, { error: 'The record’s id is not an id' }),
    action: z.string({ error: 'The action must be text' }).max(TEXT_LIMITS.code * 2),
    before: given('What the record was before'),
    after: given('What the record became'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'An audit event must be an object') },
);
export type AuditFileEvent = z.output<typeof auditEventRecord>;

/** Identifies an event across deployments (its number does not travel). */
export const auditEventKey = (e: Pick<AuditFileEvent, 'occurredAt' | 'actor' | 'entity' | 'entityId' | 'action'>) =>
  [e.occurredAt, e.actor, e.entity, e.entityId, e.action].join('\u0000');
