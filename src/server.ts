// config → database → migrations → (demo on first run) → buildApp → listen → graceful shutdown.
// The only file that listens.

import { publicUrlOf, type Config } from './config.ts';
import { openDatabase } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { buildJobHandlers, buildServices } from './composition.ts';
import { buildApp } from './app.ts';
import type { DB } from './schema.ts';
import { createMailer } from './platform/mail/mailer.ts';
import { startReminderScheduler } from './modules/reminders/reminder.scheduler.ts';

export async function startServer(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const handle = await openDatabase<DB>({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(handle.db);
    if (applied.length > 0) log(`Applied migrations: ${applied.join(', ')}`);
    const mailer = createMailer(config, { info: log, warn: log });
    const services = buildServices(handle, {
      mailer,
      publicUrl: publicUrlOf(config),
      log,
      auth: { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours },
      limits: config.limits,
    });
    if (config.demoOnFirstRun && !(await services.organisations.findHome())) {
      const { organisation } = await services.demo.load('demo');
      log(`Loaded the demo organisation (${organisation.name}) into an empty database.`);
      log(
        `Sign in with a demo account (passwords are public; listed on the sign-in page and in the README), e.g. ${(
          await services.demo.accounts()
        )
          .slice(0, 3)
          .map((a) => `${a.email} / ${a.password}`)
          .join(', ')}.`,
      );
    }
    const app = await buildApp({ config, db: handle.db, units: handle.units, services });
    // Every instance runs a worker: queued jobs are claimed with `skip locked`, never twice.
    const worker = services.jobs.queue.startWorker({ handlers: buildJobHandlers(services), pollMs: 1000 });
    // Every instance runs the reminder schedule too: reminder_sent makes each reminder go once.
    const reminders = startReminderScheduler(services.reminders, {
      onQueued: (n) => log(`Queued ${n} reminder e-mail${n === 1 ? '' : 's'} (sent through ${mailer.description}).`),
    });
    const address = await app.listen({ port: config.port, host: config.host });
    const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    log(
      `Amber is running at ${url} (database: ${handle.engine === 'pglite' ? `embedded PGlite in ${handle.location}` : `PostgreSQL ${handle.location}`}).`,
    );
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await app.close();
        await reminders.stop();
        await worker.stop();
        mailer.close();
        await handle.close();
      })());
    return { url, stop };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
