// Sharing an exercise with every organisation ends (issue 11, ADR 0018). Peers' benchmarks have
// come from benchmarking clubs only since 2026-12-09 (migration 2026-12-09-500-*), to which a
// council contributes a baseline by consent; no benchmark read the pool of figures that exercises
// ticked "share with peers" put in `diagnostic_peer_function`, yet every organisation could still
// read it through `amber_peer_figures(year)`. Since then no exercise could start sharing and the
// pages told the councils that still did that the setting was retired.
//
// Each exercise that still shares gets an audit event saying that it stopped, and why, so the
// record of what its council agreed stays in its history (the history page and the audit CSV show
// "Share with peers: Yes → No"); then no exercise shares, the pool is emptied and its door,
// `amber_peer_figures`, is dropped. The exercises' versions do not move: nothing their owners see
// has changed. Nothing is copied into a club: a council that wants peers to compare with it
// contributes its baseline to a club it chose.
//
// The column and the table stay, unused and empty, for one release: an instance of the previous
// Amber still serving during a rolling upgrade (docs/operations.md) reads the column and clears its
// exercise's rows in the table at each change, and would fail on a database without them. Nothing
// of this Amber reads them; a migration of a later release drops both. The previous Amber calls
// `amber_peer_figures` nowhere (its efficiency service stopped reading the pool on 2026-12-09).
//
// Down brings the function back; what the councils had chosen is in the audit trail, not brought
// back behind their backs.
import { type Kysely, sql } from 'kysely';

const WHAT = 'Sharing with every organisation ended: the setting was retired (ADR 0018)';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into audit_event (organisation_id, actor, entity, entity_id, action, before, after)
    select organisation_id, 'Amber upgrade', 'diagnostic_exercise', id, 'update',
      jsonb_build_object('what', ${WHAT}::text, 'shareWithPeers', true),
      jsonb_build_object('what', ${WHAT}::text, 'shareWithPeers', false)
    from diagnostic_exercise
    where share_with_peers
    order by organisation_id, created_at, id`.execute(db);
  await sql`update diagnostic_exercise set share_with_peers = false where share_with_peers`.execute(db);
  await sql`delete from diagnostic_peer_function`.execute(db);
  await sql`drop function amber_peer_figures(integer)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
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
