// The status scale's confirmation page: what a change of the scale does to statuses and to the
// unpublished reports that use them, in words (each status shown with its label and shape).

import { periodLabel, parsePeriodKey } from '../../domain/period.ts';
import { STATE_LABELS } from '../../domain/report-workflow.ts';
import { approvalRoleLabel } from '../../domain/status-scale.ts';
import { presentStatus, type StatusView } from '../../render/report-view.ts';
import { paths } from '../../paths.ts';
import type { StatusScalePlan } from './organisation.service.ts';

/** One line of the difference a change makes to the scale: the status before, what changes, the status after. */
export interface ScaleDiffView {
  before: StatusView | null;
  change: string;
  after: StatusView | null;
}

export interface ScaleConfirmationView {
  /** The period the change is used from ("2009/10 H2"); null when the organisation has no periods yet. */
  inUseFromLabel: string | null;
  /** Whether the change is a new version (earlier periods keep the scale as it is) or changes the newest one where it starts. */
  newVersion: boolean;
  /** The whole difference, status by status, against the scale in use now. */
  diff: ScaleDiffView[];
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
  const { change, affected, diff } = plan;
  const view = (s: Parameters<typeof presentStatus>[0]) => presentStatus(s);
  const diffView = diff.map((d): ScaleDiffView => {
    switch (d.kind) {
      case 'added':
        return { before: null, change: `${d.status.label} is added`, after: view(d.status) };
      case 'removed':
        return { before: view(d.status), change: `${d.status.label} is removed`, after: null };
      case 'renamed':
        return {
          before: view(d.status),
          change: `${d.status.label} is renamed ${d.label}`,
          after: view({ ...d.status, label: d.label }),
        };
      case 'rekeyed':
        return { before: view(d.status), change: `Key changes from ${d.status.key} to ${d.key}`, after: null };
      case 'rated':
        return {
          before: view(d.status),
          change: d.rated
            ? `${d.status.label} joins the rating order (better or worse than other statuses)`
            : `${d.status.label} leaves the rating order (neither better nor worse than other statuses)`,
          after: null,
        };
      case 'approval':
        return {
          before: view(d.status),
          change: d.approvalRole
            ? `${d.status.label} needs approval by ${article(approvalRoleLabel(d.approvalRole))}`
            : `${d.status.label} no longer needs approval by a particular role`,
          after: null,
        };
      case 'comment':
        return {
          before: view(d.status),
          change: d.commentRequired
            ? `A report with ${d.status.label} must say why`
            : `A report with ${d.status.label} no longer has to say why`,
          after: null,
        };
      case 'looks': {
        const what = [
          d.status.colour.toLowerCase() !== d.after.colour.toLowerCase() ? 'colour' : undefined,
          d.status.shape !== d.after.shape ? 'shape' : undefined,
          d.status.pattern !== d.after.pattern ? 'pattern' : undefined,
          d.status.description !== d.after.description ? 'meaning' : undefined,
        ].filter((w): w is string => w !== undefined);
        return {
          before: view(d.status),
          change: `${d.status.label}’s ${what.join(', ').replace(/, ([^,]*)$/, ' and $1')} change${what.length === 1 ? 's' : ''}`,
          after: view(d.after),
        };
      }
      case 'order':
        return {
          before: null,
          change: `The order changes from ${d.before.map((x) => x.label).join(', ')} to ${d.after.map((x) => x.label).join(', ')}`,
          after: null,
        };
    }
  });
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
    inUseFromLabel: plan.inUseFrom?.label ?? null,
    newVersion: plan.newVersion,
    diff: diffView,
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
