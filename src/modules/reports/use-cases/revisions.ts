// A report's revisions: the published ones (snapshots, as readers saw them) and the draft being
// written; what changed between two of them, since the previous period's report, and, for the
// history pages, what each audit event of a report changed.

import type { Actor } from '../../../domain/actor.ts';
import { ForbiddenError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import type { ReportSnapshot } from '../../../domain/report-snapshot.ts';
import { STATE_LABELS, type ReportState } from '../../../domain/report-workflow.ts';
import { contentOf, type AuditedReport } from '../report.aggregate.ts';
import { diffContent, diffSnapshots, type FieldChange } from '../report.diff.ts';
import { ReportNotFoundError, RevisionNotFoundError } from '../report.errors.ts';
import type { RevisionSummary } from '../report.repository.ts';
import { snapshotOf, snapshotOfRevision } from '../report.snapshot.ts';
import type { ReadableReport } from '../report.types.ts';
import type { ReportContext } from './context.ts';

const ROLE_NAMES = {
  accountable_officer: 'accountable officer',
  accountable_director: 'accountable director',
} as const;

export function revisionUseCases(
  ctx: ReportContext,
  readable: (actor: Actor, code: string, periodKey: string) => Promise<ReadableReport>,
) {
  const { repo, organisations, locate, loadBundle, mayReadDrafts } = ctx;

  /** One revision: a published snapshot, or the draft being written (for those who may read drafts). */
  async function revisionView(
    actor: Actor,
    code: string,
    periodKey: string,
    n: number,
  ): Promise<{ snapshot: ReportSnapshot; published?: RevisionSummary; draft: boolean }> {
    const { priority, period } = await locate(actor, code, periodKey);
    const report = await repo.findRow(priority.id, period.id);
    if (!report) throw new ReportNotFoundError(priority.code, period.label);
    const revision = Number.isInteger(n) && n >= 1 ? await repo.findRevision(report.id, n) : undefined;
    if (revision) {
      authorize(actor, 'report.read', { published: true });
      const { format: _f, content: _c, ...published } = revision;
      return { snapshot: snapshotOfRevision(revision), published, draft: false };
    }
    if (n === report.revision && report.state !== 'published') {
      authorize(actor, 'report.read', { published: false });
      return { snapshot: snapshotOf(await loadBundle(actor, priority, period)), draft: true };
    }
    throw new RevisionNotFoundError(n);
  }

  /** The published revisions, newest first, and the draft revision being written (for those who may read drafts). */
  async function listRevisions(
    actor: Actor,
    code: string,
    periodKey: string,
  ): Promise<{ published: RevisionSummary[]; draft: { number: number; state: ReportState } | null }> {
    const { priority, period } = await locate(actor, code, periodKey);
    const report = await repo.findRow(priority.id, period.id);
    if (!report) throw new ReportNotFoundError(priority.code, period.label);
    const published = await repo.listRevisions(report.id);
    const draft =
      report.state !== 'published' && mayReadDrafts(actor) ? { number: report.revision, state: report.state } : null;
    if (!draft) authorize(actor, 'report.read', { published: published.length > 0 });
    return { published, draft };
  }

  return {
    revisionView,
    listRevisions,

    /**
     * What changed between two revisions, field by field. An end left out is chosen as the
     * revisions page offers it (issue 13: a link without them said "no revision NaN"): `to` is the
     * newest revision this reader may read (the draft being written, for those who may read
     * drafts), `from` the newest published revision before `to`. When nothing published comes
     * before `to`, `from` is null and there is nothing to compare.
     */
    async compareRevisions(
      actor: Actor,
      code: string,
      periodKey: string,
      from?: number,
      to?: number,
    ): Promise<{ from: number | null; to: number; changes: FieldChange[] }> {
      if (from === undefined || to === undefined) {
        const { published, draft } = await listRevisions(actor, code, periodKey);
        const end = to ?? draft?.number ?? published[0]?.number;
        // listRevisions refuses a reader with nothing to read, so there is always an end.
        if (end === undefined) throw new RevisionNotFoundError(1);
        const start = from ?? published.find((r) => r.number < end)?.number;
        if (start === undefined) {
          await revisionView(actor, code, periodKey, end); // `to` must still exist and be readable
          return { from: null, to: end, changes: [] };
        }
        from = start;
        to = end;
      }
      const a = await revisionView(actor, code, periodKey, from);
      const b = await revisionView(actor, code, periodKey, to);
      return { from, to, changes: diffSnapshots(a.snapshot, b.snapshot) };
    },

    /** What changed since the priority's report for the previous period (as this actor may read both). */
    async sinceLastPeriod(
      actor: Actor,
      code: string,
      periodKey: string,
    ): Promise<{ previousPeriodKey: string; previousPeriodLabel: string; changes: FieldChange[] } | null> {
      const { priority, period } = await locate(actor, code, periodKey);
      const now = await readable(actor, code, periodKey);
      const previousPeriodId = await repo.findPreviousPeriodId(priority.id, period.startsOn);
      if (!previousPeriodId) return null;
      const previousReport = (await repo.findRow(priority.id, previousPeriodId))!;
      let then: ReadableReport;
      try {
        then = await readable(actor, code, previousReport.periodKey);
      } catch (error) {
        if (error instanceof ForbiddenError) return null;
        throw error;
      }
      const previousPeriod = await ctx.periods.getByKey(actor, previousReport.periodKey);
      return {
        previousPeriodKey: previousReport.periodKey,
        previousPeriodLabel: previousPeriod.label,
        changes: diffSnapshots(then.snapshot, now.snapshot),
      };
    },

    /**
     * Describes what audit events of reports changed, in words (for the history pages): the
     * report's content as readers see it, its workflow state and the sign-offs made. `before` and
     * `after` are what the audit trail holds: the whole content for an edit, the step for a
     * workflow step (and, from before steps were audited on their own, whole reports).
     */
    async snapshotDescriber(actor: Actor): Promise<(before: unknown, after: unknown) => FieldChange[]> {
      // Audited reports are of any period: a status is found by id in whichever version has it.
      const statuses = (await organisations.statusScales(actor)).all;
      return (before, after) => {
        type Audited = AuditedReport & {
          signOff?: {
            role: keyof typeof ROLE_NAMES;
            decision: string;
            personName: string;
            comment?: string;
            historical?: boolean;
          };
        };
        const a = (before ?? {}) as Audited;
        const b = (after ?? {}) as Audited;
        const changes =
          a.summary === undefined && b.summary === undefined
            ? []
            : diffContent(contentOf(a.summary === undefined ? undefined : a, statuses), contentOf(b, statuses));
        if (a.state !== undefined && b.state !== undefined && a.state !== b.state) {
          changes.push({
            field: 'state',
            label: 'State',
            before: STATE_LABELS[a.state],
            after: STATE_LABELS[b.state],
            added: [],
            removed: [],
          });
        }
        if (a.revision !== undefined && b.revision !== undefined && a.revision !== b.revision) {
          changes.push({
            field: 'revision',
            label: 'Revision',
            before: String(a.revision),
            after: String(b.revision),
            added: [],
            removed: [],
          });
        }
        const signOff = (s: {
          role: keyof typeof ROLE_NAMES;
          decision: string;
          personName: string;
          comment?: string;
          historical?: boolean;
        }) => ({
          field: 'signOff' as const,
          label: 'Sign-off',
          before: '',
          after: `${s.decision === 'approved' ? 'Approved' : 'Returned'} by ${s.personName} (${ROLE_NAMES[s.role]})${s.historical ? ', historical record' : ''}${s.comment ? `: ${s.comment}` : ''}`,
          added: [],
          removed: [],
        });
        if (b.signOff) changes.push(signOff(b.signOff));
        const count = (r: Audited) => (r.signOffs ?? []).length;
        if (count(b) > count(a)) for (const s of (b.signOffs ?? []).slice(count(a))) changes.push(signOff(s));
        return changes;
      };
    },
  };
}
