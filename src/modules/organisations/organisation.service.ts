// Organisations: the council using Amber (the "home" organisation of this deployment until
// sign-in decides per user), the partner organisations it records, and its status scale.

import { slugFor } from '../../domain/organisation-slug.ts';
import { publicActor, type Actor, type PublicActor } from '../../domain/actor.ts';
import type { Units } from '../../platform/db/unit-of-work.ts';
import { authorize } from '../../domain/permissions.ts';
import {
  NotFoundError,
  ValidationError,
  ConflictError,
  ForbiddenError,
  StaleVersionError,
} from '../../domain/errors.ts';
import {
  RAG_SCALE,
  TARGET_SCALE,
  checkScale,
  planScaleChange,
  statusKeyFromLabel,
  type ScaleChange,
  type Status,
  type StatusDefinition,
} from '../../domain/status-scale.ts';
import { periodLabel, parsePeriodKey } from '../../domain/period.ts';
import { STATE_LABELS } from '../../domain/report-workflow.ts';
import { percentToBasisPoints } from '../../domain/indicators/indicator.ts';
import type {
  OrganisationRepository,
  Organisation,
  StatusInput,
  IndicatorDefaults,
} from './organisation.repository.ts';
import {
  organisationInput,
  hostedOrganisationInput,
  statusScaleInput,
  indicatorDefaultsInput,
} from './organisation.schemas.ts';
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

/** An unpublished report whose status a change of the scale alters. */
export interface ReportAffectedByScale {
  reportId: string;
  priorityCode: string;
  periodKey: string;
  state: 'draft' | 'submitted' | 'officer_approved';
  /** Its status now. */
  now: Status;
  /** The status it shows once the scale is saved; null when its status is removed. */
  after: StatusDefinition | null;
}

/** What saving a scale does: which status each row is, and the unpublished reports it changes. */
export interface StatusScalePlan {
  change: ScaleChange;
  affected: ReportAffectedByScale[];
  /** The scale as it is now. */
  before: Status[];
}

/** A change of the scale that alters unpublished reports, not yet confirmed: nothing was saved. */
export class StatusScaleChangeUnconfirmedError extends ConflictError {
  readonly plan: StatusScalePlan;
  constructor(plan: StatusScalePlan) {
    const n = plan.affected.length;
    const list = plan.affected
      .map(
        (a) =>
          `${a.priorityCode} ${periodLabel(parsePeriodKey(a.periodKey))} (${STATE_LABELS[a.state].toLowerCase()}: ${a.now.label} becomes ${a.after ? a.after.label : 'not assessed'})`,
      )
      .join('; ');
    super(
      'STATUS_SCALE_CHANGE_UNCONFIRMED',
      `Saving this scale changes the status of ${n} unpublished report${n === 1 ? '' : 's'}: ${list}. Published reports are not affected: they keep the status they were published with. Nothing has been saved: confirm the change to save it.`,
    );
    this.plan = plan;
  }
}

/** Errors about a row say which row ("Status 2: enter a label"), wherever the message is shown. */
function parseScale(input: unknown) {
  try {
    return parseWith(statusScaleInput, input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.issues.map((i) => {
        const row = /^statuses\.(\d+)\./.exec(i.field);
        return row && !/^Status \d/.test(i.message)
          ? { ...i, message: `Status ${Number(row[1]) + 1}: ${i.message.charAt(0).toLowerCase()}${i.message.slice(1)}` }
          : i;
      }),
    );
  }
}

export interface OrganisationServiceDeps {
  repo: OrganisationRepository;
  units: Pick<Units<unknown>, 'current'>;
}

export function createOrganisationService({ repo, units }: OrganisationServiceDeps) {
  async function getPartner(actor: Actor, id: string): Promise<Organisation> {
    authorize(actor, 'reference.read');
    const org = /^[0-9a-f-]{36}$/i.test(id) ? await repo.findById(id) : undefined;
    if (!org || org.managedById !== actor.organisationId) throw new OrganisationNotFoundError();
    return org;
  }
  /** Read once per use case: most pages and every report need the organisation and its scale. */
  const remembered = <T>(key: string, load: () => Promise<T>): Promise<T> => units.current()?.memo(key, load) ?? load();
  const findHome = () => remembered('organisation:home', () => repo.findHome());

  /**
   * Parses a scale as saved and works out what saving it does, writing nothing: which status each
   * row is (by key, `planScaleChange`) and the unpublished reports whose status it changes.
   */
  async function plan(
    actor: Actor,
    input: unknown,
  ): Promise<{ plan: StatusScalePlan; confirm: boolean | undefined; confirmedReports: string[] | undefined }> {
    const { statuses, confirm, confirmedReports } = parseScale(input);
    const rows: StatusInput[] = statuses.map((s) => ({ ...s, key: s.key || statusKeyFromLabel(s.label) }));
    const issues = checkScale(rows);
    if (issues.length > 0) throw new ValidationError(issues);
    const before = await repo.listStatuses(actor.organisationId);
    const known = new Set(before.map((s) => s.id));
    rows.forEach((s, i) => {
      if (s.id && !known.has(s.id))
        throw ValidationError.single(`statuses.${i}.id`, `Status ${i + 1} is not part of this organisation’s scale`);
    });
    const change = planScaleChange(before, rows);
    const removed = new Set(change.removed.map((s) => s.id));
    const becomes = new Map(change.rows.filter((r) => r.id !== undefined).map((r) => [r.id!, r]));
    const touched = [
      ...change.removed,
      ...change.rekeyed.map((r) => r.status),
      ...change.renamed.map((r) => r.status),
      ...change.reruled.map((r) => r.status),
    ].map((s) => s.id);
    const byId = new Map(before.map((s) => [s.id, s]));
    const affected = (await repo.listUnpublishedReportsUsing(actor.organisationId, [...new Set(touched)])).map(
      (r): ReportAffectedByScale => {
        const after = becomes.get(r.statusId);
        return {
          reportId: r.reportId,
          priorityCode: r.priorityCode,
          periodKey: r.periodKey,
          state: r.state,
          now: byId.get(r.statusId)!,
          after: removed.has(r.statusId) || !after ? null : after,
        };
      },
    );
    return { plan: { change, affected, before }, confirm, confirmedReports };
  }

  return {
    findHome,
    async getHome(): Promise<Organisation> {
      const org = await findHome();
      if (!org) throw new NoOrganisationError();
      return org;
    },
    /**
     * Who a request before sign-in is: the public, for the organisation a URL names (by its slug),
     * else for the home organisation; undefined until there is one, or when no organisation has the slug.
     */
    async publicActor(
      slug?: string,
    ): Promise<{ actor: PublicActor; organisationName: string; organisationSlug: string } | undefined> {
      const org =
        slug === undefined
          ? await findHome()
          : await remembered(`organisation:slug:${slug}`, () => repo.findBySlug(slug));
      return org && org.slug !== null
        ? { actor: publicActor(org.id), organisationName: org.name, organisationSlug: org.slug }
        : undefined;
    },
    async getOwn(actor: Actor): Promise<Organisation> {
      authorize(actor, 'reference.read');
      const org = await remembered(`organisation:${actor.organisationId}`, () => repo.findById(actor.organisationId));
      if (!org) throw new OrganisationNotFoundError();
      return org;
    },
    /**
     * Makes an organisation the deployment's home if it has none (the first organisation there is,
     * or one re-imported in place of the home it was). Never takes the place of another home.
     */
    async adoptAsHomeIfNone(id: string): Promise<void> {
      if (await repo.claimHome(id)) units.current()?.forget('organisation:home');
    },
    /** Makes an organisation the deployment's home (an operator's choice at the machine). */
    async setHome(actor: Actor, id: string): Promise<void> {
      if (actor.kind !== 'system')
        throw new ForbiddenError('FORBIDDEN', 'Only an operator at the machine can change the home organisation.');
      const org = await repo.findById(id);
      if (!org || org.managedById !== null) throw new OrganisationNotFoundError();
      await repo.setHome(id);
      units.current()?.forget('organisation:home');
    },

    /** A council (or other body) that runs Amber, with the default status scale. */
    async createHome(actorLabel: string, input: unknown, scale: StatusDefinition[] = RAG_SCALE): Promise<Organisation> {
      const values = parseWith(hostedOrganisationInput, input);
      const slug = values.slug ?? (await repo.freeSlug(slugFor(values.shortName ?? values.name)));
      if (values.slug !== undefined && (await repo.findBySlug(values.slug)))
        throw ValidationError.single(
          'slug',
          `Another organisation’s web addresses already use ${values.slug}: choose another`,
        );
      const org = await repo.insert({ ...values, managedById: null, slug });
      // The first organisation becomes the deployment's home; later ones never take its place.
      if (await repo.claimHome(org.id)) units.current()?.forget('organisation:home');
      await repo.replaceStatuses(
        org.id,
        scale.map((s) => ({ ...s })),
      );
      await repo.audit({
        organisationId: org.id,
        actor: actorLabel,
        entity: 'organisation',
        entityId: org.id,
        action: 'create',
        after: org,
      });
      return org;
    },

    /** Every organisation that runs Amber in this deployment (the operator's page). */
    async listHosted(actor: Actor): Promise<Organisation[]> {
      authorize(actor, 'deployment.operate');
      return repo.listHosted();
    },
    /** The organisation that runs Amber at an address name (a partner to share with, a club member); undefined when none does. */
    async findByAddressName(actor: Actor, slug: string): Promise<{ id: string; name: string } | undefined> {
      authorize(actor, 'reference.read');
      const org = await repo.findBySlug(slug);
      return org?.slug ? { id: org.id, name: org.name } : undefined;
    },
    /** The organisation whose URLs carry `slug`, for an operator; undefined when there is none. */
    async findBySlug(actor: Actor, slug: string): Promise<Organisation | undefined> {
      authorize(actor, 'deployment.operate');
      const org = await repo.findBySlug(slug);
      return org?.slug ? org : undefined;
    },
    /**
     * An operator creates an organisation that runs Amber (its own administrators, users, settings,
     * status scale and data). The first organisation of a deployment becomes its home (the one the
     * public's unprefixed pages show).
     */
    async createOrganisation(
      actor: Actor,
      input: unknown,
      scale: StatusDefinition[] = RAG_SCALE,
    ): Promise<Organisation> {
      authorize(actor, 'deployment.operate');
      return this.createHome(actor.label, input, scale);
    },

    listPartners: async (actor: Actor) => {
      authorize(actor, 'reference.read');
      return repo.listManagedBy(actor.organisationId);
    },
    getPartner,
    async createPartner(actor: Actor, input: unknown): Promise<Organisation> {
      authorize(actor, 'reference.edit');
      const values = parseWith(organisationInput, input);
      if (await repo.findManagedByName(actor.organisationId, values.name)) {
        throw ValidationError.single('name', `There is already an organisation called ${values.name}`);
      }
      const org = await repo.insert({ ...values, managedById: actor.organisationId });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'organisation',
        entityId: org.id,
        action: 'create',
        after: org,
      });
      return org;
    },
    async updatePartner(actor: Actor, id: string, input: unknown): Promise<Organisation> {
      authorize(actor, 'reference.edit');
      const before = await getPartner(actor, id);
      const values = parseWith(organisationInput, input);
      const clash = await repo.findManagedByName(actor.organisationId, values.name);
      if (clash && clash.id !== id)
        throw ValidationError.single('name', `There is already an organisation called ${values.name}`);
      const after = await repo.update(id, values.version ?? before.version, values);
      if (!after) throw new StaleVersionError('organisation');
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'organisation',
        entityId: id,
        action: 'update',
        before,
        after,
      });
      return after;
    },
    /** Removes a partner nobody refers to; `version`, when given, must be the one read. */
    async deletePartner(actor: Actor, id: string, version?: unknown): Promise<void> {
      authorize(actor, 'reference.edit');
      const before = await getPartner(actor, id);
      const uses = await repo.countReferences(id);
      if (uses > 0) {
        throw new ConflictError(
          'ORGANISATION_IN_USE',
          `${before.name} cannot be removed: ${uses} ${uses === 1 ? 'person or action refers' : 'people or actions refer'} to it`,
        );
      }
      const read = version === undefined || version === '' ? before.version : Number(version);
      if (!(await repo.delete(id, read))) throw new StaleVersionError('organisation');
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'organisation',
        entityId: id,
        action: 'delete',
        before,
      });
    },

    statusScale: async (actor: Actor): Promise<Status[]> => {
      authorize(actor, 'reference.read');
      return remembered(`statuses:${actor.organisationId}`, () => repo.listStatuses(actor.organisationId));
    },

    /** The tolerance of the organisation's indicators that have no rule of their own. */
    async indicatorDefaults(actor: Actor): Promise<IndicatorDefaults> {
      authorize(actor, 'reference.read');
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
      const before = await repo.findIndicatorDefaults(actor.organisationId);
      if (!before) throw new OrganisationNotFoundError();
      await repo.updateIndicatorDefaults(actor.organisationId, after);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'organisation',
        entityId: actor.organisationId,
        action: 'update',
        before: { indicatorDefaults: before },
        after: { indicatorDefaults: after },
      });
      return after;
    },

    /**
     * Saves the scale (labels, keys, colours, shapes, order, comment rules). A row that keeps a
     * status's key keeps that status and its reports, wherever the row now stands. When the change
     * removes, re-keys or renames a status that unpublished reports use, nothing is saved until it
     * is confirmed (`confirm`, and for the form the reports it listed). Published reports are
     * never touched: they show the status their revision was published with.
     */
    async updateStatusScale(actor: Actor, input: unknown): Promise<Status[]> {
      authorize(actor, 'settings.edit');
      const { plan: planned, confirm, confirmedReports } = await plan(actor, input);
      const { change, affected, before } = planned;
      if (affected.length > 0) {
        const seen = confirmedReports === undefined ? undefined : new Set(confirmedReports);
        const confirmed = confirm === true && (seen === undefined || affected.every((a) => seen.has(a.reportId)));
        if (!confirmed) throw new StatusScaleChangeUnconfirmedError(planned);
      }
      // A removed status leaves the reports that had it without one (a published report's
      // revision keeps the status it was published with).
      await repo.clearReportStatuses(
        actor.organisationId,
        change.removed.map((s) => s.id),
      );
      await repo.replaceStatuses(actor.organisationId, change.rows);
      units.current()?.forget(`statuses:${actor.organisationId}`);
      const after = await repo.listStatuses(actor.organisationId);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'status_scale',
        entityId: actor.organisationId,
        action: 'update',
        before,
        after,
      });
      return after;
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
