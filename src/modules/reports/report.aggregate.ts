// The progress report as an aggregate: the report with its key actions, milestones, graphs,
// cited risks and sign-offs has ONE write path, `change()`. Every module that changes a report
// goes through it — the report's own forms and API, the workflow, the efficiency plan's milestones.
// In order, inside the use case's unit of work, it:
//
//   1. locks the report's row (two changes to one report run one after the other);
//   2. asks the workflow (domain/report-workflow.ts) whether this person may take this step now,
//      and refuses with the workflow's reason (forbidden, waiting for sign-off, incomplete...);
//   3. refuses a save based on an older version than the one stored, saying who changed what since;
//   4. applies the change, opening the next revision when the report was published;
//   5. records the new version and the workflow state, and publishes a snapshot (and its body,
//      rendered once: report-body.presenter.ts) when the step publishes;
//   6. writes the audit event: the whole content before and after for an edit (the history pages
//      and "who changed what since" read it), the step itself for a workflow step.

import type { Actor } from '../../domain/actor.ts';
import { ForbiddenError, ValidationError } from '../../domain/errors.ts';
import { todayIso } from '../../domain/dates.ts';
import {
  decide,
  decideHistorical,
  type Decision,
  type ReportStep,
  type SignOffRole,
  type WorkflowActor,
} from '../../domain/report-workflow.ts';
import type { FrozenStatus } from '../../domain/report-snapshot.ts';
import type { Status } from '../../domain/status-scale.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import type { ReportingPeriod } from '../periods/period.service.ts';
import type { Priority } from '../plans/plan.service.ts';
import type { OrganisationService } from '../organisations/organisation.service.ts';
import { diffContent, NOT_ASSESSED, type ReportContent } from './report.diff.ts';
import { ReportChangedError, ReportInSignOffError, ReportNotFoundError, WorkflowStepError } from './report.errors.ts';
import type { Report, ReportAuditEvent, ReportRepository, ReportRow } from './report.repository.ts';
import { frozenStatus, snapshotOf } from './report.snapshot.ts';
import type { ChangedBy, ReportBodyRenderer, ReportBundle, WorkflowResult } from './report.types.ts';

export interface ReportChange {
  /** The workflow step this change is, or a sign-off typed in from paper (the system only). */
  step: ReportStep | { historical: { role: SignOffRole; decision: 'approved' | 'returned' } };
  /** The version the person started from; undefined: the one stored (the system, the plan's milestones). */
  version: number | undefined;
  /** What the audit trail says was done: "sections", "add action", "submitted for sign-off". */
  what: string;
  /** What the acting person may do on this report (an edit of a key action depends on who is named on it). */
  who: (report: Report) => WorkflowActor;
  /** What a return says. */
  comment?: string;
  /**
   * True for a change of the report's content (sections, actions, milestones, graphs): the report
   * is loaded whole, and the audit event holds the whole content before and after.
   */
  content: boolean;
  /**
   * Applies the change once it is allowed (inserts a sign-off, rewrites an action...). What it
   * returns is added to a workflow step's audit event (the sign-off made).
   */
  apply?: (report: Report, decision: Extract<Decision, { allowed: true }>) => Promise<Record<string, unknown> | void>;
  /** Who is published as having published it (the director signing, or a historical record). */
  publishedBy?: { label: string; userId: string | null; personId: string | null; historical: boolean };
}

export interface ReportAggregateDeps {
  repo: ReportRepository;
  organisations: Pick<OrganisationService, 'statusScale'>;
  /** The live report with everything its outputs need (for the snapshot a publication stores). */
  loadBundle(actor: Actor, priority: Priority, period: ReportingPeriod): Promise<ReportBundle>;
  /** Renders the published revision's body to store with it; none: rendered when first read. */
  body?: ReportBodyRenderer;
}

/**
 * A report as the audit trail keeps it: the report, and the status it had as the scale then
 * defined it (events written before the status was kept have only its id).
 */
export type AuditedReport = Partial<Report> & { status?: FrozenStatus | null };

/** A report (or its JSON in the audit trail) as comparable content. */
export function contentOf(report: AuditedReport | undefined, statuses: Status[]): ReportContent {
  // The status as it was when the event was written; else, for older events, as the scale says now.
  const status =
    report?.status !== undefined
      ? (report.status ?? undefined)
      : report?.statusId
        ? statuses.find((s) => s.id === report.statusId)
        : undefined;
  return {
    summary: report?.summary ?? '',
    status: status?.label ?? NOT_ASSESSED,
    statusReason: report?.statusReason ?? '',
    achievements: report?.achievements ?? [],
    challenges: report?.challenges ?? [],
    actions: (report?.actions ?? []).map((a) => ({
      description: a.description,
      contributors: a.contributors.map((c) => c.name),
      milestones: a.milestones.map((m) => `${m.description} – ${formatTimescale(m.timescale)}`),
    })),
  };
}

/**
 * What the report's content was at `version`, and who saved after it. Workflow steps change no
 * content, so the content at `version` is what the first edit after it started from (its
 * `before`), or failing that what the last edit up to it saved.
 */
function sinceVersion(
  events: ReportAuditEvent[],
  version: number,
): { snapshot: AuditedReport | undefined; changedBy: ChangedBy[] } {
  const versionOf = (e: ReportAuditEvent) => Number((e.after as { version?: unknown } | null)?.version ?? 1);
  const hasContent = (v: unknown): v is AuditedReport =>
    typeof v === 'object' && v !== null && (v as { summary?: unknown }).summary !== undefined;
  const later = events.filter((e) => versionOf(e) > version);
  const nextEdit = later.find((e) => hasContent(e.after) && hasContent(e.before));
  const lastEdit = events.filter((e) => versionOf(e) <= version && hasContent(e.after)).at(-1);
  const snapshot = nextEdit ? (nextEdit.before as AuditedReport) : (lastEdit?.after as AuditedReport | undefined);
  return { snapshot, changedBy: later.map((e) => ({ label: e.actor, at: e.occurredAt })) };
}

/** The audit trail keeps the report without its timestamp (which every save changes), with its status as it is now. */
function strip(report: Report, statuses: Status[]) {
  const { updatedAt: _u, ...rest } = report;
  const status = report.statusId ? statuses.find((s) => s.id === report.statusId) : undefined;
  return { ...rest, status: status ? frozenStatus(status) : null };
}

function refuse(decision: Extract<Decision, { allowed: false }>): never {
  switch (decision.reason) {
    case 'forbidden':
      throw new ForbiddenError('FORBIDDEN', decision.message);
    case 'needs-approval':
      throw new ForbiddenError('STATUS_NEEDS_APPROVAL', decision.message);
    case 'in-sign-off':
      throw new ReportInSignOffError(decision.message);
    case 'not-now':
      throw new WorkflowStepError(decision.message);
    case 'incomplete':
      throw ValidationError.single(decision.field, decision.message);
  }
}

const empty = (row: ReportRow): Report => ({ ...row, actions: [], signOffs: [], riskIds: [] });

export function createReportAggregate({ repo, organisations, loadBundle, body }: ReportAggregateDeps) {
  return {
    /**
     * The one write path (see the top of this file). Returns where the report is now and, for a
     * change of its content, the whole report as saved.
     */
    async change(
      actor: Actor,
      priority: Priority,
      period: ReportingPeriod,
      c: ReportChange,
    ): Promise<WorkflowResult & { report?: Report }> {
      const row = await repo.findRow(priority.id, period.id, true);
      if (!row) throw new ReportNotFoundError(priority.code, period.label);
      const statuses = await organisations.statusScale(actor, period);
      const before = c.content ? await repo.withContent(row) : empty(row);

      let decision: Decision;
      if (typeof c.step === 'object') {
        if (actor.kind !== 'system') {
          throw new ForbiddenError(
            'SIGN_OFF_NEEDS_A_PERSON',
            'A sign-off cannot be entered on someone’s behalf: the person signs it off themselves.',
          );
        }
        decision = decideHistorical(row.state, c.step.historical);
      } else {
        const status = row.statusId ? statuses.find((s) => s.id === row.statusId) : undefined;
        decision = decide(
          c.step,
          {
            state: row.state,
            statusChosen: status !== undefined,
            reasonMissing: status?.commentRequired === true && row.statusReason.trim() === '',
            statusLabel: status?.label,
            approvalRole: status?.approvalRole,
          },
          c.who(before),
          c.comment,
        );
      }
      if (!decision.allowed) refuse(decision);

      if (c.version !== undefined && c.version !== row.version) {
        const current = c.content ? before : await repo.withContent(row);
        const { snapshot, changedBy } = sinceVersion(await repo.auditOfReport(row.id), c.version);
        throw new ReportChangedError(
          current,
          changedBy,
          diffContent(contentOf(snapshot, statuses), contentOf(current, statuses)),
        );
      }

      const detail = (await c.apply?.(before, decision)) ?? {};
      const opened = decision.opensRevision ? row.revision + 1 : undefined;
      const publishes = decision.to === 'published' && row.state !== 'published';
      const saved = await repo.saveChange(row.id, {
        ...(decision.to !== row.state ? { state: decision.to } : {}),
        ...(opened !== undefined ? { revision: opened } : {}),
        ...(publishes ? { publishedRevision: row.revision } : {}),
      });
      const after: WorkflowResult & { report?: Report } = {
        id: row.id,
        periodKey: row.periodKey,
        state: decision.to,
        revision: opened ?? row.revision,
        publishedRevision: publishes ? row.revision : row.publishedRevision,
        version: saved.version,
      };

      if (publishes) {
        // What readers will see, frozen: the report as it now stands, with the sign-off just made.
        const bundle = await loadBundle(actor, priority, period);
        const snapshot = snapshotOf(bundle, todayIso());
        const status = bundle.report.statusId ? statuses.find((s) => s.id === bundle.report.statusId) : undefined;
        const by = c.publishedBy ?? { label: actor.label, userId: null, personId: null, historical: false };
        const revisionId = await repo.insertRevision(actor.organisationId, row.id, {
          number: row.revision,
          content: snapshot,
          status: status ? frozenStatus(status) : null,
          publishedBy: by.label,
          userId: by.userId,
          personId: by.personId,
          historical: by.historical,
        });
        // Its body, rendered once in this transaction from what the revision stores (the snapshot
        // as read back), so the report page serves it without rendering it again (issue 14).
        if (body) {
          const stored = JSON.parse(JSON.stringify(snapshot)) as typeof snapshot;
          await repo.saveRendering(actor.organisationId, revisionId, body.version, body.render(stored));
        }
      }

      const what = `${c.what}${opened !== undefined ? ` (opens revision ${opened})` : ''}`;
      if (c.content) {
        const full = (await repo.find(priority.id, period.id))!;
        after.report = full;
        await repo.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'progress_report',
          entityId: row.id,
          action: 'update',
          before: { what, ...strip(before, statuses) },
          after: strip(full, statuses),
        });
      } else {
        await repo.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'progress_report',
          entityId: row.id,
          action: 'update',
          before: { what, state: row.state, revision: row.revision, version: row.version },
          after: {
            what,
            state: after.state,
            revision: after.revision,
            version: after.version,
            ...detail,
          },
        });
      }
      return after;
    },
  };
}

export type ReportAggregate = ReturnType<typeof createReportAggregate>;
