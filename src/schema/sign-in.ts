// Table types of sign-in (issue 3): accounts, memberships (roles per organisation), sessions,
// one-time tokens, API tokens, sign-in attempts and the security log. Migrations 2026-11-24-010
// and 2026-12-04-050 (token scope and expiry, why a token was revoked, attempts checked).

import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../domain/permissions.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UserAccountTable {
  id: Generated<string>;
  email: string;
  name: Generated<string>;
  password_hash: string | null;
  state: Generated<'invited' | 'active' | 'disabled'>;
  version: Generated<number>;
  created_at: Generated<Date>;
  last_signed_in_at: Date | null;
  /** Runs the deployment: creates organisations (issue 11). */
  operator: Generated<boolean>;
}

export interface MembershipTable {
  user_id: string;
  organisation_id: string;
  person_id: string | null;
  roles: ColumnType<Role[], Role[] | undefined, Role[]>;
  created_at: Generated<Date>;
}

export interface UserSessionTable {
  id_hash: string;
  user_id: string;
  organisation_id: string;
  csrf_token: string;
  method: 'password' | 'oidc';
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: Generated<string>;
  user_agent: Generated<string>;
}

export interface OneTimeTokenTable {
  id_hash: string;
  user_id: string;
  purpose: 'password_reset' | 'invitation';
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: Date | null;
}

export interface ApiTokenTable {
  id: Generated<string>;
  user_id: string;
  organisation_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
  scope: 'read' | 'read-write';
  expires_at: Timestamp;
  revoked_reason: string | null;
}

export interface SignInAttemptTable {
  id: Generated<string>;
  email: string;
  ip: string;
  succeeded: boolean;
  at: Generated<Date>;
  /** When the password was verified; null while it is being verified. */
  checked_at: Date | null;
  /** The known browser the attempt came from (its id for this account), null for any other. */
  device: string | null;
}

export interface SecurityEventTable {
  id: Generated<string>;
  occurred_at: Generated<Date>;
  organisation_id: string | null;
  user_id: string | null;
  email: Generated<string>;
  ip: Generated<string>;
  kind: string;
  detail: Generated<string>;
}

export interface SignInTables {
  user_account: UserAccountTable;
  membership: MembershipTable;
  user_session: UserSessionTable;
  one_time_token: OneTimeTokenTable;
  api_token: ApiTokenTable;
  sign_in_attempt: SignInAttemptTable;
  security_event: SecurityEventTable;
}
