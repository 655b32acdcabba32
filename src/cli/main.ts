// The `amber` command: thin; parses arguments and calls services.

// Only what every command needs is imported here; each command loads its own code when it runs
// (`await import(...)` below), so `amber organisation list` does not load the web server, the
// renderers or the spreadsheet library, and `amber --help` loads almost nothing.
import { megabytes } from '../domain/limits.ts';
import { accessSync, constants, existsSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError, type Config } from '../config.ts';
import type { DatabaseHandle } from '../platform/db/database.ts';
import { DataDirLockedError } from '../platform/db/data-dir-lock.ts';
import { watchNewDataFolder, type NewDataFolder } from '../platform/db/new-data-folder.ts';
import type { VerifyResult } from '../platform/db/backup.ts';
import type { Services } from '../composition.ts';
import { AppError, ValidationError } from '../domain/errors.ts';
import type { DB } from '../schema.ts';
import { systemActor, type Actor } from '../domain/actor.ts';

/** The database layer: opening a database and migrating it. */
const database = async () => {
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([
    import('../platform/db/database.ts'),
    import('../platform/db/migrate.ts'),
  ]);
  return { openDatabase, migrateToLatest };
};

/**
 * How a command that runs and ends opens the database: on PGlite with a small shared buffer pool,
 * which starts ~0.8 s faster than the folder's own 128MB (see `OpenOptions.sharedBuffers`); the
 * server (`serve`) keeps the default.
 */
const oneShot = (config: Config) => ({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  sharedBuffers: '16MB', // SMALL_SHARED_BUFFERS, written out so that `amber --help` loads no database code
  ...(config.preparedStatements === undefined ? {} : { prepareStatements: config.preparedStatements }),
});

const USAGE = `Usage: amber <command>

  serve [--port N]            run the web app (migrates; loads the demo into an empty database)
  migrate                     apply database migrations
  demo                        load the demo organisation (does nothing if it is there)
  render <code> <period> --format html|pdf|docx|json --out FILE
                              e.g. amber render VfM-4d 2009-10-h1 --format pdf --out r.pdf
  user create EMAIL [--admin] [--role ROLE]... [--name NAME] [--password-stdin]
                  [--organisation SLUG] [--operator]
                              create an account in the organisation (the home one unless
                              --organisation names another; an existing account gets the roles there
                              too): --admin gives the administrator role; roles: administrator,
                              performance_officer, accountable_officer, accountable_director,
                              contributor, viewer. --operator also lets the account create
                              organisations. Without --password-stdin a password is made up and
                              printed once.
  organisation create NAME [--short-name S] [--slug SLUG] [--kind KIND] [--admin EMAIL]
                              create an organisation that runs Amber, with its pages at /o/SLUG/;
                              kinds: council (default), public_body, private, voluntary, other;
                              --admin creates its first administrator and prints a password
  organisation list           the organisations in this deployment and their web addresses
  export --out FILE.json [--include-password-hashes]
                              export the whole organisation (its diagnostic, programme and members'
                              accounts too); password hashes only with --include-password-hashes
  import FILE.json [--replace]
                              import an organisation; validates everything before writing anything
  backup --out FILE [--include-secrets] [--verify]
                              the whole database in one consistent snapshot (gzip'd JSON lines);
                              sessions, one-time links and API tokens only with --include-secrets;
                              --verify restores the file into a scratch database and compares
  restore FILE                restore a backup into an empty database (all or nothing), then
                              migrate it to this Amber
  restore --verify FILE       check a backup: restore it into a scratch database and compare;
                              changes nothing here
  restore-folder FILE         make the (new, empty) embedded data folder a copy from AMBER_BACKUP_DIR
                              (the server's daily copies of an embedded database)

Environment: DATABASE_URL (PostgreSQL server) or AMBER_DATA_DIR (embedded PGlite folder, default ./data), PORT.`;

async function withServices<T>(
  config: Config,
  fn: (services: Services, handle: DatabaseHandle<DB>) => Promise<T>,
): Promise<T> {
  const [{ openDatabase, migrateToLatest }, { buildServices }] = await Promise.all([
    database(),
    import('../composition.ts'),
  ]);
  const handle = await openDatabase<DB>(oneShot(config));
  try {
    await migrateToLatest(handle.db);
    return await fn(buildServices(handle), handle);
  } finally {
    await handle.close();
  }
}

// Files a command is given are checked before any database is opened or locked: on a new PGlite
// folder, opening it makes the folder (from the template); on a folder the server holds, the lock
// would be refused first, hiding what is wrong with the file. A refusal names the file.

const why = (error: unknown) =>
  (error as { code?: string }).code === 'ENOENT'
    ? 'there is no such file'
    : (error as { code?: string }).code === 'EACCES'
      ? 'permission denied'
      : (error as Error).message;

/** A file the command reads: there, a file, readable. Returns its size. */
function readableFile(file: string): number {
  let size: number;
  try {
    const stats = statSync(file);
    if (!stats.isFile())
      throw new ConfigError(`${file} cannot be read: it is a folder, not a file. Nothing has been changed.`);
    size = stats.size;
    accessSync(file, constants.R_OK);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${file} cannot be read: ${why(e)}. Nothing has been changed.`);
  }
  return size;
}

/** A file the command writes: its folder is there and writable, and the file is not a folder. */
function writableFile(file: string): void {
  const folder = dirname(file);
  try {
    if (!statSync(folder).isDirectory()) throw new ConfigError(`${file} cannot be written: ${folder} is not a folder.`);
    accessSync(folder, constants.W_OK);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(
      `${file} cannot be written: ${(e as { code?: string }).code === 'ENOENT' ? `there is no folder ${folder}` : why(e)}.`,
    );
  }
  if (existsSync(file) && statSync(file).isDirectory())
    throw new ConfigError(`${file} cannot be written: it is a folder.`);
}

/** An organisation file's problems, said of the file by its name. */
function ofFile(file: string, error: ValidationError): ValidationError {
  const message =
    error.message === new ValidationError([]).message
      ? `${file} cannot be imported:`
      : error.message.startsWith('The file ')
        ? `${file} ${error.message.slice('The file '.length)}`
        : `${file}: ${error.message}`;
  return new ValidationError(error.issues, message);
}

/** The operator at the machine acts for the deployment, not for an organisation. */
const NO_ORGANISATION = '00000000-0000-0000-0000-000000000000';

async function homeActor(services: Services): Promise<Actor> {
  const home = await services.organisations.getHome();
  return systemActor(home.id, 'cli');
}

function reportVerification(result: VerifyResult, out: (s: string) => void, err: (s: string) => void): number {
  const bad = result.tables.filter((t) => !t.matches);
  for (const t of bad)
    err(
      `  ${t.table}: the backup holds ${t.backup.rows} rows (${t.backup.sha256.slice(0, 12)}), the restored copy ${t.restored ? `${t.restored.rows} rows (${t.restored.sha256.slice(0, 12)})` : 'nothing'}`,
    );
  if (!result.ok) {
    err(
      `Verification FAILED: ${bad.length} of ${result.tables.length} tables differ after a restore into ${result.scratch}.`,
    );
    return 1;
  }
  out(
    `Verified: restored into ${result.scratch}, all ${result.tables.length} tables (${result.rows.toLocaleString('en-GB')} rows) match the backup row for row; it then migrated to this Amber${result.upgradedBy.length > 0 ? ` (${result.upgradedBy.length} migrations)` : ' with nothing to apply'}.`,
  );
  return 0;
}

/**
 * Commands that keep a data folder they made even when they fail: `serve` (a server's first start
 * keeps its folder) and `restore-folder` (which makes its folder whole or not at all itself). For
 * every other command, on a data folder that held nothing before, a failure takes away the database
 * the command made there (new-data-folder.ts): "Nothing has been changed" is then true of the
 * folder too. A command that opens no database (help, an unknown one) made nothing to take away.
 */
const KEEP_THEIR_FOLDER = new Set(['serve', 'restore-folder']);

export async function main(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
): Promise<number> {
  let watch: { dir: string; folder: NewDataFolder | undefined } | undefined;
  try {
    const config = loadConfig();
    if (!config.databaseUrl && !KEEP_THEIR_FOLDER.has(argv[0] ?? ''))
      watch = { dir: config.dataDir, folder: watchNewDataFolder(config.dataDir) };
  } catch {
    // A configuration error: runCommand reports it, before any folder is opened.
  }
  const code = await runCommand(argv, out, err);
  if (code !== 0 && watch?.folder?.undo())
    err(`The database this command made in ${watch.dir} has been removed: the folder is as it was before.`);
  return code;
}

async function runCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  let debug = false;
  try {
    const config = loadConfig();
    debug = config.logLevel === 'debug' || config.logLevel === 'trace';
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({
          args: rest,
          options: { port: { type: 'string' }, 'drain-seconds': { type: 'string' } },
        });
        const port = values.port === undefined ? config.port : Number(values.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new ConfigError(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
        const drain = values['drain-seconds'] === undefined ? config.drainSeconds : Number(values['drain-seconds']);
        if (!Number.isFinite(drain) || drain < 0 || drain > 300)
          throw new ConfigError(`--drain-seconds must be a number from 0 to 300, not "${values['drain-seconds']}"`);
        // SIGTERM (a service manager, a rolling restart) or SIGINT (Ctrl-C) stops Amber gracefully
        // and exits 0, also when it arrives during start-up (which finishes first: migrations run
        // in one transaction anyway). The same signal a second time (Ctrl-C twice) ends the process
        // at once: the handlers are `once`, so Node's default applies.
        const received = new Promise<string>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        const { startServer } = await import('../server.ts');
        const server = await startServer({ ...config, port }, out, { drainMs: drain * 1000 });
        const signal = await received;
        out(`${signal} received: stopping Amber.`);
        try {
          await server.stop();
        } catch (e) {
          err(`Amber did not stop cleanly: ${e instanceof Error ? e.message : String(e)}`);
          return 1;
        }
        return 0;
      }
      case 'migrate': {
        const { openDatabase, migrateToLatest } = await database();
        const handle = await openDatabase<DB>(oneShot(config));
        try {
          const applied = await migrateToLatest(handle.db);
          out(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
        } finally {
          await handle.close();
        }
        return 0;
      }
      case 'restore-folder': {
        const file = rest[0];
        if (!file)
          throw new ConfigError(
            'restore-folder needs a file: amber restore-folder AMBER_BACKUP_DIR/amber-data-….tar.gz',
          );
        if (config.databaseUrl)
          throw new ConfigError(
            'restore-folder makes an embedded database folder: unset DATABASE_URL (for a server, use amber restore).',
          );
        readableFile(file);
        const { restoreFolderCopy } = await import('../platform/db/folder-copies.ts');
        await restoreFolderCopy(file, config.dataDir);
        out(
          `Restored ${file} into ${config.dataDir}. Start Amber with AMBER_DATA_DIR=${config.dataDir}; it migrates the copy if it is older.`,
        );
        return 0;
      }
      case 'demo':
        return await withServices(config, async (services, handle) => {
          // A server starting on the same empty database checks for the demo and loads it under
          // Amber's start-up lock; so does this, or both could load it (PGlite needs no lock: one
          // process per data folder).
          const { withStartUpLock } = await import('../platform/db/migrate.ts');
          const load = () => services.demo.load('cli');
          const { organisation, created } =
            handle.engine === 'postgres' ? await withStartUpLock(handle.db, load) : await load();
          out(
            created
              ? `Loaded the demo organisation: ${organisation.name}.`
              : `The demo organisation (${organisation.name}) is already loaded.`,
          );
          const accounts = await services.demo.accounts();
          if (accounts.length > 0) {
            out('Demo accounts (the passwords are public: change them, or close these accounts, before real use):');
            for (const a of accounts) out(`  ${a.role.padEnd(22)} ${a.email.padEnd(36)} ${a.password}`);
          }
          return 0;
        });
      case 'render': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { format: { type: 'string' }, out: { type: 'string' } },
        });
        const [code, period] = positionals;
        const format = values.format ?? 'html';
        if (!code || !period || !values.out)
          throw new ConfigError(
            'render needs a priority code, a period and --out FILE, e.g. amber render VfM-4d 2009-10-h1 --format pdf --out r.pdf',
          );
        if (!['html', 'pdf', 'docx', 'json'].includes(format))
          throw new ConfigError(`--format must be html, pdf, docx or json, not "${format}"`);
        writableFile(values.out);
        const loadRenderer = {
          pdf: async () => (await import('../render/pdf.ts')).renderReportPdf,
          docx: async () => (await import('../render/docx.ts')).renderReportDocx,
          json: async () => (await import('../render/json.ts')).renderReportJson,
          html: async () => (await import('../render/html.ts')).renderReportHtml,
        }[format as 'pdf' | 'docx' | 'json' | 'html'];
        const [{ presentReport, standingOf }, renderReport] = await Promise.all([
          import('../modules/reports/report.presenter.ts'),
          loadRenderer(),
        ]);
        return await withServices(config, async (services) => {
          const bundle = await services.reports.getBundle(await homeActor(services), code, period);
          const view = { ...presentReport(bundle), standing: standingOf(bundle) };
          const body = await renderReport(view);
          writeFileSync(values.out!, body);
          out(`Wrote ${view.priority.code} ${view.period.label} as ${format.toUpperCase()} to ${values.out}`);
          return 0;
        });
      }
      case 'user': {
        const [sub, ...args] = rest;
        if (sub !== 'create')
          throw new ConfigError(
            'Usage: amber user create EMAIL [--admin] [--role ROLE]... [--name NAME] [--password-stdin]',
          );
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            admin: { type: 'boolean', default: false },
            role: { type: 'string', multiple: true, default: [] },
            name: { type: 'string' },
            'password-stdin': { type: 'boolean', default: false },
            organisation: { type: 'string' },
            operator: { type: 'boolean', default: false },
          },
        });
        const [email] = positionals;
        if (!email)
          throw new ConfigError(
            'user create needs an e-mail address, e.g. amber user create --admin you@council.gov.uk',
          );
        const roles = [...new Set([...(values.admin ? ['administrator'] : []), ...(values.role ?? [])])];
        if (roles.length === 0)
          throw new ConfigError(
            'Give the user a role: --admin, or --role ROLE (administrator, performance_officer, accountable_officer, accountable_director, contributor, viewer)',
          );
        const typed = values['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : undefined;
        const password = typed ?? randomBytes(15).toString('base64url');
        return await withServices(config, async (services) => {
          const home = await homeActor(services);
          const organisation = values.organisation
            ? await services.organisations.findBySlug(home, values.organisation)
            : await services.organisations.getHome();
          if (!organisation)
            throw new ConfigError(
              `No organisation has the web address name "${values.organisation}". See them with: amber organisation list`,
            );
          const actor = systemActor(organisation.id, 'cli');
          const user = await services.accounts.createUser(actor, {
            email,
            name: values.name ?? email.split('@')[0]!,
            roles: roles as never,
            password,
          });
          if (values.operator) await services.accounts.makeOperator(actor, user.email);
          out(
            `Created ${user.email} (${roles.join(', ')}${values.operator ? ', operator' : ''}) in ${organisation.name}.`,
          );
          if (!typed)
            out(`Password: ${password}\nIt is shown only now: sign in and change it on the "Your account" page.`);
          return 0;
        });
      }
      case 'organisation': {
        const [sub, ...args] = rest;
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            'short-name': { type: 'string' },
            slug: { type: 'string' },
            kind: { type: 'string', default: 'council' },
            admin: { type: 'string' },
            'admin-name': { type: 'string' },
          },
        });
        if (sub === 'list')
          return await withServices(config, async (services) => {
            const operator = systemActor(NO_ORGANISATION, 'cli');
            const home = await services.organisations.findHome();
            for (const o of await services.organisations.listHosted(operator))
              out(`${o.slug}\t${o.name}${o.id === home?.id ? '\t(home)' : ''}`);
            return 0;
          });
        if (sub !== 'create' || positionals.length !== 1)
          throw new ConfigError(
            'Usage: amber organisation create NAME [--short-name S] [--slug SLUG] [--kind KIND] [--admin EMAIL], or amber organisation list',
          );
        // One transaction: an administrator refused (a bad address) leaves no organisation behind.
        return await withServices(config, (services, handle) =>
          handle.units.run(async () => {
            const operator = systemActor(NO_ORGANISATION, 'cli');
            const org = await services.organisations.createOrganisation(operator, {
              name: positionals[0],
              shortName: values['short-name'] ?? '',
              slug: values.slug,
              kind: values.kind,
            });
            out(`Created ${org.name}: its pages are at /o/${org.slug}/`);
            if (values.admin) {
              const password = randomBytes(15).toString('base64url');
              const user = await services.accounts.createUser(systemActor(org.id, 'cli'), {
                email: values.admin,
                name: values['admin-name'] ?? values.admin.split('@')[0]!,
                roles: ['administrator'],
                password,
              });
              out(
                `Its administrator is ${user.email}. Password: ${password}\nIt is shown only now (an existing account keeps its own password).`,
              );
            }
            return 0;
          }),
        );
      }
      case 'export': {
        const { values } = parseArgs({
          args: rest,
          options: { out: { type: 'string' }, 'include-password-hashes': { type: 'boolean', default: false } },
        });
        if (!values.out) throw new ConfigError('export needs --out FILE.json');
        writableFile(values.out);
        return await withServices(config, async (services) => {
          const actor = await homeActor(services);
          const data = await services.transfer.exportOrganisation(actor.organisationId, {
            passwordHashes: values['include-password-hashes'],
          });
          writeFileSync(values.out!, `${JSON.stringify(data, null, 2)}\n`);
          out(`Exported ${data.organisation.name} to ${values.out}`);
          return 0;
        });
      }
      case 'import': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { replace: { type: 'boolean', default: false } },
        });
        const [file] = positionals;
        if (!file) throw new ConfigError('import needs a file: amber import FILE.json');
        let input: unknown;
        const size = readableFile(file);
        // The same limit whatever the door: a file is measured before a byte of it is read.
        if (size > config.limits.importBytes)
          throw new ConfigError(
            `${file} is ${megabytes(size)}: an organisation file may be at most ${megabytes(config.limits.importBytes)} (AMBER_MAX_IMPORT_MB). Nothing has been changed.`,
          );
        try {
          input = JSON.parse(readFileSync(file, 'utf8'));
        } catch (e) {
          const reason =
            e instanceof RangeError ? 'it is too large or too deeply nested to read' : (e as Error).message;
          throw new ConfigError(`${file} is not a readable JSON file: ${reason}. Nothing has been changed.`);
        }
        // All of it checked before the database is opened; only what needs the database (an
        // organisation or account already there) is checked after, inside the import's transaction.
        const { checkOrganisationFile } = await import('../modules/transfer/transfer.service.ts');
        let checked: ReturnType<typeof checkOrganisationFile>;
        try {
          checked = checkOrganisationFile(input);
        } catch (e) {
          throw e instanceof ValidationError ? ofFile(file, e) : e;
        }
        return await withServices(config, async (services) => {
          const result = await services.transfer.importOrganisation(checked, {
            replace: values.replace,
            actorLabel: 'cli',
          });
          out(
            `Imported organisation ${result.organisationId}: ${Object.entries(result.counts)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ')}`,
          );
          return 0;
        });
      }
      case 'backup': {
        const { values } = parseArgs({
          args: rest,
          options: {
            out: { type: 'string' },
            'include-secrets': { type: 'boolean', default: false },
            verify: { type: 'boolean', default: false },
          },
        });
        if (!values.out) throw new ConfigError('backup needs --out FILE, e.g. amber backup --out amber.backup.gz');
        writableFile(values.out);
        if (!config.databaseUrl && !existsSync(config.dataDir))
          throw new ConfigError(
            `There is no database at ${config.dataDir} to back up (AMBER_DATA_DIR; or set DATABASE_URL for a server).`,
          );
        const [{ openDatabase }, { writeBackup, verifyBackup }] = await Promise.all([
          database(),
          import('../platform/db/backup.ts'),
        ]);
        const handle = await openDatabase<DB>(oneShot(config));
        try {
          const started = Date.now();
          const summary = await writeBackup(handle.db, values.out, { includeSecrets: values['include-secrets'] });
          out(
            `Backed up ${summary.rows.toLocaleString('en-GB')} rows of ${summary.tables.length} tables (Amber ${summary.header.amberVersion}, ${summary.header.migrations.length} migrations) to ${values.out}: ${summary.bytes < 1024 * 1024 ? `${Math.ceil(summary.bytes / 1024)} KB` : megabytes(summary.bytes)} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
          );
          out(
            summary.header.excluded.length > 0
              ? `Left out (credentials; --include-secrets copies them): ${summary.header.excluded.join(', ')}.`
              : 'Sessions, one-time links and API tokens are included (--include-secrets): keep this file as safe as the database.',
          );
        } finally {
          await handle.close();
        }
        if (!values.verify) return 0;
        return reportVerification(await verifyBackup(values.out, { databaseUrl: config.databaseUrl }), out, err);
      }
      case 'restore': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { verify: { type: 'boolean', default: false } },
        });
        const [file] = positionals;
        if (!file || positionals.length > 1)
          throw new ConfigError('restore needs one backup file: amber restore FILE (or amber restore --verify FILE)');
        readableFile(file);
        const { verifyBackup, restoreBackup, readBackupHeader } = await import('../platform/db/backup.ts');
        // Both read the backup's header before they open a database (verify its scratch one).
        if (values.verify)
          return reportVerification(await verifyBackup(file, { databaseUrl: config.databaseUrl }), out, err);
        await readBackupHeader(file);
        const { openDatabase } = await database();
        const handle = await openDatabase<DB>(oneShot(config));
        try {
          const started = Date.now();
          const summary = await restoreBackup(handle.db, file, { databaseUrl: config.databaseUrl });
          out(
            `Restored ${summary.rows.toLocaleString('en-GB')} rows of ${summary.tables.length} tables from ${file} (a backup made by Amber ${summary.header.amberVersion} at ${summary.header.createdAt}) into ${handle.location} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
          );
          if (summary.throughScratch)
            out(
              `The database was already migrated further than the backup, so the backup was first restored and migrated in a scratch database (${summary.throughScratch}) and copied from there.`,
            );
          out(
            summary.upgradedBy.length > 0
              ? `Migrated it to this Amber: ${summary.upgradedBy.join(', ')}.`
              : "The backup was made at this Amber's migrations: nothing more to apply.",
          );
          if (summary.header.excluded.length > 0)
            out(
              `Not in the backup: ${summary.header.excluded.join(', ')}. Everyone signs in again; API tokens must be made again.`,
            );
        } finally {
          await handle.close();
        }
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 1 : 0;
      default:
        err(`amber: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ValidationError) {
      err(error.message);
      for (const issue of error.issues) err(`  ${issue.field}: ${issue.message}`);
      if (!/nothing has been changed/i.test(error.message)) err('Nothing has been changed.');
      return 1;
    }
    if (error instanceof AppError || error instanceof ConfigError || error instanceof DataDirLockedError) {
      err(error.message);
      return 1;
    }
    // Not the person's to fix: one line, not a stack trace (AMBER_DEBUG=1 shows it for a bug report).
    err(
      `amber ${command ?? ''}: something went wrong that Amber did not expect: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`,
    );
    if (debug && error instanceof Error && error.stack) err(error.stack);
    else err('Run it again with LOG_LEVEL=debug to see where, and report it with that output.');
    return 70;
  }
}
