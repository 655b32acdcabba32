// The unit of work: one transaction per use case (a request, a job, a CLI command), shared by
// every service and repository the use case calls, on PGlite and on a PostgreSQL server alike.
//
// `units.run(fn)` opens a unit of work for `fn` and everything it calls (carried by
// AsyncLocalStorage, so repositories need no transaction argument); a `run` inside a running
// unit joins it. Its transaction begins at the first statement (a use case that reads nothing
// never holds a connection: a request streaming an upload holds none until it touches the
// database), commits when `fn` resolves and rolls back when it throws. Repositories use
// `units.db`, a Kysely instance whose every statement goes into the current unit's transaction;
// outside a unit it refuses to run, so nothing is read or written outside one.
//
// What a step causes (an e-mail, a job) is written in the same transaction (the job table is the
// outbox), so it exists exactly when the step committed; `afterCommit` only wakes the worker.
// `memo` keeps what a use case reads once (the organisation, its status scale, a priority) for
// the rest of the unit. Each unit counts its statements, BEGIN and COMMIT included, for tests
// and benchmarks.
//
// The pool-level Kysely (`raw`) is for what is not a use case: migrations, the job worker's
// claims, the health check, resolving who a request is. Using it inside a unit of work would
// wait forever on PGlite (one connection, held by the unit), so it refuses there too.

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  Kysely,
  PostgresDialect,
  PostgresDriver,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type PostgresDialectConfig,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

export interface UnitOfWorkOptions {
  /** `begin read only`: the database itself refuses any write (the public's pages). */
  readOnly?: boolean;
  /** `repeatable read`: every read sees one moment (an export, a backup) even while others write. */
  isolationLevel?: 'repeatable read';
  /** Acts for this organisation from its first statement (see `UnitOfWork.actFor`). */
  organisationId?: string;
}

/** What a finished unit of work did, for tests, logs and benchmarks. */
export interface UnitStats {
  /** Statements sent to the database, BEGIN and COMMIT (or ROLLBACK) included. */
  statements: number;
  committed: boolean;
  readOnly: boolean;
}

export interface UnitOfWork {
  readonly readOnly: boolean;
  /**
   * From now on the database refuses any write in this unit (`set transaction read only`, or a
   * read-only BEGIN if none was sent yet): a public request that arrived with a cookie which
   * turned out to be no session.
   */
  restrictToReading(): Promise<void>;
  /**
   * From now on the unit acts for this organisation: its transaction runs as the role
   * `amber_tenant` with `amber.organisation_id` set, so PostgreSQL's row-level security shows and
   * accepts only that organisation's rows (and what is shared with it), whatever a query forgets
   * to say. One way and once: a unit cannot go back to the owner's role or act for another.
   */
  actFor(organisationId: string): Promise<void>;
  /** The organisation the unit acts for, once `actFor` has been called. */
  readonly organisationId: string | undefined;
  /** Statements sent so far. */
  readonly statements: number;
  /** Reads `key` once per unit of work: later calls with the same key get the same promise (unless it found nothing). */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Drops remembered reads whose key starts with `prefix` (after a write that changes them). */
  forget(prefix: string): void;
  /** Runs after the transaction commits (never after a rollback); a failure is logged, not thrown. */
  afterCommit(fn: () => void | Promise<void>): void;
  /**
   * Runs after the transaction rolls back, outside it: for what must be kept although the step
   * failed (the security log's record of a refusal). A failure is logged, not thrown.
   */
  afterRollback(fn: () => void | Promise<void>): void;
}

export interface Units<DB> {
  /** Kysely bound to the current unit of work's transaction; refuses outside one. */
  readonly db: Kysely<DB>;
  /** Runs `fn` in a unit of work, joining the current one if there is one. */
  run<T>(fn: () => T, options?: UnitOfWorkOptions): T extends Promise<unknown> ? T : T | Promise<T>;
  /** The unit of work running now, if any. */
  current(): UnitOfWork | undefined;
  /**
   * Runs `fn` so that every unit of work it starts acts for `organisationId` (as a request's does
   * once its actor is known): for work done on an organisation's behalf outside a request, such as
   * a background job, so that row-level security holds there too.
   */
  actingFor<T>(organisationId: string, fn: () => T): T;
  /** Told of every unit of work that ends (tests count statements; metrics). */
  onFinish(listener: (stats: UnitStats) => void): () => void;
}

export class OutsideUnitOfWorkError extends Error {
  constructor() {
    super(
      'A repository ran a query outside a unit of work. Call it through a service (composition wraps every ' +
        'service method in `units.run`), or wrap the code in `units.run(() => ...)`.',
    );
  }
}

export class RawInsideUnitOfWorkError extends Error {
  constructor() {
    super(
      'The pool-level database was used inside a unit of work: on PGlite it would wait forever for the ' +
        "unit's own connection. Use the unit of work's `units.db` (repositories do) instead.",
    );
  }
}

const isPromise = (v: unknown): v is Promise<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One statement (simple protocol, so one round trip): the tenant role and its organisation, for
 * this transaction only, and what other organisations share with it now (worked out once by
 * `amber_enter_organisation()`, which the policies then read as constants).
 */
const actingFor = (organisationId: string) =>
  CompiledQuery.raw(
    `set local role amber_tenant; select set_config('amber.organisation_id', '${organisationId}', true), amber_enter_organisation()`,
  );

export class ActingForAnotherOrganisationError extends Error {
  constructor(current: string, wanted: string) {
    super(`This unit of work acts for organisation ${current}; it cannot act for ${wanted} too.`);
  }
}

class Work implements UnitOfWork {
  statements = 0;
  #organisationId: string | undefined;
  #readOnly: boolean;
  #connection: Promise<DatabaseConnection> | undefined;
  #finished = false;
  #failed: unknown;
  #memo = new Map<string, Promise<unknown>>();
  #afterCommit: (() => void | Promise<void>)[] = [];
  #afterRollback: (() => void | Promise<void>)[] = [];

  private readonly isolationLevel: 'repeatable read' | undefined;
  private readonly driver: Driver;
  constructor(
    readOnly: boolean,
    isolationLevel: 'repeatable read' | undefined,
    driver: Driver,
    organisationId?: string,
  ) {
    this.isolationLevel = isolationLevel;
    this.driver = driver;
    this.#readOnly = readOnly;
    if (organisationId !== undefined) {
      if (!UUID.test(organisationId)) throw new Error(`Not an organisation id: ${JSON.stringify(organisationId)}`);
      this.#organisationId = organisationId;
    }
  }

  get readOnly(): boolean {
    return this.#readOnly;
  }
  async restrictToReading(): Promise<void> {
    if (this.#readOnly) return;
    this.#readOnly = true;
    // PostgreSQL lets a transaction become read only at any point (never the other way).
    if (this.#connection) await (await this.#connection).executeQuery(CompiledQuery.raw('set transaction read only'));
  }

  get organisationId(): string | undefined {
    return this.#organisationId;
  }
  async actFor(organisationId: string): Promise<void> {
    if (!UUID.test(organisationId)) throw new Error(`Not an organisation id: ${JSON.stringify(organisationId)}`);
    if (this.#organisationId !== undefined) {
      if (this.#organisationId.toLowerCase() !== organisationId.toLowerCase())
        throw new ActingForAnotherOrganisationError(this.#organisationId, organisationId);
      return;
    }
    this.#organisationId = organisationId;
    // Not begun yet: the first statement's transaction starts acting for it (see `connection`).
    if (this.#connection) await (await this.#connection).executeQuery(actingFor(organisationId));
  }

  get finished(): boolean {
    return this.#finished;
  }
  get begun(): boolean {
    return this.#connection !== undefined;
  }

  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.#memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      this.#memo.set(key, hit);
      // Neither a failed read nor "there is none" is remembered: the next caller reads again (a use
      // case may create what it looked for).
      hit.then(
        (value) => {
          if (value === undefined) this.#memo.delete(key);
        },
        () => this.#memo.delete(key),
      );
    }
    return hit;
  }
  forget(prefix: string): void {
    for (const key of [...this.#memo.keys()]) if (key.startsWith(prefix)) this.#memo.delete(key);
  }
  afterCommit(fn: () => void | Promise<void>): void {
    this.#afterCommit.push(fn);
  }
  afterRollback(fn: () => void | Promise<void>): void {
    this.#afterRollback.push(fn);
  }

  /** The unit's connection, its transaction begun on first use. */
  connection(): Promise<DatabaseConnection> {
    if (this.#finished) {
      return Promise.reject(
        new Error('A query ran after its unit of work had ended (a promise left running after the use case returned)'),
      );
    }
    this.#connection ??= (async () => {
      const inner = await this.driver.acquireConnection();
      const settings: TransactionSettings = {
        ...(this.#readOnly ? { accessMode: 'read only' } : {}),
        ...(this.isolationLevel ? { isolationLevel: this.isolationLevel } : {}),
      };
      try {
        this.statements++;
        await this.driver.beginTransaction(inner, settings);
        if (this.#organisationId !== undefined) {
          this.statements++;
          await inner.executeQuery(actingFor(this.#organisationId));
        }
      } catch (error) {
        if (this.#organisationId !== undefined) await this.driver.rollbackTransaction(inner).catch(() => undefined);
        await this.driver.releaseConnection(inner);
        throw error;
      }
      return this.#counting(inner);
    })();
    return this.#connection;
  }

  /**
   * The unit's connection as Kysely sees it: counts statements, remembers a failed one, and sends
   * one statement at a time (a use case may read several things at once with Promise.all; one
   * connection answers one query at a time).
   */
  #counting(inner: DatabaseConnection): DatabaseConnection {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper's methods count on this unit
    const work = this;
    let queue: Promise<unknown> = Promise.resolve();
    const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
      const turn = queue.then(run, run);
      queue = turn.catch(() => undefined);
      return turn;
    };
    return {
      executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        return inTurn(async () => {
          work.statements++;
          try {
            return await inner.executeQuery<R>(query);
          } catch (error) {
            work.#failed ??= error;
            throw error;
          }
        });
      },
      streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
        work.statements++;
        return inner.streamQuery<R>(query, chunkSize);
      },
      // Kept so that the driver can release the underlying connection at the end.
      [INNER]: inner,
    } as DatabaseConnection;
  }

  async finish(ok: boolean): Promise<boolean> {
    this.#finished = true;
    if (!this.#connection) return ok;
    let connection: DatabaseConnection;
    try {
      connection = await this.#connection;
    } catch {
      return false; // BEGIN itself failed: nothing to end.
    }
    const inner = (connection as unknown as Record<symbol, DatabaseConnection>)[INNER]!;
    this.statements++;
    try {
      if (ok && this.#failed === undefined) {
        await this.driver.commitTransaction(inner);
        return true;
      }
      await this.driver.rollbackTransaction(inner);
      return false;
    } finally {
      await this.driver.releaseConnection(inner);
    }
  }

  /** A statement failed but the use case swallowed the error: the transaction cannot commit. */
  get failure(): unknown {
    return this.#failed;
  }

  async runAfter(committed: boolean, log: (error: unknown) => void): Promise<void> {
    for (const fn of committed ? this.#afterCommit : this.#afterRollback) {
      try {
        await fn();
      } catch (error) {
        log(error);
      }
    }
  }
}

const INNER = Symbol('inner connection');

/** The unit of work's driver: every connection Kysely asks for is the current unit's. */
class UnitOfWorkDriver implements Driver {
  private readonly inner: Driver;
  /** The unit this async context belongs to, ended or not (an ended one says so). */
  private readonly stored: () => Work | undefined;
  constructor(inner: Driver, stored: () => Work | undefined) {
    this.inner = inner;
    this.stored = stored;
  }
  async init(): Promise<void> {
    await this.inner.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    const work = this.stored();
    if (!work) return Promise.reject(new OutsideUnitOfWorkError());
    return work.connection();
  }
  beginTransaction(): Promise<void> {
    return Promise.reject(new Error('The unit of work owns the transaction: do not call db.transaction() in it'));
  }
  commitTransaction(): Promise<void> {
    return Promise.reject(new Error('The unit of work owns the transaction'));
  }
  rollbackTransaction(): Promise<void> {
    return Promise.reject(new Error('The unit of work owns the transaction'));
  }
  async releaseConnection(): Promise<void> {
    // Released when the unit of work ends.
  }
  async destroy(): Promise<void> {
    // The pool belongs to the pool-level Kysely, which ends it.
  }
}

/** The pool-level driver, refusing to run inside a unit of work. */
class GuardedDriver implements Driver {
  private readonly inner: Driver;
  private readonly inside: () => boolean;
  constructor(inner: Driver, inside: () => boolean) {
    this.inner = inner;
    this.inside = inside;
  }
  init = () => this.inner.init();
  acquireConnection(): Promise<DatabaseConnection> {
    if (this.inside()) return Promise.reject(new RawInsideUnitOfWorkError());
    return this.inner.acquireConnection();
  }
  beginTransaction = (c: DatabaseConnection, s: TransactionSettings) => this.inner.beginTransaction(c, s);
  commitTransaction = (c: DatabaseConnection) => this.inner.commitTransaction(c);
  rollbackTransaction = (c: DatabaseConnection) => this.inner.rollbackTransaction(c);
  releaseConnection = (c: DatabaseConnection) => this.inner.releaseConnection(c);
  destroy = () => this.inner.destroy();
}

export interface UnitsAndRaw<DB> {
  /** Pool-level: migrations, the job worker, the health check, identity; refuses inside a unit of work. */
  raw: Kysely<DB>;
  units: Units<DB>;
}

/**
 * Both ways into one node-postgres pool: the pool-level Kysely and the units of work. Destroying
 * `raw` ends the pool.
 */
export function createUnits<DB>(
  config: PostgresDialectConfig,
  log: (error: unknown) => void = (error) => console.error('amber: after commit:', error),
): UnitsAndRaw<DB> {
  const storage = new AsyncLocalStorage<Work>();
  /** The organisation the units started here act for (`actingFor`), if any. */
  const acting = new AsyncLocalStorage<string>();
  const current = () => {
    const work = storage.getStore();
    return work && !work.finished ? work : undefined;
  };
  const listeners = new Set<(stats: UnitStats) => void>();

  const raw = new Kysely<DB>({
    dialect: new (class extends PostgresDialect {
      override createDriver(): Driver {
        return new GuardedDriver(new PostgresDriver(config), () => current() !== undefined);
      }
    })(config),
  });
  const unitDriver = new PostgresDriver(config);
  const db = new Kysely<DB>({
    dialect: new (class extends PostgresDialect {
      override createDriver(): Driver {
        return new UnitOfWorkDriver(unitDriver, () => storage.getStore());
      }
    })(config),
  });

  async function end<T>(work: Work, outcome: { value: T } | { error: unknown }): Promise<T> {
    let committed = false;
    try {
      committed = await work.finish('value' in outcome);
    } catch (error) {
      if ('value' in outcome) outcome = { error };
    }
    for (const listener of listeners) listener({ statements: work.statements, committed, readOnly: work.readOnly });
    await work.runAfter(committed, log);
    if ('error' in outcome) throw outcome.error;
    if (work.failure !== undefined) {
      // A statement failed and the use case carried on: its changes were rolled back, so it must not look saved.
      throw work.failure;
    }
    return outcome.value;
  }

  const units: Units<DB> = {
    db,
    run<T>(fn: () => T, options: UnitOfWorkOptions = {}) {
      const running = current();
      if (running) {
        if (options.organisationId !== undefined && running.organisationId === undefined)
          throw new Error('A unit of work acting for an organisation was asked for inside one that acts for none');
        if (
          options.organisationId !== undefined &&
          running.organisationId !== undefined &&
          running.organisationId !== options.organisationId
        )
          throw new ActingForAnotherOrganisationError(running.organisationId, options.organisationId);
        return fn() as never;
      }
      const work = new Work(
        options.readOnly === true,
        options.isolationLevel,
        unitDriver,
        options.organisationId ?? acting.getStore(),
      );
      let result: T;
      try {
        result = storage.run(work, fn);
      } catch (error) {
        // Thrown before any await: no statement can have been sent; listeners and afterRollback
        // are still told (after this returns).
        end(work, { error }).catch(() => undefined);
        throw error;
      }
      if (!isPromise(result)) {
        // A synchronous call (a pure helper of a service) sends nothing: the unit ends at once.
        end(work, { value: result }).catch(log);
        return result as never;
      }
      return result.then(
        (value) => end(work, { value }),
        (error: unknown) => end(work, { error }),
      ) as never;
    },
    current,
    actingFor<T>(organisationId: string, fn: () => T): T {
      if (!UUID.test(organisationId)) throw new Error(`Not an organisation id: ${JSON.stringify(organisationId)}`);
      return acting.run(organisationId, fn);
    },
    onFinish(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { raw, units };
}

/**
 * Every method of a service runs in a unit of work: called from a request or a job it joins the
 * one running; called alone (the CLI, a test) it opens its own, with the options given for that
 * method (an export reads in repeatable read). A method given `false` opens its units itself
 * (signing in checks a password between two). Nested objects are left as they are.
 */
export function inUnitsOfWork<S extends object>(
  units: Pick<Units<unknown>, 'run'>,
  service: S,
  options: Partial<Record<keyof S, UnitOfWorkOptions | false>> = {},
): S {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(service)) {
    const own = options[name as keyof S];
    wrapped[name] =
      typeof value === 'function' && own !== false
        ? (...args: unknown[]) =>
            units.run(() => (value as (...a: unknown[]) => unknown).apply(wrapped, args), own ?? {})
        : value;
  }
  return wrapped as S;
}
