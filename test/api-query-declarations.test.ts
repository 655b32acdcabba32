// Every API operation that reads its query string declares it (issue 13), so the OpenAPI document
// lists each parameter, the API page shows it, and a bad value is a 422 naming it before the
// handler runs (never a 500, never read as something else or ignored).
//
// Two checks, one each way:
// - from the source: no handler given to `apiOperation` reads `request.query` (directly, by
//   destructuring, or through a function it hands the request to) unless the operation declares
//   `query`; every route under /api is one of the document's operations, so none escapes that
//   check. The checker is proved on planted handlers first.
// - from the running app: every query parameter the document declares is refused, 422 naming it,
//   when given a value of the wrong kind, beyond its limits, or twice; generated from the document,
//   so a parameter declared later is covered without a new test.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths, routes } from '../src/paths.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// --- The source check ------------------------------------------------------------------------

interface Finding {
  where: string;
  problem: string;
}

type FunctionLike = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration;

/** The source files, parsed once each; `read` lets the proof plant files that are not on disk. */
class Sources {
  private readonly parsed = new Map<string, ts.SourceFile>();
  private readonly read: (file: string) => string | undefined;
  constructor(read: (file: string) => string | undefined) {
    this.read = read;
  }

  get(file: string): ts.SourceFile | undefined {
    if (!this.parsed.has(file)) {
      const text = this.read(file);
      if (text === undefined) return undefined;
      this.parsed.set(file, ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
    }
    return this.parsed.get(file);
  }

  /** A function named `name` in `file`: declared there, or imported there from a relative module. */
  resolveFunction(file: string, name: string, depth = 0): { fn: FunctionLike; file: string } | undefined {
    const source = this.get(file);
    if (!source || depth > 3) return undefined;
    let found: { fn: FunctionLike; file: string } | undefined;
    const visit = (node: ts.Node) => {
      if (found) return;
      if (ts.isFunctionDeclaration(node) && node.name?.text === name) found = { fn: node, file };
      else if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.name.text === name &&
        node.initializer &&
        (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
      )
        found = { fn: node.initializer, file };
      else ts.forEachChild(node, visit);
    };
    visit(source);
    if (found) return found;
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      const element = bindings.elements.find((e) => e.name.text === name);
      if (!element || !statement.moduleSpecifier.text.startsWith('.')) continue;
      const target = resolve(dirname(file), statement.moduleSpecifier.text);
      return this.resolveFunction(target, (element.propertyName ?? element.name).text, depth + 1);
    }
    return undefined;
  }
}

const at = (node: ts.Node) => {
  const source = node.getSourceFile();
  return `${relative(root, source.fileName)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};

/**
 * Whether `fn` reads the query of the request it gets as parameter `index`: `request.query`,
 * `request['query']`, `const { query } = request`, a destructured `{ query }` parameter, or by
 * handing the request to a function that does. A function it cannot follow is a finding: the
 * check says so rather than guess.
 */
function readsQuery(
  sources: Sources,
  file: string,
  fn: FunctionLike,
  index: number,
  findings: Finding[],
  bindings: Bindings = new Map(),
  seen = new Set<ts.Node>(),
): boolean {
  if (seen.has(fn)) return false;
  seen.add(fn);
  const parameter = fn.parameters[index];
  if (!parameter) return false;
  if (ts.isObjectBindingPattern(parameter.name))
    return parameter.name.elements.some((e) => ((e.propertyName ?? e.name) as ts.Identifier).text === 'query');
  if (!ts.isIdentifier(parameter.name)) return false;
  const name = parameter.name.text;
  const isRequest = (node: ts.Node) => ts.isIdentifier(node) && node.text === name;
  let reads = false;
  const visit = (node: ts.Node): void => {
    if (reads) return;
    if (ts.isPropertyAccessExpression(node) && isRequest(node.expression) && node.name.text === 'query') reads = true;
    else if (
      ts.isElementAccessExpression(node) &&
      isRequest(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'query'
    )
      reads = true;
    else if (
      ts.isVariableDeclaration(node) &&
      node.initializer &&
      isRequest(node.initializer) &&
      ts.isObjectBindingPattern(node.name) &&
      node.name.elements.some((e) => ((e.propertyName ?? e.name) as ts.Identifier).text === 'query')
    )
      reads = true;
    else if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const args = node.arguments ?? ts.factory.createNodeArray();
      args.forEach((arg, i) => {
        if (reads || !isRequest(arg)) return;
        const callee = node.expression;
        const target = ts.isIdentifier(callee)
          ? (bindings.get(callee.text) ?? sources.resolveFunction(file, callee.text))
          : undefined;
        if (!target)
          findings.push({
            where: at(node),
            problem: `hands the request to ${callee.getText()}, which this check cannot follow: pass it what it needs instead`,
          });
        else if (readsQuery(sources, target.file, target.fn, i, findings, bindings, seen)) reads = true;
      });
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return reads;
}

const isFunctionLike = (node: ts.Node | undefined): node is ts.ArrowFunction | ts.FunctionExpression =>
  node !== undefined && (ts.isArrowFunction(node) || ts.isFunctionExpression(node));

type Bindings = Map<string, { fn: FunctionLike; file: string }>;

/** What a wrapper returns (`(handler) => async (request) => ...`): the expression, when it is written there. */
function returnedExpression(fn: FunctionLike): ts.Expression | undefined {
  if (!fn.body) return undefined;
  if (!ts.isBlock(fn.body)) return fn.body;
  return fn.body.statements.find(ts.isReturnStatement)?.expression;
}

/**
 * The function an expression handed to apiOperation stands for, with what the names inside it
 * stand for: an inline function, a function named in the file or imported, or a wrapper called with
 * the handler (`conflictAware(async (request) => ...)`, wrappers of wrappers too), whose returned
 * function is followed with the wrapper's parameters bound to the functions it was given.
 */
function resolveHandler(
  sources: Sources,
  file: string,
  expression: ts.Expression | undefined,
  bindings: Bindings = new Map(),
  depth = 0,
): { fn: FunctionLike; file: string; bindings: Bindings } | undefined {
  if (!expression || depth > 4) return undefined;
  if (isFunctionLike(expression)) return { fn: expression, file, bindings };
  if (ts.isIdentifier(expression)) {
    const target = bindings.get(expression.text) ?? sources.resolveFunction(file, expression.text);
    return target && { ...target, bindings };
  }
  if (ts.isCallExpression(expression) && ts.isIdentifier(expression.expression)) {
    const wrapper = sources.resolveFunction(file, expression.expression.text);
    if (!wrapper) return undefined;
    const inner: Bindings = new Map(bindings);
    wrapper.fn.parameters.forEach((p, i) => {
      const given = resolveHandler(sources, file, expression.arguments[i], bindings, depth + 1);
      if (ts.isIdentifier(p.name) && given) inner.set(p.name.text, { fn: given.fn, file: given.file });
    });
    return resolveHandler(sources, wrapper.file, returnedExpression(wrapper.fn), inner, depth + 1);
  }
  return undefined;
}

/** Each `apiOperation(app, { ... }, handler)` call of a file whose handler reads the query undeclared. */
function undeclaredQueryReads(sources: Sources, file: string): Finding[] {
  const source = sources.get(file);
  if (!source) return [];
  const findings: Finding[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'apiOperation') {
      const [, op, handler] = node.arguments;
      const operation = op && ts.isObjectLiteralExpression(op) ? op : undefined;
      const url = operation?.properties
        .find((p) => p.name?.getText() === 'url')
        ?.getText()
        .replace(/^url:\s*/, '');
      const declared = operation?.properties.some((p) => p.name?.getText() === 'query') ?? false;
      const fn = resolveHandler(sources, file, handler);
      if (!operation) findings.push({ where: at(node), problem: 'the operation is not an object literal' });
      else if (!fn) findings.push({ where: at(node), problem: `the handler of ${url} cannot be followed` });
      else if (readsQuery(sources, fn.file, fn.fn, 0, findings, fn.bindings) && !declared)
        findings.push({
          where: at(node),
          problem: `the handler of ${url} reads request.query but the operation declares no \`query\``,
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const fromDisk = (file: string) => {
  const path = file.endsWith('.ts') ? file : `${file}.ts`;
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
};

describe('API handlers read only the query parameters they declare (source check)', () => {
  /** The checker on planted files (not on disk), to prove it refuses what it should. */
  const plant = (files: Record<string, string>) => {
    const sources = new Sources((file) => files[file.endsWith('.ts') ? file : `${file}.ts`]);
    return Object.keys(files).flatMap((file) => undeclaredQueryReads(sources, file).map((f) => f.problem));
  };
  const op = (extra = '') => `{ method: 'GET', url: paths.api.things, summary: 's', tag: 't'${extra} }`;

  it('finds a handler that reads request.query, destructures it or indexes it, without a declaration', () => {
    for (const handler of [
      'async (request) => list(request.query.page)',
      'async (req) => { const { query } = req; return query; }',
      "async (request) => request['query']",
      'async ({ actor, query }) => list(actor, query)',
    ])
      assert.deepEqual(
        plant({ '/p/a.routes.ts': `apiOperation(app, ${op()}, ${handler});` }),
        ['the handler of paths.api.things reads request.query but the operation declares no `query`'],
        handler,
      );
  });

  it('follows the request into a function of the same file, or one imported from another module', () => {
    assert.equal(
      plant({
        '/p/a.routes.ts': `const page = (r, n) => r.query.page ?? n;\napiOperation(app, ${op()}, async (request) => page(request, 1));`,
      }).length,
      1,
    );
    assert.equal(
      plant({
        '/p/a.routes.ts': `import { pageOf } from './helpers.ts';\napiOperation(app, ${op()}, async (request) => pageOf(request));`,
        '/p/helpers.ts': 'export function pageOf(request) { return request.query.page; }',
      }).length,
      1,
    );
    assert.equal(
      plant({
        '/p/a.routes.ts': `const wrap = (handler) => async (request, reply) => handler(request, reply);\napiOperation(app, ${op()}, wrap(async (request) => list(request.query)));`,
      }).length,
      1,
      'through a wrapper the handler is given to',
    );
    assert.match(
      plant({ '/p/a.routes.ts': `apiOperation(app, ${op()}, async (request) => services.list(request));` })[0] ?? '',
      /hands the request to services\.list, which this check cannot follow/,
    );
  });

  it('passes a handler that declares its query, or reads no query', () => {
    assert.deepEqual(
      plant({
        '/p/a.routes.ts': [
          `apiOperation(app, ${op(', query: thingsQuery')}, async (request) => list(request.query.page));`,
          `apiOperation(app, ${op()}, async (request) => list(request.actor, request.params.id, request.body));`,
          `const own = (r) => r.actor;\napiOperation(app, ${op()}, async (request) => own(request));`,
        ].join('\n'),
      }),
      [],
    );
  });

  it('finds no handler in src/ reading a query it does not declare', () => {
    const sources = new Sources(fromDisk);
    const files = sourceFiles(join(root, 'src')).filter((f) => /apiOperation\(/.test(readFileSync(f, 'utf8')));
    assert.ok(files.length >= 10, `the operations are found (${files.length} files)`);
    const calls = files.reduce(
      (n, f) => n + (readFileSync(f, 'utf8').match(/\bapiOperation\(\s*app/g) ?? []).length,
      0,
    );
    assert.ok(calls >= 60, `every operation is looked at (${calls})`);
    const findings = files.flatMap((f) => undeclaredQueryReads(sources, f));
    assert.deepEqual(
      findings.map((f) => `${f.where}: ${f.problem}`),
      [],
    );
  });
});

// --- The running app --------------------------------------------------------------------------

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: { type?: string; enum?: string[]; minimum?: number; maximum?: number; maxLength?: number };
}
interface Operation {
  method: string;
  path: string;
  query: Parameter[];
}

/** Values a parameter must refuse, generated from its schema: the wrong kind, beyond its limits, and twice. */
function badValues(p: Parameter): string[][] {
  const { type, enum: choices, minimum, maximum, maxLength } = p.schema;
  const bad: string[][] = [];
  if (choices) bad.push([`not-${choices[0]}`], [choices[0]!.toUpperCase() + 'x']);
  if (type === 'integer') {
    bad.push(['not-a-number'], ['1.5'], ['-1'], ['1e3']);
    if (minimum !== undefined) bad.push([String(minimum - 1)]);
    if (maximum !== undefined) bad.push([String(maximum + 1)]);
  }
  if (type === 'string' && maxLength !== undefined) bad.push(['x'.repeat(maxLength + 1)]);
  const good = choices?.[0] ?? (type === 'integer' ? String(minimum ?? 1) : 'a');
  bad.push([good, good]);
  return bad;
}

/** A path of the document with placeholders: the query is checked before anything is looked up. */
const concrete = (path: string) => path.replace(/\{\w+\}/g, 'x');
const normalise = (path: string) => path.replace(/\{\w+\}|:\w+(\|:\w+)*/g, ':');

/** The routes the app registered, as full paths with their methods, from Fastify's route tree. */
function registeredRoutes(tree: string): { path: string; methods: string[] }[] {
  const stack: { depth: number; path: string }[] = [];
  const found: { path: string; methods: string[] }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?) \(([^)]*)\)$/.exec(line) ?? /^([│ ]*)[├└]── (.*)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    while (stack.length > 0 && stack.at(-1)!.depth >= depth) stack.pop();
    const path = (stack.at(-1)?.path ?? '') + match[2]!;
    stack.push({ depth, path });
    if (match[3]) found.push({ path, methods: match[3].split(', ') });
  }
  return found;
}

for (const engine of ENGINES) {
  describe(`every declared query parameter is checked [${engine}]`, () => {
    let t: TestApp;
    let operations: Operation[];
    before(async () => {
      t = await buildTestApp(engine);
      const doc = (await t.app.inject({ url: paths.api.openapi })).json<{
        paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
      }>();
      operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          query: (op.parameters ?? []).filter((p) => p.in === 'query'),
        })),
      );
    });
    after(async () => t?.close());

    it('describes every route under /api in the document, so the source check sees every handler', () => {
      const documented = new Set(operations.map((o) => `${o.method} ${normalise(o.path)}`));
      const routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
      const api = routes.filter((r) => r.path === '/api' || r.path.startsWith('/api/'));
      assert.ok(api.length >= 40, `the routes under /api are found (${api.length})`);
      const undocumented = api.flatMap((r) =>
        r.methods
          .filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
          .map((m) => `${m} ${normalise(r.path)}`)
          .filter((route) => !documented.has(route)),
      );
      // The document itself and the page that lists it are the only routes it does not describe.
      assert.deepEqual(undocumented.sort(), [`GET ${paths.api.docs}`, `GET ${paths.api.openapi}`].sort());
    });

    it('declares the query parameters the issue names, each described and limited', () => {
      // As the document writes a route's path: `{code}` for `:code`.
      const declared = (method: string, route: string) =>
        operations
          .find((o) => o.method === method && o.path === route.replace(/:(\w+)/g, '{$1}'))
          ?.query.map((p) => p.name)
          .sort();
      const filters = ['impact', 'likelihood', 'rating', 'show'];
      // The register's lists page on request; its heat map is one answer.
      assert.deepEqual(declared('GET', paths.api.risks), [...filters, 'page', 'pageSize', 'priority'].sort());
      assert.deepEqual(declared('GET', paths.api.riskHeatMap), [...filters, 'priority'].sort());
      assert.deepEqual(declared('GET', routes.api.priorityRisks), [...filters, 'page', 'pageSize'].sort());
      assert.deepEqual(declared('GET', routes.api.exercisePosts), ['page']);
      assert.deepEqual(declared('GET', routes.api.baselineTable), ['format']);
      assert.deepEqual(declared('GET', routes.api.compare), ['from', 'since', 'to']);
      for (const o of operations)
        for (const p of o.query) {
          assert.ok((p.description ?? '').length > 10, `${o.method} ${o.path} ?${p.name} says what it means`);
          const { type, enum: choices, minimum, maximum, maxLength } = p.schema;
          assert.ok(
            choices || (type === 'integer' && minimum !== undefined && maximum !== undefined) || maxLength,
            `${o.method} ${o.path} ?${p.name} has limits (a list of values, a range or a length)`,
          );
        }
    });

    it('refuses a value of the wrong kind, beyond its limits or given twice, 422 naming the parameter', async () => {
      const withQuery = operations.filter((o) => o.query.length > 0);
      assert.ok(withQuery.length >= 7, `operations with a query: ${withQuery.length}`);
      let tried = 0;
      for (const o of withQuery)
        for (const p of o.query)
          for (const values of badValues(p)) {
            const query = values.map((v) => `${p.name}=${encodeURIComponent(v)}`).join('&');
            const url = `${concrete(o.path)}?${query}`;
            const response = await t.app.inject({ method: o.method as 'GET', url });
            assert.equal(response.statusCode, 422, `${o.method} ${url}: ${response.body.slice(0, 300)}`);
            const problem = response.json<{ errors: { field: string; message: string }[] }>();
            assert.deepEqual(
              problem.errors.map((e) => e.field),
              [p.name],
              `${o.method} ${url} names ${p.name}`,
            );
            assert.match(problem.errors[0]!.message, new RegExp(`\\b${p.name}\\b`), 'the message names it too');
            tried++;
          }
      assert.ok(tried >= 30, `bad values tried: ${tried}`);
    });

    it('lets a value within the limits through to the handler (never refused, never a 500)', async () => {
      for (const o of operations.filter((op) => op.query.length > 0))
        for (const p of o.query) {
          const { type, enum: choices, minimum } = p.schema;
          const value = choices?.at(-1) ?? (type === 'integer' ? String(minimum ?? 1) : 'a');
          const response = await t.app.inject({
            method: o.method as 'GET',
            url: `${concrete(o.path)}?${p.name}=${encodeURIComponent(value)}`,
          });
          assert.ok(response.statusCode < 500, `${o.method} ${o.path}?${p.name}=${value}: ${response.statusCode}`);
          if (response.statusCode === 422)
            assert.ok(
              !response.json<{ errors: { field: string }[] }>().errors.some((e) => e.field === p.name),
              `${o.path}?${p.name}=${value} is not refused for its own sake: ${response.body}`,
            );
        }
    });

    it('refuses a query parameter no operation declares, on every operation, 422 naming it and what it may have meant', async () => {
      // Each table's rows, to show afterwards that no refused request changed anything.
      const fingerprint = async () => {
        const tables = (
          await sql<{ name: string }>`
            select table_name as name from information_schema.tables
             where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(t.db)
        ).rows.map((r) => r.name);
        const counts = await sql<{ name: string; n: string | number }>`${sql.join(
          tables.map((name) => sql`select ${name} as name, count(*) as n from ${sql.table(name)}`),
          sql` union all `,
        )}`.execute(t.db);
        return Object.fromEntries(counts.rows.map((r) => [r.name, Number(r.n)]));
      };
      // Someone who may use every operation (sign-off needs an accountable role), so each reaches the check.
      const everyRole = await t.signIn([
        'administrator',
        'performance_officer',
        'accountable_officer',
        'accountable_director',
        'contributor',
      ]);
      const before = await fingerprint();
      assert.ok((before.audit_event ?? 0) > 0 && (before.risk ?? -1) >= 0, 'the fingerprint counts the tables');
      const writes = operations.filter((o) => o.method !== 'GET');
      assert.ok(
        operations.length >= 60 && writes.length >= 30,
        `operations: ${operations.length}, writes: ${writes.length}`,
      );
      for (const o of operations) {
        const declared = o.query.map((p) => p.name);
        // A slip of a declared name (its second letter dropped: `pge`, `ratng`-like), else a name of nothing.
        const name = declared[0] ? declared[0][0] + declared[0].slice(2) : 'colour';
        const url = `${concrete(o.path)}?${encodeURIComponent(name)}=1`;
        const response = await t.app.inject({
          method: o.method as 'GET',
          url,
          headers: everyRole.headers,
          ...(o.method === 'GET' ? {} : { payload: {} }),
        });
        assert.equal(response.statusCode, 422, `${o.method} ${url}: ${response.body.slice(0, 300)}`);
        assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
        const problem = response.json<{ code: string; errors: { field: string; message: string }[] }>();
        assert.equal(problem.code, 'VALIDATION_FAILED', 'in the format of every other 422');
        const mine = problem.errors.filter((e) => e.field === name);
        assert.equal(mine.length, 1, `${o.method} ${url} names ${name}: ${response.body.slice(0, 300)}`);
        assert.match(mine[0]!.message, new RegExp(`“${name}”`), 'the message names it too');
        if (declared[0]) assert.match(mine[0]!.message, new RegExp(`did you mean (.*, |.* or )?${declared[0]}\\b`));
        else assert.match(mine[0]!.message, /it takes none/);
      }
      assert.deepEqual(await fingerprint(), before, 'nothing was written by a refused request');
    });

    it('names the parameters it may have meant, or those it takes, and refuses an unknown one beside a good one', async () => {
      const problem = async (url: string, init: { method?: 'POST' | 'PUT'; payload?: object } = {}) => {
        const response = await t.app.inject({ url, ...init });
        assert.equal(response.statusCode, 422, `${url}: ${response.body.slice(0, 300)}`);
        return response.json<{ errors: { field: string; message: string }[] }>().errors;
      };
      // The issue's example: a register filtered by a misspelt rating is not the whole register.
      const ratng = await problem(`${paths.api.risks}?ratng=high`);
      assert.deepEqual(
        ratng.map((e) => e.field),
        ['ratng'],
      );
      assert.match(ratng[0]!.message, /Unknown query parameter “ratng”.*did you mean rating\?/);
      // Case and a swap of two letters are slips too; a name like none of them lists what it takes.
      assert.match((await problem(`${paths.api.priorities}?PageSize=5`))[0]!.message, /did you mean pageSize\?/);
      assert.match((await problem(`${paths.api.priorities}?pgae=2`))[0]!.message, /did you mean page\?/);
      assert.match(
        (await problem(`${paths.api.priorities}?colour=red`))[0]!.message,
        /“colour”.*it takes page or pageSize$/,
      );
      // An unknown parameter and a bad value are named together; a good value does not excuse an unknown one.
      assert.deepEqual((await problem(`${paths.api.risks}?likelihood=9&sort=score`)).map((e) => e.field).sort(), [
        'likelihood',
        'sort',
      ]);
      assert.deepEqual(
        (await problem(`${paths.api.risks}?show=all&utm_source=email`)).map((e) => e.field),
        ['utm_source'],
      );
      // A write whose body would be taken is refused for its query alone, and writes nothing.
      const body = { priority: 'VfM-4d', description: 'A risk sent with a stray parameter', likelihood: 2, impact: 2 };
      const count = async () =>
        Number((await sql<{ n: string }>`select count(*) as n from risk`.execute(t.db)).rows[0]!.n);
      const before = await count();
      assert.deepEqual(
        (await problem(`${paths.api.risks}?dryRun=1`, { method: 'POST', payload: body })).map((e) => e.field),
        ['dryRun'],
      );
      assert.equal(await count(), before, 'nothing added');
      const made = await t.app.inject({ method: 'POST', url: paths.api.risks, payload: body });
      assert.equal(made.statusCode, 201, made.body);
      const risk = made.json<{ id: string; version: number }>();
      await problem(`${paths.api.risk(risk.id)}?force=1`, {
        method: 'PUT',
        payload: {
          ...body,
          description: 'Changed',
          version: risk.version,
          ownerId: null,
          cause: '',
          effect: '',
          controls: '',
          reviewOn: '',
          closed: false,
          targetLikelihood: null,
          targetImpact: null,
        },
      });
      const still = (await t.app.inject({ url: paths.api.risk(risk.id) })).json<{
        description: string;
        version: number;
      }>();
      assert.deepEqual([still.description, still.version], [body.description, risk.version], 'nothing changed');
    });

    it('filters the risk register by the checked values', async () => {
      for (const [likelihood, impact] of [
        [4, 2],
        [2, 4],
        [1, 1],
      ]) {
        const created = await t.app.inject({
          method: 'POST',
          url: paths.api.risks,
          payload: { priority: 'VfM-4d', description: `Query risk ${likelihood}×${impact}`, likelihood, impact },
        });
        assert.equal(created.statusCode, 201, created.body);
      }
      const all = (await t.app.inject({ url: `${paths.api.risks}?show=all` })).json<
        { current: { likelihood: number; impact: number; rating: { key: string } }; closed: boolean }[]
      >();
      assert.ok(all.length >= 3);
      const { likelihood, rating } = all.find((r) => r.current.likelihood === 4)!.current;
      const byLikelihood = (await t.app.inject({ url: `${paths.api.risks}?show=all&likelihood=${likelihood}` })).json();
      assert.ok(byLikelihood.length > 0 && byLikelihood.length < all.length, 'some, not all');
      assert.ok(byLikelihood.every((r: (typeof all)[0]) => r.current.likelihood === likelihood));
      const byRating = (await t.app.inject({ url: `${paths.api.risks}?show=all&rating=${rating.key}` })).json();
      assert.ok(byRating.length > 0 && byRating.every((r: (typeof all)[0]) => r.current.rating.key === rating.key));
      const byPriority = (await t.app.inject({ url: `${paths.api.priorityRisks('VfM-4d')}?impact=4` })).json();
      assert.deepEqual(
        byPriority.map((r: { description: string }) => r.description),
        ['Query risk 2×4'],
      );
      // An empty value is no filter, as the page's form sends it.
      assert.equal((await t.app.inject({ url: `${paths.api.risks}?show=all&rating=` })).json().length, all.length);
    });

    it('lists each operation’s query parameters on the API page, with what they may be', async () => {
      const page = await t.app.inject({ url: paths.api.docs });
      assert.equal(page.statusCode, 200);
      const rows = page.body.split('<tr class="govuk-table__row">').slice(1);
      const row = (method: string, url: string) =>
        rows.find((r) => r.includes(`>${method}<`) && r.includes(`<code>${url}</code>`)) ?? '';
      const posts = htmlText(row('GET', routes.api.exercisePosts));
      assert.match(posts, /Query parameters: page \(optional\): Which page of posts, 100 a page/);
      assert.match(posts, /Allowed: a whole number from 1 to 100,000\./);
      const risks = htmlText(row('GET', paths.api.risks));
      for (const name of ['priority', 'rating', 'likelihood', 'impact', 'show'])
        assert.match(risks, new RegExp(`\\b${name} \\(optional\\)`), `the register lists ${name}`);
      assert.match(risks, /Allowed: one of open, closed, all\./);
      assert.match(risks, /Allowed: text, at most 20 characters\./);
      assert.match(htmlText(row('GET', paths.api.statusScale)), /period \(optional\): A reporting period’s key/);
      // An operation without a query lists none.
      assert.doesNotMatch(htmlText(row('GET', paths.api.statusScaleVersions)), /Query parameters/);
      // Every operation with a query in the document has its list on the page.
      const listed = rows.filter((r) => r.includes('data-qa="query-parameters"')).length;
      assert.equal(listed, operations.filter((o) => o.query.length > 0).length);
    });
  });
}
