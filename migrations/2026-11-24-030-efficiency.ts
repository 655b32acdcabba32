// The efficiency programme after the baseline (issue 5, steps 4–8): benchmark sets with their
// provenance, savings opportunities by lever, outline business cases (options, cash-flow lines,
// the five cases), the implementation plan (projects, milestones, links to a priority's key
// action), the savings ledger, gain-share agreements and their dated evaluations.
// Money is whole pence (bigint); yearly cash flows and tranches are jsonb arrays of pence.
// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely';

const id = (col: any) => col.primaryKey().defaultTo(sql`gen_random_uuid()`);
const now = (col: any) => col.notNull().defaultTo(sql`now()`);
const org = (col: any) => col.notNull().references('organisation.id').onDelete('cascade');
const exercise = (col: any) => col.notNull().references('diagnostic_exercise.id').onDelete('cascade');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('benchmark_set')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('exercise_id', 'uuid', exercise)
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('lower-is-better', 'higher-is-better')`))
    .addColumn('function_code', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('year', 'text', (c) => c.notNull())
    .addColumn('peer_group', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().check(sql`n >= 5`))
    .addColumn('p25', 'numeric', (c) => c.notNull())
    .addColumn('p50', 'numeric', (c) => c.notNull())
    .addColumn('p75', 'numeric', (c) => c.notNull())
    .addColumn('own_value', 'numeric')
    .addColumn('illustrative', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('computed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .addCheckConstraint('benchmark_set_ordered', sql`p25 <= p50 and p50 <= p75`)
    .execute();
  await db.schema.createIndex('benchmark_set_exercise').on('benchmark_set').columns(['exercise_id', 'indicator']).execute();

  await db.schema.createTable('opportunity')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('exercise_id', 'uuid', exercise)
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('lever', 'text', (c) => c.notNull().check(sql`lever in ('benchmark-gap', 'consolidation', 'spans-and-layers', 'automation', 'standardisation', 'sourcing')`))
    .addColumn('cost_pool', 'text', (c) => c.notNull())
    .addColumn('pool_cost', 'bigint', (c) => c.notNull().check(sql`pool_cost >= 0`))
    .addColumn('low', 'bigint', (c) => c.notNull())
    .addColumn('central', 'bigint', (c) => c.notNull())
    .addColumn('high', 'bigint', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull().check(sql`confidence in ('low', 'medium', 'high')`))
    .addColumn('benchmark_set_id', 'uuid', (c) => c.references('benchmark_set.id').onDelete('set null'))
    .addColumn('priority_id', 'uuid', (c) => c.references('priority.id').onDelete('set null'))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .addCheckConstraint('opportunity_range', sql`0 <= low and low <= central and central <= high and high <= pool_cost`)
    .execute();
  await db.schema.createIndex('opportunity_exercise').on('opportunity').columns(['exercise_id', 'cost_pool']).execute();

  await db.schema.createTable('business_case')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('exercise_id', 'uuid', exercise)
    .addColumn('opportunity_id', 'uuid', (c) => c.references('opportunity.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'approved')`))
    .addColumn('strategic', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('economic', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('commercial', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('financial', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('management', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('base_year', 'integer', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .execute();

  await db.schema.createTable('business_case_option')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('business_case.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('business_as_usual', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('preferred', 'boolean', (c) => c.notNull().defaultTo(false))
    // Share of each optimism-bias upper bound removed by recorded mitigation, in basis points.
    .addColumn('mitigation', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('benefit_reduction', 'integer', (c) => c.notNull().defaultTo(0).check(sql`benefit_reduction between 0 and 10000`))
    .execute();

  await db.schema.createTable('business_case_line')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('option_id', 'uuid', (c) => c.notNull().references('business_case_option.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('cost', 'benefit')`))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('optimism_bias', 'text')
    .addColumn('amounts', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema.createTable('implementation_project')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('exercise_id', 'uuid', exercise)
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('business_case.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'uuid', (c) => c.references('person.id').onDelete('set null'))
    .addColumn('starts_on', 'date', (c) => c.notNull())
    .addColumn('ends_on', 'date', (c) => c.notNull())
    .addColumn('depends_on', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'::uuid[]`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .addCheckConstraint('implementation_project_dates', sql`ends_on >= starts_on`)
    .execute();

  await db.schema.createTable('implementation_milestone')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('implementation_project.id').onDelete('cascade'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('owner_id', 'uuid', (c) => c.references('person.id').onDelete('set null'))
    // The link to a key action of an improvement priority: the milestone row written on it.
    .addColumn('priority_id', 'uuid', (c) => c.references('priority.id').onDelete('set null'))
    .addColumn('action_number', 'integer')
    .addColumn('report_milestone_id', 'uuid', (c) => c.references('milestone.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .execute();
  await db.schema.createIndex('implementation_milestone_project').on('implementation_milestone').columns(['project_id', 'due_on']).execute();

  await db.schema.createTable('savings_entry')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('exercise_id', 'uuid', exercise)
    .addColumn('opportunity_id', 'uuid', (c) => c.notNull().references('opportunity.id').onDelete('restrict'))
    .addColumn('financial_year', 'integer', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('identified', 'approved', 'realised')`))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('cashable', 'boolean', (c) => c.notNull())
    .addColumn('recurring', 'boolean', (c) => c.notNull())
    .addColumn('additional', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('verified_by', 'text')
    .addColumn('verified_by_user_id', 'uuid')
    .addColumn('verified_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .addCheckConstraint('savings_entry_verified_realised', sql`verified_at is null or stage = 'realised'`)
    .execute();
  await db.schema.createIndex('savings_entry_exercise').on('savings_entry').columns(['exercise_id', 'financial_year']).execute();

  await db.schema.createTable('gain_share_agreement')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('exercise_id', 'uuid', exercise)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('reading', 'text', (c) => c.notNull().check(sql`reading in ('A', 'B', 'custom')`))
    .addColumn('funder', 'text', (c) => c.notNull())
    .addColumn('council', 'text', (c) => c.notNull())
    .addColumn('total_cost', 'bigint', (c) => c.notNull())
    .addColumn('funder_contribution', 'bigint', (c) => c.notNull())
    .addColumn('council_contribution', 'bigint', (c) => c.notNull())
    .addColumn('tranches', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .execute();

  await db.schema.createTable('gain_share_evaluation')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', org)
    .addColumn('agreement_id', 'uuid', (c) => c.notNull().references('gain_share_agreement.id').onDelete('cascade'))
    .addColumn('evaluated_on', 'date', (c) => c.notNull())
    .addColumn('evaluated_at', 'timestamptz', now)
    .addColumn('evaluated_by', 'text', (c) => c.notNull())
    .addColumn('reading', 'text', (c) => c.notNull())
    .addColumn('qualifying_savings', 'bigint', (c) => c.notNull())
    .addColumn('due', 'bigint', (c) => c.notNull())
    .addColumn('council_cost', 'bigint', (c) => c.notNull())
    .addColumn('funder_cost', 'bigint', (c) => c.notNull())
    .addColumn('explanation', 'text', (c) => c.notNull())
    // The agreement and the ledger entries counted, as they stood: the evaluation can be re-checked.
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('gain_share_evaluation_agreement').on('gain_share_evaluation').columns(['agreement_id', 'evaluated_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['gain_share_evaluation', 'gain_share_agreement', 'savings_entry', 'implementation_milestone', 'implementation_project',
    'business_case_line', 'business_case_option', 'business_case', 'opportunity', 'benchmark_set']) {
    await db.schema.dropTable(table).execute();
  }
}
