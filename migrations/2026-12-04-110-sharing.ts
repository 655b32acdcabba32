// Data-sharing agreements and shared priorities (issue 11).
//
// An organisation records an agreement with another organisation that runs Amber (purpose, what is
// shared, legal basis, dates, signatories: the UK practice for sharing between public bodies), and
// under it shares priorities: the reports of chosen periods (with the sections it keeps internal
// left out), chosen indicators, at a level: read, or update (the partner records progress on the
// milestones of actions that name it). Sharing exists only while the agreement is active (today
// between its start and end dates, in UK time, and not revoked) and the share is not revoked.
//
// The database enforces it. Functions list, for the organisation a transaction acts for, what is
// shared with it now; permissive policies added to the tables let it read exactly that, and write
// exactly what an update share allows (a milestone's progress on an action naming it, and the audit
// event of that change). They run as the caller (security invoker), so the owner's row-level
// security on the shares themselves applies inside them too.
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sharing_agreement')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    // The organisation shared with: one that runs Amber itself.
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    // How the sharing organisation names that partner on its key actions (its own partner record).
    .addColumn('partner_record_id', 'uuid', (c) => c.references('organisation.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('data_shared', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text', (c) => c.notNull())
    .addColumn('starts_on', 'date', (c) => c.notNull())
    .addColumn('ends_on', 'date', (c) => c.notNull())
    .addColumn('signatories', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .addColumn('revoked_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addCheckConstraint('sharing_agreement_dates', sql`ends_on >= starts_on`)
    .addCheckConstraint('sharing_agreement_not_self', sql`partner_id <> organisation_id`)
    .execute();
  await db.schema
    .createIndex('sharing_agreement_organisation')
    .on('sharing_agreement')
    .column('organisation_id')
    .execute();
  await db.schema.createIndex('sharing_agreement_partner').on('sharing_agreement').column('partner_id').execute();

  await db.schema
    .createTable('priority_share')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('agreement_id', 'uuid', (c) => c.notNull().references('sharing_agreement.id').onDelete('cascade'))
    .addColumn('priority_id', 'uuid', (c) => c.notNull().references('priority.id').onDelete('cascade'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('read', 'update')`))
    .addColumn('period_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('indicator_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // Sections of the reports kept internal: not shown to the partner.
    .addColumn('internal_sections', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`create unique index priority_share_one_live on priority_share (agreement_id, priority_id) where revoked_at is null`.execute(
    db,
  );
  await db.schema.createIndex('priority_share_organisation').on('priority_share').column('organisation_id').execute();

  await sql`alter table sharing_agreement enable row level security`.execute(db);
  await sql`create policy organisation_reads on sharing_agreement for select to amber_tenant
    using (organisation_id = ${CURRENT} or partner_id = ${CURRENT})`.execute(db);
  await sql`create policy organisation_writes on sharing_agreement for all to amber_tenant
    using (organisation_id = ${CURRENT}) with check (organisation_id = ${CURRENT})`.execute(db);
  await sql`alter table priority_share enable row level security`.execute(db);
  await sql`create policy organisation_reads on priority_share for select to amber_tenant
    using (organisation_id = ${CURRENT} or agreement_id in (select id from sharing_agreement where partner_id = ${CURRENT}))`.execute(
    db,
  );
  await sql`create policy organisation_writes on priority_share for all to amber_tenant
    using (organisation_id = ${CURRENT}) with check (organisation_id = ${CURRENT})`.execute(db);
  await sql`grant select, insert, update, delete on sharing_agreement, priority_share to amber_tenant`.execute(db);

  // What is shared with the acting organisation now.
  await sql`
    create function amber_shared_with_me()
    returns table (share_id uuid, owner_id uuid, priority_id uuid, level text, period_ids uuid[], indicator_ids uuid[], partner_record_id uuid)
    language sql stable security invoker as $$
      select s.id, s.organisation_id, s.priority_id, s.level, s.period_ids, s.indicator_ids, a.partner_record_id
      from priority_share s join sharing_agreement a on a.id = s.agreement_id
      where a.partner_id = amber_organisation()
        and s.revoked_at is null and a.revoked_at is null
        and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on
    $$`.execute(db);
  await sql`
    create function amber_shared_reports() returns setof uuid language sql stable security invoker as $$
      select pr.id from amber_shared_with_me() s
      join progress_report pr on pr.priority_id = s.priority_id and pr.period_id = any(s.period_ids)
    $$`.execute(db);
  await sql`
    create function amber_shared_actions() returns setof uuid language sql stable security invoker as $$
      select a.id from amber_shared_reports() r join action a on a.report_id = r
    $$`.execute(db);
  // Actions the partner may update: in an update share, naming the partner (its record in the
  // owner's list of partners, or a person the owner records as employed by it).
  await sql`
    create function amber_partner_actions() returns setof uuid language sql stable security invoker as $$
      select distinct a.id
      from amber_shared_with_me() s
      join progress_report pr on pr.priority_id = s.priority_id and pr.period_id = any(s.period_ids)
      join action a on a.report_id = pr.id
      join action_contributor c on c.action_id = a.id
      left join person pe on pe.id = c.person_id
      where s.level = 'update' and s.partner_record_id is not null
        and (c.partner_id = s.partner_record_id or pe.employer_id = s.partner_record_id)
    $$`.execute(db);

  const shared = async (table: string, using: ReturnType<typeof sql>) =>
    sql`create policy shared_reads on ${sql.table(table)} for select to amber_tenant using (${using})`.execute(db);
  await shared('priority', sql`id in (select priority_id from amber_shared_with_me())`);
  await shared(
    'theme',
    sql`id in (select theme_id from priority where id in (select priority_id from amber_shared_with_me()))`,
  );
  await shared(
    'plan',
    sql`id in (select plan_id from theme where id in (select theme_id from priority where id in (select priority_id from amber_shared_with_me())))`,
  );
  await shared('reporting_period', sql`id in (select unnest(period_ids) from amber_shared_with_me())`);
  await shared('status', sql`organisation_id in (select owner_id from amber_shared_with_me())`);
  await shared(
    'progress_report',
    // Uncorrelated, so PostgreSQL computes it once per query (a hashed sub-plan), not once per row.
    sql`(priority_id, period_id) in (select s.priority_id, unnest(s.period_ids) from amber_shared_with_me() s)`,
  );
  for (const table of ['sign_off', 'report_revision', 'report_graph'])
    await shared(table, sql`report_id in (select amber_shared_reports())`);
  await shared('action', sql`report_id in (select amber_shared_reports())`);
  for (const table of ['action_contributor', 'milestone'])
    await shared(table, sql`action_id in (select amber_shared_actions())`);
  // People: only those named on shared actions, and the shared priorities' accountable officer and director.
  await shared(
    'person',
    sql`id in (select person_id from action_contributor where action_id in (select amber_shared_actions()))
      or id in (select accountable_officer_id from priority where id in (select priority_id from amber_shared_with_me()))
      or id in (select accountable_director_id from priority where id in (select priority_id from amber_shared_with_me()))`,
  );
  // The owner's partner records named on shared actions (their names show on the actions).
  await shared(
    'organisation',
    sql`id in (select partner_id from action_contributor where action_id in (select amber_shared_actions()))`,
  );
  for (const table of ['indicator', 'indicator_value', 'indicator_priority'])
    await shared(
      table,
      sql`${sql.ref(table === 'indicator' ? 'id' : 'indicator_id')} in (select unnest(indicator_ids) from amber_shared_with_me())`,
    );

  // What an update share lets the partner write: progress on milestones of actions naming it, and its audit event.
  await sql`create policy shared_writes on milestone for update to amber_tenant
    using (action_id in (select amber_partner_actions())) with check (action_id in (select amber_partner_actions()))`.execute(
    db,
  );
  await sql`create policy shared_writes on audit_event for insert to amber_tenant
    with check (organisation_id in (select owner_id from amber_shared_with_me() where level = 'update'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop policy if exists shared_writes on audit_event`.execute(db);
  await sql`drop policy if exists shared_writes on milestone`.execute(db);
  for (const table of [
    'priority',
    'theme',
    'plan',
    'reporting_period',
    'status',
    'progress_report',
    'sign_off',
    'report_revision',
    'report_graph',
    'action',
    'action_contributor',
    'milestone',
    'person',
    'organisation',
    'indicator',
    'indicator_value',
    'indicator_priority',
  ])
    await sql`drop policy if exists shared_reads on ${sql.table(table)}`.execute(db);
  for (const fn of ['amber_partner_actions', 'amber_shared_actions', 'amber_shared_reports', 'amber_shared_with_me'])
    await sql`drop function if exists ${sql.raw(fn)}()`.execute(db);
  await db.schema.dropTable('priority_share').execute();
  await db.schema.dropTable('sharing_agreement').execute();
}
