// An agreement reaching its end date is written into the history (issue 11, item 2: "when it ends
// or is revoked, access ends at once, and the history says so"). The scheduled tick every instance
// runs (reminders/reminder.scheduler.ts) writes one "ended" audit event per agreement, dated by its
// end date, in the sharing organisation's trail, as revocation is written; run again, or by several
// instances at once, it writes no second one. Time passes as in test/sharing-api.test.ts: the
// agreement's dates are moved back. On both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { formatDate, type IsoDate } from '../src/domain/dates.ts';
import { ukToday } from '../src/domain/sharing.ts';
import { addDays } from '../src/modules/reminders/reminder.schedule.ts';
import { startReminderScheduler } from '../src/modules/reminders/reminder.scheduler.ts';
import { paths } from '../src/paths.ts';

const H1 = '2009-10-h1';

for (const engine of ENGINES)
  describe(`an agreement reaching its end date is recorded in the history [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let partnerId: string;
    let partnerSlug: string;
    const today = ukToday() as IsoDate;
    const yesterday = addDays(today, -1);
    const tomorrow = addDays(today, 1);

    const agreement = (title: string) =>
      t.services.sharing.createAgreement(leeds, {
        partner: partnerSlug,
        title,
        purpose: 'The partner follows VfM-4d',
        dataShared: 'VfM-4d progress reports',
        legalBasis: 'Local Government Act 2000, s.2',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Leeds; End Partners',
      });
    /** As if time had passed: the agreement's last day is `endsOn`. */
    const endsOn = (id: string, day: string) =>
      sql`update sharing_agreement set ends_on = ${day}::date where id = ${id}`.execute(t.db);
    /** The "ended" events of an entity, in any organisation's trail. */
    const endedEvents = async (entityId: string) =>
      (
        await sql<{ organisation_id: string; entity: string; action: string; after: { endedOn?: string } }>`
          select organisation_id, entity, action, after from audit_event
          where entity_id = ${entityId} and after->>'ended' = 'true' order by id`.execute(t.db)
      ).rows;
    /** The scheduled work as the server runs it: the reminder scheduler's tick. */
    const runScheduledWork = async () => {
      const scheduler = startReminderScheduler(t.services.reminders, { firstAfterMs: 3_600_000 });
      try {
        await scheduler.tickNow();
      } finally {
        await scheduler.stop();
      }
    };

    before(async () => {
      t = await buildTestApp(engine);
      leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      const org = await t.services.organisations.createHome('test', { name: 'End Partners', kind: 'public_body' });
      partnerId = org.id;
      partnerSlug = org.slug!;
    });
    after(async () => t?.close());

    it('records once, dated by its end date, that an agreement which ended yesterday has ended, and shows it on its page', async () => {
      const ended = await agreement('Ended yesterday');
      const periodId = (await t.services.periods.list(leeds)).find((p) => p.key === H1)!.id;
      const shareId = await t.services.sharing.createShare(leeds, ended, {
        priorityId: (await t.services.plans.getPriority(leeds, 'VfM-4d')).id,
        level: 'read',
        periodIds: [periodId],
      });
      const future = await agreement('Ends tomorrow');
      await endsOn(ended, yesterday);
      await endsOn(future, tomorrow);

      await runScheduledWork();
      await runScheduledWork();

      const events = await endedEvents(ended);
      assert.equal(events.length, 1, 'exactly one "ended" event after two runs');
      assert.equal(events[0]!.organisation_id, leeds.organisationId, 'in the sharing organisation’s trail');
      assert.equal(events[0]!.entity, 'sharing_agreement');
      assert.equal(events[0]!.action, 'update');
      assert.equal(events[0]!.after.endedOn, yesterday, 'it says the day it ended, not only when it was noticed');
      assert.equal((await endedEvents(future)).length, 0, 'an agreement ending tomorrow has not ended');
      // As with revocation, the share ends with its agreement and gets no event of its own.
      assert.equal((await endedEvents(shareId)).length, 0);
      const partnerTrail = await sql<{ n: number }>`
        select count(*)::int as n from audit_event
        where organisation_id = ${partnerId} and entity_id in (${ended}, ${shareId})`.execute(t.db);
      assert.equal(partnerTrail.rows[0]!.n, 0, 'the partner’s trail holds nothing of it, as with revocation');

      const page = await t.app.inject({ url: paths.sharing.agreement(ended) });
      assert.equal(page.statusCode, 200);
      const history = /data-qa="agreement-history"[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
      assert.match(history, /Agreement recorded/);
      assert.match(history, /VfM-4d shared/);
      assert.match(
        history,
        new RegExp(`Ended: its last day was ${formatDate(yesterday)}\\. Nothing is shared under it any more\\.`),
      );
      assert.equal(history.match(/Ended:/g)?.length, 1);
      const futurePage = await t.app.inject({ url: paths.sharing.agreement(future) });
      assert.doesNotMatch(futurePage.body, /Ended:/);
    });

    it('writes one event however many instances run the scheduled work at once', async () => {
      const ended = await agreement('Ended, noticed by several at once');
      await endsOn(ended, yesterday);
      await Promise.all([
        runScheduledWork(),
        t.services.sharing.recordEndedAgreements(),
        t.services.sharing.recordEndedAgreements(),
        t.services.reminders.recordAgreementEnds(),
      ]);
      assert.equal((await endedEvents(ended)).length, 1);
    });

    it('writes no "ended" event for an agreement revoked before its end date', async () => {
      const revoked = await agreement('Revoked, then its end date passed');
      await t.services.sharing.revokeAgreement(leeds, revoked, { reason: 'The partnership was wound up', version: 1 });
      await endsOn(revoked, yesterday);
      await runScheduledWork();
      assert.equal((await endedEvents(revoked)).length, 0);
      const page = await t.app.inject({ url: paths.sharing.agreement(revoked) });
      const history = /data-qa="agreement-history"[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
      assert.match(history, /Revoked: The partnership was wound up\./);
      assert.doesNotMatch(history, /Ended:/);
    });
  });
