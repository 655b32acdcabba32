// All SQL of the organisation file's accounts and audit trail: the organisation's members with
// their memberships (the password hash only when asked), the accounts of a target database that an
// import would meet, and the writes; the trail read oldest first and appended to. Never sessions,
// one-time links or API tokens.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../schema.ts';
import type { Role } from '../../domain/permissions.ts';

export interface AccountRow {
  id: string;
  email: string;
  name: string;
  state: 'invited' | 'active' | 'disabled';
  version: number;
  createdAt: string;
  lastSignedInAt: string | null;
  /** Undefined when not asked for. */
  passwordHash?: string | null;
  personId: string | null;
  roles: Role[];
  memberSince: string;
}

const utc = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function createAccountTransferRepository(db: Kysely<DB>) {
  return {
    async readMembers(organisationId: string, passwordHashes: boolean): Promise<AccountRow[]> {
      const rows = await db
        .selectFrom('membership as m')
        .innerJoin('user_account as u', 'u.id', 'm.user_id')
        .select([
          'u.id',
          'u.email',
          'u.name',
          'u.state',
          'u.version',
          'u.password_hash',
          utc('u.created_at').as('created_at'),
          utc('u.last_signed_in_at').as('last_signed_in_at'),
          'm.person_id',
          'm.roles',
          utc('m.created_at').as('member_since'),
        ])
        .where('m.organisation_id', '=', organisationId)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        email: r.email,
        name: r.name,
        state: r.state,
        version: r.version,
        createdAt: r.created_at,
        lastSignedInAt: r.last_signed_in_at ?? null,
        ...(passwordHashes ? { passwordHash: r.password_hash } : {}),
        personId: r.person_id,
        roles: r.roles,
        memberSince: r.member_since,
      }));
    },

    /** Accounts of this database with one of the ids or (ignoring capitals) one of the e-mail addresses. */
    async findAccounts(ids: readonly string[], emails: readonly string[]): Promise<{ id: string; email: string }[]> {
      if (ids.length === 0 && emails.length === 0) return [];
      return db
        .selectFrom('user_account')
        .select(['id', 'email'])
        .where((eb) =>
          eb.or([
            ...(ids.length > 0 ? [eb('id', 'in', [...ids])] : []),
            ...(emails.length > 0
              ? [
                  eb(
                    sql<string>`lower(email)`,
                    'in',
                    emails.map((e) => e.toLowerCase()),
                  ),
                ]
              : []),
          ]),
        )
        .execute();
    },

    /** Writes the accounts not already here, then every membership. */
    async insert(
      organisationId: string,
      accounts: readonly AccountRow[],
      existing: ReadonlySet<string>,
    ): Promise<void> {
      const fresh = accounts.filter((a) => !existing.has(a.id));
      if (fresh.length > 0)
        await db
          .insertInto('user_account')
          .values(
            fresh.map((a) => ({
              id: a.id,
              email: a.email,
              name: a.name,
              state: a.state,
              version: a.version,
              created_at: sql<Date>`${a.createdAt}::timestamptz`,
              last_signed_in_at: sql<Date | null>`${a.lastSignedInAt}::timestamptz`,
              password_hash: a.passwordHash ?? null,
            })),
          )
          .execute();
      if (accounts.length > 0)
        await db
          .insertInto('membership')
          .values(
            accounts.map((a) => ({
              user_id: a.id,
              organisation_id: organisationId,
              person_id: a.personId,
              roles: a.roles,
              created_at: sql<Date>`${a.memberSince}::timestamptz`,
            })),
          )
          .execute();
    },
  };
}

export interface AuditRow {
  occurredAt: string;
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

/** The organisation's audit trail, oldest first (audit-transfer.schemas.ts). Append-only: read and added to, never changed. */
export function createAuditTransferRepository(db: Kysely<DB>) {
  return {
    async read(organisationId: string): Promise<AuditRow[]> {
      const rows = await db
        .selectFrom('audit_event')
        .select([utc('occurred_at').as('occurred_at'), 'actor', 'entity', 'entity_id', 'action', 'before', 'after'])
        .where('organisation_id', '=', organisationId)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        occurredAt: r.occurred_at,
        actor: r.actor,
        entity: r.entity,
        entityId: r.entity_id,
        action: r.action,
        before: r.before ?? null,
        after: r.after ?? null,
      }));
    },
    /** Appends events in the order given (their numbers ascend in that order). */
    async append(organisationId: string, events: readonly AuditRow[]): Promise<void> {
      for (let i = 0; i < events.length; i += 500)
        await db
          .insertInto('audit_event')
          .values(
            events.slice(i, i + 500).map((e) => ({
              organisation_id: organisationId,
              occurred_at: sql<Date>`${e.occurredAt}::timestamptz`,
              actor: e.actor,
              entity: e.entity,
              entity_id: e.entityId,
              action: e.action,
              before: e.before === null ? null : JSON.stringify(e.before),
              after: e.after === null ? null : JSON.stringify(e.after),
            })),
          )
          .execute();
    },
  };
}

export type AccountTransferRepository = ReturnType<typeof createAccountTransferRepository>;
