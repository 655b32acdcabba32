// A migrated, empty PGlite database as a gzipped tarball, made once at `npm install`
// (bin/build-template.ts, the `prepare` script), so that the first start on a fresh data folder
// unpacks it (~1.4 s) instead of creating a database (initdb, ~6–11 s here) and running every
// migration. Keyed by PGlite's version and the migrations' names and contents: a template made
// before a migration was added, or by another PGlite, is never used — the start then creates the
// database as before, and the migrations run as always.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR } from './migrate.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where templates are kept: inside the installation, never in git (.gitignore). */
export const TEMPLATE_DIR = join(ROOT, 'build');
const PREFIX = 'pglite-template-';

/** PGlite's version and every migration file, hashed: what the template's contents depend on. */
export function pgliteTemplateKey(): string {
  const hash = createHash('sha256');
  const pglite = JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  };
  hash.update(pglite.version);
  for (const name of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(name).update(readFileSync(join(MIGRATIONS_DIR, name)));
  return hash.digest('hex').slice(0, 16);
}

export function pgliteTemplatePath(key = pgliteTemplateKey()): string {
  return join(TEMPLATE_DIR, `${PREFIX}${key}.tar.gz`);
}

/** The template for this PGlite and these migrations, if `npm install` made it; else undefined. */
export function readPgliteTemplate(): Blob | undefined {
  const path = pgliteTemplatePath();
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  // PGlite unpacks by the type given: gzip when the file is (its magic number), a plain tar otherwise.
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return new Blob([bytes], { type: gzip ? 'application/gzip' : 'application/x-tar' });
}

/**
 * Makes the template from `dump` (a migrated, empty database's `dumpDataDir('gzip')`) and removes
 * older ones. Written under a temporary name and renamed, so a start never reads half a file.
 */
export async function writePgliteTemplate(dump: Blob, key = pgliteTemplateKey()): Promise<string> {
  mkdirSync(TEMPLATE_DIR, { recursive: true });
  const path = pgliteTemplatePath(key);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  for (const name of readdirSync(TEMPLATE_DIR))
    if (name.startsWith(PREFIX) && join(TEMPLATE_DIR, name) !== path) rmSync(join(TEMPLATE_DIR, name), { force: true });
  return path;
}
