// `npm run lint` and `npm run typecheck` inside `npm test`: the compiler's type check and ESLint
// (type-checked, eslint.config.js) over the whole project, from one TypeScript program,
// with the findings that predate it listed in eslint-suppressions.json, and Prettier's check of
// every file it formats. Also proves the two architecture rules ESLint holds (only src/config.ts
// reads process.env, only src/server.ts listens) by linting planted code.
//
// Both keep a cache in node_modules/.cache (wiped by `npm ci`, so CI always checks from cold). A
// type-checked rule can change its verdict on a file when another file's types change, which the
// cache cannot see: when in doubt, `rm -rf node_modules/.cache` or run `npm run lint`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import * as prettier from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, 'node_modules', '.cache');
const posix = (path: string) => path.split(sep).join('/');
const run = promisify(execFile);
type LintMessage = Pick<Linter.LintMessage, 'ruleId' | 'line' | 'column' | 'message'>;

/** ESLint's findings and the compiler's errors, from one TypeScript program (the helper says why). */
let checked: Promise<{ results: { filePath: string; messages: LintMessage[] }[]; typeErrors: string[] }> | undefined;
const check = () =>
  (checked ??= run(process.execPath, [join(root, 'test', 'helpers', 'eslint-results.ts')], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).then(({ stdout }) => JSON.parse(stdout) as Awaited<NonNullable<typeof checked>>));

describe('TypeScript', () => {
  it('finds no type errors (tsc --noEmit -p .)', async () => {
    const { typeErrors } = await check();
    assert.deepEqual(
      typeErrors,
      [],
      `the compiler's errors (npm run typecheck to see them):\n${typeErrors.join('\n')}`,
    );
  });
});

describe('ESLint', () => {
  it('finds nothing beyond eslint-suppressions.json, and every suppression still occurs', async () => {
    const { results } = await check();
    assert.ok(results.length > 250, `only ${results.length} files linted`);

    const allowed = JSON.parse(readFileSync(join(root, 'eslint-suppressions.json'), 'utf8')) as Record<
      string,
      Record<string, { count: number }>
    >;
    const found = new Map<string, LintMessage[]>();
    for (const result of results) {
      const file = posix(relative(root, result.filePath));
      for (const message of result.messages) {
        const key = `${file} ${message.ruleId ?? '(fatal)'}`;
        found.set(key, [...(found.get(key) ?? []), message]);
      }
    }

    const broken: string[] = [];
    for (const [key, messages] of found) {
      const [file, rule] = key.split(' ') as [string, string];
      const count = allowed[file]?.[rule]?.count ?? 0;
      // ESLint's own rule: over the listed count, every finding of that rule in the file is shown.
      if (messages.length > count) {
        for (const m of messages) broken.push(`${file}:${m.line}:${m.column} ${m.message} (${rule})`);
      }
    }
    assert.deepEqual(broken, [], `ESLint findings (npx eslint . to see them):\n${broken.join('\n')}`);

    const stale = Object.entries(allowed).flatMap(([file, rules]) =>
      Object.entries(rules)
        .filter(([rule, { count }]) => (found.get(`${file} ${rule}`)?.length ?? 0) < count)
        .map(
          ([rule, { count }]) => `${file} ${rule}: ${count} listed, ${found.get(`${file} ${rule}`)?.length ?? 0} left`,
        ),
    );
    assert.deepEqual(stale, [], 'fixed findings are still listed: run `npx eslint . --prune-suppressions`');
  });

  describe('the architecture rules that are not imports', () => {
    const lint = async (filePath: string, code: string) => {
      const config = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {
        architecture: Linter.Config[];
      };
      const eslint = new ESLint({
        cwd: root,
        overrideConfigFile: true,
        overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...config.architecture],
      });
      const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
      return result!.messages.map((m) => m.message);
    };
    const ENV = /Only src\/config\.ts reads process\.env/;
    const LISTEN = /Only src\/server\.ts listens/;

    const cases: [file: string, code: string, refused: RegExp | undefined][] = [
      ['src/modules/shop/shop.service.ts', 'export const url = process.env.DATABASE_URL;', ENV],
      ['src/platform/mail/mailer.ts', "export const url = process.env['SMTP_URL'];", ENV],
      ['src/modules/shop/shop.routes.ts', 'const { env } = process;\nexport const port = env.PORT;', ENV],
      ['src/cli/main.ts', "import { env } from 'node:process';\nexport const port = env.PORT;", ENV],
      [
        'src/app.ts',
        'declare const app: { listen(o: object): Promise<string> };\nawait app.listen({ port: 3000 });',
        LISTEN,
      ],
      ['src/server.ts', 'export const port = process.env.PORT;', ENV],
      ['src/config.ts', 'declare const app: { listen(): void };\napp.listen();', LISTEN],
      ['src/config.ts', 'export const port = process.env.PORT;', undefined],
      ['src/server.ts', 'declare const app: { listen(): void };\napp.listen();', undefined],
      ['src/modules/shop/shop.test.ts', 'export const url = process.env.TEST_DATABASE_URL;', undefined],
    ];
    for (const [file, code, refused] of cases) {
      it(`${refused ? 'refuses' : 'allows'} in ${file}: ${code.split('\n').at(-1)}`, async () => {
        const messages = await lint(file, code);
        if (refused)
          assert.ok(
            messages.some((m) => refused.test(m)),
            `not refused; got: ${messages.join('; ')}`,
          );
        else assert.deepEqual(messages, []);
      });
    }
  });
});

describe('Prettier', () => {
  it('finds every file formatted (npx prettier --check .)', async () => {
    // Files whose content already passed with this Prettier and these options are not checked again.
    const cacheFile = join(cacheDir, 'amber-prettier.json');
    const passed = new Set<string>(
      existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as string[]) : [],
    );
    const ignorePath = [join(root, '.gitignore'), join(root, '.prettierignore')];
    const ignored = async (path: string) => (await prettier.getFileInfo(path, { ignorePath })).ignored;

    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.name === '.git' || entry.name === 'node_modules') continue;
        // A folder is skipped when the ignore files ignore what is in it (data/, public/build/).
        if (entry.isDirectory()) {
          if (!(await ignored(join(path, 'any.js')))) await walk(path);
        } else {
          const info = await prettier.getFileInfo(path, { ignorePath });
          if (!info.ignored && info.inferredParser) files.push(path);
        }
      }
    };
    await walk(root);
    assert.ok(files.length > 250, `only ${files.length} files found`);

    const unformatted: string[] = [];
    const nowPassed: string[] = [];
    for (const file of files) {
      const options = { ...(await prettier.resolveConfig(file, { editorconfig: true })), filepath: file };
      const source = readFileSync(file, 'utf8');
      const key = createHash('sha256')
        .update(`${prettier.version}\0${JSON.stringify(options)}\0${source}`)
        .digest('hex');
      if (passed.has(key) || (await prettier.check(source, options))) nowPassed.push(key);
      else unformatted.push(posix(relative(root, file)));
    }
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(nowPassed));
    assert.deepEqual(unformatted, [], 'not formatted: run `npx prettier --write .`');
  });
});
