// The template with the demo that a first start unpacks (ADR 0019) holds exactly what the demo
// loader loads: a fresh folder opened from it is compared, table by table and row by row, with a
// database given a first start's work live (the migrations, the shipped taxonomy, the demo loader
// as the server calls it). What differs between any two loads is masked: random ids, the times a
// load stamps (within a day of now, as a time or as a number since 1970, or the day alone, as ISO or as
// a page writes it) and password hashes (salted).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { openDatabase, SMALL_SHARED_BUFFERS, type DatabaseHandle } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import {
  pgliteTemplateFolder,
  pgliteTemplateKey,
  pgliteTemplatePath,
  readPgliteTemplate,
} from '../src/platform/db/pglite-template.ts';
import { listTableNames } from '../src/platform/db/backup-catalogue.ts';
import { buildServices } from '../src/composition.ts';
import { MONTHS } from '../src/domain/dates.ts';
import type { DB } from '../src/schema.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)?/g;
const ARGON2 = /\$argon2id?\$[^"\\]+/g;
/** Milliseconds or microseconds since 1970 (an access generation is the time it was bumped). */
const EPOCH = /\b\d{13}(?:\d{3})?\b/g;
const DAY = 24 * 3600 * 1000;
/** A day on its own (a revision's "as of"). */
const ISO_DAY = /\b(\d{4})-(\d{2})-(\d{2})\b/g;
/** A day as pages write it ("5 December 2026"): a stored page body says when a historical record was entered. */
const UK_DAY = new RegExp(`\\b(\\d{1,2}) (${MONTHS.join('|')}) (\\d{4})\\b`, 'g');

/** Every table's rows, masked as above and sorted: the database's contents, whatever their ids. */
async function contents(db: Kysely<DB>): Promise<Record<string, string[]>> {
  const now = Date.now();
  const mask = (json: string) =>
    json
      .replace(UUID, '<id>')
      .replace(TIME, (time) => (Math.abs(Date.parse(time.replace(' ', 'T')) - now) < DAY ? '<now>' : time))
      .replace(ARGON2, '<password hash>')
      // The day of the load, also as a page writes it (today, or yesterday when the template was
      // made before midnight and this run's load after it).
      .replace(ISO_DAY, (day, y: string, m: string, d: string) =>
        Math.abs(Date.UTC(Number(y), Number(m) - 1, Number(d)) - now) < 2 * DAY ? '<today>' : day,
      )
      .replace(UK_DAY, (day, d: string, m: string, y: string) =>
        Math.abs(Date.UTC(Number(y), MONTHS.indexOf(m as (typeof MONTHS)[number]), Number(d)) - now) < 2 * DAY
          ? '<today>'
          : day,
      )
      .replace(EPOCH, (n) => (Math.abs((n.length === 16 ? Number(n) / 1000 : Number(n)) - now) < DAY ? '<now>' : n));
  const tables: Record<string, string[]> = {};
  for (const table of await listTableNames(db as Kysely<unknown>)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    tables[table] = rows
      .map((row) =>
        mask(
          JSON.stringify(row, (_key, value: unknown) =>
            value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
          ),
        ),
      )
      .sort();
  }
  return tables;
}

describe('the template with the demo that a first start unpacks', () => {
  let dir: string;
  let fromTemplate: DatabaseHandle<DB>;
  let loaded: DatabaseHandle<DB>;

  before(async () => {
    // As `npm install` and `npm test` make it; made here when this code's is not there yet.
    if (!pgliteTemplateFolder('demo') || !existsSync(pgliteTemplatePath(pgliteTemplateKey('demo'), 'demo')))
      execFileSync(process.execPath, ['bin/build-template.ts'], { cwd: ROOT, stdio: 'inherit', timeout: 600_000 });
    dir = mkdtempSync(join(tmpdir(), 'amber-demo-template-'));
    fromTemplate = await openDatabase<DB>({ dataDir: join(dir, 'data'), template: 'demo' });
    // The server's first start, live: from the empty template, as the start does without the demo's.
    const empty = readPgliteTemplate();
    loaded = await openDatabase<DB>({
      dataDir: 'memory://',
      ...(empty ? { loadDataDir: empty } : {}),
      sharedBuffers: SMALL_SHARED_BUFFERS,
    });
    await migrateToLatest(loaded.db);
    const services = buildServices(loaded);
    await services.diagnostics.ensureShippedTaxonomy();
    await services.demo.load('demo');
  });
  after(async () => {
    await fromTemplate?.close();
    await loaded?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is what a fresh folder starts from when the demo is asked for, copied from its unpacked form', () => {
    assert.equal(fromTemplate.template, 'demo');
    assert.equal(fromTemplate.templateFrom, 'folder');
  });

  it('leaves nothing to migrate and holds the demo organisation', async () => {
    assert.deepEqual(await migrateToLatest(fromTemplate.db), []);
    const home = await buildServices(fromTemplate).organisations.findHome();
    assert.equal(home?.name, 'Leeds City Council');
  });

  it('holds row for row what the demo loader loads into a new database', async () => {
    const [expected, actual] = [await contents(loaded.db), await contents(fromTemplate.db)];
    assert.deepEqual(Object.keys(actual), Object.keys(expected), 'the same tables');
    assert.ok(expected.organisation!.length > 1 && expected.report_revision!.length > 0, 'the demo was loaded');
    for (const table of Object.keys(expected)) assert.deepEqual(actual[table], expected[table], `table ${table}`);
  });

  it('is not used for a folder that is to start empty (AMBER_DEMO=off)', async () => {
    const handle = await openDatabase<DB>({ dataDir: join(dir, 'empty') });
    try {
      assert.equal(handle.template, 'empty');
      assert.equal(await buildServices(handle).organisations.findHome(), undefined);
    } finally {
      await handle.close();
    }
  });
});
