// An indicator may carry a shared identifier (issue 11): the code other organisations use for the
// same measure, such as an LG Inform metric id, so a benchmarking club compares members' values
// like with like. Until now the identifier was typed at each contribution to a club; now it is
// recorded once on the indicator (its form, the definitions file, the API, the organisation file)
// and a contribution uses it. Null: none recorded.
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('indicator').addColumn('shared_code', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('indicator').dropColumn('shared_code').execute();
}
