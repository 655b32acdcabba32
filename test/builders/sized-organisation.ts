// An organisation of a given size, for tests and benchmarks whose question is how a page grows
// with the organisation (issue 14): N priorities spread over five themes, each with a report for
// 2009/10 H1 and one for H2, key actions with milestones, and an indicator with four quarters of
// values that the H2 report shows as its graph.
//
// The first six priorities are made through the services one by one, as a person would make them
// (their statuses, publication and values differ); the others are copies of those six, with ids
// and codes of their own, written by the organisation file import (`transfer.importOrganisation`),
// which writes a thousand priorities in seconds where the services would take minutes.

import { randomUUID } from 'node:crypto';
import type { Services } from '../../src/composition.ts';
import { systemActor, type Actor } from '../../src/domain/actor.ts';
import type { Units } from '../../src/platform/db/unit-of-work.ts';
import { insertOrganisation, insertPerson } from './index.ts';

export const SIZED_PERIODS = {
  earlier: '2009-10-h1',
  later: '2009-10-h2',
  quarters: ['2009-10-q1', '2009-10-q2', '2009-10-q3', '2009-10-q4'],
} as const;

/** How many priorities are made through the services; the rest are copies of these. */
export const SIZED_TEMPLATE_PRIORITIES = 6;

export interface SizedOrganisation {
  actor: Actor;
  organisationId: string;
  /** The priorities' codes (`SZ-1` …), in the order they were made. */
  priorityCodes: string[];
  /** The indicators' codes (`SZ-1-I` …), one per priority, in the same order. */
  indicatorCodes: string[];
}

const STATUS_KEYS = ['green', 'amber', 'red'] as const;

/**
 * An organisation with `priorities` priorities (the first six made one by one, the rest copies):
 * - themes: five (fewer with fewer priorities), priorities given to them in turn;
 * - 2009/10 H1: a report per priority with a status (green, amber, red in turn) and one key action
 *   whose milestone (March 2009) is overdue; every other one published with paper sign-offs;
 * - 2009/10 H2: a report per priority whose status moves on by one (so every priority shows a
 *   change), one key action, and the priority's indicator chosen as its graph;
 * - an indicator per priority, quarterly, higher is better, target 80, rising by one a quarter:
 *   from 70 for one priority in three (SZ-2, SZ-5, …: off target, Red), else from 78 (Amber, then
 *   Green); the first of every six overridden to Red in Q2.
 */
export async function insertSizedOrganisation(
  { services, units }: { services: Services; units: Pick<Units<unknown>, 'run'> },
  options: { priorities: number; name?: string },
): Promise<SizedOrganisation> {
  const actor = await insertOrganisation(services, options.name ? { name: options.name } : {});
  const officer = await insertPerson(services, actor, { name: 'Sized Officer' });
  const director = await insertPerson(services, actor, { name: 'Sized Director' });
  const plan = await services.plans.createPlan(actor, { title: 'Sized plan', firstYear: 2008, lastYear: 2011 });
  const themes: { id: string }[] = [];
  for (let n = 1; n <= Math.min(5, options.priorities); n++)
    themes.push(await services.plans.createTheme(actor, plan.id, { title: `Sized theme ${n}` }));
  for (const key of [SIZED_PERIODS.earlier, SIZED_PERIODS.later, ...SIZED_PERIODS.quarters])
    await services.periods.ensure(actor, key);

  const insertOne = async (i: number) => {
    const code = `SZ-${i + 1}`;
    const priority = await services.plans.createPriority(actor, {
      themeId: themes[i % themes.length]!.id,
      code,
      title: `Sized priority ${i + 1}`,
      accountableOfficerId: officer.id,
      accountableDirectorId: director.id,
    });
    const indicator = await services.indicators.create(actor, {
      code: `${code}-I`,
      title: `Sized indicator ${i + 1}`,
      unitKind: 'number',
      polarity: 'higher',
      frequency: 'quarterly',
      priorityIds: [priority.id],
    });
    for (const [q, quarter] of SIZED_PERIODS.quarters.entries())
      await services.indicators.setValue(actor, indicator.code, {
        period: quarter,
        actual: String((i % 3 === 1 ? 70 : 78) + q),
        target: '80',
      });
    if (i === 0)
      await services.indicators.overrideStatus(actor, indicator.code, {
        period: SIZED_PERIODS.quarters[1],
        status: 'red',
        reason: 'The figure came late and is known to be low',
      });
    for (const [p, period] of [SIZED_PERIODS.earlier, SIZED_PERIODS.later].entries()) {
      await services.reports.create(actor, code, { period });
      await services.reports.updateSections(actor, code, period, {
        summary: `${code} in ${period}`,
        status: STATUS_KEYS[(i + p) % STATUS_KEYS.length],
        statusReason: 'As the summary says',
      });
      await services.reports.addAction(actor, code, period, {
        description: `Action of ${code} in ${period}`,
        contributors: [`person:${officer.id}`],
        milestones: [{ description: `Milestone of ${code}`, timescale: p === 0 ? 'Mar 2009' : 'Mar 2010' }],
      });
    }
    await services.reports.chooseGraphs(actor, code, SIZED_PERIODS.later, { indicators: [indicator.id] });
    if (i % 2 === 0) {
      for (const role of ['accountable_officer', 'accountable_director'] as const)
        await services.reports.recordHistoricalSignOff(actor, code, SIZED_PERIODS.earlier, {
          role,
          personId: role === 'accountable_officer' ? officer.id : director.id,
          signedOn: '1 October 2009',
        });
    }
  };
  const made = Math.min(options.priorities, SIZED_TEMPLATE_PRIORITIES);
  // Each priority in a unit of work of its own (one transaction), as a person's steps would be many.
  for (let i = 0; i < made; i++) await units.run(() => insertOne(i));

  if (options.priorities > made) {
    const file = await services.transfer.exportOrganisation(actor.organisationId);
    await services.transfer.importOrganisation(withCopies(file, options.priorities), {
      replace: true,
      actorLabel: 'test',
    });
  }
  const priorityCodes = Array.from({ length: options.priorities }, (_, i) => `SZ-${i + 1}`);
  return {
    actor: systemActor(actor.organisationId, 'test'),
    organisationId: actor.organisationId,
    priorityCodes,
    indicatorCodes: priorityCodes.map((code) => `${code}-I`),
  };
}

/** What `withCopies` reads of an organisation file (`amber.organisation.v1`); the rest is carried as it is. */
interface OrganisationFile {
  plans: { themes: { priorities: { id: string; code: string }[] }[] }[];
  reports: { priority: string }[];
  indicators?: { priorityIds: string[] }[];
  [key: string]: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The file with priorities `SZ-7` … `SZ-N` added, each a copy of one of the first six (`SZ-1` for
 * SZ-7, SZ-13, …) with its reports (revisions included) and indicator: every id that belongs to
 * the copied records is new, the organisation's (people, periods, themes, plan) are kept, and the
 * codes and titles are the copy's own. Copy i goes to theme i mod 5, like the first six.
 */
function withCopies(file: OrganisationFile, total: number): OrganisationFile {
  const themes = file.plans[0]!.themes;
  const templates = themes.flatMap((t) => t.priorities).sort((a, b) => codeNumber(a.code) - codeNumber(b.code));
  const shared = new Set(
    JSON.stringify({
      ...file,
      plans: file.plans.map((p) => ({ ...p, themes: p.themes.map((t) => ({ ...t, priorities: [] })) })),
      reports: [],
      indicators: [],
      // The audit trail names the copied records too; it is carried as it is, never copied.
      auditTrail: [],
    }).match(UUID),
  );
  const copy = structuredClone(file);
  for (let i = templates.length; i < total; i++) {
    const template = templates[i % templates.length]!;
    const n = codeNumber(template.code);
    const parts = {
      priority: template,
      reports: file.reports.filter((r) => r.priority === template.code),
      indicators: (file.indicators ?? []).filter((x) => x.priorityIds.includes(template.id)),
    };
    const fresh = new Map<string, string>();
    const text = JSON.stringify(parts)
      .replace(UUID, (id) => (shared.has(id) ? id : (fresh.get(id) ?? fresh.set(id, randomUUID()).get(id)!)))
      .replace(new RegExp(`\\bSZ-${n}\\b`, 'g'), `SZ-${i + 1}`)
      .replace(new RegExp(`\\b(Sized (?:priority|indicator)) ${n}\\b`, 'g'), `$1 ${i + 1}`);
    const made = JSON.parse(text) as typeof parts;
    copy.plans[0]!.themes[i % themes.length]!.priorities.push(made.priority);
    copy.reports.push(...made.reports);
    (copy.indicators ??= []).push(...made.indicators);
  }
  return copy;
}

const codeNumber = (code: string) => Number(code.slice('SZ-'.length));
