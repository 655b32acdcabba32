// CPU- and memory-heavy work off the event loop: a function of some module run in a
// `node:worker_threads` Worker with a bounded heap and a deadline, so that the web server keeps
// answering (a 150-priority board pack held the event loop for 15 s here, 38 s on a tester's
// machine) and a task that grows without bound stops itself instead of the whole process.
// Generic: it knows nothing of what it runs.
//
//   const pdf = await runInWorker<Buffer>(
//     { module: new URL('../../render/board-pack.ts', import.meta.url), fn: 'renderBoardPackPdf', input: view },
//     { maxOldGenerationSizeMb: 512, timeoutMs: 10 * 60_000 },
//   );
//
// or, with the module's types checked at compile time (the export's name, its input, its result):
//
//   import type * as BoardPack from '../../render/board-pack.ts';
//   const renderPdf = workerFunction<typeof BoardPack, 'renderBoardPackPdf'>(
//     new URL('../../render/board-pack.ts', import.meta.url), 'renderBoardPackPdf', { timeoutMs: 600_000 });
//   const pdf = await renderPdf(view);
//
// The contract:
// - `module` is a file URL (or its href) of a .ts or .js module; `fn` an exported function taking
//   one argument and returning a value or a promise. TypeScript loads with Node's own type
//   stripping in the worker, as in the main thread (see worker-bootstrap.js).
// - `input` and the result cross by structured clone: plain objects, arrays, strings, numbers,
//   Dates, Maps, Sets, typed arrays. Functions cannot cross (DataCloneError, a WorkerTaskError);
//   class instances arrive as plain objects, so view models, not domain objects with methods.
//   A Uint8Array or Buffer *result* is moved, not copied, and arrives as a Buffer. Pass
//   `transfer: [bytes.buffer]` to move an input's memory too (it becomes unusable here).
// - At most `maxWorkers` tasks run at once (default: one less than the cores, at least 1); the
//   rest wait in order, up to `maxQueued`, beyond which `WorkerBusyError` (503) refuses at once.
// - A worker is kept for `idleMs` after a task (a warm worker skips the start-up: ~0.1 s, plus
//   loading the module: ~0.4 s for the PDF and Word renderers, less when the main thread has Node's
//   compile cache, which a worker then uses too) and reused by tasks with the same
//   limits, then ended; it is also ended after `maxTasksPerWorker` tasks, so what a library keeps
//   outside the V8 heap (native buffers, module caches) goes with the thread. The V8 heap pages
//   themselves stay with the process (Node 24's V8 pools them for the next worker: after a 450 MB
//   task about 430 MB stayed resident, and the next task reused it), so the limits below are
//   also what the process keeps.
// - Failures are typed, never a crash of the server: the function's own `AppError`s
//   (ValidationError with its issues, also from a subclass, NotFoundError…) are raised again here as the same class;
//   anything else it throws becomes `WorkerTaskError` (not an AppError: a person sees the generic
//   500 page, the log gets the worker's stack as `cause`); past the heap limit
//   `WorkerOutOfMemoryError`, past the deadline `WorkerTimeoutError` (both AppErrors, 503, with
//   a message meant for a person); those two end the worker, and the next task gets a new one.
// - Limits (`maxOldGenerationSizeMb`, default 512; `maxYoungGenerationSizeMb`, 16; `timeoutMs`,
//   5 minutes) are per task. They bound the worker's JavaScript heap only; memory a native
//   library allocates (an image decoder's pixels) is not counted, so such code must still free it
//   (render/png.ts).
// - Idle workers do not keep the process alive; `closeWorkers()` ends them all (tests, shutdown).

import { getCompileCacheDir } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../../domain/errors.ts';

export interface WorkerTask<I = unknown> {
  /** The module to load in the worker: `new URL('./x.ts', import.meta.url)` or its href. */
  module: URL | string;
  /** The exported function to call with `input`. */
  fn: string;
  input: I;
  /** ArrayBuffers in `input` to move to the worker rather than copy. */
  transfer?: ArrayBuffer[];
}

export interface WorkerLimits {
  /** The worker's old-generation heap, MB; beyond it the task fails with WorkerOutOfMemoryError. */
  maxOldGenerationSizeMb?: number;
  /** The worker's young-generation heap, MB. */
  maxYoungGenerationSizeMb?: number;
  /** Wall time for the task once a worker has it (not its wait in the queue), ms. */
  timeoutMs?: number;
}

export interface WorkerPoolOptions {
  /** Tasks running at once; default one less than the cores, at least 1. */
  maxWorkers?: number;
  /** Tasks waiting for a worker; one more is refused with WorkerBusyError. Default 100. */
  maxQueued?: number;
  /** How long an idle worker is kept for the next task, ms. Default 5,000. */
  idleMs?: number;
  /** Tasks after which a worker is ended rather than reused. Default 8. */
  maxTasksPerWorker?: number;
}

/**
 * The young generation is capped because V8's own default let a worker's heap (and so the
 * process's RSS) grow by about 130 MB more than the work needed: a 150-priority board pack PDF
 * added 360 MB of RSS with V8's default and 240 MB with 16 MB, at the same speed.
 */
export const DEFAULT_LIMITS: Required<WorkerLimits> = {
  maxOldGenerationSizeMb: 512,
  maxYoungGenerationSizeMb: 16,
  timeoutMs: 5 * 60_000,
};

// ---- errors ---------------------------------------------------------------------------------

/** Something went wrong running a task in a worker (see the subclasses). */
export class WorkerError extends AppError {}

export class WorkerOutOfMemoryError extends WorkerError {
  readonly limitMb: number;
  constructor(limitMb: number) {
    super(
      'WORKER_OUT_OF_MEMORY',
      `This needed more memory than the ${limitMb} MB Amber allows one task, so it was stopped. Nothing was saved: try a smaller piece of work, or ask the system administrator.`,
      503,
    );
    this.limitMb = limitMb;
  }
}

export class WorkerTimeoutError extends WorkerError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(
      'WORKER_TIMEOUT',
      `This took longer than the ${formatSeconds(timeoutMs)} Amber allows one task, so it was stopped. Nothing was saved: try a smaller piece of work, or try again later.`,
      503,
    );
    this.timeoutMs = timeoutMs;
  }
}

export class WorkerBusyError extends WorkerError {
  constructor() {
    super('WORKER_BUSY', 'Amber is busy with other large tasks just now. Try again in a few minutes.', 503);
  }
}

/** The worker stopped without answering (exited, or was ended by `closeWorkers()`). */
export class WorkerStoppedError extends WorkerError {
  constructor(detail: string) {
    super('WORKER_STOPPED', `The task stopped before it finished (${detail}). Nothing was saved: try again.`, 503);
  }
}

interface SerialisedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  status?: number;
  issues?: FieldIssue[];
}

/**
 * The task's function threw something other than an AppError. Not an AppError itself, so a
 * person gets the generic error page (as when the same code throws on the main thread); the
 * message is the original one (a failed job shows it), the worker's stack is in `cause`.
 */
export class WorkerTaskError extends Error {
  readonly code = 'WORKER_TASK_FAILED';
  readonly original: SerialisedError;
  constructor(original: SerialisedError) {
    const cause = Object.assign(new Error(original.message), { name: original.name, stack: original.stack });
    super(original.message, { cause });
    this.original = original;
    this.name = 'WorkerTaskError';
  }
}

/** The error the task threw, as the same class here where it is one of the catalogue's. */
function revive(e: SerialisedError): Error {
  // A ValidationError or any subclass of it (a reader's SpreadsheetRefused): the issues are what
  // a person reads, so it comes back as a ValidationError with them, never a bare 422.
  if ((e.name === 'ValidationError' || e.status === 422) && Array.isArray(e.issues))
    return new ValidationError(e.issues, e.message);
  if (typeof e.code === 'string' && typeof e.status === 'number') {
    const known: Record<number, new (code: string, message: string) => AppError> = {
      400: BadRequestError,
      403: ForbiddenError,
      404: NotFoundError,
      409: ConflictError,
    };
    const Known = known[e.status];
    return Known ? new Known(e.code, e.message) : new AppError(e.code, e.message, e.status);
  }
  return new WorkerTaskError(e);
}

/** A limit of time as a person reads it: "500 milliseconds", "30 seconds", "5 minutes". */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} milliseconds`;
  const s = Math.round(ms / 1000);
  return s >= 120 && s % 60 === 0 ? `${s / 60} minutes` : `${s} seconds`;
}

// ---- the pool -------------------------------------------------------------------------------

const BOOTSTRAP = new URL('./worker-bootstrap.js', import.meta.url);

interface Slot {
  worker: Worker;
  /** Workers are reused only by tasks with the same resource limits. */
  key: string;
  tasks: number;
  idleTimer?: NodeJS.Timeout;
}

interface Pending {
  task: WorkerTask;
  limits: Required<WorkerLimits>;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WorkerPool {
  readonly maxWorkers: number;
  readonly maxQueued: number;
  readonly idleMs: number;
  readonly maxTasksPerWorker: number;
  #running = 0;
  #idle: Slot[] = [];
  #busy = new Set<Slot>();
  #queue: Pending[] = [];
  #closed = false;
  #nextId = 1;

  constructor(options: WorkerPoolOptions = {}) {
    this.maxWorkers = Math.max(1, options.maxWorkers ?? availableParallelism() - 1);
    this.maxQueued = options.maxQueued ?? 100;
    this.idleMs = options.idleMs ?? 5_000;
    this.maxTasksPerWorker = options.maxTasksPerWorker ?? 8;
  }

  /** Tasks running now and waiting for a worker. */
  get load(): { running: number; queued: number; idle: number } {
    return { running: this.#running, queued: this.#queue.length, idle: this.#idle.length };
  }

  run<T>(task: WorkerTask, limits: WorkerLimits = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new WorkerStoppedError('the workers were closed'));
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        task,
        limits: { ...DEFAULT_LIMITS, ...limits },
        resolve,
        reject,
      };
      if (this.#running < this.maxWorkers) this.#start(pending);
      else if (this.#queue.length >= this.maxQueued) reject(new WorkerBusyError());
      else this.#queue.push(pending);
    });
  }

  /** Ends every worker; running and queued tasks fail with WorkerStoppedError. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new WorkerStoppedError('the workers were closed'));
    const all = [...this.#idle.splice(0), ...this.#busy];
    await Promise.all(all.map((slot) => this.#end(slot)));
  }

  #start(pending: Pending): void {
    this.#running++;
    const { limits } = pending;
    const key = `${limits.maxOldGenerationSizeMb}/${limits.maxYoungGenerationSizeMb}`;
    let slot = this.#takeIdle(key);
    if (!slot) {
      // An idle worker with other limits would only hold memory: end it before starting another.
      if (this.#idle.length + this.#busy.size >= this.maxWorkers) {
        const spare = this.#idle.shift();
        if (spare) void this.#end(spare);
      }
      try {
        slot = this.#spawn(key, limits);
      } catch (error) {
        // A worker that cannot even start (bad options): this task fails, the next may try again.
        this.#running--;
        const e = error as Error;
        pending.reject(
          new WorkerTaskError({ name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) }),
        );
        queueMicrotask(() => this.#next());
        return;
      }
    }
    this.#busy.add(slot);
    slot.worker.ref();
    this.#runOn(slot, pending);
  }

  #takeIdle(key: string): Slot | undefined {
    const i = this.#idle.findIndex((s) => s.key === key);
    if (i < 0) return undefined;
    const [slot] = this.#idle.splice(i, 1);
    clearTimeout(slot!.idleTimer);
    return slot;
  }

  #spawn(key: string, limits: Pending['limits']): Slot {
    // The worker inherits the process's Node options unless told
    // otherwise; `--input-type` (a script given with -e) would stop it loading its own module, so
    // only then is the list given, without it.
    const inputType = process.execArgv.some((arg) => arg.startsWith('--input-type'));
    const worker = new Worker(BOOTSTRAP, {
      workerData: { compileCacheDir: compileCacheRoot() },
      ...(inputType ? { execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')) } : {}),
      resourceLimits: {
        maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb,
      },
    });
    const slot: Slot = { worker, key, tasks: 0 };
    // A task listens for its own outcome; these keep an idle worker that fails or exits (an
    // uncaught error in a stray timer of the task's module) from going unheard, which would
    // crash the process, and drop it from the idle list.
    const drop = () => {
      const i = this.#idle.indexOf(slot);
      if (i >= 0) {
        this.#idle.splice(i, 1);
        void this.#end(slot);
      }
    };
    worker.on('error', drop);
    worker.on('exit', drop);
    return slot;
  }

  #runOn(slot: Slot, pending: Pending): void {
    const { worker } = slot;
    const { task, limits } = pending;
    const id = this.#nextId++;
    let settled = false;
    const finish = (outcome: { value: unknown } | { error: Error }, keep: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      this.#busy.delete(slot);
      this.#running--;
      slot.tasks++;
      if (keep && !this.#closed && slot.tasks < this.maxTasksPerWorker) this.#park(slot);
      else void this.#end(slot);
      if ('error' in outcome) pending.reject(outcome.error);
      else pending.resolve(outcome.value);
      this.#next();
    };
    const onMessage = (m: { id: number; ok: boolean; value?: unknown; error?: SerialisedError }) => {
      if (m.id !== id) return;
      if (m.ok) finish({ value: m.value instanceof Uint8Array ? asBuffer(m.value) : m.value }, true);
      else finish({ error: revive(m.error!) }, true);
    };
    const onError = (error: Error & { code?: string }) => {
      finish(
        {
          error:
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new WorkerOutOfMemoryError(limits.maxOldGenerationSizeMb)
              : revive({ name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }),
        },
        false,
      );
    };
    const onExit = (code: number) =>
      finish(
        { error: new WorkerStoppedError(this.#closed ? 'the workers were closed' : `its worker exited with ${code}`) },
        false,
      );
    const timer = setTimeout(
      () => finish({ error: new WorkerTimeoutError(limits.timeoutMs) }, false),
      limits.timeoutMs,
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    const module = task.module instanceof URL ? task.module.href : task.module;
    try {
      worker.postMessage({ id, module, fn: task.fn, input: task.input }, task.transfer ?? []);
    } catch (error) {
      // The input could not be cloned (a function, say): the worker never saw it.
      const e = error as Error;
      finish(
        { error: new WorkerTaskError({ name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) }) },
        true,
      );
    }
  }

  #park(slot: Slot): void {
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => {
      const i = this.#idle.indexOf(slot);
      if (i >= 0) this.#idle.splice(i, 1);
      void this.#end(slot);
    }, this.idleMs);
    slot.idleTimer.unref();
    this.#idle.push(slot);
  }

  async #end(slot: Slot): Promise<void> {
    clearTimeout(slot.idleTimer);
    this.#busy.delete(slot);
    await slot.worker.terminate();
  }

  #next(): void {
    while (this.#running < this.maxWorkers && this.#queue.length > 0) this.#start(this.#queue.shift()!);
  }
}

/**
 * The folder the main thread's compile cache was enabled with, if it has one. Node reports the
 * cache's folder with a subfolder of its own per Node version and build (`v24.22.3-x64-…`), and
 * would add another if that were passed on as is.
 */
function compileCacheRoot(): string | undefined {
  const dir = getCompileCacheDir?.();
  if (!dir) return undefined;
  return basename(dir).startsWith(`v${process.versions.node}-`) ? dirname(dir) : dir;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---- the process's pool ---------------------------------------------------------------------

let shared: WorkerPool | undefined;

/** Replaces the process's pool (e.g. from config at start-up); the old one is closed. */
export async function configureWorkers(options: WorkerPoolOptions): Promise<WorkerPool> {
  const old = shared;
  shared = new WorkerPool(options);
  await old?.close();
  return shared;
}

/** The process's pool, made with the defaults on first use. */
export function workerPool(): WorkerPool {
  return (shared ??= new WorkerPool());
}

/** Runs `task.fn(task.input)` in a worker of the process's pool (see the header). */
export function runInWorker<T>(task: WorkerTask, limits: WorkerLimits = {}): Promise<T> {
  return workerPool().run<T>(task, limits);
}

/** Ends the process's workers (shutdown, the end of a test file). A later task starts a new pool. */
export async function closeWorkers(): Promise<void> {
  const old = shared;
  shared = undefined;
  await old?.close();
}

type OneArgument = (input: never) => unknown;

/**
 * A typed handle on the export `fn` of `module`, run in the process's pool: the compiler checks
 * the name, the input and the result against `M` (`typeof import`ed module type).
 */
export function workerFunction<M extends Record<K, OneArgument>, K extends keyof M & string>(
  module: URL,
  fn: K,
  defaults: WorkerLimits = {},
): (input: Parameters<M[K]>[0], limits?: WorkerLimits) => Promise<Awaited<ReturnType<M[K]>>> {
  return (input, limits = {}) =>
    runInWorker<Awaited<ReturnType<M[K]>>>({ module, fn, input }, { ...defaults, ...limits });
}
