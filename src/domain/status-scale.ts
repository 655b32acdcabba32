// An organisation's status scale: Red/Amber/Green by default, but any ordered list of statuses.
// Colour is never the only signal: every status has a label and a shape drawn beside it.

export const SHAPES = ['circle', 'triangle', 'square', 'diamond', 'cross', 'pause', 'star'] as const;
export type Shape = (typeof SHAPES)[number];

export interface StatusDefinition {
  key: string;
  label: string;
  /** `#rrggbb` */
  colour: string;
  shape: Shape;
  description: string;
  /** A report with this status cannot be submitted without a reason (used by the approval workflow). */
  commentRequired: boolean;
}

export interface Status extends StatusDefinition {
  id: string;
  position: number;
}

export const RAG_SCALE: StatusDefinition[] = [
  { key: 'green', label: 'Green', colour: '#00703c', shape: 'circle', description: 'On track', commentRequired: false },
  {
    key: 'amber',
    label: 'Amber',
    colour: '#f47738',
    shape: 'triangle',
    description: 'Some delay or risk; recoverable',
    commentRequired: true,
  },
  {
    key: 'red',
    label: 'Red',
    colour: '#d4351c',
    shape: 'diamond',
    description: 'Off track; needs intervention',
    commentRequired: true,
  },
];

export const TARGET_SCALE: StatusDefinition[] = [
  { key: 'on-target', label: 'On target', colour: '#00703c', shape: 'circle', description: '', commentRequired: false },
  {
    key: 'behind-target',
    label: 'Behind target',
    colour: '#f47738',
    shape: 'triangle',
    description: '',
    commentRequired: true,
  },
  { key: 'failing', label: 'Failing', colour: '#d4351c', shape: 'diamond', description: '', commentRequired: true },
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
  });
  return issues;
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
  for (const row of rows) {
    const status = row.id === undefined ? undefined : byId.get(row.id);
    if (!status) continue;
    if (status.key !== row.key) rekeyed.push({ status, key: row.key });
    if (status.label !== row.label) renamed.push({ status, label: row.label });
  }
  return { rows, removed: before.filter((s) => !claimed.has(s.id)), rekeyed, renamed };
}
