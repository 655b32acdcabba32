// Sign-in (issue 3): user accounts (local password or single sign-on), their roles in each
// organisation, sessions kept in the database (so several app instances serve one user),
// single-use tokens for password resets and invitations, personal API tokens, sign-in attempts
// (for rate limiting across instances) and the security log. Secrets are never stored: sessions,
// one-time links and API tokens are kept as SHA-256 hashes, passwords as argon2id hashes.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('user_account')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('password_hash', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('invited').check(sql`state in ('invited', 'active', 'disabled')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_signed_in_at', 'timestamptz')
    .execute();
  // E-mail addresses are matched without regard to case: one account per address.
  await sql`create unique index user_account_email on user_account (lower(email))`.execute(db);

  await db.schema.createTable('membership')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.references('person.id').onDelete('set null'))
    .addColumn('roles', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('membership_pk', ['user_id', 'organisation_id'])
    .addCheckConstraint('membership_roles_known', sql`roles <@ array['administrator', 'performance_officer', 'accountable_officer', 'accountable_director', 'contributor', 'viewer']::text[]`)
    .execute();

  await db.schema.createTable('user_session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('password', 'oidc')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('user_agent', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('user_session_user').on('user_session').column('user_id').execute();

  await db.schema.createTable('one_time_token')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('password_reset', 'invitation')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema.createTable('api_token')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema.createTable('sign_in_attempt')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('succeeded', 'boolean', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index sign_in_attempt_email on sign_in_attempt (lower(email), at)`.execute(db);
  await db.schema.createIndex('sign_in_attempt_ip').on('sign_in_attempt').columns(['ip', 'at']).execute();

  // What happened that matters to security: sign-ins, failures, lock-outs, refused requests
  // (CSRF, forbidden), token use. Append-only like the audit trail.
  await db.schema.createTable('security_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisation.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.references('user_account.id').onDelete('set null'))
    .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('ip', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('security_event_time').on('security_event').column('occurred_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['security_event', 'sign_in_attempt', 'api_token', 'one_time_token', 'user_session', 'membership', 'user_account']) {
    await db.schema.dropTable(t).execute();
  }
}
