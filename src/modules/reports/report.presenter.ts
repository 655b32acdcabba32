// Builds the ReportView (the one view model every output renders) from a report bundle.

import { formatDate } from '../../domain/dates.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import type { ReportView, SignOffView } from '../../render/report-view.ts';
import { presentStatus } from '../../render/report-view.ts';
import type { ReportBundle } from './report.service.ts';
import { SIGN_OFF_ROLES, SIGN_OFF_ROLE_LABELS } from './report.schemas.ts';

/** Paragraphs: blank lines separate them; single line breaks stay inside a paragraph. */
export function paragraphs(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
}

const NEXT_SPAN = { year: 'next year', half: 'next 6 months', quarter: 'next 3 months', month: 'next month' } as const;

export function presentReport({ organisation, priority, period, report, statuses }: ReportBundle): ReportView {
  const status = report.statusId ? statuses.find((s) => s.id === report.statusId) : undefined;
  const signOffs: SignOffView[] = [];
  for (const role of SIGN_OFF_ROLES) {
    const latest = report.signOffs.filter((s) => s.role === role).at(-1);
    if (!latest) continue;
    signOffs.push({
      role, roleLabel: SIGN_OFF_ROLE_LABELS[role], decisionLabel: latest.decision === 'approved' ? 'Approved by' : 'Returned by',
      name: latest.personName, jobTitle: latest.personJobTitle, date: formatDate(latest.signedOn), dateIso: latest.signedOn,
      comment: latest.comment, historical: latest.historical,
    });
  }
  return {
    organisationName: organisation.name,
    priority: { code: priority.code, title: priority.title, rationale: paragraphs(priority.rationale) },
    heading: `Improvement Priority – ${priority.code} ${priority.title}`,
    accountableOfficer: priority.accountableOfficer && { name: priority.accountableOfficer.name, jobTitle: priority.accountableOfficer.jobTitle },
    accountableDirector: priority.accountableDirector && { name: priority.accountableDirector.name, jobTitle: priority.accountableDirector.jobTitle },
    period: { key: period.key, label: period.label, span: period.span },
    graphs: [],
    noGraphsText: 'There are no graphs for this priority.',
    progressHeading: `Overall progress to date and outcomes achieved ${period.span}`,
    summary: paragraphs(report.summary),
    status: status ? presentStatus(status) : null,
    statusReason: paragraphs(report.statusReason),
    achievements: report.achievements,
    challenges: report.challenges,
    groups: { internal: priority.groupsInternal, external: priority.groupsExternal },
    signOffs,
    actionsHeading: `Key actions for the ${NEXT_SPAN[period.kind]}`,
    actions: report.actions.map((a, i) => ({
      number: i + 1,
      description: a.description,
      contributors: a.contributors.map((c) => c.name),
      milestones: a.milestones.map((m) => ({
        description: m.description, timescale: formatTimescale(m.timescale), timescaleIso: m.timescale.date, precision: m.timescale.precision,
      })),
    })),
    updatedAt: report.updatedAt.toISOString(),
    version: report.version,
  };
}
