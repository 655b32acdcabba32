import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  RAG_SCALE,
  TARGET_SCALE,
  checkScale,
  planScaleChange,
  ratingRank,
  scaleDiff,
  scalesOf,
  versionInForce,
  statusKeyFromLabel,
  statusTravel,
  textColourOn,
  type Status,
  type Travel,
} from './status-scale.ts';

describe('status scales', () => {
  it('ships Red/Amber/Green, best first, with a reason needed for amber and red', () => {
    assert.deepEqual(
      RAG_SCALE.map((s) => [s.label, s.commentRequired]),
      [
        ['Green', false],
        ['Amber', true],
        ['Red', true],
      ],
    );
  });
  it('gives every default status a distinct shape, so colour is never the only signal', () => {
    for (const scale of [RAG_SCALE, TARGET_SCALE]) assert.equal(new Set(scale.map((s) => s.shape)).size, scale.length);
  });
  it('accepts the On target / Behind target / Failing scale as it is', () => {
    assert.deepEqual(checkScale(TARGET_SCALE), []);
  });
  it('names the row of a duplicated key or label', () => {
    const issues = checkScale([...RAG_SCALE, { ...RAG_SCALE[0]!, label: 'green' }]);
    assert.deepEqual(
      issues.map((i) => i.field),
      ['statuses.3.key', 'statuses.3.label'],
    );
  });
  it('refuses an empty scale', () => {
    assert.equal(checkScale([])[0]?.field, 'statuses');
  });
  it('makes keys from labels', () => {
    assert.equal(statusKeyFromLabel('Behind target'), 'behind-target');
    assert.equal(statusKeyFromLabel('Gohiriwyd – ŵ'), 'gohiriwyd-w');
    assert.equal(statusKeyFromLabel('!!!'), 'status');
  });
  it('chooses text that reads on the colour', () => {
    assert.equal(textColourOn('#ffdd00'), '#0b0c0c');
    assert.equal(textColourOn('#00703c'), '#ffffff');
    assert.equal(textColourOn('#d4351c'), '#ffffff');
  });

  describe('which status each saved row is', () => {
    const before: Status[] = RAG_SCALE.map((s, position) => ({ ...s, id: `id-${s.key}`, position }));
    const [green, amber, red] = before as [Status, Status, Status];
    const row = (shown: Status | undefined, key: string, label = key) => ({
      ...(shown ?? RAG_SCALE[0]!),
      id: shown?.id,
      key,
      label,
    });
    const cases: {
      name: string;
      rows: ReturnType<typeof row>[];
      ids: (string | undefined)[];
      removed?: string[];
      rekeyed?: string[];
      renamed?: string[];
    }[] = [
      {
        name: 'keeps each status with its key when the rows are reordered',
        rows: [row(red, 'red', 'Red'), row(amber, 'amber', 'Amber'), row(green, 'green', 'Green')],
        ids: ['id-red', 'id-amber', 'id-green'],
      },
      {
        name: 'follows the key, not the row, when rows are retyped top to bottom with a new status above',
        rows: [
          row(green, 'blue', 'Blue'),
          row(amber, 'green', 'Green'),
          row(red, 'amber', 'Amber'),
          row(undefined, 'red', 'Red'),
        ],
        ids: [undefined, 'id-green', 'id-amber', 'id-red'],
      },
      {
        name: 'keeps the status shown in a row under a new key when no row keeps its key',
        rows: [row(green, 'on-target', 'On target'), row(amber, 'amber', 'Amber'), row(red, 'red', 'Red')],
        ids: ['id-green', 'id-amber', 'id-red'],
        rekeyed: ['id-green>on-target'],
        renamed: ['id-green>On target'],
      },
      {
        name: 'renames a status that keeps its key',
        rows: [row(green, 'green', 'Green'), row(amber, 'amber', 'Behind'), row(red, 'red', 'Red')],
        ids: ['id-green', 'id-amber', 'id-red'],
        renamed: ['id-amber>Behind'],
      },
      {
        name: 'removes the statuses no row keeps',
        rows: [row(green, 'green', 'Green'), row(red, 'red', 'Red')],
        ids: ['id-green', 'id-red'],
        removed: ['id-amber'],
      },
      {
        name: 'makes a new status of a row whose status another row kept by key',
        rows: [row(green, 'amber', 'Amber'), row(amber, 'late', 'Late')],
        ids: ['id-amber', undefined],
        removed: ['id-green', 'id-red'],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const change = planScaleChange(before, c.rows);
        assert.deepEqual(
          change.rows.map((r) => r.id),
          c.ids,
        );
        assert.deepEqual(
          change.removed.map((s) => s.id),
          c.removed ?? [],
        );
        assert.deepEqual(
          change.rekeyed.map((r) => `${r.status.id}>${r.key}`),
          c.rekeyed ?? [],
        );
        assert.deepEqual(
          change.renamed.map((r) => `${r.status.id}>${r.label}`),
          c.renamed ?? [],
        );
      });
    }
  });
});

describe('statuses in and out of the rating order (issue 13)', () => {
  const scale = [
    { key: 'not-started', rated: false },
    { key: 'green', rated: true },
    { key: 'amber', rated: true },
    { key: 'red', rated: true },
    { key: 'completed', rated: false },
  ];
  it('ranks only rated statuses, best first, whatever stands between them', () => {
    assert.deepEqual(
      scale.map((s) => ratingRank(scale, s.key)),
      [undefined, 0, 1, 2, undefined],
    );
  });
  const travels: [string, string, Travel][] = [
    ['red', 'green', 'improved'],
    ['green', 'amber', 'worsened'],
    ['amber', 'amber', 'unchanged'],
    ['not-started', 'green', 'not-comparable'],
    ['red', 'completed', 'not-comparable'],
    ['not-started', 'completed', 'not-comparable'],
    ['completed', 'completed', 'unchanged'],
    ['green', 'gone', 'not-comparable'],
  ];
  for (const [from, to, travel] of travels)
    it(`calls ${from} → ${to} ${travel}`, () => assert.equal(statusTravel(scale, from, to), travel));

  it('refuses a scale with no rated status, on the first row’s rating field', () => {
    const unrated = RAG_SCALE.map((s) => ({ ...s, rated: false }));
    assert.deepEqual(
      checkScale(unrated).map((i) => i.field),
      ['statuses.0.rated'],
    );
  });
  it('names the row of an unknown pattern or approval role', () => {
    const odd = [
      RAG_SCALE[0]!,
      { ...RAG_SCALE[1]!, pattern: 'tartan' as never },
      { ...RAG_SCALE[2]!, approvalRole: 'viewer' as never },
    ];
    assert.deepEqual(
      checkScale(odd).map((i) => [i.field, i.message]),
      [
        ['statuses.1.pattern', 'Status 2: choose a pattern from the list'],
        [
          'statuses.2.approvalRole',
          'Status 3: the approval must be by an accountable director or officer, a performance officer or an administrator',
        ],
      ],
    );
  });
  it('says which statuses in use change meaning: out of the order, or needing another approval', () => {
    const before: Status[] = RAG_SCALE.map((s, i) => ({ ...s, id: `id-${s.key}`, position: i }));
    const change = planScaleChange(before, [
      { ...RAG_SCALE[0]!, rated: false },
      RAG_SCALE[1]!,
      { ...RAG_SCALE[2]!, approvalRole: 'performance_officer', pattern: 'hatched' },
    ]);
    assert.deepEqual(
      change.reruled.map((r) => [r.status.key, r.rated, r.approvalRole]),
      [
        ['green', false, null],
        ['red', true, 'performance_officer'],
      ],
    );
  });
});

describe('versions of a scale by period (ADR 0014)', () => {
  const rows = (from: string | null, labels: string[]) =>
    labels.map((label, position) => ({
      ...RAG_SCALE[position % 3]!,
      key: statusKeyFromLabel(label),
      label,
      id: `${from ?? 'first'}-${position}`,
      position,
      inUseFrom: from,
    }));
  const scales = scalesOf([
    ...rows('2009-10-01', ['Green', 'Late']),
    ...rows(null, ['Green', 'Amber', 'Red']),
    ...rows('2009-04-01', ['Green', 'At risk', 'Red']),
  ]);

  it('groups statuses into versions, the first (null) before the dated ones, each in order', () => {
    assert.deepEqual(
      scales.versions.map((v) => [v.inUseFrom, v.statuses.map((s) => s.label)]),
      [
        [null, ['Green', 'Amber', 'Red']],
        ['2009-04-01', ['Green', 'At risk', 'Red']],
        ['2009-10-01', ['Green', 'Late']],
      ],
    );
    assert.equal(scales.all.length, 8);
  });
  it('gives a period the version in force at its start: the latest starting on or before it', () => {
    const labels = (startsOn?: string) =>
      scales.at(startsOn === undefined ? undefined : { startsOn }).map((s) => s.label);
    assert.deepEqual(labels('2008-10-01'), ['Green', 'Amber', 'Red'], 'before every dated version: the first');
    assert.deepEqual(labels('2009-04-01'), ['Green', 'At risk', 'Red'], 'from the day it starts');
    assert.deepEqual(labels('2009-07-01'), ['Green', 'At risk', 'Red']);
    assert.deepEqual(labels('2010-01-01'), ['Green', 'Late']);
    assert.deepEqual(labels(), ['Green', 'Late'], 'no period: the newest');
    assert.equal(versionInForce([], '2009-04-01'), undefined);
  });
  it('lists what a change does, status by status, and nothing for the same scale', () => {
    const before = scales.at({ startsOn: '2009-04-01' });
    const same = before.map(({ position: _p, ...s }) => s);
    assert.deepEqual(scaleDiff(before, planScaleChange(before, same)), []);
    const changed = planScaleChange(before, [
      { ...same[2]!, rated: false, approvalRole: 'administrator' },
      { ...same[1]!, label: 'Behind', key: 'behind', colour: '#000000', commentRequired: false },
      { ...same[0]!, id: undefined, key: 'done', label: 'Done' },
    ]);
    assert.deepEqual(
      scaleDiff(before, changed).map((d) => [d.kind, 'status' in d ? d.status.label : '']),
      [
        ['rated', 'Red'],
        ['approval', 'Red'],
        ['renamed', 'At risk'],
        ['rekeyed', 'At risk'],
        ['comment', 'At risk'],
        ['looks', 'At risk'],
        ['added', 'Done'],
        ['removed', 'Green'],
        ['order', ''],
      ],
    );
  });
});
