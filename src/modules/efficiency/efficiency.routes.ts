// Pages of the efficiency programme of a diagnostic exercise: the overview, benchmarks,
// opportunities, business cases (with their PDF and Word downloads), the implementation plan
// with its Gantt chart, the savings ledger and gain-share. Thin: parse, call the service, present.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, submitForm, selectItems } from '../../platform/http/forms.ts';
import { errorView, type ErrorView } from '../../platform/views/views.ts';
import { formatMoney } from '../../domain/diagnostic/money.ts';
import { LEVERS, LEVER_LABELS, STAGES, dependencyClashes } from '../../domain/diagnostic/programme.ts';
import { DISCOUNT_SCHEDULES, OPTIMISM_BIAS, describeSchedule } from '../../domain/diagnostic/appraisal.ts';
import { lineFormItems, registerCaseEditRoutes } from './cases.routes.ts';
import { renderGanttSvg } from '../../render/gantt-svg.ts';
import { clashSentence, formClashes } from './programme-changes.presenter.ts';
import { registerProgrammeChangeRoutes } from './programme-changes.routes.ts';
import { registerOpportunityChangeRoutes } from './opportunity-changes.routes.ts';
import { renderBusinessCasePdf, renderBusinessCaseDocx } from '../../render/documents.ts';
import {
  CASE_SECTIONS,
  fyLabel,
  ganttProjects,
  opportunityFormValues,
  presentBenchmark,
  presentBusinessCase,
  presentEvaluation,
  presentOpportunity,
  presentWorking,
  howWorkedOut,
  presentProject,
  presentSaving,
  savingFormValues,
  trancheText,
} from './efficiency.presenter.ts';
import { type ExerciseSummary, type OpportunityRecord, MANAGERS_POOL } from './efficiency.service.ts';
import { ValidationError } from '../../domain/errors.ts';

type Req = FastifyRequest<{ Params: { id: string; itemId?: string }; Querystring: Record<string, string | undefined> }>;

const P = paths.efficiency;
const R = {
  overview: P.overview(':id'),
  benchmarks: P.benchmarks(':id'),
  newBenchmark: P.newBenchmark(':id'),
  computedBenchmarks: P.computedBenchmarks(':id'),
  editBenchmark: P.editBenchmark(':id', ':itemId'),
  opportunities: P.opportunities(':id'),
  newOpportunity: P.newOpportunity(':id'),
  editOpportunity: P.editOpportunity(':id', ':itemId'),
  cases: P.cases(':id'),
  newCase: P.newCase(':id'),
  case: P.case(':id', ':itemId'),
  editCase: P.editCase(':id', ':itemId'),
  caseOptions: P.caseOptions(':id', ':itemId'),
  caseLines: P.caseLines(':id', ':itemId'),
  approveCase: P.approveCase(':id', ':itemId'),
  casePdf: P.caseDownload(':id', ':itemId', 'pdf'),
  caseDocx: P.caseDownload(':id', ':itemId', 'docx'),
  plan: P.plan(':id'),
  newProject: P.newProject(':id'),
  projects: P.projects(':id'),
  newMilestone: P.newMilestone(':id'),
  milestones: P.milestones(':id'),
  savings: P.savings(':id'),
  newSaving: P.newSaving(':id'),
  editSaving: P.editSaving(':id', ':itemId'),
  verifySaving: P.verifySaving(':id', ':itemId'),
  gainShare: P.gainShare(':id'),
  evaluate: P.evaluate(':id', ':itemId'),
};

const FLASH: Record<string, string> = {
  benchmark: 'The benchmark has been saved.',
  computed: 'The benchmark has been computed from the peers’ shared baselines.',
  opportunity: 'The opportunity has been saved.',
  'opportunity-deleted': 'The opportunity has been deleted.',
  'benchmark-deleted': 'The benchmark has been deleted.',
  'case-deleted': 'The business case has been deleted.',
  case: 'The business case has been saved.',
  option: 'The option has been added.',
  line: 'The line has been added.',
  'option-changed': 'The option has been changed.',
  'option-deleted': 'The option has been deleted.',
  'line-changed': 'The line has been changed.',
  'line-deleted': 'The line has been deleted.',
  approved: 'The business case has been approved.',
  project: 'The project has been added.',
  milestone: 'The milestone has been added.',
  linked: 'The milestone has been added, and written on the key action of the priority’s report.',
  saving: 'The saving has been recorded.',
  verified: 'The saving has been verified.',
  agreement: 'The agreement has been added.',
  evaluated: 'The evaluation has been stored.',
  // Changes and removals (issue 12, programme-changes.routes.ts).
  'project-changed': 'The project has been saved.',
  'project-deleted':
    'The project and its milestones have been deleted. Milestones it had written on key actions stay in their reports.',
  'milestone-changed': 'The milestone has been saved.',
  unlinked:
    'The milestone has been saved and is no longer linked to a key action. The milestone it had written on the key action stays in the priority’s report: remove it there if it should go.',
  'unlinked-gone': 'The milestone has been saved and is no longer linked to a key action.',
  relinked:
    'The milestone has been saved and written on the new key action. The one it had written on the old key action stays in that report: remove it there if it should go.',
  'milestone-deleted': 'The milestone has been deleted.',
  'milestone-deleted-kept':
    'The milestone has been deleted from the plan. The milestone it had written on a key action stays in the priority’s report.',
  'saving-deleted': 'The saving has been deleted.',
  'agreement-changed':
    'The agreement has been saved. Its next evaluation uses these terms; stored evaluations keep theirs.',
  'agreement-deleted': 'The agreement has been deleted.',
};

export function registerEfficiencyRoutes(app: FastifyInstance, services: Services): void {
  const { efficiency, plans, people } = services;

  const base = (request: Req, exercise: ExerciseSummary, title: string, back?: { href: string; text?: string }) => ({
    pageTitle: title,
    section: 'diagnostic',
    exercise,
    backLink: back ?? { href: P.overview(exercise.id), text: 'Efficiency programme' },
    flash: request.query?.saved ? FLASH[request.query.saved] : undefined,
    functionItems: (selected?: string) =>
      selectItems(
        [...exercise.taxonomy.functions],
        (f) => f.code,
        (f) => `${f.code} ${f.name}`,
        selected,
        'Choose a function',
      ),
  });
  const poolItems = (exercise: ExerciseSummary, selected?: string) => [
    { value: '', text: 'Choose a cost pool', selected: !selected },
    ...exercise.taxonomy.functions.map((f) => ({
      value: f.code,
      text: `${f.code} ${f.name} (function)`,
      selected: f.code === selected,
    })),
    ...exercise.taxonomy.processes.map((p) => ({
      value: p.code,
      text: `${p.code} ${p.name} (process)`,
      selected: p.code === selected,
    })),
    { value: MANAGERS_POOL, text: 'All manager posts (spans and layers)', selected: selected === MANAGERS_POOL },
  ];
  const priorityItems = async (request: Req, selected?: string) =>
    selectItems(
      await plans.listPriorities(request.actor),
      (p) => p.code,
      (p) => `${p.code} ${p.title}`,
      selected,
      'No priority',
    );
  const personItems = async (request: Req, selected?: string) =>
    selectItems(
      await people.list(request.actor),
      (p) => p.id,
      (p) => p.name,
      selected,
      'No owner yet',
    );

  // --- overview ----------------------------------------------------------------------------------
  app.get(R.overview, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const o = await efficiency.overview(request.actor, request.params.id);
    return reply.view('efficiency/views/overview.njk', {
      ...base(request, o.exercise, `Efficiency programme: ${o.exercise.name}`, {
        href: paths.diagnostic.show(o.exercise.id),
        text: o.exercise.name,
      }),
      o,
      total: {
        low: formatMoney(o.combined.low),
        central: formatMoney(o.combined.central),
        high: formatMoney(o.combined.high),
      },
      ledger: {
        identified: formatMoney(o.savings.byStage.identified),
        approved: formatMoney(o.savings.byStage.approved),
        realised: formatMoney(o.savings.byStage.realised),
        qualifying: formatMoney(o.savings.qualifying),
      },
    });
  });

  // --- benchmarks ---------------------------------------------------------------------------------
  async function benchmarksPage(request: Req, errors?: ErrorView, values: Record<string, unknown> = {}) {
    const { exercise, sets } = await efficiency.benchmarks(request.actor, request.params.id);
    return {
      template: 'efficiency/views/benchmarks.njk',
      ...base(request, exercise, 'Benchmarks'),
      sets: sets.map(presentBenchmark),
      errors,
      values,
      computeItems: base(request, exercise, '').functionItems(values.functionCode as string),
      // Peers' benchmarks come from benchmarking clubs only (ADR 0018).
      clubItems: [
        { value: '', text: 'Choose a club' },
        ...(await efficiency.benchmarkClubs(request.actor)).map((c) => ({
          value: c.id,
          text: c.name,
          selected: values.clubId === c.id,
        })),
      ],
    };
  }
  async function benchmarkForm(
    request: Req,
    title: string,
    action: string,
    values: Record<string, unknown>,
    errors?: ErrorView,
  ) {
    const exercise = await efficiency.exercise(request.actor, request.params.id);
    return {
      template: 'efficiency/views/benchmark-form.njk',
      ...base(request, exercise, title, { href: P.benchmarks(exercise.id), text: 'Benchmarks' }),
      action,
      values,
      errors,
      directionItems: [
        {
          value: 'lower-is-better',
          text: 'Lower is better (a cost)',
          checked: values.direction !== 'higher-is-better',
        },
        {
          value: 'higher-is-better',
          text: 'Higher is better (e.g. employees per HR FTE)',
          checked: values.direction === 'higher-is-better',
        },
      ],
      functionItems: selectItems(
        [...exercise.taxonomy.functions],
        (f) => f.code,
        (f) => `${f.code} ${f.name}`,
        values.functionCode as string,
        'No particular function',
      ),
    };
  }
  app.get(R.benchmarks, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await benchmarksPage(request);
    return reply.view(template, ctx);
  });
  app.get(R.newBenchmark, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await benchmarkForm(request, 'Add a benchmark', P.benchmarks(request.params.id), {
      illustrative: false,
    });
    return reply.view(template, ctx);
  });
  app.post(R.benchmarks, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => efficiency.createBenchmark(request.actor, request.params.id, body),
      () => `${P.benchmarks(request.params.id)}?saved=benchmark`,
      async (errors) => benchmarkForm(request, 'Add a benchmark', P.benchmarks(request.params.id), body, errors),
    );
  });
  app.get(R.editBenchmark, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const b = await efficiency.getBenchmark(request.actor, request.params.id, request.params.itemId!);
    const values = {
      ...b,
      p25: String(b.p25),
      p50: String(b.p50),
      p75: String(b.p75),
      n: String(b.n),
      ownValue: b.ownValue === null ? '' : String(b.ownValue),
      functionCode: b.functionCode ?? '',
    };
    const { template, ...ctx } = await benchmarkForm(
      request,
      'Change a benchmark',
      P.editBenchmark(request.params.id, b.id),
      values,
    );
    return reply.view(template, { ...ctx, deleteHref: P.deleteBenchmark(request.params.id, b.id) });
  });
  app.post(R.editBenchmark, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.updateBenchmark(request.actor, id, itemId!, body),
      () => `${P.benchmarks(id)}?saved=benchmark`,
      async (errors) => benchmarkForm(request, 'Change a benchmark', P.editBenchmark(id, itemId!), body, errors),
    );
  });
  app.post(R.computedBenchmarks, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => efficiency.computeBenchmark(request.actor, request.params.id, body),
      () => `${P.benchmarks(request.params.id)}?saved=computed`,
      async (errors) => benchmarksPage(request, errors, body),
    );
  });

  // --- opportunities -------------------------------------------------------------------------------
  async function opportunityForm(
    request: Req,
    title: string,
    action: string,
    values: Record<string, unknown>,
    errors?: ErrorView,
    stored?: OpportunityRecord,
  ) {
    const { exercise, sets } = await efficiency.benchmarks(request.actor, request.params.id);
    // The working for the assumptions on the form, from today's data (nothing is saved).
    let working: ReturnType<typeof presentWorking> | undefined;
    let workingRefusal: string | undefined;
    if (values.lever && values.costPool) {
      try {
        const r = await efficiency.workOutOpportunity(request.actor, request.params.id, values);
        if (r?.ok) working = presentWorking(r.working);
        else if (r) workingRefusal = r.reason;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // "Work it out" pressed: say what stops it, as "Save" would (a link from the baseline
        // page, with its assumptions in the address, just opens the form).
        if (!errors && values.action === 'work-out') errors = errorView(error.issues);
      }
    }
    return {
      working,
      workingRefusal,
      stored: stored && { howWorkedOut: howWorkedOut(stored), working: stored.working },
      deleteHref: stored ? P.deleteOpportunity(exercise.id, stored.id) : undefined,
      template: 'efficiency/views/opportunity-form.njk',
      ...base(request, exercise, title, { href: P.opportunities(exercise.id), text: 'Opportunities' }),
      action,
      values,
      errors,
      leverItems: LEVERS.map((l) => ({ value: l, text: LEVER_LABELS[l], checked: values.lever === l })),
      poolItems: poolItems(exercise, values.costPool as string),
      benchmarkItems: selectItems(
        sets.map((s) => s.set),
        (s) => s.id,
        (s) => `${s.indicator} (${s.source}, ${s.year})${s.illustrative ? ' – illustrative' : ''}`,
        values.benchmarkSetId as string,
        'No benchmark',
      ),
      confidenceItems: (['low', 'medium', 'high'] as const).map((c) => ({
        value: c,
        text: `${c.charAt(0).toUpperCase()}${c.slice(1)}`,
        checked: values.confidence === c,
      })),
      priorityItems: await priorityItems(request, values.priority as string),
    };
  }
  app.get(R.opportunities, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const r = await efficiency.opportunities(request.actor, request.params.id);
    return reply.view('efficiency/views/opportunities.njk', {
      ...base(request, r.exercise, 'Savings opportunities'),
      opportunities: r.opportunities.map(presentOpportunity),
      pools: r.pools.flatMap((p) =>
        [p, ...p.children].map((row) => ({
          costPool: row.costPool,
          level: row.level,
          inside: row.level === 'process' ? p.costPool : undefined,
          poolCost: formatMoney(row.poolCost),
          count: row.opportunities,
          low: formatMoney(row.low),
          central: formatMoney(row.central),
          high: formatMoney(row.high),
          naiveCentral: formatMoney(row.naive.central),
          overlap: row.naive.central !== row.central,
        })),
      ),
      total: { low: formatMoney(r.total.low), central: formatMoney(r.total.central), high: formatMoney(r.total.high) },
      overlaps: r.overlaps.map((w) => w.message),
    });
  });
  app.get(R.newOpportunity, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await opportunityForm(
      request,
      'Add an opportunity',
      P.opportunities(request.params.id),
      {
        confidence: 'medium',
        achievability: '100',
        // From the baseline page's "Work out a spans-and-layers saving at this span".
        ...(request.query.lever === 'spans-and-layers'
          ? { lever: 'spans-and-layers', costPool: MANAGERS_POOL, targetSpan: request.query.targetSpan ?? '' }
          : {}),
      },
    );
    return reply.view(template, ctx);
  });
  app.post(R.opportunities, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    if (body.action === 'work-out') {
      const { template, ...ctx } = await opportunityForm(
        request,
        'Add an opportunity',
        P.opportunities(request.params.id),
        body,
      );
      return reply.view(template, ctx);
    }
    return submitForm(
      reply,
      () => efficiency.createOpportunity(request.actor, request.params.id, body),
      () => `${P.opportunities(request.params.id)}?saved=opportunity`,
      async (errors) =>
        opportunityForm(request, 'Add an opportunity', P.opportunities(request.params.id), body, errors),
    );
  });
  app.get(R.editOpportunity, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const o = await efficiency.getOpportunity(request.actor, request.params.id, request.params.itemId!);
    const { template, ...ctx } = await opportunityForm(
      request,
      'Change an opportunity',
      P.editOpportunity(request.params.id, o.id),
      opportunityFormValues(o),
      undefined,
      o,
    );
    return reply.view(template, ctx);
  });
  app.post(R.editOpportunity, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    if (body.action === 'work-out') {
      const o = await efficiency.getOpportunity(request.actor, id, itemId!);
      const { template, ...ctx } = await opportunityForm(
        request,
        'Change an opportunity',
        P.editOpportunity(id, itemId!),
        body,
        undefined,
        o,
      );
      return reply.view(template, ctx);
    }
    return submitForm(
      reply,
      () => efficiency.updateOpportunity(request.actor, id, itemId!, body),
      () => `${P.opportunities(id)}?saved=opportunity`,
      async (errors) => opportunityForm(request, 'Change an opportunity', P.editOpportunity(id, itemId!), body, errors),
    );
  });

  // --- business cases --------------------------------------------------------------------------------
  async function caseForm(
    request: Req,
    title: string,
    action: string,
    values: Record<string, unknown>,
    errors?: ErrorView,
  ) {
    const { exercise, opportunities } = await efficiency.opportunities(request.actor, request.params.id);
    return {
      template: 'efficiency/views/case-form.njk',
      ...base(request, exercise, title, { href: P.cases(exercise.id), text: 'Business cases' }),
      action,
      values,
      errors,
      opportunityItems: selectItems(
        opportunities,
        (o) => o.id,
        (o) => `${o.title} (${o.costPool})`,
        values.opportunityId as string,
        'No particular opportunity',
      ),
      sections: CASE_SECTIONS,
      scheduleItems: Object.entries(DISCOUNT_SCHEDULES).map(([k, sch]) => ({
        value: k,
        text: sch.label,
        hint: { text: describeSchedule(sch.bands) },
        checked: (values.discountSchedule || 'standard') === k,
      })),
    };
  }
  async function casePage(request: Req, errors?: ErrorView, values: Record<string, unknown> = {}) {
    const {
      exercise,
      case: c,
      opportunity,
    } = await efficiency.getCase(request.actor, request.params.id, request.params.itemId!);
    const view = presentBusinessCase(request.organisationName ?? '', exercise, c, opportunity);
    return {
      template: 'efficiency/views/case.njk',
      ...base(request, exercise, c.title, { href: P.cases(exercise.id), text: 'Business cases' }),
      errors,
      values,
      c,
      view,
      approvalIssue: c.approvalIssue,
      optionItems: selectItems(
        c.options,
        (o) => o.id,
        (o) => o.name,
        values.optionId as string,
        'Choose an option',
      ),
      ...lineFormItems(values),
      obCategories: Object.entries(OPTIMISM_BIAS).map(([k, b]) => ({ key: k, label: b.label, upper: b.upper / 100 })),
    };
  }
  app.get(R.cases, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const { exercise, cases } = await efficiency.cases(request.actor, request.params.id);
    return reply.view('efficiency/views/cases.njk', {
      ...base(request, exercise, 'Business cases'),
      cases: cases.map((c) => ({
        id: c.id,
        title: c.title,
        status: c.status === 'approved' ? `Approved by ${c.approvedBy}` : 'Draft',
        approved: c.status === 'approved',
        options: c.options.length,
      })),
    });
  });
  app.get(R.newCase, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await caseForm(request, 'Write a business case', P.cases(request.params.id), {
      baseYear: '',
    });
    return reply.view(template, ctx);
  });
  app.post(R.cases, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => efficiency.createCase(request.actor, request.params.id, body),
      (c) => `${P.case(request.params.id, c.id)}?saved=case`,
      async (errors) => caseForm(request, 'Write a business case', P.cases(request.params.id), body, errors),
    );
  });
  app.get(R.case, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await casePage(request);
    return reply.view(template, ctx);
  });
  app.get(R.editCase, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const { case: c } = await efficiency.getCase(request.actor, request.params.id, request.params.itemId!);
    const { template, ...ctx } = await caseForm(
      request,
      'Change the business case',
      P.editCase(request.params.id, c.id),
      {
        title: c.title,
        opportunityId: c.opportunityId ?? '',
        baseYear: String(c.baseYear),
        discountSchedule: c.discountSchedule,
        ...c.sections,
        version: c.version,
      },
    );
    return reply.view(template, ctx);
  });
  app.post(R.editCase, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.updateCase(request.actor, id, itemId!, body),
      () => `${P.case(id, itemId!)}?saved=case`,
      async (errors) => caseForm(request, 'Change the business case', P.editCase(id, itemId!), body, errors),
    );
  });
  app.post(R.caseOptions, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.addOption(request.actor, id, itemId!, body),
      () => `${P.case(id, itemId!)}?saved=option#options`,
      async (errors) => casePage(request, prefix(errors, 'option'), { option: body }),
    );
  });
  app.post(R.caseLines, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.addLine(request.actor, id, itemId!, body),
      () => `${P.case(id, itemId!)}?saved=line#options`,
      async (errors) => casePage(request, prefix(errors, 'line'), { ...body, line: body }),
    );
  });
  app.post(R.approveCase, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.approveCase(request.actor, id, itemId!, body),
      () => `${P.case(id, itemId!)}?saved=approved`,
      async (errors) => casePage(request, errors),
    );
  });
  // The business case as a file, drawn after its reads have ended (ADR 0028).
  const CASE_DOCUMENTS = {
    pdf: { route: R.casePdf, type: 'application/pdf', render: renderBusinessCasePdf },
    docx: {
      route: R.caseDocx,
      type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      render: renderBusinessCaseDocx,
    },
  } as const;
  for (const [format, document] of Object.entries(CASE_DOCUMENTS))
    app.get(
      document.route,
      { config: { permission: 'diagnostic.read', rendersDocument: true } },
      async (request: Req, reply) => {
        const {
          exercise,
          case: c,
          opportunity,
        } = await efficiency.getCase(request.actor, request.params.id, request.params.itemId!);
        const body = await document.render(
          presentBusinessCase(request.organisationName ?? '', exercise, c, opportunity),
        );
        return reply
          .type(document.type)
          .header('content-disposition', `attachment; filename="business-case-${c.id.slice(0, 8)}.${format}"`)
          .send(body);
      },
    );

  registerCaseEditRoutes(app, services);

  // --- implementation plan ------------------------------------------------------------------------------
  async function projectForm(request: Req, values: Record<string, unknown>, errors?: ErrorView) {
    const { exercise, projects, approvedCases } = await efficiency.plan(request.actor, request.params.id);
    const chosen = new Set(
      Array.isArray(values.dependsOn)
        ? (values.dependsOn as string[])
        : values.dependsOn
          ? [String(values.dependsOn)]
          : [],
    );
    return {
      template: 'efficiency/views/project-form.njk',
      ...base(request, exercise, 'Add a project', { href: P.plan(exercise.id), text: 'Implementation plan' }),
      values,
      errors,
      action: P.projects(exercise.id),
      warnings: formClashes(projects, undefined, values),
      caseItems: selectItems(
        approvedCases,
        (c) => c.id,
        (c) => c.title,
        values.caseId as string,
        'Choose an approved business case',
      ),
      ownerItems: await personItems(request, values.ownerId as string),
      dependsItems: projects.map((p) => ({ value: p.id, text: p.name, checked: chosen.has(p.id) })),
    };
  }
  async function milestoneForm(request: Req, values: Record<string, unknown>, errors?: ErrorView) {
    const { exercise, projects } = await efficiency.plan(request.actor, request.params.id);
    return {
      template: 'efficiency/views/milestone-form.njk',
      ...base(request, exercise, 'Add a milestone', { href: P.plan(exercise.id), text: 'Implementation plan' }),
      values,
      errors,
      action: P.milestones(exercise.id),
      projectItems: selectItems(
        projects,
        (p) => p.id,
        (p) => p.name,
        values.projectId as string,
        'Choose a project',
      ),
      ownerItems: await personItems(request, values.ownerId as string),
      priorityItems: await priorityItems(request, values.priority as string),
    };
  }
  app.get(R.plan, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const { exercise, projects, approvedCases } = await efficiency.plan(request.actor, request.params.id);
    return reply.view('efficiency/views/plan.njk', {
      ...base(request, exercise, 'Implementation plan'),
      gantt: renderGanttSvg(ganttProjects(projects)),
      projects: projects.map((p) => presentProject(p, projects)),
      warnings: dependencyClashes(projects).map(clashSentence),
      approvedCases: approvedCases.length,
    });
  });
  app.get(R.newProject, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await projectForm(request, {});
    return reply.view(template, ctx);
  });
  app.post(R.projects, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => efficiency.createProject(request.actor, request.params.id, body),
      () => `${P.plan(request.params.id)}?saved=project`,
      async (errors) => projectForm(request, body, errors),
    );
  });
  app.get(R.newMilestone, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await milestoneForm(request, { projectId: request.query.project ?? '' });
    return reply.view(template, ctx);
  });
  app.post(R.milestones, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => efficiency.createMilestone(request.actor, request.params.id, body),
      (r) => `${P.plan(request.params.id)}?saved=${r.reportPeriodKey ? 'linked' : 'milestone'}`,
      async (errors) => milestoneForm(request, body, errors),
    );
  });

  // --- savings ledger --------------------------------------------------------------------------------------
  async function savingForm(
    request: Req,
    title: string,
    action: string,
    values: Record<string, unknown>,
    errors?: ErrorView,
  ) {
    const { exercise, opportunities } = await efficiency.savings(request.actor, request.params.id);
    return {
      template: 'efficiency/views/saving-form.njk',
      ...base(request, exercise, title, { href: P.savings(exercise.id), text: 'Savings ledger' }),
      action,
      values,
      errors,
      opportunityItems: selectItems(
        opportunities,
        (o) => o.id,
        (o) => o.title,
        values.opportunityId as string,
        'Choose an opportunity',
      ),
      stageItems: STAGES.map((s) => ({
        value: s,
        text: `${s.charAt(0).toUpperCase()}${s.slice(1)}`,
        checked: values.stage === s,
      })),
      flagItems: [
        { value: 'yes', name: 'cashable', text: 'Cashable (a budget can be reduced by it)' },
        { value: 'yes', name: 'recurring', text: 'Recurring (every year, not one-off)' },
        { value: 'yes', name: 'additional', text: 'Additional to the baseline agreed for gain-share' },
      ].map((f) => ({ ...f, checked: values[f.name] === true || values[f.name] === 'yes' })),
    };
  }
  app.get(R.savings, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const r = await efficiency.savings(request.actor, request.params.id);
    return reply.view('efficiency/views/savings.njk', {
      ...base(request, r.exercise, 'Savings ledger'),
      entries: r.entries.map(presentSaving),
      totals: {
        identified: formatMoney(r.totals.byStage.identified),
        approved: formatMoney(r.totals.byStage.approved),
        realised: formatMoney(r.totals.byStage.realised),
        cashable: formatMoney(r.totals.cashable),
        recurring: formatMoney(r.totals.recurring),
        verified: formatMoney(r.totals.verified),
        qualifying: formatMoney(r.totals.qualifying),
      },
      hasOpportunities: r.opportunities.length > 0,
    });
  });
  app.get(R.newSaving, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const exercise = await efficiency.exercise(request.actor, request.params.id);
    const { template, ...ctx } = await savingForm(request, 'Record a saving', P.savings(request.params.id), {
      stage: 'identified',
      cashable: true,
      recurring: true,
      additional: true,
      financialYear: fyLabel(exercise.financialYear + 1),
    });
    return reply.view(template, ctx);
  });
  app.post(R.savings, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => efficiency.createSaving(request.actor, request.params.id, body),
      () => `${P.savings(request.params.id)}?saved=saving`,
      async (errors) => savingForm(request, 'Record a saving', P.savings(request.params.id), body, errors),
    );
  });
  app.get(R.editSaving, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const s = await efficiency.getSaving(request.actor, request.params.id, request.params.itemId!);
    const { template, ...ctx } = await savingForm(
      request,
      'Change a saving',
      P.editSaving(request.params.id, s.id),
      savingFormValues(s),
    );
    return reply.view(template, ctx);
  });
  app.post(R.editSaving, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.updateSaving(request.actor, id, itemId!, body),
      () => `${P.savings(id)}?saved=saving`,
      async (errors) => savingForm(request, 'Change a saving', P.editSaving(id, itemId!), body, errors),
    );
  });
  app.post(R.verifySaving, { config: { permission: 'savings.verify' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.verifySaving(request.actor, id, itemId!, body),
      () => `${P.savings(id)}?saved=verified`,
      async (errors) => {
        const r = await efficiency.savings(request.actor, id);
        return {
          template: 'efficiency/views/savings.njk',
          ...base(request, r.exercise, 'Savings ledger'),
          entries: r.entries.map(presentSaving),
          totals: undefined,
          hasOpportunities: true,
          errors,
        };
      },
    );
  });

  // --- gain-share ------------------------------------------------------------------------------------------
  async function gainSharePage(request: Req, errors?: ErrorView, values: Record<string, unknown> = {}) {
    const r = await efficiency.gainShare(request.actor, request.params.id);
    return {
      template: 'efficiency/views/gain-share.njk',
      ...base(request, r.exercise, 'Gain-share'),
      errors,
      values,
      qualifying: formatMoney(r.qualifying),
      agreements: r.agreements.map((g) => ({
        id: g.agreement.id,
        name: g.agreement.name,
        reading: g.agreement.reading,
        funder: g.agreement.funder,
        totalCost: formatMoney(g.agreement.totalCost),
        funderContribution: formatMoney(g.agreement.funderContribution),
        councilContribution: formatMoney(g.agreement.councilContribution),
        tranches: g.agreement.tranches.map(trancheText),
        now: { due: formatMoney(g.now.due), explanation: g.now.explanation },
        latest: g.evaluations[0] && presentEvaluation(g.evaluations[0]),
        history: g.evaluations.map(presentEvaluation),
      })),
      readingItems: [
        {
          value: 'B',
          text: 'Reading B (default): £50K at £1m of additional savings, another £50K once a further £5m is delivered (£6m in all)',
          checked: values.reading !== 'A',
        },
        {
          value: 'A',
          text: 'Reading A: £50K at £1m and another £50K at £5m of additional savings',
          checked: values.reading === 'A',
        },
      ],
    };
  }
  app.get(R.gainShare, { config: { permission: 'diagnostic.read' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await gainSharePage(request);
    return reply.view(template, ctx);
  });
  app.post(R.gainShare, { config: { permission: 'diagnostic.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => efficiency.createAgreement(request.actor, request.params.id, body),
      () => `${P.gainShare(request.params.id)}?saved=agreement`,
      async (errors) => gainSharePage(request, errors, body),
    );
  });
  app.post(R.evaluate, { config: { permission: 'savings.verify' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.evaluate(request.actor, id, itemId!, body),
      () => `${P.gainShare(id)}?saved=evaluated`,
      async (errors) => gainSharePage(request, prefix(errors, `evaluation-${itemId}`), body),
    );
  });

  registerProgrammeChangeRoutes(app, services);
  registerOpportunityChangeRoutes(app, services);
}

/** Field errors of a form that shares its page with others: ids prefixed so each links to its own field. */
function prefix(errors: ErrorView, form: string): ErrorView {
  const list = errors.list.map((e) =>
    e.href.startsWith('#main-content') ? e : { ...e, href: `#${form}-${e.href.slice(1)}` },
  );
  const byField = Object.fromEntries(Object.entries(errors.byField).map(([k, v]) => [k, v]));
  return { list, byField };
}
