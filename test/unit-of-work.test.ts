// The unit of work (src/platform/db/unit-of-work.ts) on both engines, against a scratch table of
// its own: a unit commits all its writes or none, a nested run joins the running unit, the two
// handles refuse the wrong side (`units.db` outside a unit, the pool-level `db` inside one), the
// transaction begins at the first statement and every statement is counted, a read-only unit
// cannot write, afterCommit / afterRollback run on the right outcome only, `memo` remembers a read
// for one unit, and concurrent units keep apart (on PostgreSQL by isolation, on PGlite by taking
// turns on its one connection). Last, `inUnitsOfWork` wraps a service's methods.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/database.ts';
import {
  OutsideUnitOfWorkError,
  RawInsideUnitOfWorkError,
  inUnitsOfWork,
  type UnitOfWork,
  type UnitStats,
} from '../src/platform/db/unit-of-work.ts';

interface ProbeRow {
  id: number;
  v: string | null;
}
type Probe = Record<string, ProbeRow>;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** PostgreSQL's "cannot execute INSERT in a read-only transaction". */
const READ_ONLY = (e: unknown) =>
  (e as { code?: string }).code === '25006' && /read-only transaction/.test((e as Error).message);
/** Tests of units waiting on each other fail after this rather than hang the run. */
const WAIT = { timeout: 5_000 };
const UNIQUE_VIOLATION = (e: unknown) => (e as { code?: string }).code === '23505';

// Both engines' databases open at once (a PostgreSQL database is created and migrated while PGlite
// loads); each suite waits for its own.
const opening = new Map(ENGINES.map((engine) => [engine, openTestDatabase(engine)]));
for (const p of opening.values()) p.catch(() => undefined); // reported by the suite that awaits it

for (const engine of ENGINES) {
  describe(`the unit of work [${engine}]`, () => {
    let database: TestDatabase;
    const table = `uow_probe_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    /** The pool-level handle: the test's own SQL, outside any unit. */
    const raw = () => database.db as unknown as Kysely<Probe>;
    /** The unit of work's handle, as a repository uses it. */
    const db = () => database.units.db as unknown as Kysely<Probe>;
    const units = () => database.units;

    const insert = (id: number, v = 'x') => db().insertInto(table).values({ id, v }).execute();
    const idsInUnit = async () => (await db().selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);
    /** What is committed, read outside any unit. */
    const committedIds = async () =>
      (await raw().selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);

    /** Runs `fn` and collects what each unit of work that ends meanwhile reports. */
    async function finishing<T>(fn: () => Promise<T>): Promise<{ stats: UnitStats[]; outcome: T | Error }> {
      const stats: UnitStats[] = [];
      const stop = units().onFinish((s) => stats.push(s));
      try {
        return { stats, outcome: await fn() };
      } catch (error) {
        return { stats, outcome: error as Error };
      } finally {
        stop();
      }
    }

    before(async () => {
      database = await opening.get(engine)!;
      await raw()
        .schema.createTable(table)
        .ifNotExists()
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute();
    });
    afterEach(async () => {
      await raw().deleteFrom(table).execute();
    });
    after(async () => {
      await raw().schema.dropTable(table).ifExists().execute();
      await database.close();
    });

    describe('commit and rollback', () => {
      it('commits every write of a unit together when it succeeds', async () => {
        const { stats, outcome } = await finishing(() =>
          units().run(async () => {
            await insert(1);
            await insert(2);
            return idsInUnit();
          }),
        );
        assert.deepEqual(outcome, [1, 2], 'the unit reads its own writes');
        assert.deepEqual(await committedIds(), [1, 2]);
        assert.deepEqual(stats, [{ statements: 5, committed: true, readOnly: false }]);
      });

      it('rolls back every write of a unit that throws, and rethrows the same error', async () => {
        const boom = new Error('the use case failed');
        const { stats, outcome } = await finishing(() =>
          units().run(async () => {
            await insert(1);
            await insert(2);
            throw boom;
          }),
        );
        assert.equal(outcome, boom);
        assert.deepEqual(await committedIds(), []);
        assert.equal(stats.length, 1);
        assert.equal(stats[0]!.committed, false);
      });

      it('rolls back a unit whose statement failed even when the use case caught the error, and rejects with it', async () => {
        const { stats, outcome } = await finishing(() =>
          units().run(async () => {
            await insert(1);
            await insert(1).catch(() => 'swallowed');
            return 'looks saved';
          }),
        );
        assert.ok(UNIQUE_VIOLATION(outcome), `rejects with the database's error, not ${String(outcome)}`);
        assert.deepEqual(await committedIds(), [], 'the first insert is rolled back too');
        assert.equal(stats[0]!.committed, false);
      });

      it('sends statements started together one after another, all in the unit’s transaction', async () => {
        const { stats, outcome } = await finishing(() =>
          units().run(async () => {
            await Promise.all([1, 2, 3, 4].map((id) => insert(id)));
            return idsInUnit();
          }),
        );
        assert.deepEqual(outcome, [1, 2, 3, 4]);
        assert.deepEqual(await committedIds(), [1, 2, 3, 4]);
        assert.deepEqual(stats, [{ statements: 7, committed: true, readOnly: false }]);
      });

      it('refuses a transaction opened inside a unit: the unit owns the transaction', async () => {
        await assert.rejects(
          units().run(() =>
            db()
              .transaction()
              .execute((trx) => trx.insertInto(table).values({ id: 1, v: 'x' }).execute()),
          ),
          /The unit of work owns the transaction/,
        );
        assert.deepEqual(await committedIds(), []);
      });

      it('returns a synchronous function’s value at once, in a unit of its own', () => {
        let inside: UnitOfWork | undefined;
        const value = units().run(() => {
          inside = units().current();
          return 42;
        });
        assert.equal(value, 42, 'not a promise');
        assert.ok(inside);
        assert.equal(units().current(), undefined);
        assert.throws(
          () =>
            units().run(() => {
              throw new Error('at once');
            }),
          /at once/,
        );
      });
    });

    describe('a run inside a running unit', () => {
      it('joins the running unit: one transaction, one unit reported', async () => {
        let outer: UnitOfWork | undefined;
        let inner: UnitOfWork | undefined;
        const { stats } = await finishing(() =>
          units().run(async () => {
            outer = units().current();
            await insert(1);
            await units().run(async () => {
              inner = units().current();
              await insert(2);
            });
          }),
        );
        assert.ok(outer);
        assert.equal(inner, outer);
        assert.deepEqual(await committedIds(), [1, 2]);
        assert.deepEqual(stats, [{ statements: 4, committed: true, readOnly: false }]);
      });

      it('rolls back the inner run’s writes with the outer unit when its error is not caught', async () => {
        await assert.rejects(
          units().run(async () => {
            await insert(1);
            await units().run(async () => {
              await insert(2);
              throw new Error('inner');
            });
          }),
          /inner/,
        );
        assert.deepEqual(await committedIds(), []);
      });

      it('keeps the inner run’s writes when the outer unit catches its error: a nested run is not a savepoint', async () => {
        const { stats } = await finishing(() =>
          units().run(async () => {
            await insert(1);
            await units()
              .run(async () => {
                await insert(2);
                throw new Error('inner');
              })
              .catch(() => undefined);
            await insert(3);
          }),
        );
        assert.deepEqual(await committedIds(), [1, 2, 3]);
        assert.equal(stats[0]!.committed, true);
      });

      it('runs with the outer unit’s options: a read-only inner run inside a writing unit can write', async () => {
        await units().run(async () => {
          await units().run(
            async () => {
              assert.equal(units().current()!.readOnly, false);
              await insert(1);
            },
            { readOnly: true },
          );
        });
        assert.deepEqual(await committedIds(), [1]);
      });
    });

    describe('current()', () => {
      it('is the running unit inside a run, across awaits, and nothing outside or after it', async () => {
        assert.equal(units().current(), undefined);
        let first: UnitOfWork | undefined;
        let later: UnitOfWork | undefined;
        await units().run(async () => {
          first = units().current();
          await sleep(1);
          await insert(1);
          later = units().current();
          assert.equal(first!.statements, 2, 'BEGIN and the insert so far');
        });
        assert.ok(first);
        assert.equal(later, first);
        assert.equal(units().current(), undefined);
      });

      it('keeps two units running at once apart', async () => {
        const seen: [UnitOfWork | undefined, UnitOfWork | undefined][] = [];
        await Promise.all(
          [0, 1].map((i) =>
            units().run(async () => {
              const a = units().current();
              await sleep(5 - i * 4);
              seen.push([a, units().current()]);
            }),
          ),
        );
        assert.equal(seen.length, 2);
        for (const [a, b] of seen) assert.equal(a, b);
        assert.notEqual(seen[0]![0], seen[1]![0]);
      });
    });

    describe('the two handles', () => {
      it('refuses the pool-level handle inside a unit, and rolls the unit back', async () => {
        await assert.rejects(
          units().run(async () => {
            await insert(1);
            await raw().selectFrom(table).selectAll().execute();
          }),
          RawInsideUnitOfWorkError,
        );
        await assert.rejects(
          units().run(() => raw().selectFrom(table).selectAll().execute()),
          RawInsideUnitOfWorkError,
          'before the unit has begun too',
        );
        assert.deepEqual(await committedIds(), []);
      });

      it('refuses to run the unit’s handle outside a unit: the query is rejected, not the handle', async () => {
        const query = db().selectFrom(table).selectAll();
        assert.equal(query.compile().sql.startsWith('select'), true, 'building a query is fine');
        await assert.rejects(query.execute(), OutsideUnitOfWorkError);
        await assert.rejects(
          insert(1),
          (e) => e instanceof OutsideUnitOfWorkError && /outside a unit of work/.test(e.message),
        );
        assert.deepEqual(await committedIds(), []);
      });

      it('refuses a query left running after its unit ended', async () => {
        let leaked: Promise<unknown> | undefined;
        await units().run(async () => {
          await insert(1);
          leaked = sleep(20).then(() => insert(2));
        });
        await assert.rejects(leaked!);
        assert.deepEqual(await committedIds(), [1]);
      });

      it('says so when a query was left running after its unit ended', async () => {
        let leaked: Promise<unknown> | undefined;
        await units().run(async () => {
          await insert(1);
          leaked = sleep(20).then(() => insert(2));
        });
        await assert.rejects(leaked!, /after its unit of work had ended/);
      });
    });

    describe('statements', () => {
      it('begins no transaction in a unit that runs no statement', async () => {
        const { stats, outcome } = await finishing(() =>
          units().run(async () => {
            await sleep(1);
            return 'nothing read';
          }),
        );
        assert.equal(outcome, 'nothing read');
        assert.deepEqual(stats, [{ statements: 0, committed: true, readOnly: false }]);
      });

      it('sends nothing either for a unit that fails before its first statement', async () => {
        const { stats } = await finishing(() =>
          units().run(async () => {
            await sleep(1);
            throw new Error('refused');
          }),
        );
        assert.deepEqual(stats, [{ statements: 0, committed: false, readOnly: false }]);
      });

      it('counts every statement, BEGIN and COMMIT or ROLLBACK included', async () => {
        const read = await finishing(() => units().run(() => idsInUnit()));
        assert.deepEqual(read.stats, [{ statements: 3, committed: true, readOnly: false }]);
        const writes = await finishing(() =>
          units().run(async () => {
            await insert(1);
            await insert(2);
            await db().updateTable(table).set({ v: 'y' }).execute();
          }),
        );
        assert.deepEqual(writes.stats, [{ statements: 5, committed: true, readOnly: false }]);
        const failed = await finishing(() =>
          units().run(async () => {
            await insert(3);
            throw new Error('after one write');
          }),
        );
        assert.deepEqual(failed.stats, [{ statements: 3, committed: false, readOnly: false }]);
      });

      it('tells every onFinish listener until it stops listening', async () => {
        const a: UnitStats[] = [];
        const b: UnitStats[] = [];
        const stopA = units().onFinish((s) => a.push(s));
        const stopB = units().onFinish((s) => b.push(s));
        await units().run(() => idsInUnit());
        stopA();
        await units().run(() => idsInUnit());
        stopB();
        await units().run(() => idsInUnit());
        assert.equal(a.length, 1);
        assert.equal(b.length, 2);
      });
    });

    describe('a read-only unit', () => {
      it('reads, and the database itself refuses its writes: nothing is written', async () => {
        await units().run(() => insert(1));
        const reads = await finishing(() => units().run(() => idsInUnit(), { readOnly: true }));
        assert.deepEqual(reads.outcome, [1]);
        assert.deepEqual(reads.stats, [{ statements: 3, committed: true, readOnly: true }]);

        const writes = await finishing(() =>
          units().run(
            async () => {
              assert.equal(units().current()!.readOnly, true);
              await insert(2);
            },
            { readOnly: true },
          ),
        );
        assert.ok(READ_ONLY(writes.outcome), `PostgreSQL's read-only error, not ${String(writes.outcome)}`);
        assert.deepEqual(writes.stats, [{ statements: 3, committed: false, readOnly: true }]);
        assert.deepEqual(await committedIds(), [1]);
      });

      it('refuses an update and a delete as well as an insert', async () => {
        await units().run(() => insert(1));
        for (const write of [
          async () => void (await db().updateTable(table).set({ v: 'changed' }).execute()),
          async () => void (await db().deleteFrom(table).execute()),
        ])
          await assert.rejects(units().run(write, { readOnly: true }), READ_ONLY);
        assert.deepEqual(await raw().selectFrom(table).selectAll().execute(), [{ id: 1, v: 'x' }]);
      });
    });

    describe('afterCommit and afterRollback', () => {
      it('runs afterCommit callbacks in order once the unit has committed, outside it', async () => {
        const calls: string[] = [];
        const result = await units().run(async () => {
          await insert(1);
          units()
            .current()!
            .afterCommit(async () => {
              calls.push(`first sees ${JSON.stringify(await committedIds())}`);
              calls.push(`first is in a unit: ${units().current() !== undefined}`);
            });
          units()
            .current()!
            .afterCommit(() => {
              calls.push('second');
            });
          units()
            .current()!
            .afterRollback(() => {
              calls.push('after rollback');
            });
          calls.push('use case done');
          return 'done';
        });
        assert.equal(result, 'done');
        assert.deepEqual(calls, ['use case done', 'first sees [1]', 'first is in a unit: false', 'second']);
      });

      it('never runs afterCommit callbacks after a rollback, and runs afterRollback ones', async () => {
        const calls: string[] = [];
        await assert.rejects(
          units().run(async () => {
            units()
              .current()!
              .afterCommit(() => {
                calls.push('after commit');
              });
            units()
              .current()!
              .afterRollback(() => {
                calls.push('after rollback');
              });
            await insert(1);
            throw new Error('refused');
          }),
          /refused/,
        );
        assert.deepEqual(calls, ['after rollback']);
      });

      it('runs afterRollback when a failed statement made the unit roll back although the use case carried on', async () => {
        const calls: string[] = [];
        await assert.rejects(
          units().run(async () => {
            units()
              .current()!
              .afterCommit(() => {
                calls.push('after commit');
              });
            units()
              .current()!
              .afterRollback(() => {
                calls.push('after rollback');
              });
            await insert(1);
            await insert(1).catch(() => undefined);
          }),
          UNIQUE_VIOLATION,
        );
        assert.deepEqual(calls, ['after rollback']);
      });

      it('lets afterRollback keep a record in a unit of its own while the failed unit’s writes go', async () => {
        await assert.rejects(
          units().run(async () => {
            await insert(1, 'the step');
            units()
              .current()!
              .afterRollback(async () => void (await units().run(() => insert(99, 'the refusal, kept'))));
            throw new Error('refused');
          }),
        );
        assert.deepEqual(await raw().selectFrom(table).selectAll().execute(), [{ id: 99, v: 'the refusal, kept' }]);
      });

      it('logs a failing callback instead of failing the committed unit, and still runs the next', async (ctx) => {
        const logged = ctx.mock.method(console, 'error', () => undefined);
        const calls: string[] = [];
        const result = await units().run(async () => {
          await insert(1);
          units()
            .current()!
            .afterCommit(() => {
              throw new Error('the worker could not be woken');
            });
          units()
            .current()!
            .afterCommit(() => {
              calls.push('next');
            });
          return 'saved';
        });
        assert.equal(result, 'saved');
        assert.deepEqual(calls, ['next']);
        assert.deepEqual(await committedIds(), [1]);
        assert.equal(logged.mock.callCount(), 1);
        assert.match(String(logged.mock.calls[0]!.arguments.at(-1)), /the worker could not be woken/);
      });

      it('runs the callbacks of a unit whose function returned at once', async () => {
        const calls: string[] = [];
        const { stats } = await finishing(async () => {
          void units().run(() =>
            units()
              .current()!
              .afterCommit(() => void calls.push('after commit')),
          );
          assert.throws(() =>
            units().run(() => {
              units()
                .current()!
                .afterRollback(() => void calls.push('after rollback'));
              throw new Error('refused at once');
            }),
          );
          await sleep(10);
        });
        assert.deepEqual(calls, ['after commit', 'after rollback']);
        assert.equal(stats.length, 2);
      });
    });

    describe('memo and forget', () => {
      it('reads a key once in a unit: the same promise comes back', async () => {
        let loads = 0;
        const load = async () => {
          loads++;
          return idsInUnit();
        };
        await units().run(async () => {
          await insert(1);
          const work = units().current()!;
          const first = work.memo('probe:ids', load);
          const second = work.memo('probe:ids', load);
          assert.equal(second, first);
          assert.deepEqual(await first, [1]);
          await insert(2);
          assert.deepEqual(await work.memo('probe:ids', load), [1], 'remembered, though the table changed');
        });
        assert.equal(loads, 1);
      });

      it('reads again in the next unit', async () => {
        let loads = 0;
        const load = async () => ++loads;
        const first = await units().run(() => units().current()!.memo('probe:n', load));
        const second = await units().run(() => units().current()!.memo('probe:n', load));
        assert.deepEqual([first, second], [1, 2]);
      });

      it('does not remember “there is none”, nor a failed read', async () => {
        let loads = 0;
        await units().run(async () => {
          const work = units().current()!;
          assert.equal(await work.memo('probe:none', async () => (loads++, undefined)), undefined);
          assert.equal(await work.memo('probe:none', async () => (loads++, undefined)), undefined);
          await assert.rejects(
            work.memo('probe:failing', async () => {
              loads++;
              throw new Error('could not read');
            }),
          );
          assert.equal(await work.memo('probe:failing', async () => (loads++, 'read at last')), 'read at last');
        });
        assert.equal(loads, 4);
      });

      it('remembers a null: only undefined means there is none', async () => {
        let loads = 0;
        await units().run(async () => {
          const work = units().current()!;
          await work.memo('probe:null', async () => (loads++, null));
          await work.memo('probe:null', async () => (loads++, null));
        });
        assert.equal(loads, 1);
      });

      it('forgets the keys that start with a prefix, and only those', async () => {
        const loads: string[] = [];
        const load = (key: string) => async () => (loads.push(key), key);
        await units().run(async () => {
          const work = units().current()!;
          for (const key of ['statuses:a', 'statuses:b', 'period:a']) await work.memo(key, load(key));
          work.forget('statuses:');
          for (const key of ['statuses:a', 'statuses:b', 'period:a']) await work.memo(key, load(key));
        });
        assert.deepEqual(loads, ['statuses:a', 'statuses:b', 'period:a', 'statuses:a', 'statuses:b']);
      });
    });

    if (engine === 'postgres') {
      describe('units running at once on a PostgreSQL server', () => {
        it(
          'do not see each other’s uncommitted writes, and a read-committed unit sees them once committed',
          WAIT,
          async () => {
            const written = deferred();
            const looked = deferred();
            const committed = deferred();
            const writer = units().run(async () => {
              await insert(1);
              written.resolve();
              await looked.promise;
            });
            await written.promise;
            const outside = await committedIds();
            const reader = units().run(async () => {
              try {
                const before = await idsInUnit();
                looked.resolve();
                await committed.promise;
                return { before, after: await idsInUnit() };
              } finally {
                looked.resolve();
              }
            });
            await writer;
            committed.resolve();
            assert.deepEqual(outside, [], 'nor does a read outside any unit');
            assert.deepEqual(await reader, { before: [], after: [1] });
          },
        );

        it('gives a repeatable-read unit one snapshot while another unit commits', WAIT, async () => {
          await units().run(() => insert(1));
          const firstRead = deferred();
          const otherCommitted = deferred();
          const reader = (options: { isolationLevel?: 'repeatable read' }) =>
            units().run(async () => {
              const before = await idsInUnit();
              firstRead.resolve();
              await otherCommitted.promise;
              return { before, after: await idsInUnit() };
            }, options);
          const snapshot = reader({ isolationLevel: 'repeatable read' });
          await firstRead.promise;
          await units().run(() => insert(2));
          otherCommitted.resolve();
          assert.deepEqual(await snapshot, { before: [1], after: [1] });
          assert.deepEqual(await committedIds(), [1, 2]);
        });

        it('in read committed (the default) sees another unit’s commit on its next statement', WAIT, async () => {
          await units().run(() => insert(1));
          const firstRead = deferred();
          const otherCommitted = deferred();
          const reading = units().run(async () => {
            const before = await idsInUnit();
            firstRead.resolve();
            await otherCommitted.promise;
            return { before, after: await idsInUnit() };
          });
          await firstRead.promise;
          await units().run(() => insert(2));
          otherCommitted.resolve();
          assert.deepEqual(await reading, { before: [1], after: [1, 2] });
        });

        it(
          'makes the second of two units writing the same key wait, then fail, and keeps the first',
          WAIT,
          async () => {
            const firstWrote = deferred();
            const first = units().run(async () => {
              await insert(1, 'first');
              firstWrote.resolve();
              await sleep(50);
            });
            await firstWrote.promise;
            await assert.rejects(
              units().run(() => insert(1, 'second')),
              UNIQUE_VIOLATION,
            );
            await first;
            assert.deepEqual(await raw().selectFrom(table).selectAll().execute(), [{ id: 1, v: 'first' }]);
          },
        );
      });
    } else {
      describe('units running at once on PGlite', () => {
        it(
          'take turns on the one connection: both complete, the second begins when the first has ended',
          WAIT,
          async () => {
            const events: string[] = [];
            const firstWrote = deferred();
            const { stats } = await finishing(() =>
              Promise.all([
                units().run(async () => {
                  await insert(1);
                  events.push('first wrote');
                  firstWrote.resolve();
                  await sleep(30);
                  await insert(2);
                  events.push('first done');
                }),
                units().run(async () => {
                  await firstWrote.promise;
                  events.push('second starts');
                  await insert(3);
                  events.push('second wrote');
                }),
              ]),
            );
            assert.deepEqual(events, ['first wrote', 'second starts', 'first done', 'second wrote']);
            assert.deepEqual(await committedIds(), [1, 2, 3]);
            assert.deepEqual(
              stats.map((s) => s.committed),
              [true, true],
            );
          },
        );

        it('completes many units started at once without a deadlock', WAIT, async () => {
          const ids = Array.from({ length: 8 }, (_, i) => i + 1);
          const results = await Promise.all(
            ids.map((id) =>
              units().run(async () => {
                await insert(id);
                return idsInUnit();
              }),
            ),
          );
          assert.deepEqual(await committedIds(), ids);
          results.forEach((seen, i) => assert.ok(seen.includes(ids[i]!), `unit ${i + 1} reads its own write`));
        });

        it('a unit that fails does not keep the next one waiting', WAIT, async () => {
          const [failed, next] = await Promise.allSettled([
            units().run(async () => {
              await insert(1);
              await insert(1);
            }),
            units().run(() => insert(2)),
          ]);
          assert.equal(failed.status, 'rejected');
          assert.equal(next.status, 'fulfilled');
          assert.deepEqual(await committedIds(), [2]);
        });
      });
    }

    describe('inUnitsOfWork', () => {
      const makeService = () => {
        const service = {
          label: 'probe service',
          nested: {
            where: () => units().current(),
          },
          async add(id: number) {
            await insert(id);
            return units().current();
          },
          async addTwo(a: number, b: number) {
            await this.add(a);
            await this.add(b);
            return units().current();
          },
          async addTwoThenFail(a: number, b: number) {
            await this.add(a);
            await this.add(b);
            throw new Error('after two');
          },
          async readOnlyAdd(id: number) {
            assert.equal(units().current()?.readOnly, true);
            await insert(id);
          },
          async signIn(id: number) {
            const outside = units().current();
            await units().run(() => insert(id));
            await units().run(() => insert(id + 1));
            return outside;
          },
        };
        return inUnitsOfWork(units(), service, { readOnlyAdd: { readOnly: true }, signIn: false });
      };

      it('runs each method called alone in a unit of its own', async () => {
        const service = makeService();
        const { stats, outcome } = await finishing(() => service.add(1));
        assert.ok(outcome, 'the method ran in a unit');
        assert.deepEqual(stats, [{ statements: 3, committed: true, readOnly: false }]);
        assert.deepEqual(await committedIds(), [1]);
      });

      it('joins one unit when a method calls another, and rolls all of it back on a throw', async () => {
        const service = makeService();
        const { stats } = await finishing(() => service.addTwo(1, 2));
        assert.equal(stats.length, 1);
        assert.deepEqual(await committedIds(), [1, 2]);
        await assert.rejects(service.addTwoThenFail(3, 4), /after two/);
        assert.deepEqual(await committedIds(), [1, 2]);
      });

      it('joins the unit running when it is called, as a request’s or a job’s does', async () => {
        const service = makeService();
        await assert.rejects(
          units().run(async () => {
            const outer = units().current();
            assert.equal(await service.add(1), outer);
            throw new Error('the request failed');
          }),
        );
        assert.deepEqual(await committedIds(), []);
      });

      it('opens the unit with the options given for the method', async () => {
        const service = makeService();
        await assert.rejects(service.readOnlyAdd(1), READ_ONLY);
        assert.deepEqual(await committedIds(), []);
      });

      it('runs a method mapped to false outside any unit: it opens its own', async () => {
        const service = makeService();
        const { stats, outcome } = await finishing(() => service.signIn(1));
        assert.equal(outcome, undefined, 'no unit around the method');
        assert.equal(stats.length, 2, 'its own two units');
        assert.deepEqual(await committedIds(), [1, 2]);
      });

      it('leaves values and nested objects as they are', () => {
        const service = makeService();
        assert.equal(service.label, 'probe service');
        assert.equal(service.nested.where(), undefined, 'a nested object’s method is not wrapped');
      });
    });
  });
}
