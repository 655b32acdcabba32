// A member's consent to contribute one diagnostic exercise's baseline to one benchmarking club,
// following the exercise (issue 11, ADR 0018 "Consent per exercise to each club").
//
// Until now a member contributed its baseline as a snapshot: `club_figure` rows (`source =
// 'baseline'`, `source_id` the exercise) that a later change to the exercise left as they were.
// A consent is the member's standing agreement instead: while it is live (not withdrawn, the member
// in the club), the owner's own transaction replaces the exercise's figures in that club at each
// change of the exercise, and withdrawing it, leaving the club or deleting the exercise removes
// them. The figures stay `club_figure` rows, so amber_club_statistics and ADR 0016 apply unchanged.
//
// The table is the member's own, like its figures: row-level security lets only the organisation
// that consented read or write its consents, for a club it is in, and for an exercise of its own
// (the check reads diagnostic_exercise under the same policies, so another organisation's exercise
// id is refused by the database itself, whatever the service checked).
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('club_baseline_consent')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('club_id', 'uuid', (c) => c.notNull().references('benchmark_club.id').onDelete('cascade'))
    .addColumn('exercise_id', 'uuid', (c) => c.notNull().references('diagnostic_exercise.id').onDelete('cascade'))
    // The figures count in the club's statistics from this date (UK), or at once.
    .addColumn('embargo_until', 'date')
    .addColumn('consented_by', 'text', (c) => c.notNull())
    .addColumn('consented_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // One live consent per exercise and club; withdrawn ones stay as the record of what was agreed.
  await sql`create unique index club_baseline_consent_live on club_baseline_consent (club_id, exercise_id) where withdrawn_at is null`.execute(
    db,
  );
  await db.schema
    .createIndex('club_baseline_consent_exercise')
    .on('club_baseline_consent')
    .columns(['organisation_id', 'exercise_id'])
    .execute();

  await sql`grant select, insert, update, delete on club_baseline_consent to amber_tenant`.execute(db);
  await sql`alter table club_baseline_consent enable row level security`.execute(db);
  await sql`create policy organisation_reads on club_baseline_consent for select to amber_tenant
    using (organisation_id = ${CURRENT})`.execute(db);
  await sql`create policy organisation_writes on club_baseline_consent for all to amber_tenant
    using (organisation_id = ${CURRENT})
    with check (organisation_id = ${CURRENT} and club_id = any(amber_ids('amber.member_clubs'))
      and exists (select 1 from diagnostic_exercise e where e.id = exercise_id and e.organisation_id = ${CURRENT}))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('club_baseline_consent').execute();
}
