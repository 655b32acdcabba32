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
