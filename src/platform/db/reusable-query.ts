// Queries built and compiled once (issue 14, "Fast pages"). Kysely builds a query as a tree of
// frozen objects and compiles it to SQL text on every call: for a page's few statements that was
// ~1 ms of CPU a request (the priority list's five queries and the session's; a profile of the list
// on PostgreSQL put Kysely's building and compiling at a tenth of Node's CPU), all of it giving
// the same text each time. And a fresh text costs again below: the prepared-statement names on
// PGlite (`prepared-statements.ts`) look every statement up by its text, which for a new string
// means hashing and comparing all of it (~0.3 ms a request on the list page).
//
// A reusable query is built once with stand-ins for its parameters, compiled once, and then only
// has its parameter list filled in per call: the same SQL text (the very same string), the same
// parameters in the same order as building it afresh would give. Only for queries whose shape does
// not depend on the values (no `$if` on a value, no list of variable length, no value that is
// looked at while building: `code.toLowerCase()` belongs to the caller); a stand-in that is read
// as a string or number while building throws. A value the query does not use (the priority
// list's count has no use for the period its page is filtered by) is simply not sent.

import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';

/** Stands for a parameter while a reusable query is built. */
class Stand {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  [Symbol.toPrimitive](): never {
    throw new Error(`A reusable query read its parameter "${this.name}" while being built: build it afresh instead`);
  }
}

/**
 * `build` once, with a stand-in for each parameter named in `P`; each call then gives the compiled
 * query with `params` in the stand-ins' places. `build` must not look at its parameters' values.
 */
export function reusableQuery<P extends object, O>(
  build: (params: P) => Compilable<O>,
): (params: P) => CompiledQuery<O> {
  let compiled: CompiledQuery<O> | undefined;
  /** Per parameter of the SQL: the name of the value that goes there, or a constant of the query's own. */
  let slots: ({ name: string } | { constant: unknown })[] = [];
  return (params) => {
    if (!compiled) {
      const stands = new Proxy<Record<string, Stand>>(
        {},
        {
          get: (made, name) => (typeof name === 'string' ? (made[name] ??= new Stand(name)) : undefined),
        },
      );
      const first = build(stands as unknown as P).compile();
      slots = first.parameters.map((p) => (p instanceof Stand ? { name: p.name } : { constant: p }));
      compiled = first;
    }
    return {
      query: compiled.query,
      queryId: createQueryId(),
      sql: compiled.sql,
      parameters: slots.map((s) => ('name' in s ? (params as Record<string, unknown>)[s.name] : s.constant)),
    };
  };
}
