// Periodic upkeep checks: the first after a delay, then at an interval; one run at a time; a failed
// check is reported and the next still comes; stop() waits for the run in hand and ends the rest.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPeriodicChecks } from './checks.ts';

describe('periodic checks', () => {
  it('checks after a delay and then again, going on after a failure, and stops', async () => {
    const calls: boolean[] = [];
    const failures: unknown[] = [];
    const checks = startPeriodicChecks({
      async check(force) {
        calls.push(force);
        if (calls.length === 1) throw new Error('the first check fails');
        // The third is still running when stop() is called: nothing may be scheduled after it.
        if (calls.length === 3) await sleep(20);
        return calls.length;
      },
      firstAfterMs: 5,
      everyMs: 5,
      failed: (error) => failures.push(error),
    });
    const deadline = Date.now() + 5_000;
    while (calls.length < 3 && Date.now() < deadline) await sleep(5);
    await checks.stop();
    const made = calls.length;
    assert.equal(made, 3, 'stopped during the third');
    assert.deepEqual(calls.slice(0, 3), [false, false, false], 'scheduled checks are not forced');
    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /the first check fails/);
    await sleep(30);
    assert.equal(calls.length, made, 'no check after stop()');
  });

  it('runs one check at a time: a second ask joins the one running, and stop() waits for it', async () => {
    let release!: () => void;
    let started = 0;
    let finished = false;
    const checks = startPeriodicChecks({
      async check(force) {
        started++;
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
        return force;
      },
      firstAfterMs: 60_000,
      everyMs: 60_000,
      failed: () => undefined,
    });
    const first = checks.runNow(true);
    const second = checks.runNow();
    assert.equal(first, second, 'the same run');
    const stopped = checks.stop().then(() => finished);
    await sleep(5);
    assert.equal(started, 1);
    release();
    assert.equal(await first, true);
    assert.equal(await stopped, true, 'stop() waited for the run in hand');
  });
});
