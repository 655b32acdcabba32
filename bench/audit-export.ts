// The organisation's audit trail as CSV (`/audit-trail.csv`), at the size a council reaches after
// a few years of imports: 100,000 events, each like an import's (a value, its period and comment).
// The app listens on loopback and a client downloads the file over HTTP, counting its bytes and
// keeping none. Each round (alternating which goes first) times:
//
//   - the download: to its first byte and to its last; the longest the event loop went without
//     turning meanwhile (what any other request, /health or the job worker would wait at worst:
//     the server runs in this process); the process's memory (RSS) at most, above what it was before;
//   - the query floor: the same events read by one plain statement on the pool, nothing described
//     or written, rows dropped as they come (the least a whole export could cost the database).
//
// Medians (min–max) of 3 rounds after one discarded warm-up.
//
//   node --expose-gc bench/audit-export.ts [--engine pglite|postgres|both] [--rounds 3] [--events 100000]
//       [--analyze yes|no]

import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import { buildTestApp, createTestSession } from '../test/helpers/app.ts';
import type { Engine } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import { vacuumAndAnalyze } from '../src/platform/db/pglite-upkeep.ts';
import { deadline, describeMachine, fmt, heldTicker, median } from './support.ts';

interface Round {
  firstByteMs: number;
  lastByteMs: number;
  heldMs: number;
  rssAddedMb: number;
  bytes: number;
  floorMs: number;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function runEngine(engine: Engine, events: number, rounds: number, analyze: boolean): Promise<Round[]> {
  const t = await buildTestApp(engine, { demo: false, as: false });
  try {
    const home = await t.services.organisations.createHome('bench', { name: 'Bench council', kind: 'council' });
    // In slices, so PGlite's memory for one statement stays small; not what is measured.
    for (let done = 0; done < events; done += 10_000) {
      await sql`insert into audit_event (organisation_id, actor, entity, entity_id, action, before, after)
        select ${home.id}::uuid, 'Pat Officer', 'indicator_value', gen_random_uuid(), 'import', null,
          jsonb_build_object('imported', 'values.csv', 'values', jsonb_build_array(
            jsonb_build_object('periodKey', '2009-10-q1', 'actual', g, 'target', 50, 'comment', 'Comment on value ' || g)))
        from generate_series(1, ${Math.min(10_000, events - done)}::int) g`.execute(t.db);
    }
    // A server's autovacuum analyzes a table within a minute of such an insert, and Amber's upkeep
    // analyzes PGlite's daily (pglite-upkeep.ts): a trail of 100,000 events has statistics. Before it
    // does, the planner guesses the organisation has a few hundred events and sorts all of them for
    // every page (48 ms a page on the server rather than under one). `--analyze no` measures that.
    if (analyze) {
      if (engine === 'postgres') await sql`analyze audit_event`.execute(t.db);
      else await vacuumAndAnalyze(t.db);
    }
    const session = await createTestSession(t.services, home.id, ['performance_officer']);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}${paths.history.auditCsv()}`;

    const download = async () => {
      gc();
      const rssBefore = process.memoryUsage.rss();
      let rssMax = rssBefore;
      const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 5);
      const loop = heldTicker();
      const start = performance.now();
      const res = await fetch(url, { headers: { cookie: session.headers.cookie } });
      if (res.status !== 200 || !res.body) throw new Error(`the export answered ${res.status}`);
      let firstByte = 0;
      let bytes = 0;
      for await (const chunk of res.body) {
        firstByte ||= performance.now();
        bytes += chunk.byteLength;
      }
      const end = performance.now();
      const held = loop.stop();
      clearInterval(sampler);
      rssMax = Math.max(rssMax, process.memoryUsage.rss());
      return {
        firstByteMs: firstByte - start,
        lastByteMs: end - start,
        heldMs: held,
        rssAddedMb: (rssMax - rssBefore) / 2 ** 20,
        bytes,
      };
    };
    const floor = async () => {
      gc();
      const start = performance.now();
      const { rows } = await sql`select id, occurred_at, actor, entity, entity_id, action, before, after
        from audit_event where organisation_id = ${home.id} order by occurred_at desc, id desc`.execute(t.db);
      if (rows.length < events) throw new Error(`the floor read ${rows.length} events`);
      return performance.now() - start;
    };

    const results: Round[] = [];
    for (let round = 0; round <= rounds; round++) {
      let d: Awaited<ReturnType<typeof download>>;
      let f: number;
      if (round % 2 === 0) {
        d = await download();
        f = await floor();
      } else {
        f = await floor();
        d = await download();
      }
      if (round > 0) results.push({ ...d, floorMs: f });
      console.error(`${engine}: round ${round}${round === 0 ? ' (warm-up)' : ''} done`);
    }
    return results;
  } finally {
    await t.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string', default: 'both' },
      rounds: { type: 'string', default: '3' },
      events: { type: 'string', default: '100000' },
      analyze: { type: 'string', default: 'yes' },
    },
  });
  if (!(globalThis as { gc?: unknown }).gc) console.error('(run with --expose-gc for steadier memory figures)');
  const engines: Engine[] = values.engine === 'both' ? ['pglite', 'postgres'] : [values.engine as Engine];
  const watchdog = deadline(1200, 'bench/audit-export.ts', async () => {});
  const all: [Engine, Round[]][] = [];
  for (const engine of engines)
    all.push([engine, await runEngine(engine, Number(values.events), Number(values.rounds), values.analyze !== 'no')]);
  watchdog.disarm();
  const cell = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
  console.log(JSON.stringify(describeMachine()));
  console.log(
    `| Engine | Events | First byte ms | Last byte ms | Ratio to the query floor | Event loop held at most ms | RSS added MB | Query floor ms | MB sent |`,
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const [engine, rs] of all) {
    const pick = (k: keyof Round) => rs.map((r) => r[k]);
    console.log(
      `| ${engine} | ${values.events} | ${cell(pick('firstByteMs'))} | ${cell(pick('lastByteMs'))} | ${fmt(
        median(rs.map((r) => r.lastByteMs / r.floorMs)),
      )} | ${cell(pick('heldMs'))} | ${cell(pick('rssAddedMb'))} | ${cell(pick('floorMs'))} | ${fmt(median(pick('bytes')) / 2 ** 20)} |`,
    );
  }
}

await main();
