// The report workflow through the web app and the JSON API (inject, signed-in sessions), on both
// engines: the demo's 2009 report is published with historical sign-offs; a change opens revision 2;
// submit, officer and director sign-off in pages and API; refusals answer 403/409/422.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { htmlText, errorSummary } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { formatTimescale } from '../src/domain/timescale.ts';
import { systemActor } from '../src/domain/actor.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';

for (const engine of ENGINES) {
  describe(`report workflow pages and API [${engine}]`, () => {
    let t: TestApp;
    let officer: TestSession;
    let director: TestSession;
    let viewer: TestSession;
    let contributor: TestSession;
    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      const people = await t.services.people.list(systemActor(home.id, 't'));
      const person = (name: string) => people.find((p) => p.name === name)!.id;
      officer = await t.signIn(['accountable_officer'], { personId: person('Lee Hemsworth') });
      director = await t.signIn(['accountable_director'], { personId: person('James Rogers') });
      viewer = await t.signIn(['viewer']);
      contributor = await t.signIn(['contributor'], { personId: person('Arfan Hanif') });
    });
    after(async () => t?.close());

    const as = (s: TestSession | undefined) => (s ? s.headers : {});
    const get = (url: string, s?: TestSession) => t.app.inject({ url, headers: as(s) });
    const post = (url: string, fields: Parameters<typeof form>[0], s?: TestSession) => {
      const f = form(fields);
      return t.app.inject({ method: 'POST', url, payload: f.payload, headers: { ...f.headers, ...as(s) } });
    };
    const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body: unknown, s?: TestSession) =>
      t.app.inject({
        method,
        url,
        payload: body === undefined ? undefined : JSON.stringify(body),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...as(s) },
      });
    const state = async () => (await api('GET', paths.api.report(CODE, PERIOD), undefined)).json().workflow;

    it('shows the demo’s 2009 report published, its paper sign-offs as historical records, and no form to type one in', async () => {
      const page = await get(paths.reports.show(CODE, PERIOD));
      assert.equal(page.statusCode, 200);
      const text = htmlText(page.body);
      assert.match(text, /State Published/);
      assert.match(
        text,
        /Approved by \(Accountable Officer\) Lee Hemsworth Historical record, entered on \d{1,2} \w+ \d{4} 22 October 2009/,
      );
      assert.match(text, /Approved by \(Accountable Director\) James Rogers Historical record, entered on/);
      assert.doesNotMatch(page.body, /sign-offs\/new|Record a sign-off/);
      assert.equal((await get(`${paths.reports.show(CODE, PERIOD)}/sign-offs/new`)).statusCode, 404);
      assert.equal(
        (
          await post(`${paths.reports.show(CODE, PERIOD)}/sign-offs`, {
            role: 'accountable_officer',
            signedOn: '1/1/2010',
          })
        ).statusCode,
        404,
      );
      assert.equal(
        (await api('POST', `${paths.api.report(CODE, PERIOD)}/sign-offs`, { role: 'accountable_officer' })).statusCode,
        404,
      );
      const revisions = await api('GET', paths.api.revisions(CODE, PERIOD), undefined, viewer);
      assert.deepEqual(
        revisions.json().published.map((r: { number: number; historical: boolean }) => [r.number, r.historical]),
        [[1, true]],
      );
    });

    it('edits the published report as revision 2 while viewers keep reading revision 1, then takes it through sign-off in the API', async () => {
      const current = (await api('GET', paths.api.report(CODE, PERIOD), undefined)).json();
      const changed = await api(
        'PATCH',
        paths.api.report(CODE, PERIOD),
        {
          version: current.version,
          summary: 'Revised summary for revision 2.',
          status: 'amber',
          statusReason: 'Contract delayed',
          achievements: current.achievements,
          challenges: current.challenges,
        },
        officer,
      );
      assert.equal(changed.statusCode, 200, changed.body);
      assert.deepEqual(await state(), { ...(await state()), state: 'draft', revision: 2, publishedRevision: 1 });

      const seen = (await api('GET', paths.api.report(CODE, PERIOD), undefined, viewer)).json();
      assert.notDeepEqual(seen.summary, ['Revised summary for revision 2.']);
      assert.equal(seen.workflow.revision, 1);
      const viewerPage = htmlText((await get(paths.reports.show(CODE, PERIOD), viewer)).body);
      assert.doesNotMatch(viewerPage, /Revised summary for revision 2/);
      assert.doesNotMatch(viewerPage, /Write or change the report/);
      assert.equal((await get(paths.reports.revision(CODE, PERIOD, 2), viewer)).statusCode, 403);

      // The director cannot sign before the officer; the administrator cannot sign for the officer.
      // Every step names the version its signer read: nobody signs off what they have not seen.
      const at = async () => ({
        version: (await api('GET', paths.api.report(CODE, PERIOD), undefined, officer)).json().version,
      });
      const submitted = await api('POST', paths.api.submit(CODE, PERIOD), await at(), officer);
      assert.equal(submitted.statusCode, 200, submitted.body);
      assert.equal(submitted.json().workflow.state, 'submitted');
      assert.equal((await api('POST', paths.api.approve(CODE, PERIOD), await at(), director)).statusCode, 403);
      const admin = await api('POST', paths.api.approve(CODE, PERIOD), await at());
      assert.equal(admin.statusCode, 403);
      assert.equal(admin.json().code, 'SIGN_OFF_NEEDS_A_PERSON', 'the administrator is not a person who signs');
      assert.equal(
        (await api('POST', paths.api.return(CODE, PERIOD), await at(), officer)).statusCode,
        422,
        'a return needs its comment',
      );
      // Nothing changes while it waits.
      assert.equal(
        (await api('PATCH', paths.api.report(CODE, PERIOD), { ...(await at()), summary: 'x' }, officer)).statusCode,
        409,
      );
      assert.equal(
        (await api('POST', paths.api.approve(CODE, PERIOD), {}, officer)).statusCode,
        422,
        'a step without the version read is refused',
      );

      assert.equal(
        (await api('POST', paths.api.approve(CODE, PERIOD), await at(), officer)).json().workflow.state,
        'officer_approved',
      );
      const published = await api(
        'POST',
        paths.api.approve(CODE, PERIOD),
        { ...(await at()), comment: 'Fine' },
        director,
      );
      assert.equal(published.json().workflow.state, 'published');
      assert.deepEqual(published.json().summary, ['Revised summary for revision 2.']);
      assert.deepEqual((await api('GET', paths.api.report(CODE, PERIOD), undefined, viewer)).json().summary, [
        'Revised summary for revision 2.',
      ]);

      const compare = await api('GET', `${paths.api.compare(CODE, PERIOD)}?from=1&to=2`, undefined, viewer);
      // The demo's report was Amber already: the status is not a change, its reason is.
      assert.deepEqual(
        compare.json().changes.map((c: { field: string }) => c.field),
        ['summary', 'statusReason'],
      );
      const page = htmlText((await get(paths.reports.compare(CODE, PERIOD, 1, 2), viewer)).body);
      assert.match(page, /What changed from revision 1 to revision 2/);
      assert.match(page, /Reason for the status Before: .+ After: Contract delayed/);
      const list = htmlText((await get(paths.reports.revisions(CODE, PERIOD), viewer)).body);
      assert.match(list, /Revision 2 Published .* Revision 1 Published .* \(historical record\) First published/);
    });

    it('returns a report through the sign-off page with a required comment, shown in the decisions', async () => {
      const v =
        (await state()).state === 'published'
          ? (await api('GET', paths.api.report(CODE, PERIOD), undefined)).json().version
          : undefined;
      await api(
        'PATCH',
        paths.api.report(CODE, PERIOD),
        { version: v, summary: 'Revision 3 draft.', status: 'green' },
        officer,
      );
      await post(paths.reports.submit(CODE, PERIOD), {}, officer);
      const signOffPage = await get(paths.reports.signOff(CODE, PERIOD), officer);
      assert.equal(signOffPage.statusCode, 200);
      const version = /name="version" value="(\d+)"/.exec(signOffPage.body)![1]!;
      const noComment = await post(
        paths.reports.signOff(CODE, PERIOD),
        { version, decision: 'return', comment: '' },
        officer,
      );
      assert.equal(noComment.statusCode, 422);
      assert.deepEqual(errorSummary(noComment.body), ['#comment Enter a comment saying what needs to change']);
      const returned = await post(
        paths.reports.signOff(CODE, PERIOD),
        { version, decision: 'return', comment: 'Add the costs' },
        officer,
      );
      assert.equal(returned.statusCode, 303);
      assert.equal((await state()).state, 'draft');
      const page = htmlText((await get(paths.reports.show(CODE, PERIOD), officer)).body);
      assert.match(
        page,
        /Returned to draft by Lee Hemsworth \(Accountable Officer\), revision 3, .*: “\s*Add the costs\s*”/,
      );
      // The sign-off table shows this revision's decisions only: the director has not signed revision 3.
      assert.match(
        page,
        /Returned by \(Accountable Officer\) Lee Hemsworth .* \(Accountable Director\) Not yet signed off\./,
      );
      // A viewer or contributor sees no sign-off page.
      assert.equal(
        (await post(paths.reports.signOff(CODE, PERIOD), { decision: 'approve' }, contributor)).statusCode,
        403,
      );
    });

    it('answers a stale save with who changed the report and what, in the page and the API', async () => {
      const start = (await api('GET', paths.api.report(CODE, PERIOD), undefined)).json().version;
      const first = await api(
        'PATCH',
        paths.api.report(CODE, PERIOD),
        { version: start, summary: 'Saved first by the director’s office.', status: 'green' },
        officer,
      );
      assert.equal(first.statusCode, 200, first.body);
      const stale = await api('PATCH', paths.api.report(CODE, PERIOD), {
        version: start,
        summary: 'Mine',
        status: 'green',
      });
      assert.equal(stale.statusCode, 409);
      const problem = stale.json();
      assert.equal(problem.code, 'STALE_VERSION');
      assert.deepEqual(
        problem.changedBy.map((c: { label: string }) => c.label),
        [officer.email],
      );
      assert.deepEqual(
        problem.changes.map((c: { field: string; after: string }) => [c.field, c.after]),
        [['summary', 'Saved first by the director’s office.']],
      );
      assert.match(problem.detail, new RegExp(`${officer.email.replace(/\./g, '\\.')} changed overall summary`));

      const page = await post(paths.reports.edit(CODE, PERIOD), {
        version: start,
        summary: 'Mine too',
        status: 'green',
      });
      assert.equal(page.statusCode, 409);
      const text = htmlText(page.body);
      assert.match(
        text,
        new RegExp(`${officer.email.replace(/\./g, '\\.')} saved it on \\d{1,2} \\w+ \\d{4} at \\d\\d:\\d\\d UTC`),
      );
      assert.match(text, /What they changed: Overall summary Before: .* After: Saved first by the director’s office\./);
    });

    it('lets a contributor change the key actions they are named on, and refuses the others with 403', async () => {
      const report = (await api('GET', paths.api.report(CODE, PERIOD), undefined, contributor)).json();
      // Arfan Hanif is named on actions 1, 3 and 4 of VfM-4d, not on 2.
      const two = await post(
        paths.reports.actions.update(CODE, PERIOD, 2),
        { version: report.version, description: 'Taken over', intent: 'save' },
        contributor,
      );
      assert.equal(two.statusCode, 403);
      const home = await t.services.organisations.getHome();
      const three = (await t.services.reports.getBundle(systemActor(home.id, 't'), CODE, PERIOD)).report.actions[2]!;
      const changed = await api(
        'PUT',
        paths.api.action(CODE, PERIOD, 3),
        {
          version: report.version,
          description: `${three.description} (updated by Arfan)`,
          contributors: three.contributors.map((c) => `${c.kind}:${c.id}`),
          milestones: three.milestones.map((m) => ({
            id: m.id,
            description: m.description,
            timescale: formatTimescale(m.timescale),
          })),
        },
        contributor,
      );
      assert.equal(changed.statusCode, 200, changed.body);
      assert.match(changed.json().actions[2].description, /\(updated by Arfan\)$/);
      assert.match(changed.json().actions[1].description, /^Communication Plan/);
    });

    it('lists the workflow operations in the OpenAPI document', async () => {
      const doc = (await get(paths.api.openapi)).json();
      for (const p of ['/submit', '/approve', '/return', '/revisions', '/changes', '/history']) {
        assert.ok(
          Object.keys(doc.paths).some((k) => k.startsWith('/api/priorities/{code}/reports/{period}') && k.endsWith(p)),
          `${p} documented`,
        );
      }
    });
  });
}
