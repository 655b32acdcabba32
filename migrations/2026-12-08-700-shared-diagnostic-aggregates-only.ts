// A diagnostic exercise shared with peers shares its per-function figures, never its rows (issue 11/12).
//
// The tenancy migration let every organisation read a sharing exercise (`share_with_peers`) and all
// of its data — posts with their pay, allocations, non-pay lines, org units, volumes and its
// taxonomy — because peers' benchmarks were computed from those rows in the peer's own transaction.
// The form promises "no post-level data is shared". Now:
//
// - the exercise, its data and its taxonomy are the organisation's own, like every other table;
// - `diagnostic_peer_function` holds what sharing discloses: each function's cost (pay, non-pay),
//   FTE and share of running costs, worked out by the owner's own transaction from the same
//   computation as its baseline, for one version of the exercise. It is the owner's too;
// - peers read those figures only through `amber_peer_figures(year)` (security definer, owned by
//   the tables' owner, fixed search_path): the figures of exercises shared now, at their current
//   version (a figure stored before the last change is never served), never the caller's own.
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');

/** The diagnostic's data, readable by peers of a sharing exercise until now. */
const DIAGNOSTIC_DATA = [
  'diagnostic_post',
  'diagnostic_allocation',
  'diagnostic_non_pay',
  'diagnostic_org_unit',
  'diagnostic_volume',
];

async function reads(db: Kysely<any>, table: string, using: ReturnType<typeof sql>): Promise<void> {
  await sql`drop policy if exists organisation_reads on ${sql.table(table)}`.execute(db);
  await sql`create policy organisation_reads on ${sql.table(table)} for select to amber_tenant using (${using})`.execute(
    db,
  );
}

export async function up(db: Kysely<any>): Promise<void> {
  const own = sql`organisation_id = ${CURRENT}`;
  await reads(db, 'diagnostic_exercise', own);
  for (const table of DIAGNOSTIC_DATA) await reads(db, table, own);
  // The shipped taxonomy stays everyone's; an organisation's extension is its own.
  await reads(db, 'diagnostic_taxonomy_version', sql`organisation_id is null or organisation_id = ${CURRENT}`);

  await db.schema
    .createTable('diagnostic_peer_function')
    .addColumn('exercise_id', 'uuid', (c) => c.notNull().references('diagnostic_exercise.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    // The exercise's version these figures were worked out from.
    .addColumn('exercise_version', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    // Pence, and FTE in ten-thousandths, as the rest of the diagnostic.
    .addColumn('cost', 'bigint', (c) => c.notNull())
    .addColumn('pay_cost', 'bigint', (c) => c.notNull())
    .addColumn('non_pay_cost', 'bigint', (c) => c.notNull())
    .addColumn('fte', 'bigint', (c) => c.notNull())
    // Null when the exercise's running costs are 0.
    .addColumn('share_of_running_costs', 'double precision')
    .addPrimaryKeyConstraint('diagnostic_peer_function_pk', ['exercise_id', 'code'])
    .execute();
  await sql`grant select, insert, update, delete on diagnostic_peer_function to amber_tenant`.execute(db);
  await sql`alter table diagnostic_peer_function enable row level security`.execute(db);
  await sql`create policy organisation_reads on diagnostic_peer_function for select to amber_tenant using (${own})`.execute(
    db,
  );
  await sql`create policy organisation_writes on diagnostic_peer_function for all to amber_tenant using (${own}) with check (${own})`.execute(
    db,
  );

  // The owner's connection (migrations, the CLI, the job queue acting for nobody) gets every shared
  // exercise's figures, as it reads every table; a transaction acting for an organisation gets
  // other organisations' only; one with the tenant role but no organisation gets none.
  await sql`
    create function amber_peer_figures(year integer)
    returns table (
      organisation_id uuid, exercise_id uuid, exercise_version integer, running_costs bigint, headcount integer,
      code text, name text, cost bigint, pay_cost bigint, non_pay_cost bigint, fte bigint,
      share_of_running_costs double precision
    )
    language sql stable security definer set search_path from current as $$
      select e.organisation_id, e.id, e.version, e.running_costs, e.headcount,
        f.code, f.name, f.cost, f.pay_cost, f.non_pay_cost, f.fte, f.share_of_running_costs
      from diagnostic_exercise e
      join diagnostic_peer_function f on f.exercise_id = e.id and f.exercise_version = e.version
      where e.share_with_peers and e.financial_year = year
        and case when amber_organisation() is null then current_setting('role') = 'none'
                 else e.organisation_id <> amber_organisation() end
      order by e.organisation_id, e.created_at, e.id, f.position
    $$`.execute(db);
  await sql`revoke all on function amber_peer_figures(integer) from public`.execute(db);
  await sql`grant execute on function amber_peer_figures(integer) to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists amber_peer_figures(integer)`.execute(db);
  await db.schema.dropTable('diagnostic_peer_function').ifExists().execute();
  const shared = sql`organisation_id = ${CURRENT} or exercise_id in (select id from diagnostic_exercise where share_with_peers)`;
  await reads(db, 'diagnostic_exercise', sql`organisation_id = ${CURRENT} or share_with_peers`);
  for (const table of DIAGNOSTIC_DATA) await reads(db, table, shared);
  await reads(
    db,
    'diagnostic_taxonomy_version',
    sql`organisation_id is null or organisation_id = ${CURRENT} or id in (select taxonomy_version_id from diagnostic_exercise where share_with_peers)`,
  );
}
