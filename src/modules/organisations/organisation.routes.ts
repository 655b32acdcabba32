// Pages and API for partner organisations and the organisation's status scale.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { organisationPrefix, paths, routes } from '../../paths.ts';
import { ValidationError } from '../../domain/errors.ts';
import { formBody, submitForm, applyRowIntent } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { errorView, type ErrorView } from '../../platform/views/views.ts';
import {
  APPROVAL_ROLES,
  PATTERNS,
  PATTERN_LABELS,
  SHAPES,
  approvalRoleLabel,
  type Pattern,
} from '../../domain/status-scale.ts';
import {
  organisationInput,
  statusScaleInput,
  statusScaleQuery,
  type StatusScaleQuery,
  ORGANISATION_KINDS,
  ORGANISATION_KIND_LABELS,
} from './organisation.schemas.ts';
import { STATUS_PRESETS, StatusScaleChangeUnconfirmedError } from './organisation.service.ts';
import { article, presentScaleConfirmation } from './organisation.presenter.ts';
import { presentStatus } from '../../render/report-view.ts';

type Params = { id: string };

/** A form field as typed (the confirmation page carries the rows on as they were sent). */
const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');
/** A row's place in the rating order as the form sends it: `no` (outside it) or `yes` (the default). */
const ratedOf = (v: unknown): 'yes' | 'no' => (v === false || v === 'no' ? 'no' : 'yes');
const patternOf = (v: unknown): Pattern => ((PATTERNS as readonly unknown[]).includes(v) ? (v as Pattern) : 'none');
const approvalOf = (v: unknown): string => (typeof v === 'string' && v !== 'none' ? v : '');

export function registerOrganisationRoutes(app: FastifyInstance, services: Services): void {
  const { organisations } = services;

  const kindItems = (selected: unknown) =>
    ORGANISATION_KINDS.map((k) => ({ value: k, text: ORGANISATION_KIND_LABELS[k], checked: selected === k }));
  const formPage = (
    title: string,
    action: string,
    values: Record<string, any>,
    extra: Record<string, unknown> = {},
    errors?: ErrorView,
  ) => ({
    template: 'organisations/views/organisation-form.njk',
    pageTitle: title,
    section: 'organisations',
    backLink: { href: paths.organisations.list },
    action,
    values,
    errors,
    kindItems: kindItems(values.kind),
    ...extra,
  });

  // The operator's pages (issue 11): deployment-wide, so their units act for no organisation.
  const operating = { permission: 'deployment.operate', actsForOrganisation: false } as const;
  const operatorForm = (values: Record<string, unknown>, errors?: ErrorView) => ({
    pageTitle: 'Create an organisation',
    backLink: { href: paths.operator.organisations },
    values,
    errors,
    kindItems: kindItems(values.kind),
  });
  app.get(paths.operator.organisations, { config: operating }, async (request, reply) => {
    const home = await organisations.findHome();
    const saved = (request.query as Record<string, unknown>).saved;
    const list = await organisations.listHosted(request.actor);
    const created = typeof saved === 'string' ? list.find((o) => o.slug === saved) : undefined;
    return reply.view('organisations/views/operator-organisations.njk', {
      pageTitle: 'Organisations in this deployment',
      flash:
        created &&
        `${created.name} has been created at ${organisationPrefix(created.slug!)}/ and its administrator invited.`,
      organisations: list.map((o) => ({
        ...o,
        kindLabel: ORGANISATION_KIND_LABELS[o.kind],
        prefix: organisationPrefix(o.slug!),
        home: o.id === home?.id,
      })),
    });
  });
  app.get(paths.operator.newOrganisation, { config: operating }, async (_request, reply) =>
    reply.view('organisations/views/operator-organisation-form.njk', operatorForm({ kind: 'council' })),
  );
  app.post(paths.operator.organisations, { config: operating }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      async () => {
        const org = await organisations.createOrganisation(request.actor, {
          name: body.name,
          shortName: body.shortName,
          slug: body.slug,
          kind: body.kind,
        });
        try {
          await services.accounts.inviteFirstAdministrator(request.actor, org.id, {
            email: body.adminEmail,
            name: body.adminName,
          });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          // The administrator's fields are named as the form names them; the organisation is rolled back.
          throw new ValidationError(
            error.issues.map((i) => ({
              ...i,
              field: i.field === 'email' ? 'adminEmail' : i.field === 'name' ? 'adminName' : i.field,
            })),
          );
        }
        return org;
      },
      (org) => `${paths.operator.organisations}?saved=${encodeURIComponent(org.slug!)}`,
      async (errors) => ({
        template: 'organisations/views/operator-organisation-form.njk',
        ...operatorForm(body, errors),
      }),
    );
  });

  app.get(paths.organisations.list, { config: { permission: 'reference.read' } }, async (request, reply) =>
    reply.view('organisations/views/organisation-list.njk', {
      pageTitle: 'Partner organisations',
      section: 'organisations',
      partners: (await organisations.listPartners(request.actor)).map((o) => ({
        ...o,
        kindLabel: ORGANISATION_KIND_LABELS[o.kind],
      })),
    }),
  );
  app.get(paths.organisations.new, { config: { permission: 'reference.edit' } }, async (_request, reply) => {
    const { template, ...ctx } = formPage('Add a partner organisation', paths.organisations.list, {});
    return reply.view(template, ctx);
  });
  app.post(paths.organisations.list, { config: { permission: 'reference.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => organisations.createPartner(request.actor, body),
      () => paths.organisations.list,
      async (errors) => formPage('Add a partner organisation', paths.organisations.list, body, {}, errors),
    );
  });
  app.get(
    routes.organisationEdit,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const org = await organisations.getPartner(request.actor, request.params.id);
      const { template, ...ctx } = formPage(`Change ${org.name}`, paths.organisations.edit(org.id), org, {
        deleteAction: paths.organisations.delete(org.id),
      });
      return reply.view(template, ctx);
    },
  );
  app.post(
    routes.organisationEdit,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const body = formBody(request);
      const { id } = request.params;
      return submitForm(
        reply,
        () => organisations.updatePartner(request.actor, id, body),
        () => paths.organisations.list,
        async (errors) =>
          formPage(
            'Change the organisation',
            paths.organisations.edit(id),
            body,
            { deleteAction: paths.organisations.delete(id) },
            errors,
          ),
      );
    },
  );
  app.post(
    routes.organisationDelete,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const { id } = request.params;
      const org = await organisations.getPartner(request.actor, id);
      return submitForm(
        reply,
        () => organisations.deletePartner(request.actor, id, formBody(request).version),
        () => paths.organisations.list,
        async (errors) =>
          formPage(
            `Change ${org.name}`,
            paths.organisations.edit(id),
            org,
            { deleteAction: paths.organisations.delete(id) },
            errors,
          ),
      );
    },
  );

  // --- Status scale ---------------------------------------------------------------------
  async function scalePage(
    request: FastifyRequest,
    rows: Record<string, unknown>[],
    blank: number,
    errors?: ErrorView,
    /** The period chosen for the change (as sent); the page's proposal when undefined. */
    inUseFrom?: unknown,
  ) {
    const [versions, { periods, proposed }] = await Promise.all([
      organisations.statusScaleVersions(request.actor),
      organisations.statusScalePeriods(request.actor),
    ]);
    const chosen = typeof inUseFrom === 'string' && inUseFrom !== '' ? inUseFrom : proposed?.key;
    const all = [...rows];
    for (let i = 0; i < blank; i++)
      all.push({
        id: '',
        label: '',
        key: '',
        colour: '#505a5f',
        shape: 'square',
        description: '',
        commentRequired: false,
        rated: 'yes',
        pattern: 'none',
        approvalRole: '',
      });
    return {
      template: 'organisations/views/status-scale.njk',
      pageTitle: 'Status scale',
      section: 'settings',
      errors,
      // Newest first: the one in use now, then the earlier ones reports of earlier periods keep.
      versions: [...versions].reverse().map((v, i, list) => ({
        from: v.inUseFrom ? v.inUseFrom.label : null,
        until: i === 0 ? null : (list[i - 1]!.inUseFrom?.label ?? null),
        statuses: v.statuses.map((x) => presentStatus(x)),
        current: i === 0,
      })),
      periodItems: periods.map((p) => ({ value: p.key, text: p.label, selected: p.key === chosen })),
      rows: all.map((r, i) => ({
        ...r,
        index: i,
        preview: r.label
          ? presentStatus({
              key: String(r.key ?? ''),
              label: String(r.label),
              colour: /^#[0-9a-f]{6}$/i.test(String(r.colour)) ? String(r.colour) : '#505a5f',
              shape: (SHAPES as readonly string[]).includes(String(r.shape))
                ? (r.shape as (typeof SHAPES)[number])
                : 'square',
              description: '',
              pattern: patternOf(r.pattern),
            })
          : null,
        shapeItems: SHAPES.map((s) => ({
          value: s,
          text: s.charAt(0).toUpperCase() + s.slice(1),
          selected: r.shape === s,
        })),
        ratedItems: [
          {
            value: 'yes',
            text: 'In the rating order (better or worse than others)',
            checked: ratedOf(r.rated) === 'yes',
          },
          {
            value: 'no',
            text: 'Outside the rating order (neither better nor worse, like not started or completed)',
            checked: ratedOf(r.rated) === 'no',
          },
        ],
        patternItems: PATTERNS.map((p) => ({
          value: p,
          text: PATTERN_LABELS[p],
          selected: patternOf(r.pattern) === p,
        })),
        approvalItems: [
          { value: '', text: 'No approval needed', selected: approvalOf(r.approvalRole) === '' },
          ...APPROVAL_ROLES.map((role) => ({
            value: role,
            text: `Approval by ${article(approvalRoleLabel(role))}`,
            selected: approvalOf(r.approvalRole) === role,
          })),
        ],
      })),
      presets: Object.entries(STATUS_PRESETS).map(([key, p]) => ({ key, label: p.label })),
    };
  }
  app.get(
    paths.statusScale.edit,
    { config: { permission: 'settings.edit' } },
    async (request: FastifyRequest<{ Querystring: { blank?: string; saved?: string } }>, reply) => {
      const scale = await organisations.statusScale(request.actor);
      const { template, ...ctx } = await scalePage(
        request,
        scale as unknown as Record<string, unknown>[],
        Math.min(3, Number(request.query.blank ?? 0) || 0),
      );
      return reply.view(template, {
        ...ctx,
        flash:
          request.query.saved === '1'
            ? 'The status scale has been saved. Published reports keep the status they were published with.'
            : undefined,
      });
    },
  );
  app.post(paths.statusScale.edit, { config: { permission: 'settings.edit' } }, async (request, reply) => {
    const body = formBody(request);
    const intent = String(body.intent ?? 'save');
    const submitted = ((body.statuses as Record<string, unknown>[] | undefined) ?? []).filter(
      (s) => String(s.label ?? '').trim() !== '' || s.id,
    );
    let { rows: statuses, blank } = applyRowIntent(submitted, intent);
    const preset = /^preset-(\w+)$/.exec(intent);
    if (preset && STATUS_PRESETS[preset[1]!]) {
      // Each preset status takes the place of the existing status in its row: one whose key the
      // preset keeps stays itself; the others are re-keyed (and confirmed if reports use them).
      const existing = await organisations.statusScale(request.actor);
      statuses = STATUS_PRESETS[preset[1]!]!.statuses.map((s, i) => ({ ...s, id: existing[i]?.id ?? '' }));
    }
    if (intent !== 'save') {
      // Add, move, remove, a preset or back from the confirmation: the form again; nothing is saved until "Save".
      const { template, ...ctx } = await scalePage(request, statuses, blank, undefined, body.inUseFrom);
      return reply.view(template, {
        ...ctx,
        notice: 'Your changes are not saved yet: select “Save status scale” to keep them.',
      });
    }
    const input = {
      statuses,
      inUseFrom: body.inUseFrom,
      confirm: body.confirm,
      confirmedReports: body.confirmedReports,
    };
    try {
      // Every change is shown as a difference, from the period chosen, before it is saved.
      if (body.confirm !== 'yes') {
        const planned = await organisations.planStatusScale(request.actor, input);
        if (planned.diff.length > 0) throw new StatusScaleChangeUnconfirmedError(planned);
      }
      await organisations.updateStatusScale(request.actor, input);
      return reply.redirect(`${paths.statusScale.edit}?saved=1`, 303);
    } catch (error) {
      if (error instanceof StatusScaleChangeUnconfirmedError) {
        // Nothing is saved: the officer sees the difference and which unpublished reports change, and saves again or goes back.
        return reply.view('organisations/views/status-scale-confirm.njk', {
          pageTitle: 'Check the change to the status scale',
          section: 'settings',
          backLink: { href: paths.statusScale.edit, text: 'Back to the status scale (discards the change)' },
          ...presentScaleConfirmation(error.plan),
          inUseFrom: error.plan.inUseFrom?.key ?? '',
          rows: statuses.map((r, index) => ({
            index,
            id: textOf(r.id),
            label: textOf(r.label),
            key: textOf(r.key),
            colour: textOf(r.colour),
            shape: textOf(r.shape),
            description: textOf(r.description),
            commentRequired: r.commentRequired === true || r.commentRequired === 'yes',
            rated: ratedOf(r.rated),
            pattern: patternOf(r.pattern),
            approvalRole: approvalOf(r.approvalRole),
          })),
        });
      }
      if (error instanceof ValidationError) {
        const { template, ...ctx } = await scalePage(request, statuses, 0, errorView(error.issues), body.inUseFrom);
        return reply.status(422).view(template, ctx);
      }
      throw error;
    }
  });

  // --- Indicator defaults (the tolerance of indicators without their own rule) -----------
  const defaultsPage = (values: { tolerance: string }, errors?: ErrorView) => ({
    template: 'organisations/views/indicator-defaults.njk',
    pageTitle: 'Indicator settings',
    section: 'settings',
    values,
    errors,
    backLink: { href: paths.statusScale.edit },
  });
  app.get(
    paths.indicatorDefaults.edit,
    { config: { permission: 'settings.edit' } },
    async (request: FastifyRequest<{ Querystring: { saved?: string } }>, reply) => {
      const defaults = await organisations.indicatorDefaults(request.actor);
      const { template, ...ctx } = defaultsPage({ tolerance: String(defaults.ruleValue / 100) });
      return reply.view(template, { ...ctx, saved: request.query.saved === '1' });
    },
  );
  app.post(paths.indicatorDefaults.edit, { config: { permission: 'settings.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => organisations.updateIndicatorDefaults(request.actor, body),
      () => `${paths.indicatorDefaults.edit}?saved=1`,
      async (errors) => defaultsPage({ tolerance: typeof body.tolerance === 'string' ? body.tolerance : '' }, errors),
    );
  });

  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.organisations,
      permission: 'reference.read',
      summary: 'List partner organisations',
      tag: 'Organisations',
      success: { status: 200, description: 'Partners' },
    },
    async (request) => organisations.listPartners(request.actor),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.organisations,
      permission: 'reference.edit',
      summary: 'Add a partner organisation',
      tag: 'Organisations',
      body: organisationInput,
      success: { status: 201, description: 'The organisation' },
    },
    async (request, reply) => reply.status(201).send(await organisations.createPartner(request.actor, request.body)),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.organisation,
      permission: 'reference.edit',
      summary: 'Change a partner organisation',
      tag: 'Organisations',
      body: organisationInput,
      success: { status: 200, description: 'The organisation' },
    },
    async (request) => organisations.updatePartner(request.actor, (request.params as Params).id, request.body),
  );
  apiOperation(
    app,
    {
      method: 'DELETE',
      url: routes.api.organisation,
      permission: 'reference.edit',
      summary: 'Remove a partner nobody refers to',
      tag: 'Organisations',
      success: { status: 204, description: 'Removed' },
    },
    async (request, reply) => {
      await organisations.deletePartner(
        request.actor,
        (request.params as Params).id,
        (request.body as { version?: unknown } | undefined)?.version,
      );
      return reply.status(204).send();
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.statusScale,
      permission: 'reference.read',
      summary:
        'The organisation’s status scale, in order: the newest version, or with `period` (a reporting period’s key) the version in force for that period',
      tag: 'Status scale',
      query: statusScaleQuery,
      success: { status: 200, description: 'Statuses' },
    },
    // The query arrives parsed by its declaration (`query` above).
    async (request: FastifyRequest<{ Querystring: StatusScaleQuery }>) => {
      const { period } = request.query;
      return organisations.statusScale(
        request.actor,
        period === undefined ? undefined : await services.periods.getByKey(request.actor, period),
      );
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.statusScaleVersions,
      permission: 'reference.read',
      summary:
        'Every version of the status scale, oldest first, each with the reporting period it is used from (`inUseFrom`: null for the first version, used by every earlier period)',
      tag: 'Status scale',
      success: { status: 200, description: 'Versions' },
    },
    async (request) => organisations.statusScaleVersions(request.actor),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: paths.api.statusScale,
      permission: 'settings.edit',
      summary:
        'Change the status scale from a reporting period on (`inUseFrom`, a period’s key: by default the earliest period with an unpublished report, else the current one); reports of earlier periods keep the version they have. A status is known by its key: a status sent with its key keeps its reports. A change that removes, re-keys or renames a status unpublished reports of those periods use is refused (409 STATUS_SCALE_CHANGE_UNCONFIRMED, naming them) unless the body also has `confirm: true`. Published reports keep the status they were published with. Returns the new scale.',
      // No `version` to send: a change makes a version of the scale by period rather than
      // replacing one a client read, and what it alters in reports is confirmed instead.
      versioned: false,
      tag: 'Status scale',
      // `confirm` is an instruction, not part of the scale (writeOnly): a PUT need not send it.
      body: statusScaleInput.pick({ statuses: true, inUseFrom: true }).extend({
        confirm: statusScaleInput.shape.confirm.meta({
          writeOnly: true,
          description:
            'true saves a change that alters what unpublished reports show, once a 409 STATUS_SCALE_CHANGE_UNCONFIRMED has named them',
        }),
      }),
      success: { status: 200, description: 'Statuses' },
    },
    async (request) => organisations.updateStatusScale(request.actor, request.body),
  );
}
