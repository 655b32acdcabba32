// Data-sharing agreements and shared priorities (issue 11).
//
// An organisation records an agreement with another organisation that runs Amber (purpose, what is
// shared, legal basis, dates, signatories: the UK practice for sharing between public bodies), and
// under it shares priorities: the reports of chosen periods (with the sections it keeps internal
// left out), chosen indicators, at a level: read, or update (the partner records progress on the
// milestones of actions that name it). Sharing exists only while the agreement is active (today
// between its start and end dates, in UK time, and not revoked) and the share is not revoked.
//
// The database enforces it. When a transaction starts acting for an organisation,
// amber_enter_organisation() works out once which rows are shared with it now and keeps their ids
// in transaction-local settings; permissive policies added to the tables let it read exactly those,
// and write exactly what an update share allows (a milestone's progress on a key action it may
// update, and the audit event of that change).
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
    // Key actions the partner may update besides those naming it (an update share only).
    .addColumn('action_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
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

  // What is shared with the acting organisation now, as the partner sees it (its pages list it).
  await sql`
    create function amber_shared_with_me()
    returns table (share_id uuid, owner_id uuid, priority_id uuid, level text, period_ids uuid[], indicator_ids uuid[], partner_record_id uuid, action_ids uuid[])
    language sql stable security invoker as $$
      select s.id, s.organisation_id, s.priority_id, s.level, s.period_ids, s.indicator_ids, a.partner_record_id, s.action_ids
      from priority_share s join sharing_agreement a on a.id = s.agreement_id
      where a.partner_id = amber_organisation()
        and s.revoked_at is null and a.revoked_at is null
        and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on
    $$`.execute(db);

  // Computed once, when a transaction starts acting for an organisation (the unit of work calls
  // amber_enter_organisation() in the same statement that sets the role): the ids of every row
  // shared with it, kept in transaction-local settings that the policies read as constant arrays
  // (so PostgreSQL uses indexes, and an organisation with no shares pays next to nothing). It runs
  // as the tables' owner (security definer) because it must read the owner's rows to know which
  // are shared; it only ever looks at shares whose partner is the acting organisation.
  await sql`
    create function amber_active_shares(me uuid)
    returns table (owner_id uuid, priority_id uuid, level text, period_ids uuid[], indicator_ids uuid[], partner_record_id uuid, action_ids uuid[])
    language sql stable as $$
      select s.organisation_id, s.priority_id, s.level, s.period_ids, s.indicator_ids, a.partner_record_id, s.action_ids
      from priority_share s join sharing_agreement a on a.id = s.agreement_id
      where a.partner_id = me and s.revoked_at is null and a.revoked_at is null
        and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on
    $$`.execute(db);
  await sql`
    create or replace function amber_enter_organisation() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare
      me uuid := amber_organisation();
      owners uuid[]; update_owners uuid[]; priorities uuid[]; periods uuid[]; indicators uuid[];
      themes uuid[]; plans uuid[]; reports uuid[]; actions uuid[]; partner_actions uuid[]; people uuid[]; records uuid[];
      keep constant text := ',';
    begin
      select array_agg(distinct s.owner_id), array_agg(distinct s.owner_id) filter (where s.level = 'update'),
             array_agg(distinct s.priority_id)
        into owners, update_owners, priorities
        from amber_active_shares(me) s;
      if owners is null then
        return; -- nothing is shared with this organisation: every shared_* setting stays empty
      end if;
      select array_agg(distinct p) into periods from amber_active_shares(me) s, unnest(s.period_ids) p;
      select array_agg(distinct i) into indicators from amber_active_shares(me) s, unnest(s.indicator_ids) i;
      select array_agg(distinct pr.theme_id), array_agg(distinct t.plan_id) into themes, plans
        from priority pr join theme t on t.id = pr.theme_id where pr.id = any(priorities);
      select array_agg(distinct r.id) into reports
        from amber_active_shares(me) s join progress_report r on r.priority_id = s.priority_id and r.period_id = any(s.period_ids);
      select array_agg(distinct a.id) into actions from action a where a.report_id = any(reports);
      -- Key actions the partner may update: in an update share, chosen by the owner or naming the
      -- partner (its record in the owner's list of partners, or a person recorded as employed by it).
      select array_agg(distinct a.id) into partner_actions
        from amber_active_shares(me) s
        join progress_report r on r.priority_id = s.priority_id and r.period_id = any(s.period_ids)
        join action a on a.report_id = r.id
        where s.level = 'update' and (a.id = any(s.action_ids) or exists (
          select 1 from action_contributor c left join person pe on pe.id = c.person_id
          where c.action_id = a.id and s.partner_record_id is not null
            and (c.partner_id = s.partner_record_id or pe.employer_id = s.partner_record_id)));
      select array_agg(distinct x) into people from (
          select c.person_id as x from action_contributor c where c.action_id = any(actions)
          union select pr.accountable_officer_id from priority pr where pr.id = any(priorities)
          union select pr.accountable_director_id from priority pr where pr.id = any(priorities)
        ) named where x is not null;
      select array_agg(distinct c.partner_id) into records
        from action_contributor c where c.action_id = any(actions) and c.partner_id is not null;
      perform set_config('amber.shared_owners', coalesce(array_to_string(owners, keep), ''), true);
      perform set_config('amber.update_owners', coalesce(array_to_string(update_owners, keep), ''), true);
      perform set_config('amber.shared_priorities', coalesce(array_to_string(priorities, keep), ''), true);
      perform set_config('amber.shared_periods', coalesce(array_to_string(periods, keep), ''), true);
      perform set_config('amber.shared_indicators', coalesce(array_to_string(indicators, keep), ''), true);
      perform set_config('amber.shared_themes', coalesce(array_to_string(themes, keep), ''), true);
      perform set_config('amber.shared_plans', coalesce(array_to_string(plans, keep), ''), true);
      perform set_config('amber.shared_reports', coalesce(array_to_string(reports, keep), ''), true);
      perform set_config('amber.shared_actions', coalesce(array_to_string(actions, keep), ''), true);
      perform set_config('amber.partner_actions', coalesce(array_to_string(partner_actions, keep), ''), true);
      perform set_config('amber.shared_people', coalesce(array_to_string(people, keep), ''), true);
      perform set_config('amber.shared_partner_records', coalesce(array_to_string(records, keep), ''), true);
    end $$`.execute(db);
  await sql`revoke all on function amber_enter_organisation() from public`.execute(db);
  await sql`grant execute on function amber_enter_organisation() to amber_tenant`.execute(db);

  const shared = async (table: string, using: ReturnType<typeof sql>) =>
    sql`create policy shared_reads on ${sql.table(table)} for select to amber_tenant using (${using})`.execute(db);
  const ids = (name: string) => sql.raw(`amber_ids('amber.${name}')`);
  await shared('priority', sql`id = any(${ids('shared_priorities')})`);
  await shared('theme', sql`id = any(${ids('shared_themes')})`);
  await shared('plan', sql`id = any(${ids('shared_plans')})`);
  await shared('reporting_period', sql`id = any(${ids('shared_periods')})`);
  await shared('status', sql`organisation_id = any(${ids('shared_owners')})`);
  await shared('progress_report', sql`id = any(${ids('shared_reports')})`);
  for (const table of ['sign_off', 'report_revision', 'report_graph', 'action'])
    await shared(table, sql`report_id = any(${ids('shared_reports')})`);
  for (const table of ['action_contributor', 'milestone'])
    await shared(table, sql`action_id = any(${ids('shared_actions')})`);
  // People: only those named on shared actions, and the shared priorities' accountable officer and director.
  await shared('person', sql`id = any(${ids('shared_people')})`);
  // The owner's partner records named on shared actions (their names show on the actions).
  await shared('organisation', sql`id = any(${ids('shared_partner_records')})`);
  await shared('indicator', sql`id = any(${ids('shared_indicators')})`);
  for (const table of ['indicator_value', 'indicator_priority'])
    await shared(table, sql`indicator_id = any(${ids('shared_indicators')})`);

  // What an update share lets the partner write: progress on milestones of the key actions it may
  // update, and the audit event of that change.
  await sql`create policy shared_writes on milestone for update to amber_tenant
    using (action_id = any(${ids('partner_actions')})) with check (action_id = any(${ids('partner_actions')}))`.execute(
    db,
  );
  await sql`create policy shared_writes on audit_event for insert to amber_tenant
    with check (organisation_id = any(${ids('update_owners')}))`.execute(db);
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
  await sql`drop function if exists amber_shared_with_me()`.execute(db);
  await sql`drop function if exists amber_active_shares(uuid)`.execute(db);
  // Back to the no-op of the tenancy migration.
  await sql`create or replace function amber_enter_organisation() returns void language sql as $$ select $$`.execute(
    db,
  );
  await db.schema.dropTable('priority_share').execute();
  await db.schema.dropTable('sharing_agreement').execute();
}
