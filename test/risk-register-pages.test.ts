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
import { PRIORITY_CHOICES_MOST } from '../src/modules/risks/risk.routes.ts';

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
          // Highest score first, then impact, as the whole register orders them...
          const keys = (list: typeof paged) => list.map((r) => `${r.current.score}/${r.current.impact}`);
          assert.deepEqual(keys(paged), keys(whole.risks));
          assert.ok(
            whole.risks.every((r, i) => i === 0 || r.current.score <= whole.risks[i - 1]!.current.score),
            'highest score first',
          );
          // ...and ties in the same order too: the whole register is the same SQL without the page.
          assert.deepEqual(
            paged.map((r) => r.id),
            whole.risks.map((r) => r.id),
          );
        }
      });
    }
  });

  describe('the API', () => {
    const api = async (url: string, size: 'large' | 'small' = 'large') => {
      const res = await app!.inject({ url, headers: orgs.get(size)!.session.headers });
      return { status: res.statusCode, body: res.json(), text: res.body };
    };
    const ids = (list: { id: string }[]) => list.map((r) => r.id);

    it('lists every matching risk as it always did when no page is asked for', async () => {
      const { status, body } = await api(paths.api.risks);
      assert.equal(status, 200);
      assert.ok(Array.isArray(body));
      const whole = await t().services.risks.register(orgs.get('large')!.actor, {});
      assert.deepEqual(ids(body), ids(whole.risks));
      assert.equal(body.length, TOTAL);
    });

    it('answers a page with where it is in the list, the last for a page past the last', async () => {
      const whole = ids((await api(`${paths.api.risks}?show=all`)).body);
      assert.equal(whole.length, TOTAL + 1);
      const second = (await api(`${paths.api.risks}?show=all&page=2`)).body;
      assert.deepEqual(
        { ...second, risks: ids(second.risks) },
        { risks: whole.slice(50), page: 2, pages: 2, pageSize: 50, total: TOTAL + 1 },
      );
      const past = (await api(`${paths.api.risks}?show=all&page=9&pageSize=30`)).body;
      assert.deepEqual(
        { page: past.page, pages: past.pages, pageSize: past.pageSize, risks: ids(past.risks) },
        { page: 3, pages: 3, pageSize: 30, risks: whole.slice(60) },
      );
      assert.equal(typeof past.risks[0].current.rating.key, 'string', 'each risk as the list gives it');
      // Page by page, the whole list in its order.
      const paged: string[] = [];
      for (let page = 1; page <= 8; page++)
        paged.push(...ids((await api(`${paths.api.risks}?show=all&pageSize=10&page=${page}`)).body.risks));
      assert.deepEqual(paged, whole);
    });

    it('pages the filtered register, and a priority’s risks, in SQL', async () => {
      const { codes } = orgs.get('large')!;
      const high = (await api(`${paths.api.risks}?rating=high`)).body;
      const page = (await api(`${paths.api.risks}?rating=high&pageSize=5`)).body;
      assert.equal(page.total, high.length);
      assert.deepEqual(ids(page.risks), ids(high).slice(0, 5));
      assert.ok(page.risks.every((r: { current: { rating: { key: string } } }) => r.current.rating.key === 'high'));

      const own = (await api(paths.api.priorityRisks(codes[1]!))).body;
      assert.equal(own.length, 35);
      const ownPage = (await api(`${paths.api.priorityRisks(codes[1]!)}?page=2&pageSize=20`)).body;
      assert.deepEqual(
        { page: ownPage.page, pages: ownPage.pages, total: ownPage.total, risks: ids(ownPage.risks) },
        { page: 2, pages: 2, total: 35, risks: ids(own).slice(20) },
      );
      const viaFilter = (await api(`${paths.api.risks}?priority=${codes[1]}&page=2&pageSize=20`)).body;
      assert.deepEqual(ids(viaFilter.risks), ids(ownPage.risks));
    });

    it('reads only the page’s rows: the same statements for a page of 70 risks as of 3', async () => {
      const statements = async (size: 'large' | 'small') => {
        const seen: ObservedStatement[] = [];
        const stop = observeStatements(t().db, (s) => seen.push(s));
        try {
          assert.equal((await api(`${paths.api.risks}?pageSize=2`, size)).status, 200);
        } finally {
          stop();
        }
        return seen
          .filter((s) => !/^update "user_session"/.test(s.sql))
          .map((s) => s.sql.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '…'));
      };
      const large = await statements('large');
      assert.deepEqual(large, await statements('small'));
      assert.ok(
        large.some((s) => /from "risk".* limit \$\d+ offset \$\d+/.test(s)),
        large.join('\n'),
      );
    });

    for (const [query, field] of [
      ['?page=0', 'page'],
      ['?page=two', 'page'],
      ['?pageSize=501', 'pageSize'],
      ['?pageSize=0', 'pageSize'],
    ] as const) {
      it(`refuses ${query}, naming ${field}`, async () => {
        const { status, text } = await api(`${paths.api.risks}${query}`);
        assert.equal(status, 422, text);
        assert.match(text, new RegExp(`"field":"${field}"`));
        assert.match(text, new RegExp(`Give ${field} as a whole number`));
      });
    }

    it('declares page and pageSize on the lists in the API description, not on the heat map', async () => {
      const doc = (await api(paths.api.openapi)).body;
      const names = (path: string) =>
        doc.paths[path].get.parameters
          .filter((p: { in: string }) => p.in === 'query')
          .map((p: { name: string }) => p.name);
      assert.ok(names(paths.api.risks).includes('page') && names(paths.api.risks).includes('pageSize'));
      assert.ok(names('/api/priorities/{code}/risks').includes('pageSize'));
      assert.ok(!names(paths.api.riskHeatMap).includes('page'));
      const pageSize = doc.paths[paths.api.risks].get.parameters.find((p: { name: string }) => p.name === 'pageSize');
      assert.deepEqual([pageSize.schema.minimum, pageSize.schema.maximum], [1, 500]);
      // The heat map is one answer: a page of it is a parameter it does not take.
      const { status, text } = await api(`${paths.api.riskHeatMap}?page=2`);
      assert.equal(status, 422, text);
      assert.match(text, /"field":"page"/);
    });
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

    it('offers only the priorities with risks to filter by, and a box for a code once they are many', async () => {
      const { services } = t();
      const actor = await insertOrganisation(services);
      const session = await createTestSession(services, actor.organisationId, ['administrator']);
      const codes: string[] = [];
      for (let i = 0; i < PRIORITY_CHOICES_MOST + 3; i++) codes.push((await insertPriority(services, actor)).code);
      const open = async (url: string) => {
        const res = await app!.inject({ url, headers: session.headers });
        return { status: res.statusCode, html: res.body };
      };
      const options = (html: string) =>
        [
          ...(/<select[^>]*id="priority"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '').matchAll(/<option value="([^"]*)"/g),
        ].map((m) => m[1]);
      const addRisk = (code: string) =>
        services.risks.create(actor, {
          priority: code,
          description: `A risk to ${code}`,
          likelihood: '2',
          impact: '3',
        });

      // None has risks: the drop-down has only "All priorities", not 33 priorities with nothing to show.
      assert.deepEqual(options((await open(paths.risks.list)).html), ['']);
      // Two have risks: those two, by code; the one filtered by is chosen, and one with none stays choosable when filtered by.
      await addRisk(codes[5]!);
      await addRisk(codes[2]!);
      assert.deepEqual(options((await open(paths.risks.list)).html), ['', codes[2], codes[5]].sort());
      // The one filtered by comes first, then those with risks by code (the builders' codes count on
      // through a shard's files, so "by code" must not be assumed to put it first: P-98 after P-103).
      const lonely = (await open(`${paths.risks.list}?priority=${codes[0]}`)).html;
      assert.deepEqual(options(lonely), ['', codes[0], ...[codes[2], codes[5]].sort()]);
      assert.match(lonely, new RegExp(`<option value="${codes[0]}" selected>`));

      // More than ${PRIORITY_CHOICES_MOST}: a box for the code, which filters as the drop-down did (no JavaScript needed).
      for (const code of codes) if (code !== codes[2] && code !== codes[5]) await addRisk(code);
      const many = await open(paths.risks.list);
      assert.deepEqual(options(many.html), [], 'no drop-down');
      assert.match(
        many.html,
        /<input class="govuk-input" id="priority" name="priority" type="text"[^>]*data-qa="priority-code"/,
      );
      assert.match(
        htmlText(many.html),
        new RegExp(`Enter the code of one of the ${codes.length} priorities with risks`),
      );
      const one = await open(`${paths.risks.list}?priority=${encodeURIComponent(codes[7]!.toLowerCase())}`);
      assert.equal(one.status, 200);
      assert.deepEqual(rows(one.html).length, 1);
      assert.match(one.html, new RegExp(`id="priority" name="priority" type="text"[^>]* value="${codes[7]}"`));
      // A code that is no priority: said beside the box, with the whole register below, not an error page.
      const typo = await open(`${paths.risks.list}?priority=NOPE-1`);
      assert.equal(typo.status, 200);
      assert.match(typo.html, /govuk-error-summary/);
      assert.match(typo.html, /href="#priority">There is no priority with the code “NOPE-1”/);
      assert.match(typo.html, /id="priority-error"/);
      assert.equal(rows(typo.html).length, codes.length);
    });
  });
});
