// The worker runner: answers, errors of every kind as typed errors, the heap limit, the
// deadline, the queue, reuse and recycling of workers, and TypeScript loading in a worker of an
// app started as bin/amber.js starts it (plain node: Node's own type stripping, no loader).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { threadId } from 'node:worker_threads';
import { ValidationError } from '../../domain/errors.ts';
import {
  WorkerBusyError,
  WorkerOutOfMemoryError,
  WorkerPool,
  WorkerStoppedError,
  WorkerTaskError,
  WorkerTimeoutError,
  closeWorkers,
  runInWorker,
  workerFunction,
} from './workers.ts';
import type * as Fixtures from './fixtures.test-helper.ts';

const FIXTURES = new URL('./fixtures.test-helper.ts', import.meta.url);
const task = (fn: keyof typeof Fixtures, input: unknown = undefined) => ({ module: FIXTURES, fn, input });

describe('running a function in a worker', () => {
  const pools: WorkerPool[] = [];
  const pool = (options: ConstructorParameters<typeof WorkerPool>[0] = {}) => {
    const p = new WorkerPool({ maxWorkers: 1, ...options });
    pools.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await closeWorkers();
  });

  it('returns what the function returns, structured-cloned, from another thread that loaded TypeScript', async () => {
    const input = { when: new Date('2009-10-22T00:00:00Z'), map: new Map([['a', 1]]), list: [1, 'two', null] };
    const out = await runInWorker<ReturnType<typeof Fixtures.echo<typeof input>>>(task('echo', input));
    assert.deepEqual(out.input, input);
    assert.ok(out.input.when instanceof Date);
    assert.equal(out.answer, 'yes');
    assert.notEqual(out.threadId, threadId);
  });

  it('gives a Buffer result back as a Buffer, whole, whether or not it was a slice of a bigger one', async () => {
    const p = pool();
    for (const sliced of [false, true]) {
      const out = await p.run<Buffer>(task('bytes', { size: 100_000, sliced }));
      assert.ok(Buffer.isBuffer(out));
      assert.equal(out.length, 100_000);
      assert.equal(out.buffer.byteLength, 100_000, 'the memory was moved, not a copy inside a bigger one');
      assert.equal(out[0], 0);
      assert.equal(out[99_999], 99_999 % 256);
    }
  });

  it('checks the module, the export and its types at compile time with workerFunction', async () => {
    const echo = workerFunction<typeof Fixtures, 'nap'>(FIXTURES, 'nap');
    const out = await echo(1);
    assert.equal(typeof out.started, 'number');
  });

  it('raises what the function throws as WorkerTaskError, with the message and the worker stack as its cause', async () => {
    const error = await pool()
      .run(task('fail', 'The renderer met a chart it cannot draw'))
      .catch((e: unknown) => e);
    assert.ok(error instanceof WorkerTaskError);
    assert.equal(error.code, 'WORKER_TASK_FAILED');
    assert.equal(error.message, 'The renderer met a chart it cannot draw');
    assert.match(String((error.cause as Error).stack), /fixtures\.test-helper\.ts/);
  });

  it('raises a ValidationError thrown in the worker as a ValidationError with its fields', async () => {
    const error = await pool()
      .run(task('refuse', 'period'))
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.issues, [{ field: 'period', message: 'Enter period' }]);
  });

  it('raises a subclass of ValidationError thrown in the worker as a ValidationError with its fields', async () => {
    const error = await pool()
      .run(task('refuseFile', 'The file is damaged'))
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(error.issues, [{ field: 'file', message: 'The file is damaged' }]);
  });

  it('names a missing export, and refuses an input that cannot cross to a worker, without ending the pool', async () => {
    const p = pool();
    const missing = await p.run({ module: FIXTURES, fn: 'nothing', input: 1 }).catch((e: unknown) => e);
    assert.ok(missing instanceof WorkerTaskError);
    assert.match(missing.message, /has no exported function nothing/);
    const uncloneable = await p.run(task('echo', { f: () => 1 })).catch((e: unknown) => e);
    assert.ok(uncloneable instanceof WorkerTaskError);
    assert.match(uncloneable.message, /could not be cloned/);
    assert.equal((await p.run<{ answer: string }>(task('echo', 1))).answer, 'yes');
  });

  it('stops a task that outgrows its heap with WorkerOutOfMemoryError, and the next task gets a new worker', async () => {
    const p = pool();
    const limits = { maxOldGenerationSizeMb: 64 };
    const before = await p.run<{ threadId: number }>(task('echo', 1), limits);
    const error = await p.run(task('hog'), limits).catch((e: unknown) => e);
    assert.ok(error instanceof WorkerOutOfMemoryError, String(error));
    assert.equal(error.code, 'WORKER_OUT_OF_MEMORY');
    assert.equal(error.status, 503);
    assert.match(error.message, /more memory than the 64 MB Amber allows one task/);
    assert.doesNotMatch(error.message, /\bat\b.*\.ts:/, 'no stack in the message');
    const next = await p.run<{ threadId: number }>(task('echo', 2), limits);
    assert.notEqual(next.threadId, before.threadId);
  });

  it('stops a task that runs past its deadline with WorkerTimeoutError, and the pool carries on', async () => {
    const p = pool();
    const error = await p.run(task('spin'), { timeoutMs: 300 }).catch((e: unknown) => e);
    assert.ok(error instanceof WorkerTimeoutError);
    assert.equal(error.code, 'WORKER_TIMEOUT');
    assert.match(error.message, /took longer than the 300 milliseconds Amber allows one task/);
    assert.equal((await p.run<{ answer: string }>(task('echo', 1))).answer, 'yes');
  });

  it('runs at most maxWorkers tasks at once and queues the rest in order', async () => {
    const p = pool({ maxWorkers: 1 });
    const runs = [p.run<Awaited<ReturnType<typeof Fixtures.nap>>>(task('nap', 200))];
    runs.push(p.run(task('nap', 10)), p.run(task('nap', 10)));
    assert.deepEqual(p.load, { running: 1, queued: 2, idle: 0 });
    const [a, b, c] = await Promise.all(runs);
    assert.ok(b!.started >= a!.ended, 'the second began after the first ended');
    assert.ok(c!.started >= b!.ended, 'the third began after the second ended');
  });

  it('runs two at once with two workers', async () => {
    const p = pool({ maxWorkers: 2 });
    const runs = [p.run(task('nap', 50)), p.run(task('nap', 50)), p.run(task('nap', 50))];
    assert.deepEqual(p.load, { running: 2, queued: 1, idle: 0 });
    await Promise.all(runs);
  });

  it('refuses a task beyond maxQueued at once with WorkerBusyError', async () => {
    const p = pool({ maxWorkers: 1, maxQueued: 1 });
    const first = p.run(task('nap', 100));
    const second = p.run(task('nap', 1));
    const third = await p.run(task('nap', 1)).catch((e: unknown) => e);
    assert.ok(third instanceof WorkerBusyError);
    assert.equal(third.status, 503);
    await Promise.all([first, second]);
  });

  it('reuses a warm worker, and ends it after maxTasksPerWorker tasks', async () => {
    const p = pool({ maxTasksPerWorker: 2 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await p.run<{ threadId: number }>(task('echo', i))).threadId);
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[1], ids[2]);
    assert.deepEqual(p.load, { running: 0, queued: 0, idle: 1 });
  });

  it('ends an idle worker after idleMs', async () => {
    const p = pool({ idleMs: 20 });
    await p.run(task('echo', 1));
    assert.equal(p.load.idle, 1);
    for (let i = 0; i < 100 && p.load.idle > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(p.load.idle, 0);
  });

  it('fails running and queued tasks with WorkerStoppedError when closed', async () => {
    const p = pool();
    const running = p.run(task('nap', 10_000)).catch((e: unknown) => e);
    const queued = p.run(task('nap', 1)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await p.close();
    assert.ok((await running) instanceof WorkerStoppedError);
    assert.ok((await queued) instanceof WorkerStoppedError);
    assert.ok((await p.run(task('echo', 1)).catch((e: unknown) => e)) instanceof WorkerStoppedError);
  });

  it("loads TypeScript in the worker of an app started with plain node, as bin/amber.js is, with the app's compile cache", async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const cache = await mkdtemp(join(tmpdir(), 'amber-compile-cache-'));
    const script = `
      (await import('node:module')).enableCompileCache(${JSON.stringify(cache)});
      const { WorkerPool } = await import(${JSON.stringify(new URL('./workers.ts', import.meta.url).href)});
      const pool = new WorkerPool({ maxWorkers: 1 });
      const out = await pool.run({ module: ${JSON.stringify(FIXTURES.href)}, fn: 'echo', input: 'hello' });
      const cacheDir = await pool.run({ module: ${JSON.stringify(FIXTURES.href)}, fn: 'compileCacheDir', input: null });
      await pool.close();
      console.log(JSON.stringify({ ...out, cacheDir, mainCacheDir: (await import('node:module')).getCompileCacheDir() }));`;
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    // This child makes its own compile cache, whatever the shard was started with.
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env,
      timeout: 60_000,
    });
    await rm(cache, { recursive: true, force: true });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      input: string;
      answer: string;
      cacheDir: string;
      mainCacheDir: string;
    };
    assert.deepEqual({ input: out.input, answer: out.answer }, { input: 'hello', answer: 'yes' });
    assert.ok(out.mainCacheDir.startsWith(cache), out.mainCacheDir);
    assert.equal(out.cacheDir, out.mainCacheDir, "the worker compiles into the main thread's cache");
  });
});
