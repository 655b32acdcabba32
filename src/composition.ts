// The composition root: the one place that wires repositories into services. Its return type
// is the dependency type of the web app, the CLI and the tests.

import { DEFAULT_INPUT_LIMITS, type InputLimits } from './config.ts';
import type { Kysely } from 'kysely';
import { inUnitsOfWork, type Units } from './platform/db/unit-of-work.ts';
import type { DB } from './schema.ts';
import { createClubRepository } from './modules/clubs/club.repository.ts';
import { createClubService } from './modules/clubs/club.service.ts';
import type { JointOwners } from './modules/reports/use-cases/context.ts';
import type { ClubBaselines } from './modules/diagnostic/diagnostic.service.ts';
import { createSharingRepository } from './modules/sharing/sharing.repository.ts';
import { createSharingService } from './modules/sharing/sharing.service.ts';
import { createOrganisationRepository } from './modules/organisations/organisation.repository.ts';
import { createOrganisationService } from './modules/organisations/organisation.service.ts';
import { createPersonRepository } from './modules/people/person.repository.ts';
import { createPersonService } from './modules/people/person.service.ts';
import { createPeriodRepository } from './modules/periods/period.repository.ts';
import { createPeriodService } from './modules/periods/period.service.ts';
import { createPlanRepository } from './modules/plans/plan.repository.ts';
import { createPlanService } from './modules/plans/plan.service.ts';
import { createReportRepository } from './modules/reports/report.repository.ts';
import { createReportService } from './modules/reports/report.service.ts';
import { createReportBodyRenderer } from './modules/reports/report-body.presenter.ts';
import type { ReportBodyRenderer } from './modules/reports/report.types.ts';
import { createHistoryRepository } from './modules/history/history.repository.ts';
import { createHistoryService } from './modules/history/history.service.ts';
import { createIndicatorRepository } from './modules/indicators/indicator.repository.ts';
import { createIndicatorService } from './modules/indicators/indicator.service.ts';
import { createIndicatorTransferService } from './modules/indicators/indicator-transfer.service.ts';
import { createIndicatorTransferRepository } from './modules/indicators/indicator-transfer.repository.ts';
import { createRiskRepository } from './modules/risks/risk.repository.ts';
import { createRiskService } from './modules/risks/risk.service.ts';
import { createDashboardRepository } from './modules/dashboard/dashboard.repository.ts';
import { createDashboardService } from './modules/dashboard/dashboard.service.ts';
import { createBoardPackService } from './modules/boardpack/boardpack.service.ts';
import { createOpenDataService } from './modules/opendata/opendata.service.ts';
import { createDemoService } from './modules/demo/demo.service.ts';
import { createTransferRepository } from './modules/transfer/transfer.repository.ts';
import { createTransferService } from './modules/transfer/transfer.service.ts';
import { createJobQueue, type JobHandler } from './platform/jobs/jobs.ts';
import { createJobService } from './modules/jobs/job.service.ts';
import { BOARD_PACK_JOB, boardPackJobHandler } from './modules/boardpack/boardpack.job.ts';
import { INDICATOR_IMPORT_JOB, indicatorImportJobHandler } from './modules/indicators/indicator-import.job.ts';
import { createLogMailer, type Mailer } from './platform/mail/mailer.ts';
import { createAccountRepository } from './modules/accounts/account.repository.ts';
import { createAccountService, type AuthSettings } from './modules/accounts/account.service.ts';
import { MAIL_JOB, mailJobHandler, enqueueMail } from './platform/mail/mail.job.ts';
import { createReminderRepository } from './modules/reminders/reminder.repository.ts';
import { createReminderService } from './modules/reminders/reminder.service.ts';
import { createMyWorkRepository } from './modules/my-work/my-work.repository.ts';
import { createMyWorkService } from './modules/my-work/my-work.service.ts';
import { createDiagnosticRepository } from './modules/diagnostic/diagnostic.repository.ts';
import { createDiagnosticService } from './modules/diagnostic/diagnostic.service.ts';
import { DIAGNOSTIC_UPLOAD_JOB, diagnosticUploadJobHandler } from './modules/diagnostic/diagnostic-upload.job.ts';
import { createEfficiencyRepository } from './modules/efficiency/efficiency.repository.ts';
import { createEfficiencyService } from './modules/efficiency/efficiency.service.ts';
import { createAccessibilityRepository } from './modules/accessibility/accessibility.repository.ts';
import { createAccessibilityService } from './modules/accessibility/accessibility.service.ts';

export interface ServiceOptions {
  /** How e-mail is sent (server.ts: createMailer(config, logger)); default: written to the console. */
  mailer?: Mailer;
  /** Where links in e-mails point (config PUBLIC_URL); default http://localhost:3000. */
  publicUrl?: string;
  /** Session timeouts, sign-in limits, link lifetimes (config); defaults otherwise. */
  auth?: Partial<AuthSettings>;
  /** Problems that must not stop anything (an e-mail that could not be queued). */
  log?: (line: string) => void;
  /** File sizes and what they may expand to (config AMBER_MAX_*); the defaults otherwise. */
  limits?: InputLimits;
  /**
   * What renders a published report revision's body once, to store and serve (issue 14); default
   * `createReportBodyRenderer()`. `false`: none, every published report page rendered on every
   * request (bench/pages.ts measures both).
   */
  reportBodies?: ReportBodyRenderer | false;
  /** How many dashboards each instance keeps worked out (ADR 0023); 0: none. Default `DASHBOARDS_KEPT`. */
  keptDashboards?: number;
}

/** The database as services need it: units of work, and the pool for the job worker. */
export interface ServiceDatabase {
  /** Pool-level: the job worker's claims and progress. */
  db: Kysely<DB>;
  units: Units<DB>;
}

export function buildServices({ db: raw, units }: ServiceDatabase, options: ServiceOptions = {}) {
  // Repositories run their SQL in the current unit of work; every service method opens one (or
  // joins the one a request or a job is running), so a use case is one transaction however many
  // services it calls.
  const db = units.db;
  const uow = <S extends object>(service: S, methodOptions: Parameters<typeof inUnitsOfWork<S>>[2] = {}) =>
    inUnitsOfWork(units, service, methodOptions);
  const jobs = uow(createJobService(createJobQueue({ raw, db, units })));
  const organisations = uow(createOrganisationService({ repo: createOrganisationRepository(db), units }));
  const people = uow(createPersonService(createPersonRepository(db)));
  const periods = uow(createPeriodService({ repo: createPeriodRepository(db), units }));
  const plans = uow(createPlanService({ repo: createPlanRepository(db), units }));
  const indicatorRepository = createIndicatorRepository(db);
  const indicators = uow(createIndicatorService({ repo: indicatorRepository, plans, periods, organisations }));
  const indicatorTransfer = uow(
    createIndicatorTransferService({
      repo: indicatorRepository,
      headers: createIndicatorTransferRepository(db),
      indicators,
      periods,
      jobs,
      people,
      plans,
      organisations,
      limits: options.limits ?? DEFAULT_INPUT_LIMITS,
      units,
    }),
    // Downloads read in a unit of their own and write the file after it (a big workbook, in a worker).
    { exportValues: false, template: false, exportDefinitions: false },
  );
  const risks = uow(createRiskService({ repo: createRiskRepository(db), plans }));
  const mailer =
    options.mailer ?? createLogMailer({ info: (line) => console.log(line), warn: (line) => console.warn(line) });
  const reminders = uow(
    createReminderService({
      repo: createReminderRepository(db),
      plans,
      periods,
      people,
      organisations,
      jobs,
      publicUrl: options.publicUrl ?? 'http://localhost:3000',
      ...(options.log ? { log: options.log } : {}),
      // The tick also writes ended agreements into the history: sharing is bound once it exists.
      agreementEnds: { recordEndedAgreements: () => late.sharing!.recordEndedAgreements() },
    }),
  );
  // Joint owners live in the sharing module, which reads reports: bound once it exists.
  const late: {
    sharing?: {
      jointOwners: JointOwners['owners'];
      jointOwnersPending: JointOwners['pending'];
      recordEndedAgreements: () => Promise<number>;
    };
  } = {};
  const joint: JointOwners = {
    owners: (...a) => late.sharing!.jointOwners(...a),
    pending: (...a) => late.sharing!.jointOwnersPending(...a),
  };
  const reports = uow(
    createReportService({
      joint,
      repo: createReportRepository(db),
      units,
      plans,
      periods,
      organisations,
      indicators,
      risks,
      events: reminders.events,
      ...(options.reportBodies === false ? {} : { body: options.reportBodies ?? createReportBodyRenderer() }),
    }),
  );
  const dashboard = uow(
    createDashboardService({
      repo: createDashboardRepository(db),
      periods,
      organisations,
      indicators,
      ...(options.keptDashboards === undefined ? {} : { keep: options.keptDashboards }),
    }),
  );
  // A pack read for a download or a job (in a unit of its own, ADR 0028) reads one moment: on a
  // server its summary and its reports would otherwise be read from either side of a change.
  const boardPack = uow(createBoardPackService({ plans, periods, organisations, reports, jobs }), {
    build: { isolationLevel: 'repeatable read' },
  });
  const opendata = uow(createOpenDataService({ plans, reports, indicators }));
  // The clubs an exercise's baseline follows live in the clubs module, which reads the
  // diagnostics: bound once it exists (ADR 0018).
  const lateClubs: { clubs?: Pick<ReturnType<typeof createClubService>, 'followBaseline' | 'baselineDeleted'> } = {};
  const clubBaselines: ClubBaselines = {
    follow: (...a) => lateClubs.clubs!.followBaseline(...a),
    deleted: (...a) => lateClubs.clubs!.baselineDeleted(...a),
  };
  const diagnostics = uow(
    createDiagnosticService({
      clubBaselines,
      repo: createDiagnosticRepository(db),
      units,
      limits: options.limits ?? DEFAULT_INPUT_LIMITS,
      jobs,
    }),
  );
  const clubs = uow(createClubService({ repo: createClubRepository(db), organisations, diagnostics, indicators }));
  lateClubs.clubs = clubs;
  const efficiency = uow(
    createEfficiencyService({ repo: createEfficiencyRepository(db), diagnostics, plans, reports, clubs }),
  );
  // Sign-in e-mails (invitations, password resets) are queued in the same transaction, so a slow
  // or absent mail server never shows, and none is sent for a step that was rolled back.
  // Signing in manages its own units of work (the password is checked between two).
  const accounts = uow(
    createAccountService({
      repo: createAccountRepository(db),
      units,
      mailer: {
        send: async (message, organisationId) => {
          await enqueueMail(jobs.queue, organisationId, message);
        },
      },
      settings: { ...options.auth, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) },
    }),
    { signIn: false },
  );
  const sharing = uow(
    createSharingService({ repo: createSharingRepository(db), organisations, plans, periods, indicators, reports }),
  );
  late.sharing = sharing;
  const demo = uow(
    createDemoService({
      organisations,
      people,
      periods,
      plans,
      reports,
      indicators,
      diagnostics,
      accounts,
      efficiency,
      sharing,
      clubs,
    }),
  );
  // An export reads one consistent moment even while others write.
  const transfer = uow(createTransferService({ repo: createTransferRepository(db), organisations }), {
    exportOrganisation: { isolationLevel: 'repeatable read' },
  });
  // The organisation's audit trail export reads a page at a time, each in a unit of work of its own.
  const history = uow(createHistoryService({ repo: createHistoryRepository(db), plans, reports, units }), {
    exportOrganisation: false,
  });
  const myWork = uow(createMyWorkService({ repo: createMyWorkRepository(db) }));
  // The accessibility statement: the deployment's contact details, read by everyone.
  const accessibility = uow(createAccessibilityService({ repo: createAccessibilityRepository(db), organisations }));
  return {
    units,
    accounts,
    organisations,
    people,
    periods,
    plans,
    indicators,
    reports,
    dashboard,
    boardPack,
    opendata,
    demo,
    transfer,
    risks,
    indicatorTransfer,
    jobs,
    mailer,
    reminders,
    myWork,
    diagnostics,
    efficiency,
    history,
    sharing,
    clubs,
    accessibility,
  };
}

export type Services = ReturnType<typeof buildServices>;

/** The background job handlers, one per kind; the worker started by server.ts runs them. */
export function buildJobHandlers(services: Services): Record<string, JobHandler> {
  return {
    [BOARD_PACK_JOB]: boardPackJobHandler(services.boardPack),
    [INDICATOR_IMPORT_JOB]: indicatorImportJobHandler(services.indicatorTransfer),
    [DIAGNOSTIC_UPLOAD_JOB]: diagnosticUploadJobHandler(services.diagnostics),
    [MAIL_JOB]: mailJobHandler(services.mailer),
  };
}
