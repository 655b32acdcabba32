// config → database → migrations → (demo on first run) → buildApp → listen → graceful shutdown.
// The only file that listens.
//
// Several instances may run on one PostgreSQL server (docs/operations.md, "Running several
// instances"): they migrate and load the demo one at a time under a start-up lock, share
// sessions, jobs and reminders through the database, and stop gracefully: `stop()` (SIGTERM)
// first reports the health checks as 503 while still serving (so a load balancer sends new
// requests elsewhere), then stops listening, finishes the requests in flight, hands back the job
// in hand if it outlasts its grace period, and closes the pool.

import { publicUrlOf, type Config } from './config.ts';
import { openDatabase } from './platform/db/database.ts';
import { migrateToLatest, withStartUpLock } from './platform/db/migrate.ts';
import { buildJobHandlers, buildServices } from './composition.ts';
import { buildApp } from './app.ts';
import { paths } from './paths.ts';
import type { DB } from './schema.ts';
import { createMailer } from './platform/mail/mailer.ts';
import { startReminderScheduler } from './modules/reminders/reminder.scheduler.ts';
import { startFolderCopies } from './platform/db/folder-copies.ts';
import { startPgliteUpkeep } from './platform/db/pglite-upkeep.ts';

export interface ServerOptions {
  /**
   * On stop, how long to keep serving while the health checks answer 503, before the listener
   * closes: longer than the load balancer takes to notice (its check interval × failures). 0
   * (the default): close at once, for a single instance.
   */
  drainMs?: number;
  /** On stop, how long the job in hand may run on before it is handed back to the queue. */
  jobGraceMs?: number;
}

export const DEFAULT_JOB_GRACE_MS = 5_000;

/** The health checks a load balancer polls: 503 while the instance drains. Liveness stays 200. */
const DRAIN_SIGNALLED: ReadonlySet<string> = new Set([paths.health, paths.healthReady]);

/**
 * At LOG_LEVEL=debug (or trace), one line per phase of the start: how long it took, and when it
 * ended counted from the process's start (the first phase, the code loaded, is Node's own start
 * and the import of Amber's modules). bench/cold-start.ts reads them; nothing else depends on them.
 */
function startUpPhases(log: ((line: string) => void) | undefined): (phase: string) => void {
  let last = 0;
  return (phase) => {
    const now = performance.now();
    log?.(`Start-up: ${phase} took ${Math.round(now - last)} ms (${Math.round(now)} ms since the process started).`);
    last = now;
  };
}

export async function startServer(
  config: Config,
  log: (line: string) => void = console.log,
  options: ServerOptions = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const phase = startUpPhases(config.logLevel === 'debug' || config.logLevel === 'trace' ? log : undefined);
  phase('loading the code');
  // A new PGlite folder starts from the database a first start makes (the demo loaded) when
  // `npm install` made it from this code, and then has nothing left to load (ADR 0019).
  const handle = await openDatabase<DB>({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    template: config.demoOnFirstRun ? 'demo' : 'empty',
    ...(config.preparedStatements === undefined ? {} : { prepareStatements: config.preparedStatements }),
  });
  phase(`opening the database${handle.template ? ` (from the ${handle.template} template)` : ''}`);
  try {
    const mailer = createMailer(config, { info: log, warn: log });
    const services = buildServices(handle, {
      mailer,
      publicUrl: publicUrlOf(config),
      log,
      auth: { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours },
      limits: config.limits,
      keptDashboards: config.keptDashboards,
    });
    const startUp = async () => {
      const applied = await migrateToLatest(handle.db);
      if (applied.length > 0) log(`Applied migrations: ${applied.join(', ')}`);
      phase('checking the migrations');
      await services.diagnostics.ensureShippedTaxonomy();
      phase('checking the shipped taxonomy');
      const home = config.demoOnFirstRun ? await services.organisations.findHome() : undefined;
      if (!config.demoOnFirstRun || (home && handle.template !== 'demo')) return phase('checking for the demo');
      // Started from the demo template: the demo loader's work is already in the folder.
      const { organisation } = home ? { organisation: home } : await services.demo.load('demo');
      phase(home ? 'finding the demo in the template' : 'loading the demo');
      log(`Loaded the demo organisation (${organisation.name}) into an empty database.`);
      log(
        `Sign in with a demo account (passwords are public; listed on the sign-in page and in the README), e.g. ${(
          await services.demo.accounts()
        )
          .slice(0, 3)
          .map((a) => `${a.email} / ${a.password}`)
          .join(', ')}.`,
      );
    };
    // Instances starting together on one server migrate and check for the demo one at a time, so
    // the demo is loaded once. PGlite needs no lock: one process per data folder (its lock file).
    if (handle.engine === 'postgres') await withStartUpLock(handle.db, startUp);
    else await startUp();

    const app = await buildApp({
      config,
      db: handle.db,
      units: handle.units,
      services,
      pool: handle.pool,
      pageCache: config.keptPages === 0 ? false : { maxEntries: config.keptPages },
    });
    phase('building the app');
    let draining = false;
    app.addHook('onRequest', async (request, reply) => {
      if (!draining) return;
      // Persistent connections (a load balancer's) are closed after each answer, so its next
      // request opens a new connection, to an instance that is not stopping.
      reply.header('connection', 'close');
      if (DRAIN_SIGNALLED.has(request.routeOptions.url ?? ''))
        return reply.status(503).header('cache-control', 'no-store').send({
          status: 'unavailable',
          reason: 'DRAINING',
          detail: 'This instance is stopping: send requests to another',
        });
    });
    let address: string;
    try {
      address = await app.listen({ port: config.port, host: config.host });
      phase('listening');
    } catch (error) {
      await app.close();
      throw error;
    }
    // Every instance runs a worker: queued jobs are claimed with `skip locked`, never twice.
    const worker = services.jobs.queue.startWorker({ handlers: buildJobHandlers(services), pollMs: 1000 });
    // Every instance runs the reminder schedule too: reminder_sent makes each reminder go once.
    const reminders = startReminderScheduler(services.reminders, {
      onQueued: (n) => log(`Queued ${n} reminder e-mail${n === 1 ? '' : 's'} (sent through ${mailer.description}).`),
    });
    // A daily copy of the embedded database, when AMBER_BACKUP_DIR asks for one (folder-copies.ts).
    const copies =
      config.backupDir && handle.engine === 'pglite' && handle.dumpDataDir
        ? startFolderCopies({
            dump: () => handle.dumpDataDir!('gzip'),
            dir: config.backupDir,
            keep: config.backupKeep,
            log,
          })
        : undefined;
    // PGlite has no autovacuum: its tables are vacuumed and analyzed a minute after start, then daily.
    const upkeep = handle.engine === 'pglite' ? startPgliteUpkeep({ db: handle.db, log }) : undefined;
    if (config.backupDir && handle.engine === 'postgres')
      log(
        'AMBER_BACKUP_DIR is for the embedded database; with a PostgreSQL server use `amber backup` or its own tools (docs/operations.md).',
      );
    const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    log(
      `Amber is running at ${url} (database: ${handle.engine === 'pglite' ? `embedded PGlite in ${handle.location}` : `PostgreSQL ${handle.location}`}).`,
    );
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        draining = true;
        // Nothing new is claimed or scheduled from now; the job in hand has its grace period.
        const workerStopped = worker.stop({ graceMs: options.jobGraceMs ?? DEFAULT_JOB_GRACE_MS }).then(
          ({ handedBack }) => {
            if (handedBack) log(`Handed back job ${handedBack.id} (${handedBack.kind}): another instance will run it.`);
          },
          // Not handed back (the database went away?): another instance takes it when its lease runs out.
          (error: unknown) => log(`The job worker did not stop cleanly: ${String(error)}`),
        );
        const remindersStopped = reminders.stop();
        const copiesStopped = copies?.stop();
        const upkeepStopped = upkeep?.stop();
        const drainMs = options.drainMs ?? config.drainSeconds * 1000;
        if (drainMs > 0) {
          log(`Draining for ${drainMs / 1000} s: the health checks answer 503, requests are still served.`);
          await new Promise((resolve) => setTimeout(resolve, drainMs));
        }
        // Stops listening (new connections are refused) and waits for the requests in flight.
        await app.close();
        await Promise.all([workerStopped, remindersStopped, copiesStopped, upkeepStopped]);
        mailer.close();
        await handle.close();
        log('Amber has stopped.');
      })());
    return { url, stop };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
