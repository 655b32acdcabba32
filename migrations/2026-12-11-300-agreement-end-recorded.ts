// An agreement that reaches its end date is recorded in the history once (issue 11: "when it ends
// or is revoked, access ends at once, and the history says so"). Access already ended by the dates;
// nothing wrote that down. `end_recorded_at` is when the scheduled work wrote the "ended" audit
// event: set in the same transaction as the event, only where it is still null, so however many
// instances tick at once each agreement's end is written once. Agreements that ended before this
// migration get theirs on the first tick, dated by their end date.
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sharing_agreement').addColumn('end_recorded_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sharing_agreement').dropColumn('end_recorded_at').execute();
}
