// Use cases of a business case's options and cash-flow lines (issue 12): add, change and delete
// them. One write path: the case's version is checked and bumped (a stale form is refused with
// the conflict message, and the person's input is kept by the page), an approved case is frozen,
// a line is checked against what Amber holds before anything is written (a ValidationError
// naming the field and year, never a 500), and one audit event says what changed, before → after.
// Part of the efficiency service (efficiency.service.ts wires it in).

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { ValidationError, ConflictError } from '../../domain/errors.ts';
import { DISCOUNT_SCHEDULES, type OptimismBiasCategory } from '../../domain/diagnostic/appraisal.ts';
import { type CaseOptionAppraisal, appraiseCaseOption, capacityIssue } from '../../domain/diagnostic/case-option.ts';
import { parseWith } from '../../platform/validation.ts';
import type {
  BusinessCaseRecord,
  CaseLineRecord,
  CaseLineValues,
  CaseOptionRecord,
  EfficiencyQueries,
} from './efficiency.repository.ts';
import { optionInput, versionInput } from './efficiency.schemas.ts';
import { caseLineInput } from './cases.schemas.ts';

/** A case with each option appraised on the case's discount schedule. */
export interface AppraisedCase extends BusinessCaseRecord {
  appraisals: { option: CaseOptionRecord; appraisal: CaseOptionAppraisal }[];
}

/** The appraisal of an option's lines as stored, on the case's schedule. */
export function appraiseStoredOption(c: Pick<BusinessCaseRecord, 'discountSchedule'>, option: CaseOptionRecord) {
  return appraiseCaseOption(
    option.lines.map(asOptionLine),
    { mitigation: option.mitigation, benefitReduction: option.benefitReduction },
    DISCOUNT_SCHEDULES[c.discountSchedule].bands,
  );
}

const asOptionLine = (l: Omit<CaseLineValues, 'optimismBias'> & { optimismBias: string | null }) => ({
  kind: l.kind,
  category: l.category,
  label: l.label,
  optimismBias: (l.optimismBias ?? undefined) as OptimismBiasCategory | undefined,
  statedUplift: l.statedUplift ?? undefined,
  amounts: l.amounts,
});

const stale = () =>
  new ConflictError(
    'STALE_VERSION',
    'Someone else changed this business case while you were editing it. Your changes have not been saved: reload the page to see their changes, then make yours again.',
  );

export interface CaseUseCaseDeps {
  repo: EfficiencyQueries;
  exercise: (actor: Actor, exerciseId: string) => Promise<{ id: string }>;
  /** The case of the exercise (throws EfficiencyNotFoundError when it is not there). */
  getCase: (actor: Actor, exerciseId: string, caseId: string) => Promise<BusinessCaseRecord>;
  notFound: (what: string) => Error;
}

export function caseUseCases({ repo, exercise, getCase, notFound }: CaseUseCaseDeps) {
  /**
   * Runs one change to a case's options or lines: refused on an approved case or a stale version,
   * then `fn` writes and says what to audit.
   */
  async function change(
    actor: Actor,
    exerciseId: string,
    caseId: string,
    version: number | undefined,
    fn: (c: BusinessCaseRecord) => Promise<{
      entity: 'business_case_option' | 'business_case_line';
      entityId: string;
      action: 'create' | 'update' | 'delete';
      before: unknown;
      after: (c: BusinessCaseRecord) => unknown;
    }>,
  ): Promise<BusinessCaseRecord> {
    authorize(actor, 'diagnostic.edit');
    const ex = await exercise(actor, exerciseId);
    const before = await getCase(actor, ex.id, caseId);
    if (before.status === 'approved')
      throw ValidationError.single(
        'version',
        'This business case is approved: its options and cash flows can no longer change',
      );
    if (!(await repo.touchCase(actor.organisationId, caseId, version ?? before.version))) throw stale();
    const done = await fn(before);
    const after = await getCase(actor, ex.id, caseId);
    await repo.audit({
      organisationId: actor.organisationId,
      actor: actor.label,
      entity: done.entity,
      entityId: done.entityId,
      action: done.action,
      before: done.before,
      after: { caseId, caseVersion: after.version, ...(done.after(after) as object) },
    });
    return after;
  }

  const optionOf = (c: BusinessCaseRecord, optionId: string): CaseOptionRecord => {
    const o = c.options.find((x) => x.id === optionId);
    if (!o) throw notFound('option');
    return o;
  };
  const lineOf = (
    c: BusinessCaseRecord,
    lineId: string,
  ): { option: CaseOptionRecord; line: CaseLineRecord; n: number } => {
    for (const option of c.options) {
      const i = option.lines.findIndex((l) => l.id === lineId);
      if (i >= 0) return { option, line: option.lines[i]!, n: i + 1 };
    }
    throw notFound('cash-flow line');
  };

  /**
   * Refuses a set of lines (the option's, with one added or changed) that would take a figure
   * beyond what Amber holds, naming the amounts field and, when it can, the year and the line.
   */
  function checkCapacity(
    c: BusinessCaseRecord,
    option: CaseOptionRecord,
    lines: CaseLineValues[],
    lineNumber: number,
    fromList: boolean,
  ): void {
    const issue = capacityIssue(
      lines.map(asOptionLine),
      { mitigation: option.mitigation, benefitReduction: option.benefitReduction },
      DISCOUNT_SCHEDULES[c.discountSchedule].bands,
    );
    if (!issue) return;
    const field = fromList && issue.year !== undefined ? `amounts.${issue.year}` : 'amounts';
    throw ValidationError.single(field, `Line ${lineNumber} of “${option.name}”: ${issue.message}`);
  }

  /**
   * The case (and the option or line) the request names, before its body is read: another
   * organisation's or a missing id is not found (404), never a complaint about the body.
   */
  async function locate(
    actor: Actor,
    exerciseId: string,
    caseId: string,
    item?: { option?: string; line?: string },
  ): Promise<void> {
    authorize(actor, 'diagnostic.edit');
    const ex = await exercise(actor, exerciseId);
    const c = await getCase(actor, ex.id, caseId);
    if (item?.option) optionOf(c, item.option);
    if (item?.line) lineOf(c, item.line);
  }

  const lineValues = (v: ReturnType<typeof parseLine>): CaseLineValues => ({
    kind: v.kind,
    category: v.category,
    label: v.label,
    optimismBias: v.optimismBias,
    statedUplift: v.statedUplift,
    optimismBiasReason: v.optimismBiasReason,
    amounts: v.amounts,
  });
  const parseLine = (body: unknown) => parseWith(caseLineInput, body);
  const isList = (body: unknown) =>
    !!body && typeof body === 'object' && Array.isArray((body as Record<string, unknown>).amounts);

  return {
    /** The option of a case, for its edit and delete pages. */
    async caseOption(actor: Actor, exerciseId: string, caseId: string, optionId: string) {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const c = await getCase(actor, ex.id, caseId);
      return { case: c, option: optionOf(c, optionId) };
    },
    /** A line of a case, for its edit and delete pages, with its option and number in it. */
    async caseLine(actor: Actor, exerciseId: string, caseId: string, lineId: string) {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const c = await getCase(actor, ex.id, caseId);
      return { case: c, ...lineOf(c, lineId) };
    },

    async addLine(actor: Actor, exerciseId: string, caseId: string, body: unknown): Promise<BusinessCaseRecord> {
      await locate(actor, exerciseId, caseId);
      const v = parseLine(body);
      let id = '';
      return change(actor, exerciseId, caseId, v.version, async (c) => {
        const option = c.options.find((o) => o.id === v.optionId);
        if (!option) throw ValidationError.single('optionId', 'Select an option of this business case from the list');
        const line = lineValues(v);
        checkCapacity(c, option, [...option.lines, line], option.lines.length + 1, isList(body));
        id = await repo.insertLine(actor.organisationId, option.id, line);
        return {
          entity: 'business_case_line',
          entityId: id,
          action: 'create',
          before: undefined,
          after: () => ({ optionId: option.id, ...line }),
        };
      });
    },

    async updateLine(
      actor: Actor,
      exerciseId: string,
      caseId: string,
      lineId: string,
      body: unknown,
    ): Promise<BusinessCaseRecord> {
      await locate(actor, exerciseId, caseId, { line: lineId });
      const v = parseLine(body);
      return change(actor, exerciseId, caseId, v.version, async (c) => {
        const { option, line: before, n } = lineOf(c, lineId);
        const target = c.options.find((o) => o.id === v.optionId);
        if (!target) throw ValidationError.single('optionId', 'Select an option of this business case from the list');
        const line = lineValues(v);
        if (target.id === option.id)
          checkCapacity(
            c,
            option,
            option.lines.map((l) => (l.id === lineId ? line : l)),
            n,
            isList(body),
          );
        else checkCapacity(c, target, [...target.lines, line], target.lines.length + 1, isList(body));
        if (target.id !== option.id) {
          await repo.deleteLine(actor.organisationId, lineId);
          const id = await repo.insertLine(actor.organisationId, target.id, line);
          return {
            entity: 'business_case_line',
            entityId: id,
            action: 'update',
            before: { optionId: option.id, ...before },
            after: () => ({ optionId: target.id, movedFrom: lineId, ...line }),
          };
        }
        await repo.updateLine(actor.organisationId, lineId, line);
        return {
          entity: 'business_case_line',
          entityId: lineId,
          action: 'update',
          before: { optionId: option.id, ...before },
          after: () => ({ optionId: option.id, ...line }),
        };
      });
    },

    async deleteLine(
      actor: Actor,
      exerciseId: string,
      caseId: string,
      lineId: string,
      body: unknown,
    ): Promise<BusinessCaseRecord> {
      await locate(actor, exerciseId, caseId, { line: lineId });
      const { version } = parseWith(versionInput, body);
      return change(actor, exerciseId, caseId, version, async (c) => {
        const { option, line } = lineOf(c, lineId);
        await repo.deleteLine(actor.organisationId, lineId);
        return {
          entity: 'business_case_line',
          entityId: lineId,
          action: 'delete',
          before: { optionId: option.id, ...line },
          after: () => ({}),
        };
      });
    },

    async updateOption(
      actor: Actor,
      exerciseId: string,
      caseId: string,
      optionId: string,
      body: unknown,
    ): Promise<BusinessCaseRecord> {
      await locate(actor, exerciseId, caseId, { option: optionId });
      const v = parseWith(optionInput, body);
      return change(actor, exerciseId, caseId, v.version, async (c) => {
        const before = optionOf(c, optionId);
        const values = {
          name: v.name,
          description: v.description,
          businessAsUsual: v.businessAsUsual,
          preferred: v.preferred,
          mitigation: v.mitigation,
          benefitReduction: v.benefitReduction,
        };
        // Less mitigation raises the uplift: the lines must still fit within what Amber holds.
        checkCapacity(c, { ...before, ...values }, before.lines, before.lines.length, false);
        await repo.updateOption(actor.organisationId, caseId, optionId, values);
        const { lines: _lines, ...was } = before;
        return {
          entity: 'business_case_option',
          entityId: optionId,
          action: 'update',
          before: was,
          after: () => values,
        };
      });
    },

    async deleteOption(
      actor: Actor,
      exerciseId: string,
      caseId: string,
      optionId: string,
      body: unknown,
    ): Promise<BusinessCaseRecord> {
      await locate(actor, exerciseId, caseId, { option: optionId });
      const { version } = parseWith(versionInput, body);
      return change(actor, exerciseId, caseId, version, async (c) => {
        const before = optionOf(c, optionId);
        await repo.deleteOption(actor.organisationId, caseId, optionId);
        return {
          entity: 'business_case_option',
          entityId: optionId,
          action: 'delete',
          before,
          after: () => ({}),
        };
      });
    },
  };
}
