// Peers' figures are worked out once per version of each sharing exercise (issue 12), on PGlite
// and PostgreSQL, counted by the statements that read an exercise's data (observeStatements): by
// the council itself when its data changes (peers cannot read its rows: migration
// 2026-12-08-700-*), so listing them reads no post at all; that same computation is the council's
// next baseline; and the cache is no door between organisations — each gets only the exercises
// it may list (never its own, never one not shared, never one whose sharing has stopped).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from '../../../test/helpers/database.ts';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { copyData, sampleWorkbook } from '../../../test/fixtures/diagnostic/sample.ts';
import { observeStatements } from '../../platform/db/database.ts';
import { systemActor, type Actor } from '../../domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../../domain/diagnostic/taxonomy.ts';
import { formatFte } from '../../domain/diagnostic/baseline.ts';
import { exerciseSettings } from '../../../test/builders/index.ts';

for (const engine of ENGINES) {
  describe(`peers' figures cached per version of each exercise [${engine}]`, () => {
    let t: TestApp;
    let home: Actor;
    /** Three councils sharing their 2009/10 diagnostic, and one that does not share it. */
    const councils: Record<'a' | 'b' | 'd' | 'private', { actor: Actor; exercise: string }> = {} as never;

    before(async () => {
      t = await buildTestApp(engine);
      home = systemActor((await t.services.organisations.findHome())!.id, 'test');
      for (const [key, share] of [
        ['a', 'yes'],
        ['b', 'yes'],
        ['d', 'yes'],
        ['private', ''],
      ] as const) {
        const partner = await t.services.organisations.createPartner(home, {
          name: `Council ${key} ${engine}`,
          kind: 'council',
        });
        const actor = systemActor(partner.id, 'test');
        const exercise = await t.services.diagnostics.createExercise(actor, {
          name: `Council ${key} 2009/10`,
          financialYear: '2009',
          runningCosts: '£300m',
          headcount: '',
          taxonomyVersionId: DEFAULT_TAXONOMY_ID,
        });
        // Shared with every organisation before that setting was retired (ADR 0018): the upload
        // below stores its peers' figures.
        if (share)
          await sql`update diagnostic_exercise set share_with_peers = true where id = ${exercise}`.execute(t.db);
        await t.services.diagnostics.upload(actor, exercise, {
          file: { filename: `${key}.xlsx`, data: await sampleWorkbook(copyData()) },
        });
        councils[key] = { actor, exercise };
      }
    });
    after(async () => t?.close());

    /** What `fn` gives, and how many times it read each exercise's posts (the baseline's data). */
    async function counting<T>(fn: () => Promise<T>): Promise<{ value: T; reads: Record<string, number> }> {
      const reads: Record<string, number> = {};
      const stop = observeStatements(t.db, (s) => {
        if (!/from diagnostic_post\b/.test(s.sql)) return;
        for (const [key, c] of Object.entries(councils))
          if (s.parameters.includes(c.exercise)) reads[key] = (reads[key] ?? 0) + 1;
      });
      try {
        return { value: await fn(), reads };
      } finally {
        stop();
      }
    }
    const listedBy = (actor: Actor) => counting(() => t.services.diagnostics.listSharedBaselines(actor, 2009));
    const exercisesOf = (list: { exerciseId: string }[]) =>
      list.map((s) => Object.entries(councils).find(([, c]) => c.exercise === s.exerciseId)?.[0]).sort();
    const payOf = (s: { functions: { payCost: number }[] }) => s.functions.reduce((n, f) => n + f.payCost, 0);

    /** £`pounds` more on an AP clerk (all of its time on accounts payable), through the service's write path. */
    async function raisePay(key: keyof typeof councils, pounds: number) {
      const { actor, exercise } = councils[key];
      const p = (await t.services.diagnostics.listPosts(actor, exercise, 1, 1000)).posts.find(
        (x) => x.code === 'P007',
      )!;
      await t.services.diagnostics.updatePost(actor, exercise, p.id!, {
        version: String(p.version),
        unitCode: p.unitCode,
        title: p.title,
        grade: p.grade,
        fte: formatFte(p.fte as never, 4),
        vacant: p.vacant ? 'yes' : '',
        payCost: String((p.payCost + pounds * 100) / 100),
        managerCode: p.managerCode ?? '',
        contractType: p.contractType,
        allocations: p.allocations.map((a) => ({ process: a.processCode, pct: String(a.pct / 100) })),
      });
    }

    it('lists the sharing councils without reading any of their posts, and keeps the very figures', async () => {
      const first = await listedBy(home);
      assert.deepEqual(exercisesOf(first.value), ['a', 'b', 'd'], 'the sharing councils, not the private one');
      assert.deepEqual(first.reads, {}, 'each council stored its figures when it uploaded its data');
      const second = await listedBy(home);
      assert.deepEqual(second.reads, {}, 'no exercise read again');
      assert.deepEqual(second.value, first.value);
      assert.equal(second.value[0], first.value[0], 'the very figures kept');
    });

    it('serves another organisation from the same entries, leaving out its own exercise', async () => {
      const byD = await listedBy(councils.d.actor);
      assert.deepEqual(exercisesOf(byD.value), ['a', 'b'], 'never its own');
      assert.deepEqual(byD.reads, {});
      const byPrivate = await listedBy(councils.private.actor);
      assert.deepEqual(exercisesOf(byPrivate.value), ['a', 'b', 'd']);
      assert.deepEqual(byPrivate.reads, {});
    });

    it('works out a council’s figures once, in its own change, and lists its new figures', async () => {
      const before = (await listedBy(home)).value;
      const change = await counting(() => raisePay('a', 10_000));
      assert.equal(change.reads.a !== undefined && change.reads.a >= 1, true, 'the change read its own data');
      assert.equal(change.reads.b ?? change.reads.d, undefined, 'and no other council’s');
      const after = await listedBy(home);
      assert.deepEqual(after.reads, {}, 'listing reads no post');
      const a = (list: typeof before) => list.find((s) => s.exerciseId === councils.a.exercise)!;
      assert.equal(payOf(a(after.value)) - payOf(a(before)), 10_000_00);
      assert.deepEqual((await listedBy(home)).reads, {}, 'and then kept');
    });

    it('gives the council, as its next baseline, the computation its change made for its peers', async () => {
      await raisePay('b', 5_000);
      const own = await counting(() => t.services.diagnostics.getBaseline(councils.b.actor, councils.b.exercise));
      assert.deepEqual(own.reads, {}, 'no second computation for the council');
      const listed = await listedBy(home);
      assert.deepEqual(listed.reads, {}, 'none for the peers');
      const b = listed.value.find((s) => s.exerciseId === councils.b.exercise)!;
      assert.equal(b.functions.find((f) => f.code === 'FIN')!.cost, own.value.totalCost.byFunction.FIN);
    });

    it('drops a peer from every list once it stops sharing, and its stored figures with it', async () => {
      const { actor, exercise } = councils.d;
      await t.services.diagnostics.updateExercise(
        actor,
        exercise,
        await exerciseSettings(t.services, actor, exercise, { shareWithPeers: '' }),
      );
      const listed = await listedBy(home);
      assert.deepEqual(exercisesOf(listed.value), ['a', 'b']);
      assert.deepEqual(listed.reads, {});
      assert.deepEqual(exercisesOf((await listedBy(councils.a.actor)).value), ['b']);
      const stored = await sql<{ n: number }>`
        select count(*)::int as n from diagnostic_peer_function where exercise_id = ${exercise}`.execute(t.db);
      assert.equal(stored.rows[0]!.n, 0, 'its stored figures are gone');
    });
  });
}
