// Statements prepared without asking (prepared-statements.ts), on PGlite where they are used: a
// statement with parameters is parsed once per connection and its result is what it was unnamed;
// under row-level security a prepared statement run for one organisation, then another, past the
// point where PostgreSQL switches to a generic plan, returns each only its own rows; a migration
// that adds a column makes a prepared `select *` return it rather than fail; and the names given
// are bounded. On a server it is off unless asked for (DATABASE_PREPARED_STATEMENTS=on).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { openDatabase } from './database.ts';
import { loadConfig } from '../../config.ts';
import { insertOrganisation, insertPerson } from '../../../test/builders/index.ts';
import { MAX_NAMED, StatementNames } from './prepared-statements.ts';

/** The statements this connection has prepared under Amber's names. */
async function prepared(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select name from pg_prepared_statements where name like 'amber\\_%' order by name`.execute(db);
  return rows.map((r) => r.name);
}

describe('statements prepared without asking [pglite]', () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('pglite');
  });
  after(async () => {
    await t?.close();
  });

  it('parses a statement with parameters once, and answers as unnamed', async () => {
    const db = t.db as unknown as Kysely<unknown>;
    const text = `select $1::int + 1 as n, 'prepared-statements test' as tag`;
    const answers: number[] = [];
    for (let i = 0; i < 3; i++)
      answers.push((await sql<{ n: number }>`${sql.raw(text.replace('$1', String(i)))}`.execute(db)).rows[0]!.n);
    assert.deepEqual(answers, [1, 2, 3], 'unparameterised: run as sent');
    const named: number[] = [];
    for (let i = 0; i < 3; i++)
      named.push(
        (await sql<{ n: number }>`select ${i}::int + 1 as n, 'prepared-statements test' as tag`.execute(db)).rows[0]!.n,
      );
    assert.deepEqual(named, [1, 2, 3]);
    const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements
      where statement like ${"%'prepared-statements test'%"} and statement not like '%pg_prepared_statements%'`.execute(
      db,
    );
    assert.deepEqual(
      rows.map((r) => r.statement),
      [text],
      'one prepared statement for the three runs with a parameter; none for those without',
    );
    assert.match(rows[0]!.name, /^amber_\d+_/);
  });

  it('keeps each organisation to its own rows under row-level security, past the generic plan', async () => {
    const a = await insertOrganisation(t.services, { name: 'Prepared A' });
    const b = await insertOrganisation(t.services, { name: 'Prepared B' });
    await insertPerson(t.services, a, { name: 'Prepared person of A' });
    await insertPerson(t.services, b, { name: 'Prepared person of B' });
    // PostgreSQL plans a prepared statement for its values five times, then may keep a generic
    // plan: twelve alternating runs cover both.
    for (let i = 0; i < 12; i++) {
      const org = i % 2 === 0 ? a : b;
      const rows = await t.units.actingFor(org.organisationId, () =>
        t.units.run(() =>
          (t.units.db as unknown as Kysely<{ person: { name: string; organisation_id: string } }>)
            .selectFrom('person')
            .select(['name', 'organisation_id'])
            .where('name', 'like', 'Prepared person of %')
            .execute(),
        ),
      );
      assert.deepEqual(
        rows.map((r) => r.organisation_id),
        [org.organisationId],
        `run ${i + 1}: only the acting organisation's person`,
      );
    }
  });

  it('prepares again after a change of schema, so a `select *` sees a new column', async () => {
    const db = t.db as unknown as Kysely<unknown>;
    await sql`create table prepared_probe (id int primary key)`.execute(db);
    await sql`insert into prepared_probe values (1)`.execute(db);
    const read = () => sql<Record<string, unknown>>`select * from prepared_probe where id = ${1}`.execute(db);
    assert.deepEqual((await read()).rows, [{ id: 1 }]);
    assert.deepEqual((await read()).rows, [{ id: 1 }]);
    await sql`alter table prepared_probe add column label text default 'new'`.execute(db);
    assert.deepEqual((await read()).rows, [{ id: 1, label: 'new' }]);
    await sql`drop table prepared_probe`.execute(db);
  });

  it('names at most MAX_NAMED statements per schema version, then runs the rest unnamed', () => {
    const names = new StatementNames();
    for (let i = 0; i < MAX_NAMED; i++) assert.ok(names.nameOf(`select $1 + ${i}`));
    assert.equal(names.nameOf('select $1 + 1'), names.nameOf('select $1 + 1'), 'the same text, the same name');
    assert.equal(names.nameOf('select $1 + -1'), undefined, 'one more is not named');
    names.sawUnparameterised('select 1');
    assert.equal(names.version, 0, 'a query is not a change of schema');
    names.sawUnparameterised('  ALTER TABLE x add column y int');
    assert.equal(names.version, 1);
    assert.equal(names.size, 0);
    assert.notEqual(names.nameOf('select $1 + 1'), undefined);
  });
});

if (ENGINES.includes('postgres'))
  describe('statements prepared without asking, on a server [postgres]', () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase('postgres');
    });
    after(async () => {
      await t?.close();
    });

    /** What one connection (a pool of one) has prepared after running a statement with a parameter twice. */
    async function preparedBy(options: { prepareStatements?: boolean }): Promise<string[]> {
      const handle = await openDatabase<unknown>({ databaseUrl: t.url, poolSize: 1, ...options });
      try {
        for (let i = 0; i < 2; i++)
          assert.equal((await sql<{ n: number }>`select ${i}::int + 1 as n`.execute(handle.db)).rows[0]!.n, i + 1);
        return await prepared(handle.db);
      } finally {
        await handle.close();
      }
    }

    it('names nothing by default', async () => {
      assert.deepEqual(await preparedBy({}), []);
    });
    it('prepares once per connection when asked', async () => {
      assert.equal((await preparedBy({ prepareStatements: true })).length, 1);
    });

    it('prepares again after another instance changed a table: one refusal, then the new columns', async () => {
      const other = t.db as unknown as Kysely<unknown>; // another instance, which migrates
      const mine = await openDatabase<unknown>({ databaseUrl: t.url, poolSize: 1, prepareStatements: true });
      try {
        await sql`create table prepared_elsewhere (id int primary key)`.execute(other);
        await sql`insert into prepared_elsewhere values (1)`.execute(other);
        const read = () =>
          sql<Record<string, unknown>>`select * from prepared_elsewhere where id = ${1}`.execute(mine.db);
        assert.deepEqual((await read()).rows, [{ id: 1 }]);
        await sql`alter table prepared_elsewhere add column label text default 'new'`.execute(other);
        await assert.rejects(
          read(),
          /cached plan must not change result type/,
          'PostgreSQL refuses the prepared statement',
        );
        assert.deepEqual((await read()).rows, [{ id: 1, label: 'new' }], 'and it is prepared again');
      } finally {
        await mine.close();
        await sql`drop table if exists prepared_elsewhere`.execute(other);
      }
    });
  });

describe('DATABASE_PREPARED_STATEMENTS', () => {
  it('is the engine’s default when unset, on or off when set, and refused otherwise naming the variable', () => {
    assert.equal(loadConfig({}).preparedStatements, undefined);
    assert.equal(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'on' }).preparedStatements, true);
    assert.equal(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' }).preparedStatements, false);
    assert.throws(
      () => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'yes' }),
      /DATABASE_PREPARED_STATEMENTS must be "on" or "off", not "yes"/,
    );
  });
});
