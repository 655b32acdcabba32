// A fresh data folder starts from the migrated template npm install makes, and an existing one
// is never replaced by it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from './database.ts';
import { MIGRATIONS_DIR, migrateToLatest } from './migrate.ts';
import {
  pgliteTemplateFolder,
  pgliteTemplatePath,
  readPgliteTemplate,
  unpackPgliteTemplate,
  writePgliteTemplate,
} from './pglite-template.ts';

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
    if (!pgliteTemplateFolder()) await unpackPgliteTemplate();
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
      assert.equal(handle.template, 'empty');
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(handle.db);
      assert.equal(rows[0]!.n, migrations);
      assert.deepEqual(await migrateToLatest(handle.db), [], 'nothing is left to migrate');
    } finally {
      await handle.close();
    }
  });

  it('is copied into a fresh folder from its unpacked form, which the new database never writes to', async () => {
    const folder = pgliteTemplateFolder();
    assert.ok(folder, 'the template is also kept unpacked');
    assert.ok(!existsSync(join(folder, 'amber.lock')), 'and holds no lock of the process that unpacked it');
    const before = fingerprint(folder);
    const handle = await openDatabase({ dataDir: join(dir, 'copied') });
    try {
      assert.equal(handle.templateFrom, 'folder');
      await sql`create table written (note text)`.execute(handle.db);
      await sql`insert into written select 'row ' || n from generate_series(1, 1000) as n`.execute(handle.db);
      await sql`checkpoint`.execute(handle.db);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(handle.db);
      assert.equal(rows[0]!.n, migrations);
    } finally {
      await handle.close();
    }
    assert.equal(fingerprint(folder), before, 'the template folder is as it was');
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

/** Every file under `dir` with its contents, hashed. */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(dir, name);
    hash.update(name);
    if (statSync(path).isFile()) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}
