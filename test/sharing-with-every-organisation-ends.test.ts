// Sharing a diagnostic exercise with every organisation has ended (ADR 0018; migration
// 2026-12-11-100-*), on PGlite and on PostgreSQL: peers' benchmarks come from benchmarking clubs
// only. A client that still asks to share is refused naming the field, in the service, on the page
// and through the API, changing nothing; the migration records in the history of each exercise
// that still shared that it stopped, stops it, empties the pool and drops its door (the function
// `amber_peer_figures`), and goes down and up again; an organisation file from an older Amber
// that says an exercise shared still imports, and the exercise's history says the sharing ended.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { ENGINES, openTestDatabase } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { ValidationError } from '../src/domain/errors.ts';
import { MIGRATIONS_DIR, migrateToLatest } from '../src/platform/db/migrate.ts';
import { migrateDatabaseTo } from '../src/platform/db/backup.ts';
import { exerciseSettings } from './builders/index.ts';

const RETIRED =
  /^Sharing an exercise with every organisation has been retired: benchmarks now come from benchmarking clubs/;
const MIGRATION = '2026-12-11-100-sharing-with-every-organisation-ends';
const ENDED = 'Sharing with every organisation ended: the setting was retired (ADR 0018)';

for (const engine of ENGINES)
  describe(`sharing an exercise with every organisation has ended [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let exerciseId: string;

    const exercise = () => t.services.diagnostics.getExercise(leeds, exerciseId);
    const settings = (shareWithPeers: string) => exerciseSettings(t.services, leeds, exerciseId, { shareWithPeers });
    const refusedNamingTheField = (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.issues[0]!.field, 'shareWithPeers');
      assert.match(e.issues[0]!.message, RETIRED);
      return true;
    };
    /** The audit events of an exercise, oldest first. */
    const eventsOf = async (id: string) =>
      (
        await sql<{ actor: string; action: string; before: unknown; after: unknown }>`
          select actor, action, before, after from audit_event where entity_id = ${id} order by id`.execute(t.db)
      ).rows;
    /** What of the pool the database holds: its function, its figures and the exercises sharing. */
    const pool = async () =>
      (
        await sql<{ fn: string | null; figures: number; sharing: number }>`
          select to_regprocedure('amber_peer_figures(integer)')::text as fn,
                 (select count(*)::int from diagnostic_peer_function) as figures,
                 (select count(*)::int from diagnostic_exercise where share_with_peers) as sharing`.execute(t.db)
      ).rows[0]!;

    before(async () => {
      t = await buildTestApp(engine);
      leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      exerciseId = (await t.services.diagnostics.listExercises(leeds))[0]!.id;
    });
    after(async () => t?.close());

    it('refuses a client that still asks to share, in the service, on the page and through the API, changing nothing', async () => {
      const count = async () => (await t.services.diagnostics.listExercises(leeds)).length;
      const exercises = await count();
      await assert.rejects(
        t.services.diagnostics.createExercise(leeds, {
          name: 'Shared 2010/11',
          financialYear: '2010',
          runningCosts: '£300m',
          headcount: '',
          taxonomyVersionId: (await exercise()).taxonomyVersionId,
          shareWithPeers: 'yes',
        }),
        refusedNamingTheField,
      );
      assert.equal(await count(), exercises, 'no exercise made');
      const { version } = await exercise();
      await assert.rejects(
        t.services.diagnostics.updateExercise(leeds, exerciseId, await settings('yes')),
        refusedNamingTheField,
      );

      const editForm = await t.app.inject({ url: paths.diagnostic.edit(exerciseId) });
      assert.equal(editForm.statusCode, 200);
      assert.ok(!editForm.body.includes('name="shareWithPeers"'), 'the form offers no such setting');
      assert.ok(editForm.body.includes('data-qa="benchmarking-clubs"'), 'it points to the clubs instead');
      const page = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.edit(exerciseId),
        ...form(await settings('yes')),
      });
      assert.equal(page.statusCode, 422);
      assert.match(page.body, /Sharing an exercise with every organisation has been retired/);
      assert.match(page.body, /href="#shareWithPeers"/);

      const api = await t.app.inject({
        method: 'PUT',
        url: paths.api.exercise(exerciseId),
        payload: { ...(await settings('')), shareWithPeers: true },
      });
      assert.equal(api.statusCode, 422, api.body);
      assert.equal(api.json().errors[0].field, 'shareWithPeers');
      assert.equal((await exercise()).version, version, 'nothing changed');
      // Unticked, as an older form sends it, the exercise saves.
      await t.services.diagnostics.updateExercise(leeds, exerciseId, await settings(''));
      assert.equal((await exercise()).version, version + 1);
    });

    it('records in the history of each exercise that still shared that it stopped, and empties the pool and drops its door', async () => {
      const names = readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.replace(/\.ts$/, ''))
        .sort();
      const previous = names[names.indexOf(MIGRATION) - 1]!;
      assert.ok(previous, 'the migration before it');
      assert.deepEqual(await pool(), { fn: null, figures: 0, sharing: 0 }, 'the premise: no pool at the latest');

      // As an older Amber left it: the pool back (this migration's down), the demo's exercise
      // sharing with its figures stored, and another exercise that does not share.
      await migrateDatabaseTo(t.db, previous);
      assert.deepEqual(await pool(), { fn: 'amber_peer_figures(integer)', figures: 0, sharing: 0 });
      const other = await t.services.diagnostics.createExercise(leeds, {
        name: 'Not shared 2010/11',
        financialYear: '2010',
        runningCosts: '£300m',
        headcount: '',
        taxonomyVersionId: (await exercise()).taxonomyVersionId,
      });
      await sql`update diagnostic_exercise set share_with_peers = (id = ${exerciseId})`.execute(t.db);
      await sql`insert into diagnostic_peer_function
          (exercise_id, organisation_id, exercise_version, code, name, position, cost, pay_cost, non_pay_cost, fte)
        select id, organisation_id, version, 'FIN', 'Finance', 0, 100, 60, 40, 10000
        from diagnostic_exercise where id = ${exerciseId}`.execute(t.db);
      const { version } = await exercise();
      const before = (await eventsOf(exerciseId)).length;
      assert.deepEqual(await pool(), { fn: 'amber_peer_figures(integer)', figures: 1, sharing: 1 });

      await migrateToLatest(t.db);
      assert.deepEqual(await pool(), { fn: null, figures: 0, sharing: 0 }, 'no exercise shares, no figure, no door');
      const events = await eventsOf(exerciseId);
      assert.equal(events.length, before + 1, 'one event for the exercise that shared');
      assert.deepEqual(events.at(-1), {
        actor: 'Amber upgrade',
        action: 'update',
        before: { what: ENDED, shareWithPeers: true },
        after: { what: ENDED, shareWithPeers: false },
      });
      assert.deepEqual(
        (await eventsOf(other)).map((e) => e.action),
        ['create'],
        'none for the exercise that did not share',
      );
      assert.equal((await exercise()).version, version, 'the exercise’s version did not move');

      // The organisation's history shows it in words.
      const audit = await t.app.inject({ url: paths.history.audit });
      assert.equal(audit.statusCode, 200);
      assert.ok(audit.body.includes(ENDED), 'the history names the change');
      assert.match(audit.body, /Share with peers/);
      // And the app works on the migrated database: the exercise's page and settings.
      assert.equal((await t.app.inject({ url: paths.diagnostic.show(exerciseId) })).statusCode, 200);
      await t.services.diagnostics.updateExercise(leeds, exerciseId, await settings(''));
    });

    it('imports an organisation file from an older Amber that says an exercise shared, recording that it no longer does', async () => {
      const file = JSON.parse(
        JSON.stringify(await t.services.transfer.exportOrganisation(leeds.organisationId)),
      ) as Record<string, any>;
      const exercises = file.diagnostic.exercises as Record<string, unknown>[];
      assert.ok(exercises.length >= 1 && exercises.every((e) => !('shareWithPeers' in e)), 'not written any more');
      exercises.forEach((e, i) => (e.shareWithPeers = i === 0));

      const target = await openTestDatabase(engine);
      try {
        // Still checked as before: a file that gives it as anything but true or false is refused, naming it.
        const wrong = structuredClone(file);
        wrong.diagnostic.exercises[0].shareWithPeers = 'yes';
        await assert.rejects(target.services.transfer.importOrganisation(wrong, { actorLabel: 'move' }), (e) => {
          assert.ok(e instanceof ValidationError);
          assert.match(JSON.stringify(e.issues), /diagnostic\.exercises\[0\]\.shareWithPeers/);
          return true;
        });

        const result = await target.services.transfer.importOrganisation(file, { actorLabel: 'move' });
        assert.equal(result.counts.exercisesNoLongerShared, 1);
        const ended = (
          await sql<{ entity_id: string; actor: string; after: unknown }>`
            select entity_id, actor, after from audit_event
            where entity = 'diagnostic_exercise' and before->>'shareWithPeers' = 'true'
              and organisation_id = ${leeds.organisationId}
            order by id`.execute(target.db)
        ).rows;
        assert.deepEqual(ended.slice(-1), [
          { entity_id: exercises[0]!.id, actor: 'move', after: { what: ENDED, shareWithPeers: false } },
        ]);
      } finally {
        await target.close();
      }
    });
  });
