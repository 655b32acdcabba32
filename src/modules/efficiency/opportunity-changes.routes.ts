// Pages that remove savings opportunities, benchmark sets and business cases (issue 12): a confirmation page that
// says what goes (or, when something rests on the record, why it cannot go), and its form carrying
// the version it was read at. Thin: parse, call the service, present.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, submitForm } from '../../platform/http/forms.ts';
import type { ErrorView } from '../../platform/views/views.ts';

type Req = FastifyRequest<{ Params: { id: string; itemId: string } }>;

const P = paths.efficiency;
const edit = { config: { permission: 'diagnostic.edit' } } as const;
/** A form field as typed, for showing it again: text, or nothing. */
const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');

export function registerOpportunityChangeRoutes(app: FastifyInstance, services: Services): void {
  const { efficiency } = services;

  async function opportunityPage(request: Req, errors?: ErrorView) {
    const d = await efficiency.opportunityDeletion(request.actor, request.params.id, request.params.itemId);
    return {
      template: 'efficiency/views/opportunity-delete.njk',
      pageTitle: d.refusal ? 'The opportunity cannot be deleted' : 'Delete an opportunity',
      section: 'diagnostic',
      exercise: d.exercise,
      backLink: { href: P.opportunities(d.exercise.id), text: 'Opportunities' },
      item: d.opportunity,
      refusal: d.refusal,
      errors,
      formAction: P.deleteOpportunity(d.exercise.id, d.opportunity.id),
    };
  }
  app.get(P.deleteOpportunity(':id', ':itemId'), edit, async (request: Req, reply) => {
    const { template, ...ctx } = await opportunityPage(request);
    return reply.view(template, ctx);
  });
  app.post(P.deleteOpportunity(':id', ':itemId'), edit, async (request: Req, reply) => {
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteOpportunity(request.actor, id, itemId, formBody(request)),
      () => `${P.opportunities(id)}?saved=opportunity-deleted`,
      (errors) => opportunityPage(request, errors),
    );
  });

  async function casePage(request: Req, errors?: ErrorView) {
    const d = await efficiency.caseDeletion(request.actor, request.params.id, request.params.itemId);
    const c = d.case;
    const lines = c.options.reduce((n, o) => n + o.lines.length, 0);
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    return {
      template: 'efficiency/views/case-delete.njk',
      pageTitle: d.refusal ? 'The business case cannot be deleted' : 'Delete a business case',
      section: 'diagnostic',
      exercise: d.exercise,
      backLink: { href: P.case(d.exercise.id, c.id), text: c.title },
      item: c,
      refusal: d.refusal,
      approval: d.approval,
      reason: errors ? textOf(formBody(request).reason) : '',
      whatGoes:
        `Its five cases, its ${plural(c.options.length, 'option', 'options')} and their ${plural(lines, 'cost and benefit line', 'cost and benefit lines')} go with it${c.status === 'approved' ? ', and its approval' : ''}. ${c.opportunityId ? 'The opportunity it was for stays.' : ''} No project of the implementation plan is built on it.`.replace(
          / {2,}/g,
          ' ',
        ),
      errors,
      formAction: P.deleteCase(d.exercise.id, c.id),
    };
  }
  app.get(P.deleteCase(':id', ':itemId'), edit, async (request: Req, reply) => {
    const { template, ...ctx } = await casePage(request);
    return reply.view(template, ctx);
  });
  app.post(P.deleteCase(':id', ':itemId'), edit, async (request: Req, reply) => {
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteCase(request.actor, id, itemId, formBody(request)),
      () => `${P.cases(id)}?saved=case-deleted`,
      (errors) => casePage(request, errors),
    );
  });

  async function benchmarkPage(request: Req, errors?: ErrorView) {
    const d = await efficiency.benchmarkDeletion(request.actor, request.params.id, request.params.itemId);
    return {
      template: 'efficiency/views/benchmark-delete.njk',
      pageTitle: d.refusal ? 'The benchmark cannot be deleted' : 'Delete a benchmark',
      section: 'diagnostic',
      exercise: d.exercise,
      backLink: { href: P.benchmarks(d.exercise.id), text: 'Benchmarks' },
      item: d.benchmark,
      refusal: d.refusal,
      errors,
      formAction: P.deleteBenchmark(d.exercise.id, d.benchmark.id),
    };
  }
  app.get(P.deleteBenchmark(':id', ':itemId'), edit, async (request: Req, reply) => {
    const { template, ...ctx } = await benchmarkPage(request);
    return reply.view(template, ctx);
  });
  app.post(P.deleteBenchmark(':id', ':itemId'), edit, async (request: Req, reply) => {
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteBenchmark(request.actor, id, itemId, formBody(request)),
      () => `${P.benchmarks(id)}?saved=benchmark-deleted`,
      (errors) => benchmarkPage(request, errors),
    );
  });
}
