// Builders: insertX(services, actor, overrides) creates a record and the parents it needs,
// through the services, so tests say only what matters to them.

import type { Services } from '../../src/composition.ts';
import { systemActor, type Actor } from '../../src/domain/actor.ts';

let counter = 0;
const next = () => ++counter;

export async function insertOrganisation(services: Services, overrides: Record<string, unknown> = {}): Promise<Actor> {
  const org = await services.organisations.createHome('test', {
    name: `Test Council ${next()}`,
    kind: 'council',
    ...overrides,
  });
  return systemActor(org.id, 'test');
}

export async function insertPerson(services: Services, actor: Actor, overrides: Record<string, unknown> = {}) {
  return services.people.create(actor, {
    name: `Officer ${next()}`,
    jobTitle: 'Performance Officer',
    employerId: actor.organisationId,
    ...overrides,
  });
}

export async function insertTheme(services: Services, actor: Actor, overrides: Record<string, unknown> = {}) {
  const plan = await services.plans.createPlan(actor, { title: `Plan ${next()}`, firstYear: 2008, lastYear: 2010 });
  return services.plans.createTheme(actor, plan.id, { title: `Theme ${next()}`, ...overrides });
}

export async function insertPriority(services: Services, actor: Actor, overrides: Record<string, unknown> = {}) {
  const theme = overrides.themeId ? undefined : await insertTheme(services, actor);
  const officer = await insertPerson(services, actor);
  return services.plans.createPriority(actor, {
    themeId: theme?.id,
    code: `P-${next()}`,
    title: 'A test priority',
    accountableOfficerId: officer.id,
    ...overrides,
  });
}

/** A priority with an (empty) report for `period` (default 2009-10-h1), the period created if needed. */
export async function insertReport(
  services: Services,
  actor: Actor,
  overrides: { period?: string; priority?: Record<string, unknown> } = {},
) {
  const period = overrides.period ?? '2009-10-h1';
  await services.periods.ensure(actor, period);
  const priority = await insertPriority(services, actor, overrides.priority);
  const bundle = await services.reports.create(actor, priority.code, { period });
  return { priority, period, bundle };
}

/**
 * An exercise's settings as its form sends them back unchanged (read at its current version), with
 * `overrides` on top: what a test posts to `diagnostics.updateExercise` to change one setting.
 */
export async function exerciseSettings(
  services: Services,
  actor: Actor,
  exerciseId: string,
  overrides: Record<string, string> = {},
): Promise<Record<string, string | string[]>> {
  const e = await services.diagnostics.getExercise(actor, exerciseId);
  return {
    version: String(e.version),
    name: e.name,
    financialYear: String(e.financialYear),
    runningCosts: String(e.runningCosts / 100),
    headcount: e.headcount === null ? '' : String(e.headcount),
    taxonomyVersionId: e.taxonomyVersionId,
    scope: e.scope,
    ...overrides,
  };
}
