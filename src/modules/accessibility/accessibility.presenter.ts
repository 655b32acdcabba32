// The accessibility statement as the page shows it, and the operator's form values.

import { formatDate } from '../../domain/dates.ts';
import type { AccessibilityStatement, StatementSettings } from './accessibility.service.ts';

export interface StatementView {
  contactSet: boolean;
  organisationName: string;
  email: string | null;
  phone: string | null;
  /** "5 working days". */
  responseTime: string;
  preparedOn: string | null;
  reviewedOn: string | null;
  knownProblems: string[];
  /** WCAG 2.2 AA: fully compliant while no problem is known, else partially. */
  compliance: 'fully' | 'partially';
}

export function presentStatement(statement: AccessibilityStatement): StatementView {
  return {
    contactSet: statement.contactSet,
    organisationName: statement.organisationName,
    email: statement.email,
    phone: statement.phone,
    responseTime: `${statement.responseDays} working day${statement.responseDays === 1 ? '' : 's'}`,
    preparedOn: statement.preparedOn && formatDate(statement.preparedOn),
    reviewedOn: statement.reviewedOn && formatDate(statement.reviewedOn),
    knownProblems: statement.knownProblems,
    compliance: statement.knownProblems.length === 0 ? 'fully' : 'partially',
  };
}

/** The form's fields as text: what was saved, else the statement's defaults. */
export function statementFormValues(
  saved: StatementSettings | undefined,
  statement: AccessibilityStatement,
): Record<string, string> {
  return {
    organisationName: saved?.organisationName ?? statement.organisationName,
    email: saved?.email ?? '',
    phone: saved?.phone ?? '',
    responseDays: String(saved?.responseDays ?? statement.responseDays),
    preparedOn: saved ? formatDate(saved.preparedOn) : '',
    reviewedOn: saved?.reviewedOn ? formatDate(saved.reviewedOn) : '',
    knownProblems: (saved?.knownProblems ?? []).join('\n'),
    version: String(saved?.version ?? 0),
  };
}

/** Who changed the settings last, and when (UK time): "ops@example.gov.uk on 4 December 2026". */
export function lastChange(saved: StatementSettings | undefined): string | undefined {
  if (!saved) return undefined;
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(saved.updatedAt);
  return `${saved.updatedBy} on ${day}`;
}
