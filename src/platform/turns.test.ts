// A long loop's turns of the event loop (ADR 0025): none until the time has passed, then a real
// one (what was queued on the loop before it runs), and the clock starts again from it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loopTurns } from './turns.ts';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('loopTurns', () => {
  it('gives no turn before its time, then a turn of the event loop, then none again', async () => {
    const turn = loopTurns(5);
    assert.equal(turn(), undefined, 'no time has passed');
    // Queued first, run first: it has run once the turn is over only if the loop turned (no chain of
    // promises alone lets it run).
    let queued = false;
    setImmediate(() => (queued = true));
    busy(8);
    const waited = turn();
    assert.ok(waited instanceof Promise, 'its time has passed');
    assert.equal(queued, false);
    await waited;
    assert.equal(queued, true, 'the event loop turned');
    assert.equal(turn(), undefined, 'the clock starts again from the turn');
  });
});
