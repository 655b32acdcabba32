// Prepared statements without asking for them: a node-postgres client that gives each statement
// with parameters a name made from its text, so that PostgreSQL parses and plans it once per
// connection and then only binds and executes it. node-postgres sends a named statement's Parse
// once per connection and remembers it (`parsedStatements`); PostgreSQL keeps the plan and checks
// it is still valid at each use (a changed table, function, role or search path plans it again).
//
// Used on PGlite, where PostgreSQL runs in this process's WebAssembly and parsing and planning are
// most of a small statement's cost: a typical query of a page 0.45–0.51 ms of CPU unnamed against
// 0.22 ms named (bench/README.md, "Statements prepared once on PGlite"). On a server only when
// DATABASE_PREPARED_STATEMENTS=on (ADR 0020): behind a pooler in transaction mode (pgbouncer
// before 1.21) a statement prepared on one server connection is not there on the next, and another
// instance's migration that changes what a `select *` returns makes the next use of each such
// prepared statement fail ("cached plan must not change result type"); the first failure starts a
// new version here, so it fails once, not until a restart.
//
// Bounded: at most MAX_NAMED statements per schema version are named (a statement whose text
// varies, say with the length of a list, would otherwise grow the connection's memory without
// end); the rest run unnamed, as before. A statement that changes the schema (DDL, sent without
// parameters: migrations, a restore) starts a new version: every statement is named afresh and
// so prepared again, since a prepared `select *` must not see its table's columns change.

import { createHash } from 'node:crypto';
import pg from 'pg';

/** How many distinct statements one pool names per schema version. */
export const MAX_NAMED = 1_000;

/** A statement sent without parameters that can change what a table, view or function returns. */
const DDL = /^\s*(create|alter|drop)\b/i;

/** What the clients of one pool share: the names given so far and the schema version. */
export class StatementNames {
  #names = new Map<string, string>();
  #version = 0;
  /** How many times the schema changed (for tests). */
  get version(): number {
    return this.#version;
  }
  /** How many statements are named in this version (for tests and benchmarks). */
  get size(): number {
    return this.#names.size;
  }
  /** The name for `text`, or undefined once this version has named MAX_NAMED statements. */
  nameOf(text: string): string | undefined {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < MAX_NAMED) {
      name = `amber_${this.#version}_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
      this.#names.set(text, name);
    }
    return name;
  }
  /** Called with every statement sent without parameters: DDL starts a new version. */
  sawUnparameterised(text: string): void {
    if (DDL.test(text)) this.schemaChanged();
  }
  /** A new version: every statement is named afresh, and so prepared again on its next use. */
  schemaChanged(): void {
    this.#names.clear();
    this.#version += 1;
  }
}

/** What of a node-postgres query config this reads. */
interface QueryText {
  text: string;
  values?: unknown[];
  name?: string;
  rowMode?: string;
  submit?: unknown;
}

/**
 * A node-postgres Client class, for `new pg.Pool({ Client })`, whose statements with parameters
 * are named by `names` (and so prepared once per connection). A query given as an object that
 * already says how to run (a name, a row mode, a cursor or a stream) is passed on unchanged.
 */
export function preparingClient(names: StatementNames): typeof pg.Client {
  class PreparingClient extends pg.Client {
    // The overloads of pg.Client#query are many; this one sees them all and hands them on as given.
    override query(...args: unknown[]): never {
      const [first, values] = args;
      // A text and its parameters, given as (text, values) or as a config that says nothing yet of
      // how to run (no name, row mode, cursor or stream of its own).
      const config: QueryText | undefined =
        typeof first === 'string'
          ? { text: first }
          : first && typeof first === 'object' && 'text' in first && typeof first.text === 'string'
            ? (first as QueryText)
            : undefined;
      let named = false;
      if (config && config.name === undefined && config.rowMode === undefined && config.submit === undefined) {
        const params = config.values ?? (Array.isArray(values) ? values : undefined);
        if (params && params.length > 0) {
          const name = names.nameOf(config.text);
          if (name !== undefined) [args, named] = [[{ ...config, name, values: params }, ...args.slice(2)], true];
        } else names.sawUnparameterised(config.text);
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      // The schema changed where this process did not see it (another instance's migration): the
      // statement fails once (the caller hears of it as before), and every statement is named
      // afresh, so its next use, and every other's, is prepared again.
      if (named && result instanceof Promise)
        void result.then(undefined, (error: unknown) => {
          if (STALE_PLAN(error)) names.schemaChanged();
        });
      return result as never;
    }
  }
  return PreparingClient;
}

/** PostgreSQL's refusal of a prepared statement whose result columns changed since it was prepared. */
const STALE_PLAN = (error: unknown) =>
  (error as { code?: string }).code === '0A000' &&
  /cached plan must not change result type/.test((error as Error).message ?? '');
