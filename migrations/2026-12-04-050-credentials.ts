// Credentials that mean what they say (issue 9).
//
// Personal API tokens get a scope (`read`: GET and HEAD only; `read-write`) and an expiry chosen
// when they are made, and a revoked token keeps why it was revoked (by its owner, a password
// change or reset, the account being disabled), so a refusal can say so.
//
// EXISTING TOKENS become `read-write` (what they could do until now) and expire 90 days after
// this migration runs: nobody's script stops at once, and nothing made before lives for ever.
//
// Sign-in attempts are now reserved before the password is checked (so concurrent guesses cannot
// all slip under the limit): `checked_at` is when the password was verified, null while it is
// being verified (or if the process stopped meanwhile, when it still counts as a failure).
// Attempts recorded before this migration were all checked when they were made.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_token')
    .addColumn('scope', 'text', (c) =>
      c
        .notNull()
        .defaultTo('read-write')
        .check(sql`scope in ('read', 'read-write')`),
    )
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .execute();
  await sql`update api_token set expires_at = now() + interval '90 days'`.execute(db);
  // From now on the application always says which scope and expiry a token has.
  await sql`alter table api_token alter column scope drop default, alter column expires_at set not null`.execute(db);
  await sql`update api_token set revoked_reason = 'revoked by its owner' where revoked_at is not null`.execute(db);
  await db.schema.createIndex('api_token_user').on('api_token').column('user_id').execute();

  await db.schema.alterTable('sign_in_attempt').addColumn('checked_at', 'timestamptz').execute();
  await sql`update sign_in_attempt set checked_at = at`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sign_in_attempt').dropColumn('checked_at').execute();
  await db.schema.dropIndex('api_token_user').execute();
  await db.schema
    .alterTable('api_token')
    .dropColumn('scope')
    .dropColumn('expires_at')
    .dropColumn('revoked_reason')
    .execute();
}
