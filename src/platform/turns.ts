// Long loops on the main thread give the event loop a turn now and then (ADR 0025): Amber serves
// every request from one thread, and PGlite's database work runs on it too, so a loop over every
// indicator of a large organisation, or a chain of statements, would otherwise keep every other
// request, timer and health check waiting until it ends.

/** How long a loop, or the database's work on PGlite, may keep the event loop from turning, ms. */
export const TURN_EVERY_MS = 10;

/**
 * A function to call in each step of a long loop (`await turn()`): it gives the event loop a turn
 * (`setImmediate`) once `everyMs` have passed since its last, and otherwise returns nothing. It
 * cannot see the loop's other turns, so its first may come sooner than needed: a few microseconds.
 */
export function loopTurns(everyMs = TURN_EVERY_MS): () => Promise<void> | undefined {
  let turnedAt = performance.now();
  return () => {
    if (performance.now() - turnedAt < everyMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        turnedAt = performance.now();
        resolve();
      }),
    );
  };
}
