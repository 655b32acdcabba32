// Sessions are read in one query (issue 14, "Fast pages"): working out who is asking — the
// session, the account, its membership and roles in the session's organisation, how many
// organisations it belongs to — is one statement, sent before the request's unit of work starts
// acting for the organisation; the rest of the request is the page's own. Counted exactly
// (`observeStatements`), on both engines, for a page addressed plainly and under `/o/SLUG/`.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { observeStatements, type ObservedStatement } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';

for (const engine of ENGINES) {
  describe(`resolving a session [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => {
      await t?.close();
    });

    /** The statements a GET sends before its unit of work acts for the organisation, BEGIN left out. */
    async function beforeActing(url: string): Promise<string[]> {
      const statements: ObservedStatement[] = [];
      const stop = observeStatements(t.db, (s) => statements.push(s));
      let response;
      try {
        response = await t.app.inject({ method: 'GET', url });
      } finally {
        stop();
      }
      assert.equal(response.statusCode, 200, `GET ${url}: ${response.body.slice(0, 300)}`);
      const sql = statements
        .map((s) => s.sql.trim())
        // The session's last-seen time is written at most once a minute, by whichever request comes.
        .filter((s) => !/^update "user_session"/i.test(s) && !/^begin/i.test(s));
      const acting = sql.findIndex((s) => s.startsWith('set local role amber_tenant'));
      assert.ok(acting > 0, `GET ${url} never acted for its organisation:\n${sql.join('\n')}`);
      return sql.slice(0, acting);
    }

    it('reads who is asking in one statement, on a page addressed plainly', async () => {
      const sql = await beforeActing(paths.priorities.list);
      assert.equal(sql.length, 1, sql.join('\n'));
      assert.match(sql[0]!, /from "user_session"/);
      assert.match(sql[0]!, /"membership"/);
    });

    it('reads who is asking in one statement under the address of their own organisation', async () => {
      const home = await t.services.organisations.getHome();
      const sql = await beforeActing(`/o/${home.slug}${paths.priorities.list}`);
      assert.equal(sql.length, 1, sql.join('\n'));
      assert.match(sql[0]!, /from "user_session"/);
    });
  });
}
