// A council's diagnostic stays behind its organisation's wall (issue 11/12), on PGlite and on
// PostgreSQL: another organisation, acting for itself as a request does (units.actingFor), reads
// none of its rows with a raw `select *` in any table of the diagnostic or the efficiency
// programme — found from the database's catalogue (every table with an organisation_id named
// diagnostic_* or hanging off diagnostic_exercise by foreign keys), not from a hand list. Peers
// learn of it only what a benchmarking club it contributes to shows (ADR 0016, 0018; the clubs'
// own tests): sharing an exercise with every organisation is gone (migration 2026-12-11-100-*).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/database.ts';
import { insertOrganisation } from './builders/index.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';

for (const engine of ENGINES) {
  describe(`a council's diagnostic rows stay behind its organisation's wall [${engine}]`, () => {
    let t: TestDatabase;
    let council: Actor;
    let peer: Actor;
    let tables: string[];

    /** `fn`'s result, run in a unit of work acting for `actor`'s organisation (as a request's is). */
    const actingAs = <T>(actor: Actor, fn: () => Promise<T>) =>
      t.units.actingFor(actor.organisationId, () => t.units.run(fn));
    const rowsOf = (table: string, organisationId: string) =>
      sql<Record<string, unknown>>`select * from ${sql.table(table)} where organisation_id = ${organisationId}`
        .execute(t.units.db)
        .then((r) => r.rows);

    before(async () => {
      t = await openTestDatabase(engine, {}, { demo: true });
      council = systemActor((await t.services.organisations.findHome())!.id, 'test');
      peer = await insertOrganisation(t.services);
      const exercise = (await t.services.diagnostics.listExercises(council)).find((e) => e.counts.posts > 0)!;
      // The council's own taxonomy version too, so that table has a row of its to hide.
      await t.services.diagnostics.extendTaxonomy(council, {
        basedOnId: exercise.taxonomyVersionId,
        name: `Council's own ${engine}`,
        functions: [{ code: 'ZZW', name: 'Walled function' }],
      });
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
      // The retired pool of figures shared with every organisation is empty for every organisation
      // (migration 2026-12-11-100-*, test/sharing-with-every-organisation-ends.test.ts).
      tables = rows.map((r) => r.table_name).filter((table) => table !== 'diagnostic_peer_function');
    });
    after(async () => t?.close());

    it('finds the diagnostic’s and the programme’s tables, each holding rows of the council', async () => {
      for (const known of [
        'diagnostic_exercise',
        'diagnostic_post',
        'diagnostic_allocation',
        'diagnostic_non_pay',
        'diagnostic_org_unit',
        'diagnostic_volume',
        'diagnostic_taxonomy_version',
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

    it('shows another organisation none of the council’s rows, in every one of them', async () => {
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
  });
}
