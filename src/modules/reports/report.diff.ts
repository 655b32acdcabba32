// What changed between two versions of a report, field by field, in words a reader follows:
// the summary, the status, its reason, achievements, challenges, key actions and milestones.
// Used for revisions (published snapshot against published snapshot, or against the draft), for
// "since the last period's report", and to tell someone whose save was refused what the other
// person changed. Pure: it compares plain content, never rows.

import type { ReportSnapshot } from '../../domain/report-snapshot.ts';
import { formatTimescale } from '../../domain/timescale.ts';

/** A report's content as comparable text. */
export interface ReportContent {
  summary: string;
  /** The status label, or "Not assessed". */
  status: string;
  statusReason: string;
  achievements: string[];
  challenges: string[];
  actions: { description: string; contributors: string[]; milestones: string[] }[];
}

export type ChangedField =
  | 'summary'
  | 'status'
  | 'statusReason'
  | 'achievements'
  | 'challenges'
  | 'actions'
  | 'milestones'
  /** Workflow fields, named by the history pages only. */
  | 'state'
  | 'revision'
  | 'signOff';

export interface FieldChange {
  field: ChangedField;
  /** "Overall summary", "Status"... */
  label: string;
  /** The whole field before and after, as text (lists one item per line). */
  before: string;
  after: string;
  /** For lists: the lines added and removed. */
  added: string[];
  removed: string[];
}

export const FIELD_LABELS: Record<ChangedField, string> = {
  summary: 'Overall summary',
  status: 'Status',
  statusReason: 'Reason for the status',
  achievements: 'Achievements',
  challenges: 'Challenges/Risks',
  actions: 'Key actions',
  milestones: 'Milestones',
  state: 'State',
  revision: 'Revision',
  signOff: 'Sign-off',
};

export const NOT_ASSESSED = 'Not assessed';

/** A snapshot's content as comparable text (a published revision, or a live report frozen). */
export function contentOfSnapshot(v: ReportSnapshot): ReportContent {
  return {
    summary: v.report.summary,
    status: v.report.status?.label ?? NOT_ASSESSED,
    statusReason: v.report.statusReason,
    achievements: [...v.report.achievements],
    challenges: [...v.report.challenges],
    actions: v.report.actions.map((a) => ({
      description: a.description,
      contributors: [...a.contributors],
      milestones: a.milestones.map((m) => `${m.description} – ${formatTimescale(m.timescale)}`),
    })),
  };
}

/** Items of `a` not in `b`, counting repeats (so a duplicated line added once shows once). */
function minus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

const actionLine = (a: ReportContent['actions'][number], i: number) =>
  `${i + 1}. ${a.description}${a.contributors.length ? ` (${a.contributors.join(', ')})` : ''}`;
const milestoneLines = (c: ReportContent) =>
  c.actions.flatMap((a, i) => a.milestones.map((m) => `Action ${i + 1}: ${m}`));

/** The fields that differ, in the report's order; empty when nothing changed. */
export function diffContent(before: ReportContent, after: ReportContent): FieldChange[] {
  const changes: FieldChange[] = [];
  const text = (field: ChangedField, a: string, b: string) => {
    if (a !== b) changes.push({ field, label: FIELD_LABELS[field], before: a, after: b, added: [], removed: [] });
  };
  const list = (field: ChangedField, a: string[], b: string[]) => {
    if (a.length === b.length && a.every((x, i) => x === b[i])) return;
    changes.push({
      field,
      label: FIELD_LABELS[field],
      before: a.join('\n'),
      after: b.join('\n'),
      added: minus(b, a),
      removed: minus(a, b),
    });
  };
  text('summary', before.summary, after.summary);
  text('status', before.status, after.status);
  text('statusReason', before.statusReason, after.statusReason);
  list('achievements', before.achievements, after.achievements);
  list('challenges', before.challenges, after.challenges);
  list('actions', before.actions.map(actionLine), after.actions.map(actionLine));
  list('milestones', milestoneLines(before), milestoneLines(after));
  return changes;
}

export const diffSnapshots = (before: ReportSnapshot, after: ReportSnapshot): FieldChange[] =>
  diffContent(contentOfSnapshot(before), contentOfSnapshot(after));

/** "the overall summary, the status (Green → Amber) and key actions": one line for a message. */
export function describeChanges(changes: FieldChange[]): string {
  if (changes.length === 0) return 'nothing you can see in the text (the order or a detail)';
  const parts = changes.map((c) =>
    c.field === 'status' ? `the status (${c.before} → ${c.after})` : c.label.toLowerCase(),
  );
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
