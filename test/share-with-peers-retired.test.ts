// Sharing a diagnostic exercise with every organisation is retired in favour of benchmarking clubs
// (ADR 0018), on PGlite and on PostgreSQL: no exercise starts sharing — refused naming the field in
// the service, on the page and through the API, changing nothing — while one that shared before
// keeps its setting, says on its pages that no benchmark uses it now, and may turn it off, once.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { ValidationError } from '../src/domain/errors.ts';
import { exerciseSettings } from './builders/index.ts';

const RETIRED =
  /^Sharing an exercise with every organisation has been retired: benchmarks now come from benchmarking clubs/;

for (const engine of ENGINES)
  describe(`sharing an exercise with every organisation is retired [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let exerciseId: string;

    const exercise = () => t.services.diagnostics.getExercise(leeds, exerciseId);
    /** The exercise's settings as its form sends them, with `shareWithPeers` as given. */
    const settings = (shareWithPeers: string) => exerciseSettings(t.services, leeds, exerciseId, { shareWithPeers });
    const refusedNamingTheField = (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.issues[0]!.field, 'shareWithPeers');
      assert.match(e.issues[0]!.message, RETIRED);
      return true;
    };

    before(async () => {
      t = await buildTestApp(engine);
      leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      exerciseId = (await t.services.diagnostics.listExercises(leeds))[0]!.id;
      assert.equal((await exercise()).shareWithPeers, false, 'the premise: the demo’s exercise does not share');
    });
    after(async () => t?.close());

    it('lets no exercise start sharing, in the service, on the page or through the API, changing nothing', async () => {
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
      assert.deepEqual(
        [(await exercise()).version, (await exercise()).shareWithPeers],
        [version, false],
        'nothing changed',
      );
    });

    it('keeps an exercise that shared before, says no benchmark uses it, and lets it stop sharing, once', async () => {
      // Shared before the setting was retired (an older Amber, or an organisation file from one).
      await sql`update diagnostic_exercise set share_with_peers = true where id = ${exerciseId}`.execute(t.db);
      const show = await t.app.inject({ url: paths.diagnostic.show(exerciseId) });
      assert.match(show.body, /Shared with every organisation/);
      assert.match(show.body, /a retired setting that no benchmark uses now/);
      const editForm = await t.app.inject({ url: paths.diagnostic.edit(exerciseId) });
      assert.match(editForm.body, /data-qa="share-with-everyone"/);
      assert.match(editForm.body, /name="shareWithPeers" type="checkbox" value="yes" checked/);

      // Saved with the box still ticked: it keeps sharing.
      await t.services.diagnostics.updateExercise(leeds, exerciseId, await settings('yes'));
      assert.equal((await exercise()).shareWithPeers, true);
      // Unticked on the page: it stops, and the setting is gone from the form.
      const stopped = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.edit(exerciseId),
        ...form(await settings('')),
      });
      assert.equal(stopped.statusCode, 303, stopped.body);
      assert.equal((await exercise()).shareWithPeers, false);
      assert.ok(
        !(await t.app.inject({ url: paths.diagnostic.edit(exerciseId) })).body.includes('name="shareWithPeers"'),
      );
      await assert.rejects(
        t.services.diagnostics.updateExercise(leeds, exerciseId, await settings('yes')),
        refusedNamingTheField,
      );
    });
  });
