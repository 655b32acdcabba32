// The view model of one progress report: what every output (HTML page, PDF, DOCX, JSON) is
// rendered from. Built by modules/reports/report.presenter.ts; renderers never see rows.
// Sections are in the order of the seed report (../shared/seed/vfm-4d-progress-report-2009-h1.txt).

import { textColourOn, type Status } from '../domain/status-scale.ts';
import type { IndicatorChartView, ChartTable } from './charts/chart-view.ts';

export interface StatusView {
  key: string;
  label: string;
  /** `#rrggbb`, only ever a second signal beside the label and the shape. */
  colour: string;
  /** Text colour that reads on `colour`. */
  textColour: string;
  shape: 'circle' | 'triangle' | 'square' | 'diamond' | 'cross' | 'pause' | 'star';
  /** A character that draws the shape in text outputs: ● ▲ ■ ◆ ✖ ‖ ★ */
  symbol: string;
  description: string;
  /** Drawn over the colour (hatching, dots) so black and white still tells statuses apart; 'none' for most. */
  pattern: 'none' | 'hatched' | 'dotted';
  /** Outside the rating order (neither better nor worse): said in words beside it where statuses are counted. */
  unrated: boolean;
}

export interface SignOffView {
  role: 'accountable_officer' | 'accountable_director';
  /** "Accountable Officer" / "Accountable Director" */
  roleLabel: string;
  /** "Approved by" or "Returned by" */
  decisionLabel: string;
  name: string;
  jobTitle: string;
  /** "22 October 2009" */
  date: string;
  dateIso: string;
  comment: string;
  /** Recorded from a paper or e-mail record, not signed in Amber by the person. */
  historical: boolean;
  /** For a historical record: the day it was typed into Amber ("24 November 2026"). */
  enteredOn?: string;
  /** For a sign-off made in Amber: the time it was made ("14:05 UTC"). */
  time?: string;
}

/**
 * A partner organisation's sign-off of a joint priority's report (issue 11): one row of the
 * "Partnership sign-off" table every output prints after the owner's sign-offs.
 */
export interface JointSignOffView {
  /** The partner organisation, as it was named when the revision was published. */
  organisation: string;
  /** "Joint owner – accountable officer: Jo Bloggs" */
  roleLabel: string;
  signed: boolean;
  /** "Approved by", "Returned by" or "Awaiting sign-off" */
  decisionLabel: string;
  /** Who signed for the organisation; '' while awaiting. */
  name: string;
  /** "22 October 2009"; '' while awaiting. */
  date: string;
  dateIso: string;
  /** "14:05 UTC"; absent while awaiting. */
  time?: string;
  comment: string;
}

export interface ProgressView {
  state: 'met' | 'slipped' | 'missed' | 'suspended' | 'overdue' | 'due';
  /** "Met", "Slipped", "Overdue"... */
  label: string;
  /** A text symbol for the state (never colour alone): ✔ ↷ ✖ ‖ ! … */
  symbol: string;
  /** "Slipped from Nov 2009 to Jan 2010: contract delayed" */
  text: string;
}

export interface MilestoneView {
  description: string;
  /** "Nov 2009" or "22 October 2009" */
  timescale: string;
  timescaleIso: string;
  precision: 'month' | 'day';
  /** What became of it: set in the following period's report. */
  progress?: ProgressView;
  /** Used by the web page to link to the progress form. */
  id?: string;
}

export interface ActionView {
  /** 1-based, as printed in the key actions table. */
  number: number;
  description: string;
  /** People's names and partner organisations' names, in order. */
  contributors: string[];
  milestones: MilestoneView[];
}

/** One indicator's chart in a report: the SVG (built from escaped text only), its description and data table. */
export interface GraphView {
  code: string;
  title: string;
  chart: IndicatorChartView;
  /** Self-contained SVG with role="img", <title> and <desc>; no styles or scripts. */
  svg: string;
  /** One sentence: the latest value against its target and the trend. */
  description: string;
  table: ChartTable;
}

/** A risk of the priority's register cited by a report, as it stands now. */
export interface CitedRiskView {
  description: string;
  /** The rating in words: "High". */
  ratingLabel: string;
  score: number;
  owner: string | null;
}

/** The caption of the partners' sign-off table, the same in every output. */
export const JOINT_SIGN_OFFS_CAPTION = 'Sign-off by the partner organisations that own this priority jointly';
/** Its column headings, the same in every output. */
export const JOINT_SIGN_OFF_HEADINGS = ['Organisation', 'Sign-off', 'Name', 'Date'] as const;

/** "Programme not delivered on time — High (16), owner Arfan Hanif": the bullet every output prints. */
export function citedRiskText(r: CitedRiskView): string {
  return `${r.description} — ${r.ratingLabel} (${r.score})${r.owner ? `, owner ${r.owner}` : ''}`;
}

export interface ReportView {
  organisationName: string;
  priority: {
    code: string;
    title: string;
    /** "Why is this a priority": paragraphs. */
    rationale: string[];
  };
  /** "Improvement Priority – VfM-4d Explore opportunities for collaboration ..." */
  heading: string;
  accountableOfficer: { name: string; jobTitle: string } | null;
  accountableDirector: { name: string; jobTitle: string } | null;
  period: {
    key: string;
    /** "2009/10 H1" */
    label: string;
    /** "1st April – 30th September 2009" */
    span: string;
  };
  /** The charts of the indicators chosen for this report, each with its data table. */
  graphs: GraphView[];
  /** "There are no graphs for this priority." when `graphs` is empty. */
  noGraphsText: string;
  /** "Overall progress to date and outcomes achieved 1st April – 30th September 2009" */
  progressHeading: string;
  /** Overall summary: paragraphs. */
  summary: string[];
  status: StatusView | null;
  /** Why the status was chosen: paragraphs. */
  statusReason: string[];
  achievements: string[];
  challenges: string[];
  /**
   * Register entries cited under "Challenges/Risks", shown after the free-text bullets.
   * Optional so views built before the register keep compiling; absent means none.
   */
  citedRisks?: CitedRiskView[];
  groups: { internal: string; external: string };
  /** The latest decision of each role, officer first; a role with no decision is absent. */
  signOffs: SignOffView[];
  /**
   * A joint priority's partner organisations' sign-offs of this revision, in order (issue 11);
   * absent for a priority with one owner.
   */
  jointSignOffs?: JointSignOffView[];
  /**
   * The key actions set in the previous report and what became of their milestones
   * ("progress against the actions we set last time"); null when there is no previous report.
   */
  lastTime?: { periodKey: string; periodLabel: string; heading: string; actions: ActionView[] } | null;
  /** "Key actions for the next 6 months" */
  actionsHeading: string;
  actions: ActionView[];
  /** ISO timestamp of the report's last change, for "last updated" lines. */
  updatedAt: string;
  version: number;
  /**
   * What the document is: draft, in sign-off or published, with its revision and date. Every
   * output marks an unpublished report as such on every page. Absent: no marking (views built
   * without a workflow, e.g. renderer tests).
   */
  standing?: StandingView;
}

/** Where a report stands, as every output says it. */
export interface StandingView {
  state: 'draft' | 'submitted' | 'officer_approved' | 'published';
  /** Not (yet) signed off and published: marked on every page of every output. */
  unpublished: boolean;
  /** The mark itself: "DRAFT", "IN SIGN-OFF" or "PUBLISHED". */
  mark: string;
  /** The same in a sentence's case, beside a status: "Draft", "In sign-off" or "Published". */
  label: string;
  /** "Draft, revision 3, last changed 4 December 2026": for running headers and footers. */
  short: string;
  /** The whole sentence, at the top of the document: what it is, what that means, revision and date. */
  sentence: string;
}

export const SHAPE_SYMBOLS: Record<StatusView['shape'], string> = {
  circle: '●',
  triangle: '▲',
  square: '■',
  diamond: '◆',
  cross: '✖',
  pause: '‖',
  star: '★',
};

/** A status on the organisation's scale as every output shows it: label, shape and colour. */
export function presentStatus(
  status: Pick<Status, 'key' | 'label' | 'colour' | 'shape' | 'description'> &
    Partial<Pick<Status, 'pattern' | 'rated'>>,
): StatusView {
  return {
    key: status.key,
    label: status.label,
    colour: status.colour,
    textColour: textColourOn(status.colour),
    shape: status.shape,
    symbol: SHAPE_SYMBOLS[status.shape],
    description: status.description,
    // Statuses frozen before issue 13 have neither: plain and rated, as they were then.
    pattern: status.pattern ?? 'none',
    unrated: status.rated === false,
  };
}

/**
 * The running header of a report's pages: its priority and "Progress report 2009/10 H1"; an
 * unpublished report says so at the top of every page ("DRAFT – Progress report 2009/10 H1").
 */
export function reportPageHeader(view: ReportView): { code: string; title: string; right: string } {
  const what = `Progress report ${view.period.label}`;
  const right = view.standing?.unpublished ? `${view.standing.mark} – ${what}` : what;
  return { code: view.priority.code, title: view.priority.title, right };
}

/** The running footer's left side: the organisation, and for an unpublished report its revision and date. */
export function reportPageFooter(view: ReportView): string {
  return view.standing?.unpublished ? `${view.organisationName} – ${view.standing.short}` : view.organisationName;
}
