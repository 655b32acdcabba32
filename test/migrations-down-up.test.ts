// The newest migrations go down and up again (issue 14: a restore runs the migrations down to
// those a backup names, then up; a rolling upgrade may be taken back): on a database with the
// demo, the newest few migrations' `down` then the migrations up again leave the catalogue as it
// was — every function as PostgreSQL prints it, every table's columns and constraints, every index,
// trigger and row-level security policy, and who may use each function and table. New migrations come under it as they are added. And the
// dashboard's numbers cross 2026-12-12-500 down and up without going back. Both engines; on
// PostgreSQL also each level down compared with the same level made from an empty database.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { migrationNames, migrateToLatest } from '../src/platform/db/migrate.ts';
import { migrateDatabaseTo } from '../src/platform/db/backup.ts';
import { ENGINES, openEmptyServerDatabase, openTestDatabase, type TestDatabase } from './helpers/database.ts';

interface Generation {
  organisation_id: string;
  part: string;
  generation: string | number;
}

/** How many of the newest migrations go down (those before them are left as they are). */
const NEWEST = 3;

/** The schema as PostgreSQL prints it, line by line, in a fixed order (no row, no oid). */
async function catalogue(db: Kysely<any>): Promise<string[]> {
  const lines = async (query: ReturnType<typeof sql<{ line: string }>>) =>
    (await query.execute(db)).rows.map((r) => r.line);
  return [
    ...(await lines(sql`select 'function ' || pg_get_functiondef(p.oid) as line from pg_proc p
      where p.pronamespace = 'public'::regnamespace and p.prokind = 'f' order by p.proname, p.oid::regprocedure::text`)),
    ...(await lines(sql`select format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable,
        coalesce(column_default, '')) as line
      from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`)),
    ...(await lines(sql`select format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as line
      from pg_constraint where connamespace = 'public'::regnamespace order by conrelid::regclass::text, conname`)),
    ...(await lines(sql`select 'index ' || indexdef as line from pg_indexes where schemaname = 'public'
      order by tablename, indexname`)),
    ...(await lines(sql`select 'trigger ' || pg_get_triggerdef(t.oid) as line from pg_trigger t
      join pg_class c on c.oid = t.tgrelid where c.relnamespace = 'public'::regnamespace and not t.tgisinternal
      order by c.relname, t.tgname`)),
    ...(await lines(sql`select format('policy %s %s %s %s %s %s', tablename, policyname, cmd, roles,
        coalesce(qual, ''), coalesce(with_check, '')) as line from pg_policies where schemaname = 'public'
      order by tablename, policyname`)),
    ...(await lines(sql`select format('grants on %s: %s', p.oid::regprocedure, coalesce(p.proacl::text, 'default')) as line
      from pg_proc p where p.pronamespace = 'public'::regnamespace order by p.oid::regprocedure::text`)),
    ...(await lines(sql`select format('grants on %s: %s', relname, coalesce(relacl::text, 'default')) as line
      from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'v', 'S') order by relname`)),
    ...(await lines(sql`select format('row security %s %s %s', relname, relrowsecurity, relforcerowsecurity) as line
      from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname`)),
  ];
}

for (const engine of ENGINES) {
  describe(`the newest migrations down and up again [${engine}]`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(engine, {}, { demo: true });
    });
    after(async () => {
      await t?.close();
    });

    it(`leaves the catalogue as it was after the newest ${NEWEST} go down and up`, async () => {
      const names = await migrationNames();
      const target = names.at(-NEWEST - 1)!;
      const before = await catalogue(t.db);

      const down = await migrateDatabaseTo(t.db, target);
      assert.deepEqual(
        down,
        names.slice(-NEWEST).reverse(),
        'each of the newest went down, newest first (none refused to)',
      );
      const between = await catalogue(t.db);
      assert.notDeepEqual(between, before, 'the migrations changed the catalogue');

      assert.deepEqual(await migrateToLatest(t.db), names.slice(-NEWEST));
      const after = await catalogue(t.db);
      const missing = before.filter((line) => !after.includes(line));
      const added = after.filter((line) => !before.includes(line));
      assert.deepEqual({ missing, added }, { missing: [], added: [] });
      assert.deepEqual(after, before);
    });

    if (engine === 'postgres')
      it(`takes each of the newest ${NEWEST} down to exactly what the migrations before it make from nothing`, async () => {
        const names = await migrationNames();
        // From an empty database, up to just before the newest, then one at a time: what each level is.
        const fresh = await openEmptyServerDatabase();
        const made: string[][] = [];
        try {
          await migrateDatabaseTo(fresh.db, names.at(-NEWEST - 1)!);
          for (let k = NEWEST; k >= 0; k--) {
            made[k] = await catalogue(fresh.db);
            if (k > 0) await migrateDatabaseTo(fresh.db, names.at(-k)!);
          }
        } finally {
          await fresh.close();
        }
        // This one (migrated to the latest, the demo in it) down one at a time: each level as made.
        assert.deepEqual(await catalogue(t.db), made[0], 'the latest, as made from nothing');
        for (let k = 1; k <= NEWEST; k++) {
          await migrateDatabaseTo(t.db, names.at(-k - 1)!);
          const left = await catalogue(t.db);
          const missing = made[k]!.filter((line) => !left.includes(line));
          const extra = left.filter((line) => !made[k]!.includes(line));
          assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${names.at(-k)!} down`);
        }
        await migrateToLatest(t.db);
        assert.deepEqual(await catalogue(t.db), made[0]);
      });

    it('keeps each organisation’s dashboard numbers going down and up across 2026-12-12-500: none goes back', async () => {
      // Two parts with different numbers: an indicator moves the indicators' on, then a theme the reports'.
      await sql`update indicator set title = title`.execute(t.db);
      await sql`update theme set title = title`.execute(t.db);
      const before = (await sql<Generation>`select * from dashboard_generation`.execute(t.db)).rows;
      const largest = new Map<string, string>();
      for (const g of before) {
        const now = largest.get(g.organisation_id);
        if (now === undefined || BigInt(g.generation) > BigInt(now))
          largest.set(g.organisation_id, String(g.generation));
      }
      assert.ok(
        before.some((g) => String(g.generation) !== largest.get(g.organisation_id)),
        'an organisation whose parts differ',
      );
      const names = await migrationNames();
      const parts = names.indexOf('2026-12-12-500-dashboard-generation-in-parts');
      assert.ok(parts > 0, 'the parts migration is there');
      await migrateDatabaseTo(t.db, names[parts - 1]!);
      // One number per organisation, the larger of its parts; then that number for both parts.
      const down = (await sql<Omit<Generation, 'part'>>`select * from dashboard_generation`.execute(t.db)).rows;
      assert.deepEqual(
        down.map((g) => `${g.organisation_id} ${g.generation}`).sort(),
        [...largest].map(([o, g]) => `${o} ${g}`).sort(),
      );
      await migrateToLatest(t.db);
      const again = (await sql<Generation>`select * from dashboard_generation`.execute(t.db)).rows;
      assert.deepEqual(
        again.map((g) => `${g.organisation_id} ${g.part} ${g.generation}`).sort(),
        [...largest].flatMap(([o, g]) => [`${o} indicators ${g}`, `${o} reports ${g}`]).sort(),
      );
    });
  });
}
