// A published revision of a progress report, frozen: what readers saw when the accountable
// director signed it off. It holds the report's content and everything it showed from elsewhere
// at that moment (the priority and its people, the status as the scale then defined it, the
// previous report's milestones and what became of them, the graphs' figures, the cited risks),
// so that nothing changed later — a renamed status, a new value, a retitled priority — rewrites
// what was published. The same presenter renders it as renders a live report (a live report is
// turned into a snapshot first), so a published revision looks exactly as the live one did.
//
// `schemaVersion` says which shape a stored snapshot has. Version 2 is this one. Version 1 was
// the page's view model itself (stored before snapshots were versioned); the reports module reads
// such a revision into this shape (report.snapshot.ts), keeping its printed text where the data
// behind it was not stored.

import type { IsoDate } from './dates.ts';
import type { MilestoneProgress } from './milestone-progress.ts';
import type { SignOffRole } from './report-workflow.ts';
import type { ApprovalRole, Pattern, Shape } from './status-scale.ts';
import type { Timescale } from './timescale.ts';

export const REPORT_SNAPSHOT_VERSION = 2;

/** A status as the scale defined it when the report was published. */
export interface FrozenStatus {
  key: string;
  label: string;
  colour: string;
  shape: Shape;
  description: string;
  /**
   * The status's rules as signed (issue 13). Absent in revisions published before them, which
   * read as they were then: rated, no pattern, no approval.
   */
  rated?: boolean;
  pattern?: Pattern;
  approvalRole?: ApprovalRole | null;
}

export interface FrozenPerson {
  name: string;
  jobTitle: string;
}

/** What the next report printed about a milestone, for revisions kept from before snapshots (version 1). */
export interface PrintedProgress {
  state: 'met' | 'slipped' | 'missed' | 'suspended' | 'overdue' | 'due';
  text: string;
}

export interface FrozenMilestone {
  /** The milestone's id in Amber ('' when not known). */
  id: string;
  description: string;
  timescale: Timescale;
  progress: MilestoneProgress | null;
  printed?: PrintedProgress;
}

export interface FrozenAction {
  description: string;
  /** People's and partner organisations' names, in order. */
  contributors: string[];
  milestones: FrozenMilestone[];
}

export interface FrozenSignOff {
  role: SignOffRole;
  decision: 'approved' | 'returned';
  personName: string;
  personJobTitle: string;
  signedOn: IsoDate;
  comment: string;
  historical: boolean;
  /** The revision it signed. */
  revision: number;
  /** When a historical record was typed in (ISO timestamp); null when not known. */
  recordedAt: string | null;
  /** When it was signed in Amber (ISO timestamp); null for a historical record. */
  signedAt: string | null;
}

/**
 * A joint owner's sign-off of the revision (issue 11), as it stood when the snapshot was taken:
 * the partner organisation's name, the accountable officer the agreement named, and who signed
 * for it and when, all as text, so that renaming the organisation or the person later leaves the
 * published revision as it was. `decision` null: not signed (a draft awaiting it).
 */
export interface FrozenJointSignOff {
  organisation: string;
  officer: string;
  decision: 'approved' | 'returned' | null;
  /** The person who signed, as Amber recorded them; null when not signed. */
  signedBy: string | null;
  /** When it was signed (ISO timestamp); null when not signed. */
  signedAt: string | null;
  comment: string;
}

/** One graph as published: the figures of an indicator's chart (the shape of the chart view). */
export interface FrozenGraph {
  code: string;
  title: string;
  unit: string;
  decimals: number;
  polarity: string;
  kind: 'line' | 'bar';
  points: {
    periodLabel: string;
    actual: number | null;
    target: number | null;
    status: { label: string; colour: string; shape: Shape; symbol: string } | null;
  }[];
  axisLabel?: string;
}

export interface FrozenRisk {
  description: string;
  ratingLabel: string;
  score: number;
  owner: string | null;
}

export interface ReportSnapshot {
  schemaVersion: typeof REPORT_SNAPSHOT_VERSION;
  /** The day the snapshot was taken: milestones are judged overdue or due as of then. */
  asOf: IsoDate;
  organisation: { name: string };
  priority: {
    code: string;
    title: string;
    rationale: string;
    accountableOfficer: FrozenPerson | null;
    accountableDirector: FrozenPerson | null;
    groupsInternal: string;
    groupsExternal: string;
  };
  period: { key: string };
  report: {
    summary: string;
    status: FrozenStatus | null;
    statusReason: string;
    achievements: string[];
    challenges: string[];
    actions: FrozenAction[];
    signOffs: FrozenSignOff[];
    /**
     * A joint priority's partner organisations' sign-offs of this revision (issue 11). Absent for a
     * priority with one owner, and in revisions published before joint priorities.
     */
    jointSignOffs?: FrozenJointSignOff[];
    /** The revision this is. */
    revision: number;
    version: number;
    /** ISO timestamp of the report's last change. */
    updatedAt: string;
  };
  /** The previous report's key actions, to show what became of their milestones. */
  previous: { periodKey: string; actions: FrozenAction[] } | null;
  graphs: FrozenGraph[];
  citedRisks: FrozenRisk[];
}
