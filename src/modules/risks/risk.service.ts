// The risk register (issue 4): risks to improvement priorities, each scored likelihood × impact
// on the organisation's matrix and rated by its bands (domain/indicators/risk.ts), with a target
// score the controls should bring it to, an owner and a review date; the register's filters and
// its heat map.

import type { Actor } from '../../domain/actor.ts';
import { authorize, mayEver } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError, type FieldIssue } from '../../domain/errors.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import {
  checkRiskMatrix,
  scoreRisk,
  heatMap,
  type HeatMap,
  type RiskAssessment,
} from '../../domain/indicators/risk.ts';
import { parseWith } from '../../platform/validation.ts';
import { pageWindow, type PageWindow } from '../../domain/page.ts';
import type { PlanService } from '../plans/plan.service.ts';
import type { RiskRepository, RiskQueries, RiskRecord, RiskValues } from './risk.repository.ts';
import {
  riskInputFor,
  riskFilter,
  DEFAULT_RISK_SCALE,
  RISKS_PER_PAGE,
  type RiskScale,
  type RiskFilter,
} from './risk.schemas.ts';

export type { RiskScale, RiskFilter } from './risk.schemas.ts';
export { RISKS_PER_PAGE } from './risk.schemas.ts';

export class RiskNotFoundError extends NotFoundError {
  constructor() {
    super('RISK_NOT_FOUND', 'There is no such risk');
  }
}

/** An assessment with its score and the rating band it falls in. */
export interface ScoredAssessment extends RiskAssessment {
  score: number;
  rating: { key: string; label: string };
}

export interface Risk extends Omit<RiskRecord, 'current' | 'target' | 'updatedAt'> {
  current: ScoredAssessment;
  target: ScoredAssessment | null;
  /** Open, with a review date before today. */
  reviewOverdue: boolean;
}

export interface RiskRegister {
  filter: RiskFilter;
  /** The priority the register is limited to, when it is. */
  priority: { id: string; code: string; title: string } | undefined;
  /** Matching every filter, highest score first. */
  risks: Risk[];
  /** The risks of the priority and state filters (not the rating or cell ones): the whole picture. */
  heatMap: HeatMap;
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export interface RiskServiceDeps {
  repo: RiskRepository;
  plans: PlanService;
  /** The matrix risks are assessed on and its level names; 5 × 5 unless configured. */
  scale?: RiskScale;
  /** Today, for overdue reviews (tests fix it). */
  today?: () => IsoDate;
}

export function createRiskService({
  repo,
  plans,
  scale = DEFAULT_RISK_SCALE,
  today = () => todayIso(),
}: RiskServiceDeps) {
  const problems = checkRiskMatrix(scale.matrix);
  if (problems.length > 0)
    throw new RangeError(`the risk matrix cannot be used: ${problems.map((p) => p.message).join('; ')}`);
  if (
    scale.likelihoodNames.length !== scale.matrix.likelihoodLevels ||
    scale.impactNames.length !== scale.matrix.impactLevels
  ) {
    throw new RangeError('the risk matrix needs one name for each level of likelihood and of impact');
  }
  const input = riskInputFor(scale);

  const scored = (a: RiskAssessment): ScoredAssessment => {
    const { score, band } = scoreRisk(scale.matrix, a);
    return { ...a, score, rating: { key: band.key, label: band.label } };
  };
  function toRisk(r: RiskRecord, on: IsoDate): Risk {
    const { current, target, updatedAt: _u, ...rest } = r;
    return {
      ...rest,
      current: scored(current),
      target: target && scored(target),
      reviewOverdue: !r.closed && r.reviewOn !== null && r.reviewOn < on,
    };
  }
  const byScore = (a: Risk, b: Risk) =>
    b.current.score - a.current.score ||
    b.current.impact - a.current.impact ||
    a.priorityCode.localeCompare(b.priorityCode) ||
    a.description.localeCompare(b.description);

  /** The filters as the register applies them: a band or level the scale lacks is dropped, not an error. */
  function normaliseFilter(filter: RiskFilter, priorityCode: string | undefined): RiskFilter {
    const known = new Set(scale.matrix.bands.map((b) => b.key));
    return {
      ...filter,
      ...(priorityCode ? { priority: priorityCode } : {}),
      rating: filter.rating && known.has(filter.rating) ? filter.rating : undefined,
      likelihood:
        filter.likelihood && filter.likelihood <= scale.matrix.likelihoodLevels ? filter.likelihood : undefined,
      impact: filter.impact && filter.impact <= scale.matrix.impactLevels ? filter.impact : undefined,
    };
  }

  async function get(actor: Actor, id: string, q: RiskQueries = repo): Promise<Risk> {
    authorize(actor, 'risk.read');
    const r = isUuid(id) ? await q.find(actor.organisationId, id) : undefined;
    if (!r) throw new RiskNotFoundError();
    return toRisk(r, today());
  }

  /**
   * Parses a risk and checks it across fields: its priority (through the plans service) and its
   * owner, in the use case's unit of work.
   */
  async function parseRisk(
    actor: Actor,
    body: unknown,
  ): Promise<{ values: Omit<RiskValues, 'ownerId'>; ownerId: string | null; issues: FieldIssue[] }> {
    const v = parseWith(input, body);
    const issues: FieldIssue[] = [];
    const priority = await plans.findPriority(actor, v.priority);
    if (!priority)
      issues.push({
        field: 'priority',
        message: `There is no improvement priority ${v.priority}: select one from the list`,
      });
    let target: RiskAssessment | null = null;
    if ((v.targetLikelihood === null) !== (v.targetImpact === null)) {
      const missing = v.targetLikelihood === null ? 'targetLikelihood' : 'targetImpact';
      issues.push({
        field: missing,
        message: `Select the target ${missing === 'targetLikelihood' ? 'likelihood' : 'impact'} too, or neither for no target yet`,
      });
    } else if (v.targetLikelihood !== null && v.targetImpact !== null) {
      target = { likelihood: v.targetLikelihood, impact: v.targetImpact };
      const now = v.likelihood * v.impact;
      const aim = target.likelihood * target.impact;
      if (aim > now) {
        issues.push({
          field: 'targetLikelihood',
          message: `The target score (${aim}) must not be higher than the current score (${now}): the target is where the controls should bring the risk`,
        });
      }
    }
    return {
      values: {
        priorityId: priority?.id ?? '',
        description: v.description,
        cause: v.cause,
        effect: v.effect,
        current: { likelihood: v.likelihood, impact: v.impact },
        target,
        controls: v.controls,
        reviewOn: v.reviewOn,
        closed: v.closed,
      },
      ownerId: v.ownerId,
      issues,
    };
  }

  async function checkOwner(actor: Actor, q: RiskQueries, ownerId: string | null, issues: FieldIssue[]): Promise<void> {
    if (ownerId && !(await q.personBelongs(actor.organisationId, ownerId)))
      issues.push({ field: 'ownerId', message: 'Select the owner from the list' });
    if (issues.length > 0) throw new ValidationError(issues);
  }

  const audit = (
    q: RiskQueries,
    actor: Actor,
    entityId: string,
    action: 'create' | 'update',
    before: unknown,
    after: unknown,
  ) =>
    q.audit({
      organisationId: actor.organisationId,
      actor: actor.label,
      entity: 'risk',
      entityId,
      action,
      before,
      after,
    });

  /** The register of a priority is kept by its editors and its accountable officer. */
  async function authorizeFor(actor: Actor, priorityId: string | undefined): Promise<void> {
    const code = priorityId ? (await plans.listPriorities(actor)).find((p) => p.id === priorityId)?.code : undefined;
    const priority = code ? await plans.getPriority(actor, code) : undefined;
    authorize(actor, 'risk.edit', {
      accountablePersonIds: priority ? [priority.accountableOfficer?.id, priority.accountableDirector?.id] : [],
    });
  }

  /**
   * The register's risks and heat map, filtered, counted and ordered in SQL: one page of them, or
   * every one. The heat map and the count come from one statement grouping the priority's (or
   * every) risk of the state asked for by likelihood and impact; the rows from another.
   */
  async function read(
    actor: Actor,
    query: unknown,
    pages: { page: number | undefined; pageSize: number } | undefined,
  ): Promise<{ register: RiskRegister; window: PageWindow | undefined }> {
    authorize(actor, 'risk.read');
    const filter = parseWith(riskFilter, query ?? {});
    const priority = filter.priority ? await plans.getPriority(actor, filter.priority) : undefined;
    const normalised = normaliseFilter(filter, priority?.code);
    const rowFilter = {
      priorityId: priority?.id,
      closed: filter.show === 'all' ? undefined : filter.show === 'closed',
    };
    const cells = await repo.countByCell(actor.organisationId, rowFilter);
    const band = scale.matrix.bands.find((b) => b.key === normalised.rating);
    const kept = (c: { likelihood: number; impact: number }) =>
      (!normalised.likelihood || c.likelihood === normalised.likelihood) &&
      (!normalised.impact || c.impact === normalised.impact) &&
      (!band || (c.likelihood * c.impact >= band.from && c.likelihood * c.impact <= band.to));
    const total = cells.filter(kept).reduce((sum, c) => sum + c.count, 0);
    const window = pages && pageWindow(total, pages.page, pages.pageSize);
    const on = today();
    const records =
      total === 0
        ? []
        : await repo.listPage(
            actor.organisationId,
            {
              ...rowFilter,
              likelihood: normalised.likelihood,
              impact: normalised.impact,
              score: band && { from: band.from, to: band.to },
            },
            window?.offset,
            window?.limit,
          );
    return {
      register: {
        filter: normalised,
        priority: priority && { id: priority.id, code: priority.code, title: priority.title },
        risks: records.map((r) => toRisk(r, on)),
        heatMap: heatMap(
          scale.matrix,
          cells.flatMap((c) => Array.from({ length: c.count }, () => ({ likelihood: c.likelihood, impact: c.impact }))),
        ),
      },
      window,
    };
  }

  return {
    scale: (): RiskScale => scale,
    get,
    /** A risk, when the actor may change it (its edit form): on a priority they may keep the register of. */
    async getToEdit(actor: Actor, id: string): Promise<Risk> {
      const risk = await get(actor, id);
      await authorizeFor(actor, risk.priorityId);
      return risk;
    },

    /**
     * One page of the register (issue 14, "lists paginated"): the same filters and heat map as
     * `register`, filtered, counted and ordered in SQL over every risk and only the page's rows
     * read; a page past the last is the last. Two statements (three with a priority), at any
     * size. Ties on score and impact are ordered by the database (priority code, description).
     */
    async registerPage(
      actor: Actor,
      query: unknown = {},
      page: number | undefined = 1,
      pageSize = RISKS_PER_PAGE,
    ): Promise<RiskRegister & { window: PageWindow }> {
      const { register, window } = await read(actor, query, { page, pageSize });
      return { ...register, window: window! };
    },

    /**
     * The register: risks matching the filters (a query string or API query), highest score
     * first, and the heat map. The same SQL as `registerPage`, without the page: its pages, one
     * after another, are this list.
     */
    async register(actor: Actor, query: unknown = {}): Promise<RiskRegister> {
      return (await read(actor, query, undefined)).register;
    },

    /**
     * The priorities the register can be filtered by: those with a risk, open or closed, by code
     * (one statement, at any number of priorities).
     */
    async prioritiesWithRisks(actor: Actor): Promise<{ code: string; title: string }[]> {
      authorize(actor, 'risk.read');
      return repo.prioritiesWithRisks(actor.organisationId);
    },

    /**
     * The risks a progress report of the priority can cite: its open ones, and any already
     * cited (`keep`) even if closed since, highest score first.
     */
    async citable(actor: Actor, priorityId: string, keep: readonly string[] = []): Promise<Risk[]> {
      authorize(actor, 'risk.read');
      const on = today();
      const kept = new Set(keep);
      const records = await repo.list(actor.organisationId, { priorityId });
      return records
        .filter((r) => !r.closed || kept.has(r.id))
        .map((r) => toRisk(r, on))
        .sort(byScore);
    },

    /** The risks with these ids, in the order given; ids that are not the organisation's are left out. */
    async listByIds(actor: Actor, ids: readonly string[]): Promise<Risk[]> {
      authorize(actor, 'risk.read');
      const on = today();
      const found = new Map(
        (await repo.listByIds(actor.organisationId, ids.filter(isUuid))).map((r) => [r.id, toRisk(r, on)]),
      );
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    /**
     * Checks that every id is a risk of the priority (a report cites only its own priority's
     * register). `field` names the form field.
     */
    async checkBelongToPriority(
      actor: Actor,
      priorityId: string,
      ids: readonly string[],
      field = 'risks',
    ): Promise<void> {
      authorize(actor, 'risk.read');
      const found = new Map((await repo.listByIds(actor.organisationId, ids.filter(isUuid))).map((r) => [r.id, r]));
      for (const id of ids) {
        const r = found.get(id);
        if (!r || r.priorityId !== priorityId) {
          throw ValidationError.single(
            field,
            r
              ? `The risk “${r.description}” is on the register of ${r.priorityCode}, not this priority: select risks from the list`
              : 'Select risks from the list',
          );
        }
      }
    },

    async create(actor: Actor, body: unknown): Promise<Risk> {
      if (!mayEver(actor, 'risk.edit')) authorize(actor, 'risk.edit');
      const { values, ownerId, issues } = await parseRisk(actor, body);
      await authorizeFor(actor, values.priorityId);
      await checkOwner(actor, repo, ownerId, issues);
      const id = await repo.insert(actor.organisationId, { ...values, ownerId });
      const after = await get(actor, id, repo);
      await audit(repo, actor, id, 'create', undefined, after);
      return after;
    },

    /** Changes a risk; `version` is the one the form was built from, and a stale one is refused. */
    async update(actor: Actor, id: string, body: unknown): Promise<Risk> {
      await authorizeFor(actor, (await get(actor, id)).priorityId);
      const { version } = parseWith(input.pick({ version: true }), body);
      const { values, ownerId, issues } = await parseRisk(actor, body);
      if (values.priorityId) await authorizeFor(actor, values.priorityId);
      const before = await get(actor, id, repo);
      await checkOwner(actor, repo, ownerId, issues);
      if (!(await repo.update(actor.organisationId, before.id, version ?? before.version, { ...values, ownerId }))) {
        throw new ConflictError(
          'STALE_VERSION',
          'Someone else changed this risk while you were editing it. Your changes have not been saved: reload the page to see their changes, then make yours again.',
        );
      }
      const after = await get(actor, id, repo);
      await audit(repo, actor, id, 'update', before, after);
      return after;
    },
  };
}

export type RiskService = ReturnType<typeof createRiskService>;
