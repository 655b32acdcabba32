// Sign-in and accounts (issue 3): local accounts with argon2id passwords, invitations and
// password resets by single-use expiring links, sessions kept in the database (idle and
// absolute timeouts, a new id at every sign-in), personal API tokens (a scope and an expiry;
// the API only), sign-in limits that slow password guessing without letting anyone lock someone
// else out (see SIGN-IN LIMITS below; counted and reserved atomically in the database, so they
// hold across app instances), single sign-on (the OIDC client calls `signInWithEmail`) and the
// security log.
//
// Credentials mean what they say (issue 9): changing a password revokes every API token of the
// account and ends its other sessions; a password reset, or disabling the account, revokes
// every token and ends every session.
//
// Secrets are random 32-byte values given to the person once; only their SHA-256 is stored.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { systemActor, type Actor, type Identity } from '../../domain/actor.ts';
import type { Units } from '../../platform/db/unit-of-work.ts';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../domain/errors.ts';
import { authorize, ROLE_LABELS, type Role } from '../../domain/permissions.ts';
import { formatUkDateTime } from './account.presenter.ts';
import { parseWith } from '../../platform/validation.ts';
import type {
  AccountRepository,
  ApiTokenScope,
  MembershipRecord,
  UserRecord,
  NewSecurityEvent,
} from './account.repository.ts';
import {
  signInInput,
  forgottenPasswordInput,
  newPasswordInput,
  changePasswordInput,
  acceptInvitationInput,
  inviteInput,
  membershipInput,
  apiTokenInput,
} from './account.schemas.ts';

export interface AuthSettings {
  /** A session unused for this long ends. */
  idleMinutes: number;
  /** A session ends this long after sign-in, however busy. */
  maxHours: number;
  resetLinkMinutes: number;
  invitationDays: number;
  /**
   * Failed sign-ins allowed in `windowMinutes` for one account from one address (browsers not
   * known to the account), or from one browser known to it; from one address whatever the
   * account; and, across all addresses, failures of one account after which each address gets
   * one attempt at it instead of `accountFailures`. Never a lock per account alone: then anyone
   * who knew an address could lock its owner out (see SIGN-IN LIMITS).
   */
  accountFailures: number;
  addressFailures: number;
  accountWideFailures: number;
  windowMinutes: number;
  /** How long a browser stays known to an account after its password was last entered there. */
  knownBrowserDays: number;
  /** The address people reach Amber at, for links in e-mails. */
  publicUrl: string;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  idleMinutes: 60,
  maxHours: 12,
  resetLinkMinutes: 60,
  invitationDays: 7,
  accountFailures: 5,
  addressFailures: 20,
  accountWideFailures: 20,
  windowMinutes: 15,
  knownBrowserDays: 180,
  publicUrl: 'http://localhost:3000',
};

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}
/** Sends (or queues) an e-mail on behalf of an organisation. */
export interface MailSender {
  send(message: MailMessage, organisationId: string): Promise<void>;
}

export type { Identity } from '../../domain/actor.ts';

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface Client {
  ip: string;
  userAgent: string;
  /** The browser's known-browser cookie, as sent (signing in only). */
  knownBrowsers?: string | undefined;
}

export class SignInFailedError extends AppError {
  constructor(message = 'Enter a correct e-mail address and password') {
    super('SIGN_IN_FAILED', message, 401);
  }
}
export class SignInLimitedError extends AppError {
  readonly retryAt: Date;
  constructor(message: string, retryAt: Date) {
    super('SIGN_IN_RATE_LIMITED', message, 429);
    this.retryAt = retryAt;
  }
}
/** A personal API token that is unknown, revoked, expired, or of an account that is closed. */
export class ApiTokenRefusedError extends UnauthenticatedError {
  constructor(code: 'TOKEN_NOT_VALID' | 'TOKEN_REVOKED' | 'TOKEN_EXPIRED', message: string) {
    super(code, message);
  }
}
export class LinkNotValidError extends NotFoundError {
  constructor(message: string) {
    super('LINK_NOT_VALID', message);
  }
}
export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('USER_NOT_FOUND', 'There is no such user in this organisation');
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = () => randomBytes(32).toString('base64url');
const TOKEN_PREFIX = 'amber_';
const DAY = 86_400_000;

// SIGN-IN LIMITS. Password guessing is slowed, and nobody can use the limits to lock someone
// else out of their account:
//
// - A browser in which an account's password was entered correctly keeps a "known browser" entry
//   for that account in a cookie: the account's id, when, and an HMAC of both keyed with the
//   account's password hash (so only Amber can make one, and a new password voids them all).
//   Attempts at the account from a known browser are counted by that browser: 5 failures in 15
//   minutes stop that browser, and no one else's failures, from any address, can stop it.
// - Attempts from any other browser are counted by the client's address: 5 failures at one
//   account from one address in 15 minutes stop that account from that address (a mistyping
//   visitor of the demo stops only themselves), and 20 failures at any accounts stop the address
//   (spraying one password over many accounts). Another address, with the right password, signs in.
// - Across every address, once an account has had 20 failures from browsers not known to it in
//   15 minutes (guessing spread over many addresses), each address gets one attempt at it
//   instead of 5. Guessing slows fivefold, yet an address that has not failed at the account is
//   always checked: the owner signing in from anywhere with the right password gets in.
//
// A refused attempt checks no password. Every failure and every refusal goes into the security
// log; a successful sign-in clears its own failures (this account from this address or browser),
// a password reset all of the account's. Addresses are as Fastify reports them: behind a reverse
// proxy it must trust the proxy's X-Forwarded-For, or every client shares the proxy's address.

const KNOWN_BROWSERS_KEPT = 5;
const knownBrowserMac = (passwordHash: string, userId: string, issued: string) =>
  createHmac('sha256', passwordHash).update(`amber.known-browser.${userId}.${issued}`).digest('base64url').slice(0, 22);

/** The entry a browser keeps for an account once its password was entered correctly there. */
function knownBrowserEntry(user: { id: string; passwordHash: string }, at: Date): string {
  const issued = at.getTime().toString(36);
  return `${user.id}.${issued}.${knownBrowserMac(user.passwordHash, user.id, issued)}`;
}

/** The id (for counting its failures) of the browser's valid entry for this account, if it has one. */
function knownBrowserId(
  cookie: string | undefined,
  user: Pick<UserRecord, 'id' | 'passwordHash'> | undefined,
  at: Date,
  days: number,
): string | undefined {
  if (!cookie || cookie.length > 1000 || !user?.passwordHash) return undefined;
  for (const entry of cookie.split('~').slice(0, KNOWN_BROWSERS_KEPT)) {
    const [id, issued, mac, ...rest] = entry.split('.');
    if (rest.length > 0 || id !== user.id || !issued || !mac) continue;
    const t = parseInt(issued, 36);
    if (!Number.isSafeInteger(t) || t > at.getTime() + 60_000 || at.getTime() - t > days * DAY) continue;
    const expected = Buffer.from(knownBrowserMac(user.passwordHash, user.id, issued));
    const given = Buffer.from(mac);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return sha256(entry).slice(0, 32);
  }
  return undefined;
}

/** The cookie's new value: this account's fresh entry first, other accounts' kept (at most 5 in all). */
function withKnownBrowser(cookie: string | undefined, entry: string, userId: string): string {
  const others = (cookie && cookie.length <= 1000 ? cookie.split('~') : []).filter(
    (e) => e.length > 0 && e.length <= 120 && /^[\w.-]+$/.test(e) && !e.startsWith(`${userId}.`),
  );
  return [entry, ...others].slice(0, KNOWN_BROWSERS_KEPT).join('~');
}

// Verifying against this when the account does not exist keeps the time of a refusal the same
// for known and unknown addresses.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= argon2Hash('not a real password, only for timing'));

export interface AccountServiceDeps {
  repo: AccountRepository;
  /** Signing in runs two units of work around the password check (see signIn). */
  units: Pick<Units<unknown>, 'run' | 'current'>;
  mailer: MailSender;
  settings?: Partial<AuthSettings>;
  now?: () => Date;
}

export function createAccountService({
  repo,
  units,
  mailer,
  settings: partial = {},
  now = () => new Date(),
}: AccountServiceDeps) {
  const settings: AuthSettings = { ...DEFAULT_AUTH_SETTINGS, ...partial };
  const link = (path: string) => `${settings.publicUrl.replace(/\/$/, '')}${path}`;
  /**
   * Records a security event in the use case's unit of work; if that unit rolls back (a refusal is
   * an error), the event is recorded again on its own afterwards: the log keeps every refusal.
   */
  const security = async (e: NewSecurityEvent) => {
    await repo.insertSecurityEvent(e);
    units.current()?.afterRollback(() => units.run(() => repo.insertSecurityEvent(e)));
  };

  /** A new session, in the caller's unit of work; `expiresAt` keeps a rotated session's end. */
  async function insertSession(
    q: AccountRepository,
    userId: string,
    organisationId: string,
    method: 'password' | 'oidc',
    client: Client,
    expiresAt = new Date(now().getTime() + settings.maxHours * 3_600_000),
  ): Promise<NewSession> {
    const token = secret();
    const csrfToken = secret();
    await q.insertSession({
      idHash: sha256(token),
      userId,
      organisationId,
      csrfToken,
      method,
      expiresAt,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return { token, csrfToken, expiresAt };
  }

  async function startSession(
    userId: string,
    organisationId: string,
    method: 'password' | 'oidc',
    client: Client,
  ): Promise<NewSession> {
    const session = await insertSession(repo, userId, organisationId, method, client);
    await repo.updateUser(userId, { lastSignedInAt: now() });
    return session;
  }

  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

  /** The organisation a user signs in to: their first membership. */
  async function homeMembership(user: UserRecord): Promise<MembershipRecord | undefined> {
    return (await repo.listMemberships(user.id))[0];
  }

  async function oneTimeLink(
    userId: string,
    purpose: 'password_reset' | 'invitation',
    minutes: number,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = secret();
    const expiresAt = new Date(now().getTime() + minutes * 60_000);
    await repo.retireOneTimeTokens(userId, purpose, now());
    await repo.insertOneTimeToken({ idHash: sha256(token), userId, purpose, expiresAt });
    return { token, expiresAt };
  }

  async function checkLink(token: string, purpose: 'password_reset' | 'invitation'): Promise<UserRecord> {
    const found = token.length > 0 && token.length < 200 ? await repo.findOneTimeToken(sha256(token)) : undefined;
    const what = purpose === 'password_reset' ? 'password reset link' : 'invitation link';
    if (!found || found.purpose !== purpose)
      throw new LinkNotValidError(
        `This ${what} is not valid. Check it is the whole link from the e-mail, or ask for a new one.`,
      );
    if (found.usedAt)
      throw new LinkNotValidError(
        `This ${what} has already been used. Each link works once: ask for a new one if you need to.`,
      );
    if (found.expiresAt.getTime() <= now().getTime())
      throw new LinkNotValidError(`This ${what} expired at ${formatUkDateTime(found.expiresAt)}. Ask for a new one.`);
    const user = await repo.findUser(found.userId);
    if (!user || user.state === 'disabled')
      throw new LinkNotValidError(`This ${what} is not valid any more: the account has been closed.`);
    return user;
  }

  async function memberOf(actor: Actor, userId: string): Promise<UserRecord & { membership: MembershipRecord }> {
    const membership = await repo.findMembership(userId, actor.organisationId);
    const user = membership && (await repo.findUser(userId));
    if (!membership || !user) throw new UserNotFoundError();
    return { ...user, membership };
  }

  function identityOf(
    row: {
      user_id: string;
      email: string;
      name: string;
      organisation_id: string;
      organisation_name: string;
      organisation_slug: string | null;
      operator: boolean;
      memberships?: number;
      person_id: string | null;
      roles: Role[] | null;
    },
    via: 'session' | 'token',
    csrfToken?: string,
  ): Identity {
    return {
      actor: {
        kind: 'user',
        organisationId: row.organisation_id,
        label: row.email,
        userId: row.user_id,
        ...(row.person_id ? { personId: row.person_id } : {}),
        roles: row.roles ?? [],
        ...(row.operator ? { operator: true } : {}),
      },
      user: { id: row.user_id, email: row.email, name: row.name },
      organisationName: row.organisation_name,
      organisationSlug: row.organisation_slug ?? '',
      memberships: row.memberships ?? 1,
      operator: row.operator,
      via,
      ...(csrfToken ? { csrfToken } : {}),
    };
  }

  return {
    settings,

    /** Creates an account with roles in the actor's organisation (the CLI, the demo, tests). */
    async createUser(
      actor: Actor,
      input: {
        email: string;
        name: string;
        roles: Role[];
        personId?: string | null;
        password?: string;
        /** An argon2id hash made elsewhere (the demo's public passwords). */ passwordHash?: string;
        /** Open without a password (single sign-on only, tests). */ active?: boolean;
      },
    ): Promise<UserRecord> {
      authorize(actor, 'users.manage');
      const parsed = parseWith(inviteInput, {
        email: input.email,
        name: input.name,
        roles: input.roles,
        personId: input.personId ?? '',
      });
      if (input.password !== undefined) parseWith(newPasswordInput, { password: input.password });
      if (parsed.personId && !(await repo.personBelongs(actor.organisationId, parsed.personId)))
        throw ValidationError.single('personId', 'Select a person of this organisation');
      const existing = await repo.findUserByEmail(parsed.email);
      if (existing && (await repo.findMembership(existing.id, actor.organisationId)))
        throw new ConflictError('USER_EXISTS', `${parsed.email} already has an account in this organisation`);
      if (input.passwordHash !== undefined && !input.passwordHash.startsWith('$argon2id$'))
        throw new RangeError('passwordHash must be an argon2id hash');
      const passwordHash =
        input.password !== undefined ? await argon2Hash(input.password) : (input.passwordHash ?? null);

      const id =
        existing?.id ??
        (await repo.insertUser({
          email: parsed.email,
          name: parsed.name,
          passwordHash,
          state: passwordHash || input.active ? 'active' : 'invited',
        }));
      await repo.upsertMembership({
        userId: id,
        organisationId: actor.organisationId,
        personId: parsed.personId,
        roles: parsed.roles,
      });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'user',
        entityId: id,
        action: 'create',
        after: { email: parsed.email, name: parsed.name, roles: parsed.roles, personId: parsed.personId },
      });
      return (await repo.findUser(id))!;
    },

    /**
     * An operator gives a new organisation its first administrator: an invitation (an e-mailed
     * link) for a new account, or the administrator role added to an existing one.
     */
    async inviteFirstAdministrator(
      actor: Actor,
      organisationId: string,
      input: { email: unknown; name: unknown },
    ): Promise<{ user: UserRecord; link: string; expiresAt: Date | null }> {
      authorize(actor, 'deployment.operate');
      const inOrganisation = systemActor(organisationId, actor.label);
      return this.invite(
        inOrganisation,
        { email: input.email, name: input.name, roles: ['administrator'] },
        actor.label,
      );
    },

    /** Marks an account as an operator of the deployment (at the machine: `amber user create --operator`). */
    async makeOperator(actor: Actor, email: string): Promise<void> {
      if (actor.kind !== 'system')
        throw new ForbiddenError('FORBIDDEN', 'Only an operator at the machine can make someone an operator.');
      const user = await repo.findUserByEmail(email);
      if (!user) throw new UserNotFoundError();
      await repo.setOperator(user.id, true);
      await security({ userId: user.id, email: user.email, ip: 'cli', kind: 'operator-granted' });
    },

    /**
     * An administrator invites someone: an account without a password and an e-mailed link to set
     * one (`expiresAt`), or, for someone with an account already, the sign-in page's address (no
     * expiry). The link is returned so that, where no e-mail leaves, the administrator can pass it on.
     */
    async invite(
      actor: Actor,
      input: unknown,
      invitedBy: string,
    ): Promise<{ user: UserRecord; link: string; expiresAt: Date | null }> {
      authorize(actor, 'users.manage');
      const parsed = parseWith(inviteInput, input);
      if (parsed.personId && !(await repo.personBelongs(actor.organisationId, parsed.personId)))
        throw ValidationError.single('personId', 'Select a person of this organisation');
      const existing = await repo.findUserByEmail(parsed.email);
      if (existing && (await repo.findMembership(existing.id, actor.organisationId)))
        throw ValidationError.single('email', `${parsed.email} already has an account in this organisation`);

      const id =
        existing?.id ??
        (await repo.insertUser({ email: parsed.email, name: parsed.name, passwordHash: null, state: 'invited' }));
      await repo.upsertMembership({
        userId: id,
        organisationId: actor.organisationId,
        personId: parsed.personId,
        roles: parsed.roles,
      });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'user',
        entityId: id,
        action: 'create',
        after: {
          email: parsed.email,
          name: parsed.name,
          roles: parsed.roles,
          personId: parsed.personId,
          invited: true,
        },
      });
      const user = (await repo.findUser(id))!;
      let url = link('/sign-in');
      let expires: Date | null = null;
      if (user.state === 'invited') {
        const { token, expiresAt } = await oneTimeLink(id, 'invitation', settings.invitationDays * 24 * 60);
        url = link(`/invitations/${token}`);
        expires = expiresAt;
        await mailer.send(
          {
            to: [user.email],
            subject: 'You have been invited to Amber',
            text: `${invitedBy} has invited you to use Amber, where ${(await repo.findMembership(id, actor.organisationId))!.organisationName} keeps its improvement priorities and progress reports.\n\nYour roles: ${parsed.roles.map((r) => ROLE_LABELS[r]).join(', ')}.\n\nTo set your password and sign in, open this link:\n${url}\n\nThe link works once and expires at ${formatUkDateTime(expiresAt)}. If you were not expecting this e-mail, you can ignore it.`,
          },
          actor.organisationId,
        );
      } else {
        await mailer.send(
          {
            to: [user.email],
            subject: 'You have been given access to Amber',
            text: `${invitedBy} has given you access to ${(await repo.findMembership(id, actor.organisationId))!.organisationName} in Amber. Sign in with your existing account:\n${url}`,
          },
          actor.organisationId,
        );
      }
      await security({
        organisationId: actor.organisationId,
        userId: id,
        email: user.email,
        kind: 'invited',
        detail: `by ${actor.label}`,
      });
      return { user, link: url, expiresAt: expires };
    },

    async checkInvitation(actor: Actor, token: string): Promise<UserRecord> {
      authorize(actor, 'account.sign-in');
      const user = await checkLink(token, 'invitation');
      if (user.state !== 'invited')
        throw new LinkNotValidError(
          'This invitation has already been accepted. Sign in with your e-mail address and password.',
        );
      return user;
    },

    /** Sets the invited person's name and password, and signs them in. */
    async acceptInvitation(actor: Actor, token: string, input: unknown, client: Client): Promise<NewSession> {
      authorize(actor, 'account.sign-in');
      const user = await this.checkInvitation(actor, token);
      const parsed = parseWith(acceptInvitationInput, input);
      if (parsed.password.toLowerCase() === user.email.toLowerCase())
        throw ValidationError.single('password', 'The password must not be your e-mail address');
      const passwordHash = await argon2Hash(parsed.password);

      if (!(await repo.useOneTimeToken(sha256(token), now())))
        throw new LinkNotValidError('This invitation link has already been used.');
      await repo.updateUser(user.id, { name: parsed.name, passwordHash, state: 'active' });
      await security({ userId: user.id, email: user.email, ip: client.ip, kind: 'invitation-accepted' });
      const membership = await homeMembership(user);
      if (!membership)
        throw new SignInFailedError('Your account is not part of any organisation. Ask your administrator.');
      return startSession(user.id, membership.organisationId, 'password', client);
    },

    /**
     * Checks the password, after reserving the attempt (the limits: SIGN-IN LIMITS above). In one
     * transaction holding the lock of the address (or of the known browser), the failures that
     * limit this attempt are counted, and either the attempt is refused (nothing is checked) or it
     * is recorded as a failure until the password proves otherwise. Concurrent guesses therefore
     * cannot all slip under a limit, on one instance or many, and the lock is not held while
     * argon2 works (~50 ms of CPU). The outcome, the session and the security log are written in
     * a second transaction. `knownBrowsers` is the cookie's new value: this browser is now known
     * to the account.
     */
    async signIn(
      actor: Actor,
      input: unknown,
      client: Client,
    ): Promise<NewSession & { user: UserRecord; knownBrowsers: string }> {
      authorize(actor, 'account.sign-in');
      const { email, password } = parseWith(signInInput, input);
      const at = now();
      const since = new Date(at.getTime() - settings.windowMinutes * 60_000);
      const retry = (oldest: Date | null) => new Date((oldest ?? at).getTime() + settings.windowMinutes * 60_000);
      const window = `${settings.windowMinutes} minutes`;
      type Refusal = { kind: string; detail: string; message: 'account' | 'browser' | 'address'; oldest: Date | null };
      type Reservation =
        { refused: Refusal } | { attempt: string; user: UserRecord | undefined; device: string | undefined };
      // Unit 1: count and reserve, holding the lock; committed before the password is checked.
      const reserved = await units.run(async (): Promise<Reservation> => {
        const user = await repo.findUserByEmail(email);
        const device = knownBrowserId(client.knownBrowsers, user, at, settings.knownBrowserDays);
        await (device ? repo.lockSignInDevice(device) : repo.lockSignInAddress(client.ip));
        const failures = await repo.countFailures(email, client.ip, since, device);
        const refusal = ((): Refusal | undefined => {
          if (device)
            return failures.device >= settings.accountFailures
              ? {
                  kind: 'sign-in-refused-browser-limit',
                  detail: `${failures.device} failed attempts from this known browser (at ${client.ip}) in ${window}`,
                  message: 'browser',
                  oldest: failures.deviceOldest,
                }
              : undefined;
          // Guessing spread over many addresses: one attempt per address until it dies down.
          const perAddress = failures.account >= settings.accountWideFailures ? 1 : settings.accountFailures;
          if (failures.pair >= perAddress)
            return {
              kind: 'sign-in-refused-account-limit',
              detail:
                perAddress < settings.accountFailures
                  ? `${failures.pair} failed attempts from ${client.ip} in ${window}, ${failures.account} from all addresses`
                  : `${failures.pair} failed attempts from ${client.ip} in ${window}`,
              message: 'account',
              oldest: failures.pairOldest,
            };
          if (failures.address >= settings.addressFailures)
            return {
              kind: 'sign-in-refused-address-limit',
              detail: `${failures.address} failed attempts from ${client.ip} in ${window}`,
              message: 'address',
              oldest: failures.addressOldest,
            };
          return undefined;
        })();
        if (refusal) {
          await repo.insertSecurityEvent({ email, ip: client.ip, kind: refusal.kind, detail: refusal.detail });
          return { refused: refusal };
        }
        return {
          attempt: await repo.reserveAttempt({ email, ip: client.ip, at, device: device ?? null }),
          user,
          device,
        };
      });
      if ('refused' in reserved) {
        const retryAt = retry(reserved.refused.oldest);
        const when = formatUkDateTime(retryAt);
        throw new SignInLimitedError(
          reserved.refused.message === 'account'
            ? `There have been too many failed attempts to sign in to this account. Try again after ${when}, or reset your password.`
            : reserved.refused.message === 'browser'
              ? `There have been too many failed attempts to sign in to this account from this browser. Try again after ${when}, or reset your password.`
              : `There have been too many failed attempts to sign in from your network. Try again after ${when}.`,
          retryAt,
        );
      }

      // The password is checked in no unit of work: no connection waits for argon2.
      const { user, device } = reserved;
      const ok = user?.passwordHash
        ? await argon2Verify(user.passwordHash, password)
        : (await argon2Verify(await dummy(), password), false);

      // Unit 2: the outcome (and on success, the session).
      const outcome = await units.run(async () => {
        const membership = ok && user!.state === 'active' ? await homeMembership(user!) : undefined;
        if (!ok || !user || user.state !== 'active' || !membership) {
          const why = !user
            ? 'unknown account'
            : !ok
              ? 'wrong password'
              : user.state !== 'active'
                ? `account ${user.state}`
                : 'no organisation';
          await repo.recordAttemptOutcome(reserved.attempt, false, now());
          await repo.insertSecurityEvent({
            userId: user?.id ?? null,
            email,
            ip: client.ip,
            kind: 'sign-in-failed',
            detail: device ? `${why} (known browser)` : why,
          });
          return undefined;
        }
        await repo.recordAttemptOutcome(reserved.attempt, true, now());
        await repo.clearPairFailures(email, client.ip, device);
        await repo.insertSecurityEvent({
          organisationId: membership.organisationId,
          userId: user.id,
          email: user.email,
          ip: client.ip,
          kind: 'signed-in',
          detail: 'password',
        });
        const session = await insertSession(repo, user.id, membership.organisationId, 'password', client);
        await repo.updateUser(user.id, { lastSignedInAt: now() });
        const knownBrowsers = withKnownBrowser(
          client.knownBrowsers,
          knownBrowserEntry({ id: user.id, passwordHash: user.passwordHash! }, now()),
          user.id,
        );
        return { ...session, user, knownBrowsers };
      });
      if (!outcome) throw new SignInFailedError();
      return outcome;
    },

    /**
     * Single sign-on: the identity provider vouched for this e-mail address. It must belong to an
     * account an administrator invited; an invitation is accepted by the first sign-on.
     */
    async signInWithEmail(email: string, client: Client): Promise<NewSession & { user: UserRecord }> {
      const user = await repo.findUserByEmail(email);
      if (!user || user.state === 'disabled') {
        await security({
          userId: user?.id ?? null,
          email,
          ip: client.ip,
          kind: 'sign-in-failed',
          detail: `single sign-on: ${user ? 'account disabled' : 'no account'}`,
        });
        throw new SignInFailedError(`There is no Amber account for ${email}. Ask your administrator to invite you.`);
      }
      const membership = await homeMembership(user);
      if (!membership)
        throw new SignInFailedError('Your account is not part of any organisation. Ask your administrator.');
      if (user.state === 'invited') {
        await repo.updateUser(user.id, { state: 'active' });
        await repo.retireOneTimeTokens(user.id, 'invitation', now());
      }
      await security({
        organisationId: membership.organisationId,
        userId: user.id,
        email: user.email,
        ip: client.ip,
        kind: 'signed-in',
        detail: 'single sign-on',
      });
      return { ...(await startSession(user.id, membership.organisationId, 'oidc', client)), user };
    },

    /** A session that exists for an account (tests and tools); no password is checked. */
    startSession,

    /**
     * The same person acting for another organisation they belong to (a URL naming it): that
     * membership's roles and person; undefined when they are not a member (then the organisation
     * does not exist, as far as they can tell).
     */
    async identityIn(identity: Identity, organisationId: string): Promise<Identity | undefined> {
      if (identity.actor.organisationId === organisationId) return identity;
      const m = await repo.findMembership(identity.user.id, organisationId);
      if (!m) return undefined;
      return {
        ...identity,
        actor: {
          ...identity.actor,
          organisationId,
          roles: m.roles,
          ...(m.personId ? { personId: m.personId } : { personId: undefined }),
        },
        organisationName: m.organisationName,
        organisationSlug: m.organisationSlug,
      };
    },

    /** The organisations the signed-in person belongs to, with their roles in each. */
    async listOwnMemberships(actor: Actor): Promise<MembershipRecord[]> {
      authorize(actor, 'account.own');
      if (actor.kind !== 'user') return [];
      return repo.listMemberships(actor.userId);
    },

    /** Makes an organisation the one the session opens in (the person switched to it). */
    async rememberOrganisation(token: string, organisationId: string): Promise<void> {
      await repo.setSessionOrganisation(sha256(token), organisationId);
    },

    /** The identity of a session token, or undefined when it is unknown, ended or timed out. */
    async resolveSession(token: string): Promise<Identity | undefined> {
      if (!token || token.length > 200) return undefined;
      const idHash = sha256(token);
      const s = await repo.findSession(idHash);
      if (!s) return undefined;
      const t = now().getTime();
      const idle = t - s.lastSeenAt.getTime() > settings.idleMinutes * 60_000;
      if (s.expiresAt.getTime() <= t || idle || s.state !== 'active' || s.roles === null) {
        await repo.deleteSession(idHash);
        return undefined;
      }
      // One write a minute at most, not one per request.
      const touched = t - s.lastSeenAt.getTime() > 60_000;
      if (touched) await repo.touchSession(idHash, now());
      // A page kept in memory for this session is used until the next "last seen" write is due (so
      // the idle limit counts its reads as before), the session ends, or an agreement starts or ends.
      const validUntil = Math.min(
        s.expiresAt.getTime(),
        (touched ? t : s.lastSeenAt.getTime()) + 60_000,
        s.accessChangesAt?.getTime() ?? Infinity,
      );
      const identity = identityOf(
        {
          user_id: s.userId,
          email: s.email,
          name: s.name,
          organisation_id: s.organisationId,
          organisation_name: s.organisationName,
          organisation_slug: s.organisationSlug,
          operator: s.operator,
          memberships: s.memberships,
          person_id: s.personId,
          roles: s.roles,
        },
        'session',
        s.csrfToken,
      );
      return { ...identity, decidedUnder: { generation: s.accessGeneration, validUntil } };
    },

    async signOut(token: string, client: Client): Promise<void> {
      const s = await repo.findSession(sha256(token));
      await repo.deleteSession(sha256(token));
      if (s)
        await security({
          organisationId: s.organisationId,
          userId: s.userId,
          email: s.email,
          ip: client.ip,
          kind: 'signed-out',
        });
    },

    /** Always answers the same, so it does not reveal who has an account. */
    async requestPasswordReset(actor: Actor, input: unknown, client: Client): Promise<void> {
      authorize(actor, 'account.sign-in');
      const { email } = parseWith(forgottenPasswordInput, input);
      const user = await repo.findUserByEmail(email);
      if (!user || user.state !== 'active') {
        await security({
          email,
          ip: client.ip,
          kind: 'password-reset-requested',
          detail: user ? `account ${user.state}: no e-mail sent` : 'no account: no e-mail sent',
        });
        return;
      }
      const membership = await homeMembership(user);
      if (!membership) {
        await security({
          userId: user.id,
          email,
          ip: client.ip,
          kind: 'password-reset-requested',
          detail: 'no organisation: no e-mail sent',
        });
        return;
      }
      const { token, expiresAt } = await oneTimeLink(user.id, 'password_reset', settings.resetLinkMinutes);
      await mailer.send(
        {
          to: [user.email],
          subject: 'Reset your Amber password',
          text: `Someone (we hope you) asked to reset the password of your Amber account.\n\nTo choose a new password, open this link:\n${link(`/password/reset/${token}`)}\n\nThe link works once and expires at ${formatUkDateTime(expiresAt)}. If you did not ask for this, you can ignore this e-mail: your password has not changed.`,
        },
        membership.organisationId,
      );
      await security({
        userId: user.id,
        email: user.email,
        ip: client.ip,
        kind: 'password-reset-requested',
        detail: 'e-mail sent',
      });
    },

    async checkPasswordReset(actor: Actor, token: string): Promise<UserRecord> {
      authorize(actor, 'account.sign-in');
      return checkLink(token, 'password_reset');
    },

    /** Sets the new password; every session of the account ends (a thief's too). */
    async resetPassword(actor: Actor, token: string, input: unknown, client: Client): Promise<UserRecord> {
      authorize(actor, 'account.sign-in');
      const user = await checkLink(token, 'password_reset');
      const { password } = parseWith(newPasswordInput, input);
      if (password.toLowerCase() === user.email.toLowerCase())
        throw ValidationError.single('password', 'The password must not be your e-mail address');
      const passwordHash = await argon2Hash(password);

      if (!(await repo.useOneTimeToken(sha256(token), now())))
        throw new LinkNotValidError(
          'This password reset link has already been used. Each link works once: ask for a new one if you need to.',
        );
      await repo.updateUser(user.id, { passwordHash });
      // Whoever knew the old password may have made tokens or be signed in: all of it ends.
      const sessions = await repo.deleteUserSessions(user.id);
      const tokens = await repo.revokeUserApiTokens(user.id, now(), 'the password was reset');
      await repo.clearAccountFailures(user.email);
      await repo.insertSecurityEvent({
        userId: user.id,
        email: user.email,
        ip: client.ip,
        kind: 'password-reset',
        detail: `${plural(sessions, 'session', 'sessions')} ended, ${plural(tokens, 'API token', 'API tokens')} revoked`,
      });
      return user;
    },

    /**
     * Changes the signed-in person's password. Every API token of the account is revoked and
     * every other session ends; the session it was changed in (`sessionToken`) continues with a
     * new id (returned, for the cookie) and its original end.
     */
    async changePassword(
      actor: Actor,
      input: unknown,
      client: Client,
      sessionToken?: string,
    ): Promise<NewSession | undefined> {
      if (actor.kind !== 'user')
        throw new ValidationError([{ field: 'current', message: 'Only a signed-in person can change their password' }]);
      const parsed = parseWith(changePasswordInput, input);
      const user = (await repo.findUser(actor.userId))!;
      if (!user.passwordHash || !(await argon2Verify(user.passwordHash, parsed.current))) {
        await security({
          organisationId: actor.organisationId,
          userId: user.id,
          email: user.email,
          ip: client.ip,
          kind: 'password-change-failed',
        });
        throw ValidationError.single('current', 'Your current password is not correct');
      }
      const passwordHash = await argon2Hash(parsed.password);
      await repo.updateUser(user.id, { passwordHash });
      const current =
        sessionToken && sessionToken.length <= 200 ? await repo.findSession(sha256(sessionToken)) : undefined;
      const ended = await repo.deleteUserSessions(user.id);
      const kept =
        current && current.userId === user.id
          ? await insertSession(repo, user.id, current.organisationId, current.method, client, current.expiresAt)
          : undefined;
      const tokens = await repo.revokeUserApiTokens(user.id, now(), 'the password was changed');
      await repo.insertSecurityEvent({
        organisationId: actor.organisationId,
        userId: user.id,
        email: user.email,
        ip: client.ip,
        kind: 'password-changed',
        detail: `${plural(kept ? ended - 1 : ended, 'other session', 'other sessions')} ended, ${plural(tokens, 'API token', 'API tokens')} revoked${kept ? '; this session continues with a new id' : ''}`,
      });
      return kept;
    },

    // Administration
    async listUsers(actor: Actor) {
      authorize(actor, 'users.manage');
      return repo.listOrganisationUsers(actor.organisationId);
    },
    async getUser(actor: Actor, userId: string) {
      authorize(actor, 'users.manage');
      return memberOf(actor, userId);
    },
    /** Changes a user's roles, person and whether the account is open. Never leaves the organisation without an administrator. */
    async updateMembership(actor: Actor, userId: string, input: unknown): Promise<void> {
      authorize(actor, 'users.manage');
      const user = await memberOf(actor, userId);
      const parsed = parseWith(membershipInput, input);
      if (parsed.personId && !(await repo.personBelongs(actor.organisationId, parsed.personId)))
        throw ValidationError.single('personId', 'Select a person of this organisation');
      const losesAdmin =
        user.membership.roles.includes('administrator') &&
        user.state === 'active' &&
        (!parsed.roles.includes('administrator') || parsed.disabled);
      if (losesAdmin && (await repo.countAdministrators(actor.organisationId)) <= 1) {
        throw ValidationError.single(
          'roles',
          'The organisation needs at least one administrator: give another user the administrator role first',
        );
      }
      const state = parsed.disabled
        ? 'disabled'
        : user.state === 'disabled'
          ? user.passwordHash
            ? 'active'
            : 'invited'
          : user.state;
      await repo.upsertMembership({
        userId,
        organisationId: actor.organisationId,
        personId: parsed.personId,
        roles: parsed.roles,
      });
      if (state !== user.state) await repo.updateUser(userId, { state });
      // Taking roles away takes effect at once: the person's sessions end. (Tokens act with
      // the roles the person has now, so they lose them at once without being revoked.)
      const sessions =
        state === 'disabled' ||
        parsed.roles.length < user.membership.roles.length ||
        user.membership.roles.some((r) => !parsed.roles.includes(r))
          ? await repo.deleteUserSessions(userId)
          : 0;
      // A closed account's tokens are revoked, so opening it again does not bring them back.
      const tokens =
        state === 'disabled' ? await repo.revokeUserApiTokens(userId, now(), 'the account was disabled') : 0;
      await repo.insertSecurityEvent({
        organisationId: actor.organisationId,
        userId,
        email: user.email,
        kind: 'roles-changed',
        detail: `${user.membership.roles.join(', ') || 'none'} → ${parsed.roles.join(', ') || 'none'}${state !== user.state ? `; account ${state}` : ''} (by ${actor.label})${sessions ? `; ${plural(sessions, 'session', 'sessions')} ended` : ''}${tokens ? `; ${plural(tokens, 'API token', 'API tokens')} revoked` : ''}`,
      });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'user',
        entityId: userId,
        action: 'update',
        before: { roles: user.membership.roles, personId: user.membership.personId, state: user.state },
        after: { roles: parsed.roles, personId: parsed.personId, state },
      });
    },
    /** A new invitation link (the earlier ones stop working), e-mailed; returned for when no e-mail leaves. */
    async resendInvitation(
      actor: Actor,
      userId: string,
      invitedBy: string,
    ): Promise<{ user: UserRecord; link: string; expiresAt: Date }> {
      authorize(actor, 'users.manage');
      const user = await memberOf(actor, userId);
      if (user.state !== 'invited')
        throw new ConflictError('NOT_INVITED', `${user.email} has already accepted the invitation`);
      const { token, expiresAt } = await oneTimeLink(user.id, 'invitation', settings.invitationDays * 24 * 60);
      const url = link(`/invitations/${token}`);
      await mailer.send(
        {
          to: [user.email],
          subject: 'Your invitation to Amber',
          text: `${invitedBy} has sent you a new invitation to Amber.\n\nTo set your password and sign in, open this link:\n${url}\n\nThe link works once and expires at ${formatUkDateTime(expiresAt)}.`,
        },
        actor.organisationId,
      );
      return { user, link: url, expiresAt };
    },
    async securityLog(actor: Actor, limit = 200) {
      authorize(actor, 'users.manage');
      return repo.listSecurityEvents(actor.organisationId, limit);
    },
    recordSecurityEvent: security,

    // Personal API tokens: for the API only (app.ts refuses them on pages and forms), each with
    // a scope (`read`: GET and HEAD only) and an expiry of at most a year.
    async createApiToken(
      actor: Actor,
      input: unknown,
    ): Promise<{ token: string; id: string; scope: ApiTokenScope; expiresAt: Date }> {
      if (actor.kind !== 'user')
        throw new ValidationError([{ field: 'name', message: 'Only a signed-in person can create a personal token' }]);
      const { name, scope, expiresInDays } = parseWith(apiTokenInput, input);
      const prefix = randomBytes(4).toString('hex');
      const token = `${TOKEN_PREFIX}${prefix}_${secret()}`;
      const expiresAt = new Date(now().getTime() + expiresInDays * DAY);

      const id = await repo.insertApiToken({
        userId: actor.userId,
        organisationId: actor.organisationId,
        name,
        tokenHash: sha256(token),
        prefix,
        scope,
        expiresAt,
      });
      await repo.insertSecurityEvent({
        organisationId: actor.organisationId,
        userId: actor.userId,
        email: actor.label,
        kind: 'api-token-created',
        detail: `${name} (${TOKEN_PREFIX}${prefix}_…), ${scope}, expires ${formatUkDateTime(expiresAt)}`,
      });
      return { token, id, scope, expiresAt };
    },
    async listApiTokens(actor: Actor) {
      if (actor.kind !== 'user') return [];
      return repo.listApiTokens(actor.userId, actor.organisationId);
    },
    async revokeApiToken(actor: Actor, id: string): Promise<void> {
      if (
        actor.kind !== 'user' ||
        !/^[0-9a-f-]{36}$/i.test(id) ||
        !(await repo.revokeApiToken(actor.userId, id, now()))
      ) {
        throw new NotFoundError('TOKEN_NOT_FOUND', 'There is no such token, or it has already been revoked');
      }
      await security({
        organisationId: actor.organisationId,
        userId: actor.kind === 'user' ? actor.userId : null,
        email: actor.label,
        kind: 'api-token-revoked',
        detail: id,
      });
    },
    /**
     * The identity an API request's token stands for. Refuses (and logs) a token that is
     * unknown, revoked, expired or of a closed account (401, saying which), and a read token
     * asked to write (403 TOKEN_READ_ONLY). `use.request` names the request for the log.
     */
    async resolveApiToken(token: string, use: { ip: string; request: string; writes: boolean }): Promise<Identity> {
      const row =
        token.startsWith(TOKEN_PREFIX) && token.length <= 200
          ? await repo.findApiTokenIdentity(sha256(token))
          : undefined;
      const refuse = async (error: AppError, why: string): Promise<never> => {
        await security({
          organisationId: row?.organisation_id ?? null,
          userId: row?.user_id ?? null,
          email: row?.email ?? '',
          ip: use.ip,
          kind: 'api-token-refused',
          detail: `${use.request}: ${why}${row ? ` (${TOKEN_PREFIX}${row.prefix}_…)` : ''}`,
        });
        throw error;
      };
      if (!row)
        return refuse(
          new ApiTokenRefusedError(
            'TOKEN_NOT_VALID',
            'The API token is not valid. Check it is the whole token, or create a new one on your account page.',
          ),
          'unknown token',
        );
      if (row.revoked_at)
        return refuse(
          new ApiTokenRefusedError(
            'TOKEN_REVOKED',
            `This API token was revoked at ${formatUkDateTime(row.revoked_at)}${row.revoked_reason ? ` (${row.revoked_reason})` : ''}. Create a new one on your account page.`,
          ),
          'revoked',
        );
      if (row.expires_at.getTime() <= now().getTime())
        return refuse(
          new ApiTokenRefusedError(
            'TOKEN_EXPIRED',
            `This API token expired at ${formatUkDateTime(row.expires_at)}. Create a new one on your account page.`,
          ),
          'expired',
        );
      if (row.state !== 'active' || row.roles === null)
        return refuse(
          new ApiTokenRefusedError(
            'TOKEN_NOT_VALID',
            `The account this API token belongs to ${row.state !== 'active' ? `is ${row.state}` : `no longer has access to ${row.organisation_name}`}.`,
          ),
          row.state !== 'active' ? `account ${row.state}` : 'no membership',
        );
      if (use.writes && row.scope === 'read')
        return refuse(
          new ForbiddenError(
            'TOKEN_READ_ONLY',
            'This API token may only read (GET and HEAD requests): nothing has been changed. Create a read and write token on your account page to make changes.',
          ),
          'read-only token asked to write',
        );
      if (!row.last_used_at || now().getTime() - row.last_used_at.getTime() > 60_000)
        await repo.touchApiToken(row.id, now());
      return { ...identityOf(row, 'token'), tokenScope: row.scope };
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
