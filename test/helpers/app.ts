// The web app on a test database: `inject()` for integration tests (no socket), or listening
// on a free loopback port for browser tests.

import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { Engine } from '../../src/platform/db/database.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
}

export async function buildTestApp(engine: Engine, options: { demo?: boolean } = {}): Promise<TestApp> {
  const database = await openTestDatabase(engine);
  if (options.demo ?? true) await database.services.demo.load('test');
  const app = await buildApp({ config: { env: 'test', logLevel: 'silent' }, db: database.db, services: database.services });
  return {
    ...database, app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** Starts the app on 127.0.0.1 with a free port; returns its base URL. */
export async function listen(testApp: TestApp): Promise<string> {
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const address = testApp.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

/** Encodes a form as a browser would (application/x-www-form-urlencoded; repeated keys for lists). */
export function form(fields: Record<string, string | string[] | number | undefined>): { payload: string; headers: Record<string, string> } {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(x));
  }
  return { payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}
