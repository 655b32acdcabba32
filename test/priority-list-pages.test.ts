// The priority list a page at a time (issue 14, "lists paginated"): 50 priorities a page with the
// GOV.UK pagination component, "Showing 51 to 100 of 120 priorities", links that keep the filters,
// a page past the last showing the last, and filters applied over the whole list in SQL (the same
// priorities, in the same order, as filtering the whole list did before pages). The API lists every
// priority as it always did, or a page of them with `page`/`pageSize`. On both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { paths } from '../src/paths.ts';
import type { UserActor } from '../src/domain/actor.ts';
import { NO_REPORT } from '../src/modules/plans/plan.presenter.ts';
import type { PriorityListItem } from '../src/modules/plans/plan.service.ts';
import { describeOnEachEngine } from './helpers/database.ts';
import { createTestSession, type TestSession } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { insertPriority } from './builders/index.ts';
import { insertSizedOrganisation, SIZED_PERIODS, type SizedOrganisation } from './builders/sized-organisation.ts';

/** 119 sized priorities with reports, and one of another plan with none: 120, three pages. */
const SIZED = 119;
const TOTAL = 120;

/** The status the list shows for a priority, as the list worked it out before it had pages. */
const statusKey = (p: PriorityListItem) => p.latest?.status?.key ?? (p.latest ? 'none' : NO_REPORT);

describeOnEachEngine('the priority list, a page at a time', (t) => {
  let app: FastifyInstance | undefined;
  let sized: SizedOrganisation;
  let session: TestSession;
  let lonely: { code: string; themeId: string };

  before(async () => {
    app = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db: t().db,
      units: t().units,
      services: t().services,
    });
    sized = await insertSizedOrganisation(t(), { priorities: SIZED });
    lonely = await insertPriority(t().services, sized.actor, { code: 'ZZ-LONELY', title: 'Lonely priority' });
    session = await createTestSession(t().services, sized.organisationId, ['administrator', 'performance_officer']);
  });
  after(async () => {
    await app?.close();
  });

  const get = async (url: string) => {
    const res = await app!.inject({ url, headers: session.headers });
    assert.equal(res.statusCode, 200, `GET ${url}: ${res.body.slice(0, 300)}`);
    return res.body;
  };
  const rowCodes = (html: string) => [...html.matchAll(/data-qa="priority-row" data-code="([^"]+)"/g)].map((m) => m[1]);
  /** The hrefs of the pagination's links, decoded, in order: previous, the numbers, next. */
  const pageLinks = (html: string) => {
    const nav = /<nav class="govuk-pagination"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    return [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  };

  describe('the page', () => {
    it('shows the first 50 of 120 priorities, says so, and links to the next page', async () => {
      const html = await get(paths.priorities.list);
      assert.equal(rowCodes(html).length, 50);
      const text = htmlText(html);
      assert.match(text, /Showing 1 to 50 of 120 priorities/);
      assert.match(text, /120 priorities, page 1 of 3/, 'the table’s caption counts the whole list');
      assert.match(html, /<nav class="govuk-pagination" aria-label="Pages of improvement priorities">/);
      assert.match(
        html,
        /<a class="govuk-link govuk-pagination__link" href="\/priorities" aria-label="Page 1" aria-current="page">/,
      );
      assert.doesNotMatch(html, /govuk-pagination__prev/, 'no "Previous" on the first page');
      assert.match(
        html,
        /govuk-pagination__next[\s\S]*?href="\/priorities\?page=2"[\s\S]*?Next<span class="govuk-visually-hidden"> page<\/span>/,
      );
      assert.deepEqual(pageLinks(html), [
        '/priorities',
        '/priorities?page=2',
        '/priorities?page=3',
        '/priorities?page=2',
      ]);
      assert.match(html, /<title>Improvement priorities \(page 1 of 3\)/);
    });

    it('shows 51 to 100 on the second page, with "Previous" and "Next"', async () => {
      const html = await get(`${paths.priorities.list}?page=2`);
      assert.equal(rowCodes(html).length, 50);
      assert.match(htmlText(html), /Showing 51 to 100 of 120 priorities/);
      assert.match(html, /aria-label="Page 2" aria-current="page"/);
      assert.match(
        html,
        /govuk-pagination__prev[\s\S]*?href="\/priorities"[\s\S]*?Previous<span class="govuk-visually-hidden"> page<\/span>/,
      );
      assert.match(html, /govuk-pagination__next[\s\S]*?href="\/priorities\?page=3"/);
    });

    it('shows every priority once across the pages, in the order the whole list had', async () => {
      const pages = [];
      for (const n of [1, 2, 3]) pages.push(...rowCodes(await get(`${paths.priorities.list}?page=${n}`)));
      const whole = (await t().services.plans.listPriorities(sized.actor)).map((p) => p.code);
      assert.equal(whole.length, TOTAL);
      assert.deepEqual(pages, whole);
    });

    for (const page of ['4', '99', '999999']) {
      it(`shows the last page, never an error, for page ${page}`, async () => {
        const html = await get(`${paths.priorities.list}?page=${page}`);
        assert.equal(rowCodes(html).length, 20);
        assert.match(htmlText(html), /Showing 101 to 120 of 120 priorities/);
        assert.match(html, /aria-label="Page 3" aria-current="page"/);
        assert.doesNotMatch(html, /govuk-pagination__next/, 'no "Next" on the last page');
      });
    }

    for (const page of ['0', '-1', 'two', '1.5', '']) {
      it(`shows the first page for a page that is not a page number: "${page}"`, async () => {
        const html = await get(`${paths.priorities.list}?page=${encodeURIComponent(page)}`);
        assert.match(htmlText(html), /Showing 1 to 50 of 120 priorities/);
      });
    }

    it('counts only the priorities that match the status, report and theme chosen', async () => {
      const url = `${paths.priorities.list}?status=red&period=${SIZED_PERIODS.earlier}`;
      const earlier = await t().services.periods.getByKey(sized.actor, SIZED_PERIODS.earlier);
      const expected = (await t().services.plans.listPriorities(sized.actor, { periodId: earlier.id })).filter(
        (p) => statusKey(p) === 'red',
      );
      const html = await get(url);
      const text = htmlText(html);
      assert.match(text, new RegExp(`${expected.length} priorities matching the filter`));
      assert.equal(rowCodes(html).length, Math.min(50, expected.length));
      if (expected.length <= 50) assert.deepEqual(pageLinks(html), [], 'one page needs no pagination');

      // A theme's priorities (one in five of 119, about 24) with no status filter: one page.
      const theme = (await t().services.plans.listPriorities(sized.actor))[0]!.themeId;
      const themed = await get(`${paths.priorities.list}?theme=${theme}&status=${NO_REPORT}`);
      assert.match(htmlText(themed), /No priorities match the filter\./, 'every sized priority has a report');
      const lonelyTheme = await get(`${paths.priorities.list}?theme=${lonely.themeId}&status=${NO_REPORT}`);
      assert.deepEqual(rowCodes(lonelyTheme), ['ZZ-LONELY']);
      assert.match(htmlText(lonelyTheme), /1 priority matching the filter/);
    });

    it('keeps the filters in the links when the filtered list runs to several pages', async () => {
      // Every priority has no report for a quarter: all 120 match "No report" in 2009/10 Q1.
      const q1 = SIZED_PERIODS.quarters[0];
      const html = await get(`${paths.priorities.list}?status=${NO_REPORT}&period=${q1}&page=2`);
      assert.match(htmlText(html), /Showing 51 to 100 of 120 priorities matching the filter/);
      const base = `/priorities?status=${NO_REPORT}&period=${q1}`;
      assert.deepEqual(pageLinks(html), [base, base, `${base}&page=2`, `${base}&page=3`, `${base}&page=3`]);
    });
  });

  describe('filtering over the whole list', () => {
    const viewer = (): UserActor => ({
      kind: 'user',
      organisationId: sized.organisationId,
      label: 'viewer@test.example',
      userId: randomUUID(),
      roles: ['viewer'],
    });
    for (const who of ['an administrator', 'a viewer of published reports'] as const) {
      for (const period of [undefined, SIZED_PERIODS.earlier, SIZED_PERIODS.later, SIZED_PERIODS.quarters[0]]) {
        it(`finds, in SQL, the priorities of each status the whole list shows: ${who}, ${period ?? 'latest report'}`, async () => {
          const actor = who === 'an administrator' ? sized.actor : viewer();
          const { services } = t();
          const periodId = period ? (await services.periods.getByKey(actor, period)).id : undefined;
          const whole = await services.plans.listPriorities(actor, { periodId });
          const keys = ['green', 'amber', 'red', 'none', NO_REPORT];
          let found = 0;
          for (const status of keys) {
            const expected = whole.filter((p) => statusKey(p) === status).map((p) => p.code);
            const page = await services.plans.pagePriorities(actor, { periodId, status }, 1, 500);
            assert.deepEqual(
              page.items.map((p) => p.code),
              expected,
              status,
            );
            assert.equal(page.window.total, expected.length, status);
            found += expected.length;
          }
          assert.equal(found, TOTAL, 'every priority has one of the statuses');
        });
      }
    }
  });

  describe('the API', () => {
    const api = (query = '') => app!.inject({ url: `${paths.api.priorities}${query}`, headers: session.headers });

    it('lists every priority as it always did when no page is asked for', async () => {
      const res = await api();
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.ok(Array.isArray(body));
      assert.equal(body.length, TOTAL);
    });

    it('answers a page with where it is in the list', async () => {
      const res = await api('?page=2');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.deepEqual(
        { ...body, priorities: body.priorities.length },
        {
          priorities: 50,
          page: 2,
          pages: 3,
          pageSize: 50,
          total: TOTAL,
        },
      );
      const whole = (await api()).json().map((p: { code: string }) => p.code);
      assert.deepEqual(
        body.priorities.map((p: { code: string }) => p.code),
        whole.slice(50, 100),
      );
      assert.equal(typeof body.priorities[0].latest.status, 'string', 'the status as its key, as the list gives it');
    });

    it('answers the last page for a page past the last, and pages of the size asked for', async () => {
      assert.deepEqual(
        (({ page, pages, total, priorities }) => ({ page, pages, total, n: priorities.length }))(
          (await api('?page=40')).json(),
        ),
        { page: 3, pages: 3, total: TOTAL, n: 20 },
      );
      const body = (await api('?pageSize=7&page=2')).json();
      assert.deepEqual(
        { page: body.page, pages: body.pages, pageSize: body.pageSize, n: body.priorities.length },
        {
          page: 2,
          pages: 18,
          pageSize: 7,
          n: 7,
        },
      );
    });

    for (const [query, field] of [
      ['?page=0', 'page'],
      ['?page=two', 'page'],
      ['?pageSize=501', 'pageSize'],
      ['?pageSize=0', 'pageSize'],
    ] as const) {
      it(`refuses ${query}, naming ${field}`, async () => {
        const res = await api(query);
        assert.equal(res.statusCode, 422, res.body);
        assert.match(res.body, new RegExp(`"field":"${field}"`));
        assert.match(res.body, new RegExp(`Give ${field} as a whole number`));
      });
    }

    it('declares page and pageSize in the API description', async () => {
      const doc = (await app!.inject({ url: paths.api.openapi, headers: session.headers })).json();
      const names = doc.paths['/api/priorities'].get.parameters.map((p: { name: string }) => p.name).sort();
      assert.deepEqual(names, ['page', 'pageSize']);
    });
  });
});
