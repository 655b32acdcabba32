// The definitions layout: each row read through the form's parser, every problem by row and column.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  readDefinitionRows,
  definitionSheet,
  DEFINITION_COLUMNS,
  DEFINITION_EXAMPLE,
  type DefinitionContext,
} from './indicator-definitions.ts';
import { problemText } from './indicator-transfer.ts';
import { readCsv } from '../../platform/csv.ts';
import { readDefinition, type Indicator } from './indicator.service.ts';

const PERSON = { id: '00000000-0000-4000-8000-000000000001', name: 'Jo Bloggs' };
const PRIORITY = { id: '00000000-0000-4000-8000-000000000002', code: 'CP1' };
const existing: Indicator & { hasValues: boolean } = {
  id: '00000000-0000-4000-8000-000000000003',
  code: 'NI 179',
  title: 'Calls',
  description: '',
  unitKind: 'percentage',
  decimalPlaces: 1,
  polarity: 'higher',
  frequency: 'quarterly',
  ytdMethod: 'average',
  ruleKind: 'percent',
  ruleValue: 500,
  chartKind: 'bar',
  ownerId: null,
  ownerName: null,
  dataSource: '',
  sharedCode: null,
  baseline: null,
  version: 3,
  priorityIds: [],
  hasValues: true,
};
const context: DefinitionContext = {
  existing: [existing],
  people: [PERSON],
  priorities: [PRIORITY],
  parse: readDefinition,
};
const HEADER = DEFINITION_COLUMNS.map((c) => c.name).join(',');
const read = (csv: string) => readDefinitionRows(readCsv(csv), context);
const problems = (csv: string) => read(csv).problems.map(problemText);

describe('reading indicator definitions', () => {
  it('reads a new indicator with labels, an owner by name, priority codes and a baseline', () => {
    const { writes, problems: p } = read(
      `${HEADER}\nBV 8,Invoices paid on time,,Percentage (%),1,Higher,Monthly,Latest,2,jo bloggs,cp1 ;,Finance system,92.5\n`,
    );
    assert.deepEqual(p, []);
    assert.equal(writes.length, 1);
    const v = writes[0]!.definition.values;
    assert.deepEqual(
      [
        v.code,
        v.unitKind,
        v.decimalPlaces,
        v.polarity,
        v.frequency,
        v.ytdMethod,
        v.ruleKind,
        v.ruleValue,
        v.ownerId,
        v.baseline,
      ],
      ['BV 8', 'percentage', 1, 'higher', 'monthly', 'latest', 'absolute', 20, PERSON.id, 925],
    );
    assert.deepEqual(writes[0]!.definition.priorityIds, [PRIORITY.id]);
    assert.equal(writes[0]!.existing, undefined);
  });

  it('accepts the unit keys as well as the labels, and a percentage tolerance', () => {
    const { writes, problems: p } = read(
      `${HEADER}\nX1,Cost,,money,,Lower,Annual,Sum,5%,,,,"£1,200"\nX2,Rate,,per 1,000,0,n/a,Quarterly,None,,,,,\n`.replace(
        'per 1,000',
        '"per 1,000"',
      ),
    );
    assert.deepEqual(p, []);
    assert.deepEqual(
      writes.map((w) => [
        w.definition.values.unitKind,
        w.definition.values.ruleKind,
        w.definition.values.ruleValue,
        w.definition.values.baseline,
      ]),
      [
        ['money', 'percent', 500, 120000],
        ['per-1000', null, null, null],
      ],
    );
  });

  it('suggests the column a mistyped header meant', () => {
    assert.deepEqual(problems('PI No,Titel,Unit,Good is?,Frequency\nX1,A,Number,Higher,Annual\n'), [
      "Row 1, column Titel: Column 'Titel' is not a column Amber knows: did you mean 'Title'?",
      'Row 1: There is no Title column: the header row needs one, as in the template',
    ]);
  });

  for (const [name, row, expected] of [
    [
      'a bad unit',
      'X1,A,,Litres,0,Higher,Annual,,,,,,',
      "Row 2, column Unit: 'Litres' is not a Unit Amber knows: use Number, Percentage (%), Money (£), Days, Hours, Ratio, Rate per 1,000",
    ],
    [
      'an unknown owner',
      'X1,A,,Number,0,Higher,Annual,,,Sam Nobody,,,',
      "Row 2, column Owner: There is no one called 'Sam Nobody' in Amber: add them under People first, or check the spelling",
    ],
    [
      'an unknown priority code',
      'X1,A,,Number,0,Higher,Annual,,,,CP1; CP9,,',
      'Row 2, column Priorities: There is no priority CP9 in Amber: check the codes, separated by ;',
    ],
    [
      'a change of unit once values exist',
      'NI 179,Calls,,Number,1,Higher,Quarterly,,,,,,',
      'Row 2, column Unit: The unit of NI 179 cannot change once values are recorded: the stored values would change meaning',
    ],
  ] as const) {
    it(`reports ${name} on its row and column, and writes nothing`, () => {
      const result = read(`${HEADER}\n${row}\nX2,Fine,,Number,0,Higher,Annual,,,,,,\n`);
      assert.deepEqual(result.problems.map(problemText), [expected]);
      assert.deepEqual(result.writes, []);
    });
  }

  it('reports a PI No given twice', () => {
    assert.deepEqual(problems(`${HEADER}\nX1,A,,Number,0,Higher,Annual,,,,,,\nx1,B,,Number,0,Higher,Annual,,,,,,\n`), [
      'Row 3, column PI No: x1 is also in row 2: give each indicator one row',
    ]);
  });

  it('names the form’s own problems by column: a missing title, a bad baseline', () => {
    assert.deepEqual(
      problems(`${HEADER}\nX1,,,Number,0,Higher,Annual,,,,,,\nX2,B,,Number,0,Higher,Annual,,,,,,lots\n`).map((p) =>
        p.replace(/:.*$/, ''),
      ),
      ['Row 2, column Title', 'Row 3, column Baseline'],
    );
  });

  it('updates an indicator by PI No, keeping what the file leaves out', () => {
    const { writes, problems: p } = read(
      'PI No,Title,Unit,Good is?,Frequency\nni 179,Calls answered,Percentage,Higher,Quarterly\n',
    );
    assert.deepEqual(p, []);
    assert.equal(writes[0]!.existing?.id, existing.id);
    assert.deepEqual(
      [
        writes[0]!.definition.values.title,
        writes[0]!.definition.values.chartKind,
        writes[0]!.definition.values.ytdMethod,
        writes[0]!.definition.values.ruleValue,
      ],
      ['Calls answered', 'bar', 'average', 500],
    );
  });

  it('writes a sheet that reads back to the same definitions, and a template whose example reads', () => {
    const sheet = definitionSheet(
      [
        {
          ...existing,
          baseline: 915,
          sharedCode: 'LGI-179',
          ownerId: PERSON.id,
          ownerName: PERSON.name,
          priorityIds: [PRIORITY.id],
        },
      ],
      new Map([[PRIORITY.id, PRIORITY.code]]),
    );
    const csv = sheet.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n');
    const { writes, problems: p } = read(csv);
    assert.deepEqual(p, []);
    assert.deepEqual(writes[0]!.definition.values, {
      code: 'NI 179',
      title: 'Calls',
      description: '',
      unitKind: 'percentage',
      decimalPlaces: 1,
      polarity: 'higher',
      frequency: 'quarterly',
      ytdMethod: 'average',
      ruleKind: 'percent',
      ruleValue: 500,
      sharedCode: 'LGI-179',
      chartKind: 'bar',
      ownerId: PERSON.id,
      dataSource: '',
      baseline: 915,
    });
    assert.deepEqual(
      readDefinitionRows(readCsv(`${HEADER}\n${DEFINITION_EXAMPLE.map((c) => `"${c}"`).join(',')}\n`), {
        ...context,
        existing: [],
      }).problems,
      [],
    );
  });
});
