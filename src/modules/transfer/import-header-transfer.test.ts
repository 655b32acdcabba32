// The organisation file carries the names the organisation gave its indicator spreadsheets'
// columns (issue 12), on both engines: mapped once, exported, imported into an empty database and
// exported again unchanged (microseconds included), where the indicator import reads them; a
// replace writes them back once; a file that remembers a header twice is refused naming it, and
// changes nothing; a file written before they travelled still imports.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine, withDemo, openTestDatabase } from '../../../test/helpers/database.ts';
import { ValidationError } from '../../domain/errors.ts';
import type { OrganisationExport } from './transfer.service.ts';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** The file without its time and the import events the imports appended to the trail. */
function withoutImports(file: OrganisationExport, imports = 0) {
  const { exportedAt: _, ...rest } = file;
  return { ...rest, auditTrail: rest.auditTrail.slice(0, rest.auditTrail.length - imports) };
}

describeOnEachEngine('Organisation transfer: the indicator imports’ remembered headers', (t) => {
  it('round-trips the headers an officer mapped, and the indicator import reads them after the move', async () => {
    const actor = await withDemo(t());
    await t().services.indicatorTransfer.saveHeaderMappings(actor, {
      mappings: [
        { header: 'KPI Ref', column: 'code' },
        { header: 'Outturn Q1', column: 'period:quarter:1' },
        { header: 'Notes for the board', column: 'ignore' },
      ],
    });
    const exported = await t().services.transfer.exportOrganisation(actor.organisationId);
    assert.deepEqual(
      exported.indicatorImportHeaders.map((h) => [h.header, h.shown, h.column]),
      [
        ['kpiref', 'KPI Ref', 'code'],
        ['notesfortheboard', 'Notes for the board', 'ignore'],
        ['outturnq1', 'Outturn Q1', 'period:quarter:1'],
      ],
    );
    assert.ok(exported.indicatorImportHeaders.every((h) => h.updatedBy === actor.label));
    assert.ok(
      exported.indicatorImportHeaders.every((h) => /\.\d{6}Z$/.test(h.updatedAt)),
      'microseconds kept',
    );

    const other = await openTestDatabase(t().engine);
    try {
      const result = await other.services.transfer.importOrganisation(copy(exported), { actorLabel: 'move' });
      assert.equal(result.counts.importHeaders, 3);
      const again = await other.services.transfer.exportOrganisation(actor.organisationId);
      assert.equal(JSON.stringify(withoutImports(again, 1)), JSON.stringify(withoutImports(exported)));
      // Read where they are used: the mappings the import form offers.
      const mapped = await other.services.indicatorTransfer.headerMappings(actor);
      assert.deepEqual(mapped.map((m) => [m.shown, m.column]).sort(), [
        ['KPI Ref', 'code'],
        ['Notes for the board', 'ignore'],
        ['Outturn Q1', 'period:quarter:1'],
      ]);

      // Replaced over itself: deleted first (counted), written back once.
      const replaced = await other.services.transfer.importOrganisation(copy(exported), {
        actorLabel: 'again',
        replace: true,
      });
      assert.equal(replaced.counts.importHeaders, 3);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from indicator_import_header`.execute(other.db);
      assert.equal(rows[0]!.n, 3);
    } finally {
      await other.close();
    }
  });

  it('refuses a header remembered twice, naming it, and changes nothing; a file without headers still imports', async () => {
    const actor = await withDemo(t());
    const file = copy(await t().services.transfer.exportOrganisation(actor.organisationId));
    const header = {
      header: 'kpiref',
      shown: 'KPI ref',
      column: 'code',
      updatedBy: 't',
      updatedAt: '2026-12-05T10:00:00.123456Z',
    };
    const twice = {
      ...file,
      indicatorImportHeaders: [
        header,
        { ...header, shown: 'Kpi Ref', column: 'title' },
        { ...header, header: 'KPI Ref' },
      ],
    };
    const before = await sql<{ n: number }>`select count(*)::int as n from indicator_import_header`.execute(t().db);
    const error = await t()
      .services.transfer.importOrganisation(twice, { actorLabel: 'test', replace: true })
      .then(
        () => assert.fail('the file was imported'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(
      error.issues.map((i) => i.field).filter((f) => f.startsWith('indicatorImportHeaders')),
      ['indicatorImportHeaders[2].header', 'indicatorImportHeaders[1].header'],
    );
    const after = await sql<{ n: number }>`select count(*)::int as n from indicator_import_header`.execute(t().db);
    assert.deepEqual(after.rows, before.rows);

    // Written before the headers travelled: no such field, and the organisation arrives with none.
    const { indicatorImportHeaders: _, ...older } = file;
    const other = await openTestDatabase(t().engine);
    try {
      const result = await other.services.transfer.importOrganisation(older, { actorLabel: 'old file' });
      assert.equal(result.counts.importHeaders, undefined);
      assert.deepEqual(
        (await other.services.transfer.exportOrganisation(actor.organisationId)).indicatorImportHeaders,
        [],
      );
    } finally {
      await other.close();
    }
  });
});
