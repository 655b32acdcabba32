#!/usr/bin/env node
// Makes the PGlite databases a first start unpacks (src/platform/db/pglite-template.ts): the
// migrated, empty one, and the same after a first start's work with the demo (the shipped
// taxonomy, then the demo loader), which the server's first start on a new folder unpacks instead
// of loading the demo (ADR 0019). Runs on `npm install` (prepare) and before the tests; skips the
// work when the templates for this PGlite, these migrations (and, for the demo's, this code) are
// there. A failure is reported and does not fail the install: the first start then creates the
// database, or loads the demo, itself, as it always could. Each is also kept unpacked, as a data
// folder a first start copies (faster than PGlite unpacking the tarball, pglite-template.ts).
//
// `--empty-only` (the test scripts) makes only the empty one: the demo's key covers every source
// file, so in the inner loop it would be made again after every edit (~7 s of CPU); the test that
// checks it (test/pglite-demo-template.test.ts) makes it when it is not there.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { openDatabase, SMALL_SHARED_BUFFERS } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import {
  pgliteTemplateFolder,
  pgliteTemplateKey,
  pgliteTemplatePath,
  readPgliteTemplate,
  unpackPgliteTemplate,
  writePgliteTemplate,
  type PgliteTemplateKind,
} from '../src/platform/db/pglite-template.ts';
import type { DB } from '../src/schema.ts';

// Worked out before anything is made: a file edited meanwhile then gives a template no start uses.
const key = pgliteTemplateKey();
const demoKey = pgliteTemplateKey('demo');

if (!existsSync(pgliteTemplatePath(key))) {
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
}

if (!process.argv.includes('--empty-only') && !existsSync(pgliteTemplatePath(demoKey, 'demo'))) {
  try {
    const { buildServices } = await import('../src/composition.ts');
    const empty = readPgliteTemplate();
    // The shared buffer pool's size changes nothing in what is stored; a small one starts faster.
    const handle = await openDatabase<DB>({
      dataDir: 'memory://',
      ...(empty ? { loadDataDir: empty } : {}),
      sharedBuffers: SMALL_SHARED_BUFFERS,
    });
    try {
      // What the server's first start does to an empty database (src/server.ts), in its order.
      await migrateToLatest(handle.db);
      const services = buildServices(handle);
      await services.diagnostics.ensureShippedTaxonomy();
      await services.demo.load('demo');
      const path = await writePgliteTemplate(await handle.dumpDataDir!('gzip'), demoKey, 'demo');
      console.log(`build-template: wrote ${relative(process.cwd(), path)}`);
    } finally {
      await handle.close();
    }
  } catch (error) {
    console.warn(
      `build-template: could not make the template with the demo (${(error as Error).message}); a first start will load the demo itself.`,
    );
  }
}

/** Each tarball made (now or before) also unpacked, unless it is already. */
async function unpack(key: string, kind: PgliteTemplateKind): Promise<void> {
  if (!existsSync(pgliteTemplatePath(key, kind)) || pgliteTemplateFolder(kind, key)) return;
  try {
    const path = await unpackPgliteTemplate(key, kind);
    console.log(`build-template: unpacked it into ${relative(process.cwd(), path)}`);
  } catch (error) {
    console.warn(
      `build-template: could not unpack the ${kind} template (${(error as Error).message}); a first start will unpack the tarball instead.`,
    );
  }
}
await unpack(key, 'empty');
if (!process.argv.includes('--empty-only')) await unpack(demoKey, 'demo');
