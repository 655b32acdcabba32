// Joint owners see each other's sign-offs, and sign off only what they read (issue 11). Leeds owns
// VfM-4d jointly with two partners; a third partner only reads it; a fourth organisation has nothing
// shared. Each joint owner sees every joint owner's sign-off of the report in sign-off (through its
// service, the API and a raw query that forgets every condition); the reading partner and the
// stranger see none (migration 2026-12-08-200). A joint sign-off sends the report's version: a
// report changed since is refused with 409 saying what it is now, and nothing changes. Both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, createTestSession, type TestApp, type TestSession } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor, type UserActor } from '../src/domain/actor.ts';

const A = paths.api;
const CODE = 'VfM-4d';
const H2 = '2009-10-h2';

for (const engine of ENGINES)
  describe(`joint owners of a priority see each other’s sign-offs [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let leedsOfficer: UserActor;
    let priorityId: string;
    let reportId: string;
    interface Org {
      name: string;
      id: string;
      shareId: string;
      officer: TestSession;
    }
    const joint: Org[] = [];
    let reader: Org; // shares VfM-4d to read, not as an owner
    let stranger: Org; // nothing shared

    const acting = <T>(organisationId: string, fn: () => Promise<T>) => t.units.run(fn, { organisationId });
    const call = (method: 'GET' | 'POST', url: string, who: TestSession, payload?: Record<string, unknown>) =>
      t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
    /** The joint sign-off rows the organisation's transaction can read, by a query with no condition at all. */
    const visibleRows = (org: Org) =>
      acting(org.id, async () =>
        (await sql<{ partner_id: string }>`select partner_id from joint_sign_off`.execute(t.units.db)).rows
          .map((r) => r.partner_id)
          .sort(),
      );
    const jointOwnersAsSeenBy = (org: Org) =>
      acting(org.id, async () =>
        (
          await sql<{ partner_name: string }>`select partner_name from amber_joint_owners(${priorityId})`.execute(
            t.units.db,
          )
        ).rows.map((r) => r.partner_name),
      );
    const sharedReport = async (org: Org) => {
      const r = await call('GET', A.sharedReport(org.shareId, H2), org.officer);
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{
        report: { jointSignOffs?: { organisation: string; signed: boolean; name: string }[] };
        joint: { version: number; signed: boolean } | null;
      }>();
    };
    const table = (r: Awaited<ReturnType<typeof sharedReport>>) =>
      (r.report.jointSignOffs ?? []).map((j) => [j.organisation, j.signed]);
    const state = async () => {
      const { security_event: _log, user_session: _sessions, ...rest } = await fingerprint(t.db);
      return rest;
    };

    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      leeds = systemActor(home.id, 'test');
      const priority = await t.services.plans.getPriority(leeds, CODE);
      priorityId = priority.id;
      if (!(await t.services.reports.findBundle(leeds, CODE, H2)))
        await t.services.reports.create(leeds, CODE, { period: H2 });
      await t.services.reports.updateSections(leeds, CODE, H2, {
        summary: 'Owned jointly.',
        status: 'green',
        statusReason: '',
      });
      const h2 = (await t.services.periods.list(leeds)).find((p) => p.key === H2)!;
      const partner = async (name: string, share: Record<string, unknown> | undefined): Promise<Org> => {
        const org = await t.services.organisations.createHome('test', { name, kind: 'other' });
        const officer = await createTestSession(t.services, org.id, ['accountable_officer']);
        if (!share) return { name, id: org.id, shareId: '', officer };
        const agreement = await acting(home.id, () =>
          t.services.sharing.createAgreement(leeds, {
            partner: org.slug,
            title: `VfM-4d with ${name}`,
            purpose: 'Deliver VfM-4d together',
            dataShared: 'VfM-4d reports',
            legalBasis: 'Local Government Act 2000, s.2',
            startsOn: '01/04/2009',
            endsOn: '31/03/2099',
            signatories: 'Both',
          }),
        );
        const shareId = await acting(home.id, () =>
          t.services.sharing.createShare(leeds, agreement, {
            priorityId,
            periodIds: [h2.id],
            internalSections: [],
            ...share,
          }),
        );
        return { name, id: org.id, shareId, officer };
      };
      joint.push(await partner('Alpha Health Trust', { level: 'update', joint: 'yes', jointOfficer: 'Ann Alpha' }));
      joint.push(await partner('Beta Borough Council', { level: 'update', joint: 'yes', jointOfficer: 'Ben Beta' }));
      reader = await partner('Reading Partner', { level: 'read' });
      stranger = await partner('Stranger Council', undefined);
      leedsOfficer = {
        kind: 'user',
        organisationId: home.id,
        label: 'lee@leeds.example',
        userId: '00000000-0000-4000-8000-000000000001',
        roles: ['accountable_officer'],
        personId: priority.accountableOfficer!.id,
      };
      const submitted = await acting(home.id, () => t.services.reports.submit(leedsOfficer, CODE, H2, {}));
      reportId = submitted.id;
    });
    after(async () => t?.close());

    it('refuses a joint sign-off of a report changed since it was read, saying what it is now, and changes nothing', async () => {
      const [alpha] = joint;
      const read = (await sharedReport(alpha!)).joint!;
      // The owner's officer approves after Alpha's officer read the submitted report.
      await acting(leeds.organisationId, () => t.services.reports.approve(leedsOfficer, CODE, H2, {}));
      const before = await state();
      const stale = await call('POST', A.sharedSignOff(alpha!.shareId, H2), alpha!.officer, { version: read.version });
      assert.equal(stale.statusCode, 409, stale.body);
      assert.equal(stale.json().code, 'STALE_VERSION');
      assert.match(
        stale.json().detail ?? stale.json().message ?? stale.body,
        new RegExp(
          `changed this report after you read it \\(you read version ${read.version}; it is now version ${read.version + 1}, last changed .+\\): its accountable officer has approved revision 1\\. Nothing has been signed off`,
        ),
      );
      const missing = await call('POST', A.sharedSignOff(alpha!.shareId, H2), alpha!.officer, {
        comment: 'No version',
      });
      assert.equal(missing.statusCode, 422);
      assert.deepEqual(
        (missing.json().errors as { field: string }[]).map((e) => e.field),
        ['version'],
      );
      assert.deepEqual(await state(), before, 'nothing changed');

      const now = (await sharedReport(alpha!)).joint!;
      assert.equal(now.version, read.version + 1);
      const signed = await call('POST', A.sharedSignOff(alpha!.shareId, H2), alpha!.officer, {
        version: now.version,
        comment: 'Agreed for Alpha',
      });
      assert.equal(signed.statusCode, 200, signed.body);
      assert.equal(signed.json().signed, true);
    });

    it('shows each joint owner every joint owner’s sign-off: its service, the API and a query with no condition', async () => {
      const [alpha, beta] = joint;
      // Beta has not signed: it sees Alpha's sign-off and itself awaiting, as Leeds does.
      const seenByBeta = await sharedReport(beta!);
      assert.deepEqual(table(seenByBeta), [
        ['Alpha Health Trust', true],
        ['Beta Borough Council', false],
      ]);
      const bundle = await acting(beta!.id, async () =>
        t.services.sharing.readShared(
          {
            kind: 'user',
            organisationId: beta!.id,
            label: 'ben@beta.example',
            userId: beta!.officer.userId,
            roles: ['accountable_officer'],
          },
          beta!.shareId,
          H2,
        ),
      );
      assert.deepEqual(
        bundle.bundle.joint?.map((j) => [j.partnerName, j.officer, j.decision]),
        [
          ['Alpha Health Trust', 'Ann Alpha', 'approved'],
          ['Beta Borough Council', 'Ben Beta', null],
        ],
      );
      assert.deepEqual(await visibleRows(beta!), [alpha!.id]);
      assert.deepEqual(await jointOwnersAsSeenBy(beta!), ['Alpha Health Trust', 'Beta Borough Council']);

      const signed = await call('POST', A.sharedSignOff(beta!.shareId, H2), beta!.officer, {
        version: seenByBeta.joint!.version,
      });
      assert.equal(signed.statusCode, 200, signed.body);
      // Now Alpha sees Beta's too.
      assert.deepEqual(table(await sharedReport(alpha!)), [
        ['Alpha Health Trust', true],
        ['Beta Borough Council', true],
      ]);
      assert.deepEqual(await visibleRows(alpha!), [alpha!.id, beta!.id].sort());
      // The owner sees them as before.
      const owner = await acting(leeds.organisationId, () => t.services.reports.readable(leeds, CODE, H2));
      assert.deepEqual(
        owner.joint?.map((j) => [j.partnerName, j.decision]),
        [
          ['Alpha Health Trust', 'approved'],
          ['Beta Borough Council', 'approved'],
        ],
      );
    });

    it('shows a partner that only reads the priority, and an organisation with nothing shared, none of them', async () => {
      assert.deepEqual(await visibleRows(reader), [], 'a reading partner reads no joint sign-off');
      assert.deepEqual(await jointOwnersAsSeenBy(reader), [], 'nor who the joint owners are');
      assert.deepEqual(table(await sharedReport(reader)), [], 'nor in its API');
      assert.equal((await sharedReport(reader)).joint, null);
      assert.deepEqual(await visibleRows(stranger), []);
      assert.deepEqual(await jointOwnersAsSeenBy(stranger), []);
      assert.equal((await call('GET', A.sharedReport(joint[0]!.shareId, H2), stranger.officer)).statusCode, 404);
      // A joint owner reads no sign-off of another report, even of the same owner.
      const other = await acting(
        joint[0]!.id,
        async () =>
          (
            await sql<{
              n: number;
            }>`select count(*)::int as n from joint_sign_off where report_id <> ${reportId}`.execute(t.units.db)
          ).rows[0]!.n,
      );
      assert.equal(other, 0);
    });
  });
