// The report workflow as a new user meets it (issue 13, part 6), on both engines:
//  - a returned report says so at its top, to those who change it (who, when, their comment),
//    on the report page and its form, and no longer once it is submitted again;
//  - the report form says which statuses need a reason, an approval (and by whom), or are outside
//    the rating order;
//  - every role, at every stage of the workflow, is offered on the report, priority and sign-off
//    pages only the forms and write pages it may use: each form found is posted (with a stale
//    version, so nothing changes) and each link followed, and none is refused;
//  - and the converse, for progress on the milestones set last time: each role is offered it on
//    the next report for exactly the milestones recording it would accept.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';
import { statusHint } from '../src/modules/reports/report.presenter.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';

/** The page's main content: the header's and footer's links are not the report's. */
const mainOf = (html: string) => {
  const m = /<main[\s\S]*?<\/main>/.exec(html);
  assert.ok(m, 'the page has a main element');
  return m[0];
};
const decode = (s: string) => s.replace(/&amp;/g, '&');
/** Every form posted from the page, by its action. */
const formActions = (html: string) =>
  [...mainOf(html).matchAll(/<form\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => /method="post"/i.test(tag))
    .map((tag) => decode(/action="([^"]*)"/.exec(tag)![1]!));
/** Every link within Amber on the page, but downloads (documents, not pages with buttons). */
const pageLinks = (html: string) =>
  [...mainOf(html).matchAll(/<a\b[^>]*href="(\/[^"#]*)[^"]*"[^>]*>/g)]
    .filter((m) => !/\bdownload\b/.test(m[0]) && !/\/download\//.test(m[1]!) && !/\.(json|csv|pdf|docx)$/.test(m[1]!))
    .map((m) => decode(m[1]!));

for (const engine of ENGINES) {
  describe(`the report workflow as a new user meets it [${engine}]`, () => {
    let t: TestApp;
    let roles: Record<string, TestSession | undefined>;
    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      const people = await t.services.people.list(systemActor(home.id, 't'));
      const person = (name: string) => {
        const p = people.find((x) => x.name === name);
        assert.ok(p, name);
        return p.id;
      };
      const others = people.filter((p) => !['Lee Hemsworth', 'James Rogers', 'Arfan Hanif'].includes(p.name));
      roles = {
        // The default session: an administrator and performance officer, not a person who signs.
        administrator: undefined,
        officer: await t.signIn(['accountable_officer'], { personId: person('Lee Hemsworth') }),
        director: await t.signIn(['accountable_director'], { personId: person('James Rogers') }),
        contributor: await t.signIn(['contributor'], { personId: person('Arfan Hanif') }),
        viewer: await t.signIn(['viewer']),
        'performance officer': await t.signIn(['performance_officer']),
        // Accountable for other priorities, not this one.
        'another officer': await t.signIn(['accountable_officer', 'accountable_director'], {
          personId: others[0]!.id,
        }),
      };
    });
    after(async () => t?.close());

    const as = (s: TestSession | undefined) => (s ? s.headers : {});
    const get = (url: string, s?: TestSession) => t.app.inject({ url, headers: as(s) });
    const post = (url: string, fields: Parameters<typeof form>[0], s?: TestSession) => {
      const f = form(fields);
      return t.app.inject({ method: 'POST', url, payload: f.payload, headers: { ...f.headers, ...as(s) } });
    };
    const api = (method: 'GET' | 'POST' | 'PATCH', url: string, body: unknown, s?: TestSession) =>
      t.app.inject({
        method,
        url,
        payload: body === undefined ? undefined : JSON.stringify(body),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...as(s) },
      });
    const live = async () => (await api('GET', paths.api.report(CODE, PERIOD), undefined)).json();

    /**
     * For every role: the report page, the priority page and (when offered) the sign-off page;
     * every form on them posted with a stale version and every link followed, none refused.
     * Returns what each role was offered, for the stage's own assertions.
     */
    async function offersAreAllowed(stage: string) {
      const before = await live();
      const offered: Record<string, { forms: string[]; links: string[] }> = {};
      for (const [role, session] of Object.entries(roles)) {
        const pages = [paths.reports.show(CODE, PERIOD), paths.priorities.show(CODE)];
        const forms = new Set<string>();
        const links = new Set<string>();
        for (let i = 0; i < pages.length; i++) {
          const page = await get(pages[i]!, session);
          assert.equal(page.statusCode, 200, `${stage}, ${role}: ${pages[i]}`);
          for (const a of formActions(page.body)) forms.add(a);
          for (const href of pageLinks(page.body)) {
            if (links.has(href)) continue;
            links.add(href);
            // The sign-off page's own forms are checked as well.
            if (href === paths.reports.signOff(CODE, PERIOD) && !pages.includes(href)) pages.push(href);
          }
        }
        for (const href of links) {
          const res = await get(href, session);
          assert.ok(
            res.statusCode < 400,
            `${stage}, ${role}: the link ${href} is offered but answers ${res.statusCode}`,
          );
        }
        for (const action of forms) {
          const res = await post(action, { version: 0, direction: 'up', decision: 'return', comment: 'x' }, session);
          assert.ok(
            res.statusCode !== 403 && res.statusCode !== 401,
            `${stage}, ${role}: the form posting to ${action} is offered but refused (${res.statusCode}): ${htmlText(res.body).slice(0, 300)}`,
          );
          assert.ok(res.statusCode >= 400, `${stage}, ${role}: a stale post to ${action} changed nothing`);
        }
        offered[role] = { forms: [...forms], links: [...links] };
      }
      assert.equal((await live()).version, before.version, `${stage}: the stale posts changed nothing`);
      return offered;
    }

    const writes = (o: { forms: string[]; links: string[] }) => [
      ...o.forms,
      ...o.links.filter((l) => /\/(edit|new|sign-off|graphs|progress)$/.test(l)),
    ];

    it('offers each role only what it may do, at every stage, and shows the return at the top to those who change it', async () => {
      // Published (the demo's paper sign-offs).
      let offered = await offersAreAllowed('published');
      assert.deepEqual(writes(offered.viewer!), [], 'a viewer is offered nothing to write');
      assert.ok(writes(offered.officer!).includes(paths.reports.edit(CODE, PERIOD)));
      assert.ok(offered.administrator!.links.includes(paths.reports.new(CODE)));
      assert.ok(!offered.contributor!.links.includes(paths.reports.new(CODE)), 'a contributor starts no report');
      assert.ok(!offered.contributor!.links.includes(paths.priorities.edit(CODE)));

      // A draft: the officer changes it, opening revision 2.
      const changed = await api(
        'PATCH',
        paths.api.report(CODE, PERIOD),
        { version: (await live()).version, summary: 'Revision 2.', status: 'green' },
        roles.officer,
      );
      assert.equal(changed.statusCode, 200, changed.body);
      offered = await offersAreAllowed('draft');
      assert.ok(offered.officer!.forms.includes(paths.reports.submit(CODE, PERIOD)));
      assert.ok(!offered.contributor!.forms.includes(paths.reports.submit(CODE, PERIOD)));
      // A contributor changes the key actions they are named on, and only those.
      // Arfan Hanif is named on key actions 1, 3 and 4 of VfM-4d, not on 2.
      assert.ok(writes(offered.contributor!).includes(paths.reports.actions.edit(CODE, PERIOD, 1)), 'their key action');
      assert.ok(!writes(offered.contributor!).includes(paths.reports.actions.edit(CODE, PERIOD, 2)));
      assert.ok(!writes(offered.contributor!).includes(paths.reports.edit(CODE, PERIOD)));
      assert.deepEqual(writes(offered.viewer!), []);

      // Submitted, then approved by the officer.
      assert.equal(
        (await api('POST', paths.api.submit(CODE, PERIOD), { version: (await live()).version }, roles.officer))
          .statusCode,
        200,
      );
      offered = await offersAreAllowed('submitted');
      assert.ok(offered.officer!.links.includes(paths.reports.signOff(CODE, PERIOD)));
      // The director may return it already (not approve it: the sign-off page offers only the return).
      assert.ok(offered.director!.links.includes(paths.reports.signOff(CODE, PERIOD)));
      const early = await get(paths.reports.signOff(CODE, PERIOD), roles.director);
      assert.ok(!early.body.includes('value="approve"') && early.body.includes('value="return"'));
      assert.ok(!offered.administrator!.links.includes(paths.reports.signOff(CODE, PERIOD)));
      assert.ok(!offered.officer!.links.includes(paths.reports.edit(CODE, PERIOD)), 'nothing changes in sign-off');
      assert.equal(
        (await api('POST', paths.api.approve(CODE, PERIOD), { version: (await live()).version }, roles.officer))
          .statusCode,
        200,
      );
      offered = await offersAreAllowed('approved by the officer');
      assert.ok(offered.director!.links.includes(paths.reports.signOff(CODE, PERIOD)));

      // The director returns it with a comment.
      const returned = await api(
        'POST',
        paths.api.return(CODE, PERIOD),
        { version: (await live()).version, comment: 'Add the costs of the new contract.' },
        roles.director,
      );
      assert.equal(returned.statusCode, 200, returned.body);
      offered = await offersAreAllowed('returned');
      assert.ok(offered.officer!.forms.includes(paths.reports.submit(CODE, PERIOD)));

      for (const url of [paths.reports.show(CODE, PERIOD), paths.reports.edit(CODE, PERIOD)]) {
        const page = await get(url, roles.officer);
        assert.equal(page.statusCode, 200);
        const banner =
          /<div class="govuk-notification-banner"[^>]*data-qa="returned-banner"[\s\S]*?<\/blockquote>/.exec(page.body);
        assert.ok(banner, `${url}: the return is shown in a notification banner`);
        assert.match(
          htmlText(banner[0]),
          /Returned to draft James Rogers \(Accountable Director\) returned this report to draft on \d{1,2} \w+ \d{4} at \d\d:\d\d UTC\. Their comment: Add the costs of the new contract\./,
        );
        // At the top: before the report's (or form's) heading.
        assert.ok(
          page.body.indexOf('data-qa="returned-banner"') < page.body.indexOf('<h1'),
          `${url}: above the heading`,
        );
      }
      for (const role of ['viewer', 'director'] as const) {
        const page = await get(paths.reports.show(CODE, PERIOD), roles[role]);
        assert.ok(!page.body.includes('data-qa="returned-banner"'), `not shown to the ${role}, who does not change it`);
      }

      // Submitted again: the return is history (still in the decisions), no longer a banner.
      assert.equal(
        (await api('POST', paths.api.submit(CODE, PERIOD), { version: (await live()).version }, roles.officer))
          .statusCode,
        200,
      );
      const again = await get(paths.reports.show(CODE, PERIOD), roles.officer);
      assert.ok(!again.body.includes('data-qa="returned-banner"'));
      assert.match(htmlText(again.body), /Returned to draft by James Rogers .*Add the costs of the new contract/);
    });

    it('offers each role, on the next report, progress on exactly the milestones set last time it may record', async () => {
      // The demo's VfM-4d has one report; the next period's follows up its key actions' milestones.
      const system = systemActor((await t.services.organisations.getHome()).id, 'test');
      const NEXT = '2009-10-h2';
      await t.services.periods.ensure(system, NEXT);
      await t.services.reports.create(system, CODE, { period: NEXT });
      const actions: { contributors: string[]; milestones: { id: string; progressVersion?: number }[] }[] = (
        await live()
      ).actions;
      const milestones = actions.flatMap((a) => a.milestones.map((m) => m.id));
      assert.ok(milestones.length > 0, 'the previous report sets milestones');
      const progressLinks = (html: string) =>
        new Set(
          [...mainOf(html).matchAll(/href="\/priorities\/[^"]*\/milestones\/([^/"]+)\/progress\b/g)].map((m) => m[1]!),
        );
      const offeredTo: Record<string, string[]> = {};
      const before = JSON.stringify(actions);
      for (const [role, session] of Object.entries(roles)) {
        const page = await get(paths.reports.show(CODE, NEXT), session);
        // A viewer reads published reports only: the draft is not theirs to open.
        if (role === 'viewer' && [403, 404].includes(page.statusCode)) offeredTo[role] = [];
        else {
          assert.equal(page.statusCode, 200, `${role}: the next report`);
          offeredTo[role] = [...progressLinks(page.body)];
        }
        const offered = new Set(offeredTo[role]);
        for (const id of milestones) {
          // What recording it answers (a stale version, so nothing changes): refused or not.
          const res = await post(
            paths.reports.milestoneProgress(CODE, PERIOD, id),
            { progress: 'none', version: 999_999 },
            session,
          );
          const allowed = res.statusCode !== 403 && res.statusCode !== 401;
          if (allowed) assert.ok(res.statusCode >= 400, `${role}: a stale post to milestone ${id} changed nothing`);
          assert.equal(
            offered.has(id),
            allowed,
            allowed
              ? `${role} may record progress on milestone ${id} but is not offered it (${res.statusCode})`
              : `${role} is offered progress on milestone ${id} but refused it`,
          );
        }
      }
      assert.equal(JSON.stringify((await live()).actions), before, 'the stale posts changed nothing');
      // Arfan Hanif is named on key actions 1, 3 and 4: their milestones, not action 2's.
      const onActions = (...ns: number[]) => ns.flatMap((n) => actions[n - 1]!.milestones.map((m) => m.id)).sort();
      assert.deepEqual(offeredTo.contributor!.sort(), onActions(1, 3, 4));
      assert.deepEqual(offeredTo.officer!.sort(), [...milestones].sort());
      assert.deepEqual(offeredTo.viewer, []);
      assert.deepEqual(offeredTo['another officer'], []);
    });

    it('says on the report form which statuses need a reason, an approval and by whom, or are unrated', async () => {
      const system = systemActor((await t.services.organisations.getHome()).id, 'test');
      // Each hint as the form shows it: the status's rules in words.
      assert.equal(
        statusHint({
          description: 'Finished',
          commentRequired: true,
          approvalRole: 'accountable_director',
          rated: false,
        }),
        'Finished. Needs a reason: say why in “Reason for the status”. Needs approval by an accountable director: the sign-off that publishes the report must be given by someone with that role. Outside the rating order: not better or worse than other statuses.',
      );
      assert.equal(
        statusHint({ description: '', commentRequired: false, approvalRole: 'performance_officer', rated: true }),
        'Needs approval by a performance officer: the sign-off that publishes the report must be given by someone with that role.',
      );
      assert.equal(statusHint({ description: '', commentRequired: false, approvalRole: null, rated: true }), undefined);

      // The form itself: the demo's Amber needs a reason; a status with an approval rule says whose.
      const scale = await t.services.organisations.statusScale(system);
      const amber = scale.find((s) => s.key === 'amber')!;
      assert.equal(amber.commentRequired, true);
      await t.db
        .updateTable('status')
        .set({ approval_role: 'accountable_director', rated: false })
        .where('key', '=', 'amber')
        .execute();
      const page = await get(paths.reports.edit(CODE, PERIOD));
      assert.equal(page.statusCode, 200);
      const item = /<input[^>]*id="status-\d*"[^>]*value="amber"[\s\S]*?<\/div>\s*<\/div>/.exec(page.body);
      assert.ok(item, 'the Amber radio');
      assert.match(
        htmlText(item[0]),
        /Amber Some delay or risk; recoverable\. Needs a reason: say why in “Reason for the status”\. Needs approval by an accountable director: .* Outside the rating order/,
      );
    });
  });
}
