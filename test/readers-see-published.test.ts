// A viewer (scrutiny) never sees a draft's text or status: every page, download and API answer a
// viewer may open shows a report in draft or in sign-off as its last published revision, or as
// "not yet published". The walk is generated from the route table: every GET route a viewer's
// role may ever use, with the demo's priority and period, and the files of a board pack job the
// viewer asks for. Marker words are planted in drafts only; none may reach the viewer.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildJobHandlers } from '../src/composition.ts';
import { systemActor } from '../src/domain/actor.ts';
import { mayEver } from '../src/domain/permissions.ts';
import { paths } from '../src/paths.ts';
import { docxText, pdfText } from '../src/render/text-extract.test-helper.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { insertPriority } from './builders/index.ts';
import { htmlText } from './helpers/html.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';
/** Only in drafts: revision 2 of the published VfM-4d report, and a report never published. */
const MARKER = 'UNPUBLISHEDDRAFT';
const DRAFT_ONLY = 'DRAFT-ONLY';

/** The text a viewer would read in a response, whatever its kind. */
async function textOf(res: { headers: Record<string, unknown>; rawPayload: Buffer; body: string }): Promise<string> {
  const header = res.headers['content-type'];
  const type = typeof header === 'string' ? header : '';
  if (type.startsWith('application/pdf')) return pdfText(res.rawPayload);
  if (type.includes('wordprocessingml')) return docxText(res.rawPayload);
  if (type.includes('spreadsheetml')) return res.rawPayload.toString('latin1');
  if (type.includes('html')) return `${htmlText(res.body)}\n${res.body}`;
  return res.body;
}

describe('readers see what was published [pglite]', () => {
  let t: TestApp;
  let viewer: TestSession;

  before(async () => {
    t = await buildTestApp('pglite', { as: false });
    const home = await t.services.organisations.getHome();
    const system = systemActor(home.id, 'test');
    // The published Amber report gets a revision 2 in draft: Red, with draft text everywhere.
    const bundle = await t.services.reports.getBundle(system, CODE, PERIOD);
    assert.equal(bundle.report.state, 'published');
    await t.services.reports.updateSections(system, CODE, PERIOD, {
      summary: `${MARKER} summary`,
      status: 'red',
      statusReason: `${MARKER} reason`,
      achievements: `${MARKER} achievement`,
      challenges: `${MARKER} challenge`,
    });
    const action = bundle.report.actions[0]!;
    await t.services.reports.updateAction(system, CODE, PERIOD, 1, {
      description: `${MARKER} action`,
      contributors: action.contributors.map((c) => `${c.kind}:${c.id}`),
      milestones: action.milestones.map((m) => ({
        id: m.id,
        description: `${MARKER} milestone`,
        timescale: 'Nov 2009',
      })),
    });
    assert.equal((await t.services.reports.getBundle(system, CODE, PERIOD)).report.state, 'draft');
    // A priority whose only report has never been published, then submitted for sign-off.
    await insertPriority(t.services, system, { themeId: bundle.priority.themeId, code: DRAFT_ONLY });
    await t.services.reports.create(system, DRAFT_ONLY, { period: PERIOD });
    await t.services.reports.updateSections(system, DRAFT_ONLY, PERIOD, {
      summary: `${MARKER} never published`,
      status: 'green',
    });
    viewer = await t.signIn(['viewer']);
  });
  after(async () => t?.close());

  const post = (url: string, fields: Record<string, string>, s: TestSession) => {
    const f = form(fields);
    return t.app.inject({ method: 'POST', url, payload: f.payload, headers: { ...s.headers, ...f.headers } });
  };
  const get = (url: string, s: TestSession = viewer) => t.app.inject({ url, headers: s.headers });

  it('shows no draft text on any page, download or API answer a viewer may open', async () => {
    const viewerActor = (await t.services.accounts.resolveSession(viewer.headers.cookie.split('=')[1]!))!.actor;
    const values: Record<string, string> = { code: CODE, period: PERIOD, revision: '1', n: '1' };
    const reachable = t.app.routeTable.filter(
      (r) =>
        r.method === 'GET' &&
        !r.infrastructure &&
        r.permissions.some((p) => mayEver(viewerActor, p)) &&
        [...r.url.matchAll(/:(\w+)/g)].every((m) => m[1]! in values),
    );
    assert.ok(reachable.length > 25, `only ${reachable.length} routes walked`);
    const seen: string[] = [];
    for (const route of reachable) {
      for (const code of route.url.includes(':code') ? [CODE, DRAFT_ONLY] : [CODE]) {
        const url =
          route.url.replace(/:(\w+)/g, (_, name: string) =>
            encodeURIComponent(name === 'code' ? code : values[name]!),
          ) + (route.url.includes(':period') ? '' : `?period=${PERIOD}`);
        const res = await get(url);
        assert.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
        if (res.statusCode !== 200) continue;
        seen.push(url);
        const text = await textOf(res);
        assert.ok(!text.includes(MARKER), `${url} shows a draft's text to a viewer`);
      }
    }
    // The pages that matter most were among those read.
    for (const url of [
      paths.priorities.list,
      paths.dashboard,
      paths.boardPack.show,
      paths.boardPack.pdf,
      paths.boardPack.docx,
      paths.reports.show(CODE, PERIOD),
    ])
      assert.ok(
        seen.some((s) => s.split('?')[0] === url),
        `${url} was not read (read: ${seen.length})`,
      );
  });

  it('shows the published status, never the draft’s, in the list, the dashboard, the board pack and the API', async () => {
    const list = htmlText((await get(paths.priorities.list)).body);
    assert.match(list, /VfM-4d[^]*?Amber/);
    assert.doesNotMatch(list, new RegExp(`${DRAFT_ONLY}[^]*?Green`));

    const api = (await get(`/api/priorities/${CODE}/reports/${PERIOD}`)).json();
    assert.equal(api.status.key, 'amber');
    assert.equal(api.workflow.revision, 1);

    const dashboard = await t.services.dashboard.forPeriod(
      (await t.services.accounts.resolveSession(viewer.headers.cookie.split('=')[1]!))!.actor,
      PERIOD,
    );
    assert.equal(dashboard!.totals.red ?? 0, 0, 'the draft’s Red is not counted');
    assert.equal(dashboard!.totals.amber, 1, 'VfM-4d counts as published: Amber');
    assert.equal(dashboard!.totals.green ?? 0, 0, 'the never-published draft’s Green is not counted');

    const pack = htmlText((await get(`${paths.boardPack.show}?period=${PERIOD}`)).body);
    assert.match(pack, /Published reports only/);
    assert.match(pack, /VfM-4d .*? Amber/);
    assert.match(pack, new RegExp(`${DRAFT_ONLY} .*? Not yet published`));

    // The same pages for someone who may read drafts show the draft, so the checks above can fail.
    const officer = await t.signIn(['performance_officer']);
    assert.match(htmlText((await get(paths.priorities.list, officer)).body), /VfM-4d[^]*?Red/);
    assert.match(htmlText((await get(paths.reports.show(CODE, PERIOD), officer)).body), new RegExp(MARKER));
  });

  it('makes a viewer’s board pack files from published revisions, and keeps a pack with drafts from the viewer', async () => {
    const posted = await post(paths.boardPack.generate, { period: PERIOD, theme: '' }, viewer);
    assert.equal(posted.statusCode, 303, posted.body);
    assert.equal(await t.services.jobs.queue.runOne(buildJobHandlers(t.services)), true);
    const done = await get(posted.headers.location as string);
    const files = [...done.body.matchAll(/href="(\/files\/[0-9a-f-]{36})"/g)].map((m) => m[1]!);
    assert.equal(files.length, 2, htmlText(done.body));
    for (const href of files) {
      const res = await get(href);
      assert.equal(res.statusCode, 200);
      const text = await textOf(res);
      assert.ok(!text.includes(MARKER), `${href} holds a draft`);
      assert.match(text, /Published reports only/);
      assert.match(text, /Not yet published/);
    }

    // An officer's pack holds the drafts; its job and files are refused to the viewer.
    const officer = await t.signIn(['performance_officer']);
    const theirs = await post(paths.boardPack.generate, { period: PERIOD, theme: '' }, officer);
    assert.equal(await t.services.jobs.queue.runOne(buildJobHandlers(t.services)), true);
    const jobUrl = theirs.headers.location as string;
    const page = await get(jobUrl, officer);
    const theirFiles = [...page.body.matchAll(/href="(\/files\/[0-9a-f-]{36})"/g)].map((m) => m[1]!);
    assert.match(await textOf(await get(theirFiles[0]!, officer)), new RegExp(MARKER));
    assert.equal((await get(jobUrl)).statusCode, 403);
    for (const href of theirFiles) assert.equal((await get(href)).statusCode, 403);
  });
});
