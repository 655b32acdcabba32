// Organisations: the council using Amber (the "home" organisation of this deployment until
// sign-in decides per user), the partner organisations it records, and its status scale.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError } from '../../domain/errors.ts';
import {
  RAG_SCALE,
  TARGET_SCALE,
  checkScale,
  statusKeyFromLabel,
  type Status,
  type StatusDefinition,
} from '../../domain/status-scale.ts';
import { percentToBasisPoints } from '../../domain/indicators/indicator.ts';
import type {
  OrganisationRepository,
  OrganisationQueries,
  Organisation,
  StatusInput,
  IndicatorDefaults,
} from './organisation.repository.ts';
import { organisationInput, statusScaleInput, indicatorDefaultsInput } from './organisation.schemas.ts';
import { parseWith } from '../../platform/validation.ts';

export type { Organisation, IndicatorDefaults } from './organisation.repository.ts';

export const STATUS_PRESETS: Record<string, { label: string; statuses: StatusDefinition[] }> = {
  rag: { label: 'Red, Amber, Green', statuses: RAG_SCALE },
  target: { label: 'On target, Behind target, Failing', statuses: TARGET_SCALE },
};

export class OrganisationNotFoundError extends NotFoundError {
  constructor() {
    super('ORGANISATION_NOT_FOUND', 'There is no such organisation');
  }
}
export class NoOrganisationError extends NotFoundError {
  constructor() {
    super('NO_ORGANISATION', 'Amber has no organisation yet: run `amber demo` or `amber import FILE.json`');
  }
}

export function createOrganisationService(repo: OrganisationRepository) {
  // Inside a transaction, reads go through its queries (PGlite has one connection).
  async function getPartner(actor: Actor, id: string, q: OrganisationQueries = repo): Promise<Organisation> {
    const org = /^[0-9a-f-]{36}$/i.test(id) ? await q.findById(id) : undefined;
    if (!org || org.managedById !== actor.organisationId) throw new OrganisationNotFoundError();
    return org;
  }

  return {
    findHome: () => repo.findHome(),
    async getHome(): Promise<Organisation> {
      const org = await repo.findHome();
      if (!org) throw new NoOrganisationError();
      return org;
    },
    async getOwn(actor: Actor): Promise<Organisation> {
      const org = await repo.findById(actor.organisationId);
      if (!org) throw new OrganisationNotFoundError();
      return org;
    },

    /** A council (or other body) that runs Amber, with the default status scale. */
    async createHome(actorLabel: string, input: unknown, scale: StatusDefinition[] = RAG_SCALE): Promise<Organisation> {
      const values = parseWith(organisationInput, input);
      return repo.transaction(async (r) => {
        const org = await r.insert({ ...values, managedById: null });
        await r.replaceStatuses(
          org.id,
          scale.map((s) => ({ ...s })),
        );
        await r.audit({
          organisationId: org.id,
          actor: actorLabel,
          entity: 'organisation',
          entityId: org.id,
          action: 'create',
          after: org,
        });
        return org;
      });
    },

    listPartners: (actor: Actor) => repo.listManagedBy(actor.organisationId),
    getPartner,
    async createPartner(actor: Actor, input: unknown): Promise<Organisation> {
      authorize(actor, 'reference.edit');
      const values = parseWith(organisationInput, input);
      return repo.transaction(async (r) => {
        if (await r.findManagedByName(actor.organisationId, values.name)) {
          throw ValidationError.single('name', `There is already an organisation called ${values.name}`);
        }
        const org = await r.insert({ ...values, managedById: actor.organisationId });
        await r.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'organisation',
          entityId: org.id,
          action: 'create',
          after: org,
        });
        return org;
      });
    },
    async updatePartner(actor: Actor, id: string, input: unknown): Promise<Organisation> {
      authorize(actor, 'reference.edit');
      const values = parseWith(organisationInput, input);
      return repo.transaction(async (r) => {
        const before = await getPartner(actor, id, r);
        const clash = await r.findManagedByName(actor.organisationId, values.name);
        if (clash && clash.id !== id)
          throw ValidationError.single('name', `There is already an organisation called ${values.name}`);
        const after = await r.update(id, values);
        await r.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'organisation',
          entityId: id,
          action: 'update',
          before,
          after,
        });
        return after;
      });
    },
    async deletePartner(actor: Actor, id: string): Promise<void> {
      authorize(actor, 'reference.edit');
      await repo.transaction(async (r) => {
        const before = await getPartner(actor, id, r);
        const uses = await r.countReferences(id);
        if (uses > 0) {
          throw new ConflictError(
            'ORGANISATION_IN_USE',
            `${before.name} cannot be removed: ${uses} ${uses === 1 ? 'person or action refers' : 'people or actions refer'} to it`,
          );
        }
        await r.delete(id);
        await r.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'organisation',
          entityId: id,
          action: 'delete',
          before,
        });
      });
    },

    statusScale: (actor: Actor): Promise<Status[]> => repo.listStatuses(actor.organisationId),

    /** The tolerance of the organisation's indicators that have no rule of their own. */
    async indicatorDefaults(actor: Actor): Promise<IndicatorDefaults> {
      const defaults = await repo.findIndicatorDefaults(actor.organisationId);
      if (!defaults) throw new OrganisationNotFoundError();
      return defaults;
    },

    /**
     * Sets the default tolerance. Only a percentage: an amount means nothing across indicators
     * in different units. Read like the indicator form's percentage (at most two decimals).
     */
    async updateIndicatorDefaults(actor: Actor, input: unknown): Promise<IndicatorDefaults> {
      authorize(actor, 'settings.edit');
      const { tolerance } = parseWith(indicatorDefaultsInput, input);
      const text = tolerance.trim().replace(/%$/, '').trim();
      let ruleValue: number;
      try {
        if (text === '') throw new RangeError('The tolerance must be zero or more');
        ruleValue = percentToBasisPoints(Number(text), 'The tolerance');
      } catch (e) {
        throw ValidationError.single('tolerance', `${(e as Error).message.replace(/, not .*$/, '')}, like 5`);
      }
      if (ruleValue > 100_00) throw ValidationError.single('tolerance', 'The tolerance must be 100% or less, like 5');
      const after: IndicatorDefaults = { ruleKind: 'percent', ruleValue };
      return repo.transaction(async (r) => {
        const before = await r.findIndicatorDefaults(actor.organisationId);
        if (!before) throw new OrganisationNotFoundError();
        await r.updateIndicatorDefaults(actor.organisationId, after);
        await r.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'organisation',
          entityId: actor.organisationId,
          action: 'update',
          before: { indicatorDefaults: before },
          after: { indicatorDefaults: after },
        });
        return after;
      });
    },

    /** Replaces the scale (labels, colours, shapes, order, comment rules). A status still used by a report cannot be removed. */
    async updateStatusScale(actor: Actor, input: unknown): Promise<Status[]> {
      authorize(actor, 'settings.edit');
      const { statuses } = parseWith(statusScaleInput, input);
      const withKeys: StatusInput[] = statuses.map((s) => ({ ...s, key: s.key || statusKeyFromLabel(s.label) }));
      const issues = checkScale(withKeys);
      if (issues.length > 0) throw new ValidationError(issues);
      return repo.transaction(async (r) => {
        const before = await r.listStatuses(actor.organisationId);
        const known = new Set(before.map((s) => s.id));
        withKeys.forEach((s, i) => {
          if (s.id && !known.has(s.id))
            throw ValidationError.single(
              `statuses.${i}.id`,
              `Status ${i + 1} is not part of this organisation’s scale`,
            );
        });
        const used = await r.countReportsByStatus(actor.organisationId);
        const kept = new Set(withKeys.map((s) => s.id).filter(Boolean));
        const removedInUse = before.filter((s) => !kept.has(s.id) && (used.get(s.id) ?? 0) > 0);
        if (removedInUse.length > 0) {
          throw new ValidationError(
            removedInUse.map((s) => ({
              field: 'statuses',
              message: `${s.label} cannot be removed: ${used.get(s.id)} report${used.get(s.id) === 1 ? ' uses' : 's use'} it. Rename it instead, or change those reports first`,
            })),
          );
        }
        await r.replaceStatuses(actor.organisationId, withKeys);
        const after = await r.listStatuses(actor.organisationId);
        await r.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'status_scale',
          entityId: actor.organisationId,
          action: 'update',
          before,
          after,
        });
        return after;
      });
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
