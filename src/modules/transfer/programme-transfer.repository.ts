// All SQL of the organisation file's diagnostic and efficiency sections. Generic over a table
// description (the service passes programme-transfer.schemas.ts's): it reads the described
// columns of one organisation's rows, writes rows back with their ids, deletes them children
// first, and makes sure a shipped taxonomy version is present. Timestamps travel as ISO strings
// with microseconds, numeric as exact text, bigint as numbers (safe integers: pence).

import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../schema.ts';

/** The part of a table's description SQL needs (the service passes the whole description). */
export interface ProgrammeTable {
  table: string;
  owned: boolean;
  parentColumn?: string;
  inherited?: Record<string, string>;
  columns: readonly { column: string; kind: string }[];
  children?: readonly ProgrammeTable[];
}

/** A row as read or written: column name → value. */
export type ProgrammeRow = Record<string, unknown>;

/** Where a table's rows hang: its parent's table, for tables without organisation_id. */
export interface TableLink {
  spec: ProgrammeTable;
  parent: ProgrammeTable | undefined;
}

const UTC = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function selection(spec: ProgrammeTable): RawBuilder<unknown>[] {
  const cols: RawBuilder<unknown>[] = spec.columns.map((c) => {
    switch (c.kind) {
      case 'timestamp':
        return sql`${UTC(c.column)} as ${sql.ref(c.column)}`;
      case 'numeric':
        return sql`${sql.ref(c.column)}::text as ${sql.ref(c.column)}`;
      case 'ids':
        return sql`${sql.ref(c.column)}::text[] as ${sql.ref(c.column)}`;
      case 'date':
        return sql`${sql.ref(c.column)}::text as ${sql.ref(c.column)}`;
      default:
        return sql`${sql.ref(c.column)}`;
    }
  });
  if (spec.parentColumn) cols.push(sql`${sql.ref(spec.parentColumn)}`);
  for (const own of Object.keys(spec.inherited ?? {})) cols.push(sql`${sql.ref(own)}`);
  return cols;
}

function slices<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function createProgrammeTransferRepository(typed: Kysely<DB>) {
  // The tables are named by the description, not by Kysely's types.
  const db = typed as unknown as Kysely<Record<string, Record<string, unknown>>>;

  /** The rows of a table that belong to the organisation (through the parent for unowned tables). */
  const owned = (spec: ProgrammeTable, parent: ProgrammeTable | undefined, organisationId: string) =>
    spec.owned
      ? sql`organisation_id = ${organisationId}`
      : sql`${sql.ref(spec.parentColumn!)} in (select id from ${sql.table(parent!.table)} where organisation_id = ${organisationId})`;

  return {
    /** Every described column of the organisation's rows of each table, with the parent column. */
    async read(links: readonly TableLink[], organisationId: string): Promise<Map<string, ProgrammeRow[]>> {
      const out = new Map<string, ProgrammeRow[]>();
      for (const { spec, parent } of links) {
        const { rows } =
          await sql<ProgrammeRow>`select ${sql.join(selection(spec))} from ${sql.table(spec.table)} where ${owned(spec, parent, organisationId)}`.execute(
            db,
          );
        out.set(
          spec.table,
          rows.map((r) => {
            const row: ProgrammeRow = { ...r };
            for (const c of spec.columns) {
              // bigint is a number on both engines (database.ts); coerced in case a driver hands back text.
              if (c.kind === 'pence' && typeof row[c.column] === 'string') row[c.column] = Number(row[c.column]);
            }
            return row;
          }),
        );
      }
      return out;
    },

    /** Writes rows with their ids, table by table in the order given (parents first). */
    async insert(tables: readonly { spec: ProgrammeTable; rows: readonly ProgrammeRow[] }[]): Promise<void> {
      for (const { spec, rows } of tables) {
        const jsonColumns = new Set(spec.columns.filter((c) => c.kind === 'json').map((c) => c.column));
        for (const chunk of slices(rows, 200)) {
          await db
            .insertInto(spec.table)
            .values(
              chunk.map((r) =>
                Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonColumns.has(k) ? JSON.stringify(v) : v])),
              ),
            )
            .execute();
        }
      }
    },

    /** Deletes the organisation's rows, in the order given (children first); counts by table. */
    async delete(links: readonly TableLink[], organisationId: string): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      for (const { spec, parent } of links) {
        const r = await sql`delete from ${sql.table(spec.table)} where ${owned(spec, parent, organisationId)}`.execute(
          db,
        );
        counts.set(spec.table, Number(r.numAffectedRows ?? 0));
      }
      return counts;
    },

    /** Ids among `ids` that are taxonomy versions already in this database. */
    async presentTaxonomies(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await typed
        .selectFrom('diagnostic_taxonomy_version')
        .select('id')
        .where('id', 'in', [...ids])
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    /** The name of each shipped (organisation-less) version among `ids`, as this database holds it. */
    async taxonomyNames(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await typed
        .selectFrom('diagnostic_taxonomy_version')
        .select(['id', 'name'])
        .where('id', 'in', [...ids])
        .execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}

export type ProgrammeTransferRepository = ReturnType<typeof createProgrammeTransferRepository>;
