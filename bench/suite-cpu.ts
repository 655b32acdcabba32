// Where a test command's CPU goes (issue 14, "a fast suite"): runs each command given, in rounds,
// and reports three figures per run, medians (min–max) over rounds:
//   - tree: the CPU of the command and the descendants it waited for (this process's children's
//     rusage, from /proc/self/stat), which is what `/usr/bin/time` reports;
//   - machine: the CPU every core spent busy meanwhile (/proc/stat, all but idle and iowait);
//   - PostgreSQL: what the server's processes spent meanwhile (processes named `postgres`).
// The machine's figure minus the tree's is CPU the command caused that no process accounting of
// it sees: PostgreSQL's server, and Chromium's renderers, which are children of its zygote and are
// orphaned (then reaped by init) when the browser closes. On a quiet machine it is the command's;
// anything else running is in it too, so the load average is printed with every round.
// The first command is the baseline: every figure is also given as a ratio to its median.
//
//   node bench/suite-cpu.ts [--runs 3] [--deadline 1800] 'CMD A' ['CMD B' ...]
//   e.g. node bench/suite-cpu.ts --runs 2 'node --test --test-isolation=none e2e/risks.test.ts'
//
// Commands run with `sh -c` in the project's root, output discarded; a command that fails stops
// the bench (its exit code is printed), since a failing run measures something else.

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deadline, describeMachine, fmt, median } from './support.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const TICKS = 100; // USER_HZ on Linux

/** Seconds every core spent busy since boot. */
function machineBusy(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return (total - fields[3]! - fields[4]!) / TICKS;
}

/** A process's stat fields after its command's closing parenthesis, or undefined once gone. */
function statOf(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Seconds of CPU this process's waited-for children have used (cutime + cstime). */
function reapedChildren(): number {
  const f = statOf('self')!;
  return (Number(f[13]) + Number(f[14])) / TICKS;
}

/** Seconds the PostgreSQL server's processes have used, their own and their reaped backends'. */
function postgresCpu(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm !== 'postgres') continue;
    const f = statOf(pid);
    if (!f) continue;
    // A backend reaped during the run is counted in the postmaster's cutime from then on.
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / TICKS;
}

interface Sample {
  wall: number;
  tree: number;
  machine: number;
  postgres: number;
}

/** The command running now, in a process group of its own (the deadline ends the whole group). */
let running: number | undefined;

function runOnce(command: string): Promise<Sample> {
  const before = { wall: performance.now(), tree: reapedChildren(), machine: machineBusy(), pg: postgresCpu() };
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', command], { cwd: ROOT, stdio: 'ignore', detached: true });
    running = child.pid;
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      running = undefined;
      if (code !== 0) {
        fail(new Error(`'${command}' ended with ${code ?? signal}: a failing run measures something else`));
        return;
      }
      done({
        wall: (performance.now() - before.wall) / 1000,
        tree: reapedChildren() - before.tree,
        machine: machineBusy() - before.machine,
        postgres: postgresCpu() - before.pg,
      });
    });
  });
}

const spread = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let runs = 3;
  let seconds = 1800;
  const commands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Math.max(1, Number(args[++i]));
    else if (args[i] === '--deadline') seconds = Number(args[++i]);
    else commands.push(args[i]!);
  }
  if (commands.length === 0) {
    console.error("usage: node bench/suite-cpu.ts [--runs 3] [--deadline 1800] 'CMD A' ['CMD B' ...]");
    process.exit(2);
  }
  const guard = deadline(seconds, 'suite-cpu', async () => {
    if (running !== undefined) process.kill(-running, 'SIGTERM');
  });
  const samples = new Map<string, Sample[]>(commands.map((c) => [c, []]));
  for (let round = 0; round < runs; round++) {
    // Reversed every other round, so a drift in the machine's load does not favour one command.
    const order = round % 2 ? [...commands].reverse() : commands;
    for (const command of order) samples.get(command)!.push(await runOnce(command));
    console.error(`round ${round + 1} of ${runs} done (load average ${loadavg()[0]!.toFixed(2)})`);
  }
  guard.disarm();

  const base = samples.get(commands[0]!)!;
  const baseMachine = median(base.map((s) => s.machine));
  console.log(`${runs} rounds; medians (min–max), seconds.\n`);
  console.log('| Command | Wall | CPU, tree | CPU, machine | of which PostgreSQL | machine ÷ tree | machine ÷ first |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const command of commands) {
    const s = samples.get(command)!;
    const machine = s.map((x) => x.machine);
    console.log(
      `| \`${command}\` | ${spread(s.map((x) => x.wall))} | ${spread(s.map((x) => x.tree))} | ${spread(machine)} | ` +
        `${spread(s.map((x) => x.postgres))} | ${fmt(median(s.map((x) => x.machine / x.tree)))} | ${fmt(median(machine) / baseMachine)} |`,
    );
  }
  console.log(`\n${JSON.stringify(describeMachine())}`);
}

await main();
