// The web app through inject(): pages, forms (with the GOV.UK error summary on bad input, and
// nothing changed), downloads, the JSON API and its OpenAPI document, on both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText, errorSummary, hasDataQa } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

const REPORT = paths.reports.show('VfM-4d', '2009-10-h1');

for (const engine of ENGINES) {
  describe(`web app [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());
    const get = (url: string) => t.app.inject({ url });
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });
    const countRows = async (table: 'priority' | 'action' | 'milestone' | 'person' | 'sign_off' | 'progress_report') =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('answers /health when the database answers', async () => {
      const res = await get(paths.health);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
    });

    it('lists priorities with code, title, officer and status as text', async () => {
      const res = await get(paths.priorities.list);
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(text, /Council Business Plan 2008–11 Improvement priorities/);
      assert.match(
        text,
        /VfM-4d Explore opportunities for collaboration with private and public sector bodies Value for Money Lee Hemsworth Amber 2009\/10 H1 report/,
      );
      assert.match(res.body, /data-status="amber"[^>]*>[\s\S]*?<span>Amber<\/span>/);
    });

    it('filters the list by theme and by status', async () => {
      const themes = await t.services.plans.listThemes(systemActor((await t.services.organisations.getHome()).id, 't'));
      const people = themes.find((x) => x.title === 'Our People')!;
      const byTheme = await get(`${paths.priorities.list}?theme=${people.id}`);
      assert.deepEqual(
        [...byTheme.body.matchAll(/data-code="([^"]+)"/g)].map((m) => m[1]),
        ['OP-2b'],
      );
      const byStatus = await get(`${paths.priorities.list}?status=amber`);
      assert.deepEqual([...byStatus.body.matchAll(/data-code="([^"]+)"/g)].map((m) => m[1]).sort(), [
        'OC-1c',
        'VfM-4d',
      ]);
      assert.equal(
        (await get(`${paths.priorities.list}?period=2031-32-h1`)).statusCode,
        404,
        'an unknown period is not an empty list',
      );
      const none = await get(`${paths.priorities.list}?status=none`);
      assert.ok(hasDataQa(none.body, 'no-priorities'));
    });

    it('shows the 404 page, not a stack trace, for an unknown priority, period, action or format', async () => {
      for (const url of [
        '/priorities/NOPE',
        paths.reports.show('VfM-4d', '2031-32-h1'),
        paths.reports.show('VfM-4d', 'not-a-period'),
        paths.reports.actions.edit('VfM-4d', '2009-10-h1', 99),
        paths.reports.actions.edit('VfM-4d', '2009-10-h1', 'x' as never),
        '/reports/download/exe',
        paths.reports.show('VfM-4d', '2009-10-h1') + '/download/exe',
        '/people/not-a-uuid/edit',
      ]) {
        const res = await get(url);
        assert.equal(res.statusCode, 404, url);
        assert.doesNotMatch(res.body, /at .*\.ts:\d+/, `${url} shows no stack`);
        assert.match(res.body, /<h1 class="govuk-heading-l">Page not found<\/h1>/, url);
      }
    });

    it('downloads the report as PDF, Word and JSON with file names', async () => {
      const pdf = await get(paths.reports.download('VfM-4d', '2009-10-h1', 'pdf'));
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
      assert.match(String(pdf.headers['content-disposition']), /filename="VfM-4d-2009-10-h1.pdf"/);
      const docx = await get(paths.reports.download('VfM-4d', '2009-10-h1', 'docx'));
      assert.equal(docx.rawPayload.subarray(0, 2).toString(), 'PK');
      const json = await get(paths.reports.download('VfM-4d', '2009-10-h1', 'json'));
      assert.equal(json.json().priority.code, 'VfM-4d');
    });

    it('creates a priority from the form and refuses a bad one with an error summary, changing nothing', async () => {
      const home = await t.services.organisations.getHome();
      const themes = await t.services.plans.listThemes(systemActor(home.id, 't'));
      const before = await countRows('priority');
      const bad = await post(paths.priorities.list, { themeId: '', code: 'bad code!', title: '' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(errorSummary(bad.body), [
        '#themeId Select the theme',
        '#code Code must be letters, numbers, spaces, dots, hyphens or underscores, like VfM-4d',
        '#title Enter the priority’s title',
      ]);
      assert.match(bad.body, /value="bad code!"/, 'the person’s input is kept');
      assert.match(bad.body, /<title>Error: /);
      assert.equal(await countRows('priority'), before);
      const dup = await post(paths.priorities.list, { themeId: themes[0]!.id, code: 'vfm-4D', title: 'Duplicate' });
      assert.deepEqual(errorSummary(dup.body), ['#code There is already a priority with the code vfm-4D']);
      const ok = await post(paths.priorities.list, {
        themeId: themes[0]!.id,
        code: 'VfM-9z',
        title: 'A new one <b>bold</b>',
        rationale: 'Why – ŵ ŷ £5',
      });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, paths.priorities.show('VfM-9z'));
      const page = await get(paths.priorities.show('VfM-9z'));
      assert.match(page.body, /A new one &lt;b&gt;bold&lt;\/b&gt;/);
      assert.match(htmlText(page.body), /Why – ŵ ŷ £5/);
    });

    it('writes a report through its forms: sections, an action with milestones, submitted and signed off by the officer', async () => {
      const home = await t.services.organisations.getHome();
      const actor = systemActor(home.id, 't');
      const themes = await t.services.plans.listThemes(actor);
      const people = await t.services.people.list(actor);
      const lee = people.find((p) => p.name === 'Lee Hemsworth')!;
      await post(paths.priorities.list, {
        themeId: themes[0]!.id,
        code: 'FORM-1',
        title: 'Written through forms',
        accountableOfficerId: lee.id,
      });
      const start = await post(paths.reports.create('FORM-1'), { period: '2009-10-h2' });
      assert.equal(start.statusCode, 303);
      const edit = await get(String(start.headers.location));
      assert.equal(edit.statusCode, 200);
      const version = /name="version" value="(\d+)"/.exec(edit.body)![1]!;
      const saved = await post(paths.reports.edit('FORM-1', '2009-10-h2'), {
        version,
        summary: 'Para one.\r\n\r\nPara two.',
        status: 'amber',
        statusReason: 'Delays.',
        achievements: 'First\r\nSecond',
        challenges: 'Risk',
      });
      assert.equal(saved.statusCode, 303);
      const v2 = String(Number(version) + 1);
      const withAction = await post(paths.reports.actions.create('FORM-1', '2009-10-h2'), {
        version: v2,
        description: 'Do the thing',
        contributors: [`person:${lee.id}`],
        'milestones[0][description]': 'Step one',
        'milestones[0][timescale]': 'Jan 2010',
        'milestones[1][description]': '',
        'milestones[1][timescale]': '',
        intent: 'save',
      });
      assert.equal(withAction.statusCode, 303, withAction.body.slice(0, 300));
      const submitted = await post(paths.reports.submit('FORM-1', '2009-10-h2'), { version: String(Number(v2) + 1) });
      assert.equal(submitted.statusCode, 303, submitted.body.slice(0, 300));
      // The accountable officer signs it off as themselves: nobody records it on their behalf.
      const officer = await t.signIn(['accountable_officer'], { personId: lee.id });
      const signed = await t.app.inject({
        method: 'POST',
        url: paths.reports.signOff('FORM-1', '2009-10-h2'),
        ...form({ version: String(Number(v2) + 2), decision: 'approve' }),
        headers: { ...form({}).headers, ...officer.headers },
      });
      assert.equal(signed.statusCode, 303, signed.body.slice(0, 300));
      const text = htmlText((await get(paths.reports.show('FORM-1', '2009-10-h2'))).body);
      assert.match(
        text,
        /Overall progress to date and outcomes achieved 1st October 2009 – 31st March 2010 Overall Summary Para one\. Para two\. Status Amber Delays\./,
      );
      assert.match(text, /Achievements since the last report First Second Challenges\/Risks Risk/);
      assert.match(text, /Approved by \(Accountable Officer\) Lee Hemsworth \d{1,2} \w+ \d{4} at \d\d:\d\d UTC/);
      assert.doesNotMatch(text, /Historical record/);
      assert.match(text, /1\. Do the thing Lee Hemsworth Step one Jan 2010/);
    });

    it('cites risks of the priority’s register from the sections form and the API, and refuses another priority’s', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      const themes = await t.services.plans.listThemes(actor);
      const lee = (await t.services.people.list(actor)).find((p) => p.name === 'Lee Hemsworth')!;
      for (const code of ['RISK-1', 'RISK-2'])
        await t.services.plans.createPriority(actor, {
          themeId: themes[0]!.id,
          code,
          title: `Cites risks ${code}`,
          accountableOfficerId: lee.id,
        });
      await t.services.reports.create(actor, 'RISK-1', { period: '2009-10-h1' });
      const late = await t.services.risks.create(actor, {
        priority: 'RISK-1',
        description: 'Programme not delivered on time',
        likelihood: '4',
        impact: '4',
        ownerId: lee.id,
      });
      const closed = await t.services.risks.create(actor, {
        priority: 'RISK-1',
        description: 'Closed long ago',
        likelihood: '1',
        impact: '1',
        closed: 'on',
      });
      const elsewhere = await t.services.risks.create(actor, {
        priority: 'RISK-2',
        description: 'Another priority’s risk',
        likelihood: '2',
        impact: '2',
      });

      const edit = await get(paths.reports.edit('RISK-1', '2009-10-h1'));
      assert.equal(edit.statusCode, 200);
      assert.ok(hasDataQa(edit.body, 'report-risks'));
      const formText = htmlText(edit.body);
      assert.match(
        formText,
        /Risks from the register .*Programme not delivered on time High \(score 16\), owner Lee Hemsworth/,
      );
      assert.doesNotMatch(formText, /Closed long ago|Another priority’s risk/);
      const version = /name="version" value="(\d+)"/.exec(edit.body)![1]!;

      const refused = await post(paths.reports.edit('RISK-1', '2009-10-h1'), {
        version,
        summary: 'S',
        challenges: 'Free text',
        risks: [elsewhere.id],
      });
      assert.equal(refused.statusCode, 422);
      assert.match(errorSummary(refused.body).join(), /#risks .*register of RISK-2, not this priority/);

      const saved = await post(paths.reports.edit('RISK-1', '2009-10-h1'), {
        version,
        summary: 'S',
        challenges: 'Free text',
        risks: [late.id],
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
      const text = htmlText((await get(paths.reports.show('RISK-1', '2009-10-h1'))).body);
      assert.match(
        text,
        /Challenges\/Risks Free text Programme not delivered on time — High \(16\), owner Lee Hemsworth/,
      );
      assert.match(
        (await get(paths.reports.edit('RISK-1', '2009-10-h1'))).body,
        new RegExp(`value="${late.id}" checked`),
      );

      const api = (await get(paths.api.report('RISK-1', '2009-10-h1'))).json();
      assert.deepEqual(api.citedRisks, [
        { description: 'Programme not delivered on time', ratingLabel: 'High', score: 16, owner: 'Lee Hemsworth' },
      ]);
      const put = await t.app.inject({
        method: 'PATCH',
        url: paths.api.report('RISK-1', '2009-10-h1'),
        payload: { version: api.version, summary: 'S', risks: [late.id, closed.id] },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(
        put.json().citedRisks.map((r: { description: string }) => r.description),
        ['Programme not delivered on time', 'Closed long ago'],
      );
      const bad = await t.app.inject({
        method: 'PATCH',
        url: paths.api.report('RISK-1', '2009-10-h1'),
        payload: { version: put.json().version, risks: ['not-an-id'] },
      });
      assert.equal(bad.statusCode, 422, bad.body);
    });

    it('keeps a milestone form’s rows and names the bad field when a timescale is wrong, saving nothing', async () => {
      const before = await countRows('milestone');
      const version = String(
        (
          await t.services.reports.getBundle(
            systemActor((await t.services.organisations.getHome()).id, 't'),
            'VfM-4d',
            '2009-10-h1',
          )
        ).report.version,
      );
      const res = await post(paths.reports.actions.update('VfM-4d', '2009-10-h1', 1), {
        version,
        description: 'Changed',
        'milestones[0][description]': 'Original collaboration contract terminated',
        'milestones[0][timescale]': 'Novembre 2009',
        intent: 'save',
      });
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), [
        '#milestones-0-timescale The timescale of milestone 1 must be a month like Nov 2009 or a date like 30 November 2009',
      ]);
      assert.match(
        res.body,
        /id="milestones-0-timescale" name="milestones\[0\]\[timescale\]" type="text" value="Novembre 2009"/,
      );
      assert.equal(await countRows('milestone'), before);
      assert.match(htmlText((await get(REPORT)).body), /Contractual arrangements to join the DECATS programme/);
    });

    it('adds a blank milestone row with "Add another milestone" and moves rows without JavaScript', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      const bundle = await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1');
      const [m1, m2] = bundle.report.actions[0]!.milestones;
      const fields = {
        version: String(bundle.report.version),
        description: bundle.report.actions[0]!.description,
        contributors: bundle.report.actions[0]!.contributors.map((c) => `${c.kind}:${c.id}`),
        'milestones[0][id]': m1!.id,
        'milestones[0][description]': m1!.description,
        'milestones[0][timescale]': 'Nov 2009',
        'milestones[1][id]': m2!.id,
        'milestones[1][description]': m2!.description,
        'milestones[1][timescale]': 'Nov 2009',
      };
      const add = await post(paths.reports.actions.update('VfM-4d', '2009-10-h1', 1), {
        ...fields,
        intent: 'add-milestone',
      });
      assert.equal(add.statusCode, 200, 'the form comes back with a blank row; nothing is saved');
      assert.equal((add.body.match(/data-qa="milestone-row"/g) ?? []).length, 3);
      const moved = await post(paths.reports.actions.update('VfM-4d', '2009-10-h1', 1), {
        ...fields,
        intent: 'move-1-up',
      });
      assert.equal(moved.statusCode, 200);
      assert.ok(
        moved.body.indexOf(m2!.description) < moved.body.indexOf(m1!.description),
        'the rows are shown swapped',
      );
      assert.deepEqual(
        (await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1')).report.actions[0]!.milestones.map(
          (m) => m.id,
        ),
        [m1!.id, m2!.id],
        'nothing saved yet',
      );
      const saved = await post(paths.reports.actions.update('VfM-4d', '2009-10-h1', 1), {
        ...fields,
        intent: 'save',
        'milestones[0][id]': m2!.id,
        'milestones[0][description]': m2!.description,
        'milestones[1][id]': m1!.id,
        'milestones[1][description]': m1!.description,
      });
      assert.equal(saved.statusCode, 303);
      const after = await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1');
      assert.deepEqual(
        after.report.actions[0]!.milestones.map((m) => m.id),
        [m2!.id, m1!.id],
      );
    });

    it('leaves nothing behind when a new action’s rows are added and the form is abandoned', async () => {
      const before = await countRows('action');
      const version = String(
        (
          await t.services.reports.getBundle(
            systemActor((await t.services.organisations.getHome()).id, 't'),
            'VfM-4d',
            '2009-10-h1',
          )
        ).report.version,
      );
      const res = await post(paths.reports.actions.create('VfM-4d', '2009-10-h1'), {
        version,
        description: 'Half written',
        'milestones[0][description]': 'x',
        'milestones[0][timescale]': 'Nov 2009',
        intent: 'add-milestone',
      });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Half written/);
      assert.equal(await countRows('action'), before);
    });

    it('refuses a stale form with a 409 and keeps the newer text', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      const { report } = await t.services.reports.getBundle(actor, 'OC-1c', '2009-10-h1');
      await t.services.reports.updateSections(actor, 'OC-1c', '2009-10-h1', {
        summary: 'Newer',
        status: 'green',
        version: report.version,
      });
      const res = await post(paths.reports.edit('OC-1c', '2009-10-h1'), {
        version: String(report.version),
        summary: 'Older',
        status: 'green',
      });
      assert.equal(res.statusCode, 409);
      const text = htmlText(res.body);
      assert.match(text, /Someone else changed this report while you were editing it/);
      assert.match(text, /What is saved now \(changed by someone else\) Status: Green Newer/);
      assert.match(
        res.body,
        /<textarea[^>]*name="summary"[^>]*>\s*Older<\/textarea>/,
        'the person’s own text is kept in the form',
      );
      assert.equal((await t.services.reports.getBundle(actor, 'OC-1c', '2009-10-h1')).report.summary, 'Newer');
      const current = /name="version" value="(\d+)"/.exec(res.body)![1];
      assert.equal(Number(current), report.version + 1, 'the next save builds on what is saved now');
      const again = await post(paths.reports.edit('OC-1c', '2009-10-h1'), {
        version: current,
        summary: 'Older, after reading theirs',
        status: 'green',
      });
      assert.equal(again.statusCode, 303);
    });

    it('asks before removing a status a draft uses, listing the draft, and saves nothing until confirmed', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      const scale = await t.services.organisations.statusScale(actor);
      const fields: Record<string, string> = { intent: 'save' };
      scale
        .filter((x) => x.key !== 'red')
        .forEach((x, i) => {
          Object.assign(fields, {
            [`statuses[${i}][id]`]: x.id,
            [`statuses[${i}][label]`]: x.label,
            [`statuses[${i}][key]`]: x.key,
            [`statuses[${i}][colour]`]: x.colour,
            [`statuses[${i}][shape]`]: x.shape,
          });
        });
      const res = await post(paths.statusScale.edit, fields);
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(text, /Check the change to the status scale/);
      assert.match(text, /Red is removed/);
      assert.match(
        text,
        /OP-2b 2009\/10 H1 report 2009\/10 H1 Draft Red Not assessed/,
        'the demo’s Red draft is listed',
      );
      assert.match(text, /Published reports are not affected/);
      assert.deepEqual(await t.services.organisations.statusScale(actor), scale, 'nothing is saved');
    });

    it('changes a plan, a theme, a partner and a period through their forms', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      const [plan] = await t.services.plans.listPlans(actor);
      const theme = (await t.services.plans.listThemes(actor)).find((x) => x.title === 'Our Customers')!;
      const partner = (await t.services.organisations.listPartners(actor)).find((o) => o.name === 'PwC')!;
      for (const [url, fields] of [
        [
          paths.plans.edit(plan!.id),
          {
            title: 'Council Business Plan 2008–11 (revised)',
            firstYear: '2008',
            lastYear: '2010',
            version: String(plan!.version),
          },
        ],
        [paths.plans.editTheme(theme.id), { title: 'Our Customers and Communities', version: String(theme.version) }],
        [paths.organisations.edit(partner.id), { name: 'PricewaterhouseCoopers', kind: 'private' }],
        [paths.periods.edit('2009-10-h2'), { dueOn: '30/04/2010' }],
      ] as const) {
        const res = await post(url, fields);
        assert.equal(res.statusCode, 303, `${url}: ${res.body.slice(0, 200)}`);
      }
      assert.match(
        htmlText((await get(paths.plans.list)).body),
        /Council Business Plan 2008–11 \(revised\)[\s\S]*Our Customers and Communities/,
      );
      assert.match(
        htmlText((await get(paths.periods.list)).body),
        /2009\/10 H2 2009-10-h2 1st October 2009 – 31st March 2010 30 April 2010/,
      );
      const removed = await post(paths.plans.deleteTheme(theme.id), {});
      assert.equal(removed.statusCode, 409, 'a theme with priorities stays');
      assert.match(htmlText(removed.body), /cannot be removed: it has 1 priority/);
    });

    it('follows up the H1 milestones from the H2 report and records their progress through a form', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      await t.services.reports.create(actor, 'VfM-4d', { period: '2009-10-h2' });
      const page = await get(paths.reports.show('VfM-4d', '2009-10-h2'));
      assert.match(
        htmlText(page.body),
        /Progress against the key actions set in the 2009\/10 H1 report 1\. Contractual arrangements/,
      );
      const m = (await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1')).report.actions[0]!.milestones[0]!;
      const formUrl = `${paths.reports.milestoneProgress('VfM-4d', '2009-10-h1', m.id)}?from=2009-10-h2`;
      assert.ok(page.body.includes(formUrl.replace(/&/g, '&amp;')), 'the report links to the progress form');
      assert.equal((await get(formUrl)).statusCode, 200);
      const bad = await post(formUrl, { progress: 'slipped', revised: 'whenever', reason: '' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(errorSummary(bad.body), [
        '#revised The revised timescale must be a month like Jan 2010 or a date like 31 January 2010',
        '#reason Explain why the milestone slipped',
      ]);
      const ok = await post(formUrl, { progress: 'met', metOn: '20 November 2009', reason: 'Signed by both parties' });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, `${paths.reports.show('VfM-4d', '2009-10-h2')}?saved=progress`);
      assert.ok(
        htmlText((await get(paths.reports.show('VfM-4d', '2009-10-h2'))).body).includes(
          `✔ Met ${m.description} – Met on 20 November 2009 (due Nov 2009). Signed by both parties`,
        ),
      );
    });

    it('sends security headers and a CSP without inline script', async () => {
      const res = await get(paths.priorities.list);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /script-src 'self' 'nonce-[^']+'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      for (const m of res.body.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g))
        assert.match(m[1]!, new RegExp(`nonce="${nonce}"`));
    });

    describe('JSON API', () => {
      it('describes itself with an OpenAPI 3.1 document listing every operation', async () => {
        const doc = (await get(paths.api.openapi)).json();
        assert.equal(doc.openapi, '3.1.0');
        assert.ok(
          doc.paths['/api/priorities/{code}/reports/{period}'].put.requestBody.content['application/json'].schema
            .properties.summary,
        );
        assert.ok(doc.paths['/api/priorities/{code}/reports/{period}/actions'].post);
        assert.ok(doc.paths['/api/reporting-periods'].post);
      });

      it('answers bad input with a problem document naming each field, and changes nothing', async () => {
        const before = await countRows('priority');
        const res = await t.app.inject({ method: 'POST', url: paths.api.priorities, payload: { code: 7, title: '' } });
        assert.equal(res.statusCode, 422);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        const body = res.json();
        assert.equal(body.code, 'VALIDATION_FAILED');
        assert.deepEqual(
          body.errors.map((e: { field: string }) => e.field),
          ['themeId', 'code', 'title'],
        );
        assert.equal(await countRows('priority'), before);
      });

      it('answers malformed JSON and unknown things with problem documents', async () => {
        const bad = await t.app.inject({
          method: 'POST',
          url: paths.api.priorities,
          payload: '{"code":',
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().status, 400);
        const missing = await get(paths.api.report('VfM-4d', '2031-32-h1'));
        assert.equal(missing.statusCode, 404);
        assert.equal(missing.json().code, 'PERIOD_NOT_FOUND');
      });

      it('writes a report through the API with the same rules as the forms', async () => {
        const report = (await get(paths.api.report('OP-2b', '2009-10-h1'))).json();
        const whole = {
          summary: 'From a script',
          status: 'red',
          statusReason: 'Still off target',
          achievements: ['One', 'Two'],
          challenges: ['Three'],
          risks: [],
        };
        const res = await t.app.inject({
          method: 'PUT',
          url: paths.api.report('OP-2b', '2009-10-h1'),
          payload: { version: report.version, ...whole },
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json().achievements, ['One', 'Two']);
        const stale = await t.app.inject({
          method: 'PUT',
          url: paths.api.report('OP-2b', '2009-10-h1'),
          payload: { version: report.version, ...whole, summary: 'stale' },
        });
        assert.equal(stale.statusCode, 409);
        const action = await t.app.inject({
          method: 'POST',
          url: paths.api.actions('OP-2b', '2009-10-h1'),
          payload: {
            version: res.json().version,
            description: 'Via API',
            milestones: [{ description: 'M', timescale: 'Feb 2010' }],
          },
        });
        assert.equal(action.statusCode, 201, action.body);
        assert.deepEqual(action.json().actions.at(-1).milestones[0].timescale, 'Feb 2010');
      });

      it('refuses a write without the version it started from, and a PUT that leaves out a field (422, nothing changed)', async () => {
        const url = paths.api.report('OP-2b', '2009-10-h1');
        const before = (await get(url)).json();
        const noVersion = await t.app.inject({
          method: 'PUT',
          url,
          payload: { summary: 'blind', status: 'red', statusReason: 'x', achievements: [], challenges: [], risks: [] },
        });
        assert.equal(noVersion.statusCode, 422, noVersion.body);
        assert.deepEqual(
          noVersion.json().errors.map((e: { field: string }) => e.field),
          ['version'],
        );
        const partial = await t.app.inject({
          method: 'PUT',
          url,
          payload: { version: before.version, summary: 'only the summary' },
        });
        assert.equal(partial.statusCode, 422, partial.body);
        assert.deepEqual(
          partial
            .json()
            .errors.map((e: { field: string }) => e.field)
            .sort(),
          ['achievements', 'challenges', 'risks', 'status', 'statusReason'],
        );
        for (const [method, target] of [
          ['POST', paths.api.actions('OP-2b', '2009-10-h1')],
          ['DELETE', paths.api.action('OP-2b', '2009-10-h1', 1)],
          ['POST', paths.api.submit('OP-2b', '2009-10-h1')],
        ] as const) {
          const refused = await t.app.inject({ method, url: target, payload: { description: 'x' } });
          assert.equal(refused.statusCode, 422, `${method} ${target}: ${refused.body}`);
        }
        const after = (await get(url)).json();
        assert.deepEqual(
          [after.version, after.summary, after.status?.key, after.actions.length],
          [before.version, before.summary, before.status?.key, before.actions.length],
          'nothing changed',
        );
      });

      it('changes only what a PATCH sends: the other sections stay as they are', async () => {
        const url = paths.api.report('OP-2b', '2009-10-h1');
        const before = (await get(url)).json();
        const res = await t.app.inject({
          method: 'PATCH',
          url,
          payload: { version: before.version, summary: 'Patched summary' },
        });
        assert.equal(res.statusCode, 200, res.body);
        const after = res.json();
        assert.deepEqual(after.summary, ['Patched summary']);
        assert.deepEqual(
          [after.status?.key, after.statusReason, after.achievements, after.challenges, after.version],
          [before.status?.key, before.statusReason, before.achievements, before.challenges, before.version + 1],
        );
        const stale = await t.app.inject({ method: 'PATCH', url, payload: { version: before.version, summary: 'x' } });
        assert.equal(stale.statusCode, 409, 'a PATCH from an older version is refused like any other write');
      });
    });
  });
}
