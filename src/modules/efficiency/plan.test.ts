// Changing and removing the implementation plan and the savings ledger through the web app, on
// PGlite and PostgreSQL (issue 12): projects and milestones are changed and deleted with a version
// check and an audit event each, deletes are confirmed on a page that says what goes with them,
// a milestone's link to a key action can be removed or changed without ever deleting what it wrote
// in a report, a project that starts before one it depends on ends is warned about (issue 13),
// unverified savings can be deleted and verified ones cannot, and only editors may do any of it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from '../../../test/helpers/database.ts';
import { buildTestApp, form, type TestApp } from '../../../test/helpers/app.ts';
import { htmlText, errorSummary } from '../../../test/helpers/html.ts';
import { fingerprint } from '../../../test/helpers/fingerprint.ts';
import { paths } from '../../paths.ts';
import { systemActor, type Actor } from '../../domain/actor.ts';

const P = paths.efficiency;

for (const engine of ENGINES) {
  describe(`changing the implementation plan and the savings ledger [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let ex: string;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      ex = (await t.services.diagnostics.listExercises(actor))[0]!.id;
    });
    after(async () => t?.close());
    const get = (url: string) => t.app.inject({ url });
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });
    const audits = async (entity: string, action: string) =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from audit_event where entity = ${entity} and action = ${action}`.execute(t.db)
        ).rows[0]!.n,
      );
    const plan = () => t.services.efficiency.plan(actor, ex);
    const project = async (name: string) => (await plan()).projects.find((p) => p.name === name)!;
    const projectFields = (p: Awaited<ReturnType<typeof project>>, change: Record<string, string | string[]> = {}) => ({
      caseId: p.caseId,
      name: p.name,
      ownerId: p.ownerId ?? '',
      startsOn: p.startsOn,
      endsOn: p.endsOn,
      dependsOn: p.dependsOn,
      version: String(p.version),
      ...change,
    });

    it('shows every page that changes or removes something with no value left unset', async () => {
      const { projects } = await plan();
      const milestone = projects.flatMap((p) => p.milestones)[0]!;
      const { entries } = await t.services.efficiency.savings(actor, ex);
      const { agreements } = await t.services.efficiency.gainShare(actor, ex);
      const urls = [
        P.editProject(ex, projects[0]!.id),
        P.deleteProject(ex, projects[0]!.id),
        P.editMilestone(ex, milestone.id),
        P.deleteMilestone(ex, milestone.id),
        ...entries.map((e) => P.deleteSaving(ex, e.id)),
        P.newAgreement(ex),
        P.newAgreement(ex, 'A'),
        P.editAgreement(ex, agreements[0]!.agreement.id),
        `${P.editAgreement(ex, agreements[0]!.agreement.id)}?preset=A`,
        P.deleteAgreement(ex, agreements[0]!.agreement.id),
      ];
      for (const url of urls) {
        const r = await get(url);
        assert.equal(r.statusCode, 200, `${url}: ${htmlText(r.body).slice(0, 300)}`);
        assert.doesNotMatch(r.body, /undefined|\[object Object\]|NaN/, `${url} shows a value that was never set`);
      }
    });

    it('changes a project, with an audit event, and warns by name when it starts before what it depends on ends', async () => {
      const p = await project('Move suppliers to e-invoicing');
      const form1 = await get(P.editProject(ex, p.id));
      assert.equal(form1.statusCode, 200);
      assert.match(form1.body, /name="version" value="\d+"/);
      assert.doesNotMatch(
        htmlText(form1.body),
        /starts on .* before/,
        'no warning while it follows what it depends on',
      );
      const updates = await audits('implementation_project', 'update');
      const r = await post(P.editProject(ex, p.id), projectFields(p, { startsOn: '1 October 2010' }));
      assert.equal(r.statusCode, 303, htmlText(r.body).slice(0, 400));
      assert.equal(r.headers.location, `${P.plan(ex)}?saved=project-changed`);
      assert.equal((await project('Move suppliers to e-invoicing')).startsOn, '2010-10-01');
      assert.equal(await audits('implementation_project', 'update'), updates + 1);
      const warning =
        'Move suppliers to e-invoicing starts on 1 October 2010, before New finance system, which it depends on, ends on 31 December 2010';
      assert.ok(htmlText((await get(P.plan(ex))).body).includes(warning), 'the plan page warns');
      assert.ok(htmlText((await get(P.editProject(ex, p.id))).body).includes(warning), 'the project form warns');
      assert.match((await get(P.plan(ex))).body, /data-qa="plan-warning"/);
      // A new project's form shows it too when it comes back (here for a missing business case).
      const system = await project('New finance system');
      const refused = await post(P.projects(ex), {
        caseId: '',
        name: 'Early start',
        startsOn: '1 May 2010',
        endsOn: '31 May 2010',
        dependsOn: [system.id],
      });
      assert.equal(refused.statusCode, 422);
      assert.ok(
        htmlText(refused.body).includes(
          'Early start starts on 1 May 2010, before New finance system, which it depends on, ends on 31 December 2010',
        ),
      );
    });

    it('refuses a stale change of a project with 409 and the message Amber uses, keeping the other change', async () => {
      const p = await project('New finance system');
      assert.equal(
        (await post(P.editProject(ex, p.id), projectFields(p, { name: 'New finance system (phase 1)' }))).statusCode,
        303,
      );
      const before = await fingerprint(t.db);
      const stale = await post(P.editProject(ex, p.id), projectFields(p, { name: 'Lost edit' }));
      assert.equal(stale.statusCode, 409);
      assert.match(
        htmlText(stale.body),
        /Someone else changed this project while you were editing it\. Your changes have not been saved/,
      );
      assert.match(stale.body, /value="Lost edit"/, 'what the person typed is kept on the form');
      assert.deepEqual(await fingerprint(t.db), before);
      assert.ok(await project('New finance system (phase 1)'));
    });

    it('refuses a bad change of a project naming the field, and changes nothing', async () => {
      const p = await project('Move suppliers to e-invoicing');
      const other = await project('New finance system (phase 1)');
      const before = await fingerprint(t.db);
      const cases: [Record<string, string | string[]>, string[]][] = [
        [{ name: '' }, ['#name']],
        [{ endsOn: '1 January 2009' }, ['#endsOn']],
        [{ dependsOn: [p.id] }, ['#dependsOn']],
        [{ startsOn: '31 February 2011' }, ['#startsOn']],
      ];
      for (const [change, fields] of cases) {
        const r = await post(P.editProject(ex, p.id), projectFields(p, change));
        assert.equal(r.statusCode, 422, JSON.stringify(change));
        assert.deepEqual(
          errorSummary(r.body).map((e) => e.split(' ')[0]),
          fields,
          errorSummary(r.body).join(' | '),
        );
      }
      // New finance system depending on e-invoicing, which depends on it, is a loop.
      const loop = await post(P.editProject(ex, other.id), projectFields(other, { dependsOn: [p.id] }));
      assert.equal(loop.statusCode, 422);
      assert.match(errorSummary(loop.body)[0]!, /^#dependsOn The dependencies would go round in a loop/);
      assert.deepEqual(await fingerprint(t.db), before);
    });

    let linkedId = '';
    it('links a milestone to a key action, then removes the link, keeping what it wrote in the report', async () => {
      const p = await project('Consolidate accounts payable');
      const created = await post(P.milestones(ex), {
        projectId: p.id,
        description: 'Business case for <b>shared</b> service signed off',
        dueOn: '30 September 2009',
        priority: 'VfM-4d',
        actionNumber: '1',
      });
      assert.equal(created.statusCode, 303, htmlText(created.body).slice(0, 300));
      const m = (await project('Consolidate accounts payable')).milestones.find((x) =>
        x.description.startsWith('Business case'),
      )!;
      linkedId = m.id;
      const reportMilestone = m.reportMilestoneId!;
      assert.ok(reportMilestone);

      const edit = await get(P.editMilestone(ex, m.id));
      assert.equal(edit.statusCode, 200);
      assert.match(
        htmlText(edit.body),
        /This milestone is linked to VfM-4d, key action 1\. It is in the report on key action 1 of VfM-4d’s 2009\/10 H1 report, as “Business case for <b>shared<\/b> service signed off”\./,
      );
      assert.doesNotMatch(edit.body, /<b>shared<\/b>/, 'the report’s wording is escaped');
      assert.match(htmlText(edit.body), /what is already in the report stays there/);

      const reportBefore = await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1');
      const r = await post(P.editMilestone(ex, m.id), {
        projectId: p.id,
        description: m.description,
        dueOn: '30 September 2009',
        priority: '',
        actionNumber: '',
        version: String(m.version),
      });
      assert.equal(r.statusCode, 303, htmlText(r.body).slice(0, 300));
      assert.equal(r.headers.location, `${P.plan(ex)}?saved=unlinked`);
      const page = htmlText((await get(String(r.headers.location))).body);
      assert.match(
        page,
        /no longer linked to a key action\. The milestone it had written on the key action stays in the priority’s report/,
      );
      const after = (await project('Consolidate accounts payable')).milestones.find((x) => x.id === m.id)!;
      assert.deepEqual([after.priorityCode, after.actionNumber, after.reportMilestoneId], [null, null, null]);
      const reportAfter = await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1');
      assert.ok(
        reportAfter.report.actions[0]!.milestones.some((x) => x.id === reportMilestone),
        'the milestone written on the key action is still in the report',
      );
      assert.equal(reportAfter.report.version, reportBefore.report.version, 'the report was not touched');
    });

    it('changes a link to another key action: writes it there and leaves the first where it is', async () => {
      const m = (await plan()).projects.flatMap((p) => p.milestones).find((x) => x.id === linkedId)!;
      const bundle = await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1');
      assert.ok(bundle.report.actions.length >= 2, 'the demo report has two key actions');
      // Link to action 1, then move the link to action 2.
      const first = await post(P.editMilestone(ex, m.id), {
        projectId: m.projectId,
        description: m.description,
        dueOn: '30 September 2009',
        priority: 'VfM-4d',
        actionNumber: '1',
        version: String(m.version),
      });
      assert.equal(first.headers.location, `${P.plan(ex)}?saved=linked`);
      const linked = (await plan()).projects.flatMap((p) => p.milestones).find((x) => x.id === linkedId)!;
      const onOne = linked.reportMilestoneId!;
      const moved = await post(P.editMilestone(ex, m.id), {
        projectId: m.projectId,
        description: m.description,
        dueOn: '30 September 2009',
        priority: 'VfM-4d',
        actionNumber: '2',
        version: String(linked.version),
      });
      assert.equal(moved.statusCode, 303, htmlText(moved.body).slice(0, 300));
      assert.equal(moved.headers.location, `${P.plan(ex)}?saved=relinked`);
      const now = (await plan()).projects.flatMap((p) => p.milestones).find((x) => x.id === linkedId)!;
      assert.equal(now.actionNumber, 2);
      const report = (await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1')).report;
      assert.ok(
        report.actions[0]!.milestones.some((x) => x.id === onOne),
        'the first stays on key action 1',
      );
      assert.ok(
        report.actions[1]!.milestones.some((x) => x.id === now.reportMilestoneId),
        'a new one on key action 2',
      );
      // A key action the report does not have is refused, naming the field, and nothing changes.
      const before = await fingerprint(t.db);
      const refused = await post(P.editMilestone(ex, m.id), {
        projectId: m.projectId,
        description: m.description,
        dueOn: '30 September 2009',
        priority: 'VfM-4d',
        actionNumber: '99',
        version: String(now.version),
      });
      assert.equal(refused.statusCode, 422);
      assert.match(
        errorSummary(refused.body)[0]!,
        /^#actionNumber The 2009-10-h1 report of VfM-4d has key actions 1 to \d+/,
      );
      assert.deepEqual(await fingerprint(t.db), before);
      // A stale version is refused too.
      const stale = await post(P.editMilestone(ex, m.id), {
        projectId: m.projectId,
        description: 'Lost',
        dueOn: '30 September 2009',
        version: String(linked.version),
      });
      assert.equal(stale.statusCode, 409);
      assert.deepEqual(await fingerprint(t.db), before);
    });

    it('deletes a linked milestone after a confirmation that says the report keeps its copy', async () => {
      const m = (await plan()).projects.flatMap((p) => p.milestones).find((x) => x.id === linkedId)!;
      const confirm = await get(P.deleteMilestone(ex, m.id));
      assert.equal(confirm.statusCode, 200);
      assert.match(
        htmlText(confirm.body),
        /It is linked to VfM-4d, key action 2\. The milestone it wrote there stays in the report, on key action 2 of VfM-4d’s 2009\/10 H1 report/,
      );
      const deletes = await audits('implementation_milestone', 'delete');
      const stale = await post(P.deleteMilestone(ex, m.id), { version: String(m.version - 1) });
      assert.equal(stale.statusCode, 409);
      const r = await post(P.deleteMilestone(ex, m.id), { version: String(m.version) });
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, `${P.plan(ex)}?saved=milestone-deleted-kept`);
      assert.ok(!(await plan()).projects.flatMap((p) => p.milestones).some((x) => x.id === linkedId));
      const report = (await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1')).report;
      assert.ok(
        report.actions[1]!.milestones.some((x) => x.id === m.reportMilestoneId),
        'still in the report',
      );
      assert.equal(await audits('implementation_milestone', 'delete'), deletes + 1);
    });

    it('deletes a project with its milestones after a confirmation naming them and its dependents', async () => {
      const system = await project('New finance system (phase 1)');
      const confirm = await get(P.deleteProject(ex, system.id));
      assert.equal(confirm.statusCode, 200);
      const text = htmlText(confirm.body);
      assert.match(text, /Are you sure you want to delete the project New finance system \(phase 1\)\?/);
      assert.match(text, /Its 1 milestone will be deleted with it: Finance system live/);
      assert.match(text, /Move suppliers to e-invoicing depends on it, and will no longer\./);
      const before = await fingerprint(t.db);
      assert.equal((await post(P.deleteProject(ex, system.id), {})).statusCode, 422, 'no version, no delete');
      assert.equal(
        (await post(P.deleteProject(ex, system.id), { version: String(system.version + 1) })).statusCode,
        409,
      );
      assert.deepEqual(await fingerprint(t.db), before);
      const r = await post(P.deleteProject(ex, system.id), { version: String(system.version) });
      assert.equal(r.statusCode, 303, htmlText(r.body).slice(0, 300));
      assert.equal(r.headers.location, `${P.plan(ex)}?saved=project-deleted`);
      const { projects } = await plan();
      assert.ok(!projects.some((p) => p.id === system.id));
      assert.deepEqual(projects.find((p) => p.name === 'Move suppliers to e-invoicing')!.dependsOn, []);
      const left = Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from implementation_milestone where project_id = ${system.id}`.execute(t.db)
        ).rows[0]!.n,
      );
      assert.equal(left, 0);
      assert.equal(await audits('implementation_project', 'delete'), 1);
      assert.doesNotMatch(htmlText((await get(P.plan(ex))).body), /starts on .* before/, 'the warning went with it');
    });

    it('deletes an unverified saving after confirming, and never a verified one', async () => {
      const { entries } = await t.services.efficiency.savings(actor, ex);
      const verified = entries.find((e) => e.verifiedAt !== null)!;
      const unverified = entries.find((e) => e.verifiedAt === null)!;
      const refusal = await get(P.deleteSaving(ex, verified.id));
      assert.equal(refusal.statusCode, 200);
      assert.match(
        htmlText(refusal.body),
        /This saving cannot be deleted .* verified by .* record a correction as a new entry instead/,
      );
      const before = await fingerprint(t.db);
      const refused = await post(P.deleteSaving(ex, verified.id), { version: String(verified.version) });
      assert.equal(refused.statusCode, 422);
      assert.match(errorSummary(refused.body)[0]!, /^#saving This saving was verified by/);
      assert.deepEqual(await fingerprint(t.db), before);
      assert.match(
        htmlText((await get(P.deleteSaving(ex, unverified.id))).body),
        /Are you sure you want to delete this saving\?/,
      );
      const r = await post(P.deleteSaving(ex, unverified.id), { version: String(unverified.version) });
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, `${P.savings(ex)}?saved=saving-deleted`);
      assert.ok(!(await t.services.efficiency.savings(actor, ex)).entries.some((e) => e.id === unverified.id));
      assert.equal(await audits('savings_entry', 'delete'), 1);
    });

    it('lets only those who may edit the plan change or delete anything, and answers 404 for what is not there', async () => {
      const p = (await plan()).projects[0]!;
      const contributor = await t.signIn(['contributor']);
      const { entries } = await t.services.efficiency.savings(actor, ex);
      for (const url of [P.editProject(ex, p.id), P.deleteProject(ex, p.id), P.deleteSaving(ex, entries[0]!.id)]) {
        assert.equal((await t.app.inject({ url, headers: contributor.headers })).statusCode, 403, url);
        const write = await t.app.inject({
          method: 'POST',
          url,
          headers: { ...contributor.headers, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `version=${p.version}`,
        });
        assert.equal(write.statusCode, 403, url);
      }
      assert.ok(await project(p.name), 'nothing was deleted');
      for (const url of [
        P.editProject(ex, '00000000-0000-4000-8000-000000000000'),
        P.deleteMilestone(ex, 'nonsense'),
        P.deleteSaving(ex, '00000000-0000-4000-8000-000000000000'),
      ])
        assert.equal((await get(url)).statusCode, 404, url);
    });
  });
}
