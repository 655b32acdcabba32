// Isolation that does not depend on every query remembering a WHERE clause (issue 11): a unit of
// work acting for an organisation sees and writes only that organisation's rows, in PostgreSQL
// itself, on both engines — even with SQL that names no organisation at all.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine } from './helpers/database.ts';
import { insertOrganisation, insertPriority } from './builders/index.ts';

/** Read before anyone's organisation is known, or a person's rather than an organisation's: their services check them. */
const IDENTITY_TABLES = ['membership', 'user_session', 'api_token', 'security_event'];

describeOnEachEngine('row-level security', (t) => {
  it('protects every table with an organisation_id, except the identity tables', async () => {
    const { rows } = await sql<{ table_name: string; rls: boolean }>`
      select c.table_name, cl.relrowsecurity as rls
      from information_schema.columns c
      join pg_class cl on cl.relname = c.table_name and cl.relnamespace = (select oid from pg_namespace where nspname = current_schema())
      where c.table_schema = current_schema() and c.column_name = 'organisation_id'
      order by 1`.execute(t().db);
    assert.ok(rows.length > 40, `only ${rows.length} tables found`);
    const unprotected = rows.filter((r) => !r.rls && !IDENTITY_TABLES.includes(r.table_name)).map((r) => r.table_name);
    assert.deepEqual(unprotected, [], 'tables with organisation rows but no row-level security');
    for (const table of ['organisation', 'diagnostic_taxonomy_function', 'diagnostic_taxonomy_process']) {
      const r = await sql<{
        rls: boolean;
      }>`select relrowsecurity as rls from pg_class where relname = ${table}`.execute(t().db);
      assert.equal(r.rows[0]?.rls, true, table);
    }
  });

  it('reads the acting organisation and the shared ids once per statement in every policy, never once per row', async () => {
    // Bare, these SQL functions are inlined and evaluated again for every row a scan reads; in a
    // subquery each is an InitPlan, computed once (migrations/2026-12-12-100-policies-read-settings-once.ts).
    const { rows } = await sql<{
      tablename: string;
      policyname: string;
      qual: string | null;
      with_check: string | null;
    }>`
      select tablename, policyname, qual, with_check from pg_policies
      where schemaname = current_schema() order by tablename, policyname`.execute(t().db);
    assert.ok(rows.length > 100, `only ${rows.length} policies found`);
    const bare = rows.flatMap((p) =>
      [p.qual, p.with_check]
        .filter((e): e is string => e !== null && /(?<!SELECT )amber_(organisation|ids)\(/.test(e))
        .map((e) => `${p.tablename}.${p.policyname}: ${e.slice(0, 120)}`),
    );
    assert.deepEqual(bare, [], 'policies that call amber_organisation() or amber_ids() for every row');
    // And the planner does so: a priority looked up by its code, in an organisation of several.
    const { services, units } = t();
    const a = await insertOrganisation(services);
    for (let i = 0; i < 3; i++) await insertPriority(services, a, { code: `ONCE-${i}` });
    const plan = await units.run(
      async () => {
        const { rows: lines } = await sql<{ 'QUERY PLAN': string }>`
          explain (costs off) select id from priority where lower(code) = ${'once-1'}`.execute(units.db);
        return lines.map((l) => l['QUERY PLAN']).join('\n');
      },
      { organisationId: a.organisationId },
    );
    assert.match(plan, /InitPlan/, plan);
    assert.doesNotMatch(plan, /current_setting/, plan);
  });

  it('shows a query without the organisation condition only the current organisation’s rows', async () => {
    const { services, units } = t();
    const a = await insertOrganisation(services);
    const b = await insertOrganisation(services);
    const pa = await insertPriority(services, a);
    const pb = await insertPriority(services, b);

    const seen = await units.run(
      async () =>
        (await sql<{ id: string; organisation_id: string }>`select id, organisation_id from priority`.execute(units.db))
          .rows,
      { organisationId: a.organisationId },
    );
    assert.ok(seen.some((r) => r.id === pa.id));
    assert.ok(!seen.some((r) => r.id === pb.id), 'another organisation’s priority was visible');
    assert.ok(seen.every((r) => r.organisation_id === a.organisationId));

    // Joins, counts and sub-queries are filtered too.
    const counted = await units.run(
      async () =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from audit_event where organisation_id = ${b.organisationId}`.execute(units.db)
        ).rows[0]!.n,
      { organisationId: a.organisationId },
    );
    assert.equal(counted, 0);

    // Without acting for anyone (an operator's CLI, migrations), the owner sees both.
    const all = await units.run(
      async () => (await sql<{ id: string }>`select id from priority`.execute(units.db)).rows,
    );
    assert.ok(all.some((r) => r.id === pb.id) && all.some((r) => r.id === pa.id));
  });

  it('refuses to write another organisation’s rows and changes none of them', async () => {
    const { services, units, db } = t();
    const a = await insertOrganisation(services);
    const b = await insertOrganisation(services);
    const pb = await insertPriority(services, b);

    const updated = await units.run(
      async () =>
        (await sql`update priority set title = 'taken' where id = ${pb.id}`.execute(units.db)).numAffectedRows,
      { organisationId: a.organisationId },
    );
    assert.equal(updated, 0n);
    const deleted = await units.run(
      async () =>
        (await sql`delete from reporting_period where organisation_id = ${b.organisationId}`.execute(units.db))
          .numAffectedRows,
      { organisationId: a.organisationId },
    );
    assert.equal(deleted, 0n);
    await assert.rejects(
      units.run(
        () =>
          sql`insert into plan (organisation_id, title, first_year, last_year) values (${b.organisationId}, 'forged', 2009, 2010)`.execute(
            units.db,
          ),
        { organisationId: a.organisationId },
      ),
      /row-level security/,
    );
    // Moving one's own row into another organisation is refused too.
    const pa = await insertPriority(services, a);
    await assert.rejects(
      units.run(
        () => sql`update priority set organisation_id = ${b.organisationId} where id = ${pa.id}`.execute(units.db),
        {
          organisationId: a.organisationId,
        },
      ),
      /row-level security/,
    );
    const after = await db
      .selectFrom('priority')
      .select(['title', 'organisation_id'])
      .where('id', '=', pb.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.title, 'A test priority');
    assert.equal(after.organisation_id, b.organisationId);
  });

  it('acts for an organisation from the middle of a unit, once, and never for a second one', async () => {
    const { services, units } = t();
    const a = await insertOrganisation(services);
    const b = await insertOrganisation(services);
    await insertPriority(services, b);
    await units.run(async () => {
      // Before: the owner (resolving who is asking happens here).
      const before = (
        await sql<{
          n: number;
        }>`select count(*)::int as n from priority where organisation_id = ${b.organisationId}`.execute(units.db)
      ).rows[0]!.n;
      assert.ok(before > 0);
      await units.current()!.actFor(a.organisationId);
      const afterwards = (
        await sql<{
          n: number;
        }>`select count(*)::int as n from priority where organisation_id = ${b.organisationId}`.execute(units.db)
      ).rows[0]!.n;
      assert.equal(afterwards, 0);
      await units.current()!.actFor(a.organisationId); // the same again: nothing to do
      await assert.rejects(units.current()!.actFor(b.organisationId), /acts for organisation/);
      await assert.rejects(units.current()!.actFor("x'; drop table priority; --"), /Not an organisation id/);
    });
  });

  it('lets the organisation read partner records it keeps and the directory of organisations, and write only its own', async () => {
    const { services, units } = t();
    const a = await insertOrganisation(services);
    const b = await insertOrganisation(services);
    const partnerOfB = await services.organisations.createPartner(b, { name: 'A partner of B', kind: 'private' });
    const partnerOfA = await services.organisations.createPartner(a, { name: 'A partner of A', kind: 'private' });
    const visible = await units.run(
      async () => (await sql<{ id: string }>`select id from organisation`.execute(units.db)).rows.map((r) => r.id),
      { organisationId: a.organisationId },
    );
    assert.ok(visible.includes(a.organisationId) && visible.includes(b.organisationId), 'the directory');
    assert.ok(visible.includes(partnerOfA.id));
    assert.ok(!visible.includes(partnerOfB.id), 'another organisation’s partner record');
    const renamed = await units.run(
      async () =>
        (await sql`update organisation set name = 'renamed' where id = ${b.organisationId}`.execute(units.db))
          .numAffectedRows,
      { organisationId: a.organisationId },
    );
    assert.equal(renamed, 0n);
  });
});
