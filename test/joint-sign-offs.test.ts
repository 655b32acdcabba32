// Joint priorities in every output (issue 11): a priority Leeds owns with two partner
// organisations, each signing off through its own unit of work. The report page, the PDF and the
// Word document each show every organisation's sign-off (organisation, person, role, date), and a
// published revision reads exactly the same after the organisations and people are renamed: what
// was signed is what stays published. The owner's report page links to the conversation with each
// partner, for those who take part in the conversations only. Both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, createTestSession, type TestApp, type TestSession } from './helpers/app.ts';
import { decodeEntities, htmlText } from './helpers/html.ts';
import { docxText, normaliseWhitespace, pdfText } from '../src/render/text-extract.test-helper.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor, type UserActor } from '../src/domain/actor.ts';
import { can, ROLES } from '../src/domain/permissions.ts';

const CODE = 'VfM-4d';
const H2 = '2009-10-h2';

/** The report itself, without the workflow panel (which says where the live report is now). */
const reportArticle = (html: string): string => {
  const article = /<article class="amber-report"[\s\S]*?<\/article>/.exec(html)?.[0];
  assert.ok(article, 'the page has the report');
  return article.replace(/<section[^>]*data-qa="workflow"[\s\S]*?<\/section>/, '');
};
const jointRows = (html: string): string[] =>
  [...html.matchAll(/<tr[^>]*data-qa="joint-sign-off-row"[\s\S]*?<\/tr>/g)].map((m) => htmlText(m[0]));

for (const engine of ENGINES) {
  describe(`joint priorities in every output [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let officer: TestSession;
    const partners: { name: string; id: string; officer: string; signer: string; shareId: string }[] = [];

    const userOf = (organisationId: string, label: string, roles: UserActor['roles'], personId?: string) =>
      ({
        kind: 'user',
        organisationId,
        label,
        userId: '00000000-0000-4000-8000-000000000001',
        roles,
        ...(personId ? { personId } : {}),
      }) satisfies UserActor;
    const acting = <T>(organisationId: string, fn: () => Promise<T>) => t.units.run(fn, { organisationId });
    const get = (url: string, s: TestSession) => t.app.inject({ url, headers: s.headers });
    const outputs = async () => {
      const page = await get(paths.reports.show(CODE, H2), officer);
      const pdf = await get(paths.reports.download(CODE, H2, 'pdf'), officer);
      const docx = await get(paths.reports.download(CODE, H2, 'docx'), officer);
      assert.deepEqual([page.statusCode, pdf.statusCode, docx.statusCode], [200, 200, 200]);
      return { page: page.body, pdf: await pdfText(pdf.rawPayload), docx: await docxText(docx.rawPayload) };
    };

    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      leeds = systemActor(home.id, 'test');
      const priority = await t.services.plans.getPriority(leeds, CODE);
      officer = await t.signIn(['accountable_officer'], { personId: priority.accountableOfficer!.id });
      await t.services.reports.create(leeds, CODE, { period: H2 });
      await t.services.reports.updateSections(leeds, CODE, H2, {
        summary: 'The partnership took the DECATS diagnostic forward.',
        status: 'green',
        statusReason: '',
      });
      const h2 = (await t.services.periods.list(leeds)).find((p) => p.key === H2)!;
      for (const [name, officerName, signer] of [
        ['Joint Health Trust', 'Morgan Officer', 'Pat Signer'],
        ['Neighbour Borough Council', 'Robin Officer', 'Sam Signer'],
      ] as const) {
        const org = await t.services.organisations.createHome('test', { name, kind: 'other' });
        const agreement = await acting(home.id, () =>
          t.services.sharing.createAgreement(leeds, {
            partner: org.slug,
            title: `Joint ownership with ${name}`,
            purpose: 'Own VfM-4d together',
            dataShared: 'VfM-4d reports',
            legalBasis: 'Local Government Act 2000, s.2',
            startsOn: '01/04/2009',
            endsOn: '31/03/2099',
            signatories: 'Both',
          }),
        );
        const shareId = await acting(home.id, () =>
          t.services.sharing.createShare(leeds, agreement, {
            priorityId: priority.id,
            level: 'update',
            periodIds: [h2.id],
            joint: 'yes',
            jointOfficer: officerName,
            internalSections: [],
          }),
        );
        partners.push({ name, id: org.id, officer: officerName, signer, shareId });
      }
      const leedsOfficer = userOf(
        home.id,
        'lee@leeds.example',
        ['accountable_officer'],
        priority.accountableOfficer!.id,
      );
      await acting(home.id, () => t.services.reports.submit(leedsOfficer, CODE, H2, {}));
      await acting(home.id, () => t.services.reports.approve(leedsOfficer, CODE, H2, {}));
    });
    after(async () => t?.close());

    const signOff = (p: (typeof partners)[number], comment: string) =>
      acting(p.id, async () => {
        const signer = userOf(p.id, `${p.signer.toLowerCase().replace(' ', '.')}@partner.example`, [
          'accountable_officer',
        ]);
        // The report's version as the partner's officer read it: what is signed is what was read.
        const { version } = (await t.services.sharing.readShared(signer, p.shareId, H2)).joint!;
        await t.services.sharing.signOffJointly(signer, p.shareId, H2, { comment, version }, p.signer);
      });

    it('shows each partner awaiting, then signed, in the page, the PDF and the Word document while in sign-off', async () => {
      const [first, second] = partners;
      await signOff(first!, 'Agreed for the trust');
      const { page, pdf, docx } = await outputs();
      assert.deepEqual(jointRows(page), [
        `${first!.name} Approved by (Joint owner – accountable officer: ${first!.officer}) ${first!.signer} ${jointDay(page, 0)} Agreed for the trust`,
        `${second!.name} Awaiting sign-off (Joint owner – accountable officer: ${second!.officer}) Not yet signed off. –`,
      ]);
      for (const text of [pdf, docx].map(normaliseWhitespace)) {
        assert.match(text, /Partnership sign-off/);
        assert.match(text, new RegExp(`${first!.name}[\\s\\S]*Approved by[\\s\\S]*${first!.signer}`));
        assert.match(text, new RegExp(`${second!.name}[\\s\\S]*Awaiting sign-off`));
      }
    });

    it('freezes every organisation’s sign-off in the published revision: page, PDF and Word stay byte for byte the same after renames', async () => {
      const [, second] = partners;
      await signOff(second!, '');
      const home = await t.services.organisations.getHome();
      const priority = await t.services.plans.getPriority(leeds, CODE);
      const director = userOf(
        home.id,
        'james@leeds.example',
        ['accountable_director'],
        priority.accountableDirector!.id,
      );
      const published = await acting(home.id, () => t.services.reports.approve(director, CODE, H2, {}));
      assert.equal(published.state, 'published');

      const before = await outputs();
      const rows = jointRows(before.page);
      assert.equal(rows.length, 2);
      for (const [i, p] of partners.entries()) {
        assert.match(
          rows[i]!,
          new RegExp(
            `^${p.name} Approved by \\(Joint owner – accountable officer: ${p.officer}\\) ${p.signer} \\d{1,2} \\w+ \\d{4} at \\d{2}:\\d{2} UTC`,
          ),
        );
        for (const text of [before.pdf, before.docx].map(normaliseWhitespace)) {
          assert.match(text, new RegExp(`${p.name}[\\s\\S]*?Approved by[\\s\\S]*?${p.officer}[\\s\\S]*?${p.signer}`));
        }
      }
      // The owner's own sign-offs are there too, with the accountable officer's name.
      assert.match(before.pdf, /Lee Hemsworth/);

      // Renamed later: both partner organisations, and the owner's accountable officer.
      for (const p of partners)
        await sql`update organisation set name = ${`${p.name} (renamed)`} where id = ${p.id}`.execute(t.db);
      await sql`update person set name = 'Renamed Officer' where id = ${priority.accountableOfficer!.id}`.execute(t.db);
      const live = await acting(home.id, () =>
        t.services.sharing.jointOwners(leeds, priority.id, published.id, published.publishedRevision!),
      );
      assert.deepEqual(
        live.map((o) => o.partnerName),
        partners.map((p) => `${p.name} (renamed)`),
        'the organisations are renamed now',
      );

      const after = await outputs();
      assert.equal(reportArticle(after.page), reportArticle(before.page));
      assert.equal(after.pdf, before.pdf);
      assert.equal(after.docx, before.docx);
      assert.doesNotMatch(after.pdf + after.docx + reportArticle(after.page), /renamed|Renamed Officer/);
    });

    it('links the owner’s report page to the conversation with each partner, with its comments counted, for those who take part only', async () => {
      const home = await t.services.organisations.getHome();
      const [first, second] = partners;
      await acting(home.id, () =>
        t.services.sharing.commentAsOwner(
          userOf(home.id, 'lee@leeds.example', ['accountable_officer']),
          'Lee',
          first!.shareId,
          H2,
          {
            body: 'Thank you for signing.',
          },
        ),
      );
      for (const role of ROLES) {
        const session = await createTestSession(t.services, home.id, [role]);
        const res = await get(paths.reports.show(CODE, H2), session);
        assert.equal(res.statusCode, 200, role);
        const links = [...res.body.matchAll(/<li data-qa="conversation">([\s\S]*?)<\/li>/g)].map((m) => ({
          href: decodeEntities(/href="([^"]+)"/.exec(m[1]!)![1]!),
          text: htmlText(m[1]!),
          sections: /data-qa="choose-sections"/.test(m[1]!)
            ? decodeEntities(/href="([^"]+)" data-qa="choose-sections"/.exec(m[1]!)![1]!)
            : undefined,
        }));
        const permitted = can(userOf(home.id, 'x', [role]), 'shared.comment');
        if (!permitted) {
          assert.deepEqual(links, [], `${role} takes no part in the conversations`);
          continue;
        }
        // The report's editors (not an accountable officer of another priority) also choose what each partner sees.
        const chooses = can(userOf(home.id, 'x', [role]), 'report.edit', { accountablePersonIds: [] });
        const choose = (name: string) => (chooses ? `: choose what ${name} (renamed) sees of the reports` : '');
        assert.deepEqual(
          links.map((l) => [l.href, l.text, l.sections]),
          [
            [
              paths.sharing.shareReport(first!.shareId, H2),
              `Comments with ${first!.name} (renamed) on the 2009/10 H2 report (1 comment)${choose(first!.name)}`,
              chooses ? paths.sharing.shareSections(first!.shareId, CODE, H2) : undefined,
            ],
            [
              paths.sharing.shareReport(second!.shareId, H2),
              `Comments with ${second!.name} (renamed) on the 2009/10 H2 report (No comments)${choose(second!.name)}`,
              chooses ? paths.sharing.shareSections(second!.shareId, CODE, H2) : undefined,
            ],
          ],
          role,
        );
        if (chooses) {
          // It leads to the page where they choose, which goes back to this report.
          const sections = await get(links[0]!.sections!, session);
          assert.equal(sections.statusCode, 200, role);
          assert.ok(sections.body.includes(`href="${paths.reports.show(CODE, H2)}"`), `${role}: back to the report`);
        }
        // The link leads to the conversation, which this role may read.
        const conversation = await get(links[0]!.href, session);
        assert.equal(conversation.statusCode, 200, role);
        assert.match(htmlText(conversation.body), /Thank you for signing\./);
      }
    });
  });
}

/** The day printed in the page's first joint sign-off row ("5 December 2026 at 11:02 UTC"). */
function jointDay(page: string, row: number): string {
  const text = jointRows(page)[row] ?? '';
  return /\d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC/.exec(text)?.[0] ?? '(no date)';
}
