// What a PGlite database in memory costs to start from a tarball of its data folder: the suite's
// templates (test/helpers/database.ts, migrated, with and without the demo), started the way the
// suite starts ~150 databases a run. Two ways, alternating within each round so that a noisy spell
// on the shared machine falls on both:
//
// - PGlite's own unpacking (`loadDataDir`, the baseline): the tarball unpacked at every start,
//   each entry's folders looked up, the file written and its time set;
// - put in place (`memoryFromTarball`, src/platform/db/pglite-memory-from-tarball.ts): the tarball
//   read once, each start making the folders in order and writing each file once.
//
// CPU ms of `PGlite.create` (the database runs in this process: `process.cpuUsage()`), then one
// query to see it holds the template's rows; median (min–max) over rounds, and put in place ÷
// unpacked within each round.
//
//   node bench/pglite-open.ts [--rounds 15]   (about half a minute; a deadline stops it after 5 minutes)

import { parseArgs } from 'node:util';
import { MemoryFS, PGlite } from '@electric-sql/pglite';
import { SMALL_SHARED_BUFFERS, tarball } from '../src/platform/db/database.ts';
import { memoryFromTarball } from '../src/platform/db/pglite-memory-from-tarball.ts';
import { pgliteTemplate } from '../test/helpers/database.ts';
import { deadline, describeMachine, fmt, isMain, median } from './support.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const ROUNDS = Number(args.rounds);
const START = [...PGlite.defaultStartParams, '-c', `shared_buffers=${SMALL_SHARED_BUFFERS}`];
type Way = 'unpacked' | 'in place';

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU ms to start a database from `bytes` one way; checks it holds `organisations` organisations. */
async function start(way: Way, bytes: Uint8Array, organisations: number): Promise<number> {
  const before = cpuMs();
  const db =
    way === 'unpacked'
      ? await PGlite.create({ loadDataDir: tarball(bytes), startParams: START })
      : await PGlite.create({ fs: memoryFromTarball(MemoryFS, bytes)!, startParams: START });
  const ms = cpuMs() - before;
  try {
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from organisation');
    if (rows[0]!.n !== organisations) throw new Error(`${way}: ${rows[0]!.n} organisations, not ${organisations}`);
  } finally {
    await db.close();
  }
  return ms;
}

if (isMain(import.meta.url)) {
  const guard = deadline(300, 'pglite-open', () => Promise.resolve());
  console.log(`Machine: ${JSON.stringify(describeMachine())}\n`);
  console.log(`CPU ms to start PGlite in memory from the suite's template, median (min–max) over ${ROUNDS} rounds:\n`);
  console.log('| Template | Size | Unpacked by PGlite (baseline) | Put in place | In place ÷ unpacked |');
  console.log('|---|---:|---|---|---|');
  for (const demo of [false, true]) {
    const bytes = await pgliteTemplate(demo);
    const probe = await PGlite.create({ loadDataDir: tarball(bytes), startParams: START });
    const organisations = (await probe.query<{ n: number }>('select count(*)::int as n from organisation')).rows[0]!.n;
    await probe.close();
    const samples: Record<Way | 'ratio', number[]> = { unpacked: [], 'in place': [], ratio: [] };
    // A warm-up of each: the first starts compile PGlite's code.
    for (const way of ['unpacked', 'in place'] as const) await start(way, bytes, organisations);
    for (let round = 0; round < ROUNDS; round++) {
      const ways: Way[] = round % 2 ? ['in place', 'unpacked'] : ['unpacked', 'in place'];
      const inRound: Partial<Record<Way, number>> = {};
      for (const way of ways) samples[way].push((inRound[way] = await start(way, bytes, organisations)));
      samples.ratio.push(inRound['in place']! / inRound.unpacked!);
    }
    const show = (v: number[]) => `${fmt(median(v))} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})`;
    console.log(
      `| ${demo ? 'demo' : 'empty'} | ${(bytes.byteLength / 1e6).toFixed(1)} MB | ${show(samples.unpacked)} | ${show(samples['in place'])} | **${show(samples.ratio)}** |`,
    );
  }
  guard.disarm();
}
