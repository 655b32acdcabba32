// The web app on a test database: `inject()` for integration tests (no socket), or listening
// on a free loopback port for browser tests.

import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/app.ts';
import type { Engine } from '../../src/platform/db/database.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';
import type { Services, ServiceOptions } from '../../src/composition.ts';
import type { Role } from '../../src/domain/permissions.ts';
import { systemActor } from '../../src/domain/actor.ts';

export interface TestSession {
  userId: string;
  email: string;
  csrfToken: string;
  /** The session cookie and the CSRF header: spread into `inject({ headers })`. */
  headers: { cookie: string; 'x-csrf-token': string };
}

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
  /** The session every `app.inject()` carries (unless the call sets its own cookie); undefined with `as: false`. */
  session: TestSession | undefined;
  /** Another signed-in user of the home organisation, with these roles (and, optionally, this person). */
  signIn(roles: readonly Role[], options?: { personId?: string; email?: string }): Promise<TestSession>;
}

let counter = 0;

/** An account with `roles` in the organisation and a session for it, without a password or HTTP. */
export async function createTestSession(
  services: Services,
  organisationId: string,
  roles: readonly Role[],
  options: { personId?: string; email?: string } = {},
): Promise<TestSession> {
  const email = options.email ?? `${roles.join('.') || 'nobody'}.${process.pid}.${++counter}@test.example`;
  const user = await services.accounts.createUser(systemActor(organisationId, 'test'), {
    email,
    name: email.split('@')[0]!,
    roles: [...roles],
    personId: options.personId ?? null,
    active: true,
  });
  const session = await services.accounts.startSession(user.id, organisationId, 'password', {
    ip: '127.0.0.1',
    userAgent: 'test',
  });
  return {
    userId: user.id,
    email,
    csrfToken: session.csrfToken,
    headers: { cookie: `amber_session=${session.token}`, 'x-csrf-token': session.csrfToken },
  };
}

/**
 * The app on a fresh database with the demo loaded. Unless `as: false`, every `app.inject()` is
 * made as a signed-in user (administrator and performance officer, or the roles given): it
 * carries the session cookie and the CSRF header, as a browser's form post carries the field.
 */
export async function buildTestApp(
  engine: Engine,
  options: {
    demo?: boolean;
    as?: readonly Role[] | false;
    /** More settings for buildApp (single sign-on). */ config?: Partial<AppDeps['config']>;
    /** How services send e-mail etc. */ services?: ServiceOptions;
  } = {},
): Promise<TestApp> {
  const database = await openTestDatabase(engine, options.services, { demo: options.demo ?? true });
  const app = await buildApp({
    config: { env: 'test', logLevel: 'silent', ...options.config },
    db: database.db,
    units: database.units,
    services: database.services,
  });
  const home = await database.services.organisations.findHome();
  const signIn = async (roles: readonly Role[], o: { personId?: string; email?: string } = {}) => {
    const organisation = await database.services.organisations.findHome();
    if (!organisation) throw new Error('signIn: the test database has no organisation');
    return createTestSession(database.services, organisation.id, roles, o);
  };
  // Signed in as soon as there is an organisation to sign in to (a test may create it after building the app).
  const roles = options.as === false ? undefined : (options.as ?? (['administrator', 'performance_officer'] as const));
  let session = roles && home ? await signIn(roles) : undefined;
  if (roles) {
    const inject = app.inject.bind(app);
    (app as { inject: unknown }).inject = async (opts?: string | Record<string, unknown>) => {
      if (opts === undefined) return inject();
      const o = typeof opts === 'string' ? { url: opts } : opts;
      const headers = (o.headers ?? {}) as Record<string, string>;
      const own = Object.keys(headers).some((h) => h.toLowerCase() === 'cookie' || h.toLowerCase() === 'authorization');
      if (!own && !session && (await database.services.organisations.findHome())) {
        session = await signIn(roles);
        testApp.session = session;
      }
      return inject({ ...o, headers: own || !session ? headers : { ...session.headers, ...headers } } as never);
    };
  }
  const testApp: TestApp = {
    ...database,
    app,
    session,
    signIn,
    async close() {
      await app.close();
      await database.close();
    },
  };
  return testApp;
}

/** Starts the app on 127.0.0.1 with a free port (or this one); returns its base URL. */
export async function listen(testApp: TestApp, port = 0): Promise<string> {
  await testApp.app.listen({ port, host: '127.0.0.1' });
  const address = testApp.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

/** Encodes a form as a browser would (application/x-www-form-urlencoded; repeated keys for lists). */
export function form(fields: Record<string, string | string[] | number | undefined>): {
  payload: string;
  headers: Record<string, string>;
} {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(x));
  }
  return { payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}
