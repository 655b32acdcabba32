// Every row-level security policy reads the acting organisation and the shared ids once per
// statement, not once per row (issue 14, "fast pages"). The policies compared each row with
// `amber_organisation()` or `amber_ids('amber.shared_…')`, SQL functions PostgreSQL inlines: where
// it scans a table rather than an index, it evaluated `current_setting`, `string_to_array` and the
// cast to uuid[] again for every row (a priority looked up by its code in an organisation of 287
// scanned all 287 so). Wrapped in a scalar subquery, each is an InitPlan: computed once when the
// statement starts, and still usable as an index condition. The rows each policy lets through are
// the same: the settings are transaction-local and never change while a statement runs.
//
// Done on the policies as PostgreSQL holds them (pg_policies), so that every policy made by the
// migrations before this one changes alike; test/row-level-security.test.ts fails on a policy
// that calls either function bare, so that a later one is written the same way.
import { sql, type Kysely } from 'kysely';

interface Policy {
  tablename: string;
  policyname: string;
  qual: string | null;
  with_check: string | null;
}

// As PostgreSQL prints a policy's expression: `amber_organisation()`, `amber_ids('amber.x'::text)`;
// wrapped, `( SELECT amber_organisation() AS amber_organisation)` and
// `( SELECT amber_ids('amber.x'::text) AS amber_ids)::uuid[]`.
const BARE_ORGANISATION = /(?<!SELECT )amber_organisation\(\)/g;
const BARE_IDS = /(?<!SELECT )amber_ids\('([a-z_.]+)'::text\)/g;
const WRAPPED_ORGANISATION = /\( SELECT amber_organisation\(\) AS amber_organisation\)/g;
const WRAPPED_IDS = /\( SELECT amber_ids\('([a-z_.]+)'::text\) AS amber_ids\)::uuid\[\]/g;

const once = (expression: string) =>
  expression
    .replace(BARE_ORGANISATION, '(select amber_organisation())')
    // Cast, so that `id = ANY (…)` compares with the array the subquery gives, not with its rows.
    .replace(BARE_IDS, (_, setting: string) => `((select amber_ids('${setting}'::text))::uuid[])`);
const perRow = (expression: string) =>
  expression
    .replace(WRAPPED_ORGANISATION, 'amber_organisation()')
    .replace(WRAPPED_IDS, (_, setting: string) => `amber_ids('${setting}'::text)`);

async function rewrite(db: Kysely<any>, change: (expression: string) => string): Promise<void> {
  const { rows } = await sql<Policy>`
    select tablename, policyname, qual, with_check from pg_policies
    where schemaname = current_schema() order by tablename, policyname`.execute(db);
  for (const p of rows) {
    const using = p.qual === null ? null : change(p.qual);
    const check = p.with_check === null ? null : change(p.with_check);
    if (using === p.qual && check === p.with_check) continue;
    await sql`alter policy ${sql.id(p.policyname)} on ${sql.table(p.tablename)}
      ${using === null ? sql`` : sql`using (${sql.raw(using)})`}
      ${check === null ? sql`` : sql`with check (${sql.raw(check)})`}`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await rewrite(db, once);
}

export async function down(db: Kysely<any>): Promise<void> {
  await rewrite(db, perRow);
}
