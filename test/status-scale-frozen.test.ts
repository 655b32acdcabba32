// Published means frozen (issue 13): changing the status scale — retyping its rows top to bottom,
// reordering, renaming, replacing keys, deleting a status — leaves every output of a published
// report byte for byte as it was signed off (page text, JSON, HTML, PDF text, DOCX text, a
// viewer's board pack), whoever reads it. A change that would alter an unpublished report's
// status is shown on a confirmation page listing those reports, and nothing is saved until it is
// confirmed. A revision stored in the old format (the page's view model) still renders.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, openTestDatabase } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { decodeEntities, errorSummary, htmlText } from './helpers/html.ts';
import { insertPriority } from './builders/index.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import type { Status } from '../src/domain/status-scale.ts';
import { docxText, pdfText } from '../src/render/text-extract.test-helper.ts';
import { presentReport } from '../src/modules/reports/report.presenter.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';
/** A priority of the test's own whose 2009/10 H1 report is a draft, Amber. */
const DRAFT = 'SCALE-1';
/** Another, without a status until a test gives it one. */
const SECOND = 'SCALE-2';

interface Row {
  id: string;
  label: string;
  key: string;
  colour: string;
  shape: string;
  description: string;
  commentRequired: boolean;
}

for (const engine of ENGINES) {
  describe(`a published report keeps the status it was signed off with [${engine}]`, () => {
    let t: TestApp;
    let system: Actor;
    let viewer: TestSession;
    /** Every output of the published VfM-4d 2009/10 H1 report, before the scale changes. */
    let signedOff: Record<string, string>;

    const get = (url: string, s?: TestSession) => t.app.inject({ url, ...(s ? { headers: s.headers } : {}) });
    const post = (url: string, fields: Record<string, string | string[]>) => {
      const f = form(fields);
      return t.app.inject({ method: 'POST', url, payload: f.payload, headers: f.headers });
    };

    /** The scale as the settings form shows it: one row per status, in order, each carrying its id. */
    const formRows = async (): Promise<Row[]> =>
      (await t.services.organisations.statusScale(system)).map((s: Status) => ({
        id: s.id,
        label: s.label,
        key: s.key,
        colour: s.colour,
        shape: s.shape,
        description: s.description,
        commentRequired: s.commentRequired,
      }));
    const fieldsOf = (rows: Partial<Row>[]): Record<string, string> => {
      const fields: Record<string, string> = {};
      rows.forEach((r, i) => {
        fields[`statuses[${i}][id]`] = r.id ?? '';
        fields[`statuses[${i}][label]`] = r.label ?? '';
        fields[`statuses[${i}][key]`] = r.key ?? '';
        fields[`statuses[${i}][colour]`] = r.colour ?? '#505a5f';
        fields[`statuses[${i}][shape]`] = r.shape ?? 'square';
        fields[`statuses[${i}][description]`] = r.description ?? '';
        if (r.commentRequired) fields[`statuses[${i}][commentRequired]`] = 'yes';
      });
      return fields;
    };
    /** "Save status scale" on the settings page with these rows. */
    const saveScale = (rows: Partial<Row>[]) => post(paths.statusScale.edit, { intent: 'save', ...fieldsOf(rows) });
    /** "Save status scale" on the confirmation page: its form's hidden fields, as the browser sends them. */
    const confirm = (confirmation: string) => {
      const formHtml = /data-qa="status-scale-confirm-form"[\s\S]*?<\/form>/.exec(confirmation)?.[0] ?? '';
      const fields: Record<string, string[]> = {};
      for (const m of formHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
        (fields[decodeEntities(m[1]!)] ??= []).push(decodeEntities(m[2]!));
      assert.ok(fields.confirm, 'the confirmation page carries the confirmation');
      return post(paths.statusScale.edit, { ...fields, intent: 'save' });
    };
    /** Saves through the confirmation page every change is shown on first; the redirect after saving. */
    const saveConfirmed = async (rows: Partial<Row>[], extra: Record<string, string> = {}) => {
      const shown = await post(paths.statusScale.edit, { intent: 'save', ...fieldsOf(rows), ...extra });
      assert.equal(shown.statusCode, 200, shown.body.slice(0, 500));
      assert.match(htmlText(shown.body), /Check the change to the status scale/);
      return { shown, saved: await confirm(shown.body) };
    };
    const draftStatus = async (period = PERIOD) => {
      const bundle = await t.services.reports.getBundle(system, DRAFT, period);
      return bundle.statuses.find((s) => s.id === bundle.report.statusId)?.label ?? 'Not assessed';
    };

    /** What readers get of the published report: pages, downloads, a viewer's board pack. */
    async function outputs(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      const text = async (name: string, url: string, s?: TestSession) => {
        const res = await get(url, s);
        assert.equal(res.statusCode, 200, `${name}: ${res.body.slice(0, 300)}`);
        const type = String(res.headers['content-type'] ?? '');
        out[name] = type.startsWith('application/pdf')
          ? await pdfText(res.rawPayload)
          : type.includes('wordprocessingml')
            ? await docxText(res.rawPayload)
            : type.includes('text/html') && name.includes('page')
              ? htmlText(res.body)
              : res.body;
      };
      await text('report page (administrator)', paths.reports.show(CODE, PERIOD));
      await text('report page (viewer)', paths.reports.show(CODE, PERIOD), viewer);
      await text('revision page', paths.reports.revision(CODE, PERIOD, 1));
      await text('revisions page', paths.reports.revisions(CODE, PERIOD));
      for (const format of ['json', 'html', 'pdf', 'docx'] as const)
        await text(`${format} download`, paths.reports.download(CODE, PERIOD, format));
      await text('json download (viewer)', paths.reports.download(CODE, PERIOD, 'json'), viewer);
      await text('board pack (viewer)', paths.boardPack.download('pdf', PERIOD), viewer);
      return out;
    }
    const assertUnchanged = async (step: string) => {
      const now = await outputs();
      for (const [name, text] of Object.entries(signedOff)) assert.equal(now[name], text, `${step}: ${name} changed`);
    };

    before(async () => {
      t = await buildTestApp(engine);
      system = systemActor((await t.services.organisations.getHome()).id, 'test');
      viewer = await t.signIn(['viewer']);
      const bundle = await t.services.reports.getBundle(system, CODE, PERIOD);
      assert.equal(bundle.report.state, 'published');
      await insertPriority(t.services, system, { themeId: bundle.priority.themeId, code: DRAFT });
      await t.services.reports.create(system, DRAFT, { period: PERIOD });
      await t.services.reports.updateSections(system, DRAFT, PERIOD, {
        summary: 'Being written',
        status: 'amber',
        statusReason: 'Behind on procurement',
      });
      await insertPriority(t.services, system, { themeId: bundle.priority.themeId, code: SECOND });
      await t.services.reports.create(system, SECOND, { period: PERIOD });
      signedOff = await outputs();
      assert.match(signedOff['pdf download']!, /Status: Amber\s+Some delay or risk; recoverable/);
      assert.match(signedOff['docx download']!, /Status: ▲ Amber – Some delay or risk; recoverable/);
      assert.match(signedOff['report page (administrator)']!, /Status Amber/);
    });
    after(async () => t?.close());

    it('keeps every status and its reports when the rows are retyped top to bottom with a new status above', async () => {
      const [green, amber, red] = await formRows();
      // The council's own scale typed into the form from the top, as a new user does: each row's
      // hidden id is still the status first shown there.
      const { shown, saved: res } = await saveConfirmed([
        { ...green!, label: 'Blue', key: 'blue', colour: '#1d70b8', shape: 'star', description: 'Completed' },
        { ...amber!, label: 'Green', key: 'green', colour: green!.colour, shape: 'circle', description: 'On track' },
        {
          ...red!,
          label: 'Amber',
          key: 'amber',
          colour: amber!.colour,
          shape: 'triangle',
          description: amber!.description,
        },
        { label: 'Red', key: 'red', colour: red!.colour, shape: 'diamond', description: red!.description },
      ]);
      // No unpublished report changes status, but the change is shown, status by status, first.
      const diff = htmlText(/data-qa="scale-diff"[\s\S]*?<\/table>/.exec(shown.body)?.[0] ?? '');
      assert.match(diff, /Blue is added/);
      // Rows are statuses by key: the row typed "Green" is Green, with the comment rule of the row it was typed in.
      assert.match(diff, /A report with Green must say why/);
      assert.doesNotMatch(diff, /renamed/);
      assert.match(htmlText(shown.body), /No unpublished report of 2009\/10 H1 or later changes status/);
      assert.equal(res.statusCode, 303, res.body.slice(0, 500));
      assert.equal(res.headers.location, `${paths.statusScale.edit}?saved=1`);
      assert.match(htmlText((await get(String(res.headers.location))).body), /The status scale has been saved/);
      const scale = await t.services.organisations.statusScale(system);
      assert.deepEqual(
        scale.map((s) => [s.key, s.label]),
        [
          ['blue', 'Blue'],
          ['green', 'Green'],
          ['amber', 'Amber'],
          ['red', 'Red'],
        ],
      );
      assert.equal(await draftStatus(), 'Amber', 'Amber is still the status the draft has');
      await assertUnchanged('retyped');
    });

    it('keeps them when the rows are reordered', async () => {
      const rows = await formRows();
      const { shown, saved: res } = await saveConfirmed([...rows].reverse());
      assert.match(htmlText(shown.body), /The order changes from Blue, Green, Amber, Red to Red, Amber, Green, Blue/);
      assert.equal(res.statusCode, 303, res.body.slice(0, 500));
      assert.deepEqual(
        (await t.services.organisations.statusScale(system)).map((s) => s.key),
        ['red', 'amber', 'green', 'blue'],
      );
      assert.equal(await draftStatus(), 'Amber');
      await assertUnchanged('reordered');
    });

    it('asks before renaming a status a draft uses, lists the draft, and saves nothing until confirmed', async () => {
      const before = await t.services.organisations.statusScale(system);
      const rows = (await formRows()).map((r) => (r.key === 'amber' ? { ...r, label: 'Behind schedule' } : r));
      const res = await saveScale(rows);
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(text, /Check the change to the status scale/);
      assert.match(text, /Amber is renamed Behind schedule/);
      const listed = /data-qa="affected-reports"[\s\S]*?<\/table>/.exec(res.body)?.[0] ?? '';
      assert.match(htmlText(listed), new RegExp(`${DRAFT} 2009/10 H1 report 2009/10 H1 Draft Amber Behind schedule`));
      assert.doesNotMatch(htmlText(listed), new RegExp(`${CODE}\\b`), 'published reports are not listed');
      assert.match(text, /Published reports are not affected/);

      // Saving the form again without confirming shows the confirmation again and changes nothing.
      const again = await saveScale(rows);
      assert.equal(again.statusCode, 200);
      assert.match(htmlText(again.body), /Check the change to the status scale/);
      assert.deepEqual(await t.services.organisations.statusScale(system), before);
      assert.equal(await draftStatus(), 'Amber');
      // "Go back and change the scale" shows the form with the change, still not saved.
      const back = await post(paths.statusScale.edit, { intent: 'review', ...fieldsOf(rows) });
      assert.match(htmlText(back.body), /Your changes are not saved yet/);
      assert.match(back.body, /value="Behind schedule"/);
      assert.deepEqual(await t.services.organisations.statusScale(system), before);

      const saved = await confirm(res.body);
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
      assert.equal(await draftStatus(), 'Behind schedule', 'the draft shows the renamed status');
      // Its history says what it was given then.
      const history = htmlText((await get(paths.history.report(DRAFT, PERIOD))).body);
      assert.match(history, /Status Not assessed Amber/);
      assert.doesNotMatch(history, /Behind schedule/);
      await assertUnchanged('renamed');
    });

    it('asks again when another unpublished report starts using a changed status before it is confirmed', async () => {
      const rows = (await formRows()).map((r) => (r.key === 'green' ? { ...r, label: 'On track' } : r));
      const shown = await saveScale(rows.map((r) => (r.key === 'amber' ? { ...r, label: 'Late' } : r)));
      assert.equal(shown.statusCode, 200);
      // While the officer reads the confirmation, another draft is given Green, which it renames.
      await t.services.reports.updateSections(system, SECOND, PERIOD, {
        summary: 'Started',
        status: 'green',
        statusReason: 'Going well',
      });
      const before = await t.services.organisations.statusScale(system);
      const res = await confirm(shown.body);
      assert.equal(res.statusCode, 200, 'shown for confirmation again');
      const listed = htmlText(/data-qa="affected-reports"[\s\S]*?<\/table>/.exec(res.body)?.[0] ?? '');
      assert.match(listed, new RegExp(`${DRAFT} .*${SECOND} 2009/10 H1 report 2009/10 H1 Draft Green On track`));
      assert.deepEqual(await t.services.organisations.statusScale(system), before);
      await t.services.reports.updateSections(system, SECOND, PERIOD, { summary: 'Started', status: '' });
    });

    it('keeps reports on their statuses when every key is replaced, after confirmation', async () => {
      const keys: Record<string, string> = { red: 'off-track', amber: 'behind', green: 'on-track', blue: 'done' };
      const rows = (await formRows()).map((r) => ({ ...r, key: keys[r.key]! }));
      const res = await saveScale(rows);
      assert.equal(res.statusCode, 200);
      assert.match(htmlText(res.body), /Behind schedule’s key changes from amber to behind; the reports below keep it/);
      const saved = await confirm(res.body);
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
      assert.deepEqual(
        (await t.services.organisations.statusScale(system)).map((s) => s.key),
        ['off-track', 'behind', 'on-track', 'done'],
      );
      assert.equal(await draftStatus(), 'Behind schedule');
      await assertUnchanged('keys replaced');
    });

    it('deletes a status a draft uses only after confirmation, leaving the draft without one', async () => {
      const rows = (await formRows()).filter((r) => r.key !== 'behind');
      const res = await saveScale(rows);
      assert.equal(res.statusCode, 200);
      assert.match(htmlText(res.body), /Behind schedule is removed/);
      assert.match(
        htmlText(/data-qa="affected-reports"[\s\S]*?<\/table>/.exec(res.body)?.[0] ?? ''),
        /SCALE-1 2009\/10 H1 report 2009\/10 H1 Draft Behind schedule Not assessed/,
      );
      const saved = await confirm(res.body);
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
      assert.equal((await t.services.organisations.statusScale(system)).length, 3);
      assert.equal(await draftStatus(), 'Not assessed');
      await assertUnchanged('deleted');
    });

    it('shows the published status, as signed off, in the priority list, the dashboard and a board pack', async () => {
      // No status on the scale is called Amber any more: every Amber below is a frozen one.
      assert.ok(!(await t.services.organisations.statusScale(system)).some((s) => s.label === 'Amber'));
      const list = await get(paths.priorities.list);
      const row = new RegExp(`data-code="${CODE}"[\\s\\S]*?</tr>`).exec(list.body)?.[0] ?? '';
      assert.match(htmlText(row), /Amber/);
      const dashboard = htmlText((await get(`${paths.dashboard}?period=${PERIOD}`)).body);
      assert.match(dashboard, /Amber \(no longer on the scale\)/);
      const pack = await get(paths.boardPack.download('pdf', PERIOD));
      assert.equal(pack.statusCode, 200);
      assert.match(await pdfText(pack.rawPayload), /Status: Amber\s+Some delay or risk; recoverable/);
      const priority = htmlText((await get(paths.priorities.show(CODE))).body);
      assert.match(priority, /2009\/10 H1[^]*?Amber/);
    });

    it('refuses bad input naming the row and field, and changes nothing', async () => {
      const before = await t.services.organisations.statusScale(system);
      const rows = await formRows();
      const res = await saveScale([{ ...rows[0]!, label: '' }, { ...rows[1]!, colour: 'orange' }, rows[2]!]);
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), [
        '#statuses-0-label Status 1: enter a label',
        '#statuses-1-colour Status 2: colour must be a hex colour like #f47738',
      ]);
      const duplicate = await saveScale([rows[0]!, { ...rows[1]!, key: rows[0]!.key }, rows[2]!]);
      assert.equal(duplicate.statusCode, 422);
      assert.match(errorSummary(duplicate.body).join(), /Status 2 has the same key as status 1/);
      assert.deepEqual(await t.services.organisations.statusScale(system), before);
    });

    it('refuses an unconfirmed change through the API, naming the reports it changes', async () => {
      await t.services.reports.updateSections(system, DRAFT, PERIOD, { summary: 'Being written', status: 'done' });
      const statuses = (await formRows()).map((r) => (r.key === 'done' ? { ...r, label: 'Finished' } : r));
      // A PUT sends the whole change: the period it is used from too (null: the earliest with an unpublished report).
      const partial = await t.app.inject({ method: 'PUT', url: paths.api.statusScale, payload: { statuses } });
      assert.equal(partial.statusCode, 422, partial.body);
      assert.match(partial.body, /inUseFrom/);
      const res = await t.app.inject({
        method: 'PUT',
        url: paths.api.statusScale,
        payload: { statuses, inUseFrom: null },
      });
      assert.equal(res.statusCode, 409, res.body);
      const problem = res.json<{ code: string; detail: string }>();
      assert.equal(problem.code, 'STATUS_SCALE_CHANGE_UNCONFIRMED');
      assert.match(problem.detail, /SCALE-1 2009\/10 H1 \(draft: Blue becomes Finished\)/);
      assert.equal(await draftStatus(), 'Blue');
      const ok = await t.app.inject({
        method: 'PUT',
        url: paths.api.statusScale,
        payload: { statuses, confirm: true, inUseFrom: null },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(await draftStatus(), 'Finished');
      await assertUnchanged('renamed through the API');
    });

    it('uses a change from the chosen period on: reports of earlier periods, drafts too, keep their statuses', async () => {
      const H2 = '2009-10-h2';
      const h1 = await t.services.periods.getByKey(system, PERIOD);
      const h2 = await t.services.periods.getByKey(system, H2);
      // The H1 draft is Finished; a draft of H2 is too, and the second priority has a Red-like
      // status in both halves.
      const [worst] = (await formRows()).filter((r) => r.key !== 'done');
      await t.services.reports.create(system, DRAFT, { period: H2 });
      await t.services.reports.updateSections(system, DRAFT, H2, { summary: 'Next half', status: 'done' });
      await t.services.reports.create(system, SECOND, { period: H2 });
      for (const period of [PERIOD, H2])
        await t.services.reports.updateSections(system, SECOND, period, {
          summary: 'Stuck',
          status: worst!.key,
          statusReason: 'Waiting for the partner',
        });

      // Finished is renamed Closed from 2009/10 H2 on: only the H2 draft is listed.
      const renamed = (await formRows()).map((r) => (r.key === 'done' ? { ...r, label: 'Closed' } : r));
      const { shown, saved } = await saveConfirmed(renamed, { inUseFrom: H2 });
      assert.match(
        htmlText(shown.body),
        /The changed scale is used from 2009\/10 H2 on: reports of earlier periods keep the scale as it is now/,
      );
      assert.match(
        htmlText(/data-qa="scale-diff"[\s\S]*?<\/table>/.exec(shown.body)?.[0] ?? ''),
        /Finished is renamed Closed/,
      );
      const listed = htmlText(/data-qa="affected-reports"[\s\S]*?<\/table>/.exec(shown.body)?.[0] ?? '');
      assert.match(listed, /SCALE-1 2009\/10 H2 report 2009\/10 H2 Draft Finished Closed/);
      assert.doesNotMatch(listed, /2009\/10 H1/, 'reports of earlier periods are not affected');
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
      assert.equal(await draftStatus(PERIOD), 'Finished', 'the H1 draft keeps its status as it was');
      assert.equal(await draftStatus(H2), 'Closed');
      assert.match(htmlText((await get(paths.reports.show(DRAFT, PERIOD))).body), /Status Finished/);
      assert.match(htmlText((await get(paths.reports.show(DRAFT, H2))).body), /Status Closed/);
      assert.ok((await t.services.organisations.statusScale(system, h1)).some((x) => x.label === 'Finished'));
      assert.ok((await t.services.organisations.statusScale(system, h2)).some((x) => x.label === 'Closed'));
      // The H1 draft can still be given its period's statuses, by key.
      await t.services.reports.updateSections(system, DRAFT, PERIOD, { summary: 'Being written', status: 'done' });
      assert.equal(await draftStatus(PERIOD), 'Finished');

      // Removing a status from H2 on leaves the H2 report without one, and the H1 report with it.
      const removed = (await formRows()).filter((r) => r.key !== worst!.key);
      const second = await saveConfirmed(removed, { inUseFrom: H2 });
      assert.match(htmlText(second.shown.body), /The changed scale replaces the one used from 2009\/10 H2 on/);
      const listedRemoved = htmlText(/data-qa="affected-reports"[\s\S]*?<\/table>/.exec(second.shown.body)?.[0] ?? '');
      assert.match(
        listedRemoved,
        new RegExp(`SCALE-2 2009/10 H2 report 2009/10 H2 Draft ${worst!.label} Not assessed`),
      );
      assert.doesNotMatch(listedRemoved, /2009\/10 H1/);
      assert.equal(second.saved.statusCode, 303, second.saved.body.slice(0, 500));
      const statusOf = async (period: string) => {
        const bundle = await t.services.reports.getBundle(system, SECOND, period);
        return bundle.statuses.find((x) => x.id === bundle.report.statusId)?.label ?? 'Not assessed';
      };
      assert.equal(await statusOf(PERIOD), worst!.label);
      assert.equal(await statusOf(H2), 'Not assessed');

      // The page lists the versions, and the API gives each period's.
      const page = htmlText((await get(paths.statusScale.edit)).body);
      assert.match(page, /2009\/10 H2 onwards In use now/);
      assert.match(page, /until before 2009\/10 H2/);
      const versions = (await get(paths.api.statusScaleVersions)).json<
        { inUseFrom: { key: string } | null; statuses: { label: string }[] }[]
      >();
      assert.equal(versions.at(-1)!.inUseFrom?.key, H2);
      assert.ok(versions.at(-2)!.statuses.some((x) => x.label === 'Finished'));
      const ofH1 = (await get(`${paths.api.statusScale}?period=${PERIOD}`)).json<{ label: string }[]>();
      assert.ok(ofH1.some((x) => x.label === 'Finished') && !ofH1.some((x) => x.label === 'Closed'));
      await assertUnchanged('changed from a later period');

      // An organisation file carries the versions: imported elsewhere, each report keeps its period's status.
      const exported = await t.services.transfer.exportOrganisation(system.organisationId);
      assert.ok(exported.statuses.some((x) => x.inUseFrom === h2.startsOn));
      const other = await openTestDatabase(engine);
      try {
        await other.services.transfer.importOrganisation(JSON.parse(JSON.stringify(exported)), { actorLabel: 'test' });
        const there = systemActor(system.organisationId, 'test');
        assert.deepEqual(
          await other.services.organisations.statusScaleVersions(there),
          await t.services.organisations.statusScaleVersions(system),
        );
        for (const [code, period, label] of [
          [DRAFT, PERIOD, 'Finished'],
          [DRAFT, H2, 'Closed'],
          [SECOND, PERIOD, worst!.label],
          [SECOND, H2, undefined],
        ] as const) {
          const bundle = await other.services.reports.getBundle(there, code, period);
          assert.equal(bundle.statuses.find((x) => x.id === bundle.report.statusId)?.label, label, `${code} ${period}`);
        }
      } finally {
        await other.close();
      }
    });

    it('refuses a period that does not exist, or one before the scale in use now started, naming the field', async () => {
      const versions = await t.services.organisations.statusScaleVersions(system);
      const rows = (await formRows()).map((r, i) => (i === 0 ? { ...r, label: 'Top' } : r));
      for (const [inUseFrom, message] of [
        ['2030-31-h1', /#inUseFrom There is no reporting period 2030\/31 H1/],
        ['not a period', /#inUseFrom The period the change is used from: "not a period" is not a reporting period/],
        [PERIOD, /#inUseFrom The scale in use now has been used from 2009\/10 H2: .* not from 2009\/10 H1/],
      ] as const) {
        const res = await post(paths.statusScale.edit, { intent: 'save', ...fieldsOf(rows), inUseFrom });
        assert.equal(res.statusCode, 422, res.body.slice(0, 300));
        assert.match(errorSummary(res.body).join('\n'), message);
        const api = await t.app.inject({
          method: 'PUT',
          url: paths.api.statusScale,
          payload: { statuses: rows, inUseFrom, confirm: true },
        });
        assert.equal(api.statusCode, 422, api.body);
        assert.equal(api.json<{ errors: { field: string }[] }>().errors[0]!.field, 'inUseFrom');
      }
      assert.deepEqual(await t.services.organisations.statusScaleVersions(system), versions, 'nothing changed');
    });

    it('still renders a revision stored in the old format (the page’s view model) with its status', async () => {
      const readable = await t.services.reports.readable(system, CODE, PERIOD, { publishedOnly: true });
      const legacy = presentReport(readable.snapshot);
      await sql`update report_revision set format = 1, content = ${JSON.stringify(legacy)}::jsonb
        where number = 1 and report_id = (select r.id from progress_report r
          join priority p on p.id = r.priority_id join reporting_period pe on pe.id = r.period_id
          where p.code = ${CODE} and pe.key = ${PERIOD})`.execute(t.db);
      for (const s of [undefined, viewer]) {
        const page = await get(paths.reports.show(CODE, PERIOD), s);
        assert.equal(page.statusCode, 200);
        assert.match(htmlText(page.body), /Status Amber/);
      }
      const pdf = await get(paths.reports.download(CODE, PERIOD, 'pdf'));
      assert.match(await pdfText(pdf.rawPayload), /Status: Amber\s+Some delay or risk; recoverable/);
      const docx = await get(paths.reports.download(CODE, PERIOD, 'docx'));
      assert.match(await docxText(docx.rawPayload), /Status: ▲ Amber – Some delay or risk; recoverable/);
      const json = (await get(paths.reports.download(CODE, PERIOD, 'json'))).json<{
        status: { label: string; colour: string; shape: string; description: string };
      }>();
      assert.deepEqual(
        [json.status.label, json.status.colour, json.status.shape, json.status.description],
        ['Amber', '#f47738', 'triangle', 'Some delay or risk; recoverable'],
      );
    });
  });
}
