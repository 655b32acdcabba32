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
  scaleDiff,
  scalesOf,
  statusKeyFromLabel,
  versionInForce,
  type ScaleChange,
  type ScaleDiffLine,
  type Status,
  type StatusDefinition,
  type StatusScales,
} from '../../domain/status-scale.ts';
import { periodLabel, parsePeriodKey } from '../../domain/period.ts';
import { STATE_LABELS } from '../../domain/report-workflow.ts';
import { percentToBasisPoints } from '../../domain/indicators/indicator.ts';
import type {
  OrganisationRepository,
  Organisation,
  StatusInput,
  IndicatorDefaults,
  PeriodForScale,
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

/** A reporting period a new version of the scale can be used from (the scale page's choice). */
export interface ScalePeriod {
  key: string;
  label: string;
  startsOn: string;
}

/** One version of the scale with the period it is used from (null: the first version, for every earlier period). */
export interface ScaleVersionView {
  inUseFrom: ScalePeriod | null;
  statuses: Status[];
}

/** What saving a scale does: which status each row is, and the unpublished reports it changes. */
export interface StatusScalePlan {
  change: ScaleChange;
  /** The change status by status (added, removed, renamed...), against the newest version. */
  diff: ScaleDiffLine[];
  affected: ReportAffectedByScale[];
  /** The scale as it is now (the newest version). */
  before: Status[];
  /**
   * The period the change is used from: reports of periods starting before it keep the scale as
   * it was. Null only while the organisation has no reporting periods (the scale changes for all).
   */
  inUseFrom: ScalePeriod | null;
  /** True when the change is a new version; false when it changes the newest version, which starts then. */
  newVersion: boolean;
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
    const from = plan.inUseFrom ? ` from ${plan.inUseFrom.label} on` : '';
    super(
      'STATUS_SCALE_CHANGE_UNCONFIRMED',
      `Saving this scale${from} changes the status of ${n} unpublished report${n === 1 ? '' : 's'}: ${list}. Published reports are not affected: they keep the status they were published with. Nothing has been saved: confirm the change to save it.`,
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
  /** The actor's own organisation and its defaults: one read of its row per use case, whichever is asked first. */
  const own = (organisationId: string) =>
    remembered(`organisation:${organisationId}`, () => repo.findWithDefaults(organisationId));

  /** Every version of the scale, read once per use case (most pages and every report need it). */
  const scalesOfOrganisation = (organisationId: string): Promise<StatusScales> =>
    remembered(`statuses:${organisationId}`, async () => scalesOf(await repo.listStatuses(organisationId)));
  const scalePeriod = (p: Pick<PeriodForScale, 'key' | 'startsOn'>): ScalePeriod => ({
    key: p.key,
    label: periodLabel(parsePeriodKey(p.key)),
    startsOn: p.startsOn,
  });

  /**
   * The periods a new version can be used from (those starting on or after the newest version's
   * start: an earlier version is never rewritten) and the one offered first: the earliest of them
   * with an unpublished report, else the current one (the latest that has started), else the first.
   */
  async function periodChoices(actor: Actor): Promise<{
    all: PeriodForScale[];
    periods: ScalePeriod[];
    proposed: ScalePeriod | undefined;
    newestFrom: string | null;
  }> {
    const newestFrom = versionInForce((await scalesOfOrganisation(actor.organisationId)).versions)?.inUseFrom ?? null;
    const all = await repo.listPeriodsForScale(actor.organisationId);
    const open = all.filter((p) => newestFrom === null || p.startsOn >= newestFrom);
    const today = new Date().toISOString().slice(0, 10);
    const proposed =
      open.find((p) => p.hasUnpublished) ??
      [...open].reverse().find((p) => p.startsOn <= today && p.endsOn >= today) ??
      [...open].reverse().find((p) => p.startsOn <= today) ??
      open[0];
    return { all, periods: open.map(scalePeriod), proposed: proposed && scalePeriod(proposed), newestFrom };
  }

  /**
   * Parses a scale as saved and works out what saving it does, writing nothing: the period it is
   * used from, which status each row is (by key, `planScaleChange`, against the newest version),
   * the difference, and the unpublished reports of periods from then on whose status it changes.
   */
  async function plan(
    actor: Actor,
    input: unknown,
  ): Promise<{ plan: StatusScalePlan; confirm: boolean | undefined; confirmedReports: string[] | undefined }> {
    const { statuses, confirm, confirmedReports, inUseFrom: asked } = parseScale(input);
    const rows: StatusInput[] = statuses.map((s) => ({ ...s, key: s.key || statusKeyFromLabel(s.label) }));
    const issues = checkScale(rows);
    if (issues.length > 0) throw new ValidationError(issues);
    const { all, periods, proposed, newestFrom } = await periodChoices(actor);
    let inUseFrom = proposed ?? null;
    if (asked !== undefined) {
      let key: string;
      try {
        key = parsePeriodKey(asked).key;
      } catch (error) {
        throw ValidationError.single('inUseFrom', `The period the change is used from: ${(error as Error).message}`);
      }
      const found = all.find((p) => p.key === key);
      const named = found && scalePeriod(found);
      if (!named)
        throw ValidationError.single(
          'inUseFrom',
          `There is no reporting period ${periodLabel(parsePeriodKey(key))}: choose one of the organisation’s periods to use the change from`,
        );
      if (!periods.some((p) => p.key === named.key))
        throw ValidationError.single(
          'inUseFrom',
          `The scale in use now has been used from ${periods[0]?.label ?? 'a later period'}: a change can be used from that period or a later one, not from ${named.label}`,
        );
      inUseFrom = named;
    }
    const newVersion = inUseFrom !== null && inUseFrom.startsOn !== newestFrom;
    const before = (await scalesOfOrganisation(actor.organisationId)).at();
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
    const affected = (
      await repo.listUnpublishedReportsUsing(actor.organisationId, [...new Set(touched)], inUseFrom?.startsOn ?? null)
    ).map((r): ReportAffectedByScale => {
      const after = becomes.get(r.statusId);
      return {
        reportId: r.reportId,
        priorityCode: r.priorityCode,
        periodKey: r.periodKey,
        state: r.state,
        now: byId.get(r.statusId)!,
        after: removed.has(r.statusId) || !after ? null : after,
      };
    });
    return {
      plan: { change, diff: scaleDiff(before, change), affected, before, inUseFrom, newVersion },
      confirm,
      confirmedReports,
    };
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
      const org = (await own(actor.organisationId))?.organisation;
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
      units.current()?.forget(`organisation:${id}`);
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

    /**
     * The scale in force for a period (by its start: ADR 0014), for what shows or judges a report
     * or value of that period; without a period, the newest (the settings page, new work).
     */
    statusScale: async (actor: Actor, period?: { startsOn: string }): Promise<Status[]> => {
      authorize(actor, 'reference.read');
      return (await scalesOfOrganisation(actor.organisationId)).at(period);
    },
    /** Every version of the scale, to pick one per period (indicators' values) or find any report's status by id. */
    statusScales: async (actor: Actor): Promise<StatusScales> => {
      authorize(actor, 'reference.read');
      return scalesOfOrganisation(actor.organisationId);
    },
    /** The versions of the scale, oldest first, each with the period it is used from. */
    async statusScaleVersions(actor: Actor): Promise<ScaleVersionView[]> {
      authorize(actor, 'reference.read');
      const periods = await repo.listPeriodsForScale(actor.organisationId);
      return (await scalesOfOrganisation(actor.organisationId)).versions.map((v) => {
        // The period chosen when it was saved is one starting then (the longest, if several do).
        const from = v.inUseFrom === null ? undefined : periods.find((p) => p.startsOn === v.inUseFrom);
        return {
          inUseFrom:
            v.inUseFrom === null
              ? null
              : from
                ? scalePeriod(from)
                : { key: '', label: `periods starting on ${v.inUseFrom}`, startsOn: v.inUseFrom },
          statuses: v.statuses,
        };
      });
    },
    /** The periods a change of the scale can be used from, and the one the page offers first. */
    async statusScalePeriods(actor: Actor): Promise<{ periods: ScalePeriod[]; proposed: ScalePeriod | undefined }> {
      authorize(actor, 'settings.edit');
      const { periods, proposed } = await periodChoices(actor);
      return { periods, proposed };
    },
    /** What saving a scale would do (the confirmation page), saving nothing. */
    async planStatusScale(actor: Actor, input: unknown): Promise<StatusScalePlan> {
      authorize(actor, 'settings.edit');
      return (await plan(actor, input)).plan;
    },

    /** The tolerance of the organisation's indicators that have no rule of their own. */
    async indicatorDefaults(actor: Actor): Promise<IndicatorDefaults> {
      authorize(actor, 'reference.read');
      const defaults = (await own(actor.organisationId))?.indicatorDefaults;
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
      units.current()?.forget(`organisation:${actor.organisationId}`);
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
     * never touched: they show the status their revision was published with. The change is used
     * from a reporting period on (`inUseFrom`, ADR 0014): a new version, or the newest one
     * changed in place when it starts then; reports of earlier periods keep theirs.
     */
    async updateStatusScale(actor: Actor, input: unknown): Promise<Status[]> {
      authorize(actor, 'settings.edit');
      const { plan: planned, confirm, confirmedReports } = await plan(actor, input);
      const { change, affected, before, inUseFrom, newVersion } = planned;
      if (affected.length > 0) {
        const seen = confirmedReports === undefined ? undefined : new Set(confirmedReports);
        const confirmed = confirm === true && (seen === undefined || affected.every((a) => seen.has(a.reportId)));
        if (!confirmed) throw new StatusScaleChangeUnconfirmedError(planned);
      }
      // Saving the same scale again makes no version.
      if (planned.diff.length === 0) return before;
      if (newVersion) {
        // Reports of periods from then on move to the new version's statuses (none, for a removed
        // status); earlier periods keep the version they had.
        await repo.addVersion(actor.organisationId, inUseFrom!.startsOn, change.rows, before);
      } else {
        // The newest version changes where it stands: a removed status leaves the reports that had
        // it without one (they are all of its periods; a published report's revision keeps the
        // status it was published with).
        await repo.clearReportStatuses(
          actor.organisationId,
          change.removed.map((s) => s.id),
        );
        const since = versionInForce((await scalesOfOrganisation(actor.organisationId)).versions)?.inUseFrom ?? null;
        await repo.replaceStatuses(actor.organisationId, change.rows, since);
      }
      units.current()?.forget(`statuses:${actor.organisationId}`);
      const after = (await scalesOfOrganisation(actor.organisationId)).at();
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'status_scale',
        entityId: actor.organisationId,
        action: 'update',
        before,
        after: { inUseFrom: inUseFrom?.key ?? null, statuses: after },
      });
      return after;
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
