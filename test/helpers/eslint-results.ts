// ESLint over the whole project, as test/lint.test.ts checks it, in a process of its own: prints
// each linted file's path and its messages as JSON on stdout.
//
// Its own process because type-checked linting builds the TypeScript program of every file
// (~1 GB): inside a shard of the suite it took ~80 s of CPU against ~50 s alone, and the shard
// kept the memory for the rest of its files.
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({
  cwd: root,
  cache: true,
  cacheLocation: join(root, 'node_modules', '.cache', 'eslint') + sep,
  cacheStrategy: 'content',
});
const results = await eslint.lintFiles(['.']);
process.stdout.write(
  JSON.stringify(
    results.map((r) => ({
      filePath: r.filePath,
      messages: r.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, column: m.column, message: m.message })),
    })),
  ),
);
