// The risk register a page at a time (issue 14, "lists paginated"): 50 risks a page, highest score
// first, filtered, counted and ordered in SQL over the whole register (the same risks and heat map
// as the whole register gives), with the GOV.UK pagination component whose links keep the filters,
// a page past the last showing the last, and the same statements for 70 risks as for 3. On both
// engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { paths } from '../src/paths.ts';
import type { Actor } from '../src/domain/actor.ts';
import type { PageWindow } from '../src/domain/page.ts';
import { observeStatements, type ObservedStatement } from '../src/platform/db/database.ts';
import { describeOnEachEngine } from './helpers/database.ts';
import { createTestSession, type TestSession } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { insertOrganisation, insertPriority } from './builders/index.ts';

const TOTAL = 70;

describeOnEachEngine('the risk register, a page at a time', (t) => {
  let app: FastifyInstance | undefined;
  const orgs = new Map<'large' | 'small', { actor: Actor; session: TestSession; codes: string[] }>();

  /** An organisation with two priorities and `n` open risks spread over the matrix, and a closed one. */
  async function organisation(n: number) {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const codes = [(await insertPriority(services, actor)).code, (await insertPriority(services, actor)).code];
    for (let i = 0; i < n; i++)
      await services.risks.create(actor, {
        priority: codes[i % 2],
        description: `Risk ${String(i + 1).padStart(3, '0')}`,
        likelihood: String(1 + (i % 5)),
        impact: String(1 + ((i * 3 + Math.floor(i / 5)) % 5)),
      });
    const closed = await services.risks.create(actor, {
      priority: codes[0],
      description: 'A closed risk',
      likelihood: '5',
      impact: '5',
    });
    await services.risks.update(actor, closed.id, {
      priority: codes[0],
      description: 'A closed risk',
      likelihood: '5',
      impact: '5',
      closed: 'true',
      version: String(closed.version),
    });
    const session = await createTestSession(services, actor.organisationId, ['administrator', 'performance_officer']);
    return { actor, session, codes };
  }

  before(async () => {
    app = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db: t().db,
      units: t().units,
      services: t().services,
    });
    orgs.set('large', await organisation(TOTAL));
    orgs.set('small', await organisation(3));
  });
  after(async () => {
    await app?.close();
  });

  const get = async (url: string, size: 'large' | 'small' = 'large') => {
    const statements: ObservedStatement[] = [];
    const stop = observeStatements(t().db, (s) => statements.push(s));
    let res;
    try {
      res = await app!.inject({ url, headers: orgs.get(size)!.session.headers });
    } finally {
      stop();
    }
    assert.equal(res.statusCode, 200, `GET ${url}: ${res.body.slice(0, 300)}`);
    return { html: res.body, statements: statements.filter((s) => !/^update "user_session"/.test(s.sql)) };
  };
  const rows = (html: string) => [...html.matchAll(/data-qa="risk-row" data-risk="([^"]+)"/g)].map((m) => m[1]);
  const pageLinks = (html: string) => {
    const nav = /<nav class="govuk-pagination"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    return [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  };

  describe('the service', () => {
    const filters = [
      {},
      { show: 'all' },
      { show: 'closed' },
      { rating: 'low' },
      { rating: 'medium' },
      { rating: 'high' },
      { rating: 'very-high', show: 'all' },
      { likelihood: '3', impact: '4' },
      { likelihood: '2' },
      { rating: 'nonsense', likelihood: 'x' },
    ];
    for (const filter of filters) {
      it(`finds in SQL, page by page, the risks and heat map the whole register gives: ${JSON.stringify(filter)}`, async () => {
        const { actor, codes } = orgs.get('large')!;
        for (const query of [filter, { ...filter, priority: codes[1] }]) {
          const whole = await t().services.risks.register(actor, query);
          const paged: typeof whole.risks = [];
          let window: PageWindow | undefined;
          for (let page = 1; ; page++) {
            const p = await t().services.risks.registerPage(actor, query, page, 20);
            paged.push(...p.risks);
            window = p.window;
            assert.deepEqual(p.heatMap, whole.heatMap, 'the heat map of the whole register');
            assert.deepEqual(p.filter, whole.filter);
            if (page >= p.window.pages) break;
          }
          assert.equal(window?.total, whole.risks.length);
          assert.deepEqual(paged.map((r) => r.id).sort(), whole.risks.map((r) => r.id).sort(), 'the same risks');
          assert.equal(new Set(paged.map((r) => r.id)).size, paged.length, 'none on two pages');
          // Highest score first, then impact, as the whole register orders them.
          const keys = (list: typeof paged) => list.map((r) => `${r.current.score}/${r.current.impact}`);
          assert.deepEqual(keys(paged), keys(whole.risks));
        }
      });
    }
  });

  describe('the page', () => {
    it('shows the first 50 of 70 open risks, says so, and links to the next page', async () => {
      const { html } = await get(paths.risks.list);
      assert.equal(rows(html).length, 50);
      const text = htmlText(html);
      assert.match(text, /Showing 1 to 50 of 70 risks/);
      assert.match(text, /70 risks, highest score first, page 1 of 2/);
      assert.match(html, /<h1 class="govuk-heading-l">Risk register<\/h1>/);
      assert.match(html, /<title>Risk register \(page 1 of 2\)/);
      assert.match(html, /<nav class="govuk-pagination" aria-label="Pages of risks">/);
      assert.match(html, /aria-label="Page 1" aria-current="page"/);
      assert.deepEqual(pageLinks(html), ['/risks', '/risks?page=2', '/risks?page=2']);
    });

    for (const page of ['2', '3', '800']) {
      it(`shows risks 51 to 70 on the last page, never an error, for page ${page}`, async () => {
        const { html } = await get(`${paths.risks.list}?page=${page}`);
        assert.equal(rows(html).length, 20);
        assert.match(htmlText(html), /Showing 51 to 70 of 70 risks/);
        assert.match(html, /aria-label="Page 2" aria-current="page"/);
      });
    }

    it('keeps the filters in the page links, and a priority’s register its own address', async () => {
      const { codes } = orgs.get('large')!;
      const { html } = await get(`${paths.risks.list}?show=all&likelihood=2&page=1`);
      const whole = await t().services.risks.register(orgs.get('large')!.actor, { show: 'all', likelihood: '2' });
      assert.match(htmlText(html), new RegExp(`${whole.risks.length} risks matching the filter`));
      assert.equal(rows(html).length, whole.risks.length, 'one page: every one');

      const all = await get(`${paths.risks.list}?show=all&page=2`);
      assert.match(htmlText(all.html), /Showing 51 to 71 of 71 risks/);
      assert.deepEqual(pageLinks(all.html), ['/risks?show=all', '/risks?show=all', '/risks?show=all&page=2']);

      // 35 open risks on the second priority: one page, and no pagination.
      const own = await get(paths.risks.forPriority(codes[1]!));
      assert.equal(rows(own.html).length, 35);
      assert.deepEqual(pageLinks(own.html), []);
    });

    it('sends the same statements for each page of 70 risks as for 3', async () => {
      const small = await get(paths.risks.list, 'small');
      const folded = (list: ObservedStatement[]) =>
        list.map((s) => s.sql.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '…')).join('\n');
      for (const page of [1, 2]) {
        const large = await get(`${paths.risks.list}?page=${page}`);
        assert.equal(folded(large.statements), folded(small.statements));
      }
      // The heat map's counts and the page: no statement reads every risk.
      assert.ok(
        small.statements.some((s) => /group by "risk"\."likelihood", "risk"\."impact"/.test(s.sql)),
        folded(small.statements),
      );
      assert.ok(small.statements.some((s) => /from "risk".* limit \$\d+ offset \$\d+/.test(s.sql)));
    });
  });
});
