import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buffer } from 'node:stream/consumers';
import { ValidationError } from '../domain/errors.ts';
import {
  CsvSyntaxError,
  decodeText,
  guardFormula,
  readCsv,
  unguardFormula,
  writeCsv,
  writeCsvParts,
  writeCsvTurning,
} from './csv.ts';

/** The bytes a stream wrote, as text with its byte order mark (a TextDecoder would drop it). */
const streamText = async (stream: NodeJS.ReadableStream) => (await buffer(stream)).toString('utf8');

const cellsOf = (input: Uint8Array | string) => readCsv(input).map((r) => r.cells);

/** Text as Windows-1252 bytes: ASCII, and the few letters these tests use beyond it. */
const CP1252: Record<string, number> = { '£': 0xa3, '–': 0x96, é: 0xe9, '€': 0x80, ŵ: 0x3f };
const windows1252 = (s: string) =>
  Buffer.from([...s].map((c) => (c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : CP1252[c]!)));
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]);
const utf8bom = (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')]);

describe('reading CSV', () => {
  const cases: { name: string; input: string; rows: string[][] }[] = [
    {
      name: 'plain cells and LF',
      input: 'a,b\nc,d\n',
      rows: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    },
    {
      name: 'CRLF and a byte order mark',
      input: '\uFEFFa,b\r\nc,d\r\n',
      rows: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    },
    {
      name: 'old Mac CR line ends',
      input: 'a,b\rc,d\r',
      rows: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    },
    { name: 'line ends of every kind in one file', input: 'a\r\nb\nc\rd', rows: [['a'], ['b'], ['c'], ['d']] },
    {
      name: 'quoted commas, quotes and line breaks',
      input: '"x, y","say ""hi""","two\r\nlines"\r\nz,,',
      rows: [
        ['x, y', 'say "hi"', 'two\r\nlines'],
        ['z', '', ''],
      ],
    },
    { name: 'no final line break', input: 'a', rows: [['a']] },
    { name: 'an empty file', input: '', rows: [] },
    { name: 'a blank line in the middle', input: 'a\n\nb', rows: [['a'], [''], ['b']] },
    { name: 'blank CRLF lines', input: 'a\r\n\r\nb\r\n', rows: [['a'], [''], ['b']] },
    {
      name: 'ragged rows as they are',
      input: 'a,b,c\nd\ne,f,g,h\n',
      rows: [['a', 'b', 'c'], ['d'], ['e', 'f', 'g', 'h']],
    },
    {
      name: 'spaces around cells dropped, but not inside quotes',
      input: ' a , "b, c" ,"  d  "\n',
      rows: [['a', 'b, c', '  d  ']],
    },
    { name: 'an apostrophe kept as written', input: "'=SUM(A1),'-2\n", rows: [["'=SUM(A1)", "'-2"]] },
  ];
  for (const c of cases) it(`reads ${c.name}`, () => assert.deepEqual(cellsOf(c.input), c.rows));

  it('numbers each row as a spreadsheet does, a cell with line breaks in it being one row', () => {
    assert.deepEqual(
      readCsv('h\n"two\nlines"\n\nlast').map((r) => [r.number, r.cells]),
      [
        [1, ['h']],
        [2, ['two\nlines']],
        [3, ['']],
        [4, ['last']],
      ],
    );
  });

  const errors: { name: string; input: string; row: number; line: number; message: string }[] = [
    {
      name: 'a quoted cell never closed',
      input: 'a\n"b,c\n',
      row: 2,
      line: 2,
      message: 'Row 2: A quoted cell is never closed: check for a missing " in this row',
    },
    {
      name: 'a quoted cell never closed after a cell with a line break',
      input: 'a\n"b\nc"\nd,"e\nf\n',
      row: 3,
      line: 4,
      message: 'Row 3 (line 4 of the file): A quoted cell is never closed: check for a missing " in this row',
    },
    {
      name: 'a stray quote in a cell without quotes',
      input: 'pipe,size\ncopper,12" long\n',
      row: 2,
      line: 2,
      message:
        'Row 2: A cell that is not in quotes has a " in it: put the whole cell in quotes and write each " inside it twice ("")',
    },
    {
      name: 'text after a closing quote',
      input: 'a\nb\n"say "hi"",c\n',
      row: 3,
      line: 3,
      message:
        'Row 3: A quoted cell has more text after its closing quote: write each " inside a quoted cell twice ("")',
    },
  ];
  for (const e of errors)
    it(`refuses ${e.name} as a ValidationError naming the row`, () => {
      assert.throws(
        () => readCsv(e.input),
        (error: unknown) => {
          assert.ok(error instanceof CsvSyntaxError && error instanceof ValidationError);
          assert.equal(error.code, 'VALIDATION_FAILED');
          assert.deepEqual([error.row, error.line], [e.row, e.line]);
          assert.deepEqual(error.issues, [{ field: 'file', message: e.message }]);
          assert.doesNotMatch(error.message, /csv|quote/i, 'the summary is Amber’s, not the library’s');
          return true;
        },
      );
    });
});

describe('decoding an upload', () => {
  const TEXT = 'PI No,Commentary\r\nNI 179,Cost £5 per call – café\r\n';
  const encodings: { name: string; bytes: Buffer }[] = [
    { name: 'UTF-8', bytes: Buffer.from(TEXT, 'utf8') },
    { name: 'UTF-8 with a byte order mark', bytes: utf8bom(TEXT) },
    { name: 'UTF-16 LE with a byte order mark', bytes: utf16le(TEXT) },
    { name: 'UTF-16 BE with a byte order mark', bytes: utf16be(TEXT) },
    { name: 'Windows-1252 (Excel’s "CSV (Comma delimited)")', bytes: windows1252(TEXT) },
  ];
  for (const e of encodings) {
    it(`reads ${e.name} as the same text, without a byte order mark`, () => {
      assert.equal(decodeText(e.bytes), TEXT);
      assert.deepEqual(cellsOf(e.bytes), [
        ['PI No', 'Commentary'],
        ['NI 179', 'Cost £5 per call – café'],
      ]);
    });
  }

  it('keeps UTF-8 when the file says it is UTF-8, even with a broken byte', () => {
    assert.equal(decodeText(Buffer.concat([utf8bom('a'), Buffer.from([0xa3])])), 'a\uFFFD');
  });

  it('reads the euro sign of Windows-1252', () => {
    assert.equal(decodeText(Buffer.from([0x80, 0x35])), '€5');
  });

  it('reads any text written as UTF-8 or UTF-16 back the same', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const text = s.replace(/^\uFEFF/, '');
        assert.equal(decodeText(Buffer.from(text, 'utf8')), text);
        assert.equal(decodeText(utf8bom(text)), text);
        assert.equal(decodeText(utf16le(text)), text);
        assert.equal(decodeText(utf16be(text)), text);
      }),
    );
  });
});

describe('writing CSV', () => {
  it('quotes cells as RFC 4180 says, with a byte order mark and CRLF', () => {
    assert.equal(
      writeCsv(
        ['a', 'b'],
        [
          ['x, y', 'say "hi"'],
          [1, null],
          ['£1,000 – ŵ', undefined],
          [' padded', 'line\nbreak'],
          ['carriage\rreturn', 'tail '],
        ],
      ),
      '\uFEFFa,b\r\n"x, y","say ""hi"""\r\n1,\r\n"£1,000 – ŵ",\r\n" padded","line\nbreak"\r\n"carriage\rreturn","tail "\r\n',
    );
  });

  // The one rule: a text cell a spreadsheet would run gets an apostrophe; plain numbers do not.
  const formulas: [string, string][] = [
    ['=HYPERLINK("http://x","click")', `'=HYPERLINK("http://x","click")`],
    ['+1+2', "'+1+2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['-2+3', "'-2+3"],
    ['-3 days', "'-3 days"],
    ['-(1+2)', "'-(1+2)"],
    ['\tcmd', "'\tcmd"],
    ['\r=cmd', "'\r=cmd"],
    ['-12.5', '-12.5'],
    ['+3', '+3'],
    ['-1,200', '-1,200'],
    ['-£250', '-£250'],
    ['-.5', '-.5'],
    ['12%', '12%'],
    ['-12.5%', '-12.5%'],
    ['a=b', 'a=b'],
    ["'=already", "'=already"],
    ['', ''],
  ];
  for (const [cell, written] of formulas)
    it(`writes ${JSON.stringify(cell)} as ${JSON.stringify(written)}`, () => {
      assert.equal(guardFormula(cell), written);
      assert.deepEqual(cellsOf(writeCsv(['h'], [[cell]])), [['h'], [written === '' ? '' : written]]);
    });

  it('never touches numbers written as numbers, nor the header’s text by another rule', () => {
    assert.equal(writeCsv(['-x', '=y'], [[-4, 1.5]]), "\uFEFF'-x,'=y\r\n-4,1.5\r\n");
  });

  it('writes a file a part at a time as the same bytes as the whole file', async () => {
    const cell = fc.oneof(fc.string(), fc.integer(), fc.constant(null));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { maxLength: 4 }), { maxLength: 4 }),
        async (parts) => {
          const written = await streamText(
            writeCsvParts(
              ['a', '=b'],
              (async function* () {
                yield* parts;
              })(),
            ),
          );
          assert.equal(written, writeCsv(['a', '=b'], parts.flat()));
        },
      ),
    );
  });

  it('writes the same file letting the event loop turn, for any rows', async () => {
    const cell = fc.oneof(fc.string(), fc.integer(), fc.constant(null));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { maxLength: 1200 }), async (rows) => {
        assert.equal(await writeCsvTurning(['a', '=b'], rows), writeCsv(['a', '=b'], rows));
      }),
      { numRuns: 20 },
    );
    // 40,000 rows take some tens of milliseconds to write: a 1 ms timer runs meanwhile.
    const rows = Array.from({ length: 40_000 }, (_, i) => [`PI ${i}`, i, i % 3 ? 'Comment, with "quotes"' : null]);
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 1);
    const start = performance.now();
    try {
      await writeCsvTurning(['PI No', 'Actual', 'Commentary'], rows);
    } finally {
      clearInterval(timer);
    }
    const end = performance.now();
    assert.ok(
      ticks.some((x) => x > start && x < end),
      `the loop turned while ${Math.round(end - start)} ms of rows were written`,
    );
  });

  it('ends a file written in parts with the error of a part that failed, not as if it were whole', async () => {
    const parts = (async function* () {
      yield [['one']];
      throw new Error('the database went away');
    })();
    await assert.rejects(streamText(writeCsvParts(['h'], parts)), /the database went away/);
  });

  it('drops the apostrophe again on reading only where it guards a formula', () => {
    assert.deepEqual(["'=SUM(A1)", "'-2+3", "'\tcmd", "'quoted", "it's", "''=x"].map(unguardFormula), [
      '=SUM(A1)',
      '-2+3',
      '\tcmd',
      "'quoted",
      "it's",
      "''=x",
    ]);
  });
});

describe('writing then reading', () => {
  // Cells made of the characters that matter to CSV and to spreadsheets, and of any text at all.
  const tricky = fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '1',
      '.',
      '%',
      ' ',
      '\t',
      '\u00a0',
      ',',
      '"',
      '\r',
      '\n',
      '=',
      '+',
      '-',
      '@',
      "'",
      '£',
      'é',
      'ŵ',
      '\uFEFF',
    ),
    maxLength: 8,
  });
  const cell = fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 8 }));
  const row = fc.array(cell, { minLength: 1, maxLength: 5 });
  const table = fc.tuple(row, fc.array(row, { maxLength: 6 }));

  it('reads any table of text back as written, formula cells with their apostrophe', () => {
    fc.assert(
      fc.property(table, ([header, rows]) => {
        const back = cellsOf(writeCsv(header, rows));
        assert.deepEqual(
          back,
          [header, ...rows].map((r) => r.map(guardFormula)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('reads any table of text back exactly once the apostrophes are dropped', () => {
    const written = (s: string) => !/^'[=+\-@\t\r]/.test(s);
    fc.assert(
      fc.property(table, ([header, rows]) => {
        fc.pre([header, ...rows].every((r) => r.every(written)));
        const back = cellsOf(Buffer.from(writeCsv(header, rows), 'utf8')).map((r) => r.map(unguardFormula));
        assert.deepEqual(back, [header, ...rows]);
      }),
      { numRuns: 500 },
    );
  });
});
