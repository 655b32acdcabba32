// The embedded database's vacuum and analyze (src/platform/db/pglite-upkeep.ts), which PGlite has
// no autovacuum to do: every table analyzed and vacuumed when due (a day since, or never), not
// again until then, with the event loop turning between tables; and the planner reading a page of
// the audit trail by its index once it has statistics, where before it read and sorted every event.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startPgliteUpkeep } from '../src/platform/db/pglite-upkeep.ts';

describe('the embedded database vacuumed and analyzed, as autovacuum would on a server', () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('pglite', {}, { demo: true });
  });
  after(async () => t?.close());

  const neverAnalyzed = async () =>
    (
      await sql<{ name: string }>`select relname as name from pg_class
        where relnamespace = 'public'::regnamespace and relkind = 'r' and reltuples < 0 order by relname`.execute(t.db)
    ).rows.map((r) => r.name);

  /** How PGlite plans the first page of an organisation's audit trail, as the export reads it. */
  const auditPagePlan = async (organisationId: string) =>
    (
      await sql<{ 'QUERY PLAN': string }>`explain select id, occurred_at, before, after from audit_event
        where organisation_id = ${organisationId} order by occurred_at desc, id desc limit 1000`.execute(t.db)
    ).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');

  it('analyzes and vacuums every table when due, then not again for a day, letting the event loop turn', async () => {
    const organisationId = (await t.services.organisations.getHome()).id;
    await sql`insert into audit_event (organisation_id, actor, entity, entity_id, action)
      select ${organisationId}, 'Pat Officer', 'indicator_value', gen_random_uuid(), 'import'
      from generate_series(1, 20000)`.execute(t.db);
    assert.ok((await neverAnalyzed()).includes('audit_event'), 'PGlite never analyzes a table itself');
    assert.match(await auditPagePlan(organisationId), /Sort/, 'without statistics a page sorts every event');

    // PGlite stamps each table's vacuum by the real clock: the upkeep's is set from it.
    let clock = new Date();
    const lines: string[] = [];
    const upkeep = startPgliteUpkeep({
      db: t.db,
      firstAfterMs: 3_600_000,
      now: () => clock,
      log: (l) => lines.push(l),
    });
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 1);
    try {
      const start = performance.now();
      const run = await upkeep.runNow();
      const end = performance.now();
      clearInterval(timer);
      const tables = Number(
        (
          await sql<{ n: number }>`select count(*)::int as n from pg_class
            where relnamespace = 'public'::regnamespace and relkind = 'r'`.execute(t.db)
        ).rows[0]!.n,
      );
      assert.equal(run?.tables, tables, 'every table');
      assert.deepEqual(await neverAnalyzed(), [], 'every table has statistics');
      assert.doesNotMatch(await auditPagePlan(organisationId), /Sort/);
      assert.match(await auditPagePlan(organisationId), /Index Scan Backward using audit_event_organisation_time/);
      const during = ticks.filter((x) => x > start && x < end);
      assert.ok(during.length >= 3, `the event loop turned ${during.length} times while ${tables} tables were done`);
      assert.match(lines.join('\n'), new RegExp(`Vacuumed and analyzed the embedded database's ${tables} tables`));

      clock = new Date(Date.now() + 18 * 60 * 60_000);
      assert.equal(await upkeep.runNow(), undefined, 'not again within a day');
      clock = new Date(Date.now() + 24 * 60 * 60_000 + 60_000);
      assert.equal((await upkeep.runNow())?.tables, tables, 'again a day later');
    } finally {
      clearInterval(timer);
      await upkeep.stop();
    }
  });
});
