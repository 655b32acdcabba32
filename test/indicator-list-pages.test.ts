// The indicator list a page at a time (issue 14, "lists paginated"): 50 indicators a page in code
// order with the GOV.UK pagination component, a page past the last showing the last, and the API
// listing every indicator as it always did, or a page of them with `page`/`pageSize`. On both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { paths } from '../src/paths.ts';
import { describeOnEachEngine } from './helpers/database.ts';
import { createTestSession, type TestSession } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { insertSizedOrganisation, type SizedOrganisation } from './builders/sized-organisation.ts';

/** An indicator per sized priority: 61, two pages (50 and 11). */
const TOTAL = 61;

describeOnEachEngine('the indicator list, a page at a time', (t) => {
  let app: FastifyInstance | undefined;
  let sized: SizedOrganisation;
  let session: TestSession;
  let whole: string[];

  before(async () => {
    app = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db: t().db,
      units: t().units,
      services: t().services,
    });
    sized = await insertSizedOrganisation(t(), { priorities: TOTAL });
    session = await createTestSession(t().services, sized.organisationId, ['administrator', 'performance_officer']);
    whole = (await t().services.indicators.list(sized.actor)).map((i) => i.code);
    assert.equal(whole.length, TOTAL);
  });
  after(async () => {
    await app?.close();
  });

  const get = async (url: string) => {
    const res = await app!.inject({ url, headers: session.headers });
    assert.equal(res.statusCode, 200, `GET ${url}: ${res.body.slice(0, 300)}`);
    return res.body;
  };
  /** The codes the page's table lists, in order. */
  const rowCodes = (html: string) =>
    [...html.matchAll(/data-qa="indicator-row">\s*<td class="govuk-table__cell"><a [^>]*>([^<]+)<\/a>/g)].map(
      (m) => m[1],
    );

  describe('the page', () => {
    it('shows the first 50 of 61 indicators, says so, and links to the next page', async () => {
      const html = await get(paths.indicators.list);
      assert.deepEqual(rowCodes(html), whole.slice(0, 50));
      assert.match(htmlText(html), /Showing 1 to 50 of 61 indicators/);
      assert.match(htmlText(html), /61 indicators, page 1 of 2/, 'the caption counts the whole list');
      assert.match(html, /<nav class="govuk-pagination" aria-label="Pages of performance indicators">/);
      assert.match(html, /aria-label="Page 1" aria-current="page"/);
      assert.match(
        html,
        /govuk-pagination__next[\s\S]*?href="\/indicators\?page=2"[\s\S]*?Next<span class="govuk-visually-hidden"> page<\/span>/,
      );
      assert.doesNotMatch(html, /govuk-pagination__prev/);
    });

    for (const page of ['2', '3', '5000']) {
      it(`shows the last 11 on the last page, never an error, for page ${page}`, async () => {
        const html = await get(`${paths.indicators.list}?page=${page}`);
        assert.deepEqual(rowCodes(html), whole.slice(50));
        assert.match(htmlText(html), /Showing 51 to 61 of 61 indicators/);
        assert.match(html, /aria-label="Page 2" aria-current="page"/);
        assert.match(
          html,
          /govuk-pagination__prev[\s\S]*?href="\/indicators"[\s\S]*?Previous<span class="govuk-visually-hidden"> page<\/span>/,
        );
        assert.doesNotMatch(html, /govuk-pagination__next/);
      });
    }

    it('shows the first page for a page that is not a page number', async () => {
      assert.deepEqual(rowCodes(await get(`${paths.indicators.list}?page=last`)), whole.slice(0, 50));
    });
  });

  describe('the API', () => {
    const api = (query = '') => app!.inject({ url: `${paths.api.indicators}${query}`, headers: session.headers });

    it('lists every indicator as it always did when no page is asked for', async () => {
      const body = (await api()).json();
      assert.ok(Array.isArray(body));
      assert.deepEqual(
        body.map((i: { code: string }) => i.code),
        whole,
      );
    });

    it('answers a page with where it is in the list, the last for a page past the last', async () => {
      const second = (await api('?page=2')).json();
      assert.deepEqual(
        { ...second, indicators: second.indicators.map((i: { code: string }) => i.code) },
        { indicators: whole.slice(50), page: 2, pages: 2, pageSize: 50, total: TOTAL },
      );
      const past = (await api('?page=9&pageSize=20')).json();
      assert.deepEqual(
        { page: past.page, pages: past.pages, codes: past.indicators.map((i: { code: string }) => i.code) },
        { page: 4, pages: 4, codes: whole.slice(60) },
      );
      assert.ok(Array.isArray(past.indicators[0].priorityIds), 'each indicator as the list gives it, with its links');
    });

    for (const [query, field] of [
      ['?page=0', 'page'],
      ['?pageSize=501', 'pageSize'],
    ] as const) {
      it(`refuses ${query}, naming ${field}`, async () => {
        const res = await api(query);
        assert.equal(res.statusCode, 422, res.body);
        assert.match(res.body, new RegExp(`"field":"${field}"`));
      });
    }
  });
});
