// The only reader of process.env. Validated once at start-up; a bad value stops Amber with a
// message naming the variable.

import { resolve } from 'node:path';
import { paths } from './paths.ts';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Set: use this PostgreSQL server. Unset: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * Statements with parameters prepared once per connection (DATABASE_PREPARED_STATEMENTS, `on`
   * or `off`; ADR 0020). Unset: the engine's default, on for PGlite, off for a server (a pooler in
   * transaction mode, or another instance's migration, would make prepared statements fail).
   */
  preparedStatements: boolean | undefined;
  dataDir: string;
  /** Load the demo organisation when the database has no organisation yet. */
  demoOnFirstRun: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Re-read templates on every request (for editing them); off by default, it is 4–8× slower. */
  watchTemplates: boolean;
  /** A session unused for this many minutes ends (SESSION_IDLE_MINUTES, default 60). */
  sessionIdleMinutes: number;
  /** A session ends this many hours after sign-in, however busy (SESSION_MAX_HOURS, default 12). */
  sessionMaxHours: number;
  /** SMTP server for e-mails (smtp:// or smtps://, credentials in the URL). Unset: e-mails are written to the log. */
  smtpUrl: string | undefined;
  /** The sender of Amber's e-mails, e.g. `Amber <amber@council.gov.uk>`. */
  mailFrom: string;
  /** The address people reach Amber at, for links in e-mails; unset means http://localhost:PORT (see publicUrlOf). */
  publicUrl: string | undefined;
  /** Single sign-on with OpenID Connect (OIDC_*); undefined when it is not configured. */
  oidc: OidcConfig | undefined;
  /** How big a file may be, and what it may expand to, at every door (AMBER_MAX_*). */
  limits: InputLimits;
  /**
   * The proxies in front of Amber whose X-Forwarded-For is believed (TRUST_PROXY): a number of
   * hops, or addresses and ranges. Unset: the connection's address is the client's. Behind a
   * load balancer it must be set, or every person shares the balancer's address and its sign-in
   * limits.
   */
  trustProxy: number | string[] | undefined;
  /**
   * The bearer token a Prometheus server outside this machine sends for `/metrics`
   * (METRICS_TOKEN). Unset: metrics are served only to this machine (loopback, not forwarded).
   */
  metricsToken: string | undefined;
  /**
   * Where the server writes a daily copy of the embedded database (AMBER_BACKUP_DIR; PGlite only:
   * a PostgreSQL server has its own tools, docs/operations.md). Unset: no scheduled copies.
   */
  backupDir: string | undefined;
  /** How many of those copies are kept, newest first (AMBER_BACKUP_KEEP, default 7). */
  backupKeep: number;
  /**
   * How many readers' published report pages each instance keeps in memory (AMBER_KEPT_PAGES,
   * default 500; 0: none), ADR 0017.
   */
  keptPages: number;
  /**
   * How many dashboards each instance keeps worked out (AMBER_KEPT_DASHBOARDS, default 500; 0:
   * none), ADR 0023.
   */
  keptDashboards: number;
  /**
   * On SIGTERM, how long to keep serving while the health checks answer 503, so a load balancer
   * moves away first (AMBER_DRAIN_SECONDS, default 0; `amber serve --drain-seconds` overrides).
   */
  drainSeconds: number;
}

/**
 * The sizes of what Amber reads, one set for every door (web upload, API, `amber import`, jobs).
 * The defaults fit a 2-core server with 4 GB: the largest file they let through is read in a
 * worker with a bounded heap (platform/spreadsheet.ts). Lengths of text are not settings: they
 * are part of what a record is (domain/limits.ts).
 */
export interface InputLimits {
  /** An uploaded CSV or XLSX of indicators (AMBER_MAX_UPLOAD_MB, default 5). */
  uploadBytes: number;
  /** An uploaded diagnostic workbook or sheet (AMBER_MAX_DIAGNOSTIC_UPLOAD_MB, default 50). */
  diagnosticUploadBytes: number;
  /** What an XLSX may unpack to in all, however small the file (AMBER_MAX_EXPANDED_MB, default 100). */
  expandedBytes: number;
  /** Rows in one sheet or CSV file (AMBER_MAX_ROWS, default 100,000). */
  sheetRows: number;
  /** Columns in one sheet or CSV file (fixed at 500: Amber's widest layout has 30). */
  sheetColumns: number;
  /** An organisation file for `amber import` (AMBER_MAX_IMPORT_MB, default 200). */
  importBytes: number;
  /**
   * A diagnostic upload bigger than this is checked and written by a background job, with a
   * progress page, instead of in the request (AMBER_DIAGNOSTIC_BACKGROUND_KB, default 1024).
   */
  diagnosticBackgroundBytes: number;
  /**
   * Rows in one sheet of a diagnostic upload (AMBER_MAX_DIAGNOSTIC_ROWS, default 250,000): a large
   * council's Allocations sheet has 120,000 (15,000 posts × 8), more than AMBER_MAX_ROWS, and the
   * diagnostic's workbook is read a row at a time.
   */
  diagnosticSheetRows: number;
}

const MB = 1024 * 1024;
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  uploadBytes: 5 * MB,
  diagnosticUploadBytes: 50 * MB,
  expandedBytes: 100 * MB,
  sheetRows: 100_000,
  sheetColumns: 500,
  importBytes: 200 * MB,
  diagnosticBackgroundBytes: 1 * MB,
  diagnosticSheetRows: 250_000,
};

export interface OidcConfig {
  /** The provider's issuer, where `/.well-known/openid-configuration` is found. */
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** The provider's name on the sign-in button ("Sign in with Microsoft"). */
  name: string;
  /** Where the provider sends people back: the public address and the callback path. */
  redirectUrl: string;
}

/** The variables single sign-on needs: all of them, or none. */
const OIDC_REQUIRED = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv))
    problems.push(`NODE_ENV must be development, production or test, not "${nodeEnv}"`);
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be a whole number from 0 to 65535, not "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  const prepared = env.DATABASE_PREPARED_STATEMENTS?.trim() || undefined;
  if (prepared !== undefined && !['on', 'off'].includes(prepared))
    problems.push(`DATABASE_PREPARED_STATEMENTS must be "on" or "off", not "${prepared}"`);
  const logLevel = (env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info')) as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel))
    problems.push(`LOG_LEVEL "${env.LOG_LEVEL}" is not a log level`);
  const demo = env.AMBER_DEMO ?? 'first-run';
  if (!['first-run', 'off'].includes(demo)) problems.push(`AMBER_DEMO must be "first-run" or "off", not "${demo}"`);
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
      return fallback;
    }
    return n;
  };
  const sessionIdleMinutes = whole('SESSION_IDLE_MINUTES', 60, 5, 24 * 60);
  const sessionMaxHours = whole('SESSION_MAX_HOURS', 12, 1, 24 * 30);
  const mb = (bytes: number) => bytes / MB;
  const limits: InputLimits = {
    uploadBytes: whole('AMBER_MAX_UPLOAD_MB', mb(DEFAULT_INPUT_LIMITS.uploadBytes), 1, 1024) * MB,
    diagnosticUploadBytes:
      whole('AMBER_MAX_DIAGNOSTIC_UPLOAD_MB', mb(DEFAULT_INPUT_LIMITS.diagnosticUploadBytes), 1, 1024) * MB,
    expandedBytes: whole('AMBER_MAX_EXPANDED_MB', mb(DEFAULT_INPUT_LIMITS.expandedBytes), 1, 4096) * MB,
    sheetRows: whole('AMBER_MAX_ROWS', DEFAULT_INPUT_LIMITS.sheetRows, 100, 10_000_000),
    sheetColumns: DEFAULT_INPUT_LIMITS.sheetColumns,
    importBytes: whole('AMBER_MAX_IMPORT_MB', mb(DEFAULT_INPUT_LIMITS.importBytes), 1, 4096) * MB,
    diagnosticBackgroundBytes:
      whole('AMBER_DIAGNOSTIC_BACKGROUND_KB', DEFAULT_INPUT_LIMITS.diagnosticBackgroundBytes / 1024, 1, 1024 * 1024) *
      1024,
    diagnosticSheetRows: whole('AMBER_MAX_DIAGNOSTIC_ROWS', DEFAULT_INPUT_LIMITS.diagnosticSheetRows, 100, 10_000_000),
  };
  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined) {
    let ok = false;
    try {
      ok = ['smtp:', 'smtps:'].includes(new URL(smtpUrl).protocol) && new URL(smtpUrl).hostname !== '';
    } catch {
      /* reported below */
    }
    if (!ok)
      problems.push(
        'SMTP_URL must look like smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465 (TLS)',
      );
  }
  const mailFrom = env.MAIL_FROM?.trim() || undefined;
  if (mailFrom !== undefined && !/^[^<>@\s]+@[^<>@\s]+$|^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/.test(mailFrom))
    problems.push(
      `MAIL_FROM must be an e-mail address, optionally with a name (Amber <amber@council.gov.uk>), not "${mailFrom}"`,
    );
  if (nodeEnv === 'production' && smtpUrl !== undefined && mailFrom === undefined)
    problems.push('MAIL_FROM must be set when SMTP_URL is (the address e-mails come from)');
  const publicUrl = env.PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl))
    problems.push(`PUBLIC_URL must be the http:// or https:// address people open Amber at, not "${publicUrl}"`);
  if (nodeEnv === 'production' && smtpUrl !== undefined && publicUrl === undefined)
    problems.push('PUBLIC_URL must be set when SMTP_URL is (e-mails link to it)');
  const oidc = oidcConfig(env, nodeEnv, publicUrl ?? `http://localhost:${port}`, problems);
  const trustProxy = trustProxyOf(env.TRUST_PROXY, problems);
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  // Long enough that guessing is hopeless, and only characters a bearer token may carry (RFC 6750).
  if (metricsToken !== undefined && !/^[A-Za-z0-9._~+/-]{32,512}=*$/.test(metricsToken))
    problems.push(
      'METRICS_TOKEN must be at least 32 letters, digits or - . _ ~ + / (e.g. the output of `openssl rand -hex 32`)',
    );
  const backupDir = env.AMBER_BACKUP_DIR?.trim() ? resolve(env.AMBER_BACKUP_DIR.trim()) : undefined;
  const backupKeep = whole('AMBER_BACKUP_KEEP', 7, 1, 365);
  const drainSeconds = whole('AMBER_DRAIN_SECONDS', 0, 0, 300);
  const keptPages = whole('AMBER_KEPT_PAGES', 500, 0, 100_000);
  const keptDashboards = whole('AMBER_KEPT_DASHBOARDS', 500, 0, 100_000);
  if (problems.length > 0) throw new ConfigError(`Amber cannot start:\n- ${problems.join('\n- ')}`);
  return {
    env: nodeEnv as Config['env'],
    port,
    // Loopback unless told otherwise: a development server is not exposed to the network by accident.
    host: env.HOST?.trim() || (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl,
    preparedStatements: prepared === undefined ? undefined : prepared === 'on',
    dataDir: resolve(env.AMBER_DATA_DIR?.trim() || './data'),
    demoOnFirstRun: demo === 'first-run',
    logLevel,
    watchTemplates: env.AMBER_WATCH_TEMPLATES === '1',
    sessionIdleMinutes,
    sessionMaxHours,
    smtpUrl,
    mailFrom: mailFrom ?? 'Amber <amber@localhost>',
    publicUrl,
    oidc,
    limits,
    trustProxy,
    metricsToken,
    backupDir,
    backupKeep,
    drainSeconds,
    keptPages,
    keptDashboards,
    ...overrides,
  };
}

/**
 * TRUST_PROXY: "1" (hops), or "10.0.0.0/8, 127.0.0.1" (the proxies' addresses or ranges). Never
 * "true": then anyone could say who they are in a header and step round the sign-in limits.
 */
function trustProxyOf(raw: string | undefined, problems: string[]): number | string[] | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value) && Number(value) <= 10) return Number(value);
  const ranges = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const address = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(\/\d{1,3})?$/i;
  if (ranges.length === 0 || !ranges.every((r) => address.test(r))) {
    problems.push(
      `TRUST_PROXY must be the number of proxies in front of Amber (e.g. 1) or their addresses or ranges separated by commas (e.g. 10.0.0.0/8), not "${value}"`,
    );
    return undefined;
  }
  return ranges;
}

// Single sign-on is all or nothing: a partial configuration is a mistake to report at start-up,
// not a sign-in button that fails later.
function oidcConfig(
  env: NodeJS.ProcessEnv,
  nodeEnv: string,
  publicUrl: string,
  problems: string[],
): OidcConfig | undefined {
  const value = (name: string) => env[name]?.trim() || undefined;
  const given = OIDC_REQUIRED.filter((name) => value(name) !== undefined);
  if (given.length === 0) {
    if (value('OIDC_NAME') !== undefined)
      problems.push(
        `OIDC_NAME is set but single sign-on is not: set ${OIDC_REQUIRED.join(', ')} too, or unset OIDC_NAME`,
      );
    return undefined;
  }
  const missing = OIDC_REQUIRED.filter((name) => value(name) === undefined);
  for (const name of missing)
    problems.push(
      `${name} must be set for single sign-on (${given.join(' and ')} ${given.length === 1 ? 'is' : 'are'} set): set all of ${OIDC_REQUIRED.join(', ')}, or none`,
    );
  // Kept exactly as given: discovery checks it against the issuer the provider states (some end in /).
  const issuerUrl = value('OIDC_ISSUER_URL');
  if (issuerUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(issuerUrl);
    } catch {
      /* reported below */
    }
    const https = url?.protocol === 'https:';
    if (!url || !(https || url.protocol === 'http:') || url.search || url.hash)
      problems.push(
        `OIDC_ISSUER_URL must be the provider's issuer address, e.g. https://login.microsoftonline.com/TENANT-ID/v2.0, not "${issuerUrl}"`,
      );
    else if (!https && nodeEnv === 'production') problems.push('OIDC_ISSUER_URL must use https:// in production');
  }
  if (nodeEnv === 'production' && value('PUBLIC_URL') === undefined)
    problems.push('PUBLIC_URL must be set when single sign-on is (the provider sends people back to it)');
  if (missing.length > 0 || issuerUrl === undefined) return undefined;
  return {
    issuerUrl,
    clientId: value('OIDC_CLIENT_ID')!,
    clientSecret: value('OIDC_CLIENT_SECRET')!,
    name: value('OIDC_NAME') ?? 'Microsoft',
    redirectUrl: `${publicUrl}${paths.sso.callback}`,
  };
}

/** Where links in e-mails point: PUBLIC_URL, else this machine on the port Amber listens on. */
export function publicUrlOf(config: Pick<Config, 'publicUrl' | 'port'>): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}
