// Savings worked out from the diagnostic's data, with their working, kept beside what the officer
// chose (issue 12). `inputs` holds the lever's own assumptions (target span, realisation, share
// shifted, target unit cost, achievability) so the working can be redone; `computed_*` are the
// figures Amber worked out when the opportunity was saved and `working` the sentences that derive
// them; `override_reason` says why the officer's low/central/high differ from them (empty when
// accepted or when nothing could be worked out).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('opportunity')
    .addColumn('inputs', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('computed_low', 'bigint')
    .addColumn('computed_central', 'bigint')
    .addColumn('computed_high', 'bigint')
    .addColumn('working', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('override_reason', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`alter table opportunity add constraint opportunity_computed_whole check (
    (computed_low is null) = (computed_central is null) and (computed_low is null) = (computed_high is null))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table opportunity drop constraint opportunity_computed_whole`.execute(db);
  for (const c of ['inputs', 'computed_low', 'computed_central', 'computed_high', 'working', 'override_reason'])
    await db.schema.alterTable('opportunity').dropColumn(c).execute();
}
