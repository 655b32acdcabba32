// The composition root: the one place that wires repositories into services. Its return type
// is the dependency type of the web app, the CLI and the tests.

import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
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
import { createIndicatorRepository } from './modules/indicators/indicator.repository.ts';
import { createIndicatorService } from './modules/indicators/indicator.service.ts';
import { createIndicatorTransferService } from './modules/indicators/indicator-transfer.service.ts';
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

export function buildServices(db: Kysely<DB>) {
  const jobs = createJobService(createJobQueue(db));
  const organisations = createOrganisationService(createOrganisationRepository(db));
  const people = createPersonService(createPersonRepository(db));
  const periods = createPeriodService(createPeriodRepository(db));
  const plans = createPlanService(createPlanRepository(db));
  const indicatorRepository = createIndicatorRepository(db);
  const indicators = createIndicatorService({ repo: indicatorRepository, plans, periods, organisations });
  const indicatorTransfer = createIndicatorTransferService({ repo: indicatorRepository, indicators, periods, jobs, people, plans });
  const risks = createRiskService({ repo: createRiskRepository(db), plans });
  const reports = createReportService({ repo: createReportRepository(db), plans, periods, organisations, indicators, risks });
  const dashboard = createDashboardService({ repo: createDashboardRepository(db), periods, organisations, indicators });
  const boardPack = createBoardPackService({ plans, periods, organisations, reports, jobs });
  const opendata = createOpenDataService({ plans, reports, organisations, indicators });
  const demo = createDemoService({ organisations, people, periods, plans, reports, indicators });
  const transfer = createTransferService(createTransferRepository(db));
  return { organisations, people, periods, plans, indicators, reports, dashboard, boardPack, opendata, demo, transfer, risks, indicatorTransfer, jobs };
}

export type Services = ReturnType<typeof buildServices>;

/** The background job handlers, one per kind; the worker started by server.ts runs them. */
export function buildJobHandlers(services: Services): Record<string, JobHandler> {
  return {
    [BOARD_PACK_JOB]: boardPackJobHandler(services.boardPack),
    [INDICATOR_IMPORT_JOB]: indicatorImportJobHandler(services.indicatorTransfer),
  };
}
