// The organisation's access generation (migration 2026-12-09-100, ADR 0017): the one statement a
// page kept in memory is checked with. Sent on the pool, outside any transaction (autocommit: no
// BEGIN, no role switch), so it is one round trip on PostgreSQL, through pgbouncer in transaction
// mode too, and one query on PGlite. Sent with the simple protocol (no parameters: one message,
// nothing prepared, as the unit of work's role switch is): the id is checked to be a UUID first.

import { CompiledQuery, type Kysely } from 'kysely';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readAccessGeneration<DB>(db: Kysely<DB>, organisationId: string): Promise<string> {
  if (!UUID.test(organisationId)) throw new Error(`Not an organisation id: ${JSON.stringify(organisationId)}`);
  const { rows } = await db.executeQuery<{ g: string | number | null }>(
    CompiledQuery.raw(`select amber_access_generation('${organisationId}') as g`),
  );
  return String(rows[0]?.g);
}
