#!/usr/bin/env node
// The `amber` command. Node runs the TypeScript itself (type stripping: Amber keeps to erasable
// syntax, ADR 0011), so a fresh clone needs no build step and no loader.
import module from 'node:module';

// Node keeps what it compiles of Amber's ~2,000 modules (its own and its packages') in a cache on
// disk (in the system's temporary folder, keyed by each file's contents) and reuses it on the
// next start: ~0.5 s less for every command and every server start. NODE_DISABLE_COMPILE_CACHE=1
// turns it off; NODE_COMPILE_CACHE=DIR puts it elsewhere.
module.enableCompileCache?.();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// The command has finished (for `serve`: stopped gracefully). Whatever it left holding the event
// loop — the handler of a job handed back at shutdown, still waiting; an idle worker thread —
// must not keep the process alive until a service manager kills it.
setTimeout(() => process.exit(), 1_000).unref();
