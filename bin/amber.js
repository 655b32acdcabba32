#!/usr/bin/env node
// The `amber` command. Node runs the TypeScript itself (type stripping: Amber keeps to erasable
// syntax, ADR 0011), so a fresh clone needs no build step and no loader.
import module from 'node:module';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);

// A command that runs and ends (everything but `serve`) runs in a second Node process with V8's
// WebAssembly kept on its baseline compiler (`--liftoff-only`). PGlite is ~10 MB of WebAssembly;
// by default V8 compiles its hot functions again with the optimising compiler in background
// threads, which a command that ends within seconds never profits from: measured on a PGlite
// folder, a third of the peak memory (~210 MB instead of ~660 MB) and under half the CPU per
// command (bench/README.md, "The CLI's short commands"); the second process costs ~0.15 s of CPU.
// Node refuses the flag in NODE_OPTIONS, and V8 flags set after start (v8.setFlagsFromString) are
// undefined behaviour by Node's documentation, so the command starts itself again with it;
// AMBER_CLI_REEXECUTED says it has, so it never loops (nor does a `node --liftoff-only` start).
// The server keeps V8's default: its queries run for hours and profit from the optimised code;
// help opens no database. This first process loads nothing of Amber and only passes on the
// terminal (stdio is shared), the exit code and the signals a service manager or a person sends.
const MARKER = 'AMBER_CLI_REEXECUTED';
const IN_ONE_PROCESS = new Set([undefined, 'serve', 'help', '--help', '-h']);
const reexecute =
  !IN_ONE_PROCESS.has(args[0]) && process.env[MARKER] !== '1' && !process.execArgv.includes('--liftoff-only');

if (reexecute) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, '--liftoff-only', fileURLToPath(import.meta.url), ...args],
    { stdio: 'inherit', env: { ...process.env, [MARKER]: '1' } },
  );
  // A signal sent to this process alone (`kill PID`, a service manager) goes on to the command. One
  // from the terminal (Ctrl-C) reaches both; the command then ends as it would have by itself.
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of forwarded) process.on(signal, forward);
  child.once('error', (error) => {
    console.error(`amber: could not start the command: ${error.message}`);
    process.exit(70);
  });
  child.once('exit', (code, signal) => {
    for (const s of forwarded) process.off(s, forward);
    // Ended by a signal: end this process by the same one, so whoever started `amber` sees what
    // happened (a shell's 130 for Ctrl-C, a service manager's "killed by SIGTERM").
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 70);
  });
} else {
  // Node keeps what it compiles of Amber's ~2,000 modules (its own and its packages') in a cache on
  // disk (in the system's temporary folder, keyed by each file's contents) and reuses it on the
  // next start: ~0.5 s less for every command and every server start. NODE_DISABLE_COMPILE_CACHE=1
  // turns it off; NODE_COMPILE_CACHE=DIR puts it elsewhere.
  module.enableCompileCache?.();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(args);
  // The command has finished (for `serve`: stopped gracefully). Whatever it left holding the event
  // loop — the handler of a job handed back at shutdown, still waiting; an idle worker thread —
  // must not keep the process alive until a service manager kills it.
  setTimeout(() => process.exit(), 1_000).unref();
}
