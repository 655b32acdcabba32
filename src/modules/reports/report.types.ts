// The reports module's own types, shared by its use cases, its presenter and its snapshot: what a
// report's outputs are built from, and what a reader may see and do.

import type { JointOwner } from './use-cases/context.ts';
import type { ReportSnapshot } from '../../domain/report-snapshot.ts';
import type { ReportState, ReportStep } from '../../domain/report-workflow.ts';
import type { Status } from '../../domain/status-scale.ts';
import type { Indicator, IndicatorPoint } from '../indicators/indicator.service.ts';
import type { Organisation } from '../organisations/organisation.service.ts';
import type { ReportingPeriod } from '../periods/period.service.ts';
import type { Priority } from '../plans/plan.service.ts';
import type { Risk } from '../risks/risk.service.ts';
import type { PreviousReport, Report, RevisionSummary } from './report.repository.ts';

/** Everything a live report's outputs need, loaded together. */
export interface ReportBundle {
  organisation: Organisation;
  priority: Priority;
  period: ReportingPeriod;
  report: Report;
  statuses: Status[];
  /**
   * The priority's report for the latest earlier period, whose key actions this report follows up
   * (its row and key actions: not its sign-offs or cited risks, which no output of this report shows).
   */
  previous: { period: ReportingPeriod; report: PreviousReport } | null;
  /** The indicators chosen as this report's graphs, with their values up to its period. */
  graphs: { indicator: Indicator; points: IndicatorPoint[] }[];
  /** The register entries the report cites under "Challenges/Risks", in order, as they stand now. */
  citedRisks?: Risk[];
  /**
   * A joint priority's partner organisations and the sign-off each gave this revision (issue 11),
   * frozen into the snapshot when it is published; absent or empty for a priority with one owner.
   */
  joint?: JointOwner[];
}

/** What the actor may do with a report now: drives the buttons a page shows (the services still check). */
export interface ReportAbilities {
  edit: boolean;
  updateActions: boolean;
  /** The numbers (1-based) of the key actions the actor may change. */
  actions: number[];
  /**
   * The ids of the previous report's milestones whose progress the actor may record here (the
   * "last time" section): the check recording it makes, whatever stage either report is at.
   */
  progress: string[];
  submit: boolean;
  approve: boolean;
  return: boolean;
  readHistory: boolean;
  /** The workflow steps offered (domain/report-workflow.ts nextSteps). */
  steps: ReportStep[];
}

/** The report as a reader sees it: the live report for those who may read drafts, else the published revision. */
export interface ReadableReport {
  snapshot: ReportSnapshot;
  /** Present when the reader sees the live report (and may act on it). */
  bundle?: ReportBundle;
  state: ReportState;
  /** The revision shown. */
  revision: number;
  publishedRevision: number | null;
  /** The published revision shown, when the reader sees a published one. */
  published?: RevisionSummary;
  abilities: ReportAbilities;
  /** A joint priority's other owners and their sign-off of this revision (issue 11); empty otherwise. */
  joint?: JointOwner[];
}

/** Who saved the report after the version someone started from, and when. */
export interface ChangedBy {
  label: string;
  at: Date;
}

/** Where a workflow step left the report. */
export interface WorkflowResult {
  id: string;
  periodKey: string;
  state: ReportState;
  revision: number;
  publishedRevision: number | null;
  version: number;
}

// ---- a published revision's body, rendered once (issue 14) --------------------------------------

/** What a stored body leaves to each request: the workflow panel, a form's CSRF field, the report's version. */
export type ReportBodySlot = 'workflow' | 'csrf' | 'version';
/** A piece of a stored body: HTML as rendered, or a slot the page fills in. */
export type ReportBodyPiece = string | { slot: ReportBodySlot };

/** A published revision's report body as rendered once and stored (report_rendering.body). */
export interface StoredReportBody {
  /** For a reader who may not change the report. */
  reader: ReportBodyPiece[];
  /** For someone who may change it: its "Change the report" link, the key actions' buttons. */
  editor: ReportBodyPiece[];
  /** What the page around the body says of the revision (its title, back link, workflow panel's links). */
  page: { code: string; periodKey: string; periodLabel: string; lastTime: { periodLabel: string } | null };
}

/** Renders published revisions' bodies (report-body.presenter.ts): given to the use cases, which do not render. */
export interface ReportBodyRenderer {
  /** A digest of what renders a body: a body stored by another version is rendered again. */
  readonly version: string;
  render(snapshot: ReportSnapshot): StoredReportBody;
}

/**
 * The page of a published report served from its stored body: the body for this reader, and the
 * live facts around it (where the report is in the workflow, what this person may do, the version
 * a form posts) — read without loading the live report.
 */
export interface StoredReportPage {
  pieces: ReportBodyPiece[];
  page: StoredReportBody['page'];
  /** As `ReadableReport`, for the workflow panel and the buttons. */
  readable: Pick<ReadableReport, 'state' | 'revision' | 'publishedRevision' | 'abilities'> & {
    /** For those who may read drafts: what the panel says of the live report (its sign-offs). */
    live?: ReportPanelFacts;
  };
  /** The version a form of the body posts (someone who may change the report). */
  version?: number;
  /** The report's ids, for the conversations with partners (those who may read drafts). */
  ids?: { priorityId: string; periodId: string; reportId: string };
  /**
   * A reader's page (someone who may not read drafts): it shows the revision, the person's
   * abilities and nothing live besides, so it may be kept in memory for their session until the
   * organisation's access generation moves (ADR 0017). Not an editor's: its sign-offs, the
   * conversations' counts and the report's version change without moving it.
   */
  mayBeKept?: true;
}

/** What the workflow panel reads of a live report (presentWorkflow): less than a whole bundle. */
export interface ReportPanelFacts {
  priority: Pick<Priority, 'accountableOfficer' | 'accountableDirector'>;
  statuses: Status[];
  report: Pick<Report, 'statusId' | 'signOffs'>;
}
