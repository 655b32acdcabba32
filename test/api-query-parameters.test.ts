// Query parameters are part of an API operation's declaration (issue 13): the OpenAPI document
// describes them (name, where, whether required, their schema and meaning) and the same schema
// checks them before the handler runs, so the document and the validation cannot disagree. The
// status scale's `?period` is the first declared, on both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { paths } from '../src/paths.ts';

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: { type?: string; maxLength?: number };
}

for (const engine of ENGINES) {
  describe(`query parameters in the API's description [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());
    const get = (url: string) => t.app.inject({ url });

    it('describes GET /api/status-scale?period in the OpenAPI document, optional, with its meaning and limits', async () => {
      const doc = (await get(paths.api.openapi)).json();
      const op = doc.paths[paths.api.statusScale].get;
      assert.ok(op, 'the operation is documented');
      const params = op.parameters as Parameter[];
      assert.deepEqual(
        params.map((p) => [p.name, p.in, p.required]),
        [['period', 'query', false]],
      );
      const period = params[0]!;
      assert.equal(period.schema.type, 'string');
      assert.equal(period.schema.maxLength, 40);
      assert.match(period.description ?? '', /reporting period’s key \(like 2009-10-h2\)/);
      assert.ok(op.responses['422'], 'a bad query parameter is a documented answer');
      // The PUT on the same path has no query: nothing is declared for it.
      assert.equal(doc.paths[paths.api.statusScale].put.parameters, undefined);
      // Path parameters are still described beside them elsewhere.
      assert.ok(
        Object.values(doc.paths as Record<string, Record<string, { parameters?: Parameter[] }>>)
          .flatMap((p) => Object.values(p))
          .some((o) => o.parameters?.some((p) => p.in === 'path')),
      );
    });

    it('checks the query against the declared schema: a bad period is refused naming it, a good one is used', async () => {
      const tooLong = await get(`${paths.api.statusScale}?period=${'x'.repeat(41)}`);
      assert.equal(tooLong.statusCode, 422, tooLong.body);
      assert.deepEqual(
        tooLong.json().errors.map((e: { field: string }) => e.field),
        ['period'],
      );
      const twice = await get(`${paths.api.statusScale}?period=2009-10-h1&period=2009-10-h2`);
      assert.equal(twice.statusCode, 422, 'two periods at once are not one period');
      assert.equal(twice.json().errors[0].field, 'period');

      const newest = await get(paths.api.statusScale);
      assert.equal(newest.statusCode, 200);
      const forPeriod = await get(`${paths.api.statusScale}?period=2009-10-h1`);
      assert.equal(forPeriod.statusCode, 200, forPeriod.body);
      assert.deepEqual(
        forPeriod.json().map((s: { key: string }) => s.key),
        newest.json().map((s: { key: string }) => s.key),
        'the demo has one version of its scale',
      );
      assert.equal((await get(`${paths.api.statusScale}?period=1999-00-h1`)).statusCode, 404);
    });
  });
}
