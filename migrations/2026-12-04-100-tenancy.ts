// Many organisations in one deployment, kept apart by PostgreSQL itself (issue 11).
//
// 1. An organisation that runs Amber itself (not a partner record another organisation keeps,
//    `managed_by_id` null) has a `slug`: the name its URLs carry (`/o/leeds/priorities`). Existing
//    ones get one made from their short name, else their name.
// 2. An account may be an `operator`: someone who runs the deployment and creates organisations.
// 3. Row-level security on every organisation-owned table. A unit of work that acts for an
//    organisation (every web request, once it knows who is asking) switches to the role
//    `amber_tenant` and sets `amber.organisation_id` for its transaction; the policies below then
//    show and accept only that organisation's rows, whatever a query forgets to say. Connections
//    that have not switched (migrations, the CLI acting for an operator, the job queue's claims,
//    resolving a session) run as the owner of the tables, which row-level security leaves alone.
//
//    Left without policies, because they are read before anyone's organisation is known or belong
//    to a person rather than an organisation: accounts, memberships, sessions, one-time links, API
//    tokens, sign-in attempts and the security log. Their services check them.
//
// `amber_tenant` is a role of the whole PostgreSQL server (shared by every database on it). The
// user Amber connects as must be able to create it once (CREATEROLE), or a DBA creates it first:
//   CREATE ROLE amber_tenant NOLOGIN; GRANT amber_tenant TO <amber's user>;
import { type Kysely, sql } from 'kysely';

/** Tables whose rows are the organisation's own: shown and written only for it. */
const OWN = [
  'action',
  'action_contributor',
  'audit_event',
  'benchmark_set',
  'business_case',
  'business_case_line',
  'business_case_option',
  'gain_share_agreement',
  'gain_share_evaluation',
  'implementation_milestone',
  'implementation_project',
  'indicator',
  'indicator_priority',
  'indicator_value',
  'job',
  'milestone',
  'opportunity',
  'person',
  'plan',
  'priority',
  'progress_report',
  'reminder_sent',
  'report_graph',
  'report_revision',
  'report_risk',
  'reporting_period',
  'risk',
  'savings_entry',
  'sign_off',
  'status',
  'stored_file',
  'theme',
];

/** The diagnostic's data, which a peer may read when its exercise is shared with peers (computed benchmarks). */
const DIAGNOSTIC_DATA = [
  'diagnostic_post',
  'diagnostic_allocation',
  'diagnostic_non_pay',
  'diagnostic_org_unit',
  'diagnostic_volume',
];

const CURRENT = sql.raw('amber_organisation()');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organisation').addColumn('slug', 'text').execute();
  await sql`
    with named as (
      select id,
        coalesce(nullif(trim(both '-' from lower(regexp_replace(coalesce(nullif(short_name, ''), name), '[^A-Za-z0-9]+', '-', 'g'))), ''), 'organisation') as base,
        created_at
      from organisation where managed_by_id is null
    ), numbered as (
      select id, left(base, 50) as base, row_number() over (partition by left(base, 50) order by created_at, id) as n from named
    )
    update organisation o set slug = case when n = 1 then base else base || '-' || n end
    from numbered where numbered.id = o.id`.execute(db);
  await sql`alter table organisation
    add constraint organisation_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 60),
    add constraint organisation_slug_hosted check ((slug is null) = (managed_by_id is not null))`.execute(db);
  await sql`create unique index organisation_slug on organisation (slug) where slug is not null`.execute(db);

  await db.schema
    .alterTable('user_account')
    .addColumn('operator', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  // The role a unit of work acting for an organisation runs as.
  await sql`
    do $$
    begin
      if not exists (select from pg_roles where rolname = 'amber_tenant') then
        begin
          create role amber_tenant nologin;
        exception
          when duplicate_object or unique_violation then null; -- created meanwhile by another database's migration
          when insufficient_privilege then
            raise exception 'Amber needs a database role named amber_tenant for row-level security. Ask your DBA to run: CREATE ROLE amber_tenant NOLOGIN; GRANT amber_tenant TO %; (or give % CREATEROLE once), then start Amber again.', current_user, current_user;
        end;
      end if;
      if not pg_has_role(current_user, 'amber_tenant', 'member') then
        execute format('grant amber_tenant to %I', current_user);
      end if;
    end $$`.execute(db);
  await sql`grant usage on schema ${sql.raw('"' + (await currentSchema(db)) + '"')} to amber_tenant`.execute(db);
  await sql`grant select, insert, update, delete on all tables in schema ${sql.raw('"' + (await currentSchema(db)) + '"')} to amber_tenant`.execute(
    db,
  );
  await sql`grant usage, select on all sequences in schema ${sql.raw('"' + (await currentSchema(db)) + '"')} to amber_tenant`.execute(
    db,
  );
  await sql`alter default privileges in schema ${sql.raw('"' + (await currentSchema(db)) + '"')} grant select, insert, update, delete on tables to amber_tenant`.execute(
    db,
  );
  await sql`alter default privileges in schema ${sql.raw('"' + (await currentSchema(db)) + '"')} grant usage, select on sequences to amber_tenant`.execute(
    db,
  );

  // The organisation a transaction acts for; null (so no rows) when it has not said.
  await sql`
    create function amber_organisation() returns uuid language sql stable parallel safe as
    $$ select nullif(current_setting('amber.organisation_id', true), '')::uuid $$`.execute(db);

  // A setting holding a comma-separated list of ids, as an array ({} when unset): what the sharing
  // policies compare with, once per statement.
  await sql`
    create function amber_ids(setting text) returns uuid[] language sql stable parallel safe as
    $$ select coalesce(string_to_array(nullif(current_setting(setting, true), ''), ',')::uuid[], '{}') $$`.execute(db);
  // Called by the unit of work when it starts acting for an organisation; the sharing migration
  // gives it a body (working out what is shared with the organisation).
  await sql`create function amber_enter_organisation() returns void language sql as $$ select $$`.execute(db);
  // The organisation's own rows are found by these (the policies compare organisation_id).
  await sql`create index if not exists theme_organisation on theme (organisation_id)`.execute(db);
  await sql`create index if not exists plan_organisation on plan (organisation_id)`.execute(db);

  const policies = async (table: string, select: ReturnType<typeof sql>, write: ReturnType<typeof sql>) => {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    // Permissive policies are combined with OR: SELECT sees `select` (which includes `write`);
    // INSERT, UPDATE and DELETE see and accept only `write`.
    await sql`create policy organisation_reads on ${sql.table(table)} for select to amber_tenant using (${select})`.execute(
      db,
    );
    await sql`create policy organisation_writes on ${sql.table(table)} for all to amber_tenant using (${write}) with check (${write})`.execute(
      db,
    );
  };
  const own = sql`organisation_id = ${CURRENT}`;
  for (const table of OWN) await policies(table, own, own);

  // Organisations: those running Amber are a directory (names only); partner records belong to
  // the organisation that keeps them.
  await policies(
    'organisation',
    sql`managed_by_id is null or id = ${CURRENT} or managed_by_id = ${CURRENT}`,
    sql`id = ${CURRENT} or managed_by_id = ${CURRENT}`,
  );
  // The diagnostic: the shipped taxonomy is everyone's; an exercise shared with peers (and its
  // data) may be read by them for computed benchmarks, never written.
  await policies('diagnostic_exercise', sql`organisation_id = ${CURRENT} or share_with_peers`, own);
  for (const table of DIAGNOSTIC_DATA)
    await policies(
      table,
      sql`organisation_id = ${CURRENT} or exercise_id in (select id from diagnostic_exercise where share_with_peers)`,
      own,
    );
  await policies(
    'diagnostic_taxonomy_version',
    sql`organisation_id is null or organisation_id = ${CURRENT} or id in (select taxonomy_version_id from diagnostic_exercise where share_with_peers)`,
    own,
  );
  for (const table of ['diagnostic_taxonomy_function', 'diagnostic_taxonomy_process'])
    await policies(
      table,
      sql`taxonomy_version_id in (select id from diagnostic_taxonomy_version)`,
      sql`taxonomy_version_id in (select id from diagnostic_taxonomy_version where organisation_id = ${CURRENT})`,
    );
}

async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(db);
  return rows[0]!.s;
}

export async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    ...OWN,
    ...DIAGNOSTIC_DATA,
    'organisation',
    'diagnostic_exercise',
    'diagnostic_taxonomy_version',
    'diagnostic_taxonomy_function',
    'diagnostic_taxonomy_process',
  ];
  for (const table of tables) {
    await sql`drop policy if exists organisation_reads on ${sql.table(table)}`.execute(db);
    await sql`drop policy if exists organisation_writes on ${sql.table(table)}`.execute(db);
    await sql`alter table ${sql.table(table)} disable row level security`.execute(db);
  }
  await sql`drop function if exists amber_enter_organisation()`.execute(db);
  await sql`drop function if exists amber_ids(text)`.execute(db);
  await sql`drop index if exists theme_organisation`.execute(db);
  await sql`drop index if exists plan_organisation`.execute(db);
  await sql`drop function if exists amber_organisation()`.execute(db);
  await db.schema.alterTable('user_account').dropColumn('operator').execute();
  await sql`drop index if exists organisation_slug`.execute(db);
  await db.schema.alterTable('organisation').dropColumn('slug').execute();
}
