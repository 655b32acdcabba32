// Embedded data folders for the tests that run the `amber` command in child processes. A command on
// a new folder first unpacks the migrated template (`npm install` made it, ADR 0019) into it: ~1.7 s
// of CPU on this 2-core machine against ~2 s for the whole of a command on a folder that exists, and
// `amber demo` then spends as long again loading the demo. A test whose subject is not that first
// start starts its commands on a copy of a folder made once instead (a file copy: ~0.1 s).
//
// Each folder is what the commands themselves leave: `empty` as any command's first start leaves a
// new folder (the template, migrated), `demo` as `amber demo` then leaves it (loaded by `cli`). They
// are made once per code, keyed as the first start's templates are (PGlite's version and the
// migrations; for the demo's, src/ too), and kept in the system's temporary folder for every test
// process, as the test templates are (test/helpers/database.ts); two processes making one at once
// each make their own, and the first rename wins. They are made by the commands themselves, in a
// child process as the tests run them (`amber migrate`, then `amber demo` on a copy): ~3.7 s and
// ~3.5 s of CPU, where this process (without --liftoff-only) took ~8 s and ~12 s.

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pgliteTemplateKey } from '../../src/platform/db/pglite-template.ts';
import { CLI_NODE_FLAGS } from './cli-node.ts';

export type CliDataFolderKind = 'empty' | 'demo';

const PREFIX = 'amber-cli-folder-';
const BIN = fileURLToPath(new URL('../../bin/amber.js', import.meta.url));

/**
 * Worked out as the test files are imported, not when a folder is first needed (minutes later, a
 * file edited meanwhile would give a folder made by the old code the new code's key).
 */
const KEYS: Record<CliDataFolderKind, string> = { empty: pgliteTemplateKey('empty'), demo: pgliteTemplateKey('demo') };

/** The folder's path in the temporary folder, made if it is not there yet. */
const made = new Map<CliDataFolderKind, Promise<string>>();
function preparedFolder(kind: CliDataFolderKind): Promise<string> {
  let folder = made.get(kind);
  if (!folder) {
    folder = (async () => {
      const path = join(tmpdir(), `${PREFIX}${kind}-${KEYS[kind]}`);
      if (existsSync(path)) return path;
      const building = mkdtempSync(`${path}.partial-`);
      try {
        const data = join(building, 'data');
        if (kind === 'demo') cpSync(await preparedFolder('empty'), data, { recursive: true });
        await promisify(execFile)(process.execPath, [...CLI_NODE_FLAGS, BIN, kind === 'demo' ? 'demo' : 'migrate'], {
          cwd: building,
          env: { ...process.env, AMBER_DATA_DIR: data, DATABASE_URL: '', NODE_ENV: 'test', LOG_LEVEL: 'silent' },
          timeout: 180_000,
        });
        try {
          renameSync(join(building, 'data'), path);
        } catch (error) {
          // Another process made it meanwhile: theirs is the same.
          if (!existsSync(path)) throw error;
        }
      } finally {
        rmSync(building, { recursive: true, force: true });
      }
      // Folders of older code: the newest few are kept (another run may still be copying one).
      // A partial one an hour old was left by a process that died making it.
      const others = readdirSync(tmpdir())
        .filter((name) => name.startsWith(`${PREFIX}${kind}-`))
        .map((name) => ({ path: join(tmpdir(), name), mtime: statSync(join(tmpdir(), name)).mtimeMs }))
        .filter((other) => other.path !== path);
      const partial = (other: { path: string }) => other.path.includes('.partial-');
      const stale = [
        ...others
          .filter((other) => !partial(other))
          .sort((a, b) => b.mtime - a.mtime)
          .slice(2),
        ...others.filter((other) => partial(other) && Date.now() - other.mtime > 3_600_000),
      ];
      for (const old of stale) rmSync(old.path, { recursive: true, force: true });
      return path;
    })();
    made.set(kind, folder);
  }
  return folder;
}

/**
 * Makes `target` (which must not exist) a data folder as the commands leave it: `empty`, migrated,
 * as after any command's first start; `demo`, with the demo loaded, as after `amber demo`.
 */
export async function copyCliDataFolder(kind: CliDataFolderKind, target: string): Promise<void> {
  if (existsSync(target)) throw new Error(`${target} exists: a data folder is copied only into a new one`);
  // Amber's lock file goes when the process that made the folder closes it; never copied all the same.
  cpSync(await preparedFolder(kind), target, {
    recursive: true,
    filter: (source) => basename(source) !== 'amber.lock',
  });
}
