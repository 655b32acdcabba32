// What entering an organisation costs a transaction (issue 14, "fast pages"): every unit of work
// acting for an organisation starts with one statement that sets the tenant role and the
// organisation and calls `amber_enter_organisation()`, which works out what other organisations
// share with it (migration 2026-12-12-200). Measured per organisation of the demo, which has a
// council a partner shares a priority with, two partners it shares with, a club's host and members
// nothing is shared with.
//
// Per engine, two databases with the demo (`openTestDatabase`, the tests' template): one with the
// functions as the migrations leave them ("now"), one with those before migration 2026-12-12-200
// (its `down()`: "before"). On one connection of each, a batch of transactions per organisation
// — BEGIN; the statement that enters it; COMMIT — and the same batch with the organisation set
// but not entered (the baseline). CPU per transaction: `process.cpuUsage()` (on PGlite the
// database runs in this process) or, on the PostgreSQL server, the CPU of the backend serving the
// connection (`/proc/<pid>/schedstat`; the server runs on this machine) plus this process's. The
// databases, organisations and the baseline rotate within each round, so a noisy spell on the
// shared machine falls on all of them. We print the median (min–max) over rounds of each, the
// entering's own part (less the baseline) and now ÷ before within each round.
//
//   node bench/enter-organisation.ts [--engine pglite|postgres|both] [--rounds 7] [--transactions 200]
//   (both engines: about a minute on a quiet machine; a deadline stops it after 10 minutes)

import { parseArgs } from 'node:util';
import { CompiledQuery, sql } from 'kysely';
import type { Engine } from '../src/platform/db/database.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { down } from '../migrations/2026-12-12-200-enter-organisation-in-fewer-statements.ts';
import { cpuPerTransaction, deadline, describeMachine, fmt, isMain, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '7' },
    transactions: { type: 'string', default: '200' },
  },
});
const ROUNDS = Number(args.rounds);
const TRANSACTIONS = Number(args.transactions);

type Side = 'now' | 'before';
interface Organisation {
  id: string;
  name: string;
  shares: number;
}

const entering = (id: string, enter: boolean) =>
  CompiledQuery.raw(
    `set local role amber_tenant; select set_config('amber.organisation_id', '${id}', true)${enter ? ', amber_enter_organisation()' : ''}`,
  );

/** CPU ms of `TRANSACTIONS` transactions entering (or only setting) the organisation, per transaction. */
const batch = (database: TestDatabase, organisation: string, enter: boolean): Promise<number> => {
  const statement = entering(organisation, enter);
  return cpuPerTransaction(database, () => statement, TRANSACTIONS);
};

async function measure(engine: Engine): Promise<void> {
  const databases = {
    now: await openTestDatabase(engine, {}, { demo: true }),
    before: await openTestDatabase(engine, {}, { demo: true }),
  } satisfies Record<Side, TestDatabase>;
  const guard = deadline(600, 'enter-organisation', async () => {
    for (const d of Object.values(databases)) await d.close();
  });
  try {
    await down(databases.before.db);
    // Organisations that run Amber (partner records are only rows of their owner's).
    const { rows: organisations } = await sql<Organisation>`
      select o.id, o.name, (select count(*)::int from amber_active_shares(o.id)) as shares
      from organisation o where o.slug is not null order by o.created_at`.execute(databases.now.db);
    const samples = new Map<string, number[]>();
    const add = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
    // Warm-up: every plan prepared and every function compiled on both sides.
    for (const side of ['now', 'before'] as const)
      for (const o of organisations) for (const enter of [false, true]) await batch(databases[side], o.id, enter);
    for (let round = 0; round < ROUNDS; round++) {
      const sides: Side[] = round % 2 ? ['before', 'now'] : ['now', 'before'];
      const order = [
        ...organisations.slice(round % organisations.length),
        ...organisations.slice(0, round % organisations.length),
      ];
      const inRound = new Map<string, number>();
      for (const o of order)
        for (const side of sides)
          for (const enter of round % 2 ? [true, false] : [false, true]) {
            const ms = await batch(databases[side], o.id, enter);
            inRound.set(`${side} ${o.id} ${enter}`, ms);
            add(`${side} ${o.id} ${enter}`, ms);
          }
      for (const o of organisations) {
        const own = (side: Side) => inRound.get(`${side} ${o.id} true`)! - inRound.get(`${side} ${o.id} false`)!;
        add(`ratio ${o.id}`, inRound.get(`now ${o.id} true`)! / inRound.get(`before ${o.id} true`)!);
        add(`own now ${o.id}`, own('now'));
        add(`own before ${o.id}`, own('before'));
      }
      console.error(`${engine}: round ${round + 1}/${ROUNDS}`);
    }
    const show = (key: string) => {
      const v = samples.get(key)!;
      return `${fmt(median(v))} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})`;
    };
    console.log(`\n## ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}\n`);
    console.log(
      `CPU ms a transaction (BEGIN, the statement, COMMIT)${engine === 'postgres' ? ', this process and the server backend' : ''}, median (min–max) over ${ROUNDS} rounds of ${TRANSACTIONS}:\n`,
    );
    console.log(
      '| Organisation | Live shares with it | Organisation set, not entered | Entered, before | Entered, now | Entering alone, before | Entering alone, now | Now ÷ before |',
    );
    console.log('|---|---:|---|---|---|---|---|---|');
    for (const o of organisations)
      console.log(
        `| ${o.name} | ${o.shares} | ${show(`now ${o.id} false`)} | ${show(`before ${o.id} true`)} | ${show(`now ${o.id} true`)} | ${show(`own before ${o.id}`)} | ${show(`own now ${o.id}`)} | **${show(`ratio ${o.id}`)}** |`,
      );
    guard.disarm();
  } finally {
    for (const d of Object.values(databases)) await d.close();
  }
}

if (isMain(import.meta.url)) {
  const engines: Engine[] = args.engine === 'both' ? ['pglite', 'postgres'] : [args.engine as Engine];
  console.log(`Machine: ${JSON.stringify(describeMachine())}`);
  for (const engine of engines) await measure(engine);
}
