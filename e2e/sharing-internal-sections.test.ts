// Keeping a section of a shared priority internal, in the browser without JavaScript (issue 11,
// item 3): the performance officer opens the VfM-4d report, follows the conversation with a
// partner it is shared with, sees what the partner sees, keeps the challenges internal with a plain
// form and reads the confirmation; then shares them again. axe-core runs on every page visited, and
// each section's state is written in words beside its colour.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startSession, type Session } from './support/browser.ts';
import { BasePage, type Heading } from './pages/base-page.ts';
import { ReportPage } from './pages/report-pages.ts';
import { ShareConversationPage } from './pages/shared-work-pages.ts';
import { systemActor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';

const CODE = 'VfM-4d';
const TITLE = 'Explore opportunities for collaboration with private and public sector bodies';
const H1 = '2009-10-h1';
const PARTNER = 'Browser Section Partners';

/** What a partner sees of a shared priority, section by section, with the form that changes it. */
class ShareSectionsPage extends BasePage {
  protected readonly heading: Heading = `What ${PARTNER} sees of ${CODE}`;
  protected override readonly marker = 'sections';

  /** A section's state in words ("Shared" or "Kept internal"). */
  async stateOf(section: string): Promise<string> {
    return (await this.qa(`section-${section}`).innerText()).trim();
  }
  async keepInternal(labels: string[]): Promise<ShareSectionsPage> {
    const boxes = this.qa('sections-form').getByRole('checkbox');
    for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).uncheck();
    for (const label of labels) await this.page.getByLabel(label, { exact: true }).check();
    return this.goTo(new ShareSectionsPage(this.page), () => this.qa('save').click());
  }
}

describe('keeping a section of a shared priority internal, without JavaScript', () => {
  let session: Session;
  let page: Page;

  before(async () => {
    session = await startSession();
    const { services } = session.testApp;
    const leeds = systemActor((await services.organisations.getHome()).id, 'e2e');
    const partner = await services.organisations.createHome('e2e', { name: PARTNER, kind: 'public_body' });
    const agreement = await services.sharing.createAgreement(leeds, {
      partner: partner.slug,
      title: 'Browser sections agreement',
      purpose: 'The partner follows VfM-4d',
      dataShared: 'VfM-4d reports',
      legalBasis: 'Local Government Act 2000, s.2',
      startsOn: '01/04/2009',
      endsOn: '31/03/2099',
      signatories: 'Leeds; the partner',
    });
    await services.sharing.createShare(leeds, agreement, {
      priorityId: (await services.plans.getPriority(leeds, CODE)).id,
      level: 'read',
      periodIds: [(await services.periods.list(leeds)).find((p) => p.key === H1)!.id],
    });
    page = await session.newPage({ javaScriptEnabled: false });
  });
  after(async () => session?.close());

  it('keeps the challenges from the partner and shares them again, with a confirmation each time', async () => {
    const report = await new ReportPage(page, CODE, TITLE).open(paths.reports.show(CODE, H1));
    const talk = await report.follow(
      page.locator('[data-qa="conversation"] a', { hasText: `Comments with ${PARTNER}` }),
      new ShareConversationPage(page, PARTNER),
    );
    assert.match(await talk.qa('partner-sees').innerText(), /Kept internal: Nothing\./);
    const sections = await talk.follow(talk.qa('choose-sections'), new ShareSectionsPage(page));
    assert.equal(await sections.stateOf('challenges'), 'Shared');

    const kept = await sections.keepInternal(['Challenges and risks']);
    assert.match(
      (await kept.flash()) ?? '(no success banner)',
      /now sees: .*Key achievements.*\. Kept internal: Challenges and risks\./,
    );
    assert.equal(await kept.stateOf('challenges'), 'Kept internal');
    assert.equal(await kept.stateOf('summary'), 'Shared');

    const again = await kept.keepInternal([]);
    assert.match((await again.flash()) ?? '(no success banner)', /Kept internal: Nothing\./);
    assert.equal(await again.stateOf('challenges'), 'Shared');
    // Back to the report it was opened from.
    await again.back(new ReportPage(page, CODE, TITLE));
  });
});
