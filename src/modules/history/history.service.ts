// The history (audit trail) of reports and priorities, and the organisation's audit export.
// Read only: Amber has no way to change or remove an audit event (see history.repository.ts).
// Each event is described in words: who, when, what, and each field's value before and after.

import type { Actor } from '../../domain/actor.ts';
import type { Units } from '../../platform/db/unit-of-work.ts';
import { authorize, type PermissionContext } from '../../domain/permissions.ts';
import { parseWith } from '../../platform/validation.ts';
import { loopTurns } from '../../platform/turns.ts';
import type { PlanService, Priority } from '../plans/plan.service.ts';
import type { ReportService } from '../reports/report.service.ts';
import type { HistoryRepository, AuditEvent } from './history.repository.ts';
import { auditRangeInput, type AuditRange } from './history.schemas.ts';

export type { AuditEvent } from './history.repository.ts';

export interface FieldChangeText {
  label: string;
  before: string;
  after: string;
}

/** One event of the audit trail, described. */
export interface HistoryEntry {
  id: number;
  occurredAt: Date;
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  /** "sections", "approved", "update action 2"...: what the change was, as the service named it. */
  what: string;
  changes: FieldChangeText[];
  before: unknown;
  after: unknown;
}

export interface HistoryServiceDeps {
  repo: HistoryRepository;
  plans: PlanService;
  reports: ReportService;
  /** The organisation's export reads each page of its events in a unit of work of its own. */
  units: Pick<Units<unknown>, 'run' | 'actingFor'>;
}

/** Events the organisation's export reads and describes at a time. */
const AUDIT_EXPORT_PAGE = 1000;

const accountable = (priority: Priority): PermissionContext => ({
  accountablePersonIds: [priority.accountableOfficer?.id, priority.accountableDirector?.id],
});

/** Keys that are bookkeeping, not content. */
const SKIP = new Set([
  'id',
  'version',
  'updatedAt',
  'createdAt',
  'updated_at',
  'created_at',
  'organisationId',
  'what',
  'recordedAt',
]);

/**
 * Labels already made, by path: an export of the whole audit trail labels the same few paths
 * hundreds of thousands of times (a third of its CPU). Bounded: emptied if it ever grows large.
 */
const labels = new Map<string, string>();

/** "accountableOfficerId" → "Accountable officer id"; "actions.1.description" → "Actions 1 description". */
export function fieldLabel(path: string): string {
  let label = labels.get(path);
  if (label === undefined) {
    if (labels.size >= 10_000) labels.clear();
    labels.set(path, (label = labelOf(path)));
  }
  return label;
}

function labelOf(path: string): string {
  const words = path
    .split('.')
    .map((p) =>
      p
        .replace(/_/g, ' ')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase(),
    )
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return String(v);
}

/** Flattens a snapshot into field paths with readable values (lists of text joined by "; "). */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value === null || value === undefined || typeof value !== 'object') {
    if (prefix) out.set(prefix, scalar(value));
    return out;
  }
  if (Array.isArray(value)) {
    if (value.every((x) => x === null || typeof x !== 'object')) {
      out.set(prefix || 'value', value.length ? value.map(scalar).join('; ') : '(empty)');
      return out;
    }
    value.forEach((x, i) => flatten(x, prefix ? `${prefix}.${i + 1}` : String(i + 1), out));
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SKIP.has(k)) continue;
    flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** The fields whose value differs between two snapshots of any record. */
export function diffSnapshots(before: unknown, after: unknown): FieldChangeText[] {
  const a = flatten(before);
  const b = flatten(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys
    .filter((k) => (a.get(k) ?? '(empty)') !== (b.get(k) ?? '(empty)'))
    .map((k) => ({ label: fieldLabel(k), before: a.get(k) ?? '(empty)', after: b.get(k) ?? '(empty)' }));
}

const whatOf = (e: AuditEvent): string => {
  const named = (e.before as { what?: unknown } | null)?.what ?? (e.after as { what?: unknown } | null)?.what;
  return typeof named === 'string' ? named : e.action;
};

export function createHistoryService({ repo, plans, reports, units }: HistoryServiceDeps) {
  type ReportDescriber = Awaited<ReturnType<ReportService['snapshotDescriber']>>;
  async function describe(
    actor: Actor,
    events: AuditEvent[],
    describeReport?: ReportDescriber,
  ): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    describeReport ??= await reports.snapshotDescriber(actor);
    // A page of the audit trail is a thousand events: other requests get the event loop meanwhile.
    const turn = loopTurns();
    for (const e of events) {
      await turn();
      const changes =
        e.entity === 'progress_report'
          ? describeReport(e.before, e.after).map((c) => ({
              label: c.label,
              before: c.before || '(empty)',
              after: c.after || '(empty)',
            }))
          : diffSnapshots(e.before, e.after);
      out.push({ ...e, what: whatOf(e), changes });
    }
    return out;
  }

  return {
    /** A report's history, newest first. */
    async forReport(
      actor: Actor,
      code: string,
      periodKey: string,
    ): Promise<{ priority: Priority; periodKey: string; entries: HistoryEntry[] }> {
      const priority = await plans.getPriority(actor, code);
      authorize(actor, 'history.read', accountable(priority));
      const bundle = await reports.getBundle(actor, code, periodKey);
      return {
        priority,
        periodKey: bundle.period.key,
        entries: await describe(actor, await repo.listForReport(actor.organisationId, bundle.report.id)),
      };
    },

    /** A priority's history (the priority, its reports, their milestones, its risks), newest first. */
    async forPriority(actor: Actor, code: string): Promise<{ priority: Priority; entries: HistoryEntry[] }> {
      const priority = await plans.getPriority(actor, code);
      authorize(actor, 'history.read', accountable(priority));
      return {
        priority,
        entries: await describe(actor, await repo.listForPriority(actor.organisationId, priority.id)),
      };
    },

    /** The priority's history for the CSV export (auditors). */
    async exportPriority(actor: Actor, code: string): Promise<{ priority: Priority; entries: HistoryEntry[] }> {
      const priority = await plans.getPriority(actor, code);
      authorize(actor, 'audit.export');
      return {
        priority,
        entries: await describe(actor, await repo.listForPriority(actor.organisationId, priority.id)),
      };
    },

    /**
     * The whole organisation's audit trail between two days (inclusive, UTC), for the CSV export:
     * the events described a page at a time, newest first, each page read when the one before has
     * been taken (so a slow download holds one page, not 100,000 events) in a short read-only unit
     * of work of its own (so on PGlite, whose one connection a unit holds, other requests run
     * between pages, and on a server no connection waits on a download). The first page is read
     * before this returns, so a refusal or a database that cannot answer is an error, not a
     * download cut short. The trail is append-only and paged by (time, id): no event is repeated
     * or skipped, and events recorded after the export began are not in it (one committed during
     * it with an earlier time, by a transaction that began before, is in it only if its page had
     * not yet been read).
     *
     * Opens its own units of work (composition says so). Called inside a unit of work, it reads
     * in that one instead, and every page must then be taken before that unit ends.
     */
    async exportOrganisation(
      actor: Actor,
      input: unknown,
      pageSize = AUDIT_EXPORT_PAGE,
    ): Promise<{ range: AuditRange; pages: AsyncGenerator<HistoryEntry[], void> }> {
      authorize(actor, 'audit.export');
      const range = parseWith(auditRangeInput, input);
      let describeReport: ReportDescriber | undefined;
      const read = (after?: number) =>
        units.actingFor(actor.organisationId, () =>
          units.run(
            async () => {
              describeReport ??= await reports.snapshotDescriber(actor);
              return describe(
                actor,
                await repo.listForOrganisation(actor.organisationId, range, pageSize, after),
                describeReport,
              );
            },
            { readOnly: true },
          ),
        );
      const first = await read();
      async function* pages(): AsyncGenerator<HistoryEntry[], void> {
        let page = first;
        while (page.length > 0) {
          yield page;
          if (page.length < pageSize) return;
          page = await read(page.at(-1)!.id);
        }
      }
      return { range, pages: pages() };
    },

    /** The latest events of the organisation in the range, for the audit trail page. */
    async latest(actor: Actor, input: unknown, limit = 100): Promise<{ range: AuditRange; entries: HistoryEntry[] }> {
      authorize(actor, 'audit.export');
      const range = parseWith(auditRangeInput, input);
      return {
        range,
        entries: await describe(actor, await repo.listForOrganisation(actor.organisationId, range, limit)),
      };
    },
  };
}

export type HistoryService = ReturnType<typeof createHistoryService>;
