// Reminders and workflow notices by e-mail (issue 3). Owns:
// - the reminder schedule's tick: finds the reports that are due soon, due or overdue and not
//   submitted (see reminder.schedule.ts), and queues one e-mail to the accountable officer for
//   each reminder not sent before — safe with several app instances (reminder_sent);
// - the report workflow's listeners (ReportEvents of the reports module): a submitted report to
//   its accountable officer, an officer-approved one to its accountable director, a returned one
//   back to the officer with the comment, a published one to the officer;
// - the other work the schedule's tick does: writing into the history the end of every sharing
//   agreement that reached its end date (the sharing module's use case, through `agreementEnds`,
//   which the composition root binds), in a unit of work of its own.
// Every e-mail is a queued `mail.send` job, so it survives a restart and is retried.

import type { ReportWorkflowEvent } from '../reports/report.service.ts';
import { systemActor } from '../../domain/actor.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';
import { inOrganisation, paths } from '../../paths.ts';
import type { PlanService } from '../plans/plan.service.ts';
import type { PeriodService } from '../periods/period.service.ts';
import type { PersonService } from '../people/person.service.ts';
import type { OrganisationService } from '../organisations/organisation.service.ts';
import type { ReminderRepository } from './reminder.repository.ts';
import { reminderDue, dueDateWindow } from './reminder.schedule.ts';

export { addDays } from './reminder.schedule.ts';
import { reminderMessage, workflowMessage, type NoticeKind } from './reminder.messages.ts';
import { enqueueMail } from '../../platform/mail/mail.job.ts';
import type { JobService } from '../jobs/job.service.ts';

export interface ReminderServiceDeps {
  repo: ReminderRepository;
  plans: PlanService;
  periods: PeriodService;
  people: PersonService;
  organisations: OrganisationService;
  jobs: JobService;
  /** Where links in e-mails point, without a trailing slash (config PUBLIC_URL). */
  publicUrl: string;
  /** Where problems that must not stop anything are reported. */
  log?: (line: string) => void;
  /** The sharing module's scheduled work (bound late: sharing is built after reminders). */
  agreementEnds?: { recordEndedAgreements(): Promise<number> };
}

/** The workflow listeners (ReportEvents), plus one for the officer's approval (the director's turn to sign off). */
export interface ReminderEvents {
  reportSubmitted(e: ReportWorkflowEvent): Promise<void>;
  reportOfficerApproved(e: ReportWorkflowEvent): Promise<void>;
  reportReturned(e: ReportWorkflowEvent): Promise<void>;
  reportPublished(e: ReportWorkflowEvent): Promise<void>;
}

export function createReminderService({
  repo,
  people,
  organisations,
  jobs,
  publicUrl,
  log = (line) => console.error(line),
  agreementEnds,
}: ReminderServiceDeps) {
  const base = publicUrl.replace(/\/+$/, '');
  const link = (path: string) => `${base}${path}`;

  /**
   * Queues the notice of a workflow step to whoever acts next, in the step's unit of work: the
   * e-mail is queued exactly when the step commits. When there is nobody to tell (no person named,
   * no address), the log says so and the step stands.
   */
  async function notify(notice: NoticeKind, e: ReportWorkflowEvent): Promise<void> {
    const actor = systemActor(e.organisationId, 'reminders');
    const person = notice === 'officer_approved' ? e.priority.accountableDirector : e.priority.accountableOfficer;
    const role = notice === 'officer_approved' ? 'accountable director' : 'accountable officer';
    const to = person ? await people.get(actor, person.id) : undefined;
    if (!to?.email) {
      log(
        `amber: no e-mail sent for ${e.priority.code} ${e.period.key} (${notice}): the ${role} ${person ? `${person.name} has no e-mail address` : 'is not named'}`,
      );
      return;
    }
    const organisation = await organisations.getOwn(actor);
    await enqueueMail(
      jobs.queue,
      e.organisationId,
      workflowMessage({
        kind: notice,
        to: to.email,
        recipientName: to.name,
        byLabel: e.byLabel,
        comment: e.comment,
        facts: {
          organisationName: organisation.name,
          priorityCode: e.priority.code,
          priorityTitle: e.priority.title,
          periodLabel: e.period.label,
        },
        // The approver goes straight to the sign-off page; the officer to the report.
        // Under the organisation's own address (`/o/SLUG/…`), so it opens in the right one.
        link: link(
          inOrganisation(organisation.slug, () =>
            notice === 'submitted' || notice === 'officer_approved'
              ? paths.reports.signOff(e.priority.code, e.period.key)
              : paths.reports.show(e.priority.code, e.period.key),
          ),
        ),
      }),
    );
  }

  const events: ReminderEvents = {
    reportSubmitted: (e) => notify('submitted', e),
    reportOfficerApproved: (e) => notify('officer_approved', e),
    reportReturned: (e) => notify('returned', e),
    reportPublished: (e) => notify('published', e),
  };

  return {
    events,

    /**
     * One run of the schedule: queues every reminder due today that has not been sent, each
     * recorded in reminder_sent with its e-mail job in one unit of work; with several instances
     * ticking at once each reminder is queued once. Returns how many e-mails this call queued.
     */
    async tick(today: IsoDate = todayIso()): Promise<number> {
      const [from, to] = dueDateWindow(today);
      let queued = 0;
      for (const c of await repo.candidates(from, to)) {
        const kind = reminderDue(c.dueOn, today);
        if (!kind) continue;
        const message = reminderMessage({
          kind,
          today,
          to: c.officerEmail,
          officerName: c.officerName,
          dueOn: c.dueOn,
          state: c.reportState,
          returnedComment: c.returnedComment,
          facts: {
            organisationName: c.organisationName,
            priorityCode: c.priorityCode,
            priorityTitle: c.priorityTitle,
            periodLabel: periodLabel(parsePeriodKey(c.periodKey)),
          },
          link: link(
            inOrganisation(c.organisationSlug, () =>
              c.reportState === null
                ? paths.reports.new(c.priorityCode)
                : paths.reports.show(c.priorityCode, c.periodKey),
            ),
          ),
        });
        const reminderId = await repo.recordSent(c, kind, message.to.join(', '));
        if (!reminderId) continue;
        await repo.linkJob(reminderId, await enqueueMail(jobs.queue, c.organisationId, message));
        queued++;
      }
      return queued;
    },

    /**
     * The end of every sharing agreement that reached its end date, written into the history once
     * however many instances tick (see sharing's use-cases/agreement-ends.ts). Returns how many.
     */
    async recordAgreementEnds(): Promise<number> {
      return agreementEnds ? agreementEnds.recordEndedAgreements() : 0;
    },
  };
}

export type ReminderService = ReturnType<typeof createReminderService>;
