// The first module of every worker thread that src/platform/workers/workers.ts starts. Plain
// JavaScript; the task modules it imports are TypeScript, which Node loads with its own type
// stripping, as in the main thread (ADR 0011: Amber keeps to erasable syntax, so no loader).
//
// It answers tasks one after another on its port: { id, module, fn, input } → import the
// module (cached after the first task), call the export with the input, and post back
// { id, ok: true, value } — a Uint8Array/Buffer result's memory is moved, not copied — or
// { id, ok: false, error } with the error's name, message, code, status, issues and stack.

import module from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

// The compiled code of the task's modules from the main thread's on-disk cache (bin/amber.js
// enables it), when it has one: a worker loads its modules afresh, and ~0.3 s of a cold start is
// compiling them (the TypeScript stripper's start and Amber's modules; bench/README.md).
if (workerData?.compileCacheDir) module.enableCompileCache?.(workerData.compileCacheDir);

/** A Uint8Array whose whole ArrayBuffer can be moved to the parent (a slice of a shared pool cannot). */
function movable(value) {
  if (!(value instanceof Uint8Array)) return { value, transfer: [] };
  if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer)
    return { value, transfer: [value.buffer] };
  const copy = new Uint8Array(value.byteLength);
  copy.set(value);
  return { value: copy, transfer: [copy.buffer] };
}

function serialise(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out = { name: error.name, message: error.message, stack: error.stack };
  if (typeof error.code === 'string') out.code = error.code;
  if (typeof error.status === 'number') out.status = error.status;
  if (Array.isArray(error.issues)) out.issues = error.issues.map((i) => ({ field: i.field, message: i.message }));
  return out;
}

parentPort.on('message', async ({ id, module, fn, input }) => {
  try {
    const loaded = await import(module);
    if (typeof loaded[fn] !== 'function') throw new TypeError(`${module} has no exported function ${fn}`);
    const { value, transfer } = movable(await loaded[fn](input));
    parentPort.postMessage({ id, ok: true, value }, transfer);
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: serialise(error) });
  }
});
