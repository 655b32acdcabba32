// A fresh data folder starts from the migrated template npm install makes, and an existing one
// is never replaced by it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from './database.ts';
import { MIGRATIONS_DIR, migrateToLatest } from './migrate.ts';
import { pgliteTemplatePath, readPgliteTemplate, writePgliteTemplate } from './pglite-template.ts';

const migrations = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.ts')).length;

describe('the PGlite template for a first start', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amber-template-'));
    // As `npm install` does (bin/build-template.ts), unless it already has.
    if (!existsSync(pgliteTemplatePath())) {
      const handle = await openDatabase({ dataDir: 'memory://' });
      await migrateToLatest(handle.db);
      await writePgliteTemplate(await handle.dumpDataDir!('gzip'));
      await handle.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is a gzipped tarball for these migrations', () => {
    const template = readPgliteTemplate();
    assert.ok(template, 'no template was found');
    assert.equal(template.type, 'application/gzip');
  });

  it('gives a fresh folder every migration before any has run there', async () => {
    const handle = await openDatabase({ dataDir: join(dir, 'fresh') });
    try {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(handle.db);
      assert.equal(rows[0]!.n, migrations);
      assert.deepEqual(await migrateToLatest(handle.db), [], 'nothing is left to migrate');
    } finally {
      await handle.close();
    }
  });

  it('never replaces a folder that holds a database', async () => {
    const first = await openDatabase({ dataDir: join(dir, 'kept') });
    await sql`create table kept (note text)`.execute(first.db);
    await sql`insert into kept values ('still here')`.execute(first.db);
    await first.close();
    const again = await openDatabase({ dataDir: join(dir, 'kept') });
    try {
      const { rows } = await sql<{ note: string }>`select note from kept`.execute(again.db);
      assert.deepEqual(rows, [{ note: 'still here' }]);
    } finally {
      await again.close();
    }
  });
});
