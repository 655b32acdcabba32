// The import rules of STYLE.md (see docs/architecture.md), checked on every file so that the
// layers cannot drift: a rule broken here fails the suite with the file and the import named.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory()
      ? files(path)
      : path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.includes('test-helper')
        ? [path]
        : [];
  });
}

interface Import {
  spec: string;
  target: string | undefined;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const source = readFileSync(join(root, file), 'utf8');
  const found: Import[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    const spec = m[3]!;
    found.push({
      spec,
      typeOnly: Boolean(m[2]),
      target: spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : undefined,
    });
  }
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1]!;
    found.push({
      spec,
      typeOnly: false,
      target: spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : undefined,
    });
  }
  return found;
}

const moduleOf = (path: string) => /^src\/modules\/([^/]+)\//.exec(path)?.[1];
const roleOf = (path: string) => /\.(routes|service|repository|schemas|presenter)\.ts$/.exec(path)?.[1];

type Rule = (file: string, imp: Import) => string | undefined;

const rules: { layer: string; applies: (file: string) => boolean; rule: Rule }[] = [
  {
    layer: 'migrations import only kysely',
    applies: (f) => f.startsWith('migrations/'),
    rule: (_f, i) => (i.spec === 'kysely' ? undefined : 'a migration is frozen and imports only kysely'),
  },
  {
    layer: 'domain imports nothing else in src/',
    applies: (f) => f.startsWith('src/domain/'),
    rule: (_f, i) =>
      i.target && !i.target.startsWith('src/domain/')
        ? 'domain is pure: it imports nothing else in src/'
        : i.target
          ? undefined
          : 'domain imports no packages',
  },
  {
    layer: 'platform knows nothing of modules',
    applies: (f) => f.startsWith('src/platform/'),
    rule: (_f, i) =>
      i.target?.startsWith('src/modules/') || i.target === 'src/composition.ts'
        ? 'platform knows nothing of councils: it may not import modules'
        : undefined,
  },
  {
    layer: 'render knows nothing of SQL or modules',
    applies: (f) => f.startsWith('src/render/'),
    rule: (_f, i) =>
      i.spec === 'kysely' ||
      i.spec === 'pg' ||
      i.target?.startsWith('src/modules/') ||
      i.target?.startsWith('src/platform/db')
        ? 'renderers take view models: no SQL, no modules'
        : undefined,
  },
  {
    layer: 'routes call services, never repositories or SQL',
    applies: (f) => roleOf(f) === 'routes',
    rule: (_f, i) =>
      i.spec === 'kysely' ||
      i.spec === 'pg' ||
      i.target?.endsWith('.repository.ts') ||
      i.target?.startsWith('src/platform/db')
        ? 'routes never touch repositories or SQL'
        : undefined,
  },
  {
    layer: 'services use their own repository and other services',
    applies: (f) => roleOf(f) === 'service',
    rule: (f, i) => {
      if (i.spec === 'fastify' || i.spec === 'nunjucks' || i.spec.startsWith('@fastify/'))
        return 'services know nothing of HTTP or views';
      if (i.target?.endsWith('.repository.ts') && moduleOf(i.target) !== moduleOf(f))
        return 'a service may not use another module’s repository (call its service)';
      if (i.target?.endsWith('.routes.ts')) return 'services never import routes';
      return undefined;
    },
  },
  {
    layer: 'repositories are SQL only',
    applies: (f) => roleOf(f) === 'repository',
    rule: (_f, i) =>
      i.target && /\.(service|routes|presenter)\.ts$/.test(i.target)
        ? 'repositories never import services, routes or presenters'
        : undefined,
  },
  {
    layer: 'modules reach other modules only through services, schemas and presenters',
    applies: (f) => moduleOf(f) !== undefined,
    rule: (f, i) => {
      if (!i.target || !moduleOf(i.target) || moduleOf(i.target) === moduleOf(f)) return undefined;
      // Services for behaviour; schemas and presenters are pure and may be shared (an import validates as the forms do).
      return /\.(service|presenter|schemas)\.ts$/.test(i.target)
        ? undefined
        : `${i.spec} belongs to another module: use its service`;
    },
  },
];

describe('import rules', () => {
  const all = [...files('src'), ...files('migrations')];

  it('finds the code to check', () => {
    assert.ok(all.length > 30, `only ${all.length} files found`);
  });

  for (const { layer, applies, rule } of rules) {
    it(layer, () => {
      const broken = all
        .filter(applies)
        .flatMap((f) => importsOf(f).map((i) => [f, i, rule(f, i)] as const))
        .filter(([, , why]) => why)
        .map(([f, i, why]) => `${f} imports ${i.spec}: ${why}`);
      assert.deepEqual(broken, []);
    });
  }

  it('reads process.env only in config.ts', () => {
    const readers = files('src').filter(
      (f) => f !== 'src/config.ts' && /process\.env/.test(readFileSync(join(root, f), 'utf8')),
    );
    assert.deepEqual(readers, []);
  });

  it('listens only in server.ts', () => {
    const listeners = files('src').filter(
      (f) => f !== 'src/server.ts' && /\.listen\(/.test(readFileSync(join(root, f), 'utf8')),
    );
    assert.deepEqual(listeners, []);
  });
});
