// History entries → what the pages and the CSV show: when, who, what record, what it was,
// and each changed field before → after in words (never raw JSON on the page).

import { formatDate, type IsoDate } from '../../domain/dates.ts';
import type { HistoryEntry } from './history.service.ts';

const RECORDS: Record<string, string> = {
  progress_report: 'Progress report',
  milestone: 'Milestone',
  priority: 'Priority',
  risk: 'Risk',
  person: 'Person',
  organisation: 'Organisation',
  plan: 'Plan',
  theme: 'Theme',
  reporting_period: 'Reporting period',
  status: 'Status scale',
  indicator: 'Indicator',
  indicator_value: 'Indicator value',
};
const ACTIONS: Record<string, string> = {
  create: 'Created',
  update: 'Changed',
  delete: 'Removed',
  move: 'Moved',
  import: 'Imported',
};

export const recordLabel = (entity: string) =>
  RECORDS[entity] ?? entity.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** "22 October 2009 at 14:05 UTC" */
export const whenOf = (d: Date) =>
  `${formatDate(d.toISOString().slice(0, 10) as IsoDate)} at ${d.toISOString().slice(11, 16)} UTC`;

export function presentEntries(entries: HistoryEntry[]) {
  return entries.map((e) => ({
    id: e.id,
    when: whenOf(e.occurredAt),
    iso: e.occurredAt.toISOString(),
    who: e.actor,
    record: recordLabel(e.entity),
    action: ACTIONS[e.action] ?? e.action,
    what: e.what === e.action ? '' : e.what,
    changes: e.changes,
  }));
}

export const CSV_HEADER = [
  'Time (UTC)',
  'Who',
  'Record',
  'Record id',
  'Action',
  'What',
  'Changes',
  'Before (JSON)',
  'After (JSON)',
];

/** One CSV row per event: the readable changes, and the stored before and after in full for auditors. */
export function csvRows(entries: HistoryEntry[]): string[][] {
  return entries.map((e) => [
    e.occurredAt.toISOString(),
    e.actor,
    recordLabel(e.entity),
    e.entityId,
    e.action,
    e.what,
    e.changes.map((c) => `${c.label}: ${c.before} → ${c.after}`).join('\n'),
    e.before === null || e.before === undefined ? '' : JSON.stringify(e.before),
    e.after === null || e.after === undefined ? '' : JSON.stringify(e.after),
  ]);
}

/** The CSV's rows a page of events at a time, as the export reads them. */
export async function* csvParts(pages: AsyncIterable<HistoryEntry[]>): AsyncGenerator<string[][]> {
  for await (const entries of pages) yield csvRows(entries);
}
