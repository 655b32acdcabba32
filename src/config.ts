// The only reader of process.env. Validated once at start-up; a bad value stops Amber with a
// message naming the variable.

import { resolve } from 'node:path';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Set: use this PostgreSQL server. Unset: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Load the demo organisation when the database has no organisation yet. */
  demoOnFirstRun: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Re-read templates on every request (for editing them); off by default, it is 4–8× slower. */
  watchTemplates: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) problems.push(`NODE_ENV must be development, production or test, not "${nodeEnv}"`);
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a whole number from 0 to 65535, not "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  const logLevel = (env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info')) as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) problems.push(`LOG_LEVEL "${env.LOG_LEVEL}" is not a log level`);
  const demo = env.AMBER_DEMO ?? 'first-run';
  if (!['first-run', 'off'].includes(demo)) problems.push(`AMBER_DEMO must be "first-run" or "off", not "${demo}"`);
  if (problems.length > 0) throw new ConfigError(`Amber cannot start:\n- ${problems.join('\n- ')}`);
  return {
    env: nodeEnv as Config['env'],
    port,
    // Loopback unless told otherwise: a development server is not exposed to the network by accident.
    host: env.HOST?.trim() || (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl,
    dataDir: resolve(env.AMBER_DATA_DIR?.trim() || './data'),
    demoOnFirstRun: demo === 'first-run',
    logLevel,
    watchTemplates: env.AMBER_WATCH_TEMPLATES === '1',
    ...overrides,
  };
}
