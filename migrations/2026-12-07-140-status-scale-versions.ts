// Status scales versioned by period (issue 13, ADR 0014): a change of the scale makes a new version
// used by the reports of periods starting on or after a chosen period's start (`in_use_from`);
// reports of earlier periods keep the statuses of the version they were written with. A version is
// the set of an organisation's status rows with the same `in_use_from` (null: the first version,
// for every period before any other). A report's status is a row of the version in force for its
// period, so everything that shows a report's status by its id shows that period's definition.
// Keys are unique within a version, no longer across the organisation.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status').addColumn('in_use_from', 'date').execute();
  await sql`alter table status drop constraint status_org_key`.execute(db);
  // One key per version; '-infinity' stands for the first version so its keys are unique too.
  await sql`create unique index status_version_key on status
    (organisation_id, (coalesce(in_use_from, '-infinity'::date)), key)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Back to one scale: every organisation keeps its newest version; a report on a status of an
  // older version takes the newest status with the same key, or none.
  await sql`with newest as (
      select organisation_id, max(coalesce(in_use_from, '-infinity'::date)) as since from status group by organisation_id)
    update progress_report r set status_id = (
      select n.id from status old join status n on n.organisation_id = old.organisation_id and n.key = old.key
        join newest on newest.organisation_id = n.organisation_id
          and coalesce(n.in_use_from, '-infinity'::date) = newest.since
      where old.id = r.status_id)
    where r.status_id is not null`.execute(db);
  await sql`delete from status s using (
      select organisation_id, max(coalesce(in_use_from, '-infinity'::date)) as since from status group by organisation_id) newest
    where newest.organisation_id = s.organisation_id and coalesce(s.in_use_from, '-infinity'::date) <> newest.since`.execute(
    db,
  );
  await sql`drop index status_version_key`.execute(db);
  await sql`alter table status add constraint status_org_key unique (organisation_id, key)`.execute(db);
  await db.schema.alterTable('status').dropColumn('in_use_from').execute();
}
