// Journeys whose steps build on each other: once one fails, the rest fail at once saying so,
// rather than each waiting for a timeout on a page that is not there.

import { it } from 'node:test';

/** A `step(name, fn)` that registers `it(name)` and skips, with a reason, every step after a failed one. */
export function sequentialSteps(): (name: string, fn: () => Promise<void>) => void {
  let failedStep: string | undefined;
  return (name, fn) =>
    void it(name, async () => {
      if (failedStep) throw new Error(`not run: the earlier step “${failedStep}” failed`);
      try {
        await fn();
      } catch (error) {
        failedStep = name;
        throw error;
      }
    });
}
