// A milestone due "in a month" is stored as the first of that month; the check makes any other
// day impossible, so exports (which write such a timescale as YYYY-MM) can never drop a day.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table milestone add constraint milestone_month_is_first check (due_precision <> 'month' or extract(day from due_on) = 1)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table milestone drop constraint milestone_month_is_first`.execute(db);
}
