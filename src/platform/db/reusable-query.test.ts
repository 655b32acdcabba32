import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type Generated,
} from 'kysely';
import { reusableQuery } from './reusable-query.ts';

interface DB {
  item: { id: Generated<string>; organisation_id: string; code: string; position: number; theme_id: string | null };
}

// Compiling needs no database.
const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const items = (p: { organisationId: string; code: string; limit: number }) =>
  db
    .selectFrom('item')
    .selectAll()
    .where('organisation_id', '=', p.organisationId)
    .where((eb) => eb(eb.fn('lower', ['code']), '=', p.code))
    .where(sql<boolean>`position > ${1}`)
    .orderBy('position')
    .limit(p.limit);

describe('a reusable query', () => {
  it('gives the SQL and parameters that building the query afresh gives, for every call', () => {
    const reusable = reusableQuery(items);
    for (const p of [
      { organisationId: 'a', code: 'vfm-4d', limit: 50 },
      { organisationId: 'b', code: 'oc-1c', limit: 10 },
    ]) {
      const fresh = items(p).compile();
      const reused = reusable(p);
      assert.equal(reused.sql, fresh.sql);
      assert.deepEqual(reused.parameters, fresh.parameters);
    }
  });

  it('compiles once: every call gives the very same text', () => {
    const reusable = reusableQuery(items);
    let built = 0;
    const counted = reusableQuery((p: { organisationId: string; code: string; limit: number }) => {
      built++;
      return items(p);
    });
    const a = counted({ organisationId: 'a', code: 'x', limit: 1 });
    const b = counted({ organisationId: 'b', code: 'y', limit: 2 });
    assert.equal(built, 1);
    assert.ok(Object.is(a.sql, b.sql));
    assert.deepEqual(b.parameters, ['b', 'y', 1, 2]);
    assert.notEqual(reusable({ organisationId: 'a', code: 'x', limit: 1 }).queryId, a.queryId);
  });

  it('keeps the query’s own constants among the parameters', () => {
    const reusable = reusableQuery((p: { id: string }) =>
      db
        .updateTable('item')
        .set((eb) => ({ position: eb('position', '+', 1) }))
        .where('id', '=', p.id),
    );
    assert.deepEqual(reusable({ id: 'i1' }).parameters, [1, 'i1']);
    assert.deepEqual(reusable({ id: 'i2' }).parameters, [1, 'i2']);
  });

  it('refuses a query that reads a parameter’s value while it is built', () => {
    const reusable = reusableQuery((p: { code: string }) =>
      db.selectFrom('item').selectAll().where('code', '=', p.code.toLowerCase()),
    );
    assert.throws(() => reusable({ code: 'VfM-4d' }), TypeError);
    const concatenated = reusableQuery((p: { code: string }) =>
      db.selectFrom('item').selectAll().where('code', '=', `${p.code}%`),
    );
    assert.throws(() => concatenated({ code: 'VfM' }), /read its parameter "code" while being built/);
  });
});
