#!/usr/bin/env node
// Compiles GOV.UK Frontend with Amber's settings (system font, no crown) into public/build/amber.css.
// Runs on `npm install` (prepare) and before the tests; skips work when the output is newer than its sources.
import { statSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/platform/views/styles/amber.scss');
const target = join(root, 'public/build/amber.css');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
const sourcesNewest = Math.max(
  ...readdirSync(dirname(source)).map((f) => mtime(join(dirname(source), f))),
  mtime(join(root, 'node_modules/govuk-frontend/package.json')),
);
if (mtime(target) > sourcesNewest && !process.argv.includes('--force')) process.exit(0);

let sass;
try {
  sass = await import('sass');
} catch {
  console.error('build-css: the "sass" package is not installed; run `npm install` first.');
  process.exit(1);
}
const result = sass.compile(source, {
  style: 'compressed',
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
  silenceDeprecations: ['import'],
});
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, result.css);
console.log(`build-css: wrote ${target.replace(root + '/', '')}`);
