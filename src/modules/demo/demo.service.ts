// The demo organisation: Leeds City Council with its 2009/10 H1 report for VfM-4d, loaded from
// the seed document (vfm-4d.ts) through the same services a user's changes go through.
// A few more priorities (marked as illustrative) give the list and its filters something to show.
// Loading is idempotent: it does nothing when the demo organisation is already there.

import { systemActor, type Actor } from '../../domain/actor.ts';
import type { OrganisationService, Organisation } from '../organisations/organisation.service.ts';
import type { PersonService } from '../people/person.service.ts';
import type { PeriodService } from '../periods/period.service.ts';
import type { PlanService } from '../plans/plan.service.ts';
import type { ReportService } from '../reports/report.service.ts';
import type { IndicatorService } from '../indicators/indicator.service.ts';
import type { DiagnosticService } from '../diagnostic/diagnostic.service.ts';
import type { EfficiencyService } from '../efficiency/efficiency.service.ts';
import { VFM_4D } from './vfm-4d.ts';
import { DEMO_ACCOUNTS } from './demo-accounts.ts';
import type { AccountService } from '../accounts/account.service.ts';

const ILLUSTRATIVE = 'Illustrative demo entry, not taken from a real report.';

const OTHER_PRIORITIES = [
  {
    theme: 'Value for Money',
    code: 'VfM-4a',
    title: 'Improve procurement practice and contract management',
    officer: 'dunn',
    director: 'rogers',
    status: 'green',
    summary: 'Category strategies are in place for the largest areas of third-party spend.',
    reason: '',
  },
  {
    theme: 'Our People',
    code: 'OP-2b',
    title: 'Reduce sickness absence across the council',
    officer: 'mcpherson',
    director: 'rogers',
    status: 'red',
    summary: 'Average days lost per employee rose in the first half of the year.',
    reason: 'Absence is above target in four directorates and the trend is worsening.',
  },
  {
    theme: 'Our Customers',
    code: 'OC-1c',
    title: 'Resolve more customer enquiries at first contact',
    officer: 'mcpheely',
    director: 'rogers',
    status: 'amber',
    summary: 'The new contact centre telephony went live in August.',
    reason: 'First-contact resolution is improving but remains below the year-end target.',
  },
] as const;

export interface DemoDeps {
  organisations: OrganisationService;
  people: PersonService;
  periods: PeriodService;
  plans: PlanService;
  reports: ReportService;
  indicators: IndicatorService;
  /** The demo's accounts, one per role (optional so service-level callers need not sign anyone in). */
  accounts?: AccountService;
  /** The illustrative efficiency diagnostic exercise (optional so older callers still work). */
  diagnostics?: DiagnosticService;
  /** The illustrative efficiency programme on the demo exercise (benchmarks to gain-share). */
  efficiency?: EfficiencyService;
}

/** An illustrative indicator, so a newcomer sees a graph in a report (VfM-4d itself has none, as in the seed). */
const DEMO_INDICATOR = {
  code: 'OC-1c-i',
  title: 'Customer enquiries resolved at first contact',
  unitKind: 'percentage',
  decimalPlaces: '1',
  polarity: 'higher',
  frequency: 'quarterly',
  ytdMethod: 'average',
  ruleKind: 'percent',
  tolerance: '5',
  description: `Enquiries resolved at the first contact as a share of all enquiries. ${ILLUSTRATIVE}`,
  values: [
    ['2008-09-q1', '71.2'],
    ['2008-09-q2', '72.8'],
    ['2008-09-q3', '74.1'],
    ['2008-09-q4', '73.5'],
    ['2009-10-q1', '76.9'],
    ['2009-10-q2', '78.4'],
  ] as const,
  target: '80',
};

export function createDemoService({
  organisations,
  people,
  periods,
  plans,
  reports,
  indicators,
  diagnostics,
  accounts,
  efficiency,
}: DemoDeps) {
  return {
    /** Loads the demo organisation unless it exists; returns it and whether it was created now. */
    async load(actorLabel = 'demo'): Promise<{ organisation: Organisation; created: boolean }> {
      const home = await organisations.findHome();
      if (home && home.name === VFM_4D.organisation.name) return { organisation: home, created: false };
      if (home)
        throw new Error(`This database already holds ${home.name}; the demo is loaded only into an empty database.`);

      const organisation = await organisations.createHome(actorLabel, VFM_4D.organisation);
      const actor: Actor = systemActor(organisation.id, actorLabel);
      const partners = new Map<string, string>();
      for (const p of VFM_4D.partners) partners.set(p.name, (await organisations.createPartner(actor, p)).id);

      const personIds = new Map<string, string>();
      for (const p of VFM_4D.people) {
        const email = DEMO_ACCOUNTS.find((a) => a.person === p.key)?.email;
        personIds.set(
          p.key,
          (
            await people.create(actor, {
              name: p.name,
              jobTitle: p.jobTitle,
              employerId: organisation.id,
              ...(email ? { email } : {}),
            })
          ).id,
        );
      }
      await people.create(actor, {
        name: 'Partnership Director',
        jobTitle: 'DECATS programme lead',
        employerId: partners.get('Local Partnerships')!,
      });

      for (const key of ['2008-09-h2', '2009-10-h1', '2009-10-h2']) await periods.ensure(actor, key);

      const plan = await plans.createPlan(actor, VFM_4D.plan);
      const themes = new Map<string, string>();
      for (const title of VFM_4D.themes) themes.set(title, (await plans.createTheme(actor, plan.id, { title })).id);

      const p = VFM_4D.priority;
      await plans.createPriority(actor, {
        themeId: themes.get(p.theme),
        code: p.code,
        title: p.title,
        rationale: p.rationale,
        accountableOfficerId: personIds.get(p.officer),
        accountableDirectorId: personIds.get(p.director),
        groupsInternal: p.groupsInternal,
        groupsExternal: p.groupsExternal,
      });
      const r = VFM_4D.report;
      await reports.create(actor, p.code, { period: r.period });
      await reports.updateSections(actor, p.code, r.period, {
        summary: r.summary,
        status: r.status,
        statusReason: r.statusReason,
        achievements: r.achievements,
        challenges: r.challenges,
      });
      for (const a of r.actions) {
        await reports.addAction(actor, p.code, r.period, {
          description: a.description,
          contributors: a.contributors.map((k) => `person:${personIds.get(k)}`),
          milestones: a.milestones.map((m) => ({ description: m.description, timescale: m.timescale })),
        });
      }
      // The 2009 sign-offs were given on paper: entered as historical records, the director's
      // publishing the report as revision 1.
      for (const s of r.signOffs) {
        await reports.recordHistoricalSignOff(actor, p.code, r.period, {
          role: s.role,
          personId: personIds.get(s.person),
          signedOn: s.date,
        });
      }

      for (const o of OTHER_PRIORITIES) {
        await plans.createPriority(actor, {
          themeId: themes.get(o.theme),
          code: o.code,
          title: o.title,
          rationale: ILLUSTRATIVE,
          accountableOfficerId: personIds.get(o.officer),
          accountableDirectorId: personIds.get(o.director),
        });
        await reports.create(actor, o.code, { period: r.period });
        await reports.updateSections(actor, o.code, r.period, {
          summary: `${o.summary}\n\n${ILLUSTRATIVE}`,
          status: o.status,
          statusReason: o.reason,
        });
      }
      const oc = await plans.getPriority(actor, 'OC-1c');
      const indicator = await indicators.create(actor, {
        ...DEMO_INDICATOR,
        ownerId: personIds.get('mcpheely'),
        priorityIds: [oc.id],
      });
      for (const [period, actual] of DEMO_INDICATOR.values) {
        await periods.ensure(actor, period);
        await indicators.setValue(actor, indicator.code, { period, actual, target: DEMO_INDICATOR.target });
      }
      await reports.chooseGraphs(actor, 'OC-1c', r.period, { indicators: [indicator.id] });
      const demoExerciseId = await diagnostics?.seedDemo(actor);
      if (demoExerciseId) await efficiency?.seedDemo(actor, demoExerciseId);
      if (accounts) {
        for (const a of DEMO_ACCOUNTS) {
          await accounts.createUser(actor, {
            email: a.email,
            name: a.name,
            roles: [a.role],
            personId: a.person ? (personIds.get(a.person) ?? null) : null,
            passwordHash: a.passwordHash,
          });
        }
      }
      return { organisation, created: true };
    },

    /** The demo's accounts and passwords, when this database holds the demo and its accounts. */
    async accounts(): Promise<{ role: string; email: string; password: string }[]> {
      const home = await organisations.findHome();
      if (!home || home.name !== VFM_4D.organisation.name || !accounts) return [];
      return DEMO_ACCOUNTS.map((a) => ({
        role: a.role.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
        email: a.email,
        password: a.password,
      }));
    },
  };
}

export type DemoService = ReturnType<typeof createDemoService>;
