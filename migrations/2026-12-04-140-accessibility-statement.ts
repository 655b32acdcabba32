// The accessibility statement's contact details and dates (the Public Sector Bodies (Websites and
// Mobile Applications) (No. 2) Accessibility Regulations 2018): one row for the whole deployment,
// kept by whoever hosts Amber (an operator), shown to everyone at /accessibility.
//
// No `organisation_id`, so no row-level security policy: the row is the deployment's, not an
// organisation's. Units acting for an organisation (every page, the public's included) may read it
// and nothing more; only the owner role, which the operator's pages use, writes it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accessibility_statement')
    // One row at most, as `deployment`.
    .addColumn('id', 'boolean', (c) =>
      c
        .primaryKey()
        .defaultTo(true)
        .check(sql`id`),
    )
    .addColumn('organisation_name', 'text', (c) => c.notNull().check(sql`length(organisation_name) between 1 and 200`))
    .addColumn('email', 'text', (c) => c.notNull().check(sql`length(email) between 3 and 320`))
    .addColumn('phone', 'text', (c) =>
      c
        .notNull()
        .defaultTo('')
        .check(sql`length(phone) <= 40`),
    )
    .addColumn('response_days', 'integer', (c) => c.notNull().check(sql`response_days between 1 and 60`))
    .addColumn('prepared_on', 'date', (c) => c.notNull())
    .addColumn('reviewed_on', 'date', (c) => c.check(sql`reviewed_on >= prepared_on`))
    // Parts of the service the host knows are not accessible, one sentence each.
    .addColumn('known_problems', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  // The tenancy migration's default privileges gave amber_tenant every right on new tables.
  await sql`revoke insert, update, delete, truncate on accessibility_statement from amber_tenant`.execute(db);
  await sql`grant select on accessibility_statement to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('accessibility_statement').execute();
}
