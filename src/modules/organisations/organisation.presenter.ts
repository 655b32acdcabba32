// The status scale's confirmation page: what a change of the scale does to statuses and to the
// unpublished reports that use them, in words (each status shown with its label and shape).

import { periodLabel, parsePeriodKey } from '../../domain/period.ts';
import { STATE_LABELS } from '../../domain/report-workflow.ts';
import { approvalRoleLabel } from '../../domain/status-scale.ts';
import { presentStatus, type StatusView } from '../../render/report-view.ts';
import { paths } from '../../paths.ts';
import type { StatusScalePlan } from './organisation.service.ts';

export interface ScaleConfirmationView {
  /** What changes about statuses that reports use, one sentence each. */
  changes: string[];
  affected: {
    reportId: string;
    priorityCode: string;
    periodLabel: string;
    stateLabel: string;
    href: string;
    now: StatusView;
    after: StatusView | null;
  }[];
}

export function presentScaleConfirmation(plan: StatusScalePlan): ScaleConfirmationView {
  const { change, affected } = plan;
  const used = new Set(affected.map((a) => a.now.id));
  const changes = [
    ...change.removed
      .filter((s) => used.has(s.id))
      .map((s) => `${s.label} is removed: the reports below that have it will have no status until one is chosen.`),
    ...change.renamed.filter((r) => used.has(r.status.id)).map((r) => `${r.status.label} is renamed ${r.label}.`),
    ...change.rekeyed
      .filter((r) => used.has(r.status.id))
      .map((r) => `${r.status.label}’s key changes from ${r.status.key} to ${r.key}; the reports below keep it.`),
    ...change.reruled
      .filter((r) => used.has(r.status.id))
      .flatMap((r) => [
        ...(r.rated === r.status.rated
          ? []
          : [
              r.rated
                ? `${r.status.label} joins the rating order: it is compared as better or worse than other statuses.`
                : `${r.status.label} leaves the rating order: it is no longer better or worse than other statuses.`,
            ]),
        ...(r.approvalRole === r.status.approvalRole
          ? []
          : [
              r.approvalRole
                ? `${r.status.label} needs approval by ${article(approvalRoleLabel(r.approvalRole))}: the reports below are published only by a sign-off from someone holding that role.`
                : `${r.status.label} no longer needs approval by a particular role.`,
            ]),
      ]),
  ];
  return {
    changes,
    affected: affected.map((a) => ({
      reportId: a.reportId,
      priorityCode: a.priorityCode,
      periodLabel: periodLabel(parsePeriodKey(a.periodKey)),
      stateLabel: STATE_LABELS[a.state],
      href: paths.reports.show(a.priorityCode, a.periodKey),
      now: presentStatus(a.now),
      after: a.after ? presentStatus({ ...a.after, description: a.after.description }) : null,
    })),
  };
}

/** "an Administrator", "a Performance officer", in lower case after the article. */
export const article = (label: string): string => `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label.toLowerCase()}`;
