// node-postgres on PGlite through Amber's connection (pglite-connection.ts), which reads PGlite's
// answers with node-postgres's own protocol parser: what a query answers arrives whole and as
// PostgreSQL wrote it, however it is cut into PGlite's writes — many rows, one field far larger
// than a write, text in several scripts —; an error is PostgreSQL's, with its code, and the
// session goes on after it; notices arrive; the one connection serves client after client; and a
// long chain of statements lets the event loop turn (other requests, timers) as it goes.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pgliteConfig } from './pglite-connection.ts';
import { TURN_EVERY_MS } from '../turns.ts';

describe('node-postgres on PGlite, through the connection that reads with its own parser', { timeout: 60_000 }, () => {
  let pglite: PGlite;
  let pool: pg.Pool;
  before(async () => {
    pglite = await PGlite.create();
    pool = new pg.Pool({ ...pgliteConfig(pglite), max: 1 });
  });
  after(async () => {
    await pool?.end();
    await pglite?.close();
  });

  it('reads 20,000 rows of text in several scripts exactly as PostgreSQL computes them', async () => {
    const text = `'Gwasanaethau ŵ ŷ – “Leeds” 日本語 🙂 ' || n`;
    const { rows } = await pool.query<{ n: number; s: string }>(
      `select n, ${text} as s from generate_series(1, 20000) n order by n`,
    );
    assert.equal(rows.length, 20_000);
    assert.equal(rows[19_999]!.s, 'Gwasanaethau ŵ ŷ – “Leeds” 日本語 🙂 20000');
    // The same rows hashed by PostgreSQL and here.
    const here = createHash('md5')
      .update(rows.map((r) => r.s).join('\n'))
      .digest('hex');
    const { rows: there } = await pool.query<{ h: string }>(
      `select md5(string_agg(${text}, E'\\n' order by n)) as h from generate_series(1, 20000) n`,
    );
    assert.equal(here, there[0]!.h);
  });

  it('reads a field of 3 MB, far larger than one write of PGlite, whole', async () => {
    const { rows } = await pool.query<{ s: string; l: number }>(
      `select repeat('ŵxyz', 750000) as s, octet_length(repeat('ŵxyz', 750000)) as l`,
    );
    assert.equal(Buffer.byteLength(rows[0]!.s), rows[0]!.l);
    assert.equal(rows[0]!.s, 'ŵxyz'.repeat(750_000));
  });

  it('gives PostgreSQL’s error with its code, and the session answers the next query', async () => {
    await assert.rejects(pool.query('select 1 / 0'), (error: pg.DatabaseError) => {
      assert.equal(error.code, '22012');
      assert.match(error.message, /division by zero/);
      return true;
    });
    // With parameters (the extended protocol, as Amber's queries run), and inside a transaction.
    const client = await pool.connect();
    try {
      await client.query('begin');
      await assert.rejects(client.query('select $1::int', ['not a number']), { code: '22P02' });
      await client.query('rollback');
      assert.deepEqual((await client.query('select $1::int + 1 as n', [41])).rows, [{ n: 42 }]);
    } finally {
      client.release();
    }
  });

  it('lets the event loop turn while a chain of statements runs, as a server would while it waits', async () => {
    // PGlite answers in this process without waiting for I/O: without the connection's turns, a
    // job's statements one after another held every other request, timer and /health until the end.
    const client = await pool.connect();
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(performance.now()), 1);
    let ended = 0;
    const start = performance.now();
    try {
      await client.query('begin');
      for (let i = 0; i < 60; i++) await client.query('select count(*) from generate_series(1, 20000)');
      await client.query('commit');
      ended = performance.now();
    } finally {
      clearInterval(ticker);
      client.release();
    }
    assert.ok(ended - start > 4 * TURN_EVERY_MS, `the chain took ${ended - start} ms: too short to tell`);
    const during = ticks.filter((t) => t < ended);
    assert.ok(
      during.length >= 2,
      `the timer ran ${during.length} times in the chain's ${Math.round(ended - start)} ms`,
    );
    // The longest the loop went without turning: about TURN_EVERY_MS and one statement.
    const gaps = [start, ...during].slice(1).map((t, i) => t - [start, ...during][i]!);
    assert.ok(Math.max(...gaps) < (ended - start) / 2, `the loop was held ${Math.max(...gaps)} ms of ${ended - start}`);
  });

  it('passes on notices, and serves one client after another on its one connection', async () => {
    for (let i = 0; i < 3; i++) {
      const client = await pool.connect();
      const notices: string[] = [];
      client.on('notice', (n) => notices.push(n.message ?? ''));
      try {
        await client.query(`do $$ begin raise notice 'client %', ${i}; end $$`);
        assert.deepEqual(notices, [`client ${i}`]);
      } finally {
        client.release();
      }
    }
  });
});
