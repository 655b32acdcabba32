// A page of an exercise's posts (issue 12): the posts pages read 100 posts at a time in sheet
// order, so the order is an index rather than a sort of the whole exercise (15,000 posts for a
// large council) on every page.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('diagnostic_post_exercise_row')
    .on('diagnostic_post')
    .columns(['exercise_id', 'row_number'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('diagnostic_post_exercise_row').execute();
}
