// ESLint for Amber: typescript-eslint's type-checked recommended rules on every TypeScript file the
// compiler sees (tsconfig.json), the plain recommended rules on the JavaScript around them, and the
// two architecture rules that are not imports (dependency-cruiser checks those, see
// .dependency-cruiser.mjs). Run with `npm run lint`; `test/lint.test.ts` runs it on `npm test`.
//
// Findings that predate these rules are listed in eslint-suppressions.json (ESLint's bulk
// suppressions: per file and rule, a count that may only go down). A new finding fails; when you
// fix listed ones, run `npx eslint . --prune-suppressions`. Never add to it by hand.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ENV_MESSAGE = 'Only src/config.ts reads process.env: add a setting there, validated once.';
const LISTEN_MESSAGE = 'Only src/server.ts listens: buildApp() returns an app that tests inject() into.';
const readsEnv = {
  selector:
    "VariableDeclarator[init.type='Identifier'][init.name='process'] > ObjectPattern > Property[key.name='env']",
  message: ENV_MESSAGE,
};
const listens = { selector: "CallExpression[callee.property.name='listen']", message: LISTEN_MESSAGE };

/**
 * The two rules of docs/architecture.md that are not imports: only src/config.ts reads
 * process.env, only src/server.ts listens. Exported so test/lint.test.ts can prove that each
 * refuses a planted break.
 */
export const architecture = [
  {
    name: 'amber/architecture',
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/*.test-helper.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }],
      'no-restricted-imports': [
        'error',
        { paths: ['process', 'node:process'].map((name) => ({ name, importNames: ['env'], message: ENV_MESSAGE })) },
      ],
      'no-restricted-syntax': ['error', readsEnv, listens],
    },
  },
  {
    name: 'amber/architecture/config',
    files: ['src/config.ts'],
    rules: {
      'no-restricted-properties': 'off',
      'no-restricted-imports': 'off',
      'no-restricted-syntax': ['error', listens],
    },
  },
  {
    name: 'amber/architecture/server',
    files: ['src/server.ts'],
    rules: { 'no-restricted-syntax': ['error', readsEnv] },
  },
];

const TEST_FILES = ['**/*.test.ts', '**/*.test-helper.ts', 'test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts'];
const UNSAFE_ANY = [
  '@typescript-eslint/no-unsafe-argument',
  '@typescript-eslint/no-unsafe-assignment',
  '@typescript-eslint/no-unsafe-call',
  '@typescript-eslint/no-unsafe-member-access',
  '@typescript-eslint/no-unsafe-return',
];
const off = (rules) => Object.fromEntries(rules.map((rule) => [rule, 'off']));

export default defineConfig(
  globalIgnores(['node_modules/', 'data/', 'public/build/', 'bench/results/', '.amber-test-*/', '.scratch/']),
  // An eslint-disable comment that no longer disables anything fails, so none outlives its reason.
  { name: 'amber/directives', linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    name: 'amber/javascript',
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    name: 'amber/browser',
    files: ['public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    name: 'amber/typescript',
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // One TypeScript program, the compiler's own: the files of tsconfig.json.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // On, and kept as it is: where a type really cannot be known the code says why in an
      // eslint-disable comment (platform/http/openapi.ts); the older bare `any`s are in
      // eslint-suppressions.json. Off in migrations and tests, below.
      // Off: Fastify handlers and hooks, and implementations of Promise-returning interfaces
      // (Mailer.send, a renderer's render), are async by contract even when they await nothing.
      '@typescript-eslint/require-await': 'off',
      // On, but a leading underscore marks a name left unused on purpose: `const { id: _id, ...rest }`
      // is how the code drops a field, and `_actor` keeps a parameter's place.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // On, but a destructuring that reassigns one of its names stays one `let` (splitting it is worse).
      'prefer-const': ['error', { destructuring: 'all' }],
      // On, but node:test's describe/it/test return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
    },
  },
  {
    name: 'amber/typescript/bin',
    files: ['bin/*.ts'],
    // Untyped: bin/permissions-doc.ts is outside tsconfig.json, and a second TypeScript program
    // for its 19 lines would cost every lint ~20 s. (Adding "bin" to tsconfig's include would
    // type-check it with tsc too, and let these rules back on.)
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    name: 'amber/typescript/tests',
    files: TEST_FILES,
    // Off in tests, benchmarks and browser journeys: they read JSON (response bodies, fixture
    // files they then break on purpose) as `any`, and the assertion is the type check.
    rules: off(['@typescript-eslint/no-explicit-any', ...UNSAFE_ANY]),
  },
  {
    name: 'amber/typescript/migrations',
    files: ['migrations/**/*.ts'],
    // Off: a migration is written against `Kysely<any>` (Kysely's own advice: it must not use the
    // app's table types, which move on) and is frozen once it has run anywhere.
    rules: off(['@typescript-eslint/no-explicit-any', ...UNSAFE_ANY]),
  },
  {
    name: 'amber/xml-control-characters',
    files: ['src/render/charts/svg.ts', 'src/render/charts/xml.test-helper.ts'],
    // Off: these regular expressions exist to find the control characters XML 1.0 forbids.
    rules: { 'no-control-regex': 'off' },
  },
  architecture,
);
