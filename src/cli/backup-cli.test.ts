// `amber backup` and `amber restore` as an operator runs them: separate processes on embedded data
// folders. The round trip itself, on both engines and in detail, is test/backup.test.ts; this
// checks the commands, their words and exit codes, that --verify really restores into its scratch
// database (from the migrated template, the backup being at this Amber's migrations), and that a
// file is checked before any database is opened (three processes of seconds, then a few that end
// before they open one).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_NODE_FLAGS } from '../../test/helpers/cli-node.ts';
import { sql } from 'kysely';
import { openDatabase } from '../platform/db/database.ts';
import type { DB } from '../schema.ts';
import { copyCliDataFolder } from '../../test/helpers/cli-data-folder.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/amber.js');

/** Rows per table, for comparing two data folders. */
async function countsIn(dataDir: string): Promise<Record<string, number>> {
  const handle = await openDatabase<DB>({ dataDir });
  try {
    const counts: Record<string, number> = {};
    for (const table of [
      'organisation',
      'person',
      'priority',
      'progress_report',
      'audit_event',
      'user_account',
    ] as const) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(handle.db);
      counts[table] = rows[0]!.n;
    }
    return counts;
  } finally {
    await handle.close();
  }
}

describe('amber backup and amber restore', () => {
  let dir: string;
  const amber = (dataDir: string, ...args: string[]) =>
    spawnSync(process.execPath, [...CLI_NODE_FLAGS, bin, ...args], {
      cwd: dir,
      env: {
        ...process.env,
        AMBER_DATA_DIR: join(dir, dataDir),
        DATABASE_URL: '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 180_000,
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amber-backup-cli-'));
    // A folder as `amber demo` leaves it, copied (test/helpers/cli-data-folder.ts): making it here
    // cost a first start and a demo load in this process. The target is a new folder, as an
    // operator restores into: its first start is the restore's.
    await copyCliDataFolder('demo', join(dir, 'source'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up and verifies, restores into a new folder, and refuses to restore over data', async () => {
    const made = amber('source', 'backup', '--out', 'amber.backup.gz', '--verify');
    assert.equal(made.status, 0, made.stderr);
    assert.match(
      made.stdout,
      /^Backed up [\d,]+ rows of \d+ tables \(Amber [\d.]+, \d+ migrations\) to amber\.backup\.gz: /m,
    );
    assert.match(
      made.stdout,
      /^Left out \(credentials; --include-secrets copies them\): api_token, one_time_token, user_session\.$/m,
    );
    assert.match(
      made.stdout,
      /^Verified: restored into PGlite in memory, all \d+ tables \([\d,]+ rows\) match the backup row for row; it then migrated to this Amber with nothing to apply\.$/m,
    );
    assert.ok(existsSync(join(dir, 'amber.backup.gz')) && !existsSync(join(dir, 'amber.backup.gz.partial')));

    const restored = amber('target', 'restore', 'amber.backup.gz');
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(
      restored.stdout,
      /^Restored [\d,]+ rows of \d+ tables from amber\.backup\.gz \(a backup made by Amber /m,
    );
    assert.match(restored.stdout, /Everyone signs in again; API tokens must be made again\./);
    assert.deepEqual(await countsIn(join(dir, 'target')), await countsIn(join(dir, 'source')));

    const again = amber('target', 'restore', 'amber.backup.gz');
    assert.equal(again.status, 1);
    assert.match(
      again.stderr,
      // access_generation: the counter pages kept in memory are checked against (ADR 0017).
      /^This database is not empty: access_generation \(\d+ rows?\), action \(\d+ rows\), .* hold rows\. .*Nothing has been changed\.$/m,
    );
    assert.doesNotMatch(again.stderr, /something went wrong/);
  });

  it('a restore that fails part-way takes away the database it made in a new folder, and says so', () => {
    // Past the header: PGlite has made the folder's database (from the template) by the time the
    // body turns out to be cut short.
    const made = amber('source', 'backup', '--out', 'whole.backup.gz');
    assert.equal(made.status, 0, made.stderr);
    const bytes = readFileSync(join(dir, 'whole.backup.gz'));
    writeFileSync(join(dir, 'cut.backup.gz'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    mkdirSync(join(dir, 'empty'));
    for (const [folder, left] of [
      ['new', false],
      ['empty', true],
    ] as const) {
      const res = amber(folder, 'restore', 'cut.backup.gz');
      assert.equal(res.status, 1, res.stderr);
      assert.match(
        res.stderr,
        /^cut\.backup\.gz is damaged or cut short after line \d+ .*Nothing has been changed\.$/m,
      );
      assert.match(
        res.stderr,
        new RegExp(
          `^The database this command made in .*${folder} has been removed: the folder is as it was before\\.$`,
          'm',
        ),
      );
      assert.equal(existsSync(join(dir, folder)), left, `${folder}: the folder is there only if it was before`);
      if (left) assert.deepEqual(readdirSync(join(dir, folder)), [], `${folder}: and it is empty again`);
    }
  });

  it('checks the file before it opens or makes a database: a missing file or one that is not a backup changes nothing', () => {
    // 'fresh' is no folder yet: opening its database would make one (from the template).
    writeFileSync(join(dir, 'not-a-backup.json'), '{"format":"amber.organisation.v1"}\n');
    for (const [args, message] of [
      [
        ['restore', 'missing.backup.gz'],
        /^missing\.backup\.gz cannot be read: there is no such file\. Nothing has been changed\.$/m,
      ],
      [['restore', '--verify', 'missing.backup.gz'], /^missing\.backup\.gz cannot be read: there is no such file\./m],
      [
        ['restore', 'not-a-backup.json'],
        /^not-a-backup\.json is not an Amber backup \(it is not gzip'd; .*Nothing has been changed\.$/m,
      ],
      [['restore', '--verify', 'not-a-backup.json'], /^not-a-backup\.json is not an Amber backup/m],
      [['restore-folder', 'missing.tar.gz'], /^missing\.tar\.gz cannot be read: there is no such file\./m],
    ] as const) {
      const res = amber('fresh', ...args);
      assert.equal(res.status, 1, `${args.join(' ')}: ${res.stderr}`);
      assert.equal(existsSync(join(dir, 'fresh')), false, `${args.join(' ')}: no database was opened`);
      assert.match(res.stderr, message);
      assert.doesNotMatch(res.stderr, /something went wrong/);
    }
  });
});
