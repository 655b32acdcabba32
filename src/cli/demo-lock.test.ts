// `amber demo` against a PostgreSQL server on which an instance is starting (issue 14): the server
// checks for the demo and loads it under Amber's start-up lock, so the command must take the same
// lock, or both could load it into the empty database. The test holds the lock as a starting
// server would, sees the command wait for it (in pg_locks, not by timing), loads the demo itself
// meanwhile, and lets go: the command then finds the demo there and loads nothing.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { START_UP_LOCK_KEY } from '../platform/db/migrate.ts';

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin/amber.js');

describe('amber demo on a server where an instance is starting', () => {
  let database: TestDatabase;
  before(async () => {
    database = await openTestDatabase('postgres');
  });
  after(async () => {
    await database?.close();
  });

  it('waits for the start-up lock, then finds the demo the server loaded and loads nothing', async () => {
    const starting = new pg.Client({ connectionString: database.url });
    await starting.connect();
    let output = '';
    try {
      await starting.query('begin');
      await starting.query(`select pg_advisory_xact_lock(${START_UP_LOCK_KEY})`);

      const child = spawn(process.execPath, [BIN, 'demo'], {
        env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

      // The command is blocked on the lock: another backend waits for that advisory lock.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { rows } = await starting.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_locks
            where locktype = 'advisory' and not granted and objid = $1`,
          [Number(START_UP_LOCK_KEY & 0xffffffffn)],
        );
        if (rows[0]!.waiting > 0) break;
        assert.equal(child.exitCode, null, `amber demo finished without waiting for the lock:\n${output}`);
        assert.ok(Date.now() < deadline, `amber demo never waited for the start-up lock:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // Meanwhile the "server" loads the demo and finishes starting.
      await database.services.demo.load('test');
      await starting.query('commit');

      assert.equal(await exited, 0, output);
      assert.match(output, /The demo organisation \(Leeds City Council\) is already loaded/);
      const { rows } = await starting.query<{ n: number }>(
        `select count(*)::int as n from organisation where name = 'Leeds City Council'`,
      );
      assert.equal(rows[0]!.n, 1, 'one demo organisation');
    } finally {
      await starting.end();
    }
  });
});
