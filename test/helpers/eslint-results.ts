// ESLint over the whole project, as test/lint.test.ts checks it, and the type check (`tsc --noEmit`)
// from the same TypeScript program, in a process of its own: prints JSON on stdout, each linted
// file's path and messages (`results`) and each compiler error as tsc prints it (`typeErrors`).
//
// Its own process because type-checked linting builds the TypeScript program of every file
// (~1 GB): inside a shard of the suite it took ~80 s of CPU against ~50 s alone, and the shard
// kept the memory for the rest of its files.
//
// One program for both: the type-checked rules need the compiler to check most of every file, so
// the program the linter was given answers the compiler's own question in ~1.3 s more, where a
// separate `tsc --noEmit` built and checked it all again (~21 s of CPU on this machine). The
// program is tsconfig.json's, which is what `projectService` (eslint.config.js, `npm run lint`)
// finds for these files too.
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));
const parsed = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
if (!parsed) throw new Error('tsconfig.json could not be read');
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });

// ESLint's cache keys its entries by the configuration as JSON, which a program cannot be: it is
// named by what it is made from instead (the cache's own notes on types hold, test/lint.test.ts).
const programs = Object.assign([program], { toJSON: () => 'the program of tsconfig.json' });
const eslint = new ESLint({
  cwd: root,
  cache: true,
  cacheLocation: join(root, 'node_modules', '.cache', 'eslint') + sep,
  cacheStrategy: 'content',
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false, programs } } }],
});
const results = await eslint.lintFiles(['.']);

// As `tsc --noEmit -p .` prints them: path(line,col): error TScode: message.
const typeErrors = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].map((d) => {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `error TS${d.code}: ${message}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${relative(root, d.file.fileName)}(${line + 1},${character + 1}): error TS${d.code}: ${message}`;
});

process.stdout.write(
  JSON.stringify({
    results: results.map((r) => ({
      filePath: r.filePath,
      messages: r.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, column: m.column, message: m.message })),
    })),
    typeErrors,
  }),
);
