// Pages that change or delete an option or a cash-flow line of a business case (issue 12): an
// edit form each, and a page that asks before deleting. Same permission as adding them
// (diagnostic.edit); a stale form gets the conflict message with the person's input kept (409);
// bad input is re-rendered with the field named (422). Thin: parse, call the service, present.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, submitForm, selectItems } from '../../platform/http/forms.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { formatMoney } from '../../domain/diagnostic/money.ts';
import { formatBasisPoints } from '../../domain/diagnostic/decimal.ts';
import { OPTIMISM_BIAS } from '../../domain/diagnostic/appraisal.ts';
import type { CaseLineRecord, CaseOptionRecord } from './efficiency.service.ts';

type Req = FastifyRequest<{
  Params: { id: string; itemId: string; subId: string };
  Querystring: Record<string, string | undefined>;
}>;

const P = paths.efficiency;
const R = {
  editOption: P.editCaseOption(':id', ':itemId', ':subId'),
  deleteOption: P.deleteCaseOption(':id', ':itemId', ':subId'),
  editLine: P.editCaseLine(':id', ':itemId', ':subId'),
  deleteLine: P.deleteCaseLine(':id', ':itemId', ':subId'),
};

/** The line form's choices: cost or benefit, and optimism bias by category, stated, or none. */
export function lineFormItems(values: Record<string, unknown>) {
  return {
    kindItems: [
      { value: 'cost', text: 'Cost', checked: values.kind !== 'benefit' },
      { value: 'benefit', text: 'Benefit', checked: values.kind === 'benefit' },
    ],
    obItems: [
      { value: '', text: 'None (e.g. redundancy, or a benefit)' },
      ...Object.entries(OPTIMISM_BIAS).map(([k, b]) => ({
        value: k,
        text: `${b.label} (up to +${b.upper / 100}%)`,
        selected: values.optimismBias === k,
      })),
      {
        value: 'stated',
        text: 'A percentage I state, with the reason (below)',
        selected: values.optimismBias === 'stated',
      },
    ],
  };
}

/** A stored line as its form shows it. */
export function lineFormValues(line: CaseLineRecord, optionId: string) {
  return {
    optionId,
    kind: line.kind,
    category: line.category,
    label: line.label,
    optimismBias: line.statedUplift !== null ? 'stated' : (line.optimismBias ?? ''),
    statedUplift: line.statedUplift !== null ? formatBasisPoints(line.statedUplift).replace(/%$/, '') : '',
    optimismBiasReason: line.optimismBiasReason ?? '',
    amounts: line.amounts.map((a) => formatMoney(a)).join(' '),
  };
}

/** A stored option as its form shows it. */
export function optionFormValues(option: CaseOptionRecord) {
  return {
    name: option.name,
    description: option.description,
    businessAsUsual: option.businessAsUsual ? ['yes'] : [],
    preferred: option.preferred ? ['yes'] : [],
    benefitReduction: formatBasisPoints(option.benefitReduction).replace(/%$/, ''),
    mitigation: Object.fromEntries(
      Object.entries(option.mitigation).map(([k, bp]) => [k, formatBasisPoints(bp ?? 0).replace(/%$/, '')]),
    ),
  };
}

const checked = (v: unknown) => v === 'yes' || (Array.isArray(v) && v.includes('yes'));

export function registerCaseEditRoutes(app: FastifyInstance, services: Services): void {
  const { efficiency } = services;
  const edit = { config: { permission: 'diagnostic.edit' as const } };

  const shell = (
    request: Req,
    exercise: { id: string; name: string },
    c: { id: string; title: string },
    title: string,
  ) => ({
    pageTitle: title,
    section: 'diagnostic',
    exercise,
    caseTitle: c.title,
    backLink: { href: `${P.case(exercise.id, c.id)}#options`, text: c.title },
  });

  async function optionPage(request: Req, values?: Record<string, unknown>, errors?: ErrorView) {
    const { id, itemId, subId } = request.params;
    const { exercise } = await efficiency.getCase(request.actor, id, itemId);
    const { case: c, option } = await efficiency.caseOption(request.actor, id, itemId, subId);
    const v = values ?? optionFormValues(option);
    return {
      template: 'efficiency/views/option-form.njk',
      ...shell(request, exercise, c, `Change the option “${option.name}”`),
      action: P.editCaseOption(id, itemId, subId),
      deleteHref: P.deleteCaseOption(id, itemId, subId),
      version: values?.version ?? c.version,
      values: v,
      businessAsUsualChecked: checked(v.businessAsUsual),
      preferredChecked: checked(v.preferred),
      errors,
      obCategories: Object.entries(OPTIMISM_BIAS).map(([k, b]) => ({ key: k, label: b.label, upper: b.upper / 100 })),
    };
  }
  app.get(R.editOption, edit, async (request: Req, reply) => {
    const { template, ...ctx } = await optionPage(request);
    return reply.view(template, ctx);
  });
  app.post(R.editOption, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId, subId } = request.params;
    return submitForm(
      reply,
      () => efficiency.updateOption(request.actor, id, itemId, subId, body),
      () => `${P.case(id, itemId)}?saved=option-changed#options`,
      async (errors) => optionPage(request, body, errors),
    );
  });

  async function linePage(request: Req, values?: Record<string, unknown>, errors?: ErrorView) {
    const { id, itemId, subId } = request.params;
    const { exercise } = await efficiency.getCase(request.actor, id, itemId);
    const { case: c, option, line, n } = await efficiency.caseLine(request.actor, id, itemId, subId);
    const v = values ?? lineFormValues(line, option.id);
    return {
      template: 'efficiency/views/line-form.njk',
      ...shell(request, exercise, c, `Change line ${n} of “${option.name}”`),
      action: P.editCaseLine(id, itemId, subId),
      deleteHref: P.deleteCaseLine(id, itemId, subId),
      version: values?.version ?? c.version,
      values: v,
      errors,
      optionItems: selectItems(
        c.options,
        (o) => o.id,
        (o) => o.name,
        v.optionId as string,
      ),
      ...lineFormItems(v),
    };
  }
  app.get(R.editLine, edit, async (request: Req, reply) => {
    const { template, ...ctx } = await linePage(request);
    return reply.view(template, ctx);
  });
  app.post(R.editLine, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId, subId } = request.params;
    return submitForm(
      reply,
      () => efficiency.updateLine(request.actor, id, itemId, subId, body),
      () => `${P.case(id, itemId)}?saved=line-changed#options`,
      async (errors) => linePage(request, body, errors),
    );
  });

  // --- delete, after asking ---------------------------------------------------------------------
  async function deleteOptionPage(request: Req, errors?: ErrorView) {
    const { id, itemId, subId } = request.params;
    const { exercise } = await efficiency.getCase(request.actor, id, itemId);
    const { case: c, option } = await efficiency.caseOption(request.actor, id, itemId, subId);
    return {
      template: 'efficiency/views/case-item-delete.njk',
      ...shell(request, exercise, c, `Delete the option “${option.name}”`),
      question: `Are you sure you want to delete the option “${option.name}”?`,
      consequence:
        option.lines.length === 0
          ? 'It has no cost or benefit lines.'
          : `Its ${option.lines.length} cost and benefit line${option.lines.length === 1 ? '' : 's'} will be deleted with it.`,
      action: P.deleteCaseOption(id, itemId, subId),
      version: c.version,
      errors,
    };
  }
  app.get(R.deleteOption, edit, async (request: Req, reply) => {
    const { template, ...ctx } = await deleteOptionPage(request);
    return reply.view(template, ctx);
  });
  app.post(R.deleteOption, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId, subId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteOption(request.actor, id, itemId, subId, body),
      () => `${P.case(id, itemId)}?saved=option-deleted#options`,
      async (errors) => deleteOptionPage(request, errors),
    );
  });

  async function deleteLinePage(request: Req, errors?: ErrorView) {
    const { id, itemId, subId } = request.params;
    const { exercise } = await efficiency.getCase(request.actor, id, itemId);
    const { case: c, option, line, n } = await efficiency.caseLine(request.actor, id, itemId, subId);
    return {
      template: 'efficiency/views/case-item-delete.njk',
      ...shell(request, exercise, c, `Delete line ${n} of “${option.name}”`),
      question: `Are you sure you want to delete line ${n} of “${option.name}”?`,
      consequence: `${line.kind === 'cost' ? 'Cost' : 'Benefit'}: ${line.label} (${line.category}), ${line.amounts.map((a) => formatMoney(a)).join(', ')} from year 0.`,
      action: P.deleteCaseLine(id, itemId, subId),
      version: c.version,
      errors,
    };
  }
  app.get(R.deleteLine, edit, async (request: Req, reply) => {
    const { template, ...ctx } = await deleteLinePage(request);
    return reply.view(template, ctx);
  });
  app.post(R.deleteLine, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId, subId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteLine(request.actor, id, itemId, subId, body),
      () => `${P.case(id, itemId)}?saved=line-deleted#options`,
      async (errors) => deleteLinePage(request, errors),
    );
  });
}
