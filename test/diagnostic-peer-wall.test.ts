// A diagnostic shared with peers shares its per-function figures and nothing else (issue 11/12;
// migration 2026-12-08-700-*), on PGlite and on PostgreSQL. The demo council shares its exercise;
// another organisation, acting for itself as a request does (units.actingFor), reads none of its
// rows with a raw `select *` in any table of the diagnostic or the efficiency programme — found
// from the database's catalogue (every table with an organisation_id named diagnostic_* or hanging
// off diagnostic_exercise by foreign keys), not from a hand list — and still gets, through
// amber_peer_figures, exactly the per-function figures the council's own baseline has.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/database.ts';
import { exerciseSettings, insertOrganisation } from './builders/index.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';

for (const engine of ENGINES) {
  describe(`a shared diagnostic's rows stay behind its organisation's wall [${engine}]`, () => {
    let t: TestDatabase;
    let council: Actor;
    let peer: Actor;
    let exerciseId: string;
    let year: number;
    let tables: string[];

    /** `fn`'s result, run in a unit of work acting for `actor`'s organisation (as a request's is). */
    const actingAs = <T>(actor: Actor, fn: () => Promise<T>) =>
      t.units.actingFor(actor.organisationId, () => t.units.run(fn));
    const rowsOf = (table: string, organisationId: string) =>
      sql<Record<string, unknown>>`select * from ${sql.table(table)} where organisation_id = ${organisationId}`
        .execute(t.units.db)
        .then((r) => r.rows);
    const stopSharing = async () => {
      await t.services.diagnostics.updateExercise(
        council,
        exerciseId,
        await exerciseSettings(t.services, council, exerciseId, { shareWithPeers: '' }),
      );
    };

    before(async () => {
      t = await openTestDatabase(engine, {}, { demo: true });
      council = systemActor((await t.services.organisations.findHome())!.id, 'test');
      peer = await insertOrganisation(t.services);
      const exercise = (await t.services.diagnostics.listExercises(council)).find((e) => e.counts.posts > 0)!;
      exerciseId = exercise.id;
      year = exercise.financialYear;
      // The council's own taxonomy version too, so that table has a row of its to hide.
      await t.services.diagnostics.extendTaxonomy(council, {
        basedOnId: exercise.taxonomyVersionId,
        name: `Council's own ${engine}`,
        functions: [{ code: 'ZZW', name: 'Walled function' }],
      });
      // Shared with every organisation before that setting was retired (ADR 0018; the service lets
      // no exercise start now): its owner's next look at the baseline stores its peers' figures.
      await sql`update diagnostic_exercise set share_with_peers = true where id = ${exerciseId}`.execute(t.db);
      await t.services.diagnostics.getBaseline(council, exerciseId, { fresh: true });
      const { rows } = await sql<{ table_name: string }>`
        with recursive hanging(rel) as (
          select 'diagnostic_exercise'::regclass::oid
          union
          select c.conrelid from pg_constraint c join hanging h on c.confrelid = h.rel where c.contype = 'f'
        )
        select cl.relname as table_name from pg_class cl
        join pg_attribute a on a.attrelid = cl.oid and a.attname = 'organisation_id' and not a.attisdropped
        where cl.relkind = 'r' and cl.relnamespace = (select oid from pg_namespace where nspname = current_schema())
          and (cl.relname like 'diagnostic\\_%' or cl.oid in (select rel from hanging))
        order by 1`.execute(t.db);
      tables = rows.map((r) => r.table_name);
    });
    after(async () => t?.close());

    it('finds the diagnostic’s and the programme’s tables, each holding rows of the sharing council', async () => {
      for (const known of [
        'diagnostic_exercise',
        'diagnostic_post',
        'diagnostic_allocation',
        'diagnostic_non_pay',
        'diagnostic_org_unit',
        'diagnostic_volume',
        'diagnostic_taxonomy_version',
        'diagnostic_peer_function',
        'benchmark_set',
        'opportunity',
        'business_case',
        'business_case_option',
        'business_case_line',
        'implementation_project',
        'savings_entry',
        'gain_share_agreement',
      ])
        assert.ok(tables.includes(known), `${known} is not among ${tables.join(', ')}`);
      // Read as the owner (acting for nobody): what the walls below must hide exists.
      const empty: string[] = [];
      await t.units.run(async () => {
        for (const table of tables) if ((await rowsOf(table, council.organisationId)).length === 0) empty.push(table);
      });
      assert.deepEqual(empty, [], 'tables where the council has no row, so a wall there would prove nothing');
    });

    it('shows another organisation none of the sharing council’s rows, in every one of them', async () => {
      const seen: string[] = [];
      await actingAs(peer, async () => {
        for (const table of tables) {
          const targeted = await rowsOf(table, council.organisationId);
          // And without any condition: nothing but the peer's own rows (and Amber's shipped taxonomy, nobody's).
          const all = await sql<{ organisation_id: string | null }>`select * from ${sql.table(table)}`.execute(
            t.units.db,
          );
          const foreign = all.rows.filter(
            (r) => r.organisation_id !== null && r.organisation_id !== peer.organisationId,
          );
          if (targeted.length > 0 || foreign.length > 0)
            seen.push(`${table}: ${targeted.length} of the council's rows, ${foreign.length} not the peer's`);
        }
        // The council's own taxonomy functions, which have no organisation_id of their own.
        const functions = await sql<{ code: string }>`
          select code from diagnostic_taxonomy_function where code = 'ZZW'`.execute(t.units.db);
        if (functions.rows.length > 0) seen.push('diagnostic_taxonomy_function: the council’s own function');
      });
      assert.deepEqual(seen, []);
    });

    it('gives another organisation, through amber_peer_figures, the per-function figures of the council’s own baseline', async () => {
      const baseline = await t.services.diagnostics.getBaseline(council, exerciseId);
      const listed = await actingAs(peer, () => t.services.diagnostics.listSharedBaselines(peer, year));
      const mine = listed.filter((s) => s.exerciseId === exerciseId);
      assert.equal(mine.length, 1, 'the shared exercise comes through');
      const shared = mine[0]!;
      assert.equal(shared.organisationId, council.organisationId);
      assert.equal(shared.runningCosts, baseline.exercise.runningCosts);
      assert.equal(shared.headcount, baseline.exercise.headcount);
      assert.deepEqual(
        shared.functions,
        baseline.exercise.taxonomy.functions.map((f) => ({
          code: f.code,
          name: f.name,
          cost: baseline.totalCost.byFunction[f.code],
          payCost: baseline.byFunction[f.code]!.payCost,
          nonPayCost: baseline.nonPay.byFunction[f.code],
          fte: baseline.byFunction[f.code]!.fte,
          shareOfRunningCosts: baseline.shareOfRunningCosts[f.code],
        })),
      );
      assert.ok(
        shared.functions.some((f) => f.cost > 0),
        'figures, not zeros',
      );
      // The raw function gives the council none of its own exercise, and the peer nothing but totals.
      const own = await actingAs(
        council,
        async () =>
          (await sql<{ exercise_id: string }>`select * from amber_peer_figures(${year})`.execute(t.units.db)).rows,
      );
      assert.ok(!own.some((r) => r.exercise_id === exerciseId), 'its own exercise is no peer’s');
      const raw = await actingAs(
        peer,
        async () =>
          (await sql<Record<string, unknown>>`select * from amber_peer_figures(${year})`.execute(t.units.db)).rows,
      );
      assert.ok(raw.length > 0);
      assert.deepEqual(Object.keys(raw[0]!).sort(), [
        'code',
        'cost',
        'exercise_id',
        'exercise_version',
        'fte',
        'headcount',
        'name',
        'non_pay_cost',
        'organisation_id',
        'pay_cost',
        'running_costs',
        'share_of_running_costs',
      ]);
    });

    it('refuses another organisation a write to the council’s figures, changing none', async () => {
      const before = await t.units.run(() => rowsOf('diagnostic_peer_function', council.organisationId));
      await assert.rejects(
        actingAs(peer, () =>
          sql`insert into diagnostic_peer_function (exercise_id, organisation_id, exercise_version, code, name, position, cost, pay_cost, non_pay_cost, fte)
            values (${exerciseId}, ${council.organisationId}, 999, 'FAKE', 'Fake', 99, 1, 1, 0, 1)`.execute(t.units.db),
        ),
        /row-level security/,
      );
      const changed = await actingAs(peer, async () =>
        Number(
          (
            await sql`update diagnostic_peer_function set cost = 0 where organisation_id = ${council.organisationId}`.execute(
              t.units.db,
            )
          ).numAffectedRows,
        ),
      );
      assert.equal(changed, 0);
      assert.deepEqual(await t.units.run(() => rowsOf('diagnostic_peer_function', council.organisationId)), before);
    });

    it('gives nothing from a figure stored before the exercise’s last change, nor once sharing stops', async () => {
      const listed = () =>
        actingAs(peer, () => t.services.diagnostics.listSharedBaselines(peer, year)).then((l) =>
          l.filter((s) => s.exerciseId === exerciseId),
        );
      assert.equal((await listed()).length, 1);
      // A change that did not go through the service (so stored nothing): the stored figures are
      // of an older version, and are not served.
      await t.units.run(() =>
        sql`update diagnostic_exercise set version = version + 1 where id = ${exerciseId}`.execute(t.units.db),
      );
      assert.equal((await listed()).length, 0, 'figures of an older version are not served');
      // The council's next look at its baseline stores them for the version it is at.
      await t.services.diagnostics.getBaseline(council, exerciseId, { fresh: true });
      assert.equal((await listed()).length, 1, 'stored again by the council');
      await stopSharing();
      assert.equal((await listed()).length, 0, 'not shared: nothing');
      const stored = await t.units.run(() => rowsOf('diagnostic_peer_function', council.organisationId));
      assert.equal(stored.length, 0, 'and nothing kept to share');
    });
  });
}
