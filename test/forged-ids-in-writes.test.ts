// Another organisation's ids in the fields of a write are refused (issue 11: "forged organisation
// ids in forms, API bodies, imports and URLs → refused"). The URLs are walked by the permissions
// walk and an `organisationId` in a body by the unknown-fields walk; this walks the fields that
// name a record: a priority's theme and accountable people, a person's employer, an action's
// contributors, an indicator's owner and priorities, a share's periods and indicators, a report's
// cited risks, an exercise's taxonomy, a business case's opportunity, and every other one.
//
// Generated from the OpenAPI document: every JSON write whose body has a field that refers to a
// record (a name ending in Id or Ids, a uuid anywhere in its schema, or a list of ids the document
// cannot type: KIND below names them) is sent with a body the home organisation (A, the demo's
// Leeds) could send, its own records' ids in place, then once per reference field with the id of
// the other organisation's (B's) record of that kind instead. Each must be refused — 422 naming
// that field, or 404 — and neither organisation changes. A reference field of a kind the walk
// does not know fails the test, so a new one must be considered. A 404 counts only when it is the
// named record's (CLUB_NOT_FOUND for a clubId), never the URL's. On both engines.
//
// The same through the pages: every page the routes give (A's records in the URL) is read for its
// POST forms, and each field holding one of A's records (a select's options, a box, a hidden id,
// its kind found by the table that holds it) is sent with B's record of that kind instead, the
// form's empty fields filled so that only that field is wrong: the form again naming the field, or
// a 404 about that record. A form that saved would show as a redirect, and in either organisation's rows.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp, type TestSession } from './helpers/app.ts';
import { organisationFingerprint } from './helpers/fingerprint.ts';
import { insertOrganisation, insertPerson, insertPriority } from './builders/index.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import type { Services } from '../src/composition.ts';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';
import { errorSummary, htmlText } from './helpers/html.ts';

type Json = Record<string, any>;
const WRITES = ['post', 'put', 'patch', 'delete'] as const;

/** The kinds of record a write may name; each organisation has one of each. */
type Kind =
  | 'theme'
  | 'person'
  | 'organisation'
  | 'priority'
  | 'period'
  | 'indicator'
  | 'risk'
  | 'action'
  | 'milestone'
  | 'status'
  | 'exercise'
  | 'taxonomy'
  | 'benchmark'
  | 'opportunity'
  | 'case'
  | 'option'
  | 'project'
  | 'club';
type Values = Record<Kind, string>;

/**
 * A reference field's kind, where its name does not say it (`themeId` is a theme, `priorityIds`
 * priorities; a nested `milestones.id` a milestone). Lists of ids the document types only as
 * strings are named here too, and so are lists of strings that are not ids, so that every list
 * of a write has been looked at.
 */
const KIND: Record<string, Kind | 'contributor' | null> = {
  accountableOfficer: 'person',
  accountableDirector: 'person',
  owner: 'person',
  employer: 'organisation',
  partnerRecord: 'organisation',
  suppliedIndicator: 'indicator',
  taxonomyVersion: 'taxonomy',
  basedOn: 'taxonomy',
  benchmarkSet: 'benchmark',
  dependsOn: 'project',
  risks: 'risk',
  statuses: 'status',
  milestones: 'milestone',
  contributors: 'contributor',
  // Lists of text, not of records: a report's lines, an exercise's function codes, a share's sections.
  achievements: null,
  challenges: null,
  scope: null,
  internalSections: null,
};
const KINDS = new Set<string>([
  'theme',
  'person',
  'organisation',
  'priority',
  'period',
  'indicator',
  'risk',
  'action',
  'milestone',
  'status',
  'exercise',
  'taxonomy',
  'benchmark',
  'opportunity',
  'case',
  'option',
  'project',
  'club',
]);

const isUuidSchema = (s: unknown) => /"format":"uuid"/.test(JSON.stringify(s ?? {}));
const isList = (s: Json) => s.type === 'array';
const isStringList = (s: Json) => isList(s) && s.items?.type === 'string';

/** A reference field of a body: its path (`themeId`, `milestones.id`) and the kind it names, or why not. */
interface Reference {
  field: string;
  kind: Kind | 'contributor';
  list: boolean;
  /** For a nested id: the list it is in. */
  within?: string;
}

/** The body's reference fields, and the reference-looking ones nothing says the kind of. */
function referencesOf(schema: Json): { refs: Reference[]; unknown: string[] } {
  const refs: Reference[] = [];
  const unknown: string[] = [];
  const kindOf = (name: string): Kind | 'contributor' | null | undefined => {
    if (name in KIND) return KIND[name];
    const stem = name.replace(/Ids?$/, '');
    if (stem in KIND) return KIND[stem];
    return KINDS.has(stem) ? (stem as Kind) : undefined;
  };
  for (const [name, s] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    if (isList(s) && s.items?.type === 'object') {
      // A list of records of the write's own aggregate: an `id` there names an existing one.
      for (const [inner, is] of Object.entries((s.items.properties ?? {}) as Record<string, Json>))
        if (isUuidSchema(is) || /Ids?$/.test(inner)) {
          const kind = kindOf(name) ?? kindOf(inner);
          if (kind) refs.push({ field: `${name}.${inner}`, kind, list: false, within: name });
          else unknown.push(`${name}.${inner}`);
        }
      continue;
    }
    const looks = /Ids?$/.test(name) || isUuidSchema(s) || isStringList(s);
    if (!looks) continue;
    const kind = kindOf(name);
    if (kind === null) continue;
    if (kind === undefined) unknown.push(name);
    else refs.push({ field: name, kind, list: isList(s) });
  }
  return { refs, unknown };
}

/** An organisation's records of every kind, built through the services as that organisation. */
async function otherOrganisation(services: Services): Promise<{ actor: Actor; values: Values }> {
  const org = await insertOrganisation(services, { name: 'Forgebury Borough Council' });
  const person = await insertPerson(services, org, { name: 'Forgebury Officer' });
  const partner = await services.organisations.createPartner(org, { name: 'Forgebury Partners Ltd', kind: 'other' });
  const plan = await services.plans.createPlan(org, { title: 'Forgebury plan', firstYear: 2008, lastYear: 2011 });
  const theme = await services.plans.createTheme(org, plan.id, { title: 'Forgebury theme' });
  const period = '2009-10-h1';
  await services.periods.ensure(org, period);
  const priority = await insertPriority(services, org, {
    themeId: theme.id,
    code: 'FORGE-1',
    accountableOfficerId: person.id,
    accountableDirectorId: person.id,
  });
  await services.reports.create(org, priority.code, { period });
  await services.reports.addAction(org, priority.code, period, {
    description: 'Forgebury action',
    contributors: [`person:${person.id}`],
    milestones: [{ description: 'Forgebury milestone', timescale: 'Mar 2010' }],
  });
  const bundle = await services.reports.getBundle(org, priority.code, period);
  const risk = await services.risks.create(org, {
    priority: priority.code,
    description: 'Forgebury risk',
    likelihood: '2',
    impact: '2',
  });
  const indicator = await services.indicators.create(org, {
    code: 'FORGE-PI',
    title: 'Forgebury indicator',
    unitKind: 'number',
    polarity: 'higher',
    frequency: 'half-yearly',
    priorityIds: [priority.id],
  });
  const exercise = await services.diagnostics.seedDemo(org);
  await services.efficiency.seedDemo(org, exercise, priority.code);
  const benchmarks = await services.efficiency.benchmarks(org, exercise);
  const cases = await services.efficiency.cases(org, exercise);
  const opportunities = await services.efficiency.opportunities(org, exercise);
  const programme = await services.efficiency.plan(org, exercise);
  const taxonomy = await services.diagnostics.extendTaxonomy(org, {
    basedOnId: DEFAULT_TAXONOMY_ID,
    name: 'Forgebury taxonomy',
    functions: [{ code: 'FRG', name: 'Forgebury function' }],
  });
  const club = await services.clubs.createClub(org, { name: 'Forgebury club' });
  const status = await statusOf(services, org);
  return {
    actor: org,
    values: {
      theme: theme.id,
      person: person.id,
      organisation: partner.id,
      priority: priority.id,
      period: bundle.period.id,
      indicator: indicator.id,
      risk: risk.id,
      action: bundle.report.actions[0]!.id,
      milestone: bundle.report.actions[0]!.milestones[0]!.id,
      status,
      exercise,
      taxonomy,
      benchmark: benchmarks.sets[0]!.set.id,
      opportunity: opportunities.opportunities[0]!.id,
      case: cases.cases[0]!.id,
      option: cases.cases[0]!.options[0]!.id,
      project: programme.projects[0]!.id,
      club,
    },
  };
}

/**
 * Values a write's plain fields take where A's record does not give them, by name (used where the
 * schema's type is the hint's). `target:` values are A's, looked up when the walk starts.
 */
const HINTS: Record<string, unknown> = {
  period: '2009-10-h1',
  startsOn: '01/04/2009',
  endsOn: '31/03/2099',
  dueOn: '31/03/2010',
  reviewOn: '',
  metOn: '',
  evaluatedOn: '',
  embargoUntil: '',
  email: '',
  financialYear: '2009/10',
  runningCosts: '1000000',
  amount: '1000',
  achievability: '60',
  realisation: '60',
  shiftedShare: '0',
  amounts: ['1000'],
  functions: [{ code: 'FWK', name: 'Forged-id walk function' }],
  processes: [{ code: 'FWK-1', name: 'Forged-id walk process', functionCode: 'FWK', type: 'T' }],
  status: 'green',
  timescale: 'Mar 2010',
  baseline: '',
  tolerance: '5',
  costPool: 'target:functionCode',
  low: '100',
  central: '200',
  high: '300',
  actionNumber: 1,
  priority: 'target:code',
  partner: 'target:partnerSlug',
  functionCode: 'target:functionCode',
};
const typeOf = (s: Json): string | undefined =>
  s.type ?? (s.anyOf as Json[] | undefined)?.find((x) => x.type !== 'null')?.type;
const fits = (value: unknown, s: Json) =>
  typeOf(s) === undefined ||
  (Array.isArray(value)
    ? typeOf(s) === 'array'
    : typeOf(s) === (typeof value === 'number' ? 'integer' : typeof value)) ||
  (value === null && (s.anyOf as Json[] | undefined)?.some((x) => x.type === 'null'));

/** A plain value of the schema (the hint for its name, else the simplest its type allows: none where it may be null). */
function plain(s: Json, name: string, target: Record<string, string> = {}): unknown {
  const hint = HINTS[name];
  if (hint !== undefined && fits(hint, s))
    return typeof hint === 'string' && hint.startsWith('target:') ? target[hint.slice(7)] : hint;
  if (
    (s.anyOf as Json[] | undefined)?.some((x) => x.type === 'null') ||
    (Array.isArray(s.type) && s.type.includes('null'))
  )
    return null;
  if (s.anyOf) return plain(s.anyOf[0], name, target);
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(
        Object.entries((s.properties ?? {}) as Record<string, Json>)
          .filter(([k]) => (s.required ?? []).includes(k))
          .map(([k, v]) => [k, plain(v, k, target)]),
      );
    default:
      return 'Forged-id walk';
  }
}

/** The table each kind of record is kept in: a uuid found in a form is A's record of the kind whose table holds it. */
const TABLE_OF: Record<Kind, string> = {
  theme: 'theme',
  person: 'person',
  organisation: 'organisation',
  priority: 'priority',
  period: 'reporting_period',
  indicator: 'indicator',
  risk: 'risk',
  action: 'action',
  milestone: 'milestone',
  status: 'status',
  exercise: 'diagnostic_exercise',
  taxonomy: 'diagnostic_taxonomy_version',
  benchmark: 'benchmark_set',
  opportunity: 'opportunity',
  case: 'business_case',
  option: 'business_case_option',
  project: 'implementation_project',
  club: 'benchmark_club',
};

/** A field of a form as a browser holds it: what it would send, and every value it could take. */
interface FormField {
  name: string;
  /** The element's id (what an error summary links to), if it has one. */
  id: string | undefined;
  /** Sent as it stands: a checked box, a selected option, a text's value. */
  sent: string[];
  /** Every value the person could choose (options, boxes, radios) or that stands in it (hidden, text). */
  choices: string[];
  /** A choice among values (a list, radios or boxes), a field typed into, or a hidden one. */
  type: 'select' | 'radio' | 'checkbox' | 'text' | 'hidden';
}
interface HtmlForm {
  action: string;
  fields: FormField[];
  /** The first submit button's name and value, which a browser sends with the form. */
  submitter: [string, string] | undefined;
}

/** The POST forms of a page, read as a browser reads them (disabled fields and unchecked boxes left out of what is sent). */
function formsOf(html: string, pageUrl: string): HtmlForm[] {
  const doc = parseDocument(html);
  const attr = (e: Element, name: string) => DomUtils.getAttributeValue(e, name);
  const isTag =
    (name: string) =>
    (n: unknown): n is Element =>
      DomUtils.isTag(n as Element) && (n as Element).name === name;
  return DomUtils.findAll(isTag('form'), doc.children)
    .filter((f) => (attr(f, 'method') ?? 'get').toLowerCase() === 'post')
    .map((form) => {
      const byName = new Map<string, FormField>();
      const field = (e: Element, type: FormField['type']) => {
        const name = attr(e, 'name')!;
        let f = byName.get(name);
        if (!f) byName.set(name, (f = { name, id: attr(e, 'id'), sent: [], choices: [], type }));
        return f;
      };
      let submitter: [string, string] | undefined;
      const controls = DomUtils.findAll(
        (n) => ['input', 'select', 'textarea', 'button'].includes(n.name) && attr(n, 'name') !== undefined,
        form.children,
      );
      for (const e of controls) {
        if (attr(e, 'disabled') !== undefined) continue;
        const type = (attr(e, 'type') ?? (e.name === 'button' ? 'submit' : 'text')).toLowerCase();
        if (type === 'submit' || e.name === 'button') {
          // The form's own button, not one that moves or removes a row of a list (`intent`).
          if (type === 'submit' && !submitter && attr(e, 'name') !== 'intent')
            submitter = [attr(e, 'name')!, attr(e, 'value') ?? ''];
          continue;
        }
        const f = field(
          e,
          e.name === 'select' ? 'select' : type === 'checkbox' || type === 'radio' || type === 'hidden' ? type : 'text',
        );
        if (e.name === 'select') {
          const options = DomUtils.findAll(isTag('option'), e.children);
          const value = (o: Element) => attr(o, 'value') ?? DomUtils.textContent(o).trim();
          f.choices.push(...options.map(value));
          const selected = options.filter((o) => attr(o, 'selected') !== undefined);
          f.sent.push(...(selected.length ? selected : options.slice(0, 1)).map(value));
        } else if (e.name === 'textarea') {
          f.sent.push(DomUtils.textContent(e));
        } else if (type === 'checkbox' || type === 'radio') {
          const value = attr(e, 'value') ?? 'on';
          f.choices.push(value);
          if (attr(e, 'checked') !== undefined) f.sent.push(value);
        } else {
          f.sent.push(attr(e, 'value') ?? '');
          f.choices.push(attr(e, 'value') ?? '');
        }
      }
      const action = attr(form, 'action');
      return {
        action: action ? new URL(action.replace(/&amp;/g, '&'), `http://amber.test${pageUrl}`).pathname : pageUrl,
        fields: [...byName.values()],
        submitter,
      };
    });
}

/**
 * What the walk types into a form's empty fields, so that the forged field is all that is wrong:
 * by the field's name (its last part: `milestones[0][timescale]` is a timescale), else a title.
 */
const TYPED: Record<string, string> = {
  code: 'FWALK-1',
  email: 'forged-id-walk@example.test',
  financialYear: '2009',
  runningCosts: '1000000',
  headcount: '100',
  startsOn: '01/04/2009',
  endsOn: '31/03/2099',
  dueOn: '31/03/2010',
  timescale: 'Mar 2010',
  partner: 'local-partnerships',
  amount: '1000',
  amounts: '1000',
  achievability: '60',
  realisation: '60',
  low: '100',
  central: '200',
  high: '300',
  tolerance: '5',
  value: '1',
  decimalPlaces: '0',
  functions: 'FWK, Forged-id walk function',
  processes: 'FWK-1, Forged-id walk process, FWK, T',
};
/** Boxes the walk ticks when none is (at least one must be); other lists of boxes are left as they are. */
const TICKED = new Set(['roles', 'periodIds']);
/** A field as the walk sends it: as it stands, or if empty, filled in (the first choice; a typed value). */
function filled(f: FormField): string[] {
  if (f.type === 'hidden' || f.sent.some((v) => v !== '')) return f.sent;
  const chosen = f.choices.filter((c) => c !== '');
  // A list's first choice, a radio's last ("No" where it is yes or no), a box only where one must be.
  if (f.type === 'select') return chosen.length ? [chosen[0]!] : f.sent;
  if (f.type === 'radio') return chosen.length ? [chosen.at(-1)!] : f.sent;
  if (f.type === 'checkbox') return chosen.length && TICKED.has(f.name) ? [chosen[0]!] : f.sent;
  const leaf = f.name.replace(/^.*\[(\w+)\]$/, '$1');
  // Optional dates and codes stay empty; anything else is given a value.
  return leaf in TYPED ? [TYPED[leaf]!] : /(On|Until|Code)$/.test(leaf) ? f.sent : ['Forged-id walk'];
}

let statusOf: (services: Services, org: Actor) => Promise<string>;

for (const engine of ENGINES)
  describe(`another organisation's ids in the fields of a write are refused [${engine}]`, () => {
    let t: TestApp;
    let A: { actor: Actor; values: Values; person: string };
    let B: { actor: Actor; values: Values };
    /** Every role, linked to a person (the walk must reach each use case's own checks). */
    let everyone: TestSession;
    /** What the walk's URLs name of A's: by the parameter and the segment before it. */
    const target: Record<string, string> = {};

    before(async () => {
      t = await buildTestApp(engine);
      statusOf = async (_services, org) =>
        (
          await sql<{
            id: string;
          }>`select id from status where organisation_id = ${org.organisationId} limit 1`.execute(t.db)
        ).rows[0]!.id;
      B = await otherOrganisation(t.services);
      const leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      A = await homeValues(t.services, leeds);
      everyone = await t.signIn(
        ['administrator', 'performance_officer', 'accountable_officer', 'accountable_director', 'contributor'],
        { personId: A.person },
      );
    });
    after(async () => t?.close());

    async function homeValues(services: Services, org: Actor) {
      const s = services;
      const person = (await s.people.list(org))[0]!;
      const priority = await s.plans.getPriority(org, 'VfM-4d');
      const agreements = await s.sharing.listAgreements(org);
      let share: Json | undefined;
      for (const a of agreements) {
        const { shares } = await s.sharing.getAgreement(org, a.id);
        share ??= shares.find((x) => x.priorityCode === priority.code && !x.revokedAt && x.periodIds.length > 0);
        if (share && !target.agreements) target.agreements = a.id;
      }
      assert.ok(share, 'the demo shares VfM-4d');
      const sharePeriod = (await s.periods.list(org)).find((p) => p.id === share.periodIds[0])!;
      const bundle = await s.reports.getBundle(org, priority.code, sharePeriod.key);
      const risk =
        (await s.risks.citable(org, priority.id))[0] ??
        (await s.risks.create(org, {
          priority: priority.code,
          description: 'Walk risk',
          likelihood: '2',
          impact: '2',
        }));
      const indicator = (await s.indicators.list(org))[0]!;
      const exercise = (await s.diagnostics.listExercises(org))[0]!.id;
      const benchmarks = await s.efficiency.benchmarks(org, exercise);
      const cases = await s.efficiency.cases(org, exercise);
      const opportunities = await s.efficiency.opportunities(org, exercise);
      const programme = await s.efficiency.plan(org, exercise);
      const savings = await s.efficiency.savings(org, exercise);
      // A club A is in (hosted by a third organisation, as clubs are), so its contributions reach their checks.
      const hub = systemActor(
        (await s.organisations.createHome('test', { name: 'Forged-id walk hub', kind: 'public_body' })).id,
        'test',
      );
      const club = await s.clubs.createClub(hub, { name: 'Forged-id walk club' });
      await s.clubs.invite(hub, club, { member: (await s.organisations.getOwn(org)).slug });
      await s.clubs.setMembership(org, club, true, {});
      const partner = await s.organisations.createPartner(org, { name: 'Forged-id walk partner', kind: 'other' });
      // A case still open to change (an approved one's options and lines are frozen), and a project besides the one the URL names.
      const draft = await s.efficiency.createCase(org, exercise, {
        title: 'Forged-id walk case',
        opportunityId: opportunities.opportunities[0]!.id,
        baseYear: '2010',
      });
      const withOption = await s.efficiency.addOption(org, exercise, draft.id, {
        name: 'Walk option',
        description: 'Walk',
      });
      await s.efficiency.addLine(org, exercise, draft.id, {
        optionId: withOption.options[0]!.id,
        kind: 'cost',
        category: 'Walk',
        label: 'Walk line',
        optimismBias: '',
        amounts: '1000',
      });
      const open = (await s.efficiency.cases(org, exercise)).cases.find((c) => c.id === draft.id)!;
      const { taxonomy } = await s.diagnostics.getExercise(org, exercise);
      // What another organisation shares with A is read acting for A (the database decides what it sees).
      const intoUs = (
        await t.units.run(() => s.sharing.listSharedWithUs(org), { organisationId: org.organisationId })
      )[0]!;
      const values: Values = {
        theme: priority.themeId,
        person: person.id,
        organisation: partner.id,
        priority: priority.id,
        period: sharePeriod.id,
        indicator: indicator.id,
        risk: risk.id,
        action: bundle.report.actions[0]!.id,
        milestone: bundle.report.actions[0]!.milestones[0]!.id,
        status: await statusOf(services, org),
        exercise,
        taxonomy: DEFAULT_TAXONOMY_ID,
        benchmark: benchmarks.sets[0]!.set.id,
        opportunity: opportunities.opportunities[0]!.id,
        // An approved case (only those become projects); the draft one is the URL's, for its lines.
        case: cases.cases.find((c) => c.status === 'approved')!.id,
        option: open.options[0]!.id,
        project: programme.projects[0]!.id,
        club,
      };
      Object.assign(target, {
        code: priority.code,
        period: sharePeriod.key,
        n: '1',
        people: person.id,
        risks: risk.id,
        exercises: exercise,
        clubs: club,
        'reports.milestones': values.milestone,
        indicators: indicator.code,
        opportunities: values.opportunity,
        cases: open.id,
        projects: programme.projects[1]!.id,
        'plan.milestones': programme.projects.flatMap((p) => p.milestones)[0]!.id,
        savings: savings.entries[0]!.id,
        lines: open.options.flatMap((o) => o.lines)[0]!.id,
        options: values.option,
        'sharing.shares': share.id,
        'shared-with-us': intoUs.shareId,
        'shared-with-us.period': intoUs.periods[0]!.key,
        partnerSlug: 'local-partnerships',
        functionCode: taxonomy.functions[0]!.code,
      });
      return { actor: org, values, person: person.id };
    }

    it('refuses, in every API write, another organisation’s record in each field that names one', async () => {
      const doc = (await t.app.inject({ url: paths.api.openapi })).json<Json>();
      const before = await both();
      const walked: string[] = [];
      const failures: string[] = [];
      for (const [template, item] of Object.entries(doc.paths as Record<string, Json>))
        for (const method of WRITES) {
          const op = item[method] as Json | undefined;
          const schema = op?.requestBody?.content?.['application/json']?.schema as Json | undefined;
          if (!schema) continue;
          const name = `${method.toUpperCase()} ${template}`;
          const { refs, unknown } = referencesOf(schema);
          for (const field of unknown)
            failures.push(`${name}: ${field} looks like a reference; KIND does not say to what`);
          if (refs.length === 0) continue;
          const url = urlOf(template);
          if (typeof url !== 'string') {
            failures.push(`${name}: ${url.missing}`);
            continue;
          }
          const base = await bodyOf(url, method, schema, refs);
          for (const ref of refs) {
            const forged = structuredClone(base);
            const theirs = ref.kind === 'contributor' ? `person:${B.values.person}` : B.values[ref.kind];
            if (ref.within) (forged[ref.within] as Json[])[0]![ref.field.split('.')[1]!] = theirs;
            else forged[ref.field] = ref.list ? [theirs] : theirs;
            const res = await t.app.inject({
              method: method.toUpperCase() as 'POST',
              url,
              payload: forged,
              headers: everyone.headers,
            });
            walked.push(`${name} ${ref.field}`);
            const named =
              res.statusCode === 422 ? ((res.json().errors ?? []) as { field: string }[]).map((e) => e.field) : [];
            const top = ref.within ?? ref.field;
            const ok =
              // Not found: the record the field names (a club's own code is CLUB_NOT_FOUND), not the URL's.
              (res.statusCode === 404 && String(res.json().code).includes(`${ref.kind.toUpperCase()}_NOT_FOUND`)) ||
              (res.statusCode === 422 && named.some((f) => f === top || f.startsWith(`${top}.`)));
            if (!ok) failures.push(`${name} ${ref.field}=${ref.kind}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          }
        }
      assert.deepEqual(failures, [], 'writes that took another organisation’s id, or could not be walked');
      assert.ok(walked.length >= 50, `only ${walked.length} fields walked:\n${walked.join('\n')}`);
      assert.deepEqual(await both(), before, 'neither organisation changed');
    });

    it('refuses, in every HTML form, another organisation’s record in each field that names one', async () => {
      // The same rule through the pages: every page a person of A opens (each route with A's
      // records in its URL) is read for its POST forms, and each field of a form that holds one
      // of A's records (a select's options, a box, a hidden id) is sent once with B's record of
      // that kind in its place, the rest as the browser would send it. Each must be refused — the
      // form again with an error naming that field, or 404 for that record — and neither organisation changes.
      // Every record's kind, by its id (one query a table): a form's value is a record if it is here.
      const kindOf = new Map<string, Kind>();
      for (const [kind, table] of Object.entries(TABLE_OF) as [Kind, string][])
        for (const { id } of (await sql<{ id: string }>`select id from ${sql.table(table)}`.execute(t.db)).rows)
          kindOf.set(id, kind);
      /** B's record in place of A's value: an id, or a contributor's `person:` id. */
      const theirs = (value: string): { kind: Kind; value: string } | undefined => {
        const contributor = /^person:(.+)$/.exec(value);
        const id = contributor ? contributor[1]! : value;
        const kind = kindOf.get(id);
        if (!kind) return undefined;
        return { kind, value: contributor ? `person:${B.values.person}` : B.values[kind] };
      };

      // The pages first (a page some roles may not open notes that in the security log), then the writes.
      const forms: { from: string; form: HtmlForm }[] = [];
      const pages = t.app.routeTable.filter(
        (r) => r.method === 'GET' && !r.infrastructure && !/^\/(api|public|operator)\//.test(r.url),
      );
      for (const route of pages) {
        const url = urlOf(route.url.replace(/:(\w+)/g, '{$1}'));
        if (typeof url !== 'string') continue;
        const page = await t.app.inject({ url, headers: everyone.headers });
        if (page.statusCode !== 200 || !String(page.headers['content-type']).includes('text/html')) continue;
        for (const form of formsOf(page.body, url)) forms.push({ from: url, form });
      }

      const before = await both();
      const failures: string[] = [];
      const walked = new Set<string>();
      for (const { from, form } of forms)
        for (const field of form.fields) {
          let swap: { kind: Kind; value: string } | undefined;
          for (const choice of field.choices) if ((swap = theirs(choice))) break;
          if (!swap) continue;
          const key = `POST ${form.action} ${field.name}`;
          if (walked.has(key)) continue;
          walked.add(key);
          const body = new URLSearchParams();
          for (const f of form.fields) {
            const values =
              f !== field
                ? filled(f)
                : // A list of boxes keeps what is ticked and gains B's; a single choice becomes B's.
                  f.choices.length > 1 && f.sent.length !== 1
                  ? [...f.sent, swap.value]
                  : [swap.value];
            for (const v of values) body.append(f.name, v);
          }
          if (form.submitter) body.append(...form.submitter);
          const res = await t.app.inject({
            method: 'POST',
            url: form.action,
            payload: body.toString(),
            headers: { ...everyone.headers, 'content-type': 'application/x-www-form-urlencoded' },
          });
          const root = field.name.replace(/\[.*$/, '');
          const named = errorSummary(res.body)
            .map((line) => line.split(' ')[0]!.replace(/^#/, ''))
            .some((href) => href === field.id || href === field.name || href.startsWith(root));
          // A 404 counts only when it is about the record of that kind ("There is no such diagnostic
          // exercise"), as the API's must be the named record's, never the URL's.
          const notFound = res.statusCode === 404 && htmlText(res.body).toLowerCase().includes(swap.kind);
          if (!(notFound || (res.statusCode >= 400 && res.statusCode < 500 && named)))
            failures.push(
              `${key}=${swap.kind} (from ${from}): ${res.statusCode} ${res.headers.location ?? errorSummary(res.body).join('; ')}`,
            );
        }
      assert.deepEqual(failures, [], 'forms that took another organisation’s id');
      assert.ok(walked.size >= 20, `only ${walked.size} form fields walked:\n${[...walked].join('\n')}`);
      assert.deepEqual(await both(), before, 'neither organisation changed');
    });

    const both = async () => ({
      A: await organisationFingerprint(t.db, A.actor.organisationId),
      B: await organisationFingerprint(t.db, B.actor.organisationId),
    });

    /** The template's URL with A's records in it, or what the walk has no value for. */
    function urlOf(template: string): string | { missing: string } {
      const segments = template.split('/');
      const missing: string[] = [];
      const url = segments
        .map((seg, i) => {
          const param = /^\{(\w+)\}$/.exec(seg)?.[1];
          if (!param) return seg;
          const before = segments[i - 1]!;
          const under = (s: string) => segments.slice(0, i).includes(s);
          const key =
            param === 'code'
              ? under('indicators')
                ? 'indicators'
                : 'code'
              : param === 'period'
                ? under('shared-with-us')
                  ? 'shared-with-us.period'
                  : 'period'
                : param === 'shareId'
                  ? under('shared-with-us')
                    ? 'shared-with-us'
                    : 'sharing.shares'
                  : before === 'milestones'
                    ? under('reports')
                      ? 'reports.milestones'
                      : 'plan.milestones'
                    : param === 'n'
                      ? 'n'
                      : before;
          const value = target[key];
          if (value === undefined) missing.push(`no value for {${param}} after ${before}`);
          return value ?? seg;
        })
        .join('/');
      return missing.length ? { missing: missing.join(', ') } : url;
    }

    /**
     * A body A could send to `url`: what A's record there answers to a GET (for a PUT, every
     * field), its version (the URL's or the nearest parent's), A's own records in the reference
     * fields, and plain values in what else is required.
     */
    async function bodyOf(url: string, method: string, schema: Json, refs: Reference[]): Promise<Json> {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      // The answer's object with most of the body's fields (a report's GET holds it in `report`).
      const answer = method === 'post' ? undefined : await getJson(url);
      const score = (o: Json) => Object.keys(properties).filter((k) => k !== 'version' && k in o).length;
      const read = answer
        ? [
            answer,
            ...Object.values(answer).filter((v): v is Json => !!v && typeof v === 'object' && !Array.isArray(v)),
          ].sort((x, y) => score(y) - score(x))[0]
        : undefined;
      const required = new Set<string>(schema.required ?? []);
      const body: Json = {};
      for (const [name, s] of Object.entries(properties)) {
        if (s.deprecated) continue;
        const ref = refs.find((r) => r.field === name || r.within === name);
        const known = read && name in read && name !== 'version' && fits(read[name], s) ? read[name] : undefined;
        if (known !== undefined && ref?.within && Array.isArray(known) && known.length > 0)
          body[name] = (known as Json[]).map((item) =>
            Object.fromEntries(
              Object.keys(s.items.properties ?? {})
                .filter((k) => k in item)
                .map((k) => [k, item[k]]),
            ),
          );
        else if (known !== undefined && !(ref && !ref.within)) body[name] = known;
        else if (ref && !ref.within)
          body[name] =
            ref.kind === 'contributor' ? [`person:${A.person}`] : ref.list ? [A.values[ref.kind]] : A.values[ref.kind];
        else if (ref?.within)
          // A new record's list holds new items (no ids); an existing one's, A's own.
          body[name] = [
            {
              ...(plain(s.items, name, target) as Json),
              ...(method === 'post' ? {} : { [ref.field.split('.')[1]!]: A.values[ref.kind as Kind] }),
            },
          ];
        else if (name === 'version') body.version = await versionOf(url);
        else if (required.has(name) || (name in HINTS && Array.isArray(HINTS[name])))
          body[name] = plain(s, name, target);
      }
      // A plan milestone linked to a priority names its key action too (both or neither).
      if (typeof body.priority === 'string' && 'actionNumber' in properties) body.actionNumber = 1;
      return body;
    }

    async function getJson(url: string): Promise<Json | undefined> {
      const res = await t.app.inject({ url, headers: everyone.headers });
      return res.statusCode === 200 && res.headers['content-type']?.toString().includes('json')
        ? res.json<Json>()
        : undefined;
    }

    /** The version of the record the URL names, or of the nearest one above it. */
    async function versionOf(url: string): Promise<number> {
      for (let u = url; u.split('/').length > 2; u = u.replace(/\/[^/]+$/, '')) {
        const read = await getJson(u);
        if (typeof read?.version === 'number') return read.version;
      }
      return 1;
    }
  });
