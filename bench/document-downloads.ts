// How long other people wait while someone downloads a board pack, or (`--document report`) a
// report (PGlite by default): a page that reads the database (the priority list) and
// `/health/ready` (which asks the database) are requested while the document is drawn, and timed
// against the same requests with nothing else running, in the same run; and the longest the event
// loop went without turning during the download (a 5 ms timer, `heldTicker`).
//
// One app on a database holding an organisation of N priorities (test/builders/sized-organisation.ts:
// an H1 and an H2 report per priority, key actions, an indicator graph each), served on 127.0.0.1;
// a signed-in administrator. Each round, per format (PDF, Word): the two requests alone (the
// baseline), then the download started and, `--after` ms into it, the two requests again; each
// request's wall time, and the download's. Medians (min–max) over rounds.
//
// A document drawn inside the request's transaction held PGlite's one connection, and so every
// other request that touched the database, until the drawing ended (ADR 0028); a report drawn on
// the main thread held the event loop itself: that is what this measures. A report (SZ-1's H2:
// key actions, an indicator graph) takes ~0.1 s, so ask the others a few ms into it (`--after 5`).
//
//   node bench/document-downloads.ts [--engine pglite|postgres] [--document board-pack|report]
//       [--priorities 100] [--rounds 5] [--after 300]

import { parseArgs } from 'node:util';
import { buildTestApp, createTestSession } from '../test/helpers/app.ts';
import { insertSizedOrganisation, SIZED_PERIODS } from '../test/builders/sized-organisation.ts';
import { paths } from '../src/paths.ts';
import { deadline, describeMachine, fmt, heldTicker, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    priorities: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
    after: { type: 'string', default: '300' },
    document: { type: 'string', default: 'board-pack' },
  },
});
if (!['pglite', 'postgres'].includes(args.engine)) throw new Error(`--engine ${args.engine}?`);
if (!['board-pack', 'report'].includes(args.document)) throw new Error(`--document ${args.document}?`);
const PRIORITIES = Number(args.priorities);
const ROUNDS = Number(args.rounds);
const AFTER = Number(args.after);

const t = await buildTestApp(args.engine as 'pglite' | 'postgres', { as: false, demo: false });
const guard = deadline(20 * 60, 'bench/document-downloads.ts', () => t.close());
try {
  const built = performance.now();
  const sized = await insertSizedOrganisation(t, { priorities: PRIORITIES, name: 'Bench Council' });
  const session = await createTestSession(t.services, sized.organisationId, ['administrator', 'performance_officer']);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const setup = (performance.now() - built) / 1000;

  /** A GET as the administrator: its wall time in ms, after checking it answered 200. */
  const timed = async (path: string): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(base + path, { headers: { cookie: session.headers.cookie } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    return performance.now() - t0;
  };
  const OTHERS = [paths.priorities.list, paths.healthReady] as const;
  const FORMATS =
    args.document === 'report'
      ? {
          PDF: paths.reports.download('SZ-1', SIZED_PERIODS.later, 'pdf'),
          Word: paths.reports.download('SZ-1', SIZED_PERIODS.later, 'docx'),
        }
      : {
          PDF: `${paths.boardPack.pdf}?period=${SIZED_PERIODS.later}`,
          Word: `${paths.boardPack.docx}?period=${SIZED_PERIODS.later}`,
        };
  const samples = new Map<string, number[]>();
  const add = (k: string, ms: number) => samples.set(k, [...(samples.get(k) ?? []), ms]);

  // One of each first, unmeasured: templates compiled, the renderers' worker started.
  for (const url of Object.values(FORMATS)) await timed(url);
  for (const path of OTHERS) await timed(path);

  for (let round = 0; round < ROUNDS; round++) {
    for (const [format, url] of Object.entries(FORMATS)) {
      for (const path of OTHERS) add(`${format} ${path} alone`, await timed(path));
      const held = heldTicker();
      const download = timed(url);
      await new Promise((resolve) => setTimeout(resolve, AFTER));
      const during = await Promise.all(OTHERS.map((path) => timed(path)));
      OTHERS.forEach((path, i) => add(`${format} ${path} during`, during[i]!));
      add(`${format} download`, await download);
      add(`${format} held`, held.stop());
    }
    console.error(`round ${round + 1}/${ROUNDS}`);
  }

  const machine = describeMachine();
  const cell = (xs: readonly number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
  console.log(
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memory}, ${machine.platform}, Node ${machine.node}, ${machine.when}; ` +
      `${args.engine}, ${PRIORITIES} priorities (built in ${fmt(setup)} s), ${ROUNDS} rounds, the others asked ${AFTER} ms into the download.`,
  );
  console.log('');
  const what = args.document === 'report' ? 'Report' : 'Board pack';
  console.log(
    `| ${what} | Download ms | Loop held at most ms | Request | Alone ms | During the download ms | During ÷ alone |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const format of Object.keys(FORMATS))
    for (const path of OTHERS) {
      const alone = samples.get(`${format} ${path} alone`)!;
      const during = samples.get(`${format} ${path} during`)!;
      console.log(
        `| ${format} | ${cell(samples.get(`${format} download`)!)} | ${cell(samples.get(`${format} held`)!)} | \`${path}\` | ${cell(alone)} | ${cell(during)} | ${fmt(median(during) / median(alone))} |`,
      );
    }
} finally {
  guard.disarm();
  await t.close();
}
