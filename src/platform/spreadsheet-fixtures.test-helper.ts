// Hostile and hand-made spreadsheets for the tests and the bench (issue 10): a minimal XLSX
// written by hand (so a test can put in it what Excel would never write: a merged cell that still
// holds a value of its own), and zip bombs made of one compressed megabyte repeated.

import { constants, crc32, deflateRawSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';

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
 * A zip whose one sheet is `mb` MB of spaces. `declared`: its sizes in the local header too (as
 * Excel writes); otherwise written as a stream (sizes after the data, in a data descriptor).
 *
 * A megabyte of spaces is deflated once, ending in a full flush (no final block, nothing carried
 * over to what follows), so the same bytes repeated `mb` times are the deflated stream of `mb` MB,
 * closed by an empty final block. Deflating every megabyte took ~15 ms of CPU each here (fflate):
 * 4.5 s for the 300 MB bomb, made on each engine.
 */
export function zipBomb(mb: number, { declared = false }: { declared?: boolean } = {}): Buffer {
  const spaces = Buffer.alloc(MB, 0x20);
  const megabyte = deflateRawSync(spaces, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const data = Buffer.concat([...Array.from({ length: mb }, () => megabyte), deflateRawSync(Buffer.alloc(0))]);
  let crc = 0;
  for (let i = 0; i < mb; i++) crc = crc32(spaces, crc);
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const size = mb * MB;
  const flags = declared ? 0 : 0x0008; // bit 3: sizes and CRC follow the data
  const dosDate = (1 << 5) | 1; // 1 January 1980, midnight

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  local.writeUInt16LE(flags, 6);
  local.writeUInt16LE(8, 8); // deflated
  local.writeUInt16LE(0, 10);
  local.writeUInt16LE(dosDate, 12);
  if (declared) {
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
  }
  local.writeUInt16LE(name.length, 26);

  const descriptor = Buffer.alloc(declared ? 0 : 16);
  if (!declared) {
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(data.length, 8);
    descriptor.writeUInt32LE(size, 12);
  }

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // made by
  central.writeUInt16LE(20, 6); // needed
  central.writeUInt16LE(flags, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(0, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  // Extra field, comment, disk, attributes and the local header's offset (0) stay zero.

  const entry = local.length + name.length + data.length + descriptor.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8); // entries on this disk
  end.writeUInt16LE(1, 10); // entries in all
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(entry, 16);
  return Buffer.concat([local, name, data, descriptor, central, name, end]);
}
