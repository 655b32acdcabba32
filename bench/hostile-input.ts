// What hostile uploads cost the server (issue 10): Amber runs as its own process (`amber serve`
// on a fresh PGlite folder with the demo), and this process, as a signed-in administrator's
// browser would, uploads to the indicator import:
//   - baseline: a good two-row CSV of values (imported), and the same as XLSX (read in the
//     reader thread; its first sample includes the thread's cold start);
//   - bomb-declared: an XLSX of ~1 MB whose sheet unpacks to 1 GB, its sizes in every header;
//   - bomb-streamed-1g / -2g: the same, written as a stream, so its local headers declare no
//     size and only the central directory at its end does (a reader that trusts local headers
//     unpacks until its limit, AMBER_MAX_EXPANDED_MB, 100 MB by default);
// each `--samples` times, with the server's RSS sampled every 10 ms (peak above what it held
// before the upload) and `/health` asked every 50 ms while the upload is in flight.
// For the record of "before", `--before` also loads the 1 GB bomb with exceljs as the old reader
// did, in a child process stopped after 30 s, and reports how far it got.
//
//   node bench/hostile-input.ts [--samples 5] [--before]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { zipBomb } from '../src/platform/spreadsheet-fixtures.test-helper.ts';
import { deadline, describeMachine, fmt, median } from './support.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;
const { values: args } = parseArgs({
  options: { samples: { type: 'string', default: '5' }, before: { type: 'boolean', default: false } },
});
const SAMPLES = Number(args.samples);

/** The same good upload as an Excel workbook: read in the reader thread like any XLSX. */
async function goodWorkbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Values');
  sheet.addRow(['PI No', 'Q1']);
  sheet.addRow(['OC-1c-i', 50]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

const rssOf = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};

async function startServer(dir: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [join(root, 'bin/amber.js'), 'serve', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, AMBER_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', NODE_ENV: 'test', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`amber serve exited (${code}): ${out}`)));
  });
  return { child, base };
}

/** Signs in as the demo's administrator: the session cookie and the token forms carry. */
async function signIn(base: string): Promise<{ cookie: string; token: string }> {
  const form = await fetch(`${base}/sign-in`);
  const pre = form.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const preToken = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre.join('; ') },
    body: new URLSearchParams({ _csrf: preToken, email: 'admin@demo.amber.example', password: 'amber-demo-admin' }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('amber_session='));
  if (!cookie) throw new Error(`sign-in failed: ${res.status}`);
  const page = await (await fetch(`${base}/indicators/import`, { headers: { cookie } })).text();
  return { cookie, token: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
}

function upload(
  session: { cookie: string; token: string },
  name: string,
  data: Buffer,
): { body: Buffer; type: string } {
  const b = '----amber-bench';
  const part = (n: string, v: string) => `--${b}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`;
  return {
    type: `multipart/form-data; boundary=${b}`,
    body: Buffer.concat([
      Buffer.from(part('_csrf', session.token) + part('year', '2009')),
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`),
      data,
      Buffer.from(`\r\n--${b}--\r\n`),
    ]),
  };
}

interface Sample {
  ms: number;
  status: number;
  peakRssMb: number;
  health: number[];
}

async function measure(
  base: string,
  pid: number,
  session: { cookie: string; token: string },
  name: string,
  data: Buffer,
): Promise<Sample> {
  const { body, type } = upload(session, name, data);
  const rss0 = rssOf(pid);
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 10);
  const health: number[] = [];
  let done = false;
  const poll = (async () => {
    while (!done) {
      const t0 = performance.now();
      await fetch(`${base}/health`);
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  const res = await fetch(`${base}/indicators/import`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': type, cookie: session.cookie },
    body: new Uint8Array(body),
  });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  done = true;
  await poll;
  clearInterval(sampler);
  peak = Math.max(peak, rssOf(pid));
  return { ms, status: res.status, peakRssMb: (peak - rss0) / MB, health };
}

/** The old reader: exceljs loading the whole workbook, in a child stopped after `seconds`. */
async function before(file: string, seconds: number): Promise<{ finished: boolean; seconds: number; rssMb: number }> {
  const script = `import ExcelJS from 'exceljs'; import { readFileSync } from 'node:fs';
    const b = new ExcelJS.Workbook(); await b.xlsx.load(readFileSync(${JSON.stringify(file)})).catch(() => {});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: 'ignore' });
  const t0 = performance.now();
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(child.pid!));
    } catch {
      /* ended */
    }
  }, 20);
  const finished = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, seconds * 1000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  clearInterval(sampler);
  return { finished, seconds: (performance.now() - t0) / 1000, rssMb: peak / MB };
}

const dir = mkdtempSync(join(tmpdir(), 'amber-bench-hostile-'));
let server: ChildProcess | undefined;
const stop = async () => {
  if (server?.pid) server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
};
const guard = deadline(15 * 60, 'bench/hostile-input.ts', stop);
try {
  console.error('Making the files…');
  const files: [string, string, Buffer][] = [
    ['baseline', 'good.csv', Buffer.from('PI No,Q1\r\nOC-1c-i,50\r\n')],
    ['good-xlsx', 'good.xlsx', await goodWorkbook()],
    ['bomb-declared-1g', 'bomb.xlsx', zipBomb(1024, { declared: true })],
    ['bomb-streamed-1g', 'bomb.xlsx', zipBomb(1024)],
    ['bomb-streamed-2g', 'bomb.xlsx', zipBomb(2048)],
  ];
  const started = await startServer(dir);
  server = started.child;
  const session = await signIn(started.base);
  // The server at rest: /health alone.
  const idle: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    await fetch(`${started.base}/health`);
    idle.push(performance.now() - t0);
  }
  const rows: string[] = [];
  let baselineMs = Number.NaN;
  for (const [label, name, data] of files) {
    const samples: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await measure(started.base, server.pid!, session, name, data));
    const ms = samples.map((s) => s.ms);
    const health = samples.flatMap((s) => s.health);
    if (label === 'baseline') baselineMs = median(ms);
    const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    rows.push(
      `| ${label} | ${fmt(data.length / MB)} MB | ${[...new Set(samples.map((s) => s.status))].join(', ')} | ${fmt(median(ms))} (${range(ms)}) | ${fmt(median(ms) / baselineMs)} | ${fmt(median(samples.map((s) => s.peakRssMb)))} (${range(samples.map((s) => s.peakRssMb))}) | ${health.length ? `${fmt(median(health))} / ${fmt(Math.max(...health))}` : '—'} |`,
    );
    console.error(rows.at(-1));
  }
  const machine = describeMachine();
  console.log(
    `Machine: ${machine.cpus} × ${machine.cpuModel}; ${machine.memory}; Node ${machine.node}; ${machine.when}`,
  );
  console.log(
    `/health at rest: median ${fmt(median(idle))} ms, max ${fmt(Math.max(...idle))} ms (${idle.length} requests)\n`,
  );
  console.log(
    '| Upload | File | Status | Wall time, ms: median (min–max) | × baseline | Server RSS above start, MB: median (min–max) | /health during, ms: median / max |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (args.before) {
    const file = join(dir, 'bomb.xlsx');
    (await import('node:fs')).writeFileSync(file, files.find(([label]) => label === 'bomb-declared-1g')![2]);
    const b = await before(file, 30);
    console.log(
      `\nBefore (the old reader, exceljs loading the declared 1 GB bomb whole): ${b.finished ? 'finished' : 'stopped unfinished'} after ${fmt(b.seconds)} s at ${fmt(b.rssMb)} MB RSS.`,
    );
  }
} finally {
  guard.disarm();
  await stop();
}
