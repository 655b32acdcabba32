// The indicator values export at a large organisation's size (issue 14): 12,500 quarterly
// indicators, each with four values of 2009/10, downloaded as XLSX and as CSV through the app
// (`inject`, a signed-in performance officer). Per download: its time, and the longest the event
// loop went without turning meanwhile (a timer every 5 ms: what any other request, /health or the
// job worker would have waited at worst). The CSV is the baseline: the same rows, written by
// csv-stringify as the values are read. Medians (min–max) of the rounds after a warm-up, the
// formats alternating which goes first.
//
//   node bench/values-export.ts [--engine pglite|postgres|both] [--rounds 5] [--indicators 12500]

import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildTestApp, createTestSession } from '../test/helpers/app.ts';
import type { Engine } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';
import { deadline, describeMachine, fmt, heldTicker, median } from './support.ts';

type Format = 'xlsx' | 'csv';
type Samples = Record<Format, { ms: number[]; held: number[]; bytes: number }>;

async function runEngine(engine: Engine, indicators: number, rounds: number): Promise<Samples> {
  const t = await buildTestApp(engine, { demo: false, as: false });
  try {
    const home = await t.services.organisations.createHome('bench', { name: 'Bench council', kind: 'council' });
    await sql`insert into indicator (organisation_id, code, title, unit_kind, decimal_places, polarity, frequency, ytd_method, rule_kind, rule_value)
      select ${home.id}::uuid, 'PI ' || n, 'Indicator ' || n, 'number', 1, 'higher', 'quarterly', 'latest', 'percent', 50
      from generate_series(1, ${indicators}::int) as n`.execute(t.db);
    const actor = systemActor(home.id, 'bench');
    for (const q of [1, 2, 3, 4]) await t.services.periods.ensure(actor, `2009-10-q${q}`);
    await sql`insert into indicator_value (organisation_id, indicator_id, period_id, actual, target, comment)
      select i.organisation_id, i.id, p.id, (row_number() over ()) % 1000, 500, case when p.key = '2009-10-q4' then 'Comment' else '' end
      from indicator i cross join reporting_period p
      where i.organisation_id = ${home.id} and p.organisation_id = ${home.id}`.execute(t.db);
    const session = await createTestSession(t.services, home.id, ['performance_officer']);
    const download = async (format: Format) => {
      const loop = heldTicker();
      const start = performance.now();
      const res = await t.app.inject({
        url: format === 'csv' ? paths.indicators.exportCsv(2009) : paths.indicators.exportXlsx(2009),
        headers: session.headers,
      });
      const ms = performance.now() - start;
      const held = loop.stop();
      if (res.statusCode !== 200) throw new Error(`the ${format} export answered ${res.statusCode}`);
      return { ms, held, bytes: res.rawPayload.length };
    };
    const out: Samples = { xlsx: { ms: [], held: [], bytes: 0 }, csv: { ms: [], held: [], bytes: 0 } };
    for (let round = 0; round <= rounds; round++) {
      const order: Format[] = round % 2 === 0 ? ['xlsx', 'csv'] : ['csv', 'xlsx'];
      for (const format of order) {
        const d = await download(format);
        if (round > 0) {
          out[format].ms.push(d.ms);
          out[format].held.push(d.held);
          out[format].bytes = d.bytes;
        }
      }
      console.error(`${engine}: round ${round}${round === 0 ? ' (warm-up)' : ''} done`);
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
    indicators: { type: 'string', default: '12500' },
  },
});
const engines: Engine[] = values.engine === 'both' ? ['pglite', 'postgres'] : [values.engine as Engine];
const watchdog = deadline(900, 'bench/values-export.ts', async () => {});
const results: [Engine, Samples][] = [];
for (const engine of engines)
  results.push([engine, await runEngine(engine, Number(values.indicators), Number(values.rounds))]);
watchdog.disarm();
const cell = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
console.log(JSON.stringify(describeMachine()));
console.log(`| Engine | Format | ms | Ratio to the CSV | Event loop held at most ms | KB |`);
console.log('|---|---|--:|--:|--:|--:|');
for (const [engine, r] of results)
  for (const format of ['xlsx', 'csv'] as const)
    console.log(
      `| ${engine} | ${format} | ${cell(r[format].ms)} | ${fmt(median(r[format].ms) / median(r.csv.ms))} | ${cell(r[format].held)} | ${fmt(r[format].bytes / 1024)} |`,
    );
