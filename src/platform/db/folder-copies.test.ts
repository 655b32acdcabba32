// The scheduled copies of the embedded database: made when due, kept to the newest N, whole or
// not at all, and restorable into a new data folder with everything in them.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, SMALL_SHARED_BUFFERS } from './database.ts';
import { DataFolderInUseError, listCopies, restoreFolderCopy, startFolderCopies } from './folder-copies.ts';
import { DataDirLockedError } from './data-dir-lock.ts';

describe('scheduled copies of the embedded database', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'amber-copies-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a copy when none is a day old, keeps the newest N, and never leaves half a file', async () => {
    const copiesDir = join(dir, 'schedule');
    let clock = new Date('2026-12-05T02:00:00Z');
    let dumps = 0;
    const copies = startFolderCopies({
      dump: async () => {
        dumps++;
        return new Blob([`copy ${dumps}`]);
      },
      dir: copiesDir,
      keep: 2,
      firstAfterMs: 3_600_000,
      now: () => clock,
      log: () => undefined,
    });
    try {
      const first = await copies.runNow();
      assert.ok(first && existsSync(first));
      clock = new Date('2026-12-05T20:00:00Z');
      assert.equal(await copies.runNow(), undefined, 'not due within the day');
      for (const hours of [26, 52, 78]) {
        clock = new Date(Date.parse('2026-12-05T02:00:00Z') + hours * 3_600_000);
        const made = await copies.runNow();
        assert.ok(made, `due after ${hours} h`);
      }
      assert.equal(dumps, 4);
      const kept = listCopies(copiesDir).map((c) => c.path);
      assert.equal(kept.length, 2, 'only the newest two are kept');
      assert.match(kept[0]!, /amber-data-2026-12-08T08-00-00Z\.tar\.gz$/);
      assert.deepEqual(
        readdirSync(copiesDir).filter((n) => n.endsWith('.partial')),
        [],
      );
    } finally {
      await copies.stop();
    }
  });

  it('restores a copy of a running database into a new folder, with its rows', async () => {
    const live = await openDatabase({ dataDir: join(dir, 'live') });
    const copiesDir = join(dir, 'live-copies');
    const copies = startFolderCopies({
      dump: () => live.dumpDataDir!('gzip'),
      dir: copiesDir,
      keep: 3,
      firstAfterMs: 3_600_000,
      log: () => undefined,
    });
    let file: string | undefined;
    try {
      await sql`create table note (text text)`.execute(live.db);
      await sql`insert into note values ('written before the copy')`.execute(live.db);
      file = await copies.runNow(true);
      await sql`insert into note values ('written after the copy')`.execute(live.db);
    } finally {
      await copies.stop();
      await live.close();
    }
    assert.ok(file);
    await restoreFolderCopy(file, join(dir, 'restored'));
    const restored = await openDatabase({ dataDir: join(dir, 'restored') });
    try {
      const { rows } = await sql<{ text: string }>`select text from note`.execute(restored.db);
      assert.deepEqual(rows, [{ text: 'written before the copy' }]);
    } finally {
      await restored.close();
    }
    await assert.rejects(restoreFolderCopy(file, join(dir, 'restored')), DataFolderInUseError);
    const notACopy = join(dir, 'not-a-copy.tar.gz');
    writeFileSync(notACopy, 'hello');
    await assert.rejects(restoreFolderCopy(notACopy, join(dir, 'other')), /is not a copy of the database/);
    assert.equal(existsSync(join(dir, 'other', 'PG_VERSION')), false);
  });

  /** A copy of a small database (one table, one row) made by a running one, as the server makes them. */
  async function copyOfLive(name: string, beforeCopy: (dataDir: string) => void = () => undefined) {
    const dataDir = join(dir, name);
    const live = await openDatabase({ dataDir, sharedBuffers: SMALL_SHARED_BUFFERS });
    const copies = startFolderCopies({
      dump: () => live.dumpDataDir!('gzip'),
      dir: join(dir, `${name}-copies`),
      keep: 1,
      firstAfterMs: 3_600_000,
      log: () => undefined,
    });
    try {
      await sql`create table note (text text)`.execute(live.db);
      await sql`insert into note values (${name})`.execute(live.db);
      beforeCopy(dataDir);
      const file = await copies.runNow(true);
      assert.ok(file);
      return file;
    } finally {
      await copies.stop();
      await live.close();
    }
  }
  async function notes(dataDir: string): Promise<string[]> {
    const restored = await openDatabase({ dataDir, sharedBuffers: SMALL_SHARED_BUFFERS });
    try {
      return (await sql<{ text: string }>`select text from note`.execute(restored.db)).rows.map((r) => r.text);
    } finally {
      await restored.close();
    }
  }

  it('restores a copy made on another machine, which then starts: the lock of the server that made it stays behind', async () => {
    // The server that made the copy is running on another host (its lock is in the copy).
    const file = await copyOfLive('elsewhere', (dataDir) =>
      writeFileSync(
        join(dataDir, 'amber.lock'),
        JSON.stringify({ pid: process.ppid, host: 'another-host.example', since: '2026-12-05T02:00:00.000Z' }),
      ),
    );
    const target = join(dir, 'restored-elsewhere');
    await restoreFolderCopy(file, target);
    assert.equal(existsSync(join(target, 'amber.lock')), false, 'no lock file restored');
    assert.deepEqual(await notes(target), ['elsewhere']);
  });

  it('refuses a folder another Amber process holds, and writes nothing into it', async () => {
    const file = await copyOfLive('held');
    const target = join(dir, 'held-by-a-server');
    mkdirSync(target);
    // A server starting on the empty folder holds its lock (this test's parent stands in for it).
    const lock = JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-06T09:00:00.000Z' });
    writeFileSync(join(target, 'amber.lock'), lock);
    await assert.rejects(restoreFolderCopy(file, target), DataDirLockedError);
    assert.deepEqual(readdirSync(target), ['amber.lock']);
    assert.equal(readFileSync(join(target, 'amber.lock'), 'utf8'), lock);
  });

  it('leaves the folder as it was when the copy is damaged, and restores a whole copy after', async () => {
    const file = await copyOfLive('whole');
    const truncated = join(dir, 'truncated.tar.gz');
    const bytes = readFileSync(file);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const target = join(dir, 'restored-after-damage');
    await assert.rejects(restoreFolderCopy(truncated, target), /could not be restored: it is damaged/);
    assert.equal(existsSync(target), false, 'the folder made for the restore is gone again');
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes('.restoring-')),
      [],
      'no scratch folder left behind',
    );
    await restoreFolderCopy(file, target);
    assert.deepEqual(await notes(target), ['whole']);
  });
});
