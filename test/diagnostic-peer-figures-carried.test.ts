// A diagnostic exercise shared with peers keeps showing them its figures when the organisation
// moves (issue 11/12), on PGlite and on PostgreSQL. The organisation file carries the exercise's
// data but not `diagnostic_peer_function` (derived): the import stores those figures in its own
// transaction, so a peer sees the imported exercise at once — not only after the owner's next
// change — and exactly what it saw where the exercise came from. A backup carries every table, so a
// restore gives them back as they were; shown here too.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/database.ts';
import { insertOrganisation } from './builders/index.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { restoreBackup, writeBackup } from '../src/platform/db/backup.ts';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

for (const engine of ENGINES)
  describe(`a shared exercise’s figures for peers survive a move [${engine}]`, () => {
    let source: TestDatabase;
    let council: Actor;
    let exerciseId: string;
    let year: number;
    /** What a peer in the source database gets for the exercise. */
    let seen: unknown;
    const dir = mkdtempSync(join(tmpdir(), 'amber-peer-figures-'));

    /** The exercise as `peer` gets it from `t`, acting for the peer as a request does. */
    const listedFor = (t: TestDatabase, peer: Actor) =>
      t.units
        .actingFor(peer.organisationId, () => t.units.run(() => t.services.diagnostics.listSharedBaselines(peer, year)))
        .then((l) => l.filter((s) => s.exerciseId === exerciseId));
    const storedVersions = async (t: TestDatabase) =>
      (
        await sql<{ exercise_version: number }>`
          select distinct exercise_version from diagnostic_peer_function where exercise_id = ${exerciseId}`.execute(
          t.db,
        )
      ).rows.map((r) => r.exercise_version);

    before(async () => {
      source = await openTestDatabase(engine, {}, { demo: true });
      council = systemActor((await source.services.organisations.findHome())!.id, 'test');
      const exercise = (await source.services.diagnostics.listExercises(council)).find((e) => e.counts.posts > 0)!;
      exerciseId = exercise.id;
      year = exercise.financialYear;
      // Shared with every organisation before that setting was retired (ADR 0018): the owner's next
      // look at its baseline stores its peers' figures.
      await sql`update diagnostic_exercise set share_with_peers = true where id = ${exerciseId}`.execute(source.db);
      await source.services.diagnostics.getBaseline(council, exerciseId, { fresh: true });
      const listed = await listedFor(source, await insertOrganisation(source.services));
      assert.equal(listed.length, 1, 'the premise: a peer gets the shared exercise where it is');
      assert.ok(listed[0]!.functions.some((f) => f.cost > 0));
      seen = copy(listed);
    });
    after(async () => {
      await source?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores them in the import’s own transaction: a peer gets the same figures at once, and again after a replace', async () => {
      const exported = await source.services.transfer.exportOrganisation(council.organisationId);
      assert.equal(
        JSON.stringify(exported).includes('diagnostic_peer_function'),
        false,
        'the file does not carry the figures: the import works them out',
      );
      const target = await openTestDatabase(engine);
      try {
        await target.services.transfer.importOrganisation(copy(exported), { actorLabel: 'move' });
        const { version } = await target.db
          .selectFrom('diagnostic_exercise')
          .select('version')
          .where('id', '=', exerciseId)
          .executeTakeFirstOrThrow();
        // Nothing has opened the exercise's baseline in the target: the import stored them.
        assert.deepEqual(await storedVersions(target), [version], 'stored at the version imported');
        const peer = await insertOrganisation(target.services);
        assert.deepEqual(copy(await listedFor(target, peer)), seen);

        await target.services.transfer.importOrganisation(copy(exported), { actorLabel: 'again', replace: true });
        assert.deepEqual(await storedVersions(target), [version]);
        assert.deepEqual(copy(await listedFor(target, peer)), seen, 'after a replace too');
      } finally {
        await target.close();
      }
    });

    it('stores none for an exercise imported unshared', async () => {
      const exported = copy(await source.services.transfer.exportOrganisation(council.organisationId));
      const exercises = exported.diagnostic.exercises as { id: string; shareWithPeers: boolean }[];
      const mine = exercises.find((x) => x.id === exerciseId)!;
      assert.equal(mine.shareWithPeers, true);
      mine.shareWithPeers = false;
      const target = await openTestDatabase(engine);
      try {
        await target.services.transfer.importOrganisation(exported, { actorLabel: 'move' });
        assert.deepEqual(await storedVersions(target), []);
        assert.deepEqual(await listedFor(target, await insertOrganisation(target.services)), []);
      } finally {
        await target.close();
      }
    });

    it('carries them through a backup and a restore, as every table', async () => {
      const file = join(dir, `${engine}.backup.gz`);
      await writeBackup(source.db, file);
      const target = await openTestDatabase(engine);
      try {
        await restoreBackup(target.db, file);
        assert.deepEqual(await storedVersions(target), await storedVersions(source));
        assert.deepEqual(copy(await listedFor(target, await insertOrganisation(target.services))), seen);
      } finally {
        await target.close();
      }
    });
  });
