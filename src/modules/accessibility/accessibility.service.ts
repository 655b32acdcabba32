// The accessibility statement (Public Sector Bodies (Websites and Mobile Applications) (No. 2)
// Accessibility Regulations 2018): the deployment's contact details and dates, which whoever
// hosts Amber keeps (an operator), read by everyone, the public included. Until an operator has
// saved them, the statement is read with defaults and says the contact has not been set.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { StaleVersionError, ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import { parseWith } from '../../platform/validation.ts';
import type { AccessibilityRepository, StatementSettings } from './accessibility.repository.ts';
import { STATEMENT_LIMITS, statementInput } from './accessibility.schemas.ts';

export type { StatementSettings } from './accessibility.repository.ts';

/** The statement as it is shown: the settings, or the defaults while none are saved. */
export interface AccessibilityStatement {
  /** False until an operator has saved the contact details: the page says so. */
  contactSet: boolean;
  organisationName: string;
  email: string | null;
  phone: string | null;
  responseDays: number;
  preparedOn: IsoDate | null;
  reviewedOn: IsoDate | null;
  knownProblems: string[];
}

/** The GOV.UK model statement's suggestion, until the host says otherwise. */
export const DEFAULT_RESPONSE_DAYS = 5;

export interface AccessibilityServiceDeps {
  repo: AccessibilityRepository;
  /** The deployment's home organisation: whose name the statement carries until one is set. */
  organisations: { findHome(): Promise<{ name: string } | undefined> };
}

/** The form's values; a problem with one line of the known problems is named as that line of its box. */
function parse(input: unknown) {
  try {
    return parseWith(statementInput, input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.issues.map((issue) => {
        const line = /^knownProblems\.(\d+)$/.exec(issue.field);
        if (!line) return issue;
        const tooLong = /characters or fewer/.test(issue.message);
        return {
          field: 'knownProblems',
          message: tooLong
            ? `Known problem ${Number(line[1]) + 1} must be ${STATEMENT_LIMITS.problemLength.toLocaleString('en-GB')} characters or fewer`
            : issue.message,
        };
      }),
    );
  }
}

export function createAccessibilityService({ repo, organisations }: AccessibilityServiceDeps) {
  async function withDefaults(settings: StatementSettings | undefined): Promise<AccessibilityStatement> {
    if (settings)
      return {
        contactSet: true,
        organisationName: settings.organisationName,
        email: settings.email,
        phone: settings.phone || null,
        responseDays: settings.responseDays,
        preparedOn: settings.preparedOn,
        reviewedOn: settings.reviewedOn,
        knownProblems: settings.knownProblems,
      };
    return {
      contactSet: false,
      organisationName: (await organisations.findHome())?.name ?? 'The organisation that runs this service',
      email: null,
      phone: null,
      responseDays: DEFAULT_RESPONSE_DAYS,
      preparedOn: null,
      reviewedOn: null,
      knownProblems: [],
    };
  }

  return {
    /** The statement as anyone reads it. */
    async statement(actor: Actor): Promise<AccessibilityStatement> {
      authorize(actor, 'accessibility.read');
      return withDefaults(await repo.find());
    },

    /** What the operator's form starts from: the saved settings (undefined when none), and the statement's defaults. */
    async settings(actor: Actor): Promise<{ saved: StatementSettings | undefined; statement: AccessibilityStatement }> {
      authorize(actor, 'deployment.operate');
      const saved = await repo.find();
      return { saved, statement: await withDefaults(saved) };
    },

    /**
     * Saves the contact details and dates. Every field's problem is named at once; nothing is saved
     * unless all are right, and nothing over a change made since the form was read.
     */
    async updateSettings(actor: Actor, input: unknown): Promise<StatementSettings> {
      authorize(actor, 'deployment.operate');
      const values = parse(input);
      const today = todayIso();
      const issues: FieldIssue[] = [];
      const preparedLater = values.preparedOn > today;
      if (preparedLater)
        issues.push({ field: 'preparedOn', message: 'The date the statement was prepared must be today or earlier' });
      if (values.reviewedOn !== null && values.reviewedOn > today)
        issues.push({
          field: 'reviewedOn',
          message: 'The date the statement was last reviewed must be today or earlier',
        });
      else if (values.reviewedOn !== null && !preparedLater && values.reviewedOn < values.preparedOn)
        issues.push({
          field: 'reviewedOn',
          message: 'The date the statement was last reviewed must be on or after the date it was prepared',
        });
      if (issues.length > 0) throw new ValidationError(issues);

      const row = {
        organisationName: values.organisationName,
        email: values.email,
        phone: values.phone,
        responseDays: values.responseDays,
        preparedOn: values.preparedOn,
        reviewedOn: values.reviewedOn,
        knownProblems: values.knownProblems,
        updatedBy: actor.label,
      };
      const before = await repo.find();
      const read = values.version ?? before?.version ?? 0;
      const after = before ? await repo.update(read, row) : read === 0 ? await repo.insert(row) : undefined;
      if (!after) throw new StaleVersionError('accessibility statement');
      return after;
    },
  };
}

export type AccessibilityService = ReturnType<typeof createAccessibilityService>;
