#!/usr/bin/env node
// Makes the migrated, empty PGlite database a first start unpacks (src/platform/db/pglite-template.ts).
// Runs on `npm install` (prepare) and before the tests; skips work when the template for this
// PGlite and these migrations is there. A failure is reported and does not fail the install:
// the first start then creates the database itself, as it always could.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { pgliteTemplateKey, pgliteTemplatePath, writePgliteTemplate } from '../src/platform/db/pglite-template.ts';

const key = pgliteTemplateKey();
if (existsSync(pgliteTemplatePath(key))) process.exit(0);
try {
  const handle = await openDatabase({ dataDir: 'memory://' });
  try {
    await migrateToLatest(handle.db);
    const path = await writePgliteTemplate(await handle.dumpDataDir!('gzip'), key);
    console.log(`build-template: wrote ${relative(process.cwd(), path)}`);
  } finally {
    await handle.close();
  }
} catch (error) {
  console.warn(
    `build-template: could not make the database template (${(error as Error).message}); a first start will create the database instead.`,
  );
}
