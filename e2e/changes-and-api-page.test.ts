// Two page defects of issue 13, in the browser: "What changed" opened without naming the revisions
// (it said "There is no revision NaN of this report") now says there is nothing earlier and leads
// to the list of revisions, and an address with a revision that is not a number says what is wrong
// and leads there too; the API page lists each operation's query parameters. axe-core runs on
// every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { BasePage, textOf, type Heading } from './pages/base-page.ts';
import { paths, routes } from '../src/paths.ts';

/** A page known by its h1 and a data-qa marker; arriving runs the accessibility check. */
class Screen extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker: string | undefined;
  private readonly name: string;
  constructor(page: BasePage['page'], heading: Heading, name: string, marker?: string) {
    super(page);
    this.name = name;
    this.heading = heading;
    this.marker = marker;
  }
  override get label(): string {
    return this.name;
  }
  visit(url: string): Promise<this> {
    return this.open(url);
  }
}

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';

describe(
  'what changed without revisions, and the API page’s query parameters, in the browser',
  { timeout: 240_000 },
  () => {
    let session: Session;
    before(async () => {
      session = await startSession();
    });
    after(async () => {
      await session?.close();
    });

    it('says a first revision has nothing earlier, names a revision that is not a number, and leads to the list', async () => {
      const { page } = session;
      const revisions = new Screen(page, 'Revisions', 'Revisions', 'revisions');
      const none = await new Screen(
        page,
        'No earlier revision to compare with',
        'NoEarlierRevision',
        'no-earlier-revision',
      ).visit(paths.reports.compare(CODE, PERIOD));
      assert.doesNotMatch(await textOf(page.locator('main')), /NaN/);
      await none.follow(page.getByRole('link', { name: 'See all revisions of this report' }), revisions);

      const response = await page.goto(`${paths.reports.compare(CODE, PERIOD)}?from=first&to=2`);
      assert.equal(response?.status(), 400);
      const bad = await new Screen(
        page,
        'These revisions cannot be compared',
        'BadRevisions',
        'bad-revisions',
      ).verifyOnPage();
      assert.match(await textOf(bad.qa('bad-revisions')), /Give from as a whole number from 1 to 1,000,000/);
      await bad.follow(page.getByRole('link', { name: 'See all revisions of this report' }), revisions);
    });

    it('lists the query parameters of each operation that has them on the API page', async () => {
      const { page } = session;
      const api = await new Screen(page, 'Amber API', 'ApiDocs', 'query-parameters').visit(paths.api.docs);
      const row = page.getByRole('row').filter({ has: page.getByText(routes.api.exercisePosts, { exact: true }) });
      assert.match(
        await textOf(row.locator('[data-qa="query-parameter"]')),
        /page \(optional\): Which page of posts, 100 a page.*Allowed: a whole number from 1 to 100,000\./,
      );
      assert.ok((await api.qa('query-parameters').count()) >= 7, 'every operation with a query lists it');
    });
  },
);
