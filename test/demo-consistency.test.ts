// The demo as a new user reads it (issue 13), on both engines:
//  - its efficiency programme's figures agree with each other: no saving, yearly benefit or ledger
//    year larger than the opportunity it comes from or that opportunity's cost pool; realised never
//    above approved; the ledger's totals on the page are the sums of its entries;
//  - no page says something only the people who built Amber understand: design notes' file names
//    and sections, issue numbers, "the seed", the loader's own name as the person who approved or
//    verified something. Every page reachable from the home page by links is read (a few of each
//    kind of page, by address with the ids taken out), each against the same list of patterns.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { decodeEntities } from './helpers/html.ts';
import { paths } from '../src/paths.ts';

/** Words no page of the demo may show, each with why it means nothing to a council. */
export const INTERNAL_WORDS: [RegExp, string][] = [
  [/\bseed(?:['’]s)?\b/i, 'the seed document is how Amber was built, not something a reader knows'],
  [/\b[A-Z][A-Z_-]+\.md\b/, 'a design note’s file name'],
  [/§\s*\d/, 'a section of a design note'],
  [/\b\w[\w-]*\.(?:ts|njk|tsx|js)\b/, 'a source file’s name'],
  [/\bissue (?:#\s*)?\d+\b/i, 'an issue number of Amber’s tracker'],
  [/\bADR[ -]?\d+/, 'an architecture decision record'],
  // The loader's label ("demo" when Amber starts, "test" in these tests) given as a person.
  [/\bby (?:demo|test)\b/i, 'the demo loader’s name given as a person who did something'],
  [/\bTODO\b|\bFIXME\b|\bXXX\b/, 'a note left for developers'],
  [/\bundefined\b|\[object Object\]|\bNaN\b/, 'a value that was never set'],
];

/** The visible text of a page, with the text of its charts (SVG) kept. */
const pageText = (html: string) =>
  decodeEntities(
    html
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' '),
  ).trim();

/** An address with its ids and numbers taken out: pages of one kind share it. */
const kindOf = (url: string) =>
  url
    .replace(/\?.*$/, '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id')
    .replace(/\/\d+(?=\/|$)/g, '/:n');

/** Links within Amber to pages (not downloads, assets or signing out). */
const links = (html: string) =>
  [...html.matchAll(/<a\b[^>]*\bhref="(\/[^"#]*)/g)]
    .map((m) => decodeEntities(m[1]!))
    .filter(
      (href) =>
        !href.startsWith('/assets/') &&
        !/^\/(sign-out|sign-in)\b/.test(href) &&
        !/^\/api\/./.test(href) &&
        !/\.(pdf|docx|xlsx|csv|json|zip|png|svg|html|txt|tar|gz)(\?|$)/.test(href) &&
        !/\/download\b/.test(href),
    );

type Json = Record<string, any>;

for (const engine of ENGINES) {
  describe(`the demo as a new user reads it [${engine}]`, () => {
    let t: TestApp;
    let exercise: string;
    before(async () => {
      t = await buildTestApp(engine);
      const list = (await t.app.inject({ url: paths.api.exercises })).json<Json[]>();
      const demo = list.find((e) => /illustrative/.test(e.name));
      assert.ok(demo, 'the demo has its illustrative diagnostic exercise');
      exercise = demo.id;
    });
    after(async () => t?.close());
    const json = async (url: string) => {
      const r = await t.app.inject({ url });
      assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 200)}`);
      return r.json<Json>();
    };

    it('has an efficiency programme whose figures agree: savings within their opportunities and pools, realised within approved, totals that add up', async () => {
      const { opportunities } = await json(paths.api.opportunities(exercise));
      const { entries, totals } = await json(paths.api.savings(exercise));
      const { cases } = await json(paths.api.cases(exercise));
      const byId = new Map((opportunities as Json[]).map((o) => [o.id, o]));
      assert.ok(opportunities.length > 0 && entries.length > 0 && cases.length > 0, 'the demo has a programme');

      for (const o of opportunities as Json[]) {
        assert.ok(o.low <= o.central && o.central <= o.high, `${o.title}: low ≤ central ≤ high`);
        assert.ok(o.high <= o.poolCost, `${o.title}: never saves more than its pool costs`);
      }
      // Each opportunity's savings in a year, at every stage together, within what it can save.
      const perYear = new Map<string, { approved: number; realised: number; all: number }>();
      for (const e of entries as Json[]) {
        const o = byId.get(e.opportunityId);
        assert.ok(o, `the saving of ${e.amount} comes from an opportunity of the programme`);
        assert.ok(e.amount <= o.high, `${e.stage} saving of ${e.amount} within ${o.title}'s high figure ${o.high}`);
        const key = `${e.opportunityId} ${e.financialYear}`;
        const y = perYear.get(key) ?? { approved: 0, realised: 0, all: 0 };
        y.all += e.amount;
        if (e.stage === 'approved') y.approved += e.amount;
        if (e.stage === 'realised') y.realised += e.amount;
        perYear.set(key, y);
      }
      for (const [key, y] of perYear) {
        const o = byId.get(key.split(' ')[0]!)!;
        assert.ok(y.all <= o.high, `${o.title} in ${key.split(' ')[1]}: ${y.all} in the ledger, more than it can save`);
        assert.ok(y.realised <= y.approved, `${o.title}: realised ${y.realised} above approved ${y.approved}`);
      }
      // A business case's yearly benefit is no more than its opportunity saves.
      for (const c of cases as Json[]) {
        const o = byId.get(c.opportunityId);
        assert.ok(o, `${c.title} is written for an opportunity of the programme`);
        for (const option of c.options as Json[]) {
          const yearly = new Map<number, number>();
          for (const line of (option.lines as Json[]).filter((l) => l.kind === 'benefit'))
            (line.amounts as number[]).forEach((a, year) => yearly.set(year, (yearly.get(year) ?? 0) + a));
          for (const [year, amount] of yearly)
            assert.ok(
              amount <= o.high,
              `${c.title}, ${option.name}: year ${year} saves ${amount}, more than ${o.title}'s ${o.high}`,
            );
        }
      }

      // The ledger's totals are the sums of its entries, and the pages say the same.
      const sum = (p: (e: Json) => boolean) => (entries as Json[]).filter(p).reduce((s, e) => s + e.amount, 0);
      assert.deepEqual(totals.byStage, {
        identified: sum((e) => e.stage === 'identified'),
        approved: sum((e) => e.stage === 'approved'),
        realised: sum((e) => e.stage === 'realised'),
      });
      const pounds = (p: number) => `£${(p / 100).toLocaleString('en-GB', { maximumFractionDigits: 2 })}`;
      const ledger = pageText((await t.app.inject({ url: paths.efficiency.savings(exercise) })).body);
      for (const [label, amount] of [
        ['Approved', totals.byStage.approved],
        ['Realised', totals.byStage.realised],
        ['Qualifying for gain-share', totals.qualifying],
      ] as const)
        assert.ok(ledger.includes(`${label} ${pounds(amount)}`), `the ledger page shows ${label} ${pounds(amount)}`);
      const overview = pageText((await t.app.inject({ url: paths.efficiency.overview(exercise) })).body);
      assert.ok(
        overview.includes(
          `approved ${pounds(totals.byStage.approved)}, realised ${pounds(totals.byStage.realised)}; qualifying for gain-share ${pounds(totals.qualifying)}`,
        ),
        'the overview shows the same totals',
      );
    });

    it('shows no internal words on any page a user reaches', async () => {
      const PER_KIND = 2;
      const LIMIT = 600;
      const seen = new Set<string>();
      const kinds = new Map<string, number>();
      const queue = ['/'];
      const found: string[] = [];
      let read = 0;
      while (queue.length > 0 && read < LIMIT) {
        const url = queue.shift()!;
        const res = await t.app.inject({ url });
        const moved = res.statusCode >= 300 && res.statusCode < 400 ? String(res.headers.location ?? '') : '';
        if (moved.startsWith('/') && !seen.has(moved)) {
          seen.add(moved);
          queue.push(moved);
        }
        if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/html')) continue;
        read += 1;
        const text = pageText(res.body);
        for (const [pattern, why] of INTERNAL_WORDS) {
          const m = pattern.exec(text);
          if (m) found.push(`${url}: “${text.slice(Math.max(0, m.index - 60), m.index + m[0].length + 60)}” (${why})`);
        }
        for (const href of links(res.body)) {
          if (seen.has(href)) continue;
          seen.add(href);
          const kind = kindOf(href);
          const n = kinds.get(kind) ?? 0;
          if (n >= PER_KIND) continue;
          kinds.set(kind, n + 1);
          queue.push(href);
        }
      }
      assert.deepEqual(found, [], 'pages that show internal words');
      // The walk reached the programme's pages, so an empty list above means something.
      for (const page of ['programme', 'savings', 'gain-share', 'plan', 'cases'])
        assert.ok(
          [...kinds.keys()].some((k) => k.endsWith(`/diagnostic/:id/${page}`)),
          `the walk read the programme's ${page} page`,
        );
      assert.ok(read > 100, `the walk read ${read} pages`);
    });

    it('holds the list of internal words to what it means: each pattern finds what it is for, not ordinary prose', () => {
      const hits = (s: string) => INTERNAL_WORDS.filter(([p]) => p.test(s)).map(([, why]) => why);
      for (const bad of [
        'The seed’s deal: total cost £150K',
        'Amber default taxonomy (DIAGNOSTIC.md §2), version 1',
        'See report.routes.ts',
        'Approved by demo',
        'Verified by demo on 5 December 2026',
        'fixed in issue 13',
      ])
        assert.ok(hits(bad).length > 0, `finds “${bad}”`);
      for (const fine of [
        'Approved by Finance programme board (illustrative) on 5 December 2026',
        'Seeded grass verges were cut in 2009/10.',
        'Demonstrated savings of £3,100 (illustrative)',
        'DECATS Phase 1 deal: total cost £150K',
      ])
        assert.deepEqual(hits(fine), [], `leaves “${fine}” alone`);
    });
  });
}
