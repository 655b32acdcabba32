// The import rules of docs/architecture.md, checked by dependency-cruiser (.dependency-cruiser.mjs)
// on the real tree, and proved: every rule is shown refusing a planted import in a small tree
// with the same layout, and a few allowed imports are shown passing, so a rule that silently
// matches nothing (a typo in a path pattern) fails here rather than letting everything through.
// "Only config.ts reads process.env" and "only server.ts listens" are ESLint's: test/lint.test.ts.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = '.dependency-cruiser.mjs';
const BASELINE = '.dependency-cruiser-known-violations.json';

/** Cruises `src` and `migrations` of `dir` with the project's rules, as `npx depcruise` does. */
async function cruiseTree(dir: string, knownViolations: unknown[] = []): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(join(dir, CONFIG));
  const tsConfigFile = join(dir, 'tsconfig.json');
  const { output } = await cruise(
    ['src', 'migrations'],
    {
      ...options,
      baseDir: dir,
      tsConfig: { fileName: tsConfigFile },
      knownViolations: knownViolations as NonNullable<typeof options.knownViolations>,
    },
    undefined,
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  assert.equal(typeof output, 'object', 'dependency-cruiser returned no result');
  return output as ICruiseResult;
}

const describeViolation = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`;

describe('import rules (dependency-cruiser)', () => {
  it('finds no new break in the tree, and every known break is still there', async () => {
    const known = JSON.parse(readFileSync(join(root, BASELINE), 'utf8')) as IViolation[];
    const result = await cruiseTree(root, known);
    assert.ok(result.summary.totalCruised > 150, `only ${result.summary.totalCruised} modules cruised`);
    const broken = result.summary.violations.filter((v) => v.rule.severity !== 'ignore').map(describeViolation);
    assert.deepEqual(broken, [], `new import-rule breaks (docs/architecture.md, ${CONFIG}):\n${broken.join('\n')}`);
    // A fixed break must leave the baseline, so the list only shrinks (regenerate it with
    // `npx depcruise src migrations --output-type baseline --output-to ${BASELINE}`).
    assert.equal(
      result.summary.ignore,
      known.length,
      `${BASELINE} lists ${known.length} breaks but ${result.summary.ignore} remain: regenerate it`,
    );
  });

  describe('each rule refuses a planted import', () => {
    let dir: string;
    let found: Set<string>;

    // A small tree with Amber's layout. Each file imports what it is allowed to, plus the planted
    // breaks named in `plants`. Packages are stubs in the tree's own node_modules.
    const files: Record<string, string[]> = {
      'src/config.ts': [],
      'src/paths.ts': [],
      'src/composition.ts': ["import { x } from './modules/shop/shop.service.ts';"],
      'src/domain/money.ts': ["import { z } from 'zod';"],
      'src/domain/period.ts': ["import { x } from './money.ts';", "import { x as y } from '../platform/csv.ts';"],
      'src/platform/validation.ts': ["import { z } from 'zod';", "import { x } from '../domain/money.ts';"],
      'src/platform/csv.ts': [
        "import { x } from '../config.ts';",
        "import { y } from '../modules/shop/shop.service.ts';",
      ],
      'src/platform/http/errors.ts': [
        "import type { X } from 'fastify';",
        "import { x } from '../../paths.ts';",
        "import { y } from '../../composition.ts';",
      ],
      'src/platform/db/unit-of-work.ts': ["import { x } from 'kysely';"],
      'src/platform/db/database.ts': ["import { x } from 'kysely';", "import { y } from 'pg';"],
      'src/render/view.ts': [
        "import { x } from '../domain/money.ts';",
        "import { y } from '../modules/shop/shop.repository.ts';",
      ],
      'src/cli/main.ts': [
        "import { x } from '../composition.ts';",
        "import { y } from '../config.ts';",
        "import { z } from '../modules/shop/shop.repository.ts';",
        "import { k } from 'kysely';",
      ],
      'src/modules/shop/shop.routes.ts': [
        "import type { FastifyInstance } from 'fastify';",
        "import { a } from './shop.service.ts';",
        "import { b } from './shop.schemas.ts';",
        "import { c } from './shop.presenter.ts';",
        "import { d } from '../../platform/http/errors.ts';",
        "import { e } from '../../paths.ts';",
        "import { f } from './shop.repository.ts';",
        "import { sql } from 'kysely';",
      ],
      'src/modules/shop/shop.schemas.ts': [
        "import { z } from 'zod';",
        "import { a } from '../../platform/validation.ts';",
        "import { b } from '../till/till.schemas.ts';",
        "import { c } from '../../domain/money.ts';",
        "import { d } from './shop.service.ts';",
      ],
      'src/modules/shop/shop.presenter.ts': [
        "import type { Basket } from './shop.service.ts';",
        "import { a } from '../../render/view.ts';",
        "import { b } from '../../domain/money.ts';",
        "import type { BasketRow } from './shop.repository.ts';",
      ],
      'src/modules/shop/shop.service.ts': [
        "import { a } from './shop.repository.ts';",
        "import type { Unit } from '../../platform/db/unit-of-work.ts';",
        "import { b } from '../till/till.service.ts';",
        "import { c } from '../../domain/money.ts';",
        "import { d } from './shop.schemas.ts';",
        "import type { FastifyRequest } from 'fastify';",
        "import { e } from '../till/till.repository.ts';",
        "import { f } from '../till/use-cases/count.ts';",
        "import { g } from './missing.ts';",
      ],
      'src/modules/shop/shop-transfer.ts': [
        "import { a } from '../../domain/money.ts';",
        "import { sql } from 'kysely';",
      ],
      'src/modules/shop/shop.aggregate.ts': [
        "import { a } from './shop.repository.ts';",
        "import { b } from '../../platform/db/database.ts';",
      ],
      'src/modules/shop/use-cases/checkout.ts': [
        "import { a } from '../shop.service.ts';",
        "import { b } from '../shop.presenter.ts';",
      ],
      'src/modules/shop/shop.job.ts': [
        "import { a } from './shop.service.ts';",
        "import { b } from './shop.presenter.ts';",
        "import { c } from './shop.repository.ts';",
      ],
      'src/modules/shop/shop.repository.ts': [
        "import { sql } from 'kysely';",
        "import { a } from '../../platform/db/unit-of-work.ts';",
        "import { b } from '../../domain/money.ts';",
        "import type { Basket } from './shop.service.ts';",
      ],
      'src/modules/till/till.service.ts': [],
      'src/modules/till/till.schemas.ts': [],
      'src/modules/till/till.repository.ts': [],
      'src/modules/till/use-cases/count.ts': [],
      'src/modules/till/till.presenter.ts': ["import { countUp } from './till.service.ts';"],
      'migrations/2026-01-01-001-first.ts': ["import { Kysely } from 'kysely';"],
      'migrations/2026-01-01-002-second.ts': [
        "import { Kysely } from 'kysely';",
        "import { x } from '../src/domain/money.ts';",
      ],
    };

    // Every break planted above, with the rule that must refuse it. Anything else the cruise
    // reports is an allowed import refused by mistake, and fails the last test.
    const plants: [from: string, to: string, rule: string, why: string][] = [
      // The eight the old regex checker missed or caught:
      [
        'src/modules/shop/shop.presenter.ts',
        'src/modules/shop/shop.repository.ts',
        'presenters',
        'presenter → repository (type-only)',
      ],
      ['src/modules/shop/shop.schemas.ts', 'src/modules/shop/shop.service.ts', 'schemas', 'schemas → service'],
      ['src/cli/main.ts', 'src/modules/shop/shop.repository.ts', 'cli', 'CLI → repository'],
      [
        'src/modules/shop/shop-transfer.ts',
        'node_modules/kysely/index.js',
        'services',
        'spreadsheet reader (a service file) → kysely',
      ],
      ['src/modules/shop/shop.routes.ts', 'src/modules/shop/shop.repository.ts', 'routes', 'routes → repository'],
      ['src/modules/shop/shop.routes.ts', 'node_modules/kysely/index.js', 'routes', 'routes → kysely'],
      ['src/domain/money.ts', 'node_modules/zod/index.js', 'domain', 'domain → a package'],
      [
        'src/modules/shop/shop.service.ts',
        'node_modules/fastify/index.js',
        'services',
        'service → fastify (type-only)',
      ],
      // One more for each rule:
      ['src/domain/period.ts', 'src/platform/csv.ts', 'domain', 'domain → platform'],
      [
        'src/modules/till/till.presenter.ts',
        'src/modules/till/till.service.ts',
        'presenters-call-no-services',
        'presenter calls a service',
      ],
      [
        'src/modules/shop/use-cases/checkout.ts',
        'src/modules/shop/shop.presenter.ts',
        'services',
        'use case → presenter',
      ],
      [
        'src/modules/shop/shop.service.ts',
        'src/modules/till/till.repository.ts',
        'services',
        "service → another module's repository",
      ],
      [
        'src/modules/shop/shop.service.ts',
        'src/modules/till/till.repository.ts',
        'modules-through-services',
        "another module's repository",
      ],
      [
        'src/modules/shop/shop.aggregate.ts',
        'src/platform/db/database.ts',
        'services',
        'service file → platform/db beyond the unit of work',
      ],
      [
        'src/modules/shop/shop.service.ts',
        'src/modules/till/use-cases/count.ts',
        'modules-through-services',
        "another module's use case",
      ],
      ['src/modules/shop/shop.service.ts', './missing.ts', 'unresolvable', 'an import that resolves to nothing'],
      ['src/modules/shop/shop.job.ts', 'src/modules/shop/shop.repository.ts', 'routes', 'job handler → repository'],
      [
        'src/modules/shop/shop.repository.ts',
        'src/modules/shop/shop.service.ts',
        'repositories',
        'repository → service (type-only)',
      ],
      ['src/render/view.ts', 'src/modules/shop/shop.repository.ts', 'render', 'render → repository'],
      ['src/platform/csv.ts', 'src/modules/shop/shop.service.ts', 'platform', 'platform → a module'],
      ['src/platform/http/errors.ts', 'src/composition.ts', 'platform', 'platform → composition'],
      ['src/cli/main.ts', 'node_modules/kysely/index.js', 'cli', 'CLI → kysely'],
      ['migrations/2026-01-01-002-second.ts', 'src/domain/money.ts', 'migrations', 'migration → src/'],
    ];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'amber-architecture-'));
      copyFileSync(join(root, CONFIG), join(dir, CONFIG));
      copyFileSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
      for (const name of ['kysely', 'pg', 'zod', 'fastify']) {
        mkdirSync(join(dir, 'node_modules', name), { recursive: true });
        const pkg = { name, version: '1.0.0', type: 'module', main: 'index.js', types: 'index.d.ts' };
        writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify(pkg));
        writeFileSync(join(dir, 'node_modules', name, 'index.js'), 'export {};\n');
        writeFileSync(join(dir, 'node_modules', name, 'index.d.ts'), 'export {};\n');
      }
      for (const [file, imports] of Object.entries(files)) {
        mkdirSync(join(dir, dirname(file)), { recursive: true });
        writeFileSync(join(dir, file), `${imports.join('\n')}\nexport const x = 1;\n`);
      }
      const result = await cruiseTree(dir);
      found = new Set(result.summary.violations.map(describeViolation));
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it('cruises the planted tree', () => {
      assert.ok(found.size > 0, 'no violation at all: the rules matched nothing');
    });

    for (const [from, to, rule, why] of plants) {
      it(`refuses ${why} (${rule})`, () => {
        const expected = `${rule}: ${from} → ${to}`;
        assert.ok(found.has(expected), `not refused: ${expected}\nfound:\n${[...found].join('\n')}`);
      });
    }

    it('accepts every allowed import in the planted tree', () => {
      const planted = new Set(plants.map(([from, to, rule]) => `${rule}: ${from} → ${to}`));
      const wrong = [...found].filter((v) => !planted.has(v));
      assert.deepEqual(wrong, [], 'allowed imports refused');
    });
  });
});
