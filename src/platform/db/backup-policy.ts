// What `amber backup` leaves out, and why. Every other table of the database is copied: the list of
// tables comes from PostgreSQL's catalogue when the backup is taken, so a table added by a future
// migration is in the next backup without anyone remembering to add it. What is left out has to be
// named here, with its reason, and test/backup.test.ts checks this list against the catalogue (a
// renamed table cannot quietly start being copied, nor a secret table be added without a decision).
//
// The rule: a backup carries everything a council built and every record of who did what, but no
// live credential. Restoring a backup brings the database back to a moment in the past; a
// credential copied with it would come back to life even if it was revoked after that moment (a
// session signed out, a token revoked after a laptop was stolen) — and the commonest reason to
// restore is an incident. Credentials that are cheap to make again are therefore left out unless
// `--include-secrets` asks for them (a move to new hardware where nothing was compromised).
//
// Column by column, what is kept although it is sensitive:
//   user_account.password_hash  kept: argon2id hashes, made to withstand an offline attack; without
//       them nobody could sign in after a restore, and each account would need a reset link by
//       e-mail (which a deployment without a mail server cannot send). After restoring because of
//       a compromise, reset the passwords of the accounts concerned.
//   security_event, sign_in_attempt  kept: the security log and the sign-in limits' records are
//       evidence, not credentials (addresses and e-mail addresses, as in the audit trail).
//   job.input  kept: queued e-mails may hold a reset or invitation link, but the link's token is
//       one_time_token's row, which is left out, so the link no longer works.

/** Tables copied only with `--include-secrets`, each with the reason it is left out otherwise. */
export const SECRET_TABLES: Readonly<Record<string, string>> = {
  user_session:
    'signed-in sessions (hashes of cookie secrets, CSRF tokens): restoring them would revive sessions that were signed out or ended after the backup; people simply sign in again',
  one_time_token: 'invitation and password-reset links: single-use and short-lived; an administrator sends a new one',
  api_token:
    "personal API tokens (hashes): a restore would revive tokens revoked after the backup; their owners make new ones on their account page, and the tokens' names are in the security log",
};

/** Tables never copied as rows: the backup's header lists the applied migrations instead. */
export const BOOKKEEPING_TABLES: readonly string[] = ['kysely_migration', 'kysely_migration_lock'];

/**
 * Tables whose rows the migrations themselves write (migration 2026-12-04-001 inserts the one
 * `deployment` row). Rows there do not make a migrated database "not empty"; a restore replaces them
 * with the backup's.
 */
export const WRITTEN_BY_MIGRATIONS: readonly string[] = ['deployment'];
