// The permissions walk: every route of the app, for the public and for every role, against the
// one table (src/domain/permissions.ts) and the permission each route declares; then every route
// again with another organisation's ids. Generated from the routes as registered, so a new route
// is walked the day it is added, and the walk fails on a route it cannot classify (a parameter it
// has no value for, a scoped permission it has no in-scope and out-of-scope target for).
//
// For each route and role the table gives a scope:
//   none        → refused: 403 for a signed-in person, sign-in (401 or a redirect) for the public;
//   all         → let through (not 401, not 403, not 404: the walk's targets exist);
//   own         → let through on a priority the person is accountable for, refused on another;
//   named       → let through on a key action naming the person, refused on another;
//   published   → let through on a published report, refused on a draft (lists show only what is published).
// Then every route again with another organisation's ids, for every role the access layer lets
// reach the handler: that organisation shares a priority with the first under an active agreement
// (update level, a supplied indicator, a key action naming the first), and owns things it shares
// with no one. Its ids answer 404, shared or not (row-level security lets the shared rows through:
// only the repositories' conditions keep them out of the first organisation's own pages), except
// that the shared ones on the partner's "Shared with us" pages and API answer as the table says;
// no request changes any of that organisation's rows (a hash of every column, after each route
// that writes) or shows what it shares with no one.
// It also checks docs/permissions.md is the table as generated now.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { buildTestApp, type TestApp, type TestSession } from './helpers/app.ts';
import { ENGINES } from './helpers/database.ts';
import { organisationFingerprint } from './helpers/fingerprint.ts';
import { insertPerson, insertPriority } from './builders/index.ts';
import {
  ROLES,
  PERMISSIONS,
  isPublicPermission,
  type Role,
  type Permission,
  type Scope,
} from '../src/domain/permissions.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { permissionsDoc } from '../src/permissions-doc.ts';
import { registerAccess, type RegisteredRoute } from '../src/platform/http/access.ts';
import Fastify from 'fastify';
import type { Services } from '../src/composition.ts';

type Who = Role | 'public';
const WHO: readonly Who[] = ['public', ...ROLES];
type Target = 'in' | 'out';
type Expect = 'allow' | 'deny';
/** One request of the walk: the scope it probes (if any), in or out of it, and what the table says. */
interface Case {
  scope?: Scope;
  target: Target;
  expect: Expect;
}

/** Routes whose permission the thing itself carries: a job (and its files) needs what made it. */
const EFFECTIVE: Record<string, readonly Permission[]> = {
  'GET /jobs/:id': ['boardpack.drafts'],
  'GET /files/:id': ['boardpack.drafts'],
};

/**
 * Routes under a scoped permission ("own") that name no priority: what the scope allows there.
 * Creating plans, themes and priorities needs the permission for every priority; the risk
 * register's forms list the person's own priorities, and its create refuses another's.
 */
const WITHOUT_TARGET: Record<string, Expect> = {
  'GET /priorities/new': 'deny',
  'POST /priorities': 'deny',
  'POST /api/priorities': 'deny',
  'GET /plans/new': 'deny',
  'POST /plans': 'deny',
  'POST /api/plans': 'deny',
  'GET /plans/:id/edit': 'deny',
  'POST /plans/:id/edit': 'deny',
  'PUT /api/plans/:id': 'deny',
  'GET /plans/:planId/themes/new': 'deny',
  'POST /plans/:planId/themes': 'deny',
  'POST /api/plans/:planId/themes': 'deny',
  'GET /themes/:id/edit': 'deny',
  'POST /themes/:id/edit': 'deny',
  'POST /themes/:id/delete': 'deny',
  'PUT /api/themes/:id': 'deny',
  'DELETE /api/themes/:id': 'deny',
  'GET /risks/new': 'allow',
  'POST /risks': 'allow',
  'POST /api/risks': 'allow',
};

/** Markers of the other organisation: none may appear in anything the first one's people see. */
const OTHER = {
  organisation: 'Wallbrook Borough Council',
  code: 'WALLB-1',
  title: 'Wallbrook secret priority',
  person: 'Bea Wallace',
  partner: 'Wallbrook Partners Ltd',
  plan: 'Wallbrook corporate plan',
  theme: 'Wallbrook theme',
  risk: 'Wallbrook confidential risk',
  indicator: 'WALLB-IND',
  // A code is in the URL, so a page may well say it does not know it: the title is the marker.
  indicatorTitle: 'Wallbrook confidential indicator',
  period: '2031-32-h1',
  summary: 'Wallbrook draft summary text',
};
/**
 * What the other organisation shares with the first (issue 11): a priority of its own, under an
 * active agreement, at the update level, with an indicator the first supplies and a key action
 * naming it. Its report, actions and indicator (and, through them, the organisation's name, the
 * priority's theme, plan and accountable person) may show on the pages a share opens; its risk is
 * never shared.
 */
const SHARED = {
  code: 'WALLB-SHARED',
  title: 'Wallbrook shared priority',
  summary: 'Wallbrook shared summary text',
  action: 'Wallbrook shared key action',
  indicator: 'WALLB-SHARED-PI',
  indicatorTitle: 'Wallbrook shared indicator',
  risk: 'Wallbrook unshared risk of a shared priority',
};
/** Markers of what the other organisation shares with nobody: they show nowhere, not even where a share opens. */
const UNSHARED_MARKERS = [OTHER.title, OTHER.partner, OTHER.risk, OTHER.summary, OTHER.indicatorTitle, SHARED.risk];
/** Every marker: none shows anywhere a share does not open. */
const MARKERS = [
  ...UNSHARED_MARKERS,
  OTHER.organisation,
  OTHER.person,
  OTHER.plan,
  OTHER.theme,
  SHARED.title,
  SHARED.summary,
  SHARED.action,
  SHARED.indicatorTitle,
];
/**
 * What a share opens to the partner (docs/permissions.md: `shared.read`, `shared.update`,
 * `shared.comment`, `shared.sign-off` on the partner's side): its "Shared with us" pages and API.
 * Everything else, the sharing organisation's own pages of its shares included, is the owner's.
 */
const isOpenedByShare = (url: string) => /^\/(api\/)?shared-with-us(\/|$)/.test(url);
const markersFor = (url: string) => (isOpenedByShare(url) ? UNSHARED_MARKERS : MARKERS);

const params = (url: string) => [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
const key = (r: Pick<RegisteredRoute, 'method' | 'url'>) => `${r.method} ${r.url}`;
/** Routes that use their target up (delete it, leave a club, withdraw a figure): each request gets a fresh one. */
const isDelete = (r: RegisteredRoute) => r.method === 'DELETE' || /\/(delete|leave|withdraw)$/.test(r.url);
const order = (r: RegisteredRoute) => (r.method === 'GET' ? 0 : isDelete(r) ? 2 : 1);

function scopesOf(who: Role, permissions: readonly Permission[]): Scope[] {
  return [
    ...new Set(
      permissions
        .map((p) => (PERMISSIONS[p].roles as Partial<Record<Role, Scope>>)[who])
        .filter((s): s is Scope => s !== undefined),
    ),
  ];
}

/** What the route needs a target for, given the scope (undefined: the route names none). */
function targetKind(url: string, scope: Scope): 'priority' | 'action' | 'report' | undefined {
  if (scope === 'own')
    return url.includes(':code') &&
      !url.startsWith('/indicators') &&
      !url.startsWith('/api/indicators') &&
      !url.startsWith('/diagnostic')
      ? 'priority'
      : /\/risks\/:id/.test(url)
        ? 'priority'
        : undefined;
  if (scope === 'named') return url.includes(':n') || url.includes('/milestones/:id') ? 'action' : undefined;
  if (scope === 'published') return url.includes(':period') ? 'report' : undefined;
  return undefined;
}

/** The cases the walk makes of a route for one role: which target, and what the table says. */
function casesOf(route: RegisteredRoute, who: Who): Case[] | string {
  const permissions = EFFECTIVE[key(route)] ?? route.permissions;
  if (who === 'public') return [{ target: 'in', expect: permissions.some(isPublicPermission) ? 'allow' : 'deny' }];
  const scopes = scopesOf(who, permissions);
  if (scopes.length === 0) return [{ target: 'in', expect: 'deny' }];
  if (scopes.includes('all')) return [{ target: 'in', expect: 'allow' }];
  const cases: Case[] = [];
  for (const scope of scopes) {
    const kind = targetKind(route.url, scope);
    if (kind) cases.push({ scope, target: 'in', expect: 'allow' }, { scope, target: 'out', expect: 'deny' });
    else if (scope === 'published') cases.push({ scope, target: 'in', expect: 'allow' });
    else if (WITHOUT_TARGET[key(route)]) cases.push({ scope, target: 'in', expect: WITHOUT_TARGET[key(route)]! });
    else
      return `${key(route)} as ${who}: scope "${scope}" but the route names nothing the walk can put in or out of it`;
  }
  return cases;
}

interface World {
  org: Actor;
  values: Record<string, string>;
  /** Per role's session: its own API token's id (for revoking). */
  tokenIds: Map<string, string>;
}

for (const engine of ENGINES)
  describe(`the permissions walk [${engine}]`, () => {
    let t: TestApp;
    let A: World;
    let B: World;
    /** B's values with what B shares with A in place of its unshared priority (and its report, actions, indicator, risk, share). */
    let BS: World;
    let slugOfB = '';
    const sessions = new Map<Role, TestSession>();
    const linked: Partial<Record<Role, string>> = {};
    let fresh = 0;

    // Signing out, or a change of someone's roles, ends sessions, and only a write (a request other
    // than GET) does that: after one, each role's session is looked up again before its next use.
    // (Looked up before every request, the walk spent a quarter of its statements on it.)
    const mayHaveEnded = new Set<Role>();
    async function sessionFor(role: Role): Promise<TestSession> {
      let s = sessions.get(role);
      if (
        s &&
        mayHaveEnded.delete(role) &&
        !(await t.services.accounts.resolveSession(s.headers.cookie.split('=')[1]!))
      )
        s = undefined;
      if (!s) {
        s = await t.signIn([role], linked[role] ? { personId: linked[role] } : {});
        sessions.set(role, s);
        const user = systemActor(A.org.organisationId, 'walk');
        const token = await t.services.accounts.createApiToken(
          { kind: 'user', organisationId: user.organisationId, label: s.email, userId: s.userId, roles: [role] },
          { name: 'walk', scope: 'read', expiresInDays: '30' },
        );
        A.tokenIds.set(s.userId, token.id);
      }
      return s;
    }

    /** A world: an organisation with one of everything the routes name. */
    async function world(
      services: Services,
      org: Actor,
      names: { code: string; period: string; markers: boolean },
    ): Promise<World> {
      const values: Record<string, string> = {};
      const m = names.markers;
      const person = await insertPerson(services, org, { name: m ? OTHER.person : 'Walk Person' });
      const partner = await services.organisations.createPartner(org, {
        name: m ? OTHER.partner : 'Walk Partner',
        kind: 'other',
      });
      const plan = await services.plans.createPlan(org, {
        title: m ? OTHER.plan : 'Walk plan',
        firstYear: 2008,
        lastYear: 2031,
      });
      const theme = await services.plans.createTheme(org, plan.id, { title: m ? OTHER.theme : 'Walk theme' });
      await services.periods.ensure(org, names.period);
      const priority = await insertPriority(services, org, {
        themeId: theme.id,
        code: names.code,
        title: m ? OTHER.title : 'Walk priority',
        accountableOfficerId: person.id,
        accountableDirectorId: person.id,
      });
      await services.reports.create(org, priority.code, { period: names.period });
      await services.reports.updateSections(org, priority.code, names.period, {
        summary: m ? OTHER.summary : 'Walk summary',
        status: 'green',
      });
      for (const n of [1, 2])
        await services.reports.addAction(org, priority.code, names.period, {
          description: `Action ${n}`,
          milestones: [{ description: `Milestone ${n}`, timescale: 'Mar 2010' }],
        });
      const bundle = await services.reports.getBundle(org, priority.code, names.period);
      const risk = await services.risks.create(org, {
        priority: priority.code,
        description: m ? OTHER.risk : 'Walk risk',
        likelihood: '2',
        impact: '2',
      });
      const indicator = await services.indicators.create(org, {
        code: m ? OTHER.indicator : 'WALK-IND',
        title: m ? OTHER.indicatorTitle : 'Walk indicator',
        unitKind: 'number',
        polarity: 'higher',
        frequency: 'quarterly',
        priorityIds: [priority.id],
      });
      const job = await services.boardPack.requestFiles(org, names.period);
      const file = await services.jobs.queue.storeFile(job, {
        name: 'walk.pdf',
        contentType: 'application/pdf',
        bytes: Buffer.from('%PDF-1.4'),
      });
      const user = await services.accounts.createUser(org, {
        email: `walk.${names.code.toLowerCase()}@test.example`,
        name: 'Walk User',
        roles: ['viewer'],
        active: true,
      });
      const exercise =
        (await services.diagnostics.listExercises(org))[0]?.id ?? (await services.diagnostics.seedDemo(org));
      await services.efficiency.seedDemo(org, exercise, priority.code);
      const benchmarks = await services.efficiency.benchmarks(org, exercise);
      const opportunities = await services.efficiency.opportunities(org, exercise);
      const cases = await services.efficiency.cases(org, exercise);
      const savings = await services.efficiency.savings(org, exercise);
      const gainShare = await services.efficiency.gainShare(org, exercise);
      const programme = await services.efficiency.plan(org, exercise);
      const posts = await services.diagnostics.listPosts(org, exercise);
      // Issue 12: a taxonomy version of the organisation's own, for the API's taxonomy route (the
      // shipped one is everyone's, so it cannot show the wall).
      const taxonomy = await services.diagnostics.extendTaxonomy(org, {
        basedOnId: DEFAULT_TAXONOMY_ID,
        name: m ? 'Wallbrook taxonomy' : 'Walk taxonomy',
        functions: [{ code: 'WLK', name: 'Walk function' }],
      });
      // Issue 12: a big diagnostic upload waiting for its job, for its progress page.
      const uploadJob = await services.jobs.enqueue(
        org,
        'diagnostic-upload',
        { exerciseId: exercise, filename: 'walk.xlsx', bytes: 0, sheet: undefined, version: 1 },
        'diagnostic.edit',
      );

      // Sharing (issue 11), both ways with a partner organisation of this world's own: this
      // organisation shares its priority with the partner, and the partner shares one with it,
      // naming it on a key action so that its people may record the milestone's progress.
      const hubOrg = await services.organisations.createHome('walk', {
        name: m ? 'Walk hub of the other' : 'Walk hub',
        kind: 'public_body',
      });
      const hub = systemActor(hubOrg.id, 'walk');
      const self = await services.organisations.getOwn(org);
      const terms = {
        title: 'Walk agreement',
        purpose: 'Walk',
        dataShared: 'Walk',
        legalBasis: 'Walk',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Walk',
      };
      const sharingAgreement = await services.sharing.createAgreement(org, { ...terms, partner: hubOrg.slug });
      const periodId = (await services.periods.list(org)).find((p) => p.key === names.period)!.id;
      const ownShare = await services.sharing.createShare(org, sharingAgreement, {
        priorityId: priority.id,
        level: 'read',
        periodIds: [periodId],
      });
      await services.periods.ensure(hub, names.period);
      const hubPriority = await insertPriority(services, hub, { code: `${names.code}-HUB` });
      await services.reports.create(hub, hubPriority.code, { period: names.period });
      const named = await services.organisations.createPartner(hub, { name: self.name, kind: 'council' });
      await services.reports.addAction(hub, hubPriority.code, names.period, {
        description: 'Shared action',
        contributors: [`partner:${named.id}`],
        milestones: [{ description: 'Shared milestone', timescale: 'Mar 2010' }],
      });
      const hubBundle = await services.reports.getBundle(hub, hubPriority.code, names.period);
      const intoUs = await services.sharing.createAgreement(hub, {
        ...terms,
        partner: self.slug,
        partnerRecordId: named.id,
      });
      // An indicator of the hub's whose values this organisation supplies (half-yearly: the shared period itself).
      const hubIndicator = await services.indicators.create(hub, {
        code: `${names.code}-HUB-PI`,
        title: 'Walk supplied indicator',
        unitKind: 'number',
        decimalPlaces: '0',
        polarity: 'higher',
        frequency: 'half-yearly',
      });
      // Jointly owned, so that its people may also sign the hub's report off for their organisation.
      const sharedWithUs = await services.sharing.createShare(hub, intoUs, {
        priorityId: hubPriority.id,
        level: 'update',
        joint: 'yes',
        jointOfficer: 'Walk joint officer',
        periodIds: [hubBundle.period.id],
        indicatorIds: [hubIndicator.id],
        suppliedIndicatorIds: [hubIndicator.id],
      });
      // Clubs (issue 11): one this organisation hosts, and one of the hub's that it has joined and contributed to.
      const hostedClub = await services.clubs.createClub(org, { name: m ? 'Wallbrook club' : 'Walk club' });
      const memberClub = await services.clubs.createClub(hub, { name: 'Hub club' });
      await services.clubs.invite(hub, memberClub, { member: self.slug });
      await services.clubs.setMembership(org, memberClub, true, {});
      await services.clubs.contributeIllustrative(org, memberClub, [
        {
          metric: 'walk',
          label: 'Walk figure',
          unit: 'number',
          direction: 'lower-is-better',
          period: '2009/10',
          value: 1,
          embargoUntil: null,
        },
      ]);
      // Its diagnostic baseline too, by consent (ADR 0018): a consent row of its own for the walk to guard.
      await services.clubs.contributeBaseline(org, memberClub, { exerciseId: exercise, embargoUntil: '' });
      const figure = (await services.clubs.getClub(org, memberClub)).standings.find((s) => s.metric === 'walk')!.own!
        .id;
      Object.assign(values, {
        hub: hubOrg.id,
        slug: self.slug,
        hostedClub,
        memberClub,
        figure,
        sharingAgreement,
        ownShare,
        sharedWithUs,
        sharedMilestone: hubBundle.report.actions[0]!.milestones[0]!.id,
        sharedIndicator: hubIndicator.id,
        person: person.id,
        partner: partner.id,
        plan: plan.id,
        theme: theme.id,
        code: priority.code,
        period: names.period,
        risk: risk.id,
        indicator: indicator.code,
        job: job.id,
        file: file.id,
        user: user.id,
        [`milestone:${priority.code}:${names.period}:1`]: bundle.report.actions[0]!.milestones[0]!.id,
        [`milestone:${priority.code}:${names.period}:2`]: bundle.report.actions[1]!.milestones[0]!.id,
        exercise,
        benchmark: benchmarks.sets[0]!.set.id,
        opportunity: opportunities.opportunities[0]!.id,
        case: cases.cases[0]!.id,
        // Issue 12: an option and a line of that case, for their edit and delete pages.
        caseOption: cases.cases[0]!.options[0]!.id,
        caseLine: cases.cases[0]!.options.flatMap((o) => o.lines)[0]!.id,
        saving: savings.entries[0]!.id,
        agreement: gainShare.agreements[0]!.agreement.id,
        project: programme.projects[0]!.id,
        planMilestone: programme.projects.flatMap((p) => p.milestones)[0]!.id,
        post: posts.posts[0]!.id,
        uploadJob: uploadJob.id,
        taxonomy,
      });
      return { org, values, tokenIds: new Map() };
    }

    /**
     * The owner shares a priority with the partner under an active agreement, as the hub shares one
     * with each world (update level, jointly owned, an indicator the partner supplies, key action 1
     * naming it, action 2 not): the owner's values with the shared things in place of the unshared
     * ones. The theme, plan and accountable person are the owner's usual ones, so the partner's row-
     * level security lets them through too, and the walk shows no other route serves them.
     */
    async function sharesWith(services: Services, owner: World, partner: World): Promise<World> {
      const org = owner.org;
      const v = owner.values;
      const us = await services.organisations.getOwn(partner.org);
      const named = await services.organisations.createPartner(org, { name: us.name, kind: 'council' });
      const priority = await insertPriority(services, org, {
        themeId: v.theme,
        code: SHARED.code,
        title: SHARED.title,
        accountableOfficerId: v.person,
        accountableDirectorId: v.person,
      });
      await services.reports.create(org, priority.code, { period: v.period! });
      await services.reports.updateSections(org, priority.code, v.period!, {
        summary: SHARED.summary,
        status: 'green',
      });
      for (const n of [1, 2])
        await services.reports.addAction(org, priority.code, v.period!, {
          description: `${SHARED.action} ${n}`,
          ...(n === 1 ? { contributors: [`partner:${named.id}`] } : {}),
          milestones: [{ description: `Shared milestone ${n}`, timescale: 'Mar 2032' }],
        });
      const bundle = await services.reports.getBundle(org, priority.code, v.period!);
      const indicator = await services.indicators.create(org, {
        code: SHARED.indicator,
        title: SHARED.indicatorTitle,
        unitKind: 'number',
        decimalPlaces: '0',
        polarity: 'higher',
        frequency: 'half-yearly',
        priorityIds: [priority.id],
      });
      const risk = await services.risks.create(org, {
        priority: priority.code,
        description: SHARED.risk,
        likelihood: '2',
        impact: '2',
      });
      const agreement = await services.sharing.createAgreement(org, {
        title: 'Walk agreement with the partner',
        purpose: 'Walk',
        dataShared: 'Walk',
        legalBasis: 'Walk',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Walk',
        partner: partner.values.slug!,
        partnerRecordId: named.id,
      });
      const share = await services.sharing.createShare(org, agreement, {
        priorityId: priority.id,
        level: 'update',
        joint: 'yes',
        jointOfficer: 'Walk joint officer of the partner',
        periodIds: [bundle.period.id],
        indicatorIds: [indicator.id],
        suppliedIndicatorIds: [indicator.id],
      });
      const milestones = bundle.report.actions.map((a) => a.milestones[0]!.id);
      return {
        org,
        tokenIds: owner.tokenIds,
        values: {
          ...v,
          code: priority.code,
          [`milestone:${priority.code}:${v.period}:1`]: milestones[0]!,
          [`milestone:${priority.code}:${v.period}:2`]: milestones[1]!,
          indicator: indicator.code,
          risk: risk.id,
          // The partner record of A that the shared action names (A's row-level security shows it).
          partner: named.id,
          sharingAgreement: agreement,
          ownShare: share,
          sharedWithUs: share,
          sharedMilestone: milestones[0]!,
          sharedIndicator: indicator.id,
        },
      };
    }

    before(async () => {
      // Without the demo: the walk builds every target it names itself, and the demo's content
      // only made each page it lets through heavier to render (the board pack above all), not the
      // permission decisions any different. The first organisation made becomes the home one.
      t = await buildTestApp(engine, { as: false, demo: false });
      const home = await t.services.organisations.createHome('walk', { name: 'Walk Council', kind: 'council' });
      const org = systemActor(home.id, 'walk');
      A = await world(t.services, org, { code: 'WALK-OWN', period: '2009-10-h2', markers: false });
      // The scopes' targets, in A: a priority the linked people are accountable for (WALK-OWN) and
      // one they are not (WALK-OTHER); on WALK-OWN's draft report, action 1 names the contributor
      // and action 2 does not; 2009-10-h1 is published, 2009-10-h2 a draft.
      const officer = await insertPerson(t.services, org, { name: 'Walk Officer' });
      const director = await insertPerson(t.services, org, { name: 'Walk Director' });
      const contributor = await insertPerson(t.services, org, { name: 'Walk Contributor' });
      Object.assign(linked, {
        accountable_officer: officer.id,
        accountable_director: director.id,
        contributor: contributor.id,
      });
      const someoneElse = (await insertPerson(t.services, org, { name: 'Someone Else' })).id;
      const own = await t.services.plans.getPriority(org, 'WALK-OWN');
      await t.services.plans.updatePriority(org, own.code, {
        themeId: own.themeId,
        code: own.code,
        title: own.title,
        accountableOfficerId: officer.id,
        accountableDirectorId: director.id,
      });
      await insertPriority(t.services, org, {
        themeId: own.themeId,
        code: 'WALK-OTHER',
        accountableOfficerId: someoneElse,
        accountableDirectorId: someoneElse,
      });
      for (const [code, period] of [
        ['WALK-OWN', '2008-09-h2'],
        ['WALK-OWN', '2009-10-h1'],
        ['WALK-OTHER', '2009-10-h2'],
      ] as const) {
        await t.services.periods.ensure(org, period);
        await t.services.reports.create(org, code, { period });
        await t.services.reports.updateSections(org, code, period, { summary: `${code} ${period}`, status: 'green' });
        for (const n of [1, 2])
          await t.services.reports.addAction(org, code, period, {
            description: `Action ${n}`,
            milestones: [{ description: `Milestone ${n}`, timescale: 'Mar 2010' }],
          });
      }
      // Published: WALK-OWN's two earlier reports (paper sign-offs, entered by the system).
      for (const period of ['2008-09-h2', '2009-10-h1']) {
        for (const role of ['accountable_officer', 'accountable_director'] as const)
          await t.services.reports.recordHistoricalSignOff(org, 'WALK-OWN', period, {
            role,
            personId: role === 'accountable_officer' ? officer.id : director.id,
            signedOn: '1 October 2009',
          });
      }
      const ownDraft = await t.services.reports.getBundle(org, 'WALK-OWN', '2009-10-h2');
      const action1 = ownDraft.report.actions[0]!;
      await t.services.reports.updateAction(org, 'WALK-OWN', '2009-10-h2', 1, {
        description: action1.description,
        contributors: [`person:${contributor.id}`],
        milestones: action1.milestones.map((m) => ({ id: m.id, description: m.description, timescale: 'Mar 2010' })),
      });
      const otherRisk = await t.services.risks.create(org, {
        priority: 'WALK-OTHER',
        description: 'Not yours',
        likelihood: '1',
        impact: '1',
      });
      A.values.otherRisk = otherRisk.id;
      A.values.otherMilestone = ownDraft.report.actions[1]!.milestones[0]!.id;
      A.values.publishedPeriod = '2009-10-h1';
      // Public routes' one-time links: real ones, from the e-mails they were sent in.
      await t.services.accounts.invite(
        org,
        { email: 'walk.invited@test.example', name: 'Walk Invited', roles: ['viewer'] },
        'walk',
      );
      const resetFor = await t.services.accounts.createUser(org, {
        email: 'walk.reset@test.example',
        name: 'Walk Reset',
        roles: ['viewer'],
        password: 'a long enough password',
      });
      await t.services.accounts.requestPasswordReset(
        (await t.services.organisations.publicActor())!.actor,
        { email: resetFor.email },
        { ip: '127.0.0.1', userAgent: 'walk' },
      );
      const mails = await sql<{
        text: string;
      }>`select input->>'text' as text from job where kind = 'mail.send'`.execute(t.db);
      const link = (pattern: RegExp) => mails.rows.map((r) => pattern.exec(r.text)?.[1]).find(Boolean)!;
      A.values.invitation = link(/\/invitations\/([\w-]+)/);
      A.values.reset = link(/\/password\/reset\/([\w-]+)/);

      // B: another organisation in the same deployment, with one of everything too.
      const other = await t.services.organisations.createHome('walk', { name: OTHER.organisation, kind: 'council' });
      slugOfB = other.slug!;
      B = await world(t.services, systemActor(other.id, 'walk'), {
        code: OTHER.code,
        period: OTHER.period,
        markers: true,
      });
      BS = await sharesWith(t.services, B, A);
      documented = (await t.app.inject({ url: '/api/openapi.json' })).json<{ paths: Documented }>().paths;
    });
    after(async () => t?.close());

    /**
     * A route's URL with a world's values. For a case probing a scope, `out` moves the one thing the
     * scope is about: another priority ("own"), another key action ("named"), a draft instead of the
     * published report ("published").
     */
    async function concrete(
      route: RegisteredRoute,
      w: World,
      c: Pick<Case, 'scope' | 'target'>,
      session?: TestSession,
    ) {
      const v = w.values;
      const u = route.url;
      const out = c.target === 'out';
      const freshFor = async (kind: 'person' | 'partner' | 'theme' | 'period' | 'club' | 'figure'): Promise<string> => {
        const n = ++fresh;
        if (kind === 'club' || kind === 'figure') {
          // A club of the world's hub that the world's organisation has joined (and, for a figure, contributed to).
          const hub = systemActor(v.hub!, 'walk');
          const club = await t.services.clubs.createClub(hub, { name: `Fresh club ${n}` });
          await t.services.clubs.invite(hub, club, { member: v.slug! });
          await t.services.clubs.setMembership(w.org, club, true, {});
          if (kind === 'club') return club;
          await t.services.clubs.contributeIllustrative(w.org, club, [
            {
              metric: `walk:${n}`,
              label: 'Walk figure',
              unit: 'number',
              direction: 'lower-is-better',
              period: '2009/10',
              value: n,
              embargoUntil: null,
            },
          ]);
          return (await t.services.clubs.getClub(w.org, club)).standings[0]!.own!.id;
        }
        if (kind === 'person') return (await insertPerson(t.services, w.org, { name: `Fresh person ${n}` })).id;
        if (kind === 'partner')
          return (await t.services.organisations.createPartner(w.org, { name: `Fresh partner ${n}`, kind: 'other' }))
            .id;
        if (kind === 'theme')
          return (await t.services.plans.createTheme(w.org, v.plan!, { title: `Fresh theme ${n}` })).id;
        const year = 2040 + n;
        const key = `${year}-${String((year + 1) % 100).padStart(2, '0')}-q1`;
        await t.services.periods.ensure(w.org, key);
        return key;
      };
      const deletes = isDelete(route) && w === A;
      const code = c.scope === 'own' && out && w === A ? 'WALK-OTHER' : v.code!;
      const period = c.scope === 'published' && !out && v.publishedPeriod ? v.publishedPeriod : v.period!;
      const n = c.scope === 'named' && out ? '2' : '1';
      const idOf = async (): Promise<string | undefined> => {
        if (/^\/(api\/)?people/.test(u)) return deletes ? freshFor('person') : v.person;
        if (/^\/(api\/)?organisations/.test(u)) return deletes ? freshFor('partner') : v.partner;
        if (/^\/(api\/)?plans/.test(u)) return v.plan;
        if (/^\/(api\/)?themes/.test(u)) return deletes ? freshFor('theme') : v.theme;
        if (/\/risks\/:id/.test(u)) return c.scope === 'own' && out ? v.otherRisk : v.risk;
        if (u.startsWith('/users')) return v.user;
        if (u.startsWith('/jobs')) return v.job;
        if (u.startsWith('/files')) return v.file;
        if (/^\/(api\/)?shared-with-us/.test(u) && u.includes('/milestones/')) return v.sharedMilestone;
        if (/^\/(api\/)?shared-with-us/.test(u) && u.includes('/indicators/')) return v.sharedIndicator;
        if (u.includes('/milestones/:id')) return v[`milestone:${code}:${period}:${n}`];
        if (/^\/(api\/)?diagnostic/.test(u)) return v.exercise;
        if (/^\/(api\/)?sharing\/agreements/.test(u)) return v.sharingAgreement;
        if (/^\/(api\/)?clubs\/:id\/leave/.test(u)) return deletes ? freshFor('club') : v.memberClub;
        if (/^\/(api\/)?clubs\/:id\/members$/.test(u)) return v.hostedClub;
        if (u.startsWith('/clubs/:id') || u.startsWith('/api/clubs/:id')) return v.memberClub;
        // A personal token is the person's, in their own organisation: another organisation has none to cross with.
        if (u.startsWith('/account/tokens')) return session && w === A ? A.tokenIds.get(session.userId) : undefined;
        return undefined;
      };
      const itemOf = (): string | undefined => {
        if (u.includes('/plan/projects/')) return v.project;
        if (u.includes('/plan/milestones/')) return v.planMilestone;
        if (u.includes('/benchmarks/')) return v.benchmark;
        if (u.includes('/opportunities/')) return v.opportunity;
        if (u.includes('/cases/')) return v.case;
        if (u.includes('/savings/')) return v.saving;
        if (u.includes('/gain-share/')) return v.agreement;
        return undefined;
      };
      const unknown: string[] = [];
      let url = u;
      for (const p of params(u)) {
        let value: string | undefined;
        switch (p) {
          case 'code':
            value = u.includes('/baseline/processes/')
              ? 'FIN-AP'
              : u.startsWith('/diagnostic')
                ? 'FIN'
                : /^\/(api\/)?indicators/.test(u)
                  ? v.indicator
                  : code;
            break;
          case 'period':
            value = period;
            break;
          case 'key':
            value = deletes ? await freshFor('period') : v.period;
            break;
          case 'n':
            value = n;
            break;
          case 'format':
            value = 'json';
            break;
          case 'table':
            value = 'functions';
            break;
          case 'token':
            value = u.includes('invitation') ? v.invitation : v.reset;
            break;
          case 'planId':
            value = v.plan;
            break;
          case 'itemId':
            value = itemOf();
            break;
          case 'postId':
            value = v.post;
            break;
          case 'jobId':
            value = v.uploadJob;
            break;
          case 'taxonomyId':
            value = v.taxonomy;
            break;
          case 'subId':
            value = u.includes('/lines/') ? v.caseLine : v.caseOption;
            break;
          case 'figureId':
            value = deletes ? await freshFor('figure') : v.figure;
            break;
          case 'shareId':
            value = /^\/(api\/)?sharing\/shares/.test(u) ? v.ownShare : v.sharedWithUs;
            break;
          case 'id':
            value = await idOf();
            break;
        }
        if (value === undefined) unknown.push(p);
        else url = url.replace(`:${p}`, encodeURIComponent(value));
      }
      if (unknown.length > 0) return unknown;
      // What changed between two revisions names them in the query.
      return /\/changes$/.test(u) ? `${url}?from=1&to=1` : url;
    }

    /** What an API write sends: every field its document requires, empty, and a version nobody has. */
    type Documented = Record<
      string,
      Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>
    >;
    let documented: Documented = {};
    function apiBody(route: RegisteredRoute): Record<string, unknown> {
      const op = documented[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      const required = op?.requestBody?.content['application/json']?.schema.required ?? [];
      return Object.fromEntries(required.map((f) => [f, f === 'version' ? 999999 : '']));
    }

    const PUBLIC_CSRF = 'walkwalkwalkwalkwalkwalkwalkwalkwalkwalkwal';
    async function request(route: RegisteredRoute, url: string, who: Who, session: TestSession | undefined) {
      const headers: Record<string, string> = {};
      if (who !== 'public') Object.assign(headers, session!.headers);
      // Before sign-in, forms carry the double-submit token, so the walk reaches the permission.
      else Object.assign(headers, { cookie: `amber_csrf=${PUBLIC_CSRF}`, 'x-csrf-token': PUBLIC_CSRF });
      const isApi = url.startsWith('/api');
      const write = route.method !== 'GET';
      if (write) headers['content-type'] = isApi ? 'application/json' : 'application/x-www-form-urlencoded';
      // A form carries a version nobody has, so a change an allowed role may make is refused as stale
      // (409) rather than made; an API write carries what its document requires, so the service's
      // own checks are reached. What a role may not do is refused before either is looked at.
      const payload = !write ? undefined : isApi ? JSON.stringify(apiBody(route)) : 'version=999999';
      const res = await t.app.inject({
        method: route.method as 'GET',
        url,
        headers,
        ...(payload !== undefined ? { payload } : {}),
      });
      if (write) for (const role of ROLES) mayHaveEnded.add(role);
      if (res.statusCode === 200 && DOCUMENT.test(String(res.headers['content-type'])))
        documents.set(key(route), route.drawsOutsideUnits);
      return res;
    }
    /** The routes that answered the walk with a document (PDF, Word, a workbook), and whether each draws it outside a unit of work. */
    const documents = new Map<string, boolean>();
    const DOCUMENT =
      /^application\/(pdf|vnd\.openxmlformats-officedocument\.(wordprocessingml\.document|spreadsheetml\.sheet))\b/;

    const routes = () => [...t.app.routeTable].filter((r) => !r.infrastructure).sort((a, b) => order(a) - order(b));

    it('classifies every route for every role: a value for each parameter, a target for each scope', async () => {
      const problems: string[] = [];
      for (const route of routes()) {
        for (const who of WHO) {
          const cases = casesOf(route, who);
          if (typeof cases === 'string') problems.push(cases);
        }
        const filled = await concrete(route, A, { target: 'in' }, await sessionFor('administrator'));
        if (Array.isArray(filled))
          problems.push(`${key(route)}: no value for ${filled.map((p) => `:${p}`).join(', ')}`);
      }
      assert.deepEqual(problems, []);
    });

    it('refuses every role the table denies, and lets through every role it allows, in scope and out of it, on every route', async () => {
      const problems: string[] = [];
      let requests = 0;
      for (const route of routes()) {
        // Denied first: their requests must change nothing, so the allowed ones see the same state.
        const plan = WHO.flatMap((who) => {
          const cases = casesOf(route, who);
          return typeof cases === 'string' ? [] : cases.map((c) => ({ who, ...c }));
        }).sort((a, b) => (a.expect === 'deny' ? -1 : 0) - (b.expect === 'deny' ? -1 : 0));
        for (const c of plan) {
          const session = c.who === 'public' ? undefined : await sessionFor(c.who);
          const filled = await concrete(route, A, c, session);
          if (Array.isArray(filled)) continue; // reported by the first test
          const url = filled;
          const res = await request(route, url, c.who, session);
          requests++;
          const signIn =
            res.statusCode === 401 || (res.statusCode === 302 && String(res.headers.location).startsWith('/sign-in'));
          const got =
            res.statusCode === 403 ? 'deny' : signIn ? 'sign-in' : res.statusCode === 404 ? 'not found' : 'allow';
          const want = c.expect === 'deny' ? (c.who === 'public' ? 'sign-in' : 'deny') : 'allow';
          if (got !== want)
            problems.push(
              `${key(route)} as ${c.who} (${c.target} of scope, ${url}): the table says ${want}, got ${res.statusCode} ${res.body.slice(0, 160).replace(/\s+/g, ' ')}`,
            );
          for (const marker of markersFor(url))
            if (res.body.includes(marker))
              problems.push(`${key(route)} as ${c.who}: shows "${marker}" of another organisation`);
        }
      }
      assert.deepEqual(problems, []);
      assert.ok(requests > 1000, `the walk made ${requests} requests`);
    });

    /**
     * Whether the access layer refuses the role on this route before its handler reads anything: it
     * holds the route's declared permission in no scope (403), or it is the public on a route that
     * needs a signed-in person (sign-in). The answer is the same whatever the id, so it tells
     * nothing, and the first walk asserts it on every route with the first organisation's ids; the
     * walk with the other's ids leaves these out (they were half its requests).
     */
    const refusedBeforeReading = (route: RegisteredRoute, who: Who) =>
      who === 'public' ? !route.permissions.some(isPublicPermission) : scopesOf(who, route.permissions).length === 0;

    /**
     * What a role of the first organisation gets on a route named with an id of the other that the
     * route does not open to it, when the access layer lets it reach the handler. A role that holds
     * the permission gets 404, as for an id that does not exist: 403 would tell it the id is real
     * (this walk used to let 401, 403 and 404 all pass). A role whose scope reaches no target on
     * this route (an accountable officer editing a plan: `WITHOUT_TARGET`) is refused on its own
     * organisation's ids, by some routes before they read the thing and by others after (deleting
     * a theme reads it first, to show it on the form): the other organisation's id must get what
     * an id that does not exist gets, whichever that is.
     */
    function acrossOrganisations(route: RegisteredRoute, who: Who): 'not found' | 'as for none' {
      if (who === 'public') return 'not found';
      const cases = casesOf(route, who);
      const refusedWhatever =
        typeof cases !== 'string' &&
        cases.every((c) => c.expect === 'deny' && c.scope !== undefined && !targetKind(route.url, c.scope));
      return refusedWhatever ? 'as for none' : 'not found';
    }
    /** On a route a share opens, with the shared ids: what the table says, as with the first organisation's own shares. */
    function openedByShare(route: RegisteredRoute, who: Who): 'deny' | 'allow' {
      const cases = casesOf(route, who);
      assert.ok(typeof cases !== 'string' && cases.every((c) => c.scope === undefined || c.scope === 'all'));
      return cases[0]!.expect;
    }
    const outcome = (res: { statusCode: number; headers: Record<string, unknown> }) =>
      res.statusCode === 403
        ? 'deny'
        : res.statusCode === 401 || (res.statusCode === 302 && String(res.headers.location).startsWith('/sign-in'))
          ? 'sign-in'
          : res.statusCode === 404
            ? 'not found'
            : 'allow';

    /** Ids that exist nowhere, for every parameter: what a route answers when it cannot find its target. */
    const NOWHERE = '00000000-0000-4000-8000-000000000000';
    const nowhere = (): World => ({
      org: B.org,
      values: new Proxy({}, { get: () => NOWHERE }),
      tokenIds: new Map(),
    });

    it("answers 404 with another organisation's ids, shared with this one or not, except where the share opens a route, and changes none of its rows", async (ctx) => {
      const fingerprint = () => organisationFingerprint(t.db, B.org.organisationId);
      const before = await fingerprint();
      let now = before;
      const problems: string[] = [];
      const made = { shared: 0, unshared: 0, either: 0, opened: 0, routes: 0 };
      for (const route of routes()) {
        if (params(route.url).length === 0) continue;
        // A one-time link is its own authority (it names one account, whatever the organisation).
        if (route.url.includes(':token')) continue;
        made.routes++;
        for (const who of WHO) {
          if (refusedBeforeReading(route, who)) continue;
          const session = who === 'public' ? undefined : await sessionFor(who);
          // The other organisation's ids as shared with this one (its shared priority, report, key
          // actions, indicator, the share and its agreement: row-level security lets them through),
          // and those it shares with nobody. A route naming nothing shareable has one URL for both.
          const shared = await concrete(route, BS, { target: 'in' }, session);
          const unshared = await concrete(route, B, { target: 'in' }, session);
          if (Array.isArray(shared) || Array.isArray(unshared)) {
            if (route.url.startsWith('/account/tokens')) continue;
            problems.push(
              `${key(route)}: no value of the other organisation for ${[shared, unshared].flat().join(', ')}`,
            );
            continue;
          }
          const urls: [string, 'shared' | 'unshared' | 'either'][] =
            shared === unshared
              ? [[unshared, 'either']]
              : [
                  [shared, 'shared'],
                  [unshared, 'unshared'],
                ];
          for (const [url, kind] of urls) {
            const opened = kind === 'shared' && isOpenedByShare(route.url);
            let want: string = opened ? openedByShare(route, who) : acrossOrganisations(route, who);
            if (want === 'as for none') {
              const none = await concrete(route, nowhere(), { target: 'in' }, session);
              want = Array.isArray(none) ? 'not found' : outcome(await request(route, none, who, session));
              if (want !== 'deny' && want !== 'not found')
                problems.push(`${key(route)} as ${who} with an id that exists nowhere: ${want}`);
            }
            const res = await request(route, url, who, session);
            made[kind]++;
            if (opened) made.opened++;
            const got = outcome(res);
            if (got !== want)
              problems.push(
                `${key(route)} as ${who} with the other organisation's ${kind} ids (${url}): want ${want}, got ${res.statusCode} ${res.body.slice(0, 160).replace(/\s+/g, ' ')}`,
              );
            for (const marker of opened ? UNSHARED_MARKERS : MARKERS)
              if (res.body.includes(marker))
                problems.push(`${key(route)} as ${who} (${url}): shows "${marker}" of another organisation`);
          }
        }
        // Only a write may change rows, so the other organisation's are compared after each route
        // that writes (naming the route that changed them), and once more at the end for the rest.
        if (route.method !== 'GET') {
          const after = await fingerprint();
          const changed = Object.keys(after).filter((table) => after[table] !== now[table]);
          if (changed.length > 0) problems.push(`${key(route)} changed the other organisation's ${changed.join(', ')}`);
          now = after;
        }
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(await fingerprint(), before, "the other organisation's rows are as they were");
      ctx.diagnostic(
        `${made.routes} routes naming ids, for the public and each role the access layer lets through: ${made.shared} requests with ids the other organisation shares with this one (${made.opened} on routes the share opens), ${made.unshared} with ids it shares with no one, ${made.either} where the route names the same ids either way (plans, themes, people, clubs, diagnostics…)`,
      );
      assert.ok(
        made.unshared + made.either > 400,
        `the walk made ${made.unshared + made.either} requests with unshared ids`,
      );
      assert.ok(made.shared > 100, `the walk made ${made.shared} requests with shared ids`);
      assert.ok(made.opened > 20, `the walk made ${made.opened} requests on routes the share opens`);
    });

    it("answers 404 to every role of this organisation for every route under the other organisation's address, and changes nothing there", async () => {
      // Issue 11: an organisation's pages are /o/SLUG/…; belonging to one organisation gives nothing
      // under another's address, whatever the route (its own pages and the deployment-wide ones alike).
      const other = await t.services.organisations.findBySlug(systemActor(B.org.organisationId, 'walk'), slugOfB);
      assert.ok(other, 'the other organisation has a web address');
      const before = await organisationFingerprint(t.db, B.org.organisationId);
      const problems: string[] = [];
      let requests = 0;
      for (const route of routes()) {
        // A one-time link is its own authority (it names one account, whatever the organisation).
        if (route.url.includes(':token')) continue;
        for (const who of ROLES) {
          const session = await sessionFor(who);
          const filled = await concrete(route, B, { target: 'in' }, session);
          if (Array.isArray(filled)) continue;
          const res = await request(route, `/o/${slugOfB}${filled}`, who, session);
          requests++;
          if (res.statusCode !== 404)
            problems.push(
              `${key(route)} as ${who} under /o/${slugOfB}: ${res.statusCode} ${res.body.slice(0, 160).replace(/\s+/g, ' ')}`,
            );
          for (const marker of MARKERS)
            if (res.body.includes(marker))
              problems.push(`${key(route)} as ${who}: shows "${marker}" of another organisation`);
        }
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(
        await organisationFingerprint(t.db, B.org.organisationId),
        before,
        "the other organisation's rows are as they were",
      );
      assert.ok(requests > 1000, `the walk made ${requests} requests under the other organisation's address`);
    });

    it('draws every document it answered with after its reads have ended, in no unit of work', () => {
      // A document drawn inside the request's transaction held PGlite's one connection, and so
      // every other request, for as long as the drawing took: seconds for a board pack.
      // A job's stored file is sent as it was stored: read, not drawn.
      const drawn = [...documents].filter(([route]) => route !== 'GET /files/:id');
      // The walk asks a report's download for JSON (which it can search for another organisation's
      // names); as PDF and Word the same route draws.
      for (const route of t.app.routeTable.filter((r) => r.url.includes(':format')))
        drawn.push([key(route), route.drawsOutsideUnits]);
      assert.ok(drawn.length >= 12, `the walk met ${drawn.map(([route]) => route).join(', ')}`);
      assert.deepEqual(
        drawn.filter(([, drawnOutside]) => !drawnOutside).map(([route]) => route),
        [],
        'routes answering with a document drawn inside a unit of work (declare rendersDocument)',
      );
    });

    it('publishes the table in docs/permissions.md as generated from the code', () => {
      const doc = permissionsDoc(t.app.routeTable);
      assert.equal(
        readFileSync(new URL('../docs/permissions.md', import.meta.url), 'utf8'),
        doc,
        'regenerate it: node bin/permissions-doc.ts',
      );
    });

    it('lists every permission on at least one route, or on what a route serves (a job and its files)', () => {
      const used = new Set([...t.app.routeTable.flatMap((r) => r.permissions), ...Object.values(EFFECTIVE).flat()]);
      assert.deepEqual(
        Object.keys(PERMISSIONS).filter((p) => !used.has(p as Permission)),
        [],
      );
    });

    it('cannot register a route that declares no permission', () => {
      const app = Fastify({ logger: false });
      registerAccess(app, {
        units: t.units,
        production: false,
        resolveSession: async () => undefined,
        resolveToken: async () => {
          throw new Error('no tokens here');
        },
        publicActor: async () => undefined,
        identityIn: async () => undefined,
        securityNote: async () => undefined,
      });
      assert.throws(() => app.get('/walk/undeclared', async () => 'nothing'), /declares no permission/);
      assert.doesNotThrow(() => app.get('/walk/declared', { config: { permission: 'report.read' } }, async () => 'x'));
    });
  });
