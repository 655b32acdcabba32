// How the tests start a short `amber` command (not `serve`): with V8 told to run WebAssembly on its
// baseline compiler only (Liftoff). PGlite is ~10 MB of WebAssembly; by default V8 also compiles
// its hot functions again with the optimising compiler (TurboFan) in background threads, which a
// command that ends within a second or two never profits from. Measured on this 2-core machine, a
// command on a PGlite folder (`amber demo`, already loaded): ~1.6 s of CPU and ~650 MB resident
// by default, ~0.9 s and ~200 MB with --liftoff-only. What the command does is unchanged (a code
// generation flag only); the server (`amber serve`), whose queries run for hours, and the test
// processes themselves (+10% CPU measured with it) keep V8's default.
// `amber` itself now starts a short command again with the flag (bin/amber.js); a test passing it
// already saves that second process (Node is started once, not twice), and src/cli/liftoff.test.ts
// tests the re-execution.
export const CLI_NODE_FLAGS: readonly string[] = ['--liftoff-only'];
