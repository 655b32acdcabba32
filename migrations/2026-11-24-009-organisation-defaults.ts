// The organisation's default status tolerance (issue 4): an indicator may use it instead of a
// rule of its own, so its rule is now optional (null means "the organisation's default").
// Only a percentage makes sense across units, but the kind is stored so the rule reads alike.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organisation')
    .addColumn('default_rule_kind', 'text', (c) => c.notNull().defaultTo('percent').check(sql`default_rule_kind in ('percent')`))
    .addColumn('default_rule_value', 'bigint', (c) => c.notNull().defaultTo(500).check(sql`default_rule_value >= 0`))
    .execute();
  await db.schema.alterTable('indicator').alterColumn('rule_kind', (c) => c.dropNotNull()).execute();
  await db.schema.alterTable('indicator').alterColumn('rule_value', (c) => c.dropNotNull()).execute();
  // Both or neither: a kind without a value (or the reverse) would be no rule at all.
  await sql`alter table indicator add constraint indicator_rule_both_or_neither check ((rule_kind is null) = (rule_value is null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table indicator drop constraint indicator_rule_both_or_neither`.execute(db);
  await sql`update indicator i set rule_kind = o.default_rule_kind, rule_value = o.default_rule_value from organisation o where o.id = i.organisation_id and i.rule_kind is null`.execute(db);
  await db.schema.alterTable('indicator').alterColumn('rule_kind', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('indicator').alterColumn('rule_value', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('organisation').dropColumn('default_rule_kind').dropColumn('default_rule_value').execute();
}
