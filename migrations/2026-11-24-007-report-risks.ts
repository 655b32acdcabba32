// A report's "Challenges/Risks" may cite entries of its priority's risk register (issue 4),
// beside the free-text bullets. The citation is a link, not a copy: the report shows the risk's
// current score and rating, and a deleted report or risk takes its citations with it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('report_risk')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('report_id', 'uuid', (c) => c.notNull().references('progress_report.id').onDelete('cascade'))
    .addColumn('risk_id', 'uuid', (c) => c.notNull().references('risk.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_risk_pk', ['report_id', 'risk_id'])
    .execute();
  await db.schema.createIndex('report_risk_risk').on('report_risk').column('risk_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_risk').execute();
}
