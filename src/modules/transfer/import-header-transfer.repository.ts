// All SQL of the organisation file's remembered indicator-import headers
// (import-header-transfer.schemas.ts): read in header order, written, and counted away on replace.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../schema.ts';
import type { ImportHeaderRecord } from './import-header-transfer.schemas.ts';

export function createImportHeaderTransferRepository(db: Kysely<DB>) {
  return {
    /** The organisation's mappings by header (compared as code units, the same on every engine). */
    async read(organisationId: string): Promise<ImportHeaderRecord[]> {
      const rows = await db
        .selectFrom('indicator_import_header')
        .select([
          'header',
          'shown',
          'column_key',
          'updated_by',
          sql<string>`to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('updated_at'),
        ])
        .where('organisation_id', '=', organisationId)
        .execute();
      return rows
        .map((r) => ({
          header: r.header,
          shown: r.shown,
          column: r.column_key,
          updatedBy: r.updated_by,
          updatedAt: r.updated_at,
        }))
        .sort((a, b) => (a.header < b.header ? -1 : a.header > b.header ? 1 : 0));
    },
    async insert(organisationId: string, headers: readonly ImportHeaderRecord[]): Promise<void> {
      if (headers.length === 0) return;
      await db
        .insertInto('indicator_import_header')
        .values(
          headers.map((h) => ({
            organisation_id: organisationId,
            header: h.header,
            shown: h.shown,
            column_key: h.column,
            updated_by: h.updatedBy,
            updated_at: sql<Date>`${h.updatedAt}::timestamptz`,
          })),
        )
        .execute();
    },
    /** Deletes the organisation's mappings (a replace), saying how many there were. */
    async delete(organisationId: string): Promise<number> {
      const r = await db
        .deleteFrom('indicator_import_header')
        .where('organisation_id', '=', organisationId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
