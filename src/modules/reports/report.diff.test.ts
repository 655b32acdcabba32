import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffContent, describeChanges, type ReportContent } from './report.diff.ts';

const base: ReportContent = {
  summary: 'Joined DECATS.',
  status: 'Green',
  statusReason: '',
  achievements: ['Diagnostic started', 'Board agreed'],
  challenges: ['Capacity'],
  actions: [
    { description: 'Finalise contract', contributors: ['Arfan Hanif'], milestones: ['Contract agreed – Nov 2009'] },
  ],
};

describe('what changed between two revisions of a report', () => {
  it('finds nothing when nothing changed', () => {
    assert.deepEqual(diffContent(base, structuredClone(base)), []);
  });

  const cases: {
    name: string;
    change: (c: ReportContent) => void;
    expect: { field: string; before?: string; after?: string; added?: string[]; removed?: string[] }[];
  }[] = [
    {
      name: 'the summary as text before and after',
      change: (c) => {
        c.summary = 'Joined DECATS in November.';
      },
      expect: [{ field: 'summary', before: 'Joined DECATS.', after: 'Joined DECATS in November.' }],
    },
    {
      name: 'the status and its reason',
      change: (c) => {
        c.status = 'Amber';
        c.statusReason = 'Slipped a month';
      },
      expect: [
        { field: 'status', before: 'Green', after: 'Amber' },
        { field: 'statusReason', before: '', after: 'Slipped a month' },
      ],
    },
    {
      name: 'achievements added and removed, line by line',
      change: (c) => {
        c.achievements = ['Board agreed', 'Baseline done'];
      },
      expect: [{ field: 'achievements', added: ['Baseline done'], removed: ['Diagnostic started'] }],
    },
    {
      name: 'achievements reordered, with nothing added or removed',
      change: (c) => {
        c.achievements = ['Board agreed', 'Diagnostic started'];
      },
      expect: [
        {
          field: 'achievements',
          added: [],
          removed: [],
          before: 'Diagnostic started\nBoard agreed',
          after: 'Board agreed\nDiagnostic started',
        },
      ],
    },
    {
      name: 'a key action and its contributors',
      change: (c) => {
        c.actions[0]!.contributors = ['Arfan Hanif', 'Local Partnerships'];
      },
      expect: [
        {
          field: 'actions',
          added: ['1. Finalise contract (Arfan Hanif, Local Partnerships)'],
          removed: ['1. Finalise contract (Arfan Hanif)'],
        },
      ],
    },
    {
      name: 'a milestone’s timescale, apart from its action',
      change: (c) => {
        c.actions[0]!.milestones = ['Contract agreed – Dec 2009'];
      },
      expect: [
        {
          field: 'milestones',
          added: ['Action 1: Contract agreed – Dec 2009'],
          removed: ['Action 1: Contract agreed – Nov 2009'],
        },
      ],
    },
  ];
  for (const c of cases) {
    it(`names ${c.name}`, () => {
      const after = structuredClone(base);
      c.change(after);
      const changes = diffContent(base, after);
      assert.deepEqual(
        changes.map((x) => x.field),
        c.expect.map((x) => x.field),
      );
      c.expect.forEach((e, i) => {
        for (const k of ['before', 'after', 'added', 'removed'] as const)
          if (e[k] !== undefined) assert.deepEqual(changes[i]![k], e[k], `${e.field}.${k}`);
      });
    });
  }

  it('counts a repeated line once per repeat', () => {
    const changes = diffContent({ ...base, achievements: ['a'] }, { ...base, achievements: ['a', 'a'] });
    assert.deepEqual(changes[0]!.added, ['a']);
    assert.deepEqual(changes[0]!.removed, []);
  });

  it('says the changes in one line for a refused save', () => {
    const after = structuredClone(base);
    after.summary = 'x';
    after.status = 'Red';
    after.challenges = [];
    assert.equal(
      describeChanges(diffContent(base, after)),
      'overall summary, the status (Green → Red) and challenges/risks',
    );
  });
});
