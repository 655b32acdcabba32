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
import { DEMO_ACCOUNTS, DEMO_PARTNER_ACCOUNTS } from './demo-accounts.ts';
import type { SharingService } from '../sharing/sharing.service.ts';
import type { ClubService } from '../clubs/club.service.ts';
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
  /** Leeds's agreements with Local Partnerships and PwC and what it shares with them (issue 11). */
  sharing?: SharingService;
  /** The DECATS benchmarking club Local Partnerships hosts (issue 11). */
  clubs?: ClubService;
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

/** The DECATS club's other members in the demo: made up, and named so that nobody could take them for real councils. */
const ILLUSTRATIVE_COUNCILS = [
  'Illustrative Borough Council A',
  'Illustrative City Council B',
  'Illustrative County Council C',
  'Illustrative District Council D',
  'Illustrative Metropolitan Council E',
];
const ILLUSTRATIVE_FACTORS = [0.72, 0.86, 1.07, 1.21, 1.38, 0.94, 1.15];

/** The partners of the seed's "Council / Partnership groups" that run Amber themselves in the demo (issue 11). */
const PARTNER_ORGANISATIONS = {
  'local-partnerships': {
    name: 'Local Partnerships',
    shortName: null,
    kind: 'public_body',
    slug: 'local-partnerships',
  },
  pwc: { name: 'PricewaterhouseCoopers LLP', shortName: 'PwC', kind: 'private', slug: 'pwc' },
} as const;

/**
 * A priority Local Partnerships owns jointly with Leeds (issue 11): the DECATS programme the seed's
 * VfM-4d report says Leeds joined, with Local Partnerships funding two thirds of its cost at risk.
 * Leeds's accountable director signs each report off for Leeds beside Local Partnerships' own
 * officer and director, and Leeds supplies the savings figure Local Partnerships reports on.
 * Everything here is made up for the demo, and says so.
 */
const JOINT_PRIORITY = {
  plan: { title: 'DECATS programme 2009–11 (illustrative)', firstYear: 2009, lastYear: 2010 },
  theme: 'Efficient corporate and transactional services',
  code: 'DECATS-LCC',
  title: 'Deliver the DECATS programme jointly with Leeds City Council',
  rationale: `Leeds City Council joined the national DECATS programme in 2009 to find savings in its back-office functions. Local Partnerships funds two thirds of the cost at risk, so the two organisations own this priority jointly: each signs off every report before it is published. ${ILLUSTRATIVE}`,
  groupsInternal: 'DECATS programme board (Local Partnerships).',
  groupsExternal:
    'Leeds City Council, joint owner of this priority (its own priority VfM-4d), and PwC, whose transformation diagnostic the programme builds on.',
  officer: { name: 'Demo DECATS Programme Director', jobTitle: 'DECATS Programme Director (illustrative)' },
  director: { name: 'Demo Local Partnerships Director', jobTitle: 'Director, Local Partnerships (illustrative)' },
  period: '2009-10-h2',
  report: {
    summary: `The DECATS diagnostic of Leeds's back-office functions began in January 2010, with PwC's transformation diagnostic as its starting point. ${ILLUSTRATIVE}`,
    status: 'green',
    statusReason: '',
    achievements: ['Contract for Leeds City Council to join the DECATS programme agreed in November 2009.'],
    challenges: ['Agreeing a cross-council baseline with every directorate before the outline business cases.'],
    action: {
      description: 'Complete the DECATS diagnostic of the council’s back-office functions',
      milestones: [
        { description: 'Cross-council baseline agreed', timescale: 'Jun 2010' },
        { description: 'Outline business cases presented to the programme board', timescale: 'Sep 2010' },
      ],
    },
  },
  /** The owners' sign-offs, given on paper: Local Partnerships' officer, Leeds, then Local Partnerships' director. */
  signedOn: { officer: '2010-04-20', leeds: '2010-04-22', director: '2010-04-26' },
  /** Leeds signs for Leeds: VfM-4d's accountable director, in the seed. */
  leedsOfficer: 'James Rogers',
  indicator: {
    code: 'DECATS-LCC-i',
    title: 'Additional savings delivered at Leeds City Council',
    unitKind: 'money',
    decimalPlaces: '2',
    polarity: 'higher',
    frequency: 'quarterly',
    ytdMethod: 'latest',
    ruleKind: 'percent',
    tolerance: '10',
    description: `Savings delivered since the council joined DECATS, beyond those already planned. Leeds City Council supplies the figure each quarter. ${ILLUSTRATIVE}`,
  },
} as const;

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
  sharing,
  clubs,
}: DemoDeps) {
  /**
   * Local Partnerships hosts a DECATS benchmarking club: Leeds contributes its (illustrative)
   * diagnostic baseline, and five clearly illustrative councils contribute example figures, so that
   * the club's quartiles exist (nothing is shown from fewer than five members).
   */
  async function loadClub(leeds: Actor, actorLabel: string, exerciseId: string | undefined): Promise<void> {
    if (!clubs || !exerciseId) return;
    const lp = await organisations.findBySlug(systemActor(leeds.organisationId, actorLabel), 'local-partnerships');
    if (!lp) return;
    const host = systemActor(lp.id, actorLabel);
    const club = await clubs.createClub(host, {
      name: 'DECATS benchmarking club',
      description:
        'Councils in the DECATS programme compare the cost of their back-office functions as a share of their running costs. Members see where they stand; nobody sees another member’s figures.',
    });
    await clubs.invite(host, club, { member: 'leeds' });
    await clubs.setMembership(leeds, club, true, {});
    await clubs.contributeBaseline(leeds, club, { exerciseId });
    const view = await clubs.getClub(leeds, club);
    const own = view.standings.flatMap((s) => (s.own ? [s.own] : []));
    for (const [i, name] of ILLUSTRATIVE_COUNCILS.entries()) {
      const council = await organisations.createHome(actorLabel, { name, kind: 'council' });
      const member = systemActor(council.id, actorLabel);
      await clubs.invite(host, club, { member: council.slug });
      await clubs.setMembership(member, club, true, {});
      // Each council's figures: Leeds's, scaled by its own factor per function (made up, and said to be).
      await clubs.contributeIllustrative(
        member,
        club,
        own.map((f, j) => ({
          metric: f.metric,
          label: f.label,
          unit: f.unit,
          direction: f.direction,
          period: f.period,
          embargoUntil: null,
          value: Math.round(f.value * ILLUSTRATIVE_FACTORS[(i + j) % ILLUSTRATIVE_FACTORS.length]! * 10_000) / 10_000,
        })),
      );
    }
  }

  /**
   * Local Partnerships and PwC run Amber in the same deployment (each with its own address and
   * demo account), and Leeds shares VfM-4d with them under data-sharing agreements: with Local
   * Partnerships to update the DECATS key actions' milestones, with PwC to read, without the
   * challenges and risks.
   */
  async function loadPartnerships(leeds: Actor, actorLabel: string, records: Map<string, string>): Promise<void> {
    if (!sharing || !accounts) return;
    const made = new Map<string, Organisation>();
    for (const [slug, o] of Object.entries(PARTNER_ORGANISATIONS))
      made.set(slug, await organisations.createHome(actorLabel, { ...o, shortName: o.shortName ?? '' }));
    for (const a of DEMO_PARTNER_ACCOUNTS)
      await accounts.createUser(systemActor(made.get(a.organisation)!.id, actorLabel), {
        email: a.email,
        name: a.name,
        roles: [a.role],
        passwordHash: a.passwordHash,
      });
    const vfm = await plans.getPriority(leeds, VFM_4D.priority.code);
    const period = (await periods.list(leeds)).find((p) => p.key === VFM_4D.report.period)!;
    const terms = {
      startsOn: '01/10/2009',
      endsOn: '31/03/2030',
      legalBasis:
        'Local Government Act 2000, section 2 (the well-being power), and UK GDPR Article 6(1)(e): the information is about the council’s services, not about individuals beyond officers’ names and roles.',
    };
    const lp = await sharing.createAgreement(leeds, {
      ...terms,
      partner: 'local-partnerships',
      partnerRecordId: records.get('Local Partnerships'),
      title: 'DECATS programme: progress of VfM-4d',
      purpose:
        'Local Partnerships runs the national DECATS programme and funds two thirds of its cost at risk: it follows the priority’s progress and keeps the DECATS milestones up to date.',
      dataShared: 'The VfM-4d progress reports of the chosen periods, their key actions and milestones.',
      signatories:
        'Alan Gay, Director of Resources, Leeds City Council (illustrative); DECATS Programme Director, Local Partnerships (illustrative)',
    });
    const lpShare = await sharing.createShare(leeds, lp, {
      priorityId: vfm.id,
      level: 'update',
      periodIds: [period.id],
    });
    // The key actions about the DECATS programme are Local Partnerships' to update.
    const bundle = await reports.getBundle(leeds, vfm.code, period.key);
    const decats = bundle.report.actions.filter((a) => /DECATS/.test(a.description)).map((a) => a.id);
    const share = (await sharing.getAgreement(leeds, lp)).shares.find((s) => s.id === lpShare)!;
    await sharing.chooseShareActions(leeds, lpShare, { actionIds: decats, version: String(share.version) });

    const pwc = await sharing.createAgreement(leeds, {
      ...terms,
      partner: 'pwc',
      partnerRecordId: records.get('PwC'),
      title: 'Transformation diagnostic: progress of VfM-4d',
      purpose:
        'PwC’s transformation diagnostic reviews the council’s business processes and needs the priority’s progress.',
      dataShared: 'The VfM-4d progress reports of the chosen periods, without the challenges and risks.',
      signatories:
        'Alan Gay, Director of Resources, Leeds City Council (illustrative); Engagement Partner, PwC (illustrative)',
    });
    await sharing.createShare(leeds, pwc, {
      priorityId: vfm.id,
      level: 'read',
      periodIds: [period.id],
      internalSections: ['challenges'],
    });
    await loadJointPriority(made.get('local-partnerships')!.id, actorLabel);
  }

  /**
   * Local Partnerships' priority owned jointly with Leeds, published once each owner signed it off
   * (the sign-offs entered from their paper record), and shared with Leeds under an agreement with
   * the savings indicator Leeds supplies: a Leeds user enters its values in "Shared with us".
   */
  async function loadJointPriority(lpId: string, actorLabel: string): Promise<void> {
    if (!sharing) return;
    const lp = systemActor(lpId, actorLabel);
    const j = JOINT_PRIORITY;
    const officer = await people.create(lp, { ...j.officer, employerId: lpId });
    const director = await people.create(lp, { ...j.director, employerId: lpId });
    for (const key of [j.period, '2009-10-q3', '2009-10-q4']) await periods.ensure(lp, key);
    const plan = await plans.createPlan(lp, j.plan);
    const theme = await plans.createTheme(lp, plan.id, { title: j.theme });
    const priority = await plans.createPriority(lp, {
      themeId: theme.id,
      code: j.code,
      title: j.title,
      rationale: j.rationale,
      accountableOfficerId: officer.id,
      accountableDirectorId: director.id,
      groupsInternal: j.groupsInternal,
      groupsExternal: j.groupsExternal,
    });
    const indicator = await indicators.create(lp, { ...j.indicator, ownerId: officer.id, priorityIds: [priority.id] });
    await reports.create(lp, j.code, { period: j.period });
    const { action, ...sections } = j.report;
    await reports.updateSections(lp, j.code, j.period, sections);
    await reports.addAction(lp, j.code, j.period, {
      description: action.description,
      contributors: [`person:${officer.id}`],
      milestones: action.milestones,
    });

    const period = (await periods.list(lp)).find((p) => p.key === j.period)!;
    const agreement = await sharing.createAgreement(lp, {
      partner: 'leeds',
      title: 'DECATS programme: joint ownership with Leeds City Council',
      purpose:
        'Local Partnerships and Leeds City Council own the DECATS priority jointly: Leeds reads its reports, signs each off for Leeds, records progress and supplies its savings figure.',
      dataShared: 'The DECATS priority’s progress reports of the chosen periods, and the savings indicator.',
      legalBasis:
        'Local Government Act 2000, section 2 (the well-being power), and UK GDPR Article 6(1)(e): the information is about the programme, not about individuals beyond officers’ names and roles.',
      startsOn: '01/10/2009',
      endsOn: '31/03/2030',
      signatories:
        'Director, Local Partnerships (illustrative); James Rogers, Director of Resources, Leeds City Council (illustrative)',
    });
    const share = await sharing.createShare(lp, agreement, {
      priorityId: priority.id,
      level: 'update',
      periodIds: [period.id],
      indicatorIds: [indicator.id],
      suppliedIndicatorIds: [indicator.id],
      joint: true,
      jointOfficer: j.leedsOfficer,
      internalSections: [],
    });

    await reports.recordHistoricalSignOff(lp, j.code, j.period, {
      role: 'accountable_officer',
      personId: officer.id,
      signedOn: j.signedOn.officer,
    });
    await sharing.recordHistoricalJointSignOff(lp, share, j.period, {
      signedBy: j.leedsOfficer,
      signedOn: j.signedOn.leeds,
    });
    // Every owner has signed: the director's sign-off publishes it, Leeds's sign-off frozen in it.
    await reports.recordHistoricalSignOff(lp, j.code, j.period, {
      role: 'accountable_director',
      personId: director.id,
      signedOn: j.signedOn.director,
    });
  }

  return {
    /** Loads the demo organisation unless it exists; returns it and whether it was created now. */
    async load(loadedBy = 'demo'): Promise<{ organisation: Organisation; created: boolean }> {
      // Whom the history pages name for the demo's records: words a new user understands, not the
      // loader's bare name ("By demo", issue 13); what loaded it, when not the first start, after it.
      const actorLabel = loadedBy === 'demo' ? 'Amber’s demo set-up' : `Amber’s demo set-up (${loadedBy})`;
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
      const exerciseForClub = demoExerciseId;
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
      await loadPartnerships(actor, actorLabel, partners);
      await loadClub(actor, actorLabel, exerciseForClub);
      return { organisation, created: true };
    },

    /** The demo's accounts and passwords, when this database holds the demo and its accounts. */
    async accounts(): Promise<{ role: string; email: string; password: string }[]> {
      const home = await organisations.findHome();
      if (!home || home.name !== VFM_4D.organisation.name || !accounts) return [];
      const label = (role: string) => role.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
      return [
        ...DEMO_ACCOUNTS.map((a) => ({ role: label(a.role), email: a.email, password: a.password })),
        ...DEMO_PARTNER_ACCOUNTS.map((a) => ({
          role: `${label(a.role)} at ${PARTNER_ORGANISATIONS[a.organisation].name} (a partner Leeds shares VfM-4d with)`,
          email: a.email,
          password: a.password,
        })),
      ];
    },
  };
}

export type DemoService = ReturnType<typeof createDemoService>;
