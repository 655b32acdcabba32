// Runs the reminder schedule inside the server: a tick at start-up and then every `everyMs`
// (5 minutes by default). Every instance runs one; reminder_sent makes that safe. A tick also
// writes the end of every sharing agreement past its end date into the history (once each:
// sharing_agreement.end_recorded_at), in its own unit of work, so a failure of one never holds
// up the other. `stop()` waits for a tick in progress, so shutdown ends cleanly.

import type { ReminderService } from './reminder.service.ts';

export const REMINDER_TICK_MS = 5 * 60_000;

export interface ReminderScheduler {
  /** Runs a tick now (if none is running) and resolves when it is done. */
  tickNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startReminderScheduler(
  reminders: Pick<ReminderService, 'tick'> & Partial<Pick<ReminderService, 'recordAgreementEnds'>>,
  options: {
    everyMs?: number;
    /** Delay before the first tick, so start-up (migrations, demo) is not slowed. */
    firstAfterMs?: number;
    onError?: (error: unknown) => void;
    onQueued?: (count: number) => void;
  } = {},
): ReminderScheduler {
  const everyMs = options.everyMs ?? REMINDER_TICK_MS;
  const onError = options.onError ?? ((e: unknown) => console.error('amber: reminders:', e));
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const tick = (): Promise<void> =>
    (running ??= (async () => {
      try {
        try {
          const n = await reminders.tick();
          if (n > 0) options.onQueued?.(n);
        } catch (error) {
          if (!stopped) onError(error);
        }
        try {
          await reminders.recordAgreementEnds?.();
        } catch (error) {
          if (!stopped) onError(error);
        }
      } finally {
        running = undefined;
      }
    })());

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().then(() => schedule(everyMs));
    }, ms);
    timer.unref();
  };
  schedule(options.firstAfterMs ?? 1_000);

  return {
    tickNow: tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
