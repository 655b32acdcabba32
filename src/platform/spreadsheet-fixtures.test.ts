// The zip bombs the hostile-input tests upload are true zips: what each unpacks to is what its
// headers say, and its CRC is right, so a reader refusing one refuses it for its size alone.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { zipBomb } from './spreadsheet-fixtures.test-helper.ts';

/** Every entry unpacked: its name, sizes and CRC as the central directory gives them, and as read. */
function unpack(
  zip: Buffer,
): Promise<
  { name: string; declared: number; crc: number; read: number; readCrc: number; spaces: boolean; flags: number }[]
> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error) return reject(error);
      const entries: Awaited<ReturnType<typeof unpack>> = [];
      file.on('error', reject);
      file.on('end', () => resolve(entries));
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (openError, stream) => {
          if (openError) return reject(openError);
          let read = 0;
          let readCrc = 0;
          let spaces = true;
          stream.on('data', (chunk: Buffer) => {
            read += chunk.length;
            readCrc = crc32(chunk, readCrc);
            if (spaces && chunk.some((byte) => byte !== 0x20)) spaces = false;
          });
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({
              name: entry.fileName,
              declared: entry.uncompressedSize,
              crc: entry.crc32,
              read,
              readCrc,
              spaces,
              flags: entry.generalPurposeBitFlag,
            });
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

describe('the zip bombs of the hostile-input tests', () => {
  for (const declared of [false, true]) {
    it(`unpacks to the megabytes of spaces its headers say, its CRC right (${declared ? 'sizes declared up front' : 'written as a stream'})`, async () => {
      const bomb = zipBomb(5, { declared });
      assert.ok(bomb.length < 10 * 1024, `${bomb.length} bytes for 5 MB`);
      const [entry, ...more] = await unpack(bomb);
      assert.deepEqual(more, []);
      assert.equal(entry!.name, 'xl/worksheets/sheet1.xml');
      assert.equal(entry!.declared, 5 * 1024 * 1024);
      assert.equal(entry!.read, entry!.declared);
      assert.equal(entry!.readCrc, entry!.crc);
      assert.ok(entry!.spaces, 'nothing but spaces');
      assert.equal(entry!.flags & 0x0008, declared ? 0 : 0x0008, 'sizes after the data only when streamed');
    });
  }
});
