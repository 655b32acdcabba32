// Writing a report: starting one for a period, its sections (summary, status and its reason,
// achievements, challenges, cited risks), and which of the priority's indicators it shows as
// graphs. Every change goes through the report's one write path (report.aggregate.ts).

import type { Actor } from '../../../domain/actor.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import type { Status } from '../../../domain/status-scale.ts';
import { parseWith } from '../../../platform/validation.ts';
import type { Priority } from '../../plans/plan.service.ts';
import type { Report } from '../report.repository.ts';
import { newReportInput, sectionsInput } from '../report.schemas.ts';
import type { ReportBundle } from '../report.types.ts';
import { accountable, type ReportContext } from './context.ts';

/** The sections as a form or an API client sends them, from the report as it is (a PATCH starts from these). */
const sectionsOf = (report: Report, statuses: Status[]) => ({
  summary: report.summary,
  status: statuses.find((s) => s.id === report.statusId)?.key ?? '',
  statusReason: report.statusReason,
  achievements: report.achievements,
  challenges: report.challenges,
  risks: report.riskIds,
});

export function writeReportUseCases(
  ctx: ReportContext,
  getBundle: (actor: Actor, code: string, periodKey: string) => Promise<ReportBundle>,
) {
  const { repo, periods, organisations, risks, indicators, locate, aggregate, workflowActor } = ctx;

  /** Checked before the input is parsed, so a refused person learns they may not, not what to fix. */
  async function mayWrite(actor: Actor, code: string): Promise<Priority> {
    const priority = await ctx.plans.getPriority(actor, code);
    authorize(actor, 'report.edit', accountable(priority));
    return priority;
  }

  return {
    async create(actor: Actor, code: string, input: unknown): Promise<ReportBundle> {
      const priority = await mayWrite(actor, code);
      const { period: wanted } = parseWith(newReportInput, input);
      const period = await periods.findByKey(actor, wanted.key);
      if (!period)
        throw ValidationError.single(
          'period',
          `There is no reporting period ${wanted.key}: add it under Reporting periods first`,
        );
      if (await repo.findRow(priority.id, period.id))
        throw ValidationError.single('period', `${priority.code} already has a report for ${period.label}`);
      const id = await repo.insert(actor.organisationId, priority.id, period.id);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'progress_report',
        entityId: id,
        action: 'create',
        after: { priority: priority.code, period: period.key },
      });
      return getBundle(actor, code, period.key);
    },

    /**
     * Saves the sections. A form sends them all (an emptied box is an empty section); so does an
     * API PUT, which must send the version it started from; an API PATCH sends the version and the
     * sections it changes, and the others stay as they are.
     */
    async updateSections(
      actor: Actor,
      code: string,
      periodKey: string,
      input: unknown,
      mode: 'whole' | 'patch' = 'whole',
    ): Promise<Report> {
      const priority = await mayWrite(actor, code);
      const { period } = await locate(actor, code, periodKey);
      const scale = await organisations.statusScale(actor, period);
      let given = input;
      if (mode === 'patch') {
        const current = await repo.find(priority.id, period.id);
        if (current && input && typeof input === 'object')
          given = { ...sectionsOf(current, scale), ...(input as Record<string, unknown>) };
      }
      const v = parseWith(sectionsInput, given);
      let status: Status | undefined;
      if (v.status !== '') {
        status = scale.find((s) => s.key === v.status || s.id === v.status);
        if (!status)
          throw ValidationError.single(
            'status',
            `Select a status from the list (${scale.map((s) => s.label).join(', ')})`,
          );
        if (status.commentRequired && v.statusReason === '') {
          throw ValidationError.single('statusReason', `Explain why the status is ${status.label}`);
        }
      }
      await risks.checkBelongToPriority(actor, priority.id, v.risks);
      const { report } = await aggregate.change(actor, priority, period, {
        step: 'edit',
        version: v.version,
        what: 'sections',
        content: true,
        who: () => workflowActor(actor, priority),
        apply: async (before) => {
          await repo.updateSections(before.id, {
            summary: v.summary,
            statusId: status?.id ?? null,
            statusReason: v.statusReason,
            achievements: v.achievements,
            challenges: v.challenges,
          });
          await repo.setRisks(actor.organisationId, before.id, v.risks);
        },
      });
      return report!;
    },

    /** The indicators linked to the priority, and which of them this report shows as graphs. */
    async graphChoices(actor: Actor, code: string, periodKey: string) {
      const bundle = await getBundle(actor, code, periodKey);
      authorize(actor, 'report.edit', accountable(bundle.priority));
      const chosen = await indicators.reportGraphIds(bundle.report.id);
      const linked = await indicators.list(actor, { priorityCode: bundle.priority.code });
      return { bundle, chosen, linked };
    },

    /** Chooses the report's graphs: a change of what the report shows, like any other. */
    async chooseGraphs(actor: Actor, code: string, periodKey: string, input: unknown): Promise<void> {
      const priority = await mayWrite(actor, code);
      const { period } = await locate(actor, code, periodKey);
      const version = (input as { version?: unknown } | null)?.version;
      await aggregate.change(actor, priority, period, {
        step: 'edit',
        version: version === undefined || version === '' ? undefined : Number(version),
        what: 'graphs',
        content: true,
        who: () => workflowActor(actor, priority),
        apply: (before) => indicators.chooseGraphs(actor, before.id, priority.id, input),
      });
    },
  };
}
