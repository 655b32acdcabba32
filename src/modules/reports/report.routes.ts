// Pages, downloads and API for progress reports: the report read like the seed document, its
// sections, key actions and sign-offs edited with forms that work without JavaScript.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, submitForm, selectItems, applyRowIntent } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import { todayIso, formatDate } from '../../domain/dates.ts';
import { renderReportPdf } from '../../render/pdf.ts';
import { renderReportDocx } from '../../render/docx.ts';
import { renderReportJson } from '../../render/json.ts';
import { presentReport, presentProgress } from './report.presenter.ts';
import { presentStatus } from '../../render/report-view.ts';
import { sectionsInput, actionInput, signOffInput, newReportInput, moveInput, progressInput, SIGN_OFF_ROLE_LABELS } from './report.schemas.ts';
import type { ReportBundle } from './report.service.ts';
import type { ReportView } from '../../render/report-view.ts';

type Params = { code: string; period: string; n: string; format: string; id: string };
type Req = FastifyRequest<{ Params: Params; Querystring: { blank?: string; saved?: string } }>;

const DOWNLOADS = {
  pdf: { type: 'application/pdf', render: renderReportPdf },
  docx: { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', render: renderReportDocx },
  json: { type: 'application/json; charset=utf-8', render: async (v: Parameters<typeof renderReportJson>[0]) => renderReportJson(v) },
} as const;

const SAVED_MESSAGES: Record<string, string> = {
  sections: 'The report has been saved.',
  action: 'The key action has been saved.',
  'action-removed': 'The key action has been removed.',
  'sign-off': 'The sign-off has been recorded.',
  'sign-off-removed': 'The sign-off has been removed.',
  created: 'The report has been started. Write its sections below.',
  progress: 'The milestone’s progress has been recorded.',
  graphs: 'The graphs have been chosen.',
};

function actionNumber(n: string): number {
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1) throw new NotFoundError('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
  return number;
}

export function registerReportRoutes(app: FastifyInstance, services: Services): void {
  const { reports, people, organisations, periods, plans, risks } = services;

  const reportLinks = (code: string, period: string) => ({ href: paths.reports.show(code, period), text: 'Back to the report' });

  // --- The report ------------------------------------------------------------------------
  app.get(routes.report, async (request: Req, reply) => {
    const { code, period } = request.params;
    const bundle = await reports.getBundle(request.actor, code, period);
    const view = presentReport(bundle);
    return reply.view('reports/views/report.njk', {
      pageTitle: `${view.priority.code} ${view.period.label} progress report`, section: 'priorities',
      backLink: { href: paths.priorities.show(bundle.priority.code), text: `Back to ${bundle.priority.code}` },
      view, code: bundle.priority.code, periodKey: bundle.period.key,
      flash: SAVED_MESSAGES[request.query.saved ?? ''],
      signOffRecords: bundle.report.signOffs.map((s) => ({ ...s, roleLabel: SIGN_OFF_ROLE_LABELS[s.role], date: formatDate(s.signedOn) })),
      version: bundle.report.version,
    });
  });

  app.get(routes.reportDownload, async (request: Req, reply: FastifyReply) => {
    const format = request.params.format as keyof typeof DOWNLOADS;
    const download = DOWNLOADS[format];
    if (!Object.hasOwn(DOWNLOADS, format)) throw new NotFoundError('FORMAT_NOT_FOUND', `Reports download as pdf, docx or json, not ${request.params.format}`);
    const bundle = await reports.getBundle(request.actor, request.params.code, request.params.period);
    const body = await download.render(presentReport(bundle));
    const filename = `${bundle.priority.code}-${bundle.period.key}.${format}`.replace(/[^\w.-]+/g, '_');
    return reply.type(download.type).header('content-disposition', `attachment; filename="${filename}"`).send(body);
  });

  // --- Start a report ----------------------------------------------------------------------
  async function newReportPage(request: FastifyRequest, code: string, values: Record<string, any>, errors?: ErrorView) {
    const priority = await plans.getPriority(request.actor, code);
    const [all, existing] = await Promise.all([periods.list(request.actor), reports.listForPriority(request.actor, priority.code)]);
    const taken = new Set(existing.map((r) => r.periodKey));
    const free = all.filter((p) => !taken.has(p.key));
    return {
      template: 'reports/views/report-new.njk', pageTitle: `Start a progress report for ${priority.code}`, section: 'priorities',
      backLink: { href: paths.priorities.show(priority.code) }, priority, errors,
      periodItems: free.map((p) => ({ value: p.key, text: `${p.label} (${p.span})`, checked: values.period === p.key })),
      action: paths.reports.create(priority.code),
    };
  }
  app.get(routes.reportNew, async (request: Req, reply) => {
    const { template, ...ctx } = await newReportPage(request, request.params.code, {});
    return reply.view(template, ctx);
  });
  app.post(routes.reportCreate, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(reply, () => reports.create(request.actor, request.params.code, body),
      (b) => `${paths.reports.edit(b.priority.code, b.period.key)}?saved=created`,
      async (errors) => newReportPage(request, request.params.code, body, errors));
  });

  // --- Sections -------------------------------------------------------------------------
  async function sectionsPage(request: FastifyRequest, bundle: ReportBundle, values: Record<string, any>, errors?: ErrorView, theirs?: ReportView) {
    const chosen = new Set<string>((Array.isArray(values.risks) ? values.risks : values.risks ? [values.risks] : []).map(String));
    const citable = await risks.citable(request.actor, bundle.priority.id, bundle.report.riskIds);
    return {
      template: 'reports/views/report-form.njk', theirs,
      pageTitle: `Write the ${bundle.period.label} report for ${bundle.priority.code}`, section: 'priorities',
      backLink: reportLinks(bundle.priority.code, bundle.period.key), bundle, values, errors,
      statusItems: [
        ...bundle.statuses.map((s) => ({ value: s.key, text: s.label, hint: { text: [s.description, s.commentRequired ? 'Needs a reason.' : ''].filter(Boolean).join(' ') || undefined }, checked: values.status === s.key, status: presentStatus(s) })),
        { divider: 'or' },
        { value: '', text: 'Not assessed yet', checked: !values.status },
      ],
      action: paths.reports.edit(bundle.priority.code, bundle.period.key),
      // Rating and score in words, never colour alone.
      riskItems: citable.map((r) => ({
        value: r.id, text: r.description, checked: chosen.has(r.id),
        hint: { text: [`${r.current.rating.label} (score ${r.current.score})`, r.ownerName ? `owner ${r.ownerName}` : '', r.closed ? 'closed' : ''].filter(Boolean).join(', ') },
      })),
    };
  }
  app.get(routes.reportEdit, async (request: Req, reply) => {
    const bundle = await reports.getBundle(request.actor, request.params.code, request.params.period);
    const status = bundle.statuses.find((s) => s.id === bundle.report.statusId);
    const { template, ...ctx } = await sectionsPage(request, bundle, {
      summary: bundle.report.summary, status: status?.key ?? '', statusReason: bundle.report.statusReason,
      achievements: bundle.report.achievements.join('\n'), challenges: bundle.report.challenges.join('\n'), risks: bundle.report.riskIds, version: bundle.report.version,
    });
    return reply.view(template, { ...ctx, flash: SAVED_MESSAGES[request.query.saved ?? ''] });
  });
  app.post(routes.reportEdit, async (request: Req, reply) => {
    const body = formBody(request);
    const { code, period } = request.params;
    return submitForm(reply, () => reports.updateSections(request.actor, code, period, body), () => `${paths.reports.show(code, period)}?saved=sections`,
      async (errors, conflict) => {
        const bundle = await reports.getBundle(request.actor, code, period);
        // After a conflict, show what is saved now beside the person's own text, and let the next
        // save build on the current version: they decide, nothing is merged silently.
        return sectionsPage(request, bundle, conflict ? { ...body, version: bundle.report.version } : body, errors, conflict ? presentReport(bundle) : undefined);
      });
  });

  // --- Key actions --------------------------------------------------------------------------
  async function actionPage(request: FastifyRequest, bundle: ReportBundle, n: number | undefined, values: Record<string, any>, blankRows: number, errors?: ErrorView, conflict?: unknown) {
    if (conflict) values = { ...values, version: bundle.report.version };
    const theirs = conflict ? presentReport(bundle) : undefined;
    const [persons, partners] = await Promise.all([people.list(request.actor), organisations.listPartners(request.actor)]);
    const chosen = new Set((Array.isArray(values.contributors) ? values.contributors : values.contributors ? [values.contributors] : []) as string[]);
    const milestones = [...((values.milestones as Record<string, string>[] | undefined) ?? [])];
    for (let i = 0; i < blankRows; i++) milestones.push({ id: '', description: '', timescale: '' });
    const { code, period } = { code: bundle.priority.code, period: bundle.period.key };
    return {
      template: 'reports/views/action-form.njk',
      pageTitle: n ? `Change key action ${n}` : 'Add a key action', section: 'priorities',
      backLink: reportLinks(code, period), bundle, n, values, errors, milestones, theirs, theirAction: theirs && n ? theirs.actions[n - 1] : undefined,
      personItems: persons.map((p) => ({ value: `person:${p.id}`, text: p.name, hint: { text: [p.jobTitle, p.employerName].filter(Boolean).join(', ') }, checked: chosen.has(`person:${p.id}`) })),
      partnerItems: partners.map((o) => ({ value: `partner:${o.id}`, text: o.name, checked: chosen.has(`partner:${o.id}`) })),
      action: n ? paths.reports.actions.update(code, period, n) : paths.reports.actions.create(code, period),
      deleteAction: n ? paths.reports.actions.delete(code, period, n) : undefined,
    };
  }
  /** The form's buttons: save; save and add another milestone row; save and move a milestone. */
  function applyIntent(body: Record<string, unknown>): { input: Record<string, unknown>; blank: number } {
    const { rows, blank } = applyRowIntent((body.milestones as Record<string, unknown>[] | undefined) ?? [], String(body.intent ?? 'save'));
    // Blank rows are dropped when the form comes back, so "Add another" shows exactly one.
    const filled = rows.filter((m) => m.id || String(m.description ?? '').trim() || String(m.timescale ?? '').trim());
    return { input: { ...body, milestones: body.intent === undefined || body.intent === 'save' ? rows : filled }, blank };
  }

  const isRowIntent = (input: Record<string, unknown>) => input.intent !== undefined && input.intent !== 'save';

  app.get(routes.actionNew, async (request: Req, reply) => {
    const bundle = await reports.getBundle(request.actor, request.params.code, request.params.period);
    const { template, ...ctx } = await actionPage(request, bundle, undefined, { version: bundle.report.version }, 2);
    return reply.view(template, ctx);
  });
  app.post(routes.actionCreate, async (request: Req, reply) => {
    const { code, period } = request.params;
    const { input, blank } = applyIntent(formBody(request));
    if (isRowIntent(input)) {
      // Add, move or remove a milestone row: show the form again; nothing is saved until "Save".
      const { template, ...ctx } = await actionPage(request, await reports.getBundle(request.actor, code, period), undefined, input, blank);
      return reply.view(template, ctx);
    }
    return submitForm(reply, () => reports.addAction(request.actor, code, period, input),
      (r) => `${paths.reports.show(code, period)}?saved=action#action-${r.number}`,
      async (errors, conflict) => actionPage(request, await reports.getBundle(request.actor, code, period), undefined, input, 0, errors, conflict));
  });
  app.get(routes.actionEdit, async (request: Req, reply) => {
    const n = actionNumber(request.params.n);
    const bundle = await reports.getBundle(request.actor, request.params.code, request.params.period);
    const a = bundle.report.actions[n - 1];
    if (!a) throw new NotFoundError('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
    const values = {
      description: a.description, version: bundle.report.version,
      contributors: a.contributors.map((c) => `${c.kind}:${c.id}`),
      milestones: a.milestones.map((m) => ({ id: m.id, description: m.description, timescale: formatTimescale(m.timescale) })),
    };
    const blank = Math.min(5, Math.max(a.milestones.length === 0 ? 1 : 0, Number(request.query.blank ?? 0) || 0));
    const { template, ...ctx } = await actionPage(request, bundle, n, values, blank);
    return reply.view(template, ctx);
  });
  app.post(routes.actionUpdate, async (request: Req, reply) => {
    const { code, period } = request.params;
    const n = actionNumber(request.params.n);
    const { input, blank } = applyIntent(formBody(request));
    if (isRowIntent(input)) {
      const { template, ...ctx } = await actionPage(request, await reports.getBundle(request.actor, code, period), n, input, blank);
      return reply.view(template, ctx);
    }
    return submitForm(reply, () => reports.updateAction(request.actor, code, period, n, input),
      () => `${paths.reports.show(code, period)}?saved=action#action-${n}`,
      async (errors, conflict) => actionPage(request, await reports.getBundle(request.actor, code, period), n, input, 0, errors, conflict));
  });
  app.post(routes.actionMove, async (request: Req, reply) => {
    const { code, period } = request.params;
    const n = actionNumber(request.params.n);
    const body = formBody(request);
    return submitForm(reply, () => reports.moveAction(request.actor, code, period, n, body),
      (r) => `${paths.reports.show(code, period)}#action-${r.number}`,
      async (errors) => ({ template: 'error.njk', pageTitle: 'The action was not moved', problem: { title: 'The action was not moved', detail: errors.list.map((e) => e.text).join(' ') } }));
  });
  app.get(routes.actionDelete, async (request: Req, reply) => {
    const n = actionNumber(request.params.n);
    const bundle = await reports.getBundle(request.actor, request.params.code, request.params.period);
    const view = presentReport(bundle);
    const action = view.actions[n - 1];
    if (!action) throw new NotFoundError('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
    return reply.view('reports/views/action-delete.njk', {
      pageTitle: `Remove key action ${n}`, section: 'priorities', backLink: { href: paths.reports.actions.edit(bundle.priority.code, bundle.period.key, n) },
      action, version: bundle.report.version, formAction: paths.reports.actions.delete(bundle.priority.code, bundle.period.key, n),
    });
  });
  app.post(routes.actionDelete, async (request: Req, reply) => {
    const { code, period } = request.params;
    const n = actionNumber(request.params.n);
    const body = formBody(request);
    return submitForm(reply, () => reports.deleteAction(request.actor, code, period, n, body), () => `${paths.reports.show(code, period)}?saved=action-removed`,
      async (errors) => ({ template: 'error.njk', pageTitle: 'The action was not removed', problem: { title: 'The action was not removed', detail: errors.list.map((e) => e.text).join(' ') } }));
  });

  // --- Sign-offs ----------------------------------------------------------------------------
  async function signOffPage(request: FastifyRequest, bundle: ReportBundle, values: Record<string, any>, errors?: ErrorView) {
    const persons = await people.list(request.actor);
    const role = values.role as string | undefined;
    const suggested = role === 'accountable_director' ? bundle.priority.accountableDirector?.id : role === 'accountable_officer' ? bundle.priority.accountableOfficer?.id : undefined;
    return {
      template: 'reports/views/sign-off-form.njk', pageTitle: 'Record a sign-off', section: 'priorities',
      backLink: reportLinks(bundle.priority.code, bundle.period.key), bundle, values, errors,
      roleItems: Object.entries(SIGN_OFF_ROLE_LABELS).map(([value, text]) => ({ value, text, checked: values.role === value })),
      personItems: selectItems(persons, (p) => p.id, (p) => `${p.name}${p.jobTitle ? `, ${p.jobTitle}` : ''}`, (values.personId as string) || suggested, 'Select a person'),
      decisionItems: [
        { value: 'approved', text: 'Approved', checked: (values.decision ?? 'approved') === 'approved' },
        { value: 'returned', text: 'Returned with comments', checked: values.decision === 'returned' },
      ],
      today: formatDate(todayIso()),
      action: paths.reports.signOffs.create(bundle.priority.code, bundle.period.key),
    };
  }
  app.get(routes.signOffNew, async (request: FastifyRequest<{ Params: Params; Querystring: { role?: string } }>, reply) => {
    const bundle = await reports.getBundle(request.actor, request.params.code, request.params.period);
    const { template, ...ctx } = await signOffPage(request, bundle, { role: request.query.role, version: bundle.report.version });
    return reply.view(template, ctx);
  });
  app.post(routes.signOffCreate, async (request: Req, reply) => {
    const { code, period } = request.params;
    const body = formBody(request);
    return submitForm(reply, () => reports.recordSignOff(request.actor, code, period, body), () => `${paths.reports.show(code, period)}?saved=sign-off#sign-offs`,
      async (errors) => signOffPage(request, await reports.getBundle(request.actor, code, period), body, errors));
  });
  app.post(routes.signOffDelete, async (request: Req, reply) => {
    const { code, period, id } = request.params;
    const body = formBody(request);
    return submitForm(reply, () => reports.deleteSignOff(request.actor, code, period, id, body), () => `${paths.reports.show(code, period)}?saved=sign-off-removed#sign-offs`,
      async (errors) => ({ template: 'error.njk', pageTitle: 'The sign-off was not removed', problem: { title: 'The sign-off was not removed', detail: errors.list.map((e) => e.text).join(' ') } }));
  });

  // --- Graphs: which of the priority's indicators the report shows ---------------------------
  async function graphsPage(request: Req, values: { indicators?: unknown } | undefined, errors?: ErrorView) {
    const { bundle, chosen, linked } = await reports.graphChoices(request.actor, request.params.code, request.params.period);
    const selected = new Set<string>(values ? (Array.isArray(values.indicators) ? values.indicators : values.indicators ? [String(values.indicators)] : []) : chosen);
    return {
      template: 'reports/views/graphs-form.njk', pageTitle: 'Choose the graphs for this report', section: 'priorities',
      backLink: reportLinks(bundle.priority.code, bundle.period.key), bundle, errors,
      items: linked.map((i) => ({ value: i.id, text: `${i.code} ${i.title}`, checked: selected.has(i.id) })),
      action: paths.reports.graphs(bundle.priority.code, bundle.period.key),
    };
  }
  app.get(routes.reportGraphs, async (request: Req, reply) => {
    const { template, ...ctx } = await graphsPage(request, undefined);
    return reply.view(template, ctx);
  });
  app.post(routes.reportGraphs, async (request: Req, reply) => {
    const body = formBody(request);
    const { code, period } = request.params;
    return submitForm(reply, () => reports.chooseGraphs(request.actor, code, period, body), () => `${paths.reports.show(code, period)}?saved=graphs#graphs`,
      async (errors) => graphsPage(request, body, errors));
  });

  // --- Progress on milestones set last time ------------------------------------------------
  type ProgressReq = FastifyRequest<{ Params: Params; Querystring: { from?: string } }>;
  const backTo = (code: string, owner: string, from: string | undefined) => {
    const target = from && /^\d{4}-\d{2}(-[hqm]\d{1,2})?$/.test(from) ? from : owner;
    return paths.reports.show(code, target);
  };
  async function progressPage(request: ProgressReq, values: Record<string, any>, errors?: ErrorView) {
    const { code, period, id } = request.params;
    const bundle = await reports.getBundle(request.actor, code, period);
    const view = presentReport(bundle);
    const milestone = view.actions.flatMap((a) => a.milestones.map((m) => ({ ...m, action: a }))).find((m) => m.id === id);
    if (!milestone) throw new NotFoundError('MILESTONE_NOT_FOUND', 'There is no such milestone in this report');
    const saved = bundle.report.actions.flatMap((a) => a.milestones).find((m) => m.id === id)!;
    const current = saved.progress;
    const v = Object.keys(values).length > 0 ? values : {
      progress: current?.kind ?? 'none',
      metOn: current?.kind === 'met' ? formatDate(current.on) : '',
      revised: current?.kind === 'slipped' ? formatTimescale(current.revised) : '',
      reason: current ? (current.kind === 'met' ? current.note : current.reason) : '',
    };
    const presentNow = presentProgress(saved, todayIso());
    return {
      template: 'reports/views/milestone-progress-form.njk',
      pageTitle: 'Record progress on a milestone', section: 'priorities',
      backLink: { href: backTo(bundle.priority.code, bundle.period.key, request.query.from) },
      bundle, milestone, values: v, errors, presentNow,
      action: `${paths.reports.milestoneProgress(bundle.priority.code, bundle.period.key, id)}${request.query.from ? `?from=${encodeURIComponent(request.query.from)}` : ''}`,
      progressItems: [
        { value: 'met', text: 'Met', hint: { text: 'Give the date it was met' } },
        { value: 'slipped', text: 'Slipped', hint: { text: 'Give the revised timescale and why' } },
        { value: 'missed', text: 'Missed', hint: { text: 'Say why' } },
        { value: 'suspended', text: 'Suspended', hint: { text: 'Say why' } },
        { divider: 'or' },
        { value: 'none', text: 'Nothing to record yet' },
      ].map((item) => ('value' in item ? { ...item, checked: v.progress === item.value } : item)),
    };
  }
  app.get(routes.milestoneProgress, async (request: ProgressReq, reply) => {
    const { template, ...ctx } = await progressPage(request, {});
    return reply.view(template, ctx);
  });
  app.post(routes.milestoneProgress, async (request: ProgressReq, reply) => {
    const { code, period, id } = request.params;
    const body = formBody(request);
    return submitForm(reply, () => reports.recordMilestoneProgress(request.actor, code, period, id, body),
      () => `${backTo(code, period, request.query.from)}?saved=progress`,
      async (errors) => progressPage(request, body, errors));
  });

  // --- API ---------------------------------------------------------------------------------
  type P = { Params: Params };
  const bundleOf = (request: FastifyRequest) => {
    const { code, period } = request.params as Params;
    return reports.getBundle(request.actor, code, period);
  };
  apiOperation(app, { method: 'GET', url: routes.api.reports, summary: 'List the reports of a priority', tag: 'Reports', success: { status: 200, description: 'Reports, newest period first' } },
    async (request) => reports.listForPriority(request.actor, (request.params as Params).code));
  apiOperation(app, { method: 'POST', url: routes.api.reports, summary: 'Start a report for a period, e.g. {"period": "2009-10-h1"}', tag: 'Reports', body: newReportInput, success: { status: 201, description: 'The report' } },
    async (request, reply) => {
      const b = await reports.create(request.actor, (request.params as Params).code, request.body);
      return reply.status(201).send(presentReport(b));
    });
  apiOperation(app, { method: 'GET', url: routes.api.report, summary: 'A report, as rendered (the JSON download)', tag: 'Reports', success: { status: 200, description: 'The report view' } },
    async (request) => presentReport(await bundleOf(request)));
  apiOperation(app, { method: 'PUT', url: routes.api.report, summary: 'Change the report’s sections (summary, status by key, reason, achievements, challenges, risks: ids of the priority’s register entries to cite)', tag: 'Reports', body: sectionsInput, success: { status: 200, description: 'The report view' } },
    async (request: FastifyRequest<P>) => {
      await reports.updateSections(request.actor, request.params.code, request.params.period, request.body);
      return presentReport(await bundleOf(request));
    });
  apiOperation(app, { method: 'POST', url: routes.api.actions, summary: 'Add a key action with contributors ("person:<id>" or "partner:<id>") and milestones', tag: 'Reports', body: actionInput, success: { status: 201, description: 'The report view' } },
    async (request: FastifyRequest<P>, reply) => {
      await reports.addAction(request.actor, request.params.code, request.params.period, request.body);
      return reply.status(201).send(presentReport(await bundleOf(request)));
    });
  apiOperation(app, { method: 'PUT', url: routes.api.action, summary: 'Replace key action n (milestones keep their ids when sent back)', tag: 'Reports', body: actionInput, success: { status: 200, description: 'The report view' } },
    async (request: FastifyRequest<P>) => {
      await reports.updateAction(request.actor, request.params.code, request.params.period, actionNumber(request.params.n), request.body);
      return presentReport(await bundleOf(request));
    });
  apiOperation(app, { method: 'DELETE', url: routes.api.action, summary: 'Remove key action n', tag: 'Reports', success: { status: 200, description: 'The report view' } },
    async (request: FastifyRequest<P>) => {
      await reports.deleteAction(request.actor, request.params.code, request.params.period, actionNumber(request.params.n), request.body ?? {});
      return presentReport(await bundleOf(request));
    });
  apiOperation(app, { method: 'POST', url: routes.api.actionMove, summary: 'Move key action n up or down', tag: 'Reports', body: moveInput, success: { status: 200, description: 'The report view' } },
    async (request: FastifyRequest<P>) => {
      await reports.moveAction(request.actor, request.params.code, request.params.period, actionNumber(request.params.n), request.body);
      return presentReport(await bundleOf(request));
    });
  apiOperation(app, { method: 'PUT', url: routes.api.milestoneProgress, summary: 'Record what became of a milestone of this report: {"progress": "met"|"slipped"|"missed"|"suspended"|"none", "metOn", "revised", "reason"}', tag: 'Reports', body: progressInput, success: { status: 200, description: 'The report view' } },
    async (request: FastifyRequest<P>) => {
      await reports.recordMilestoneProgress(request.actor, request.params.code, request.params.period, request.params.id, request.body);
      return presentReport(await bundleOf(request));
    });
  apiOperation(app, { method: 'POST', url: routes.api.signOffs, summary: 'Record a sign-off (role, person, date, decision, comment)', tag: 'Reports', body: signOffInput, success: { status: 201, description: 'The report view' } },
    async (request: FastifyRequest<P>, reply) => {
      await reports.recordSignOff(request.actor, request.params.code, request.params.period, request.body);
      return reply.status(201).send(presentReport(await bundleOf(request)));
    });
}
