// An indicator's baseline: the previous year's outturn (issue 4), in the indicator's scaled unit
// like its values. Nullable: most indicators are set up without one.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('indicator').addColumn('baseline', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('indicator').dropColumn('baseline').execute();
}
