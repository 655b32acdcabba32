// A PGlite database in memory started from a data folder's tarball put straight into its file
// system (pglite-memory-from-tarball.ts) holds what the tarball holds, whatever it is later made
// to hold, and never writes into the bytes it started from.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createTar, parseTar } from 'nanotar';
import { MemoryFS, PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { openDatabase, SMALL_SHARED_BUFFERS, type DatabaseHandle } from './database.ts';
import { readPgliteTemplate } from './pglite-template.ts';
import { memoryFromTarball } from './pglite-memory-from-tarball.ts';

const START = [...PGlite.defaultStartParams, '-c', `shared_buffers=${SMALL_SHARED_BUFFERS}`];
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every row of the test's table, and its size, as one line: equal only when the rows are. */
async function contents(query: (text: string) => Promise<{ rows: unknown[] }>): Promise<unknown> {
  const { rows } = await query(
    `select count(*)::int as n, md5(string_agg(id || ':' || body, ',' order by id)) as hash,
            max(length(body)) as longest from sample`,
  );
  return rows[0];
}

describe('a PGlite database in memory from a tarball put straight into its file system', () => {
  let tar: Uint8Array;
  let expected: unknown;

  before(async () => {
    // A database with a table of many pages and a value stored out of line (TOAST, uncompressed),
    // dumped as the suite's templates are: an uncompressed tar.
    const template = readPgliteTemplate();
    const source = await PGlite.create({ ...(template ? { loadDataDir: template } : {}), startParams: START });
    try {
      await source.exec(`create table sample (id int primary key, body text not null);
        alter table sample alter column body set storage external;
        insert into sample select i, repeat(md5(i::text), 1 + i % 7) from generate_series(1, 3000) i;
        insert into sample values (0, repeat('a long value, kept out of line. ', 8000));`);
      expected = await contents((text) => source.query(text));
      tar = new Uint8Array(await (await source.dumpDataDir('none')).arrayBuffer());
    } finally {
      await source.close();
    }
  });

  const open = async (bytes: Uint8Array) => {
    const fs = memoryFromTarball(MemoryFS, bytes);
    assert.ok(fs, 'the tarball was not taken');
    return PGlite.create({ fs, startParams: START });
  };
  /** The test table's contents in a database started from `bytes`, closed again. */
  const contentsFrom = async (bytes: Uint8Array) => {
    const db = await open(bytes);
    try {
      return await contents((text) => db.query(text));
    } finally {
      await db.close();
    }
  };

  it('holds every row the tarball holds', async () => {
    assert.deepEqual(await contentsFrom(tar), expected);
  });

  it('gives each database its own copy: one changed, the other and the bytes stay as they were', async () => {
    const before = sha(tar);
    const [one, two] = [await open(tar), await open(tar)];
    try {
      await one.exec(`update sample set body = 'changed' where id < 1000;
        insert into sample select i, 'new' from generate_series(3001, 6000) i;
        delete from sample where id = 0; checkpoint;`);
      assert.notDeepEqual(await contents((text) => one.query(text)), expected);
      assert.deepEqual(await contents((text) => two.query(text)), expected);
    } finally {
      await one.close();
      await two.close();
    }
    assert.equal(sha(tar), before, 'the tarball was written into');
    assert.deepEqual(await contentsFrom(tar), expected);
  });

  it('is dumped again with its changes, and that tarball opens the same way', async () => {
    const db = await open(tar);
    let again: Uint8Array;
    let changed: unknown;
    try {
      await db.exec(`insert into sample values (-1, 'added after the start')`);
      changed = await contents((text) => db.query(text));
      again = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
    } finally {
      await db.close();
    }
    assert.deepEqual(await contentsFrom(again), changed);
  });

  it('takes bytes that are a part of a larger buffer', async () => {
    const larger = new Uint8Array(tar.byteLength + 1024);
    larger.set(tar, 512);
    assert.deepEqual(await contentsFrom(larger.subarray(512, 512 + tar.byteLength)), expected);
  });

  it('is what openDatabase starts a database in memory from, given the bytes', async () => {
    let handle: DatabaseHandle<unknown> | undefined;
    try {
      handle = await openDatabase({ dataDir: 'memory://', loadDataDir: tar, sharedBuffers: SMALL_SHARED_BUFFERS });
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from sample`.execute(handle.db);
      assert.equal(rows[0]!.n, 3001);
    } finally {
      await handle?.close();
    }
  });

  it('leaves to PGlite what is not a plain data folder: gzip, a link, no PG_VERSION', () => {
    assert.equal(memoryFromTarball(MemoryFS, new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])), undefined);

    // The tar's first file made a symbolic link (its type flag, at byte 156 of its header).
    const linked = tar.slice();
    const first = parseTar(tar).find((entry) => entry.type === 'file')!;
    const header = findHeader(linked, first.name);
    linked[header + 156] = '2'.charCodeAt(0);
    assert.equal(memoryFromTarball(MemoryFS, linked), undefined);

    const noVersion = createTar([{ name: 'base/1/1259', data: new Uint8Array(8192) }]);
    assert.equal(memoryFromTarball(MemoryFS, noVersion), undefined);
  });
});

/** Where the header of the entry named `name` starts in a tar. */
function findHeader(tar: Uint8Array, name: string): number {
  const wanted = new TextEncoder().encode(name);
  for (let offset = 0; offset + 512 <= tar.length; offset += 512) {
    const field = tar.subarray(offset, offset + 100);
    const start = field[0] === 0x2f ? 1 : 0; // PGlite writes names with a leading slash
    if (wanted.every((byte, i) => field[start + i] === byte) && field[start + wanted.length] === 0) return offset;
  }
  throw new Error(`no header for ${name}`);
}
