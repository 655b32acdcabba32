// Reading a report: the live report for those who may read drafts (its published revision, as
// stored, while it is published), the latest published revision for everyone else (a viewer never
// sees a draft's text or status), the form pages' bundles after checking the person may use the
// form, and the list of a priority's reports. The report page of a published revision is served
// from its body as rendered once (`readPage`, issue 14): the live report is not loaded for it.

import type { Actor } from '../../../domain/actor.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import { authorize, can, mayEver } from '../../../domain/permissions.ts';
import type { ReportingPeriod } from '../../periods/period.service.ts';
import type { Priority } from '../../plans/plan.service.ts';
import { ReportNotFoundError, RevisionNotFoundError } from '../report.errors.ts';
import type { ReportRow, ReportSummary } from '../report.repository.ts';
import { snapshotOf, snapshotOfRevision } from '../report.snapshot.ts';
import type { ReadableReport, ReportBundle, StoredReportBody, StoredReportPage } from '../report.types.ts';
import { accountable, actionAt, namedOn, type ReportContext } from './context.ts';

/** What a reader may see of a report in draft or in sign-off: its last published revision. */
const asPublished = (reports: ReportSummary[]): ReportSummary[] =>
  reports
    .filter((r) => r.publishedRevision !== null)
    .map((r) => ({ ...r, state: 'published' as const, statusId: null, updatedAt: r.publishedAt ?? r.updatedAt }));

export function readReportUseCases(ctx: ReportContext) {
  const { repo, plans, locate, loadBundle, mayReadDrafts, abilities, body, units } = ctx;

  /** A published revision's snapshot, as stored. */
  async function publishedSnapshot(reportId: string, number: number) {
    const revision = await repo.findRevision(reportId, number);
    if (!revision) throw new RevisionNotFoundError(number);
    return snapshotOfRevision(revision);
  }

  /** The live report and everything its outputs need; only for those who may read it. */
  async function getBundle(actor: Actor, code: string, periodKey: string): Promise<ReportBundle> {
    const { priority, period } = await locate(actor, code, periodKey);
    const bundle = await loadBundle(actor, priority, period);
    authorize(actor, 'report.read', { published: bundle.report.state === 'published' });
    return bundle;
  }

  /**
   * The report as this actor may read it: live (drafts' readers), else the latest published
   * revision. `publishedOnly` asks for the published revision whoever reads (a board pack made
   * by the system for a viewer).
   */
  async function readable(
    actor: Actor,
    code: string,
    periodKey: string,
    options: { publishedOnly?: boolean } = {},
  ): Promise<ReadableReport> {
    authorize(actor, 'report.read', { published: true });
    const { priority, period } = await locate(actor, code, periodKey);
    if (mayReadDrafts(actor) && options.publishedOnly !== true) return live(actor, priority, period);
    const report = await repo.findRow(priority.id, period.id);
    if (!report) throw new ReportNotFoundError(priority.code, period.label);
    authorize(actor, 'report.read', { published: report.publishedRevision !== null });
    const revision = await repo.findRevision(report.id, report.publishedRevision!);
    if (!revision) throw new RevisionNotFoundError(report.publishedRevision!);
    const { format: _f, content: _c, ...published } = revision;
    return {
      snapshot: snapshotOfRevision(revision),
      state: 'published',
      revision: revision.number,
      publishedRevision: report.publishedRevision,
      published,
      abilities: abilities(actor, undefined),
    };
  }

  /** The live report, as those who may read drafts read it (`row`: its row, when read already). */
  async function live(
    actor: Actor,
    priority: Priority,
    period: ReportingPeriod,
    row?: ReportRow,
  ): Promise<ReadableReport> {
    const bundle = await loadBundle(actor, priority, period, row);
    const { report } = bundle;
    return {
      // A published report is its published revision, for those who may edit it too: the status
      // it was signed off with, whatever the scale (or the priority, or the figures) says now.
      snapshot:
        report.state === 'published' && report.publishedRevision !== null
          ? await publishedSnapshot(report.id, report.publishedRevision)
          : snapshotOf(bundle),
      bundle,
      state: report.state,
      revision: report.revision,
      publishedRevision: report.publishedRevision,
      abilities: abilities(actor, bundle),
      joint: bundle.joint ?? [],
    };
  }

  /**
   * The report page (issue 14): a published revision — what a viewer reads, and what those who
   * may read drafts read while the report is published as it stands — from its stored body, with
   * only what the page's live parts need read beside it (the report's row; for those who may read
   * drafts, its sign-offs); anything else as `readable` gives it, live. Who may read what is
   * decided as `readable` decides it. Live too: someone who may change some key actions but not
   * the report (the stored body has no variant for them), and every page without a renderer.
   */
  async function readPage(
    actor: Actor,
    code: string,
    periodKey: string,
  ): Promise<{ stored: StoredReportPage } | { live: ReadableReport }> {
    if (!body) return { live: await readable(actor, code, periodKey) };
    authorize(actor, 'report.read', { published: true });
    const { priority, period } = await locate(actor, code, periodKey);
    const found = await repo.findPublished(priority.id, period.id, body.version);
    if (!found) throw new ReportNotFoundError(priority.code, period.label);
    const { row, revisionId } = found;
    const drafts = mayReadDrafts(actor);
    const asItStands = row.state === 'published' && row.publishedRevision === row.revision;
    // Only the report's state, status and priority matter to what a published report offers: no
    // step but a change (which opens the next revision) is open, and the key actions are asked
    // about only for someone who may not change the report (who is served live).
    const facts = { priority, statuses: [], report: { ...row, actions: [] } };
    const may = drafts ? abilities(actor, facts) : abilities(actor, undefined);
    // Someone who may change the key actions they are named on (not the report): which those are
    // is in the live report.
    const maybeNamed =
      !may.edit &&
      actor.kind === 'user' &&
      actor.personId !== undefined &&
      can(actor, 'report.update-actions', { ...accountable(priority), namedPersonIds: [actor.personId] });
    if (drafts && (!asItStands || maybeNamed)) return { live: await live(actor, priority, period, row) };
    if (!drafts) authorize(actor, 'report.read', { published: row.publishedRevision !== null });
    if (row.publishedRevision === null || revisionId === null)
      throw new RevisionNotFoundError(row.publishedRevision ?? row.revision);

    let stored = found.body as StoredReportBody | undefined;
    if (!stored) {
      // Published before bodies were stored, or rendered by other code: rendered now, and kept
      // for the next reader unless this unit may not write (the public's pages).
      const revision = await repo.findRevision(row.id, row.publishedRevision);
      if (!revision) throw new RevisionNotFoundError(row.publishedRevision);
      stored = body.render(snapshotOfRevision(revision));
      if (units.current()?.readOnly !== true)
        await repo.saveRendering(actor.organisationId, revisionId, body.version, stored);
    }
    return {
      stored: {
        pieces: may.edit ? stored.editor : stored.reader,
        page: stored.page,
        readable: drafts
          ? {
              state: row.state,
              revision: row.revision,
              publishedRevision: row.publishedRevision,
              abilities: may,
              live: {
                priority,
                statuses: [],
                report: { statusId: row.statusId, signOffs: await repo.listSignOffs(row.id) },
              },
            }
          : {
              state: 'published',
              revision: row.publishedRevision,
              publishedRevision: row.publishedRevision,
              abilities: may,
            },
        ...(drafts
          ? { version: row.version, ids: { priorityId: priority.id, periodId: period.id, reportId: row.id } }
          : { mayBeKept: true }),
      },
    };
  }

  return {
    getBundle,
    readable,
    readPage,
    abilities,

    async findBundle(actor: Actor, code: string, periodKey: string): Promise<ReportBundle | undefined> {
      try {
        return await getBundle(actor, code, periodKey);
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },

    /** The priority, when the actor may start or write its reports (the "start a report" page). */
    async priorityToWrite(actor: Actor, code: string): Promise<Priority> {
      const priority = await plans.getPriority(actor, code);
      authorize(actor, 'report.edit', accountable(priority));
      return priority;
    },

    /**
     * The live report for a form page, after checking the actor may use that form: the sections
     * and whole-report forms need 'report.edit'; a key action's form or a milestone's progress
     * form need 'report.update-actions' on that action; the sign-off page needs an approver.
     */
    async formBundle(
      actor: Actor,
      code: string,
      periodKey: string,
      need: 'edit' | 'sign-off' | { action: number } | { milestone: string },
    ): Promise<ReportBundle> {
      const bundle = await getBundle(actor, code, periodKey);
      const ctxOf = accountable(bundle.priority);
      if (need === 'edit') authorize(actor, 'report.edit', ctxOf);
      else if (need === 'sign-off') {
        const who = ctx.workflowActor(actor, bundle.priority);
        if (!who.officer && !who.director)
          authorize(actor, 'report.approve-officer', {
            accountablePersonIds: [bundle.priority.accountableOfficer?.id],
          });
      } else if ('action' in need)
        authorize(actor, 'report.update-actions', {
          ...ctxOf,
          namedPersonIds: namedOn(actionAt(bundle.report, need.action)),
        });
      else {
        const action = bundle.report.actions.find((a) => a.milestones.some((m) => m.id === need.milestone));
        if (!action) throw new NotFoundError('MILESTONE_NOT_FOUND', 'There is no such milestone in this report');
        authorize(actor, 'report.update-actions', { ...ctxOf, namedPersonIds: namedOn(action) });
      }
      return bundle;
    },

    /** A priority's reports, newest period first; for those who may not read drafts, only the published ones. */
    async listForPriority(actor: Actor, code: string): Promise<ReportSummary[]> {
      if (!mayEver(actor, 'report.read')) authorize(actor, 'report.read');
      const priority = await plans.getPriority(actor, code);
      const all = await repo.listForPriority(priority.id);
      return mayReadDrafts(actor) ? all : asPublished(all);
    },

    /**
     * Every priority's reports (as `listForPriority` gives each), by priority id, in one statement
     * however many priorities there are: for what lists them all (open data).
     */
    async listByPriority(actor: Actor): Promise<Map<string, ReportSummary[]>> {
      if (!mayEver(actor, 'report.read')) authorize(actor, 'report.read');
      const all = await repo.listForOrganisation(actor.organisationId);
      if (mayReadDrafts(actor)) return all;
      return new Map([...all].map(([priorityId, reports]) => [priorityId, asPublished(reports)]));
    },
  };
}
