// The words of Amber's e-mails about reports: plain text, plain English, GOV.UK style (dates
// like "22 October 2009", the action first, one link to the page to act on, why you got it).
// Pure: the service gives the facts and the links.

import { formatDate, type IsoDate } from '../../domain/dates.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import type { ReminderKind } from './reminder.schedule.ts';
import { daysBetween } from './reminder.schedule.ts';

export interface ReportFacts {
  organisationName: string;
  priorityCode: string;
  priorityTitle: string;
  periodLabel: string;
}

const named = (f: ReportFacts) => `${f.priorityCode} ${f.priorityTitle}`;
const footer = (f: ReportFacts, why: string) =>
  `You are getting this e-mail from Amber, ${f.organisationName}'s system for improvement priorities, because ${why}.`;
const paragraphs = (...ps: (string | false | null | undefined)[]) =>
  `${ps.filter((p): p is string => Boolean(p)).join('\n\n')}\n`;
/** A comment quoted line by line, so it stands apart from Amber's words in any mail client. */
const quote = (text: string) =>
  text
    .trim()
    .split(/\r?\n/)
    .map((l) => `> ${l}`)
    .join('\n');

export function reminderMessage(input: {
  kind: ReminderKind;
  today: IsoDate;
  to: string;
  officerName: string;
  facts: ReportFacts;
  dueOn: IsoDate;
  state: 'draft' | null;
  returnedComment: string | null;
  link: string;
}): MailMessage {
  const { kind, facts: f, dueOn } = input;
  const due = formatDate(dueOn);
  const days = daysBetween(input.today, dueOn);
  const subject = {
    due_soon: `Progress report due on ${due}: ${f.priorityCode} ${f.periodLabel}`,
    due_today:
      days === 0
        ? `Progress report due today: ${f.priorityCode} ${f.periodLabel}`
        : `Progress report due on ${due}: ${f.priorityCode} ${f.periodLabel}`,
    overdue: `Progress report overdue: ${f.priorityCode} ${f.periodLabel}`,
  }[kind];
  const when = {
    due_soon: `is due on ${due}, in ${days} day${days === 1 ? '' : 's'}`,
    due_today: days === 0 ? `is due today, ${due}` : `was due on ${due}`,
    overdue: `was due on ${due} and has not been submitted yet`,
  }[kind];
  const where =
    input.state === null
      ? 'It has not been started yet.'
      : input.returnedComment !== null
        ? `It was returned to you with this comment:\n\n${quote(input.returnedComment || '(no comment given)')}`
        : 'It is a draft: submit it for sign-off when it is ready.';
  return {
    to: [input.to],
    subject,
    text: paragraphs(
      `Dear ${input.officerName},`,
      `The ${f.periodLabel} progress report for ${named(f)} ${when}.`,
      where,
      `${input.state === null ? 'Start the report' : 'Finish the report and submit it'}:\n${input.link}`,
      footer(f, `you are the accountable officer for ${f.priorityCode}`),
    ),
  };
}

export type NoticeKind = 'submitted' | 'officer_approved' | 'returned' | 'published';

export function workflowMessage(input: {
  kind: NoticeKind;
  to: string;
  recipientName: string;
  facts: ReportFacts;
  byLabel: string;
  comment?: string | undefined;
  link: string;
}): MailMessage {
  const { facts: f, byLabel } = input;
  const report = `the ${f.periodLabel} progress report for ${named(f)}`;
  const comment = input.comment?.trim() ? `Their comment:\n\n${quote(input.comment)}` : undefined;
  const parts = {
    submitted: {
      subject: `Sign off the progress report: ${f.priorityCode} ${f.periodLabel}`,
      body: [
        `${byLabel} submitted ${report} for sign-off.`,
        'As accountable officer, you give the first sign-off: approve it, or return it with a comment saying what needs to change.',
        comment,
        `Read and sign off the report:\n${input.link}`,
      ],
      why: `you are the accountable officer for ${f.priorityCode}`,
    },
    officer_approved: {
      subject: `Sign off the progress report: ${f.priorityCode} ${f.periodLabel}`,
      body: [
        `${byLabel} approved ${report} as accountable officer.`,
        'As accountable director, you give the second sign-off: approving it publishes it. You can also return it with a comment saying what needs to change.',
        comment,
        `Read and sign off the report:\n${input.link}`,
      ],
      why: `you are the accountable director for ${f.priorityCode}`,
    },
    returned: {
      subject: `Progress report returned to you: ${f.priorityCode} ${f.periodLabel}`,
      body: [
        `${byLabel} returned ${report} to you.`,
        comment ?? 'They did not give a comment.',
        `Change the report and submit it again:\n${input.link}`,
      ],
      why: `you are the accountable officer for ${f.priorityCode}`,
    },
    published: {
      subject: `Progress report published: ${f.priorityCode} ${f.periodLabel}`,
      body: [
        `${byLabel} approved ${report} as accountable director, so it is now published.`,
        `Read the published report:\n${input.link}`,
      ],
      why: `you are the accountable officer for ${f.priorityCode}`,
    },
  }[input.kind];
  return {
    to: [input.to],
    subject: parts.subject,
    text: paragraphs(`Dear ${input.recipientName},`, ...parts.body, footer(f, parts.why)),
  };
}
