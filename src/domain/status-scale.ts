// An organisation's status scale: Red/Amber/Green by default, but any list of statuses a council
// uses (issue 13). Colour is never the only signal: every status has a label and a shape drawn
// beside it, and optionally a pattern (hatching) so a black-and-white print still tells them apart.
//
// A status is either *rated* — in the rating order, best first, so one rated status is better or
// worse than another — or *unrated*: not started, suspended, completed are not better or worse
// than Green, and nothing ranks them (dashboards count them apart; direction of travel says the
// two are not comparable). The list's order is the order statuses are shown in; the rating order
// is the order of the rated statuses within it.
//
// A status may need approval by a named role: a report with it is published only by a sign-off
// given by someone holding that role (domain/report-workflow.ts).

import { ROLE_LABELS, type Role } from './permissions.ts';

export const SHAPES = ['circle', 'triangle', 'square', 'diamond', 'cross', 'pause', 'star'] as const;
export type Shape = (typeof SHAPES)[number];

/** A fill drawn over the colour: hatching or dots tell statuses apart in black and white. */
export const PATTERNS = ['none', 'hatched', 'dotted'] as const;
export type Pattern = (typeof PATTERNS)[number];
export const PATTERN_LABELS: Record<Pattern, string> = { none: 'None', hatched: 'Hatched', dotted: 'Dotted' };

/**
 * The roles whose holders sign reports off or run the organisation's performance, so one of them
 * can be the role a status's approval needs (contributors and viewers never sign a report off).
 */
export const APPROVAL_ROLES = [
  'accountable_director',
  'accountable_officer',
  'performance_officer',
  'administrator',
] as const satisfies readonly Role[];
export type ApprovalRole = (typeof APPROVAL_ROLES)[number];
export const approvalRoleLabel = (role: ApprovalRole): string => ROLE_LABELS[role];

export interface StatusDefinition {
  key: string;
  label: string;
  /** `#rrggbb` */
  colour: string;
  shape: Shape;
  description: string;
  /** A report with this status cannot be submitted without a reason (used by the approval workflow). */
  commentRequired: boolean;
  /** In the rating order (better or worse than other rated statuses); false: outside it (not started, completed...). */
  rated: boolean;
  pattern: Pattern;
  /** A report with this status is published only by a sign-off from someone holding this role; null: no such rule. */
  approvalRole: ApprovalRole | null;
}

/** The rules a status has unless it says otherwise: rated, no pattern, no approval (statuses saved before issue 13). */
export const STATUS_RULE_DEFAULTS = { rated: true, pattern: 'none', approvalRole: null } as const satisfies Pick<
  StatusDefinition,
  'rated' | 'pattern' | 'approvalRole'
>;

export interface Status extends StatusDefinition {
  id: string;
  position: number;
}

export const RAG_SCALE: StatusDefinition[] = [
  {
    key: 'green',
    label: 'Green',
    colour: '#00703c',
    shape: 'circle',
    description: 'On track',
    commentRequired: false,
    ...STATUS_RULE_DEFAULTS,
  },
  {
    key: 'amber',
    label: 'Amber',
    colour: '#f47738',
    shape: 'triangle',
    description: 'Some delay or risk; recoverable',
    commentRequired: true,
    ...STATUS_RULE_DEFAULTS,
  },
  {
    key: 'red',
    label: 'Red',
    colour: '#d4351c',
    shape: 'diamond',
    description: 'Off track; needs intervention',
    commentRequired: true,
    ...STATUS_RULE_DEFAULTS,
  },
];

export const TARGET_SCALE: StatusDefinition[] = [
  {
    key: 'on-target',
    label: 'On target',
    colour: '#00703c',
    shape: 'circle',
    description: '',
    commentRequired: false,
    ...STATUS_RULE_DEFAULTS,
  },
  {
    key: 'behind-target',
    label: 'Behind target',
    colour: '#f47738',
    shape: 'triangle',
    description: '',
    commentRequired: true,
    ...STATUS_RULE_DEFAULTS,
  },
  {
    key: 'failing',
    label: 'Failing',
    colour: '#d4351c',
    shape: 'diamond',
    description: '',
    commentRequired: true,
    ...STATUS_RULE_DEFAULTS,
  },
];

export const STATUS_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const COLOUR_PATTERN = /^#[0-9a-fA-F]{6}$/;

export function statusKeyFromLabel(label: string): string {
  return (
    label
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'status'
  );
}

/** Problems with a whole scale, as field paths into the list (`statuses.1.label`). */
export function checkScale(statuses: StatusDefinition[]): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  if (statuses.length === 0) issues.push({ field: 'statuses', message: 'A status scale needs at least one status' });
  const keys = new Map<string, number>();
  const labels = new Map<string, number>();
  statuses.forEach((s, i) => {
    const k = keys.get(s.key);
    if (k !== undefined)
      issues.push({
        field: `statuses.${i}.key`,
        message: `Status ${i + 1} has the same key as status ${k + 1} ("${s.key}")`,
      });
    keys.set(s.key, i);
    const lower = s.label.trim().toLowerCase();
    const l = labels.get(lower);
    if (l !== undefined)
      issues.push({
        field: `statuses.${i}.label`,
        message: `Status ${i + 1} has the same label as status ${l + 1} ("${s.label}")`,
      });
    labels.set(lower, i);
    if (!(PATTERNS as readonly string[]).includes(s.pattern))
      issues.push({ field: `statuses.${i}.pattern`, message: `Status ${i + 1}: choose a pattern from the list` });
    if (s.approvalRole !== null && !(APPROVAL_ROLES as readonly string[]).includes(s.approvalRole))
      issues.push({
        field: `statuses.${i}.approvalRole`,
        message: `Status ${i + 1}: the approval must be by an accountable director or officer, a performance officer or an administrator`,
      });
  });
  if (statuses.length > 0 && !statuses.some((s) => s.rated))
    issues.push({
      field: 'statuses.0.rated',
      message: 'At least one status must be in the rating order, so reports can be rated better or worse',
    });
  return issues;
}

/**
 * The rating rank of a status: 0 for the best rated status, 1 for the next rated one...;
 * undefined for a status outside the rating order (it is neither better nor worse than any).
 */
export function ratingRank(scale: readonly Pick<StatusDefinition, 'key' | 'rated'>[], key: string): number | undefined {
  let rank = 0;
  for (const s of scale) {
    if (s.key === key) return s.rated ? rank : undefined;
    if (s.rated) rank++;
  }
  return undefined;
}

/** How one assessment compares with an earlier one, on the scale. */
export type Travel = 'improved' | 'unchanged' | 'worsened' | 'not-comparable';

/**
 * The direction of travel from one status to another (by key, on `scale`): better or worse only
 * between two rated statuses; the same status is unchanged; a move to or from a status outside
 * the rating order (not started → Green, Green → completed), or one no longer on the scale, is
 * not comparable.
 */
export function statusTravel(
  scale: readonly Pick<StatusDefinition, 'key' | 'rated'>[],
  fromKey: string,
  toKey: string,
): Travel {
  if (fromKey === toKey) return 'unchanged';
  const from = ratingRank(scale, fromKey);
  const to = ratingRank(scale, toKey);
  if (from === undefined || to === undefined) return 'not-comparable';
  return to < from ? 'improved' : to > from ? 'worsened' : 'unchanged';
}

/** Black or white text, whichever reads better on the colour (WCAG relative luminance). */
export function textColourOn(hex: string): '#0b0c0c' | '#ffffff' {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#0b0c0c' : '#ffffff';
}

/** A row of the scale as an officer saved it: `id` is the status the row was shown for, if any. */
export interface ScaleRow extends StatusDefinition {
  id?: string | undefined;
}

/** What saving a scale does to the statuses there are (`planScaleChange`). */
export interface ScaleChange {
  /** The rows to save, in order, each with the id of the existing status it keeps (undefined: a new status). */
  rows: (StatusDefinition & { id: string | undefined })[];
  /** Existing statuses no row keeps: reports that use one are left without a status. */
  removed: Status[];
  /** Existing statuses kept under a new key (their reports keep them). */
  rekeyed: { status: Status; key: string }[];
  /** Existing statuses kept under a new label (their reports show it). */
  renamed: { status: Status; label: string }[];
  /**
   * Existing statuses whose meaning changes: moved into or out of the rating order, or needing
   * another approval (their unpublished reports are judged or signed off differently).
   */
  reruled: { status: Status; rated: boolean; approvalRole: ApprovalRole | null }[];
}

/**
 * Which existing status each saved row is. A status is known by its key: a row with an existing
 * key IS that status, wherever it stands and whatever row it was shown in, so reordering rows or
 * retyping them top to bottom never moves a report to another status. A row with a new key is
 * the status it was shown for (its `id`) under a new key, if no other row kept that status's key;
 * otherwise it is a new status. Statuses no row keeps are removed.
 */
export function planScaleChange(before: Status[], submitted: ScaleRow[]): ScaleChange {
  const byKey = new Map(before.map((s) => [s.key, s]));
  const byId = new Map(before.map((s) => [s.id, s]));
  const claimed = new Set<string>();
  const ids: (string | undefined)[] = submitted.map((r) => {
    const same = byKey.get(r.key);
    if (!same || claimed.has(same.id)) return undefined;
    claimed.add(same.id);
    return same.id;
  });
  submitted.forEach((r, i) => {
    if (ids[i] !== undefined || !r.id) return;
    const shown = byId.get(r.id);
    if (!shown || claimed.has(shown.id)) return;
    claimed.add(shown.id);
    ids[i] = shown.id;
  });
  const rows = submitted.map(({ id: _shown, ...r }, i) => ({ ...r, id: ids[i] }));
  const rekeyed: ScaleChange['rekeyed'] = [];
  const renamed: ScaleChange['renamed'] = [];
  const reruled: ScaleChange['reruled'] = [];
  for (const row of rows) {
    const status = row.id === undefined ? undefined : byId.get(row.id);
    if (!status) continue;
    if (status.key !== row.key) rekeyed.push({ status, key: row.key });
    if (status.label !== row.label) renamed.push({ status, label: row.label });
    if (status.rated !== row.rated || status.approvalRole !== row.approvalRole)
      reruled.push({ status, rated: row.rated, approvalRole: row.approvalRole });
  }
  return { rows, removed: before.filter((s) => !claimed.has(s.id)), rekeyed, renamed, reruled };
}

/**
 * One version of an organisation's scale (ADR 0014): the statuses used by the reports of periods
 * starting on or after `inUseFrom` (an ISO date; null: the first version, used before any other),
 * until a later version's start.
 */
export interface ScaleVersion {
  inUseFrom: string | null;
  statuses: Status[];
}

/** The scales of an organisation, oldest version first, and how to pick the one for a period. */
export interface StatusScales {
  versions: ScaleVersion[];
  /** The scale in force for a period (by its start); without one, the newest (settings, new work). */
  at(period?: { startsOn: string }): Status[];
  /** Every status of every version, each with its own id: to show a report's status by id whatever its period. */
  all: Status[];
}

/** The version in force for periods starting on `startsOn`; the newest when undefined. */
export function versionInForce(versions: readonly ScaleVersion[], startsOn?: string): ScaleVersion | undefined {
  if (startsOn === undefined) return versions.at(-1);
  let found: ScaleVersion | undefined;
  for (const v of versions) if (v.inUseFrom === null || v.inUseFrom <= startsOn) found = v;
  return found ?? versions[0];
}

/** Versions (oldest first) of statuses, grouped by the date each is in use from. */
export function scalesOf(statuses: readonly (Status & { inUseFrom: string | null })[]): StatusScales {
  const byDate = new Map<string | null, Status[]>();
  for (const { inUseFrom, ...s } of statuses) {
    const list = byDate.get(inUseFrom) ?? [];
    list.push(s);
    byDate.set(inUseFrom, list);
  }
  const versions = [...byDate.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1))
    .map(([inUseFrom, list]) => ({ inUseFrom, statuses: list.sort((a, b) => a.position - b.position) }));
  return {
    versions,
    at: (period) => versionInForce(versions, period?.startsOn)?.statuses ?? [],
    all: versions.flatMap((v) => v.statuses),
  };
}

/** One line of the difference between a scale and the one saved in its place. */
export type ScaleDiffLine =
  | { kind: 'added'; status: StatusDefinition }
  | { kind: 'removed'; status: Status }
  | { kind: 'renamed'; status: Status; label: string }
  | { kind: 'rekeyed'; status: Status; key: string }
  | { kind: 'rated'; status: Status; rated: boolean }
  | { kind: 'approval'; status: Status; approvalRole: ApprovalRole | null }
  | { kind: 'comment'; status: Status; commentRequired: boolean }
  | { kind: 'looks'; status: Status; after: StatusDefinition }
  | { kind: 'order'; before: Status[]; after: StatusDefinition[] };

/**
 * What a change does to the scale, status by status: added, removed, renamed, re-keyed, moved into
 * or out of the rating order, approval or comment rule changed, drawn differently (colour, shape,
 * pattern, meaning), and whether the order changed. Empty when the saved scale is the same.
 */
export function scaleDiff(before: readonly Status[], change: ScaleChange): ScaleDiffLine[] {
  const byId = new Map(before.map((s) => [s.id, s]));
  const lines: ScaleDiffLine[] = [];
  for (const row of change.rows) {
    const status = row.id === undefined ? undefined : byId.get(row.id);
    if (!status) {
      lines.push({ kind: 'added', status: row });
      continue;
    }
    if (status.label !== row.label) lines.push({ kind: 'renamed', status, label: row.label });
    if (status.key !== row.key) lines.push({ kind: 'rekeyed', status, key: row.key });
    if (status.rated !== row.rated) lines.push({ kind: 'rated', status, rated: row.rated });
    if (status.approvalRole !== row.approvalRole)
      lines.push({ kind: 'approval', status, approvalRole: row.approvalRole });
    if (status.commentRequired !== row.commentRequired)
      lines.push({ kind: 'comment', status, commentRequired: row.commentRequired });
    if (
      status.colour.toLowerCase() !== row.colour.toLowerCase() ||
      status.shape !== row.shape ||
      status.pattern !== row.pattern ||
      status.description !== row.description
    )
      lines.push({ kind: 'looks', status, after: row });
  }
  for (const status of change.removed) lines.push({ kind: 'removed', status });
  const kept = change.rows.filter((r) => r.id !== undefined && byId.has(r.id)).map((r) => r.id);
  const order = before.filter((s) => kept.includes(s.id)).map((s) => s.id);
  if (kept.some((id, i) => id !== order[i]))
    lines.push({
      kind: 'order',
      before: [...before],
      after: change.rows.map(({ id: _id, ...r }) => r),
    });
  return lines;
}
