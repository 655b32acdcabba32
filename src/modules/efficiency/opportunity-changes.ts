// Removing savings opportunities, benchmark sets and business cases (issue 12). A removal is
// refused, saying what rests on the record, while a business case or a ledger entry is for the
// opportunity (its history would lose its subject), an opportunity was worked out from the
// benchmark (its working would lose its source) or a project of the implementation plan is built
// on the case (the plan would lose its mandate): the officer changes or removes those first. Otherwise the
// record goes with one audit event, checked against the version it was read at.
//
// An approved business case records a decision someone took (who approved it and when). A council
// may still need it gone — approved in error, or superseded before any project started — so it is
// not refused outright, but it goes only with the reason stated, kept in the audit trail beside
// the case as it was (its approval included): the decision and why it was undone stay on record.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { formatDate, type IsoDate } from '../../domain/dates.ts';
import { NotFoundError, StaleVersionError, ValidationError } from '../../domain/errors.ts';
import { parseWith } from '../../platform/validation.ts';
import type {
  BenchmarkRecord,
  BusinessCaseRecord,
  EfficiencyRepository,
  OpportunityRecord,
} from './efficiency.repository.ts';
import type { ExerciseSummary } from './efficiency.service.ts';
import { caseDeleteInput, deleteInput } from './programme-changes.schemas.ts';

export interface OpportunityChangeDeps {
  repo: EfficiencyRepository;
  exercise: (actor: Actor, exerciseId: string) => Promise<ExerciseSummary>;
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const notFound = (what: string) =>
  new NotFoundError('EFFICIENCY_NOT_FOUND', `There is no such ${what} in this exercise`);
const quoted = (titles: readonly string[]) => titles.map((t) => `“${t}”`).join(', ');
/** "The business case was approved by … on …", for an approved case; undefined for a draft. */
const approvalOf = (c: BusinessCaseRecord): string | undefined =>
  c.status !== 'approved'
    ? undefined
    : `The business case was approved${c.approvedBy ? ` by ${c.approvedBy}` : ''}${
        c.approvedAt ? ` on ${formatDate(c.approvedAt.toISOString().slice(0, 10) as IsoDate)}` : ''
      }`;

export function opportunityChangeUseCases({ repo, exercise }: OpportunityChangeDeps) {
  const audit = (actor: Actor, entity: string, entityId: string, before: unknown, after?: unknown) =>
    repo.audit({
      organisationId: actor.organisationId,
      actor: actor.label,
      entity,
      entityId,
      action: 'delete',
      before,
      after,
    });

  const useCases = {
    /** The opportunity and why it cannot be deleted, if it cannot: the confirmation page says either. */
    async opportunityDeletion(
      actor: Actor,
      exerciseId: string,
      id: string,
    ): Promise<{ exercise: ExerciseSummary; opportunity: OpportunityRecord; refusal: string | undefined }> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const opportunity = isUuid(id)
        ? (await repo.listOpportunities(actor.organisationId, ex.id)).find((o) => o.id === id)
        : undefined;
      if (!opportunity) throw notFound('opportunity');
      const uses = await repo.opportunityUses(actor.organisationId, id);
      const parts = [
        ...(uses.cases.length ? [`the business case${uses.cases.length === 1 ? '' : 's'} ${quoted(uses.cases)}`] : []),
        ...(uses.savings ? [`${uses.savings} saving${uses.savings === 1 ? '' : 's'} in the ledger`] : []),
      ];
      const refusal = parts.length
        ? `${parts.join(' and ')} ${uses.cases.length + uses.savings === 1 ? 'is' : 'are'} for this opportunity: change or remove ${uses.cases.length + uses.savings === 1 ? 'it' : 'them'} first, so no history loses its subject`
        : undefined;
      return { exercise: ex, opportunity, refusal };
    },
    async deleteOpportunity(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<OpportunityRecord> {
      const { version } = parseWith(deleteInput, body);
      const { opportunity, refusal } = await useCases.opportunityDeletion(actor, exerciseId, id);
      if (refusal) throw ValidationError.single('opportunity', refusal);
      if (!(await repo.deleteUnusedOpportunity(actor.organisationId, id, version)))
        throw new StaleVersionError('opportunity');
      await audit(actor, 'opportunity', id, opportunity);
      return opportunity;
    },
    /** The business case and why it cannot be deleted, if it cannot: the confirmation page says either. */
    async caseDeletion(
      actor: Actor,
      exerciseId: string,
      id: string,
    ): Promise<{
      exercise: ExerciseSummary;
      case: BusinessCaseRecord;
      refusal: string | undefined;
      /** For an approved case: who approved it and when, and that a reason is needed to delete it. */
      approval: string | undefined;
    }> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const found = isUuid(id)
        ? (await repo.listCases(actor.organisationId, ex.id)).find((c) => c.id === id)
        : undefined;
      if (!found) throw notFound('business case');
      const projects = await repo.caseUses(actor.organisationId, id);
      const refusal = projects.length
        ? `The implementation plan’s project${projects.length === 1 ? '' : 's'} ${quoted(projects)} ${projects.length === 1 ? 'is' : 'are'} built on this business case: delete ${projects.length === 1 ? 'it' : 'them'} first, so the plan keeps its mandate`
        : undefined;
      return { exercise: ex, case: found, refusal, approval: approvalOf(found) };
    },
    /**
     * Deletes a business case with its options and cash-flow lines, unless a project stands on it;
     * an approved one only with the reason, which the audit event keeps.
     */
    async deleteCase(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<BusinessCaseRecord> {
      const { version, reason } = parseWith(caseDeleteInput, body);
      const { case: found, refusal, approval } = await useCases.caseDeletion(actor, exerciseId, id);
      if (refusal) throw ValidationError.single('case', refusal);
      if (approval && reason === '')
        throw ValidationError.single(
          'reason',
          `${approval}: give the reason for deleting it, which the audit trail keeps with the case`,
        );
      if (!(await repo.deleteUnusedCase(actor.organisationId, id, version)))
        throw new StaleVersionError('business case');
      await audit(actor, 'business_case', id, found, reason === '' ? undefined : { reason });
      return found;
    },
    async benchmarkDeletion(
      actor: Actor,
      exerciseId: string,
      id: string,
    ): Promise<{ exercise: ExerciseSummary; benchmark: BenchmarkRecord; refusal: string | undefined }> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const benchmark = isUuid(id)
        ? (await repo.listBenchmarks(actor.organisationId, ex.id)).find((b) => b.id === id)
        : undefined;
      if (!benchmark) throw notFound('benchmark');
      const uses = await repo.benchmarkUses(actor.organisationId, id);
      const refusal = uses.length
        ? `The opportunit${uses.length === 1 ? 'y' : 'ies'} ${quoted(uses)} ${uses.length === 1 ? 'was' : 'were'} worked out from this benchmark: choose another benchmark for ${uses.length === 1 ? 'it' : 'them'} first, so the working keeps its source`
        : undefined;
      return { exercise: ex, benchmark, refusal };
    },
    async deleteBenchmark(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<BenchmarkRecord> {
      const { version } = parseWith(deleteInput, body);
      const { benchmark, refusal } = await useCases.benchmarkDeletion(actor, exerciseId, id);
      if (refusal) throw ValidationError.single('benchmark', refusal);
      if (!(await repo.deleteUnusedBenchmark(actor.organisationId, id, version)))
        throw new StaleVersionError('benchmark');
      await audit(actor, 'benchmark_set', id, benchmark);
      return benchmark;
    },
  };
  return useCases;
}
