// A benchmarking club never publishes a quartile that is one member's own figure (issue 11, ADR 0016).
//
// The club's quartiles are PERCENTILE.INC's (rank (n − 1)k, interpolated). With exactly 5 members
// the ranks are whole: the 25th percentile, the median and the 75th percentile are the 2nd, 3rd and
// 4th members' own figures, so every member learnt three other figures exactly and only the lowest
// and highest stayed hidden. The same happens at 9, 13, … members, and whenever two members' figures
// tie at a quartile. amber_club_statistics now withholds a metric's statistics whenever its 25th or
// 75th percentile (one of which is the "best quartile") equals a counted member's figure, and says
// why in a new column, `withheld` ('too-few', 'not-comparable', 'members-figures', or null when shown).
// The median of an odd number of members is always its middle member's figure, under any
// definition of a median; it is published with quartiles that are not (ADR 0016 says why).
import { type Kysely, sql } from 'kysely';

const COUNTED = sql.raw(`
        select f.metric, f.label, f.unit, f.direction, f.period, f.value
        from club_figure f
        join club_member m on m.club_id = f.club_id and m.organisation_id = f.organisation_id
        where f.club_id = club and exists (select 1 from allowed)
          and f.withdrawn_at is null and m.joined_at is not null and m.left_at is null
          and (f.embargo_until is null or f.embargo_until <= (now() at time zone 'Europe/London')::date)`);

const ALLOWED = sql.raw(`
        select 1 from benchmark_club b where b.id = club and (
          b.organisation_id = amber_organisation()
          or exists (select 1 from club_member m where m.club_id = club and m.organisation_id = amber_organisation()
                     and m.joined_at is not null and m.left_at is null))`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists amber_club_statistics(uuid)`.execute(db);
  await sql`
    create function amber_club_statistics(club uuid)
    returns table (metric text, label text, unit text, direction text, period text, n integer,
                   p25 numeric, p50 numeric, p75 numeric, withheld text)
    language sql stable security definer set search_path from current as $$
      with allowed as (${ALLOWED}
      ), figures as (${COUNTED}
      ), counted as (
        -- Members name a shared metric their own way: the label shown is theirs only when they agree.
        -- Members who disagree on its unit or on which way is better are not comparable: withheld.
        select f.metric, case when count(distinct f.label) = 1 then max(f.label) else f.metric end as label,
               max(f.unit) as unit, max(f.direction) as direction, f.period,
               count(*)::int as n,
               count(distinct f.direction) = 1 and count(distinct f.unit) = 1 as comparable,
               percentile_cont(0.25) within group (order by f.value) as p25,
               percentile_cont(0.5) within group (order by f.value) as p50,
               percentile_cont(0.75) within group (order by f.value) as p75
        from figures f
        group by f.metric, f.period
      ), judged as (
        select c.*, case
          when c.n < 5 then 'too-few'
          when not c.comparable then 'not-comparable'
          -- A quartile boundary landing on a member's own figure would publish that figure.
          when exists (select 1 from figures f where f.metric = c.metric and f.period = c.period
                         and (f.value::float8 = c.p25 or f.value::float8 = c.p75)) then 'members-figures'
        end as withheld
        from counted c
      )
      select metric, label, unit, direction, period, n,
             case when withheld is null then p25::numeric end,
             case when withheld is null then p50::numeric end,
             case when withheld is null then p75::numeric end,
             withheld
      from judged order by metric, period
    $$`.execute(db);
  await sql`revoke all on function amber_club_statistics(uuid) from public`.execute(db);
  await sql`grant execute on function amber_club_statistics(uuid) to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists amber_club_statistics(uuid)`.execute(db);
  await sql`
    create function amber_club_statistics(club uuid)
    returns table (metric text, label text, unit text, direction text, period text, n integer, p25 numeric, p50 numeric, p75 numeric)
    language sql stable security definer set search_path from current as $$
      with allowed as (${ALLOWED}
      ), counted as (
        select f.metric, case when count(distinct f.label) = 1 then max(f.label) else f.metric end as label,
               max(f.unit) as unit, max(f.direction) as direction, f.period,
               count(*)::int as n,
               count(distinct f.direction) = 1 and count(distinct f.unit) = 1 as comparable,
               percentile_cont(0.25) within group (order by f.value) as p25,
               percentile_cont(0.5) within group (order by f.value) as p50,
               percentile_cont(0.75) within group (order by f.value) as p75
        from (${COUNTED}) f
        group by f.metric, f.period
      )
      select metric, label, unit, direction, period, n,
             case when n >= 5 and comparable then p25::numeric end,
             case when n >= 5 and comparable then p50::numeric end,
             case when n >= 5 and comparable then p75::numeric end
      from counted order by metric, period
    $$`.execute(db);
  await sql`revoke all on function amber_club_statistics(uuid) from public`.execute(db);
  await sql`grant execute on function amber_club_statistics(uuid) to amber_tenant`.execute(db);
}
