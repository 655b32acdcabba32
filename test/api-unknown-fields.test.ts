// A write to the API refuses a field it does not take (issue 11: "forged organisation ids in … API
// bodies … → refused"; issue 13's rule for query strings, now for bodies too): a body naming
// `organisationId` — which no operation takes, the organisation being the URL's or the token's —
// is answered 422 naming the field, before the handler runs, changing nothing. Generated from the
// OpenAPI document, so an operation added later is covered without a new test. A slip is answered
// with what was meant; a deprecated field is accepted and never required. On both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp, type TestSession } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

type Json = Record<string, any>;
const WRITES = ['post', 'put', 'patch', 'delete'] as const;

for (const engine of ENGINES)
  describe(`an API write refuses a field it does not take [${engine}]`, () => {
    let t: TestApp;
    let other: string;
    /** Every role, linked to a person (sign-offs are refused at access to an account without one). */
    let everyone: TestSession;
    before(async () => {
      t = await buildTestApp(engine);
      other = (await t.services.organisations.createHome('test', { name: 'Forging Borough Council', kind: 'council' }))
        .id;
      const leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      const person = (await t.services.people.list(leeds))[0]!;
      everyone = await t.signIn(
        ['administrator', 'performance_officer', 'accountable_officer', 'accountable_director', 'contributor'],
        { personId: person.id },
      );
    });
    after(async () => t?.close());

    it('refuses organisationId in the body of every write the document lists, naming it, changing nothing', async () => {
      const doc = (await t.app.inject({ url: paths.api.openapi })).json<Json>();
      const before = await fingerprint(t.db);
      const answered: string[] = [];
      let writes = 0;
      for (const [template, item] of Object.entries(doc.paths as Record<string, Json>))
        for (const method of WRITES) {
          const op = item[method] as Json | undefined;
          if (!op) continue;
          // A file upload is multipart: its parts are the file and the form's fields, read by the handler.
          if (op.requestBody?.content?.['multipart/form-data']) continue;
          writes++;
          const url = template.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-00000000dead');
          const res = await t.app.inject({
            method: method.toUpperCase() as 'POST',
            url,
            payload: { organisationId: other, version: 1 },
            headers: everyone.headers,
          });
          const fields = res.statusCode === 422 ? (res.json().errors as { field: string }[]).map((e) => e.field) : [];
          if (!fields.includes('organisationId'))
            answered.push(`${method.toUpperCase()} ${template}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          else
            assert.match(
              res.json().errors.find((e: Json) => e.field === 'organisationId').message,
              /^Unknown field “organisationId”: this operation does not read it, so it is refused rather than ignored/,
            );
        }
      assert.ok(writes > 60, `only ${writes} writes in the document`);
      assert.deepEqual(answered, [], 'writes that did not refuse organisationId');
      assert.deepEqual(await fingerprint(t.db), before, 'nothing changed');
    });

    it('says what a slip meant, and accepts a deprecated field without asking for it', async () => {
      const leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      const exercise = (await t.services.diagnostics.listExercises(leeds))[0]!;
      const read = (await t.app.inject({ url: paths.api.exercise(exercise.id) })).json<Json>();
      const settings = {
        name: read.name,
        financialYear: String(read.financialYear),
        runningCosts: String(read.runningCosts / 100),
        headcount: read.headcount === null ? '' : String(read.headcount),
        taxonomyVersionId: read.taxonomyVersionId,
        scope: read.scope,
        version: read.version,
      };
      const slip = await t.app.inject({
        method: 'PUT',
        url: paths.api.exercise(exercise.id),
        payload: { ...settings, nmae: 'Misspelt' },
      });
      assert.equal(slip.statusCode, 422, slip.body);
      assert.deepEqual(slip.json().errors, [
        {
          field: 'nmae',
          message:
            'Unknown field “nmae”: this operation does not read it, so it is refused rather than ignored; did you mean name?',
        },
      ]);
      // `shareWithPeers` is deprecated (ADR 0018): a PUT need not send it, and may send it false.
      const without = await t.app.inject({ method: 'PUT', url: paths.api.exercise(exercise.id), payload: settings });
      assert.equal(without.statusCode, 200, without.body);
      const withFalse = await t.app.inject({
        method: 'PUT',
        url: paths.api.exercise(exercise.id),
        payload: { ...settings, version: without.json().version, shareWithPeers: false },
      });
      assert.equal(withFalse.statusCode, 200, withFalse.body);
      const doc = (await t.app.inject({ url: paths.api.openapi })).json<Json>();
      const body = doc.paths['/api/diagnostic/exercises/{id}'].put.requestBody.content['application/json'].schema;
      assert.equal(body.properties.shareWithPeers.deprecated, true);
      assert.ok(!body.required.includes('shareWithPeers'), 'not required');
    });
  });
