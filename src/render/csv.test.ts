import { it } from 'node:test';
import assert from 'node:assert/strict';
import { toCsv } from './csv.ts';

it('quotes cells as RFC 4180 says, with a byte order mark and CRLF', () => {
  assert.equal(
    toCsv(
      ['a', 'b'],
      [
        ['x, y', 'say "hi"'],
        [1, null],
      ],
    ),
    '\uFEFFa,b\r\n"x, y","say ""hi"""\r\n1,\r\n',
  );
});

it('writes text a spreadsheet would run as a formula with a leading apostrophe, and leaves numbers alone', () => {
  const csv = toCsv(
    ['text'],
    [
      ['=HYPERLINK("http://x","click")'],
      ['+1+2'],
      ['@SUM(A1)'],
      ['-2+3'],
      ['\tcmd'],
      ['-12.5'],
      ['+3'],
      ['-1,200'],
      [-4],
      ['12%'],
    ],
  );
  const lines = csv.slice(1).split('\r\n');
  assert.deepEqual(lines.slice(1, -1), [
    `"'=HYPERLINK(""http://x"",""click"")"`,
    "'+1+2",
    "'@SUM(A1)",
    "'-2+3",
    "'\tcmd",
    '-12.5',
    '+3',
    '"-1,200"',
    '-4',
    '12%',
  ]);
});
