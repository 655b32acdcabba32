// A piece of upkeep the server runs now and then (a copy of the embedded database, its vacuum and
// analyze): checked a while after start-up, when things have settled, and then at a fixed interval,
// each check deciding for itself whether anything is due. One run at a time: a check or a forced run
// while one is running gets that one's promise. A failed check is logged, and the next is still
// scheduled; `stop()` schedules no more and waits for the run in hand.

export interface PeriodicChecks<T> {
  /** Runs the check now (or joins the one running); `force` asks it to run even if not due. */
  runNow(force?: boolean): Promise<T>;
  stop(): Promise<void>;
}

export function startPeriodicChecks<T>(options: {
  /** Does what is due (or all of it, when forced). */
  check: (force: boolean) => Promise<T>;
  firstAfterMs: number;
  everyMs: number;
  /** Said when a scheduled check fails. */
  failed: (error: unknown) => void;
}): PeriodicChecks<T> {
  let running: Promise<T> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const runNow = (force = false): Promise<T> =>
    (running ??= options.check(force).finally(() => {
      running = undefined;
    }));

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      void runNow()
        .catch(options.failed)
        .finally(() => {
          if (!stopped) schedule(options.everyMs);
        });
    }, ms);
    timer.unref();
  };
  schedule(options.firstAfterMs);

  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
