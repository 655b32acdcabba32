import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startReminderScheduler } from './reminder.scheduler.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the reminder scheduler', () => {
  it('ticks at start and then on its interval, never two ticks at once, until stopped', async () => {
    let running = 0;
    let most = 0;
    let ticks = 0;
    const queued: number[] = [];
    const scheduler = startReminderScheduler(
      {
        tick: async () => {
          running++;
          most = Math.max(most, running);
          ticks++;
          await sleep(15);
          running--;
          return 2;
        },
      },
      { everyMs: 5, firstAfterMs: 0, onQueued: (n) => queued.push(n) },
    );
    await Promise.all([scheduler.tickNow(), scheduler.tickNow()]);
    await sleep(80);
    await scheduler.stop();
    const after = ticks;
    await sleep(40);
    assert.ok(after >= 3, `ticked ${after} times`);
    assert.equal(ticks, after, 'no tick after stop()');
    assert.equal(most, 1, 'ticks never overlap');
    assert.ok(queued.every((n) => n === 2));
  });

  it('reports a failed tick and keeps going', async () => {
    const errors: unknown[] = [];
    let ticks = 0;
    const scheduler = startReminderScheduler(
      {
        tick: async () => {
          ticks++;
          throw new Error('database unavailable');
        },
      },
      { everyMs: 5, firstAfterMs: 0, onError: (e) => errors.push(e) },
    );
    // Until a second tick has come after the failed first (not a fixed 60 ms: a loaded machine's
    // timers ran late and the suite failed with one tick), or five seconds have passed.
    const deadline = Date.now() + 5_000;
    while (ticks < 2 && Date.now() < deadline) await sleep(5);
    await scheduler.stop();
    assert.ok(ticks >= 2, `ticked ${ticks} times`);
    assert.match(String(errors[0]), /database unavailable/);
  });

  it('waits for the tick in progress when stopped', async () => {
    let finished = false;
    // Stopped once the tick has started (not after a fixed 5 ms: on a loaded machine the first
    // tick's timer could still be waiting then, and stop() rightly cancelled it instead).
    let started!: () => void;
    const inProgress = new Promise<void>((resolve) => (started = resolve));
    const scheduler = startReminderScheduler(
      {
        tick: async () => {
          started();
          await sleep(30);
          finished = true;
          return 0;
        },
      },
      { everyMs: 1000, firstAfterMs: 0 },
    );
    await inProgress;
    await scheduler.stop();
    assert.equal(finished, true);
  });
});
