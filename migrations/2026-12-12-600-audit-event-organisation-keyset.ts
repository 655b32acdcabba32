// The organisation's audit trail export reads its events a page at a time, newest first, each page
// after the last event of the one before (issue 14: the export had read every event at once). The
// index carries the event's id after its time, so that a page starts where the last ended and is
// read in order even where thousands of events share one time (an import audits its values in one
// transaction): without it each page sorted every event of that time again. It replaces the index
// on (organisation, time), whose every use it serves.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index audit_event_organisation_time on audit_event (organisation_id, occurred_at, id)`.execute(db);
  await sql`drop index audit_event_organisation`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index audit_event_organisation on audit_event (organisation_id, occurred_at)`.execute(db);
  await sql`drop index audit_event_organisation_time`.execute(db);
}
