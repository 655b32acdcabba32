// The SQL of indicator imports' own tables: the organisation's remembered names for the columns
// of its spreadsheets (issue 13). Values and definitions are written through indicator.repository.ts.

import type { Kysely } from 'kysely';
import type { DB } from '../../schema.ts';
import { insertAuditEvent, type AuditEntry } from '../../platform/db/audit.ts';

/** A header the organisation has mapped: as compared, as the file wrote it, and to what. */
export interface HeaderMappingRow {
  header: string;
  shown: string;
  columnKey: string;
  updatedBy: string;
  updatedAt: Date;
}

export function createIndicatorTransferRepository(db: Kysely<DB>) {
  return {
    /** Every mapping of the organisation, in the order of the headers as written. */
    async listHeaderMappings(organisationId: string): Promise<HeaderMappingRow[]> {
      const rows = await db
        .selectFrom('indicator_import_header')
        .select(['header', 'shown', 'column_key', 'updated_by', 'updated_at'])
        .where('organisation_id', '=', organisationId)
        .orderBy('shown')
        .orderBy('header')
        .execute();
      return rows.map((r) => ({
        header: r.header,
        shown: r.shown,
        columnKey: r.column_key,
        updatedBy: r.updated_by,
        updatedAt: new Date(r.updated_at),
      }));
    },
    /** Maps a header, or changes what it maps to. */
    async saveHeaderMapping(
      organisationId: string,
      m: { header: string; shown: string; columnKey: string },
      by: string,
    ): Promise<void> {
      await db
        .insertInto('indicator_import_header')
        .values({
          organisation_id: organisationId,
          header: m.header,
          shown: m.shown,
          column_key: m.columnKey,
          updated_by: by,
        })
        .onConflict((oc) =>
          oc.columns(['organisation_id', 'header']).doUpdateSet({
            shown: m.shown,
            column_key: m.columnKey,
            updated_by: by,
            updated_at: new Date(),
          }),
        )
        .execute();
    },
    async deleteHeaderMapping(organisationId: string, header: string): Promise<void> {
      await db
        .deleteFrom('indicator_import_header')
        .where('organisation_id', '=', organisationId)
        .where('header', '=', header)
        .execute();
    },
    audit: (entry: AuditEntry) => insertAuditEvent(db, entry),
  };
}

export type IndicatorTransferRepository = ReturnType<typeof createIndicatorTransferRepository>;
