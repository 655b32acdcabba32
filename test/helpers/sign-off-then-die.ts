// A child process for test/sign-off-transaction.test.ts: opens the database at DATABASE_URL,
// posts the officer's sign-off form with the session in AMBER_TEST_COOKIE, and kills itself with
// SIGKILL the moment the request's unit of work has committed — before anything after the commit
// (waking the job worker, sending the e-mail) can run. The parent then checks that the e-mail,
// queued in the same transaction, is still sent.

import { buildApp } from '../../src/app.ts';
import { buildServices } from '../../src/composition.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { DB } from '../../src/schema.ts';

const url = process.env.DATABASE_URL!;
const [cookie, csrf, target, version] = [
  process.env.AMBER_TEST_COOKIE!,
  process.env.AMBER_TEST_CSRF!,
  process.env.AMBER_TEST_URL!,
  process.env.AMBER_TEST_VERSION!,
];
const handle = await openDatabase<DB>({ databaseUrl: url, poolSize: 2 });
const services = buildServices(handle, { log: () => {} });
const app = await buildApp({
  config: { env: 'test', logLevel: 'silent' },
  db: handle.db,
  units: handle.units,
  services,
});
handle.units.onFinish((stats) => {
  // The sign-off's unit (it writes): committed, nothing after it has run yet.
  if (stats.committed && !stats.readOnly && stats.statements > 4) {
    process.stdout.write(`committed ${stats.statements}\n`, () => process.kill(process.pid, 'SIGKILL'));
  }
});
await app.inject({
  method: 'POST',
  url: target,
  payload: new URLSearchParams({ version, decision: 'approve', comment: '' }).toString(),
  headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded' },
});
// Not reached: the process dies when the unit commits.
process.stdout.write('the sign-off did not commit\n');
process.exit(3);
