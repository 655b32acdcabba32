// A queued workbook checked in a worker thread gives exactly what the same check gives on the main
// thread: the same data, the same problems in the same words, the same refusals of the file.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TAXONOMY } from '../../domain/diagnostic/taxonomy.ts';
import { ValidationError } from '../../domain/errors.ts';
import { handMadeXlsx, mergedOverAValue, zipBomb } from '../../platform/spreadsheet-fixtures.test-helper.ts';
import type { SpreadsheetLimits } from '../../platform/spreadsheet.ts';
import { broken, sampleWorkbook } from '../../../test/fixtures/diagnostic/sample.ts';
import {
  CHECK_LIMITS,
  checkWorkbook,
  checkWorkbookOffThread,
  closeWorkbookChecker,
  type WorkbookCheck,
} from './diagnostic-check.ts';

const limits: SpreadsheetLimits = { expandedBytes: 4 * 1024 * 1024, rows: 2_000, columns: 20 };

type Outcome = { checked: WorkbookCheck } | { refused: { name: string; issues: unknown } };

async function outcome(run: () => Promise<WorkbookCheck>): Promise<Outcome> {
  try {
    return { checked: await run() };
  } catch (error) {
    assert.ok(error instanceof ValidationError, `a refusal, not ${String(error)}`);
    return { refused: { name: 'ValidationError', issues: error.issues } };
  }
}

const bothWays = async (data: Buffer) => {
  const input = { data, limits, taxonomy: DEFAULT_TAXONOMY };
  const here = await outcome(() => checkWorkbook(input));
  const there = await outcome(() => checkWorkbookOffThread(input));
  return { here, there };
};

describe('a workbook checked in a worker thread', () => {
  after(closeWorkbookChecker);

  it('gives the sample workbook the same data as on the main thread', async () => {
    const { here, there } = await bothWays(await sampleWorkbook());
    assert.ok('checked' in here && here.checked.data, 'the sample is accepted');
    assert.equal(here.checked.data.posts.length, 30);
    assert.deepEqual(there, here);
  });

  // A problem on a row, a missing sheet and a missing column: the kinds of problem there are.
  const kinds = {
    sumsTo93: () => broken.sumsTo93(),
    missingSheet: () => broken.missingSheet(),
    missingColumn: () => broken.missingColumn(),
  };
  for (const [name, make] of Object.entries(kinds))
    it(`gives a broken workbook (${name}) the same problems`, async () => {
      const { here, there } = await bothWays(await make());
      const problems = 'checked' in here ? here.checked.problems : undefined;
      const refused = 'refused' in here;
      assert.ok(refused || (problems && problems.length > 0), `${name} is not accepted`);
      assert.deepEqual(there, here);
    });

  it("refuses a damaged zip, a bomb, a merged area and a sheet that is not the diagnostic's, in the same words", async () => {
    const whole = await sampleWorkbook();
    const files: Record<string, Buffer> = {
      damaged: whole.subarray(0, Math.floor(whole.length / 2)),
      bomb: zipBomb(8),
      merged: mergedOverAValue(),
      'hand-made sheet': handMadeXlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>'),
    };
    for (const [name, data] of Object.entries(files)) {
      const { here, there } = await bothWays(data);
      assert.deepEqual(there, here, name);
      assert.ok(!('checked' in there && there.checked.data), `${name} is not accepted`);
    }
  });

  it('refuses a workbook that takes longer than the check may as too big, not as a failure', async () => {
    const data = await sampleWorkbook();
    await assert.rejects(
      checkWorkbookOffThread({ data, limits, taxonomy: DEFAULT_TAXONOMY }, { ...CHECK_LIMITS, timeoutMs: 1 }),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.issues[0]!.field === 'file' &&
        /too big for Amber to read in one go/.test(error.issues[0]!.message),
    );
    // The next check gets a new worker and goes through.
    const { there } = await bothWays(data);
    assert.ok('checked' in there && there.checked.data);
  });
});
