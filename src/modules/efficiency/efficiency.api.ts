// The JSON API of the efficiency programme of a diagnostic exercise (issue 12): benchmarks,
// opportunities (with the lever's working), business cases (with their appraisal), the
// implementation plan, the savings ledger and gain-share agreements (with what is due now).
// Thin, like the pages: the same schemas and service calls, so invalid input is refused naming
// each field (422) and changes nothing, a stale `version` is 409, and another organisation's
// exercise or item is not found (404).
//
// Money: request bodies take amounts as the forms do, text in pounds ("£1,409,310", "£9.0m",
// "150K"); every answer gives money as a whole number of pence (see openapi.ts). Percentages of
// the levers (achievability, realisation, share shifted) are basis points in answers.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { ValidationError } from '../../domain/errors.ts';
import { describeWorking } from '../../domain/diagnostic/levers.ts';
import {
  agreementInput,
  benchmarkInput,
  caseInput,
  computedBenchmarkInput,
  computedBenchmarkSource,
  evaluateInput,
  milestoneInput,
  opportunityInput,
  optionInput,
  projectInput,
  savingInput,
  versionInput,
} from './efficiency.schemas.ts';
import { caseLineInput } from './cases.schemas.ts';
import {
  agreementFormInput,
  caseDeleteInput,
  deleteInput,
  milestoneUpdateInput,
  projectUpdateInput,
} from './programme-changes.schemas.ts';
import type { ExerciseSummary } from './efficiency.service.ts';
import { presentBusinessCase } from './efficiency.presenter.ts';
import { renderBusinessCasePdf, renderBusinessCaseDocx } from '../../render/documents.ts';

type Req = FastifyRequest<{ Params: { id: string; itemId: string; subId: string } }>;

const TAG = 'Efficiency programme';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** What an answer says of its exercise (the taxonomy is at GET /api/diagnostic/exercises/{id}). */
const exerciseRef = (ex: ExerciseSummary) => ({ id: ex.id, name: ex.name, financialYear: ex.financialYear });
/** The opportunity as the forms take it, without the form's own "work it out" button. */
const opportunityBody = opportunityInput.omit({ action: true });
/** A gain-share agreement's terms, without the form's count of rows to show. */
const agreementBody = agreementFormInput.omit({ rows: true });

export function registerEfficiencyApi(app: FastifyInstance, services: Services): void {
  const { efficiency } = services;
  const R = routes.api;
  const op = apiOperation;

  // --- overview --------------------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.programme,
      permission: 'diagnostic.read',
      summary:
        'The programme at a glance: how many benchmarks, opportunities, cases, projects and agreements, the combined saving (pence) and the ledger totals (pence)',
      tag: TAG,
      success: { status: 200, description: 'The overview' },
    },
    async (request: Req) => {
      const { exercise, ...overview } = await efficiency.overview(request.actor, request.params.id);
      return { exercise: exerciseRef(exercise), ...overview };
    },
  );

  // --- benchmarks ------------------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.benchmarks,
      permission: 'diagnostic.read',
      summary: 'The benchmark sets with their provenance, and where the exercise’s own value sits among them',
      tag: TAG,
      success: { status: 200, description: 'Benchmarks, each with its comparison' },
    },
    async (request: Req) => {
      const { exercise, sets } = await efficiency.benchmarks(request.actor, request.params.id);
      return { exercise: exerciseRef(exercise), benchmarks: sets.map((s) => ({ ...s.set, comparison: s.comparison })) };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.benchmarks,
      permission: 'diagnostic.edit',
      summary: 'Enter a benchmark set with its provenance (n at least 5; quartiles in order)',
      tag: TAG,
      body: benchmarkInput,
      success: { status: 201, description: 'The benchmark' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.createBenchmark(request.actor, request.params.id, request.body)),
  );
  op(
    app,
    {
      method: 'GET',
      url: paths.api.benchmarkClubs,
      permission: 'diagnostic.read',
      summary: 'The benchmarking clubs a computed benchmark may come from (its clubId): those hosted or joined',
      tag: TAG,
      success: { status: 200, description: 'Clubs' },
    },
    async (request) => efficiency.benchmarkClubs(request.actor),
  );
  op(
    app,
    {
      method: 'POST',
      url: R.computedBenchmarks,
      permission: 'diagnostic.edit',
      summary:
        'Compute a function’s cost as a share of running costs from a benchmarking club the organisation hosts or has joined (clubId, required); refused with the club’s reason when it withholds the statistic (below 5 members, or when a quartile would be a member’s figure)',
      tag: TAG,
      body: computedBenchmarkInput.extend(computedBenchmarkSource.shape),
      success: { status: 201, description: 'The computed benchmark' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.computeBenchmark(request.actor, request.params.id, request.body)),
  );
  op(
    app,
    {
      method: 'GET',
      url: R.benchmark,
      permission: 'diagnostic.read',
      summary: 'A benchmark set',
      tag: TAG,
      success: { status: 200, description: 'The benchmark' },
    },
    async (request: Req) => efficiency.getBenchmark(request.actor, request.params.id, request.params.itemId),
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.benchmark,
      permission: 'diagnostic.edit',
      summary: 'Change an entered benchmark set (send `version`; a computed one is computed again instead)',
      tag: TAG,
      body: benchmarkInput,
      success: { status: 200, description: 'The benchmark' },
    },
    async (request: Req) =>
      efficiency.updateBenchmark(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.benchmark,
      permission: 'diagnostic.edit',
      summary: 'Delete a benchmark set no opportunity was worked out from (send `version`)',
      tag: TAG,
      body: deleteInput,
      success: { status: 200, description: 'The benchmark as it was' },
    },
    async (request: Req) =>
      efficiency.deleteBenchmark(request.actor, request.params.id, request.params.itemId, request.body),
  );

  // --- opportunities ---------------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.opportunities,
      permission: 'diagnostic.read',
      summary:
        'The savings opportunities (low, central, high, poolCost in pence; computed: what the lever worked out; working: how; overrideReason: why the figures differ), combined per cost pool without double counting, and the total',
      tag: TAG,
      success: { status: 200, description: 'Opportunities, pools and the total' },
    },
    async (request: Req) => {
      const { exercise, ...rest } = await efficiency.opportunities(request.actor, request.params.id);
      return { exercise: exerciseRef(exercise), ...rest };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.workOutOpportunity,
      permission: 'diagnostic.read',
      summary:
        'Work out a lever’s savings from the exercise’s data for these assumptions, with the working, saving nothing (same body as creating an opportunity). `computed` is null when the lever has no formula; 422 names what is missing. A POST, so a read-only token cannot send it',
      tag: TAG,
      body: opportunityBody,
      success: { status: 200, description: 'The computed low, central and high savings (pence) and the working' },
    },
    async (request: Req) => {
      const result = await efficiency.workOutOpportunity(request.actor, request.params.id, request.body);
      if (!result)
        return {
          computed: null,
          working: null,
          message: 'This lever has no formula: enter the low, central and high savings',
        };
      if (!result.ok) throw ValidationError.single(result.field, result.reason);
      const { low, central, high, basis, lines } = result.working;
      return { computed: { low, central, high }, working: describeWorking(result.working), basis, lines };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.opportunities,
      permission: 'diagnostic.edit',
      summary:
        'Add an opportunity. Leave low, central and high out (or null) to accept the figures the lever works out; figures that differ from them need an overrideReason',
      tag: TAG,
      body: opportunityBody,
      success: { status: 201, description: 'The opportunity' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.createOpportunity(request.actor, request.params.id, request.body)),
  );
  op(
    app,
    {
      method: 'GET',
      url: R.opportunity,
      permission: 'diagnostic.read',
      summary: 'An opportunity with its computed figures, working and override reason (money in pence)',
      tag: TAG,
      success: { status: 200, description: 'The opportunity' },
    },
    async (request: Req) => efficiency.getOpportunity(request.actor, request.params.id, request.params.itemId),
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.opportunity,
      permission: 'diagnostic.edit',
      summary:
        'Change an opportunity (send `version`, and every field: low, central and high null to accept the worked-out figures)',
      tag: TAG,
      body: opportunityBody,
      success: { status: 200, description: 'The opportunity' },
    },
    async (request: Req) =>
      efficiency.updateOpportunity(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.opportunity,
      permission: 'diagnostic.edit',
      summary: 'Delete an opportunity no business case or saving is for (send `version`)',
      tag: TAG,
      body: deleteInput,
      success: { status: 200, description: 'The opportunity as it was' },
    },
    async (request: Req) =>
      efficiency.deleteOpportunity(request.actor, request.params.id, request.params.itemId, request.body),
  );

  // --- business cases --------------------------------------------------------------------------
  // The case is looked up before a change to its options or lines is parsed: another
  // organisation's case is not found (404) whatever the body says.
  const existingCase = (request: Req) => efficiency.getCase(request.actor, request.params.id, request.params.itemId);
  const caseOf = async (request: Req, caseId: string) => {
    const { case: c, opportunity } = await efficiency.getCase(request.actor, request.params.id, caseId);
    return { ...c, opportunity: opportunity ? { id: opportunity.id, title: opportunity.title } : null };
  };
  op(
    app,
    {
      method: 'GET',
      url: R.cases,
      permission: 'diagnostic.read',
      summary:
        'The outline business cases, each option appraised by the Green Book (PVC, PVB, NPSV in pence; BCR; payback in years)',
      tag: TAG,
      success: { status: 200, description: 'Business cases with their appraisals' },
    },
    async (request: Req) => {
      const { exercise, cases } = await efficiency.cases(request.actor, request.params.id);
      return { exercise: exerciseRef(exercise), cases };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.cases,
      permission: 'diagnostic.edit',
      summary: 'Start a business case: title, the opportunity it is for, base year, discount schedule, five sections',
      tag: TAG,
      body: caseInput,
      success: { status: 201, description: 'The business case' },
    },
    async (request: Req, reply) => {
      const created = await efficiency.createCase(request.actor, request.params.id, request.body);
      return reply.status(201).send(await caseOf(request, created.id));
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.case,
      permission: 'diagnostic.read',
      summary: 'A business case with its options, cash-flow lines (pence by year) and each option’s appraisal',
      tag: TAG,
      success: { status: 200, description: 'The business case' },
    },
    async (request: Req) => caseOf(request, request.params.itemId),
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.case,
      permission: 'diagnostic.edit',
      summary: 'Change a business case’s title, opportunity, base year, schedule and sections (send `version`)',
      tag: TAG,
      body: caseInput,
      success: { status: 200, description: 'The business case' },
    },
    async (request: Req) => {
      await efficiency.updateCase(request.actor, request.params.id, request.params.itemId, request.body);
      return caseOf(request, request.params.itemId);
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.approveCase,
      permission: 'diagnostic.edit',
      summary:
        'Approve a business case (send its `version`; it needs business as usual, two other options and a preferred one)',
      tag: TAG,
      body: versionInput,
      versioned: true,
      success: { status: 200, description: 'The approved business case' },
    },
    async (request: Req) => {
      await efficiency.approveCase(request.actor, request.params.id, request.params.itemId, request.body);
      return caseOf(request, request.params.itemId);
    },
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.case,
      permission: 'diagnostic.edit',
      summary:
        'Delete a business case with its options and cash-flow lines (send `version`); refused (422) while a project of the implementation plan is built on it, and an approved case only with `reason`, which the audit trail keeps',
      tag: TAG,
      body: caseDeleteInput,
      success: { status: 200, description: 'The business case deleted' },
    },
    async (request: Req) => {
      const { options: _o, ...deleted } = await efficiency.deleteCase(
        request.actor,
        request.params.id,
        request.params.itemId,
        request.body,
      );
      return deleted;
    },
  );
  // The business case as the page downloads it: the same view rendered the same way.
  const caseDocument = async (request: Req) => {
    const {
      exercise,
      case: c,
      opportunity,
    } = await efficiency.getCase(request.actor, request.params.id, request.params.itemId);
    return { view: presentBusinessCase(request.organisationName ?? '', exercise, c, opportunity), id: c.id };
  };
  op(
    app,
    {
      method: 'GET',
      url: R.casePdf,
      permission: 'diagnostic.read',
      summary:
        'The business case as PDF, as the page downloads it: the five cases, each option’s cash flows and appraisal',
      tag: TAG,
      produces: ['application/pdf'],
      success: { status: 200, description: 'The business case (PDF)' },
    },
    async (request: Req, reply) => {
      const { view, id } = await caseDocument(request);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="business-case-${id.slice(0, 8)}.pdf"`)
        .send(await renderBusinessCasePdf(view));
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.caseDocx,
      permission: 'diagnostic.read',
      summary: 'The business case as Word (.docx), as the page downloads it',
      tag: TAG,
      produces: [DOCX],
      success: { status: 200, description: 'The business case (Word)' },
    },
    async (request: Req, reply) => {
      const { view, id } = await caseDocument(request);
      return reply
        .type(DOCX)
        .header('content-disposition', `attachment; filename="business-case-${id.slice(0, 8)}.docx"`)
        .send(await renderBusinessCaseDocx(view));
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.caseOptions,
      permission: 'diagnostic.edit',
      summary: 'Add an option to a draft business case (send the case’s `version`)',
      tag: TAG,
      body: optionInput,
      versioned: true,
      success: { status: 201, description: 'The business case' },
    },
    async (request: Req, reply) => {
      await existingCase(request);
      await efficiency.addOption(request.actor, request.params.id, request.params.itemId, request.body);
      return reply.status(201).send(await caseOf(request, request.params.itemId));
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.caseOption,
      permission: 'diagnostic.read',
      summary: 'An option of a business case with its lines (pence by year)',
      tag: TAG,
      success: { status: 200, description: 'The option' },
    },
    async (request: Req) => {
      const { id, itemId, subId } = request.params;
      return (await efficiency.caseOption(request.actor, id, itemId, subId)).option;
    },
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.caseOption,
      permission: 'diagnostic.edit',
      summary: 'Change an option of a draft business case (send the case’s `version`)',
      tag: TAG,
      body: optionInput,
      success: { status: 200, description: 'The business case' },
    },
    async (request: Req) => {
      const { id, itemId, subId } = request.params;
      await existingCase(request);
      await efficiency.updateOption(request.actor, id, itemId, subId, request.body);
      return caseOf(request, itemId);
    },
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.caseOption,
      permission: 'diagnostic.edit',
      summary: 'Delete an option (and its lines) of a draft business case (send the case’s `version`)',
      tag: TAG,
      body: versionInput,
      success: { status: 200, description: 'The business case' },
    },
    async (request: Req) => {
      const { id, itemId, subId } = request.params;
      await existingCase(request);
      await efficiency.deleteOption(request.actor, id, itemId, subId, request.body);
      return caseOf(request, itemId);
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.caseLines,
      permission: 'diagnostic.edit',
      summary:
        'Add a cost or benefit line to an option (send the case’s `version`; amounts by year as a list of amounts in pounds, year 0 first)',
      tag: TAG,
      body: caseLineInput,
      versioned: true,
      success: { status: 201, description: 'The business case' },
    },
    async (request: Req, reply) => {
      await existingCase(request);
      await efficiency.addLine(request.actor, request.params.id, request.params.itemId, request.body);
      return reply.status(201).send(await caseOf(request, request.params.itemId));
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.caseLine,
      permission: 'diagnostic.read',
      summary: 'A cost or benefit line of a business case (amounts in pence by year, year 0 first)',
      tag: TAG,
      success: { status: 200, description: 'The line' },
    },
    async (request: Req) => {
      const { id, itemId, subId } = request.params;
      const { line, option } = await efficiency.caseLine(request.actor, id, itemId, subId);
      return { ...line, optionId: option.id };
    },
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.caseLine,
      permission: 'diagnostic.edit',
      summary: 'Change a cost or benefit line of a draft business case (send the case’s `version`)',
      tag: TAG,
      body: caseLineInput,
      success: { status: 200, description: 'The business case' },
    },
    async (request: Req) => {
      const { id, itemId, subId } = request.params;
      await existingCase(request);
      await efficiency.updateLine(request.actor, id, itemId, subId, request.body);
      return caseOf(request, itemId);
    },
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.caseLine,
      permission: 'diagnostic.edit',
      summary: 'Delete a cost or benefit line of a draft business case (send the case’s `version`)',
      tag: TAG,
      body: versionInput,
      success: { status: 200, description: 'The business case' },
    },
    async (request: Req) => {
      const { id, itemId, subId } = request.params;
      await existingCase(request);
      await efficiency.deleteLine(request.actor, id, itemId, subId, request.body);
      return caseOf(request, itemId);
    },
  );

  // --- implementation plan ---------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.implementationPlan,
      permission: 'diagnostic.read',
      summary: 'The implementation plan: projects with their milestones, the approved cases, and dependency warnings',
      tag: TAG,
      success: { status: 200, description: 'The plan' },
    },
    async (request: Req) => {
      const { exercise, projects, approvedCases } = await efficiency.plan(request.actor, request.params.id);
      const warnings = await efficiency.planWarnings(request.actor, request.params.id);
      return {
        exercise: exerciseRef(exercise),
        projects,
        approvedCases: approvedCases.map((c) => ({ id: c.id, title: c.title })),
        warnings,
      };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.projects,
      permission: 'diagnostic.edit',
      summary: 'Add a project for an approved business case (dates as typed, like "1 April 2010")',
      tag: TAG,
      body: projectInput,
      success: { status: 201, description: 'The project' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.createProject(request.actor, request.params.id, request.body)),
  );
  op(
    app,
    {
      method: 'GET',
      url: R.project,
      permission: 'diagnostic.read',
      summary: 'A project with its milestones',
      tag: TAG,
      success: { status: 200, description: 'The project' },
    },
    async (request: Req) =>
      (await efficiency.getProject(request.actor, request.params.id, request.params.itemId)).project,
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.project,
      permission: 'diagnostic.edit',
      summary: 'Change a project (send `version`)',
      tag: TAG,
      body: projectUpdateInput,
      success: { status: 200, description: 'The project' },
    },
    async (request: Req) =>
      efficiency.updateProject(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.project,
      permission: 'diagnostic.edit',
      summary:
        'Delete a project and its milestones (send `version`); milestones it wrote on key actions stay in the reports',
      tag: TAG,
      body: deleteInput,
      success: { status: 200, description: 'What was deleted' },
    },
    async (request: Req) =>
      efficiency.deleteProject(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'POST',
      url: R.milestones,
      permission: 'diagnostic.edit',
      summary:
        'Add a milestone to a project; with a priority and key action number it is also written on that key action of the priority’s report',
      tag: TAG,
      body: milestoneInput,
      success: { status: 201, description: 'The milestone, and the report period it was written in' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.createMilestone(request.actor, request.params.id, request.body)),
  );
  op(
    app,
    {
      method: 'GET',
      url: R.milestone,
      permission: 'diagnostic.read',
      summary: 'A plan milestone, and where it is written in a report',
      tag: TAG,
      success: { status: 200, description: 'The milestone' },
    },
    async (request: Req) => {
      const { milestone, inReport } = await efficiency.getMilestone(
        request.actor,
        request.params.id,
        request.params.itemId,
      );
      return { ...milestone, inReport: inReport ?? null };
    },
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.milestone,
      permission: 'diagnostic.edit',
      summary: 'Change a plan milestone and its link to a key action (send `version`)',
      tag: TAG,
      body: milestoneUpdateInput,
      success: { status: 200, description: 'The milestone and what happened to its link' },
    },
    async (request: Req) =>
      efficiency.updateMilestone(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.milestone,
      permission: 'diagnostic.edit',
      summary: 'Delete a plan milestone (send `version`); what it wrote on a key action stays in the report',
      tag: TAG,
      body: deleteInput,
      success: { status: 200, description: 'What was deleted' },
    },
    async (request: Req) => {
      const { milestone, inReport } = await efficiency.deleteMilestone(
        request.actor,
        request.params.id,
        request.params.itemId,
        request.body,
      );
      return { milestone, inReport: inReport ?? null };
    },
  );

  // --- savings ledger --------------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.savings,
      permission: 'diagnostic.read',
      summary:
        'The savings ledger (amount in pence) and its totals in pence: by stage, cashable, recurring, verified and qualifying for gain-share',
      tag: TAG,
      success: { status: 200, description: 'Entries and totals' },
    },
    async (request: Req) => {
      const { exercise, entries, totals } = await efficiency.savings(request.actor, request.params.id);
      return { exercise: exerciseRef(exercise), entries, totals };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.savings,
      permission: 'diagnostic.edit',
      summary: 'Record a saving of an opportunity for a financial year (amount as typed, like "£250,000")',
      tag: TAG,
      body: savingInput,
      success: { status: 201, description: 'The saving' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.createSaving(request.actor, request.params.id, request.body)),
  );
  op(
    app,
    {
      method: 'GET',
      url: R.saving,
      permission: 'diagnostic.read',
      summary: 'A saving (amount in pence), and who verified it when',
      tag: TAG,
      success: { status: 200, description: 'The saving' },
    },
    async (request: Req) => efficiency.getSaving(request.actor, request.params.id, request.params.itemId),
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.saving,
      permission: 'diagnostic.edit',
      summary:
        'Change a saving (send `version`; a verified one keeps its amount, year, opportunity and whether it is additional)',
      tag: TAG,
      body: savingInput,
      success: { status: 200, description: 'The saving' },
    },
    async (request: Req) =>
      efficiency.updateSaving(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.saving,
      permission: 'diagnostic.edit',
      summary: 'Delete a saving nobody has verified (send `version`)',
      tag: TAG,
      body: deleteInput,
      success: { status: 200, description: 'The saving as it was' },
    },
    async (request: Req) =>
      efficiency.deleteSaving(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'POST',
      url: R.verifySaving,
      permission: 'savings.verify',
      summary: 'Verify a realised saving (send its `version`): records who and when',
      tag: TAG,
      body: versionInput,
      versioned: true,
      success: { status: 200, description: 'The saving' },
    },
    async (request: Req) =>
      efficiency.verifySaving(request.actor, request.params.id, request.params.itemId, request.body),
  );

  // --- gain-share ------------------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.gainShare,
      permission: 'diagnostic.read',
      summary:
        'The gain-share agreements (amounts in pence), what each makes due now against the qualifying savings, and their stored evaluations',
      tag: TAG,
      success: { status: 200, description: 'Qualifying savings and agreements' },
    },
    async (request: Req) => {
      const { exercise, ...rest } = await efficiency.gainShare(request.actor, request.params.id);
      return { exercise: exerciseRef(exercise), ...rest };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.gainShare,
      permission: 'diagnostic.edit',
      summary:
        'Add an agreement from its terms: funder, council, total cost and contributions, and tranches of threshold, repayment and inclusive (amounts as typed, like "£1m")',
      tag: TAG,
      body: agreementBody,
      success: { status: 201, description: 'The agreement' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.createAgreementFromTerms(request.actor, request.params.id, request.body)),
  );
  op(
    app,
    {
      method: 'POST',
      url: R.gainSharePreset,
      permission: 'diagnostic.edit',
      summary:
        'Add an agreement from the DECATS Phase 1 deal’s presets: reading B (cumulative £6m) or A (thresholds £1m and £5m)',
      tag: TAG,
      body: agreementInput,
      success: { status: 201, description: 'The agreement' },
    },
    async (request: Req, reply) =>
      reply.status(201).send(await efficiency.createAgreement(request.actor, request.params.id, request.body)),
  );
  const agreementOf = async (request: Req, agreementId: string) => {
    await efficiency.getAgreement(request.actor, request.params.id, agreementId);
    const { agreements } = await efficiency.gainShare(request.actor, request.params.id);
    const view = agreements.find((a) => a.agreement.id === agreementId)!;
    return { ...view.agreement, now: view.now, evaluations: view.evaluations };
  };
  op(
    app,
    {
      method: 'GET',
      url: R.agreement,
      permission: 'diagnostic.read',
      summary: 'An agreement, what it makes due now (pence) and its stored evaluations',
      tag: TAG,
      success: { status: 200, description: 'The agreement' },
    },
    async (request: Req) => agreementOf(request, request.params.itemId),
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.agreement,
      permission: 'diagnostic.edit',
      summary: 'Change an agreement’s terms (send `version`): later evaluations use them, stored ones keep theirs',
      tag: TAG,
      body: agreementBody,
      success: { status: 200, description: 'The agreement' },
    },
    async (request: Req) => {
      await efficiency.updateAgreement(request.actor, request.params.id, request.params.itemId, request.body);
      return agreementOf(request, request.params.itemId);
    },
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.agreement,
      permission: 'diagnostic.edit',
      summary: 'Delete an agreement that has never been evaluated (send `version`)',
      tag: TAG,
      body: deleteInput,
      success: { status: 200, description: 'The agreement as it was' },
    },
    async (request: Req) =>
      efficiency.deleteAgreement(request.actor, request.params.id, request.params.itemId, request.body),
  );
  op(
    app,
    {
      method: 'POST',
      url: R.evaluations,
      permission: 'savings.verify',
      summary:
        'Evaluate an agreement against the qualifying savings now and store it as a dated snapshot (evaluatedOn as typed, default today)',
      tag: TAG,
      body: evaluateInput,
      success: { status: 201, description: 'The evaluation (amounts in pence)' },
    },
    async (request: Req, reply) =>
      reply
        .status(201)
        .send(await efficiency.evaluate(request.actor, request.params.id, request.params.itemId, request.body)),
  );
}
