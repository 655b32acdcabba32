// Deleting an approved business case (issue 12), on PGlite and PostgreSQL: the approval is a
// decision on record, so the case goes only with the reason stated — on the page (which says who
// approved it and when, and asks why) and through the API — and the audit trail keeps the reason
// beside the case as it was. Without a reason nothing changes; a draft case still goes without one.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from '../../../test/helpers/database.ts';
import { buildTestApp, form, type TestApp } from '../../../test/helpers/app.ts';
import { fingerprint } from '../../../test/helpers/fingerprint.ts';
import { htmlText, errorSummary } from '../../../test/helpers/html.ts';
import { paths } from '../../paths.ts';
import { systemActor, type Actor } from '../../domain/actor.ts';

const P = paths.efficiency;

for (const engine of ENGINES) {
  describe(`an approved business case is deleted only with the reason, kept in the audit trail [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let exerciseId: string;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 'Finance Director');
      exerciseId = (await t.services.diagnostics.listExercises(actor))[0]!.id;
    });
    after(async () => t?.close());

    /** A case with business as usual and two other options, one preferred, approved: no project on it. */
    async function approvedCase(title: string) {
      const c = await t.services.efficiency.createCase(actor, exerciseId, { title, baseYear: '2010' });
      let version = c.version;
      for (const o of [
        { name: 'Business as usual', businessAsUsual: 'yes' },
        { name: 'Consolidate', preferred: 'yes' },
        { name: 'Share a service' },
      ])
        version = (await t.services.efficiency.addOption(actor, exerciseId, c.id, { ...o, version })).version;
      const approved = await t.services.efficiency.approveCase(actor, exerciseId, c.id, { version: String(version) });
      assert.equal(approved.status, 'approved');
      return approved;
    }
    const deletions = async (id: string) =>
      (
        await sql<{ before: unknown; after: unknown }>`select before, after from audit_event
          where entity = 'business_case' and entity_id = ${id} and action = 'delete'`.execute(t.db)
      ).rows.map((r) => ({
        before: typeof r.before === 'string' ? JSON.parse(r.before) : r.before,
        after: typeof r.after === 'string' ? JSON.parse(r.after) : r.after,
      }));

    it('asks on the page who approved it and why it goes, refuses without a reason, and keeps the reason', async () => {
      const c = await approvedCase('Approved in error');
      const confirm = await t.app.inject({ url: P.deleteCase(exerciseId, c.id) });
      assert.equal(confirm.statusCode, 200);
      const text = htmlText(confirm.body);
      assert.match(text, /The business case was approved by Finance Director on \d{1,2} \w+ \d{4}/);
      assert.match(text, /deleting it needs the reason, which the audit trail keeps/);
      assert.match(confirm.body, /<textarea[^>]*name="reason"/);

      const before = await fingerprint(t.db);
      const refused = await t.app.inject({
        method: 'POST',
        url: P.deleteCase(exerciseId, c.id),
        ...form({ version: String(c.version), reason: '   ' }),
      });
      assert.equal(refused.statusCode, 422);
      assert.match(
        errorSummary(refused.body).join('\n'),
        /approved by Finance Director.*give the reason for deleting it/,
      );
      assert.match(refused.body, /href="#reason"/);
      assert.deepEqual(await fingerprint(t.db), before, 'nothing changed without a reason');

      const reason = 'Approved in error: the committee approved the shared-service case instead';
      const gone = await t.app.inject({
        method: 'POST',
        url: P.deleteCase(exerciseId, c.id),
        ...form({ version: String(c.version), reason }),
      });
      assert.equal(gone.statusCode, 303, errorSummary(gone.body).join('\n'));
      assert.equal((await t.app.inject({ url: P.case(exerciseId, c.id) })).statusCode, 404);
      const [event] = await deletions(c.id);
      assert.deepEqual(event!.after, { reason });
      assert.equal((event!.before as { status: string }).status, 'approved', 'the case as it was, approval included');
      assert.equal((event!.before as { approvedBy: string }).approvedBy, 'Finance Director');
    });

    it('refuses through the API without a reason, naming the field, and deletes with one', async () => {
      const c = await approvedCase('Superseded');
      const url = paths.api.case(exerciseId, c.id);
      const before = await fingerprint(t.db);
      const refused = await t.app.inject({ method: 'DELETE', url, payload: { version: c.version } });
      assert.equal(refused.statusCode, 422);
      const errors = refused.json().errors as { field: string; message: string }[];
      assert.deepEqual(
        errors.map((e) => e.field),
        ['reason'],
      );
      assert.match(errors[0]!.message, /^The business case was approved by Finance Director on /);
      assert.deepEqual(await fingerprint(t.db), before, 'nothing changed without a reason');

      const stale = await t.app.inject({ method: 'DELETE', url, payload: { version: c.version - 1, reason: 'x' } });
      assert.equal(stale.statusCode, 409, 'the version is still checked');
      const gone = await t.app.inject({
        method: 'DELETE',
        url,
        payload: { version: c.version, reason: 'Superseded before any project started' },
      });
      assert.equal(gone.statusCode, 200, gone.body);
      assert.deepEqual((await deletions(c.id))[0]!.after, { reason: 'Superseded before any project started' });
    });

    it('still deletes a draft case without a reason, and asks for none', async () => {
      const draft = await t.services.efficiency.createCase(actor, exerciseId, { title: 'A draft', baseYear: '2010' });
      const confirm = await t.app.inject({ url: P.deleteCase(exerciseId, draft.id) });
      assert.doesNotMatch(confirm.body, /name="reason"/);
      const gone = await t.app.inject({
        method: 'DELETE',
        url: paths.api.case(exerciseId, draft.id),
        payload: { version: draft.version },
      });
      assert.equal(gone.statusCode, 200, gone.body);
      assert.deepEqual((await deletions(draft.id))[0]!.after, null);
    });
  });
}
