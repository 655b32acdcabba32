// The accessibility statement (Public Sector Bodies Accessibility Regulations 2018): one public
// page for the deployment, linked from the foot of every page, showing the contact details and
// dates an operator keeps; and a report downloaded as one standalone web page. On both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, createTestSession, form, type TestApp, type TestSession } from './helpers/app.ts';
import { errorSummary, hasDataQa, htmlText as textOf } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

const FORM = paths.operator.accessibilityStatement;
/** The text a reader sees, without the space a tag leaves before a full stop. */
const htmlText = (html: string) => textOf(html).replace(/ ([.,])/g, '$1');
const GOOD = {
  organisationName: 'Amber Hosting Ltd',
  email: 'accessibility@hosting.example',
  phone: '0113 222 4444',
  responseDays: '10',
  preparedOn: '1 April 2026',
  reviewedOn: '02/11/2026',
  knownProblems: '',
};

for (const engine of ENGINES) {
  describe(`the accessibility statement [${engine}]`, () => {
    let t: TestApp;
    let operator: TestSession;
    let administrator: TestSession;
    before(async () => {
      t = await buildTestApp(engine, { as: false });
      const home = await t.services.organisations.getHome();
      administrator = await createTestSession(t.services, home.id, ['administrator']);
      operator = await createTestSession(t.services, home.id, ['viewer']);
      await t.services.accounts.makeOperator(systemActor(home.id, 'test'), operator.email);
    });
    after(async () => t?.close());

    const get = (url: string, who?: TestSession) => t.app.inject({ url, ...(who ? { headers: who.headers } : {}) });
    const post = (fields: Record<string, string>, who: TestSession) =>
      t.app.inject({
        method: 'POST',
        url: FORM,
        headers: { ...who.headers, ...form({}).headers },
        payload: form(fields).payload,
      });
    /** The saved row as the database holds it (undefined before any is saved). */
    const row = async () =>
      (await sql<Record<string, unknown>>`select * from accessibility_statement`.execute(t.db)).rows[0];
    /** The statement's version, for the next form. */
    const version = async () => String(Number((await row())?.version ?? 0));

    it('answers before sign-in, and says the contact details have not been set while they have not', async () => {
      const res = await get(paths.accessibility);
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(res.body, /<h1 class="govuk-heading-l">Accessibility statement for Amber<\/h1>/);
      assert.ok(hasDataQa(res.body, 'statement-not-set'), 'a visible warning that nothing is set');
      assert.ok(hasDataQa(res.body, 'contact-not-set'));
      assert.match(text, /This website is run by Leeds City Council\./, 'the home organisation, until one is set');
      assert.match(text, /get back to you in 5 working days/);
      assert.match(text, /The date this statement was prepared has not been recorded yet/);
      // The model statement's sections, in its order.
      const sections = [
        'How accessible this website is',
        'Feedback and contact information',
        'Reporting accessibility problems with this website',
        'Enforcement procedure',
        'Technical information about this website’s accessibility',
        'Compliance status',
        'Non-accessible content',
        'What we’re doing to improve accessibility',
        'Preparation of this accessibility statement',
        'What was tested and how',
      ];
      let at = 0;
      for (const heading of sections) {
        const found = text.indexOf(heading, at);
        assert.ok(found >= 0, `“${heading}” follows the sections before it`);
        at = found;
      }
      assert.match(text, /Equality Advisory and Support Service/);
      assert.match(text, /checked with axe-core against the WCAG 2\.2 A and AA rules/);
    });

    it('is linked from the foot of the sign-in page and of a signed-in page, at the same unprefixed address', async () => {
      const link =
        /<footer[\s\S]*<a class="govuk-footer__link" href="\/accessibility"[^>]*>Accessibility statement<\/a>/;
      const signIn = await get(paths.signIn);
      assert.equal(signIn.statusCode, 200);
      assert.match(signIn.body, link, 'the sign-in page');
      for (const url of ['/priorities', '/o/leeds/priorities']) {
        const page = await get(url, administrator);
        assert.equal(page.statusCode, 200, url);
        assert.match(page.body, link, url);
      }
      const missing = await get('/no-such-page', administrator);
      assert.equal(missing.statusCode, 404);
      assert.match(missing.body, link, 'the 404 page');
      // Under an organisation's address, the same statement.
      const under = await get('/o/leeds/accessibility', administrator);
      assert.equal(under.statusCode, 200);
      assert.match(under.body, /Accessibility statement for Amber/);
    });

    it('lets nobody but an operator see or change the contact details, and changes nothing when it refuses', async () => {
      assert.equal((await get(FORM, administrator)).statusCode, 403);
      const refused = await post({ ...GOOD, version: '0' }, administrator);
      assert.equal(refused.statusCode, 403);
      const anonymous = await get(FORM);
      assert.equal(anonymous.statusCode, 302);
      assert.match(String(anonymous.headers.location), /^\/sign-in\?/);
      const stranger = await t.app.inject({
        method: 'POST',
        url: FORM,
        ...form({ ...GOOD, version: '0' }),
      });
      assert.equal(stranger.statusCode, 401);
      assert.equal(await row(), undefined, 'nothing saved');
      // A form without the session's CSRF token is refused, even the operator's.
      const forged = await t.app.inject({
        method: 'POST',
        url: FORM,
        headers: { cookie: operator.headers.cookie, ...form({}).headers },
        payload: form({ ...GOOD, version: '0' }).payload,
      });
      assert.equal(forged.statusCode, 403);
      assert.equal(await row(), undefined, 'nothing saved');
    });

    it('names the field of bad input, keeps what was typed and saves nothing', async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [
          { email: 'not an e-mail address' },
          /^#email Enter the contact e-mail address in the correct format, like accessibility@example\.gov\.uk$/,
        ],
        [{ email: '' }, /^#email Enter the contact e-mail address$/],
        [
          { organisationName: 'x'.repeat(201) },
          /^#organisationName The name of the organisation responsible for the website must be 200 characters or fewer$/,
        ],
        [{ phone: '0113 222 4444 ext 12' }, /^#phone Enter the telephone number using only numbers/],
        [{ phone: '1'.repeat(41) }, /^#phone The telephone number must be 40 characters or fewer$/],
        [
          { responseDays: 'a week' },
          /^#responseDays Enter the number of working days in which you reply as a whole number$/,
        ],
        [{ responseDays: '0' }, /^#responseDays The number of working days in which you reply must be 1 or more$/],
        [{ preparedOn: '31/02/2026' }, /^#preparedOn The date the statement was prepared must be a real date/],
        [
          { preparedOn: '1 January 2099' },
          /^#preparedOn The date the statement was prepared must be today or earlier$/,
        ],
        [
          { reviewedOn: '1 March 2026' },
          /^#reviewedOn The date the statement was last reviewed must be on or after the date it was prepared$/,
        ],
        [
          { knownProblems: `Fine\n${'y'.repeat(1001)}` },
          /^#knownProblems Known problem 2 must be 1,000 characters or fewer$/,
        ],
      ];
      for (const [change, message] of cases) {
        const res = await post({ ...GOOD, ...change, version: '0' }, operator);
        const label = JSON.stringify(change).slice(0, 60);
        assert.equal(res.statusCode, 422, label);
        const errors = errorSummary(res.body);
        assert.equal(errors.length, 1, `${label}: ${errors.join('; ')}`);
        assert.match(errors[0]!, message, label);
        // What was typed is kept, and its field is marked.
        const [field, value] = Object.entries(change)[0]!;
        assert.match(res.body, new RegExp(`id="${field}-error"`), `${label}: the field shows its message`);
        if (value && field !== 'knownProblems') assert.ok(res.body.includes(`value="${value}"`), `${label}: kept`);
        assert.equal(await row(), undefined, `${label}: nothing saved`);
      }
    });

    it('shows the contact details and dates an operator saved, with a “saved” message', async () => {
      const before = await get(FORM, operator);
      assert.equal(before.statusCode, 200);
      assert.ok(hasDataQa(before.body, 'statement-not-set'), 'the operator sees that nothing is set');
      assert.match(before.body, /name="version" value="0"/);
      assert.match(before.body, /id="organisationName" name="organisationName" type="text" value="Leeds City Council"/);

      const saved = await post({ ...GOOD, version: await version() }, operator);
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
      assert.equal(saved.headers.location, `${FORM}?saved=1`);
      const after = await get(`${FORM}?saved=1`, operator);
      assert.match(htmlText(after.body), /The accessibility statement’s contact details have been saved\./);
      assert.match(htmlText(after.body), new RegExp(`Last changed by ${operator.email.replace(/\./g, '\\.')} on `));
      assert.ok(!hasDataQa(after.body, 'statement-not-set'));
      assert.match(after.body, /value="accessibility@hosting\.example"/);
      assert.match(after.body, /value="1 April 2026"/);

      const res = await get(paths.accessibility);
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.ok(!hasDataQa(res.body, 'statement-not-set'), 'no warning once set');
      assert.match(text, /This website is run by Amber Hosting Ltd\./);
      assert.match(res.body, /href="mailto:accessibility@hosting\.example"/);
      assert.match(text, /call 0113 222 4444/);
      assert.match(text, /get back to you in 10 working days/);
      assert.match(text, /This statement was prepared on 1 April 2026\. It was last reviewed on 2 November 2026\./);
      assert.match(
        text,
        /This website is fully compliant with the Web Content Accessibility Guidelines version 2\.2 AA/,
      );

      // Known problems make it partially compliant, and are listed where the model puts them.
      const listed = await post(
        {
          ...GOOD,
          phone: '',
          knownProblems: 'Some older PDF board packs are not tagged\n\nThe map of wards has no text alternative',
          version: await version(),
        },
        operator,
      );
      assert.equal(listed.statusCode, 303, listed.body.slice(0, 300));
      const partial = await get(paths.accessibility);
      const partialText = htmlText(partial.body);
      assert.match(partialText, /partially compliant with the Web Content Accessibility Guidelines version 2\.2 AA/);
      assert.match(
        partialText,
        /Non-compliance with the accessibility regulations Some older PDF board packs are not tagged The map of wards has no text alternative/,
      );
      assert.ok(!hasDataQa(partial.body, 'contact-phone'), 'no telephone once it is removed');
      assert.equal((await row())?.version, 2);
    });

    it('refuses a form read before someone else saved, and keeps their change', async () => {
      const current = await version();
      const first = await post({ ...GOOD, organisationName: 'First operator', version: current }, operator);
      assert.equal(first.statusCode, 303);
      const stale = await post({ ...GOOD, organisationName: 'Second operator', version: current }, operator);
      assert.equal(stale.statusCode, 409);
      assert.match(htmlText(stale.body), /Someone else changed this accessibility statement/);
      assert.equal((await row())?.organisation_name, 'First operator');
    });

    it('lets an organisation’s units read the statement but never write it (only the operator’s pages do)', async () => {
      const home = await t.services.organisations.getHome();
      const read = await t.units.run(
        async () =>
          (await sql<{ n: number }>`select count(*)::int as n from accessibility_statement`.execute(t.units.db))
            .rows[0]!.n,
        { organisationId: home.id },
      );
      assert.equal(read, 1);
      await assert.rejects(
        t.units.run(() => sql`update accessibility_statement set email = 'taken@example.com'`.execute(t.units.db), {
          organisationId: home.id,
        }),
        /permission denied/,
      );
      assert.notEqual((await row())?.email, 'taken@example.com');
    });

    it('downloads a report as one standalone web page, offered beside the PDF and Word files', async () => {
      const url = paths.reports.download('VfM-4d', '2009-10-h1', 'html');
      const page = await get(paths.reports.show('VfM-4d', '2009-10-h1'), administrator);
      assert.ok(page.body.includes(`href="${url}" data-qa="download-html"`), 'the report page offers it');
      const res = await get(url, administrator);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(String(res.headers['content-disposition']), /attachment; filename="VfM-4d-2009-10-h1\.html"/);
      assert.match(res.body, /^<!DOCTYPE html>\s*<html lang="en-GB"/);
      assert.match(res.body, /<title>[^<]*VfM-4d[^<]*<\/title>/);
      assert.match(htmlText(res.body), /Explore opportunities for collaboration with private and public sector bodies/);
      // It stands alone: no links back into Amber, no forms, no scripts.
      assert.doesNotMatch(res.body, /<script|<form|href="\/(?!\/)/);
    });
  });
}
