// Where a V8 CPU profile's time went: a .cpuprofile (from `node --cpu-prof`, or bench/pages.ts
// --profile) summarised as markdown tables, so a profile can be read without a browser:
//
//   - by kind: the database engine, its driver, socket writes, Kysely, templates, HTTP, garbage
//     collection, the app's own code (self time; code without a file, such as a compiled template,
//     counted as its caller's);
//   - by file or package, self time (what ran in its own code) and total time (the samples with
//     it anywhere on the stack: e.g. everything under nunjucks is the templates' cost);
//   - the top functions by self time, and by total time.
//
// Time per sample is the V8 profiler's own interval before it (`timeDeltas`). `(idle)` is left out
// of the percentages (a process waiting for I/O is not spending CPU), and so is the profiler's own
// stop (`node:inspector`, when the profile was taken with bench/pages.ts --profile); `(program)` and
// `(garbage collector)` stay in. Files under node_modules are named by their package, the
// project's own by their path; node's internals by `node:…`.
//
//   node bench/cpuprofile-summary.ts FILE.cpuprofile [--top 25]
//   node bench/cpuprofile-summary.ts --merge DIR/*.cpuprofile   (several processes as one: e.g. the
//     whole suite run with NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR", every shard and child)

import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMain } from './support.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** A file's name in the tables: the package under node_modules, the project's path, node's own. */
export function fileOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const i = path.lastIndexOf('node_modules/');
  if (i >= 0) {
    const parts = path.slice(i + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

/** What a file is, for the table by kind: the database engine, its driver, the templates, HTTP, the app's own code. */
export function kindOf(file: string, functionName: string): string {
  if (functionName === 'writev' || functionName === 'writeBuffer') return 'socket writes (to the server)';
  if (file.startsWith('wasm://') || file === '@electric-sql/pglite') return 'PGlite (the database, in process)';
  if (/^(pg|pg-protocol|pg-types|pg-pool|postgres-\w+)$/.test(file)) return 'pg driver (wire protocol, rows)';
  if (file === 'kysely') return 'Kysely (building queries, results)';
  if (file === 'nunjucks' || file === 'a-sync-waterfall') return 'templates (Nunjucks)';
  if (
    /^(fastify|find-my-way|light-my-request|helmet|@fastify\/.*|fast-\w+|avvio|prom-client)$/.test(file) ||
    file.startsWith('node:_http')
  )
    return 'HTTP (Fastify, inject, helmet, metrics)';
  if (file === '(garbage collector)') return 'garbage collection';
  if (file.startsWith('src/')) return 'the app’s own code (src/)';
  if (file.startsWith('bench/')) return 'the benchmark itself';
  return 'other (Node internals, builtins)';
}

export interface Row {
  name: string;
  selfMs: number;
  totalMs: number;
}

export interface Summary {
  /** Sampled time, (idle) left out, ms. */
  busyMs: number;
  idleMs: number;
  files: Row[];
  functions: Row[];
  /** Self time by kind (`kindOf`); code without a file (builtins, compiled templates) counts as its caller's. */
  kinds: Row[];
}

export function summarise(profile: CpuProfile): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fnName = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = fileOf(f.url, f.functionName);
    if (f.url) return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    // V8's builtins and the engine's own entries (`(garbage collector)`) have no file.
    return f.functionName && !f.functionName.startsWith('(') ? `${f.functionName} (native)` : file;
  };
  const files = new Map<string, Row>();
  const functions = new Map<string, Row>();
  const kinds = new Map<string, Row>();
  /** The kind of a sample: of its leaf, or for code with no file, of the nearest caller with one. */
  const kindOfSample = (leaf: ProfileNode): string => {
    const f = leaf.callFrame;
    if (f.url || f.functionName.startsWith('(') || f.functionName === 'writev' || f.functionName === 'writeBuffer')
      return kindOf(fileOf(f.url, f.functionName), f.functionName);
    for (let n = byId.get(parent.get(leaf.id) ?? -1); n; n = byId.get(parent.get(n.id) ?? -1))
      if (n.callFrame.url) return kindOf(fileOf(n.callFrame.url, n.callFrame.functionName), n.callFrame.functionName);
    return kindOf('(native)', f.functionName);
  };
  const row = (map: Map<string, Row>, name: string) => {
    let r = map.get(name);
    if (!r) map.set(name, (r = { name, selfMs: 0, totalMs: 0 }));
    return r;
  };
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(id)!;
    // The profiler stopping (serialising the profile on this thread) is no part of what was profiled.
    if (leaf.callFrame.functionName === '(idle)' || leaf.callFrame.url === 'node:inspector') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    row(files, fileOf(leaf.callFrame.url, leaf.callFrame.functionName)).selfMs += ms;
    row(functions, fnName(leaf)).selfMs += ms;
    row(kinds, kindOfSample(leaf)).selfMs += ms;
    // Total: once per sample for every file and function on its stack.
    const seenFiles = new Set<string>();
    const seenFunctions = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      if (n.callFrame.functionName === '(root)') break;
      seenFiles.add(fileOf(n.callFrame.url, n.callFrame.functionName));
      seenFunctions.add(fnName(n));
    }
    for (const f of seenFiles) row(files, f).totalMs += ms;
    for (const f of seenFunctions) row(functions, f).totalMs += ms;
  });
  return {
    busyMs,
    idleMs,
    files: [...files.values()].sort((a, b) => b.selfMs - a.selfMs),
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
    kinds: [...kinds.values()].sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** Several summaries as one: each row's times added up by name. */
export function mergeSummaries(summaries: Summary[]): Summary {
  const add = (lists: Row[][]) => {
    const rows = new Map<string, Row>();
    for (const r of lists.flat()) {
      const row = rows.get(r.name) ?? { name: r.name, selfMs: 0, totalMs: 0 };
      row.selfMs += r.selfMs;
      row.totalMs += r.totalMs;
      rows.set(r.name, row);
    }
    return [...rows.values()].sort((a, b) => b.selfMs - a.selfMs);
  };
  return {
    busyMs: summaries.reduce((sum, s) => sum + s.busyMs, 0),
    idleMs: summaries.reduce((sum, s) => sum + s.idleMs, 0),
    files: add(summaries.map((s) => s.files)),
    functions: add(summaries.map((s) => s.functions)),
    kinds: add(summaries.map((s) => s.kinds)),
  };
}

const pct = (ms: number, of: number) => `${((100 * ms) / of).toFixed(1)}%`;

export function summaryTables(summary: Summary, top: number): string {
  const { busyMs } = summary;
  const lines = [
    `Busy ${busyMs.toFixed(0)} ms sampled (idle ${summary.idleMs.toFixed(0)} ms left out).`,
    '',
    '| Kind | Self |',
    '|---|---:|',
    ...summary.kinds.map((r) => `| ${r.name} | ${pct(r.selfMs, busyMs)} |`),
    '',
    '| File or package | Self | Total |',
    '|---|---:|---:|',
    ...summary.files.slice(0, top).map((r) => `| ${r.name} | ${pct(r.selfMs, busyMs)} | ${pct(r.totalMs, busyMs)} |`),
    '',
    '| Function (by self time) | Self | Total |',
    '|---|---:|---:|',
    ...summary.functions
      .slice(0, top)
      .map((r) => `| \`${r.name}\` | ${pct(r.selfMs, busyMs)} | ${pct(r.totalMs, busyMs)} |`),
    '',
    '| Function (by total time) | Self | Total |',
    '|---|---:|---:|',
    ...[...summary.functions]
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top)
      .map((r) => `| \`${r.name}\` | ${pct(r.selfMs, busyMs)} | ${pct(r.totalMs, busyMs)} |`),
  ];
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, merge: { type: 'boolean', default: false } },
  });
  if (positionals.length === 0)
    throw new Error('usage: node bench/cpuprofile-summary.ts [--merge] FILE.cpuprofile… [--top 25]');
  const read = (file: string) => summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  if (values.merge) {
    console.log(`## ${positionals.length} profiles as one\n`);
    console.log(summaryTables(mergeSummaries(positionals.map(read)), Number(values.top)));
  } else
    for (const file of positionals) {
      console.log(`## ${file}\n`);
      console.log(summaryTables(read(file), Number(values.top)));
      console.log('');
    }
}
