// A failed command's new data folder is taken back to what it was, and nothing else is: not a
// folder that held something before, not one another process has started using since. (The
// command's side, a restore cut short, is src/cli/backup-cli.test.ts.)

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from './data-dir-lock.ts';
import { watchNewDataFolder } from './new-data-folder.ts';

/** What opening a new folder leaves in it, in miniature. */
function makeDatabase(dir: string): void {
  mkdirSync(join(dir, 'base', '1'), { recursive: true });
  writeFileSync(join(dir, 'base', '1', '1259'), 'a relation');
  writeFileSync(join(dir, 'PG_VERSION'), '17\n');
}

describe('a failed command leaves a new data folder as it was', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'amber-new-folder-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('removes the database and the folder it made', () => {
    const folder = join(dir, 'none');
    const watch = watchNewDataFolder(folder);
    makeDatabase(folder);
    assert.equal(watch?.undo(), true);
    assert.equal(existsSync(folder), false);
  });

  it('empties a folder that was there and empty, and keeps the folder', () => {
    const folder = join(dir, 'empty');
    mkdirSync(folder);
    const watch = watchNewDataFolder(folder);
    makeDatabase(folder);
    assert.equal(watch?.undo(), true);
    assert.deepEqual(readdirSync(folder), []);
  });

  it('says there was nothing to undo when the command made nothing', () => {
    assert.equal(watchNewDataFolder(join(dir, 'untouched'))?.undo(), false);
  });

  it('never watches a folder that held anything', () => {
    const folder = join(dir, 'used');
    makeDatabase(folder);
    assert.equal(watchNewDataFolder(folder), undefined);
    const notes = join(dir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'README'), 'not a database, and not Amber’s');
    assert.equal(watchNewDataFolder(notes), undefined);
  });

  it('leaves a folder another process has started using since', () => {
    const folder = join(dir, 'taken');
    const watch = watchNewDataFolder(folder);
    makeDatabase(folder);
    // A live process on this host holds the folder's lock: this test runner's parent.
    writeFileSync(
      join(folder, LOCK_FILE),
      JSON.stringify({ pid: process.ppid, host: hostname(), since: new Date().toISOString() }),
    );
    assert.equal(watch?.undo(), false);
    assert.deepEqual(readdirSync(folder).sort(), ['PG_VERSION', 'amber.lock', 'base']);
  });
});
