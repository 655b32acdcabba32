// What the dashboard generation costs the writes that move it (issue 14, ADR 0023; migration
// 2026-12-12-300): every insert, update or delete on a table the dashboard reads runs a
// statement-level trigger that notes the organisations it changed, and a transaction that noted one
// moves its counter on at commit.
//
// Per engine, two databases with the demo and an organisation of 1,000 priorities
// (test/builders/sized-organisation.ts: 4,000 indicator values): "with" as the migrations leave
// them, "without" taken back by the migration's `down()` (no triggers, no counter). On one
// connection of each, batches of transactions, each one write:
//   - a report's status changed (moves the counter: a note, and at commit the counter's row);
//   - a draft's text saved (the trigger runs, compares the columns the dashboard reads, notes nothing);
//   - a milestone's progress changed;
//   - an indicator's value changed (its indicators noted with the organisation since migration
//     2026-12-12-700, ADR 0029);
//   - an import's statement: the 4,000 values of the large organisation updated in one statement
//     (the trigger reads its 4,000-row transition tables once);
// and, through the services as a request makes them, a draft report's status saved
// (`reports.updateSections`, a unit of work with its reads, the lock, the version check and the
// audit). CPU per transaction: this process (on PGlite the database too) plus, on PostgreSQL, the
// backend serving the connection (`/proc/<pid>/schedstat`); for the services' saves, every backend
// of the database. Sides and operations rotate within each round. We print the median (min–max)
// over rounds and with ÷ without within each round.
//
//   node bench/dashboard-generation-writes.ts [--engine pglite|postgres|both] [--rounds 7] [--transactions 100]
//   (both engines: a minute or two on a quiet machine; a deadline stops it after 15 minutes)

import { parseArgs } from 'node:util';
import { CompiledQuery, sql } from 'kysely';
import type { Engine } from '../src/platform/db/database.ts';
import { systemActor } from '../src/domain/actor.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { insertSizedOrganisation } from '../test/builders/sized-organisation.ts';
import { down } from '../migrations/2026-12-12-300-dashboard-generation.ts';
import { backendNs, cpuPerTransaction, deadline, describeMachine, fmt, isMain, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '7' },
    transactions: { type: 'string', default: '100' },
  },
});
const ROUNDS = Number(args.rounds);
const TRANSACTIONS = Number(args.transactions);

type Side = 'with' | 'without';
const SIDES: readonly Side[] = ['with', 'without'];

interface Subjects {
  demo: string;
  large: string;
  report: string;
  statuses: [string, string];
  milestone: string;
  value: string;
}

/** Each write, given the transaction's number: one statement (run in BEGIN … COMMIT). */
const WRITES: readonly { name: string; statement: (s: Subjects, i: number) => CompiledQuery }[] = [
  {
    name: 'A report’s status changed',
    statement: (s, i) =>
      CompiledQuery.raw(`update progress_report set status_id = '${s.statuses[i % 2]}' where id = '${s.report}'`),
  },
  {
    name: 'A draft’s text saved',
    statement: (s, i) =>
      CompiledQuery.raw(`update progress_report set summary = 'Summary ${i % 2}' where id = '${s.report}'`),
  },
  {
    name: 'A milestone’s progress changed',
    statement: (s, i) =>
      CompiledQuery.raw(`update milestone set progress = ${i % 2 ? "'missed'" : 'null'} where id = '${s.milestone}'`),
  },
  {
    name: 'An indicator value changed',
    statement: (s, i) =>
      CompiledQuery.raw(
        `update indicator_value set actual = ${i % 2 ? 'actual + 1' : 'actual - 1'} where id = '${s.value}'`,
      ),
  },
  {
    name: 'An import’s statement: 4,000 values updated',
    statement: (s, i) =>
      CompiledQuery.raw(`update indicator_value set comment = 'Import ${i % 2}' where organisation_id = '${s.large}'`),
  },
];
const SAVE = 'A draft’s status saved through the services';

async function backendPids(database: TestDatabase): Promise<number[]> {
  if (database.engine !== 'postgres') return [];
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend'`.execute(database.db);
  return rows.map((r) => r.pid);
}

/** CPU ms per save of a draft's status through the services (a request's unit of work). */
async function saves(database: TestDatabase, demo: string): Promise<number> {
  const actor = systemActor(demo, 'bench');
  const pids = await backendPids(database);
  const node0 = process.cpuUsage();
  const server0 = backendNs(pids);
  for (let i = 0; i < TRANSACTIONS; i++)
    await database.services.reports.updateSections(actor, 'VfM-4d', '2009-10-h2', {
      status: i % 2 ? 'green' : 'red',
      statusReason: 'As measured',
    });
  const node = process.cpuUsage(node0);
  return ((node.user + node.system) / 1000 + (backendNs(pids) - server0) / 1e6) / TRANSACTIONS;
}

async function measure(engine: Engine): Promise<void> {
  const databases = {
    with: await openTestDatabase(engine, {}, { demo: true }),
    without: await openTestDatabase(engine, {}, { demo: true }),
  } satisfies Record<Side, TestDatabase>;
  const guard = deadline(900, 'dashboard-generation-writes', async () => {
    for (const d of Object.values(databases)) await d.close();
  });
  try {
    await down(databases.without.db);
    const subjects = {} as Record<Side, Subjects>;
    for (const side of SIDES) {
      const database = databases[side];
      const { id: demo } = await database.services.organisations.getHome();
      const large = await insertSizedOrganisation(database, { priorities: 1000, name: 'Bench Council 1000' });
      await database.services.reports.create(systemActor(demo, 'bench'), 'VfM-4d', { period: '2009-10-h2' });
      const { rows } = await sql<{ report: string; milestone: string }>`
        select r.id as report, (select m.id from milestone m where m.organisation_id = r.organisation_id limit 1) as milestone
        from progress_report r where r.organisation_id = ${demo} and r.state = 'draft' limit 1`.execute(database.db);
      const value = await sql<{ id: string }>`select id from indicator_value where organisation_id = ${demo}
        and actual is not null limit 1`.execute(database.db);
      const statuses = await sql<{ id: string }>`select id from status where organisation_id = ${demo}
        and key in ('green', 'red') order by key`.execute(database.db);
      subjects[side] = {
        demo,
        large: large.organisationId,
        report: rows[0]!.report,
        milestone: rows[0]!.milestone,
        value: value.rows[0]!.id,
        statuses: [statuses.rows[0]!.id, statuses.rows[1]!.id],
      };
      await sql`vacuum analyze`.execute(database.db);
    }
    const operations = [...WRITES.map((w) => w.name), SAVE];
    const run = (side: Side, name: string) => {
      const write = WRITES.find((w) => w.name === name);
      return write
        ? cpuPerTransaction(databases[side], (i) => write.statement(subjects[side], i), TRANSACTIONS)
        : saves(databases[side], subjects[side].demo);
    };
    // Warm-up: every plan prepared and every function compiled on both sides.
    for (const side of SIDES) for (const name of operations) await run(side, name);
    const samples = new Map<string, number[]>();
    const add = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
    for (let round = 0; round < ROUNDS; round++) {
      const sides = round % 2 ? [...SIDES].reverse() : SIDES;
      const order = [...operations.slice(round % operations.length), ...operations.slice(0, round % operations.length)];
      for (const name of order) {
        const ms = new Map<Side, number>();
        for (const side of sides) ms.set(side, await run(side, name));
        add(`with ${name}`, ms.get('with')!);
        add(`without ${name}`, ms.get('without')!);
        add(`ratio ${name}`, ms.get('with')! / ms.get('without')!);
        add(`added ${name}`, ms.get('with')! - ms.get('without')!);
      }
      console.error(`${engine}: round ${round + 1}/${ROUNDS}`);
    }
    const show = (key: string) => {
      const v = samples.get(key)!;
      return `${fmt(median(v))} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})`;
    };
    console.log(`\n## ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}\n`);
    console.log(
      `CPU ms a transaction${engine === 'postgres' ? ', this process and the server' : ''}, median (min–max) over ${ROUNDS} rounds of ${TRANSACTIONS}:\n`,
    );
    console.log('| Write | Without the generation | With it | Added | With ÷ without |');
    console.log('|---|---|---|---|---|');
    for (const name of operations)
      console.log(
        `| ${name} | ${show(`without ${name}`)} | ${show(`with ${name}`)} | ${show(`added ${name}`)} | **${show(`ratio ${name}`)}** |`,
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
