// All SQL of sign-in: accounts, memberships, sessions, one-time tokens, API tokens, sign-in
// attempts and the security log. Secrets arrive here already hashed.

import { sql, type Kysely } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { DB } from '../../schema.ts';
import type { Role } from '../../domain/permissions.ts';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  passwordHash: string | null;
  state: 'invited' | 'active' | 'disabled';
  version: number;
  createdAt: Date;
  lastSignedInAt: Date | null;
}

export interface MembershipRecord {
  userId: string;
  organisationId: string;
  organisationName: string;
  /** The name the organisation's URLs carry. */
  organisationSlug: string;
  personId: string | null;
  personName: string | null;
  roles: Role[];
}

/** What a request's session resolves to: one query per request. */
export interface SessionRecord {
  idHash: string;
  userId: string;
  email: string;
  name: string;
  state: UserRecord['state'];
  organisationId: string;
  organisationName: string;
  organisationSlug: string;
  /** How many organisations the account belongs to. */
  memberships: number;
  operator: boolean;
  personId: string | null;
  roles: Role[] | null;
  csrfToken: string;
  method: 'password' | 'oidc';
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /**
   * The organisation's access generation when the session was read (migration 2026-12-09-100): read
   * before anything the request decides on, so that a decision kept in memory under it (ADR 0017)
   * is never older than the number it is checked against.
   */
  accessGeneration: string;
  /** The next moment an agreement involving the organisation starts or ends; null when none will. */
  accessChangesAt: Date | null;
}

export type ApiTokenScope = 'read' | 'read-write';

export interface ApiTokenRecord {
  id: string;
  userId: string;
  organisationId: string;
  name: string;
  prefix: string;
  scope: ApiTokenScope;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Why it was revoked: by its owner, a password change or reset, the account disabled. */
  revokedReason: string | null;
}

/** Failed (or still being checked) sign-in attempts in the window (the account service's SIGN-IN LIMITS). */
export interface FailureCounts {
  /** This account from this address, by browsers not known to it. */
  pair: number;
  pairOldest: Date | null;
  /** Any account from this address. */
  address: number;
  addressOldest: Date | null;
  /** This account from every address, by browsers not known to it. */
  account: number;
  /** This known browser (0 when the attempt is not from one). */
  device: number;
  deviceOldest: Date | null;
}

export interface SecurityEventRecord {
  id: string;
  occurredAt: Date;
  email: string;
  ip: string;
  kind: string;
  detail: string;
}

export interface NewSecurityEvent {
  organisationId?: string | null;
  userId?: string | null;
  email?: string;
  ip?: string;
  kind: string;
  detail?: string;
}

const toUser = (r: {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  state: UserRecord['state'];
  version: number;
  created_at: Date;
  last_signed_in_at: Date | null;
}): UserRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  passwordHash: r.password_hash,
  state: r.state,
  version: r.version,
  createdAt: r.created_at,
  lastSignedInAt: r.last_signed_in_at,
});

function accountQueries(db: Kysely<DB>) {
  const memberships = () =>
    db
      .selectFrom('membership')
      .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
      .leftJoin('person', 'person.id', 'membership.person_id')
      .select([
        'membership.user_id',
        'membership.organisation_id',
        'organisation.name as organisation_name',
        'organisation.slug as organisation_slug',
        'membership.person_id',
        'person.name as person_name',
        'membership.roles',
      ]);
  const toMembership = (r: {
    user_id: string;
    organisation_id: string;
    organisation_name: string;
    organisation_slug: string | null;
    person_id: string | null;
    person_name: string | null;
    roles: Role[];
  }): MembershipRecord => ({
    userId: r.user_id,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    organisationSlug: r.organisation_slug ?? '',
    personId: r.person_id,
    personName: r.person_name,
    roles: r.roles,
  });

  /** Who a session is, in one statement (every signed-in request sends it): built and compiled once. */
  const sessionQuery = reusableQuery((p: { idHash: string }) =>
    db
      .selectFrom('user_session as s')
      .innerJoin('user_account as u', 'u.id', 's.user_id')
      .innerJoin('organisation as o', 'o.id', 's.organisation_id')
      .leftJoin('membership as m', (j) =>
        j.onRef('m.user_id', '=', 's.user_id').onRef('m.organisation_id', '=', 's.organisation_id'),
      )
      .select([
        's.id_hash',
        's.user_id',
        'u.email',
        'u.name',
        'u.state',
        's.organisation_id',
        'o.name as organisation_name',
        'o.slug as organisation_slug',
        'u.operator',
        (eb) =>
          eb
            .selectFrom('membership as all_m')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('all_m.user_id', '=', 's.user_id')
            .as('memberships'),
        'm.person_id',
        'm.roles',
        's.csrf_token',
        's.method',
        's.created_at',
        's.last_seen_at',
        's.expires_at',
        sql<string>`amber_access_generation(s.organisation_id)`.as('access_generation'),
        sql<Date | null>`amber_access_changes_at(s.organisation_id)`.as('access_changes_at'),
      ])
      .where('s.id_hash', '=', p.idHash),
  );
  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    // Accounts
    async findUserByEmail(email: string): Promise<UserRecord | undefined> {
      const r = await db
        .selectFrom('user_account')
        .selectAll()
        .where(sql<string>`lower(email)`, '=', email.toLowerCase())
        .executeTakeFirst();
      return r && toUser(r);
    },
    async findUser(id: string): Promise<UserRecord | undefined> {
      const r = await db.selectFrom('user_account').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    async insertUser(v: {
      email: string;
      name: string;
      passwordHash: string | null;
      state: UserRecord['state'];
    }): Promise<string> {
      const r = await db
        .insertInto('user_account')
        .values({ email: v.email, name: v.name, password_hash: v.passwordHash, state: v.state })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async updateUser(
      id: string,
      v: Partial<{ name: string; passwordHash: string | null; state: UserRecord['state']; lastSignedInAt: Date }>,
    ): Promise<void> {
      await db
        .updateTable('user_account')
        .set((eb) => ({
          ...(v.name !== undefined ? { name: v.name } : {}),
          ...(v.passwordHash !== undefined ? { password_hash: v.passwordHash } : {}),
          ...(v.state !== undefined ? { state: v.state } : {}),
          ...(v.lastSignedInAt !== undefined ? { last_signed_in_at: v.lastSignedInAt } : {}),
          version: eb('version', '+', 1),
        }))
        .where('id', '=', id)
        .execute();
    },

    // Memberships
    async listMemberships(userId: string): Promise<MembershipRecord[]> {
      return (
        await memberships().where('membership.user_id', '=', userId).orderBy('membership.created_at').execute()
      ).map(toMembership);
    },
    async findMembership(userId: string, organisationId: string): Promise<MembershipRecord | undefined> {
      const r = await memberships()
        .where('membership.user_id', '=', userId)
        .where('membership.organisation_id', '=', organisationId)
        .executeTakeFirst();
      return r && toMembership(r);
    },
    async listOrganisationUsers(organisationId: string): Promise<(UserRecord & { membership: MembershipRecord })[]> {
      const rows = await memberships()
        .innerJoin('user_account', 'user_account.id', 'membership.user_id')
        .select([
          'user_account.id',
          'user_account.email',
          'user_account.name',
          'user_account.password_hash',
          'user_account.state',
          'user_account.version',
          'user_account.created_at',
          'user_account.last_signed_in_at',
        ])
        .where('membership.organisation_id', '=', organisationId)
        .orderBy('user_account.name')
        .orderBy('user_account.email')
        .execute();
      return rows.map((r) => ({ ...toUser(r), membership: toMembership(r) }));
    },
    async upsertMembership(v: {
      userId: string;
      organisationId: string;
      personId: string | null;
      roles: Role[];
    }): Promise<void> {
      await db
        .insertInto('membership')
        .values({ user_id: v.userId, organisation_id: v.organisationId, person_id: v.personId, roles: v.roles })
        .onConflict((oc) =>
          oc.columns(['user_id', 'organisation_id']).doUpdateSet({ person_id: v.personId, roles: v.roles }),
        )
        .execute();
    },
    async countAdministrators(organisationId: string): Promise<number> {
      const r = await db
        .selectFrom('membership')
        .innerJoin('user_account', 'user_account.id', 'membership.user_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('membership.organisation_id', '=', organisationId)
        .where('user_account.state', '=', 'active')
        .where(sql<boolean>`'administrator' = any(membership.roles)`)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async personBelongs(organisationId: string, personId: string): Promise<boolean> {
      return (
        (await db
          .selectFrom('person')
          .select('id')
          .where('organisation_id', '=', organisationId)
          .where('id', '=', personId)
          .executeTakeFirst()) !== undefined
      );
    },
    async findPersonByEmail(organisationId: string, email: string): Promise<string | undefined> {
      const r = await db
        .selectFrom('person')
        .select('id')
        .where('organisation_id', '=', organisationId)
        .where(sql<string>`lower(email)`, '=', email.toLowerCase())
        .executeTakeFirst();
      return r?.id;
    },

    // Sessions
    async insertSession(v: {
      idHash: string;
      userId: string;
      organisationId: string;
      csrfToken: string;
      method: 'password' | 'oidc';
      expiresAt: Date;
      ip: string;
      userAgent: string;
    }): Promise<void> {
      await db
        .insertInto('user_session')
        .values({
          id_hash: v.idHash,
          user_id: v.userId,
          organisation_id: v.organisationId,
          csrf_token: v.csrfToken,
          method: v.method,
          expires_at: v.expiresAt,
          last_seen_at: new Date(),
          ip: v.ip,
          user_agent: v.userAgent.slice(0, 300),
        })
        .execute();
    },
    async findSession(idHash: string): Promise<SessionRecord | undefined> {
      const [r] = (await db.executeQuery(sessionQuery({ idHash }))).rows;
      return (
        r && {
          idHash: r.id_hash,
          userId: r.user_id,
          email: r.email,
          name: r.name,
          state: r.state,
          organisationId: r.organisation_id,
          organisationName: r.organisation_name,
          organisationSlug: r.organisation_slug ?? '',
          memberships: Number(r.memberships ?? 1),
          operator: r.operator,
          personId: r.person_id,
          roles: r.roles,
          csrfToken: r.csrf_token,
          method: r.method,
          createdAt: r.created_at,
          lastSeenAt: r.last_seen_at,
          expiresAt: r.expires_at,
          accessGeneration: String(r.access_generation),
          accessChangesAt: r.access_changes_at === null ? null : new Date(r.access_changes_at),
        }
      );
    },
    async setOperator(userId: string, operator: boolean): Promise<void> {
      await db.updateTable('user_account').set({ operator }).where('id', '=', userId).execute();
    },
    async setSessionOrganisation(idHash: string, organisationId: string): Promise<void> {
      await db
        .updateTable('user_session')
        .set({ organisation_id: organisationId })
        .where('id_hash', '=', idHash)
        .where('organisation_id', '!=', organisationId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('membership')
              .select('membership.user_id')
              .whereRef('membership.user_id', '=', 'user_session.user_id')
              .where('membership.organisation_id', '=', organisationId),
          ),
        )
        .execute();
    },
    async touchSession(idHash: string, at: Date): Promise<void> {
      await db.updateTable('user_session').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
    },
    async deleteSession(idHash: string): Promise<void> {
      await db.deleteFrom('user_session').where('id_hash', '=', idHash).execute();
    },
    /** Ends every session of the account; returns how many there were. */
    async deleteUserSessions(userId: string): Promise<number> {
      const r = await db.deleteFrom('user_session').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async deleteExpiredSessions(now: Date, idleSince: Date): Promise<number> {
      const r = await db
        .deleteFrom('user_session')
        .where((eb) => eb.or([eb('expires_at', '<', now), eb('last_seen_at', '<', idleSince)]))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    // One-time tokens (password reset, invitation)
    async insertOneTimeToken(v: {
      idHash: string;
      userId: string;
      purpose: 'password_reset' | 'invitation';
      expiresAt: Date;
    }): Promise<void> {
      await db
        .insertInto('one_time_token')
        .values({ id_hash: v.idHash, user_id: v.userId, purpose: v.purpose, expires_at: v.expiresAt })
        .execute();
    },
    async findOneTimeToken(
      idHash: string,
    ): Promise<
      { userId: string; purpose: 'password_reset' | 'invitation'; expiresAt: Date; usedAt: Date | null } | undefined
    > {
      const r = await db.selectFrom('one_time_token').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return r && { userId: r.user_id, purpose: r.purpose, expiresAt: r.expires_at, usedAt: r.used_at };
    },
    /** Marks the token used; false when it was used already (a concurrent use lost the race). */
    async useOneTimeToken(idHash: string, at: Date): Promise<boolean> {
      const r = await db
        .updateTable('one_time_token')
        .set({ used_at: at })
        .where('id_hash', '=', idHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** A new link makes the older unused ones of the same purpose useless. */
    async retireOneTimeTokens(userId: string, purpose: 'password_reset' | 'invitation', at: Date): Promise<void> {
      await db
        .updateTable('one_time_token')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .execute();
    },

    // API tokens
    async insertApiToken(v: {
      userId: string;
      organisationId: string;
      name: string;
      tokenHash: string;
      prefix: string;
      scope: ApiTokenScope;
      expiresAt: Date;
    }): Promise<string> {
      const r = await db
        .insertInto('api_token')
        .values({
          user_id: v.userId,
          organisation_id: v.organisationId,
          name: v.name,
          token_hash: v.tokenHash,
          prefix: v.prefix,
          scope: v.scope,
          expires_at: v.expiresAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async listApiTokens(userId: string, organisationId: string): Promise<ApiTokenRecord[]> {
      const rows = await db
        .selectFrom('api_token')
        .selectAll()
        .where('user_id', '=', userId)
        .where('organisation_id', '=', organisationId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        userId: r.user_id,
        organisationId: r.organisation_id,
        name: r.name,
        prefix: r.prefix,
        scope: r.scope,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        lastUsedAt: r.last_used_at,
        revokedAt: r.revoked_at,
        revokedReason: r.revoked_reason,
      }));
    },
    async revokeApiToken(userId: string, id: string, at: Date): Promise<boolean> {
      const r = await db
        .updateTable('api_token')
        .set({ revoked_at: at, revoked_reason: 'revoked by its owner' })
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Revokes every token of the account not yet revoked, in every organisation; returns how many. */
    async revokeUserApiTokens(userId: string, at: Date, reason: string): Promise<number> {
      const r = await db
        .updateTable('api_token')
        .set({ revoked_at: at, revoked_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async findApiTokenIdentity(tokenHash: string) {
      return db
        .selectFrom('api_token as t')
        .innerJoin('user_account as u', 'u.id', 't.user_id')
        .innerJoin('organisation as o', 'o.id', 't.organisation_id')
        .leftJoin('membership as m', (j) =>
          j.onRef('m.user_id', '=', 't.user_id').onRef('m.organisation_id', '=', 't.organisation_id'),
        )
        .select([
          't.id',
          't.user_id',
          'u.email',
          'u.name',
          'u.state',
          't.organisation_id',
          'o.name as organisation_name',
          'o.slug as organisation_slug',
          'u.operator',
          'm.person_id',
          'm.roles',
          't.prefix',
          't.scope',
          't.expires_at',
          't.revoked_at',
          't.revoked_reason',
          't.last_used_at',
        ])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    async touchApiToken(id: string, at: Date): Promise<void> {
      await db.updateTable('api_token').set({ last_used_at: at }).where('id', '=', id).execute();
    },

    // Sign-in attempts: counted in the database, so the limits hold across app instances.
    /**
     * Serialises, until the transaction ends, every sign-in attempt from one address: both limits
     * (this account from this address, any account from this address) are counts of attempts
     * from the address, so holding its lock makes count-then-reserve atomic on every instance.
     * A transaction-level advisory lock: PostgreSQL and PGlite both release it at commit.
     */
    async lockSignInAddress(ip: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext('amber.sign-in.address'), hashtext(${ip}))`.execute(db);
    },
    /** The same for the attempts of one known browser, which are limited by their own count. */
    async lockSignInDevice(device: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext('amber.sign-in.device'), hashtext(${device}))`.execute(db);
    },
    /** Failed attempts (and attempts still being checked) since `since`, with the oldest of each. */
    async countFailures(email: string, ip: string, since: Date, device?: string): Promise<FailureCounts> {
      const account = email.toLowerCase();
      const r = await sql<{
        pair: string;
        pair_oldest: Date | null;
        address: string;
        address_oldest: Date | null;
        account: string;
        device: string;
        device_oldest: Date | null;
      }>`
        select count(*) filter (where ip = ${ip} and email = ${account} and device is null) as pair,
               min(at) filter (where ip = ${ip} and email = ${account} and device is null) as pair_oldest,
               count(*) filter (where ip = ${ip}) as address,
               min(at) filter (where ip = ${ip}) as address_oldest,
               count(*) filter (where email = ${account} and device is null) as account,
               count(*) filter (where device = ${device ?? null}) as device,
               min(at) filter (where device = ${device ?? null}) as device_oldest
          from sign_in_attempt
         where (ip = ${ip} or email = ${account} or device = ${device ?? null})
           and not succeeded and at >= ${since}`.execute(db);
      const row = r.rows[0]!;
      return {
        pair: Number(row.pair),
        pairOldest: row.pair_oldest,
        address: Number(row.address),
        addressOldest: row.address_oldest,
        account: Number(row.account),
        device: Number(row.device),
        deviceOldest: row.device_oldest,
      };
    },
    /** An attempt about to be checked: it counts as a failure until its outcome is recorded. */
    async reserveAttempt(v: { email: string; ip: string; at: Date; device?: string | null }): Promise<string> {
      const r = await db
        .insertInto('sign_in_attempt')
        .values({ email: v.email.toLowerCase(), ip: v.ip, succeeded: false, at: v.at, device: v.device ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return String(r.id);
    },
    async recordAttemptOutcome(id: string, succeeded: boolean, checkedAt: Date): Promise<void> {
      await db.updateTable('sign_in_attempt').set({ succeeded, checked_at: checkedAt }).where('id', '=', id).execute();
    },
    /**
     * A successful sign-in clears the failures of this account from this address (not the
     * address's others), or, from a known browser, that browser's.
     */
    async clearPairFailures(email: string, ip: string, device?: string): Promise<void> {
      await db
        .deleteFrom('sign_in_attempt')
        .where('email', '=', email.toLowerCase())
        .where((eb) => (device ? eb('device', '=', device) : eb.and([eb('ip', '=', ip), eb('device', 'is', null)])))
        .where('succeeded', '=', false)
        .where('checked_at', 'is not', null)
        .execute();
    },
    /** A password reset clears the account's failures from every address. */
    async clearAccountFailures(email: string): Promise<void> {
      await db
        .deleteFrom('sign_in_attempt')
        .where('email', '=', email.toLowerCase())
        .where('succeeded', '=', false)
        .where('checked_at', 'is not', null)
        .execute();
    },

    // The security log
    async insertSecurityEvent(e: NewSecurityEvent): Promise<void> {
      await db
        .insertInto('security_event')
        .values({
          organisation_id: e.organisationId ?? null,
          user_id: e.userId ?? null,
          email: e.email ?? '',
          ip: e.ip ?? '',
          kind: e.kind,
          detail: (e.detail ?? '').slice(0, 2000),
        })
        .execute();
    },
    async listSecurityEvents(organisationId: string, limit: number): Promise<SecurityEventRecord[]> {
      const rows = await db
        .selectFrom('security_event')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: String(r.id),
        occurredAt: r.occurred_at,
        email: r.email,
        ip: r.ip,
        kind: r.kind,
        detail: r.detail,
      }));
    },
    async listSecurityEventsFor(email: string): Promise<SecurityEventRecord[]> {
      const rows = await db
        .selectFrom('security_event')
        .selectAll()
        .where(sql<string>`lower(email)`, '=', email.toLowerCase())
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: String(r.id),
        occurredAt: r.occurred_at,
        email: r.email,
        ip: r.ip,
        kind: r.kind,
        detail: r.detail,
      }));
    },
  };
}

export const createAccountRepository = (db: Kysely<DB>) => accountQueries(db);

export type AccountRepository = ReturnType<typeof createAccountRepository>;
