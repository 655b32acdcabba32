// A migrated, empty PGlite database as a gzipped tarball, made once at `npm install`
// (bin/build-template.ts, the `prepare` script), so that the first start on a fresh data folder
// unpacks it (~1.4 s) instead of creating a database (initdb, ~6–11 s here) and running every
// migration. Keyed by PGlite's version and the migrations' names and contents: a template made
// before a migration was added, or by another PGlite, is never used — the start then creates the
// database as before, and the migrations run as always.
//
// A second template holds the same database after a first start's own work on it (the shipped
// diagnostic taxonomy, then the demo organisation loaded by the demo loader, ADR 0019): the
// server's first start with the demo (AMBER_DEMO=first-run, the default) unpacks that one and has
// nothing left to load. Its key adds every file under src/ but the tests (the loader, the services
// it goes through, the code that renders what it stores), so a template made by other code is
// never used either: the start then unpacks the empty one and loads the demo itself.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR } from './migrate.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where templates are kept: inside the installation, never in git (.gitignore). */
export const TEMPLATE_DIR = join(ROOT, 'build');
const PREFIX = 'pglite-template-';
const DEMO_PREFIX = 'pglite-demo-template-';
const SRC = join(ROOT, 'src');

/** The migrated, empty database, or the same with the demo loaded (what a first start makes). */
export type PgliteTemplateKind = 'empty' | 'demo';

/** src/'s files but the tests and their helpers, sorted: what the demo's contents may depend on. */
function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => !/\.test(?:-helper)?\.ts$/.test(file) && statSync(join(SRC, file)).isFile())
    .sort();
}

/**
 * PGlite's version and every migration file, hashed: what the template's contents depend on; for
 * the demo's, every source file too.
 */
export function pgliteTemplateKey(kind: PgliteTemplateKind = 'empty'): string {
  const hash = createHash('sha256');
  const pglite = JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  };
  hash.update(pglite.version);
  for (const name of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(name).update(readFileSync(join(MIGRATIONS_DIR, name)));
  if (kind === 'demo') for (const file of sourceFiles()) hash.update(file).update(readFileSync(join(SRC, file)));
  return hash.digest('hex').slice(0, 16);
}

const prefixOf = (kind: PgliteTemplateKind) => (kind === 'demo' ? DEMO_PREFIX : PREFIX);

export function pgliteTemplatePath(key = pgliteTemplateKey(), kind: PgliteTemplateKind = 'empty'): string {
  return join(TEMPLATE_DIR, `${prefixOf(kind)}${key}.tar.gz`);
}

/**
 * The same template unpacked: a closed PGlite data folder beside the tarball. A first start copies
 * it into the new data folder (a file copy) rather than have PGlite unpack the tarball, which
 * writes every one of its ~1,300 files through PGlite's file system in JavaScript: ~0.6 s of CPU
 * less on a first start (bench/README.md, "A first start copies the unpacked template").
 */
export function pgliteTemplateFolderPath(key = pgliteTemplateKey(), kind: PgliteTemplateKind = 'empty'): string {
  return join(TEMPLATE_DIR, `${prefixOf(kind)}${key}`);
}

/** The unpacked template of this kind for this PGlite and these migrations (and code), if made; else undefined. */
export function pgliteTemplateFolder(
  kind: PgliteTemplateKind = 'empty',
  key = pgliteTemplateKey(kind),
): string | undefined {
  const path = pgliteTemplateFolderPath(key, kind);
  // Renamed into place whole (unpackPgliteTemplate), so one with PG_VERSION is complete.
  return existsSync(join(path, 'PG_VERSION')) ? path : undefined;
}

/**
 * Unpacks the template of this key into its folder (pgliteTemplateFolderPath): PGlite opens the
 * tarball into a folder of a temporary name, which is closed and renamed into place; older
 * folders of the kind go.
 */
export async function unpackPgliteTemplate(
  key = pgliteTemplateKey(),
  kind: PgliteTemplateKind = 'empty',
): Promise<string> {
  const tarballPath = pgliteTemplatePath(key, kind);
  const path = pgliteTemplateFolderPath(key, kind);
  const partial = `${path}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const { PGlite } = await import('@electric-sql/pglite');
  try {
    const db = await PGlite.create({
      dataDir: partial,
      loadDataDir: templateFile(tarballPath),
      // The pool's size is not stored in the folder; a small one starts faster (database.ts's
      // SMALL_SHARED_BUFFERS, written out: database.ts imports this module).
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
    });
    await db.close();
    // Another process (a test shard, a second install) may have put the same one in place since:
    // it is kept, as a start may be copying it now. One without PG_VERSION is not whole: replaced.
    if (existsSync(path) && !existsSync(join(path, 'PG_VERSION'))) rmSync(path, { recursive: true, force: true });
    try {
      renameSync(partial, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  // Older keys' folders go (and their half-made ones); this key's, whole or in the making, stay.
  for (const name of readdirSync(TEMPLATE_DIR))
    if (name.startsWith(prefixOf(kind)) && !name.endsWith('.tar.gz') && !name.startsWith(`${prefixOf(kind)}${key}`))
      rmSync(join(TEMPLATE_DIR, name), { recursive: true, force: true });
  return path;
}

/** The template of this kind for this PGlite and these migrations (and code), if `npm install` made it; else undefined. */
export function readPgliteTemplate(kind: PgliteTemplateKind = 'empty'): Blob | undefined {
  const path = pgliteTemplatePath(pgliteTemplateKey(kind), kind);
  return existsSync(path) ? templateFile(path) : undefined;
}

/** A template's tarball as the Blob PGlite's `loadDataDir` reads. */
function templateFile(path: string): Blob {
  const bytes = readFileSync(path);
  // PGlite unpacks by the type given: gzip when the file is (its magic number), a plain tar otherwise.
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return new Blob([bytes], { type: gzip ? 'application/gzip' : 'application/x-tar' });
}

/**
 * Makes the template from `dump` (a migrated, empty database's `dumpDataDir('gzip')`) and removes
 * older ones. Written under a temporary name and renamed, so a start never reads half a file.
 */
export async function writePgliteTemplate(
  dump: Blob,
  key = pgliteTemplateKey(),
  kind: PgliteTemplateKind = 'empty',
): Promise<string> {
  mkdirSync(TEMPLATE_DIR, { recursive: true });
  const path = pgliteTemplatePath(key, kind);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  // Older tarballs of the kind go; so do their unpacked folders (unpackPgliteTemplate makes this one's).
  for (const name of readdirSync(TEMPLATE_DIR))
    if (name.startsWith(prefixOf(kind)) && !name.startsWith(`${prefixOf(kind)}${key}`))
      rmSync(join(TEMPLATE_DIR, name), { recursive: true, force: true });
  return path;
}
