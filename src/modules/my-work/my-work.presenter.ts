// My work → view model: dates as "22 October 2009", each status in words (never colour alone),
// and the link to the page where the person acts.

import { formatDate, type IsoDate } from '../../domain/dates.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';
import { paths } from '../../paths.ts';
import type { MyWork } from './my-work.service.ts';

const label = (key: string) => periodLabel(parsePeriodKey(key));
const dueWords = (dueOn: IsoDate | null, overdue: boolean, today: IsoDate) =>
  dueOn === null
    ? 'No due date'
    : overdue
      ? `Was due ${formatDate(dueOn)}`
      : dueOn === today
        ? `Due today, ${formatDate(dueOn)}`
        : `Due ${formatDate(dueOn)}`;

export function presentMyWork(w: MyWork) {
  return {
    hasPerson: w.hasPerson,
    today: formatDate(w.today),
    toWrite: w.toWrite.map((r) => ({
      code: r.priorityCode,
      title: r.priorityTitle,
      periodLabel: label(r.periodKey),
      overdue: r.overdue,
      due: dueWords(r.dueOn, r.overdue, w.today),
      status: r.state === null ? 'Not started' : r.returnedComment !== null ? 'Returned to you' : 'Draft',
      returned: r.returnedComment !== null ? { by: r.returnedBy, comment: r.returnedComment } : null,
      href: r.state === null ? paths.reports.new(r.priorityCode) : paths.reports.edit(r.priorityCode, r.periodKey),
      action: r.state === null ? 'Start the report' : 'Continue the report',
    })),
    toSignOff: w.toSignOff.map((r) => ({
      code: r.priorityCode,
      title: r.priorityTitle,
      periodLabel: label(r.periodKey),
      overdue: r.overdue,
      due: dueWords(r.dueOn, r.overdue, w.today),
      status:
        r.state === 'submitted'
          ? 'Submitted: waiting for your first sign-off as accountable officer'
          : 'Approved by the accountable officer: waiting for your second sign-off as accountable director',
      href: paths.reports.signOff(r.priorityCode, r.periodKey),
      reportHref: paths.reports.show(r.priorityCode, r.periodKey),
      action: 'Sign off',
    })),
    milestones: w.milestones.map((m) => {
      const original = formatTimescale({ precision: m.duePrecision, date: m.dueOn });
      const revised =
        m.progress === 'slipped' && m.revisedDueOn && m.revisedPrecision
          ? formatTimescale({ precision: m.revisedPrecision, date: m.revisedDueOn })
          : null;
      return {
        code: m.priorityCode,
        title: m.priorityTitle,
        periodLabel: label(m.periodKey),
        overdue: m.overdue,
        description: m.description,
        action: m.actionDescription,
        due: revised ? `${revised} (slipped from ${original})` : original,
        status: m.overdue
          ? `Deadline was ${formatDate(m.deadline)}`
          : revised
            ? `Slipped: now due by ${formatDate(m.deadline)}`
            : `Due by ${formatDate(m.deadline)}`,
        href: paths.reports.milestoneProgress(m.priorityCode, m.periodKey, m.id),
        reportHref: paths.reports.show(m.priorityCode, m.periodKey),
      };
    }),
  };
}
