// Reporting periods: the spans an organisation reports on (half-years, quarters, months, years
// of UK financial years). Each is identified by a stable key such as 2009-10-h1.

import type { Actor } from '../../domain/actor.ts';
import type { Units } from '../../platform/db/unit-of-work.ts';
import { authorize } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError } from '../../domain/errors.ts';
import { parsePeriodKey, periodLabel, periodSpan, comparePeriods, type Period } from '../../domain/period.ts';
import { parseWith } from '../../platform/validation.ts';
import type { PeriodRepository } from './period.repository.ts';
import { periodInputSchema, periodDueInput } from './period.schemas.ts';

export interface ReportingPeriod extends Period {
  id: string;
  label: string;
  span: string;
  dueOn: string | null;
}

export class PeriodNotFoundError extends NotFoundError {
  constructor(key: string) {
    super('PERIOD_NOT_FOUND', `There is no reporting period ${key}`);
  }
}

/** A period's row as the service gives it (also for a row another module read with its report). */
export function toReportingPeriod(row: { id: string; key: string; dueOn: string | null }): ReportingPeriod {
  const p = parsePeriodKey(row.key);
  return { ...p, id: row.id, label: periodLabel(p), span: periodSpan(p), dueOn: row.dueOn };
}

export interface PeriodServiceDeps {
  repo: PeriodRepository;
  units: Pick<Units<unknown>, 'current'>;
}

export function createPeriodService({ repo, units }: PeriodServiceDeps) {
  /** A period is read once per use case (a report needs it, and so do its graphs and reminders). */
  async function findByKey(actor: Actor, key: string): Promise<ReportingPeriod | undefined> {
    authorize(actor, 'reference.read');
    let normalised: string;
    try {
      normalised = parsePeriodKey(key).key;
    } catch {
      return undefined;
    }
    const load = async () => {
      const row = await repo.findByKey(actor.organisationId, normalised);
      return row && toReportingPeriod(row);
    };
    return units.current()?.memo(`period:${actor.organisationId}:${normalised}`, load) ?? load();
  }
  return {
    async list(actor: Actor): Promise<ReportingPeriod[]> {
      authorize(actor, 'reference.read');
      return (await repo.list(actor.organisationId)).map(toReportingPeriod).sort((a, b) => -comparePeriods(a, b));
    },
    findByKey,
    async getByKey(actor: Actor, key: string): Promise<ReportingPeriod> {
      const p = await findByKey(actor, key);
      if (!p) throw new PeriodNotFoundError(key);
      return p;
    },
    async create(actor: Actor, input: unknown): Promise<ReportingPeriod> {
      authorize(actor, 'reference.edit');
      const { period, dueOn } = parseWith(periodInputSchema(input), input);
      if (await repo.findByKey(actor.organisationId, period.key)) {
        throw ValidationError.single('number', `${periodLabel(period)} already exists`);
      }
      const id = await repo.insert(actor.organisationId, {
        key: period.key,
        startsOn: period.startsOn,
        endsOn: period.endsOn,
        dueOn,
      });
      const created = toReportingPeriod({ id, key: period.key, dueOn });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'reporting_period',
        entityId: id,
        action: 'create',
        after: created,
      });
      return created;
    },
    /** Finds the period, creating it when missing (used by the demo and imports). */
    async ensure(actor: Actor, key: string): Promise<ReportingPeriod> {
      return (await findByKey(actor, key)) ?? this.create(actor, { key });
    },
    async setDueDate(actor: Actor, key: string, input: unknown): Promise<ReportingPeriod> {
      authorize(actor, 'reference.edit');
      const { dueOn } = parseWith(periodDueInput, input);
      const before = await findByKey(actor, key);
      if (!before) throw new PeriodNotFoundError(key);
      await repo.updateDue(actor.organisationId, before.id, dueOn);
      units.current()?.forget(`period:${actor.organisationId}:`);
      const after = { ...before, dueOn };
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'reporting_period',
        entityId: before.id,
        action: 'update',
        before,
        after,
      });
      return after;
    },
    async delete(actor: Actor, key: string): Promise<void> {
      authorize(actor, 'reference.edit');
      const before = await findByKey(actor, key);
      if (!before) throw new PeriodNotFoundError(key);
      const n = await repo.countReports(before.id);
      if (n > 0)
        throw new ConflictError(
          'PERIOD_IN_USE',
          `${before.label} cannot be removed: ${n} report${n === 1 ? ' is' : 's are'} written for it`,
        );
      await repo.delete(actor.organisationId, before.id);
      units.current()?.forget(`period:${actor.organisationId}:`);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'reporting_period',
        entityId: before.id,
        action: 'delete',
        before,
      });
    },
  };
}

export type PeriodService = ReturnType<typeof createPeriodService>;
