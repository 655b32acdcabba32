// A board pack prints a joint priority's report as its own download does (issue 11): the
// partners' sign-off table after the owner's sign-offs, in the PDF and in the Word document,
// tagged as a table with a header row in the one and marked as one in the other.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildBoardPackView } from '../../test/builders/board-pack-view.ts';
import { JOINT_SIGN_OFFS } from '../../test/builders/joint-sign-offs.ts';
import { buildVfm4dReportView } from '../../test/builders/report-view.ts';
import { renderBoardPackDocx, renderBoardPackPdf, type BoardPackView } from './board-pack.ts';
import { checkDocxAccessibility } from './docx-accessibility.test-helper.ts';
import {
  docxText,
  normaliseWhitespace,
  pdfStructure,
  pdfText,
  structElements,
  structText,
} from './text-extract.test-helper.ts';

describe('a board pack with a joint priority’s report', () => {
  const single = buildVfm4dReportView();
  const joint = { ...buildVfm4dReportView(), jointSignOffs: JOINT_SIGN_OFFS };
  const view: BoardPackView = buildBoardPackView([joint, single]);
  let pdf: Buffer;
  let docx: Buffer;
  before(async () => {
    [pdf, docx] = await Promise.all([renderBoardPackPdf(view), renderBoardPackDocx(view)]);
  });

  it('prints each partner’s sign-off, once, in the PDF and the Word document', async () => {
    for (const text of [await pdfText(pdf), await docxText(docx)].map(normaliseWhitespace)) {
      assert.equal(text.split('Partnership sign-off').length - 1, 1, 'only the joint report has the table');
      assert.match(
        text,
        /Local Partnerships Approved by \(Joint owner – accountable officer: Jo Bloggs\) Jo Bloggs 20 April 2010 at 12:00 UTC/,
      );
      assert.match(text, /PricewaterhouseCoopers LLP Awaiting sign-off .*Not yet signed off/);
    }
  });

  it('tags it as a table whose first row is column headers, and marks the Word table’s header row', async () => {
    const tables = structElements(await pdfStructure(pdf)).filter((n) => n.type === 'Table');
    const partners = tables.find((t) => structText(t).includes('Organisation Sign-off Name Date'));
    assert.ok(partners, 'no partners’ sign-off table in the structure');
    const header = partners.children.find((c) => c.type === 'TR')!;
    assert.deepEqual(
      header.children.map((c) => [c.type, c.attributes.Scope]),
      Array.from({ length: 4 }, () => ['TH', 'Column']),
    );
    const word = checkDocxAccessibility(docx).tables.filter((t) => t.firstRow[0] === 'Organisation');
    assert.deepEqual(word, [{ firstRow: ['Organisation', 'Sign-off', 'Name', 'Date'], headerRow: true }]);
  });
});
