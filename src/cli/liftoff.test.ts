// `amber` runs a short command in a second Node process with `--liftoff-only` (bin/amber.js: V8 then
// never recompiles PGlite's WebAssembly with its optimising compiler, which a command that ends in
// seconds never profits from). Started as a person starts it (no Node flags), the command is seen
// in /proc running with the flag and the marker, its output and exit code come back through the
// first process, and a signal sent to the first process ends the command and then the first
// process by the same signal. `serve`, and a command already re-executed, run in one process.
// Linux only (it reads /proc).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyCliDataFolder } from '../../test/helpers/cli-data-folder.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/amber.js');
const MARKER = 'AMBER_CLI_REEXECUTED';

/** The processes whose parent is `pid`, with their command lines and environments. */
function childrenOf(pid: number): { pid: number; argv: string[]; env: string[] }[] {
  const found: { pid: number; argv: string[]; env: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: the name may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const read = (file: string) => readFileSync(`/proc/${entry}/${file}`, 'utf8').split('\0').filter(Boolean);
      found.push({ pid: Number(entry), argv: read('cmdline'), env: read('environ') });
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the first child process of `parent` (the re-executed command); fails if it ends first,
 * or after `ms`. Between fork and exec a child still shows its parent's command line, so a child
 * that shows the parent's is read again until it has its own (or has kept it for 5 s: then it is
 * its own). A command line that reads empty (once, in the suite on a loaded machine: the kernel
 * shows none for a process in the middle of its exec) is read again too.
 */
async function firstChild(parent: ChildProcess, ms = 60_000) {
  const deadline = Date.now() + ms;
  const parentArgv = parent.spawnargs.join('\0');
  let since: number | undefined;
  for (;;) {
    const [child] = childrenOf(parent.pid!);
    if (child && child.argv.length > 0) {
      since ??= Date.now();
      if (child.argv.join('\0') !== parentArgv || Date.now() - since > 5_000) return child;
    }
    assert.ok(parent.exitCode === null && parent.signalCode === null, 'it ended without starting a child');
    assert.ok(Date.now() < deadline, `no child process of ${parent.pid} within ${ms} ms`);
    await sleep(20);
  }
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

describe('amber re-executes a short command with --liftoff-only', { skip: process.platform !== 'linux' }, () => {
  let dir: string;
  const env = (extra: Record<string, string> = {}) => {
    const e: Record<string, string | undefined> = {
      ...process.env,
      AMBER_DATA_DIR: join(dir, 'data'),
      DATABASE_URL: '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ...extra,
    };
    delete e[MARKER];
    return { ...e, ...extra };
  };
  // The commands start on a copy of a folder as a first start leaves it
  // (test/helpers/cli-data-folder.ts): what is tested is how they start, not the first start.
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amber-liftoff-'));
    await copyCliDataFolder('empty', join(dir, 'data'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the exit code and the output of the command back', () => {
    const res = spawnSync(process.execPath, [bin, 'frobnicate'], { cwd: dir, env: env(), encoding: 'utf8' });
    assert.equal(res.status, 2, res.stderr);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^amber: unknown command "frobnicate"/);
  });

  it('runs the command in a child with --liftoff-only and the marker, whose output comes back', async () => {
    const first = spawn(process.execPath, [bin, 'demo'], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    first.stdout.on('data', (d) => (output += d));
    first.stderr.on('data', (d) => (output += d));
    const done = exited(first);
    const child = await firstChild(first);
    assert.deepEqual(child.argv.slice(1), ['--liftoff-only', bin, 'demo'], 'the same command, with the flag');
    assert.ok(child.env.includes(`${MARKER}=1`), 'with the marker, so it does not start itself again');
    assert.deepEqual(childrenOf(child.pid), [], 'and it does not start itself again');
    assert.deepEqual(await done, { code: 0, signal: null }, output);
    assert.match(output, /Loaded the demo organisation: Leeds City Council/);
  });

  it('sends a signal it is sent on to the command, and ends by the same signal', async () => {
    const first = spawn(process.execPath, [bin, 'organisation', 'list'], { cwd: dir, env: env(), stdio: 'ignore' });
    const done = exited(first);
    const child = await firstChild(first);
    first.kill('SIGTERM');
    assert.deepEqual(await done, { code: null, signal: 'SIGTERM' }, 'ended by the signal, as the command was');
    // The command got it too: it is gone, not left running on its own.
    const deadline = Date.now() + 10_000;
    while (existsSync(`/proc/${child.pid}`) && !/\) Z /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))) {
      assert.ok(Date.now() < deadline, 'the command ended with the first process');
      await sleep(20);
    }
  });

  for (const [name, args, extra] of [
    ['serve', ['serve', '--port', '0'], {}],
    ['a command already re-executed', ['organisation', 'list'], { [MARKER]: '1' }],
  ] as const) {
    it(`runs ${name} in one process`, async () => {
      const first = spawn(process.execPath, [bin, ...args], { cwd: dir, env: env(extra), stdio: 'ignore' });
      const done = exited(first);
      // A re-executing `amber` starts its child at once (it loads nothing first); this one has none
      // for as long as it takes the other to start one several times over.
      const until = Date.now() + 3_000;
      let children: ReturnType<typeof childrenOf> = [];
      while (Date.now() < until && children.length === 0 && first.exitCode === null) {
        children = childrenOf(first.pid!).filter((c) => c.argv.includes(bin));
        await sleep(50);
      }
      first.kill('SIGKILL');
      await done;
      assert.deepEqual(children, []);
    });
  }
});
