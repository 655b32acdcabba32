// The organisation file's diagnostic and efficiency sections on both engines: the demo's exercise
// and programme survive export → import into an empty database → export; a damaged reference is
// refused naming its path and changes nothing; and no column of a table the file covers (nor an
// organisation-owned table) can be added without deciding whether the file carries it.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describeOnEachEngine, withDemo, openTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { ValidationError } from '../../domain/errors.ts';
import { DEFAULT_TAXONOMY, DEFAULT_TAXONOMY_ID } from '../../domain/diagnostic/taxonomy.ts';
import { allTables } from './programme-transfer.schemas.ts';
import { MAIN_TABLES, TABLES_NOT_CARRIED } from './transfer-coverage.schemas.ts';
import type { OrganisationExport } from './transfer.service.ts';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const withoutExportedAt = ({ exportedAt: _, ...rest }: OrganisationExport) => rest;
/** A re-export without its time and the `imports` events the imports appended to the trail. */
function asImported(file: OrganisationExport, imports = 1) {
  const rest = withoutExportedAt(file);
  const added = rest.auditTrail.slice(rest.auditTrail.length - imports);
  assert.ok(added.length === imports && added.every((e) => e.action === 'import'), 'the trail ends with the imports');
  return { ...rest, auditTrail: rest.auditTrail.slice(0, rest.auditTrail.length - imports) };
}

/** Rows of every table the two sections cover, by table. */
async function programmeRowCounts(t: TestDatabase): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { table } of allTables()) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db);
    out[table] = rows[0]!.n;
  }
  return out;
}

describeOnEachEngine('Organisation transfer: the diagnostic and the efficiency programme', (t) => {
  it('decides, for every column of every table the file covers, whether it is carried or why not', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() order by table_name, ordinal_position`.execute(t().db);
    const columns = new Map<string, string[]>();
    for (const r of rows) columns.set(r.table_name, [...(columns.get(r.table_name) ?? []), r.column_name]);

    const decided = new Map<string, Map<string, string>>();
    for (const [table, { carried, leftOut }] of Object.entries(MAIN_TABLES))
      decided.set(
        table,
        new Map([...carried.map((c): [string, string] => [c, 'carried']), ...Object.entries(leftOut)]),
      );
    for (const spec of allTables()) {
      const d = new Map<string, string>(spec.columns.map((c) => [c.column, 'carried']));
      for (const [c, why] of Object.entries(spec.leftOut)) d.set(c, why);
      if (spec.parentColumn && !d.has(spec.parentColumn)) d.set(spec.parentColumn, 'MISSING REASON');
      decided.set(spec.table, d);
    }

    const problems: string[] = [];
    for (const [table, d] of decided) {
      const actual = columns.get(table);
      if (!actual) {
        problems.push(`${table}: the file describes this table, but the database has no such table`);
        continue;
      }
      for (const column of actual)
        if (!d.has(column))
          problems.push(
            `${table}.${column}: neither carried by the organisation file nor left out with a reason (programme-transfer.schemas.ts or transfer-coverage.schemas.ts)`,
          );
        else if (d.get(column)!.trim() === '' || d.get(column) === 'MISSING REASON')
          problems.push(`${table}.${column}: left out without a reason`);
      for (const column of d.keys())
        if (!actual.includes(column)) problems.push(`${table}.${column}: named by the transfer, but no such column`);
    }
    // Every table that holds an organisation's rows is covered, or left out with a reason.
    for (const [table, cols] of columns)
      if (cols.includes('organisation_id') && !decided.has(table) && !(table in TABLES_NOT_CARRIED))
        problems.push(
          `${table}: holds an organisation's rows, but the organisation file neither carries it nor says why not (transfer-coverage.schemas.ts)`,
        );
    for (const table of Object.keys(TABLES_NOT_CARRIED))
      if (!columns.has(table)) problems.push(`${table}: listed as not carried, but the database has no such table`);
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });

  it('round-trips the demo’s exercise and programme into an empty database, byte for byte', async () => {
    const actor = await withDemo(t());
    // An own taxonomy version (the shipped one's functions and processes and one more), and a project milestone linked to a
    // priority's key action, its owner and the report milestone written for it, so every kind of
    // reference travels.
    const taxonomy = await t().services.diagnostics.extendTaxonomy(actor, {
      basedOnId: DEFAULT_TAXONOMY_ID,
      name: 'Leeds taxonomy 2009 – with ŵ',
      functions: [{ code: 'LDS', name: 'Leeds-only services' }],
      processes: [{ code: 'LDS-X', name: 'Leeds process', functionCode: 'LDS', type: 'T', volumeDriver: 'things' }],
    });
    const reportMilestone = await t()
      .db.selectFrom('milestone')
      .innerJoin('action', 'action.id', 'milestone.action_id')
      .innerJoin('progress_report', 'progress_report.id', 'action.report_id')
      .select(['milestone.id', 'progress_report.priority_id', 'milestone.organisation_id'])
      .where('milestone.organisation_id', '=', actor.organisationId)
      .orderBy('milestone.id')
      .executeTakeFirstOrThrow();
    const owner = await t()
      .db.selectFrom('person')
      .select('id')
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await t()
      .db.updateTable('implementation_milestone')
      .set({
        owner_id: owner.id,
        priority_id: reportMilestone.priority_id,
        action_number: 1,
        report_milestone_id: reportMilestone.id,
      })
      .where('organisation_id', '=', actor.organisationId)
      .execute();

    const exported = await t().services.transfer.exportOrganisation(actor.organisationId);
    const { diagnostic, efficiency } = exported;
    assert.deepEqual(
      diagnostic.shippedTaxonomies.map((x) => x.id),
      [DEFAULT_TAXONOMY_ID],
    );
    assert.deepEqual(
      diagnostic.taxonomies.map((x) => [x.id, x.basedOnId, (x.processes as unknown[]).length]),
      [[taxonomy, DEFAULT_TAXONOMY_ID, DEFAULT_TAXONOMY.processes.length + 1]],
    );
    const exercise = diagnostic.exercises[0]!;
    assert.equal(diagnostic.exercises.length, 1);
    assert.ok((exercise.posts as { allocations: unknown[] }[]).every((p) => p.allocations.length > 0));
    assert.ok(typeof exercise.runningCosts === 'number' && Number.isSafeInteger(exercise.runningCosts));
    assert.ok((exercise.units as unknown[]).length > 0 && (exercise.nonPay as unknown[]).length > 0);
    assert.match(efficiency.benchmarks[0]!.p50 as string, /^\d+(\.\d+)?$/, 'numeric as an exact decimal string');
    const options = efficiency.cases[0]!.options as { lines: { amounts: number[] }[] }[];
    assert.equal(options.length, 3);
    assert.ok(options[1]!.lines.every((l) => l.amounts.every(Number.isSafeInteger)));
    assert.ok(efficiency.projects.length > 0 && efficiency.savings.length > 0);
    assert.equal((efficiency.agreements[0]!.evaluations as unknown[]).length, 1);
    const linked = efficiency.projects.flatMap((p) => p.milestones as Record<string, unknown>[]);
    assert.ok(linked.length > 0 && linked.every((m) => m.reportMilestoneId === reportMilestone.id));

    const other = await openTestDatabase(t().engine);
    try {
      // An empty database: not even the shipped taxonomy is there yet.
      assert.equal(await other.db.selectFrom('diagnostic_taxonomy_version').select('id').executeTakeFirst(), undefined);
      const result = await other.services.transfer.importOrganisation(copy(exported), { actorLabel: 'move' });
      assert.equal(result.counts.diagnostic_exercise, 1);
      assert.equal(
        result.counts.business_case_line,
        options.reduce((n, o) => n + o.lines.length, 0),
      );
      const again = await other.services.transfer.exportOrganisation(actor.organisationId);
      assert.deepEqual(asImported(again), withoutExportedAt(exported));
      assert.equal(JSON.stringify(asImported(again)), JSON.stringify(withoutExportedAt(exported)));
      // The imported exercise works: its baseline is computed from the rows written.
      const before = await t().services.diagnostics.getBaseline(actor, exercise.id as string);
      const after = await other.services.diagnostics.getBaseline(actor, exercise.id as string);
      assert.deepEqual(JSON.parse(JSON.stringify(after)), JSON.parse(JSON.stringify(before)));

      // Imported again with replace over itself: the programme is deleted first and written back.
      const replaced = await other.services.transfer.importOrganisation(copy(exported), {
        actorLabel: 'again',
        replace: true,
      });
      // Every record written back; the trail's events are here already, so none is written twice.
      assert.ok(result.counts.auditEvents! > 0);
      assert.deepEqual(replaced.counts, { ...result.counts, auditEvents: 0 });
      assert.deepEqual(
        asImported(await other.services.transfer.exportOrganisation(actor.organisationId), 2),
        withoutExportedAt(exported),
      );
    } finally {
      await other.close();
    }
  });

  it('refuses a damaged reference in the programme, naming its path, and changes nothing', async () => {
    const actor = await withDemo(t());
    const file = copy(await t().services.transfer.exportOrganisation(actor.organisationId));
    const cases = file.efficiency.cases as any[];
    const line = cases[0].options[1].lines[0];
    line.optimismBias = 'gold-plating';
    (file.efficiency.projects[0] as any).caseId = randomUUID();
    (file.efficiency.savings[0] as any).opportunityId = randomUUID();
    (file.efficiency.projects[0] as any).milestones[0].reportMilestoneId = randomUUID();
    (file.diagnostic.exercises[0] as any).posts[0].allocations[0].processCode = 'NO-SUCH';
    (file.diagnostic.exercises[0] as any).taxonomyVersionId = randomUUID();
    const before = await programmeRowCounts(t());

    const error = await t()
      .services.transfer.importOrganisation(file, { actorLabel: 'test', replace: true })
      .then(
        () => assert.fail('the file was imported'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof ValidationError, String(error));
    const byField = new Map(error.issues.map((i) => [i.field, i.message]));
    assert.deepEqual([...byField.keys()].sort(), [
      'diagnostic.exercises[0].taxonomyVersionId',
      'efficiency.cases[0].options[1].lines[0].optimismBias',
      'efficiency.projects[0].caseId',
      'efficiency.projects[0].milestones[0].reportMilestoneId',
      'efficiency.savings[0].opportunityId',
    ]);
    assert.match(
      byField.get('efficiency.cases[0].options[1].lines[0].optimismBias')!,
      /must be one of .*outsourcing.*"gold-plating"/,
    );
    assert.match(byField.get('efficiency.projects[0].caseId')!, /not one of the business cases in this file/);
    assert.match(
      byField.get('diagnostic.exercises[0].taxonomyVersionId')!,
      /"diagnostic\.taxonomies" or one Amber ships/,
    );
    assert.deepEqual(await programmeRowCounts(t()), before);

    // With the taxonomy put right, the process code that is not in it is named too.
    (file.diagnostic.exercises[0] as any).taxonomyVersionId = DEFAULT_TAXONOMY_ID;
    const second = await t()
      .services.transfer.importOrganisation(file, { actorLabel: 'test', replace: true })
      .then(
        () => assert.fail('the file was imported'),
        (e: unknown) => e,
      );
    assert.ok(second instanceof ValidationError);
    assert.match(
      second.issues.find((i) => i.field === 'diagnostic.exercises[0].posts[0].allocations[0].processCode')!.message,
      /"NO-SUCH" is not a process of the exercise's taxonomy version \(nor X01 or Z99\)/,
    );
    assert.deepEqual(await programmeRowCounts(t()), before);

    // A programme without the diagnostic it belongs to refers to nothing.
    const { diagnostic: _d, ...alone } = copy(file);
    const third = await t()
      .services.transfer.importOrganisation(alone, { actorLabel: 'test', replace: true })
      .then(
        () => assert.fail('the file was imported'),
        (e: unknown) => e,
      );
    assert.ok(third instanceof ValidationError);
    assert.match(
      third.issues.find((i) => i.field === 'efficiency.benchmarks[0].exerciseId')!.message,
      /not one of the exercises in this file/,
    );
    assert.deepEqual(await programmeRowCounts(t()), before);
  });

  it('carries the members’ accounts, password hashes only when asked, and names an account that clashes', async () => {
    const actor = await withDemo(t());
    const plain = await t().services.transfer.exportOrganisation(actor.organisationId);
    assert.ok(plain.accounts.length > 0);
    assert.ok(plain.accounts.every((a) => !('passwordHash' in a) && a.roles.length > 0));
    const withHashes = await t().services.transfer.exportOrganisation(actor.organisationId, { passwordHashes: true });
    assert.ok(
      withHashes.accounts.some((a) => typeof a.passwordHash === 'string' && a.passwordHash.startsWith('$argon2')),
    );

    const other = await openTestDatabase(t().engine);
    try {
      // An account of the target has one of the file's addresses under another id: named, nothing written.
      const taken = plain.accounts[0]!;
      await other.db
        .insertInto('user_account')
        .values({ id: randomUUID(), email: taken.email.toUpperCase(), name: 'Someone else' })
        .execute();
      const refused = await other.services.transfer.importOrganisation(copy(plain), { actorLabel: 'move' }).then(
        () => assert.fail('the file was imported'),
        (e: unknown) => e as { code?: string; message?: string },
      );
      assert.equal(refused.code, 'ACCOUNT_CONFLICT');
      assert.match(
        refused.message!,
        new RegExp(`${taken.email.replace(/[.+]/g, '\\$&')} belongs here to another account`),
      );
      assert.equal(await other.db.selectFrom('organisation').select('id').executeTakeFirst(), undefined);
      assert.equal(await other.db.selectFrom('membership').select('user_id').executeTakeFirst(), undefined);

      // Without the clash, the accounts arrive with their hashes when the file has them.
      await other.db.deleteFrom('user_account').execute();
      await other.services.transfer.importOrganisation(copy(withHashes), { actorLabel: 'move' });
      const again = await other.services.transfer.exportOrganisation(actor.organisationId, { passwordHashes: true });
      assert.deepEqual(again.accounts, withHashes.accounts);
      const session = await other.db.selectFrom('user_session').select('user_id').executeTakeFirst();
      assert.equal(session, undefined, 'no session travels');
    } finally {
      await other.close();
    }
  });
});
