// The taxonomy Amber ships is named for the people who read it (issue 13): its name said where the
// design notes describe it ("DIAGNOSTIC.md §2"), words that mean nothing on a council's page. Only
// the name of the shipped version changes, and only where it is still the old one; its processes
// and functions, which released versions never change, stay as they are.
import { type Kysely, sql } from 'kysely';

const SHIPPED_ID = '00000000-0000-4000-8000-00000000d1a6';
const OLD_NAME = 'Amber default taxonomy (DIAGNOSTIC.md §2), version 1';
const NEW_NAME = 'Amber default taxonomy, version 1';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`update diagnostic_taxonomy_version set name = ${NEW_NAME} where id = ${SHIPPED_ID} and name = ${OLD_NAME}`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update diagnostic_taxonomy_version set name = ${OLD_NAME} where id = ${SHIPPED_ID} and name = ${NEW_NAME}`.execute(
    db,
  );
}
