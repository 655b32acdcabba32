// What became of a milestone of a report (met, slipped, missed, suspended, or nothing yet). It is
// tracking, not a change to what the report said: the report's text, version and revision stay as
// they are, a published report included. It has a version of its own, so two people recording it
// at once cannot overwrite each other; the audit trail records each change.

import type { Actor } from '../../../domain/actor.ts';
import { todayIso } from '../../../domain/dates.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { formatTimescale, timescaleDeadline } from '../../../domain/timescale.ts';
import { parseWith } from '../../../platform/validation.ts';
import { MilestoneNotFoundError, MilestoneProgressChangedError, ReportNotFoundError } from '../report.errors.ts';
import type { Report } from '../report.repository.ts';
import { progressInput, versionOnly } from '../report.schemas.ts';
import { accountable, namedOn, type ReportContext } from './context.ts';

export function milestoneProgressUseCases(ctx: ReportContext) {
  const { repo, locate } = ctx;
  return {
    /** A contributor may record it only on the actions they are named on. */
    async recordMilestoneProgress(
      actor: Actor,
      code: string,
      periodKey: string,
      milestoneId: string,
      input: unknown,
    ): Promise<Report> {
      const { priority, period } = await locate(actor, code, periodKey);
      const report = await repo.find(priority.id, period.id);
      if (!report) throw new ReportNotFoundError(priority.code, period.label);
      const action = report.actions.find((a) => a.milestones.some((m) => m.id === milestoneId));
      const milestone = action?.milestones.find((m) => m.id === milestoneId);
      if (!action || !milestone) throw new MilestoneNotFoundError();
      authorize(actor, 'report.update-actions', { ...accountable(priority), namedPersonIds: namedOn(action) });
      const progress = parseWith(progressInput, input);
      const { version } = parseWith(versionOnly, input);
      if (progress?.kind === 'met' && progress.on > todayIso())
        throw ValidationError.single('metOn', 'The date it was met must be today or earlier');
      if (
        progress?.kind === 'slipped' &&
        timescaleDeadline(progress.revised) <= timescaleDeadline(milestone.timescale)
      ) {
        throw ValidationError.single(
          'revised',
          `The revised timescale must be later than the original one (${formatTimescale(milestone.timescale)})`,
        );
      }
      if (!(await repo.setMilestoneProgress(milestoneId, progress, version ?? milestone.progressVersion)))
        throw new MilestoneProgressChangedError();
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'milestone',
        entityId: milestoneId,
        action: 'update',
        before: milestone.progress,
        after: progress,
      });
      return (await repo.find(priority.id, period.id))!;
    },
  };
}
