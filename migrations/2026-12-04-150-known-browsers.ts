// Sign-in limits nobody else can use to lock an account (issue 13).
//
// A browser where an account's password was entered correctly keeps a cookie that proves it (a
// "known browser"). Its attempts at that account are counted by the browser, not by the address,
// so someone else at the same address (a council's shared connection, a proxy) cannot lock the
// owner out of it. `device` is the browser's id for that account (a hash of its cookie), null for
// an attempt from a browser not known to the account. Earlier attempts came from unknown browsers.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sign_in_attempt').addColumn('device', 'text').execute();
  // Failures of one account from every address (the account-wide count), and of one known browser.
  await db.schema.createIndex('sign_in_attempt_account').on('sign_in_attempt').columns(['email', 'at']).execute();
  await sql`create index sign_in_attempt_device on sign_in_attempt (device, at) where device is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sign_in_attempt_device').execute();
  await db.schema.dropIndex('sign_in_attempt_account').execute();
  await db.schema.alterTable('sign_in_attempt').dropColumn('device').execute();
}
