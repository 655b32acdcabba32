// What became of a milestone set in an earlier report: met (on a date), slipped (the original
// timescale is kept and a revised one added), missed or suspended. Slipped, missed and
// suspended need a reason. A milestone with no progress whose timescale has passed is overdue.

import { type IsoDate, formatDate } from './dates.ts';
import { type Timescale, formatTimescale, timescaleDeadline } from './timescale.ts';

export type MilestoneProgress =
  | { kind: 'met'; on: IsoDate; note: string }
  | { kind: 'slipped'; revised: Timescale; reason: string }
  | { kind: 'missed'; reason: string }
  | { kind: 'suspended'; reason: string };

export type ProgressKind = MilestoneProgress['kind'];

export const PROGRESS_LABELS: Record<ProgressKind | 'overdue' | 'due', string> = {
  met: 'Met',
  slipped: 'Slipped',
  missed: 'Missed',
  suspended: 'Suspended',
  overdue: 'Overdue',
  due: 'Not yet due',
};

/** A text symbol for each state, so the state never depends on colour. */
export const PROGRESS_SYMBOLS: Record<ProgressKind | 'overdue' | 'due', string> = {
  met: '✔',
  slipped: '↷',
  missed: '✖',
  suspended: '‖',
  overdue: '!',
  due: '…',
};

export function isOverdue(timescale: Timescale, progress: MilestoneProgress | null, today: IsoDate): boolean {
  const deadline = progress?.kind === 'slipped' ? timescaleDeadline(progress.revised) : timescaleDeadline(timescale);
  return (progress === null || progress.kind === 'slipped') && deadline < today;
}

/** One sentence a reader of the next report understands. */
export function describeProgress(timescale: Timescale, progress: MilestoneProgress | null, today: IsoDate): string {
  const due = formatTimescale(timescale);
  if (!progress) return isOverdue(timescale, null, today) ? `Overdue: due ${due}, no progress recorded` : `Due ${due}`;
  switch (progress.kind) {
    case 'met':
      return `Met on ${formatDate(progress.on)} (due ${due})${progress.note ? `. ${progress.note}` : ''}`;
    case 'slipped':
      return `Slipped from ${due} to ${formatTimescale(progress.revised)}: ${progress.reason}`;
    case 'missed':
      return `Missed (due ${due}): ${progress.reason}`;
    case 'suspended':
      return `Suspended (was due ${due}): ${progress.reason}`;
  }
}
