// The indicator definitions import at a large organisation's size (issue 14): a file of N new
// indicators, each linked to a priority, uploaded into an organisation that has none; then the same
// file with every title changed, uploaded again (every indicator updated, its links replaced, its
// graphs checked). Through the app (`inject`, a signed-in performance officer), one organisation
// a round. Per upload: its time, its statements, the longest the event loop went without turning,
// and the longest a `/health/ready` asked every 10 ms meanwhile had to wait (the database answers
// it: on PGlite, with its one connection, that is how long the import kept everyone else out).
// Medians (min–max) of the rounds after a warm-up.
//
//   node bench/definitions-import.ts [--engine pglite|postgres|both] [--rounds 5] [--indicators 2000]

import { parseArgs } from 'node:util';
import { buildTestApp, createTestSession, type TestApp } from '../test/helpers/app.ts';
import { insertOrganisation, insertPriority } from '../test/builders/index.ts';
import { multipart } from '../test/fixtures/diagnostic/sample.ts';
import { observeStatements, type Engine } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import { deadline, describeMachine, fmt, heldTicker, median } from './support.ts';

type Step = 'create' | 'update';
interface Sample {
  ms: number;
  statements: number;
  held: number;
  health: number;
}

/** Asks `/health/ready` every 10 ms until stopped; the longest answer. */
function healthProbe(t: TestApp): { stop(): Promise<number> } {
  let running = true;
  let longest = 0;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      await t.app.inject({ url: paths.healthReady });
      longest = Math.max(longest, performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return longest;
    },
  };
}

async function round(t: TestApp, indicators: number): Promise<Record<Step, Sample>> {
  const actor = await insertOrganisation(t.services);
  const priorities: string[] = [];
  for (let i = 0; i < 10; i++) priorities.push((await insertPriority(t.services, actor)).code);
  const session = await createTestSession(t.services, actor.organisationId, ['performance_officer']);
  const file = (title: string) =>
    Buffer.from(
      [
        'PI No,Title,Unit,Decimal places,Good is?,Frequency,Priorities',
        ...Array.from(
          { length: indicators },
          (_, i) => `PI ${i + 1},${title} ${i + 1},Number,0,Higher,Quarterly,${priorities[i % priorities.length]}`,
        ),
      ].join('\r\n'),
    );
  const upload = async (data: Buffer): Promise<Sample> => {
    const body = multipart({}, { name: 'definitions.csv', data, type: 'text/csv' });
    let statements = 0;
    // The import's own: not the probe's `select 1` and its read of the migrations.
    const stop = observeStatements(t.db, (s) => {
      if (!/^select (1|name from "?kysely_migration)/.test(s.sql)) statements += 1;
    });
    const probe = healthProbe(t);
    const loop = heldTicker();
    const start = performance.now();
    const res = await t.app.inject({
      method: 'POST',
      url: paths.indicators.definitionsImport,
      payload: body.payload,
      headers: { ...session.headers, ...body.headers },
    });
    const ms = performance.now() - start;
    const held = loop.stop();
    const health = await probe.stop();
    stop();
    if (res.statusCode !== 303) throw new Error(`the import answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
    return { ms, statements, held, health };
  };
  return { create: await upload(file('Count')), update: await upload(file('Tally')) };
}

async function runEngine(engine: Engine, indicators: number, rounds: number): Promise<Record<Step, Sample[]>> {
  const t = await buildTestApp(engine, { demo: false, as: false });
  try {
    const out: Record<Step, Sample[]> = { create: [], update: [] };
    for (let r = 0; r <= rounds; r++) {
      const samples = await round(t, indicators);
      if (r > 0) for (const step of ['create', 'update'] as const) out[step].push(samples[step]);
      console.error(`${engine}: round ${r}${r === 0 ? ' (warm-up)' : ''} done`);
    }
    return out;
  } finally {
    await t.close();
  }
}

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '5' },
    indicators: { type: 'string', default: '2000' },
  },
});
const engines: Engine[] = values.engine === 'both' ? ['pglite', 'postgres'] : [values.engine as Engine];
const watchdog = deadline(900, 'bench/definitions-import.ts', async () => {});
const results: [Engine, Record<Step, Sample[]>][] = [];
for (const engine of engines)
  results.push([engine, await runEngine(engine, Number(values.indicators), Number(values.rounds))]);
watchdog.disarm();
const cell = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
console.log(JSON.stringify(describeMachine()));
console.log(
  `| Engine | ${values.indicators} indicators | Statements | ms | Event loop held at most ms | /health/ready waited at most ms |`,
);
console.log('|---|---|--:|--:|--:|--:|');
for (const [engine, r] of results)
  for (const step of ['create', 'update'] as const)
    console.log(
      `| ${engine} | ${step} | ${median(r[step].map((s) => s.statements))} | ${cell(r[step].map((s) => s.ms))} | ${cell(r[step].map((s) => s.held))} | ${cell(r[step].map((s) => s.health))} |`,
    );
