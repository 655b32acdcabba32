// Functions for workers.test.ts to run in a worker: each one behaves in one way a real task can
// (answers, throws, runs out of memory, never ends). The types are there on purpose: a worker
// that answers has loaded TypeScript with Node's own type stripping.

import { getCompileCacheDir } from 'node:module';
import { threadId } from 'node:worker_threads';
import { ValidationError } from '../../domain/errors.ts';

type Answer = 'yes' | 'no';
const YES: Answer = 'yes';

export function echo<T>(input: T): { input: T; answer: string; threadId: number } {
  return { input, answer: YES, threadId };
}

/** `size` bytes counting up from 0, as a Buffer that is a slice of a bigger one when `sliced`. */
export function bytes({ size, sliced }: { size: number; sliced: boolean }): Buffer {
  const whole = Buffer.alloc(size + (sliced ? 16 : 0));
  const out = sliced ? whole.subarray(8, 8 + size) : whole;
  for (let i = 0; i < size; i++) out[i] = i % 256;
  return out;
}

export function fail(message: string): never {
  throw new Error(message);
}

export function refuse(field: string): never {
  throw ValidationError.single(field, `Enter ${field}`);
}

/** A refusal of its own kind, as a file reader's SpreadsheetRefused is. */
class FileRefused extends ValidationError {
  constructor(message: string) {
    super([{ field: 'file', message }]);
  }
}

export function refuseFile(message: string): never {
  throw new FileRefused(message);
}

/** Where this worker keeps its compiled code (undefined: no compile cache). */
export function compileCacheDir(): string | undefined {
  return getCompileCacheDir?.();
}

/** Keeps everything it allocates until the heap limit stops it. */
export function hog(): number {
  const kept: number[][] = [];
  for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => i));
}

/** Never returns: only a deadline ends it. */
export function spin(): never {
  for (;;) {
    /* busy */
  }
}

/** Waits `ms`, then says when it ran, by the wall clock every thread shares. */
export async function nap(ms: number): Promise<{ started: number; ended: number; threadId: number }> {
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { started, ended: Date.now(), threadId };
}
