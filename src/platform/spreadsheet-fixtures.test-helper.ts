// Hostile and hand-made spreadsheets for the tests and the bench (issue 10): a minimal XLSX
// written by hand (so a test can put in it what Excel would never write: a merged cell that still
// holds a value of its own), and zip bombs made a megabyte at a time.

import { Zip, ZipDeflate, strToU8, zipSync } from 'fflate';

const MB = 1024 * 1024;

/** A minimal XLSX by hand: one sheet, "Values", whose XML inside <worksheet> is `sheetXml`. */
export function handMadeXlsx(sheetXml: string): Buffer {
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
      ),
      '_rels/.rels': strToU8(
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      ),
      'xl/workbook.xml': strToU8(
        '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Values" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ),
      'xl/_rels/workbook.xml.rels': strToU8(
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
      ),
      'xl/worksheets/sheet1.xml': strToU8(
        `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${sheetXml}</worksheet>`,
      ),
    }),
  );
}

/** The tester's file: PI No, Q1, Q2 with B2:C2 merged showing 55, and 78.4 still in C2's XML. */
export const mergedOverAValue = () =>
  handMadeXlsx(
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>PI No</t></is></c><c r="B1" t="inlineStr"><is><t>Q1</t></is></c><c r="C1" t="inlineStr"><is><t>Q2</t></is></c></row>' +
      '<row r="2"><c r="A2" t="inlineStr"><is><t>HOS 1</t></is></c><c r="B2"><v>55</v></c><c r="C2"><v>78.4</v></c></row></sheetData>' +
      '<mergeCells count="1"><mergeCell ref="B2:C2"/></mergeCells>',
  );

/**
 * A zip whose one sheet is `mb` MB of spaces, made a megabyte at a time. `declared`: its sizes in
 * the local headers too (as Excel writes); otherwise written as a stream (sizes after the data).
 */
export function zipBomb(mb: number, { declared = false }: { declared?: boolean } = {}): Buffer {
  if (declared)
    return Buffer.from(zipSync({ 'xl/worksheets/sheet1.xml': new Uint8Array(mb * MB).fill(0x20) }, { level: 9 }));
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  const entry = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 9 });
  zip.add(entry);
  const spaces = new Uint8Array(MB).fill(0x20);
  for (let i = 0; i < mb; i++) entry.push(spaces, i === mb - 1);
  zip.end();
  return Buffer.concat(chunks);
}
