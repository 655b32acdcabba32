// Choices an officer makes in a business case's appraisal (issue 12): the discount schedule the
// case uses (the Green Book's standard rate, or its health rate for health effects), and, per
// cost line, an optimism bias uplift stated as a percentage with the reason for it, instead of a
// Green Book category's bound (e.g. "+10% on other costs: supplier quotes are firm"). A line has a
// category or a stated uplift, never both; a stated uplift always has its reason.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('business_case')
    .addColumn('discount_schedule', 'text', (c) =>
      c
        .notNull()
        .defaultTo('standard')
        .check(sql`discount_schedule in ('standard', 'health')`),
    )
    .execute();
  await db.schema
    .alterTable('business_case_line')
    // Basis points: 1000 is +10%; at most +1,000%.
    .addColumn('stated_uplift', 'integer', (c) => c.check(sql`stated_uplift between 0 and 100000`))
    .addColumn('optimism_bias_reason', 'text', (c) => c.check(sql`length(optimism_bias_reason) between 1 and 1000`))
    .execute();
  await sql`alter table business_case_line add constraint business_case_line_stated_uplift check (
    (stated_uplift is null) = (optimism_bias_reason is null)
    and (stated_uplift is null or optimism_bias is null)
    and (stated_uplift is null or kind = 'cost'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table business_case_line drop constraint business_case_line_stated_uplift`.execute(db);
  await db.schema
    .alterTable('business_case_line')
    .dropColumn('stated_uplift')
    .dropColumn('optimism_bias_reason')
    .execute();
  await db.schema.alterTable('business_case').dropColumn('discount_schedule').execute();
}
