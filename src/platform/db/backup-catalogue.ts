// What a backup and a restore learn from PostgreSQL's catalogue about the current schema: its
// tables, their columns and primary keys, the foreign keys between them (so tables are written and
// loaded parents first), the sequences behind serial columns and the triggers a load must not fire.
// Nothing here knows Amber's tables by name.

import { sql, type Kysely } from 'kysely';

export interface CatalogueColumn {
  name: string;
  /** `format_type`: `uuid`, `text[]`, `numeric(12,2)`, `timestamp with time zone`… */
  type: string;
  /** bytea travels as base64; everything else as PostgreSQL's own text form. */
  bytea: boolean;
  /** text, varchar…: ordered with `collate "C"` so the order is the same on every server. */
  collatable: boolean;
}

export interface CatalogueTable {
  name: string;
  /** Stored columns in table order (generated columns are left out: PostgreSQL computes them). */
  columns: CatalogueColumn[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
}

export interface ForeignKey {
  name: string;
  table: string;
  references: string;
  /** `pg_get_constraintdef`: enough to add it back exactly as it was. */
  definition: string;
}

export const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

const SCHEMA = sql`(select oid from pg_namespace where nspname = current_schema())`;

/** Ordinary and partitioned tables of the current schema (partitions are read through their parent). */
export async function listTableNames(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select relname as name from pg_class
    where relnamespace = ${SCHEMA} and relkind in ('r', 'p') and not relispartition
    order by relname collate "C"`.execute(db);
  return rows.map((r) => r.name);
}

export async function describeTables(db: Kysely<unknown>): Promise<Map<string, CatalogueTable>> {
  const { rows } = await sql<{
    table: string;
    column: string;
    type: string;
    bytea: boolean;
    collatable: boolean;
    key_position: number | null;
  }>`
    select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type,
      a.atttypid = 'bytea'::regtype as bytea, a.attcollation <> 0 as collatable,
      (select k.n from pg_index i, unnest(i.indkey) with ordinality k(attnum, n)
        where i.indrelid = c.oid and i.indisprimary and k.attnum = a.attnum)::int as key_position
    from pg_class c join pg_attribute a on a.attrelid = c.oid
    where c.relnamespace = ${SCHEMA} and c.relkind in ('r', 'p') and not c.relispartition
      and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    order by c.relname collate "C", a.attnum`.execute(db);
  const tables = new Map<string, CatalogueTable & { keys: [number, string][] }>();
  for (const r of rows) {
    let table = tables.get(r.table);
    if (!table) tables.set(r.table, (table = { name: r.table, columns: [], primaryKey: [], keys: [] }));
    table.columns.push({ name: r.column, type: r.type, bytea: r.bytea, collatable: r.collatable });
    if (r.key_position !== null) table.keys.push([r.key_position, r.column]);
  }
  const result = new Map<string, CatalogueTable>();
  for (const [name, { keys, ...table }] of tables)
    result.set(name, { ...table, primaryKey: keys.sort((a, b) => a[0] - b[0]).map(([, column]) => column) });
  return result;
}

export async function listForeignKeys(db: Kysely<unknown>): Promise<ForeignKey[]> {
  const { rows } = await sql<ForeignKey>`
    select con.conname as name, t.relname as table, r.relname as references,
      pg_get_constraintdef(con.oid) as definition
    from pg_constraint con join pg_class t on t.oid = con.conrelid join pg_class r on r.oid = con.confrelid
    where con.contype = 'f' and t.relnamespace = ${SCHEMA}
    order by t.relname collate "C", con.conname collate "C"`.execute(db);
  return rows;
}

/**
 * Tables parents first: a table comes after every table its foreign keys reference. Ties go in name
 * order, so the order is the same every time. A cycle between tables (none today) is broken at the
 * table with the fewest unmet references; the foreign keys that then point forward, and those of a
 * table to itself, are what `deferredForeignKeys` returns.
 */
export function dependencyOrder(tables: string[], foreignKeys: ForeignKey[]): string[] {
  const wanted = new Set(tables);
  const needs = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const fk of foreignKeys)
    if (wanted.has(fk.table) && wanted.has(fk.references) && fk.table !== fk.references)
      needs.get(fk.table)!.add(fk.references);
  const order: string[] = [];
  const placed = new Set<string>();
  const remaining = [...tables].sort();
  while (remaining.length > 0) {
    const unmet = (t: string) => [...needs.get(t)!].filter((n) => !placed.has(n)).length;
    let index = remaining.findIndex((t) => unmet(t) === 0);
    if (index < 0) {
      const fewest = Math.min(...remaining.map(unmet));
      index = remaining.findIndex((t) => unmet(t) === fewest);
    }
    const [table] = remaining.splice(index, 1);
    order.push(table!);
    placed.add(table!);
  }
  return order;
}

/** The foreign keys that loading `order` one table after another cannot satisfy row by row. */
export function deferredForeignKeys(order: string[], foreignKeys: ForeignKey[]): ForeignKey[] {
  const position = new Map(order.map((t, i) => [t, i]));
  return foreignKeys.filter((fk) => {
    const from = position.get(fk.table);
    const to = position.get(fk.references);
    return from !== undefined && to !== undefined && to >= from;
  });
}

/** Sequences that belong to a column (serial, bigserial, identity), to set past the loaded rows. */
export async function listColumnSequences(
  db: Kysely<unknown>,
): Promise<{ sequence: string; table: string; column: string }[]> {
  const { rows } = await sql<{ sequence: string; table: string; column: string }>`
    select s.relname as sequence, t.relname as table, a.attname as column
    from pg_depend d
      join pg_class s on s.oid = d.objid and s.relkind = 'S'
      join pg_class t on t.oid = d.refobjid
      join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
    where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
      and d.deptype in ('a', 'i') and t.relnamespace = ${SCHEMA}
    order by t.relname collate "C", a.attname collate "C"`.execute(db);
  return rows;
}

/** Triggers written by migrations (not those PostgreSQL makes for foreign keys) that are enabled. */
export async function listUserTriggers(db: Kysely<unknown>): Promise<{ table: string; trigger: string }[]> {
  const { rows } = await sql<{ table: string; trigger: string }>`
    select c.relname as table, tg.tgname as trigger
    from pg_trigger tg join pg_class c on c.oid = tg.tgrelid
    where not tg.tgisinternal and tg.tgenabled = 'O' and c.relnamespace = ${SCHEMA}
    order by c.relname collate "C", tg.tgname collate "C"`.execute(db);
  return rows;
}

export async function listMaterializedViews(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select relname as name from pg_class where relnamespace = ${SCHEMA} and relkind = 'm'
    order by relname collate "C"`.execute(db);
  return rows.map((r) => r.name);
}
