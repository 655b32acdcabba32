// Pages that change and remove the plan's projects and milestones, savings and gain-share
// agreements (issue 12). Every removal is a confirmation page saying what goes with it (and what
// stays: a milestone written on a key action stays in its report; stored evaluations stay) and a
// form carrying the version it was read at. Thin: parse, call the service, present.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, submitForm, selectItems } from '../../platform/http/forms.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { formatMoney } from '../../domain/diagnostic/money.ts';
import { fyLabel } from './efficiency.presenter.ts';
import type { ExerciseSummary } from './efficiency.service.ts';
import {
  agreementFormValues,
  formClashes,
  milestoneFormValues,
  presetFormValues,
  projectFormValues,
  reportPlaceText,
  trancheFormRows,
} from './programme-changes.presenter.ts';

type Req = FastifyRequest<{ Params: { id: string; itemId?: string }; Querystring: Record<string, string | undefined> }>;

const P = paths.efficiency;
const R = {
  editProject: P.editProject(':id', ':itemId'),
  deleteProject: P.deleteProject(':id', ':itemId'),
  editMilestone: P.editMilestone(':id', ':itemId'),
  deleteMilestone: P.deleteMilestone(':id', ':itemId'),
  deleteSaving: P.deleteSaving(':id', ':itemId'),
  agreements: P.agreements(':id'),
  newAgreement: P.newAgreement(':id'),
  editAgreement: P.editAgreement(':id', ':itemId'),
  deleteAgreement: P.deleteAgreement(':id', ':itemId'),
};
const edit = { config: { permission: 'diagnostic.edit' } } as const;
/** A checkbox group (one ticked arrives as a string) as a list. */
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : [];

export function registerProgrammeChangeRoutes(app: FastifyInstance, services: Services): void {
  const { efficiency, plans, people } = services;

  const page = (exercise: ExerciseSummary, title: string, back: { href: string; text: string }) => ({
    pageTitle: title,
    section: 'diagnostic',
    exercise,
    backLink: back,
  });
  const toPlan = (exercise: ExerciseSummary) => ({ href: P.plan(exercise.id), text: 'Implementation plan' });
  const personItems = async (request: Req, selected?: string) =>
    selectItems(
      await people.list(request.actor),
      (p) => p.id,
      (p) => p.name,
      selected,
      'No owner yet',
    );
  /** Renders a form's context, or the confirmation page again (errors 422, a stale version 409). */
  const view = async (reply: FastifyReply, ctx: Promise<Record<string, unknown> & { template: string }>) => {
    const { template, ...rest } = await ctx;
    return reply.view(template, rest);
  };

  // --- projects --------------------------------------------------------------------------------
  async function projectForm(request: Req, values: Record<string, unknown>, errors?: ErrorView) {
    const { exercise, project, projects } = await efficiency.getProject(
      request.actor,
      request.params.id,
      request.params.itemId!,
    );
    const { approvedCases } = await efficiency.plan(request.actor, exercise.id);
    const chosen = new Set(list(values.dependsOn));
    return {
      template: 'efficiency/views/project-form.njk',
      ...page(exercise, `Change the project ${project.name}`, toPlan(exercise)),
      values,
      errors,
      action: P.editProject(exercise.id, project.id),
      deleteHref: P.deleteProject(exercise.id, project.id),
      warnings: formClashes(projects, project.id, values),
      caseItems: selectItems(
        approvedCases,
        (c) => c.id,
        (c) => c.title,
        values.caseId as string,
        'Choose an approved business case',
      ),
      ownerItems: await personItems(request, values.ownerId as string),
      dependsItems: projects
        .filter((p) => p.id !== project.id)
        .map((p) => ({ value: p.id, text: p.name, checked: chosen.has(p.id) })),
    };
  }
  app.get(R.editProject, edit, async (request: Req, reply) => {
    const { project } = await efficiency.getProject(request.actor, request.params.id, request.params.itemId!);
    return view(reply, projectForm(request, projectFormValues(project)));
  });
  app.post(R.editProject, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.updateProject(request.actor, id, itemId!, body),
      () => `${P.plan(id)}?saved=project-changed`,
      (errors) => projectForm(request, body, errors),
    );
  });

  async function projectDeletePage(request: Req, errors?: ErrorView) {
    const { id, itemId } = request.params;
    const exercise = await efficiency.exercise(request.actor, id);
    const d = await efficiency.projectDeletion(request.actor, id, itemId!);
    return {
      template: 'efficiency/views/project-delete.njk',
      ...page(exercise, `Delete the project ${d.project.name}`, toPlan(exercise)),
      errors,
      project: { name: d.project.name, version: d.project.version },
      milestones: d.milestones.map((m) => ({
        description: m.description,
        due: m.dueOn,
        inReport: m.inReport ? reportPlaceText(m.inReport) : undefined,
      })),
      dependents: d.dependents.map((p) => p.name),
      formAction: P.deleteProject(exercise.id, d.project.id),
    };
  }
  app.get(R.deleteProject, edit, async (request: Req, reply) => view(reply, projectDeletePage(request)));
  app.post(R.deleteProject, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteProject(request.actor, id, itemId!, body),
      () => `${P.plan(id)}?saved=project-deleted`,
      (errors) => projectDeletePage(request, errors),
    );
  });

  // --- plan milestones -------------------------------------------------------------------------
  async function milestoneForm(request: Req, values: Record<string, unknown>, errors?: ErrorView) {
    const m = await efficiency.getMilestone(request.actor, request.params.id, request.params.itemId!);
    const { exercise, projects, milestone, inReport } = m;
    return {
      template: 'efficiency/views/milestone-form.njk',
      ...page(exercise, 'Change a milestone', toPlan(exercise)),
      values,
      errors,
      action: P.editMilestone(exercise.id, milestone.id),
      deleteHref: P.deleteMilestone(exercise.id, milestone.id),
      current: milestone.priorityCode
        ? {
            link: `${milestone.priorityCode}, key action ${milestone.actionNumber}`,
            inReport: inReport ? reportPlaceText(inReport) : undefined,
          }
        : undefined,
      projectItems: selectItems(
        projects,
        (p) => p.id,
        (p) => p.name,
        values.projectId as string,
        'Choose a project',
      ),
      ownerItems: await personItems(request, values.ownerId as string),
      priorityItems: selectItems(
        await plans.listPriorities(request.actor),
        (p) => p.code,
        (p) => `${p.code} ${p.title}`,
        values.priority as string,
        'No priority',
      ),
    };
  }
  app.get(R.editMilestone, edit, async (request: Req, reply) => {
    const { milestone } = await efficiency.getMilestone(request.actor, request.params.id, request.params.itemId!);
    return view(reply, milestoneForm(request, milestoneFormValues(milestone)));
  });
  app.post(R.editMilestone, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.updateMilestone(request.actor, id, itemId!, body),
      (r) =>
        `${P.plan(id)}?saved=${
          r.link.kind === 'removed'
            ? r.link.left
              ? 'unlinked'
              : 'unlinked-gone'
            : r.link.kind === 'changed'
              ? r.link.left
                ? 'relinked'
                : 'linked'
              : r.link.kind === 'added'
                ? 'linked'
                : 'milestone-changed'
        }`,
      (errors) => milestoneForm(request, body, errors),
    );
  });

  async function milestoneDeletePage(request: Req, errors?: ErrorView) {
    const d = await efficiency.milestoneDeletion(request.actor, request.params.id, request.params.itemId!);
    return {
      template: 'efficiency/views/milestone-delete.njk',
      ...page(d.exercise, 'Delete a milestone', toPlan(d.exercise)),
      errors,
      milestone: { description: d.milestone.description, version: d.milestone.version },
      project: d.project.name,
      linked: d.milestone.priorityCode
        ? `${d.milestone.priorityCode}, key action ${d.milestone.actionNumber}`
        : undefined,
      inReport: d.inReport ? reportPlaceText(d.inReport) : undefined,
      reportHref: d.inReport ? paths.reports.show(d.inReport.priorityCode, d.inReport.periodKey) : undefined,
      formAction: P.deleteMilestone(d.exercise.id, d.milestone.id),
    };
  }
  app.get(R.deleteMilestone, edit, async (request: Req, reply) => view(reply, milestoneDeletePage(request)));
  app.post(R.deleteMilestone, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteMilestone(request.actor, id, itemId!, body),
      (r) => `${P.plan(id)}?saved=${r.inReport ? 'milestone-deleted-kept' : 'milestone-deleted'}`,
      (errors) => milestoneDeletePage(request, errors),
    );
  });

  // --- savings ---------------------------------------------------------------------------------
  async function savingDeletePage(request: Req, errors?: ErrorView) {
    const d = await efficiency.savingDeletion(request.actor, request.params.id, request.params.itemId!);
    return {
      template: 'efficiency/views/saving-delete.njk',
      ...page(d.exercise, 'Delete a saving', { href: P.savings(d.exercise.id), text: 'Savings ledger' }),
      errors,
      saving: {
        opportunity: d.saving.opportunityTitle,
        year: fyLabel(d.saving.financialYear),
        stage: d.saving.stage,
        amount: formatMoney(d.saving.amount),
        version: d.saving.version,
      },
      refusal: d.refusal,
      formAction: P.deleteSaving(d.exercise.id, d.saving.id),
    };
  }
  app.get(R.deleteSaving, edit, async (request: Req, reply) => view(reply, savingDeletePage(request)));
  app.post(R.deleteSaving, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteSaving(request.actor, id, itemId!, body),
      () => `${P.savings(id)}?saved=saving-deleted`,
      (errors) => savingDeletePage(request, errors),
    );
  });

  // --- gain-share agreements -------------------------------------------------------------------
  async function agreementForm(
    request: Req,
    values: Record<string, unknown>,
    options: { errors?: ErrorView | undefined; wanted?: number | undefined } = {},
  ) {
    const { id, itemId } = request.params;
    const existing = itemId ? await efficiency.getAgreement(request.actor, id, itemId) : undefined;
    const exercise = existing?.exercise ?? (await efficiency.exercise(request.actor, id));
    const { rows, count } = trancheFormRows(values.tranches, options.wanted ?? (Number(values.rows) || undefined));
    return {
      template: 'efficiency/views/agreement-form.njk',
      ...page(exercise, existing ? `Change the agreement ${existing.agreement.name}` : 'Add a gain-share agreement', {
        href: P.gainShare(exercise.id),
        text: 'Gain-share',
      }),
      values,
      errors: options.errors,
      rows,
      count,
      action: existing ? P.editAgreement(exercise.id, existing.agreement.id) : P.agreements(exercise.id),
      presetHref: (key: 'A' | 'B') =>
        existing
          ? `${P.editAgreement(exercise.id, existing.agreement.id)}?preset=${key}`
          : P.newAgreement(exercise.id, key),
      evaluations: existing?.evaluations ?? 0,
      deleteHref: existing ? P.deleteAgreement(exercise.id, existing.agreement.id) : undefined,
    };
  }
  const presetOf = (q: string | undefined) => (q === 'A' || q === 'B' ? q : undefined);
  app.get(R.newAgreement, edit, async (request: Req, reply) => {
    const preset = presetOf(request.query.preset) ?? 'B';
    return view(reply, agreementForm(request, presetFormValues(preset)));
  });
  app.get(R.editAgreement, edit, async (request: Req, reply) => {
    const { agreement } = await efficiency.getAgreement(request.actor, request.params.id, request.params.itemId!);
    const preset = presetOf(request.query.preset);
    const values = agreementFormValues(agreement);
    // Filling in from a preset keeps the agreement's name and version: it is still this agreement.
    return view(
      reply,
      agreementForm(
        request,
        preset ? { ...presetFormValues(preset), name: values.name, version: agreement.version } : values,
      ),
    );
  });
  /** "Add another row" shows the form again with one more blank row; nothing is saved. */
  const addingRow = (body: Record<string, unknown>) => body.intent === 'add-row';
  const moreRows = (body: Record<string, unknown>) =>
    trancheFormRows(body.tranches, Number(body.rows) || undefined).count + 1;
  app.post(R.agreements, edit, async (request: Req, reply) => {
    const body = formBody(request);
    if (addingRow(body)) return view(reply, agreementForm(request, body, { wanted: moreRows(body) }));
    return submitForm(
      reply,
      () => efficiency.createAgreementFromTerms(request.actor, request.params.id, body),
      () => `${P.gainShare(request.params.id)}?saved=agreement`,
      (errors) => agreementForm(request, body, { errors }),
    );
  });
  app.post(R.editAgreement, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    if (addingRow(body)) return view(reply, agreementForm(request, body, { wanted: moreRows(body) }));
    return submitForm(
      reply,
      () => efficiency.updateAgreement(request.actor, id, itemId!, body),
      () => `${P.gainShare(id)}?saved=agreement-changed`,
      (errors) => agreementForm(request, body, { errors }),
    );
  });

  async function agreementDeletePage(request: Req, errors?: ErrorView) {
    const d = await efficiency.agreementDeletion(request.actor, request.params.id, request.params.itemId!);
    return {
      template: 'efficiency/views/agreement-delete.njk',
      ...page(d.exercise, `Delete the agreement ${d.agreement.name}`, {
        href: P.gainShare(d.exercise.id),
        text: 'Gain-share',
      }),
      errors,
      agreement: { name: d.agreement.name, version: d.agreement.version },
      refusal: d.refusal,
      editHref: P.editAgreement(d.exercise.id, d.agreement.id),
      formAction: P.deleteAgreement(d.exercise.id, d.agreement.id),
    };
  }
  app.get(R.deleteAgreement, edit, async (request: Req, reply) => view(reply, agreementDeletePage(request)));
  app.post(R.deleteAgreement, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { id, itemId } = request.params;
    return submitForm(
      reply,
      () => efficiency.deleteAgreement(request.actor, id, itemId!, body),
      () => `${P.gainShare(id)}?saved=agreement-deleted`,
      (errors) => agreementDeletePage(request, errors),
    );
  });
}
