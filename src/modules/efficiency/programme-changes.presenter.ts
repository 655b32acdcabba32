// View models of the changes to the plan, ledger and gain-share (issue 12): the values an edit
// form starts from, the sentences that warn about dates and say where a report's milestone stays,
// and the rows of the tranche form (those typed, then blank ones to fill in).

import { formatDate, parseUkDate, type IsoDate } from '../../domain/dates.ts';
import { formatMoney } from '../../domain/diagnostic/money.ts';
import { dependencyClashes, type DependencyClash } from '../../domain/diagnostic/programme.ts';
import { GAIN_SHARE_PRESETS, type Tranche } from '../../domain/diagnostic/gain-share.ts';
import type { ProjectRecord } from './efficiency.service.ts';
import type { ReportMilestonePlace } from './programme-changes.ts';
import { compactTrancheRows, MAX_TRANCHES, type TrancheRow } from './programme-changes.schemas.ts';

/** "Project X starts on 1 April 2010, before Project Y, which it depends on, ends on 30 June 2010". */
export function clashSentence(c: DependencyClash): string {
  return `${c.project.name} starts on ${formatDate(c.project.startsOn as IsoDate)}, before ${c.dependsOn.name}, which it depends on, ends on ${formatDate(c.dependsOn.endsOn as IsoDate)}`;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : [];

/**
 * The warnings a project form shows: the plan as it would be with this project's typed dates and
 * dependencies (`id` undefined for a new one), the clashes it is part of. None until both dates read.
 */
export function formClashes(
  projects: readonly ProjectRecord[],
  id: string | undefined,
  values: Record<string, unknown>,
): string[] {
  const startsOn = parseUkDate(text(values.startsOn));
  const endsOn = parseUkDate(text(values.endsOn));
  if (!startsOn || !endsOn) return [];
  const me = {
    id: id ?? 'new',
    name: text(values.name) || 'This project',
    startsOn,
    endsOn,
    dependsOn: list(values.dependsOn),
  };
  return dependencyClashes([...projects.filter((p) => p.id !== id), me])
    .filter((c) => c.project.id === me.id || c.dependsOn.id === me.id)
    .map(clashSentence);
}

/** Where the milestone a plan milestone wrote on a key action is, in words. */
export function reportPlaceText(place: ReportMilestonePlace): string {
  return `key action ${place.actionNumber} of ${place.priorityCode}’s ${place.periodLabel} report, as “${place.description}”`;
}

export function projectFormValues(p: ProjectRecord) {
  return {
    caseId: p.caseId,
    name: p.name,
    ownerId: p.ownerId ?? '',
    startsOn: formatDate(p.startsOn),
    endsOn: formatDate(p.endsOn),
    dependsOn: p.dependsOn,
    version: p.version,
  };
}

export function milestoneFormValues(m: ProjectRecord['milestones'][number]) {
  return {
    projectId: m.projectId,
    description: m.description,
    dueOn: formatDate(m.dueOn),
    ownerId: m.ownerId ?? '',
    priority: m.priorityCode ?? '',
    actionNumber: m.actionNumber === null ? '' : String(m.actionNumber),
    version: m.version,
  };
}

const trancheRow = (t: Tranche): TrancheRow => ({
  threshold: formatMoney(t.threshold),
  repayment: formatMoney(t.repayment),
  inclusive: t.inclusive,
});

/** An agreement's terms as the form shows them: money as councils write it, tranches as rows. */
export function agreementFormValues(a: {
  name: string;
  funder: string;
  council: string;
  totalCost: number;
  funderContribution: number;
  councilContribution: number;
  tranches: readonly Tranche[];
  version?: number;
}) {
  const money = (m: number) => formatMoney(m as Tranche['threshold']);
  return {
    name: a.name,
    funder: a.funder,
    council: a.council,
    totalCost: money(a.totalCost),
    funderContribution: money(a.funderContribution),
    councilContribution: money(a.councilContribution),
    tranches: a.tranches.map(trancheRow),
    ...(a.version ? { version: a.version } : {}),
  };
}

export const presetFormValues = (key: 'A' | 'B') => agreementFormValues(GAIN_SHARE_PRESETS[key]);

/** Blank rows shown under the typed ones (a person without JavaScript asks for more by submitting). */
export const BLANK_TRANCHE_ROWS = 2;

/**
 * The form's rows: the ones typed (blank ones dropped, as the schema drops them, so row numbers
 * in messages match), then blank rows up to `wanted`, and at least BLANK_TRANCHE_ROWS of them.
 */
export function trancheFormRows(
  tranches: unknown,
  wanted?: number,
): { rows: (TrancheRow & { n: number })[]; count: number } {
  const typed = compactTrancheRows(tranches);
  const count = Math.min(MAX_TRANCHES, Math.max(wanted ?? 0, typed.length + BLANK_TRANCHE_ROWS));
  const rows = Array.from({ length: Math.max(count, typed.length) }, (_, i) => ({
    n: i,
    ...(typed[i] ?? { threshold: '', repayment: '', inclusive: true }),
  }));
  return { rows, count: rows.length };
}
